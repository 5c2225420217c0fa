"""HTTP preferences (RFC 7240): what every request of a run asks, and whether a reply applied it.

Every request carries `Prefer: include-unknown-enum-members`. Graph's evolvable enumerations end
their original members with the sentinel `unknownFutureValue`; a service replaces each member
declared after it with the sentinel in its replies, and refuses one in a request, unless the
request opts in with this preference; it then answers `Preference-Applied:
include-unknown-enum-members` (microsoft/api-guidelines, graph/patterns/evolvable-enums.md). The
suite writes those members and compares what comes back, so it opts in everywhere: PATCHes, the
GETs that judge them, discovery and the restore alike.

RFC 7240 §2: preferences are one header, comma separated (`Prefer: return=representation,
include-unknown-enum-members`), names case-insensitive; a server may ignore any of them, so
whether one was applied is read from `Preference-Applied` (§3), never assumed.
"""

from __future__ import annotations

from collections.abc import Mapping

PREFER = "Prefer"
APPLIED = "Preference-Applied"
INCLUDE_UNKNOWN_ENUM_MEMBERS = "include-unknown-enum-members"
# What every request of a run prefers (the client's default `Prefer`).
EVERY_REQUEST = (INCLUDE_UNKNOWN_ENUM_MEMBERS,)


def names(value: str | None) -> list[str]:
    """The preference names of a `Prefer` or `Preference-Applied` value, lower-cased, in order.

    `return=representation; x=1, include-unknown-enum-members` -> [`return`,
    `include-unknown-enum-members`]: a value or parameters do not change the name.
    """
    found = []
    for item in (value or "").split(","):
        name = item.split(";")[0].split("=")[0].strip().lower()
        if name and name not in found:
            found.append(name)
    return found


def combine(*values: str | None) -> str:
    """One `Prefer` value holding every preference given, each once (the first spelling wins)."""
    seen: set[str] = set()
    kept = []
    for value in values:
        for item in (value or "").split(","):
            item = item.strip()
            name = names(item)[0] if item else ""
            if name and name not in seen:
                seen.add(name)
                kept.append(item)
    return ", ".join(kept)


def asked(headers: Mapping[str, str], preference: str) -> bool:
    """Whether a request's headers prefer `preference` (by name)."""
    return preference.lower() in names(_header(headers, PREFER))


def applied(headers: Mapping[str, str], preference: str = INCLUDE_UNKNOWN_ENUM_MEMBERS) -> bool:
    """Whether a reply's headers say the service applied `preference` (RFC 7240 §3)."""
    return preference.lower() in names(_header(headers, APPLIED))


def _header(headers: Mapping[str, str], name: str) -> str:
    """A header's value, whatever the case of its name (httpx and Starlette headers ignore it)."""
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == name.lower()), "")
    return value
