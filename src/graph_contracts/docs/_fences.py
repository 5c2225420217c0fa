"""Fenced code blocks of the Markdown styles: HTTP request templates, request/response examples
and a resource page's JSON representation."""

from __future__ import annotations

from ._annotations import resource_json
from ._cursor import Cursor
from ._http import EXAMPLE_START, REQUEST_LINE, STATUS_LINE, example, template
from ._model import PageError

FENCES = ("```", "~~~")


def fence(cur: Cursor, i: int) -> int:
    """The block opened at line i; the index after its closing fence (PageError: none)."""
    lines = cur.lines
    j = n = len(lines)
    for k, ln in enumerate(lines[i + 1 :], i + 1):
        # One-character tests first (memchr): no strip() copy for the common code line.
        if ("`" in ln or "~" in ln) and ln.lstrip().startswith(FENCES):
            j = k
            break
    if j >= n:
        raise PageError(f"truncated: code block opened at line {i + 1} is never closed")
    if not cur.resource_only:
        _block(cur, i + 1, j)
    return j + 1


def _block(cur: Cursor, begin: int, end: int) -> None:
    """The inside of a code block: HTTP request templates, or an example."""
    if cur.section == "request" and not cur.in_examples:
        _templates(cur, begin, end)
        return
    if cur.section == "permissions":  # today's per-scenario permissions repeat their paths
        return
    lines, page = cur.lines, cur.page
    k = begin
    while k < end:
        s = lines[k].strip()
        m = (REQUEST_LINE.match(s) or STATUS_LINE.match(s)) if s and s[0] in EXAMPLE_START else None
        if m:
            k = example(cur, k, end, m)
            continue
        if s.startswith("{") and page.doc_type.startswith("resource"):
            resource_json(cur, k, end)
            return
        k += 1


def _templates(cur: Cursor, begin: int, end: int) -> None:
    """The HTTP request section's block: every request line is a path template."""
    for k in range(begin, end):
        s = cur.lines[k].strip()
        if s:
            m = REQUEST_LINE.match(s)
            if m:
                template(cur, m, k)
