"""workload_of: real corpus templates land on the service Graph's throttling page names for them."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph_contracts.extract import extract_paths
from graph_contracts.workloads import OTHER, RULES, WORKLOADS, prefixes_of, workload_of

# Templates as the 2021-07 corpus has them (checked against the extraction below), and the
# workload whose published limit applies (https://learn.microsoft.com/graph/throttling-limits).
CORPUS_TEMPLATES = [
    ("/deviceManagement/deviceConfigurations/{deviceConfigurationId}", "intune"),
    ("/deviceAppManagement/mobileApps/{mobileAppId}", "intune"),
    ("/deviceManagement/roleDefinitions/{roleDefinitionId}", "intune"),
    ("/deviceManagement/managedDevices/{managedDeviceId}", "intune-devices"),
    ("/deviceManagement/deviceHealthScripts/{deviceHealthScriptId}", "intune-devices"),
    ("/deviceManagement/deviceManagementScripts/{deviceManagementScriptId}", "intune-devices"),
    ("/deviceManagement/detectedApps/{detectedAppId}", "intune-devices"),
    (
        "/deviceManagement/userExperienceAnalyticsBaselines/{userExperienceAnalyticsBaselineId}",
        "intune-devices",
    ),
    ("/users/{usersId}/managedDevices/{managedDeviceId}", "intune-devices"),
    ("/users/{usersId}/mobileAppIntentAndStates/{mobileAppIntentAndStateId}", "intune"),
    (
        "/deviceManagement/virtualEndpoint/provisioningPolicies/{cloudPcProvisioningPolicyId}",
        "cloud-pc",
    ),
    ("/identity/conditionalAccess/policies/{conditionalAccessPolicyId}", "conditional-access"),
    ("/identity/conditionalAccess/namedLocations/{ipNamedLocationId}", "conditional-access"),
    ("/identity/b2cUserFlows/{b2cIdentityUserFlowId}", "directory"),
    ("/identity/events/onSignupStart/{authenticationListenerId}", "directory"),
    ("/users/{userId}", "directory"),
    ("/groups/{groupId}", "directory"),
    ("/groups/{groupId}/settings/{groupSettingId}", "directory"),
    ("/contacts/{orgContactId}", "directory"),
    ("/policies/authorizationPolicy", "directory"),
    ("/me/messages/{messageId}", "outlook"),
    ("/users/{userId}/mailFolders/{mailFolderId}/messages/{messageId}", "outlook"),
    ("/me/calendargroups/{calendargroupId}/calendars/{calendarId}/events/{eventId}", "outlook"),
    ("/groups/{groupId}/calendar/events/{eventId}", "outlook"),
    ("/users/{userId}/contactFolders/{contactFolderId}/contacts/{contactId}", "outlook"),
    ("/me/mailboxSettings", "outlook"),
    ("/me/outlook/tasks/{outlookTaskId}", "outlook"),
    ("/users/{userId}/photo/$value", "outlook"),
    ("/groups/{groupId}/threads/{conversationThreadId}", "outlook"),
    ("/users/{userId}/messages/{messageId}/extensions/{extensionId}", "extensions"),
    ("/groups/{groupId}/events/{eventId}/extensions/{extensionId}", "extensions"),
    ("/schemaExtensions/{schemaExtensionId}", "extensions"),
    ("/teams/{teamId}/channels/{channelId}", "teams"),
    ("/teams/{teamId}/channels/{channelId}/messages/{messageId}", "teams"),
    ("/chats/{chatThreadId}/messages/{messageId}", "teams"),
    ("/teamwork/workforceIntegrations/{workforceIntegrationId}", "teams"),
    ("/planner/tasks/{plannerTaskId}", "planner"),
    ("/me/planner", "planner"),
    ("/drives/{driveId}/items/{itemId}", "sharepoint-onedrive"),
    ("/me/drive/items/{itemId}/permissions/{permId}", "sharepoint-onedrive"),
    ("/sites/{siteId}/lists/{listId}/items/{itemId}", "sharepoint-onedrive"),
    ("/me/drive/items/{itemId}/workbook/names/{name}", "excel"),
    ("/me/drive/items/{itemId}/workbook/names/{name}/range/format/borders({sideIndex})", "excel"),
    ("/education/classes/{educationClassId}", "education"),
    ("/education/schools/{educationSchoolId}", "education"),
    ("/education/classes/{classId}/assignments/{educationAssignmentId}", "education-assignments"),
    ("/education/me/rubrics/{educationRubricId}", "education-assignments"),
    ("/subscriptions/{subscriptionId}", "subscriptions"),
    ("/security/alerts/{alertId}", "security"),
    ("/reports", "reports"),
    ("/sites/{siteId}/onenote/pages/{pageId}/content", OTHER),
    ("/me/todo/lists/{todoTaskListId}/tasks/{taskId}", OTHER),
    ("/users/{userId}/profile/skills/{skillProficiencyId}", OTHER),
    ("/print/printers/{printerId}", OTHER),
    ("/bookingBusinesses/{bookingBusinessId}", OTHER),
]

# What the client asks about: concrete URLs' paths, keys in parentheses, query strings, any case.
CONCRETE_PATHS = [
    ("/deviceManagement/deviceConfigurations/0b8c-11/userStatuses/7f3e", "intune"),
    ("/deviceManagement/deviceConfigurations('0b8c-11')/userStatuses", "intune"),
    ("/deviceManagement/managedDevices/a1b2c3?$select=id", "intune-devices"),
    ("/users('adele@contoso.com')/messages/AAMkAGI2=", "outlook"),
    ("/users/5f1e0a4c-9f1b-4f5e-b7aa-0d3c2f1e7a6b/messages", "outlook"),
    ("/USERS/abc/MAILFOLDERS/inbox", "outlook"),
    ("/users/abc?$select=displayName", "directory"),
    ("deviceManagement/deviceConfigurations", "intune"),
    ("/me/drive/root:/book.xlsx:/workbook/worksheets('Sheet1')", "excel"),
    ("/reportsArchive/x", OTHER),  # a prefix ends at a segment boundary
    ("/deviceManagementExtra/x", OTHER),
    ("/", OTHER),
    ("", OTHER),
]


@pytest.mark.parametrize(("path", "workload"), CORPUS_TEMPLATES + CONCRETE_PATHS)
def test_workload_of(path: str, workload: str) -> None:
    assert workload_of(path) == workload


@pytest.fixture(scope="module")
def corpus_templates(corpus: Path) -> set[str]:
    api = corpus / "graph-docs" / "api-reference"
    extraction = extract_paths([api / "beta" / "api", api / "v1.0" / "api"])
    return {p for c in extraction.contracts for p in c.paths}


@pytest.mark.slow
def test_table_templates_are_the_corpus_own(corpus_templates: set[str]) -> None:
    """The table above is made of real templates, not invented ones."""
    assert [p for p, _ in CORPUS_TEMPLATES if p not in corpus_templates] == []


@pytest.mark.slow
def test_corpus_lands_where_its_service_says(corpus_templates: set[str]) -> None:
    """Whole-corpus invariants a wrong rule order would break."""
    by_workload: dict[str, list[str]] = {}
    for path in sorted(corpus_templates):
        by_workload.setdefault(workload_of(path), []).append(path)
    for path in corpus_templates:
        workload, lowered = workload_of(path), path.lower()
        if "/workbook" in lowered:
            assert workload == "excel", path
        elif "/extensions/" in lowered:
            assert workload == "extensions", path
        elif lowered.startswith(("/devicemanagement", "/deviceappmanagement")):
            assert workload in {"intune", "intune-devices", "cloud-pc"}, path
        if workload == "outlook":
            assert lowered.startswith(("/me/", "/users/", "/groups/")), path
    # every rule serves some real template, bar those the 2021-07 docs have no PATCH for
    unused = {"information-protection"}
    assert {w for w in WORKLOADS if w not in by_workload} <= unused
    assert len(by_workload["intune"]) > 300 and len(by_workload["intune-devices"]) > 50


def test_workloads_and_prefixes() -> None:
    assert WORKLOADS[-1] == OTHER and len(set(WORKLOADS)) == len(WORKLOADS)
    assert {r.workload for r in RULES} == set(WORKLOADS)
    assert prefixes_of("intune")[:2] == ("/deviceManagement", "/deviceAppManagement")
    assert prefixes_of("no-such-workload") == ()
    # the narrower rule is tried first
    order = [r.workload for r in RULES]
    assert order.index("intune-devices") < order.index("intune")
    assert order.index("excel") < order.index("sharepoint-onedrive")
    assert order.index("outlook") < order.index("directory")
