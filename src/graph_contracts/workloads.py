"""Which Graph workload serves a path: reports total by it, and pacing budgets follow it.

Graph's throttling limits are per service (Intune, Outlook, the directory, ...), not per API, so a
path template is mapped to the service behind it by its segments. Rules are tried in order; the
first whose pattern matches wins.
"""

from __future__ import annotations

import re

# (workload, pattern over the version-less path template)
RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("intune", r"^/(deviceManagement|deviceAppManagement)(/|$)"),
        (
            "outlook",
            r"/(messages|mailFolders|events|calendars?|calendarGroups|contacts|contactFolders"
            r"|inferenceClassification|outlook|mailboxSettings|messageRules)(/|$|\()",
        ),
        ("teams", r"^/(teams|chats|teamwork|appCatalogs)(/|$)|/(channels|tabs|installedApps)/"),
        ("planner", r"^/planner(/|$)|/planner/"),
        ("excel", r"/workbook(/|$)"),
        ("sharepoint-onedrive", r"^/(sites|drives?|shares)(/|$)|/(drive|drives|sites)(/|$)"),
        ("education", r"^/education(/|$)"),
        ("security", r"^/security(/|$)"),
        ("identity-protection", r"^/identityProtection(/|$)|^/riskyUsers"),
        ("conditional-access", r"^/identity/conditionalAccess(/|$)"),
        ("reports", r"^/reports(/|$)"),
        ("cloud-pc", r"/virtualEndpoint(/|$)"),
        ("information-protection", r"^/informationProtection(/|$)"),
        (
            "directory",
            r"^/(users|groups|applications|servicePrincipals|directory|directoryObjects|devices"
            r"|organization|domains|contacts|policies|roleManagement|identity|me|oauth2"
            r"PermissionGrants|administrativeUnits|groupLifecyclePolicies|subscribedSkus)(/|$)",
        ),
    )
)


def workload_of(path: str) -> str:
    """`/deviceManagement/deviceConfigurations/{id}` -> `intune`; unknown paths -> `other`."""
    for name, pattern in RULES:
        if pattern.search(path):
            return name
    return "other"
