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
_STAR_EMPH = re.compile(r"(\*\*|\*)(?=\S)(.+?)(?<=\S)\1")
# CommonMark: `_` opens or closes emphasis only at a word's edge, so `v4_0_3` and
# `sha_256_128` are names (an Intune enum, a boolean property), not `v4` + emphasis.
_UNDERSCORE_EMPH = re.compile(r"(?<![A-Za-z0-9_])(__|_)(?=\S)(.+?)(?<=\S)\1(?![A-Za-z0-9_])")
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
    if "*" in text:
        text = _STAR_EMPH.sub(_group2, text)
    if "_" in text:
        text = _UNDERSCORE_EMPH.sub(_group2, text)
    if "<" in text:
        text = _TAG.sub("", text)
    if "&" in text:
        text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return text.strip()
