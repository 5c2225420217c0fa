"""Every kind of finding, described once: what it means and what a docs author does about it.

A finding's `rule` is a short id (`example-invalid`) emitted where the defect is seen: the
extractor (`extract/`, the page parser in `docs/`), the example lint (`lint.py`) and the CSDL
cross-check (`metadata.py`). A code-scanning tool shows a rule's descriptions and help beside each
result, so every id the code can emit needs an entry here; `tests/test_lint_formats.py` reads the
source for every emitted id and fails on one this table lacks, or on an entry nothing emits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Stage = Literal["extract", "lint", "check-metadata"]


@dataclass(frozen=True)
class Rule:
    """A finding kind as SARIF's reportingDescriptor wants it: id, one-line summary, meaning,
    and the help a reader acts on."""

    id: str
    stage: Stage
    short: str
    full: str
    help: str

    @property
    def name(self) -> str:
        """SARIF's `name`: the id as one identifier (`example-invalid` -> `ExampleInvalid`)."""
        return "".join(part.capitalize() for part in self.id.split("-"))


_RULES = (
    # --- the examples of a page, judged against its own property table (lint.py) -------------
    Rule(
        "example-invalid",
        "lint",
        "A request example has a value its own property table makes invalid.",
        "A request example sends a value that the page's property table (and the resource "
        'page it refines) rejects: a type placeholder such as "String" for an enum, "Integer" '
        "for an Int32, a wrong @odata.type, an unknown enum member. A request example is what "
        "readers copy, so it is an error.",
        "Replace the value with one of the documented type: an enum member the table lists, a "
        "JSON number for a numeric type, an ISO 8601 string for a DateTimeOffset. If the "
        "example is right, the table's type is what needs fixing.",
    ),
    Rule(
        "response-example-invalid",
        "lint",
        "A response example has a value a live reply would fail the shape check for.",
        "The documented reply holds a value that the page's property table makes invalid, "
        'judged as the shape check judges a live reply: a placeholder such as "datetime-value" '
        'for a DateTimeOffset, "String" or "" for an enum, "Date" for an Edm.Date, or a real '
        "but invalid value (a date where the type is a DateTimeOffset). A reply may be "
        "truncated for brevity, but that excuses missing properties, never a wrong value, so "
        "it is an error. Members the table does not list, and enum members in another case, "
        "are not this finding.",
        "Put in the value the service answers, of the documented type: an instant such as "
        '"2021-07-01T10:00:00Z", an enum member the table lists. If the service does answer '
        "the value, the table's type is what needs fixing.",
    ),
    Rule(
        "example-unknown-property",
        "lint",
        "An example sends a property its property table does not list.",
        "The request or response example names a property that neither the page's table nor "
        "the resource page documents. Either the example is wrong (a typo, a property of "
        "another type) or the table is missing a row.",
        "Fix the property name in the example, or add the property to the table of the "
        "resource page with its type and description.",
    ),
    Rule(
        "example-odata-type",
        "lint",
        "An example's @odata.type names another Graph type than the page's resource.",
        "The example's @odata.type is a microsoft.graph type other than the resource the page "
        "updates. That is right only for a type derived from it, which lint cannot see "
        "without the schema (check-metadata can).",
        "Check that the named type derives from the page's resource; otherwise use the "
        "resource's own @odata.type or drop the annotation.",
    ),
    # --- the page itself (docs/ parser, extract/_findings.py) ---------------------------------
    Rule(
        "not-a-path",
        "extract",
        "The HTTP request line is not a path template.",
        "A request line in the HTTP request section names something that cannot be a URL "
        "path (prose, a placeholder with spaces, a stray word), so no endpoint is taken from it.",
        "Write the request as `PATCH /path/{id}` with placeholders in braces and no spaces "
        "outside them.",
    ),
    Rule(
        "truncated",
        "extract",
        "The page ends mid-table or leaves an HTML comment open.",
        "The page looks cut: its last table row is shorter than the row above it, or an HTML "
        "comment (an annotation) never closes. What follows the cut is lost to readers and tools.",
        "Restore the end of the page: complete the table row or close the comment with `-->`.",
    ),
    Rule(
        "todo-placeholder",
        "extract",
        "A TODO placeholder is left in the page.",
        "The page still holds an authoring placeholder (`**TODO ...`, `TODO:`) where content "
        "belongs, typically in the permissions table; it is never taken for a fact.",
        "Replace the placeholder with the real content, or remove the row.",
    ),
    Rule(
        "missing-permissions",
        "extract",
        "The page lists no permission.",
        "An update page must say which Microsoft Graph permissions a call needs; this one has "
        "no permissions section, only placeholders, or permission includes that list none.",
        "Add the permissions table (delegated work or school, delegated personal, "
        "application), or fix the include it points to.",
    ),
    Rule(
        "missing-include",
        "extract",
        "A permissions include cannot be read.",
        "The page includes a permissions file (`[!INCLUDE ...](../includes/permissions/...)`) "
        "that does not exist or cannot be read, so the published page shows no permissions "
        "for that scenario.",
        "Fix the include's relative path, or add the include file.",
    ),
    Rule(
        "unknown-version",
        "extract",
        "The page's API version cannot be told.",
        "Neither the folder (beta, v1.0), nor an example URL, nor a beta note says which API "
        "version the page documents, and the version is never guessed: no contract is made.",
        "Keep the page under its version's folder, or use a full example URL "
        "(`https://graph.microsoft.com/beta/...`).",
    ),
    Rule(
        "no-contract",
        "extract",
        "The page gives no update contract.",
        "The page is not an update (PATCH) page, or its resource type could not be found on it "
        "(no title, link or @odata.type naming it). As info it only says the page was read "
        "and skipped; as a warning the page looks like an update page that lost its resource.",
        "For an update page, link the resource page in the request body section or name the "
        "resource in the title (`Update <resource>`).",
    ),
    Rule(
        "shared-page",
        "extract",
        "The page's PATCH templates update several resources.",
        "One page documents a property several resources share (extended properties on "
        "messages, events, calendars...): it is split into one contract per resource. A "
        "template whose resource has no resource page is left out (a warning).",
        "Usually nothing to do; for a warning, add the missing resource page or correct the "
        "template's path.",
    ),
    # --- paths and examples' URLs (extract/_paths.py, extract/_examples.py) -------------------
    Rule(
        "collection-path",
        "extract",
        "A PATCH is documented on a collection path.",
        "The request line updates a collection (`/deviceManagement/deviceConfigurations`), "
        "which PATCH cannot do on one entity; the key segment is added to make the template.",
        "Add the key segment to the documented path (`.../deviceConfigurations/{id}`).",
    ),
    Rule(
        "stream-path",
        "extract",
        "A template uploads a stream property, not a JSON body.",
        "A request line ends in a stream property (`/{property name}`): that PATCH uploads "
        "bytes, not JSON, so the template is kept without that segment.",
        "Nothing to fix if the stream upload is meant; document it on its own page.",
    ),
    Rule(
        "example-path",
        "extract",
        "An example's URL matches no documented path template.",
        "The example request PATCHes a URL that none of the page's HTTP request templates "
        "describes: the example or the templates are out of date.",
        "Make the example's URL follow one of the documented templates, or document the "
        "template it uses.",
    ),
    # --- the property table (extract/_page.py, _types.py, _refine.py, _merge.py) --------------
    Rule(
        "no-property-table",
        "extract",
        "The page has no request-body property table.",
        "The properties of the contract come from the resource page, or (with no resource page "
        "either) are inferred from the request example.",
        "Add a request body table listing the updatable properties with their types.",
    ),
    Rule(
        "duplicate-row",
        "extract",
        "A property has two table rows that disagree.",
        "The same property name appears twice in the page's tables with different types, "
        "enums, nullability or read-only flags.",
        "Keep one row per property, or move the other row under the type it belongs to.",
    ),
    Rule(
        "type-specific-property",
        "extract",
        "A row belongs to another type than the page's resource.",
        "The row sits under another type's heading (a derived type's own properties): it is "
        "kept in the contract but never sent, since the base type's entities may refuse it.",
        "Nothing to fix when the heading is right; otherwise move the row to the resource's "
        "own table.",
    ),
    Rule(
        "unresolved-type",
        "extract",
        "A property's type has no type page.",
        "The table names a type that no linked or guessed resource, complex-type or enum page "
        "defines, so its values cannot be generated or judged.",
        "Link the type's page from the Type column, or correct the type name.",
    ),
    Rule(
        "union-type",
        "extract",
        "A property's type is one of several.",
        "The Type column lists alternatives (`String or Int32`): the property is typed as any "
        "JSON, no value is generated for it and none is judged wrong.",
        "Document one type per property where the service accepts one.",
    ),
    Rule(
        "conditional-read-only",
        "extract",
        "A property's writability depends on the entity.",
        "The description says the property is read-only only in some cases (`Read-only for "
        "...`), so it is never sent.",
        "Nothing to fix when that is the service's behaviour; say when it can be written.",
    ),
    Rule(
        "pages-disagree",
        "extract",
        "Two pages document the same property or status differently.",
        "The update page and the resource page (or two update pages of one resource) give a "
        "property different types, enums or nullability, or give different success statuses; "
        "the more specific one is kept and both lines are named.",
        "Make the pages agree; the resource page's table is usually the one to trust.",
    ),
    Rule(
        "enum-case",
        "extract",
        "A description spells enum members otherwise than the enum type's page.",
        "The row's \"Possible values\" prose capitalizes members its enum type's own page (or "
        "`### x values` section) spells otherwise (`Organizer` where enums.md has `organizer`); "
        "the page's spelling is kept, since the service answers with the type's member names.",
        "Spell the members in the description as the enum type's page does.",
    ),
    # --- against the CSDL $metadata (metadata.py, `check-metadata`) ---------------------------
    Rule(
        "type-mismatch",
        "check-metadata",
        "The docs give a property another type than $metadata.",
        "A documented property's type differs from the one Microsoft's CSDL $metadata "
        "declares for it (commonly String where CSDL has an enum).",
        "Use the $metadata type in the property table (with its enum page, if any).",
    ),
    Rule(
        "not-in-metadata",
        "check-metadata",
        "A documented property is not in $metadata.",
        "The docs list a property that the CSDL $metadata of the same API version does not "
        "have on that type or its base types: a typo, a removed property, or one of another "
        "version. Info when a derived type has it (sent with that type's @odata.type).",
        "Fix the property's name, or drop the row if the service no longer has it.",
    ),
    Rule(
        "undocumented-property",
        "check-metadata",
        "A $metadata property is missing from the docs.",
        "The CSDL $metadata declares a structural property that the resource's tables leave out.",
        "Add the property to the resource page's table.",
    ),
    Rule(
        "unknown-resource",
        "check-metadata",
        "A documented type or enum is not in $metadata.",
        "A resource, complex type or enum the docs describe is absent from the CSDL $metadata "
        "of the same version.",
        "Check the type's name and namespace against $metadata.",
    ),
    Rule(
        "enum-mismatch",
        "check-metadata",
        "An enum's members differ from $metadata.",
        "The documented members of an enum are not the ones the CSDL $metadata declares "
        "(missing, extra, or spelled differently).",
        "List the enum's members as $metadata spells them.",
    ),
)

RULES: dict[str, Rule] = {rule.id: rule for rule in _RULES}


def rules_table() -> str:
    """The manual's table of finding kinds (docs/lint.md), generated so it cannot drift."""
    rows = ["| rule | from | what it means |", "|---|---|---|"]
    rows += [f"| `{r.id}` | {r.stage} | {r.short} |" for r in _RULES]
    return "\n".join(rows) + "\n"
