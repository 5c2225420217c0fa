"""TODO placeholders left in a page: reported as findings, never taken for facts."""

from __future__ import annotations

import re

from ._markup import plain

_TODO = re.compile(r"\*\*\s*TODO\b|\bTODO:", re.I)


def is_todo(text: str) -> bool:
    """True when `text` holds a placeholder (`**TODO...`, `TODO:`); cheap substring test first."""
    return ("ODO" in text or "odo" in text) and _TODO.search(text) is not None


def todos(text: str, lines: list[str]) -> list[tuple[int, str]]:
    """(line, plain text cut at 120 characters) of every placeholder line."""
    if "TODO" not in text:
        return []
    return [
        (i + 1, plain(ln.strip())[:120])
        for i, ln in enumerate(lines)
        if "TODO" in ln and _TODO.search(ln)
    ]
