"""Request headers: the names of those a page says are required.

`Contract.headers` lists them, spelled canonically (`Content-type` -> `Content-Type`: header names
are case-insensitive, RFC 9110 §5.1), so that a stage asking `"If-Match" in contract.headers`
finds Planner's required ETag however a page capitalizes it."""

from __future__ import annotations

import re

from ._cursor import Cursor
from ._markup import plain

HEADER_NAME = re.compile(r"^[A-Z][A-Za-z]*(?:-[A-Za-z]+)*$")
_REQUIRED = re.compile(r"\brequired\b", re.I)


def required_headers(rows: list[tuple[str, ...]]) -> list[str]:
    """Names of the request headers whose description says "required" (not "optional")."""
    out = []
    for c in rows:
        name, desc = plain(c[0]), " ".join(c[1:])
        if name and _REQUIRED.search(desc) and "optional" not in desc.lower():
            out.append(canonical(name))
    return out


def canonical(name: str) -> str:
    """`content-type` -> `Content-Type`: each hyphenated part capitalized, the rest as written."""
    return "-".join(part[:1].upper() + part[1:] for part in name.split("-"))


def add_headers(cur: Cursor, names: list[str]) -> None:
    for name in names:
        if name not in cur.page.headers:
            cur.page.headers.append(name)
