"""Three-way drift: docs, a CSDL file, the live service's $metadata — where they disagree.

The small cases build each side by hand; the corpus case holds the docs of 2021-07 against
Microsoft's CSDL of the same date, whose differences `check-metadata` already finds one way.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_metadata_refine import CSDL, widget

from graph_contracts.metadata import compare, load_csdl, parse_csdl
from graph_contracts.metadata._drift import ASPECTS, PAIRS, drift

FILE = "beta_metadata.xml"
SERVICE = "http://graph.test/beta/$metadata"


def csdl_text(**edits: str) -> bytes:
    text = CSDL.decode()
    for old, new in edits.items():
        text = text.replace(old.replace("_", " "), new)
    return text.encode()


def published():
    return parse_csdl(CSDL, FILE)


def test_docs_against_the_service_names_the_page_line() -> None:
    result = drift([widget()], service={"beta": published()})
    lines = {(d.subject, d.aspect): d for d in result.differences}
    # the docs say Boolean `said` is nullable; the service says not
    said = lines[("said", "nullable")]
    assert said.where == "widget.md:21" and said.pairs == ("docs-service",)
    assert said.said == {"docs": "nullable", "service": "not nullable"}
    assert str(said) == (
        "widget.md:21: beta/widget said: nullable: docs say nullable; service says not nullable"
    )
    # Edm.Binary in the docs, a stream in the service
    assert lines[("logo", "type")].said == {"docs": "Edm.Binary", "service": "Edm.Stream"}
    # the docs call `size` and `note` updatable; the service computes them
    assert {s for s, a in lines if a == "read-only"} == {"size", "note"}
    # prose spelling and a member the service never had; tentativelyAccepted comes after
    # unknownFutureValue (opt-in), so the docs need not list it
    assert lines[("response", "enum")].message == (
        "enum members: docs lack accepted (service has); service lacks maybe (docs has); "
        "service spells None as none, Organizer as organizer"
    )
    assert lines[("responseType", "enum")].message == (
        "enum members: docs lack organizer (service has)"
    )
    # silence is no difference: nullability the docs leave out, properties they do not list
    assert ("count", "nullable") not in lines and ("tags", "nullable") not in lines
    # 12 rows: `said` is stated, `tags` a collection (its Nullable speaks of items): 10 filled in
    assert result.only_in_csdl["nullability"] == 10
    assert result.contracts == 1


def test_the_published_csdl_against_the_running_service() -> None:
    running = parse_csdl(
        csdl_text(
            **{
                '<Property_Name="note"_Type="Edm.String"_/>': "",
                'Name="count"_Type="Edm.Int32"': 'Name="count" Type="Edm.Int64"',
                '<Member_Name="organizer"_Value="1"_/>': "",
            }
        ),
        SERVICE,
    )
    result = drift([widget()], files={"beta": published()}, service={"beta": running})
    lines = {(d.subject, d.aspect): d for d in result.differences}
    note = lines[("note", "property")]
    assert note.said == {"docs": "present", "file": "present", "service": "absent"}
    assert set(note.pairs) == {"docs-service", "file-service"}
    count = lines[("count", "type")]
    assert count.pairs == ("docs-service", "file-service")
    assert count.message == (
        "type: docs say Edm.Int32; metadata file says Edm.Int32; service says Edm.Int64"
    )
    assert "file-service" in lines[("response", "enum")].pairs
    table = result.counts()
    assert set(table) == set(ASPECTS) and set(table["type"]) == {"-".join(p) for p in PAIRS}
    assert table["type"]["file-service"] == 1 and table["property"]["file-service"] == 1
    assert result.sources == {"beta": {"file": FILE, "service": SERVICE}}


def test_agreement_is_no_drift_and_other_versions_are_not_compared() -> None:
    v1 = widget()
    v1.version = "v1.0"
    same = published()
    result = drift([v1], files={"beta": same}, service={"beta": same})
    assert result.differences == [] and result.contracts == 0
    both = drift([widget()], files={"beta": same}, service={"beta": parse_csdl(CSDL, SERVICE)})
    assert not [d for d in both.differences if "file-service" in d.pairs]


def test_a_type_the_service_does_not_have_is_one_line() -> None:
    gadget = widget()
    gadget.resource = "microsoft.graph.gadget"
    result = drift([gadget], service={"beta": published()})
    assert [(d.label, d.message) for d in result.differences] == [
        ("(the type)", "property: docs say present; service says absent")
    ]


@pytest.fixture(scope="module")
def corpus_contracts(corpus: Path) -> list:
    from graph_contracts.extract import extract_paths

    return extract_paths([corpus / "graph-docs"]).contracts


@pytest.mark.slow
def test_corpus_docs_against_the_published_csdl(corpus: Path, corpus_contracts: list) -> None:
    """Every type disagreement check-metadata finds on resource properties is a drift line."""
    contracts = [c for c in corpus_contracts if c.version == "v1.0"]
    csdl = load_csdl(corpus / "csdl" / "v1.0_metadata.xml")
    result = drift(contracts, service={"v1.0": csdl})
    typed = {(d.contract, d.subject) for d in result.differences if d.aspect == "type"}
    mismatches = [f for f in compare(contracts, csdl).findings if f.rule == "type-mismatch"]
    assert mismatches and result.contracts == len(contracts)
    for finding in mismatches:
        resource, prop = finding.message.split(":")[0].rsplit(".", 1)
        owners = [c.id for c in contracts if c.resource == resource]
        short = resource.rsplit(".", 1)[-1]
        assert any((o, prop) in typed for o in owners) or any(
            s == f"{short}.{prop}" for _, s in typed
        ), finding.message


@pytest.mark.slow
def test_corpus_figures_the_manual_publishes(corpus: Path, corpus_contracts: list) -> None:
    """docs/schema.md's figures: the 2021-07 docs against Microsoft's CSDL of the same date."""
    from graph_contracts.metadata import refine

    contracts = corpus_contracts
    csdls = {v: load_csdl(corpus / "csdl" / f"{v}_metadata.xml") for v in ("beta", "v1.0")}
    found = drift(contracts, service=csdls).to_dict()
    assert (found["contracts_compared"], found["contracts_differing"]) == (968, 143)
    assert found["differences"] == 355
    by_aspect = {aspect: row["docs-service"] for aspect, row in found["counts"].items()}
    assert by_aspect == {
        "property": 168,
        "type": 117,
        "nullable": 5,
        "enum": 56,
        "read-only": 9,
        "key": 0,
    }
    assert found["only_in_csdl"] == {"nullability": 9903, "properties": 1691}
    facts = refine(contracts, csdls, {v: v for v in csdls}).counts()
    assert facts == {
        "nullable": 14142,
        "enum": 200,
        "open": 100,
        "stream": 0,
        "read-only": 9,
        "precision": 0,
    }


def test_the_report_section_reads_at_corpus_scale() -> None:
    """Counts first, then the contracts with most differences first, capped; silence counted."""
    from graph_contracts.reporters import schema as section

    many = []
    for i in range(section.SHOWN_CONTRACTS + 5):
        contract = widget()
        contract.resource = f"microsoft.graph.widget{i:02d}"
        many.append(contract)
    service = parse_csdl(
        csdl_text(**{'EntityType_Name="widget"': 'EntityType Name="widget07"'}), SERVICE
    )
    found = drift(many, service={"beta": service}).to_dict()
    sources = [
        {
            "version": "beta",
            "kind": "service",
            "origin": SERVICE,
            "status": "downloaded",
            "detail": "3 bytes",
        }
    ]
    lines = section.markdown(sources, {"nullable": 3, "enum": 0}, found)
    text = "\n".join(lines)
    assert f"- beta: the service's $metadata {SERVICE}: read (3 bytes)" in lines
    assert "facts the docs left out, taken from CSDL: 3 nullability." in lines
    assert f"**Drift:** {found['differences']} differences in {len(many)} of {len(many)}" in text
    # widget07 is the one the service has: its many property lines come first
    assert lines.index(f"### beta/widget07 ({len(found['contracts'][7]['differences'])})") < (
        lines.index("### beta/widget00 (1)")
    )
    assert "- ... and 5 more (see summary.json)" not in text
    assert "... and 5 differences in 5 more contracts." in text
    assert "| property | 29 |" in text and "| type | 1 |" in text  # 29 types the service lacks
