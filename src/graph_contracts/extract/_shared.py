"""Pages about a property several resources share: one contract per resource the paths update.

The legacy extended-property pages document `PATCH /me/messages/{id}`, `/me/events/{id}`,
`/me/calendars/{id}`, ... on one page: a property (`singleValueExtendedProperties`) that each of
those resources has. Their templates are split by the resource each one updates (the segment
before its last key, or the last segment, singularized, backed by a resource page), never all
filed under the page's one resource. Why split rather than drop: each template is a real PATCH
of a real resource, documented by the page. What each part keeps:

* only the rows that are no member of another row's type (`id` and `value` describe the items
  of `singleValueExtendedProperties`, not the message), and those are not sent: Graph returns
  extended properties only with `$expand` (a round-trip would fail on a faithful service), and
  a write of one is no value a restoring PATCH takes back (a tenant left changed);
* no examples (the same reason) and no permissions (the page's table is per resource);
* its success status does not vote against the resource's own update page (`_merge`): the page's
  `201` is the one of creating a new instance with the property.

Split only when the page's own resource is one of two or more the templates update: a page
whose templates all miss its resource (todoTaskList's typo `.../lists/{id}/tasks`) is not a
shared page. A template whose resource has no page is then dropped and reported
("shared-page").
"""

from __future__ import annotations

from dataclasses import replace

from graph_contracts.contracts import Contract, Finding, Property
from graph_contracts.docs import Page
from graph_contracts.naming import last_type_name, path_type_names

from ._pages import Pages
from ._paths import normalize_path
from ._types import element


def split_shared(
    contract: Contract, page: Page, path: str, pages: Pages, out: list[Finding]
) -> list[Contract]:
    """The page's contract, or one per resource when its templates update two or more."""
    if len(page.paths) < 2 or len(_last_segments(page)) < 2:
        return [contract]  # every template ends in the same name: no resource page to read
    groups, unbacked = _by_resource(contract, page, path, pages)
    if len(groups) < 2 or contract.resource not in groups:
        return [contract]
    shown = contract.sources[0]
    names = ", ".join(r.rsplit(".", 1)[-1] for r in groups)
    why = f"PATCH templates update {len(groups)} resources ({names}): one contract each"
    out.append(Finding("shared-page", "info", why, shown, page.paths[0][0]))
    for line, raw in unbacked:
        why = f"no resource page for what {raw.strip()} updates: template left out"
        out.append(Finding("shared-page", "warning", why, shown, line))
    why = (
        "properties of a shared page are not sent: they are navigation collections a reply "
        "holds only with $expand, and a write of them is not undone by a PATCH"
    )
    out.append(Finding("shared-page", "info", why, shown, page.paths[0][0]))
    props = [replace(p, read_only=True) for p in _own_properties(contract)]
    return [
        replace(
            contract,
            resource=resource,
            paths=paths,
            properties=props,
            permissions={},  # the page's table is per resource: no part may claim all of it
            examples=[],  # examples write extended properties no restore takes back
            findings=contract.findings if i == 0 else [],  # reported once
        )
        for i, (resource, paths) in enumerate(groups.items())
    ]


def _last_segments(page: Page) -> set[str]:
    """The distinct last literal segments of the page's request lines, read cheaply from the raw
    text: a page whose templates all end in one name cannot update two resources (`_updated`
    names the resource from that segment first), so the resource pages are not read for it."""
    return {(last_type_name(raw) or "").lower() for _, raw in page.paths}


def _by_resource(
    contract: Contract, page: Page, path: str, pages: Pages
) -> tuple[dict[str, list[str]], list[tuple[int, str]]]:
    """{qualified resource: its templates} in page order, and the templates with no page."""
    # The contract's templates (already normalized) tell whether two resources are updated;
    # the raw lines are named again per resource only for the few pages that are shared.
    updated = {_updated(t, path, page.namespace, pages) for t in contract.paths}
    if len(updated - {None}) < 2:
        return {}, []
    short = contract.resource.rsplit(".", 1)[-1]
    found: list[tuple[int, str, str | None]] = []
    for line, raw in page.paths:
        template, _ = normalize_path(raw, short)
        found.append((line, raw, _updated(template, path, page.namespace, pages)))
    groups: dict[str, list[str]] = {}
    unbacked: list[tuple[int, str]] = []
    for line, raw, resource in found:
        if resource is None:
            unbacked.append((line, raw))
            continue
        own, _ = normalize_path(raw, resource.rsplit(".", 1)[-1])
        paths = groups.setdefault(resource, [])
        if own not in paths:
            paths.append(own)
    return groups, unbacked


def _updated(template: str, path: str, namespace: str, pages: Pages) -> str | None:
    """The declared type of what a template updates: the entity its last key picks, else its
    last segment (`/me/calendar`, `range(address='{address}')`); an earlier segment is tried as
    a prefix too (`outlook/.../tasks` -> `outlookTask`): `naming.path_type_names`."""
    for candidate in path_type_names(template):
        key = pages.link(path, f"../resources/{candidate.lower()}.md")
        res_page = pages.page(key) if key else None
        if res_page is not None:
            return pages.declared_name(res_page, candidate, namespace)
    return None


def _own_properties(contract: Contract) -> list[Property]:
    """The rows that are no member of another row's type (see the module docstring)."""
    types = contract.types
    members = {
        m.name
        for p in contract.properties
        if element(p.type) in types
        for m in types[element(p.type)].properties
    }
    return [p for p in contract.properties if p.name not in members]
