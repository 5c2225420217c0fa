"""The line parser's state: where it is in a page, and the memos one extraction run shares.

Every concern module (sections, fences, tables, prose) reads and advances one `Cursor`; the
loop that dispatches lines to them is `_parser.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ._model import Page

MISSING = object()  # a memo miss, where None is a memoized answer


@dataclass(slots=True)
class Memos:
    """Parses memoized across the pages of one run: beta and v1.0 pages, and the pages of one
    family, repeat most headings, table headers, rows and whole small tables verbatim."""

    heads: dict[tuple[str, str], list[str] | None] = field(default_factory=dict)
    rows: dict[tuple[str, str, str], tuple | None] = field(default_factory=dict)
    perms: dict[str, list[str]] = field(default_factory=dict)
    row_lines: dict[str, tuple | None] = field(default_factory=dict)
    type_cells: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    headings: dict[str, tuple[str, int, str] | None] = field(default_factory=dict)
    tables: dict[tuple[str, ...], list] = field(default_factory=dict)


def memos_of(cache: dict | None) -> Memos:
    """The run's memos, kept in the caller's opaque `cache` dict (a fresh set without one)."""
    if cache is None:
        return Memos()
    found = cache.get("memos")
    if found is None:
        found = cache["memos"] = Memos()
    return found


@dataclass(slots=True)
class Cursor:
    """One pass over a page's lines; the current section decides what a table or line means."""

    lines: list[str]
    page: Page
    memos: Memos
    resource_only: bool = False  # a linked type page: only its name and its table matter
    line_offset: int = 0  # lines before `lines[0]` in the page (a type page's table slice)
    section: str = ""
    in_examples: bool = False
    heading_seen: bool = False
    subheading: str = ""  # a subheading inside "Request body" ("openIdConnectProvider object")
