"""Mock behaviour the whole-corpus run exposed: templates shared by several contracts and names
that are both an entity and a collection (regressions of the corpus triage)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import httpx
import pytest

from graph_contracts.contracts import Contract, Example, Property
from graph_contracts.mock import create_app
from graph_contracts.mock.store import parse_template

AUTH = {"Authorization": "Bearer any-token"}

pytestmark = pytest.mark.anyio


def contract(resource: str, paths: list[str], **overrides: Any) -> Contract:
    fields: dict[str, Any] = {
        "version": "v1.0",
        "resource": f"microsoft.graph.{resource}",
        "paths": paths,
        "properties": [
            Property("id", "Edm.String", nullable=False, key=True),
            Property("displayName", "Edm.String"),
        ],
        "status": 200,
    }
    fields.update(overrides)
    return Contract(**fields)


def client(contracts: list[Contract], **kwargs: Any) -> httpx.AsyncClient:
    app = create_app(contracts, **kwargs)
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://mock", headers=AUTH
    )


async def first_id(http: httpx.AsyncClient, path: str) -> str:
    reply = await http.get(path)
    assert reply.status_code == 200, reply.text
    return reply.json()["value"][0]["id"]


async def test_unknown_id_is_404_where_the_collection_also_has_a_named_member():
    """`/me/mailFolders/inbox/...` beside `/me/mailFolders/{id}`: an unknown id is 404, not 400."""
    folder = contract("mailFolder", ["/me/mailFolders/{mailFolderId}"])
    rule = contract("messageRule", ["/me/mailFolders/inbox/messageRules/{messageRuleId}"])
    async with client([folder, rule]) as http:
        missing = await http.patch(
            "/v1.0/me/mailFolders/3f0e1b2c-0000-4000-8000-000000000000",
            json={"displayName": "x"},
        )
        assert missing.status_code == 404, missing.text
        assert missing.json()["error"]["code"] == "ResourceNotFound"
        rule_id = await first_id(http, "/v1.0/me/mailFolders/inbox/messageRules")
        named = await http.patch(
            f"/v1.0/me/mailFolders/inbox/messageRules/{rule_id}", json={"displayName": "r"}
        )
        assert named.status_code == 200, named.text
        bad = await http.get("/v1.0/me/mailFolders/inbox/nonsense")
        assert bad.status_code == 400


def test_a_key_in_parentheses_keys_its_own_name_not_the_segment_before():
    steps = parse_template("/me/workbook/names/{name}/range/format/borders({sideIndex})")
    assert [(s.kind, s.name) for s in steps][-4:] == [
        ("nav", "range"),
        ("nav", "format"),
        ("coll", ""),
        ("key", "sideIndex"),
    ]


async def test_entity_beside_a_parenthesised_key_collection_is_patchable():
    """`range/format` is an entity even when `range/format/borders({i})` is another template."""
    fmt = contract("workbookRangeFormat", ["/me/workbook/names/{name}/range/format"])
    border = contract(
        "workbookRangeBorder", ["/me/workbook/names/{name}/range/format/borders({sideIndex})"]
    )
    async with client([fmt, border]) as http:
        name = await first_id(http, "/v1.0/me/workbook/names")
        reply = await http.patch(
            f"/v1.0/me/workbook/names/{name}/range/format", json={"displayName": "f"}
        )
        assert reply.status_code == 200, reply.text
        assert reply.json()["@odata.type"] == "#microsoft.graph.workbookRangeFormat"


async def test_name_addressed_as_entity_and_as_collection_ends_on_the_entity():
    """`/organization/{id}/branding` (the contract's entity) beside `/branding/{propertyName}`."""
    branding = contract(
        "organizationalBrandingProperties",
        ["/organization/{tenantId}/branding", "/organization/{tenantId}/branding/{propertyName}"],
    )
    async with client([branding]) as http:
        tenant = await first_id(http, "/v1.0/organization")
        path = f"/v1.0/organization/{tenant}/branding"
        got = await http.get(path)
        assert got.status_code == 200 and "value" not in got.json(), got.text
        reply = await http.patch(path, json={"displayName": "b"})
        assert reply.status_code == 200, reply.text
        assert (await http.get(path)).json()["displayName"] == "b"


@pytest.mark.parametrize(("documented", "faults", "answered"), [(202, (), 202), (201, (), 201)])
async def test_success_status_is_the_documented_one(documented, faults, answered):
    thing = contract("deployment", ["/deployments/{deploymentId}"], status=documented)
    async with client([thing], faults=faults) as http:
        ident = await first_id(http, "/v1.0/deployments")
        reply = await http.patch(f"/v1.0/deployments/{ident}", json={"displayName": "d"})
        assert reply.status_code == answered


async def test_status_201_defect_still_differs_from_a_documented_201():
    thing = contract("deployment", ["/deployments/{deploymentId}"], status=201)
    async with client([thing], faults=["status-201"]) as http:
        ident = await first_id(http, "/v1.0/deployments")
        reply = await http.patch(f"/v1.0/deployments/{ident}", json={"displayName": "d"})
        assert reply.status_code == 200


def request_example(body: dict[str, Any]) -> Example:
    return Example("request", "x-update.md", 10, method="PATCH", body=body)


@pytest.mark.parametrize(
    ("odata_type", "status"),
    [
        ("#microsoft.graph.conversationMember", 200),
        ("microsoft.graph.conversationMember", 200),  # `#` is optional (mailsearchfolder-update)
        ("#microsoft.graph.aadUserConversationMember", 200),  # what the page's example sends
        ("microsoft.graph.aadUserConversationMember", 200),
        ("#microsoft.graph.user", 400),
        (12, 400),
    ],
)
async def test_odata_type_accepts_the_contract_type_and_the_documented_derived_one(
    odata_type, status
):
    member = contract(
        "conversationMember",
        ["/teams/{teamId}/members/{membershipId}"],
        examples=[
            request_example({"@odata.type": "#microsoft.graph.aadUserConversationMember"}),
            replace(request_example({"displayName": "x"}), kind="response"),
        ],
    )
    async with client([member]) as http:
        team = await first_id(http, "/v1.0/teams")
        ident = await first_id(http, f"/v1.0/teams/{team}/members")
        reply = await http.patch(
            f"/v1.0/teams/{team}/members/{ident}",
            json={"@odata.type": odata_type, "displayName": "m"},
        )
        assert reply.status_code == status, reply.text


async def test_documented_derived_type_may_send_properties_the_base_table_lacks():
    """place-update.md sends a roomList with `displayName`, which the place table does not list;
    lint lets it pass (derived type), so the mock accepts it too, and still refuses it untyped."""
    place = contract(
        "place",
        ["/places/{placeId}"],
        properties=[Property("id", "Edm.String", key=True), Property("label", "Edm.String")],
        examples=[request_example({"@odata.type": "microsoft.graph.roomList", "label": "x"})],
    )
    async with client([place]) as http:
        path = f"/v1.0/places/{await first_id(http, '/v1.0/places')}"
        derived = {"@odata.type": "microsoft.graph.roomList", "displayName": "B1", "label": "1"}
        assert (await http.patch(path, json=derived)).status_code == 200
        plain = await http.patch(path, json={"displayName": "B1", "label": "1"})
        assert plain.status_code == 400 and "displayName" in plain.text


async def test_an_example_type_outside_graphs_namespace_is_still_refused():
    """conversationthread-update.md sends `#Microsoft.OutlookServices.ConversationThread`: lint
    flags it, the suite sends it to be refused, so the mock must refuse it."""
    outlook = "#Microsoft.OutlookServices.ConversationThread"
    thread = contract(
        "conversationThread",
        ["/threads/{threadId}"],
        examples=[request_example({"@odata.type": outlook, "displayName": "x"})],
    )
    async with client([thread]) as http:
        path = f"/v1.0/threads/{await first_id(http, '/v1.0/threads')}"
        reply = await http.patch(path, json={"@odata.type": outlook, "displayName": "x"})
        assert reply.status_code == 400 and "@odata.type" in reply.text
