"""Graph's evolvable enumerations: the sentinel is never sent, and no false alarm on its members.

Microsoft's pattern (microsoft/api-guidelines, graph/patterns/evolvable-enums.md; the docs' enum
tables call `unknownFutureValue` an "Evolvable enumeration sentinel value. Do not use."): a service
replaces every member declared after the sentinel with it in its replies unless the request says
`Prefer: include-unknown-enum-members`, and then answers `Preference-Applied:
include-unknown-enum-members`; a PATCH that sends the sentinel leaves the property as it was.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from servers import app_server
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from graph_contracts import edm, openapi, plan, preferences, required_headers, strategies
from graph_contracts.client import GraphClient
from graph_contracts.contracts import Contract, Property, TypeDef

SENTINEL = "unknownFutureValue"
STAGE = TypeDef(
    "microsoft.graph.stage", "enum", members=["draft", "final", SENTINEL, "archived", "purged"]
)
CHANNELS = TypeDef(
    "microsoft.graph.channels",
    "enum",
    members=["none", "email", SENTINEL, "teams", "sms"],
    flags=True,
)
SETTINGS = TypeDef(
    "microsoft.graph.taskSettings",
    "complex",
    properties=[Property("mode", STAGE.name), Property("label", "Edm.String")],
)


def task() -> Contract:
    """Evolvable enums everywhere a value can sit: a property, flags, nested, in a collection,
    and a String whose table lists the sentinel among its values."""
    return Contract(
        version="beta",
        resource="microsoft.graph.task",
        paths=["/tasks/{taskId}"],
        properties=[
            Property("id", "Edm.String", key=True, nullable=False),
            Property("stage", STAGE.name),
            Property("channels", CHANNELS.name),
            Property("settings", SETTINGS.name),
            Property("history", f"Collection({STAGE.name})"),
            Property("kind", "Edm.String", enum=["plain", "urgent", SENTINEL]),
        ],
        status=200,
        types={t.name: t for t in (STAGE, CHANNELS, SETTINGS)},
    )


def names_sentinel(value: Any) -> bool:
    """Whether the sentinel is anywhere in a JSON value (a flags value included)."""
    if isinstance(value, str):
        return SENTINEL in (part.strip() for part in value.split(","))
    if isinstance(value, dict):
        return any(names_sentinel(v) for v in value.values())
    if isinstance(value, list):
        return any(names_sentinel(v) for v in value)
    return False


# --- never sent -------------------------------------------------------------------------------


def test_the_plan_never_writes_the_sentinel_and_coverage_does_not_count_it():
    contract = task()
    minimal = plan.minimal_plan(contract)
    assert minimal.valid and not any(names_sentinel(body) for body in minimal.valid)
    wanted = minimal.targets.enum_members
    assert not [n for n in wanted if n.endswith(f":enum-{SENTINEL}")]
    # Members after the sentinel are written like any other, at every depth.
    for name in ("stage:enum-archived", "settings.mode:enum-purged", "history[]:enum-archived"):
        assert name in wanted
    assert "channels:enum-sms" in wanted and "kind:enum-urgent" in wanted
    # The largest enum is counted without it: 4 stages, 4 channels + all of them at once.
    assert minimal.targets.largest_enum == 5
    # The plan's own bodies hit every target it names.
    done = plan.coverage(contract, minimal.valid, [], wanted=minimal.targets)
    assert done.enum_members.hit == done.enum_members.total == len(wanted)
    flags_all = next(b["channels"] for b in minimal.valid if b.get("channels", "").count(",") > 1)
    assert flags_all == "none,email,teams,sms"


def test_a_run_that_wrote_the_sentinel_covers_no_more_than_one_that_did_not():
    contract = task()
    minimal = plan.minimal_plan(contract)
    plain = plan.coverage(contract, [{"stage": "draft"}], [], wanted=minimal.targets)
    with_sentinel = plan.coverage(
        contract, [{"stage": "draft"}, {"stage": SENTINEL}], [], wanted=minimal.targets
    )
    assert with_sentinel.enum_members == plain.enum_members


def test_enum_coverage_and_the_witness_bodies_never_send_it():
    contract = task()
    bodies = strategies.enum_coverage(contract)
    assert bodies and not any(names_sentinel(b) for b in bodies)
    assert {b.get("stage") for b in bodies} >= {"draft", "final", "archived", "purged"}
    assert not any(SENTINEL.encode() in p.content for p in strategies.invalid_examples(contract))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.data())
def test_generated_bodies_never_send_it(data):
    body = data.draw(strategies.payloads(task()))
    assert not names_sentinel(body), body


def test_generated_bodies_reach_the_members_after_it():
    seen: set[str] = set()

    @settings(max_examples=200, database=None, derandomize=True)
    @given(strategies.for_type(STAGE.name, task().types))
    def collect(value: str) -> None:
        seen.add(value)

    collect()
    assert seen == {"draft", "final", "archived", "purged"}


def test_the_openapi_request_schema_leaves_it_out_and_the_reply_schema_takes_it():
    contract = task()
    request = openapi.type_schema(STAGE.name, contract, request=True)
    assert request["enum"] == ["draft", "final", "archived", "purged"]
    reply = openapi.type_schema(STAGE.name, contract, request=False)
    assert re.fullmatch(reply["pattern"], SENTINEL)
    flags = openapi.type_schema(CHANNELS.name, contract, request=True)
    assert re.fullmatch(flags["pattern"], "email,sms")
    assert not re.fullmatch(flags["pattern"], f"email,{SENTINEL}")


def test_members_after_the_sentinel_are_known_in_declaration_order():
    stage = edm.resolve(STAGE.name, task().types)
    assert stage.writable == ("draft", "final", "archived", "purged")
    assert stage.future == ("archived", "purged")
    # A String's prose list gives no declaration order: nothing is after anything there.
    assert edm.resolve("Edm.String", {}, ["a", SENTINEL, "b"]).future == ()
    assert edm.resolve(CHANNELS.name, task().types).future == ("teams", "sms")


# --- every request opts in ----------------------------------------------------------------------


def prefer_echo() -> Starlette:
    """Answers each request with every `Prefer` header line it received, as sent on the wire."""

    async def echo(request: Request) -> Response:
        lines = [v.decode("latin-1") for k, v in request.scope["headers"] if k == b"prefer"]
        return JSONResponse({"method": request.method, "prefer": lines})

    return Starlette(routes=[Route("/{path:path}", echo, methods=["GET", "PATCH"])])


def test_every_request_opts_in_in_one_prefer_header_beside_any_other_preference():
    """RFC 7240 §2: one header, comma separated. httpx replaces a default header with a
    request's own, so a PATCH asking `return=representation` used to lose the opt-in."""
    with app_server(prefer_echo()) as url, GraphClient(url, "beta") as client:
        assert client.get("/tasks/1").json()["prefer"] == ["include-unknown-enum-members"]
        asked = {"Prefer": "return=representation"}
        seen = client.patch("/tasks/1", json={}, headers=asked).json()
        assert seen["prefer"] == ["return=representation, include-unknown-enum-members"]
        # Asked twice, sent once; a request that must carry no Prefer at all still can.
        again = {"prefer": "include-unknown-enum-members"}
        assert client.get("/x", headers=again).json()["prefer"] == ["include-unknown-enum-members"]
        assert client.get("/x", headers={"Prefer": None}).json()["prefer"] == []


def test_the_planner_write_headers_keep_both_preferences():
    """Where the docs require If-Match the engine asks `return=representation` too
    (`required_headers.write_headers`): both reach the service, and its 200 is documented."""
    contract = task()
    planner = replace(contract, headers=["If-Match"])
    headers = required_headers.write_headers(planner, 'W/"1"')
    with app_server(prefer_echo()) as url, GraphClient(url, "beta") as client:
        response = client.patch("/tasks/1", json={}, headers=headers)
    assert response.json()["prefer"] == ["return=representation, include-unknown-enum-members"]
    assert required_headers.asked_representation(response.request.headers)
    assert preferences.asked(response.request.headers, "include-unknown-enum-members")


def test_preference_names_and_what_a_reply_applied():
    given = "return=representation; odata.track-changes, Include-Unknown-Enum-Members"
    assert preferences.names(given) == ["return", "include-unknown-enum-members"]
    assert preferences.combine("respond-async, wait=10", "RESPOND-ASYNC", None) == (
        "respond-async, wait=10"
    )
    both = "return=representation, include-unknown-enum-members"
    assert preferences.applied(httpx.Headers({"Preference-Applied": both}))
    assert not preferences.applied(httpx.Headers({"preference-applied": "return=minimal"}))
    assert not preferences.applied(httpx.Headers({}))
    assert preferences.applied({"PREFERENCE-APPLIED": "include-unknown-enum-members"})
