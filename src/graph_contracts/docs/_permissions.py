"""Permissions: the permission table's rows (delegated work/personal, application), per-scenario
tables with one column per kind, and the italic scope lines of older Markdown pages.

Every permission cell after the kind is read: today's tables (and their include files) split the
names into "Least privileged permissions" and "Higher privileged permissions"; either grants the
call, so both are kept, least privileged first. A "Note:" inside a cell names permissions that do
*not* work ("Directory.AccessAsUser.All cannot be used"), so a cell is read only up to it."""

from __future__ import annotations

import functools
import re

from ._cursor import Cursor
from ._markup import plain, strip_links
from ._todos import is_todo

KIND_PREFIX = {  # how the plain-text pages spell each kind at the start of a row
    "delegated_work": "Delegated (work or school account)",
    "delegated_personal": "Delegated (personal Microsoft account)",
    "application": "Application",
}
# `ServiceActivity-Teams.Read.All`, `Goals-Export.ReadWrite.All`: a hyphen only in the first part.
_PERM_NAME = re.compile(r"\b[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*(?:\.[A-Za-z0-9]+)+\b")
_NOTE = re.compile(r"\bNote:", re.I)
_ITALIC_SCOPE = re.compile(r"^\s*\*([A-Z][\w]*(?:\.[\w]+)+)\*\s*$")


@functools.lru_cache(maxsize=256)
def permission_kind(text: str) -> str | None:
    """Memoized: a handful of spellings recur on every page (pure function of the text)."""
    low = plain(text).lower()
    if low.startswith("delegated"):
        return "delegated_personal" if "personal" in low else "delegated_work"
    if low.startswith("application"):
        return "application"
    return None


def permission_entries(cur: Cursor, rows: list[tuple[str, ...]]) -> list[tuple[str, list[str]]]:
    """(kind, permission names) of each usable row: rows of unknown kind or TODOs dropped."""
    out = []
    for c in rows:
        kind = permission_kind(c[0])
        if kind is None:
            continue
        value = c[1] if len(c) == 2 else " , ".join(c[1:])
        if is_todo(value):
            continue
        out.append((kind, _names(cur, value)))
    return out


def column_kinds(header: list[str]) -> list[str | None]:
    """The kind of each column of a per-scenario table (`| Calendar | Delegated (work or school
    account) | ... | Application |`), or [] when the header is not one."""
    if len(header) < 3:
        return []
    kinds = [None, *(permission_kind(h) for h in header[1:])]
    return kinds if any(kinds) else []


def scenario_entries(
    cur: Cursor, kinds: list[str | None], rows: list[tuple[str, ...]]
) -> list[tuple[str, list[str]]]:
    """(kind, names) of every cell of a per-scenario table: one row per scenario (user or group
    calendar...), merged per kind by `add_permissions`."""
    out = []
    for c in rows:
        for kind, value in zip(kinds, c, strict=False):
            if kind is not None and not is_todo(value):
                out.append((kind, _names(cur, value)))
    return out


def _names(cur: Cursor, value: str) -> list[str]:
    """The permission names of one cell, up to a "Note:" (memoized: cells recur verbatim)."""
    memo = cur.memos.perms
    names = memo.get(value)
    if names is None:
        text = value
        if "ote" in text:
            m = _NOTE.search(text)
            text = text[: m.start()] if m else text
        names = memo[value] = [
            n for n in _PERM_NAME.findall(strip_links(text)) if not n.endswith(".md")
        ]
    return names


def add_permissions(cur: Cursor, entries: list[tuple[str, list[str]]], line: int) -> None:
    """Merge entries into the page; `line` is where the permissions are first listed."""
    page = cur.page
    page.permissions_line = page.permissions_line or line
    for kind, names in entries:
        bucket = page.permissions.setdefault(kind, [])
        for n in names:
            if n not in bucket:
                bucket.append(n)


def italic_scope(cur: Cursor, s: str, i: int) -> bool:
    """Older pages list a delegated scope alone in italics (`*Scope.ReadWrite.All*`)."""
    m = _ITALIC_SCOPE.match(s)
    if not m:
        return False
    page = cur.page
    page.permissions_line = page.permissions_line or i + 1
    perms = page.permissions.setdefault("delegated_work", [])
    if m.group(1) not in perms:
        perms.append(m.group(1))
    return True
