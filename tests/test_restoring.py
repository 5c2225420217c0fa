"""`restoring.put_back`, the one routine that puts an entity back (the run's restores and
`graph-contracts restore`), against a service scripted request by request (httpx.MockTransport):
when a refused restore may be called "already as before", and which headers a restore sends.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import httpx
import pytest

from graph_contracts import restoring
from graph_contracts.client import GraphClient

PATH = "/things/1"
FOUND = {"id": "1", "name": "as found"}  # the snapshot
WRITTEN = {"id": "1", "name": "the run's last write"}


def differences(now: Mapping[str, Any]) -> list[str]:
    return [] if now.get("name") == FOUND["name"] else [f"name: {now.get('name')!r}"]


ENTITY = restoring.Snapshot(PATH, {"name": FOUND["name"]}, differences)


class Service:
    """GETs answer the states given, in order (the last one repeats); PATCHes `patch_status`."""

    def __init__(self, *states: dict[str, Any], patch_status: int = 400) -> None:
        self.states: Iterator[dict[str, Any]] = iter(states)
        self.last = states[-1]
        self.patch_status = patch_status
        self.sent: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        if request.method == "PATCH" and self.patch_status < 300:
            return httpx.Response(self.patch_status)
        if request.method == "PATCH":
            error = {"error": {"code": "BadRequest", "message": "refused"}}
            return httpx.Response(self.patch_status, json=error)
        self.last = next(self.states, self.last)
        return httpx.Response(200, json=self.last)

    def client(self) -> GraphClient:
        return GraphClient("http://svc", "v1.0", transport=httpx.MockTransport(self))

    def gets(self) -> int:
        return sum(r.method == "GET" for r in self.sent)


@pytest.mark.parametrize(
    ("written", "settled", "outcome"),
    [
        (False, True, restoring.ALREADY),  # nothing written: one GET as found proves it
        (True, True, restoring.REFUSED),  # written: a later GET in the window shows the write
        (True, False, restoring.REFUSED),  # a write may still land: no GET proves it
    ],
)
def test_a_refused_restore_is_already_as_before_only_where_the_gets_prove_it(
    written: bool, settled: bool, outcome: str
) -> None:
    """A read served by a replica that lags: the first GET after the refused restore still shows
    the entity as found, the next ones the run's write."""
    service = Service(FOUND, FOUND, WRITTEN)
    with service.client() as client:
        done = restoring.put_back(client, ENTITY, read_window=0.5, written=written, settled=settled)
    assert done.outcome == outcome, done
    assert "restore answered 400 BadRequest: refused" in done.message
    assert service.gets() == (3 if written else 1)


def test_an_entity_shown_as_before_through_the_window_is_already_as_before() -> None:
    service = Service(FOUND)
    with service.client() as client:
        done = restoring.put_back(client, ENTITY, read_window=0.3, written=True, settled=True)
    assert done.outcome == restoring.ALREADY and service.gets() > 1  # the whole window was read


def test_a_refused_restore_of_an_unsettled_entity_says_why_and_names_restore() -> None:
    service = Service(FOUND)
    with service.client() as client:
        done = restoring.put_back(client, ENTITY, read_window=0.0, written=True, settled=False)
    assert done.outcome == restoring.REFUSED and not done.settled
    assert "a write of the run may still be landing" in done.message
    assert "`graph-contracts restore`" in done.message


@pytest.mark.parametrize(
    ("required", "if_match"),
    [((), None), (("Authorization", "if-match"), 'W/"1"')],
    ids=["not-required", "required"],
)
def test_if_match_goes_only_where_the_pages_require_it(
    required: tuple[str, ...], if_match: str | None
) -> None:
    """The ETag a GET shows is sent only where the contract's pages require If-Match (header
    names are case-blind), whatever the entity carries."""
    tagged = {**WRITTEN, "@odata.etag": 'W/"1"'}
    service = Service(tagged, {**FOUND, "@odata.etag": 'W/"2"'}, patch_status=204)
    entity = restoring.Snapshot(PATH, {"name": FOUND["name"]}, differences, required)
    with service.client() as client:
        done = restoring.put_back(client, entity, read_window=0.0, check_first=True)
    assert done.outcome == restoring.RESTORED, done
    (patch,) = [r for r in service.sent if r.method == "PATCH"]
    assert patch.headers.get("if-match") == if_match
    assert json.loads(patch.content) == {"name": FOUND["name"]}
