"""Contracts refined by a CSDL: what the docs leave out or lag, every fact with its source.

The CSDL below is written here, in Graph's own style (an aliased schema, out-of-line
`Core.Computed` annotations, `unknownFutureValue`); the corpus tests at the end use Microsoft's
published CSDL of 2021-07 against the docs of the same date.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from graph_contracts import bodies, edm, strategies
from graph_contracts import contracts as contract_files
from graph_contracts.contracts import Contract, Property, TypeDef
from graph_contracts.metadata import Csdl, load_csdl, parse_csdl
from graph_contracts.metadata._refine import FACT_KINDS, refine

ROOT = Path(__file__).resolve().parent.parent
CSDL = b"""<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:Reference Uri="https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Core.V1.xml">
    <edmx:Include Namespace="Org.OData.Core.V1" Alias="Core" />
  </edmx:Reference>
  <edmx:DataServices>
    <Schema Namespace="microsoft.graph" Alias="graph" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EnumType Name="responseType">
        <Member Name="none" Value="0" />
        <Member Name="organizer" Value="1" />
        <Member Name="accepted" Value="2" />
        <Member Name="unknownFutureValue" Value="3" />
        <Member Name="tentativelyAccepted" Value="4" />
        <Member Name="declined" Value="5" />
      </EnumType>
      <EnumType Name="days" IsFlags="true">
        <Member Name="monday" Value="1" />
        <Member Name="tuesday" Value="2" />
      </EnumType>
      <EntityType Name="entity" Abstract="true">
        <Key><PropertyRef Name="id" /></Key>
        <Property Name="id" Type="Edm.String" Nullable="false" />
      </EntityType>
      <EntityType Name="widget" BaseType="graph.entity" OpenType="true">
        <Property Name="count" Type="Edm.Int32" Nullable="false" />
        <Property Name="note" Type="Edm.String" />
        <Property Name="tags" Type="Collection(Edm.String)" Nullable="false" />
        <Property Name="response" Type="graph.responseType" />
        <Property Name="kind" Type="graph.responseType" />
        <Property Name="days" Type="graph.days" />
        <Property Name="logo" Type="Edm.Stream" />
        <Property Name="size" Type="Edm.Int64">
          <Annotation Term="Core.Computed" Bool="true" />
        </Property>
        <Property Name="stamp" Type="Edm.DateTimeOffset" Precision="3" />
        <Property Name="window" Type="graph.window" />
        <Property Name="said" Type="Edm.Boolean" Nullable="false" />
      </EntityType>
      <ComplexType Name="window" OpenType="true">
        <Property Name="start" Type="Edm.DateTimeOffset" Nullable="false" />
      </ComplexType>
      <Annotations Target="graph.widget/note">
        <Annotation Term="Org.OData.Core.V1.Computed" Bool="true" />
      </Annotations>
      <EntityContainer Name="GraphService">
        <EntitySet Name="widgets" EntityType="microsoft.graph.widget" />
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>
"""
SOURCE = "the service's $metadata (http://graph.test/beta/$metadata)"


@pytest.fixture
def csdl() -> Csdl:
    return parse_csdl(CSDL, "http://graph.test/beta/$metadata")


def widget() -> Contract:
    """As a doc page would have it: nullability mostly unstated, prose spellings, a lagging enum."""
    return Contract(
        version="beta",
        resource="microsoft.graph.widget",
        paths=["/widgets/{widgetId}"],
        properties=[
            Property("id", "Edm.String", key=True, sources=["widget.md:10"]),
            Property("count", "Edm.Int32", sources=["widget.md:11"]),
            Property("note", "Edm.String", sources=["widget.md:12"]),
            Property("tags", "Collection(Edm.String)", sources=["widget.md:13"]),
            Property(
                "response",
                "microsoft.graph.responseType",
                enum=["None", "Organizer", "maybe"],
                sources=["widget.md:14"],
            ),
            Property("kind", "microsoft.graph.responseType", sources=["widget.md:15"]),
            Property("days", "microsoft.graph.days", sources=["widget.md:16"]),
            Property("logo", "Edm.Binary", sources=["widget.md:17"]),
            Property("size", "Edm.Int64", sources=["widget.md:18"]),
            Property("stamp", "Edm.DateTimeOffset", sources=["widget.md:19"]),
            Property("window", "microsoft.graph.window", sources=["widget.md:20"]),
            Property("said", "Edm.Boolean", nullable=True, sources=["widget.md:21"]),
        ],
        status=200,
        sources=["widget.md"],
        types={
            "microsoft.graph.window": TypeDef(
                "microsoft.graph.window",
                "complex",
                properties=[Property("start", "Edm.DateTimeOffset", sources=["window.md:5"])],
            ),
            "microsoft.graph.responseType": TypeDef(
                "microsoft.graph.responseType", "enum", members=["none", "accepted"]
            ),
        },
    )


def test_the_reader_keeps_keys_computed_precision_and_roots(csdl: Csdl) -> None:
    props = csdl.properties("microsoft.graph.widget")
    assert csdl.key("microsoft.graph.widget") == ["id"]  # inherited from entity
    assert props["size"].read_only and props["note"].read_only  # inline and out of line
    assert not props["count"].read_only
    assert props["stamp"].precision == 3 and props["count"].precision is None
    assert csdl.roots == {"widgets": "microsoft.graph.widget"}
    assert csdl.is_open("microsoft.graph.widget") and not csdl.is_open("microsoft.graph.entity")


def test_refine_copies_and_leaves_the_docs_facts_alone(csdl: Csdl) -> None:
    docs = widget()
    before = docs.to_dict()
    refined = refine([docs], {"beta": csdl}, {"beta": SOURCE})
    assert docs.to_dict() == before  # the docs' facts stay the docs' (for drift)
    assert refined.contracts[0] is not docs
    assert {f.source for f in refined.facts} == {SOURCE}


def test_nullability_where_the_docs_are_silent_single_valued_only(csdl: Csdl) -> None:
    contract = refine([widget()], {"beta": csdl}, {"beta": SOURCE}).contracts[0]
    nullable = {p.name: p.nullable for p in contract.properties}
    assert nullable["count"] is False  # Nullable="false"
    assert nullable["note"] is True  # absent: nullable
    assert nullable["tags"] is None  # a collection's Nullable speaks of its items
    assert nullable["said"] is True  # the docs said so: kept, the difference is drift
    assert contract.types["microsoft.graph.window"].properties[0].nullable is False


def test_enum_members_as_the_service_spells_them(csdl: Csdl) -> None:
    refined = refine([widget()], {"beta": csdl}, {"beta": SOURCE})
    contract = refined.contracts[0]
    # prose spellings respelled, the lagging member added, the unknown one not sent; the
    # sentinel unknownFutureValue and the opt-in members after it: only where the docs list them
    assert contract.property("response").enum == ["none", "organizer", "accepted"]
    assert contract.types["microsoft.graph.responseType"].members == [
        "none",
        "organizer",
        "accepted",
    ]
    listed = widget()
    listed.types["microsoft.graph.responseType"].members = ["none", FUTURE_VALUE, "declined"]
    kept = refine([listed], {"beta": csdl}, {"beta": SOURCE}).contracts[0]
    assert kept.types["microsoft.graph.responseType"].members == [
        "none",
        "organizer",
        "accepted",
        FUTURE_VALUE,
        "declined",
    ]
    days = contract.types["microsoft.graph.days"]  # never resolved by the docs
    assert (days.kind, days.members, days.flags) == ("enum", ["monday", "tuesday"], True)
    said = {f.subject: f.value for f in refined.facts if f.kind == "enum"}
    assert said["response"] == (
        "members spelled none (docs: None), organizer (docs: Organizer); also accepted; "
        "not maybe (not sent)"
    )


FUTURE_VALUE = "unknownFutureValue"


def test_open_stream_computed_and_precision(csdl: Csdl) -> None:
    refined = refine([widget()], {"beta": csdl}, {"beta": SOURCE})
    contract = refined.contracts[0]
    assert contract.types["microsoft.graph.window"].open is True
    assert contract.property("logo").type == "Edm.Stream"
    assert contract.property("size").read_only and contract.property("note").read_only
    sent = {p.name for p in strategies.generatable(contract)}
    assert not {"logo", "size", "note", "id"} & sent
    kinds = {(f.subject, f.kind): f.applied for f in refined.facts}
    assert kinds[("microsoft.graph.widget", "open")] is False  # recorded: no contract field
    assert kinds[("stamp", "precision")] is False
    assert kinds[("microsoft.graph.window", "open")] is True
    assert set(refined.counts()) == set(FACT_KINDS)


def test_null_expectations_follow_the_refined_nullability(csdl: Csdl) -> None:
    """Item 4 of issue 17: the oracle rejects null for Nullable="false" and accepts it otherwise."""
    docs, contract = widget(), refine([widget()], {"beta": csdl}, {"beta": SOURCE}).contracts[0]
    null_count = {"count": None}
    assert bodies.classify(docs, null_count) == "uncertain"  # unknown: neither sent nor expected
    assert bodies.classify(contract, null_count) == "invalid"
    kinds = [p.kind for p in bodies.problems(contract, null_count)]
    assert kinds == [edm.ProblemKind.NULL_NOT_ALLOWED]
    assert bodies.classify(contract, {"stamp": None}) == "valid"  # nullable: a valid write


def test_a_contract_the_csdl_does_not_know_is_returned_as_is(csdl: Csdl) -> None:
    other = widget()
    other.resource = "microsoft.graph.gadget"
    v1 = widget()
    v1.version = "v1.0"
    refined = refine([other, v1], {"beta": csdl}, {"beta": SOURCE})
    assert refined.contracts[0] is other and refined.contracts[1] is v1
    assert refined.facts == []


def test_seed_contracts_against_the_published_csdl(corpus: Path) -> None:
    """Microsoft's CSDL of the docs' date: the seeds' silent nullability becomes known."""
    seeds = contract_files.load(ROOT / "contracts")
    csdls = {v: load_csdl(corpus / "csdl" / f"{v}_metadata.xml") for v in ("beta", "v1.0")}
    refined = refine(seeds, csdls, {v: f"{v}_metadata.xml" for v in csdls})
    docs = next(c for c in seeds if c.id == "beta/deviceConfigurationUserStatus")
    beta = next(c for c in refined.contracts if c.id == docs.id)
    silent = {"devicesCount", "lastReportedDateTime", "status", "userDisplayName"}
    assert {p.name for p in docs.properties if p.nullable is None} >= silent
    nullable = {p.name: p.nullable for p in beta.properties}
    # GRAPH-FACTS.md: devicesCount, lastReportedDateTime and status are not null; names are
    assert nullable["devicesCount"] is False and nullable["lastReportedDateTime"] is False
    assert nullable["status"] is False
    assert nullable["userDisplayName"] is True and nullable["userPrincipalName"] is True


def test_each_fact_names_its_source_for_the_reports(csdl: Csdl) -> None:
    """summary.json's `schema.fact_lines`: "nullable per the service's $metadata (URL)"."""
    lines = refine([widget()], {"beta": csdl}, {"beta": SOURCE}).by_contract()["beta/widget"]
    assert lines[0] == f"per {SOURCE}"
    assert 'count: nullable: not nullable (Nullable="false")' in lines
    assert "stamp: precision: Precision=3 (Edm.DateTimeOffset) (recorded)" in lines
