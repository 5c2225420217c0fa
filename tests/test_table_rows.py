"""Every request-body row becomes a property, honestly typed: rows named `name`, tables under
subheadings (one per derived type, or per permission kind), a property listed twice, union type
cells, and writability that depends on a condition."""

from __future__ import annotations

from pathlib import Path

import pytest
from samples import widget_update

from graph_contracts.docs import parse_page
from graph_contracts.extract import extract_paths

_WIDGET = """---
doc_type: resourcePageType
---
# widget resource type

## Properties
|Property|Type|Description|
|:---|:---|:---|
|id|String|Identifier. Read-only.|
|name|String|The name.|
|size|Int32|Size.|

<!-- { "blockType": "resource", "@odata.type": "microsoft.graph.widget" } -->
"""


def _contract(tmp_path: Path, body: str):
    tmp_path = tmp_path / "v1.0"  # the folder tells the version: it is never guessed
    (tmp_path / "api").mkdir(parents=True)
    (tmp_path / "resources").mkdir()
    (tmp_path / "api" / "widget-update.md").write_text(widget_update(body))
    (tmp_path / "resources" / "widget.md").write_text(_WIDGET)
    result = extract_paths([tmp_path / "api"])
    assert result.errors == []
    (c,) = result.contracts
    return c


def _rules(c, rule: str) -> list:
    return [f for f in c.findings if f.rule == rule]


_TABLE = "|Property|Type|Description|\n|:---|:---|:---|\n"


def test_a_property_named_name_is_kept(tmp_path: Path) -> None:
    c = _contract(tmp_path, _TABLE + "|name|String|The name.|\n|size|Int32|Size.|\n")
    assert [p.name for p in c.properties] == ["name", "size"]
    assert c.property("name").updatable


def test_a_complex_member_named_name_is_kept() -> None:
    page = parse_page(
        "---\ndoc_type: complexTypePageType\n---\n# keyValuePair resource type\n\n"
        "## Properties\n| Property | Type | Description |\n|:--|:--|:--|\n"
        "| name | String | Name for this key-value pair. |\n| value | String | Value. |\n"
    )
    assert [p.name for p in page.properties] == ["name", "value"]


def test_plain_text_row_named_name_is_kept() -> None:
    page = parse_page(
        "Update calendar\n\nHTTP request\nPATCH /me/calendar\n\nRequest body\n"
        "Property Type Description\nname String The calendar name.\ncolor String The color.\n\n"
        "Response\nIf successful, this method returns a 200 OK response code.\n"
    )
    assert [p.name for p in page.properties] == ["name", "color"]


def test_a_header_repeated_mid_table_is_no_row() -> None:
    rows = "|size|Int32|Size.|\n|Property|Type|Description|\n|name|String|N.|\n"
    page = parse_page(widget_update(_TABLE + rows))
    assert [p.name for p in page.properties] == ["size", "name"]


def test_split_tables_under_subheadings_keep_every_row(tmp_path: Path) -> None:
    """printer-update.md: one table per permission kind, both documenting the resource."""
    body = (
        "### Delegated permissions and JSON payload\n\n" + _TABLE + "|name|String|N.|\n\n"
        "### Application permissions and JSON payload\n\n" + _TABLE + "|name|String|N.|\n"
        "|size|Int32|Size.|\n"
    )
    c = _contract(tmp_path, body)
    assert [p.name for p in c.properties] == ["name", "size"]
    assert all(p.updatable for p in c.properties)
    assert len(c.property("name").sources) == 2
    assert not _rules(c, "no-property-table")


@pytest.mark.parametrize("heading", ["Required properties", "Optional properties", "Widget type"])
def test_a_subheading_naming_no_type_keeps_its_rows_sendable(tmp_path: Path, heading) -> None:
    """A "### Required properties" subheading names no type: its rows are the resource's, all sent."""
    body = f"### {heading}\n\n" + _TABLE + "|name|String|N.|\n|size|Int32|Size.|\n"
    c = _contract(tmp_path, body)
    assert [p.name for p in c.properties] == ["name", "size"]
    assert all(p.updatable for p in c.properties)
    assert not _rules(c, "type-specific-property")


def test_a_derived_types_own_rows_are_kept_but_not_sent(tmp_path: Path) -> None:
    """identityprovider-update.md: the page's resource is the base type; a row only the derived
    type's table lists is that type's, so the suite must not send it to the base."""
    body = (
        "### widget object\n\n" + _TABLE + "|name|String|N.|\n\n"
        "### fancyWidget object\n\n" + _TABLE + "|name|String|N.|\n|sparkle|Int32|Shine.|\n"
    )
    c = _contract(tmp_path, body)
    assert [p.name for p in c.properties] == ["name", "sparkle"]
    assert c.property("name").updatable
    assert not c.property("sparkle").updatable
    (f,) = _rules(c, "type-specific-property")
    assert "fancyWidget" in f.message and f.line == _line_of(c, "sparkle")


def _line_of(c, name: str) -> int:
    return int(c.property(name).sources[0].rsplit(":", 1)[1])


def test_a_property_with_two_rows_keeps_both_sources(tmp_path: Path) -> None:
    c = _contract(tmp_path, _TABLE + "|size|Int32|Size.|\n|name|String|N.|\n|size|Int32|Again.|\n")
    assert [p.name for p in c.properties] == ["size", "name"]
    assert len(c.property("size").sources) == 2
    assert not _rules(c, "duplicate-row")


def test_two_rows_that_disagree_give_a_finding(tmp_path: Path) -> None:
    c = _contract(tmp_path, _TABLE + "|label|Int32|Label.|\n|label|String|Label as text.|\n")
    assert c.property("label").type == "Edm.Int32"
    (f,) = _rules(c, "duplicate-row")
    assert f.line == int(c.property("label").sources[1].rsplit(":", 1)[1])


@pytest.mark.parametrize(
    ("cell", "ctype", "nullable"),
    [
        ("String &#124; null", "Edm.String", True),
        ("String \\| null", "Edm.String", True),
        ("null &#124; Int32", "Edm.Int32", True),
        ("String or null", "Edm.String", True),
        ("String", "Edm.String", None),
    ],
)
def test_a_union_with_null_is_the_other_type_and_nullable(
    tmp_path: Path, cell: str, ctype: str, nullable: bool | None
) -> None:
    c = _contract(tmp_path, _TABLE + f"|label|{cell}|Label.|\n")
    assert (c.property("label").type, c.property("label").nullable) == (ctype, nullable)
    assert not _rules(c, "union-type")
    assert not _rules(c, "unresolved-type")


def test_a_union_of_two_types_is_any_json_with_a_finding(tmp_path: Path) -> None:
    """Neither member can be generated as the one the service takes, nor a reply's value of
    the other judged wrong: any JSON, never a false alarm; the finding names both."""
    c = _contract(tmp_path, _TABLE + "|label|Int32 &#124; String|Label. Not nullable.|\n")
    assert c.property("label").type == "Edm.Untyped"
    assert c.property("label").nullable is False
    (f,) = _rules(c, "union-type")
    assert "Int32, String" in f.message


@pytest.mark.parametrize(
    "description",
    [
        "Read-only when isBuiltIn is true.",
        "Read-only when **isBuiltIn** is true.",
        "Read-only for users synced from on-premises directory.",
        "Read-only except for drafts.",
        "Read-only for built-in roles, and writable otherwise.",
        "Updatable only if isDraft = true.",
    ],
)
def test_conditional_writability_is_not_sent_and_reported(tmp_path: Path, description: str) -> None:
    c = _contract(tmp_path, _TABLE + f"|size|Int32|{description}|\n|name|String|N.|\n")
    assert not c.property("size").updatable
    assert c.property("name").updatable
    (f,) = _rules(c, "conditional-read-only")
    assert f.line == _line_of(c, "size")


@pytest.mark.parametrize("description", ["Read-only.", "The size. Read only after creation."])
def test_plain_read_only_gives_no_conditional_finding(tmp_path: Path, description: str) -> None:
    c = _contract(tmp_path, _TABLE + f"|size|Int32|{description}|\n")
    assert not c.property("size").updatable
    assert not _rules(c, "conditional-read-only")
