"""The pages a docs change asks lint to read again: for a pull request, not the whole docs tree.

A page's findings depend on more than the page: its permissions come from include files
(`[!INCLUDE [...](../includes/permissions/x.md)]`), its property types from the resource page it
links, and that page's types from the complex-type and enum pages it links in turn. So a change
re-lints the update pages it touches directly and every update page that reaches a changed file
through such links, however deep: an include or resource page edited alone still gets the pages
that use it linted. Links are followed as the extractor follows them (relative to the page's
own folder; a missing target also tried as `../resources/<name>`), except links to other
operation pages (a resource page's Methods table links its API pages): no page's contract is
read from another operation page, and following them would re-lint every page of a resource
for an edit to one. A deleted file counts as changed: the pages that linked it lose something.

What changed comes from git: the files that differ between the merge base of `since` and the
working tree (a pull request's own changes, plus what is not committed yet), and untracked files.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections import deque
from collections.abc import Iterable
from pathlib import Path

from graph_contracts.extract import SUFFIXES, read_bytes

# An inline link or include target `](target)`, or a reference definition `[x]: target`.
_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)|^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?\s*$", re.M)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# An operation page has an HTTP request line; an update page, the one lint reads, a PATCH one.
_REQUEST = re.compile(rb"^\s*(GET|POST|PATCH|PUT|DELETE)\s+\S", re.M)


class ChangeError(Exception):
    """git could not tell what changed (no repository, an unknown revision): one line."""


def changed_files(since: str, where: Path) -> set[Path]:
    """Absolute paths of the files changed since the merge base of `since` and HEAD, in the
    git repository holding `where`: committed, staged, unstaged and untracked alike."""
    folder = where if where.is_dir() else where.parent
    if not folder.is_dir():
        raise ChangeError(f"{where}: no such file or directory")
    shown = f"{where}: not in a git repository"
    top = Path(os.path.realpath(_git(["rev-parse", "--show-toplevel"], folder, shown).strip()))
    diff = _git(
        ["diff", "--name-only", "-z", "--no-renames", "--merge-base", since, "--"],
        top,
        f"--changed-since {since}: no such revision in {top} (fetch it first, e.g. "
        "`git fetch origin main`, and check out with history: fetch-depth 0)",
    )
    untracked = _git(["ls-files", "-z", "--others", "--exclude-standard"], top, "git ls-files")
    names = [n for n in (diff + "\0" + untracked).split("\0") if n]
    return {Path(os.path.normpath(top / name)) for name in names}


def _git(args: list[str], cwd: Path, failure: str) -> str:
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=120
        )
    except FileNotFoundError:
        raise ChangeError("--changed-since needs git on PATH") from None
    if done.returncode != 0:
        raise ChangeError(failure)
    return done.stdout


def pages_to_lint(paths: Iterable[Path], changed: set[Path]) -> list[Path]:
    """The update pages under `paths` that are changed or reach a changed file by links.

    `paths` are files or folders (searched recursively), as `lint` takes them; `changed` holds
    absolute paths with symbolic links resolved, as git names them. Sorted, each page once.
    """
    pages = sorted(_pages_under(paths))
    requests = _Requests()
    users = _users(pages, requests)
    affected = set()
    queue = deque(changed)
    while queue:
        target = queue.popleft()
        if target in affected:
            continue
        affected.add(target)
        queue.extend(users.get(target, ()))
    return [p for p in pages if p in affected and b"PATCH" in requests(p)]


def _pages_under(paths: Iterable[Path]) -> set[Path]:
    found: set[Path] = set()
    for path in paths:
        full = Path(os.path.realpath(path))  # as git's top level is: comparable with `changed`
        if full.is_dir():
            found.update(
                Path(os.path.normpath(os.path.join(folder, name)))
                for folder, _, names in os.walk(full)
                for name in names
                if name.lower().endswith(SUFFIXES)
            )
        elif full.is_file():
            found.add(full)
    return found


def _users(pages: list[Path], requests: _Requests) -> dict[Path, set[Path]]:
    """target -> the pages that link or include it, crawled from `pages` through every linked
    doc page that exists (a resource page's own links lead to its complex types and enums)."""
    users: dict[Path, set[Path]] = {}
    seen: set[Path] = set()
    queue = deque(pages)
    while queue:
        page = queue.popleft()
        if page in seen:
            continue
        seen.add(page)
        for target in links(page):
            exists = target.is_file()
            if exists and requests(target):
                continue  # another operation page: nothing of this page is read from it
            users.setdefault(target, set()).add(page)
            if exists and target not in seen:
                queue.append(target)
    return users


def links(page: Path) -> set[Path]:
    """The doc files a page links or includes, as absolute paths (existing or not)."""
    try:
        text = read_bytes(str(page)).decode("utf-8", errors="replace")
    except OSError:
        return set()
    folder = page.parent
    found: set[Path] = set()
    for match in _LINK.finditer(text):
        target = (match.group(1) or match.group(2)).split("#", 1)[0].split("?", 1)[0]
        if not target.lower().endswith(SUFFIXES) or _SCHEME.match(target) or target[0] == "/":
            continue
        full = Path(os.path.normpath(folder / target))
        found.add(full)
        if not full.exists():  # the extractor's guess for a link into the wrong folder
            found.add(Path(os.path.normpath(folder / "../resources" / full.name)))
    return found


class _Requests:
    """The HTTP methods of a page's request lines (none for a resource or include page), read
    once per page in one selection."""

    def __init__(self) -> None:
        self._known: dict[Path, frozenset[bytes]] = {}

    def __call__(self, page: Path) -> frozenset[bytes]:
        found = self._known.get(page)
        if found is None:
            try:
                data = read_bytes(str(page))
            except OSError:
                data = b""
            found = self._known[page] = frozenset(m.group(1) for m in _REQUEST.finditer(data))
        return found
