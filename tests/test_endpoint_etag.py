"""The suite sends what the docs require: If-Match with the current ETag, Prefer with it.

Planner's pages require `If-Match: <last known ETag>` on every PATCH (planner-overview.md: 412
without it, or with one that matches no version). The engine runs a Planner endpoint against the
mock, which is strict (only the current ETag matches), and every request is recorded: no PATCH
goes without the ETag, none gets a 412, the documented 204 becomes 200 where `Prefer:
return=representation` is asked (the pages say so), and the task is put back. An endpoint whose
pages require a header the suite cannot supply is skipped with the reason, having sent nothing.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from test_mock_etag import planner_contracts

from graph_contracts import journal, required_headers
from graph_contracts.auth import StaticToken
from graph_contracts.client import GraphClient, InProcessTransport
from graph_contracts.contracts import Contract
from graph_contracts.discovery import Discoverer
from graph_contracts.engine import Endpoint, EndpointRun, Settings
from graph_contracts.engine.endpoint import SCHEMATHESIS_CHECKS
from graph_contracts.engine.events import EndpointInfo, EntitySnapshotTaken, RunStarted
from graph_contracts.engine.results import RunInfo
from graph_contracts.engine.target import SERVICE
from graph_contracts.mock import create_app
from graph_contracts.required_headers import ETAG

SEED = 7
BASE = "http://mock"


class Recording(httpx.BaseTransport):
    """The in-process mock, with every request and its reply kept in order."""

    def __init__(self, app) -> None:
        self.inner = InProcessTransport(app)
        self.exchanges: list[tuple[httpx.Request, httpx.Response]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        response.read()
        self.exchanges.append((request, response))
        return response

    def patches(self) -> list[tuple[httpx.Request, httpx.Response]]:
        return [(q, r) for q, r in self.exchanges if q.method == "PATCH"]


@pytest.fixture(scope="module")
def planner(corpus: Path) -> dict[str, Contract]:
    return planner_contracts(corpus)


def engine(contract: Contract, app, **settings) -> tuple[EndpointRun, Recording, GraphClient]:
    recording = Recording(app)
    client = GraphClient(BASE, contract.version, auth=StaticToken("t"), transport=recording)
    config = Settings(max_examples=3, seed=SEED, read_window=0.5, **settings)
    run = EndpointRun(Endpoint(contract, contract.paths[0]), client, Discoverer(client), config)
    return run, recording, client


def judged(results) -> dict[str, str]:
    return {r.check: r.outcome for r in results if r.check not in SCHEMATHESIS_CHECKS}


@pytest.mark.parametrize("strict", [False, True], ids=["tolerant", "strict"])
def test_every_planner_patch_carries_the_current_etag_and_every_check_passes(planner, strict):
    task = planner["plannerTask"]
    app = create_app(list(planner.values()), token="t")
    run, recording, client = engine(task, app, strict=strict)
    path = Discoverer(client).resolve(task.paths[0]).path
    before = client.get(path).json()
    results = run.run()
    after = client.get(path).json()
    client.close()

    assert set(judged(results).values()) == {"passed"}, [
        (r.check, r.message) for r in results if r.outcome == "failed"
    ]
    status = next(r for r in results if r.check == "status")
    assert status.deviation is None  # 200 is what the page documents when representation is asked
    patches = recording.patches()
    assert len(patches) > 10
    assert all(q.headers.get("if-match", "").startswith('W/"') for q, _ in patches)
    assert [r.status_code for _, r in patches].count(412) == 0
    writes = [(q, r) for q, r in patches if r.status_code in (200, 204)]
    asked = [q for q, _ in writes if required_headers.asked_representation(q.headers)]
    assert asked and all(r.status_code == 200 for q, r in writes if q in asked)
    unknown = [q for q, r in patches if r.status_code == 404]
    assert unknown and all(q.headers["if-match"] for q in unknown)
    assert run.left_changed == []
    assert {k: v for k, v in after.items() if k != ETAG} == {
        k: v for k, v in before.items() if k != ETAG
    }
    assert after[ETAG] != before[ETAG]  # the restore was a write, as Planner counts them


def test_a_stale_etag_is_read_again_and_sent_once_more(planner):
    """Someone else writes the task mid-run: the next PATCH gets 412, the engine reads the task
    again for its new ETag (planner-overview.md: "read the resource again and get a new etag")."""
    task = planner["plannerTask"]
    app = create_app(list(planner.values()), token="t")
    run, recording, client = engine(task, app)
    other = GraphClient(BASE, "v1.0", auth=StaticToken("t"), transport=InProcessTransport(app))
    original_write = run.write
    writes = 0

    def meddling_write(body, source):
        nonlocal writes
        writes += 1
        if writes == 2:  # another client's write renews the ETag the engine holds
            assert run.ctx is not None
            other.patch(run.ctx.path, json={}, headers={"If-Match": "*"})
        original_write(body, source)

    run.write = meddling_write
    results = run.run()
    client.close()
    other.close()
    assert set(judged(results).values()) == {"passed"}
    statuses = [r.status_code for _, r in recording.patches()]
    assert statuses.count(412) == 1
    refused = statuses.index(412)
    assert statuses[refused + 1] == 200  # the same body again, with the ETag read anew
    assert run.left_changed == []


def test_planner_passes_under_eventual_consistency_without_a_refused_patch(planner):
    """For 0.3 s after a write a GET shows the old task, old ETag included: an operational fault,
    so every check passes and no PATCH is refused for a stale ETag."""
    task = planner["plannerTask"]
    app = create_app(list(planner.values()), token="t", faults=["eventual-consistency"])
    run, recording, client = engine(task, app)
    results = run.run()
    client.close()
    assert set(judged(results).values()) == {"passed"}
    assert [r.status_code for _, r in recording.patches()].count(412) == 0


def test_a_required_header_the_suite_cannot_supply_skips_the_endpoint_unsent(planner):
    """No 2021-07 page requires another header of a PATCH; this one is made up to prove the rule."""
    task = replace(planner["plannerTask"], headers=["Authorization", "Workbook-Session-Id"])
    run, recording, client = engine(task, create_app([task], token="t"))
    results = run.run()
    client.close()
    assert {r.outcome for r in results} == {"skipped"}
    reason = "the docs require the request header Workbook-Session-Id, which the suite cannot"
    assert all(r.message.startswith(reason) for r in results)
    assert recording.exchanges == []


def test_an_entity_without_an_etag_where_if_match_is_required_is_skipped(planner, seeds):
    """A service that gives no `@odata.etag` leaves the suite nothing to send: skipped, not failed."""
    contract = next(c for c in seeds if c.name == "deviceConfigurationUserStatus")
    requiring = replace(contract, headers=[*contract.headers, "If-Match"])
    run, recording, client = engine(requiring, create_app([contract], token="t"))
    results = run.run()
    client.close()
    assert {r.outcome for r in results} == {"skipped"}
    assert "carries no @odata.etag" in results[0].message
    assert recording.patches() == []


@pytest.fixture(scope="module")
def seeds() -> list[Contract]:
    from graph_contracts import contracts as contract_files

    return contract_files.load(Path(__file__).resolve().parent.parent / "contracts")


def test_restore_from_a_journal_sends_the_etag_it_reads(planner, tmp_path):
    """A run killed after changing a task: `restore` reads the task and PATCHes with its ETag."""
    task = planner["plannerTask"]
    app = create_app(list(planner.values()), token="t")
    recording = Recording(app)
    client = GraphClient(BASE, "v1.0", auth=StaticToken("t"), transport=recording)
    path = Discoverer(client).resolve(task.paths[0]).path
    before = client.get(path).json()
    changed = client.patch(path, json={"title": "left by a killed run"}, headers={"If-Match": "*"})
    assert changed.status_code == 204

    file = tmp_path / journal.NAME
    handler = journal.Journal(file)
    handler.handle(RunStarted(_run_info()))
    info = EndpointInfo(task.id, "v1.0", task.paths[0], "planner", 1, 1)
    restore = {"title": before["title"]}
    headers = tuple(task.headers)  # what the run records: the pages require If-Match
    handler.handle(EntitySnapshotTaken(info, BASE, "v1.0", path, before, restore, headers))
    handler.close()
    (outcome,) = journal.restore(file, {"v1.0": client}, read_window=0.5)
    now = client.get(path).json()
    client.close()
    assert outcome.outcome == journal.RESTORED, outcome.message
    assert now["title"] == before["title"]
    restore_patch = recording.patches()[-1][0]
    assert restore_patch.headers["if-match"] == changed.headers["etag"]


def _run_info() -> RunInfo:
    return RunInfo(
        tool_version="0.1.0",
        target=BASE,
        target_kind=SERVICE,
        api_versions=("v1.0",),
        seed=SEED,
        started="2026-01-01T00:00:00Z",
        mode="tolerant",
        plan="full",
        max_examples=1,
        contracts=1,
        endpoints=1,
    )
