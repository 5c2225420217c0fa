"""The official Microsoft Graph SDK for Python against the mock, served by a real uvicorn server.

A client we did not write is the test of a mock meant for clients: `msgraph-sdk` (Kiota's
decoder, Microsoft's models) lists, gets, updates and gets again 24 resources across workloads,
and `/me`, from the corpus's own v1.0 pages served by `graph-contracts mock --metadata`
(Microsoft's CSDL of the same date). The SDK talks to loopback only (every request is checked)
and authenticates with a static token; no network, no tenant.

Before this round `application` and `driveItem` could not even be listed (`"logo": "logo 448"`
inline broke the decoder), `/me` was a bare `#microsoft.graph.me`, `ageGroup` was `{}` and
`tokenEncryptionKeyId` (a String on its page, a Guid in CSDL) broke the Guid decoder.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from servers import mock_process

from graph_contracts import contracts as contract_files
from graph_contracts.extract import extract_paths

TOKEN = "sdk-token"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(120),
    # the SDK's generated request builders warn about their own deprecated classes
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]


@dataclass(frozen=True)
class Resource:
    """One resource as the SDK reaches it: its page, the walk to it, one string to update."""

    page: str  # the v1.0 update page its contract comes from
    walk: tuple[tuple[str, str], ...]  # (collection builder, item method) from the client down
    model: str  # msgraph.generated.models.<module>.<Class>
    field: str  # a String property its page documents as updatable
    etag: bool = False  # Planner: If-Match with the entity's @odata.etag

    @property
    def name(self) -> str:
        return self.model.rsplit(".", 1)[-1]


RESOURCES = [
    Resource("application-update.md", (("applications", "by_application_id"),),
             "application.Application", "display_name"),
    Resource("driveitem-update.md", (("drives", "by_drive_id"), ("items", "by_drive_item_id")),
             "drive_item.DriveItem", "name"),
    Resource("user-update.md", (("users", "by_user_id"),), "user.User", "display_name"),
    Resource("group-update.md", (("groups", "by_group_id"),), "group.Group", "description"),
    Resource("device-update.md", (("devices", "by_device_id"),), "device.Device", "display_name"),
    Resource("serviceprincipal-update.md", (("service_principals", "by_service_principal_id"),),
             "service_principal.ServicePrincipal", "display_name"),
    Resource("administrativeunit-update.md",
             (("directory.administrative_units", "by_administrative_unit_id"),),
             "administrative_unit.AdministrativeUnit", "display_name"),
    Resource("oauth2permissiongrant-update.md",
             (("oauth2_permission_grants", "by_o_auth2_permission_grant_id"),),
             "o_auth2_permission_grant.OAuth2PermissionGrant", "scope"),
    Resource("schemaextension-update.md", (("schema_extensions", "by_schema_extension_id"),),
             "schema_extension.SchemaExtension", "description"),
    Resource("conditionalaccesspolicy-update.md",
             (("identity.conditional_access.policies", "by_conditional_access_policy_id"),),
             "conditional_access_policy.ConditionalAccessPolicy", "display_name"),
    Resource("agreement-update.md",
             (("identity_governance.terms_of_use.agreements", "by_agreement_id"),),
             "agreement.Agreement", "display_name"),
    Resource("grouplifecyclepolicy-update.md",
             (("group_lifecycle_policies", "by_group_lifecycle_policy_id"),),
             "group_lifecycle_policy.GroupLifecyclePolicy", "alternate_notification_emails"),
    Resource("intune-deviceconfig-windows10generalconfiguration-update.md",
             (("device_management.device_configurations", "by_device_configuration_id"),),
             "windows10_general_configuration.Windows10GeneralConfiguration", "display_name"),
    Resource("intune-apps-webapp-update.md",
             (("device_app_management.mobile_apps", "by_mobile_app_id"),),
             "web_app.WebApp", "display_name"),
    Resource("team-update.md", (("teams", "by_team_id"),), "team.Team", "description"),
    Resource("channel-patch.md", (("teams", "by_team_id"), ("channels", "by_channel_id")),
             "channel.Channel", "description"),
    Resource("chat-patch.md", (("chats", "by_chat_id"),), "chat.Chat", "topic"),
    Resource("subscription-update.md", (("subscriptions", "by_subscription_id"),),
             "subscription.Subscription", "client_state"),
    Resource("printer-update.md", (("print.printers", "by_printer_id"),),
             "printer.Printer", "display_name"),
    Resource("plannerplan-update.md", (("planner.plans", "by_planner_plan_id"),),
             "planner_plan.PlannerPlan", "title", etag=True),
    Resource("calendar-update.md", (("me.calendars", "by_calendar_id"),),
             "calendar.Calendar", "name"),
    Resource("contact-update.md", (("me.contacts", "by_contact_id"),),
             "contact.Contact", "company_name"),
    Resource("todotasklist-update.md", (("me.todo.lists", "by_todo_task_list_id"),),
             "todo_task_list.TodoTaskList", "display_name"),
    Resource("educationclass-update.md", (("education.classes", "by_education_class_id"),),
             "education_class.EducationClass", "description"),
]  # fmt: skip


@pytest.fixture(scope="module")
def served(corpus: Path, tmp_path_factory: pytest.TempPathFactory):
    """`graph-contracts mock --metadata` on the resources' v1.0 pages, as a real process."""
    api = corpus / "graph-docs" / "api-reference" / "v1.0" / "api"
    extraction = extract_paths([api / r.page for r in RESOURCES])
    folder = tmp_path_factory.mktemp("sdk-contracts")
    contract_files.save(extraction.contracts, folder)
    csdl = corpus / "csdl" / "v1.0_metadata.xml"
    with mock_process(folder, "--metadata", str(csdl), token=TOKEN) as url:
        yield url


def graph_client(url: str, seen: list[httpx.Request]) -> Any:
    """The SDK as its docs build it, but on loopback with a static token."""
    from kiota_abstractions.authentication import (
        AccessTokenProvider,
        AllowedHostsValidator,
        BaseBearerTokenAuthenticationProvider,
    )
    from msgraph import GraphRequestAdapter, GraphServiceClient
    from msgraph.graph_request_adapter import options
    from msgraph_core import GraphClientFactory

    class StaticToken(AccessTokenProvider):
        async def get_authorization_token(self, uri: str, additional_authentication_context=None):
            return TOKEN

        def get_allowed_hosts_validator(self) -> AllowedHostsValidator:
            return AllowedHostsValidator(["127.0.0.1"])

    async def loopback_only(request: httpx.Request) -> None:
        assert request.url.host == "127.0.0.1", f"the SDK left loopback: {request.url}"
        seen.append(request)

    http = httpx.AsyncClient(event_hooks={"request": [loopback_only]})
    # The SDK's own middleware (with its `/me` URL replacement) on our loopback client.
    http = GraphClientFactory.create_with_default_middleware(client=http, options=options)
    adapter = GraphRequestAdapter(BaseBearerTokenAuthenticationProvider(StaticToken()), http)
    adapter.base_url = f"{url}/v1.0"
    return GraphServiceClient(request_adapter=adapter), http


def model(resource: Resource, value: str) -> Any:
    import importlib

    module, cls = resource.model.rsplit(".", 1)
    instance = getattr(importlib.import_module(f"msgraph.generated.models.{module}"), cls)()
    setattr(instance, resource.field, value)
    return instance


def navigate(node: Any, dotted: str) -> Any:
    for name in dotted.split("."):
        node = getattr(node, name)
    return node


async def exercise(url: str, resource: Resource) -> tuple[Any, Any, list[httpx.Request]]:
    """List each collection down the walk, get the item, PATCH one string, get it again."""
    seen: list[httpx.Request] = []
    client, http = graph_client(url, seen)
    try:
        node = client
        for collection, by_id in resource.walk:
            builder = navigate(node, collection)
            listed = await builder.get()
            assert listed.value, f"{collection}: empty listing"
            node = getattr(builder, by_id)(listed.value[0].id)
        before = await node.get()
        config = None
        if resource.etag:
            from kiota_abstractions.base_request_configuration import RequestConfiguration

            config = RequestConfiguration()
            config.headers.add("If-Match", before.additional_data["@odata.etag"])
        value = f"sdk {resource.name}"
        await node.patch(model(resource, value), request_configuration=config)
        after = await node.get()
    finally:
        await http.aclose()
    assert getattr(after, resource.field) == value
    return before, after, seen


def test_the_resources_are_the_ones_docs_mock_md_names() -> None:
    names = [r.name for r in RESOURCES]
    assert len(set(names)) == len(RESOURCES) == 24
    assert {"Application", "DriveItem", "PlannerPlan"} <= set(names)


@pytest.mark.parametrize("resource", RESOURCES, ids=lambda r: r.name)
def test_the_sdk_lists_gets_updates_and_gets_again(served: str, resource: Resource) -> None:
    before, after, seen = asyncio.run(exercise(served, resource))
    assert type(before) is type(after) and before.id == after.id
    assert [r.method for r in seen].count("PATCH") == 1


def test_the_sdk_reads_and_updates_me_as_the_signed_in_user(served: str) -> None:
    from msgraph.generated.models.user import User

    async def scenario() -> tuple[Any, Any, Any, list[httpx.Request]]:
        seen: list[httpx.Request] = []
        client, http = graph_client(served, seen)
        try:
            me = await client.me.get()
            await client.me.patch(User(job_title="SDK tester"))
            again = await client.me.get()
            same = await client.users.by_user_id(me.id).get()
        finally:
            await http.aclose()
        return me, again, same, seen

    me, again, same, seen = asyncio.run(scenario())
    assert isinstance(me, User) and me.id and me.display_name
    assert again.job_title == same.job_title == "SDK tester" and same.id == me.id
    assert {r.url.path for r in seen} >= {"/v1.0/me", f"/v1.0/users/{me.id}"}


def test_a_planner_patch_without_the_etag_is_refused_to_the_sdk(served: str) -> None:
    """The SDK surfaces the mock's 412 as Graph's own error type, with the OData error code."""
    from msgraph.generated.models.o_data_errors.o_data_error import ODataError
    from msgraph.generated.models.planner_plan import PlannerPlan

    async def scenario() -> ODataError:
        client, http = graph_client(served, [])
        try:
            plan = (await client.planner.plans.get()).value[0]
            with pytest.raises(ODataError) as refused:
                await client.planner.plans.by_planner_plan_id(plan.id).patch(PlannerPlan(title="x"))
        finally:
            await http.aclose()
        return refused.value

    error = asyncio.run(scenario())
    assert error.response_status_code == 412 and error.error.code == "PreconditionFailed"
