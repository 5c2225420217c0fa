"""Markdown pipe tables: a table's extent and header, then its rows read by the section it is
in (permissions, request headers, members, properties).

Rows are memoized by their line text (property rows) or the table by its lines (permission,
header, member tables): beta and v1.0 pages repeat them verbatim, and a memo hit then costs one
dict lookup per row instead of a split and a parse.
"""

from __future__ import annotations

import re
from collections.abc import Callable

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
    while j < n:
        ln = lines[j]
        if not (ln.startswith("|") or ln.lstrip().startswith("|")):
            break
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
            _table(cur, header, i + 2, j, i + cur.line_offset + 1)
    return j


def _table(cur: Cursor, header: list[str], begin: int, end: int, line: int) -> None:
    """Rows `begin:end` of a table whose header row is at `line` (1-based)."""
    first = plain(header[0]).lower() if header else ""
    sec, page = cur.section, cur.page
    if "permission" in first:
        entries = _table_memo(
            cur, "permissions", begin, end, lambda rows: permission_entries(cur, rows)
        )
        add_permissions(cur, entries, line)
    elif sec == "permissions" and (kinds := column_kinds(header)):  # one column per kind
        rows = [_cells(ln) for ln in cur.lines[begin:end]]
        add_permissions(cur, scenario_entries(cur, kinds, rows), line)
    elif sec == "headers":
        add_headers(cur, _table_memo(cur, "headers", begin, end, required_headers))
    elif first == "member" or sec == "members":
        page.members.extend(_table_memo(cur, "members", begin, end, _member_names))
    elif sec in ("body", "properties") and len(header) >= 2 and "type" in header[1]:
        if page.properties and sec == "properties":
            return  # a type page's Properties section: its first table only
        _property_rows(cur, begin, end)


def _table_memo(
    cur: Cursor, kind: str, begin: int, end: int, parse: Callable[[list], list]
) -> list:
    """`parse(cells of each row)` for a whole small table, memoized by its lines."""
    memo, lines = cur.memos.tables, cur.lines
    key = (kind, *lines[begin:end])
    found = memo.get(key)
    if found is None:
        found = memo[key] = parse([_cells(ln) for ln in lines[begin:end]])
    return found


def _property_rows(cur: Cursor, begin: int, end: int) -> None:
    """RawProperty per row; each row's parse is memoized by the line's text."""
    memo, types = cur.memos.row_lines, cur.memos.type_cells
    lines, offset = cur.lines, cur.line_offset + 1
    for k in range(begin, end):
        line = lines[k]
        row = memo.get(line, MISSING)
        if row is MISSING:
            row = memo[line] = _line_property(line, types)
        if row is not None:
            append_row(cur, row, k + offset)


def _line_property(line: str, types: dict) -> tuple | None:
    """`property_row` of a pipe-table line; None when it has fewer than two cells."""
    c = _cells(line)
    return property_row(c[0], c[1], " | ".join(c[2:]), types) if len(c) >= 2 else None


def _member_names(rows: list[tuple[str, ...]]) -> list[str]:
    return [name for name in (plain(c[0]) for c in rows) if name]


def _table_header(header: str, separator: str) -> list[str] | None:
    """The lowercased header cells of a table, or None when the second row is no separator."""
    if set("".join(_cells(separator))) <= _SEPARATOR_CHARS:
        return [c.lower() for c in _cells(header)]
    return None


def _cells(line: str) -> tuple[str, ...]:
    """The stripped cells of a pipe-table row; the outer pipes are optional, `\\|` is no pipe.
    The outer pipes are dropped from the split parts, not sliced off: no copies of the line."""
    s = line.strip()
    parts = _CELL_SPLIT.split(s) if "\\|" in s else s.split("|")
    if s.startswith("|"):
        del parts[0]
    if len(s) > 1 and s.endswith("|") and not s.endswith("\\|"):  # "|" alone: one pipe only
        del parts[-1]
    return tuple(map(str.strip, parts))
