"""CSDL cross-check: parsing $metadata, both comparison directions, agreement, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from published import page, percent
from typer.testing import CliRunner

from graph_contracts.cli import app
from graph_contracts.contracts import Contract, Property, TypeDef
from graph_contracts.metadata import Csdl, CsdlError, check, compare, load_csdl

CSDL = """<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="microsoft.graph" Alias="graph" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EnumType Name="complianceStatus">
        <Member Name="unknown" Value="0" />
        <Member Name="compliant" Value="1" />
        <Member Name="error" Value="2" />
      </EnumType>
      <EnumType Name="weekDays" IsFlags="true">
        <Member Name="monday" Value="1" />
        <Member Name="tuesday" Value="2" />
        <Member Name="unknownFutureValue" Value="4" />
        <Member Name="later" Value="8" />
      </EnumType>
      <EntityType Name="entity" Abstract="true">
        <Key><PropertyRef Name="id" /></Key>
        <Property Name="id" Type="Edm.String" Nullable="false" />
      </EntityType>
      <EntityType Name="userStatus" BaseType="graph.entity">
        <Property Name="devicesCount" Type="Edm.Int32" Nullable="false" />
        <Property Name="status" Type="graph.complianceStatus" Nullable="false" />
        <Property Name="days" Type="graph.weekDays" />
        <Property Name="tags" Type="Collection(Edm.String)" />
        <Property Name="window" Type="graph.window" />
        <Property Name="platform" Type="Edm.Int32" Nullable="false" />
        <NavigationProperty Name="owner" Type="graph.user" />
      </EntityType>
      <EntityType Name="specialStatus" BaseType="graph.userStatus" OpenType="true">
        <Property Name="extra" Type="Edm.Boolean" />
      </EntityType>
      <ComplexType Name="window" OpenType="true">
        <Property Name="start" Type="Edm.DateTimeOffset" />
      </ComplexType>
    </Schema>
    <Schema Namespace="microsoft.graph.callRecords" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityType Name="session" BaseType="graph.entity">
        <Property Name="modalities" Type="Collection(microsoft.graph.callRecords.modality)" />
      </EntityType>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>
"""


@pytest.fixture
def csdl(tmp_path: Path) -> Csdl:
    path = tmp_path / "metadata.xml"
    path.write_text(CSDL, encoding="utf-8")
    return load_csdl(path)


def contract(*props: Property, resource="microsoft.graph.userStatus", types=None) -> Contract:
    return Contract(
        version="beta",
        resource=resource,
        paths=["/x/{id}"],
        properties=[Property("id", "Edm.String", key=True, sources=["page.md:10"]), *props],
        status=200,
        sources=["page.md"],
        types=types or {},
    )


def documented(**extra: Property) -> list[Property]:
    """Every structural property of userStatus, documented right."""
    base = {
        "devicesCount": Property("devicesCount", "Edm.Int32", sources=["page.md:11"]),
        "status": Property("status", "microsoft.graph.complianceStatus", sources=["page.md:12"]),
        "days": Property("days", "microsoft.graph.weekDays", sources=["page.md:13"]),
        "tags": Property("tags", "Collection(Edm.String)", sources=["page.md:14"]),
        "window": Property("window", "microsoft.graph.window", sources=["page.md:15"]),
        "platform": Property("platform", "Edm.Int32", sources=["page.md:16"]),
    }
    base.update(extra)
    return list(base.values())


# --- parsing --------------------------------------------------------------------------------


def test_parse_types_members_inheritance_and_aliases(csdl: Csdl):
    status = csdl.types["microsoft.graph.userStatus"]
    assert status.kind == "entity" and status.base == "microsoft.graph.entity"
    assert csdl.types["microsoft.graph.entity"].abstract
    assert csdl.types["microsoft.graph.window"].open_type
    assert csdl.types["microsoft.graph.window"].kind == "complex"
    assert status.properties["status"].type == "microsoft.graph.complianceStatus"  # alias resolved
    assert not status.properties["status"].nullable
    assert status.properties["tags"].nullable  # Nullable absent means nullable
    assert status.properties["tags"].type == "Collection(Edm.String)"
    assert status.navigation["owner"].type == "microsoft.graph.user"
    assert "owner" not in status.properties
    weekdays = csdl.types["microsoft.graph.weekDays"]
    assert weekdays.flags and weekdays.members == [
        "monday",
        "tuesday",
        "unknownFutureValue",
        "later",
    ]
    assert not csdl.types["microsoft.graph.complianceStatus"].flags
    # Inherited properties come first, from the root of the lineage.
    assert list(csdl.properties("microsoft.graph.specialStatus"))[:2] == ["id", "devicesCount"]
    assert "extra" in csdl.properties("microsoft.graph.specialStatus")
    assert csdl.is_derived("microsoft.graph.specialStatus", "microsoft.graph.userStatus")
    assert not csdl.is_derived("microsoft.graph.userStatus", "microsoft.graph.specialStatus")
    session = csdl.types["microsoft.graph.callRecords.session"]
    assert session.base == "microsoft.graph.entity"
    assert "id" in csdl.properties(session.name)


def test_base_type_cycle_does_not_hang(tmp_path: Path):
    xml = CSDL.replace(
        '<EntityType Name="entity" Abstract="true">',
        '<EntityType Name="entity" Abstract="true" BaseType="graph.specialStatus">',
    )
    path = tmp_path / "cycle.xml"
    path.write_text(xml)
    loaded = load_csdl(path)
    assert "id" in loaded.properties("microsoft.graph.userStatus")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("", "malformed XML"),
        (
            '<?xml version="1.0"?>\n<edmx:Edmx xmlns:edmx="x">\n  <oops>\n</edmx:Edmx>',
            ":4: malformed",
        ),
        (
            "<html><body>not metadata</body></html>",
            "not a CSDL $metadata document (root element <html>)",
        ),
        (
            '<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"></edmx:Edmx>',
            "declares no types",
        ),
    ],
)
def test_bad_metadata_files_name_file_and_line(tmp_path: Path, content, message):
    path = tmp_path / "bad.xml"
    if content is not None:
        path.write_text(content)
    with pytest.raises(CsdlError) as caught:
        load_csdl(path)
    text = str(caught.value)
    assert text.startswith(str(path)) and message in text and "\n" not in text


def test_binary_metadata_file(tmp_path: Path):
    path = tmp_path / "blob.xml"
    path.write_bytes(b"\x00\xff\xfe garbage" * 20)
    with pytest.raises(CsdlError, match="malformed XML"):
        load_csdl(path)


# --- comparing ------------------------------------------------------------------------------


def test_full_agreement_has_no_findings(csdl: Csdl):
    report = compare([contract(*documented())], csdl)
    assert report.findings == []
    assert (report.agreement.both, report.agreement.agree, report.agreement.ratio) == (7, 7, 1.0)


def test_type_mismatch_enum_vs_string_and_collection_vs_single(csdl: Csdl):
    props = documented(
        status=Property("status", "Edm.String", sources=["page.md:12"]),
        tags=Property("tags", "Edm.String", sources=["page.md:14"]),
        devicesCount=Property("devicesCount", "Edm.Int64", sources=["page.md:11"]),
    )
    report = compare([contract(*props)], csdl)
    mismatches = [(f.rule, f.line, f.message) for f in report.findings]
    assert mismatches == [
        (
            "type-mismatch",
            11,
            "microsoft.graph.userStatus.devicesCount: docs say Edm.Int64, $metadata says Edm.Int32",
        ),
        (
            "type-mismatch",
            12,
            "microsoft.graph.userStatus.status: docs say Edm.String, "
            "$metadata says microsoft.graph.complianceStatus",
        ),
        (
            "type-mismatch",
            14,
            "microsoft.graph.userStatus.tags: docs say Edm.String, $metadata says Collection(Edm.String)",
        ),
    ]
    assert all(f.file == "page.md" for f in report.findings)
    assert report.agreement.both == 7 and report.agreement.agree == 4
    assert report.agreement.ratio == pytest.approx(4 / 7)


def test_not_in_metadata_and_undocumented(csdl: Csdl):
    props = [p for p in documented() if p.name != "platform"]
    props.append(Property("colour", "Edm.String", sources=["page.md:20"]))
    findings = check([contract(*props)], csdl)
    assert [(f.rule, f.severity, f.line) for f in findings] == [
        ("undocumented-property", "info", None),
        ("not-in-metadata", "warning", 20),
    ]
    assert "userStatus.platform (Edm.Int32)" in findings[0].message
    assert "colour" in findings[1].message


def test_navigation_properties_are_known_but_not_required(csdl: Csdl):
    owner = Property("owner", "microsoft.graph.user")
    report = compare([contract(*documented(owner=owner))], csdl)
    assert report.findings == [] and report.agreement.both == 8


def test_inherited_properties_count_for_derived_resources(csdl: Csdl):
    props = [*documented(), Property("extra", "Edm.Boolean")]
    report = compare([contract(*props, resource="microsoft.graph.specialStatus")], csdl)
    assert report.findings == [] and report.agreement.agree == 8
    # On an open type a property CSDL lacks is still reported, with a note.
    props.append(Property("dynamic", "Edm.String"))
    (finding,) = check([contract(*props, resource="microsoft.graph.specialStatus")], csdl)
    assert finding.rule == "not-in-metadata" and "open type" in finding.message


def test_unknown_resource(csdl: Csdl):
    (finding,) = check([contract(resource="microsoft.graph.nothingLikeThis")], csdl)
    assert finding.rule == "unknown-resource" and finding.file == "page.md"
    assert "microsoft.graph.nothingLikeThis" in finding.message
    # An enum's name is not a resource either.
    (finding,) = check([contract(resource="microsoft.graph.complianceStatus")], csdl)
    assert finding.rule == "unknown-resource"


def test_enum_members_compared_both_ways(csdl: Csdl):
    types = {
        "microsoft.graph.complianceStatus": TypeDef(
            "microsoft.graph.complianceStatus",
            "enum",
            members=["unknown", "compliant", "remediated"],
            sources=["status.md:30"],
        ),
        # Docs that stop at unknownFutureValue are complete: later members are opt-in.
        "microsoft.graph.weekDays": TypeDef(
            "microsoft.graph.weekDays", "enum", members=["monday", "tuesday"], flags=True
        ),
    }
    (finding,) = check([contract(*documented(), types=types)], csdl)
    assert finding.rule == "enum-mismatch" and (finding.file, finding.line) == ("status.md", 30)
    assert "docs lack error" in finding.message and "$metadata lacks remediated" in finding.message


def test_enum_members_on_the_property_when_no_typedef(csdl: Csdl):
    status = Property(
        "status", "microsoft.graph.complianceStatus", enum=["unknown"], sources=["p.md:3"]
    )
    (finding,) = check([contract(*documented(status=status))], csdl)
    assert finding.rule == "enum-mismatch" and "docs lack compliant, error" in finding.message


def test_complex_typedefs_are_compared_once(csdl: Csdl):
    window = TypeDef(
        "microsoft.graph.window",
        "complex",
        properties=[Property("start", "Edm.String", sources=["window.md:7"])],
    )
    types = {"microsoft.graph.window": window}
    report = compare([contract(*documented(), types=types)] * 2, csdl)
    (finding,) = report.findings
    assert finding.rule == "type-mismatch" and (finding.file, finding.line) == ("window.md", 7)
    assert report.agreement.both == 2 * 7 + 1


# --- on the seeds and the corpus -----------------------------------------------------------------

runner = CliRunner()


def _check_json(metadata: Path, *args: str) -> tuple[int, dict]:
    result = runner.invoke(app, ["check-metadata", "--metadata", str(metadata), *args, "--json"])
    assert "Traceback" not in result.output
    return result.exit_code, json.loads(result.stdout)


def test_seeds_v1_device_status_against_v1_and_beta(seeds: Path, corpus: Path, tmp_path: Path):
    csdl_dir = corpus / "csdl"
    code, v1 = _check_json(csdl_dir / "v1.0_metadata.xml", str(seeds), "--api-version", "v1.0")
    assert code == 0
    # v1.0 CSDL has no `platform`: the v1.0 contract agrees fully there.
    assert v1["findings"] == []
    assert v1["agreement"]["both"] == v1["agreement"]["agree"] == 8
    # Beta CSDL adds `platform` Int32, which no seed page documents. A file named beta is only
    # compared with beta contracts: judging v1.0 ones by it takes a name that tells nothing and
    # --api-version saying so.
    unnamed = tmp_path / "metadata.xml"
    unnamed.symlink_to(csdl_dir / "beta_metadata.xml")
    code, beta = _check_json(unnamed, str(seeds), "--api-version", "v1.0")
    assert code == 0
    (finding,) = beta["findings"]
    assert finding["rule"] == "undocumented-property" and finding["severity"] == "info"
    assert "deviceConfigurationDeviceStatus.platform (Edm.Int32)" in finding["message"]


def test_seeds_beta_user_status_agrees_fully_on_beta(seeds: Path, corpus: Path):
    code, data = _check_json(corpus / "csdl/beta_metadata.xml", str(seeds), "--api-version", "beta")
    assert code == 0
    assert not [f for f in data["findings"] if "deviceConfigurationUserStatus" in f["message"]]
    assert data["agreement"]["ratio"] == 1.0 and data["agreement"]["both"] >= 6


def test_human_output_and_summary(seeds: Path, corpus: Path):
    result = runner.invoke(
        app, ["check-metadata", "--metadata", str(corpus / "csdl/v1.0_metadata.xml"), str(seeds)]
    )
    assert result.exit_code == 0
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("check-metadata: 1 v1.0 contracts vs v1.0_metadata.xml: no findings")
    assert "properties both know (100.00%" in last
    # the beta contracts are not judged by v1.0 metadata (it lacks userAppInstallStatus), and
    # the output says so
    assert "userAppInstallStatus" not in result.stdout
    assert "skipped: 2 beta contracts not compared: no beta metadata given" in result.stdout


def test_cli_bad_metadata_is_one_line_and_exit_2(seeds: Path, tmp_path: Path):
    broken = tmp_path / "broken.xml"
    broken.write_text("<edmx:Edmx>\n<unclosed>\n")
    for target, reason in ((broken, "broken.xml:"), (tmp_path / "missing.xml", "no such file")):
        result = runner.invoke(app, ["check-metadata", "--metadata", str(target), str(seeds)])
        assert result.exit_code == 2
        assert reason in result.stderr and len(result.stderr.strip().splitlines()) == 1
        assert "Traceback" not in result.output


def test_cli_bad_doc_input_exit_2_but_others_compared(seeds: Path, corpus: Path, tmp_path: Path):
    empty = tmp_path / "empty.md"
    empty.write_text("")
    result = runner.invoke(
        app,
        [
            "check-metadata",
            "--metadata",
            str(corpus / "csdl/v1.0_metadata.xml"),
            str(empty),
            str(seeds),
        ],
    )
    assert result.exit_code == 2 and "empty.md" in result.stderr
    assert "check-metadata: 1 v1.0 contracts" in result.stdout
    nothing = runner.invoke(
        app, ["check-metadata", "--metadata", str(corpus / "csdl/v1.0_metadata.xml"), str(empty)]
    )
    assert nothing.exit_code == 2 and "no contracts" in nothing.stderr


# (agree, both) per version as docs/extract.md publishes them: on the contracts' own properties,
# and with the referenced complex types' members.
AGREEMENT = {"beta": (8723, 8784), "v1.0": (2658, 2671)}
WITH_COMPLEX_TYPES = {"beta": (10177, 10272), "v1.0": (3336, 3359)}


@pytest.mark.slow  # extracts the whole corpus and reads both CSDL documents
def test_corpus_agreement(corpus: Path):
    """Extracted types vs CSDL of the same version and date, exactly as the manual says.

    Counted over the contracts' own properties (the update and resource pages' tables) of both
    versions, each against its own $metadata. The figure including the referenced complex types is
    printed too: it sits lower because the docs' type pages are less careful (String where CSDL has
    an enum); those mismatches are findings, not extraction errors.
    """
    from graph_contracts.extract import extract_paths

    measured, with_complex = {}, {}
    for version in ("beta", "v1.0"):
        extraction = extract_paths([corpus / "graph-docs/api-reference" / version])
        contracts = [c for c in extraction.contracts if c.version == version]
        report = compare(contracts, load_csdl(corpus / f"csdl/{version}_metadata.xml"))
        res, full = report.resources, report.agreement
        print(
            f"{version}: resource properties {res.agree}/{res.both} = {res.ratio:.4%}; "
            f"with complex types {full.agree}/{full.both} = {full.ratio:.4%}"
        )
        measured[version] = (res.agree, res.both)
        with_complex[version] = (full.agree, full.both)
    assert measured == AGREEMENT, [f.message for f in report.findings if f.rule == "type-mismatch"]
    assert with_complex == WITH_COMPLEX_TYPES
    agree, both = (sum(pair[i] for pair in measured.values()) for i in (0, 1))
    complex_agree, complex_both = (sum(p[i] for p in with_complex.values()) for i in (0, 1))
    print(f"both versions: {agree}/{both} = {agree / both:.4%}")
    published = (
        f"| {percent(agree, both, 2)} ({agree} of {both}); "
        f"{percent(complex_agree, complex_both, 2)} ({complex_agree} of {complex_both}) with "
        "referenced complex types' members |"
    )
    assert published in page("extract.md")


def test_property_of_a_derived_type_is_named(csdl: Csdl):
    extra = Property("extra", "Edm.Boolean", sources=["page.md:30"])
    (finding,) = check([contract(*documented(extra=extra))], csdl)
    assert finding.rule == "not-in-metadata" and finding.severity == "info"
    assert "only on derived type microsoft.graph.specialStatus" in finding.message
