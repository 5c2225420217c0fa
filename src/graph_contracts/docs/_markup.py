"""Inline Markdown -> text: the few constructs doc pages use inside cells and sentences.

Every substitution is guarded by a substring test: most text has no markup at all, and a
`str.__contains__` is far cheaper than a regex call that finds nothing.
"""

from __future__ import annotations

import re

LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]*)[^)]*\)")
REF_LINK = re.compile(r"\[\s*\**([^\]]*?)\**\s*\]\[([^\]]*)\]")  # `[x][]`, `[x][label]`
CODE = re.compile(r"`([^`]*)`")
IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_EMPH = re.compile(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1")
_TAG = re.compile(r"<[^>]+>")


def group1(m: re.Match[str]) -> str:
    return m.group(1)


def _group2(m: re.Match[str]) -> str:
    return m.group(2)


def strip_links(text: str) -> str:
    """`[text](target)` -> `text`."""
    return LINK.sub(group1, text) if "](" in text else text


def plain(text: str) -> str:
    """Markdown inline -> text: links, code, emphasis and HTML tags removed."""
    if "](" in text:
        text = LINK.sub(group1, text)
    if "`" in text:
        text = CODE.sub(group1, text)
    if "*" in text or "_" in text:
        text = _EMPH.sub(_group2, text)
    if "<" in text:
        text = _TAG.sub("", text)
    if "&" in text:
        text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return text.strip()
