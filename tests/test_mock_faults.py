"""The fault catalogue: every fault is documented, selectable, deterministic and observable."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from published import page
from samples import csdl_user_status
from starlette.applications import Starlette

from graph_contracts import contracts as contract_files
from graph_contracts.contracts import Contract, Property
from graph_contracts.mock import FAULTS, create_app
from graph_contracts.mock import faults as F
from graph_contracts.mock.app import GRAPH_JSON

ROOT = Path(__file__).resolve().parent.parent
AUTH = {"Authorization": "Bearer t"}
DEFECTS = sorted(name for name, f in FAULTS.items() if f.kind == "defect")
OPERATIONAL = sorted(name for name, f in FAULTS.items() if f.kind == "operational")

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def fault_contracts() -> list[Contract]:
    """deviceConfigurationUserStatus as CSDL has it (GRAPH-FACTS.md), beside the repo's seed contracts.

    Built here rather than read from contracts/ so that nullability (which doc tables do not state)
    is the service's: `accept-null` needs a non-nullable property to be observable.
    """
    status = csdl_user_status(
        [
            "/deviceManagement/deviceConfigurations/{deviceConfigurationId}/userStatuses/{id}",
            "/deviceManagement/deviceConfigurations/{deviceConfigurationId}/"
            "microsoft.graph.iosScepCertificateProfile/rootCertificate/userStatuses/{id}",
        ]
    )
    others = [c for c in contract_files.load(ROOT / "contracts") if c.id != status.id]
    return [status, *others]


def http_for(app: Starlette):
    import httpx

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mock")


def target(app: Starlette, fault_contracts: list[Contract]) -> tuple[Contract, str, str]:
    """The first seed contract, one entity path and its sibling's (without fault side effects)."""
    contract = next(c for c in fault_contracts if c.name == "deviceConfigurationUserStatus")
    store = app.state.graph.store
    one = "/beta" + store.sample("beta", contract.paths[0])
    two = "/beta" + store.sample("beta", contract.paths[0], index=1)
    return contract, one, two


async def scenario(app: Starlette, fault_contracts: list[Contract]) -> list[Any]:
    """A fixed exchange touching every check; its transcript, minus per-request noise."""
    contract, one, two = target(app, fault_contracts)
    body = {
        "@odata.type": contract.odata_type,
        "userDisplayName": " Ada ",
        "devicesCount": 41,
        "lastReportedDateTime": "2021-05-18T19:03:10.1234567+02:00",
    }
    requests = [
        ("PATCH", one, body, AUTH),
        ("GET", one, None, AUTH),
        ("GET", two, None, AUTH),
        ("PATCH", one, {"status": "compliant"}, AUTH),
        ("GET", one, None, AUTH),
        ("PATCH", one, {"devicesCount": "x"}, AUTH),
        ("PATCH", one, {"status": None}, AUTH),
        ("PATCH", one, {"unknownThing": 1}, AUTH),
        ("PATCH", one, {"@odata.type": "#microsoft.graph.user", "devicesCount": 1}, AUTH),
        ("PATCH", one.rsplit("/", 1)[0] + "/missing", {"devicesCount": 1}, AUTH),
        ("GET", one, None, {}),
        ("GET", one, None, {"Authorization": "Bearer wrong"}),
        ("GET", one.rsplit("/", 1)[0], None, AUTH),
    ]
    transcript: list[Any] = []
    async with http_for(app) as http:
        for method, url, payload, headers in requests:
            reply = await http.request(method, url, json=payload, headers=headers)
            transcript.append(_normalise(reply))
    return transcript


def _normalise(reply) -> dict[str, Any]:
    try:
        body = reply.json()
    except ValueError:
        body = reply.text
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        body["error"].pop("innerError", None)
        body["error"].pop("message", None)
    return {
        "status": reply.status_code,
        "type": reply.headers.get("content-type"),
        "challenge": "www-authenticate" in reply.headers,
        "body": body,
    }


# --- the catalogue ----------------------------------------------------------------------------


def test_the_manual_prints_the_catalogue():
    """docs/mock.md's fault table is the catalogue's own: a fault or a check added here and not
    there fails (the table had lost `server-error-on-invalid` and a check once)."""
    table = F.faults_markdown()
    assert table.strip() in page("mock.md")
    assert table.count("\n") == len(FAULTS) + 2
    for fault in FAULTS.values():
        assert f"| `{fault.name}` | {fault.kind} |" in table


def test_catalogue_has_a_dozen_defects_each_caught_by_named_checks():
    assert len(DEFECTS) >= 12
    for name, fault in FAULTS.items():
        assert fault.name == name and fault.description.endswith(".")
        if fault.kind == "defect":
            assert fault.caught_by and fault.caught_by <= F.CHECKS, name
        else:
            assert fault.caught_by == frozenset(), name
    assert set(OPERATIONAL) >= {
        "throttle",
        "throttle-fractional",
        "transient-503",
        "latency",
        "eventual-consistency",
        "minimal-204",
    }
    caught = set().union(*(FAULTS[d].caught_by for d in DEFECTS))
    assert caught == F.CHECKS, "every check has at least one defect proving it"


@pytest.mark.parametrize("defect", DEFECTS)
async def test_each_defect_changes_what_a_client_observes(fault_contracts, defect):
    clean = await scenario(create_app(fault_contracts, token="t"), fault_contracts)
    broken = await scenario(
        create_app(fault_contracts, token="t", faults=[defect]), fault_contracts
    )
    assert broken != clean
    assert (
        await scenario(create_app(fault_contracts, token="t", faults=[defect]), fault_contracts)
        == broken
    ), "defects must be deterministic"


# --- each defect does what its description says -----------------------------------------------


async def patch_and_get(fault_contracts, faults, body, *, sibling=False):
    app = create_app(fault_contracts, faults=faults)
    _, one, two = target(app, fault_contracts)
    async with http_for(app) as http:
        before = (await http.get(one, headers=AUTH)).json()
        reply = await http.patch(one, json=body, headers=AUTH)
        after = (await http.get(two if sibling else one, headers=AUTH)).json()
    return before, reply, after


async def test_drop_field_omits_the_first_sent_property_only_in_the_reply(fault_contracts):
    _, reply, after = await patch_and_get(
        fault_contracts, ["drop-field"], {"devicesCount": 9, "status": "error"}
    )
    assert "devicesCount" not in reply.json() and reply.json()["status"] == "error"
    assert after["devicesCount"] == 9


async def test_not_persisted_echoes_but_keeps_the_old_values(fault_contracts):
    before, reply, after = await patch_and_get(
        fault_contracts, ["not-persisted"], {"devicesCount": 9}
    )
    assert reply.json()["devicesCount"] == 9 and after == before


async def test_replace_not_merge_resets_unsent_properties(fault_contracts):
    before, _, after = await patch_and_get(
        fault_contracts, ["replace-not-merge"], {"devicesCount": 9}
    )
    assert before["userDisplayName"] and after["userDisplayName"] in (None, "")


async def test_mangle_string_in_changes_every_string(fault_contracts):
    _, reply, after = await patch_and_get(
        fault_contracts, ["mangle-string-in"], {"userDisplayName": ""}
    )
    assert reply.json()["userDisplayName"] != "" and after["userDisplayName"] != ""


async def test_datetime_truncated_drops_fraction_and_offset(fault_contracts):
    body = {"lastReportedDateTime": "2021-05-18T19:03:10.5+02:00"}
    _, reply, _ = await patch_and_get(fault_contracts, ["datetime-truncated"], body)
    assert reply.json()["lastReportedDateTime"] == "2021-05-18T19:03:10Z"


async def test_int_off_by_one_out_shows_plus_one_but_stores_right(fault_contracts):
    app = create_app(fault_contracts, faults=["int-off-by-one-out"])
    _, one, _ = target(app, fault_contracts)
    async with http_for(app) as http:
        reply = await http.patch(one, json={"devicesCount": 9}, headers=AUTH)
        assert reply.json()["devicesCount"] == 10
        assert (await http.get(one, headers=AUTH)).json()["devicesCount"] == 10
    assert app.state.graph.store.resolve("beta", one.split("/")[2:]).data["devicesCount"] == 9


@pytest.mark.parametrize(
    ("fault", "body"),
    [
        ("accept-invalid", {"devicesCount": "nine"}),
        ("accept-invalid", {"status": "bogus"}),
        ("accept-unknown-properties", {"somethingElse": 1}),
        ("accept-wrong-odata-type", {"@odata.type": "#microsoft.graph.user", "devicesCount": 2}),
    ],
)
async def test_accepting_defects_answer_200_to_invalid_bodies(fault_contracts, fault, body):
    _, clean, _ = await patch_and_get(fault_contracts, [], body)
    _, reply, _ = await patch_and_get(fault_contracts, [fault], body)
    assert clean.status_code == 400 and reply.status_code == 200


async def test_accept_null_stores_null_for_a_non_nullable_property():
    widget = Contract(
        "beta",
        "microsoft.graph.widget",
        ["/widgets/{widgetId}"],
        [Property("id", "Edm.String", key=True), Property("count", "Edm.Int32", nullable=False)],
        200,
    )
    app = create_app([widget], faults=["accept-null"])
    path = "/beta" + app.state.graph.store.sample("beta", "/widgets/{widgetId}")
    async with http_for(app) as http:
        reply = await http.patch(path, json={"count": None}, headers=AUTH)
    assert reply.status_code == 200 and reply.json()["count"] is None


async def test_status_201_and_minimal_204(fault_contracts):
    _, created, _ = await patch_and_get(fault_contracts, ["status-201"], {"devicesCount": 1})
    _, minimal, after = await patch_and_get(fault_contracts, ["minimal-204"], {"devicesCount": 1})
    assert created.status_code == 201 and created.json()["devicesCount"] == 1
    assert minimal.status_code == 204 and minimal.content == b"" and after["devicesCount"] == 1


async def test_error_and_auth_defects(fault_contracts):
    app = create_app(fault_contracts, faults=["wrong-error-shape", "no-auth-challenge"])
    _, one, _ = target(app, fault_contracts)
    async with http_for(app) as http:
        bad = await http.patch(one, json={"devicesCount": "x"}, headers=AUTH)
        unauth = await http.get(one)
    assert bad.status_code == 400 and "error" not in bad.json()
    assert unauth.status_code == 401 and "www-authenticate" not in unauth.headers
    app = create_app(fault_contracts, token="right", faults=["no-auth"])
    async with http_for(app) as http:
        assert (await http.get(one)).status_code == 200
        assert (await http.get(one, headers={"Authorization": "Bearer wrong"})).status_code == 200


async def test_not_found_defects(fault_contracts):
    for fault, status in (("not-found-creates", 200), ("not-found-400", 400), (None, 404)):
        app = create_app(fault_contracts, faults=[fault] if fault else [])
        _, one, _ = target(app, fault_contracts)
        missing = one.rsplit("/", 1)[0] + "/00000000-0000-0000-0000-000000000000"
        async with http_for(app) as http:
            reply = await http.patch(missing, json={"devicesCount": 3}, headers=AUTH)
            assert reply.status_code == status, fault
            if fault == "not-found-creates":
                got = await http.get(missing, headers=AUTH)
                assert got.status_code == 200 and got.json()["devicesCount"] == 3


async def test_shape_defects(fault_contracts):
    app = create_app(
        fault_contracts, faults=["wrong-odata-type", "missing-context", "numbers-as-strings-out"]
    )
    _, one, _ = target(app, fault_contracts)
    async with http_for(app) as http:
        body = (await http.get(one, headers=AUTH)).json()
    assert body["@odata.type"] == "#microsoft.graph.entity" and "@odata.context" not in body
    assert isinstance(body["devicesCount"], str)
    app = create_app(fault_contracts, faults=["wrong-content-type"])
    async with http_for(app) as http:
        reply = await http.get(one, headers=AUTH)
    assert reply.headers["content-type"].startswith("text/plain") and json.loads(reply.text)


async def test_touch_sibling_writes_into_another_entity(fault_contracts):
    _, _, sibling = await patch_and_get(
        fault_contracts, ["touch-sibling"], {"devicesCount": 77}, sibling=True
    )
    _, _, untouched = await patch_and_get(fault_contracts, [], {"devicesCount": 77}, sibling=True)
    assert sibling["devicesCount"] == 77 and untouched["devicesCount"] != 77


# --- operational faults -----------------------------------------------------------------------


async def statuses(app: Starlette, url: str, n: int) -> list[Any]:
    async with http_for(app) as http:
        replies = [await http.get(url, headers=AUTH) for _ in range(n)]
    return [(r.status_code, r.headers.get("retry-after")) for r in replies]


async def test_throttle_every_third_request_with_integer_retry_after(fault_contracts):
    app = create_app(fault_contracts, faults=["throttle"])
    seen = await statuses(app, "/beta/deviceManagement/deviceConfigurations", 6)
    assert seen == [(200, None), (200, None), (429, "0")] * 2


async def test_a_throttled_patch_changes_nothing(fault_contracts):
    app = create_app(fault_contracts, faults=["throttle"])
    _, one, _ = target(app, fault_contracts)
    async with http_for(app) as http:
        before = (await http.get(one, headers=AUTH)).json()
        assert (await http.get(one, headers=AUTH)).status_code == 200
        body = {"devicesCount": before["devicesCount"] + 1}
        throttled = await http.patch(one, json=body, headers=AUTH)
        after = (await http.get(one, headers=AUTH)).json()
    assert throttled.status_code == 429
    assert after["devicesCount"] == before["devicesCount"]


async def test_throttle_fractional_enforces_its_window(fault_contracts):
    app = create_app(fault_contracts, faults=["throttle-fractional"])
    url = "/beta/deviceManagement/deviceConfigurations"
    seen = await statuses(app, url, 5)
    assert [s for s, _ in seen[:4]] == [200, 200, 200, 429]
    assert seen[3][1] == "0.25" and seen[4][0] == 429 and 0 < float(seen[4][1]) <= 0.25
    time.sleep(F.FRACTIONAL_RETRY_AFTER)
    assert (await statuses(app, url, 1))[0][0] == 200


async def test_transient_503_every_fourth_request(fault_contracts):
    app = create_app(fault_contracts, faults=["transient-503"])
    seen = await statuses(app, "/beta/deviceManagement/deviceConfigurations", 8)
    assert [s for s, _ in seen] == [200, 200, 200, 503] * 2


async def test_latency_delays_every_request(fault_contracts):
    app = create_app(fault_contracts, faults=["latency"])
    start = time.perf_counter()
    await statuses(app, "/beta/deviceManagement/deviceConfigurations", 3)
    assert time.perf_counter() - start >= 3 * F.LATENCY


async def test_eventual_consistency_shows_old_value_for_a_short_window(fault_contracts):
    app = create_app(fault_contracts, faults=["eventual-consistency"])
    _, one, _ = target(app, fault_contracts)
    async with http_for(app) as http:
        old = (await http.get(one, headers=AUTH)).json()["devicesCount"]
        reply = await http.patch(one, json={"devicesCount": old + 5}, headers=AUTH)
        assert reply.json()["devicesCount"] == old + 5
        assert (await http.get(one, headers=AUTH)).json()["devicesCount"] == old
        time.sleep(F.CONSISTENCY_WINDOW + 0.05)
        assert (await http.get(one, headers=AUTH)).json()["devicesCount"] == old + 5


async def test_operational_faults_keep_graph_headers(fault_contracts):
    app = create_app(fault_contracts, faults=["throttle"])
    async with http_for(app) as http:
        for _ in range(3):
            reply = await http.get("/beta/deviceManagement/deviceConfigurations", headers=AUTH)
    assert reply.status_code == 429 and reply.headers["content-type"] == GRAPH_JSON
    assert reply.json()["error"]["code"] == "TooManyRequests"
