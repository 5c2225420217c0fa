"""One update page -> its contract (before pages about the same resource are merged)."""

from __future__ import annotations

import os
from collections import Counter

from graph_contracts.contracts import Contract, Finding, Property
from graph_contracts.docs import TYPE_DOC_TYPES, Page, RawProperty, fill_table

from ._examples import example_properties, examples_of
from ._findings import page_findings
from ._paths import page_paths, single_valued
from ._refine import refine
from ._resource import choose_resource
from ._types import Collected, Origin, Types


def page_contract(
    page: Page, path: str, shown: str, types: Types, out: list[Finding]
) -> Contract | None:
    """The contract one page describes, or None with a page-level finding in `out` saying why."""
    if page.method != "PATCH":
        if page.doc_type not in TYPE_DOC_TYPES:
            what = f"a {page.method} request" if page.method else "no HTTP request"
            why = f"not an update page ({what})"
            out.append(Finding("no-contract", "info", why, shown, page.title_line))
        return None
    version = _version(page, path)
    if version is None:
        why = "API version not told by folder, example URL or beta note (never guessed)"
        out.append(Finding("unknown-version", "error", why, shown, page.title_line))
        return None
    resource, res_key = choose_resource(page, path, types.pages)
    if resource is None:
        why = "resource type not found on the page"
        out.append(Finding("no-contract", "warning", why, shown, page.title_line))
        return None
    collected = Collected()
    props = _properties(page, Origin(str(path), shown, page.namespace), res_key, types, collected)
    short = resource.rsplit(".", 1)[-1]
    paths = page_paths(page, short, shown, collected.findings, single_valued(res_key))
    page_findings(page, shown, collected.findings)
    return Contract(
        version=version,
        resource=resource,
        paths=paths,
        properties=_dedupe(props),
        status=page.status or next((e.status for e in page.examples if e.status), None) or 204,
        permissions={k: list(v) for k, v in page.permissions.items()},
        headers=list(page.headers),
        sources=[shown],
        title=page.title,
        types=collected.types,
        examples=examples_of(page, shown),
        findings=collected.findings,
    )


def _properties(
    page: Page, own: Origin, res_key: str | None, types: Types, out: Collected
) -> list[Property]:
    """The page's table typed (refined by the resource page's); else the resource page's own
    table; else the request example's keys."""
    raws, origin = _rows(page, own, res_key, types, out)
    props = [types.property_of(raw, origin, out) for raw in raws]
    if props and res_key and raws is page.properties:
        props = refine(list(zip(raws, props, strict=True)), res_key, types, out, own.shown)
    return props or example_properties(page, own.shown, out.findings)


def _rows(
    page: Page, own: Origin, res_key: str | None, types: Types, out: Collected
) -> tuple[list[RawProperty], Origin]:
    """The page's own rows; without any, the resource page's (reported "no-property-table")."""
    if page.properties or not res_key:
        return page.properties, own
    pages = types.pages
    res_page = pages.page(res_key)
    if not (res_page and fill_table(res_page, pages.rows).properties):
        return page.properties, own
    res_shown = pages.show(res_key)
    out.findings.append(
        Finding(
            "no-property-table",
            "info",
            f"no request-body property table; properties taken from {res_shown}",
            own.shown,
            page.paths[0][0] if page.paths else page.title_line,
        )
    )
    return res_page.properties, Origin(res_key, res_shown, page.namespace)


def _dedupe(props: list[Property]) -> list[Property]:
    """The first property of each name (a page may list one twice)."""
    seen: dict[str, Property] = {}
    for p in props:
        seen.setdefault(p.name, p)
    return list(seen.values())


def _version(page: Page, path: str) -> str | None:
    """Corpus folder (api-reference/<version>/api) first, then example URLs, then the /beta note;
    None when nothing tells (a guess would test a beta contract on v1.0, or the reverse)."""
    parts = os.path.abspath(path).split(os.sep)
    for v in ("beta", "v1.0"):
        if len(parts) >= 3 and parts[-3] == v:
            return v
    if page.versions:
        return Counter(page.versions).most_common(1)[0][0]
    return "beta" if page.beta_note else None
