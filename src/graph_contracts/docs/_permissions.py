"""Permissions: the permission table's rows (delegated work/personal, application), and the
italic scope lines of older Markdown pages."""

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
_PERM_NAME = re.compile(r"\b[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+)+\b")
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
    memo = cur.memos.perms
    out = []
    for c in rows:
        kind = permission_kind(c[0])
        if kind is None:
            continue
        value = c[1] if len(c) > 1 else ""
        if is_todo(value):
            continue
        names = memo.get(value)
        if names is None:
            names = memo[value] = [
                n for n in _PERM_NAME.findall(strip_links(value)) if not n.endswith(".md")
            ]
        out.append((kind, names))
    return out


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
