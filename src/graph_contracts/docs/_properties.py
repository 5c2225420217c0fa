"""Property rows: name, type cell (and its link), description, enum values, read-only.

Shared by pipe tables and plain-text tables. Parses are memoized for the run (`Memos`): a
thousand distinct type cells recur across seven thousand distinct rows.
"""

from __future__ import annotations

import re

from ._cursor import MISSING, Cursor
from ._markup import CODE, LINK, REF_LINK, group1, plain, strip_links
from ._model import RawProperty

_SHORTCUT_REF = re.compile(r"\[\s*\**([A-Za-z_][\w.]*)\**\s*\]((?:\s+collection)?)\s*$", re.I)
_READ_ONLY = re.compile(r"\bread[- ]?only\b", re.I)
_POSSIBLE = re.compile(
    r"(?:possible|allowed|supported|valid)\s+values\s+(?:are|is|include)\s*:?", re.I
)
_TICK_LIST = re.compile(r"^\s*((?:`[^`]*`[\s,;]*(?:(?:and|or)\s+)?)+)")
_LEAD_TAGS = re.compile(r"^(?:\s|<[^>]*>)+")  # `<br>`, `<ul><li>` before a list's first item
_ITEM_CHUNKS = re.compile(r"\s*(?:;|<br\s*/?>|</br>|</?li>|</?ul>|,\s*(?=`))\s*", re.I)
# an item: a ticked or bare (bold) name, then a gloss after a dash or colon, or nothing
_GLOSSED = re.compile(r"^(?:`([^`]+)`|\**([A-Za-z_]\w*)\**)(\s*(?:-{1,2}|—|–|:)\s|\s*[.,]?\s*$)")
_PAREN_GLOSS = re.compile(r"(`[^`]*`)\s*\([^()]*\)")  # `nam` (for **North America**)
_RANGE = re.compile(r"`([A-Za-z_]*?)(\d+)`\s+(?:through|thru)\s+`([A-Za-z_]*?)(\d+)`")
_BARE_RANGE = re.compile(r"\b([A-Za-z_]*?)(\d+)\s+(?:through|thru)\s+([A-Za-z_]*?)(\d+)\b")
_LIST_SPLIT = re.compile(r"\s*,\s*(?:(?:and|or)\s+)?|\s+(?:and|or)\s+")
_SENTENCE_END = re.compile(r"\.(?:\s|$)")
_HEADER_NAMES = ("property", "name")

# (name, type text, type link, description, enum, read-only): a memoizable parsed row
Row = tuple[str, str, str | None, str, list[str] | None, bool]


def add_property(cur: Cursor, line: int, name: str, type_cell: str, desc: str) -> None:
    """Append the RawProperty of one row given as cells, unless it is no property row."""
    rows = cur.memos.rows
    key = (name, type_cell, desc)
    row = rows.get(key, MISSING)
    if row is MISSING:
        row = rows[key] = property_row(name, type_cell, desc, cur.memos.type_cells)
    if row is not None:
        append_row(cur, row, line)


def append_row(cur: Cursor, row: Row, line: int) -> None:
    """A parsed row -> RawProperty; the enum is copied, the memoized row being shared."""
    name, type_text, link, description, enum, read_only = row
    cur.page.properties.append(
        RawProperty(
            name,
            type_text,
            link,
            description,
            line,
            list(enum) if enum else None,
            read_only,
            cur.subheading or None,
        )
    )


def property_row(name: str, type_cell: str, desc: str, types: dict) -> Row | None:
    """The parsed row, or None when the row is not a property (a header row, a blank name).
    `types` memoizes `_type_cell` for the run.

    A header row is told by both cells (`Property | Type`), never by the name alone: a property
    may be called `name` (`calendar.name`, `keyValuePair.name`). Tables consume their own header
    (the separator row, the header line), so this only guards a header repeated mid-table."""
    name = plain(name).strip()
    if not name or " " in name or _is_header(name, type_cell):
        return None
    found = types.get(type_cell)
    if found is None:
        found = types[type_cell] = _type_cell(type_cell)
    type_text, link = found
    description = plain(strip_links(desc))
    enum = possible_values(desc)
    read_only = "ead" in desc and bool(_READ_ONLY.search(desc))
    return name, type_text, link, description, enum, read_only


def _is_header(name: str, type_cell: str) -> bool:
    return name.lower() in _HEADER_NAMES and plain(type_cell).strip().lower() == "type"


def _type_cell(type_cell: str) -> tuple[str, str | None]:
    """(type text, type link) of a table's type cell; reference links give "ref:<label>".
    A union's separators (`String &#124; null`, `A \\| B`) become a plain `|`."""
    if "&#124;" in type_cell or "\\|" in type_cell:
        type_cell = type_cell.replace("&#124;", "|").replace("\\|", "|")
    link = None
    m = LINK.search(type_cell) if "](" in type_cell else None  # the pattern needs "]("
    if m:
        link = m.group(2)
    elif "][" in type_cell:
        r = REF_LINK.search(type_cell)
        if r:
            link = "ref:" + (r.group(2) or r.group(1))
            type_cell = REF_LINK.sub(group1, type_cell)
    elif type_cell.startswith("["):
        r = _SHORTCUT_REF.match(type_cell)
        if r:  # `[physicalAddress]` or `[part] collection`: a shortcut reference link
            link = "ref:" + r.group(1)
            type_cell = r.group(1) + r.group(2)
    return plain(strip_links(type_cell)), link


def possible_values(desc: str) -> list[str] | None:
    """Enum members listed as "Possible values are: `a`, `b`" (backticks or bare words), the
    longest list when a description has two. Glosses are read past: `nam` (for North America),
    `standard` - Channel inherits...; `private` - ..., `<li>None</li><li>NotifySender -- ...`,
    and a range `c1` through `c25` is every name in it."""
    best: list[str] | None = None
    at = desc.find("alues")
    while at >= 0:  # the regex only around each "values": no scan of long text
        m = _POSSIBLE.search(desc, max(0, at - 12), at + 20)
        if m:
            values = _listed(desc[m.end() :])
            if values and len(values) > len(best or ()):
                best = values
        at = desc.find("alues", (m.end() if m else at) + 5)
    return best


def _listed(rest: str) -> list[str] | None:
    """The members a list right after "Possible values are:" names."""
    head = rest.lstrip()
    first = _GLOSSED.match(_LEAD_TAGS.sub("", head, count=1))
    if head.startswith("<") or (first and first.group(3)):
        return _glossed(_LEAD_TAGS.sub("", head, count=1))
    if "(" in rest:
        rest = _PAREN_GLOSS.sub(r"\1", rest)
    rest = expand_ranges(rest)
    ticks = _TICK_LIST.match(rest)
    if ticks:
        values = CODE.findall(ticks.group(1))
    else:
        sentence = _SENTENCE_END.split(rest.strip(), maxsplit=1)[0]
        values = [v.strip() for v in _LIST_SPLIT.split(sentence)]
    return _identifiers(v.strip("'\"*") for v in values if v)


def _glossed(rest: str) -> list[str] | None:
    """Items each with a gloss (`x` - what it means; `y`: ...), or HTML list items: a chunk
    between `;`, `<br>` or `<li>` starts with its member; the list ends at a chunk that does
    not."""
    names = []
    for chunk in _ITEM_CHUNKS.split(rest):
        if not chunk:
            continue
        m = _GLOSSED.match(chunk)
        if m is None:
            break
        names.append(m.group(1) or m.group(2))
    return _identifiers(names)


def expand_ranges(text: str) -> str:
    """Every `` `c1` through `c25` `` (ticked or bare) as the names of the range."""
    return _BARE_RANGE.sub(_expand, _RANGE.sub(_expand, text)) if "thr" in text else text


def _expand(m: re.Match[str]) -> str:
    """A range as its names, ticked when it was (one prefix, at most 101 names)."""
    prefix, low, other, high = m.group(1), int(m.group(2)), m.group(3), int(m.group(4))
    if prefix != other or not 0 <= high - low <= 100:
        return m.group(0)
    tick = "`" if m.group(0).startswith("`") else ""
    return ", ".join(f"{tick}{prefix}{n}{tick}" for n in range(low, high + 1))


def _identifiers(values) -> list[str] | None:
    """The leading run of identifiers, without repeats: the list ends at the first non-name."""
    out: list[str] = []
    for v in values:
        if not (v.isascii() and v.isidentifier()):  # == IDENT, without a regex call
            break
        if v != "null" and v not in out:  # `null` is JSON's null, no member
            out.append(v)
    return out or None
