"""Putting one entity back as a run found it: the routine the run and `graph-contracts restore` share.

Both put back the same thing (a snapshot's updatable properties) on the same service, so they do it
one way: PATCH the restore body with the headers the contract's pages require (`required_headers`:
If-Match only where they require it, a 412 read again and sent once more), then GET until the
entity shows the snapshot or the read window closes. Requests are retried by the client's one
policy (`client`); what still fails raises `RequestFailed`, and the caller decides what a target
error costs (the run waits for the target, `restore` goes on to the next entity). The callers differ
only in what they know:

- `check_first`: GET before writing; an entity already as the snapshot is not PATCHed (`restore`
  after a crash; the run when every write was refused, or after a target error);
- `written`: a write of the run may have changed the entity. A refused restore is "already as
  before" when a GET shows the snapshot: one GET if nothing was written, else every GET over the
  read window (an eventually consistent read may still show the entity as it was);
- `settled`: no write of the run may still be landing (the run's `ctx.settled`: every read was
  waited for). While one may, no GET proves the entity is as before: it is never "already as
  before" then, and the journal stays open.

A conditional restore PATCH (If-Match) whose reply was lost is not sent twice by the client (the
first attempt may have changed the ETag); it is read back instead: as the snapshot, it took; if not,
it is sent once more with the ETag the entity has now.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from graph_contracts import checks, required_headers
from graph_contracts.client import GraphClient, RequestFailed

RESTORED = "restored"
ALREADY = "already as before"
REFUSED = "refused"
NOT_VERIFIED = "not verified"
GONE = "gone"
# Outcomes after which nothing of the run is left on the entity.
SETTLED = frozenset({RESTORED, ALREADY, GONE})
POLL_INTERVAL = 0.1  # seconds between GETs while a restore is not yet visible


@dataclass(frozen=True)
class Snapshot:
    """One entity to put back: where, the body that does it, and how to tell it is back.

    `differences(entity)`: what a GET's entity still has unlike the snapshot (empty: as before);
    `required`: the request headers the contract's pages require (`Contract.headers`).
    """

    path: str
    body: Mapping[str, Any]
    differences: Callable[[Mapping[str, Any]], list[str]]
    required: Collection[str] = ()


@dataclass(frozen=True)
class PutBack:
    """What putting one entity back came to."""

    outcome: str  # restored | already as before | refused | not verified | gone
    message: str

    @property
    def settled(self) -> bool:
        return self.outcome in SETTLED


def put_back(
    client: GraphClient,
    entity: Snapshot,
    *,
    read_window: float,
    check_first: bool = False,
    written: bool = True,
    settled: bool = True,
    on_patch: Callable[[], None] = lambda: None,
) -> PutBack:
    """Put `entity` back (module docstring); raises RequestFailed for a target error.

    `on_patch` hears of every restore PATCH before it is sent (the run counts them).
    """
    conditional = required_headers.named(entity.required, required_headers.IF_MATCH)
    etag: str | None = None
    if check_first or conditional:
        response, current = _read(client, entity.path)
        if current is None:
            return _unreadable(response, "GET")
        if check_first and settled and not entity.differences(current):
            return PutBack(ALREADY, "a GET shows the snapshot")
        etag = required_headers.etag_of(current) if conditional else None
    try:
        response = _patch(client, entity, etag, on_patch)
    except RequestFailed:
        if etag is None:  # not conditional: the client retried it already, a target error
            raise
        response = _read_back(client, entity, on_patch, settled=settled)
        if isinstance(response, PutBack):
            return response
    return _judged(client, entity, response, read_window, written=written, settled=settled)


def _judged(
    client: GraphClient,
    entity: Snapshot,
    response: httpx.Response,
    read_window: float,
    *,
    written: bool,
    settled: bool,
) -> PutBack:
    """What the restore PATCH's reply and the GETs after it say."""
    if response.status_code >= 300:
        return _refused(client, entity, response, read_window, written=written, settled=settled)
    still = _still_different(client, entity, read_window)
    if still:
        return PutBack(NOT_VERIFIED, "a GET after the restore shows " + "; ".join(still))
    return PutBack(RESTORED, "checked with a GET")


def _patch(
    client: GraphClient, entity: Snapshot, etag: str | None, on_patch: Callable[[], None]
) -> httpx.Response:
    """The restore PATCH, as `required_headers.patch` sends every PATCH (a 412: once more)."""

    def read_etag() -> str | None:
        return required_headers.etag_of(_read(client, entity.path)[1])

    counted = _Counted(client, on_patch)
    body = dict(entity.body)
    return required_headers.patch(counted, entity.path, entity.required, etag, read_etag, json=body)


@dataclass(frozen=True)
class _Counted:
    """The client, each PATCH announced before it is sent (`required_headers.patch` may send two)."""

    client: GraphClient
    on_patch: Callable[[], None]

    def patch(self, path: str, **kw: Any) -> httpx.Response:
        self.on_patch()
        return self.client.patch(path, **kw)


def _read_back(
    client: GraphClient, entity: Snapshot, on_patch: Callable[[], None], *, settled: bool
) -> PutBack | httpx.Response:
    """A conditional restore PATCH whose reply was lost: it may have been applied, and the client
    does not send it twice (its ETag may be gone). Read back: as the snapshot, it took; else it is
    sent once more with the ETag the entity has now (its reply; a second loss is a target error)."""
    response, current = _read(client, entity.path)
    if current is None:
        return _unreadable(response, "GET")
    if settled and not entity.differences(current):
        return PutBack(ALREADY, "a GET shows the snapshot (the restore PATCH's reply was lost)")
    return _patch(client, entity, required_headers.etag_of(current), on_patch)


def _refused(
    client: GraphClient,
    entity: Snapshot,
    response: httpx.Response,
    read_window: float,
    *,
    written: bool,
    settled: bool,
) -> PutBack:
    """A restore the service refused is "already as before" only where GETs prove it (module
    docstring); a 404 with an OData error body is an entity gone since."""
    refused = f"restore answered {checks.describe(response)}"
    if _first_difference(client, entity, read_window if written else 0.0):
        return _unreadable(response, "restore")
    if not settled:
        return PutBack(
            REFUSED,
            f"{refused}; a GET shows it as before, but a write of the run may still be landing "
            "(a read was not waited for): check it, then run `graph-contracts restore` with "
            "this run's journal",
        )
    return PutBack(ALREADY, f"a GET shows it as before ({refused})")


def _unreadable(response: httpx.Response, what: str) -> PutBack:
    """An entity a request could not reach: gone (a 404 in OData's error shape), else refused."""
    told = f"{what} answered {checks.describe(response)}"
    if response.status_code == 404 and not checks.error_problems(response):
        return PutBack(GONE, told)
    return PutBack(REFUSED, told)


def _read(client: GraphClient, path: str) -> tuple[httpx.Response, dict[str, Any] | None]:
    return checks.read_entity(client, path)


def _shown(client: GraphClient, entity: Snapshot) -> list[str]:
    """What one GET shows still differing from the snapshot (the GET itself, if it failed)."""
    response, current = _read(client, entity.path)
    if current is None:
        return [f"GET answered {checks.describe(response)}"]
    return entity.differences(current)


def _still_different(client: GraphClient, entity: Snapshot, window: float) -> list[str]:
    """After a restore: GET until the entity shows the snapshot or the window closes."""
    return _poll(client, entity, window, until_same=True)


def _first_difference(client: GraphClient, entity: Snapshot, window: float) -> list[str]:
    """After a refused restore: every GET within the window must show the snapshot; the first
    that does not is returned (one GET when the window is 0)."""
    return _poll(client, entity, window, until_same=False)


def _poll(client: GraphClient, entity: Snapshot, window: float, *, until_same: bool) -> list[str]:
    deadline = time.monotonic() + window
    while True:
        still = _shown(client, entity)
        if bool(still) != until_same or time.monotonic() >= deadline:
            return still
        time.sleep(POLL_INTERVAL)
