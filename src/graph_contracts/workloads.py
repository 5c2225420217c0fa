"""Which Graph workload serves a path: reports total by it, and pacing budgets follow it.

Graph's throttling limits are per service (Intune, Outlook, the directory, ...), not per API, so a
path is mapped to the service behind it (https://learn.microsoft.com/graph/throttling-limits lists
the resources each limit applies to). Rules are tried in order; the first whose prefix matches wins,
so the narrower service comes first (Intune devices before Intune, a workbook before the drive
holding it, a user's mailbox before the user).

A rule's prefixes are written as the README prints them, and compiled from that text, so the table
users read and the matching cannot drift apart:

- a prefix matches the start of the version-less path, ending at a segment boundary;
  `**/workbook` matches at any segment;
- `{id}` is one key, as a segment (`/users/{id}`) or in parentheses (`/users('a@b.c')`);
- `*` is any text within a segment (`userExperienceAnalytics*`);
- `(a|b)` is a choice, and may hold `/` and `{id}` (`/(me|users/{id})/drive`).

Paths are matched case-insensitively (Graph's are: `/me/calendargroups` in the docs), concrete
paths as well as templates, so the client can ask about the URL it is about to send.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["OTHER", "RULES", "WORKLOADS", "Rule", "prefixes_of", "workload_of"]

OTHER = "other"

# The owner of a mailbox, a drive, a plan: the signed-in user, a user or a group.
_OWNER = "(me|users/{id}|groups/{id})"
_USER = "(me|users/{id})"


@dataclass(frozen=True)
class Rule:
    """One workload and the path prefixes it serves."""

    workload: str
    prefixes: tuple[str, ...]
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        compiled = "|".join(f"(?:{_regex(p)})" for p in self.prefixes)
        object.__setattr__(self, "pattern", re.compile(compiled, re.IGNORECASE))

    def matches(self, path: str) -> bool:
        return self.pattern.search(path) is not None


_BOUNDARY = r"(?=[/(?]|$)"  # a prefix ends where a segment, a key or the query starts
_TOKENS = {  # notation (escaped by re.escape) -> regular expression
    re.escape("/{id}"): r"(?:/[^/?]+|\([^)]*\))",  # a segment, or a key in parentheses
    re.escape("*"): r"[^/()?]*",
    re.escape("("): "(?:",
    re.escape(")"): ")",
    re.escape("|"): "|",
}
_TOKEN = re.compile("|".join(re.escape(t) for t in _TOKENS))


def _regex(prefix: str) -> str:
    """The regular expression of one prefix written in the notation above (one pass, so a
    token's replacement is never read as another token)."""
    anywhere = prefix.startswith("**/")
    text = re.escape(prefix[2:] if anywhere else prefix)
    text = _TOKEN.sub(lambda m: _TOKENS[m.group()], text)
    return ("" if anywhere else "^") + text + _BOUNDARY


RULES: tuple[Rule, ...] = (
    # Excel workbooks live in drives: they go before OneDrive/SharePoint.
    Rule("excel", ("**/workbook",)),
    # Open and schema extensions have their own limit, whatever they extend.
    Rule("extensions", ("**/extensions", "/schemaExtensions")),
    # Services without published limits that would otherwise look like a drive or a user:
    # OneNote, Microsoft To Do, profile, user settings, online meetings.
    Rule(
        OTHER,
        (
            "**/onenote",
            f"/{_USER}/(todo|profile|settings|insights|onlineMeetings|responsibilities"
            "|pendingAccessReviewInstances)",
        ),
    ),
    Rule(
        "conditional-access",
        ("/identity/conditionalAccess", "/identityProtection", "/riskyUsers", "/riskDetections"),
    ),
    # Windows 365 has its own (read) limits; its paths sit under /deviceManagement.
    Rule("cloud-pc", ("/deviceManagement/virtualEndpoint",)),
    # "Intune devices service limits": the resources listed there, by their collections.
    Rule(
        "intune-devices",
        (
            "/deviceManagement/(managedDevices|comanagedDevices|managedDeviceOverview"
            "|detectedApps|deviceHealthScripts|deviceManagementScripts|deviceComplianceScripts"
            "|deviceShellScripts|deviceCustomAttributeShellScripts|userExperienceAnalytics*"
            "|windowsMalwareInformation|remoteActionAudits|dataSharingConsents"
            "|comanagementEligibleDevices|applePushNotificationCertificate"
            "|cloudPCConnectivityIssues)",
            "/deviceAppManagement/windowsManagementApp",
            f"/{_USER}/managedDevices",
        ),
    ),
    Rule(
        "intune",
        (
            "/deviceManagement",
            "/deviceAppManagement",
            f"/{_USER}/(mobileAppIntentAndStates|mobileAppTroubleshootingEvents"
            "|deviceManagementTroubleshootingEvents)",
        ),
    ),
    Rule("subscriptions", ("/subscriptions",)),
    Rule(
        "teams",
        (
            "/(teams|chats|teamwork|appCatalogs)",
            f"/{_USER}/(chats|teamwork|joinedTeams)",
            "/groups/{id}/team",
        ),
    ),
    Rule("planner", ("/planner", f"/{_OWNER}/planner")),
    Rule(
        "sharepoint-onedrive",
        ("/(sites|drives|drive|shares)", f"/{_OWNER}/(drive|drives)"),
    ),
    # The assignment service, a separate limit from education rostering.
    Rule(
        "education-assignments",
        (
            "/education/(classes/{id}|me|users/{id})/(assignments|assignmentCategories"
            "|assignmentDefaults|assignmentSettings|rubrics)",
        ),
    ),
    Rule("education", ("/education",)),
    # Outlook's resources: mail, calendar, personal contacts, Outlook tasks, people, photos;
    # group conversations are Outlook's too (Microsoft's 2017 Outlook throttling announcement).
    Rule(
        "outlook",
        (
            f"/{_OWNER}/(messages|mailFolders|events|calendar|calendars|calendarView"
            "|calendarGroups|contacts|contactFolders|inferenceClassification|outlook"
            "|mailboxSettings|people|photo|photos|conversations|threads)",
        ),
    ),
    Rule("security", ("/security",)),
    Rule("reports", ("/reports",)),
    Rule("information-protection", ("/informationProtection",)),
    # Identity and access: users, groups, applications, devices, policies, ... and, as the
    # last resort for a user or group path, the directory object itself.
    Rule(
        "directory",
        (
            "/(users|me|groups|applications|servicePrincipals|directory|directoryObjects"
            "|directoryRoles|directoryRoleTemplates|devices|organization|domains|contacts"
            "|contracts|policies|roleManagement|identity|oauth2PermissionGrants"
            "|administrativeUnits|groupLifecyclePolicies|groupSettings|groupSettingTemplates"
            "|subscribedSkus)",
        ),
    ),
)

# Every workload a path can map to, in table order; `other` (anything unmatched) last.
WORKLOADS: tuple[str, ...] = (
    *dict.fromkeys(r.workload for r in RULES if r.workload != OTHER),
    OTHER,
)


def workload_of(path: str) -> str:
    """`/deviceManagement/deviceConfigurations/{id}` -> `intune`; unknown paths -> `other`."""
    if not path.startswith("/"):
        path = "/" + path
    for rule in RULES:
        if rule.matches(path):
            return rule.workload
    return OTHER


def prefixes_of(workload: str) -> tuple[str, ...]:
    """The prefixes that lead to `workload`, in rule order (for the README table)."""
    return tuple(p for r in RULES if r.workload == workload for p in r.prefixes)
