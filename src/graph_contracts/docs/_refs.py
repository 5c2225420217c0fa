"""Reference-style links: `[x][]` in the text, `[x]: ../resources/x.md` at the page's end.
Their targets are only known once the whole page is read."""

from __future__ import annotations

import re

from ._cursor import Cursor
from ._model import Page

_REF_DEF = re.compile(r"^\s{0,3}\[([^\]]+)\]:\s*(\S+)")
_REF_DEFS = re.compile(r"^[ \t]{0,3}\[([^\]]+)\]:[ \t]*(\S+)", re.M)


def definition(cur: Cursor, i: int) -> bool:
    """Line i as a link definition: recorded in `page.refs` (True), or not one (False)."""
    m = _REF_DEF.match(cur.lines[i])
    if m:
        cur.page.refs[m.group(1).lower()] = m.group(2)
    return m is not None


def definitions(text: str) -> dict[str, str]:
    """Every link definition of a page's text, by lowercased label."""
    return {k.lower(): v for k, v in _REF_DEFS.findall(text)}


def resolve_refs(page: Page) -> None:
    """Point the resource and the property types named by reference at their targets."""
    if page.response_resource and (page.response_resource[1] or "").startswith("ref:"):
        name, label = page.response_resource
        page.response_resource = (name, page.refs.get(label[4:].lower()))
    if not page.refs:
        return
    if page.resource_ref and page.resource_link is None:
        page.resource_link = page.refs.get(page.resource_ref.lower())
    for prop in page.properties:
        if prop.type_link and prop.type_link.startswith("ref:"):
            prop.type_link = page.refs.get(prop.type_link[4:].lower())
