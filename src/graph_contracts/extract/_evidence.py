"""The resource an update page names by its own evidence, when no resource page is at hand (a
page copied or checked out alone; `_resource` asks only then).

Each piece of evidence supports a name or two: the description's link (its text and the file it
points to, named for its type: `[tab](../resources/teamstab.md)`), the title `Update x`, the
response sentence's link, the response and request examples' annotated `@odata.type` (the
docs' own typed word on the reply and the body: each counts twice), the request body's
`@odata.type` and the path's last segment.
Of a link whose text and file disagree, the longer name of the same thing is kept (`tab` /
`teamstab`, `WorkbookChart` / `chart`; a plural text is its file's singular); both count when
they name different things. The name most evidence supports wins, the earliest on a tie,
unless the annotation or a link's file spells it longer (`range` / `workbookRange`).

It is spelled as the page spells it best: camelCase from any evidence, the path's names
(`teamsTab`), the title's words (`Update conversation thread`) or its identifiers
(`cloudPcOnPremisesConnection: updateAdDomainPassword`); the first letter lower-case, as CSDL
spells every type (`WorkbookChart` -> `workbookChart`). A name the page never camel-cases keeps
the page's spelling (`orgcontact`): nothing on it says otherwise.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from graph_contracts.docs import Page
from graph_contracts.naming import is_camel_case, path_type_names, singular, type_name

from ._paths import strip_url

_TITLE_RESOURCE = re.compile(r"^Update\s+([A-Za-z][\w]*)\s*$")
_TITLE_WORDS = re.compile(r"^Update\s+(?:an?\s+|the\s+)?([A-Za-z]+(?:\s+[A-Za-z]+){1,3})\s*$")
_WORD = re.compile(r"[A-Za-z_]\w*")
_IDENT = re.compile(r"^[A-Za-z_]\w*$")

Piece = tuple[list[str], int]  # (names it supports, weight)


def evident_resource(page: Page, named: str | None) -> str | None:
    """The short type name the page's evidence supports best (see the module docstring)."""
    pieces = list(_pieces(page, named))
    score: Counter[str] = Counter()
    first: dict[str, int] = {}
    for i, (names, weight) in enumerate(pieces):
        for low in {n.lower() for n in names}:
            score[low] += weight
            first.setdefault(low, i)
    if not score:
        return None
    best = max(score, key=lambda n: (score[n], -first[n]))
    best = _longer(best, page, named)
    return _spelled(best, page, pieces)


def _pieces(page: Page, named: str | None) -> Iterator[Piece]:
    if named and _IDENT.match(named):
        yield _link_names(named, page.resource_link, strong=page.resource_strong), 1
    m = _TITLE_RESOURCE.match(page.title)
    if m:
        yield [m.group(1)], 1
    if page.response_resource:
        name, link = page.response_resource
        yield _link_names(name, link, strong=True), 1
    for annotated in (page.response_type, page.request_type):
        if annotated:
            yield [annotated.rsplit(".", 1)[-1]], 2
    request = request_type(page)
    if request:
        yield [request.rsplit(".", 1)[-1]], 1
    last = next(_path_names(page), None)
    if last:
        yield [last], 1


def _link_names(text: str, link: str | None, *, strong: bool) -> list[str]:
    """What a link names: its text, its file's stem, or the longer of the two when one is the
    other's plural or contains it (a strong link, the object of the update, only)."""
    stem = _stem(link)
    if not stem or stem.lower() == text.lower():
        return [text]
    low_text, low_stem = text.lower(), stem.lower()
    if singular(low_text) == low_stem:
        return [stem]
    if strong and low_stem.endswith(low_text):
        return [stem]
    if low_text.endswith(low_stem):
        return [text]
    return [text, stem]


def _stem(link: str | None) -> str | None:
    """`../resources/teamstab.md#x` -> `teamstab`; None for what names no type page."""
    if not link or "://" in link:
        return None
    stem = link.split("#", 1)[0].rsplit("/", 1)[-1].removesuffix(".md")
    return stem if _IDENT.match(stem) else None


def _longer(best: str, page: Page, named: str | None) -> str:
    """A longer name of the same thing, as the annotation or a link's file spells it."""
    longer = [page.response_type.rsplit(".", 1)[-1]] if page.response_type else []
    longer += [s for s in (_stem(page.resource_link), _stem_of(page.response_resource)) if s]
    found = [n.lower() for n in longer if n.lower().endswith(best) and len(n) > len(best)]
    return found[0] if found else best


def _stem_of(resource: tuple[str, str | None] | None) -> str | None:
    return _stem(resource[1]) if resource else None


def _spelled(low: str, page: Page, pieces: list[Piece]) -> str:
    """The page's best spelling of `low`: camelCase first, first letter lower-case."""
    spellings = [n for names, _ in pieces for n in names]
    spellings += list(_path_names(page))
    spellings += _WORD.findall(page.title)
    m = _TITLE_WORDS.match(page.title)
    if m:
        words = m.group(1).split()
        spellings.append(words[0] + "".join(w[:1].upper() + w[1:] for w in words[1:]))
    if page.response_type:
        spellings.append(page.response_type.rsplit(".", 1)[-1])
    same = [s for s in spellings if s.lower() == low]
    return type_name(next((s for s in same if is_camel_case(s)), same[0] if same else low))


def _path_names(page: Page) -> Iterator[str]:
    if page.paths:
        yield from path_type_names(strip_url(page.paths[0][1]) or "")


def request_type(page: Page) -> str | None:
    """The `@odata.type` of the first request example that has one."""
    for e in page.examples:
        if e.kind == "request" and isinstance(e.body, dict):
            t = e.body.get("@odata.type")
            if isinstance(t, str) and t.strip("#"):
                return t.strip("#")
    return None
