"""extract_paths on the seeds: merging, normalization, enums, findings, determinism."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from samples import widget_update

from graph_contracts.extract import extract_paths, normalize_path

USER_STATUS = "beta/deviceConfigurationUserStatus"


@pytest.fixture(scope="module")
def seed_result(seeds: Path):
    return extract_paths([seeds])


def by_id(result, cid):
    return next(c for c in result.contracts if c.id == cid)


def test_exactly_three_contracts(seed_result) -> None:
    assert seed_result.errors == []
    got = {(c.version, c.resource, len(c.paths)) for c in seed_result.contracts}
    assert got == {
        ("beta", "microsoft.graph.deviceConfigurationUserStatus", 10),
        ("v1.0", "microsoft.graph.deviceConfigurationDeviceStatus", 1),
        ("beta", "microsoft.graph.userAppInstallStatus", 1),
    }


def test_merge_keeps_sources_and_prefers_named_enum(seed_result) -> None:
    c = by_id(seed_result, USER_STATUS)
    assert c.sources == [
        "seeds/000_14a432499c8fc230.txt",
        "seeds/001_171f7d285c02d6b8.txt",
        "seeds/004_ac125533bbd86a7e.txt",
    ]
    status = c.property("status")
    assert status.type == "microsoft.graph.complianceStatus"
    assert status.enum is not None and len(status.enum) == 8 and "notAssigned" in status.enum
    assert status.sources == [
        "seeds/000_14a432499c8fc230.txt:50",
        "seeds/001_171f7d285c02d6b8.txt:29",
        "seeds/004_ac125533bbd86a7e.txt:53",
    ]
    disagree = [f for f in c.findings if f.rule == "pages-disagree"]
    assert len(disagree) == 1
    assert disagree[0].location == "seeds/001_171f7d285c02d6b8.txt:29"
    assert "seeds/000_14a432499c8fc230.txt:50" in disagree[0].message
    assert c.types["microsoft.graph.complianceStatus"].kind == "enum"
    assert c.permissions["application"] == ["DeviceManagementConfiguration.ReadWrite.All"]


def test_types_keys_and_first_path(seed_result) -> None:
    c = by_id(seed_result, USER_STATUS)
    assert [p.name for p in c.properties] == [
        "id",
        "userDisplayName",
        "devicesCount",
        "status",
        "lastReportedDateTime",
        "userPrincipalName",
    ]
    assert c.property("devicesCount").type == "Edm.Int32"
    assert c.property("lastReportedDateTime").type == "Edm.DateTimeOffset"
    key = c.property("id")
    assert key.key and not key.updatable
    assert "id" not in {p.name for p in c.updatable()}
    assert c.paths[0] == (
        "/deviceManagement/deviceConfigurations/{deviceConfigurationId}/userStatuses/{deviceConfigurationUserStatusId}"
    )


def test_findings_on_seed_pages(seed_result) -> None:
    c = by_id(seed_result, "v1.0/deviceConfigurationDeviceStatus")
    rules = {f.rule for f in c.findings}
    assert {"collection-path", "todo-placeholder", "missing-permissions"} <= rules
    missing = next(f for f in c.findings if f.rule == "missing-permissions")
    assert missing.severity == "error" and missing.line == 19
    assert c.paths == [
        "/deviceManagement/deviceConfigurations/{deviceConfigurationId}/deviceStatuses/{deviceConfigurationDeviceStatusId}"
    ]
    assert c.status == 200 and c.version == "v1.0"


@pytest.mark.parametrize(
    ("raw", "resource", "expected", "appended"),
    [
        (
            "/deviceManagement/deviceConfigurations/<id>/userStatuses/<id>",
            "deviceConfigurationUserStatus",
            "/deviceManagement/deviceConfigurations/{deviceConfigurationId}/userStatuses/{deviceConfigurationUserStatusId}",
            False,
        ),
        (
            "https://graph.microsoft.com/beta/policies/{id}/items/{id}",
            "item",
            "/policies/{policyId}/items/{itemId}",
            False,
        ),
        (
            "/deviceAppManagement/mobileApps/{mobileAppId}/userStatuses",
            "userAppInstallStatus",
            "/deviceAppManagement/mobileApps/{mobileAppId}/userStatuses/{userAppInstallStatusId}",
            True,
        ),
        (
            "/users/{id | userPrincipalName}/mailboxSettings",
            "mailboxSettings",
            "/users/{userId}/mailboxSettings",
            False,
        ),
        ("/me", "user", "/me", False),
        (
            "/policies/authorizationPolicy",
            "authorizationPolicy",
            "/policies/authorizationPolicy",
            False,
        ),
        (
            "/organization/{id}/branding",
            "organizationalBranding",
            "/organization/{organizationId}/branding",
            False,
        ),
        ("/sites/{site-id}/lists/{list-id}", "list", "/sites/{siteId}/lists/{listId}", False),
    ],
)
def test_normalize_path(raw: str, resource: str, expected: str, appended: bool) -> None:
    assert normalize_path(raw, resource) == (expected, appended)


def test_deterministic_regardless_of_argument_order(seeds: Path, tmp_path: Path) -> None:
    files = sorted(seeds.iterdir())
    a = extract_paths(files)
    b = extract_paths(list(reversed(files)))
    assert [c.to_dict() for c in a.contracts] == [c.to_dict() for c in b.contracts]


def test_resource_page_fallback_and_linked_enum(tmp_path: Path) -> None:
    api = tmp_path / "beta" / "api"
    res = tmp_path / "beta" / "resources"
    api.mkdir(parents=True)
    res.mkdir(parents=True)
    (res / "widget.md").write_text(
        "---\ntitle: widget resource type\ndoc_type: resourcePageType\n---\n# widget resource type\n\n"
        "## Properties\n|Property|Type|Description|\n|:---|:---|:---|\n"
        "|id|String|Identifier. Read-only.|\n|color|[widgetColor](widgetcolor.md)|The color.|\n"
        "|size|Int64|Size.|\n"
    )
    (res / "widgetcolor.md").write_text(
        "---\ntitle: widgetColor enum type\ndoc_type: enumPageType\n---\n# widgetColor enum type\n\n"
        "## Members\n|Member|Value|Description|\n|:---|:---|:---|\n|red|0||\n|blue|1||\n"
    )
    (api / "widget-update.md").write_text(
        "---\ntitle: Update widget\ndoc_type: apiPageType\n---\n# Update widget\n\n"
        "Update the properties of a [widget](../resources/widget.md) object.\n\n"
        "## Permissions\n|Permission type|Permissions|\n|:---|:---|\n|Application|Widget.ReadWrite.All|\n\n"
        "## HTTP request\n```http\nPATCH /widgets/{id}\n```\n\n## Request body\nSupply the values.\n\n"
        "## Response\nIf successful, this method returns a `204 No Content` response code.\n"
    )
    result = extract_paths([api])
    assert result.errors == []
    (c,) = result.contracts
    assert (c.id, c.status, c.paths) == ("beta/widget", 204, ["/widgets/{widgetId}"])
    assert c.property("color").type == "microsoft.graph.widgetColor"
    assert c.property("color").enum == ["red", "blue"]
    assert c.property("size").type == "Edm.Int64"
    assert c.types["microsoft.graph.widgetColor"].members == ["red", "blue"]
    assert any(f.rule == "no-property-table" and f.severity == "info" for f in c.findings)
    assert not any(f.rule == "missing-permissions" for f in c.findings)


def test_copied_seeds_keep_relative_sources(seeds: Path, tmp_path: Path) -> None:
    copy = tmp_path / "seeds"
    shutil.copytree(seeds, copy)
    assert extract_paths([copy]).contracts[0].sources == extract_paths([seeds]).contracts[0].sources


# --- type resolution against resource pages (synthetic api/ + resources/ trees) -----------------
_API_PAGE = widget_update(
    "|Property|Type|Description|\n"
    "|:---|:---|:---|\n"
    "|color|String|The color. Possible values are: `red`, `blue`.|\n"
    "|ageGroup|[ageGroup](../resources/gadget.md#agegroup-values)|Age group.|\n"
    "|tags|String collection|Tags.|\n"
    "|owners|Collection of String|Owners.|\n"
    "|parts|[part](../resources/part.md)|Parts, documented as a single value here.|\n"
    "|level|level|Level.|\n"
)

_WIDGET = """---
title: "widget resource type"
doc_type: resourcePageType
---

# widget resource type

## Properties

|Property|Type|Description|
|:---|:---|:---|
|id|String|Identifier.|
|color|[widgetColor](widgetcolor.md)|The color.|
|parts|[part](part.md) collection|Parts.|

<!-- { "blockType": "resource", "@odata.type": "microsoft.graph.widget" } -->
```json
{ "nested": { "@odata.type": "microsoft.graph.notTheWidget" } }
```
"""

_COLOR = """---
doc_type: enumPageType
---

# widgetColor enum type

## Members

|Member|Value|Description|
|:---|:---|:---|
|red|0|Red.|
|blue|1|Blue.|
"""

_PART = """---
doc_type: resourcePageType
---

# part resource type

## Properties

|Property|Type|Description|
|:---|:---|:---|
|size|Int32|Size.|

<!-- { "blockType": "resource", "@odata.type": "microsoft.graph.part" } -->
"""

_LEVEL = """---
doc_type: enumPageType
---

# level enum type

## Members

|Member|Value|Description|
|:---|:---|:---|
|low|0|Low.|
"""


@pytest.fixture()
def widget_tree(tmp_path: Path) -> Path:
    tmp_path = tmp_path / "v1.0"  # the folder tells the version (the pages do not)
    (tmp_path / "api").mkdir(parents=True)
    (tmp_path / "resources").mkdir()
    (tmp_path / "api" / "widget-update.md").write_text(_API_PAGE)
    (tmp_path / "resources" / "widget.md").write_text(_WIDGET)
    (tmp_path / "resources" / "widgetcolor.md").write_text(_COLOR)
    (tmp_path / "resources" / "part.md").write_text(_PART)
    (tmp_path / "resources" / "intune-shared-level.md").write_text(_LEVEL)
    return tmp_path


def test_resource_page_refines_update_table(widget_tree: Path) -> None:
    result = extract_paths([widget_tree / "api"])
    assert result.errors == []
    (c,) = result.contracts
    assert c.resource == "microsoft.graph.widget"  # the annotation's type, not the example's
    color = c.property("color")
    # the update page says String; the resource page names the enum: the enum is kept...
    assert color.type == "microsoft.graph.widgetColor" and color.enum == ["red", "blue"]
    assert color.sources == ["api/widget-update.md:26", "resources/widget.md:13"]
    # ...and the disagreement is reported with both rows
    disagree = [f for f in c.findings if f.rule == "pages-disagree"]
    assert {f.line for f in disagree} == {26, 30}
    assert "resources/widget.md:13" in disagree[0].message
    assert c.property("parts").type == "Collection(microsoft.graph.part)"


def test_type_cells_to_csdl_names(widget_tree: Path) -> None:
    (c,) = extract_paths([widget_tree / "api"]).contracts
    # an anchor link names the type by its text, not by the page the anchor lives on
    assert c.property("ageGroup").type == "microsoft.graph.ageGroup"
    assert c.property("tags").type == "Collection(Edm.String)"
    assert c.property("owners").type == "Collection(Edm.String)"
    # an Intune type page is found by its file stem behind the area prefix
    level = c.property("level")
    assert level.type == "microsoft.graph.level" and level.enum == ["low"]


def test_link_to_another_api_page_is_not_the_resource(tmp_path: Path) -> None:
    tmp_path = tmp_path / "v1.0"  # the folder tells the version (the pages do not)
    (tmp_path / "api").mkdir(parents=True)
    (tmp_path / "resources").mkdir()
    (tmp_path / "resources" / "widget.md").write_text(_WIDGET)
    page = _API_PAGE.replace(
        "Update the properties of a [widget](../resources/widget.md) object.",
        "This is a special case of the [Update](widget-update.md) method.",
    ).replace(
        "returns a `204 No Content` response code.",
        "returns a `200 OK` response code and an updated [widget](../resources/widget.md).",
    )
    (tmp_path / "api" / "widget-move.md").write_text(page)
    (tmp_path / "api" / "widget-update.md").write_text(_API_PAGE)
    result = extract_paths([tmp_path / "api" / "widget-move.md"])
    assert [c.resource for c in result.contracts] == ["microsoft.graph.widget"]


@pytest.mark.parametrize(
    ("description", "key", "expected"),
    [
        ("Display name. Nullable.", False, True),
        ("The count. Not nullable.", False, False),
        ("Read-only. Non-nullable. Supports $filter.", False, False),
        ("Devices count for that user.", False, None),
        ("Key of the entity.", True, False),
    ],
)
def test_nullability_is_what_the_docs_say_and_silence_stays_unknown(description, key, expected):
    from graph_contracts.extract import documented_nullability

    assert documented_nullability(description, key=key) is expected


def test_seed_properties_have_unknown_nullability_except_the_key(seeds):
    contracts = {c.id: c for c in extract_paths([seeds]).contracts}
    status = contracts["beta/deviceConfigurationUserStatus"]
    assert status.property("id").nullable is False
    assert {p.nullable for p in status.properties if p.name != "id"} == {None}
