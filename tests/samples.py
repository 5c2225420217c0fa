"""Test data several stages' tests share: Graph types as the CSDL defines them (GRAPH-FACTS.md).

The repository's contracts/ say what the doc pages say; these say what the service is, with the
nullability the doc tables leave out, so that tests of the mock, the strategies and Edm values do
not depend on how the extractor regenerates contracts/.
"""

from __future__ import annotations

from graph_contracts.contracts import Contract, Property, TypeDef

COMPLIANCE = [
    "unknown",
    "notApplicable",
    "compliant",
    "remediated",
    "nonCompliant",
    "error",
    "conflict",
    "notAssigned",
]
USER_STATUS_PATH = "/deviceManagement/deviceConfigurations/{a}/userStatuses/{b}"


def compliance_status() -> TypeDef:
    return TypeDef(name="microsoft.graph.complianceStatus", kind="enum", members=list(COMPLIANCE))


def csdl_user_status(paths: list[str] | None = None) -> Contract:
    """beta deviceConfigurationUserStatus: key `id`, three non-nullable values, two strings."""
    compliance = compliance_status()
    return Contract(
        version="beta",
        resource="microsoft.graph.deviceConfigurationUserStatus",
        paths=paths or [USER_STATUS_PATH],
        properties=[
            Property("id", "Edm.String", key=True, nullable=False),
            Property("userDisplayName", "Edm.String", nullable=True),
            Property("devicesCount", "Edm.Int32", nullable=False),
            Property("status", compliance.name, nullable=False),
            Property("lastReportedDateTime", "Edm.DateTimeOffset", nullable=False),
            Property("userPrincipalName", "Edm.String", nullable=True),
        ],
        status=200,
        types={compliance.name: compliance},
    )


# --- a synthetic update page -------------------------------------------------------------------

WIDGET_UPDATE_HEAD = """---
title: "Update widget"
doc_type: apiPageType
---

# Update widget

Update the properties of a [widget](../resources/widget.md) object.

## Permissions

|Permission type|Permissions|
|:---|:---|
|Application|Widget.ReadWrite.All|

## HTTP request

```http
PATCH /widgets/{id}
```

## Request body

"""


def widget_update(body: str, *, linked: bool = True) -> str:
    """A front-matter update page for `microsoft.graph.widget` whose request body section is
    `body` (a table, subheadings...); `linked=False` names the widget without a link."""
    head = WIDGET_UPDATE_HEAD
    if not linked:
        head = head.replace("a [widget](../resources/widget.md) object", "a widget object")
    return (
        head
        + body
        + "\n## Response\n\nIf successful, this method returns a `204 No Content` response code.\n"
    )
