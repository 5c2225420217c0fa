"""Graph's evolvable enumerations: the sentinel is never sent, and no false alarm on its members.

Microsoft's pattern (microsoft/api-guidelines, graph/patterns/evolvable-enums.md; the docs' enum
tables call `unknownFutureValue` an "Evolvable enumeration sentinel value. Do not use."): a service
replaces every member declared after the sentinel with it in its replies unless the request says
`Prefer: include-unknown-enum-members`, and then answers `Preference-Applied:
include-unknown-enum-members`; a PATCH that sends the sentinel leaves the property as it was.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference import create_app as create_reference
from servers import app_server
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from test_extraction_facts import _widget_with

from graph_contracts import checks, edm, openapi, plan, preferences, required_headers, strategies
from graph_contracts import contracts as contract_files
from graph_contracts.auth import StaticToken
from graph_contracts.checks import Case, CheckContext
from graph_contracts.client import GraphClient, InProcessTransport
from graph_contracts.contracts import Contract, Property, TypeDef
from graph_contracts.discovery import Discoverer
from graph_contracts.engine import Endpoint, EndpointRun, Settings
from graph_contracts.engine.endpoint import SCHEMATHESIS_CHECKS
from graph_contracts.engine.results import CheckResult
from graph_contracts.extract import extract_paths
from graph_contracts.metadata import load_csdl
from graph_contracts.mock import create_app

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


# --- the comparison is tolerant where the service did not apply the opt-in -----------------------

APPLIED = {"Preference-Applied": "include-unknown-enum-members"}
TASK = {
    "@odata.context": "https://graph.test/beta/$metadata#tasks/$entity",
    "id": "t1",
    "stage": "final",
    "channels": "email",
    "settings": {"mode": "draft", "label": "x"},
    "history": ["draft"],
    "kind": "plain",
}


def entity_server(
    store: dict[str, Any], headers: dict[str, str] | None = None
) -> Callable[[httpx.Request], httpx.Response]:
    """GETs of the entity answer `store`, with `headers` (the opt-in applied, or not)."""
    return lambda request: httpx.Response(200, json=store, headers=headers or {})


def context(handler: Callable[[httpx.Request], httpx.Response], **kw: Any) -> CheckContext:
    client = GraphClient("https://graph.test", "beta", transport=httpx.MockTransport(handler))
    return CheckContext(task(), "/tasks/{taskId}", "/tasks/t1", client, read_window=0.0, **kw)


def answer(status: int, body: Any = None, headers: dict[str, str] | None = None) -> httpx.Response:
    request = httpx.Request("PATCH", "https://graph.test/beta/tasks/t1")
    if body is None:
        return httpx.Response(status, request=request, headers=headers or {})
    return httpx.Response(status, json=body, request=request, headers=headers or {})


def write(body: dict[str, Any], response: httpx.Response) -> Case:
    return Case("write", "covering set #3/5", body=body, response=response, before=dict(TASK))


# What a faithful service not applying the opt-in answers for each body: the member after the
# sentinel hidden, at the top, nested, in a collection and among flags.
HIDDEN = [
    ({"stage": "archived"}, {"stage": SENTINEL}),
    (
        {"settings": {"mode": "purged", "label": "y"}},
        {"settings": {"mode": SENTINEL, "label": "y"}},
    ),
    ({"history": ["draft", "archived"]}, {"history": ["draft", SENTINEL]}),
    ({"channels": "email,teams,sms"}, {"channels": f"email,{SENTINEL}"}),
]


@pytest.mark.parametrize(("sent", "shown"), HIDDEN)
def test_a_member_after_the_sentinel_hidden_without_the_opt_in_applied_is_a_deviation(
    sent: dict[str, Any], shown: dict[str, Any]
) -> None:
    stored = {**TASK, **shown}
    ctx = context(entity_server(stored))
    case = write(sent, answer(200, stored))
    for check in (checks.round_trip, checks.read_after_write, checks.merge):
        verdict = check(ctx, case)
        assert verdict is not None and verdict.outcome == "passed", (check, verdict)
    assert "without Preference-Applied: include-unknown-enum-members" in (
        checks.round_trip(ctx, case).deviation or ""
    )
    assert SENTINEL in (checks.read_after_write(ctx, case).deviation or "")


@pytest.mark.parametrize(("sent", "shown"), HIDDEN)
def test_the_same_reply_saying_it_applied_the_opt_in_fails(
    sent: dict[str, Any], shown: dict[str, Any]
) -> None:
    stored = {**TASK, **shown}
    ctx = context(entity_server(stored, APPLIED))
    case = write(sent, answer(200, stored, APPLIED))
    verdict = checks.round_trip(ctx, case)
    assert verdict is not None and verdict.failed
    assert "although the reply says Preference-Applied" in verdict.message
    verdict = checks.read_after_write(ctx, case)
    assert verdict is not None and verdict.failed


@pytest.mark.parametrize("applied", [APPLIED, {}])
def test_a_member_before_the_sentinel_shown_as_it_stays_a_failure(applied: dict[str, str]) -> None:
    """Only a member declared after the sentinel is ever hidden behind it."""
    stored = {**TASK, "stage": SENTINEL, "settings": {"mode": SENTINEL, "label": "x"}}
    ctx = context(entity_server(stored, applied))
    case = write({"stage": "draft"}, answer(200, stored, applied))
    assert checks.round_trip(ctx, case).failed  # type: ignore[union-attr]
    assert checks.read_after_write(ctx, case).failed  # type: ignore[union-attr]
    # An unsent property whose member before the sentinel turned into it changed: merge fails.
    case = write({"kind": "urgent"}, answer(200, {**stored, "kind": "urgent"}, applied))
    ctx = context(entity_server({**stored, "kind": "urgent"}, applied))
    verdict = checks.merge(ctx, case)
    assert verdict is not None and verdict.failed and "settings" in verdict.message


def test_merge_tolerates_an_unsent_member_one_read_hid():
    """The entity as known before showed `archived`; a GET that did not apply the opt-in shows
    the sentinel (and the other way round): nothing changed that a client could see."""
    before = {**TASK, "stage": "archived"}
    ctx = context(entity_server({**TASK, "stage": SENTINEL, "kind": "urgent"}))
    case = Case("write", "generated", body={"kind": "urgent"}, response=answer(204), before=before)
    verdict = checks.merge(ctx, case)
    assert verdict is not None and verdict.outcome == "passed" and verdict.deviation
    # The same GET saying it applied the opt-in shows a real change.
    ctx = context(entity_server({**TASK, "stage": SENTINEL, "kind": "urgent"}, APPLIED))
    case = Case("write", "generated", body={"kind": "urgent"}, response=answer(204), before=before)
    assert checks.merge(ctx, case).failed  # type: ignore[union-attr]
    # An earlier read that hid the member: a later one showing it is no change, opted in or not.
    hid = {**TASK, "stage": SENTINEL}
    ctx = context(entity_server({**TASK, "stage": "purged", "kind": "urgent"}, APPLIED))
    case = Case("write", "generated", body={"kind": "urgent"}, response=answer(204), before=hid)
    verdict = checks.merge(ctx, case)
    assert verdict is not None and verdict.outcome == "passed" and verdict.deviation


def test_a_400_for_a_member_after_the_sentinel_without_the_opt_in_applied_is_a_deviation():
    """The pattern has a service refuse such members from a client it did not opt in; a service
    may ignore a preference (RFC 7240 §2). With the opt-in applied, a 400 stays a failure."""
    ctx = context(entity_server(TASK), strict=True)
    refused = answer(400, {"error": {"code": "BadRequest", "message": "archived"}})
    verdict = checks.status(ctx, write({"stage": "archived", "kind": "urgent"}, refused))
    assert verdict.outcome == "passed" and "stage 'archived'" in (verdict.deviation or "")
    applied = answer(400, {"error": {"code": "BadRequest", "message": "x"}}, APPLIED)
    assert checks.status(ctx, write({"stage": "archived"}, applied)).failed
    assert checks.status(ctx, write({"stage": "final"}, refused)).failed


def test_a_hidden_value_does_not_keep_the_read_window_open():
    """Without the opt-in applied, the GET that hides what was sent shows all it can: read_back
    stops there instead of polling the whole window for a value it will never see."""
    gets: list[float] = []
    stored = {**TASK, "stage": SENTINEL}

    def handler(request: httpx.Request) -> httpx.Response:
        gets.append(time.monotonic())
        return httpx.Response(200, json=stored)

    ctx = context(handler)
    ctx.read_window = 2.0
    verdict = checks.read_after_write(ctx, write({"stage": "archived"}, answer(204)))
    assert verdict is not None and verdict.outcome == "passed" and len(gets) == 1


# --- the mock behaves as Graph ------------------------------------------------------------------

OPT_IN = {"Authorization": "Bearer t", "Prefer": "include-unknown-enum-members"}
NO_OPT_IN = {"Authorization": "Bearer t"}


class Mock:
    """The mock serving `task()`, called synchronously over ASGI."""

    def __init__(self) -> None:
        app = create_app([task()], token="t")
        self.path = "/beta" + app.state.graph.store.sample("beta", "/tasks/{taskId}")
        self.http = httpx.Client(transport=InProcessTransport(app), base_url="http://mock")

    def get(self, headers: dict[str, str]) -> httpx.Response:
        return self.http.get(self.path, headers=headers)

    def patch(self, body: dict[str, Any], headers: dict[str, str]) -> httpx.Response:
        """A PATCH asking for the entity back (the task's page documents 200 with it)."""
        return self.http.patch(self.path, json=body, headers=headers)


def test_the_mock_hides_members_after_the_sentinel_unless_the_request_opts_in():
    mock = Mock()
    later = {
        "stage": "archived",
        "channels": "email,teams,sms",
        "settings": {"mode": "purged", "label": "z"},
        "history": ["final", "archived"],
    }
    written = mock.patch(later, OPT_IN)
    assert written.status_code == 200, written.text
    assert written.headers["preference-applied"] == "include-unknown-enum-members"
    assert {k: written.json()[k] for k in later} == later
    shown = mock.get(OPT_IN)
    assert {k: shown.json()[k] for k in later} == later
    assert shown.headers["preference-applied"] == "include-unknown-enum-members"
    hidden = mock.get(NO_OPT_IN)
    assert "preference-applied" not in hidden.headers
    assert {k: hidden.json()[k] for k in later} == {
        "stage": SENTINEL,
        "channels": f"email,{SENTINEL}",
        "settings": {"mode": SENTINEL, "label": "z"},
        "history": ["final", SENTINEL],
    }
    listing = mock.http.get("/beta/tasks", headers=NO_OPT_IN).json()["value"]
    assert SENTINEL in [item.get("stage") for item in listing]


def test_the_mock_refuses_members_after_the_sentinel_from_a_request_that_did_not_opt_in():
    mock = Mock()
    before = mock.get(OPT_IN).json()
    refused = mock.patch({"stage": "purged"}, NO_OPT_IN)
    assert refused.status_code == 400
    assert "include-unknown-enum-members" in refused.json()["error"]["message"]
    assert "preference-applied" not in refused.headers
    assert mock.get(OPT_IN).json() == before
    # A member before it needs no opt-in.
    assert mock.patch({"stage": "draft"}, NO_OPT_IN).status_code == 200


def test_a_patch_that_sends_the_sentinel_leaves_the_property_as_it_was():
    mock = Mock()
    mock.patch({"stage": "archived", "kind": "plain"}, OPT_IN)
    reply = mock.patch({"stage": SENTINEL, "kind": "urgent"}, OPT_IN)
    assert reply.status_code == 200
    after = mock.get(OPT_IN).json()
    assert (after["stage"], after["kind"]) == ("archived", "urgent")
    channels = after["channels"]
    assert mock.patch({"channels": f"email,{SENTINEL}"}, OPT_IN).status_code == 200
    assert mock.get(OPT_IN).json()["channels"] == channels


def test_the_mock_never_seeds_the_sentinel():
    app = create_app([task()], token="t", seed=3)
    http = httpx.Client(transport=InProcessTransport(app), base_url="http://mock")
    values = http.get("/beta/tasks", headers=OPT_IN).json()["value"]
    assert values and not any(names_sentinel(v) for v in values)


# --- a real corpus contract, end to end ---------------------------------------------------------


@pytest.fixture(scope="module")
def channel(corpus: Path) -> Contract:
    """beta/channel as the corpus documents it, with `membershipType`'s members as Microsoft's
    CSDL declares them: the 2021-07 docs stop at the sentinel (`standard`, `private`,
    `unknownFutureValue`), the CSDL of the same date has `shared` after it."""
    page = corpus / "graph-docs" / "api-reference" / "beta" / "api" / "channel-patch.md"
    (found,) = extract_paths([page]).contracts
    csdl = load_csdl(corpus / "csdl" / "beta_metadata.xml")
    name = "microsoft.graph.channelMembershipType"
    members = csdl.types[name].members
    assert members == ["standard", "private", SENTINEL, "shared"]
    assert found.types[name].members == members[:3]  # what the docs of that date list
    types = {**found.types, name: replace(found.types[name], members=members)}
    properties = [replace(p, enum=None) if p.type == name else p for p in found.properties]
    return replace(found, types=types, properties=properties)


def run_endpoint(contract: Contract, transport: httpx.BaseTransport) -> EndpointRun:
    client = GraphClient(
        "http://graph.test", contract.version, auth=StaticToken("t"), transport=transport
    )
    return run_endpoint_with(client, contract)


def run_endpoint_with(client: GraphClient, contract: Contract) -> EndpointRun:
    """The whole plan on the contract's first path (Hypothesis and the shrinker kept small)."""
    config = Settings(max_examples=3, seed=5, read_window=0.2, shrink_budget=3)
    run = EndpointRun(Endpoint(contract, contract.paths[0]), client, Discoverer(client), config)
    run.results = run.run()
    return run


class Recording(httpx.BaseTransport):
    """An in-process app, with every request and its reply kept in order."""

    def __init__(self, app: Any) -> None:
        self.inner = InProcessTransport(app)
        self.exchanges: list[tuple[httpx.Request, httpx.Response]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        response.read()
        self.exchanges.append((request, response))
        return response


def parsed(content: bytes) -> Any:
    """A request body as JSON, or None for the malformed ones the rejection check sends."""
    try:
        return json.loads(content)
    except ValueError:
        return None


def judged(run: EndpointRun) -> dict[str, CheckResult]:
    return {r.check: r for r in run.results if r.check not in SCHEMATHESIS_CHECKS}


def test_the_suite_writes_shared_to_a_channel_and_the_mock_agrees(channel: Contract):
    recording = Recording(create_app([channel], token="t"))
    run = run_endpoint(channel, recording)
    results = judged(run)
    assert {r.outcome for r in results.values()} == {"passed"}, [
        (r.check, r.message) for r in results.values() if r.outcome != "passed"
    ]
    assert not [r for r in results.values() if r.deviation and SENTINEL in r.deviation]
    assert run.left_changed == []
    # Every request opted in, and every reply said it applied the opt-in.
    assert all(
        preferences.asked(q.headers, "include-unknown-enum-members") for q, _ in recording.exchanges
    )
    assert all(
        preferences.applied(r.headers) for _, r in recording.exchanges if r.status_code < 400
    )
    patches = [parsed(q.content) for q, _ in recording.exchanges if q.method == "PATCH"]
    sent = [b.get("membershipType") for b in patches if isinstance(b, dict)]
    assert "shared" in sent and SENTINEL not in sent
    covered = run.coverage()
    assert "membershipType:enum-shared" in run.plan.targets.enum_members
    assert covered.enum_members.hit == covered.enum_members.total


def test_the_mock_reads_the_opt_in_among_other_preferences(channel: Contract):
    """One `Prefer` header, comma separated (RFC 7240 §2): both preferences are applied."""
    app = create_app([channel], token="t")
    path = "/beta" + app.state.graph.store.sample("beta", channel.paths[0])
    http = httpx.Client(transport=InProcessTransport(app), base_url="http://mock")
    both = {**NO_OPT_IN, "Prefer": "return=representation, include-unknown-enum-members"}
    reply = http.patch(path, json={"membershipType": "shared"}, headers=both)
    assert reply.status_code == 200  # the page documents 204; a representation was asked
    assert reply.json()["membershipType"] == "shared"
    assert reply.headers["preference-applied"] == "include-unknown-enum-members"
    minimal = http.patch(path, json={"membershipType": "shared"}, headers=NO_OPT_IN)
    assert minimal.status_code == 400
    assert http.get(path, headers=NO_OPT_IN).json()["membershipType"] == SENTINEL


# --- the independent reference server -------------------------------------------------------------


@pytest.fixture(scope="module")
def channel_dir(tmp_path_factory: pytest.TempPathFactory, channel: Contract) -> Path:
    folder = tmp_path_factory.mktemp("channel")
    contract_files.save([channel], folder)
    return folder


class Reference:
    """tests/reference serving beta/channel in-process, and the channel the suite will reach."""

    def __init__(self, contract: Contract, folder: Path, corpus: Path, **behaviours: Any) -> None:
        self.contract = contract
        csdl = [corpus / "csdl" / "beta_metadata.xml"]
        self.app = create_reference(folder, token="t", csdl=csdl, **behaviours)
        self.recording = Recording(self.app)
        self.client = GraphClient(
            "http://graph.test", "beta", auth=StaticToken("t"), transport=self.recording
        )
        found = Discoverer(self.client).resolve("/teams/{teamId}/channels/{channelId}")
        self.path = found.path  # type: ignore[union-attr]

    def set(self, value: str) -> None:
        """Put `membershipType` at `value` before the run (opted in, as the run will be)."""
        reply = self.client.patch(self.path, json={"membershipType": value})
        assert reply.status_code in (200, 204), reply.text
        self.recording.exchanges.clear()

    def stored(self) -> Any:
        """The value as the server keeps it, whatever a GET would show."""
        entity = self.app.store.resolve("beta", [s for s in self.path.split("/") if s])
        return entity.values["membershipType"]

    def run(self) -> EndpointRun:
        return run_endpoint_with(self.client, self.contract)

    def sent(self) -> list[Any]:
        """The `membershipType` of every JSON-object PATCH body the run sent."""
        bodies = [parsed(q.content) for q, _ in self.recording.exchanges if q.method == "PATCH"]
        return [
            b["membershipType"] for b in bodies if isinstance(b, dict) and "membershipType" in b
        ]


def failed(run: EndpointRun) -> dict[str, str]:
    return {r.check: r.message for r in judged(run).values() if r.outcome == "failed"}


def deviations(run: EndpointRun) -> dict[str, str]:
    return {r.check: r.deviation for r in judged(run).values() if r.deviation}


def test_the_reference_server_honouring_the_opt_in_passes_with_no_deviation(
    channel: Contract, channel_dir: Path, corpus: Path
):
    server = Reference(channel, channel_dir, corpus)
    server.set("standard")
    run = server.run()
    assert failed(run) == {} and run.left_changed == []
    assert not [d for d in deviations(run).values() if SENTINEL in d]
    assert "shared" in server.sent() and SENTINEL not in server.sent()
    assert server.stored() == "standard"  # put back


def test_a_server_ignoring_the_opt_in_gets_deviations_not_failures(
    channel: Contract, channel_dir: Path, corpus: Path
):
    """It refuses `shared` (400), as the pattern has a service answer a client it did not opt
    in: the status check names the deviation; nothing fails, nothing is left changed."""
    server = Reference(channel, channel_dir, corpus, variants=["opt-in-ignored"])
    server.set("private")
    run = server.run()
    assert failed(run) == {} and run.left_changed == []
    assert "membershipType 'shared'" in deviations(run)["status"]
    assert "refused by a reply without Preference-Applied" in deviations(run)["status"]
    assert server.stored() == "private"


def test_a_server_ignoring_the_opt_in_on_reads_gets_deviations_not_failures(
    channel: Contract, channel_dir: Path, corpus: Path
):
    """It stores `shared` but its GETs show `unknownFutureValue` without Preference-Applied: the
    checks judged on a GET (read-after-write, and round-trip: the page documents 204) name it."""
    server = Reference(channel, channel_dir, corpus, variants=["opt-in-ignored-on-reads"])
    server.set("standard")
    run = server.run()
    assert failed(run) == {} and run.left_changed == []
    found = deviations(run)
    for check in ("read-after-write", "round-trip"):
        assert "membershipType: sent 'shared', got 'unknownFutureValue'" in found[check]
    assert server.stored() == "standard"


def test_a_server_storing_the_sentinel_for_a_member_before_it_is_caught(
    channel: Contract, channel_dir: Path, corpus: Path
):
    server = Reference(channel, channel_dir, corpus, defects=["sentinel-stored"])
    server.set("shared")
    run = server.run()
    caught = failed(run)
    assert {"round-trip", "read-after-write"} <= set(caught), caught
    assert "membershipType: sent 'standard', got 'unknownFutureValue'" in caught["read-after-write"]


def test_a_property_the_service_hid_from_the_snapshot_is_never_written(
    channel: Contract, channel_dir: Path, corpus: Path
):
    """The channel holds `shared`, which its GETs show as `unknownFutureValue`: the snapshot
    cannot say what to put back (a PATCH that sends the sentinel leaves a property as it was),
    so the run must not change it at all, or the tenant is left changed."""
    server = Reference(channel, channel_dir, corpus, variants=["opt-in-ignored-on-reads"])
    server.set("shared")
    run = server.run()
    assert run.left_changed == [] and failed(run) == {}
    assert not {"standard", "private", "shared", SENTINEL} & set(server.sent())  # invalid ones only
    assert server.stored() == "shared"
    assert "membershipType" in run.coverage().missed["properties"]
    status = judged(run)["status"]
    assert f"membershipType not written: the entity shows {SENTINEL} for it" in status.message


# --- declaration order, from the docs' own enum pages -----------------------------------------------


def test_the_extractor_keeps_the_docs_declaration_order(tmp_path: Path, corpus: Path):
    """The corpus's enums.md lists workforceIntegrationSupportedEntities' members as Microsoft's
    CSDL declares them, four after the sentinel: the extracted type keeps that order, so the
    members a service hides behind the sentinel are known from the docs alone."""
    enums = corpus / "graph-docs" / "api-reference" / "beta" / "resources" / "enums.md"
    name = "microsoft.graph.workforceIntegrationSupportedEntities"
    row = "|supportedEntities|workforceIntegrationSupportedEntities|Supported entities.|\n"
    contract = _widget_with(tmp_path, row, {"enums.md": enums.read_text(encoding="utf-8")})
    members = contract.types[name].members
    assert members == load_csdl(corpus / "csdl" / "beta_metadata.xml").types[name].members
    assert members[members.index(SENTINEL) :] == [
        SENTINEL,
        "timeCard",
        "timeOffReason",
        "timeOff",
        "timeOffRequest",
    ]
    future = edm.resolve(name, contract.types).future
    assert future == ("timeCard", "timeOffReason", "timeOff", "timeOffRequest")
