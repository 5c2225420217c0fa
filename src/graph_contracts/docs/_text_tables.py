"""Plain-text tables (pages copied from the published site): no pipes, one row per line,
`name Type description...`, under a header line such as `Property Type Description`.

Copying from a browser may wrap long rows, so a table is read as a block, from its header line
to the first blank line or heading, and a line that cannot start a row is joined to the row
before it (`_text_rows`). Tick marks are gone from copied enum lists (`text_values`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ._cursor import Cursor
from ._permissions import KIND_PREFIX, add_permissions, permission_entries, permission_kind
from ._properties import add_property, expand_ranges
from ._request_headers import HEADER_NAME, add_headers, required_headers
from ._sections import TEXT_HEADINGS
from ._text_rows import (
    PRIMITIVE_WORDS,
    PROSE_WORDS,
    Starts,
    logical_rows,
    property_starts,
    row_after_blank,
    starts_header,
    starts_member,
    starts_permission,
)

_PROPERTY_HEADERS = ("property type", "name type", "member value", "member description")
_HEADER_HEADERS = (
    "header value",
    "name description",
    "header description",
    "name type description",
)


_DASH_GLOSS = re.compile(r"^\s*([A-Za-z_]\w*)\s+(?:-{1,2}|—|–)\s")
# a gloss in parentheses that the list goes on after: "nam (for North America), eur", "after
# (default) or before"; one at the list's end is prose ("or empty (which means Public).")
_PAREN_GLOSS = re.compile(r"\s*\([^()]*\)(?=\s*(?:,|or\b|and\b))")
_COLON_ITEM = re.compile(r"(?:^|(?<=\s))([A-Za-z_]\w*):\s")
_ALERTS = frozenset(("Note", "Important", "Warning", "Tip", "Caution"))
_VALUES_ARE = re.compile(
    r"(?:possible|allowed|supported|valid)\s+values\s+(?:are|is|include)\s*:?\s*", re.I
)


def text_table(cur: Cursor, i: int) -> int | None:
    """Line i as a table line of the current section; the index after what it consumed, or
    None when it is no table line (then it is prose)."""
    s = " ".join(cur.lines[i].split())  # a copy may separate cells by tabs or no-break spaces
    low = s.lower()
    if cur.section == "permissions":
        if low.startswith("permission type"):
            cur.page.permissions_line = i + 1
            return _block(cur, i + 1, starts_permission, _permission_row)
        return _permission_row(cur, i, s)
    if cur.section == "headers":
        if low.startswith(_HEADER_HEADERS):
            return _block(cur, i + 1, starts_header, _header_row)
        return _header_row(cur, i, s)
    if low.startswith(_PROPERTY_HEADERS):
        members = low.startswith("member")
        if cur.section == "properties" and cur.page.properties:
            # a type page's Properties section: its first table only (as in Markdown); a copied
            # page's later headings ("x values") are bare lines that do not end the section
            return _block(cur, i + 1, starts_member, _skip_row)
        return _block(
            cur,
            i + 1,
            starts_member if members else property_starts,
            _member_row if members else _property_row,
            1 if members else 2,  # a property row has a name and a type
            across_blanks=not members,
        )
    return None


def _block(
    cur: Cursor,
    begin: int,
    starts: Starts,
    read: Callable[[Cursor, int, str], object],
    min_words: int = 1,
    across_blanks: bool = False,
) -> int:
    """The rows from line `begin` to the first blank line or heading, each read by `read`; the
    index of that line (or the page's end). A row has at least `min_words` words. With
    `across_blanks` a blank line followed by what starts a row does not end the table (a copy
    may put a blank line between rows)."""
    lines = cur.lines
    taken: list[int] = []
    k, n = begin, len(lines)
    while k < n:
        s = lines[k].strip()
        if not s:
            j = k + 1
            while j < n and not lines[j].strip():
                j += 1
            if not (across_blanks and j < n and row_after_blank(lines[j].split())):
                break
            k = j
            continue
        if s.lower() in TEXT_HEADINGS:
            break  # a copy may put the next heading right under the table
        taken.append(k)
        k += 1
    for first, row in logical_rows(lines, taken, starts, min_words):
        read(cur, first, row)
    return k


def _permission_row(cur: Cursor, i: int, s: str) -> int | None:
    """`Delegated (...) Scope.A, Scope.B` / `Application Not supported.`; prose that a wrap
    starts with "application) requested" is none."""
    kind = permission_kind(s) if starts_permission(s.split() or [""], "") else None
    if kind is None:
        return None
    prefix = KIND_PREFIX[kind]
    value = s.removeprefix(prefix)
    if s.startswith(prefix) and starts_permission(value.split() or [""], ""):
        return None  # "Delegated (personal Microsoft account) Application": a matrix's header
    entries = permission_entries(cur, [(prefix, value)])
    add_permissions(cur, entries, i + 1)
    return i + 1


def _header_row(cur: Cursor, i: int, s: str) -> int | None:
    parts = s.split(None, 1)
    if len(parts) == 2 and HEADER_NAME.match(parts[0]):
        add_headers(cur, required_headers([(parts[0], parts[1])]))
        return i + 1
    return None


def _skip_row(cur: Cursor, i: int, row: str) -> None:
    """A row of a table that is read past."""


def _member_row(cur: Cursor, i: int, row: str) -> None:
    cur.page.members.append(row.split()[0])


def _property_row(cur: Cursor, j: int, row: str) -> None:
    """`name Type [collection] description...`: the type is one word, or two with `collection`."""
    parts = row.split()
    if len(parts) < 2 or _group_label(parts):
        return
    name, type_words, rest = parts[0], [parts[1]], parts[2:]
    if rest and rest[0].lower() == "collection":
        type_words.append(rest.pop(0))
    desc = " ".join(rest)
    props = cur.page.properties
    count = len(props)
    add_property(cur, j + 1, name, " ".join(type_words), desc)
    if len(props) > count and "alues" in desc:
        values = text_values(desc)
        if values and len(values) > len(props[-1].enum or ()):
            props[-1].enum = values


def _group_label(parts: list[str]) -> bool:
    """A row that only labels a group of rows ("Device configuration", "Android for Work": a
    bold name in Markdown, with empty cells): a capitalized first word and no type after it."""
    t = parts[1]
    return parts[0][:1].isupper() and (
        t.lower() in PROSE_WORDS or (len(parts) == 2 and t.islower() and t not in PRIMITIVE_WORDS)
    )


def text_values(desc: str) -> list[str] | None:
    """Enum members of a copied row, whose ticks are gone: "Possible values are: a, b, c Note:
    ..." (a comma list ends at its first chunk of several words, whose first word is the last
    member unless a parenthesis follows: "or empty (which means...)"), "values are: A B C."
    (bare names up to the sentence's end), glossed items ("nam (for North America), eur (for
    Europe)", "standard - Channel inherits...; private - ...") and ranges ("c1 through c25")."""
    m = _VALUES_ARE.search(desc)
    if not m:
        return None
    rest = expand_ranges(desc[m.end() :])
    if _DASH_GLOSS.match(rest):
        return _dash_glossed(rest)
    if _COLON_ITEM.match(rest):  # a copied `<ul><li>AzureADMyOrg: Users with...</li>...`
        return _colon_glossed(rest)
    if "(" in rest:
        rest = _PAREN_GLOSS.sub("", rest)
    out: list[str] = []
    for chunk in rest.split(","):
        words = [w for w in chunk.split() if w not in ("and", "or")]
        if not words:
            break
        last = words[0].endswith(".") or len(words) > 1
        if len(words) > 1 and "," not in rest and _bare_names(chunk):
            return _bare_names(chunk)
        word = words[0].rstrip(".")
        if not word.isidentifier() or word.lower() in PROSE_WORDS:
            break
        if len(words) > 1 and words[1].startswith("("):
            break
        if word != "null":  # JSON's null, no member
            out.append(word)
        if last:
            break
    return out or None


def _dash_glossed(rest: str) -> list[str] | None:
    """`standard - what it means; private - ...`: each `;`-separated item names its member."""
    out = []
    for item in rest.split(";"):
        m = _DASH_GLOSS.match(item)
        if m is None:
            break
        out.append(m.group(1))
    return out or None


def _colon_glossed(rest: str) -> list[str] | None:
    """`A: what it means B: ...`: every name before a colon, up to an alert ("Note:")."""
    out = []
    for name in _COLON_ITEM.findall(rest):
        if name in _ALERTS or name.lower() in PROSE_WORDS:
            break
        out.append(name)
    return out or None


def _bare_names(chunk: str) -> list[str] | None:
    """`A B C.` or `a or b.`: names separated by spaces (and "and"/"or") only, up to the first
    full stop; none prose words."""
    words = [w for w in chunk.split(".", 1)[0].split() if w not in ("and", "or")]
    if len(words) < 2 or any(w.lower() in PROSE_WORDS or not w.isidentifier() for w in words):
        return None
    return words
