"""A mock real clients can use: no inline streams, `/me` is the signed-in user, valid seeds.

The contracts are the corpus's own v1.0 pages (user, application, driveItem, calendar), read with
their resource pages; the CSDL is Microsoft's v1.0 `$metadata` of the same date.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from graph_contracts import bodies
from graph_contracts.contracts import Contract
from graph_contracts.extract import extract_paths
from graph_contracts.metadata import Csdl, load_csdl
from graph_contracts.mock import create_app
from graph_contracts.mock.store import is_stream

AUTH = {"Authorization": "Bearer any-token"}
PAGES = ("user-update.md", "application-update.md", "driveitem-update.md", "calendar-update.md")

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def v1(corpus: Path) -> dict[str, Contract]:
    api = corpus / "graph-docs" / "api-reference" / "v1.0" / "api"
    return {c.name: c for c in extract_paths([api / page for page in PAGES]).contracts}


@pytest.fixture(scope="module")
def csdl(corpus: Path) -> Csdl:
    document = load_csdl(corpus / "csdl" / "v1.0_metadata.xml")
    document.version = "v1.0"
    return document


def client(contracts: list[Contract], **kwargs) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_app(contracts, **kwargs))
    return httpx.AsyncClient(transport=transport, base_url="http://mock", headers=AUTH)


async def first(http: httpx.AsyncClient, collection: str) -> dict:
    reply = await http.get(collection)
    assert reply.status_code == 200, reply.text
    return reply.json()["value"][0]


# --- Edm.Stream ---------------------------------------------------------------------------------


def test_the_docs_list_the_streams_this_file_is_about(v1):
    """application.logo and driveItem.content are `Stream` rows of their pages (and CSDL's)."""
    streams = {(c.name, p.name) for c in v1.values() for p in c.properties if is_stream(p)}
    assert {("application", "logo"), ("driveItem", "content")} <= streams


@pytest.mark.parametrize(
    ("contract", "collection", "stream"),
    [("application", "/v1.0/applications", "logo")],
)
async def test_a_stream_is_never_inline_listed_got_or_stored_from_json(
    v1, contract, collection, stream
):
    async with client([v1[contract]]) as http:
        listed = await first(http, collection)
        path = f"{collection}/{listed['id']}"
        patched = await http.patch(path, json={stream: "aGVsbG8=", "displayName": "renamed"})
        got = (await http.get(path)).json()
    assert stream not in listed
    assert patched.status_code in (200, 204), patched.text
    assert stream not in got and got["displayName"] == "renamed"


async def test_drive_items_are_served_without_their_content_stream(v1):
    async with client([v1["driveItem"]]) as http:
        drive = await first(http, "/v1.0/drives")
        item = await first(http, f"/v1.0/drives/{drive['id']}/items")
    assert "content" not in item and item["@odata.type"] == "#microsoft.graph.driveItem"


# --- /me ----------------------------------------------------------------------------------------


async def test_me_is_a_user_of_the_store_with_the_user_properties(v1):
    user = v1["user"]
    async with client([user]) as http:
        me = (await http.get("/v1.0/me")).json()
        same = (await http.get(f"/v1.0/users/{me['id']}")).json()
        listed = (await http.get("/v1.0/users")).json()["value"]
    assert me["@odata.type"] == "#microsoft.graph.user"
    assert me["@odata.context"].endswith("/v1.0/$metadata#users/$entity")  # as Graph answers
    assert {p.name for p in user.properties} <= set(me)
    assert me == same and me["id"] == listed[0]["id"]
    judged = bodies.problems(user, me, reply=True)
    assert [str(p) for p in judged if p.kind.rejection_documented] == []


async def test_me_paths_are_the_signed_in_users_paths(v1):
    """calendar-update.md documents `PATCH /me/calendar` and `/users/{id}/calendar`: one entity."""
    calendar = v1["calendar"]
    assert "/me/calendar" in calendar.paths
    async with client([v1["user"], calendar]) as http:
        me = (await http.get("/v1.0/me")).json()
        patched = await http.patch("/v1.0/me/calendar", json={"name": "Mine"})
        theirs = (await http.get(f"/v1.0/users/{me['id']}/calendar")).json()
        mine = (await http.get("/v1.0/me/calendar")).json()
    assert patched.status_code == 200, patched.text
    assert theirs["name"] == mine["name"] == "Mine" and theirs["id"] == mine["id"]


async def test_me_exists_without_a_user_contract(v1):
    """Every Graph has a signed-in user; with no user page its entity is only an id."""
    async with client([v1["application"]]) as http:
        me = await http.get("/v1.0/me")
    assert me.status_code == 200 and me.json()["@odata.type"] == "#microsoft.graph.user"


# --- seeded values ------------------------------------------------------------------------------


async def test_a_type_the_docs_never_resolved_is_seeded_null_not_an_object(v1):
    """application.parentalControlSettings links to no page: a guessed `{}` could break a typed
    decoder (user.ageGroup, an `Edm.String` in CSDL, was one until its page's values were read)."""
    assert "microsoft.graph.parentalControlSettings" not in v1["application"].types
    async with client([v1["application"]]) as http:
        app = await first(http, "/v1.0/applications")
    assert app["parentalControlSettings"] is None


async def test_with_the_csdl_what_the_docs_left_unresolved_is_seeded_as_csdl_types_it(v1, csdl):
    async with client([v1["application"]], metadata=[csdl]) as http:
        app = await first(http, "/v1.0/applications")
    declared = csdl.properties("microsoft.graph.application")["parentalControlSettings"]
    assert declared.type == "microsoft.graph.parentalControlSettings"
    assert isinstance(app["parentalControlSettings"], dict)


async def test_a_csdl_of_another_version_is_not_used(v1, csdl):
    beta_only = Csdl(csdl.path, csdl.types, version="beta")
    async with client([v1["application"]], metadata=[beta_only]) as http:
        app = await first(http, "/v1.0/applications")
    assert app["parentalControlSettings"] is None
