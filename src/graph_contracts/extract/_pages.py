"""Linked pages: each read once per run, relative links resolved against a listing per folder,
and every path shown relative to the run's display root."""

from __future__ import annotations

import os
import re

from graph_contracts.docs import (
    Page,
    PageError,
    decode,
    parse_type_page,
    type_cells,
    values_sections,
)
from graph_contracts.naming import lower_first

from ._files import read_bytes

_MISSING = object()
_INTUNE_PREFIX = re.compile(r"^intune-[a-z0-9]+-")
_TYPE_TITLE = re.compile(r"^\s*([A-Za-z_][\w.]*)\s+(?:resource|enum|complex)\b", re.I)


class Pages:
    """Reads each linked resource/type page once; caches every lookup (the same few folders
    and targets recur thousands of times over a corpus)."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.rows: dict = {}  # docs' per-run memos: pass to every docs call of the run
        self.plain_cells: dict[str, str] = {}  # type_differs' memo
        self._pages: dict[str, Page | None] = {}
        self._cells: dict[str, dict[str, str]] = {}  # type_cells per resource page
        self._links: dict[tuple[str, str], str | None] = {}
        self._folders: dict[str | os.PathLike, str] = {}
        self._shown: dict[str, str] = {}
        self._listings: dict[str, set[str]] = {}
        self._intune_index: dict[str, dict[str, str | None]] = {}
        self._intune_folders: dict[str, str] = {}
        self._dirs: dict[tuple[str, str], str] = {}  # `_join`'s normalized folders
        self._values: dict[str, dict[str, tuple[int, list[str]]]] = {}

    def show(self, path: os.PathLike | str) -> str:
        """The path as stored in contracts and findings: relative to the root, `/`-separated."""
        key = str(path)
        shown = self._shown.get(key)
        if shown is None:
            full = os.path.abspath(key)
            prefix = self.root.rstrip(os.sep) + os.sep
            if full.startswith(prefix):
                rel = full[len(prefix) :]
            else:
                rel = os.path.relpath(full, self.root)
            shown = self._shown[key] = rel.replace(os.sep, "/")
        return shown

    def page(self, key: str) -> Page | None:
        """The type page at `key` (title, namespace, @odata.type; table on demand), or None."""
        if key not in self._pages:
            try:
                self._pages[key] = parse_type_page(decode(read_bytes(key)), self.rows)
            except (OSError, PageError):
                self._pages[key] = None
        return self._pages[key]

    def values(self, key: str) -> dict[str, tuple[int, list[str]]]:
        """`docs.values_sections` of the page at `key` (the enum types documented inside it),
        read once per run and only when asked: a type that names no page of its own."""
        found = self._values.get(key)
        if found is None:
            try:
                text = decode(read_bytes(key))
            except (OSError, PageError):
                text = ""
            found = self._values[key] = values_sections(text) if "values" in text else {}
        return found

    def type_cells(self, key: str, page: Page) -> dict[str, str]:
        """`docs.type_cells` of the page at `key`, once per run."""
        cells = self._cells.get(key)
        if cells is None:
            cells = self._cells[key] = type_cells(page)
        return cells

    def link(self, base: os.PathLike | str, target: str | None) -> str | None:
        """Absolute key of a relative link from page `base`, when that file exists."""
        if not target or "://" in target or target.startswith("/"):
            return None
        folder = self._folders.get(base)
        if folder is None:
            folder = self._folders[base] = os.path.dirname(os.path.abspath(base))
        cache_key = (folder, target)
        found = self._links.get(cache_key, _MISSING)
        if found is _MISSING:
            found = self._links[cache_key] = self._link(folder, target.split("#", 1)[0])
        return found

    def intune(self, base: str, name: str) -> str | None:
        """`resources/intune-<area>-<name>.md`: Intune type pages carry an area prefix, so a type
        named in a table without a link is found by its file stem."""
        folder = self._intune_folders.get(base)
        if folder is None:  # one path computation per page, not per type name
            folder = self._intune_folders[base] = os.path.normpath(
                os.path.join(os.path.abspath(os.path.dirname(base)), "../resources")
            )
        index = self._intune_index.get(folder)
        if index is None:
            index = self._intune_index[folder] = _intune_index(folder)
        return index.get(name.lower())

    def declared_name(self, page: Page, fallback: str, namespace: str) -> str:
        """The qualified name a type page declares (`@odata.type`, or its title)."""
        if page.odata_type and "." in page.odata_type:
            return page.odata_type
        m = _TYPE_TITLE.match(page.title)
        name = m.group(1) if m else fallback
        if m and page.style == "text":  # a copied title capitalizes (`FormatProtection`)
            name = lower_first(name)
        return name if "." in name else f"{page.namespace or namespace}.{name}"

    def _link(self, folder: str, target: str) -> str | None:
        where, key = self._join(folder, target)
        if key in self._pages or self._exists(where, key):
            return key
        where, guess = self._join(folder, "../resources/" + os.path.basename(target))
        return guess if guess in self._pages or self._exists(where, guess) else None

    def _join(self, folder: str, target: str) -> tuple[str, str]:
        """(containing folder, path) of `normpath(join(folder, target))`. The folder part is
        normalized once per (folder, relative folder): targets are mostly `x.md` and
        `../resources/x.md`, and a full normpath per distinct target was a visible cost."""
        head, _, name = target.rpartition("/")
        if name in ("", ".", ".."):  # not a plain file name: the general way
            path = os.path.normpath(os.path.join(folder, target))
            return os.path.dirname(path), path
        where = self._dirs.get((folder, head))
        if where is None:
            where = self._dirs[(folder, head)] = os.path.normpath(os.path.join(folder, head))
        return where, os.path.join(where, name)

    def _exists(self, folder: str, path: str) -> bool:
        """A file test against one listing per folder: no stat call per link target."""
        name = path[len(folder) :].lstrip(os.sep)
        names = self._listings.get(folder)
        if names is None:
            try:
                with os.scandir(folder) as entries:
                    names = {e.name for e in entries if e.is_file()}
            except OSError:
                names = set()
            self._listings[folder] = names
        return name in names


def _intune_index(folder: str) -> dict[str, str | None]:
    """{stem without `intune-<area>-`: page}; a stem two areas share maps to None (ambiguous)."""
    index: dict[str, str | None] = {}
    names = os.listdir(folder) if os.path.isdir(folder) else []
    for file in names:
        if file.startswith("intune-") and file.endswith(".md"):
            stem = _INTUNE_PREFIX.sub("", file[:-3])
            index[stem] = None if stem in index else os.path.join(folder, file)
    return index
