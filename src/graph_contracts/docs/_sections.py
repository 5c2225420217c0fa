"""Headings: the page title, and which section (permissions, request body, examples...) a
heading opens. The section decides what the tables and sentences under it mean."""

from __future__ import annotations

import re

from ._cursor import Cursor
from ._markup import plain as _plain

_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*)$")  # closing #s stripped in Python: linear
TEXT_HEADINGS = {  # a heading's plain text -> section; plain-text pages' headings are bare lines
    "permissions": "permissions",
    "prerequisites": "permissions",
    "http request": "request",
    "request headers": "headers",
    "request header": "headers",
    # Planner's pages put their required If-Match under this heading ("Required." in its row)
    "optional request headers": "headers",
    "request body": "body",
    "response": "response",
    "example": "examples",
    "examples": "examples",
    "properties": "properties",
    "members": "members",
    "relationships": "relationships",
}


def heading_line(line: str) -> tuple[str, int, str] | None:
    """(text, level, plain text) of a Markdown heading line, or None when it is not one."""
    m = _HEADING.match(line)
    if not m:
        return None
    text = m.group(2).rstrip().rstrip("#").rstrip()
    return text, len(m.group(1)), _plain(text)


def enter_heading(cur: Cursor, text: str, level: int, plain: str | None, i: int) -> None:
    """Line i is a heading: the title, a section start, or (unknown headings) "other"."""
    if "](#tab/" in text:  # `# [C#](#tab/csharp)`: SDK tab headings never change section
        return
    plain = _plain(text) if plain is None else plain
    if not cur.heading_seen and level <= 2 and not text.startswith("["):
        cur.heading_seen = True
        if _title(cur, plain, level, i):
            return
    key = _section_of(plain, cur.in_examples)
    if key is None and cur.section == "body" and level >= 3:
        cur.subheading = plain  # one table per derived type, or per permission kind: still body
        return
    cur.subheading = ""
    if key is None:
        if not (text.startswith("[") or (level >= 3 and cur.in_examples)):
            cur.section = "other"
        return
    if key == "examples" or (cur.in_examples and key in ("response", "request")):
        cur.in_examples = True  # "Request"/"Response" under "Examples" stay in the examples
        key = "examples"
    cur.section = key


def _title(cur: Cursor, plain: str, level: int, i: int) -> bool:
    """The first heading is the title unless front matter named one and it is no H1."""
    page = cur.page
    if level == 1 or page.style == "text" or not page.title:
        page.title, page.title_line = plain, i + 1
        return True
    return False


def _section_of(plain: str, in_examples: bool) -> str | None:
    key = TEXT_HEADINGS.get(plain.lower().rstrip(":"))
    if key is not None:
        return key
    low = plain.lower()
    if low.startswith("example") or (low.startswith(("request", "response")) and in_examples):
        return "examples"
    return "response" if low.startswith("response") else None
