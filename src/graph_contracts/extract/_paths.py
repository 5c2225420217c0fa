"""Path templates: version-free, with `{camelCaseId}` keys, and a key appended to collections.

A generic `<id>`/`{id}`/`(id)`/`{id | userPrincipalName}` is named from the preceding segment
singularized, except the last key, which is named after the contract's resource type.
`{user-id}`/`(team-id)` style names are camel-cased, and every name starts lower-case whatever
the page's casing (`{workbookChartGridlinesId}`: text pages write types in PascalCase). A name
used twice in one template is invalid (a router cannot tell the two apart), so a repeat is
named from its own segment, then numbered.

A PATCH template whose last segment looks plural gets `/{resourceId}` appended
("collection-path"). Plural-looking = ends in `s` but not `ss`/`us`/`is`, and is not a known
singleton or settings-like single-valued navigation (`settings`, `mailboxSettings`, ...), nor
shown single-valued by the page: a segment ending in the resource type's own last word
(`majorGridlines` of `workbookChartGridlines`: the type's name is plural-looking, not the
navigation) or one the resource page's relationship table lists without `collection`
(`listItem.fields`).

`/{property name}` after an entity addresses one of its stream properties (a media upload, not
a JSON PATCH): the template is cut before it ("stream-path").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from graph_contracts.contracts import Finding
from graph_contracts.docs import Page, PageError, decode
from graph_contracts.naming import camel_words, lower_first, singular

from ._files import read_bytes

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
PLACEHOLDER = re.compile(r"^(?:\{([^}]*)\}|<([^>]*)>|'\{([^}]*)\}'|\(([^()]*)\))$")
_INNER_PLACEHOLDER = re.compile(r"<([^>]*)>|\{([^}]*)\}")
_HOST = re.compile(r"^https?://[^/]+")
_VERSION_PREFIX = re.compile(r"^/(?:beta|v1\.0)(?=/|$)", re.I)  # Graph's routing ignores case
_PIPE_SPACES = re.compile(r"\s*\|\s*")
_LAST_WORD = re.compile(r"[A-Z]?[a-z0-9]+$")
_STREAM_PLACEHOLDER = re.compile(r"/[{<]\s*property[-_ ]?name\s*[}>]\s*$", re.I)

SingleValued = Callable[[str], bool]  # whether a navigation segment is single-valued


def page_paths(
    page: Page,
    short: str,
    shown: str,
    findings: list[Finding],
    single: SingleValued | None = None,
) -> list[str]:
    """The page's PATCH templates normalized for resource `short`, each once, in page order.

    `single` tells single-valued navigations (from the resource page), asked only when a
    template ends in a plural-looking segment."""
    out: list[str] = []
    for line, raw in page.paths:
        raw = _cut_stream(raw, shown, line, findings)
        path, appended = _normalized(raw, short)
        if appended and single is not None and single(path.rsplit("/", 2)[-2]):
            path = path.rsplit("/", 1)[0]
            appended = False
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


def single_valued(res_key: str | None) -> SingleValued | None:
    """The resource page's word on a navigation: single-valued when its relationship (or
    property) row names a type without `collection`. The page is read again only when asked,
    which is when a template ends in a plural-looking segment (a few dozen pages a corpus)."""
    if res_key is None:
        return None
    return functools.partial(_single_row, res_key)


def _single_row(res_key: str, segment: str) -> bool:
    want = segment.lower()
    for line in _page_lines(res_key):
        if want not in line.lower():
            continue
        cells = [c.strip().strip("*_ ") for c in line.strip().strip("|").split("|")]
        if len(cells) < 2:  # plain text: `name Type description...`
            cells = line.split(None, 3)
        if len(cells) >= 2 and cells[0].lower() == want:
            return "collection" not in " ".join(cells[1:3]).lower()
    return False


@functools.lru_cache(maxsize=256)
def _page_lines(key: str) -> tuple[str, ...]:
    try:
        return tuple(decode(read_bytes(key)).splitlines())
    except (OSError, PageError):
        return ()


def _cut_stream(raw: str, shown: str, line: int, findings: list[Finding]) -> str:
    """`raw` without a trailing `/{property name}` (a stream upload), reported."""
    if "roperty" not in raw:
        return raw
    cut = _STREAM_PLACEHOLDER.sub("", raw.rstrip().rstrip("/"))
    if cut == raw.rstrip().rstrip("/"):
        return raw
    why = f"{raw.strip()} uploads a stream property, not a JSON PATCH; template {cut} kept"
    findings.append(Finding("stream-path", "info", why, shown, line))
    return cut


@functools.lru_cache(maxsize=8192)
def _normalized(raw: str, resource: str) -> tuple[str, bool]:
    """`normalize_path`, memoized: beta and v1.0 pages repeat their templates (pure)."""
    return normalize_path(raw, resource)


def strip_url(url: str | None) -> str | None:
    """A URL or path without its host and `/beta` or `/v1.0` prefix (`/V1.0` too)."""
    if url is None:
        return None
    url = url.strip()
    if "://" in url:
        url = _HOST.sub("", url)
    return _VERSION_PREFIX.sub("", url) if url[:5].lower() in ("/beta", "/v1.0") else url


def normalize_path(raw: str, resource: str) -> tuple[str, bool]:
    """Version-free template with `{camelCaseId}` keys; True when a key segment was appended."""
    path = strip_url(raw) or ""
    path = path.split("?", 1)[0].strip().rstrip("/")
    if "|" in path:
        path = _PIPE_SPACES.sub("|", path)
    segments = [s for s in path.split("/") if s]
    matches = [PLACEHOLDER.match(seg) if seg[0] in "{<'(" else None for seg in segments]
    last_key = max((i for i, m in enumerate(matches) if m), default=-1)
    resource = lower_first(resource)
    out: list[str] = []
    names: set[str] = set()
    for i, (seg, m) in enumerate(zip(segments, matches, strict=True)):
        if not m:
            out.append(_segment(seg))
            continue
        name = next(g for g in m.groups() if g is not None).strip()
        if not _generic(name):
            name = lower_first(camel_words(name))
        elif i == last_key == len(segments) - 1:
            name = f"{resource}Id"
        else:
            name = f"{singular(_previous_segment(out))}Id"
        out.append("{" + _distinct(name, out, names) + "}")
    appended = bool(out) and _is_collection(out[-1]) and not _names_type(out[-1], resource)
    if appended:
        out.append("{" + _distinct(f"{resource}Id", out, names) + "}")
    return "/" + "/".join(out), appended


def _distinct(name: str, out: list[str], names: set[str]) -> str:
    """`name`, or when the template already has it, one named from its own segment, then
    numbered (`{todoTaskListId}` twice -> `.../tasks/{taskId}`); recorded in `names`."""
    if name in names:
        own = f"{singular(_previous_segment(out))}Id"
        name = (
            own
            if own not in names
            else next(f"{name}{n}" for n in range(2, len(out) + 3) if f"{name}{n}" not in names)
        )
    names.add(name)
    return name


def _names_type(seg: str, resource: str) -> bool:
    """Whether the segment ends in the resource type's last word (`majorGridlines` for
    `workbookChartGridlines`): the plural look is the type's own name, not a collection's."""
    m = _LAST_WORD.search(resource)
    return m is not None and len(m.group()) > 2 and seg.lower().endswith(m.group().lower())


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
    return "{" + camel_words(name) + "}"


def _generic(name: str) -> bool:
    return name.lower() in ("id", "key") or "|" in name or not name


def _previous_segment(out: list[str]) -> str:
    for seg in reversed(out):
        if not seg.startswith("{") and not seg.startswith("microsoft.graph."):
            return seg.split("(", 1)[0]
    return "resource"


def _is_collection(seg: str) -> bool:
    """Plural-looking and not a known singleton/single-valued navigation (see module doc)."""
    if seg.startswith(("{", "$")) or "(" in seg or "." in seg:
        return False
    if seg in SINGLETONS or seg.lower().endswith(("settings", "status", "analytics")):
        return False
    return singular(seg) != seg
