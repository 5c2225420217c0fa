"""Path templates: version-free, with `{camelCaseId}` keys, and a key appended to collections.

A generic `<id>`/`{id}`/`{id | userPrincipalName}` is named from the preceding segment
singularized, except the last key, which is named after the contract's resource type.
`{user-id}` style names are camel-cased. A PATCH template whose last segment looks plural gets
`/{resourceId}` appended ("collection-path"). Plural-looking = ends in `s` but not
`ss`/`us`/`is`, and is not a known singleton or settings-like single-valued navigation
(`settings`, `mailboxSettings`, ...).
"""

from __future__ import annotations

import functools
import re

from graph_contracts.contracts import Finding
from graph_contracts.docs import Page

SINGLETONS = frozenset(
    [
        "me",
        "settings",
        "mailboxSettings",
        "analytics",
        "insights",
        "status",
        "statistics",
        "directory",
        "reports",
        "outlook",
        "planner",
        "onenote",
        "todo",
        "admin",
        "communications",
        "education",
        "employeeExperience",
        "identityGovernance",
        "identityProtection",
        "informationProtection",
        "policies",
        "print",
        "privacy",
        "search",
        "security",
        "solutions",
        "teamwork",
        "windows",
        "appCatalogs",
        "places",
    ]
)
PLACEHOLDER = re.compile(r"^(?:\{([^}]*)\}|<([^>]*)>|'\{([^}]*)\}')$")
_INNER_PLACEHOLDER = re.compile(r"<([^>]*)>|\{([^}]*)\}")
_HOST = re.compile(r"^https?://[^/]+")
_VERSION_PREFIX = re.compile(r"^/(?:beta|v1\.0)(?=/|$)")
_PIPE_SPACES = re.compile(r"\s*\|\s*")
_WORD_SPLIT = re.compile(r"[-_\s]+")


def page_paths(page: Page, short: str, shown: str, findings: list[Finding]) -> list[str]:
    """The page's PATCH templates normalized for resource `short`, each once, in page order."""
    out: list[str] = []
    for line, raw in page.paths:
        path, appended = _normalized(raw, short)
        if appended:
            findings.append(
                Finding(
                    "collection-path",
                    "warning",
                    f"PATCH documented on collection path {raw.strip()}; key segment added: {path}",
                    shown,
                    line,
                )
            )
        if path not in out:
            out.append(path)
    return out


@functools.lru_cache(maxsize=8192)
def _normalized(raw: str, resource: str) -> tuple[str, bool]:
    """`normalize_path`, memoized: beta and v1.0 pages repeat their templates (pure)."""
    return normalize_path(raw, resource)


def strip_url(url: str | None) -> str | None:
    """A URL or path without its host and `/beta` or `/v1.0` prefix."""
    if url is None:
        return None
    url = url.strip()
    if "://" in url:
        url = _HOST.sub("", url)
    return _VERSION_PREFIX.sub("", url) if url.startswith(("/beta", "/v1.0")) else url


def normalize_path(raw: str, resource: str) -> tuple[str, bool]:
    """Version-free template with `{camelCaseId}` keys; True when a key segment was appended."""
    path = strip_url(raw) or ""
    path = path.split("?", 1)[0].strip().rstrip("/")
    if "|" in path:
        path = _PIPE_SPACES.sub("|", path)
    segments = [s for s in path.split("/") if s]
    matches = [PLACEHOLDER.match(seg) if seg[0] in "{<'" else None for seg in segments]
    last_key = max((i for i, m in enumerate(matches) if m), default=-1)
    out: list[str] = []
    for i, (seg, m) in enumerate(zip(segments, matches, strict=True)):
        if not m:
            out.append(_segment(seg))
            continue
        g1, g2, g3 = m.groups()  # exactly one of the three forms matched
        name = (g1 if g1 is not None else g2 if g2 is not None else g3).strip()
        if not _generic(name):
            name = _camel(name)
        elif i == last_key == len(segments) - 1:
            name = f"{resource}Id"
        else:
            name = f"{singular(_previous_segment(out))}Id"
        out.append("{" + name + "}")
    appended = bool(out) and _is_collection(out[-1])
    if appended:
        out.append("{" + resource + "Id}")
    return "/" + "/".join(out), appended


def _segment(seg: str) -> str:
    """A segment that is no placeholder itself, with the placeholders inside it named."""
    if "(" not in seg:
        return seg
    return _INNER_PLACEHOLDER.sub(lambda m: _inner_name(m, seg), seg)


def _inner_name(m: re.Match[str], seg: str) -> str:
    """Placeholders inside a function/key segment: `range(<address>)`, `items('{id}')`."""
    name = (m.group(1) if m.group(1) is not None else m.group(2)).strip()
    if _generic(name):
        return "{" + singular(seg.split("(", 1)[0]) + "Id}"
    return "{" + _camel(name) + "}"


def _generic(name: str) -> bool:
    return name.lower() in ("id", "key") or "|" in name or not name


def _camel(name: str) -> str:
    if "-" not in name and "_" not in name and " " not in name and "\t" not in name:
        return name
    parts = _WORD_SPLIT.split(name)
    return parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])


def _previous_segment(out: list[str]) -> str:
    for seg in reversed(out):
        if not seg.startswith("{") and not seg.startswith("microsoft.graph."):
            return seg.split("(", 1)[0]
    return "resource"


def singular(word: str) -> str:
    """Good-enough English singular for Graph segment names (`policies` -> `policy`)."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "uses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _is_collection(seg: str) -> bool:
    """Plural-looking and not a known singleton/single-valued navigation (see module doc)."""
    if seg.startswith(("{", "$")) or "(" in seg or "." in seg:
        return False
    if seg in SINGLETONS or seg.lower().endswith(("settings", "status", "analytics")):
        return False
    return singular(seg) != seg
