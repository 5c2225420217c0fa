"""Page-level findings, and how findings name a property's type."""

from __future__ import annotations

from graph_contracts.contracts import Finding, Property
from graph_contracts.docs import Page


def page_findings(page: Page, shown: str, findings: list[Finding]) -> None:
    """The page's own defects (a request line that is not a path), TODO placeholders left in,
    and a page that lists no permission."""
    findings += defect_findings(page, shown)
    for line, text in page.todos:
        findings.append(
            Finding("todo-placeholder", "warning", f"placeholder left in: {text}", shown, line)
        )
    if not any(page.permissions.values()):
        where = page.permissions_line or page.title_line
        why = "only TODO placeholders" if page.permissions_line else "no permissions section"
        if page.permission_includes:  # today's pages: the tables are in include files
            where, why = page.permission_includes[0][0], "none in its permission includes"
        findings.append(
            Finding("missing-permissions", "error", f"no permission listed ({why})", shown, where)
        )


def defect_findings(page: Page, shown: str) -> list[Finding]:
    """What the parser found wrong with the page itself (`Page.defects`), as findings."""
    return [Finding(rule, sev, why, shown, line) for rule, sev, line, why in page.defects]


def describe(p: Property) -> str:
    return f"{p.type} with {len(p.enum)} values" if p.enum else p.type
