"""The mock Graph in-process (httpx ASGITransport, no sockets): reachability, PATCH semantics, errors."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph_contracts import contracts as contract_files
from graph_contracts import edm
from graph_contracts.contracts import Contract, Property, TypeDef
from graph_contracts.mock import create_app
from graph_contracts.mock.app import GRAPH_JSON
from graph_contracts.mock.faults import UnknownFault
from graph_contracts.mock.store import NotFound
from graph_contracts.paths import is_cast

ROOT = Path(__file__).resolve().parent.parent
AUTH = {"Authorization": "Bearer any-token"}
INNER_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")
STATUS = Property(
    "status", "microsoft.graph.complianceStatus", enum=["unknown", "compliant"], nullable=False
)

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def seeds() -> list[Contract]:
    return contract_files.load(ROOT / "contracts")


def widget(**overrides: Any) -> Contract:
    """A synthetic contract exercising what the seeds lack: read-only, non-nullable, complex."""
    types = {
        "microsoft.graph.complianceStatus": TypeDef(
            "microsoft.graph.complianceStatus", "enum", members=["unknown", "compliant"]
        ),
        "microsoft.graph.size": TypeDef(
            "microsoft.graph.size",
            "complex",
            properties=[Property("width", "Edm.Int32"), Property("unit", "Edm.String")],
        ),
    }
    fields = {
        "version": "beta",
        "resource": "microsoft.graph.widget",
        "paths": ["/widgets/{widgetId}"],
        "properties": [
            Property("id", "Edm.String", nullable=False, key=True),
            Property("count", "Edm.Int32", nullable=False),
            Property("label", "Edm.String"),
            STATUS,
            Property("seen", "Edm.DateTimeOffset", nullable=False),
            Property("created", "Edm.DateTimeOffset", read_only=True),
            Property("size", "microsoft.graph.size"),
            Property("tags", "Collection(Edm.String)"),
            Property("mystery", "microsoft.graph.neverResolved"),
            Property("big", "Edm.Int64", nullable=False),
            Property("price", "Edm.Decimal", nullable=False),
            Property("span", "Edm.Duration", nullable=False),
            Property("ref", "Edm.Guid", nullable=False),
            Property("blob", "Edm.Binary", nullable=False),
        ],
        "status": 200,
        "types": types,
    }
    fields.update(overrides)
    return Contract(**fields)


def client(contracts: list[Contract] | Any, **kwargs: Any) -> httpx.AsyncClient:
    """An in-process client for a new mock of `contracts` (or for an app already built)."""
    app = create_app(contracts, **kwargs) if isinstance(contracts, list) else contracts
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://mock", headers=AUTH
    )


async def walk(http: httpx.AsyncClient, version: str, template: str) -> tuple[str, list[dict]]:
    """Fill a template the way a client of a real tenant does: by listing each collection."""
    segments = [s for s in template.split("/") if s]
    path, listing = "", []
    for i, segment in enumerate(segments):
        if not segment.startswith("{"):
            path += "/" + segment
            continue
        reply = await http.get(f"/{version}{path}")
        assert reply.status_code == 200, (path, reply.text)
        listing = reply.json()["value"]
        nxt = segments[i + 1] if i + 1 < len(segments) else ""
        fits = [e for e in listing if not is_cast(nxt) or e["@odata.type"] == f"#{nxt}"]
        assert fits, f"no entity of {nxt} under {path}"
        path += "/" + fits[0]["id"]
    return path, listing


async def entity_path(http: httpx.AsyncClient, contract: Contract, template: str = "") -> str:
    path, _ = await walk(http, contract.version, template or contract.paths[0])
    return f"/{contract.version}{path}"


# --- reachability and seeded data -------------------------------------------------------------


async def test_every_seed_template_is_reachable_with_two_valid_entities(seeds):
    async with client(seeds) as http:
        for contract in seeds:
            for template in contract.paths:
                path, listing = await walk(http, contract.version, template)
                assert len(listing) >= 2, template
                reply = await http.get(f"/{contract.version}{path}")
                assert reply.status_code == 200, template
                body = reply.json()
                assert body["@odata.type"] == contract.odata_type
                assert body["@odata.context"].endswith("/$entity")
                for prop in contract.properties:
                    assert not edm.validate(
                        body[prop.name], prop.type, contract.types, enum=prop.enum, where=prop.name
                    )


async def test_seeded_store_is_deterministic_per_seed(seeds):
    url = "/beta/deviceManagement/deviceConfigurations"
    async with client(seeds, seed=1) as a, client(seeds, seed=1) as b, client(seeds, seed=2) as c:
        first, again, other = [(await h.get(url)).json()["value"] for h in (a, b, c)]
    assert first == again
    assert {e["id"] for e in first}.isdisjoint({e["id"] for e in other})
    assert all(re.fullmatch(r"[0-9a-f-]{36}", e["id"]) for e in first)


async def test_type_cast_lists_only_that_type_and_single_navigation_returns_entity(seeds):
    cast = "microsoft.graph.windowsWifiEnterpriseEAPConfiguration"
    async with client(seeds) as http:
        every = (await http.get("/beta/deviceManagement/deviceConfigurations")).json()["value"]
        only = (await http.get(f"/beta/deviceManagement/deviceConfigurations/{cast}")).json()
        assert {e["@odata.type"] for e in only["value"]} == {f"#{cast}"}
        assert len(only["value"]) >= 2 and len(every) > len(only["value"])
        other = next(e for e in every if e["@odata.type"] != f"#{cast}")
        mismatch = await http.get(
            f"/beta/deviceManagement/deviceConfigurations/{other['id']}/{cast}"
        )
        assert mismatch.status_code == 404
        single = await http.get(
            f"/beta/deviceManagement/deviceConfigurations/{other['id']}/rootCertificate"
        )
        assert single.status_code == 200 and "value" not in single.json()
        assert single.json()["id"]


async def test_unknown_segment_is_400_and_unknown_id_404(seeds):
    async with client(seeds) as http:
        bad = await http.get("/beta/deviceManagement/noSuchThing")
        assert bad.status_code == 400
        missing = await http.get("/beta/deviceManagement/deviceConfigurations/nope")
        assert missing.status_code == 404
        assert missing.json()["error"]["code"]


# --- PATCH semantics --------------------------------------------------------------------------


async def test_patch_merges_and_returns_the_whole_entity(seeds):
    contract = next(c for c in seeds if c.name == "deviceConfigurationUserStatus")
    async with client(seeds) as http:
        path = await entity_path(http, contract, contract.paths[-1])
        before = (await http.get(path)).json()
        reply = await http.patch(
            path,
            json={"@odata.type": contract.odata_type, "devicesCount": 7},
            headers={"client-request-id": "abc-123"},
        )
        assert reply.status_code == 200
        assert reply.headers["content-type"] == GRAPH_JSON
        assert reply.headers["client-request-id"] == "abc-123"
        assert reply.headers["request-id"]
        after = (await http.get(path)).json()
    assert reply.json() == after
    assert after["devicesCount"] == 7
    assert {k: v for k, v in after.items() if k != "devicesCount"} == {
        k: v for k, v in before.items() if k != "devicesCount"
    }


async def test_datetime_is_stored_as_ticks_and_returned_in_utc():
    async with client([widget()]) as http:
        path = await entity_path(http, widget())
        reply = await http.patch(path, json={"seen": "2017-01-01T00:00:17.7769392-08:00"})
        assert reply.json()["seen"] == "2017-01-01T08:00:17.7769392Z"
        assert (await http.get(path)).json()["seen"] == "2017-01-01T08:00:17.7769392Z"


async def test_key_and_read_only_values_are_ignored():
    async with client([widget()]) as http:
        path = await entity_path(http, widget())
        before = (await http.get(path)).json()
        reply = await http.patch(
            path, json={"id": "other", "created": "2000-01-01T00:00:00Z", "label": "x"}
        )
        assert reply.status_code == 200
        after = (await http.get(path)).json()
    assert after["id"] == before["id"] and after["created"] == before["created"]
    assert after["label"] == "x"


async def test_complex_collection_and_unresolved_values_are_validated_and_stored():
    async with client([widget()]) as http:
        path = await entity_path(http, widget())
        good = {"size": {"width": 3, "unit": "cm"}, "tags": ["a", "b"], "mystery": {"k": 1}}
        reply = await http.patch(path, json=good)
        assert reply.status_code == 200, reply.text
        assert {k: reply.json()[k] for k in good} == good
        for bad in (
            {"size": {"width": True}},
            {"size": {"depth": 1}},
            {"tags": "a"},
            {"mystery": 5},
        ):
            assert (await http.patch(path, json=bad)).status_code == 400, bad


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ({"count": True}, "boolean for Int32"),
        ({"count": 2**31}, "outside Int32"),
        ({"count": 1.5}, "float for Int32"),
        ({"count": None}, "null for non-nullable"),
        ({"status": "bogus"}, "not an enum member"),
        ({"seen": "2020-01-01T00:00:00+15:00"}, "offset beyond 14:00"),
        ({"seen": "0001-01-01T00:00:00+05:00"}, "instant before year 1"),
        ({"seen": "yesterday"}, "not a date"),
        ({"nope": 1}, "unknown property"),
        ({"@odata.type": "#microsoft.graph.other", "label": "x"}, "wrong @odata.type"),
        ({"label": "a\ud800"}, "lone surrogate in a value"),
        ({"a\udc00": 1}, "lone surrogate in a property name"),
        ({"size": {"unit": "\ud800"}}, "lone surrogate in a nested value"),
        ({"mystery": {"\ud800": 1}}, "lone surrogate in an unresolved value's name"),
    ],
)
async def test_invalid_bodies_are_400_in_odata_error_shape(body, why):
    async with client([widget()]) as http:
        path = await entity_path(http, widget())
        before = (await http.get(path)).json()
        # json.dumps escapes lone surrogates (`"\ud800"`), as a client sending them would.
        headers = {"client-request-id": "c-1", "content-type": "application/json"}
        reply = await http.patch(path, content=json.dumps(body).encode(), headers=headers)
        assert reply.status_code == 400, why
        error = reply.json()["error"]
        assert error["code"] and error["message"]
        assert INNER_DATE.match(error["innerError"]["date"])
        assert error["innerError"]["request-id"] == reply.headers["request-id"]
        assert error["innerError"]["client-request-id"] == "c-1"
        assert (await http.get(path)).json() == before, "a rejected PATCH changed the entity"


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b"{", "application/json", 400),
        (b"[1, 2]", "application/json", 400),
        (b'"text"', "application/json", 400),
        (b'{"count": NaN}', "application/json", 400),
        (b"\xff\xfe", "application/json", 400),
        (b'{"count": 1}', "text/plain", 415),
        (b'{"count": 1}', "", 415),
        (b'{"count": 1}', "application/json; charset=utf-8", 200),
    ],
)
async def test_body_encoding_and_content_type(content, content_type, status):
    async with client([widget()]) as http:
        path = await entity_path(http, widget())
        headers = {"content-type": content_type} if content_type else {}
        reply = await http.patch(path, content=content, headers=headers)
        assert reply.status_code == status, reply.text


async def test_patch_on_collection_405_and_unknown_id_404(seeds):
    contract = seeds[0]
    async with client(seeds) as http:
        path = await entity_path(http, contract)
        collection = path.rsplit("/", 1)[0]
        on_collection = await http.patch(collection, json={"userDisplayName": "x"})
        assert on_collection.status_code == 405 and "GET" in on_collection.headers["allow"]
        unknown = await http.patch(collection + "/does-not-exist", json={"userDisplayName": "x"})
        assert unknown.status_code == 404
        assert (await http.delete(path)).status_code == 405


async def test_prefer_return_minimal_answers_204_without_body(seeds):
    contract = seeds[0]
    async with client(seeds) as http:
        path = await entity_path(http, contract)
        reply = await http.patch(
            path, json={"userDisplayName": "min"}, headers={"Prefer": "return=minimal"}
        )
        assert reply.status_code == 204 and reply.content == b""
        assert (await http.get(path)).json()["userDisplayName"] == "min"


async def test_documented_204_contract_answers_204_unless_representation_asked():
    async with client([widget(status=204)]) as http:
        path = await entity_path(http, widget())
        assert (await http.patch(path, json={"label": "a"})).status_code == 204
        rep = await http.patch(
            path, json={"label": "b"}, headers={"Prefer": "return=representation"}
        )
        assert rep.status_code == 200 and rep.json()["label"] == "b"


# --- what is not invalid anywhere: accepted as Graph's .NET stack does -------------------------


async def test_empty_body_is_a_no_op():
    async with client([widget()]) as http:
        path = await entity_path(http, widget())
        before = (await http.get(path)).json()
        reply = await http.patch(path, json={})
        minimal = await http.patch(path, json={}, headers={"Prefer": "return=minimal"})
        after = (await http.get(path)).json()
    assert reply.status_code == 200 and reply.json() == before
    assert minimal.status_code == 204 and after == before


async def test_null_where_nullability_is_unknown_is_stored():
    async with client([widget()]) as http:
        path = await entity_path(http, widget())
        reply = await http.patch(path, json={"label": None, "tags": ["a", None]})
        assert reply.status_code == 200, reply.text
        assert (await http.get(path)).json()["label"] is None


async def test_numeric_text_is_stored_as_the_number_it_names():
    """Lenient, as Graph's .NET reader is (Convert.ChangeType): stored as a number."""
    async with client([widget()]) as http:
        path = await entity_path(http, widget())
        sent = {"big": "9007199254740993", "price": "12.50", "count": "5"}
        reply = await http.patch(path, json=sent)
        assert reply.status_code == 200, reply.text
        stored = (await http.get(path)).json()
        assert (stored["big"], stored["price"], stored["count"]) == (9007199254740993, 12.5, 5)
        for bad in ({"big": "9223372036854775808"}, {"price": "twelve"}, {"count": "five"}):
            assert (await http.patch(path, json=bad)).status_code == 400, bad


async def test_values_are_stored_as_dotnet_writes_them():
    sent = {
        "span": "PT60S",
        "ref": "BD2B1A23-1A23-BD2B-231A-2BBD231A2BBD",
        "blob": "_-8A",
        "seen": "2017-01-01T00:00:17.776939212345-08:00",
    }
    async with client([widget()]) as http:
        path = await entity_path(http, widget())
        reply = await http.patch(path, json=sent)
        assert reply.status_code == 200, reply.text
    assert {k: reply.json()[k] for k in sent} == {
        "span": "PT1M",
        "ref": "bd2b1a23-1a23-bd2b-231a-2bbd231a2bbd",
        "blob": "/+8A",
        "seen": "2017-01-01T08:00:17.7769392Z",  # truncated to 100 ns, UTC
    }
    contract = widget()
    for name, value in sent.items():
        prop = contract.property(name)
        assert edm.equal(value, reply.json()[name], prop.type, contract.types), name


# --- manners under abuse ----------------------------------------------------------------------


async def test_lone_surrogates_never_break_the_entity_or_its_collection():
    async with client([widget()]) as http:
        path = await entity_path(http, widget())
        headers = {"content-type": "application/json"}
        for raw in (b'{"label": "\\ud800"}', b'{"\\udfff": 1}', b'{"tags": ["ok", "\\ud83d"]}'):
            reply = await http.patch(path, content=raw, headers=headers)
            assert reply.status_code == 400, raw
            assert "surrogate" in reply.json()["error"]["message"]
        assert (await http.get(path)).status_code == 200
        assert (await http.get(path.rsplit("/", 1)[0])).status_code == 200
        # A surrogate pair is one character, and fine.
        pair = await http.patch(path, content=b'{"label": "\\ud83d\\ude00"}', headers=headers)
        assert pair.status_code == 200 and pair.json()["label"] == "\U0001f600"


@pytest.mark.parametrize("declared", [True, False])
async def test_a_body_over_the_4mb_write_limit_is_413(declared):
    from graph_contracts.mock.app import MAX_BODY_BYTES

    async with client([widget()]) as http:
        path = await entity_path(http, widget())
        before = (await http.get(path)).json()
        big = json.dumps({"label": "x" * MAX_BODY_BYTES}).encode()

        async def chunks():
            for i in range(0, len(big), 65536):
                yield big[i : i + 65536]

        content = big if declared else chunks()  # with Content-Length, or chunked without it
        headers = {"content-type": "application/json", "client-request-id": "big-1"}
        reply = await http.patch(path, content=content, headers=headers)
        assert reply.status_code == 413
        error = reply.json()["error"]
        assert error["code"] and error["innerError"]["client-request-id"] == "big-1"
        assert (await http.get(path)).json() == before
        just_fits = json.dumps({"label": "x" * (MAX_BODY_BYTES - 20)}).encode()
        assert len(just_fits) <= MAX_BODY_BYTES
        ok = await http.patch(path, content=just_fits, headers=headers)
        assert ok.status_code == 200


async def test_every_reply_names_the_mock_and_its_version(seeds):
    from graph_contracts import __version__
    from graph_contracts.mock.app import MOCK_HEADER

    async with client(seeds) as http:
        path = await entity_path(http, seeds[0])
        replies = [
            await http.get(path),
            await http.patch(path, json={"userDisplayName": "x"}),
            await http.patch(path, json={"nope": 1}),
            await http.get(path.rsplit("/", 1)[0] + "/missing"),
            await http.get(path, headers={"Authorization": ""}),
            await http.delete(path),
            await http.get("/openapi.json"),
        ]
    assert [r.status_code for r in replies] == [200, 200, 400, 404, 401, 405, 200]
    assert all(r.headers[MOCK_HEADER] == __version__ for r in replies)


# --- auth -------------------------------------------------------------------------------------


@pytest.mark.parametrize("header", [None, "", "Bearer ", "Basic abc", "bearer"])
async def test_missing_or_malformed_bearer_is_401_with_challenge(seeds, header):
    async with client(seeds) as http:
        headers = {"Authorization": header} if header is not None else {}
        http.headers.pop("Authorization")
        reply = await http.get("/beta/deviceManagement/deviceConfigurations", headers=headers)
    assert reply.status_code == 401
    assert reply.headers["www-authenticate"].startswith("Bearer")
    assert reply.json()["error"]["code"] == "InvalidAuthenticationToken"


async def test_configured_token_must_match_exactly(seeds):
    async with client(seeds, token="s3cret") as http:
        url = "/beta/deviceManagement/deviceConfigurations"
        assert (await http.get(url)).status_code == 401
        wrong = await http.get(url, headers={"Authorization": "Bearer s3cret2"})
        assert wrong.status_code == 401 and "s3cret" not in wrong.text
        assert (await http.get(url, headers={"Authorization": "Bearer s3cret"})).status_code == 200


# --- arbitrary path shapes --------------------------------------------------------------------


async def test_singletons_affixed_keys_and_duplicate_names_are_served():
    paths = [
        "/me",
        "/policies/authorizationPolicy",
        "/me/drive/root:/{item-path}:/workbook/tables/{id|name}",
        "/users/{id}/calendars/{id}/events/{id}",
        "/things/microsoft.graph.widget/{widgetId}",
    ]
    contract = widget(paths=paths)
    app = create_app([contract])
    async with client(app) as http:
        for template in paths:
            path = "/beta" + app.state.graph.store.sample("beta", template)
            got = await http.get(path)
            assert got.status_code == 200, (template, got.text)
            assert got.json()["@odata.type"] == contract.odata_type, template
            patched = await http.patch(path, json={"label": template})
            assert patched.status_code == 200, (template, patched.text)
            assert (await http.get(path)).json()["label"] == template


async def test_affixed_key_collection_is_listed_and_walkable():
    contract = widget(paths=["/me/drive/root:/{item-path}:/workbook"])
    async with client([contract]) as http:
        listing = (await http.get("/beta/me/drive/root:")).json()["value"]
        assert len(listing) >= 2
        reply = await http.get(f"/beta/me/drive/root:/{listing[0]['id']}:/workbook")
        assert reply.status_code == 200, reply.text


def test_unknown_fault_is_refused_by_name(seeds):
    with pytest.raises(UnknownFault, match="'bogus'"):
        create_app(seeds, faults=["bogus"])


async def test_openapi_document_is_served_without_auth(seeds):
    async with client(seeds) as http:
        http.headers.pop("Authorization")
        reply = await http.get("/openapi.json")
    assert reply.status_code == 200 and reply.json()["openapi"] == "3.0.3"


# --- the whole corpus -------------------------------------------------------------------------


@pytest.mark.slow
async def test_serves_the_whole_corpus(corpus):
    """Every contract extracted from the real docs: the app builds in seconds, GET+PATCH a sample."""
    import time

    from graph_contracts.extract import extract_paths

    extracted = extract_paths([corpus / "graph-docs"]).contracts
    assert len(extracted) > 500
    start = time.perf_counter()
    app = create_app(extracted)
    assert time.perf_counter() - start < 5
    store = app.state.graph.store
    reached = 0
    async with client(app) as http:
        for contract in extracted[::7]:
            template = contract.paths[0]
            try:
                path = f"/{contract.version}" + store.sample(
                    contract.version, template, resource=contract.resource
                )
            except NotFound:  # a template no seeded entity fits (rare doc typos)
                continue
            got = await http.get(path)
            assert got.status_code == 200, (contract.id, template, got.text)
            body = {
                k: v
                for k, v in got.json().items()
                if (p := contract.property(k)) is not None and p.updatable and v is not None
            }
            if got.json()["@odata.type"] != contract.odata_type or not body:
                continue
            # what the docs require: Planner's and Dynamics' pages If-Match with the ETag
            etag = got.json().get("@odata.etag")
            patched = await http.patch(path, json=body, headers={"If-Match": etag} if etag else {})
            # the documented status (listItem's page says 201 Created for its PATCH)
            assert patched.status_code == contract.status, (contract.id, template, patched.text)
            reached += 1
    assert reached >= len(extracted[::7]) * 0.8
