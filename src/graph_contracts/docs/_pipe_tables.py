"""Markdown pipe tables: a table's extent and header, then its rows read by the section it is
in (permissions, request headers, members, properties).

Rows are memoized by their line text (property rows) or the table by its lines (permission,
header, member tables): beta and v1.0 pages repeat them verbatim, and a memo hit then costs one
dict lookup per row instead of a split and a parse.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ._cursor import MISSING, Cursor
from ._markup import plain
from ._permissions import add_permissions, column_kinds, permission_entries, scenario_entries
from ._properties import append_row, property_row
from ._request_headers import add_headers, required_headers

TABLE_SECTIONS = frozenset(("permissions", "headers", "body", "properties", "members"))
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_SEPARATOR_CHARS = frozenset(":- ")  # what a header separator row's cells are made of


def pipe_table(cur: Cursor, i: int) -> int:
    """The table starting at line i, read when its section makes it worth it; the index after."""
    lines = cur.lines
    j, n = i + 1, len(lines)
    wrapped = False
    while j < n:
        ln = lines[j]
        if not (ln.startswith("|") or ln.lstrip().startswith("|")):
            if j < i + 3 or not _continues(lines, j):  # after a data row only
                break
            wrapped = True
        j += 1
    if cur.section not in TABLE_SECTIONS and "ermission" not in lines[i]:
        return j  # Methods, Relationships...: not worth splitting
    if cur.resource_only and cur.section not in ("properties", "members"):
        return j
    if j - i >= 2:
        heads = cur.memos.heads
        key = (lines[i], lines[i + 1])
        header = heads.get(key, MISSING)
        if header is MISSING:  # the same few header rows recur on every page
            header = heads[key] = _table_header(*key)
        if header is not None:
            rows = _joined(lines, i + 2, j) if wrapped else Rows(lines[i + 2 : j], i + 2)
            _table(cur, header, rows, i + cur.line_offset + 1)
    return j


@dataclass(slots=True)
class Rows:
    """A table's rows as text, and the index of each row's first line (`firsts`, or consecutive
    from `begin`): a row whose cell wraps onto lines of its own is one row."""

    texts: list[str]
    begin: int
    firsts: list[int] | None = None

    def lines(self) -> Iterable[tuple[int, str]]:
        firsts = self.firsts or range(self.begin, self.begin + len(self.texts))
        return zip(firsts, self.texts, strict=True)


def _continues(lines: list[str], j: int) -> bool:
    """Line j, no pipe row, goes on with the row above: that row is left open (no closing `|`)
    and line j is text, not a blank line or a heading. The docs wrap long cells so
    (`embeddedSIMActivationCode`: "...mobile operator." / "The input must match...|"): read as
    separate lines, the rest of the table was lost."""
    above, here = lines[j - 1].rstrip(), lines[j].strip()
    return bool(here) and not above.endswith("|") and here[0] not in "#<`~"


def _joined(lines: list[str], begin: int, end: int) -> Rows:
    """Rows `begin:end` with every continuation line joined to its row."""
    texts: list[str] = []
    firsts: list[int] = []
    for k in range(begin, end):
        ln = lines[k]
        if texts and not ln.lstrip().startswith("|"):
            texts[-1] = f"{texts[-1].rstrip()} {ln.strip()}"
        else:
            texts.append(ln)
            firsts.append(k)
    return Rows(texts, begin, firsts)


def _table(cur: Cursor, header: list[str], rows: Rows, line: int) -> None:
    """The rows of a table whose header row is at `line` (1-based)."""
    first = plain(header[0]).lower() if header else ""
    sec, page = cur.section, cur.page
    if "permission" in first:
        entries = _table_memo(
            cur, "permissions", rows, lambda cells: permission_entries(cur, cells)
        )
        add_permissions(cur, entries, line)
    elif sec == "permissions" and (kinds := column_kinds(header)):  # one column per kind
        add_permissions(cur, scenario_entries(cur, kinds, [cells(t) for t in rows.texts]), line)
    elif sec == "headers":
        add_headers(cur, _table_memo(cur, "headers", rows, required_headers))
    elif first == "member" or sec == "members":
        page.members.extend(_table_memo(cur, "members", rows, _member_names))
    elif sec in ("body", "properties") and len(header) >= 2 and "type" in header[1]:
        if page.properties and sec == "properties":
            return  # a type page's Properties section: its first table only
        _property_rows(cur, rows)


def _table_memo(cur: Cursor, kind: str, rows: Rows, parse: Callable[[list], list]) -> list:
    """`parse(cells of each row)` for a whole small table, memoized by its rows."""
    memo = cur.memos.tables
    key = (kind, *rows.texts)
    found = memo.get(key)
    if found is None:
        found = memo[key] = parse([cells(t) for t in rows.texts])
    return found


def _property_rows(cur: Cursor, rows: Rows) -> None:
    """RawProperty per row; each row's parse is memoized by the row's text."""
    memo, types = cur.memos.row_lines, cur.memos.type_cells
    offset = cur.line_offset + 1
    for k, line in rows.lines():
        row = memo.get(line, MISSING)
        if row is MISSING:
            row = memo[line] = _line_property(line, types)
        if row is not None:
            append_row(cur, row, k + offset)


def _line_property(line: str, types: dict) -> tuple | None:
    """`property_row` of a pipe-table line; None when it has fewer than two cells."""
    c = cells(line)
    return property_row(c[0], c[1], " | ".join(c[2:]), types) if len(c) >= 2 else None


def _member_names(rows: list[tuple[str, ...]]) -> list[str]:
    return [name for name in (plain(c[0]) for c in rows) if name]


def _table_header(header: str, separator: str) -> list[str] | None:
    """The lowercased header cells of a table, or None when the second row is no separator."""
    if set("".join(cells(separator))) <= _SEPARATOR_CHARS:
        return [c.lower() for c in cells(header)]
    return None


def cells(line: str) -> tuple[str, ...]:
    """The stripped cells of a pipe-table row; the outer pipes are optional, `\\|` is no pipe.
    The outer pipes are dropped from the split parts, not sliced off: no copies of the line."""
    s = line.strip()
    parts = _CELL_SPLIT.split(s) if "\\|" in s else s.split("|")
    if s.startswith("|"):
        del parts[0]
    if len(s) > 1 and s.endswith("|") and not s.endswith("\\|"):  # "|" alone: one pipe only
        del parts[-1]
    return tuple(map(str.strip, parts))
