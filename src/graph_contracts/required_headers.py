"""The request headers the docs require of a PATCH, and which of them the suite can send.

A page's "Request headers" table marks some headers Required (`Contract.headers`). The suite
sends Authorization (its auth), Content-Type (every body is JSON) and If-Match: the entity's
current `@odata.etag`, as Planner's and Dynamics 365 Business Central's pages require
(planner-overview.md, "Planner resource versioning": PATCH and DELETE must send the last known
ETag; without it, or with one that matches no version, 412 Precondition Failed). In the 2021-07
corpus no page requires any other header of a PATCH; one that did (a header the suite cannot make
up) makes its endpoint skipped with that reason, never failed.

Where If-Match is required, writes also ask `Prefer: return=representation`, as the docs' own
request examples do (plannertask-update.md): the pages document 200 with the entity for it
instead of 204, so the reply itself carries the new ETag the next write must send.

`patch` is the one way a PATCH goes out with these headers, the run's writes and every restore
alike (the run's, and `graph-contracts restore`'s from the journal, which records the contract's
required headers with each snapshot): If-Match only where the docs require it, never because an
entity happens to show an `@odata.etag` (Outlook's are weak, `W/"..."`, which RFC 7232 §3.1's
strong comparison for If-Match never matches), and a 412 read again and sent once more.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any, Protocol

import httpx

from graph_contracts.contracts import Contract

IF_MATCH = "If-Match"
ETAG = "@odata.etag"  # OData JSON 4.01 §4.5.10: the entity's ETag as control information
PREFER = "Prefer"
REPRESENTATION = "return=representation"  # OData 4.01 Part 1 §8.2.8.7
# Lower-cased names of the required headers the suite supplies itself.
SUPPLIED = frozenset({"authorization", "content-type", "accept", "if-match"})


def required(contract: Contract, name: str) -> bool:
    """Whether the contract's pages mark the header `name` Required (names are case-blind)."""
    return named(contract.headers, name)


def named(headers: Collection[str], name: str) -> bool:
    """Whether `name` is among these header names (case-blind, as HTTP field names are)."""
    return any(h.lower() == name.lower() for h in headers)


def requires_etag(contract: Contract) -> bool:
    """Every PATCH of this contract must carry the entity's current ETag in If-Match."""
    return required(contract, IF_MATCH)


def unsupplied(contract: Contract) -> list[str]:
    """Required headers the suite cannot send (its endpoints are skipped, never failed)."""
    return [h for h in contract.headers if h.lower() not in SUPPLIED]


def etag_of(entity: Mapping[str, Any] | None) -> str | None:
    """The `@odata.etag` an entity was read with, if any."""
    value = entity.get(ETAG) if entity is not None else None
    return value if isinstance(value, str) and value else None


def reply_etag(body: Any, headers: Mapping[str, str]) -> str | None:
    """The ETag a reply names: its body's `@odata.etag`, else its `ETag` header (RFC 7232 §2.3)."""
    found = etag_of(body) if isinstance(body, Mapping) else None
    return found or headers.get("etag") or None


def write_headers(contract: Contract, etag: str | None, *, prefer: bool = True) -> dict[str, str]:
    """The headers a PATCH of this contract carries beyond auth and Content-Type."""
    return _conditional(contract.headers, etag, prefer=prefer)


def _conditional(
    required_names: Collection[str], etag: str | None, *, prefer: bool
) -> dict[str, str]:
    if not named(required_names, IF_MATCH) or etag is None:
        return {}
    headers = {IF_MATCH: etag}
    if prefer:
        headers[PREFER] = REPRESENTATION
    return headers


class Patcher(Protocol):
    """What `patch` needs of a client (`client.GraphClient`)."""

    def patch(self, path: str, **kw: Any) -> httpx.Response: ...


def patch(
    client: Patcher,
    path: str,
    required_names: Collection[str],
    etag: str | None,
    read_etag: Callable[[], str | None],
    *,
    prefer: bool = False,
    **kwargs: Any,
) -> httpx.Response:
    """PATCH `path` with the headers its contract requires (`required_names`, the pages' Required
    request headers), beyond those in `kwargs`.

    Where If-Match is required it carries `etag`, and `prefer` asks for the representation. A
    412 means that ETag went stale: planner-overview.md asks clients to "read the resource again
    and get a new etag", so `read_etag()` reads it and the request is sent once more with it
    (only when it differs: the same ETag would get the same 412).
    """
    if not named(required_names, IF_MATCH):
        return client.patch(path, **kwargs)
    response = client.patch(
        path, **_with_headers(kwargs, _conditional(required_names, etag, prefer=prefer))
    )
    if response.status_code == 412:
        fresh = read_etag()
        if fresh is not None and fresh != etag:
            headers = _conditional(required_names, fresh, prefer=prefer)
            response = client.patch(path, **_with_headers(kwargs, headers))
    return response


def _with_headers(kwargs: dict[str, Any], headers: Mapping[str, str]) -> dict[str, Any]:
    return {**kwargs, "headers": {**(kwargs.get("headers") or {}), **headers}}


def asked_representation(request_headers: Mapping[str, str]) -> bool:
    """Whether a request asked `Prefer: return=representation` (among other preferences)."""
    prefer = request_headers.get(PREFER.lower(), "") or request_headers.get(PREFER, "")
    return REPRESENTATION in prefer.replace(" ", "").lower()
