"""The one PATCH-body oracle: each problem kind where expected and nowhere else, and every consumer
(lint, strategies, the mock) judging the same bodies the same way."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph_contracts import bodies, edm, lint, strategies
from graph_contracts.contracts import Contract, Example, Property, TypeDef
from graph_contracts.edm import ProblemKind as K
from graph_contracts.metadata import derived_types, load_csdl
from graph_contracts.mock import create_app

DERIVED = "#microsoft.graph.specialWidget"


def widget() -> Contract:
    status = TypeDef("microsoft.graph.status", "enum", members=["on", "off"])
    # An evolvable enum: `archived` was declared after the sentinel.
    stage = TypeDef(
        "microsoft.graph.stage",
        "enum",
        members=["draft", "final", "unknownFutureValue", "archived"],
    )
    size = TypeDef(
        "microsoft.graph.size",
        "complex",
        properties=[Property("width", "Edm.Int32", nullable=False), Property("unit", "Edm.String")],
    )
    derived_example = Example(
        "request",
        "update.md",
        10,
        method="PATCH",
        body={"@odata.type": DERIVED, "special": 1, "count": 2},
    )
    return Contract(
        version="beta",
        resource="microsoft.graph.widget",
        paths=["/widgets/{widgetId}"],
        properties=[
            Property("id", "Edm.String", key=True, nullable=False),
            Property("count", "Edm.Int32", nullable=False),
            Property("label", "Edm.String"),  # nullability unknown
            Property("note", "Edm.String", nullable=True),
            Property("big", "Edm.Int64", nullable=False),
            Property("status", status.name, nullable=False),
            Property("seen", "Edm.DateTimeOffset", nullable=False),
            Property("created", "Edm.DateTimeOffset", read_only=True),
            Property("size", size.name),
            Property("tags", "Collection(Edm.String)"),
            Property("shade", "Edm.String", enum=["light", "dark"]),  # values its table lists
            Property("stage", stage.name),
        ],
        status=200,
        types={status.name: status, size.name: size, stage.name: stage},
        examples=[derived_example],
    )


# body, the problem kinds it has (in request mode), the verdict
CASES: list[tuple[str, Any, list[K], str]] = [
    (
        "derived type, its own property",
        {"@odata.type": DERIVED, "special": 1, "count": 3},
        [],
        "valid",
    ),
    ("own type without #", {"@odata.type": "microsoft.graph.widget", "count": 3}, [], "valid"),
    ("key and read-only ignored", {"id": "x", "created": 5, "count": 1}, [], "valid"),
    ("annotations", {"count@odata.type": "#Int32", "@odata.etag": "W/1", "count": 1}, [], "valid"),
    ("documented nullable", {"note": None}, [], "valid"),
    ("nested complex", {"size": {"width": 2, "@odata.type": "#microsoft.graph.size"}}, [], "valid"),
    ("empty body", {}, [K.EMPTY_BODY], "uncertain"),
    ("null, nullability unknown", {"label": None}, [K.NULL_NULLABILITY_UNKNOWN], "uncertain"),
    ("numeric string for Int64", {"big": "12"}, [K.LENIENT_STRING], "uncertain"),
    ("a value its table does not list", {"shade": "grey"}, [K.UNLISTED_VALUE], "uncertain"),
    ("a value its table lists", {"shade": "dark"}, [], "valid"),
    ("a member in another case", {"status": "ON"}, [K.MEMBER_CASE], "uncertain"),
    ("an unlisted sentinel", {"status": "unknownFutureValue"}, [K.UNLISTED_VALUE], "uncertain"),
    ("the sentinel its list has", {"stage": "unknownFutureValue"}, [K.SENTINEL], "uncertain"),
    ("a member after the sentinel", {"stage": "archived"}, [], "valid"),
    ("null not allowed", {"count": None}, [K.NULL_NOT_ALLOWED], "invalid"),
    ("numeric text for Int32", {"count": "3"}, [K.LENIENT_STRING], "uncertain"),
    ("boolean for Int32", {"count": True}, [K.WRONG_JSON_TYPE], "invalid"),
    ("scalar for a collection", {"tags": "a"}, [K.WRONG_JSON_TYPE], "invalid"),
    ("Int32 overflow", {"count": 2**31}, [K.OUT_OF_RANGE], "invalid"),
    ("unknown member", {"status": "bogus"}, [K.UNKNOWN_MEMBER], "invalid"),
    ("offset beyond 14:00", {"seen": "2021-01-01T00:00:00+15:00"}, [K.BAD_FORMAT], "invalid"),
    ("unknown property", {"nope": 1}, [K.UNKNOWN_PROPERTY], "invalid"),
    (
        "unknown nested property",
        {"size": {"width": 1, "depth": 2}},
        [K.UNKNOWN_PROPERTY],
        "invalid",
    ),
    (
        "not a Graph type",
        {"@odata.type": "#Microsoft.OutlookServices.Event", "count": 1},
        [K.WRONG_ODATA_TYPE],
        "invalid",
    ),
    ("lone surrogate in a value", {"label": "a\ud800"}, [K.LONE_SURROGATE], "invalid"),
    ("lone surrogate in a name", {"\udfff": 1}, [K.LONE_SURROGATE], "invalid"),
    ("not an object", [{"count": 1}], [K.NOT_AN_OBJECT], "invalid"),
    ("null body", None, [K.NOT_AN_OBJECT], "invalid"),
    ("mixed", {"big": "12", "nope": 1}, [K.LENIENT_STRING, K.UNKNOWN_PROPERTY], "uncertain"),
    (
        "garbage type in a complex value",
        {"size": {"@odata.type": "g{ef", "width": 1}},
        [K.WRONG_ODATA_TYPE],
        "invalid",
    ),
    (
        "unknown type in a complex value",
        {"size": {"@odata.type": "#microsoft.graph.biggerSize", "width": 1}},
        [K.UNKNOWN_DERIVED_TYPE],
        "uncertain",
    ),
    (
        "own type in a complex value",
        {"size": {"@odata.type": "#microsoft.graph.size"}},
        [],
        "valid",
    ),
]
IDS = [c[0] for c in CASES]


@pytest.mark.parametrize(("label", "body", "kinds", "verdict"), CASES, ids=IDS)
def test_each_problem_kind_where_expected_and_nowhere_else(label, body, kinds, verdict):
    contract = widget()
    assert [p.kind for p in bodies.problems(contract, body)] == kinds
    assert bodies.classify(contract, body) == verdict
    assert strategies.classify(contract, body) == verdict


def test_malformed_json_comes_only_from_bytes():
    contract = widget()
    for raw in (b"{", b'{"count": 1,}', b"{'count': 1}", b"", b'{"count": NaN}', b"\xff", b"1e400"):
        (problem,) = bodies.judge(contract, raw)
        assert problem.kind is K.MALFORMED_JSON, raw
    assert bodies.judge(contract, b'{"count": 1}') == []
    assert [p.kind for p in bodies.judge(contract, b'{"label": "\\ud800"}')] == [K.LONE_SURROGATE]


# --- reply mode -----------------------------------------------------------------------------


def test_reply_mode_judges_what_a_service_answers():
    contract = widget()
    reply = {
        "@odata.context": "https://graph/beta/$metadata#widgets/$entity",
        "id": "w1",
        "count": 1,
        "label": None,  # unknown nullability: fine in a reply
        "created": "2021-01-01T00:00:00Z",
        "servicePrincipalName": "x",  # undocumented: reported apart, not a problem
    }
    assert bodies.problems(contract, reply, reply=True) == []  # no @odata.type: minimal metadata
    assert bodies.undocumented(contract, reply) == ["servicePrincipalName"]
    assert bodies.problems(contract, {**reply, "@odata.type": DERIVED}, reply=True) == []
    assert bodies.problems(contract, {}, reply=True) == []
    wrong = bodies.problems(
        contract, {**reply, "@odata.type": "#microsoft.graph.entity"}, reply=True
    )
    assert [p.kind for p in wrong] == [K.WRONG_ODATA_TYPE]
    # The key and read-only properties are judged in a reply (the service wrote them).
    bad = bodies.problems(contract, {**reply, "id": 5, "created": "yesterday"}, reply=True)
    assert [(p.where, p.kind) for p in bad] == [
        ("id", K.WRONG_JSON_TYPE),
        ("created", K.BAD_FORMAT),
    ]
    assert [p.kind for p in bodies.problems(contract, {"count": None}, reply=True)] == [
        K.NULL_NOT_ALLOWED
    ]
    # The sentinel in a reply stands for a member the client did not opt in to: no problem.
    assert bodies.problems(contract, {**reply, "stage": "unknownFutureValue"}, reply=True) == []
    assert bodies.undocumented(contract, [1]) == []


# --- accepted types -------------------------------------------------------------------------


def test_accepted_types_own_documented_and_derived():
    contract = widget()
    assert bodies.accepted_types(contract) == {"microsoft.graph.widget", DERIVED[1:]}
    hierarchy = {
        "#microsoft.graph.widget": {"#microsoft.graph.bigWidget", "microsoft.graph.tinyWidget"},
        "microsoft.graph.other": {"microsoft.graph.unrelated"},
    }
    accepted = bodies.accepted_types(contract, hierarchy)
    assert accepted == {
        "microsoft.graph.widget",
        DERIVED[1:],
        "microsoft.graph.bigWidget",
        "microsoft.graph.tinyWidget",
    }
    body = {"@odata.type": "microsoft.graph.bigWidget", "bigOnly": 1}
    assert bodies.problems(contract, body, accepted_types=accepted) == []
    assert [p.kind for p in bodies.problems(contract, body)] == [
        K.WRONG_ODATA_TYPE,
        K.UNKNOWN_PROPERTY,
    ]
    # Only Graph's own types count as documented: other names are what lint calls invalid.
    odd = replace(
        contract,
        examples=[Example("request", "u.md", 3, method="PATCH", body={"@odata.type": "#X.Y"})],
    )
    assert bodies.documented_types(odd) == set()


CSDL = """<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="microsoft.graph" Alias="graph" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityType Name="entity" Abstract="true"><Key><PropertyRef Name="id"/></Key>
        <Property Name="id" Type="Edm.String" Nullable="false"/></EntityType>
      <EntityType Name="widget" BaseType="graph.entity"/>
      <EntityType Name="bigWidget" BaseType="graph.widget"/>
      <EntityType Name="hugeWidget" BaseType="microsoft.graph.bigWidget"/>
      <EntityType Name="gadget" BaseType="graph.entity"/>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>
"""


def test_derived_types_from_a_csdl_are_transitive(tmp_path: Path):
    path = tmp_path / "metadata.xml"
    path.write_text(CSDL, encoding="utf-8")
    csdl = load_csdl(path)
    assert derived_types(csdl, "microsoft.graph.widget") == {
        "microsoft.graph.bigWidget",
        "microsoft.graph.hugeWidget",
    }
    assert derived_types(csdl, "#microsoft.graph.hugeWidget") == set()
    assert derived_types(csdl, "microsoft.graph.entity") == {
        "microsoft.graph.widget",
        "microsoft.graph.bigWidget",
        "microsoft.graph.hugeWidget",
        "microsoft.graph.gadget",
    }
    hierarchy = {"microsoft.graph.widget": derived_types(csdl, "microsoft.graph.widget")}
    body = {"@odata.type": "#microsoft.graph.hugeWidget", "count": 1}
    accepted = bodies.accepted_types(widget(), hierarchy)
    assert bodies.classify(widget(), body, accepted) == "valid"


# --- the consumers agree --------------------------------------------------------------------

# As the suite sends every request: with the opt-in to members declared after the sentinel.
TOKEN = {"Authorization": "Bearer t", "Prefer": "include-unknown-enum-members"}


def _lint_errors(contract: Contract, body: Any) -> list[str]:
    """Lint's error findings on `body` sent as a request example of `contract`."""
    example = Example(
        "request",
        "page.md",
        40,
        method="PATCH",
        body=body,
        body_text=json.dumps(body),
        body_line=41,
    )
    findings = lint.lint_contract(replace(contract, examples=[*contract.examples, example]))
    return [f.rule for f in findings if f.severity == "error" and f.line and f.line >= 40]


async def _mock_status(contract: Contract, body: Any) -> int:
    app = create_app([contract])
    path = "/beta" + app.state.graph.store.sample("beta", contract.paths[0])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://mock", headers=TOKEN
    ) as http:
        content = json.dumps(body).encode()  # lone surrogates escaped, as a client sends them
        reply = await http.patch(
            path, content=content, headers={"content-type": "application/json"}
        )
    return reply.status_code


@pytest.mark.anyio
@pytest.mark.parametrize(("label", "body", "kinds", "verdict"), CASES, ids=IDS)
async def test_lint_strategies_and_mock_judge_the_same_body_alike(label, body, kinds, verdict):
    """A derived `@odata.type` and `{}` above all: the three used to disagree on both."""
    contract = widget()
    documented = any(k.rejection_documented for k in kinds)
    errors = _lint_errors(contract, body)
    status = await _mock_status(contract, body)
    # Lint: an error exactly for documented problems (a doc example whose body is JSON `null`
    # is indistinguishable from one the extractor could not parse: lint skips both).
    assert bool(errors) is (documented and body is not None), errors
    assert (status == 400) is documented, status  # the mock: 400 exactly for them, else 2xx
    assert status in (200, 400)
    # Strategies: `valid` and `invalid` agree with both; `uncertain` (an undocumented problem,
    # alone or beside a documented one) is neither sent as a write nor expected to be refused.
    assert strategies.classify(contract, body) == verdict
    if verdict == "valid":
        assert not errors and status == 200
    if verdict == "invalid":
        assert status == 400 and (errors or body is None)
    if verdict == "uncertain":
        assert any(not k.rejection_documented for k in kinds)


def test_every_problem_kind_is_exercised_here():
    seen = {k for _, _, kinds, _ in CASES for k in kinds} | {K.MALFORMED_JSON}
    assert seen == set(K)
    assert all(isinstance(p, edm.Problem) for p in bodies.problems(widget(), {"nope": 1}))
