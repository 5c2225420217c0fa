"""One update page -> its contract (before pages about the same resource are merged).

Every request-body row is kept: a row under another type's subheading is that type's and is not
sent (`type-specific-property`); a name with two rows is one property with both sources
(`duplicate-row` when they disagree)."""

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
    own = Origin(str(path), shown, page.namespace, res_key)
    props = _properties(page, own, res_key, resource, types, collected)
    short = resource.rsplit(".", 1)[-1]
    paths = page_paths(page, short, shown, collected.findings, single_valued(res_key))
    page_findings(page, shown, collected.findings)
    return Contract(
        version=version,
        resource=resource,
        paths=paths,
        properties=_dedupe(props, shown, collected.findings),
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
    page: Page, own: Origin, res_key: str | None, resource: str, types: Types, out: Collected
) -> list[Property]:
    """The page's table typed (refined by the resource page's); else the resource page's own
    table; else the request example's keys."""
    raws, origin = _rows(page, own, res_key, types, out)
    props = [types.property_of(raw, origin, out) for raw in raws]
    if props and res_key and raws is page.properties:
        props = refine(list(zip(raws, props, strict=True)), res_key, types, out, own.shown)
    if props and raws is page.properties:
        props = _other_types(raws, props, resource.rsplit(".", 1)[-1], own.shown, out.findings)
    return props or example_properties(page, own.shown, out.findings)


def _other_types(
    raws: list[RawProperty], props: list[Property], resource: str, shown: str, out: list[Finding]
) -> list[Property]:
    """Rows of a table another type's subheading heads ("### openIdConnectProvider object" on
    the identityProvider page) document that type, not the page's resource. Those the
    resource's own rows share are merged into them (`_dedupe`); the others are kept (the docs
    list them) but not sent, since the base type's entities may refuse them, and a
    `type-specific-property` finding says so. The resource's own rows come first."""
    own, other = [], []
    for raw, prop in zip(raws, props, strict=True):
        owner = _table_type(raw.table_of)
        if owner is None or owner.lower() == resource.lower():
            own.append(prop)
        else:
            other.append((owner, prop, raw.line))
    if not other:
        return props
    names = {p.name for p in own}
    for owner, prop, line in other:
        if prop.name not in names and not prop.read_only and not prop.key:
            prop.read_only = True
            why = (
                f"property {prop.name} is documented for {owner} only, not for {resource}: "
                "kept, not sent"
            )
            out.append(Finding("type-specific-property", "info", why, shown, line))
    return own + [prop for _, prop, _ in other]


_TYPE_WORDS = ("object", "resource", "type")


def _table_type(subheading: str | None) -> str | None:
    """The type a request-body subheading names: `openIdConnectProvider object` (a camelCase
    type name followed by object/resource/type, as every such heading of the corpus is); None
    for any other subheading ("Required properties", "Optional properties": not a type)."""
    if not subheading:
        return None
    words = subheading.split()
    if len(words) == 2 and words[1].lower() in _TYPE_WORDS and _type_like(words[0]):
        return words[0]
    return None


def _type_like(word: str) -> bool:
    return word.isidentifier() and word[:1].islower()


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


def _dedupe(props: list[Property], shown: str, out: list[Finding]) -> list[Property]:
    """One property per name: the first row wins and keeps every row's source (a page may list
    one twice, or in two tables); a `duplicate-row` finding when the rows disagree on type,
    members, nullability or writability."""
    seen: dict[str, Property] = {}
    for p in props:
        first = seen.setdefault(p.name, p)
        if first is p:
            continue
        first.sources = first.sources + [s for s in p.sources if s not in first.sources]
        if _facts(first) != _facts(p) and p.sources:
            kept, other = first.sources[0], p.sources[0]
            why = f"property {p.name}: {other} disagrees with {kept}; kept {kept}"
            out.append(Finding("duplicate-row", "warning", why, shown, _line(other)))
    return list(seen.values())


def _facts(p: Property) -> tuple:
    return p.type, p.enum, p.nullable, p.read_only


def _line(source: str) -> int | None:
    tail = source.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else None


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
