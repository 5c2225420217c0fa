"""Today's permission-table includes resolved: `../includes/permissions/x.md` is relative to the
page's own file, as the docs build resolves it, never to the working directory or the run's root.

Each include file is read once per run (the docs' per-run cache holds them). The permissions of
every include of a page (one per scenario: "acting on self", "on other users"...) merge per kind
into the page's, in page order, least privileged first. A missing or unreadable include is a
finding naming the page line and the path looked for; the page is still extracted.
"""

from __future__ import annotations

import os

from graph_contracts.contracts import Finding
from graph_contracts.docs import Page, PageError, decode, include_permissions

from ._files import read_bytes
from ._pages import Pages


def resolve_includes(page: Page, path: str, shown: str, pages: Pages, out: list[Finding]) -> None:
    """Merge the permissions of the update page's includes into it; findings for those missing."""
    if not page.permission_includes or page.method != "PATCH":
        return  # only update pages become contracts: other pages' includes are never read
    folder = os.path.dirname(os.path.abspath(path))
    cache = pages.rows.setdefault("includes", {})
    for line, target in page.permission_includes:
        full = os.path.normpath(os.path.join(folder, target.split("#", 1)[0]))
        found = cache.get(full)
        if found is None:
            found = cache[full] = _read(full, pages.rows)
        if isinstance(found, str):
            why = f"permissions include {target} not read: {found} (looked for {pages.show(full)})"
            out.append(Finding("missing-include", "error", why, shown, line))
            continue
        _merge(page, found, line)


def _read(full: str, cache: dict) -> dict[str, list[str]] | str:
    """The include's permissions per kind, or the reason it could not be read."""
    try:
        return include_permissions(decode(read_bytes(full)), cache)
    except FileNotFoundError:
        return "no such file"
    except OSError as exc:
        return exc.strerror or str(exc)
    except PageError as exc:
        return str(exc)


def _merge(page: Page, found: dict[str, list[str]], line: int) -> None:
    page.permissions_line = page.permissions_line or line
    for kind, names in found.items():
        bucket = page.permissions.setdefault(kind, [])
        for n in names:
            if n not in bucket:
                bucket.append(n)
