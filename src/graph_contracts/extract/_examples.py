"""The page's examples as contract examples, and the last-resort properties they imply."""

from __future__ import annotations

from graph_contracts.contracts import Example, Finding, Property
from graph_contracts.docs import Page

from ._paths import strip_url

_JSON_TYPES = (
    (bool, "Edm.Boolean"),
    (int, "Edm.Int32"),
    (float, "Edm.Double"),
    (str, "Edm.String"),
)


def examples_of(page: Page, shown: str) -> list[Example]:
    """Every request/response example of the page, its URL version-free."""
    return [
        Example(
            e.kind,
            shown,
            e.line,
            e.method,
            strip_url(e.url),
            e.status,
            e.body,
            e.body_text,
            e.body_line,
        )  # type: ignore[arg-type]
        for e in page.examples
    ]


def example_properties(page: Page, shown: str, findings: list[Finding]) -> list[Property]:
    """Last resort for pages with neither a table nor a resource page: the request example's keys,
    typed from their JSON values (objects -> Edm.Untyped), reported as "no-property-table"."""
    example = next(
        (e for e in page.examples if e.kind == "request" and isinstance(e.body, dict)), None
    )
    if example is None:
        return []
    source = f"{shown}:{example.body_line}"
    props = [
        _json_property(name, value, source)
        for name, value in example.body.items()  # type: ignore[union-attr]
        if "@" not in name  # `@odata.type`, `x@odata.bind`: annotations, not properties
    ]
    if props:
        findings.append(
            Finding(
                "no-property-table",
                "info",
                "no property table and no resource page: "
                "properties inferred from the request example",
                shown,
                example.line,
            )
        )
    return props


def _json_property(name: str, value: object, source: str) -> Property:
    items = value if isinstance(value, list) else [value]
    kind = next((t for py, t in _JSON_TYPES for v in items[:1] if isinstance(v, py)), "Edm.Untyped")
    return Property(
        name,
        f"Collection({kind})" if isinstance(value, list) else kind,
        nullable=False if name == "id" else None,
        key=name == "id",
        sources=[source],
    )
