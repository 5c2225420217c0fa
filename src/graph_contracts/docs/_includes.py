"""`[!INCLUDE [label](target)]` lines of today's docs (2023 onwards), and the permission-table
include files they point to.

Since 2023 an update page's Permissions section holds no table but
`[!INCLUDE [permissions-table](../includes/permissions/x-update-permissions.md)]`, one per
scenario when the permissions differ by path or caller ("Permissions acting on self" / "on
other users"). The parser only sees the page's text, so it records the include (line, target as
written) and `extract` resolves it relative to the page's file. Other includes (national-cloud
notes, the table intro, SDK snippets, RBAC notes) carry no contract fact, except the beta
disclaimer, which is the beta note of today's pages.
"""

from __future__ import annotations

import re

from ._cursor import Cursor, memos_of
from ._front_matter import read_front_matter
from ._model import Page
from ._pipe_tables import pipe_table

_INCLUDE = re.compile(r"^\[!INCLUDE\s*\[([^\]]*)\]\(\s*<?([^)\s>]+)>?\s*\)\s*\]", re.I)


def include(cur: Cursor, i: int, stripped: str) -> bool:
    """Line i as an include: a permission table's recorded on the page (True), or not one."""
    m = _INCLUDE.match(stripped)
    if m is None:
        return False
    label, target = m.group(1).strip().lower(), m.group(2)
    page = cur.page
    if is_permission_include(label, target):
        if not cur.resource_only:
            page.permission_includes.append((i + cur.line_offset + 1, target))
    elif label == "beta-disclaimer":
        page.beta_note = True
    return True


def is_permission_include(label: str, target: str) -> bool:
    """`permissions-table` is the label the docs' generator writes; the folder is the fallback
    for hand-written labels."""
    return label.startswith("permissions") or "includes/permissions/" in target


def include_permissions(text: str, cache: dict | None = None) -> dict[str, list[str]]:
    """The permissions (per kind, least privileged first) of a permission-table include file:
    optional front matter, then one or more pipe tables read as a Permissions section's are."""
    lines = text.splitlines()
    page = Page(style="frontmatter")
    start = read_front_matter(lines, page) if lines and lines[0].strip() == "---" else 0
    cur = Cursor(lines, page, memos_of(cache), section="permissions")
    i, n = start, len(lines)
    while i < n:
        if lines[i].lstrip().startswith("|"):
            i = pipe_table(cur, i)
        else:
            i += 1
    return page.permissions
