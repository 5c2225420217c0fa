"""Linked resource/type pages, read by the thousand during extraction: a regex fast path for
their name, and their Properties/Members table parsed only when a type is actually needed.

These patterns start with a literal "\\n#" so the regex engine can skip ahead with a fast
substring search instead of trying every line start.
"""

from __future__ import annotations

import re

from ._annotations import ODATA_TYPE
from ._cursor import Cursor, memos_of
from ._markup import IDENT, plain, strip_links
from ._model import Page
from ._parser import parse_page, run
from ._refs import definitions, resolve_refs

_TYPE_SECTION = re.compile(r"\n#{1,4}[ \t]*([Pp]roperties|[Mm]embers)[ \t]*$", re.M)
_NEXT_HEADING = re.compile(r"\n#{1,4}[ \t]")
_H1 = re.compile(r"\n#[ \t]+(.+)$", re.M)
_H1_FIRST = re.compile(r"#[ \t]+(.+)$", re.M)
_NAMESPACE_LINE = re.compile(r"\nNamespace:\s*([A-Za-z][\w.]*)")
_TYPE_CELLS = re.compile(r"\n\|[ \t]*[*`]*(\w+)[*`]*[ \t]*\|([^|\n]*)")  # "\n|": fast prefix scan
_TEXT_VALUES_HEADING = re.compile(r"^([A-Za-z_]\w*) values\s*$")
_MEMBER_HEADERS = frozenset(("Member", "Value", "Name"))
_VALUES_HEADING = re.compile(
    r"^#{2,4}[ \t]+[*`]*([A-Za-z_]\w*)[*`]*[ \t]+values[ \t]*$", re.M | re.I
)


def parse_type_page(text: str, cache: dict | None = None) -> Page:
    """Fast path for linked resource/type pages: title, namespace, @odata.type and the first
    Properties or Members table only, found by regex instead of walking every line."""
    front = text.lstrip().startswith("---")
    if not front and "|" not in text:  # a plain-text page: no fast path
        return parse_page(text, resource_only=True, cache=cache)
    page = Page(style="frontmatter" if front else "markdown")
    m = _H1_FIRST.match(text) or _H1.search(text)
    if m:
        page.title = plain(m.group(1).rstrip(" \t\r"))
    m = _NAMESPACE_LINE.search(text) if "Namespace:" in text else None
    if m:
        page.namespace = m.group(1)
    page.odata_type = _annotated_type(text)
    page.table = _table_slice(text)
    return page


def _annotated_type(text: str) -> str | None:
    """The resource annotation's own @odata.type, never one from a JSON example further on."""
    at = text.find('"blockType": "resource"')
    if at < 0:
        return None
    end = text.find("-->", at)
    m = ODATA_TYPE.search(text, at, end if end >= 0 else len(text))
    return m.group(1) if m else None


def _table_slice(text: str) -> tuple[str, int, int, str] | None:
    """(text, start, end, section) of the Properties/Members section when it holds a table:
    only offsets, since most linked pages are never filled."""
    m = _TYPE_SECTION.search(text)
    if not m:
        return None
    end = _NEXT_HEADING.search(text, m.end())
    stop = end.start() if end else len(text)
    if text.find("|", m.end(), stop) < 0:
        return None
    return text, m.end(), stop, m.group(1).lower()


def fill_table(page: Page, cache: dict | None = None) -> Page:
    """Parse the table `parse_type_page` set aside. Most linked pages are only asked for their
    name; their (often long) tables are parsed the first time a type actually needs them."""
    if page.table is None:
        return page
    text, start, end, section = page.table
    page.table = None
    body = text[start:end]
    cur = Cursor(body.split("\n"), page, memos_of(cache), resource_only=True)
    cur.section, cur.heading_seen = section, True
    cur.line_offset = text.count("\n", 0, start)  # body line 0 is the rest of the heading line
    run(cur, 0)
    if "][" in body:  # reference-style links: their definitions sit at the page's end
        refs = definitions(text)
        if refs:
            page.refs.update(refs)
            resolve_refs(page)
    return page


def type_cells(page: Page) -> dict[str, str]:
    """{property name: raw type cell} of a type page's table, split cheaply (no descriptions, no
    markup removal): enough to tell whether an update page's table names a property's type
    differently (`type_differs`) before paying for the full parse."""
    if page.table is None:
        return {p.name: p.type_text for p in page.properties}
    out: dict[str, str] = {}
    text, start, end, _ = page.table
    for name, cell in _TYPE_CELLS.findall(text, start, end):
        out.setdefault(name, cell)
    return out


def type_differs(cell: str, type_text: str, memo: dict[str, str] | None = None) -> bool:
    """A raw type cell against a parsed type text; markup is removed only when needed (and
    then memoized in `memo`, when given: the same linked type cells recur across pages)."""
    cell = cell.strip()
    if cell == type_text:
        return False
    if memo is None:
        return plain(strip_links(cell)) != type_text
    found = memo.get(cell)
    if found is None:
        found = memo[cell] = plain(strip_links(cell))
    return found != type_text


def values_sections(text: str) -> dict[str, tuple[int, list[str]]]:
    """{lowercased type name: (line, members)} of a page's `### x values` sections: enum types
    documented inside another page (`enums.md`, `room.md`'s bookingType), as that page spells
    their members. Read only when a type names no page of its own. A copied (plain-text) page
    has them as a bare `x values` line, a `Member ...` header line and one member a line."""
    if "|" not in text:
        return _text_values_sections(text)
    out: dict[str, tuple[int, list[str]]] = {}
    for m in _VALUES_HEADING.finditer(text):
        end = _NEXT_HEADING.search(text, m.end())
        members = _first_column(text[m.end() : end.start() if end else len(text)])
        if members:
            line = text.count("\n", 0, m.start()) + 1
            out.setdefault(m.group(1).lower(), (line, members))
    return out


def _text_values_sections(text: str) -> dict[str, tuple[int, list[str]]]:
    out: dict[str, tuple[int, list[str]]] = {}
    lines = text.split("\n")
    for i, line in enumerate(lines):
        m = _TEXT_VALUES_HEADING.match(line) if "values" in line else None
        if m is None:
            continue
        k = i + 1
        while k < len(lines) and not lines[k].strip():
            k += 1
        if k >= len(lines) or lines[k].split()[0] not in _MEMBER_HEADERS:
            continue
        members = []
        for row in lines[k + 1 :]:
            words = row.split()
            if not words or not IDENT.match(words[0]):
                break
            if words[0] != "null":
                members.append(words[0])
        if members:
            out.setdefault(m.group(1).lower(), (i + 1, members))
    return out


def _first_column(section: str) -> list[str]:
    """The first cells of a section's first pipe table (`| Member | Value |`, `| Value |
    Description |`, or a one-column `| Member`), its header and separator rows skipped."""
    rows = []
    for line in section.split("\n"):
        s = line.strip()
        if s.startswith("|"):
            rows.append(s[1:].split("|", 1)[0].strip())
        elif rows:
            break
    if len(rows) < 2 or set(rows[1]) - set(":- "):
        return []
    names = [plain(cell) for cell in rows[2:]]
    return [n for n in names if IDENT.match(n) and n != "null"]  # null: JSON's, no member
