"""The line loop: one pass over a page, each line handed to the concern it belongs to.

Markdown lines are dispatched on their first character before any regex (`_MARKUP`); prose
under "Examples" is skipped unless it may hold a beta note or a namespace. Plain-text pages have
no markup: a known bare heading, an HTTP message, a table line, or prose.
"""

from __future__ import annotations

from collections.abc import Callable

from ._annotations import comment
from ._cursor import MISSING, Cursor, memos_of
from ._fences import FENCES, fence
from ._front_matter import read_front_matter
from ._http import text_message
from ._includes import include
from ._model import TYPE_DOC_TYPES, NotUpdateOrTypePage, Page, PageError
from ._pipe_tables import TABLE_SECTIONS, pipe_table
from ._prose import prose
from ._refs import definition, resolve_refs
from ._sections import TEXT_HEADINGS, enter_heading, heading_line
from ._style import detect_style
from ._text_tables import text_table
from ._todos import todos


def parse_page(text: str, *, resource_only: bool = False, cache: dict | None = None) -> Page:
    """Parse one page; raise PageError when it is truncated or not a Graph doc page at all.

    `resource_only` reads just what a linked type page contributes (name, properties, members),
    skipping examples and unrelated tables: resource pages are read in bulk during extraction.
    `cache` memoizes table rows across the pages of one run (beta and v1.0 pages, and pages of one
    family, repeat most rows verbatim); pass the same dict to every call of a run.
    """
    lines = text.splitlines()
    page = Page(style=detect_style(lines))
    page.todos = todos(text, lines)
    start = read_front_matter(lines, page) if page.style == "frontmatter" else 0
    run(Cursor(lines, page, memos_of(cache), resource_only), start)
    _check_last_row(lines, page)
    resolve_refs(page)
    _check_recognized(page, lines)
    return page


def run(cur: Cursor, start: int) -> None:
    """Read `cur.lines` from index `start` into `cur.page`."""
    if cur.page.style == "text":
        _run_text(cur, start)
    else:
        _run_markdown(cur, start)


def _run_markdown(cur: Cursor, start: int) -> None:
    """The Markdown styles: markup lines by first character, everything else is prose."""
    lines = cur.lines
    i, n = start, len(lines)
    while i < n:
        stripped = lines[i].strip()
        if not stripped:
            i += 1
            continue
        markup = _MARKUP.get(stripped[0])
        if markup is not None:
            j = markup(cur, i, stripped)
            if j is not None:
                i = j
                continue
        elif (
            cur.section == "examples"
            and "eta" not in stripped
            and "ETA" not in stripped
            and stripped[0] != "N"
        ):
            i += 1  # what `prose` would conclude for example prose, without the call
            continue
        prose(cur, stripped, i)
        i += 1


# Markup handlers: the index after what line i started, or None when it is prose after all.
def _fence_line(cur: Cursor, i: int, stripped: str) -> int | None:
    return fence(cur, i) if stripped.startswith(FENCES) else None


def _heading_line(cur: Cursor, i: int, stripped: str) -> int | None:
    line = cur.lines[i]
    headings = cur.memos.headings
    found = headings.get(line, MISSING)
    if found is MISSING:  # the same headings recur on every page: memoized
        found = headings[line] = heading_line(line)
    if found is None:
        return None
    enter_heading(cur, *found, i)
    return i + 1


def _table_line(cur: Cursor, i: int, stripped: str) -> int | None:
    return pipe_table(cur, i)


def _comment_line(cur: Cursor, i: int, stripped: str) -> int | None:
    return comment(cur, i) if stripped.startswith("<!--") else None


def _definition_line(cur: Cursor, i: int, stripped: str) -> int | None:
    if stripped.startswith("[!"):  # `[!INCLUDE [permissions-table](...)]`: today's docs
        return i + 1 if include(cur, i, stripped) else None
    return i + 1 if "]:" in stripped and definition(cur, i) else None


_MARKUP: dict[str, Callable[[Cursor, int, str], int | None]] = {
    "`": _fence_line,
    "~": _fence_line,
    "#": _heading_line,
    "|": _table_line,
    "<": _comment_line,
    "[": _definition_line,
}


def _run_text(cur: Cursor, start: int) -> None:
    """Plain-text pages: every non-blank line is read by `_text_line`."""
    lines = cur.lines
    i, n = start, len(lines)
    while i < n:
        stripped = lines[i].strip()
        i = _text_line(cur, i, stripped) if stripped else i + 1


def _text_line(cur: Cursor, i: int, stripped: str) -> int:
    """Plain-text line i: a bare heading, an HTTP message, a table line, or else prose."""
    if not cur.heading_seen or stripped.lower() in TEXT_HEADINGS:
        enter_heading(cur, stripped, 2, None, i)
        return i + 1
    j = None
    if cur.section in ("request", "examples") or cur.in_examples:
        j = text_message(cur, i)
    if j is None and cur.section in TABLE_SECTIONS:
        j = text_table(cur, i)
    if j is None:
        prose(cur, stripped, i)
        j = i + 1
    return j


def _check_last_row(lines: list[str], page: Page) -> None:
    """A page whose last line is a table row shorter than the row above (no closing `|`, fewer
    cells) was cut mid-row: the rest of that table and of the page is lost (a `truncated`
    error; the rows before the cut are still read)."""
    k = len(lines) - 1
    while k > 0 and not lines[k].strip():
        k -= 1
    last = lines[k].strip() if k > 0 else ""
    if not last.startswith("|"):
        return
    above = lines[k - 1].strip()
    if above.startswith("|") and (
        (above.endswith("|") and not last.endswith("|")) or last.count("|") < above.count("|")
    ):
        why = f"table row at line {k + 1} is cut short: the page ends mid-row"
        page.defects.append(("truncated", "error", k + 1, why))


def _check_recognized(page: Page, lines: list[str]) -> None:
    """A page must be an update page, a resource/enum page, or it is not one `extract` reads.

    Which of the two failures it is matters to a folder run: an overview or concept page
    (`NotUpdateOrTypePage`) is skipped there, while a page written as an API page (its front
    matter, an "Update ..." title, an "HTTP request" or "Request body" heading) is broken.
    """
    if page.paths or page.properties or page.members or page.odata_type or page.defects:
        return
    if page.doc_type in TYPE_DOC_TYPES:
        return
    what = "no HTTP request, property table or members table found"
    if _meant_as_api_page(page, lines):
        raise PageError(f"unrecognizable: an API page, but {what}")
    raise NotUpdateOrTypePage(f"unrecognizable: not an update or type page ({what})")


_API_HEADINGS = ("http request", "request body")


def _meant_as_api_page(page: Page, lines: list[str]) -> bool:
    """Signs that a page was written to document a request (only asked of unrecognized pages)."""
    if page.doc_type == "apiPageType" or page.title.lower().startswith("update "):
        return True
    return any(ln.strip().lstrip("#").strip().lower() in _API_HEADINGS for ln in lines)
