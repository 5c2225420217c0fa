"""The independent reference Graph server (tests/reference), observed only through HTTP.

In-process over httpx.ASGITransport, and once as a real process. The server must share no code
with graph_contracts (an AST scan below), follow the docs and GRAPH-FACTS.md by default, keep
values semantically equal in every faithful variant, and show every defect to a client in the
place its catalogue entry names.
"""

from __future__ import annotations

import ast
import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from reference import CATALOGUE, DEFECTS, VARIANTS, UnknownBehaviour, create_app
from reference import values as V
from reference.app import GRAPH_JSON, ReferenceGraph
from reference.mangling import PRECISION_DEFECTS
from reference.schema import Resource

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
TOKEN = "reference-token"
WIDGET = "microsoft.graph.widget"
LEVELS = ["low", "medium", "high"]
PLATFORMS = ["none", "windows", "ios", "android"]
STAGES = ["draft", "final", "unknownFutureValue", "archived"]  # an evolvable enum


# --- a contract with every value kind ------------------------------------------------------------


def _prop(name: str, type_: str, **extra: Any) -> dict[str, Any]:
    base = {"name": name, "type": type_, "enum": None, "nullable": None, "key": False}
    return {**base, "read_only": False, **extra}


WIDGET_CONTRACT = {
    "version": "beta",
    "resource": WIDGET,
    "paths": [
        "/widgets/{widgetId}",
        "/widgetGroups/{widgetGroupId}/microsoft.graph.specialGroup/widgets/{widgetId}",
        "/widgetGroups/{widgetGroupId}/microsoft.graph.plainGroup/widgets/{widgetId}",
        "/widgetGroups/{widgetGroupId}/parts/range({address})",
    ],
    "status": 200,
    "properties": [
        _prop("id", "Edm.String", key=True, nullable=False),
        _prop("name", "Edm.String"),
        _prop("count", "Edm.Int32", nullable=False),
        _prop("big", "Edm.Int64"),
        _prop("small", "Edm.Byte"),
        _prop("ratio", "Edm.Double"),
        _prop("weight", "Edm.Single"),
        _prop("price", "Edm.Decimal"),
        _prop("enabled", "Edm.Boolean"),
        _prop("token", "Edm.Guid"),
        _prop("birthday", "Edm.Date"),
        _prop("alarm", "Edm.TimeOfDay"),
        _prop("period", "Edm.Duration"),
        _prop("seen", "Edm.DateTimeOffset"),
        _prop("blob", "Edm.Binary"),
        _prop("level", "microsoft.graph.widgetLevel"),
        _prop("platforms", "microsoft.graph.widgetPlatform"),
        _prop("stage", "microsoft.graph.widgetStage"),
        _prop("tags", "Collection(Edm.String)"),
        _prop("settings", "microsoft.graph.widgetSettings"),
        _prop("rules", "Collection(microsoft.graph.widgetSettings)"),
        _prop("notes", "Edm.String", nullable=True),
        _prop("createdDateTime", "Edm.DateTimeOffset", read_only=True),
    ],
    "types": {
        "microsoft.graph.widgetLevel": {
            "name": "microsoft.graph.widgetLevel",
            "kind": "enum",
            "members": LEVELS,
            "flags": False,
            "properties": [],
        },
        "microsoft.graph.widgetPlatform": {
            "name": "microsoft.graph.widgetPlatform",
            "kind": "enum",
            "members": PLATFORMS,
            "flags": True,
            "properties": [],
        },
        "microsoft.graph.widgetStage": {
            "name": "microsoft.graph.widgetStage",
            "kind": "enum",
            "members": STAGES,
            "flags": False,
            "properties": [],
        },
        "microsoft.graph.widgetSettings": {
            "name": "microsoft.graph.widgetSettings",
            "kind": "complex",
            "members": None,
            "flags": False,
            "properties": [
                _prop("mode", "microsoft.graph.widgetLevel"),
                _prop("label", "Edm.String"),
                _prop("retries", "Edm.Int32", nullable=False),
                _prop("window", "Edm.Duration"),
                _prop("inner", "microsoft.graph.widgetInner"),
            ],
        },
        "microsoft.graph.widgetInner": {
            "name": "microsoft.graph.widgetInner",
            "kind": "complex",
            "members": None,
            "flags": False,
            "properties": [_prop("kind", "microsoft.graph.widgetLevel"), _prop("code", "Edm.Guid")],
        },
    },
    "examples": [
        {"kind": "request", "body": {"@odata.type": "#microsoft.graph.widget", "name": "x"}},
        {"kind": "request", "body": {"@odata.type": "#microsoft.graph.specialWidget"}},
    ],
}
# A body with one of everything, spelled as a client might (offsets, upper case, base64url).
RICH_BODY: dict[str, Any] = {
    "@odata.type": "#microsoft.graph.widget",
    "name": "  Zoë ",
    "count": 2147483647,
    "big": -9223372036854775808,
    "small": 255,
    "ratio": 15.0,
    "weight": 0.5,
    "price": 12.50,
    "enabled": False,
    "token": "6F9619FF-8B86-D011-B42D-00C04FC964FF",
    "birthday": "2021-07-01",
    "alarm": "12:30",
    "period": "PT1.10S",
    "seen": "2017-01-01T00:00:17.7769392-08:00",
    "blob": "AQID-_8",
    "level": "medium",
    "platforms": "android,windows",
    "stage": "final",
    "tags": ["a", "b", "c"],
    "settings": {
        "@odata.type": "#microsoft.graph.widgetSettings",
        "mode": "high",
        "retries": 3,
        "window": "P1DT2H",
        "inner": {"kind": "low", "code": "00000000-0000-0000-0000-00000000000A"},
    },
    "rules": [{"mode": "low", "retries": 1}, {"mode": "medium", "retries": 2}],
}


@pytest.fixture(scope="module")
def widget_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("reference-contracts")
    (folder / "beta").mkdir()
    (folder / "beta" / "widget.json").write_text(json.dumps(WIDGET_CONTRACT), encoding="utf-8")
    index = {"contracts": [{"file": "beta/widget.json"}]}
    (folder / "index.json").write_text(json.dumps(index), encoding="utf-8")
    return folder


# --- a small synchronous HTTP client over ASGI -----------------------------------------------------


class Http:
    """httpx.AsyncClient over ASGITransport, called synchronously; retries 429 as a client would."""

    def __init__(self, app: ReferenceGraph) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://graph.test"
        )

    def request(
        self, method: str, path: str, *, token: str | None = TOKEN, retry: bool = True, **kw: Any
    ) -> httpx.Response:
        headers = dict(kw.pop("headers", {}))
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        for _ in range(20):
            response = self.loop.run_until_complete(
                self.client.request(method, path, headers=headers, **kw)
            )
            if response.status_code != 429 or not retry:
                return response
            time.sleep(float(response.headers["Retry-After"]))
        return response

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("GET", path, **kw)

    def patch(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("PATCH", path, **kw)

    def close(self) -> None:
        self.loop.run_until_complete(self.client.aclose())
        self.loop.close()


@pytest.fixture
def serve(widget_dir: Path) -> Iterator[Callable[..., Http]]:
    opened: list[Http] = []

    def make(contracts: Path | None = None, **options: Any) -> Http:
        http = Http(create_app(contracts or widget_dir, token=TOKEN, **options))
        opened.append(http)
        return http

    yield make
    for http in opened:
        http.close()


def first_widget(http: Http) -> tuple[str, str]:
    """(path, sibling path) of the first two widgets, found by listing as a client does."""
    listing = http.get("/beta/widgets")
    assert listing.status_code == 200
    ids = [item["id"] for item in listing.json()["value"]]
    return f"/beta/widgets/{ids[0]}", f"/beta/widgets/{ids[1]}"


def widget_resource(http: Http) -> Resource:
    return http.app.store.resources[("beta", WIDGET)]


def semantic(http: Http, body: Any, names: Any) -> dict[str, str]:
    """The named properties of a reply, parsed and re-written canonically (equal values compare
    equal whatever their spelling); `<absent>` for a missing one."""
    resource = widget_resource(http)
    context = V.Context(resource.complex_types, resource.derives)
    out = {}
    for name in names:
        if not isinstance(body, dict) or name not in body:
            out[name] = "<absent>"
            continue
        found = resource.fields[name]
        try:
            value = V.parse(body[name], found.type, True, name, context)
        except V.Invalid as exc:
            out[name] = f"<invalid: {exc}>"
            continue
        out[name] = V.write_json(V.render(value, found.type))
    return out


# --- independence ---------------------------------------------------------------------------------


def test_reference_imports_nothing_of_graph_contracts() -> None:
    """Directly, lazily (inside functions) or through importlib: no graph_contracts anywhere."""
    offenders = []
    files = sorted((TESTS / "reference").glob("*.py"))
    assert len(files) >= 8
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                names = [node.value] if node.value.startswith("graph_contracts") else []
            offenders += [
                f"{path.name}:{node.lineno}: {n}" for n in names if "graph_contracts" in n
            ]
    assert not offenders


# --- auth, headers, errors --------------------------------------------------------------------------


def test_auth_headers_and_error_shape(serve: Callable[..., Http]) -> None:
    http = serve()
    path, _ = first_widget(http)
    for token in (None, "wrong"):
        response = http.patch(path, json={"name": "x"}, token=token)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer ")
        error = response.json()["error"]
        assert error["code"] == "InvalidAuthenticationToken" and error["message"]
        assert set(error["innerError"]) == {"date", "request-id", "client-request-id"}
        assert len(error["innerError"]["date"]) == len("2021-05-18T19:03:10")
    response = http.get(path, headers={"client-request-id": "abc-123"})
    assert response.status_code == 200
    assert response.headers["content-type"] == GRAPH_JSON
    assert response.headers["client-request-id"] == "abc-123"
    assert response.headers["request-id"] and response.headers["request-id"] != "abc-123"
    plain = http.get(path).headers  # without one sent, Graph echoes its own request id
    assert plain["client-request-id"] == plain["request-id"]


# --- routing ------------------------------------------------------------------------------------


def test_collections_along_the_path_reach_entities_of_the_right_type(
    serve: Callable[..., Http],
) -> None:
    http = serve()
    groups = http.get("/beta/widgetGroups")
    assert groups.status_code == 200 and groups.json()["@odata.context"].endswith("#widgetGroups")
    members = groups.json()["value"]
    special = [g for g in members if g.get("@odata.type") == "#microsoft.graph.specialGroup"]
    assert len(special) >= 2
    base = f"/beta/widgetGroups/{special[0]['id']}/microsoft.graph.specialGroup/widgets"
    widgets = http.get(base).json()["value"]
    assert len(widgets) >= 2 and all("@odata.type" not in w for w in widgets)
    entity = http.get(f"{base}/{widgets[0]['id']}")
    assert entity.status_code == 200
    body = entity.json()
    assert "@odata.type" not in body  # minimal metadata: the declared type needs no annotation
    assert body["@odata.context"].endswith("/$entity") and body["id"] == widgets[0]["id"]
    # a cast the entity does not satisfy is 404; an unknown segment 400; an affixed key 400
    plain = next(g for g in members if g not in special)
    wrong = http.get(f"/beta/widgetGroups/{plain['id']}/microsoft.graph.specialGroup/widgets")
    assert wrong.status_code == 404 and wrong.json()["error"]["code"] == "ResourceNotFound"
    unknown = http.get(f"{base}/{widgets[0]['id']}/nothing")
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "BadRequest"
    assert http.get(f"/beta/widgetGroups/{plain['id']}/parts/range(A1)").status_code == 400
    missing = http.get("/beta/widgets/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "ResourceNotFound"
    assert http.get("/v9.9/widgets").status_code == 400


def test_methods_other_than_get_and_patch_are_405(serve: Callable[..., Http]) -> None:
    http = serve()
    path, _ = first_widget(http)
    response = http.request("DELETE", path)
    assert response.status_code == 405 and response.headers["Allow"] == "GET, PATCH"
    assert http.patch("/beta/widgets", json={}).status_code == 405


# --- PATCH: the body ------------------------------------------------------------------------------


def test_patch_body_rules(serve: Callable[..., Http]) -> None:
    http = serve()
    path, _ = first_widget(http)
    before = http.get(path).json()

    def status(content: bytes, content_type: str = "application/json") -> int:
        return http.patch(path, content=content, headers={"Content-Type": content_type}).status_code

    assert status(b'{"name": "x"}', "text/plain") == 415
    assert status(b'{"name": "x"') == 400
    assert status(b'{"name": "x", "name": "y"}') == 400  # duplicate names
    assert status(b"[]") == 400 and status(b'"text"') == 400 and status(b"null") == 400
    assert status(b"") == 400
    assert status(b'{"ratio": NaN}') == 400
    assert status(b'{"name": ' + b"[" * 101 + b"]" * 101 + b"}") == 400  # deeper than 100 levels
    assert status(b'{"name": ' + b"[" * 5000 + b"]" * 5000 + b"}") == 400
    assert status(b'{"ratio": 1e400}') == 400 and status(b'{"price": 1e400}') == 400
    assert status(b'{"nothing": 1}') == 400
    assert status(b'{"name": "\\ud800"}') == 400  # lone surrogate in a value
    assert status(b'{"\\udc00": 1}') == 400  # and in a name
    assert status(json.dumps({"name": "x" * (4 * 2**20)}).encode()) == 413
    assert status(b'{"@odata.type": "#microsoft.graph.user"}') == 400
    # `{}` is a no-op that answers the entity
    empty = http.patch(path, json={})
    assert empty.status_code == 200 and empty.json()["name"] == before["name"]
    # the contract's type with or without `#`, and a derived type its examples send
    for odata_type in (WIDGET, f"#{WIDGET}", "#microsoft.graph.specialWidget"):
        assert http.patch(path, json={"@odata.type": odata_type}).status_code == 200
    # key and read-only values are ignored, not validated, not stored
    ignored = http.patch(path, json={"id": 12, "createdDateTime": "never", "name": "kept"})
    assert ignored.status_code == 200
    after = http.get(path).json()
    assert after["id"] == before["id"] and after["createdDateTime"] == before["createdDateTime"]
    assert after["name"] == "kept"
    assert http.get(path).json() == {**before, "name": "kept"}


VALID = [
    ("count", -2147483648, -2147483648),
    ("big", 9223372036854775807, 9223372036854775807),
    ("small", 0, 0),
    ("ratio", 12, 12.0),
    ("ratio", "-INF", "-INF"),
    ("ratio", "NaN", "NaN"),
    ("ratio", 1e-07, 1e-07),
    ("weight", 0.1, 0.1),
    ("price", 1.5, 1.5),
    ("enabled", True, True),
    ("token", "{6F9619FF-8B86-D011-B42D-00C04FC964FF}", "6f9619ff-8b86-d011-b42d-00c04fc964ff"),
    ("token", "6f9619ff8b86d011b42d00c04fc964ff", "6f9619ff-8b86-d011-b42d-00c04fc964ff"),
    ("birthday", "0001-01-01", "0001-01-01"),
    ("alarm", "23:59:59.12345678", "23:59:59.1234567"),
    ("period", "PT60S", "PT1M"),
    ("period", "P1DT2H0M0.000S", "P1DT2H"),
    ("period", "PT0S", "PT0S"),
    ("period", "-P10675199DT2H48M5.4775807S", "-P10675199DT2H48M5.4775807S"),
    ("seen", "2017-01-01T00:00:17.7769392-08:00", "2017-01-01T08:00:17.7769392Z"),
    ("seen", "2017-01-01T00:00Z", "2017-01-01T00:00:00.0000000Z"),
    ("seen", "2017-01-01T00:00:00.123456789012+14:00", "2016-12-31T10:00:00.1234568Z"),
    ("seen", "2017-01-01T00:00:00.00000005Z", "2017-01-01T00:00:00.0000000Z"),  # half to even
    ("seen", "0001-01-01T05:00:00+05:00", "0001-01-01T00:00:00.0000000Z"),
    ("blob", "AQID-_8", "AQID+/8="),
    ("blob", "AQID+/8=", "AQID+/8="),
    ("blob", "", ""),
    ("blob", "AQI", "AQI="),  # base64url without its padding
    ("level", "high", "high"),
    ("platforms", "android, windows,android", "windows,android"),
    ("tags", [], []),
    ("notes", None, None),
    ("name", None, None),  # nullability unknown and no CSDL: nullable
]


@pytest.mark.parametrize(("name", "sent", "stored"), VALID)
def test_valid_values_are_stored_in_canonical_spelling(
    name: str, sent: Any, stored: Any, serve: Callable[..., Http]
) -> None:
    http = serve()
    path, _ = first_widget(http)
    reply = http.patch(path, json={name: sent})
    assert reply.status_code == 200, reply.text
    assert reply.json()[name] == stored
    assert http.get(path).json()[name] == stored


INVALID = [
    ("count", 2147483648),
    ("count", "12"),
    ("count", 1.5),
    ("count", None),  # the contract says not nullable
    ("small", 256),
    ("small", -1),
    ("big", 9223372036854775808),
    ("ratio", "12.5"),
    ("ratio", True),
    ("weight", 3.5e38),
    ("price", "INF"),
    ("price", 1e30),
    ("enabled", "true"),
    ("name", 12),
    ("token", "not-a-guid"),
    ("token", "00000000-0000-0000-0000-00000000001"),
    ("birthday", "2021-02-30"),
    ("birthday", "01/02/2021"),
    ("alarm", "24:00:00"),
    ("period", "P"),
    ("period", "PT"),
    ("period", "P1Y"),
    ("period", "PT2147483648S"),
    ("period", "P10675199DT2H48M5.4775808S"),
    ("seen", "2021-01-01T00:00:00+14:30"),
    ("seen", "2021-01-01T00:00:00-15:00"),
    ("seen", "0001-01-01T00:00:00+05:00"),
    ("seen", "9999-12-31T23:59:59-01:00"),
    ("seen", "2021-01-01T10:00:00"),
    ("seen", "2021-01-01 10:00:00Z"),
    ("seen", "2021-01-01T10:00:00.1234567890123Z"),
    ("seen", "2021-02-30T00:00:00Z"),
    ("blob", "not base64!"),
    ("blob", "AQIDB"),  # a last group of one character cannot be base64
    ("blob", "AQI=="),
    ("level", "graphContractsUnknownMember"),
    ("level", 1),
    ("platforms", "windows,graphContractsUnknownMember"),
    ("tags", "a"),
    ("tags", [None]),
    ("tags", {"value": []}),
    ("settings", 12),
    ("settings", {"graphContractsUnknownProperty": 1}),
    ("settings", {"retries": None}),
    ("settings", {"@odata.type": "#microsoft.graph.user"}),
    ("rules", [{"mode": "nope"}]),
]


@pytest.mark.parametrize(("name", "sent"), INVALID)
def test_invalid_values_are_rejected_and_change_nothing(
    name: str, sent: Any, serve: Callable[..., Http]
) -> None:
    http = serve()
    path, _ = first_widget(http)
    before = http.get(path).json()
    response = http.patch(path, json={name: sent})
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "BadRequest"
    assert http.get(path).json() == before


def test_nullability_unknown_in_the_docs_comes_from_the_csdl(
    serve: Callable[..., Http], shared: Path
) -> None:
    """devicesCount: the docs are silent, CSDL says Nullable="false"; userDisplayName: nullable."""
    csdl = [shared / "corpus" / "csdl" / "beta_metadata.xml"]
    for files, expected in ((csdl, 400), ((), 200)):
        http = serve(ROOT / "contracts", csdl=files)
        configurations = http.get("/beta/deviceManagement/deviceConfigurations").json()["value"]
        base = f"/beta/deviceManagement/deviceConfigurations/{configurations[0]['id']}/userStatuses"
        path = f"{base}/{http.get(base).json()['value'][0]['id']}"
        assert http.patch(path, json={"devicesCount": None}).status_code == expected
        assert http.patch(path, json={"userDisplayName": None}).status_code == 200


# --- complex values -------------------------------------------------------------------------------


def test_complex_values_are_replaced_then_filled(serve: Callable[..., Http]) -> None:
    http = serve()
    path, _ = first_widget(http)
    reply = http.patch(
        path, json={"settings": {"@odata.type": "#microsoft.graph.widgetSettings", "label": "only"}}
    )
    assert reply.status_code == 200
    settings = http.get(path).json()["settings"]
    # members not sent: null where nullable (unknown: nullable), the zero value where not
    assert settings == {"mode": None, "label": "only", "retries": 0, "window": None, "inner": None}
    rules = http.patch(path, json={"rules": [{"window": "PT1M"}]}).json()["rules"]
    assert rules == [{"mode": None, "label": None, "retries": 0, "window": "PT1M", "inner": None}]


def test_echo_annotations_variant(serve: Callable[..., Http]) -> None:
    sent = {"settings": {"@odata.type": "#microsoft.graph.widgetSettings", "retries": 1}}
    for variants, expected in (
        ((), None),
        (("echo-annotations",), "#microsoft.graph.widgetSettings"),
    ):
        http = serve(variants=variants)
        path, _ = first_widget(http)
        assert http.patch(path, json=sent).json()["settings"].get("@odata.type") == expected
        assert http.get(path).json()["settings"].get("@odata.type") == expected


OPT_IN = {"Prefer": "return=representation, include-unknown-enum-members"}


def test_members_after_the_sentinel_follow_graphs_evolvable_enum_pattern(
    serve: Callable[..., Http],
) -> None:
    """microsoft/api-guidelines, graph/patterns/evolvable-enums.md: hidden behind the sentinel and
    refused unless the request opts in; `Preference-Applied` when it does; the sentinel sent
    leaves the property as it was."""
    http = serve()
    path, _ = first_widget(http)
    refused = http.patch(path, json={"stage": "archived"})
    assert refused.status_code == 400 and "include-unknown-enum-members" in refused.text
    written = http.patch(path, json={"stage": "archived", "name": "n"}, headers=OPT_IN)
    assert written.status_code == 200 and written.json()["stage"] == "archived"
    assert written.headers["preference-applied"] == "include-unknown-enum-members"
    assert http.get(path, headers=OPT_IN).json()["stage"] == "archived"
    plain = http.get(path)
    assert plain.json()["stage"] == "unknownFutureValue"
    assert "preference-applied" not in plain.headers
    listed = http.get("/beta/widgets").json()["value"]
    assert "unknownFutureValue" in [w["stage"] for w in listed]
    kept = http.patch(path, json={"stage": "unknownFutureValue", "name": "m"}, headers=OPT_IN)
    assert kept.status_code == 200 and kept.json()["stage"] == "archived"
    assert kept.json()["name"] == "m"
    assert http.patch(path, json={"stage": "draft"}).status_code == 200  # no opt-in needed


@pytest.mark.parametrize(
    ("variant", "patch_status", "patch_shows", "get_shows"),
    [
        ("opt-in-ignored", 400, None, "unknownFutureValue"),
        ("opt-in-ignored-on-reads", 200, "archived", "unknownFutureValue"),
    ],
)
def test_opt_in_variants(
    serve: Callable[..., Http],
    variant: str,
    patch_status: int,
    patch_shows: str | None,
    get_shows: str,
) -> None:
    http = serve(variants=[variant])
    path, _ = first_widget(http)
    http.patch(path, json={"stage": "draft"})
    written = http.patch(path, json={"stage": "archived"}, headers=OPT_IN)
    assert written.status_code == patch_status
    if patch_shows is not None:
        assert written.json()["stage"] == patch_shows
        assert written.headers["preference-applied"] == "include-unknown-enum-members"
    else:
        assert "preference-applied" not in written.headers
    read = http.get(path, headers=OPT_IN)
    assert read.json()["stage"] == (get_shows if patch_shows else "draft")
    assert "preference-applied" not in read.headers


def test_seeds_never_hold_the_sentinel(serve: Callable[..., Http]) -> None:
    http = serve(seed=5)
    listed = http.get("/beta/widgets", headers=OPT_IN).json()["value"]
    assert listed and all(w["stage"] in STAGES[:2] + STAGES[3:] for w in listed)


def test_documented_204_answers_without_a_body(tmp_path: Path) -> None:
    contract = {**WIDGET_CONTRACT, "status": 204}
    (tmp_path / "beta").mkdir()
    (tmp_path / "beta" / "widget.json").write_text(json.dumps(contract), encoding="utf-8")
    (tmp_path / "index.json").write_text(json.dumps({"contracts": [{"file": "beta/widget.json"}]}))
    http = Http(create_app(tmp_path, token=TOKEN))
    try:
        path, _ = first_widget(http)
        reply = http.patch(path, json={"name": "n"})
        assert reply.status_code == 204 and reply.content == b""
        assert "content-type" not in reply.headers and reply.headers["request-id"]
        assert http.get(path).json()["name"] == "n"
    finally:
        http.close()


# --- variants keep values equal; defects show where the catalogue says -------------------------------


# The numbers a narrower float loses (the precision defects): RICH_BODY's are exact in one.
PRECISION_BODY = {**RICH_BODY, "count": 2**24 + 1, "big": 2**53 + 1, "price": 2**53 + 1}
PRECISION_BODY["ratio"] = 0.1 + 0.2  # 17 significant digits


def observe(http: Http, body: dict[str, Any] = RICH_BODY) -> dict[str, Any]:
    """What a client of one widget sees, per check, after a standard exchange."""
    path, sibling = first_widget(http)
    sent = [k for k in body if not k.startswith("@")]
    unsent = [name for name in widget_resource(http).fields if name not in sent]
    before, sibling_before = http.get(path).json(), http.get(sibling).json()
    seen: dict[str, Any] = {
        "auth": http.patch(path, json={"name": "x"}, token=None).status_code,
        "rejection": http.patch(path, json={"count": 2**31}).status_code,
    }
    unknown = path.rsplit("/", 1)[0] + "/11111111-1111-1111-1111-111111111111"
    seen["not-found"] = (
        http.patch(unknown, json={"name": "x"}).status_code,
        http.get(unknown).status_code,
    )
    reply = http.patch(path, json=body)
    answer = V.read_json(reply.content) if reply.content else None
    seen["status"] = reply.status_code
    seen["shape"] = (answer or {}).get("@odata.type")
    time.sleep(0.35 if "eventual-consistency" in http.app.behaviours else 0)
    after = V.read_json(http.get(path).content)
    seen["round-trip"] = semantic(http, answer, sent) if answer is not None else None
    seen["read-after-write"] = semantic(http, after, sent)
    seen["merge"] = (
        semantic(http, before, unsent) == semantic(http, after, unsent),
        semantic(http, sibling_before, sent) == semantic(http, http.get(sibling).json(), sent),
    )
    return seen


@pytest.fixture(scope="module")
def faithful(widget_dir: Path) -> dict[str, Any]:
    http = Http(create_app(widget_dir, token=TOKEN))
    try:
        return observe(http)
    finally:
        http.close()


def test_faithful_observation_is_what_the_docs_promise(faithful: dict[str, Any]) -> None:
    assert faithful["auth"] == 401 and faithful["rejection"] == 400
    assert faithful["not-found"] == (404, 404) and faithful["status"] == 200
    assert faithful["shape"] is None
    assert faithful["round-trip"] == faithful["read-after-write"]
    assert faithful["merge"] == (True, True)
    assert faithful["round-trip"]["token"] == '"6f9619ff-8b86-d011-b42d-00c04fc964ff"'
    assert faithful["round-trip"]["platforms"] == '"windows,android"'


@pytest.mark.parametrize("defect", sorted(DEFECTS))
def test_every_defect_shows_where_its_catalogue_entry_says(
    defect: str, serve: Callable[..., Http], faithful: dict[str, Any]
) -> None:
    if defect in PRECISION_DEFECTS:  # invisible on RICH_BODY's numbers, which is their point
        faithful = observe(serve(), PRECISION_BODY)
        seen = observe(serve(defects=[defect]), PRECISION_BODY)
    else:
        seen = observe(serve(defects=[defect]))
    changed = {check for check in faithful if seen[check] != faithful[check]}
    assert DEFECTS[defect].caught_by <= changed, (changed, seen)


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_variant_keeps_values_semantically_equal(
    variant: str, serve: Callable[..., Http], faithful: dict[str, Any]
) -> None:
    seen = observe(serve(variants=[variant]))
    assert seen["read-after-write"] == faithful["read-after-write"]
    assert seen["merge"] == faithful["merge"]
    assert seen["auth"] == 401 and seen["rejection"] == 400 and seen["not-found"] == (404, 404)
    if variant == "minimal-204":
        assert seen["status"] == 204 and seen["round-trip"] is None
    else:
        assert seen["status"] == 200 and seen["round-trip"] == faithful["round-trip"]


def test_other_spelling_differs_in_text_only(serve: Callable[..., Http]) -> None:
    canonical, other = serve(), serve(variants=["other-spelling"])
    path, _ = first_widget(canonical)
    a, b = (
        json.loads(server.patch(path, json=RICH_BODY).text, parse_float=str)  # keeps the spelling
        for server in (canonical, other)
    )
    spelled = [
        "ratio",
        "weight",
        "price",
        "token",
        "alarm",
        "seen",
        "blob",
        "platforms",
        "settings",
    ]
    for name in spelled:
        assert a[name] != b[name], name
    assert b["seen"] == "2017-01-01T08:00:17.7769392+00:00" and b["period"] == "PT1.1S"
    assert a["settings"]["window"] == "P1DT2H" and b["settings"]["window"] == "PT93600S"
    assert (
        b["token"] == "6F9619FF-8B86-D011-B42D-00C04FC964FF" and b["platforms"] == "android,windows"
    )
    assert b["ratio"] == "1.5E1" and a["ratio"] == "15.0"
    a, b = (V.read_json(server.get(path).content) for server in (canonical, other))
    assert semantic(canonical, a, spelled) == semantic(other, b, spelled)


def test_no_odata_type_and_extra_properties_variants(serve: Callable[..., Http]) -> None:
    bare = serve(variants=["no-odata-type"])
    assert all("@odata.type" not in g for g in bare.get("/beta/widgetGroups").json()["value"])
    extra = serve(variants=["extra-properties"])
    path, _ = first_widget(extra)
    body = extra.get(path).json()
    assert {"referenceRevision", "referenceNote"} <= set(body)
    assert set(body) - set(widget_resource(extra).fields) - {"@odata.context"} == {
        "referenceRevision",
        "referenceNote",
    }


def test_eventual_consistency_shows_the_old_state_for_a_while(serve: Callable[..., Http]) -> None:
    http = serve(variants=["eventual-consistency"])
    path, _ = first_widget(http)
    old = http.get(path).json()["name"]
    assert http.patch(path, json={"name": "new"}).json()["name"] == "new"
    assert http.get(path).json()["name"] == old
    time.sleep(0.35)
    assert http.get(path).json()["name"] == "new"


def test_throttle_fractional_variant(serve: Callable[..., Http]) -> None:
    http = serve(variants=["throttle-fractional"])
    statuses = [http.get("/beta/widgets", retry=False) for _ in range(4)]
    assert [r.status_code for r in statuses] == [200, 200, 200, 429]
    assert statuses[-1].headers["Retry-After"] == "0.25"
    assert statuses[-1].json()["error"]["code"] == "TooManyRequests"
    again = http.get("/beta/widgets", retry=False)  # before the time is up: 429 again
    assert again.status_code == 429 and 0 < float(again.headers["Retry-After"]) <= 0.25
    time.sleep(0.26)
    assert http.get("/beta/widgets", retry=False).status_code == 200


def test_unknown_names_are_refused(widget_dir: Path) -> None:
    with pytest.raises(UnknownBehaviour, match="no-such-thing"):
        create_app(widget_dir, token=TOKEN, variants=["no-such-thing"])
    with pytest.raises(UnknownBehaviour, match="defect 'minimal-204'"):
        create_app(widget_dir, token=TOKEN, defects=["minimal-204"])
    assert {b.kind for b in CATALOGUE} == {"variant", "defect"}


# --- write budget and counters ---------------------------------------------------------------------


def test_write_budget_answers_429_with_a_fractional_retry_after(serve: Callable[..., Http]) -> None:
    http = serve(write_budget=(2, 0.4))
    path, _ = first_widget(http)
    assert [http.patch(path, json={"name": str(i)}).status_code for i in range(2)] == [200, 200]
    throttled = http.patch(path, json={"name": "late"}, retry=False)
    assert throttled.status_code == 429
    assert throttled.json()["error"]["code"] == "TooManyRequests"
    wait = throttled.headers["Retry-After"]
    assert "." in wait and 0 < float(wait) <= 0.4
    assert http.get(path).status_code == 200  # reads are not budgeted
    stats = http.get("/_reference/stats", token=None).json()
    assert stats == {"requests": 5, "writes": 2, "throttled": 1}
    time.sleep(float(wait))
    assert http.patch(path, json={"name": "later"}, retry=False).status_code == 200
    assert http.get("/_reference/stats", token=None).json()["writes"] == 3


# --- the rich corpus contracts ---------------------------------------------------------------------


def walk(http: Http, version: str, template: str, resource: str) -> str | None:
    """A concrete path for `template`, found by listing collections as a client does."""
    parts = [s for s in template.split("/") if s]

    def go(prefix: str, rest: list[str]) -> str | None:
        for i, segment in enumerate(rest):
            if not segment.startswith("{"):
                prefix += "/" + segment
                continue
            tail = rest[i + 1 :]
            wanted = (
                f"#{tail[0]}" if tail and "." in tail[0] else (None if tail else f"#{resource}")
            )
            listing = http.get(prefix)
            if listing.status_code != 200:
                return None
            items = listing.json()["value"]
            items.sort(key=lambda item: item.get("@odata.type") not in (None, wanted))
            for item in items:
                found = go(f"{prefix}/{item['id']}", tail)
                if found is not None:
                    return found
            return None
        entity = http.get(prefix)
        ok = entity.status_code == 200 and entity.json().get("@odata.type") in (
            None,
            f"#{resource}",
        )
        return prefix if ok else None

    return go(f"/{version}", parts)


@pytest.fixture(scope="module")
def rich_dir(tmp_path_factory: pytest.TempPathFactory, shared: Path) -> Path:
    from rich_corpus import save_rich

    folder = tmp_path_factory.mktemp("rich")
    save_rich(folder, shared / "corpus")
    return folder


@pytest.mark.slow
def test_rich_contracts_cover_the_kinds_and_the_server_serves_every_path(
    rich_dir: Path, shared: Path
) -> None:
    from rich_corpus import REQUIRED, features, rich_contracts

    picked = rich_contracts(shared / "corpus")
    assert len(picked) >= 20
    assert set(REQUIRED) <= set().union(*(features(c) for c in picked))
    csdl = sorted((shared / "corpus" / "csdl").glob("*_metadata.xml"))
    app = create_app(rich_dir, token=TOKEN, csdl=csdl)
    assert not app.store.skipped
    http = Http(app)
    try:
        for contract in picked:
            for template in contract.paths:
                path = walk(http, contract.version, template, contract.resource)
                assert path is not None, (contract.id, template)
                assert http.patch(path, json={}).status_code in (200, 204)
    finally:
        http.close()


# --- the real process ----------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_the_server_as_a_process(stop: signal.Signals) -> None:
    env = {**os.environ, "PYTHONPATH": str(TESTS)}
    command = [
        sys.executable,
        "-m",
        "reference",
        "--contracts",
        str(ROOT / "contracts"),
        "--port",
        "0",
        "--token",
        TOKEN,
        "--variant",
        "minimal-204",
        "--write-budget",
        "100/20",
    ]
    process = subprocess.Popen(command, cwd=TESTS, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        assert line.startswith("Serving reference Graph at http://127.0.0.1:"), line
        url = line.rsplit(" ", 1)[-1]
        headers = {"Authorization": f"Bearer {TOKEN}"}
        with httpx.Client(base_url=url, headers=headers, timeout=10) as client:
            listing = client.get("/beta/deviceManagement/deviceConfigurations")
            assert listing.status_code == 200 and len(listing.json()["value"]) >= 2
            assert client.get("/beta/x", headers={"Authorization": ""}).status_code == 401
            assert client.get("/_reference/stats").json()["requests"] == 2
        process.send_signal(stop)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.slow
def test_the_process_refuses_bad_arguments_with_status_2() -> None:
    env = {**os.environ, "PYTHONPATH": str(TESTS)}
    command = [
        sys.executable,
        "-m",
        "reference",
        "--contracts",
        str(ROOT / "contracts"),
        "--token",
        TOKEN,
        "--defect",
        "nonsense",
    ]
    done = subprocess.run(command, cwd=TESTS, env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert "unknown defect 'nonsense'" in done.stderr and not done.stdout
