"""What a run tells the world: one stream of events, and the handlers that listen to it.

Schemathesis' idea (`cli/commands/run/handlers/`): the engine emits, handlers write. Console,
summary.json, summary.md, JUnit, Allure and the journal are all handlers; the engine imports none
of them. Events are plain frozen data and carry no secret: exchanges are already redacted
(`exchanges.ExchangeRecord`) when they leave the engine.

Handlers run synchronously, in order, on the engine's thread: an exception in one (a journal that
cannot write) stops the run before its next request, which is what a write-ahead log needs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from graph_contracts.engine.results import CheckResult, RunInfo, TargetError, Totals
from graph_contracts.exchanges import ExchangeRecord


@dataclass(frozen=True)
class EndpointInfo:
    """The endpoint an event is about: contract, version, path template and its place in the run."""

    contract: str  # `beta/deviceConfigurationUserStatus`
    version: str
    path: str
    workload: str
    index: int  # 1-based
    total: int

    @property
    def id(self) -> str:
        return f"{self.contract} {self.path}"


@dataclass(frozen=True)
class RunStarted:
    run: RunInfo


@dataclass(frozen=True)
class SchemaRead:
    """The CSDL a run read before its first check, what it added, and the drift it found.

    `sources`: one entry per document (`version`, `kind` service|file, `origin`, `status`,
    `detail`): the service's own `$metadata` per API version, or why there is none, and the
    `--metadata` files. `facts`: what they added to the contracts, per kind (`fact_lines`: per
    contract, each fact and its source: "nullable per the service's $metadata"). `drift`: where the
    docs, the files and the service disagree (`metadata.Drift.to_dict()`), information for the
    reports, never a check's verdict.
    """

    sources: tuple[dict[str, str], ...] = ()
    facts: dict[str, int] = field(default_factory=dict)
    drift: dict[str, Any] = field(default_factory=dict)
    fact_lines: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class EndpointStarted:
    endpoint: EndpointInfo


@dataclass(frozen=True)
class CheckFinished:
    """One check's verdict on one endpoint, folded over every case it judged."""

    endpoint: EndpointInfo
    result: CheckResult
    exchange: ExchangeRecord | None = None  # the first failing exchange, for reproducers


@dataclass(frozen=True)
class RequestRetried:
    """A transient error (429, 502, 503, 504, a reset, a timeout...) the client is about to retry
    after `wait` seconds."""

    method: str
    url: str
    status: int  # 0 when nothing was answered
    attempt: int
    wait: float
    retry_after: float | None
    cause: str = ""


@dataclass(frozen=True)
class EntitySnapshotTaken:
    """The state of an entity before the run's first write to it (what a restore puts back)."""

    endpoint: EndpointInfo
    base_url: str
    version: str
    path: str
    state: dict[str, Any]
    restore: dict[str, Any]  # the body a restore PATCHes: updatable properties only
    # The request headers the contract's pages require (`Contract.headers`): a restore from the
    # journal sends what the run's would (`required_headers.patch`: If-Match where required).
    headers: tuple[str, ...] = ()


@dataclass(frozen=True)
class EntityRestored:
    endpoint: EndpointInfo
    path: str
    verified: bool  # a GET afterwards showed the snapshot's values
    # The restore PATCH was refused, but a GET shows the entity as the snapshot: nothing of the
    # run is left on it (a write the app may not make never changed it). Says why, else "".
    already: str = ""


@dataclass(frozen=True)
class RestoreFailed:
    """An entity the run could not put back as it found it: the target is left changed."""

    endpoint: EndpointInfo
    path: str
    reason: str


@dataclass(frozen=True)
class EndpointFinished:
    endpoint: EndpointInfo
    results: tuple[CheckResult, ...]
    duration_s: float
    writes: int = 0  # PATCH requests whose reply a check judged
    restores: int = 0  # PATCH requests that put entities back (unjudged)
    planned: int = 0  # PATCH requests the plan estimated, restores included
    coverage: dict[str, Any] | None = None  # plan.Coverage.to_dict()
    target_error: TargetError | None = None  # what kept the endpoint from being judged in full


@dataclass(frozen=True)
class EndpointPlanned:
    """What a run would do on one endpoint, found with GETs only (`--dry-run`, the write guard)."""

    endpoint: EndpointInfo
    path: str | None  # the entity it would write; None when none is reachable
    reason: str  # why not, when `path` is None
    patches: int
    gets: int


@dataclass(frozen=True)
class RunPlanned:
    """The whole plan: what the run would send, and the least time Graph's budgets allow."""

    run: RunInfo
    endpoints: int
    reachable: int
    patches: int
    gets: int
    estimated_s: float


@dataclass(frozen=True)
class PermissionsAssessed:
    """Which endpoints the token's permissions cover, by what their docs list (before any write).

    `token` describes the token by its kind and permission names (never the token itself);
    `covered`, `uncovered` and `unknown` hold (endpoint id, why) in the run's order.
    """

    token: str
    covered: tuple[tuple[str, str], ...]
    uncovered: tuple[tuple[str, str], ...]
    unknown: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class RunFinished:
    run: RunInfo
    outcome: str  # passed | failed | error | interrupted
    totals: Totals
    duration_s: float
    finished: str  # ISO 8601, UTC
    message: str = ""  # why the run ended early (a usage, target or credentials error)
    reasons: dict[str, int] = field(default_factory=dict)  # nothing checked: reason -> endpoints
    left_changed: tuple[str, ...] = ()  # entities not put back as found
    target_errors: tuple[TargetError, ...] = ()  # endpoints the target kept from being judged


Event = (
    RunStarted
    | SchemaRead
    | EndpointPlanned
    | RunPlanned
    | PermissionsAssessed
    | EndpointStarted
    | CheckFinished
    | RequestRetried
    | EntitySnapshotTaken
    | EntityRestored
    | RestoreFailed
    | EndpointFinished
    | RunFinished
)


class EventHandler(Protocol):
    """Anything that listens to a run: reporters, the journal, a progress display."""

    def handle(self, event: Event) -> None: ...


class Emitter:
    """Delivers each event to every handler, in the order they were given."""

    def __init__(self, handlers: Iterable[EventHandler] = ()) -> None:
        self.handlers = list(handlers)

    def __call__(self, event: Event) -> None:
        for handler in self.handlers:
            handler.handle(event)
