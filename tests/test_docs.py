"""docs.parse_page on the three seed styles, and on small inline pages for the edge cases."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from graph_contracts.docs import (
    PageError,
    decode,
    fill_table,
    parse_page,
    parse_type_page,
    possible_values,
)


def page_of(seeds: Path, prefix: str):
    path = next(seeds.glob(f"{prefix}_*.txt"))
    return parse_page(decode(path.read_bytes()))


def test_frontmatter_style_seed_000(seeds: Path) -> None:
    page = page_of(seeds, "000")
    assert page.style == "frontmatter"
    assert page.resource == "deviceConfigurationUserStatus"
    assert page.resource_link == "../resources/deviceconfigurationuserstatus.md"
    assert page.versions == ["beta"]
    assert page.paths == [
        (31, "/deviceManagement/deviceConfigurations/{deviceConfigurationId}/userStatuses")
    ]
    assert page.permissions == {}  # only TODO placeholders
    assert page.headers == ["Authorization", "Content-Type"]
    assert page.status == 200
    status = next(p for p in page.properties if p.name == "status")
    assert (status.type_text, status.line) == ("complianceStatus", 50)
    assert status.enum is not None and len(status.enum) == 8
    assert [e.kind for e in page.examples] == ["request", "response"]
    assert page.examples[0].line == 68 and page.examples[0].body["status"] == "String"
    assert any(line == 21 for line, _ in page.todos)


def test_old_markdown_style_seed_001(seeds: Path) -> None:
    page = page_of(seeds, "001")
    assert page.style == "markdown"
    assert page.title == "Update deviceConfigurationUserStatus"
    assert page.paths == [(13, "/deviceManagement/deviceConfigurations/<id>/userStatuses/<id>")]
    assert page.permissions == {"delegated_work": ["DeviceManagementConfiguration.ReadWrite.All"]}
    status = next(p for p in page.properties if p.name == "status")
    assert status.type_text == "String" and status.enum is not None and len(status.enum) == 7
    assert page.examples[1].status == 200 and page.examples[1].body_line == 58


def test_plain_text_style_seed_004(seeds: Path) -> None:
    page = page_of(seeds, "004")
    assert page.style == "text"
    assert page.beta_note and page.versions == ["beta"]
    assert page.resource == "deviceConfigurationUserStatus"
    assert len(page.paths) == 10 and page.paths[0][0] == 26
    assert page.permissions == {
        "delegated_work": ["DeviceManagementConfiguration.ReadWrite.All"],
        "delegated_personal": [],
        "application": ["DeviceManagementConfiguration.ReadWrite.All"],
    }
    assert page.headers == ["Authorization"]
    assert [p.name for p in page.properties][:3] == ["id", "userDisplayName", "devicesCount"]
    status = next(p for p in page.properties if p.name == "status")
    assert status.type_text == "complianceStatus" and status.enum[-1] == "notAssigned"
    assert [(e.kind, e.line, e.body_line) for e in page.examples] == [
        ("request", 67, 71),
        ("response", 84, 88),
    ]


def test_plain_text_two_word_type() -> None:
    text = "\n".join(
        [
            "Update widget",
            "",
            "HTTP Request",
            "",
            "PATCH /widgets/{id}",
            "",
            "Request body",
            "",
            "Property Type Description",
            "tags String collection Labels. Read-only.",
            "size Int32 Size in cm.",
            "",
            "Response",
            "",
            "If successful, this method returns a 204 No Content response code.",
        ]
    )
    page = parse_page(text)
    tags = page.properties[0]
    assert (tags.name, tags.type_text, tags.read_only) == ("tags", "String collection", True)
    assert page.properties[1].type_text == "Int32"
    assert page.status == 204


@pytest.mark.parametrize(
    ("desc", "expected"),
    [
        ("Possible values are: `a`, `b`, `c`.", ["a", "b", "c"]),
        ("Possible values are: a, b and c. More text.", ["a", "b", "c"]),
        ("No list here.", None),
    ],
)
def test_possible_values(desc: str, expected: list[str] | None) -> None:
    assert possible_values(desc) == expected


def test_unclosed_fence_is_truncated() -> None:
    with pytest.raises(PageError, match="truncated"):
        parse_page("# Update x\n\n## HTTP request\n```http\nPATCH /x/{id}\n")


def test_unrecognizable_text() -> None:
    with pytest.raises(PageError, match="unrecognizable"):
        parse_page("just some words\nand more words\n")


def test_type_page_fast_path(corpus: Path) -> None:
    page = parse_type_page(
        (
            corpus / "graph-docs/api-reference/beta/resources/intune-shared-compliancestatus.md"
        ).read_text()
    )
    assert page.title.startswith("complianceStatus")
    assert page.members == [] and page.table is not None  # table parsed only on demand
    fill_table(page)
    assert page.table is None
    assert page.members[0] == "unknown" and page.members[-1] == "notAssigned"


_TYPE_CELLS_PAGE = """# Update thing

## HTTP request

```http
PATCH /things/{id}
```

## Request body

|Property|Type|Description|
|:---|:---|:---|
|mailingAddress|[physicalAddress]|Shortcut reference link.|
|parts|[part] collection|Shortcut reference, collection.|
|ageGroup|[ageGroup](../resources/user.md#agegroup-values)|Anchor link.|
|owner|[identity][identityRef]|Full reference link.|

[physicalAddress]: ../resources/physicaladdress.md
[identityRef]: ../resources/identity.md
"""


def test_type_cell_links() -> None:
    props = {p.name: p for p in parse_page(_TYPE_CELLS_PAGE).properties}
    assert (props["mailingAddress"].type_text, props["mailingAddress"].type_link) == (
        "physicalAddress",
        "../resources/physicaladdress.md",
    )
    assert props["parts"].type_text == "part collection"
    assert props["parts"].type_link is None  # `[part]` has no definition on the page
    assert props["ageGroup"].type_link == "../resources/user.md#agegroup-values"
    assert props["owner"].type_text == "identity"
    assert props["owner"].type_link == "../resources/identity.md"
    assert [p.line for p in props.values()] == [13, 14, 15, 16]


def test_type_page_table_lines_and_refs(corpus: Path) -> None:
    text = (corpus / "graph-docs/api-reference/v1.0/resources/permission.md").read_text()
    page = fill_table(parse_type_page(text))
    props = {p.name: p for p in page.properties}
    lines = text.splitlines()
    for p in props.values():  # line numbers point at the row itself
        assert lines[p.line - 1].lstrip("| ").startswith(p.name), p
    assert props["invitation"].type_link == "sharinginvitation.md"  # `[SharingInvitation][]`


def _text_page(body: list[str]) -> str:
    return "\n".join(
        [
            "Update widget",
            "",
            "HTTP Request",
            "",
            "PATCH /widgets/{id}",
            "",
            "Example",
            "",
            "PATCH https://graph.microsoft.com/beta/widgets/1",
            "Content-type: application/json",
            "",
            *body,
            "",
            "The response is below.",
        ]
    )


def test_text_body_ends_at_its_closing_bracket_not_at_brackets_in_strings() -> None:
    page = parse_page(
        _text_page(["{", '  "note": "a } and a \\" quote ]",', '  "size": {"cm": 3}', "}"])
    )
    (request,) = page.examples
    assert request.body == {"note": 'a } and a " quote ]', "size": {"cm": 3}}
    assert request.body_line == 12
    assert request.body_text.splitlines()[-1] == "}"  # the prose after it is not in the body


def test_text_body_that_never_closes_is_truncated() -> None:
    with pytest.raises(PageError, match="JSON body starting at line 12 never closes"):
        parse_page(_text_page(["{", '  "note": "a } in a string"']))


_MEMO_PAGE = """# Update widget
{gap}
## HTTP request

```http
PATCH /widgets/{{id}}
```

## Request body

|Property|Type|Description|
|:---|:---|:---|
|size|Int32|Size in centimetres, rounded. {size}|
|color|String|Color.|
"""


def test_memos_shared_across_pages_change_no_page(seeds: Path, corpus: Path) -> None:
    """Pages parsed with one run's memos equal pages parsed alone, in either order: memos are
    keyed by content only, never by a line's position, and near-identical rows stay apart."""
    api = corpus / "graph-docs/api-reference"
    texts = [
        _MEMO_PAGE.format(gap="", size="Possible values are: `small`, `large`."),
        _MEMO_PAGE.format(gap="\n\n", size="Read-only."),  # same `color` row, two lines lower
        *(decode(p.read_bytes()) for p in sorted(seeds.glob("*.txt"))),
        *(
            (api / f).read_text()
            for f in (
                "beta/api/intune-deviceconfig-deviceconfigurationuserstatus-update.md",
                "v1.0/api/intune-deviceconfig-deviceconfigurationuserstatus-update.md",
                "v1.0/api/user-update.md",
            )
        ),
    ]
    alone = [dataclasses.asdict(parse_page(t)) for t in texts]
    assert alone[0]["properties"][0]["enum"] == ["small", "large"]
    assert alone[1]["properties"][0]["read_only"]
    assert alone[1]["properties"][1]["line"] == alone[0]["properties"][1]["line"] + 2
    for order in (texts, texts[::-1]):
        cache: dict = {}
        shared = {t: dataclasses.asdict(parse_page(t, cache=cache)) for t in order}
        assert [shared[t] for t in texts] == alone
