"""A run is a plain object: configuration in, events out.

It imports neither pytest, nor the CLI, nor any reporter. Two drivers use it: `graph-contracts run`
calls `execute()`; the pytest plugin calls `start()`, then `endpoint()` from inside its tests (so
pytest's own junit/allure see one test per check), then `finish()`.

A stop request (`request_stop`, wired to SIGINT/SIGTERM by the drivers) is honoured at the next
safe point: the current endpoint puts its entities back and the run finishes as `interrupted`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import graph_contracts
from graph_contracts import bodies
from graph_contracts.client import GraphContractsError, Retry, RetryStats
from graph_contracts.contracts import Contract
from graph_contracts.discovery import Discoverer, TargetError
from graph_contracts.engine import results as R
from graph_contracts.engine.config import (
    RunConfig,
    load_id_file,
    load_metadata,
    load_triage,
    new_seed,
    shard_of,
)
from graph_contracts.engine.endpoint import (
    Endpoint,
    EndpointRun,
    ExtraCase,
    Settings,
    StopRequested,
)
from graph_contracts.engine.events import (
    Emitter,
    EndpointFinished,
    EndpointInfo,
    EndpointStarted,
    EventHandler,
    RequestRetried,
    RunFinished,
    RunStarted,
)
from graph_contracts.engine.shrink import default_budget
from graph_contracts.engine.target import Target, connect
from graph_contracts.metadata import derived_types
from graph_contracts.workloads import workload_of


class Run:
    """One run of the contract suite against one target."""

    def __init__(
        self,
        config: RunConfig,
        contracts: list[Contract],
        *,
        handlers: Iterable[EventHandler] = (),
        token: str | None = None,
        target: Target | None = None,
    ) -> None:
        self.config = config
        self.contracts = contracts
        self.emit = Emitter(handlers)
        self.seed = config.seed if config.seed is not None else new_seed()
        self.ids = load_id_file(config.ids)
        self.triage = load_triage(config)
        self.csdl = load_metadata(config.metadata)
        self._accepted: dict[str, tuple[frozenset[str], bool]] = {}
        self.endpoints = [Endpoint(c, path) for c in contracts for path in c.paths]
        if config.shard is not None:
            k, n = config.shard
            self.endpoints = [e for e in self.endpoints if shard_of(e.id, n) == k]
        budget = config.shrink_budget
        self.settings = Settings(
            config.strict,
            config.max_examples,
            self.seed,
            config.read_window,
            default_budget(config.base_url) if budget is None else budget,
        )
        self._token = token
        self._target = target
        self._discoverers: dict[str, Discoverer] = {}
        self._done: dict[str, list[R.CheckResult]] = {}
        self._left_changed: list[str] = []
        self._extra: Any = None
        self._started_at = 0.0
        self.info: R.RunInfo | None = None
        self.stop_signal: str | None = None
        self.finished: RunFinished | None = None

    # -- the target --------------------------------------------------------------------------
    @property
    def target(self) -> Target:
        if self._target is None:
            self._target = connect(
                self.config,
                self.contracts,
                token=self._token,
                on_retry=self._retried,
                seed=self.seed,
            )
        return self._target

    def _retried(self, retry: Retry) -> None:
        self.emit(
            RequestRetried(
                retry.method, retry.url, retry.status, retry.attempt, retry.wait, retry.retry_after
            )
        )

    def secrets(self) -> tuple[str, ...]:
        return self.target.secrets() if self._target is not None else ()

    def discoverer(self, version: str) -> Discoverer:
        if version not in self._discoverers:
            self._discoverers[version] = Discoverer(self.target.clients[version], self.ids)
        return self._discoverers[version]

    # -- driving -----------------------------------------------------------------------------
    def request_stop(self, signal_name: str = "SIGINT") -> None:
        """Stop at the next safe point (between two requests), restoring what was touched."""
        self.stop_signal = self.stop_signal or signal_name

    def start(self) -> R.RunInfo:
        """Connect and announce the run: the seed is out before the first request is sent."""
        self._started_at = time.monotonic()
        target = self.target
        self.info = self._info(target.base_url, target.kind)
        self.emit(RunStarted(self.info))
        return self.info

    def _info(self, target: str, kind: str) -> R.RunInfo:
        return R.RunInfo(
            tool_version=graph_contracts.__version__,
            target=target,
            target_kind=kind,
            api_versions=tuple(sorted({c.version for c in self.contracts})),
            seed=self.seed,
            started=_now(),
            mode=self.config.mode,
            plan=self.config.plan,
            max_examples=self.config.max_examples,
            contracts=len(self.contracts),
            endpoints=len(self.endpoints),
            faults=tuple(self.config.faults),
            fail_on=self.config.fail_on,
            shard=self.config.shard_label,
            worker=self.config.worker,
            baseline=self._baseline_facts(),
            known_failures=str(self.config.known_failures) if self.config.known_failures else None,
        )

    def _baseline_facts(self) -> dict[str, Any] | None:
        baseline = self.triage.baseline
        if baseline is None:
            return None
        facts = {k: baseline.run.get(k) for k in ("started", "seed", "outcome", "target")}
        return {"path": str(baseline.path), **facts}

    def preflight(self) -> None:
        """Resolve the first endpoint now: bad credentials or an unreachable target stop the run."""
        if self.endpoints:
            first = self.endpoints[0]
            self.discoverer(first.contract.version).resolve(first.template)

    def endpoint(self, endpoint: Endpoint) -> list[R.CheckResult]:
        """Exercise one endpoint once (later calls return the same results)."""
        if endpoint.id in self._done:
            return self._done[endpoint.id]
        index = self.endpoints.index(endpoint) + 1
        info = EndpointInfo(
            endpoint.contract.id,
            endpoint.contract.version,
            endpoint.template,
            workload_of(endpoint.template),
            index,
            len(self.endpoints),
        )
        self.emit(EndpointStarted(info))
        began = time.monotonic()
        version = endpoint.contract.version
        runner = EndpointRun(
            endpoint,
            self.target.clients[version],
            self.discoverer(version),
            self.settings,
            info=info,
            emit=self.emit,
            should_stop=lambda: self.stop_signal is not None,
            extra_cases=self.extra_cases,
            secrets=self.secrets,
            annotate=self.triage.annotate,
            accepted_types=self.accepted_types,
        )
        try:
            results = runner.run()
        finally:
            self._left_changed += runner.left_changed
        self._done[endpoint.id] = results
        duration = time.monotonic() - began
        self.emit(EndpointFinished(info, tuple(results), duration, runner.checked_patches))
        return results

    def accepted_types(self, contract: Contract) -> tuple[frozenset[str], bool]:
        """Types a reply for `contract` may name, and whether a CSDL knows its whole hierarchy."""
        if contract.id not in self._accepted:
            derived = {t for csdl in self.csdl for t in derived_types(csdl, contract.resource)}
            known = any(contract.resource in csdl.types for csdl in self.csdl)
            hierarchy = {contract.resource: derived} if derived else None
            self._accepted[contract.id] = (bodies.accepted_types(contract, hierarchy), known)
        return self._accepted[contract.id]

    def extra_cases(self, endpoint: Endpoint) -> list[ExtraCase]:
        """Schemathesis' cases for the endpoint (none when its budget is 0)."""
        budget = self.config.schemathesis
        budget = self.config.max_examples if budget is None else budget
        if budget <= 0:
            return []
        if self._extra is None:
            from graph_contracts.engine.schemathesis_cases import SchemathesisCases

            self._extra = SchemathesisCases(self.contracts, budget, self.seed)
        return self._extra.cases(endpoint)

    @property
    def results(self) -> list[R.CheckResult]:
        return [r for results in self._done.values() for r in results]

    def finish(self, *, fatal: str = "", interrupted: bool = False) -> RunFinished:
        """Total the results, decide the outcome and announce it (once)."""
        if self.finished is not None:
            return self.finished
        if self.info is None:  # the target could not even be set up: say so, still as a run
            self.info = self._info(self.config.base_url or "", "unknown")
            self.emit(RunStarted(self.info))
        interrupted = interrupted or self.stop_signal is not None
        results = self.results
        totals = R.tally(results, len(self.endpoints), len(self.contracts))
        stats = self._target.stats() if self._target is not None else RetryStats()
        totals.requests, totals.retries = stats.requests, stats.count
        totals.throttled, totals.retry_wait_s = stats.throttled, stats.waited
        totals.restore_failures = len(self._left_changed)
        for name, value in self.triage.summarize(results).items():
            setattr(totals, name, value)
        outcome = R.decide(
            totals, fatal=fatal, interrupted=interrupted, left_changed=bool(self._left_changed)
        )
        reasons = R.skip_reasons(results) if totals.checks_run == 0 else {}
        self.finished = RunFinished(
            self.info,
            outcome,
            totals,
            round(time.monotonic() - self._started_at, 3),
            _now(),
            message=fatal,
            reasons=reasons,
            left_changed=tuple(self._left_changed),
        )
        self.emit(self.finished)
        return self.finished

    def execute(self) -> RunFinished:
        """The whole run: announce, check every endpoint, finish; never raises for the target."""
        fatal = ""
        try:
            self.start()
            self.preflight()
            for endpoint in self.endpoints:
                if self.stop_signal is not None:
                    break
                self.endpoint(endpoint)
        except (TargetError, GraphContractsError) as exc:
            fatal = str(exc)
        except (StopRequested, KeyboardInterrupt):
            self.request_stop("SIGINT")
        finally:
            finished = self.finish(fatal=fatal)
            self.close()
        return finished

    def exit_code(self) -> int:
        assert self.finished is not None
        return R.exit_code(
            self.finished.outcome,  # type: ignore[arg-type]
            fatal=self.finished.message,
            signal_name=self.stop_signal,
        )

    def close(self) -> None:
        if self._target is not None:
            self._target.close()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
