"""HTTP messages: the request section's path templates, and the examples' requests and
responses (request/status line, headers, optional JSON body)."""

from __future__ import annotations

import json
import re

from ._cursor import Cursor
from ._model import PageError, RawExample

# Linear-time forms on purpose: a lazy `(\S.*?)\s*(?:HTTP/1.1)?\s*$` retries the tail at every
# character of a long URL (20x slower over the corpus, same matches).
REQUEST_LINE = re.compile(
    r"^\s*(PATCH|PUT|POST|GET|DELETE)\s+(\S+(?:\s+(?!HTTP/\d)\S+)*)(?:\s+HTTP/\d(?:\.\d)?)?\s*$"
)
STATUS_LINE = re.compile(r"^\s*HTTP/\d(?:\.\d)?\s+(\d{3})\b")
EXAMPLE_START = frozenset("PGDHpgdh \t")  # first letters of request (PATCH...) and HTTP/ lines
_HEADER_LINE = re.compile(r"^\s*[A-Za-z][\w-]*\s*:\s*\S")
_VERSION_URL = re.compile(r"https?://[^/\s]+/(beta|v1\.0)/")
_BRACED = re.compile(r"\{[^}]*\}")


def template(cur: Cursor, m: re.Match[str], k: int) -> None:
    """A path template of the HTTP request section; PATCH ones win over any other method.

    A target that is not a path (`PATCH ** Entity URI for ... not found`, a generator's error
    left in the docs) keeps the method but is no template: a `not-a-path` defect names its line.
    """
    method, page = m.group(1), cur.page
    if page.method == "PATCH" and method != "PATCH":
        return
    if method == "PATCH" and page.method != "PATCH":
        page.paths.clear()
        page.method = "PATCH"
    elif page.method is None:
        page.method = method
    elif page.method != method:
        return
    target = m.group(2)
    if is_path(target):
        page.paths.append((k + 1, target))
    else:
        why = f"request line is not a path: {method} {target}"
        page.defects.append(("not-a-path", "error", k + 1, why))


def is_path(target: str) -> bool:
    """A request target that can be a path template: it starts like one (`/`, `~/`, `{`, a
    segment or `https:`) and has no space outside `{...}` (`{id | userPrincipalName}` is
    fine)."""
    if not (target[0] in "/~{" or target[0].isalnum()):
        return False
    return " " not in target or " " not in _BRACED.sub("", target)


def text_message(cur: Cursor, i: int) -> int | None:
    """Plain-text pages (no fences): a template or an example starting at line i; the index
    after it, or None when line i starts neither."""
    s = cur.lines[i].strip()
    m = REQUEST_LINE.match(s)
    if m and not cur.in_examples and not m.group(2).startswith("http"):
        template(cur, m, i)
        return i + 1
    m = m or STATUS_LINE.match(s)
    return example(cur, i, len(cur.lines), m) if m else None


def example(cur: Cursor, k: int, end: int, m: re.Match[str]) -> int:
    """An HTTP request/status line (`m`: the caller's match of line k, request or status),
    its headers, and an optional JSON body; returns the index after it."""
    lines = cur.lines
    ex = _start(cur, k, m)
    j = k + 1
    while j < end:
        t = lines[j].strip()
        if t and not (_HEADER_LINE.match(t) and not t.startswith(("{", "["))):
            break
        if not t and _text_example_ends(cur, j, end):
            return j
        j += 1
    if j < end and _starts_body(lines[j]):
        return _body(cur, ex, j, end)
    return j


def _start(cur: Cursor, k: int, m: re.Match[str]) -> RawExample:
    page = cur.page
    if m.re is REQUEST_LINE:
        ex = RawExample("request", k + 1, method=m.group(1), url=m.group(2))
        v = _VERSION_URL.search(m.group(2))
        if v:
            page.versions.append(v.group(1))
    else:
        ex = RawExample("response", k + 1, status=int(m.group(1)))
    page.examples.append(ex)
    return ex


def _text_example_ends(cur: Cursor, j: int, end: int) -> bool:
    """A blank line j ends a plain-text example unless a body or another header follows."""
    lines = cur.lines
    return (
        cur.page.style == "text"
        and j + 1 < end
        and not _starts_body(lines[j + 1])
        and not _HEADER_LINE.match(lines[j + 1].strip())
    )


def _body(cur: Cursor, ex: RawExample, j: int, end: int) -> int:
    """The JSON body from line j: to the block's end (fenced), or to its closing bracket."""
    lines = cur.lines
    if cur.page.style != "text":
        stop = end
        while stop > j and not lines[stop - 1].strip():
            stop -= 1
    else:
        stop = _balanced_end(lines, j, end)
        if stop is None:
            raise PageError(f"truncated: JSON body starting at line {j + 1} never closes")
    text = "\n".join(lines[j:stop])
    ex.body_text, ex.body_line = text, j + 1
    try:
        ex.body = json.loads(text)
    except ValueError:
        ex.body = None
    return stop


def _starts_body(line: str) -> bool:
    return line.lstrip().startswith(("{", "["))


def _balanced_end(lines: list[str], j: int, end: int) -> int | None:
    """Index after the line where the JSON value starting at line j closes (strings respected)."""
    scan = _Depth()
    for k in range(j, end):
        if scan.closes(lines[k]):
            return k + 1
    return None


class _Depth:
    """Bracket depth of JSON text fed line by line; strings (and escapes in them) span lines
    as written, so a body with an unclosed string is found truncated, not cut short."""

    __slots__ = ("depth", "escaped", "in_string")

    def __init__(self) -> None:
        self.depth = 0
        self.in_string = self.escaped = False

    def closes(self, line: str) -> bool:
        """Feed one line; True when the outermost value closes on it."""
        for ch in line:
            if self.in_string:
                self._string_char(ch)
            elif ch == '"':
                self.in_string = True
            elif ch in "{[":
                self.depth += 1
            elif ch in "}]":
                self.depth -= 1
                if self.depth == 0:
                    return True
        return False

    def _string_char(self, ch: str) -> None:
        if self.escaped:
            self.escaped = False
        elif ch == "\\":
            self.escaped = True
        elif ch == '"':
            self.in_string = False
