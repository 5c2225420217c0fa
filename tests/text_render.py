"""Corpus markdown -> the plain text a reader gets by copying the published page (seed 004).

What the published site shows, as text: no front matter, HTML comments, fences (code kept as bare
lines), pipes (a table row is its cells joined by spaces, the header row kept, the separator row
gone), link targets (link text only), emphasis or inline-code ticks; headings are bare lines,
`[!INCLUDE]`/`[!div]` lines and `<br/>` are gone, list and quote markers too. `width` wraps long
lines outside code at word boundaries, as copying a narrow browser window does.

Deterministic: the same markdown gives the same text. A test helper, not a product feature.
"""

from __future__ import annotations

import html
import re
import textwrap

_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{1,}:?\s*)*\|?\s*$")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_REF_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+")
_DIRECTIVE = re.compile(r"^\s*>?\s*\[!(INCLUDE|div)\b", re.I)
_ALERT = re.compile(r"^\[!(NOTE|IMPORTANT|TIP|CAUTION|WARNING)\]\s*", re.I)
_LIST = re.compile(r"^\s*(?:[-*+]|\d+\.)\s+")
_QUOTE = re.compile(r"^\s*(?:>\s?)+")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_REF_LINK = re.compile(r"\[([^\]]*)\]\[[^\]]*\]")
_SHORTCUT = re.compile(r"\[([^\]\[]+)\](?![(\[:])")  # `[physicalAddress]`: a shortcut reference
_CODE = re.compile(r"(`+)(.*?)\1")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_STAR = re.compile(r"\*(?=\S)(.+?)(?<=\S)\*")
_UNDERSCORE = re.compile(r"(?<![\w\\])_(?=\S)(.+?)(?<=\S)_(?!\w)")
_BR = re.compile(r"</?br\s*/?>|</?(?:ul|ol|li|p|div)\b[^>]*>", re.I)  # a browser breaks there
_TAG = re.compile(r"</?(?:a|b|i|em|strong|code|sup|sub|p|span|ul|ol|li|br|div)\b[^>]*>", re.I)
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>])")
_SPACES = re.compile(r"[ \t]+")


def render(markdown: str, width: int | None = None) -> str:
    """The plain text of one markdown page; `width` wraps long non-code lines.

    Blocks are separated by a blank line, as a browser copies them; a paragraph's source lines
    are joined into one line, each table row and list item stays a line of its own.
    """
    lines = _drop_comments(_drop_front_matter(markdown)).splitlines()
    out: list[str] = []
    in_code = False
    kind = ""  # the block the previous line belonged to
    for line in lines:
        if _FENCE.match(line):
            in_code = not in_code
            out.append("")
            kind = ""
            continue
        if in_code:
            out.append(_CODE_MARK + line.rstrip())  # never wrapped: browsers scroll code
            continue
        text, now = _text_line(line)
        if not text:
            if now == "blank":
                out.append("")
                kind = ""
            continue
        if now == "para" and kind == "para" and out and out[-1]:
            out[-1] += " " + text
        else:
            if now != kind:
                out.append("")
            out.append(text)
        kind = now if now != "heading" else ""
    return _squeeze("\n".join(w for ln in out for w in _wrap(ln, width))) + "\n"


_CODE_MARK = "\0"


def _drop_front_matter(text: str) -> str:
    if not text.lstrip().startswith("---"):
        return text
    start = text.index("---")
    end = text.find("\n---", start + 3)
    return text if end < 0 else text[text.find("\n", end + 1) + 1 :]


def _drop_comments(text: str) -> str:
    """Every `<!-- ... -->`, multi-line ones too (annotations, uuids, page annotations)."""
    out, at = [], 0
    while (start := text.find("<!--", at)) >= 0:
        end = text.find("-->", start)
        out.append(text[at:start])
        if end < 0:
            return "".join(out)
        at = end + 3
    out.append(text[at:])
    return "".join(out)


def _text_line(line: str) -> tuple[str, str]:
    """One markdown line outside code -> (its text, its block kind); "" when it shows nothing."""
    s = line.strip()
    if not s:
        return "", "blank"
    if s == "---" or _DIRECTIVE.match(s) or _REF_DEF.match(s):
        return "", "gone"
    if _SEPARATOR.match(s) and "-" in s:
        return "", "gone"
    if s.startswith("|") or (s.endswith("|") and "|" in s[:-1]):
        return " ".join(c for c in map(inline, _cells(s)) if c), "table"
    m = _HEADING.match(s)
    if m:
        return inline(m.group(1)), "heading"
    s = _QUOTE.sub("", s)
    s = _ALERT.sub(lambda a: a.group(1).capitalize() + ": ", s)
    if _LIST.match(s):
        return inline(_LIST.sub("", s)), "list"
    return inline(s), "para"


def _cells(s: str) -> list[str]:
    parts = _CELL_SPLIT.split(s)
    if s.startswith("|"):
        parts = parts[1:]
    if s.endswith("|") and not s.endswith("\\|"):
        parts = parts[:-1]
    return parts


def inline(text: str) -> str:
    """Inline markdown -> the text a browser shows: links' text, no ticks, no emphasis."""
    text = _BR.sub(" ", text)
    pieces = _CODE.split(text)  # code spans keep their `*` and `_`: [text, ticks, code, ...]
    out = []
    for k in range(0, len(pieces), 3):
        out.append(_prose(pieces[k]))
        if k + 2 < len(pieces):
            out.append(pieces[k + 2].strip())
    return _SPACES.sub(" ", html.unescape("".join(out))).strip()


def _prose(text: str) -> str:
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _REF_LINK.sub(r"\1", text)
    text = _SHORTCUT.sub(r"\1", text)
    text = _TAG.sub("", text)
    for rx in (_STRONG, _STAR, _UNDERSCORE):
        text = rx.sub(lambda m: m.group(m.lastindex), text)
    return _ESCAPE.sub(r"\1", text)


def _wrap(line: str, width: int | None) -> list[str]:
    if line.startswith(_CODE_MARK):
        return [line[1:]]
    if width is None or len(line) <= width:
        return [line]
    return textwrap.wrap(line, width, break_long_words=False, break_on_hyphens=False)


def _squeeze(text: str) -> str:
    """At most one blank line in a row, none at the start."""
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")
