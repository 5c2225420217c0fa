"""The checks judge cases by the contract, with Graph's wire semantics (instants, 204, polling)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace

import httpx
import pytest

from graph_contracts import checks
from graph_contracts.checks import Case, CheckContext
from graph_contracts.client import GraphClient
from graph_contracts.contracts import Contract, Property, TypeDef

CONTRACT = Contract(
    version="beta",
    resource="microsoft.graph.thing",
    paths=["/things/{thingId}"],
    properties=[
        Property("id", "Edm.String", nullable=False, key=True),
        Property("name", "Edm.String"),
        Property("count", "Edm.Int32", nullable=False),
        Property("seen", "Edm.DateTimeOffset"),
    ],
    status=200,
)
ERROR = {"error": {"code": "BadRequest", "message": "nope"}}
ENTITY = {
    "@odata.context": "https://graph.test/beta/$metadata#things/$entity",
    "@odata.type": "#microsoft.graph.thing",
    "id": "t1",
    "name": "a",
    "count": 1,
    "seen": "2017-01-01T08:00:17.7769392Z",
}


def target(handler: Callable[[httpx.Request], httpx.Response], **kw) -> CheckContext:
    client = GraphClient("https://graph.test", "beta", transport=httpx.MockTransport(handler))
    return CheckContext(CONTRACT, "/things/{thingId}", "/things/t1", client, **kw)


def Write(body: dict, response: httpx.Response, before: dict | None) -> Case:
    """A valid write as the engine hands it to the checks: sent, answered, with the state before."""
    return Case("write", "generated", body=body, response=response, before=before)


def reply(status: int, body: object = None, **headers: str) -> httpx.Response:
    request = httpx.Request("PATCH", "https://graph.test/beta/things/t1")
    if body is None:
        return httpx.Response(status, request=request, headers=headers)
    return httpx.Response(status, json=body, request=request, headers=headers)


def entity_server(store: dict) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(200, json=store)


@pytest.mark.parametrize(
    ("status", "strict", "outcome", "deviation"),
    [
        (200, False, "passed", None),
        (204, False, "passed", "204 instead of the documented 200"),
        (204, True, "failed", None),
        (201, False, "failed", None),
        (302, False, "failed", None),
    ],
)
def test_status(status: int, strict: bool, outcome: str, deviation: str | None) -> None:
    t = target(entity_server(ENTITY), strict=strict)
    verdict = checks.status(t, Write({"name": "a"}, reply(status, ENTITY), ENTITY))
    assert (verdict.outcome, verdict.deviation) == (outcome, deviation)


def test_round_trip_compares_instants_not_strings() -> None:
    sent = {"seen": "2017-01-01T00:00:17.7769392-08:00"}
    t = target(entity_server(ENTITY))
    assert checks.round_trip(t, Write(sent, reply(200, ENTITY), ENTITY)).outcome == "passed"
    truncated = {**ENTITY, "seen": "2017-01-01T08:00:17Z"}
    verdict = checks.round_trip(t, Write(sent, reply(200, truncated), ENTITY))
    assert verdict.failed and "seen" in verdict.message


def test_round_trip_of_a_204_uses_the_get() -> None:
    stored = {**ENTITY, "name": "b"}
    t = target(entity_server(stored))
    verdict = checks.round_trip(t, Write({"name": "b"}, reply(204), ENTITY))
    assert verdict.outcome == "passed" and "GET" in verdict.message


def test_shape_reports_undocumented_and_fails_wrong_types() -> None:
    t = target(entity_server(ENTITY))
    extra = {**ENTITY, "platform": 3}
    verdict = checks.shape(t, Write({"name": "a"}, reply(200, extra), ENTITY))
    assert verdict.outcome == "passed" and "platform" in verdict.message
    wrong = {**ENTITY, "count": "3"}
    verdict = checks.shape(t, Write({"name": "a"}, reply(200, wrong), ENTITY))
    assert verdict.failed and "count" in verdict.message


def test_shape_reports_a_value_the_docs_do_not_list_as_a_deviation() -> None:
    """A String's listed values are no promise that nothing else comes back (a new member,
    `unknownFutureValue`): never a failure in a reply."""
    listed = Property("decision", "Edm.String", enum=["approve", "deny"])
    contract = replace(CONTRACT, properties=[*CONTRACT.properties, listed])
    client = GraphClient(
        "https://graph.test", "beta", transport=httpx.MockTransport(lambda r: None)
    )
    t = CheckContext(contract, "/things/{thingId}", "/things/t1", client)
    replied = {**ENTITY, "decision": "unknownFutureValue"}
    verdict = checks.shape(t, Write({"name": "a"}, reply(200, replied), ENTITY))
    assert verdict.outcome == "passed"
    assert "unknownFutureValue" in (verdict.deviation or ""), verdict


RUBRIC = replace(
    CONTRACT,
    properties=[
        *CONTRACT.properties,
        Property("criteria", "Collection(microsoft.graph.rubricCriterion)"),
        Property("response", "microsoft.graph.responseType", enum=["None", "Organizer"]),
        Property("logo", "Edm.Stream"),
    ],
    types={
        "microsoft.graph.rubricCriterion": TypeDef(
            "microsoft.graph.rubricCriterion",
            "complex",
            properties=[Property("description", "Edm.String"), Property("weight", "Edm.Int32")],
        )
    },
)


def judge(body: dict) -> checks.Verdict:
    context = {"@odata.context": "https://graph.test/beta/$metadata#things/$entity"}
    return checks.judge_reply(RUBRIC, {**context, **body}, "application/json")


def test_undocumented_members_are_notes_at_every_depth() -> None:
    """OData 4.01 Part 1: clients MUST be prepared for properties metadata does not advertise,
    even for types not marked open (educationrubric-update.md answers `rubricCriterion.id`)."""
    verdict = judge({"id": "t1", "criteria": [{"description": "d", "id": "c1"}], "extra": 1})
    assert verdict.outcome == "passed" and verdict.deviation is None
    assert verdict.message == "undocumented properties returned: criteria[0].id, extra"
    # A documented member is still judged at that depth.
    verdict = judge({"id": "t1", "criteria": [{"weight": "heavy", "id": "c1"}]})
    assert verdict.failed and "criteria[0].weight" in verdict.message


def test_an_enum_member_in_another_case_is_a_deviation_an_unknown_one_a_failure() -> None:
    """Graph answers `organizer` where the page's prose lists `Organizer` (group-update-event)."""
    verdict = judge({"id": "t1", "response": "organizer"})
    assert verdict.outcome == "passed"
    assert "'organizer' for 'Organizer'" in (verdict.deviation or "")
    assert judge({"id": "t1", "response": "unknownFutureValue"}).deviation
    verdict = judge({"id": "t1", "response": "chair"})
    assert verdict.failed and "'chair' is not a member" in verdict.message


def test_a_stream_is_never_judged_nor_expected_back() -> None:
    """`application.logo` is read at its own URL: a value inline (or none) says nothing."""
    assert judge({"id": "t1", "logo": 12}).outcome == "passed"
    assert checks.sent_properties(RUBRIC, {"name": "a", "logo": "bG9nbw=="}) == {"name": "a"}
    assert checks.differences(RUBRIC, {"logo": "a"}, {"logo": "b"}) == []
    assert checks.differences(RUBRIC, {"name": "a"}, {"name": "b"}) == ["name: 'a' -> 'b'"]


def test_the_shape_check_judges_by_judge_reply() -> None:
    """One judgement: the check adds only the exchange (the GET after a 204, the response)."""
    body = {**ENTITY, "count": "3"}
    t = target(entity_server(body))
    verdict = checks.shape(t, Write({"name": "a"}, reply(200, body), ENTITY))
    alone = checks.judge_reply(CONTRACT, body, "application/json")
    assert verdict.failed and verdict.message == alone.message and verdict.response is not None
    verdict = checks.shape(t, Write({"name": "a"}, reply(204), ENTITY))
    assert verdict.message == alone.message + " (judged on the GET: the PATCH reply had no body)"
    assert checks.judge_reply(CONTRACT, body, "text/plain").message.startswith("Content-Type")
    assert checks.judge_reply(CONTRACT, [body], "application/json").failed
    no_context = {k: v for k, v in ENTITY.items() if k != "@odata.context"}
    assert checks.judge_reply(CONTRACT, no_context, "application/json").message == (
        "no @odata.context"
    )


def test_read_after_write_polls_through_eventual_consistency() -> None:
    reads = iter([ENTITY, ENTITY, {**ENTITY, "name": "new"}])
    t = target(lambda r: httpx.Response(200, json=next(reads)), read_window=2.0, poll_interval=0)
    write = Write({"name": "new"}, reply(200, {**ENTITY, "name": "new"}), ENTITY)
    assert checks.read_after_write(t, write).outcome == "passed"


def test_read_after_write_fails_when_the_window_closes() -> None:
    t = target(entity_server(ENTITY), read_window=0.05, poll_interval=0.01)
    write = Write({"name": "new"}, reply(200, {**ENTITY, "name": "new"}), ENTITY)
    verdict = checks.read_after_write(t, write)
    assert verdict.failed and "'new'" in verdict.message


def test_merge_catches_reset_unsent_properties() -> None:
    after = {**ENTITY, "name": "new", "count": 0}
    t = target(entity_server(after))
    verdict = checks.merge(t, Write({"name": "new"}, reply(200, after), ENTITY))
    assert verdict.failed and "count: 1 -> 0" in verdict.message


def test_rejection_needs_4xx_error_shape_and_unchanged_entity() -> None:
    store = dict(ENTITY)

    def server(request: httpx.Request) -> httpx.Response:
        if request.method == "PATCH":
            return httpx.Response(400, json=ERROR)
        return httpx.Response(200, json=store)

    def invalid(response: httpx.Response, documented: bool = True) -> Case:
        return Case(
            "invalid",
            "numeric string",
            response=response,
            before=dict(ENTITY),
            documented=documented,
        )

    t = target(server)
    assert checks.rejection(t, invalid(reply(400, ERROR))).outcome == "passed"
    verdict = checks.rejection(t, invalid(reply(200, ENTITY)))
    assert verdict.failed and "accepted" in verdict.message
    verdict = checks.rejection(t, invalid(reply(400, {"message": "x"})))
    assert verdict.failed and "no `error` object" in verdict.message
    # A class no source says a service must refuse: accepting it is a deviation, never a failure.
    verdict = checks.rejection(t, invalid(reply(200, ENTITY), documented=False))
    assert verdict.outcome == "passed" and "accepted" in (verdict.deviation or "")


def test_rejection_fails_when_the_refused_body_changed_the_entity() -> None:
    changed = {**ENTITY, "count": 99}
    t = target(lambda r: httpx.Response(200, json=changed))
    case = Case("invalid", "unknown property", response=reply(400, ERROR), before=dict(ENTITY))
    verdict = checks.rejection(t, case)
    assert verdict.failed and "count: 1 -> 99" in verdict.message


def test_auth_needs_401_with_a_challenge_and_the_error_shape() -> None:
    t = target(entity_server(ENTITY))
    challenge = {"WWW-Authenticate": "Bearer"}
    for kind in ("no-token", "wrong-token"):
        ok = Case(kind, kind, response=reply(401, ERROR, **challenge), before=dict(ENTITY))
        assert checks.auth(t, ok).outcome == "passed"
    served = Case("no-token", "no-token", response=reply(200, ENTITY), before=dict(ENTITY))
    assert "expected 401" in checks.auth(t, served).message
    bare = Case("wrong-token", "wrong-token", response=reply(401, ERROR), before=dict(ENTITY))
    verdict = checks.auth(t, bare)
    assert verdict.failed and "WWW-Authenticate" in verdict.message


def test_not_found_requires_404_and_creates_nothing() -> None:
    created: dict[str, dict] = {}

    def upsert(request: httpx.Request) -> httpx.Response:
        if request.method == "PATCH":
            created[request.url.path] = json.loads(request.content)
            return httpx.Response(200, json=ENTITY)
        if request.url.path in created:
            return httpx.Response(200, json=ENTITY)
        return httpx.Response(404, json=ERROR)

    t = target(upsert)
    missing = "/things/missing"
    created[f"/beta{missing}"] = {}
    case = Case("unknown-id", "unknown id", response=reply(404, ERROR), path=missing)
    verdict = checks.not_found(t, case)
    assert verdict.failed and "created it" in verdict.message
    case = Case("unknown-id", "unknown id", response=reply(200, ENTITY), path=missing)
    verdict = checks.not_found(t, case)
    assert verdict.failed and "expected 404" in verdict.message
    case = Case("unknown-id", "unknown id", response=reply(404, ERROR), path="/things/other")
    assert checks.not_found(t, case).outcome == "passed"


def test_read_only_and_key_values_sent_are_not_expected_back() -> None:
    """Intune doc examples send whole entities; the service ignores key and read-only values."""
    contract = Contract(
        version="beta",
        resource="microsoft.graph.thing",
        paths=["/things/{thingId}"],
        properties=[*CONTRACT.properties, Property("serial", "Edm.String", read_only=True)],
        status=200,
    )
    t = target(entity_server(ENTITY))
    t.contract = contract
    sent = {"id": "other", "serial": "Serial value", "name": "a"}
    write = Write(sent, reply(200, {**ENTITY, "serial": "s1"}), ENTITY)
    assert checks.round_trip(t, write).outcome == "passed"
    assert checks.read_after_write(t, write).outcome == "passed"
    changed = Write({**sent, "name": "b"}, reply(200, {**ENTITY, "serial": "s1"}), ENTITY)
    verdict = checks.round_trip(t, changed)
    assert verdict.failed and "name" in verdict.message and "serial" not in verdict.message


# --- minimal metadata (odata.metadata=minimal: @odata.type only when it differs) --------------


@pytest.mark.parametrize(
    ("odata_type", "kw", "outcome", "deviation"),
    [
        (None, {}, "passed", False),  # absent: the declared type
        ("#microsoft.graph.thing", {}, "passed", False),
        ("microsoft.graph.thing", {}, "passed", False),  # `#` is optional in OData 4.01 JSON
        (
            "#microsoft.graph.specialThing",
            {"accepted_types": {"microsoft.graph.specialThing"}},
            "passed",
            False,
        ),
        ("#microsoft.graph.entity", {}, "failed", False),  # Graph's abstract root type
        ("#microsoft.graph.otherThing", {}, "passed", True),  # may be derived: cannot tell
        ("#microsoft.graph.otherThing", {"hierarchy_known": True}, "failed", False),
    ],
)
def test_shape_judges_odata_type_by_minimal_metadata(odata_type, kw, outcome, deviation) -> None:
    body = {k: v for k, v in ENTITY.items() if k != "@odata.type"}
    if odata_type is not None:
        body["@odata.type"] = odata_type
    if "accepted_types" in kw:
        kw["accepted_types"] = frozenset(kw["accepted_types"])
    t = target(entity_server(body), **kw)
    verdict = checks.shape(t, Write({"name": "a"}, reply(200, body), ENTITY))
    assert verdict.outcome == outcome, verdict.message
    assert bool(verdict.deviation) is deviation


def test_every_check_is_registered_with_the_case_kinds_it_judges() -> None:
    assert list(checks.CHECKS) == list(checks.CHECK_NAMES)
    assert set(checks.CHECK_NAMES) == {
        "status",
        "shape",
        "round-trip",
        "read-after-write",
        "merge",
        "rejection",
        "auth",
        "not-found",
        "not-a-server-error",
        "response-schema-conformance",
    }
    kinds = {name: check.judges for name, check in checks.CHECKS.items()}
    assert kinds["rejection"] == {"invalid"} and kinds["not-found"] == {"unknown-id"}
    assert kinds["auth"] == {"no-token", "wrong-token"} and "sibling" in kinds["merge"]
    # A check asked about a case it does not judge has nothing to say.
    probe = Case("no-token", "no-token", response=reply(401, ERROR))
    assert checks.CHECKS["status"](target(entity_server(ENTITY)), probe) is None


def test_complex_values_are_judged_on_the_members_sent() -> None:
    """A service fills members the client did not send, and may drop a nested annotation."""
    contract = Contract(
        version="beta",
        resource="microsoft.graph.thing",
        paths=["/things/{thingId}"],
        properties=[
            Property("id", "Edm.String", key=True, nullable=False),
            Property("body", "microsoft.graph.itemBody"),
        ],
        status=200,
        types={
            "microsoft.graph.itemBody": TypeDef(
                "microsoft.graph.itemBody",
                "complex",
                properties=[
                    Property("content", "Edm.String"),
                    Property("contentType", "Edm.String"),
                ],
            )
        },
    )
    sent = {"body": {"@odata.type": "#microsoft.graph.itemBody", "content": "hello"}}
    filled = {"id": "t1", "body": {"content": "hello", "contentType": "text"}}
    t = target(entity_server(filled))
    t.contract = contract
    verdict = checks.round_trip(t, Write(sent, reply(200, filled), filled))
    assert verdict.outcome == "passed", verdict.message
    assert "body.contentType" in verdict.message and "@odata.type" in verdict.message
    changed = {"id": "t1", "body": {"content": "HELLO", "contentType": "text"}}
    verdict = checks.round_trip(t, Write(sent, reply(200, changed), filled))
    assert verdict.failed and "body.content: sent 'hello', got 'HELLO'" in verdict.message


def test_a_reply_writes_numbers_as_numbers_unless_it_says_ieee754compatible() -> None:
    """OData JSON 4.01 §3.2: IEEE754Compatible=true makes Int64 and Decimal strings, nothing else."""
    t = target(entity_server(ENTITY))
    t.contract = replace(
        CONTRACT,
        properties=[
            *CONTRACT.properties,
            Property("big", "Edm.Int64"),
            Property("d", "Edm.Decimal"),
        ],
    )
    compatible = "application/json;odata.metadata=minimal;IEEE754Compatible=true"

    def shape(body: dict, content_type: str = "application/json") -> checks.Verdict:
        response = httpx.Response(
            200, json=body, headers={"content-type": content_type}, request=reply(200).request
        )
        return checks.shape(t, Write({"name": "a"}, response, ENTITY))

    as_text = {**ENTITY, "big": "9007199254740993", "d": "1.25"}
    verdict = shape(as_text)
    assert verdict.failed and "big" in verdict.message and "d:" in verdict.message
    assert shape(as_text, compatible).outcome == "passed"
    int32_as_text = {**ENTITY, "count": "1"}
    assert shape(int32_as_text).failed
    verdict = shape(int32_as_text, compatible)
    assert verdict.failed and "count" in verdict.message
