"""Plain-text tables (pages copied from the published site): no pipes, one row per line,
`name Type description...`, under a header line such as `Property Type Description`."""

from __future__ import annotations

from ._cursor import Cursor
from ._permissions import KIND_PREFIX, add_permissions, permission_entries, permission_kind
from ._properties import add_property
from ._request_headers import HEADER_NAME, add_headers, required_headers

_PROPERTY_HEADERS = ("property type", "name type", "member value", "member description")
_HEADER_HEADERS = ("header value", "name description", "header description")


def text_table(cur: Cursor, i: int) -> int | None:
    """Line i as a table line of the current section; the index after what it consumed, or
    None when it is no table line (then it is prose)."""
    s = cur.lines[i].strip()
    if cur.section == "permissions":
        return _permission_line(cur, s, i)
    if cur.section == "headers":
        return _header_line(cur, s, i)
    if s.lower().startswith(_PROPERTY_HEADERS):
        return _rows(cur, s, i)
    return None


def _permission_line(cur: Cursor, s: str, i: int) -> int | None:
    if s.lower().startswith("permission type"):
        cur.page.permissions_line = i + 1
        return i + 1
    kind = permission_kind(s)
    if kind is None:
        return None
    prefix = KIND_PREFIX[kind]
    entries = permission_entries(cur, [(prefix, s.removeprefix(prefix))])
    add_permissions(cur, entries, i + 1)
    return i + 1


def _header_line(cur: Cursor, s: str, i: int) -> int | None:
    if s.lower().startswith(_HEADER_HEADERS):
        return i + 1
    parts = s.split(None, 1)
    if len(parts) == 2 and HEADER_NAME.match(parts[0]):
        add_headers(cur, required_headers([(parts[0], parts[1])]))
        return i + 1
    return None


def _rows(cur: Cursor, header: str, i: int) -> int:
    """The rows under the header line i, up to the first blank line; the index of that line."""
    lines, members = cur.lines, header.lower().startswith("member")
    j = i + 1
    while j < len(lines) and lines[j].strip():
        row = lines[j].strip()
        if members:
            cur.page.members.append(row.split()[0])
        else:
            _property_line(cur, j, row)
        j += 1
    return j


def _property_line(cur: Cursor, j: int, row: str) -> None:
    """`name Type [collection] description...`: the type is one word, or two with `collection`."""
    parts = row.split()
    if len(parts) < 2:
        return
    name, type_words, rest = parts[0], [parts[1]], parts[2:]
    if rest and rest[0].lower() == "collection":
        type_words.append(rest.pop(0))
    add_property(cur, j + 1, name, " ".join(type_words), " ".join(rest))
