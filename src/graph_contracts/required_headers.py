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
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graph_contracts.contracts import Contract

IF_MATCH = "If-Match"
ETAG = "@odata.etag"  # OData JSON 4.01 §4.5.10: the entity's ETag as control information
PREFER = "Prefer"
REPRESENTATION = "return=representation"  # OData 4.01 Part 1 §8.2.8.7
# Lower-cased names of the required headers the suite supplies itself.
SUPPLIED = frozenset({"authorization", "content-type", "accept", "if-match"})


def required(contract: Contract, name: str) -> bool:
    """Whether the contract's pages mark the header `name` Required (names are case-blind)."""
    return any(h.lower() == name.lower() for h in contract.headers)


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
    if not requires_etag(contract) or etag is None:
        return {}
    headers = {IF_MATCH: etag}
    if prefer:
        headers[PREFER] = REPRESENTATION
    return headers


def asked_representation(request_headers: Mapping[str, str]) -> bool:
    """Whether a request asked `Prefer: return=representation` (among other preferences)."""
    prefer = request_headers.get(PREFER.lower(), "") or request_headers.get(PREFER, "")
    return REPRESENTATION in prefer.replace(" ", "").lower()
