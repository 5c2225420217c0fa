"""The update page's property table refined by the resource page's: both document one type.

Where the two name a property's type differently and the resource page is more specific (an
enum, complex or other non-String type where the update page says `String`; `X collection` where
it says `X`), the resource page's type is kept and "pages-disagree" names both rows. Only rows
whose type text differs are resolved, so the cost stays small.
"""

from __future__ import annotations

from graph_contracts.contracts import Finding, Property
from graph_contracts.docs import RawProperty, fill_table, type_differs

from ._findings import describe
from ._pages import Pages
from ._types import Collected, Origin, Types


def refine(
    rows: list[tuple[RawProperty, Property]], res_key: str, types: Types, out: Collected, shown: str
) -> list[Property]:
    """The properties typed from update page `shown`'s rows, with the resource page's more
    specific types; disagreements are reported on the update page."""
    pages = types.pages
    res_page = pages.page(res_key)
    if res_page is None or not _differs(rows, pages.type_cells(res_key, res_page), pages):
        return [prop for _, prop in rows]
    fill_table(res_page, pages.rows)
    by_name = {r.name: r for r in res_page.properties}
    origin = Origin(res_key, pages.show(res_key), res_page.namespace)
    alt_out = Collected(types=out.types)  # findings about the resource page's rows: dropped
    refined = []
    for raw, prop in rows:
        other = by_name.get(raw.name)
        if other is None or other.type_text == raw.type_text or prop.key:
            refined.append(prop)
            continue
        alt = types.property_of(other, origin, alt_out)
        refined.append(_preferred(prop, alt, shown, raw.line, out.findings))
    return refined


def _differs(rows: list[tuple[RawProperty, Property]], cells: dict[str, str], pages: Pages) -> bool:
    """Whether any row's type cell differs on the resource page, from its unparsed table."""
    plain = pages.plain_cells
    return any(r.name in cells and type_differs(cells[r.name], r.type_text, plain) for r, _ in rows)


def _preferred(
    prop: Property, alt: Property, shown: str, line: int, findings: list[Finding]
) -> Property:
    """`prop` unless the resource page's `alt` is more specific (then reported at shown:line)."""
    if not _more_specific(alt.type, prop.type):
        return prop
    findings.append(
        Finding(
            "pages-disagree",
            "warning",
            f"property {prop.name}: {describe(prop)} here but {alt.type} in "
            f"{alt.sources[0]}; kept {alt.type}",
            shown,
            line,
        )
    )
    enum = alt.enum or prop.enum
    return Property(
        name=prop.name,
        type=alt.type,
        enum=list(enum) if enum else None,
        description=prop.description or alt.description,
        nullable=prop.nullable,
        key=prop.key,
        read_only=prop.read_only or alt.read_only,
        sources=prop.sources + alt.sources,
    )


def _more_specific(candidate: str, current: str) -> bool:
    """`microsoft.graph.x` or `Edm.Guid` beats `Edm.String`; `Collection(X)` beats `X`."""
    if candidate == current:
        return False
    if candidate == f"Collection({current})":
        return True
    return current == "Edm.String" and candidate not in ("Edm.Untyped", "Collection(Edm.String)")
