"""Which of the three page styles a text is: told by content, never by file name."""

from __future__ import annotations


def detect_style(lines: list[str]) -> str:
    """`frontmatter` (opens with `---`), `markdown` (pipes, fences, headings or links
    somewhere), else `text` (the published page copied as plain text)."""
    first = next((ln for ln in lines if ln.strip()), "")
    if first.strip() == "---":
        return "frontmatter"
    for ln in lines:
        s = ln.lstrip()
        if s.startswith(("|", "```")) or "](" in s or (s.startswith("#") and _heading(s)):
            return "markdown"
    return "text"


def _heading(s: str) -> bool:
    """`## Title`: hashes then a space; a copied `#FF0000 represents Red.` is no heading."""
    rest = s.lstrip("#")
    return len(s) - len(rest) <= 6 and (not rest or rest[0] in " \t")
