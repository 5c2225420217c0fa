"""Sentences: the namespace, the beta note, the success status, and the resource the page
updates (a linked type, a reference link, or a name in a known sentence)."""

from __future__ import annotations

import re

from ._cursor import Cursor
from ._markup import IDENT, REF_LINK, plain, strip_links
from ._model import Page
from ._permissions import italic_scope

_NAMESPACE = re.compile(r"^\s*Namespace:\s*([A-Za-z][\w.]*)")
_BETA_NOTE = re.compile(r"under the /beta version|\[!INCLUDE \[beta-disclaimer\]", re.I)
_STATUS_TEXT = re.compile(r"`?\b(200|201|202|204)\s+(?:OK|No Content|Accepted|Created)\b", re.I)
_RES_LINK = re.compile(
    r"\[\s*\**([^\]]*?)\**\s*\]\(((?:\.\./resources/|\./|)[^)\s/:#]*\.md)(?:#[^)]*)?\)"
)
_UPDATE_SENTENCE = re.compile(
    r"^Update the properties of (?:(?:an?|the)\s+)?([A-Za-z][\w]*)\s+(?:object|resource|entity)\b"
)
_REPR_SENTENCE = re.compile(
    r"JSON representation (?:of|for) (?:an?|the)\s+([A-Za-z][\w]*)\s+object", re.I
)
_RESP_SENTENCE = re.compile(r"an updated\s+([A-Za-z][\w]*)\s+object", re.I)
# "returns a 200 OK response code and [an] updated x object": the name, when no link gives it
_UPDATED_OBJECT = re.compile(r"\bupdated\s+([A-Za-z][\w.]*)\s+(?:object|resource|entity)\b", re.I)
_TITLE_NAME = re.compile(r"^Update\s+([A-Za-z][\w]*)\s*$")
_RESOURCE_SECTIONS = frozenset(("", "body", "response", "other", "request"))


def prose(cur: Cursor, s: str, i: int) -> None:
    """One stripped line of prose (line i): whatever fact it states, by section."""
    page = cur.page
    if page.namespace == "microsoft.graph" and s.startswith("Namespace") and _namespace(page, s):
        return
    if not page.beta_note and ("eta" in s or "ETA" in s) and _BETA_NOTE.search(s):
        page.beta_note = True
    sec = cur.section
    if sec == "examples":
        return  # example prose ("The following is an example...") carries no facts
    if sec == "permissions" and page.style == "markdown" and italic_scope(cur, s, i):
        return
    if page.style == "text":
        s = _with_next_line(cur, s, i)
    if sec == "response":
        _response(page, s, i)
    if (page.resource is None or page.resource_link is None) and sec in _RESOURCE_SECTIONS:
        _resource_sentence(cur, s)


def _with_next_line(cur: Cursor, s: str, i: int) -> str:
    """A copied page wraps long sentences: line i with the next one, when that goes on with the
    same paragraph, so "returns ... an updated" / "WorkbookChart object" is still one sentence."""
    lines = cur.lines
    nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
    return f"{s} {nxt}" if nxt and not s.endswith((".", ":")) else s


def _namespace(page: Page, s: str) -> bool:
    m = _NAMESPACE.match(s)
    if m:
        page.namespace = m.group(1)
    return m is not None


def _response(page: Page, s: str, i: int) -> None:
    """The success status ("200 OK") and the linked type of "returns an updated [x]"."""
    if page.status is None:
        m = _STATUS_TEXT.search(s)
        if m:
            page.status, page.status_line = int(m.group(1)), i + 1
    if page.response_resource is None and "](" in s:
        m = _RES_LINK.search(s)
        if m and IDENT.match(plain(m.group(1)).strip()):
            page.response_resource = (plain(m.group(1)).strip(), m.group(2))
    if page.response_resource is None and "][" in s:
        r = REF_LINK.search(s)  # "returns a [driveItem][] resource": resolved with the page
        if r and IDENT.match(plain(r.group(1)).strip()):
            page.response_resource = (
                plain(r.group(1)).strip(),
                "ref:" + (r.group(2) or r.group(1)),
            )
    elif page.response_resource is None and page.style == "text" and "pdated" in s:
        m = _UPDATED_OBJECT.search(s)
        if m:  # links are gone from copied pages: the name alone, its page guessed by name
            page.response_resource = (m.group(1), None)


def _resource_sentence(cur: Cursor, s: str) -> None:
    """The resource type: a link to a resource page, or the name in a known sentence."""
    page = cur.page
    if "](" in s and _linked(cur, s):
        return
    if page.resource_ref is None and "][" in s and _referenced(cur, s):
        return
    if page.resource is None and ("pdate" in s or "epresentation" in s):
        _named(page, s)


def _relevant(cur: Cursor, s: str) -> bool:
    """Under an unknown heading ("other") only a sentence that says "update" names the resource."""
    return cur.section != "other" or "update" in s.lower()


def _linked(cur: Cursor, s: str) -> bool:
    """`[x](../resources/x.md)`; a link text that is no name is named by its page."""
    m = _titled(cur.page, list(_RES_LINK.finditer(s)), _link_stem)
    if not (m and _relevant(cur, s)):
        return False
    page = cur.page
    name = plain(m.group(1)).strip()
    if not IDENT.match(name) and m.group(2).startswith("../resources/"):
        name = m.group(2)[13:-3]  # "a [print job](../resources/printjob.md)"
    if not IDENT.match(name) or page.resource_link is not None:
        return False
    page.resource, page.resource_link = name, m.group(2)
    # "Update [the properties of] a [x](...)": the object of the update itself
    page.resource_strong = s.startswith("Update") and ". " not in s[: m.start()]
    return True


def _referenced(cur: Cursor, s: str) -> bool:
    """`[x][]` or `[x][label]`: resolved once the page's link definitions are read."""
    r = _titled(cur.page, list(REF_LINK.finditer(s)), _ref_label)
    if not r:
        return False
    name = plain(r.group(1)).strip()
    label = r.group(2) or r.group(1)
    if _TITLE_NAME.match(cur.page.title) and label.lower() == _title_name(cur.page):
        name = label  # "Update a [site][], [list][] or [column][columnDefinition]"
    if not (IDENT.match(name) and _relevant(cur, s)):
        return False
    cur.page.resource = name
    cur.page.resource_ref = label
    return True


def _titled(page: Page, matches: list[re.Match[str]], target) -> re.Match[str] | None:
    """Of a sentence's links, the one the title `Update x` names (by its text or its target:
    "Update a [site][], [list][] or [column][columnDefinition]" updates the column), else the
    first."""
    if len(matches) > 1:
        want = _title_name(page)
        for m in matches:
            if want and want in (plain(m.group(1)).strip().lower(), target(m)):
                return m
    return matches[0] if matches else None


def _title_name(page: Page) -> str | None:
    m = _TITLE_NAME.match(page.title)
    return m.group(1).lower() if m else None


def _link_stem(m: re.Match[str]) -> str:
    return m.group(2).rsplit("/", 1)[-1].removesuffix(".md").lower()


def _ref_label(m: re.Match[str]) -> str:
    return (m.group(2) or m.group(1)).lower()


def _named(page: Page, s: str) -> None:
    """ "Update the properties of a x object", "JSON representation of a x object"..."""
    text = strip_links(s)
    for rx in (_UPDATE_SENTENCE, _REPR_SENTENCE, _RESP_SENTENCE):
        m = rx.search(text)
        if m:
            page.resource = m.group(1)
            return
