"""The write-ahead journal and `restore`: nothing stays changed after a crash once restore has run.

The journal is fed by the real engine where the order of writes matters (fsync before the next
PATCH, a crash mid-run), and by the events the engine emits where a test needs one situation
exactly (a restore the run could not do, a secret in an entity). `restore` runs against the
in-process mock after entities were PATCHed behind the journal's back.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from servers import mock_process

from graph_contracts import contracts as contract_files
from graph_contracts import journal, strategies
from graph_contracts.auth import StaticToken
from graph_contracts.client import GraphClient, GraphContractsError, InProcessTransport
from graph_contracts.contracts import Contract
from graph_contracts.discovery import Discoverer, Resolved
from graph_contracts.engine import Run, RunConfig
from graph_contracts.engine.events import (
    EndpointInfo,
    EntityRestored,
    EntitySnapshotTaken,
    RestoreFailed,
    RunFinished,
    RunStarted,
)
from graph_contracts.engine.results import RunInfo, Totals
from graph_contracts.engine.target import EMBEDDED, SERVICE, Target
from graph_contracts.mock import create_app

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "journal-test-token-4f2a9c"
BASE = "http://mock.test"
USER_STATUS = "beta/deviceConfigurationUserStatus"


@pytest.fixture(scope="module")
def contracts() -> list[Contract]:
    return contract_files.load(ROOT / "contracts")


def contract_of(contracts: list[Contract], contract_id: str) -> Contract:
    return next(c for c in contracts if c.id == contract_id)


def without_property(contracts: list[Contract], contract_id: str, name: str) -> list[Contract]:
    """The same contracts, one property gone: a service whose schema changed since the run."""
    return [
        replace(c, properties=[p for p in c.properties if p.name != name])
        if c.id == contract_id
        else c
        for c in contracts
    ]


@dataclass
class Mock:
    """One mock Graph and a client per API version on it (in-process, no sockets)."""

    app: Any
    clients: dict[str, GraphClient]

    def client(self, version: str = "beta") -> GraphClient:
        return self.clients[version]

    def get(self, path: str, version: str = "beta") -> dict[str, Any]:
        response = self.client(version).get(path)
        assert response.status_code == 200, response.text
        return response.json()

    def patch(self, path: str, body: dict[str, Any], version: str = "beta") -> None:
        response = self.client(version).patch(path, json=body)
        assert response.status_code == 200, response.text

    @property
    def requests(self) -> int:
        return sum(c.retries.requests for c in self.clients.values())

    def close(self) -> None:
        for client in self.clients.values():
            client.close()


def mock_graph(
    contracts: list[Contract],
    *,
    faults: tuple[str, ...] = (),
    token: str = TOKEN,
    wrap: Callable[[httpx.BaseTransport], httpx.BaseTransport] | None = None,
) -> Mock:
    app = create_app(contracts, token=TOKEN, faults=faults)
    inner = InProcessTransport(app)
    wire = wrap(inner) if wrap else inner
    auth = StaticToken(token)
    versions = sorted({c.version for c in contracts})
    return Mock(app, {v: GraphClient(BASE, v, auth=auth, transport=wire) for v in versions})


@pytest.fixture
def mock(contracts: list[Contract]) -> Iterator[Mock]:
    graph = mock_graph(contracts)
    yield graph
    graph.close()


def entities(mock: Mock, contract: Contract, template: int = 0) -> tuple[str, str]:
    """Two entities the template reaches on the mock: (entity, sibling)."""
    found = Discoverer(mock.client(contract.version), {}).resolve(
        contract.paths[template], contract.odata_type
    )
    assert isinstance(found, Resolved) and found.sibling is not None, found
    return found.path, found.sibling


def unknown(path: str) -> str:
    return f"{path.rpartition('/')[0]}/{uuid.uuid4()}"


# --- events as the engine emits them -----------------------------------------------------------


def run_info(kind: str = SERVICE) -> RunInfo:
    return RunInfo(
        tool_version="0.1.0",
        target=BASE,
        target_kind=kind,
        api_versions=("beta",),
        seed=7,
        started="2026-01-01T00:00:00Z",
        mode="tolerant",
        plan="full",
        max_examples=1,
        contracts=1,
        endpoints=1,
    )


def endpoint(contract: Contract, template: int = 0) -> EndpointInfo:
    return EndpointInfo(contract.id, contract.version, contract.paths[template], "intune", 1, 1)


def restore_body(contract: Contract, state: dict[str, Any]) -> dict[str, Any]:
    """The body the engine's restore PATCHes: updatable properties (and `@odata.type` if sent)."""
    body = {p.name: state[p.name] for p in contract.updatable() if p.name in state}
    if body and strategies.sends_odata_type(contract):
        body = {"@odata.type": state.get("@odata.type") or contract.odata_type, **body}
    return body


def snapshot_event(
    contract: Contract, path: str, state: dict[str, Any], base_url: str = BASE
) -> EntitySnapshotTaken:
    body = restore_body(contract, state)
    return EntitySnapshotTaken(
        endpoint(contract), base_url, contract.version, path, state, body, tuple(contract.headers)
    )


def finished(outcome: str = "passed", left_changed: tuple[str, ...] = ()) -> RunFinished:
    when = "2026-01-01T00:01:00Z"
    return RunFinished(run_info(), outcome, Totals(), 1.0, when, left_changed=left_changed)


def journal_of(
    tmp_path: Path, contract: Contract, snapshots: dict[str, dict[str, Any]], kind: str = SERVICE
) -> Path:
    """A journal as a run killed after taking these snapshots leaves it (no restore, no close)."""
    path = tmp_path / journal.NAME
    handler = journal.Journal(path)
    handler.handle(RunStarted(run_info(kind)))
    for entity_path, state in snapshots.items():
        handler.handle(snapshot_event(contract, entity_path, state))
    handler.close()
    return path


def as_before(restore: dict[str, Any], now: dict[str, Any]) -> bool:
    """The entity shows every restore property as snapshotted (the mock replies canonically)."""
    return all(now.get(k) == v for k, v in restore.items() if not k.startswith("@"))


def records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# --- the engine writes ahead -----------------------------------------------------------------


class Crash(BaseException):
    """The process dies: nothing after it runs (a BaseException, as SIGKILL stops everything)."""


class Recording(httpx.BaseTransport):
    """Logs each request before sending it on; dies (Crash) at the PATCH after `crash_after`."""

    def __init__(
        self, inner: httpx.BaseTransport, log: list[tuple[str, Any]], crash_after: int | None
    ) -> None:
        self.inner, self.log, self.crash_after = inner, log, crash_after
        self.patches = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PATCH":
            if self.crash_after is not None and self.patches >= self.crash_after:
                raise Crash
            self.patches += 1
        self.log.append((request.method, request.url.path))
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def recording(
    log: list[tuple[str, Any]], crash_after: int | None = None
) -> Callable[[httpx.BaseTransport], httpx.BaseTransport]:
    return lambda inner: Recording(inner, log, crash_after)


def engine_run(contracts: list[Contract], graph: Mock, handler: journal.Journal) -> Run:
    config = RunConfig(base_url=BASE, max_examples=1, seed=3, schemathesis=0, read_window=0)
    target = Target(BASE, SERVICE, graph.clients, StaticToken(TOKEN), [TOKEN])
    return Run(config, contracts, handlers=[handler], target=target)


def snapshots_in(text: str) -> set[tuple[str, str]]:
    found = set()
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if record.get("kind") == "snapshot":
            found.add((record["version"], record["path"]))
    return found


def test_snapshot_is_fsynced_before_the_first_patch_of_its_entity(
    contracts: list[Contract], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log: list[tuple[str, Any]] = []
    real_fsync = os.fsync

    def spying_fsync(fd: int) -> None:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            log.append(("fsync-dir", None))
        else:  # what is in the file at the moment it is made durable
            log.append(("fsync", os.pread(fd, 10**8, 0).decode("utf-8")))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", spying_fsync)
    chosen = [contract_of(contracts, USER_STATUS)]
    graph = mock_graph(chosen, wrap=recording(log))
    path = tmp_path / journal.NAME
    run = engine_run(chosen, graph, journal.Journal(path))
    try:
        run.execute()
    finally:
        graph.close()
    assert run.finished is not None and run.finished.outcome == "passed", run.finished

    journaled = snapshots_in(path.read_text(encoding="utf-8"))
    durable: set[tuple[str, str]] = set()
    checked = 0
    for what, detail in log:
        if what == "fsync":
            durable |= snapshots_in(detail)
        elif what == "PATCH" and ("beta", detail.removeprefix("/beta")) in journaled:
            checked += 1
            assert ("beta", detail.removeprefix("/beta")) in durable, f"PATCH {detail} unjournaled"
    assert checked > 20  # every write of every endpoint, not one lucky request
    first_fsyncs = [what for what, _ in log if what.startswith("fsync")][:2]
    assert first_fsyncs == ["fsync", "fsync-dir"]  # the header, then the new directory entry


def test_a_finished_run_closes_its_journal_and_no_token_is_written(
    contracts: list[Contract], tmp_path: Path
) -> None:
    chosen = [contract_of(contracts, USER_STATUS)]
    graph = mock_graph(chosen)
    path = tmp_path / journal.NAME
    run = engine_run(chosen, graph, journal.Journal(path, secrets=lambda: (TOKEN,)))
    try:
        run.execute()
    finally:
        graph.close()
    state = journal.read(path)
    assert state.closed and not state.pending and state.snapshots == 20  # 10 paths, 2 entities
    assert state.header is not None and state.header["target"] == BASE
    assert [r["kind"] for r in records(path)][-2:] == ["finished", "closed"]
    assert TOKEN not in path.read_text(encoding="utf-8")
    assert journal.refusal(tmp_path) is None and not journal.is_unclosed(tmp_path)


def test_a_crash_mid_run_leaves_an_open_journal_that_restore_settles(
    contracts: list[Contract], tmp_path: Path
) -> None:
    chosen = [contract_of(contracts, USER_STATUS)]
    dying = mock_graph(chosen, wrap=recording([], crash_after=3))
    path = tmp_path / journal.NAME
    with pytest.raises(Crash):
        engine_run(chosen, dying, journal.Journal(path)).execute()
    dying.close()

    state = journal.read(path)
    assert not state.closed and len(state.pending) == 2  # the entity and its sibling
    entity = state.pending[0].snapshot
    # The same service, seen by the `restore` process: a new client, a new transport.
    client = GraphClient(
        BASE, "beta", auth=StaticToken(TOKEN), transport=InProcessTransport(dying.app)
    )
    healthy = Mock(dying.app, {"beta": client})
    try:
        assert not as_before(entity.restore, healthy.get(entity.path))  # left changed
        refusal = journal.refusal(tmp_path)
        assert refusal is not None and f"graph-contracts restore {path}" in refusal

        outcomes = journal.restore(path, healthy.clients, read_window=1)
        assert [o.outcome for o in outcomes] == [journal.RESTORED, journal.ALREADY]
        for pending in state.pending:
            now = healthy.get(pending.path)
            assert as_before(pending.snapshot.restore, now)
        assert journal.read(path).closed and journal.refusal(tmp_path) is None
    finally:
        healthy.close()


def test_a_journal_that_cannot_be_written_stops_the_run_before_any_patch(
    contracts: list[Contract], tmp_path: Path
) -> None:
    chosen = [contract_of(contracts, USER_STATUS)]
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    graph = mock_graph(chosen)
    run = engine_run(chosen, graph, journal.Journal(blocker / journal.NAME))
    try:
        run.execute()
    finally:
        graph.close()
    assert run.exit_code() == 2
    assert run.finished is not None and f"{blocker / journal.NAME}: cannot create" in (
        run.finished.message
    )
    assert run.finished.totals.requests == 0


# --- the handler alone -----------------------------------------------------------------------


def test_a_snapshot_is_on_disk_when_the_handler_returns(
    contracts: list[Contract], mock: Mock, tmp_path: Path
) -> None:
    contract = contract_of(contracts, USER_STATUS)
    entity, _ = entities(mock, contract)
    path = tmp_path / "deep" / "journal.jsonl"
    handler = journal.Journal(path)
    handler.handle(RunStarted(run_info()))
    handler.handle(snapshot_event(contract, entity, mock.get(entity)))
    state = journal.read(path)  # another reader, as after a crash, while the run holds the file
    assert [p.path for p in state.pending] == [entity]
    handler.close()


def test_a_restore_the_run_could_not_do_keeps_the_journal_open(
    contracts: list[Contract], mock: Mock, tmp_path: Path
) -> None:
    contract = contract_of(contracts, USER_STATUS)
    entity, sibling = entities(mock, contract)
    path = tmp_path / journal.NAME
    handler = journal.Journal(path)
    handler.handle(RunStarted(run_info()))
    handler.handle(snapshot_event(contract, entity, mock.get(entity)))
    handler.handle(snapshot_event(contract, sibling, mock.get(sibling)))
    handler.handle(EntityRestored(endpoint(contract), sibling, verified=True))
    handler.handle(RestoreFailed(endpoint(contract), entity, "restore answered 400 BadRequest"))
    handler.handle(finished("failed", (entity,)))

    state = journal.read(path)
    assert not state.closed and [p.path for p in state.pending] == [entity]
    assert [r["kind"] for r in records(path)][-1] == "finished"
    refusal = journal.refusal(path)
    assert refusal is not None and "1 entity may be left changed" in refusal


class RefusingRestores(httpx.BaseTransport):
    """A service that refuses one body with 400 (its schema changed since the snapshot, say):
    the restore body of one entity (its updatable values as found); everything else goes on."""

    def __init__(self, inner: httpx.BaseTransport, path: str, body: dict[str, Any]) -> None:
        self.inner, self.path, self.body, self.refused = inner, path, body, 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PATCH" and request.url.path.endswith(self.path):
            try:
                sent = json.loads(request.read())
            except ValueError:  # an invalid body the run sends on purpose
                sent = None
            if sent == self.body:
                self.refused += 1
                error = {"error": {"code": "BadRequest", "message": "restore refused"}}
                return httpx.Response(400, json=error)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def test_a_refused_restore_never_closes_the_journal_while_a_write_may_still_land(
    contracts: list[Contract], tmp_path: Path
) -> None:
    """Eventually consistent writes (a GET shows the entity as it was for 0.3 s after a PATCH)
    read back with no window: the entity's state is unsettled, a write may still be landing.
    The restore PATCH is refused, and a GET right after still shows the entity as found. That
    GET proves nothing: the run's last write lands a moment later. The entity is left changed,
    said so with the restore command, and the journal stays open (it used to close on that GET
    as "already as before")."""
    chosen = [contract_of(contracts, "v1.0/deviceConfigurationDeviceStatus")]
    contract = chosen[0]
    plain = mock_graph(chosen, faults=("eventual-consistency",))
    found = Discoverer(plain.client("v1.0"), {}).resolve(contract.paths[0], contract.odata_type)
    assert isinstance(found, Resolved)
    entity = found.path
    state = plain.get(entity, "v1.0")
    body = restore_body(contract, state)
    refusing = RefusingRestores(InProcessTransport(plain.app), entity, body)
    client = GraphClient(BASE, "v1.0", auth=StaticToken(TOKEN), transport=refusing)
    graph = Mock(plain.app, {"v1.0": client})
    path = tmp_path / journal.NAME
    run = engine_run(chosen, graph, journal.Journal(path))
    try:
        run.execute()
        assert refusing.refused >= 1
        finished = run.finished
        assert finished is not None and finished.outcome == "failed", finished
        (left,) = finished.left_changed
        assert left.startswith(f"{entity}: restore answered 400 BadRequest: restore refused")
        assert "a write of the run may still be landing" in left
        assert "graph-contracts restore" in left
        (pending,) = journal.read(path).pending
        assert pending.path == entity and not journal.read(path).closed
        time.sleep(0.4)  # past the consistency window: the run's last write shows
        assert not as_before(body, plain.get(entity, "v1.0"))
    finally:
        graph.close()
        plain.close()


def test_the_first_unsettled_snapshot_is_the_state_to_restore(
    contracts: list[Contract], mock: Mock, tmp_path: Path
) -> None:
    """An entity the run failed to restore and a later endpoint snapshotted again: the first
    snapshot is how the run found it; the second, restored by the run, is not."""
    contract = contract_of(contracts, USER_STATUS)
    entity, _ = entities(mock, contract)
    before = mock.get(entity)
    changed = {**before, "devicesCount": before["devicesCount"] + 1}
    path = tmp_path / journal.NAME
    handler = journal.Journal(path)
    handler.handle(RunStarted(run_info()))
    handler.handle(snapshot_event(contract, entity, before))
    handler.handle(RestoreFailed(endpoint(contract), entity, "restore answered 503"))
    handler.handle(snapshot_event(contract, entity, changed))
    handler.handle(EntityRestored(endpoint(contract), entity, verified=True))
    handler.handle(finished("failed", (entity,)))

    (pending,) = journal.read(path).pending
    assert pending.snapshot.state["devicesCount"] == before["devicesCount"]
    assert pending.seqs == (1,)


def test_the_handler_never_replaces_an_unclosed_journal(
    contracts: list[Contract], mock: Mock, tmp_path: Path
) -> None:
    contract = contract_of(contracts, USER_STATUS)
    entity, _ = entities(mock, contract)
    path = journal_of(tmp_path, contract, {entity: mock.get(entity)})
    before = path.read_bytes()
    with pytest.raises(journal.JournalError, match="refusing to replace an unclosed journal"):
        journal.Journal(path).handle(RunStarted(run_info()))
    assert path.read_bytes() == before


def test_a_closed_journal_is_replaced_by_the_next_run(tmp_path: Path) -> None:
    path = tmp_path / journal.NAME
    first = journal.Journal(path)
    first.handle(RunStarted(run_info()))
    first.handle(finished())
    assert journal.read(path).closed
    second = journal.Journal(path)
    second.handle(RunStarted(run_info()))
    assert [r["kind"] for r in records(path)] == ["header"]
    assert not list(tmp_path.glob(".journal.jsonl.*"))  # no temporary file left behind
    second.close()


def test_an_embedded_mock_journal_does_not_block_a_run_and_restore_just_closes_it(
    contracts: list[Contract], mock: Mock, tmp_path: Path
) -> None:
    contract = contract_of(contracts, USER_STATUS)
    entity, _ = entities(mock, contract)
    path = journal_of(tmp_path, contract, {entity: mock.get(entity)}, kind=EMBEDDED)
    assert journal.is_unclosed(path) and journal.refusal(path) is None
    outcomes = journal.restore(path, {}, read_window=0)
    assert [o.outcome for o in outcomes] == [journal.GONE]
    assert journal.read(path).closed


def test_every_xdist_workers_journal_is_refused_named_and_restored_from_the_report_dir(
    contracts: list[Contract], mock: Mock, tmp_path: Path
) -> None:
    """An xdist run leaves one journal per worker under .workers/<id>/ beside the run's: a next
    run over that place is refused while any is unclosed, the refusal names one command for all
    of them, and `restore` given the report directory settles each."""
    from typer.testing import CliRunner

    from graph_contracts.cli import app

    contract = contract_of(contracts, USER_STATUS)
    entity, sibling = entities(mock, contract)
    own = tmp_path / journal.NAME
    first = journal.Journal(own)
    first.handle(RunStarted(run_info()))
    first.handle(finished())  # the run's own journal is closed
    workers = [journal.worker_journal(own, w) for w in ("gw0", "gw1")]
    assert workers[1] == tmp_path / ".workers" / "gw1" / journal.NAME
    for path, entity_path in zip(workers, (entity, sibling), strict=True):
        handler = journal.Journal(path)
        handler.handle(RunStarted(run_info(EMBEDDED)))
        handler.handle(snapshot_event(contract, entity_path, mock.get(entity_path)))
        handler.close()
    assert journal.journals_at(tmp_path) == [own, *workers]
    assert journal.refusal(tmp_path) is None  # the embedded mock's state ended with its process

    embedded, service = f'"target_kind": "{EMBEDDED}"', f'"target_kind": "{SERVICE}"'
    for path in workers:  # the same, of a service: its entities may be left changed
        path.write_text(path.read_text().replace(embedded, service))
    refused = journal.refusal(own)
    assert refused is not None and refused.endswith(
        f"; run `graph-contracts restore {workers[0]} {workers[1]}` first"
    )
    told = "is the journal of a run that did not finish (1 entity may be left changed on"
    assert f"{workers[0]} {told} {BASE})" in refused and f"{workers[1]} {told}" in refused
    for path in workers:  # the embedded mock's again: `restore` needs no target to close them
        path.write_text(path.read_text().replace(service, embedded))
    done = CliRunner().invoke(app, ["restore", str(tmp_path)], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    assert done.output.count("GONE") == 2 and f"restore: {workers[1]}" in done.output
    assert all(journal.read(p).closed for p in workers)
    empty = tmp_path / "empty"
    empty.mkdir()
    nothing = CliRunner().invoke(app, ["restore", str(empty)], catch_exceptions=False)
    assert nothing.exit_code == 2 and f"{empty}: no journal.jsonl in it" in nothing.output


def test_a_running_journal_is_locked_against_restore(
    contracts: list[Contract], mock: Mock, tmp_path: Path
) -> None:
    contract = contract_of(contracts, USER_STATUS)
    entity, _ = entities(mock, contract)
    path = tmp_path / journal.NAME
    live = journal.Journal(path)
    live.handle(RunStarted(run_info()))
    live.handle(snapshot_event(contract, entity, mock.get(entity)))
    with pytest.raises(journal.JournalError, match="in use by another process"):
        journal.restore(path, mock.clients, read_window=0)
    live.close()
    assert [o.outcome for o in journal.restore(path, mock.clients, read_window=0)] == [
        journal.ALREADY
    ]


def test_values_that_look_like_secrets_are_not_kept_and_restore_says_so(
    contracts: list[Contract], mock: Mock, tmp_path: Path
) -> None:
    contract = contract_of(contracts, USER_STATUS)
    entity, _ = entities(mock, contract)
    mock.patch(entity, {"userDisplayName": f"owner {TOKEN}"})
    state = mock.get(entity)
    path = tmp_path / journal.NAME
    handler = journal.Journal(path, secrets=lambda: (TOKEN,))
    handler.handle(RunStarted(run_info()))
    handler.handle(snapshot_event(contract, entity, state))
    handler.close()
    assert TOKEN not in path.read_text(encoding="utf-8")
    (pending,) = journal.read(path).pending
    assert pending.snapshot.redacted == ("userDisplayName",)

    mock.patch(entity, {"devicesCount": state["devicesCount"] + 1})
    (outcome,) = journal.restore(path, mock.clients, read_window=0)
    assert outcome.outcome == journal.NOT_VERIFIED and "userDisplayName" in outcome.message
    now = mock.get(entity)
    assert now["devicesCount"] == state["devicesCount"]  # the rest was put back
    assert now["userDisplayName"] == state["userDisplayName"]  # never PATCHed with [REDACTED]
    assert not journal.read(path).closed


# --- reading ---------------------------------------------------------------------------------


def test_a_torn_last_line_is_skipped_said_and_cut_before_the_next_record(
    contracts: list[Contract], mock: Mock, tmp_path: Path
) -> None:
    contract = contract_of(contracts, USER_STATUS)
    entity, _ = entities(mock, contract)
    path = journal_of(tmp_path, contract, {entity: mock.get(entity)})
    with open(path, "ab") as f:
        f.write(b'{"kind": "snapshot", "seq": 2, "base_url": "http://mock.test", "ver')
    state = journal.read(path)
    assert state.torn is not None and state.torn.startswith(f"{path}:3: torn last line")
    assert [p.path for p in state.pending] == [entity]

    journal.restore(path, mock.clients, read_window=0)
    after = journal.read(path)
    assert after.torn is None and after.closed
    assert [r["kind"] for r in records(path)] == ["header", "snapshot", "restore", "closed"]


def test_a_last_record_without_its_newline_counts_and_the_next_starts_a_line(
    contracts: list[Contract], mock: Mock, tmp_path: Path
) -> None:
    contract = contract_of(contracts, USER_STATUS)
    entity, _ = entities(mock, contract)
    path = journal_of(tmp_path, contract, {entity: mock.get(entity)})
    path.write_bytes(path.read_bytes().rstrip(b"\n"))
    state = journal.read(path)
    assert state.torn is None and len(state.pending) == 1
    journal.restore(path, mock.clients, read_window=0)
    assert [r["kind"] for r in records(path)] == ["header", "snapshot", "restore", "closed"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b"{not json", ":2: not a journal record"),
        (b'{"kind": "checkpoint"}', ":2: unknown journal record (kind 'checkpoint')"),
        (b'["snapshot"]', ":2: unknown journal record (kind None)"),
        (b'{"kind": "snapshot", "seq": 1}', ":2: malformed snapshot record"),
        (b'{"kind": "restore", "snapshots": "1"}', ":2: malformed restore record"),
    ],
)
def test_a_garbled_line_is_an_error_naming_file_and_line(
    tmp_path: Path, line: bytes, message: str
) -> None:
    path = tmp_path / journal.NAME
    handler = journal.Journal(path)
    handler.handle(RunStarted(run_info()))
    handler.close()
    path.write_bytes(path.read_bytes() + line + b"\n" + b'{"kind": "closed"}\n')
    with pytest.raises(journal.JournalError) as caught:
        journal.read(path)
    assert str(caught.value).startswith(f"{path}{message}")
    assert journal.is_unclosed(path)
    refusal = journal.refusal(path)
    assert refusal is not None and message in refusal


def test_a_complete_last_line_of_an_unknown_kind_is_an_error_not_a_torn_line(
    tmp_path: Path,
) -> None:
    path = tmp_path / journal.NAME
    path.write_bytes(b'{"kind": "header", "format": 1}\n{"kind": "mystery"}')
    with pytest.raises(journal.JournalError, match=r":2: unknown journal record"):
        journal.read(path)


def test_a_journal_from_a_newer_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / journal.NAME
    path.write_text('{"kind": "header", "format": 2}\n')
    with pytest.raises(journal.JournalError, match=r":1: journal format 2 is newer"):
        journal.read(path)


# --- restoring -------------------------------------------------------------------------------


def test_restore_outcomes_then_a_second_restore_is_a_no_op(
    contracts: list[Contract], mock: Mock, tmp_path: Path
) -> None:
    contract = contract_of(contracts, USER_STATUS)
    changed, untouched = entities(mock, contract)
    deleted = unknown(changed)
    states = {p: mock.get(p) for p in (changed, untouched)}
    states[deleted] = {**states[changed], "id": deleted.rpartition("/")[2]}
    path = journal_of(tmp_path, contract, states)
    mock.patch(changed, {"devicesCount": 1, "status": "error", "userDisplayName": "behind"})

    outcomes = journal.restore(path, mock.clients, read_window=0)
    by_path = {o.path: o for o in outcomes}
    assert by_path[changed].outcome == journal.RESTORED
    assert by_path[untouched].outcome == journal.ALREADY
    assert by_path[deleted].outcome == journal.GONE
    assert by_path[deleted].message.startswith("GET answered 404 ResourceNotFound")
    assert all(o.settled and o.contract == USER_STATUS for o in outcomes)
    assert as_before(restore_body(contract, states[changed]), mock.get(changed))
    assert journal.read(path).closed

    before, sent = path.read_bytes(), mock.requests
    assert journal.restore(path, mock.clients, read_window=0) == []
    assert path.read_bytes() == before and mock.requests == sent


def test_a_refused_restore_stays_pending_and_a_later_restore_finishes_it(
    contracts: list[Contract], mock: Mock, tmp_path: Path
) -> None:
    contract = contract_of(contracts, USER_STATUS)
    entity, untouched = entities(mock, contract)
    path = journal_of(tmp_path, contract, {p: mock.get(p) for p in (entity, untouched)})
    mock.patch(entity, {"userDisplayName": "changed behind the journal's back"})

    # The service's schema lost userDisplayName since the run: it refuses the restore body.
    changed_schema = mock_graph(without_property(contracts, USER_STATUS, "userDisplayName"))
    try:
        outcomes = journal.restore(path, changed_schema.clients, read_window=0)
    finally:
        changed_schema.close()
    assert {o.outcome for o in outcomes} == {journal.REFUSED}
    assert not any(o.settled for o in outcomes)
    assert outcomes[0].message.startswith("restore answered 400 BadRequest: ")
    assert "userDisplayName" in outcomes[0].message
    state = journal.read(path)
    assert not state.closed and {p.path for p in state.pending} == {entity, untouched}

    again = journal.restore(path, mock.clients, read_window=0)  # the service is back to normal
    assert {o.path: o.outcome for o in again} == {
        entity: journal.RESTORED,
        untouched: journal.ALREADY,
    }
    assert journal.read(path).closed


def test_a_restore_the_service_does_not_keep_is_not_verified(
    contracts: list[Contract], tmp_path: Path
) -> None:
    graph = mock_graph(contracts, faults=("not-persisted",))
    try:
        contract = contract_of(contracts, USER_STATUS)
        entity, _ = entities(graph, contract)
        state = graph.get(entity)
        wanted = {**state, "devicesCount": state["devicesCount"] + 1}  # what the run had found
        path = journal_of(tmp_path, contract, {entity: wanted})
        (outcome,) = journal.restore(path, graph.clients, read_window=0.2)
    finally:
        graph.close()
    assert outcome.outcome == journal.NOT_VERIFIED
    assert outcome.message.startswith("a GET after the restore shows devicesCount")
    assert not journal.read(path).closed


def test_restore_polls_an_eventually_consistent_service_within_the_read_window(
    contracts: list[Contract], tmp_path: Path
) -> None:
    graph = mock_graph(contracts, faults=("eventual-consistency",))
    try:
        contract = contract_of(contracts, USER_STATUS)
        entity, _ = entities(graph, contract)
        path = journal_of(tmp_path, contract, {entity: graph.get(entity)})
        graph.patch(entity, {"devicesCount": 5})
        while graph.get(entity)["devicesCount"] != 5:  # the change becomes visible
            pass
        (outcome,) = journal.restore(path, graph.clients, read_window=2)
    finally:
        graph.close()
    assert outcome.outcome == journal.RESTORED


class WeakETags(httpx.BaseTransport):
    """Outlook's way (contact-update.md's reply: `"@odata.etag": "W/\\"EQAAABYA..."`): every
    entity carries a weak ETag, and If-Match is compared strongly, as RFC 7232 §3.1 requires
    of it, so a weak tag never matches (412). Its pages require no If-Match of a PATCH."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner, self.if_match = inner, []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PATCH" and "if-match" in request.headers:
            self.if_match.append(request.headers["if-match"])
            return httpx.Response(
                412, json={"error": {"code": "PreconditionFailed", "message": "weak"}}
            )
        response = self.inner.handle_request(request)
        if request.method != "GET" or response.status_code != 200:
            return response
        body = json.loads(response.read())
        body["@odata.etag"] = 'W/"EQAAABYAAACv7At+UNVFRLhGciJGF6v5AAAve7fh"'
        return httpx.Response(200, json=body, headers={"content-type": "application/json"})

    def close(self) -> None:
        self.inner.close()


def test_restore_sends_if_match_only_where_the_docs_require_it(
    contracts: list[Contract], tmp_path: Path
) -> None:
    """`restore` used to send If-Match whenever a GET showed an `@odata.etag`: a weak one never
    matches, so the entity was refused. It sends what the run's restore sends: the headers the
    contract's pages require, recorded with the snapshot (no If-Match here)."""
    contract = contract_of(contracts, USER_STATUS)
    weak: list[WeakETags] = []
    graph = mock_graph(contracts, wrap=lambda inner: weak.append(WeakETags(inner)) or weak[0])
    try:
        entity, _ = entities(graph, contract)
        state = graph.get(entity)
        path = journal_of(tmp_path, contract, {entity: state})
        (recorded,) = [r["headers"] for r in records(path) if r["kind"] == "snapshot"]
        assert recorded == contract.headers and "If-Match" not in recorded
        graph.patch(entity, {"userDisplayName": "left by a killed run"})
        (outcome,) = journal.restore(path, graph.clients, read_window=0)
        assert outcome.outcome == journal.RESTORED, outcome
        assert weak[0].if_match == [] and as_before(
            restore_body(contract, state), graph.get(entity)
        )
    finally:
        graph.close()


def test_datetimeoffsets_compare_as_instants(
    contracts: list[Contract], mock: Mock, tmp_path: Path
) -> None:
    contract = contract_of(contracts, USER_STATUS)
    entity, sibling = entities(mock, contract)
    same = {**mock.get(entity), "lastReportedDateTime": "2017-01-01T00:00:17.7769392-08:00"}
    mock.patch(entity, {"lastReportedDateTime": "2017-01-01T08:00:17.7769392Z"})
    other = {**mock.get(sibling), "lastReportedDateTime": "2017-01-01T00:00:17.7769392-08:00"}
    mock.patch(sibling, {"lastReportedDateTime": "2017-01-01T00:00:17.7769392Z"})
    path = journal_of(tmp_path, contract, {entity: same, sibling: other})

    outcomes = {o.path: o.outcome for o in journal.restore(path, mock.clients, read_window=0)}
    assert outcomes == {entity: journal.ALREADY, sibling: journal.RESTORED}
    assert mock.get(sibling)["lastReportedDateTime"] == "2017-01-01T08:00:17.7769392Z"


def test_rejected_credentials_stop_restore_and_record_nothing(
    contracts: list[Contract], mock: Mock, tmp_path: Path
) -> None:
    contract = contract_of(contracts, USER_STATUS)
    entity, _ = entities(mock, contract)
    path = journal_of(tmp_path, contract, {entity: mock.get(entity)})
    before = path.read_bytes()
    wrong = mock_graph(contracts, token="not-the-token")
    try:
        with pytest.raises(GraphContractsError, match=r"credentials rejected .*: GET .* 401"):
            journal.restore(path, wrong.clients, read_window=0)
    finally:
        wrong.close()
    assert path.read_bytes() == before


def test_a_missing_client_is_named_before_any_request(
    contracts: list[Contract], mock: Mock, tmp_path: Path
) -> None:
    contract = contract_of(contracts, USER_STATUS)
    entity, _ = entities(mock, contract)
    path = journal_of(tmp_path, contract, {entity: mock.get(entity)})
    with pytest.raises(journal.JournalError, match="no client for API version beta"):
        journal.restore(path, {"v1.0": mock.client("v1.0")}, read_window=0)


def test_summary_and_outcome_lines_tell_what_is_left(tmp_path: Path) -> None:
    back = journal.EntityOutcome("beta", "/a/1", journal.RESTORED, "checked with a GET")
    refused = journal.EntityOutcome("beta", "/a/2", journal.REFUSED, "PATCH answered 400 X: no")
    assert " ".join(journal.format_outcome(refused).split()) == (
        "REFUSED beta /a/2: PATCH answered 400 X: no"
    )
    path = tmp_path / journal.NAME
    assert "every entity is back" in journal.summary([back], path)
    text = journal.summary([back, refused], path)
    assert "1 restored, 1 refused; 1 not back as before" in text and "stays open" in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", ": not a graph-contracts journal (no header line)"),
        (b'{"kind": "closed"}\n', ":1: not a graph-contracts journal (no header)"),
    ],
)
def test_a_file_that_is_not_a_journal_is_never_replaced_nor_appended_to(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "somebody-elses.jsonl"
    path.write_bytes(content)
    with pytest.raises(journal.JournalError, match=re.escape(message)):
        journal.read(path)
    with pytest.raises(journal.JournalError):
        journal.restore(path, {}, read_window=0)
    with pytest.raises(journal.JournalError):
        journal.Journal(path).handle(RunStarted(run_info()))
    assert path.read_bytes() == content


# --- SIGKILL against a real server -------------------------------------------------------------

CLI = Path(sys.executable).with_name("graph-contracts")


def updatable_states(url: str, token: str, contracts: list[Contract]) -> dict[str, dict]:
    """Every entity a run reaches (each template's entity and sibling), updatable values only."""
    states: dict[str, dict] = {}
    for version in sorted({c.version for c in contracts}):
        with GraphClient(url, version, auth=StaticToken(token)) as client:
            for contract in (c for c in contracts if c.version == version):
                names = {p.name for p in contract.updatable()}
                for template in contract.paths:
                    found = Discoverer(client, {}).resolve(template, contract.odata_type)
                    assert isinstance(found, Resolved), found
                    for path in (found.path, found.sibling):
                        body = client.get(path).json() if path else {}
                        states[f"{version} {path}"] = {k: body[k] for k in names if k in body}
    return states


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_a_run_killed_with_sigkill_is_put_back_by_restore(
    contracts: list[Contract], tmp_path: Path
) -> None:
    """An OOM kill or a lost CI runner: `run` dies mid-write, `restore` puts every entity back."""
    token = "sigkill-token-7e1d"
    reports = tmp_path / "reports"
    path = reports / journal.NAME
    with mock_process(ROOT / "contracts", token=token) as url:
        before = updatable_states(url, token, contracts)
        run = [str(CLI), "run", "--contracts", str(ROOT / "contracts"), "--base-url", url]
        run += ["--token", token, "--report-dir", str(reports), "--seed", "4", "--no-progress"]
        # Paced to 5 writes/s, an endpoint's writes last seconds: a kill 1 s after the first
        # snapshot lands mid-endpoint, after some writes and before their restore, every time.
        paced = [*run, "--write-rate", "5/1"]
        process = subprocess.Popen(paced, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            if path.exists() and '"snapshot"' in path.read_text(encoding="utf-8"):
                break  # the first endpoint has begun writing
            time.sleep(0.05)
        time.sleep(1.0)
        process.kill()  # SIGKILL: no finally, no handler, no restore
        process.wait(timeout=10)
        assert not journal.read(path).closed
        assert updatable_states(url, token, contracts) != before  # the run left a change

        again = subprocess.run(run, capture_output=True, text=True, timeout=60)
        assert again.returncode == 2 and f"graph-contracts restore {path}" in again.stderr
        restore = [str(CLI), "restore", str(path), "--token", token, "--read-window", "1"]
        first = subprocess.run(restore, capture_output=True, text=True, timeout=60)
        assert first.returncode == 0, first.stdout + first.stderr
        assert "restored" in first.stdout
        second = subprocess.run(restore, capture_output=True, text=True, timeout=60)
        assert second.returncode == 0 and "restored" not in second.stdout.replace("0 restored", "")
        assert updatable_states(url, token, contracts) == before
    assert journal.read(path).closed and journal.refusal(path) is None
    assert token not in path.read_text()


def test_restore_goes_on_past_an_entity_whose_requests_keep_failing(
    contracts: list[Contract], mock: Mock, tmp_path: Path
) -> None:
    """Every request about one entity is reset (a broken route, a dying node): it is recorded as
    a target error and the next entity is restored all the same; a later restore finishes."""
    from proxy import FaultProxy, Rule
    from servers import app_server

    contract = contract_of(contracts, USER_STATUS)
    with app_server(mock.app) as url:
        direct = GraphClient(url, "beta", auth=StaticToken(TOKEN))
        first, second = entities(Mock(mock.app, {"beta": direct}), contract)
        before = {p: mock.get(p) for p in (first, second)}
        path = journal_of(tmp_path, contract, before)
        for entity in (first, second):
            mock.patch(entity, {"userDisplayName": "changed by a run that was killed"})
        broken = Rule("reset", path=re.escape(first) + "$")
        with FaultProxy(url, [broken]) as proxy:
            client = GraphClient(proxy.url, "beta", auth=StaticToken(TOKEN), sleep=lambda s: None)
            outcomes = {o.path: o for o in journal.restore(path, {"beta": client}, read_window=0)}
            assert outcomes[first].outcome == journal.TARGET_ERROR
            assert outcomes[first].message.startswith(f"GET {proxy.url}/beta{first}: connection")
            assert outcomes[first].message.endswith("(after 5 attempts)")
            assert outcomes[second].outcome == journal.RESTORED
            assert not journal.read(path).closed
            proxy.rules.clear()  # the route is back
            (again,) = journal.restore(path, {"beta": client}, read_window=0)
            client.close()
        direct.close()
    assert (again.path, again.outcome) == (first, journal.RESTORED)
    assert journal.read(path).closed
    for entity in (first, second):
        assert as_before(restore_body(contract, before[entity]), mock.get(entity))


def test_a_conditional_restore_whose_reply_was_lost_is_read_back_not_sent_twice(
    corpus: Path, tmp_path: Path
) -> None:
    """A Planner task is restored with If-Match; the reply to that PATCH is lost after the mock
    applied it. The client does not send a conditional PATCH twice (its ETag is gone); restore
    reads the task back instead, finds it as the snapshot, and says so."""
    from proxy import FaultProxy, Rule
    from servers import app_server
    from test_mock_etag import planner_contracts

    from graph_contracts.required_headers import etag_of

    planner = planner_contracts(corpus)
    task = planner["plannerTask"]
    app = create_app(list(planner.values()), token=TOKEN)
    with app_server(app) as url:
        direct = GraphClient(url, task.version, auth=StaticToken(TOKEN))
        path = Discoverer(direct).resolve(task.paths[0]).path
        state = direct.get(path).json()
        journal_file = journal_of(tmp_path, task, {path: state})
        changed = direct.patch(
            path, json={"title": "changed"}, headers={"If-Match": etag_of(state)}
        )
        assert changed.status_code < 300, changed.text
        lost = Rule("reset-after", method="PATCH", times=1)
        with FaultProxy(url, [lost]) as proxy:
            client = GraphClient(
                proxy.url, task.version, auth=StaticToken(TOKEN), sleep=lambda s: None
            )
            (outcome,) = journal.restore(journal_file, {task.version: client}, read_window=0)
            client.close()
        now = direct.get(path).json()
        direct.close()
    assert lost.fired == 1 and [m for m, _ in proxy.seen].count("PATCH") == 1
    assert outcome.outcome == journal.ALREADY, outcome
    assert now["title"] == state["title"] and journal.read(journal_file).closed
