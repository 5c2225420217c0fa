"""Graph's naming rules in one place: path segments, singulars and camelCase.

Every stage that turns a path into a name asks here (extract names a page's resource and its
keys, splits shared pages, `paths` parses templates, the mock guesses a collection's element
type), so `workbook/tables` means `workbookTable` to each of them. Like httpx's `_urls.py`, one
module for one concept; it imports nothing of the package.

The spellings follow CSDL: type names start lower-case, whatever the first word
(`iPv6Range`, `oAuth2PermissionGrant`); path placeholders keep an acronym (`{UPN}`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_WORD_SPLIT = re.compile(r"[-_\s]+")


def segments(path: str) -> list[str]:
    """The non-empty segments of a template or path, without its query string."""
    return [s for s in path.strip().split("?")[0].split("/") if s]


def literal_segments(path: str) -> list[str]:
    """The segments that can name a type, call arguments cut (`range(address='{a}')` ->
    `range`): no key (`{id}`, `<id>`, `(id)`, `'{id}'`), cast or qualified name (a dot)."""
    return [head for head in map(_literal, segments(path)) if head]


def _literal(seg: str) -> str | None:
    """A segment's name when it can name a type (see `literal_segments`), else None."""
    head = seg.split("(", 1)[0] if "(" in seg else seg
    if head and head[0] not in "{<'" and "{" not in head and "." not in head:
        return head
    return None


def last_type_name(path: str) -> str | None:
    """The first of `path_type_names`, found from the end (every page asks; few ask more)."""
    for seg in reversed(path.split("?", 1)[0].split("/")):
        head = _literal(seg.strip()) if seg else None
        if head:
            return singular(head)
    return None


def path_type_names(path: str) -> Iterator[str]:
    """The type names a path spells, the likeliest first: its last literal segment singularized
    (`.../userStatuses/{id}` -> `userStatus`), as written when that differs (`mailboxSettings`),
    then prefixed by an earlier segment, the nearest first, singular and as written
    (`.../workbook/tables/{id}` -> `workbookTable`, `teams/{id}/tabs` -> `teamTab`, `teamsTab`).
    A generator: callers mostly stop at the first name."""
    literal = literal_segments(path)
    if not literal:
        return
    last = singular(literal[-1])
    yield last
    if literal[-1] != last:
        yield literal[-1]
    tail = upper_first(last)
    seen = {last, literal[-1]}
    for prefix in reversed(literal[:-1]):
        for name in (singular(prefix) + tail, prefix + tail):
            if name not in seen:
                seen.add(name)
                yield name


def singular(word: str) -> str:
    """Good-enough English singular for Graph segment names (`policies` -> `policy`)."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "uses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def type_name(name: str) -> str:
    """A name as CSDL spells a type: the first letter lower-case, always (`SharingLink` ->
    `sharingLink`, `IPv6Range` -> `iPv6Range`)."""
    return name[:1].lower() + name[1:]


def lower_first(name: str) -> str:
    """`WorkbookChart` -> `workbookChart`; an acronym (`UPN`, `IPv6Range`) is left alone."""
    if name[:1].isupper() and not name[1:2].isupper():
        return name[0].lower() + name[1:]
    return name


def upper_first(name: str) -> str:
    """`table` -> `Table`: the second word of a camelCase name."""
    return name[:1].upper() + name[1:]


def camel_words(name: str) -> str:
    """Words joined camelCase: `user-id`, `user_id`, `user id` -> `userId`."""
    if "-" not in name and "_" not in name and " " not in name and "\t" not in name:
        return name
    parts = _WORD_SPLIT.split(name)
    return parts[0] + "".join(upper_first(p) for p in parts[1:])


def is_camel_case(name: str) -> bool:
    """Whether a name has an inner capital, as a CSDL type name of two words or more has."""
    return any(c.isupper() for c in name[1:])
