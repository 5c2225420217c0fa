"""The page model: what one doc page says, as written and uninterpreted, with line numbers."""

from __future__ import annotations

from dataclasses import dataclass, field

# Front matter `doc_type`s of pages that document a type: they need no HTTP request.
TYPE_DOC_TYPES = ("resourcePageType", "enumPageType", "complexTypePageType")


class PageError(ValueError):
    """The text is not a usable doc page; the message is the one-line reason."""


class NotUpdateOrTypePage(PageError):
    """A doc page that documents neither an update nor a type (an overview, a concept page):
    an error when named on the command line, skipped (and counted) when found in a folder."""


@dataclass(slots=True)
class RawProperty:
    """One row of a property table, as written."""

    name: str
    type_text: str
    type_link: str | None
    description: str
    line: int
    enum: list[str] | None = None
    read_only: bool = False
    table_of: str | None = None  # the request body's subheading over its table, if any


@dataclass(slots=True)
class RawExample:
    """One HTTP request or response of an example, its JSON body parsed when it is valid."""

    kind: str  # "request" | "response"
    line: int
    method: str | None = None
    url: str | None = None
    status: int | None = None
    body: object = None
    body_text: str | None = None
    body_line: int | None = None


@dataclass(slots=True)
class Page:
    """Everything one page says, uninterpreted; line numbers are 1-based."""

    style: str
    doc_type: str = ""
    title: str = ""
    title_line: int = 1
    namespace: str = "microsoft.graph"
    resource: str | None = None
    resource_link: str | None = None
    odata_type: str | None = None
    versions: list[str] = field(default_factory=list)
    beta_note: bool = False
    method: str | None = None
    paths: list[tuple[int, str]] = field(default_factory=list)
    permissions: dict[str, list[str]] = field(default_factory=dict)
    permissions_line: int | None = None
    # `[!INCLUDE [permissions-table](../includes/permissions/x.md)]`: (line, target as written),
    # resolved by `extract` relative to the page's file (the parser sees only text).
    permission_includes: list[tuple[int, str]] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    properties: list[RawProperty] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    status: int | None = None
    status_line: int | None = None
    examples: list[RawExample] = field(default_factory=list)
    todos: list[tuple[int, str]] = field(default_factory=list)
    # (rule, severity, line, message): what the page gets wrong that only a finding can say (a
    # request line that is not a path, a cut); `extract` reports each at the page's file:line.
    defects: list[tuple[str, str, int, str]] = field(default_factory=list)
    refs: dict[str, str] = field(default_factory=dict)
    resource_ref: str | None = None
    resource_strong: bool = False  # resource linked as the object of an "Update ..." sentence
    response_resource: tuple[str, str | None] | None = None  # "an updated [x]": (name, link)
    response_type: str | None = None  # the response example's annotated `@odata.type`
    request_type: str | None = None  # the request example's annotated `@odata.type`
    # A type page's Properties/Members section, kept unparsed until `fill_table` needs it:
    # (page text, section start and end offsets, "properties" | "members").
    table: tuple[str, int, int, str] | None = None
