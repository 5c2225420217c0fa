"""Which resource type an update page updates.

Candidates, in order: the linked type of the description sentence (unless the link is to
another API page; a link text that is no name, `[print job](../resources/printjob.md)`, is named
by its page), the title `Update x`, the response sentence's link, the request's `@odata.type`,
the last path segment singularized. The first backed by a resource page wins; when none is, the
names the path spells (`workbook/tables` -> `workbookTable`) are tried for one. The title goes
first when it names a type page exactly and the link was only a passing mention, not the object
of an "Update a [x]" sentence. A candidate that is the type of one of the page's own rows is
passed over (`relatedContacts: relatedContact collection` is written to an educationUser).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from itertools import chain

from graph_contracts.docs import Page
from graph_contracts.naming import last_type_name, path_type_names, singular

from ._evidence import evident_resource, request_type
from ._pages import Pages
from ._paths import strip_url
from ._types import qualify

_TITLE_RESOURCE = re.compile(r"^Update\s+([A-Za-z][\w]*)\s*$")

Candidate = tuple[str, str | None]  # (type name, link to its page)


def choose_resource(page: Page, path: str, pages: Pages) -> tuple[str | None, str | None]:
    """Qualified resource type and the key of its resource page (None when it has none)."""
    named = _described(page, path, pages)
    candidates = _candidates(page, path, pages, named)
    rows = _written_types(page)
    last = candidates[-1][0] if candidates else None
    for name, link in chain(candidates, ((n, None) for n in _path_names(page))):
        if name.rsplit(".", 1)[-1].lower() in rows and name != last:
            continue  # what the page writes, not what it updates (relatedContact)
        found = _backed(name, link, page, path, pages)
        if found is not None:
            return found
    evident = evident_resource(page, named)
    return (qualify(evident, page.namespace) if evident else None), None


def _written_types(page: Page) -> set[str]:
    """Types of rows named after their own type (`relatedContacts: relatedContact collection`):
    the page writes such a property of another resource. A row that merely refers to a type
    (`inheritsPermissionsFrom: unifiedRoleDefinition collection`, a self-reference) says nothing
    about what the page updates."""
    out = set()
    for r in page.properties:
        if r.type_text:
            typed = r.type_text.split()[0].lower()
            name = r.name.lower()
            if name.startswith(typed[:-1]) and typed == singular(name):  # cheap test first
                out.add(typed)
    return out


def _described(page: Page, path: str, pages: Pages) -> str | None:
    """The description's type, unless its link points at another API page."""
    if page.resource and page.resource_link:
        key = pages.link(path, page.resource_link)
        if key is not None and os.sep + "resources" + os.sep not in key:
            return None  # "a special case of [Update](x-update.md)"
        if key is None and _api_page_link(page.resource_link):
            return None  # the same, the page copied alone
    return page.resource


def _api_page_link(link: str) -> bool:
    """`driveitem-update.md`: an API page's file (a verb after a hyphen, beside the page), never
    a type page's (`../resources/x.md`)."""
    return "resources/" not in link and "-" in link.split("#", 1)[0].rsplit("/", 1)[-1]


def _candidates(page: Page, path: str, pages: Pages, named: str | None) -> list[Candidate]:
    m = _TITLE_RESOURCE.match(page.title)
    titled = m.group(1) if m else None
    out: list[Candidate] = []
    if titled and named and _title_first(page, titled, named, path, pages):
        out.append((titled, None))  # "Update printerShare" beats a passing [printer] link
    if named:
        out.append((named, page.resource_link))
    if titled:
        out.append((titled, None))
    if page.response_resource:
        out.append(page.response_resource)
    out.extend((name, None) for name in (request_type(page), _last_segment(page)) if name)
    return out


def _title_first(page: Page, titled: str, named: str, path: str, pages: Pages) -> bool:
    return (
        (not page.resource_strong or _replied(page, titled))
        and titled.lower() != named.lower()
        and _declares(titled, path, pages)
    )


def _replied(page: Page, titled: str) -> bool:
    """The response sentence's link names what the title does ("Update userInsightsSettings" /
    "returns [userInsightsSettings](...)"): two against the description's one link
    ("Update the privacy settings for [itemInsights](...)")."""
    if page.response_resource is None:
        return False
    name, link = page.response_resource
    stem = (link or "").split("#", 1)[0].rsplit("/", 1)[-1].removesuffix(".md")
    return titled.lower() in (name.lower(), stem.lower())


def _declares(name: str, path: str, pages: Pages) -> bool:
    """True when ../resources/<name>.md exists and declares exactly that type."""
    key = pages.link(path, f"../resources/{name.lower()}.md")
    page = pages.page(key) if key else None
    if page is None:
        return False
    declared = pages.declared_name(page, name, page.namespace)
    return declared.rsplit(".", 1)[-1].lower() == name.lower()


def _last_segment(page: Page) -> str | None:
    """The first template's last plain segment, singularized (`.../userStatuses/{id}`)."""
    return last_type_name(strip_url(page.paths[0][1]) or "") if page.paths else None


def _path_names(page: Page) -> Iterator[str]:
    """Type names the path spells (`naming.path_type_names`), tried when nothing the page names
    has a resource page (a copied page has lost its links): `workbook/tables` ->
    `workbookTable`. A generator: almost every page is settled before it."""
    if page.paths:
        yield from path_type_names(strip_url(page.paths[0][1]) or "")


def _backed(
    name: str, link: str | None, page: Page, path: str, pages: Pages
) -> tuple[str, str] | None:
    """(declared name, page key) when the candidate has a resource page that declares a type."""
    short = name.rsplit(".", 1)[-1]
    key = (
        pages.link(path, link)
        or pages.link(path, f"../resources/{short.lower()}.md")
        or (pages.intune(path, short) if link is None else None)  # Intune pages by stem
    )
    res_page = pages.page(key) if key else None
    if res_page is not None and (res_page.odata_type or res_page.table or res_page.properties):
        return pages.declared_name(res_page, short, page.namespace), key
    return None
