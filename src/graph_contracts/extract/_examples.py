"""The page's examples as contract examples, and the last-resort properties they imply."""

from __future__ import annotations

import re

from graph_contracts.contracts import Example, Finding, Property
from graph_contracts.docs import Page

from ._paths import strip_url

_KEY_CALL = re.compile(r"(\w)\('([^'/]*)'\)")  # OData key syntax: messages('AAMk...')
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


def unmatched_examples(
    examples: list[Example], templates: list[str], keys_added: bool = False, streams: bool = False
) -> list[Finding]:
    """An "example-path" warning for each PATCH request example whose URL fits none of the
    contract's templates (a doc error on one side: cloudPcUserSetting's example PATCHes
    `.../userSettings/{id}` under a `.../provisioningPolicies/{id}` template). The contract keeps
    its templates: the request line is the documented syntax, the example an instance.
    `keys_added`: a key was appended to a documented collection path (`collection-path`), so an
    example of that path as documented, without the key, is no second defect. `streams`: a
    `/{property name}` stream upload was cut from the templates (`stream-path`), so an example
    of one (`.../branding/bannerLogo`) is the documented path too."""
    urls = [e for e in examples if e.kind == "request" and e.method == "PATCH" and e.url]
    if not urls or not templates:
        return []
    shapes = [shape(t) for t in templates]
    if keys_added:
        shapes += [s[:-1] for s in shapes if s and s[-1] is None]
    if streams:
        shapes += [[*s, None] for s in shapes]
    listed = ", ".join(templates) if len(templates) <= 3 else f"{len(templates)} templates"
    return [
        Finding(
            "example-path",
            "warning",
            f"example PATCH {e.url} matches no documented template ({listed})",
            e.file,
            e.line,
        )
        for e in urls
        if not any(fits(e.url, shape) for shape in shapes)
    ]


def fits(url: str, shape: list[str | None]) -> bool:
    """Whether a version-free example URL fits a template shape (None = any one segment);
    literals compare case-insensitively, as Graph's routing does; `/me` is `/users/{id}`."""
    segs = [s for s in _KEY_CALL.sub(r"\1/\2", url.split("?", 1)[0]).split("/") if s]
    return _fits(segs, shape) or (segs[:1] == ["me"] and _fits(["users", "me", *segs[1:]], shape))


def _fits(segs: list[str], shape: list[str | None]) -> bool:
    return len(segs) == len(shape) and all(
        want is None or want == seg.lower() for want, seg in zip(shape, segs, strict=True)
    )


def shape(template: str) -> list[str | None]:
    """A template's segments, lower-cased; a segment holding a placeholder matches anything
    (`range(address='{address}')`, `root:`-style paths keep their literal rest unchecked)."""
    return [None if "{" in s else s.lower() for s in template.split("/") if s]
