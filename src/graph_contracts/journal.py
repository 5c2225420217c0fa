"""The run's write-ahead journal, and `restore` from it: nothing stays changed after a crash.

A run PATCHes real entities. Before its first write to an entity the engine emits
`EntitySnapshotTaken`; `Journal` appends that state to `journal.jsonl` and fsyncs it before the
handler returns, so the engine's PATCH can only follow a snapshot already on disk (handlers run
synchronously); a new journal is swapped in whole (header written, fsynced, renamed, directory
fsynced). Each restore the run completes is appended, and a run that ends with every snapshot
settled appends a `closed` record; these are not fsynced (a record lost to an OS crash only makes
`restore` find the entity already as before). A run killed with SIGKILL leaves the journal unclosed:
`restore()` reads it, puts back every entity whose restore is not recorded, appends each outcome
(so it is safe to run twice, or after a partial restore) and closes the journal when all are
back. It never gives up early: the client retries transport errors, an entity whose requests
still fail is recorded as a target error and the next entity is tried, and a restore the
service refuses is "already as before" when a GET shows the entity as the snapshot.

The format, one JSON object per line, each with a `kind` (format 1):

- `header`: tool version, run start, target URL and kind, API versions, seed (never a token);
- `snapshot`: `seq` (its number in this file), base URL, API version, path, contract, template,
  the GET `state`, the `restore` body (updatable properties only), `redacted` (restore
  properties whose values looked like secrets and were not kept) and `headers` (the request
  headers the contract's pages require, so that `restore` sends what the run's restore would;
  absent in journals written before it: none required);
- `restore`: `snapshots` (the seqs it settles), version, path, `outcome`, `message`, `by`
  (`run` or `restore`);
- `restore-failed`: the same with `reason`; it settles nothing;
- `finished`: the run's outcome and how many entities are still pending (the journal stays open);
- `closed`: every snapshot is settled; nothing to restore.

A run's restore settles the latest snapshot of its entity; `restore()` settles all of them, since
it puts back the earliest unsettled one: when a run fails to restore an entity and a later
endpoint snapshots it again, the first snapshot is the state the entity had before the run.

Without a contract, `restore()` compares the restore body with a GET by JSON equality, with
DateTimeOffset strings compared as instants (Graph replies in UTC with `Z`, GRAPH-FACTS): both
sides come from the same service's replies, so they are already in its canonical form.

Every line goes through `exchanges.redact` (events carry no token; a service may echo one).
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graph_contracts import edm, restoring
from graph_contracts.client import GraphClient, GraphContractsError, RequestFailed
from graph_contracts.engine.events import (
    EntityRestored,
    EntitySnapshotTaken,
    Event,
    RestoreFailed,
    RunFinished,
    RunStarted,
)
from graph_contracts.engine.target import EMBEDDED
from graph_contracts.exchanges import redact

try:  # POSIX: one writer at a time (a live run, or one `restore`)
    import fcntl
except ImportError:  # pragma: no cover - Windows has no flock; the journal still works
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "ALREADY",
    "FORMAT",
    "GONE",
    "NAME",
    "NOT_VERIFIED",
    "REFUSED",
    "RESTORED",
    "SETTLED",
    "TARGET_ERROR",
    "WORKERS_DIR",
    "EntityOutcome",
    "Journal",
    "JournalError",
    "JournalState",
    "Pending",
    "Snapshot",
    "format_outcome",
    "is_unclosed",
    "journal_path",
    "journals_at",
    "left_open",
    "read",
    "refusal",
    "restore",
    "restore_command",
    "summary",
    "worker_journal",
]

FORMAT = 1
NAME = "journal.jsonl"
WORKERS_DIR = ".workers"  # beside a run's journal: one directory per pytest-xdist worker

# What `restore` did to an entity: the shared routine's outcomes (`restoring`), and one of its own.
RESTORED, ALREADY, REFUSED = restoring.RESTORED, restoring.ALREADY, restoring.REFUSED
NOT_VERIFIED, GONE = restoring.NOT_VERIFIED, restoring.GONE
TARGET_ERROR = "target error"  # its requests still failed after the client's retries
# Outcomes after which nothing of the run is left on the entity: the snapshot is settled.
SETTLED = restoring.SETTLED


class JournalError(GraphContractsError):
    """A journal that cannot be written or read; the message names the file (and line)."""


# --- what a journal holds ------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """An entity as the run found it, and the body that puts it back."""

    seq: int
    line: int
    base_url: str
    version: str
    path: str
    state: dict[str, Any]
    restore: dict[str, Any]
    contract: str = ""
    template: str = ""
    redacted: tuple[str, ...] = ()  # restore properties whose values were not kept (secrets)
    headers: tuple[str, ...] = ()  # the request headers the contract's pages require

    @property
    def key(self) -> tuple[str, str]:
        return self.version, self.path


@dataclass(frozen=True)
class Pending:
    """An entity to put back: its earliest unsettled snapshot, and every unsettled seq."""

    snapshot: Snapshot
    seqs: tuple[int, ...]

    @property
    def version(self) -> str:
        return self.snapshot.version

    @property
    def path(self) -> str:
        return self.snapshot.path


@dataclass(frozen=True)
class JournalState:
    """What `read` found: the header, the entities still to restore, and whether it is closed."""

    path: Path
    header: dict[str, Any]
    pending: tuple[Pending, ...]
    closed: bool
    torn: str | None = None  # `file:line: ...` when a torn last line was skipped
    snapshots: int = 0
    good_size: int = 0  # bytes up to the end of the last complete record
    ends_with_newline: bool = True

    @property
    def base_url(self) -> str | None:
        """The target the run wrote to (the restore default)."""
        if self.header.get("target"):
            return str(self.header["target"])
        return self.pending[0].snapshot.base_url if self.pending else None

    @property
    def versions(self) -> list[str]:
        """API versions of the pending entities: one client each."""
        return sorted({p.version for p in self.pending})

    @property
    def in_process(self) -> bool:
        """The run's target was the embedded mock: its state ended with the process."""
        return self.header.get("target_kind") == EMBEDDED


@dataclass(frozen=True)
class EntityOutcome:
    """What `restore` did to one entity."""

    version: str
    path: str
    outcome: str  # restored | already as before | refused | not verified | gone | target error
    message: str = ""
    contract: str = ""

    @property
    def settled(self) -> bool:
        return self.outcome in SETTLED


# --- reading -------------------------------------------------------------------------------


def journal_path(report_dir_or_path: Path | str) -> Path:
    """The journal file: the path itself, or `journal.jsonl` in a report directory."""
    path = Path(report_dir_or_path)
    return path / NAME if path.is_dir() else path


def worker_journal(path: Path | str, worker: str) -> Path:
    """The journal of pytest-xdist worker `worker` for a run whose journal is `path`.

    Each worker runs its own engine and writes its own journal (one writer per file, under its
    lock): `.workers/<worker>/` beside the run's journal, where its summary goes too by default.
    """
    path = journal_path(path)
    return path.parent / WORKERS_DIR / worker / path.name


def journals_at(report_dir_or_path: Path | str) -> list[Path]:
    """The journals a run at this place may have left: its own, then its xdist workers'.

    Only those that exist. A driver checks them all before it starts (`refusal`), and `restore`
    given a report directory puts back what every one of them holds.
    """
    path = journal_path(report_dir_or_path)
    workers = sorted((path.parent / WORKERS_DIR).glob(f"*/{path.name}"))
    return [p for p in (path, *workers) if p.is_file()]


def read(path: Path | str) -> JournalState:
    """Parse a journal; a torn last line is skipped (and said), any other bad line is an error."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise JournalError(f"{path}: cannot read the journal: {exc.strerror or exc}") from None
    return _parse(data, path)


def _parse(data: bytes, path: Path) -> JournalState:
    reader = _Reader(path)
    lines = data.split(b"\n")
    complete, last = lines[:-1], lines[-1]  # `last` is empty when the file ends with a newline
    offset = 0
    for number, raw in enumerate(complete, 1):
        offset += len(raw) + 1
        if raw.strip():
            reader.add(_load(raw, path, number), number)
    torn = None
    if last.strip():
        try:
            record = _load(last, path, len(lines))
        except JournalError:  # the process died in the middle of this write: it never happened
            torn = f"{path}:{len(lines)}: torn last line skipped (the run stopped while writing it)"
        else:  # complete but for its newline: a record like any other
            reader.add(record, len(lines))
            offset = len(data)
    return reader.state(torn, offset, ends_with_newline=not last.strip() or torn is not None)


def _load(raw: bytes, path: Path, number: int) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise JournalError(f"{path}:{number}: not a journal record ({exc})") from None


@dataclass
class _Reader:
    """Folds records into the pending entities, one line at a time."""

    path: Path
    header: dict[str, Any] | None = None
    snapshots: dict[int, Snapshot] = field(default_factory=dict)
    settled: set[int] = field(default_factory=set)
    closed: bool = False

    def add(self, record: Any, number: int) -> None:
        kind = record.get("kind") if isinstance(record, dict) else None
        fold = {
            "header": self._header,
            "snapshot": self._snapshot,
            "restore": self._restore,
            "restore-failed": self._restore_failed,
            "finished": self._finished,
            "closed": self._closed,
        }.get(kind)  # type: ignore[arg-type]
        if fold is None:
            raise JournalError(f"{self.path}:{number}: unknown journal record (kind {kind!r})")
        if self.header is None and kind != "header":
            raise JournalError(f"{self.path}:{number}: not a graph-contracts journal (no header)")
        try:
            fold(record, number)
        except (KeyError, TypeError, ValueError) as exc:
            raise JournalError(f"{self.path}:{number}: malformed {kind} record ({exc!r})") from None

    def _header(self, record: dict[str, Any], number: int) -> None:
        if self.header is not None:
            raise JournalError(f"{self.path}:{number}: a second header (one journal per run)")
        if int(record["format"]) > FORMAT:
            raise JournalError(
                f"{self.path}:{number}: journal format {record['format']} is newer than this "
                f"graph-contracts reads ({FORMAT}); restore with the version that wrote it"
            )
        self.header = record

    def _snapshot(self, record: dict[str, Any], number: int) -> None:
        snapshot = Snapshot(
            seq=int(record["seq"]),
            line=number,
            base_url=str(record["base_url"]),
            version=str(record["version"]),
            path=str(record["path"]),
            state=dict(record["state"]),
            restore=dict(record["restore"]),
            contract=str(record.get("contract", "")),
            template=str(record.get("template", "")),
            redacted=tuple(record.get("redacted", ())),
            headers=tuple(str(h) for h in record.get("headers", ())),
        )
        if snapshot.seq in self.snapshots:
            raise JournalError(f"{self.path}:{number}: snapshot seq {snapshot.seq} repeated")
        self.snapshots[snapshot.seq] = snapshot
        self.closed = False

    def _restore(self, record: dict[str, Any], number: int) -> None:
        seqs = _seqs(record)
        if record.get("outcome", RESTORED) in SETTLED:
            self.settled.update(seqs)

    def _restore_failed(self, record: dict[str, Any], number: int) -> None:
        _seqs(record)  # required, though a failure settles nothing

    def _finished(self, record: dict[str, Any], number: int) -> None:
        pass

    def _closed(self, record: dict[str, Any], number: int) -> None:
        self.closed = True

    def state(self, torn: str | None, good_size: int, *, ends_with_newline: bool) -> JournalState:
        if self.header is None:  # every journal is created with its header already in it
            raise JournalError(f"{self.path}: not a graph-contracts journal (no header line)")
        open_seqs: dict[tuple[str, str], list[Snapshot]] = {}
        for seq in sorted(self.snapshots):
            if seq not in self.settled:
                snapshot = self.snapshots[seq]
                open_seqs.setdefault(snapshot.key, []).append(snapshot)
        pending = tuple(
            Pending(found[0], tuple(s.seq for s in found))
            for found in sorted(open_seqs.values(), key=lambda f: f[0].seq)
        )
        return JournalState(
            self.path,
            self.header,
            pending,
            self.closed and not pending,
            torn,
            len(self.snapshots),
            good_size,
            ends_with_newline,
        )


def _seqs(record: dict[str, Any]) -> list[int]:
    seqs = record["snapshots"]
    if not isinstance(seqs, list) or not all(isinstance(s, int) for s in seqs):
        raise ValueError(f"snapshots must be a list of seq numbers, not {seqs!r}")
    return seqs


def is_unclosed(report_dir_or_path: Path | str) -> bool:
    """True when a journal exists there and is not closed (an unreadable one counts as open)."""
    path = journal_path(report_dir_or_path)
    if not path.is_file():
        return False
    try:
        return not read(path).closed
    except JournalError:
        return True


def refusal(report_dir_or_path: Path | str) -> str | None:
    """Why a run must not start over this journal or its workers' (exit 2), or None when it may.

    An unclosed journal of a real target may hold the only record of entities left changed; one
    of the embedded mock holds nothing (the mock's state ended with the process that changed it).
    Every journal a run at this place may have left counts (`journals_at`): an xdist run's
    workers each leave one, and a next run must neither write over the tenant they left changed
    nor lose them. The message names the one command that puts them all back.
    """
    found = _unsettled(report_dir_or_path)
    if not found:
        return None
    told = "; ".join(
        f"{path} is the journal of a run that did not finish ({what})" for path, what in found
    )
    return f"{told}; run {restore_command(p for p, _ in found)} first"


def left_open(report_dir_or_path: Path | str) -> str | None:
    """What a run that just ended left to `restore` (None when every journal is settled)."""
    found = _unsettled(report_dir_or_path)
    if not found:
        return None
    told = "; ".join(f"{path} stays open ({what})" for path, what in found)
    return f"{told}: run {restore_command(p for p, _ in found)}"


def restore_command(paths: Iterable[Path]) -> str:
    """The command line that puts back what these journals hold."""
    return f"`graph-contracts restore {' '.join(shlex.quote(str(p)) for p in paths)}`"


def _unsettled(report_dir_or_path: Path | str) -> list[tuple[Path, str]]:
    """Each journal at this place that is not settled, with what it may have left changed."""
    found = []
    for path in journals_at(report_dir_or_path):
        what = _open_reason(path)
        if what is not None:
            found.append((path, what))
    return found


def _open_reason(path: Path) -> str | None:
    """What one journal leaves unsettled (None when it is closed, or of the embedded mock)."""
    try:
        state = read(path)
    except JournalError as exc:
        return f"unreadable: {exc}; fix or remove it once the target is known to be as before"
    if state.closed or state.in_process:
        return None
    pending = len(state.pending)
    return (
        f"{pending} entit{'y' if pending == 1 else 'ies'} may be left changed on {state.base_url}"
    )


# --- writing -------------------------------------------------------------------------------


class _Appender:
    """Appends records to one journal file, each line written whole (or not at all)."""

    def __init__(self, path: Path, fd: int, *, needs_newline: bool = False) -> None:
        self.path = path
        self.fd = fd
        self.needs_newline = needs_newline

    @classmethod
    @contextlib.contextmanager
    def existing(cls, path: Path) -> Iterator[tuple[_Appender, JournalState]]:
        """The journal opened for appending under its lock, with its state read under the lock."""
        try:
            fd = os.open(path, os.O_RDWR | os.O_APPEND)
        except OSError as exc:
            raise JournalError(f"{path}: cannot open the journal: {exc.strerror or exc}") from None
        try:
            _lock(fd, path)
            with os.fdopen(os.dup(fd), "rb") as f:
                state = _parse(f.read(), path)
            if state.torn is not None:  # cut the torn tail so the next record starts a line
                os.ftruncate(fd, state.good_size)
            yield cls(path, fd, needs_newline=not state.ends_with_newline), state
        finally:
            os.close(fd)

    def append(
        self, record: dict[str, Any], secrets: Iterable[str] = (), *, durable: bool = True
    ) -> None:
        """Write one record whole; `durable` fsyncs it (write-ahead records must be).

        A record that only settles (a restore, the close) need not be: if an OS crash loses it,
        `restore` finds the entity already as before and writes it again.
        """
        line = json.dumps(_scrub(record, tuple(secrets))[0], ensure_ascii=False)
        data = ("\n" if self.needs_newline else "") + line + "\n"
        _write_whole(self.fd, data.encode("utf-8"), self.path, durable=durable)
        self.needs_newline = False

    def close(self) -> None:
        os.close(self.fd)


def _write_whole(fd: int, data: bytes, path: Path, *, durable: bool) -> None:
    """Write all of `data` (and fsync); on failure cut what was written, so no torn line stays."""
    start = os.lseek(fd, 0, os.SEEK_END)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        if durable:
            os.fsync(fd)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.ftruncate(fd, start)
        raise JournalError(f"{path}: cannot write the journal: {exc.strerror or exc}") from None


def _lock(fd: int, path: Path) -> None:
    if fcntl is None:  # pragma: no cover
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        raise JournalError(
            f"{path}: the journal is in use by another process (a run still going, or a restore)"
        ) from None


def _fsync_directory(directory: Path) -> None:
    """Make a new directory entry durable: a file fsynced in a directory not fsynced can vanish."""
    if os.name != "posix":  # pragma: no cover - directories cannot be opened on Windows
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _create(path: Path, header: dict[str, Any], secrets: Iterable[str]) -> _Appender:
    """A new journal holding only its header, swapped in atomically over a closed one."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(temporary, os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o600)
    except OSError as exc:
        raise JournalError(f"{path}: cannot create the journal: {exc.strerror or exc}") from None
    appender = _Appender(path, fd)
    try:
        _lock(fd, path)
        appender.append(header, secrets)
        os.replace(temporary, path)
        _fsync_directory(path.parent)
    except OSError as exc:
        appender.close()
        temporary.unlink(missing_ok=True)
        raise JournalError(f"{path}: cannot create the journal: {exc.strerror or exc}") from None
    except BaseException:
        appender.close()
        temporary.unlink(missing_ok=True)
        raise
    return appender


def _scrub(value: Any, secrets: tuple[str, ...]) -> tuple[Any, bool]:
    """`value` with every string (keys too) redacted, and whether anything was."""
    if isinstance(value, str):
        cleaned = redact(value, secrets)
        return cleaned, cleaned != value
    if isinstance(value, dict):
        out, changed = {}, False
        for key, item in value.items():
            new_key, key_changed = _scrub(key, secrets)
            out[new_key], item_changed = _scrub(item, secrets)
            changed = changed or key_changed or item_changed
        return out, changed
    if isinstance(value, list):
        pairs = [_scrub(item, secrets) for item in value]
        return [p[0] for p in pairs], any(p[1] for p in pairs)
    return value, False


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Journal:
    """The run's write-ahead journal: an event handler (put it in the run's handlers).

    Writing the header or a snapshot raises JournalError (a GraphContractsError: the run ends as
    an error, exit 2) before the engine's next request, so no entity is written to without its
    snapshot on disk. A restore record that cannot be written is kept in `problems` and leaves
    the journal open: `restore` will find the entity already as before.
    """

    def __init__(self, path: Path | str, *, secrets: Callable[[], Iterable[str]] = tuple) -> None:
        self.path = Path(path)
        self.secrets = secrets
        self.problems: list[str] = []
        self._out: _Appender | None = None
        self._seq = 0
        self._open: dict[tuple[str, str], list[int]] = {}  # entity -> unsettled seqs, in order
        self._failed = False

    def handle(self, event: Event) -> None:
        if isinstance(event, RunStarted):
            self._start(event)
        elif isinstance(event, EntitySnapshotTaken):
            self._snapshot(event)
        elif isinstance(event, EntityRestored):
            self._restored(event)
        elif isinstance(event, RestoreFailed):
            self._restore_failed(event)
        elif isinstance(event, RunFinished):
            self._finish(event)

    @property
    def pending(self) -> int:
        return sum(len(seqs) > 0 for seqs in self._open.values())

    def _start(self, event: RunStarted) -> None:
        if self.path.exists() and _open_reason(self.path) is not None:
            raise JournalError(
                f"{self.path}: refusing to replace an unclosed journal; run "
                f"`graph-contracts restore {shlex.quote(str(self.path))}` first"
            )
        run = event.run
        header = {
            "kind": "header",
            "format": FORMAT,
            "at": _now(),
            "tool_version": run.tool_version,
            "started": run.started,
            "target": run.target,
            "target_kind": run.target_kind,
            "api_versions": list(run.api_versions),
            "seed": run.seed,
            "plan": run.plan,
            "mode": run.mode,
        }
        self._out = _create(self.path, header, self.secrets())

    def _snapshot(self, event: EntitySnapshotTaken) -> None:
        if self._out is None:
            raise JournalError(f"{self.path}: a snapshot before the run started (no header)")
        secrets = tuple(self.secrets())
        restore_body, redacted = {}, []
        for name, value in event.restore.items():
            restore_body[name], changed = _scrub(value, secrets)
            if changed:
                redacted.append(name)
        self._seq += 1
        self._out.append(
            {
                "kind": "snapshot",
                "seq": self._seq,
                "at": _now(),
                "base_url": event.base_url,
                "version": event.version,
                "path": event.path,
                "contract": event.endpoint.contract,
                "template": event.endpoint.path,
                "state": event.state,
                "restore": restore_body,
                "redacted": redacted,
                "headers": list(event.headers),
            },
            secrets,
        )
        self._open.setdefault((event.version, event.path), []).append(self._seq)

    def _settling(self, version: str, path: str) -> list[int]:
        """The snapshot a run's restore puts back: the latest unsettled one of the entity."""
        seqs = self._open.get((version, path), [])
        return seqs[-1:]

    def _restored(self, event: EntityRestored) -> None:
        key = (event.endpoint.version, event.path)
        seqs = self._settling(*key)
        outcome = RESTORED if event.verified else NOT_VERIFIED
        message = "checked with a GET" if event.verified else "not checked with a GET"
        if event.already:
            outcome, message = ALREADY, event.already
        written = self._record_outcome("restore", key, seqs, outcome=outcome, message=message)
        if written and event.verified and seqs:
            self._open[key].remove(seqs[0])

    def _restore_failed(self, event: RestoreFailed) -> None:
        key = (event.endpoint.version, event.path)
        self._record_outcome("restore-failed", key, self._settling(*key), reason=event.reason)

    def _record_outcome(
        self, kind: str, key: tuple[str, str], seqs: list[int], **fields: Any
    ) -> bool:
        if self._out is None:
            return False
        version, path = key
        record = {"kind": kind, "at": _now(), "by": "run", "snapshots": seqs}
        record |= {"version": version, "path": path, **fields}
        try:
            self._out.append(record, self.secrets(), durable=False)
        except JournalError as exc:
            self.problems.append(str(exc))
            self._failed = True
            return False
        return True

    def _finish(self, event: RunFinished) -> None:
        if self._out is None:
            return
        out, self._out = self._out, None
        try:
            out.append(
                {
                    "kind": "finished",
                    "at": _now(),
                    "outcome": event.outcome,
                    "left_changed": len(event.left_changed),
                    "pending": self.pending,
                },
                self.secrets(),
                durable=False,
            )
            if not self.pending and not self._failed:
                closed = {"kind": "closed", "at": _now(), "by": "run"}
                out.append(closed, self.secrets(), durable=False)
        except JournalError as exc:
            self.problems.append(str(exc))
        finally:
            out.close()

    def close(self) -> None:
        """Release the file (a driver that never emits RunFinished); the journal stays open."""
        if self._out is not None:
            self._out.close()
            self._out = None


# --- restoring ---------------------------------------------------------------------------------


def restore(
    path: Path | str,
    clients_by_version: Mapping[str, GraphClient],
    *,
    read_window: float = 3.0,
    on_outcome: Callable[[EntityOutcome], None] | None = None,
) -> list[EntityOutcome]:
    """Put back every entity of the journal whose restore is not recorded; record each outcome.

    Safe to run twice and after a partial run: settled entities are skipped, and a journal with
    nothing pending and already closed is not even written to. The journal is closed when every
    entity is back. Raises JournalError for an unusable journal or a missing client, and
    GraphContractsError when the target is unreachable or rejects the credentials (what was
    done until then is recorded).
    """
    path = journal_path(path)
    outcomes: list[EntityOutcome] = []
    with _Appender.existing(path) as (out, state):
        if not state.pending and state.closed:
            return outcomes
        if not state.in_process:
            missing = sorted(set(state.versions) - set(clients_by_version))
            if missing:
                raise JournalError(f"{path}: no client for API version {', '.join(missing)}")
        for entity in state.pending:
            client = None if state.in_process else clients_by_version[entity.version]
            if client is None:
                outcome = _outcome(entity, GONE, "the embedded mock ended with the run's process")
            else:
                outcome = _restore_or_say_why(entity, client, read_window)
            secrets = client.secrets if client is not None else ()
            out.append(_outcome_record(entity, outcome), secrets)
            outcomes.append(outcome)
            if on_outcome is not None:
                on_outcome(outcome)
        if all(o.settled for o in outcomes):
            out.append({"kind": "closed", "at": _now(), "by": "restore"})
    return outcomes


def _outcome(entity: Pending, outcome: str, message: str) -> EntityOutcome:
    return EntityOutcome(entity.version, entity.path, outcome, message, entity.snapshot.contract)


def _outcome_record(entity: Pending, outcome: EntityOutcome) -> dict[str, Any]:
    kind = "restore" if outcome.settled else "restore-failed"
    detail = "message" if outcome.settled else "reason"
    return {
        "kind": kind,
        "at": _now(),
        "by": "restore",
        "snapshots": list(entity.seqs),
        "version": entity.version,
        "path": entity.path,
        "outcome": outcome.outcome,
        detail: outcome.message,
    }


def _restore_or_say_why(entity: Pending, client: GraphClient, read_window: float) -> EntityOutcome:
    """The run's own restore routine (`restoring.put_back`), from the journal's snapshot.

    The entity is read first (the run was killed: whether its writes landed is unknown); it is
    PATCHed only when it differs, with the headers the contract's pages require. Requests are
    retried by the client's policy; an entity whose requests still fail is a target error, and
    the next entity is tried whatever happens.
    """
    snapshot = entity.snapshot
    body = {k: v for k, v in snapshot.restore.items() if k not in snapshot.redacted}
    target = restoring.Snapshot(
        entity.path, body, lambda current: _differences(body, current), snapshot.headers
    )
    try:
        done = restoring.put_back(client, target, read_window=read_window, check_first=True)
    except RequestFailed as exc:
        return _outcome(entity, TARGET_ERROR, redact(exc.reason, client.secrets))
    outcome = _outcome(entity, done.outcome, done.message)
    return _with_redacted(entity, outcome) if outcome.outcome in (RESTORED, ALREADY) else outcome


def _with_redacted(entity: Pending, outcome: EntityOutcome) -> EntityOutcome:
    """An entity whose journal lacks a value (it looked like a secret) cannot be shown as before."""
    names = entity.snapshot.redacted
    if not names:
        return outcome
    return _outcome(
        entity,
        NOT_VERIFIED,
        f"{outcome.outcome}, except {', '.join(names)}: the journal did not keep their values "
        "(they looked like secrets); check them by hand, then remove the journal",
    )


_ABSENT = object()


def _differences(body: Mapping[str, Any], current: Mapping[str, Any]) -> list[str]:
    """Restore properties whose current value is not the snapshot's (annotations left out)."""
    changes = []
    for name, value in body.items():
        if "@" in name:
            continue
        now = current.get(name, _ABSENT)
        if now is _ABSENT or _normal(now) != _normal(value):
            shown = "<absent>" if now is _ABSENT else repr(now)
            changes.append(f"{name}: {shown}, snapshot {value!r}")
    return changes


def _normal(value: Any) -> Any:
    """JSON with DateTimeOffset strings as instants (100 ns ticks), for equality."""
    if isinstance(value, str):
        try:
            return ("instant", edm.parse_datetimeoffset(value))
        except ValueError:
            return value
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    return value


# --- telling -------------------------------------------------------------------------------


def format_outcome(outcome: EntityOutcome) -> str:
    """One line per entity, for the console."""
    text = f"{outcome.outcome.upper():<17} {outcome.version} {outcome.path}"
    return text + (f": {outcome.message}" if outcome.message else "")


def summary(outcomes: list[EntityOutcome], path: Path | str) -> str:
    """The closing line of `graph-contracts restore`."""
    if not outcomes:
        return f"restore: nothing to restore in {path}; the journal is closed"
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.outcome] = counts.get(o.outcome, 0) + 1
    told = ", ".join(f"{n} {outcome}" for outcome, n in counts.items())
    left = sum(not o.settled for o in outcomes)
    if left:
        return (
            f"restore: {told}; {left} not back as before, the journal {path} stays open "
            "(run restore again once the cause is fixed)"
        )
    return f"restore: {told}; every entity is back as before, the journal {path} is closed"
