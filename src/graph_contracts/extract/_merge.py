"""Merging the pages of one (version, resource) into one contract.

Per property, a named (non-Edm) type beats a primitive, then the larger enum wins, then the
majority of pages, then the page style (front matter, text, markdown), then the earlier page in
file order. Every losing variant is reported as "pages-disagree" with both locations.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from graph_contracts.contracts import Contract, Finding, Property, TypeDef
from graph_contracts.docs import Page

from ._findings import describe
from ._nullability import merge_nullability
from ._types import element

_STYLE_RANK = {"frontmatter": 2, "text": 1, "markdown": 0}


@dataclass
class Draft:
    """One page's contract before merging; `order` keeps the merge deterministic."""

    contract: Contract
    page: Page
    file: str
    order: int
    shared: bool = False  # one of several resources its page updates (`_shared`)


def merge(drafts: list[Draft]) -> Contract:
    """One contract from every page about one (version, resource)."""
    drafts = sorted(drafts, key=lambda d: d.order)
    if len(drafts) == 1:
        return drafts[0].contract
    first = drafts[0].contract
    contracts = [d.contract for d in drafts]
    findings: list[Finding] = [f for c in contracts for f in c.findings]
    props = _merge_properties(drafts, findings)
    status = _merge_status(drafts, findings)
    return Contract(
        version=first.version,
        resource=first.resource,
        paths=_union(c.paths for c in contracts),
        properties=props,
        status=status,
        permissions=_merge_permissions(contracts),
        headers=_union(c.headers for c in contracts),
        sources=[d.file for d in drafts],
        title=next((c.title for c in contracts if first.name in c.title), first.title),
        types=_merge_types(contracts),
        examples=[e for c in contracts for e in c.examples],
        findings=findings,
    )


def _union(lists: Iterable[list[str]]) -> list[str]:
    """Every item once, in first-seen order."""
    out: list[str] = []
    for items in lists:
        out.extend(x for x in items if x not in out)
    return out


def _merge_permissions(contracts: list[Contract]) -> dict[str, list[str]]:
    permissions: dict[str, list[str]] = {}
    for c in contracts:
        for kind, names in c.permissions.items():
            bucket = permissions.setdefault(kind, [])
            bucket.extend(n for n in names if n not in bucket)
    return permissions


def _merge_types(contracts: list[Contract]) -> dict[str, TypeDef]:
    """Each TypeDef once; of two enums of one name, the one with more members."""
    types: dict[str, TypeDef] = {}
    for c in contracts:
        for name, td in c.types.items():
            if name not in types or len(td.members or []) > len(types[name].members or []):
                types[name] = td
    return types


def _merge_status(drafts: list[Draft], findings: list[Finding]) -> int:
    """The success status most pages give (the earliest page breaks ties); others reported.
    A page shared by several resources votes only when the resource has no page of its own:
    its status is about all of them (the extended-property pages' `201` is a POST's)."""
    own = [d for d in drafts if not d.shared] or drafts
    statuses = Counter(d.contract.status for d in own)
    status = max(statuses, key=lambda s: (statuses[s], -_first_index(own, s)))
    for d in drafts:
        if d.contract.status != status:
            findings.append(
                Finding(
                    "pages-disagree",
                    "warning",
                    f"success status {d.contract.status} here, {status} elsewhere; kept {status}",
                    d.file,
                    d.page.status_line,
                )
            )
    return status


def _first_index(drafts: list[Draft], status: int) -> int:
    return next(i for i, d in enumerate(drafts) if d.contract.status == status)


def _merge_properties(drafts: list[Draft], findings: list[Finding]) -> list[Property]:
    """Properties in the order of the most complete page; each one's variants decided by rank."""
    lead = max(drafts, key=lambda d: (len(d.contract.properties), -d.order))
    names = [p.name for p in lead.contract.properties]
    for d in drafts:
        names.extend(p.name for p in d.contract.properties if p.name not in names)
    merged = []
    for name in names:
        variants = [(d, p) for d in drafts for p in d.contract.properties if p.name == name]
        merged.append(_merge_property(variants, findings))
    return merged


def _merge_property(variants: list[tuple[Draft, Property]], findings: list[Finding]) -> Property:
    votes = Counter((p.type, tuple(p.enum or ())) for _, p in variants)

    def rank(item: tuple[Draft, Property]) -> tuple[int, int, int, int, int]:
        d, p = item
        named = not element(p.type).startswith("Edm.")
        return (
            named,
            len(p.enum or ()),
            votes[(p.type, tuple(p.enum or ()))],
            _STYLE_RANK[d.page.style],
            -d.order,
        )

    _best_draft, best = max(variants, key=rank)
    winner = Property(
        name=best.name,
        type=best.type,
        enum=list(best.enum) if best.enum else None,
        description=next(
            (p.description for _, p in variants if p.description and "TODO" not in p.description),
            best.description,
        ),
        nullable=merge_nullability([p.nullable for _, p in variants]),
        key=any(p.key for _, p in variants),
        read_only=any(p.read_only for _, p in variants),
        sources=[s for _, p in variants for s in p.sources],
    )
    for d, p in variants:
        if (p.type, p.enum) != (best.type, best.enum):
            findings.append(
                Finding(
                    "pages-disagree",
                    "warning",
                    f"property {p.name}: {describe(p)} here ({p.sources[0]}) "
                    f"but {describe(best)} in {best.sources[0]}; kept {describe(best)}",
                    d.file,
                    int(p.sources[0].rsplit(":", 1)[1]),
                )
            )
    return winner
