"""YAML front matter of current doc pages: only `title` and `doc_type` are facts we use.

Read line by line (no YAML library): two keys of one line each, and an unclosed block must be
reported as a truncated page rather than parsed as far as it goes.
"""

from __future__ import annotations

import re

from ._model import Page, PageError

_FRONT_KEY = re.compile(r"^(title|doc_type|description)\s*:\s*(.*)$")  # quotes: _front_value


def read_front_matter(lines: list[str], page: Page) -> int:
    """Set the page's title and doc_type; return the index of the first line after the block."""
    begin = next(i for i, ln in enumerate(lines) if ln.strip())
    for i in range(begin + 1, len(lines)):
        s = lines[i].strip()
        if s == "---":
            return i + 1
        m = _FRONT_KEY.match(s) if s.startswith(("title", "doc_type")) else None
        if m and m.group(1) == "doc_type":
            page.doc_type = _front_value(m.group(2)).strip().rstrip("_")
        elif m and m.group(1) == "title" and not page.title:
            page.title, page.title_line = _front_value(m.group(2)), i + 1
    raise PageError(f"truncated: front matter opened at line {begin + 1} is never closed")


def _front_value(raw: str) -> str:
    """`"x"  ` -> `x`: one optional quote stripped at each end (a lazy regex did this, slowly)."""
    return raw.rstrip().removeprefix('"').removesuffix('"')
