"""Parse one Graph doc page (text) into a raw `Page`: the facts as written, with line numbers.

Three page styles are told apart by content, never by file name:

* ``frontmatter``: current docs, YAML front matter, ``<!-- { "blockType" ... } -->`` and pipe tables;
* ``markdown``: older docs without front matter ("Prerequisites", scopes in italics, ``<id>``);
* ``text``: the published page copied as plain text: no pipes, links or fences; a table row is
  ``name Type description...`` on one line and section headings are bare lines.

The parser is line based with precompiled regexes (no Markdown library): `extract` runs it over
the whole corpus and must stay within a small factor of a bare regex scan (benchmarks/). Hence:
dispatch on a line's first character before any regex; linked type pages are only sliced by regex
(`parse_type_page`) and their table parsed when a type is actually needed (`fill_table`); table
rows (by line text), table headers, whole permission/header/member tables, type cells and
heading lines are memoized across the pages of one run (beta and v1.0 repeat most of them).
Searching the whole text for fences with a regex was tried and is slower than the line loop.
Interpreting the facts (CSDL types, path normalization, merging) is `extract.py`'s job.
"""

from __future__ import annotations

import codecs
import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*)$")  # closing #s stripped in Python: linear
_FENCES = ("```", "~~~")
_MARKUP_FIRST = frozenset("`~#|<[")
_EXAMPLE_START = frozenset("PGDHpgdh \t")  # first letters of request (PATCH...) and HTTP/ lines
_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]*)[^)]*\)")
_RES_LINK = re.compile(
    r"\[\s*\**([^\]]*?)\**\s*\]\(((?:\.\./resources/|\./|)[^)\s/:#]*\.md)(?:#[^)]*)?\)"
)
_REF_LINK = re.compile(r"\[\s*\**([^\]]*?)\**\s*\]\[([^\]]*)\]")
_SHORTCUT_REF = re.compile(r"\[\s*\**([A-Za-z_][\w.]*)\**\s*\]((?:\s+collection)?)\s*$", re.I)
_REF_DEF = re.compile(r"^\s{0,3}\[([^\]]+)\]:\s*(\S+)")
_REF_DEFS = re.compile(r"^[ \t]{0,3}\[([^\]]+)\]:[ \t]*(\S+)", re.M)
_CODE = re.compile(r"`([^`]*)`")
_EMPH = re.compile(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1")
_TAG = re.compile(r"<[^>]+>")
_TODO = re.compile(r"\*\*\s*TODO\b|\bTODO:", re.I)
_NAMESPACE = re.compile(r"^\s*Namespace:\s*([A-Za-z][\w.]*)")
_VERSION_URL = re.compile(r"https?://[^/\s]+/(beta|v1\.0)/")
_BETA_NOTE = re.compile(r"under the /beta version|\[!INCLUDE \[beta-disclaimer\]", re.I)
# Linear-time forms on purpose: a lazy `(\S.*?)\s*(?:HTTP/1.1)?\s*$` retries the tail at every
# character of a long URL (20x slower over the corpus, same matches).
_REQUEST_LINE = re.compile(
    r"^\s*(PATCH|PUT|POST|GET|DELETE)\s+(\S+(?:\s+(?!HTTP/\d)\S+)*)(?:\s+HTTP/\d(?:\.\d)?)?\s*$"
)
_STATUS_LINE = re.compile(r"^\s*HTTP/\d(?:\.\d)?\s+(\d{3})\b")
_HEADER_LINE = re.compile(r"^\s*[A-Za-z][\w-]*\s*:\s*\S")
_STATUS_TEXT = re.compile(r"`?\b(200|201|202|204)\s+(?:OK|No Content|Accepted|Created)\b", re.I)
_PERM_NAME = re.compile(r"\b[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+)+\b")
_ITALIC_SCOPE = re.compile(r"^\s*\*([A-Z][\w]*(?:\.[\w]+)+)\*\s*$")
_POSSIBLE = re.compile(
    r"(?:possible|allowed|supported|valid)\s+values\s+(?:are|is|include)\s*:?", re.I
)
_TICK_LIST = re.compile(r"^\s*((?:`[^`]*`[\s,]*(?:(?:and|or)\s+)?)+)")
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ODATA_TYPE = re.compile(r'"@odata\.type"\s*:\s*"#?([\w.]+)"')
_FRONT_KEY = re.compile(r"^(title|doc_type|description)\s*:\s*(.*)$")  # quotes: _front_value
_UPDATE_SENTENCE = re.compile(
    r"^Update the properties of (?:(?:an?|the)\s+)?([A-Za-z][\w]*)\s+(?:object|resource|entity)\b"
)
_REPR_SENTENCE = re.compile(
    r"JSON representation (?:of|for) (?:an?|the)\s+([A-Za-z][\w]*)\s+object", re.I
)
_RESP_SENTENCE = re.compile(r"an updated\s+([A-Za-z][\w]*)\s+object", re.I)
_TEXT_HEADINGS = {
    "permissions": "permissions",
    "prerequisites": "permissions",
    "http request": "request",
    "request headers": "headers",
    "request header": "headers",
    "request body": "body",
    "response": "response",
    "example": "examples",
    "examples": "examples",
    "properties": "properties",
    "members": "members",
    "relationships": "relationships",
}


_LIST_SPLIT = re.compile(r"\s*,\s*(?:(?:and|or)\s+)?|\s+(?:and|or)\s+")
_READ_ONLY = re.compile(r"\bread[- ]?only\b", re.I)
_TABLE_SECTIONS = frozenset(("permissions", "headers", "body", "properties", "members"))


class PageError(ValueError):
    """The text is not a usable doc page; the message is the one-line reason."""


@dataclass(slots=True)
class RawProperty:
    """One row of a property table, as written."""

    name: str
    type_text: str
    type_link: str | None
    description: str
    line: int
    enum: list[str] | None = None
    read_only: bool = False


@dataclass(slots=True)
class RawExample:
    kind: str  # "request" | "response"
    line: int
    method: str | None = None
    url: str | None = None
    status: int | None = None
    body: object = None
    body_text: str | None = None
    body_line: int | None = None


@dataclass(slots=True)
class Page:
    """Everything one page says, uninterpreted; line numbers are 1-based."""

    style: str
    doc_type: str = ""
    title: str = ""
    title_line: int = 1
    namespace: str = "microsoft.graph"
    resource: str | None = None
    resource_link: str | None = None
    odata_type: str | None = None
    versions: list[str] = field(default_factory=list)
    beta_note: bool = False
    method: str | None = None
    paths: list[tuple[int, str]] = field(default_factory=list)
    permissions: dict[str, list[str]] = field(default_factory=dict)
    permissions_line: int | None = None
    headers: list[str] = field(default_factory=list)
    properties: list[RawProperty] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    status: int | None = None
    status_line: int | None = None
    examples: list[RawExample] = field(default_factory=list)
    todos: list[tuple[int, str]] = field(default_factory=list)
    refs: dict[str, str] = field(default_factory=dict)
    resource_ref: str | None = None
    resource_strong: bool = False  # resource linked as the object of an "Update ..." sentence
    response_resource: tuple[str, str] | None = None  # (name, link) of "returns an updated [x]"
    # A type page's Properties/Members section, kept unparsed until `fill_table` needs it:
    # (page text, section start and end offsets, "properties" | "members").
    table: tuple[str, int, int, str] | None = None


# --- entry point ------------------------------------------------------------------------------
def decode(data: bytes) -> str:
    """Bytes -> text, or PageError naming why the bytes are not a text page."""
    if not data or data.isspace():
        raise PageError("empty file")
    if data.find(b"\x00", 0, 8192) >= 0:  # no copy of the first 8 KiB
        raise PageError("binary file (NUL bytes), not a doc page")
    try:  # plain "utf-8" is the codec's C fast path; "utf-8-sig" only when there is a BOM
        text = data.decode("utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8")
    except UnicodeDecodeError as exc:
        raise PageError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None
    return text


def detect_style(lines: list[str]) -> str:
    """Tell the three styles apart by what the text contains."""
    first = next((ln for ln in lines if ln.strip()), "")
    if first.strip() == "---":
        return "frontmatter"
    for ln in lines:
        s = ln.lstrip()
        if s.startswith(("|", "```", "#")) or "](" in s:
            return "markdown"
    return "text"


# These start with a literal "\n#" so the regex engine can skip ahead with a fast substring search
# instead of trying every line start: type pages are scanned by the thousand.
_TYPE_SECTION = re.compile(r"\n#{1,4}[ \t]*([Pp]roperties|[Mm]embers)[ \t]*$", re.M)
_NEXT_HEADING = re.compile(r"\n#{1,4}[ \t]")
_H1 = re.compile(r"\n#[ \t]+(.+)$", re.M)
_H1_FIRST = re.compile(r"#[ \t]+(.+)$", re.M)
_NAMESPACE_LINE = re.compile(r"\nNamespace:\s*([A-Za-z][\w.]*)")


def parse_type_page(text: str, cache: dict | None = None) -> Page:
    """Fast path for linked resource/type pages: title, namespace, @odata.type and the first
    Properties or Members table only, found by regex instead of walking every line."""
    if text.lstrip().startswith("---") is False and "|" not in text:
        return parse_page(text, resource_only=True, cache=cache)
    page = Page(style="frontmatter" if text.lstrip().startswith("---") else "markdown")
    m = _H1_FIRST.match(text) or _H1.search(text)
    if m:
        page.title = _plain(m.group(1).rstrip(" \t\r"))
    m = _NAMESPACE_LINE.search(text) if "Namespace:" in text else None
    if m:
        page.namespace = m.group(1)
    at = text.find('"blockType": "resource"')
    if at >= 0:  # the annotation's own @odata.type, never one from a JSON example further on
        end = text.find("-->", at)
        m = _ODATA_TYPE.search(text, at, end if end >= 0 else len(text))
        if m:
            page.odata_type = m.group(1)
    m = _TYPE_SECTION.search(text)
    if m:
        end = _NEXT_HEADING.search(text, m.end())
        stop = end.start() if end else len(text)
        if text.find("|", m.end(), stop) >= 0:  # only offsets: many pages are never filled
            page.table = (text, m.end(), stop, m.group(1).lower())
    return page


_TYPE_CELLS = re.compile(r"\n\|[ \t]*[*`]*(\w+)[*`]*[ \t]*\|([^|\n]*)")  # "\n|": fast prefix scan


def type_cells(page: Page) -> dict[str, str]:
    """{property name: raw type cell} of a type page's table, split cheaply (no descriptions, no
    markup removal): enough to tell whether an update page's table names a property's type
    differently (`type_differs`) before paying for the full parse."""
    if page.table is None:
        return {p.name: p.type_text for p in page.properties}
    out: dict[str, str] = {}
    text, start, end, _ = page.table
    for name, cell in _TYPE_CELLS.findall(text, start, end):
        out.setdefault(name, cell)
    return out


def type_differs(cell: str, type_text: str, memo: dict[str, str] | None = None) -> bool:
    """A raw type cell against a parsed type text; markup is removed only when needed (and
    then memoized in `memo`, when given: the same linked type cells recur across pages)."""
    cell = cell.strip()
    if cell == type_text:
        return False
    if memo is None:
        return _plain(_strip_links(cell)) != type_text
    plain = memo.get(cell)
    if plain is None:
        plain = memo[cell] = _plain(_strip_links(cell))
    return plain != type_text


def fill_table(page: Page, cache: dict | None = None) -> Page:
    """Parse the table `parse_type_page` set aside. Most linked pages are only asked for their
    name; their (often long) tables are parsed the first time a type actually needs them."""
    if page.table is not None:
        text, start, end, section = page.table
        page.table = None
        body = text[start:end]
        parser = _Parser(body.split("\n"), page, True, cache)
        parser.section = section
        parser.heading_seen = True
        # body line 0 is the rest of the heading line itself
        parser.line_offset = text.count("\n", 0, start)
        parser.run(0)
        if "][" in body:  # reference-style links: their definitions sit at the page's end
            refs = {k.lower(): v for k, v in _REF_DEFS.findall(text)}
            if refs:
                page.refs.update(refs)
                _resolve_refs(page)
    return page


def parse_page(text: str, *, resource_only: bool = False, cache: dict | None = None) -> Page:
    """Parse one page; raise PageError when it is truncated or not a Graph doc page at all.

    `resource_only` reads just what a linked type page contributes (name, properties, members),
    skipping examples and unrelated tables: resource pages are read in bulk during extraction.
    `cache` memoizes table rows across the pages of one run (beta and v1.0 pages, and pages of one
    family, repeat most rows verbatim); pass the same dict to every call of a run.
    """
    lines = text.splitlines()
    page = Page(style=detect_style(lines))
    if "TODO" in text:
        page.todos = [
            (i + 1, _plain(ln.strip())[:120])
            for i, ln in enumerate(lines)
            if "TODO" in ln and _TODO.search(ln)
        ]
    start = _front_matter(lines, page) if page.style == "frontmatter" else 0
    _Parser(lines, page, resource_only, cache).run(start)
    _resolve_refs(page)
    _check_recognized(page)
    return page


# --- front matter -------------------------------------------------------------------------------
def _front_matter(lines: list[str], page: Page) -> int:
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
    value = raw.rstrip()
    if value.startswith('"'):
        value = value[1:]
    if value.endswith('"'):
        value = value[:-1]
    return value


def _heading_line(line: str) -> tuple[str, int, str] | None:
    """(text, level, plain text) of a Markdown heading line, or None when it is not one."""
    m = _HEADING.match(line)
    if not m:
        return None
    text = m.group(2).rstrip().rstrip("#").rstrip()
    return text, len(m.group(1)), _plain(text)


# --- the line parser ----------------------------------------------------------------------------
_MISSING = object()


class _Parser:
    """One pass over the lines; the current section decides what a table or a line means."""

    def __init__(
        self,
        lines: list[str],
        page: Page,
        resource_only: bool = False,
        cache: dict | None = None,
    ) -> None:
        cache = cache if cache is not None else {}
        self.heads: dict[tuple[str, str], list[str] | None] = cache.setdefault("heads", {})
        self.rows: dict[tuple[str, ...], tuple | None] = cache.setdefault("rows", {})
        self.perms: dict[str, list[str]] = cache.setdefault("perms", {})
        self.row_lines: dict[str, tuple | None] = cache.setdefault("row_lines", {})
        self.type_cells: dict[str, tuple[str, str | None]] = cache.setdefault("type_cells", {})
        self.headings: dict[str, tuple[str, int, str] | None] = cache.setdefault("headings", {})
        self.tables: dict[tuple[str, ...], list] = cache.setdefault("tables", {})
        self.resource_only = resource_only
        self.line_offset = 0
        self.lines = lines
        self.page = page
        self.section = ""
        self.in_examples = False
        self.heading_seen = False

    def run(self, start: int) -> None:
        if self.page.style != "text":
            self._run_markdown(start)
            return
        lines = self.lines
        i, n = start, len(lines)
        while i < n:
            stripped = lines[i].strip()
            if not stripped:
                i += 1
                continue
            key = _TEXT_HEADINGS.get(stripped.lower())
            if key is not None or not self.heading_seen:
                self._heading(stripped, 2, None, i)
                i += 1
                continue
            if self.section in ("request", "examples") or self.in_examples:
                j = self._maybe_example(i)
                if j is not None:
                    i = j
                    continue
            if self.section in ("permissions", "headers", "body", "properties", "members"):
                j = self._text_table(i)
                if j is not None:
                    i = j
                    continue
            self._prose(stripped, i)
            i += 1

    def _run_markdown(self, start: int) -> None:
        """The markdown styles' loop: dispatch on a line's first character (regexes only when it
        can be markup); example prose is skipped unless it may hold a beta note or namespace."""
        lines, page, prose, headings = self.lines, self.page, self._prose, self.headings
        i, n = start, len(lines)
        while i < n:
            line = lines[i]
            stripped = line.strip()
            if not stripped:
                i += 1
                continue
            first = stripped[0]
            if first in _MARKUP_FIRST:
                if (first == "`" or first == "~") and stripped.startswith(_FENCES):
                    i = self._fence(i)
                    continue
                if first == "#":
                    found = headings.get(line, _MISSING)
                    if found is _MISSING:  # the same headings recur on every page: memoized
                        found = headings[line] = _heading_line(line)
                    if found is not None:
                        self._heading(*found, i)
                        i += 1
                        continue
                if first == "|":
                    i = self._pipe_table(i)
                    continue
                if first == "<" and stripped.startswith("<!--"):
                    i = self._comment(i)
                    continue
                if first == "[" and "]:" in stripped:
                    m = _REF_DEF.match(line)
                    if m:
                        page.refs[m.group(1).lower()] = m.group(2)
                        i += 1
                        continue
            elif (
                self.section == "examples"
                and "eta" not in stripped
                and "ETA" not in stripped
                and first != "N"
            ):
                i += 1  # what _prose would conclude for example prose, without the call
                continue
            prose(stripped, i)
            i += 1

    # headings
    def _heading(self, text: str, level: int, plain: str | None, i: int) -> None:
        if "](#tab/" in text:  # `# [C#](#tab/csharp)`: SDK tab headings never change section
            return
        page = self.page
        plain = _plain(text) if plain is None else plain
        if not self.heading_seen and level <= 2 and not text.startswith("["):
            self.heading_seen = True
            if level == 1 or page.style == "text" or not page.title:
                page.title, page.title_line = plain, i + 1
                return
        key = _TEXT_HEADINGS.get(plain.lower().rstrip(":"))
        if key is None:
            low = plain.lower()
            if low.startswith("example") or (
                low.startswith(("request", "response")) and self.in_examples
            ):
                key = "examples"
            elif low.startswith("response"):
                key = "response"
        if key is None:
            if text.startswith("[") or (level >= 3 and self.in_examples):
                return
            self.section = "other"
            return
        if key == "examples" or (self.in_examples and key in ("response", "request")):
            self.in_examples = True
            self.section = "examples"
            return
        self.section = key

    # fenced blocks (markdown styles)
    def _fence(self, i: int) -> int:
        lines = self.lines
        j = n = len(lines)
        for k, ln in enumerate(lines[i + 1 :], i + 1):
            # One-character tests first (memchr): no strip() copy for the common code line.
            if ("`" in ln or "~" in ln) and ln.lstrip().startswith(_FENCES):
                j = k
                break
        if j >= n:
            raise PageError(f"truncated: code block opened at line {i + 1} is never closed")
        if not self.resource_only:
            self._block(i + 1, j)
        return j + 1

    def _block(self, begin: int, end: int) -> None:
        """The inside of a code block: HTTP request templates, or an example."""
        page, lines = self.page, self.lines
        k = begin
        while k < end:
            s = lines[k].strip()
            if not s:
                k += 1
                continue
            if self.section == "request" and not self.in_examples:
                m = _REQUEST_LINE.match(s)
                if m:
                    self._template(m, k)
                k += 1
                continue
            m = (
                (_REQUEST_LINE.match(s) or _STATUS_LINE.match(s))
                if s[0] in _EXAMPLE_START
                else None
            )
            if m:
                k = self._example(k, end, m)
                continue
            if s.startswith("{") and page.doc_type.startswith("resource"):
                self._resource_json(k, end)
                return
            k += 1

    def _template(self, m: re.Match[str], k: int) -> None:
        """A path template of the HTTP request section; PATCH ones win over any other method."""
        method, page = m.group(1), self.page
        if page.method == "PATCH" and method != "PATCH":
            return
        if method == "PATCH" and page.method != "PATCH":
            page.paths.clear()
            page.method = "PATCH"
        elif page.method is None:
            page.method = method
        elif page.method != method:
            return
        page.paths.append((k + 1, m.group(2)))

    def _resource_json(self, k: int, end: int) -> None:
        for ln in self.lines[k:end]:
            m = _ODATA_TYPE.search(ln)
            if m and not self.page.odata_type:
                self.page.odata_type = m.group(1)

    def _comment(self, i: int) -> int:
        lines = self.lines
        j = i
        while j < len(lines) and "-->" not in lines[j]:
            j += 1
        chunk = "\n".join(lines[i : j + 1])
        if '"blockType": "resource"' in chunk or '"blockType":"resource"' in chunk:
            m = _ODATA_TYPE.search(chunk)
            if m:
                self.page.odata_type = m.group(1)
        return j + 1

    # examples
    def _maybe_example(self, i: int) -> int | None:
        s = self.lines[i].strip()
        m = _REQUEST_LINE.match(s)
        if m and not self.in_examples and not m.group(2).startswith("http"):
            self._template(m, i)
            return i + 1
        m = m or _STATUS_LINE.match(s)
        return self._example(i, len(self.lines), m) if m else None

    def _example(self, k: int, end: int, m: re.Match[str]) -> int:
        """An HTTP request/status line (`m`: the caller's match of line k, request or status),
        its headers, and an optional JSON body."""
        lines, page = self.lines, self.page
        if m.re is _REQUEST_LINE:
            ex = RawExample("request", k + 1, method=m.group(1), url=m.group(2))
            v = _VERSION_URL.search(m.group(2))
            if v:
                page.versions.append(v.group(1))
        else:
            ex = RawExample("response", k + 1, status=int(m.group(1)))
        page.examples.append(ex)
        j = k + 1
        while j < end:
            t = lines[j].strip()
            if not t or (_HEADER_LINE.match(t) and not t.startswith(("{", "["))):
                if (
                    not t
                    and page.style == "text"
                    and j + 1 < end
                    and not _starts_body(lines[j + 1])
                ) and not _HEADER_LINE.match(lines[j + 1].strip()):
                    return j
                j += 1
                continue
            break
        if j < end and _starts_body(lines[j]):
            return self._body(ex, j, end)
        return j

    def _body(self, ex: RawExample, j: int, end: int) -> int:
        lines = self.lines
        if self.page.style != "text":
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

    # tables
    def _pipe_table(self, i: int) -> int:
        """A pipe table from line i: its extent, then its rows handed to `_table` by index.

        Rows are memoized by their line text (property rows) or the table by its lines
        (permission, header, member tables): beta and v1.0 pages repeat them verbatim, and a
        memo hit then costs one dict lookup per row instead of a split and a parse.
        """
        lines = self.lines
        j, n = i + 1, len(lines)
        while j < n:
            ln = lines[j]
            if not (ln.startswith("|") or ln.lstrip().startswith("|")):
                break
            j += 1
        if self.section not in _TABLE_SECTIONS and "ermission" not in lines[i]:
            return j  # Methods, Relationships...: not worth splitting
        if self.resource_only and self.section not in ("properties", "members"):
            return j
        if j - i >= 2:
            key = (lines[i], lines[i + 1])
            header = self.heads.get(key, _MISSING)
            if header is _MISSING:  # the same few header rows recur on every page
                header = self.heads[key] = _table_header(*key)
            if header is not None:
                self._table(header, i + 2, j, i + self.line_offset + 1)
        return j

    def _table(self, header: list[str], begin: int, end: int, line: int) -> None:
        """Rows `begin:end` of a table whose header row is at `line` (1-based)."""
        first = _plain(header[0]).lower() if header else ""
        sec, page = self.section, self.page
        if "permission" in first:
            entries = self._table_memo("permissions", begin, end, self._permission_entries)
            self._add_permissions(entries, line)
        elif sec == "headers":
            self._add_headers(self._table_memo("headers", begin, end, _required_headers))
        elif first == "member" or sec == "members":
            page.members.extend(self._table_memo("members", begin, end, _member_names))
        elif sec in ("body", "properties") and len(header) >= 2 and "type" in header[1]:
            if page.properties and sec == "properties":
                return
            self._property_rows(begin, end)

    def _table_memo(self, kind: str, begin: int, end: int, parse: Callable[[list], list]) -> list:
        """`parse(cells of each row)` for a whole small table, memoized by its lines."""
        memo = self.tables
        key = (kind, *self.lines[begin:end])
        found = memo.get(key)
        if found is None:
            found = memo[key] = parse([_cells(ln) for ln in self.lines[begin:end]])
        return found

    def _property_rows(self, begin: int, end: int) -> None:
        """RawProperty per row; each row's parse is memoized by the line's text."""
        memo, lines, offset = self.row_lines, self.lines, self.line_offset + 1
        append = self.page.properties.append
        for k in range(begin, end):
            line = lines[k]
            row = memo.get(line, _MISSING)
            if row is _MISSING:
                row = memo[line] = _line_property(line, self.type_cells)
            if row is not None:
                name, type_text, link, description, enum, read_only = row
                enum = list(enum) if enum else None
                append(RawProperty(name, type_text, link, description, k + offset, enum, read_only))

    def _permission_entries(self, rows: list[tuple[str, ...]]) -> list[tuple[str, list[str]]]:
        """(kind, permission names) of each usable row: rows of unknown kind or TODOs dropped."""
        out = []
        for c in rows:
            kind = _permission_kind(c[0])
            if kind is None:
                continue
            value = c[1] if len(c) > 1 else ""
            if ("ODO" in value or "odo" in value) and _TODO.search(value):
                continue
            names = self.perms.get(value)
            if names is None:
                names = self.perms[value] = [
                    n for n in _PERM_NAME.findall(_strip_links(value)) if not n.endswith(".md")
                ]
            out.append((kind, names))
        return out

    def _add_permissions(self, entries: list[tuple[str, list[str]]], line: int) -> None:
        page = self.page
        page.permissions_line = page.permissions_line or line
        for kind, names in entries:
            bucket = page.permissions.setdefault(kind, [])
            for n in names:
                if n not in bucket:
                    bucket.append(n)

    def _add_headers(self, names: list[str]) -> None:
        for name in names:
            if name not in self.page.headers:
                self.page.headers.append(name)

    def _property(self, line: int, name: str, type_cell: str, desc: str) -> None:
        key = (name, type_cell, desc)
        row = self.rows.get(key, _MISSING)
        if row is _MISSING:
            row = self.rows[key] = _property_row(name, type_cell, desc, self.type_cells)
        if row is not None:
            name, type_text, link, description, enum, read_only = row
            self.page.properties.append(
                RawProperty(
                    name,
                    type_text,
                    link,
                    description,
                    line,
                    list(enum) if enum else None,
                    read_only,
                )
            )

    def _text_table(self, i: int) -> int | None:
        """Plain-text tables: `name Type description...` rows, one per line."""
        lines, sec = self.lines, self.section
        s = lines[i].strip()
        low = s.lower()
        if sec == "permissions":
            if low.startswith("permission type"):
                self.page.permissions_line = i + 1
                return i + 1
            kind = _permission_kind(s)
            if kind is None:
                return None
            value = s[len(_KIND_PREFIX[kind]) :] if s.startswith(_KIND_PREFIX[kind]) else s
            self._add_permissions(self._permission_entries([(_KIND_PREFIX[kind], value)]), i + 1)
            return i + 1
        if sec == "headers":
            if low.startswith(("header value", "name description", "header description")):
                return i + 1
            parts = s.split(None, 1)
            if len(parts) == 2 and _HEADER_NAME.match(parts[0]):
                self._add_headers(_required_headers([(parts[0], parts[1])]))
                return i + 1
            return None
        if low.startswith(("property type", "name type", "member value", "member description")):
            j = i + 1
            while j < len(lines) and lines[j].strip():
                row = lines[j].strip()
                if low.startswith("member"):
                    self.page.members.append(row.split()[0])
                else:
                    self._text_row(j, row)
                j += 1
            return j
        return None

    def _text_row(self, j: int, row: str) -> None:
        parts = row.split()
        if len(parts) < 2:
            return
        name, type_words, rest = parts[0], [parts[1]], parts[2:]
        if rest and rest[0].lower() == "collection":
            type_words.append(rest.pop(0))
        self._property(j + 1, name, " ".join(type_words), " ".join(rest))

    # prose
    def _prose(self, s: str, i: int) -> None:
        page = self.page
        if page.namespace == "microsoft.graph" and s.startswith("Namespace"):
            m = _NAMESPACE.match(s)
            if m:
                page.namespace = m.group(1)
                return
        if not page.beta_note and ("eta" in s or "ETA" in s) and _BETA_NOTE.search(s):
            page.beta_note = True
        sec = self.section
        if sec == "examples":
            return  # example prose ("The following is an example...") carries no facts
        if sec == "permissions" and page.style == "markdown":
            m = _ITALIC_SCOPE.match(s)
            if m:
                page.permissions_line = page.permissions_line or i + 1
                perms = page.permissions.setdefault("delegated_work", [])
                if m.group(1) not in perms:
                    perms.append(m.group(1))
                return
        if sec == "response" and page.status is None:
            m = _STATUS_TEXT.search(s)
            if m:
                page.status, page.status_line = int(m.group(1)), i + 1
        if page.resource is None or page.resource_link is None:
            self._resource_sentence(s, i)
        if sec == "response" and page.response_resource is None and "](" in s:
            m = _RES_LINK.search(s)
            if m and _IDENT.match(_plain(m.group(1)).strip()):
                page.response_resource = (_plain(m.group(1)).strip(), m.group(2))

    def _resource_sentence(self, s: str, i: int) -> None:
        """The resource type: a link to a resource page, or the name in a known sentence."""
        page = self.page
        if self.section in ("", "body", "response", "other", "request"):
            m = _RES_LINK.search(s) if "](" in s else None
            if m and (self.section != "other" or "update" in s.lower()):
                name = _plain(m.group(1)).strip()
                if not _IDENT.match(name) and m.group(2).startswith("../resources/"):
                    name = m.group(2)[13:-3]  # "a [print job](../resources/printjob.md)"
                if _IDENT.match(name) and page.resource_link is None:
                    page.resource, page.resource_link = name, m.group(2)
                    # "Update [the properties of] a [x](...)": the object of the update itself
                    page.resource_strong = s.startswith("Update") and ". " not in s[: m.start()]
                    return
            if page.resource_ref is None and "][" in s:
                r = _REF_LINK.search(s)
                name = _plain(r.group(1)).strip() if r else ""
                if r and _IDENT.match(name) and (self.section != "other" or "update" in s.lower()):
                    page.resource = name
                    page.resource_ref = r.group(2) or r.group(1)
                    return
            if page.resource is None and ("pdate" in s or "epresentation" in s):
                plain = _strip_links(s)
                for rx in (_UPDATE_SENTENCE, _REPR_SENTENCE, _RESP_SENTENCE):
                    m = rx.search(plain)
                    if m:
                        page.resource = m.group(1)
                        return


def _table_header(header: str, separator: str) -> list[str] | None:
    """The lowercased header cells of a table, or None when the second row is no separator."""
    if set("".join(_cells(separator))) <= _SEPARATOR_CHARS:
        return [c.lower() for c in _cells(header)]
    return None


def _line_property(line: str, types: dict) -> tuple | None:
    """`_property_row` of a pipe-table line; None when it has fewer than two cells."""
    c = _cells(line)
    return _property_row(c[0], c[1], " | ".join(c[2:]), types) if len(c) >= 2 else None


def _required_headers(rows: list[tuple[str, ...]]) -> list[str]:
    """Names of the request headers whose description says "required" (not "optional")."""
    out = []
    for c in rows:
        name, desc = _plain(c[0]), " ".join(c[1:])
        if name and _REQUIRED.search(desc) and "optional" not in desc.lower():
            out.append(name)
    return out


def _member_names(rows: list[tuple[str, ...]]) -> list[str]:
    return [name for name in (_plain(c[0]) for c in rows) if name]


def _property_row(name: str, type_cell: str, desc: str, types: dict) -> tuple | None:
    """(name, type text, type link, description, enum, read-only) of one table row, or None when
    the row is not a property (a header row, a blank name). `types` memoizes `_type_cell` for
    the run: a thousand distinct type cells recur across seven thousand distinct rows."""
    name = _plain(name).strip()
    if not name or " " in name or name.lower() in ("property", "name"):
        return None
    found = types.get(type_cell)
    if found is None:
        found = types[type_cell] = _type_cell(type_cell)
    type_text, link = found
    description = _plain(_strip_links(desc))
    enum = possible_values(desc)
    read_only = "ead" in desc and bool(_READ_ONLY.search(desc))
    return name, type_text, link, description, enum, read_only


def _type_cell(type_cell: str) -> tuple[str, str | None]:
    """(type text, type link) of a table's type cell; reference links give "ref:<label>"."""
    link = None
    m = _LINK.search(type_cell) if "](" in type_cell else None  # the pattern needs "]("
    if m:
        link = m.group(2)
    elif "][" in type_cell:
        r = _REF_LINK.search(type_cell)
        if r:
            link = "ref:" + (r.group(2) or r.group(1))
            type_cell = _REF_LINK.sub(_group1, type_cell)
    elif type_cell.startswith("["):
        r = _SHORTCUT_REF.match(type_cell)
        if r:  # `[physicalAddress]` or `[part] collection`: a shortcut reference link
            link = "ref:" + r.group(1)
            type_cell = r.group(1) + r.group(2)
    return _plain(_strip_links(type_cell)), link


_KIND_PREFIX = {
    "delegated_work": "Delegated (work or school account)",
    "delegated_personal": "Delegated (personal Microsoft account)",
    "application": "Application",
}
_HEADER_NAME = re.compile(r"^[A-Z][A-Za-z]*(?:-[A-Za-z]+)*$")


@functools.lru_cache(maxsize=256)
def _permission_kind(text: str) -> str | None:
    """Memoized: a handful of spellings recur on every page (pure function of the text)."""
    low = _plain(text).lower()
    if low.startswith("delegated"):
        return "delegated_personal" if "personal" in low else "delegated_work"
    if low.startswith("application"):
        return "application"
    return None


def possible_values(desc: str) -> list[str] | None:
    """Enum members listed as "Possible values are: `a`, `b`" (backticks or bare words)."""
    m = None
    at = desc.find("alues")
    while at >= 0 and m is None:  # the regex only around each "values": no scan of long text
        m = _POSSIBLE.search(desc, max(0, at - 12), at + 20)
        at = desc.find("alues", at + 5)
    if not m:
        return None
    rest = desc[m.end() :]
    ticks = _TICK_LIST.match(rest)
    if ticks:
        values = _CODE.findall(ticks.group(1))
    else:
        sentence = _SENTENCE_END.split(rest.strip(), maxsplit=1)[0]
        values = [v.strip() for v in _LIST_SPLIT.split(sentence)]
    values = [v.strip("'\"*") for v in values if v]
    out: list[str] = []
    for v in values:
        if not (v.isascii() and v.isidentifier()):  # == _IDENT, without a regex call
            break
        if v not in out:
            out.append(v)
    return out or None


def _starts_body(line: str) -> bool:
    return line.lstrip().startswith(("{", "["))


def _balanced_end(lines: list[str], j: int, end: int) -> int | None:
    """Index after the line where the JSON value starting at line j closes (strings respected)."""
    depth = 0
    in_str = esc = False
    for k in range(j, end):
        for ch in lines[k]:
            if in_str:
                if esc:
                    esc = False
                elif ch == "\\":
                    esc = True
                elif ch == '"':
                    in_str = False
            elif ch == '"':
                in_str = True
            elif ch in "{[":
                depth += 1
            elif ch in "}]":
                depth -= 1
                if depth == 0:
                    return k + 1
    return None


_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_SEPARATOR_CHARS = frozenset(":- ")  # what a header separator row's cells are made of
_SENTENCE_END = re.compile(r"\.(?:\s|$)")
_REQUIRED = re.compile(r"\brequired\b", re.I)


def _group1(m: re.Match[str]) -> str:
    return m.group(1)


def _group2(m: re.Match[str]) -> str:
    return m.group(2)


def _cells(line: str) -> tuple[str, ...]:
    """The stripped cells of a pipe-table row; the outer pipes are optional, `\\|` is no pipe.
    The outer pipes are dropped from the split parts, not sliced off: no copies of the line."""
    s = line.strip()
    parts = _CELL_SPLIT.split(s) if "\\|" in s else s.split("|")
    if s.startswith("|"):
        del parts[0]
    if len(s) > 1 and s.endswith("|") and not s.endswith("\\|"):  # "|" alone: one pipe only
        del parts[-1]
    return tuple(map(str.strip, parts))


def _strip_links(text: str) -> str:
    return _LINK.sub(_group1, text) if "](" in text else text


def _plain(text: str) -> str:
    """Markdown inline -> text: links, code, emphasis and HTML tags removed."""
    if "](" in text:
        text = _LINK.sub(_group1, text)
    if "`" in text:
        text = _CODE.sub(_group1, text)
    if "*" in text or "_" in text:
        text = _EMPH.sub(_group2, text)
    if "<" in text:
        text = _TAG.sub("", text)
    if "&" in text:
        text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return text.strip()


def _resolve_refs(page: Page) -> None:
    """Reference-style links (`[x][]` + `[x]: ../resources/x.md`) resolve once the page is read."""
    if not page.refs:
        return
    if page.resource_ref and page.resource_link is None:
        page.resource_link = page.refs.get(page.resource_ref.lower())
    for prop in page.properties:
        if prop.type_link and prop.type_link.startswith("ref:"):
            prop.type_link = page.refs.get(prop.type_link[4:].lower())


def _check_recognized(page: Page) -> None:
    """A page must be an update page, a resource/enum page, or it is not a Graph doc page."""
    if page.paths or page.properties or page.members or page.odata_type:
        return
    if page.doc_type in ("resourcePageType", "enumPageType", "complexTypePageType"):
        return
    raise PageError("unrecognizable: no HTTP request, property table or members table found")
