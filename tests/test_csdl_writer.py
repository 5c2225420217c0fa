"""The CSDL written from contracts (the mock's `$metadata`): valid, and read back as written.

Valid means valid against OASIS's own CSDL XML schemas (edmx.xsd, edm.xsd, fetched from the npm
registry: tests/odata_schemas.py); read back means the project's reader finds every fact the
contracts hold, and `check-metadata`'s comparison finds the docs and their CSDL in agreement.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from odata_schemas import fetch_schemas

from graph_contracts import contracts as contract_files
from graph_contracts.contracts import Contract, Property, TypeDef
from graph_contracts.metadata import compare, parse_csdl
from graph_contracts.metadata._writer import write_csdl

ROOT = Path(__file__).resolve().parent.parent
DISAGREE = {"type-mismatch", "enum-mismatch", "not-in-metadata", "unknown-resource"}


def seeds(version: str) -> list[Contract]:
    return [c for c in contract_files.load(ROOT / "contracts") if c.version == version]


def odd_contract() -> Contract:
    """Inline enum members, flags, an open complex type, a read-only row, a stray row name."""
    return Contract(
        version="beta",
        resource="microsoft.graph.callRecords.session",
        paths=["/communications/callRecords/{callRecordId}/sessions/{sessionId}", "/sessions"],
        properties=[
            Property("modality", "microsoft.graph.callRecords.modality", enum=["audio", "video"]),
            Property("days", "Collection(microsoft.graph.weekDays)"),
            Property("caller", "microsoft.graph.identitySet", nullable=False),
            Property("size", "Edm.Int64", read_only=True),
            Property("odd name", "Edm.String"),
        ],
        status=204,
        types={
            "microsoft.graph.weekDays": TypeDef(
                "microsoft.graph.weekDays", "enum", members=["monday", "tuesday"], flags=True
            ),
            "microsoft.graph.identitySet": TypeDef(
                "microsoft.graph.identitySet",
                "complex",
                properties=[Property("user", "microsoft.graph.identity")],
                open=True,
            ),
        },
    )


def test_seeds_read_back_as_written() -> None:
    for version in ("beta", "v1.0"):
        contracts = seeds(version)
        csdl = parse_csdl(write_csdl(contracts), f"mock/{version}/$metadata")
        report = compare(contracts, csdl)
        assert not [f for f in report.findings if f.rule in DISAGREE], version
        assert report.agreement.ratio == 1.0 and report.agreement.both > 0
        for contract in contracts:
            props = csdl.properties(contract.resource)
            assert set(props) == {p.name for p in contract.properties}
            assert csdl.key(contract.resource) == [contract.key]
            for prop in contract.properties:
                assert props[prop.name].nullable is (prop.nullable is not False and not prop.key)
                assert props[prop.name].read_only is (prop.read_only and not prop.key)


def test_inline_enums_flags_open_types_keys_and_roots() -> None:
    csdl = parse_csdl(write_csdl([odd_contract()]), "mock")
    session = csdl.types["microsoft.graph.callRecords.session"]
    assert session.key == ["id"] and session.properties["id"].nullable is False
    assert "odd name" not in session.properties  # no CSDL identifier: left out
    assert session.properties["size"].read_only and session.properties["caller"].nullable is False
    assert csdl.types["microsoft.graph.callRecords.modality"].members == ["audio", "video"]
    week = csdl.types["microsoft.graph.weekDays"]
    assert (week.flags, week.members) == (True, ["monday", "tuesday"])
    assert csdl.types["microsoft.graph.identitySet"].open_type
    # `/sessions/...` is no set of a key (two segments, no key): only the singleton is told
    assert csdl.roots == {"sessions": "microsoft.graph.callRecords.session"}


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory):
    xmlschema = pytest.importorskip("xmlschema")
    folder = fetch_schemas(tmp_path_factory.mktemp("oasis"))
    return xmlschema.XMLSchema(str(folder / "edmx.xsd"))


@pytest.mark.slow
def test_the_written_csdl_is_valid_against_oasis_schemas(schema, corpus: Path) -> None:
    from graph_contracts.extract import extract_paths

    written = {"odd": write_csdl([odd_contract()])}
    written.update({f"seeds {v}": write_csdl(seeds(v)) for v in ("beta", "v1.0")})
    everything = extract_paths([corpus / "graph-docs"]).contracts
    for version in ("beta", "v1.0"):
        written[f"corpus {version}"] = write_csdl(c for c in everything if c.version == version)
    for name, document in written.items():
        errors = [str(e).splitlines()[0] for e in schema.iter_errors(document.decode())]
        assert errors == [], name
    assert len(parse_csdl(written["corpus beta"], "corpus").types) > 1000


@pytest.mark.slow
def test_the_schemas_have_teeth(schema) -> None:
    """A name that is no identifier and a Version that is none are refused: validation can fail."""
    good = write_csdl(seeds("beta")).decode()
    assert schema.is_valid(good)
    assert not schema.is_valid(good.replace('Name="devicesCount"', 'Name="devices count"'))
    assert not schema.is_valid(good.replace('Version="4.0"', 'Version="3.0"'))
