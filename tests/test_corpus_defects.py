"""Known corpus defects (issue 11 part 4), each on the real page that shows it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from graph_contracts.contracts import Contract
from graph_contracts.extract import extract_paths, normalize_path


@pytest.fixture(scope="module")
def api(corpus: Path) -> Path:
    return corpus / "graph-docs" / "api-reference"


def _contracts(api: Path, *pages: str) -> dict[str, Contract]:
    result = extract_paths([api / p for p in pages])
    assert result.errors == []
    return {c.id: c for c in result.contracts}


@pytest.mark.parametrize("version", ["beta", "v1.0"])
def test_extended_property_paths_go_to_the_resource_they_update(api: Path, version: str) -> None:
    pages = [
        f"{version}/api/calendar-update.md",
        f"{version}/api/message-update.md",
        f"{version}/api/singlevaluelegacyextendedproperty-post-singlevalueextendedproperties.md",
        f"{version}/api/multivaluelegacyextendedproperty-post-multivalueextendedproperties.md",
    ]
    contracts = _contracts(api, *pages)
    calendar = contracts[f"{version}/calendar"]
    assert [p for p in calendar.paths if "/calendar" not in p] == []
    assert calendar.status == 200  # calendar-update's, not the shared page's POST 201
    message = contracts[f"{version}/message"]
    assert "/me/messages/{messageId}" in message.paths
    assert message.status == 200
    names = {p.name for p in message.properties}
    assert {"singleValueExtendedProperties", "multiValueExtendedProperties"} <= names
    assert "value" not in names  # a member of the extended property, not of the message
    for c in contracts.values():  # never a template of another resource under a contract
        for path in c.paths:
            last = [s for s in path.split("/") if s and "{" not in s][-1]
            assert last.lower().rstrip("s").startswith(
                ("calendar", "message", "event", "contact", "mailfolder", "contactfolder")
            ) or c.resource.endswith(("outlookTask", "outlookTaskFolder")), (c.id, path)
    events = contracts[f"{version}/event"]
    assert events.paths and all("/events/" in p for p in events.paths)


@pytest.mark.parametrize("version", ["beta", "v1.0"])
def test_a_shared_page_sends_nothing_and_claims_no_permission(api: Path, version: str) -> None:
    """Extended properties come back only with $expand (a faithful service would fail the
    round-trip) and no restoring PATCH takes them back; the page's permission table is per
    resource, so `message` must not gain Calendars.ReadWrite from it."""
    shared = [
        f"{version}/api/singlevaluelegacyextendedproperty-post-singlevalueextendedproperties.md",
        f"{version}/api/multivaluelegacyextendedproperty-post-multivalueextendedproperties.md",
    ]
    alone = _contracts(api, f"{version}/api/message-update.md")[f"{version}/message"]
    message = _contracts(api, f"{version}/api/message-update.md", *shared)[f"{version}/message"]
    extended = [p for p in message.properties if "ExtendedProperties" in p.name]
    assert extended and not any(p.updatable for p in extended)
    assert message.permissions == alone.permissions
    assert [e for e in message.examples if "extendedpropert" in e.file] == []


@pytest.mark.parametrize("version", ["beta", "v1.0"])
def test_no_key_after_single_valued_navigation(api: Path, version: str) -> None:
    grid = _contracts(api, f"{version}/api/chartgridlines-update.md")
    (c,) = grid.values()
    assert all(p.lower().endswith("gridlines") for p in c.paths), c.paths
    assert not any(f.rule == "collection-path" for f in c.findings)
    items = _contracts(api, f"{version}/api/listitem-update.md")
    (c,) = items.values()
    assert "/sites/{siteId}/lists/{listId}/items/{itemId}/fields" in c.paths, c.paths


def test_a_plural_collection_still_gets_its_key() -> None:
    raw = "/deviceAppManagement/mobileApps/{mobileAppId}/userStatuses"
    assert normalize_path(raw, "userAppInstallStatus")[1] is True


@pytest.mark.parametrize("version", ["beta", "v1.0"])
def test_placeholders_are_distinct_in_a_template(api: Path, version: str) -> None:
    (c,) = _contracts(api, f"{version}/api/todotasklist-update.md").values()
    for path in c.paths:
        names = re.findall(r"\{([^}]*)\}", path)
        assert len(names) == len(set(names)), path
    assert normalize_path("/a/{id}/b/{id}/a/{id}", "a")[0] == "/a/{aId}/b/{bId}/a/{aId2}"


def test_stream_property_is_no_key(api: Path) -> None:
    result = extract_paths([api / "v1.0/api/organizationalbrandingproperties-update.md"])
    (c,) = result.contracts
    assert c.paths == ["/organization/{tenantId}/branding"]
    assert any(f.rule == "stream-path" for f in c.findings)


def test_related_contacts_update_the_education_user(api: Path) -> None:
    contracts = _contracts(api, "beta/api/relatedcontact-update.md")
    assert list(contracts) == ["beta/educationUser"]
    c = contracts["beta/educationUser"]
    assert c.paths == ["/education/users/{educationUserId}"]
    assert [p.name for p in c.properties] == ["relatedContacts"]


def test_a_stream_upload_example_is_no_example_path_warning(api: Path) -> None:
    """The stream template is cut (`stream-path`); its own example `/branding/bannerLogo` is
    the documented upload, not a URL that fits nothing."""
    contracts = _contracts(api, "v1.0/api/organizationalbrandingproperties-update.md")
    (contract,) = contracts.values()
    assert contract.paths == ["/organization/{tenantId}/branding"]
    assert "example-path" not in [f.rule for f in contract.findings]


def test_an_upper_case_version_prefix_is_stripped() -> None:
    from graph_contracts.extract._paths import strip_url

    assert strip_url("https://graph.microsoft.com/V1.0/me/events/1") == "/me/events/1"
    assert strip_url("/Beta/me") == "/me" and strip_url("/betamax/x") == "/betamax/x"


def test_a_self_referencing_row_does_not_hide_the_resource(api: Path) -> None:
    """`inheritsPermissionsFrom: unifiedRoleDefinition collection` refers to the page's own type:
    the page still updates a unifiedRoleDefinition, not Intune's roleDefinition."""
    contracts = _contracts(api, "beta/api/unifiedroledefinition-update.md")
    assert list(contracts) == ["beta/unifiedRoleDefinition"]


def test_example_url_matching_no_template_is_reported(api: Path) -> None:
    (c,) = _contracts(api, "beta/api/cloudpcusersetting-update.md").values()
    assert c.paths and c.properties  # the contract itself stands
    found = [f for f in c.findings if f.rule == "example-path"]
    assert len(found) == 1 and "userSettings" in found[0].message


def test_examples_matching_their_template_are_not_reported(api: Path) -> None:
    """OData key syntax `messages('x')` and `/me` for `/users/{id}` fit their templates."""
    pages = ["v1.0/api/message-update.md", "v1.0/api/calendar-update.md"]
    for c in _contracts(api, *pages).values():
        assert not [f for f in c.findings if f.rule == "example-path"], c.id


@pytest.mark.parametrize("version", ["beta", "v1.0"])
def test_parenthesized_placeholders_become_templates(api: Path, version: str) -> None:
    (c,) = _contracts(api, f"{version}/api/chatmessage-update.md").values()
    assert "/teams/{teamId}/channels/{channelId}/messages/{messageId}" in c.paths
    assert not any("(" in p for p in c.paths)


@pytest.mark.parametrize(
    ("raw", "resource", "expected"),
    [
        ("/me/drive/items/{id}/charts", "WorkbookChart", "{workbookChartId}"),
        ("/Users/{User-Id}/x/{id}", "X", "{userId}"),
        ("/a/<id>", "WorkbookChartGridlines", "{workbookChartGridlinesId}"),
    ],
)
def test_placeholders_are_camel_case_from_any_casing(
    raw: str, resource: str, expected: str
) -> None:
    assert expected in normalize_path(raw, resource)[0]


def test_text_page_placeholders_are_camel_case(api: Path, tmp_path: Path) -> None:
    """A plain-text page names the type in PascalCase; its key is still `{workbookChartId}`."""
    page = tmp_path / "v1.0" / "api" / "chart.txt"  # the folder tells the version
    page.parent.mkdir(parents=True)
    page.write_text(
        "Update WorkbookChart\n\nUpdate the properties of chart object.\n\nHTTP request\n\n"
        "PATCH /me/drive/items/{id}/workbook/worksheets/{id|name}/charts/<name>\n\n"
        "Request body\n\nProperty Type Description\nheight Double Height of the chart.\n\n"
        "Response\n\nIf successful, this method returns a 200 OK response code.\n"
    )
    result = extract_paths([page])
    paths = [p for c in result.contracts for p in c.paths]
    assert paths and not any(re.search(r"\{[A-Z]", p) for p in paths), paths


def test_an_example_of_the_documented_collection_path_is_no_second_defect(seeds: Path) -> None:
    """Seeds 000 and 003 document `.../userStatuses` and their examples PATCH it: the appended
    key is already a `collection-path` finding; `example-path` would report it twice."""
    result = extract_paths([seeds])
    rules = {f.rule for c in result.contracts for f in c.findings}
    assert "collection-path" in rules
    assert "example-path" not in rules
