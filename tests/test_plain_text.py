"""Plain text as good as markdown: a corpus page copied from the published site (seed 004's style,
rendered by `tests/text_render.py`) gives the same contract as its markdown.

The rendered api pages sit in a copy of the corpus layout whose `resources/` folders are the
corpus' own markdown, as in a docs checkout where one page was replaced by its copy: the page
alone must say what its markdown says (the goal was 95 %; the manual publishes what is asserted
here, over the pages that give a contract in markdown or copied). A second measure renders the resource
pages too (their annotations' CSDL names are gone then: `Chart resource type` declares
`workbookChart` only in a comment, so some contracts cannot match). Contracts are compared per page (before merging), on what
the suite acts on: version, resource, paths, properties (type, enum, nullable, read-only, key),
status, permissions and headers. Line numbers, sources, findings and examples are not compared.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
from published import page, percent
from text_render import render

from graph_contracts.contracts import Contract
from graph_contracts.docs import PageError, decode, parse_page
from graph_contracts.docs._text_tables import text_values
from graph_contracts.extract import extract_paths
from graph_contracts.extract._page import page_contract
from graph_contracts.extract._pages import Pages
from graph_contracts.extract._types import Types

VERSIONS = ("beta", "v1.0")
# (pages giving the identical contract, pages compared) by (wrap width, resource pages rendered
# too), as docs/extract.md publishes them: asserted exactly, so a regression fails and so does an
# improvement the manual does not show yet. A narrower wrap leaves more description lines that
# read like rows; a copied resource page has lost the CSDL name of its annotation.
PUBLISHED = {
    (None, False): (984, 1022),
    (100, False): (978, 1022),
    (72, False): (979, 1022),
    (None, True): (948, 1022),
}


def essence(c: Contract | None) -> tuple | None:
    """What "identical contracts" means here: everything but lines, sources, findings, examples."""
    if c is None:
        return None
    props = tuple(
        (p.name, p.type, tuple(p.enum or ()), p.nullable, p.read_only, p.key) for p in c.properties
    )
    perms = tuple(sorted((k, tuple(v)) for k, v in c.permissions.items()))
    return (c.version, c.resource, tuple(c.paths), props, c.status, perms, tuple(c.headers))


def page_contracts(files: list[Path], root: Path) -> dict[str, Contract | None]:
    """{file name: its own contract} for pages read in one run (shared type memos)."""
    types = Types(Pages(str(root)))
    out: dict[str, Contract | None] = {}
    for f in files:
        key = f"{f.parent.parent.name}/{f.stem}"
        try:
            page = parse_page(decode(f.read_bytes()), cache=types.pages.rows)
        except PageError:
            out[key] = None
            continue
        out[key] = page_contract(page, str(f), types.pages.show(f), types, [])
    return out


def render_corpus(api_root: Path, dest: Path, width: int | None, resources: bool) -> list[Path]:
    """Every api page rendered as `<dest>/<version>/api/<name>.txt`; the resource pages beside
    them linked as they are (a docs checkout) or, with `resources`, rendered too."""
    out = []
    for v in VERSIONS:
        (dest / v / "api").mkdir(parents=True)
        if resources:
            (dest / v / "resources").mkdir()
            for md in sorted((api_root / v / "resources").glob("*.md")):
                text = render(md.read_text(encoding="utf-8"), width)
                (dest / v / "resources" / md.name).write_text(text, encoding="utf-8")
        else:
            os.symlink(api_root / v / "resources", dest / v / "resources")
        for md in sorted((api_root / v / "api").glob("*.md")):
            txt = dest / v / "api" / (md.stem + ".txt")
            txt.write_text(render(md.read_text(encoding="utf-8"), width), encoding="utf-8")
            out.append(txt)
    return out


def compare(
    api_root: Path, dest: Path, width: int | None, resources: bool = False
) -> tuple[int, int, list[str]]:
    """(pages giving the identical contract, pages compared, the differing pages with what
    differs). A page compared is one whose markdown or copy gives a contract: a POST page that
    gives none in either form proves nothing, and counting it as identical would flatter the
    rate."""
    md_files = [f for v in VERSIONS for f in sorted((api_root / v / "api").glob("*.md"))]
    markdown = page_contracts(md_files, api_root)
    text = page_contracts(render_corpus(api_root, dest, width, resources), dest)
    compared = [key for key, c in markdown.items() if c is not None or text.get(key) is not None]
    differing = []
    for key in compared:
        a, b = essence(markdown[key]), essence(text.get(key))
        if a != b:
            differing.append(f"{key}: {_first_difference(a, b)}")
    return len(compared) - len(differing), len(compared), differing


def _first_difference(a: tuple | None, b: tuple | None) -> str:
    if a is None or b is None:
        return f"markdown {a is not None}, text {b is not None}"
    names = ("version", "resource", "paths", "properties", "status", "permissions", "headers")
    for name, x, y in zip(names, a, b, strict=True):
        if x != y:
            if name == "properties":
                dx, dy = set(x) - set(y), set(y) - set(x)
                return f"properties: markdown {sorted(dx)[:3]} text {sorted(dy)[:3]}"
            return f"{name}: markdown {x} text {y}"
    return "?"


@pytest.fixture(scope="module")
def api_root(corpus: Path) -> Path:
    return corpus / "graph-docs" / "api-reference"


@pytest.mark.slow  # renders and extracts the whole corpus
@pytest.mark.parametrize(("width", "resources"), list(PUBLISHED))
def test_rendered_corpus_matches_markdown(
    api_root: Path, tmp_path: Path, width: int | None, resources: bool
) -> None:
    identical, compared, differing = compare(api_root, tmp_path, width, resources)
    what = "api and resource pages" if resources else "api pages"
    print(
        f"plain text {what} (width {width}): identical contracts {identical}/{compared} "
        f"= {identical / compared:.2%}"
    )
    for d in differing:
        print("differs:", d)
    assert (identical, compared) == PUBLISHED[width, resources], differing[:20]


def published_row() -> str:
    """The corpus table's plain-text cell, as docs/extract.md must write it."""
    (same, n), (w100, _), (w72, _), (both, _) = PUBLISHED.values()
    at100, at72 = percent(w100, n, 2), percent(w72, n, 2)
    return (
        f"| {same} of the {n} pages that give a contract in either form "
        f"({percent(same, n, 2)}); wrapped at 100 / 72 columns {w100} / {w72} ({at100} / {at72}); "
        f"with the resource pages copied too {both} ({percent(both, n, 2)}) |"
    )


def test_the_manual_publishes_the_asserted_plain_text_figures() -> None:
    assert published_row() in page("extract.md")


# Unit tests: each fix the comparison asked for, on a small copied page.


def _page(
    *body: str, response: str = "If successful, this method returns a 204 No Content."
) -> str:
    head = ["Update widget", "", "HTTP request", "", "PATCH /widgets/{id}", ""]
    return "\n".join([*head, *body, "", "Response", "", response, ""])


def test_wrapped_enum_row_keeps_every_member() -> None:
    page = parse_page(
        _page(
            "Request body",
            "",
            "Property Type Description",
            "status widgetStatus The status of the widget. Possible values are: unknown,",
            "notApplicable, compliant, remediated.",
            "size Int32 Size in cm.",
        )
    )
    assert [p.name for p in page.properties] == ["status", "size"]
    assert page.properties[0].enum == ["unknown", "notApplicable", "compliant", "remediated"]


def _wrapped(width: int, *rows: str) -> list[str]:
    """Rows as a browser copy wraps them: greedily, at word boundaries."""
    return [ln for row in rows for ln in textwrap.wrap(row, width)]


def test_wrapped_description_naming_a_property_is_no_row() -> None:
    rows = _wrapped(
        40,
        "customerId String The ID of the customer for this appointment. Once set,"
        " consider the customerId immutable.",
        "closedDateTime DateTimeOffset Time at which the alert was closed in date"
        " and time information using ISO 8601 format, configured to EAP-TTLS or PEAP from"
        " Azure Active Directory.",
        "from recipient The sender.",
    )
    assert "the customerId immutable." in rows
    assert "configured to EAP-TTLS or PEAP from" in rows and "time information using ISO" in rows[5]
    page = parse_page(_page("Request body", "", "Property Type Description", *rows))
    assert [p.name for p in page.properties] == ["customerId", "closedDateTime", "from"]
    assert page.properties[0].description.endswith("the customerId immutable.")


def test_unwrapped_row_after_a_row_without_a_period_is_a_row() -> None:
    """Greedy wrapping: a name that would have fit on the line before was not wrapped there."""
    page = parse_page(
        _page(
            "Request body",
            "",
            "Property Type Description",
            "version Int32 Inherited from deviceConfiguration",
            "allowMonitoring enablement enables monitoring of the device health, every bit of it",
        )
    )
    assert [p.name for p in page.properties] == ["version", "allowMonitoring"]


def test_wrapped_permission_and_header_rows() -> None:
    page = parse_page(
        "\n".join(
            [
                "Update widget",
                "",
                "Permissions",
                "",
                "Permission type Permissions (from least to most privileged)",
                "Delegated (work or school account) Policy.Read.All, Policy.ReadWrite.All,",
                "Application.Read.All",
                "Application Not supported.",
                "",
                "HTTP request",
                "",
                "PATCH /widgets/{id}",
                "",
                "Request headers",
                "",
                "Name Description",
                "Authorization Bearer {token}. Some long description of the header that wraps.",
                "Required.",
                "",
                "Request body",
                "",
                "Property Type Description",
                "size Int32 Size in cm.",
            ]
        )
    )
    assert page.permissions["delegated_work"] == [
        "Policy.Read.All",
        "Policy.ReadWrite.All",
        "Application.Read.All",
    ]
    assert page.headers == ["Authorization"]


def test_response_sentence_names_the_resource_without_a_link() -> None:
    text = _page(
        "Request body",
        "",
        "Property Type Description",
        "height Double The height.",
        response="If successful, this method returns a 200 OK response code and updated",
    )
    page = parse_page(text + "WorkbookChart object in the response body.\n")
    assert page.response_resource == ("WorkbookChart", None)


def _copied_update(sentence: str, row: str, **kw) -> str:
    """A copied update page: `sentence`, then a request-body table of one `row`."""
    return _page(sentence, "", "Request body", "", "Property Type Description", row, **kw)


def _resource_md(name: str, row: str) -> str:
    """A markdown resource page declaring `name`, with one property `row` (`a | Int32 | A.`)."""
    return (
        f"# {name} resource type\n\n## Properties\n\n| Property | Type | Description |\n"
        f"|:--|:--|:--|\n| {row} |\n"
    )


def _extract_docs(
    tmp_path: Path, api: dict[str, str], resources: dict[str, str] | None = None
) -> list[Contract]:
    """The contracts of `api` pages beside `resources` pages, in a folder that tells the version
    as a docs checkout does (it is never guessed)."""
    docs = tmp_path / "v1.0"
    for folder, files in (("api", api), ("resources", resources or {})):
        (docs / folder).mkdir(parents=True)
        for name, text in files.items():
            (docs / folder / name).write_text(text)
    return extract_paths([docs / "api"]).contracts


def test_copied_page_takes_the_resource_pages_casing(tmp_path: Path) -> None:
    """`Update the properties of chart object.`: no resources/chart.md; the response sentence's
    WorkbookChart is found as resources/workbookchart.md, which declares `workbookChart`."""
    response = "This method returns a 200 OK response code and updated WorkbookChart object."
    contracts = _extract_docs(
        tmp_path,
        {
            "chart-update.txt": _copied_update(
                "Update the properties of chart object.",
                "height Double The height.",
                response=response,
            ),
            "widgetlicense-update.txt": _copied_update(
                "Update the properties of a widgetLicense object.", "size Int32 The size."
            ),
        },
        {
            "workbookchart.md": _resource_md("workbookChart", "height | Double | The height."),
            "intune-apps-widgetlicense.md": _resource_md(
                "widgetLicense", "size | Int32 | The size."
            ),
        },
    )
    assert sorted(c.resource for c in contracts) == [
        "microsoft.graph.widgetLicense",
        "microsoft.graph.workbookChart",
    ]


def test_renderer_drops_markup_and_wraps_only_prose() -> None:
    md = (
        '---\ntitle: x\n---\n# Update [x](../resources/x.md)\n<!-- { "blockType": "x" } -->\n'
        "| Property | Type | Description |\n|:--|:--|:--|\n| **a** | `String` | One.<br/>Two. |\n\n"
        "```http\nPATCH /x/{id}\n```\n[!INCLUDE [x](y.md)]\nSome *long* prose that wraps.\n"
    )
    out = render(md, width=12)
    assert out == render(md, width=12)  # deterministic
    assert out.splitlines() == [
        "Update x",
        "",
        "Property",
        "Type",
        "Description",
        "a String",
        "One. Two.",
        "",
        "PATCH /x/{id}",
        "",
        "Some long",
        "prose that",
        "wraps.",
    ]


def test_enum_members_of_a_copied_row() -> None:
    """Ticks are gone: a comma list ends at its first chunk of several words; a list of bare
    names runs to the sentence's end; "range of values is between 0 and 10" is no list."""
    assert text_values("Possible values are: none, all, selected Important: not all.") == [
        "none",
        "all",
        "selected",
    ]
    assert text_values("Possible values are: Approve Deny DontKnow. Required.") == [
        "Approve",
        "Deny",
        "DontKnow",
    ]
    assert text_values("Possible values are: Private, Public, or empty (which is Public).") == [
        "Private",
        "Public",
    ]
    assert text_values("Valid range of values is between 0 and 10.") is None
    assert text_values("Possible values are: the default value is used.") is None


def test_resource_without_a_page_keeps_the_pages_casing(tmp_path: Path) -> None:
    """A copied page alone: the title and sentence say `plannerbucket`, the response sentence
    `plannerBucket`; with no resource page to ask, the camelCase spelling is the type's."""
    text = _copied_update(
        "Update the properties of plannerbucket object.",
        "planId String Plan id.",
        response="This method returns a 200 OK response code and updated plannerBucket object.",
    ).replace("Update widget", "Update plannerbucket")
    (contract,) = _extract_docs(tmp_path, {"plannerbucket-update.txt": text})
    assert contract.resource == "microsoft.graph.plannerBucket"


def test_long_name_wrapped_alone_starts_a_row() -> None:
    """`deviceManagementApplicabilityRuleOsVersion` and its type do not fit on one line; a
    description's last word alone ("deviceConfiguration") is no row."""
    rows = _wrapped(
        66,
        "version Int32 Version of the device configuration. Inherited from deviceConfiguration",
        "ruleOsVersionOfTheDeviceManagementApplicability ruleOsVersionOfTheDeviceManagement"
        " The OS version applicability rule. Inherited from deviceConfiguration",
        "createdDateTime DateTimeOffset Created.",
    )
    assert (
        rows[1] == "deviceConfiguration"
        and rows[2].startswith("ruleOs")
        and len(rows[2].split()) == 1
    )
    page = parse_page(_page("Request body", "", "Property Type Description", *rows))
    assert [p.name for p in page.properties] == [
        "version",
        "ruleOsVersionOfTheDeviceManagementApplicability",
        "createdDateTime",
    ]
    assert page.properties[1].type_text == "ruleOsVersionOfTheDeviceManagement"


def test_copied_line_starting_with_a_hash_is_no_markdown_heading() -> None:
    """A wrapped "E.g. #FF0000 represents Red." leaves `#FF0000` first on a line."""
    page = parse_page(
        _page(
            "Request headers",
            "",
            "Name Type Description",
            "Authorization string Bearer {token}. Required.",
            "Content-Type string Nature of the data in the body of an entity.",
            "Required.",
            "",
            "Request body",
            "",
            "Property Type Description",
            "color string HTML color code representation of the text color. E.g.",
            "#FF0000 represents Red.",
        )
    )
    assert page.style == "text"
    assert page.properties[0].description.endswith("E.g. #FF0000 represents Red.")
    assert page.headers == ["Authorization", "Content-Type"]


def test_resource_spelled_by_the_path_when_no_name_has_a_page(tmp_path: Path) -> None:
    """A copied page says `table` (its link to workbooktable.md is gone): no resources/table.md,
    but the path's `workbook/tables` spells `workbookTable`, which has a page."""
    text = _copied_update(
        "Update the properties of table object.", "showTotals Boolean Shows totals."
    ).replace("PATCH /widgets/{id}", "PATCH /me/drive/items/{id}/workbook/tables/{id|name}")
    (contract,) = _extract_docs(
        tmp_path,
        {"table-update.txt": text},
        {"workbooktable.md": _resource_md("workbookTable", "name | String | The name.")},
    )
    assert contract.resource == "microsoft.graph.workbookTable"


def test_copied_type_page_title_gives_a_camel_case_name(tmp_path: Path) -> None:
    """`FormatProtection resource type` copied as text: the CSDL name is `formatProtection`."""
    row = "locked Boolean Whether it is locked."
    copied = "FormatProtection resource type\n\nNamespace: microsoft.graph\n\nProperties\n\n"
    (contract,) = _extract_docs(
        tmp_path,
        {
            "formatprotection-update.txt": _copied_update(
                "Update the properties of formatprotection object.", row
            )
        },
        {"formatprotection.md": copied + "Property Type Description\n" + row + "\n"},
    )
    assert contract.resource == "microsoft.graph.formatProtection"


def test_name_and_type_each_wrapped_alone() -> None:
    """A narrow copy: the name alone, its long type alone, then the description; and a row
    whose description went whole to the next line after a row that ends mid-sentence."""
    page = parse_page(
        _page(
            "Request body",
            "",
            "Property Type Description",
            "isAssigned Boolean Policy assignment status. This property",
            "is read-only.",
            "templateReference",
            "deviceManagementConfigurationPolicyTemplateReference",
            "Template reference information",
            "driversExcluded Boolean Exclude Windows update Drivers",
            "installationSchedule windowsUpdateInstallScheduleType",
            "Installation schedule",
        )
    )
    assert [(p.name, p.type_text) for p in page.properties] == [
        ("isAssigned", "Boolean"),
        ("templateReference", "deviceManagementConfigurationPolicyTemplateReference"),
        ("driversExcluded", "Boolean"),
        ("installationSchedule", "windowsUpdateInstallScheduleType"),
    ]
    assert page.properties[1].description == "Template reference information"


def test_copied_type_page_reads_its_first_properties_table_only() -> None:
    """A copied resource page's "status values" heading is a bare line that does not end the
    Properties section: its member table must not turn the complex type into an enum."""
    page = parse_page(
        "printJobStatus resource type\n\nProperties\n\nProperty Type Description\n"
        "state printJobProcessingState The state. Read-only.\n\nprintJobProcessingState values\n\n"
        "Member Description\nunknown Unknown.\npending Pending.\n",
        resource_only=True,
    )
    assert [p.name for p in page.properties] == ["state"]
    assert page.members == []


def test_cells_separated_by_tabs_or_no_break_spaces() -> None:
    """Copying a table from a browser may give tab-separated cells or no-break spaces."""
    page = parse_page(
        _page(
            "Request body",
            "",
            "Property\tType\tDescription",
            "size\tInt32\tSize in cm.",
            "tags\xa0String collection\xa0Labels.",
        )
    )
    assert [(p.name, p.type_text) for p in page.properties] == [
        ("size", "Int32"),
        ("tags", "String collection"),
    ]


def test_heading_right_under_a_table_ends_it() -> None:
    """No blank line between a table and the next heading: the heading is no row."""
    text = "\n".join(
        [
            "Update widget",
            "Permissions",
            "Permission type Permissions (from least to most privileged)",
            "Delegated (work or school account) Widget.ReadWrite.All",
            "HTTP request",
            "PATCH /widgets/{id}",
            "Request body",
            "Property Type Description",
            "size Int32 Size in cm.",
            "Response",
            "If successful, this method returns a 204 No Content response code.",
        ]
    )
    page = parse_page(text)
    assert page.paths == [(6, "/widgets/{id}")]
    assert page.permissions["delegated_work"] == ["Widget.ReadWrite.All"]
    assert [p.description for p in page.properties] == ["Size in cm."]
    assert page.status == 204


def test_blank_lines_between_copied_rows() -> None:
    """Some copies put a blank line between table rows: the table goes on past it."""
    page = parse_page(
        _page(
            "Request body",
            "",
            "Property Type Description",
            "",
            "size Int32 Size in cm.",
            "",
            "mail String",
            "",
            "color String The colour. Possible values are: red,",
            "green, blue.",
            "",
            "The following example shows...",
        )
    )
    assert [p.name for p in page.properties] == ["size", "mail", "color"]
    assert page.properties[2].enum == ["red", "green", "blue"]


def test_group_label_rows_are_no_properties() -> None:
    """Intune tables group rows under bold labels with empty cells: copied, a bare label."""
    page = parse_page(
        _page(
            "Request body",
            "",
            "Property Type Description",
            "id String Unique identifier.",
            "Device configuration",
            "intuneAccountId Guid Intune account ID.",
            "Android for Work",
            "Id String An identifier named with a capital.",
        )
    )
    assert [p.name for p in page.properties] == ["id", "intuneAccountId", "Id"]


def test_lowercase_hyphenated_header_starts_a_row() -> None:
    page = parse_page(
        _page(
            "Request headers",
            "",
            "Name Description",
            "Authorization Bearer {token}. Required.",
            "if-match eTag. Optional. If the eTag does not match, 412 is returned.",
        )
    )
    assert page.headers == ["Authorization"]


def test_wrapped_lines_that_look_typed() -> None:
    """After a complete line, `from Recipient The sender` is a row; "characters long and" and
    "encoded byte array" go on with the sentence before (a lowercase English primitive needs a
    capitalized description)."""
    rows = _wrapped(
        41,
        "flag Boolean A flag for the message.",
        "from Recipient The mailbox owner and sender of the message.",
        "bucketId String The bucket needs to be in the plan that the task is in. It is 28"
        " characters long and case-sensitive.",
        "layout String The XML of a layout modification. XML needs to be in a UTF8 encoded byte"
        " array format.",
    )
    assert "characters long and case-sensitive." in rows and "encoded byte array format." in rows
    page = parse_page(_page("Request body", "", "Property Type Description", *rows))
    assert [p.name for p in page.properties] == ["flag", "from", "bucketId", "layout"]


def test_wrapped_prose_and_matrix_headers_in_permissions_are_no_rows() -> None:
    """A wrap can start a prose line with "application) requested", and a per-resource
    permission matrix's wrapped header with "Delegated (personal Microsoft account) Application"."""
    page = parse_page(
        _page(
            "Permissions",
            "",
            "Depending on the permission type (delegated or",
            "application) requested, one of the following applies.",
            "",
            "Calendar Delegated (work or school account)",
            "Delegated (personal Microsoft account) Application",
            "user calendar Calendars.ReadWrite",
        )
    )
    assert page.permissions == {}
