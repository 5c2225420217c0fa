"""A run is a plain object: configuration in, events out.

It imports neither pytest, nor the CLI, nor any reporter. Two drivers use it: `graph-contracts run`
calls `execute()`; the pytest plugin calls `start()`, then `endpoint()` from inside its tests (so
pytest's own junit/allure see one test per check), then `finish()`.

A stop request (`request_stop`, wired to SIGINT/SIGTERM by the drivers) is honoured at the next
safe point: the current endpoint puts its entities back and the run finishes as `interrupted`.

A target error (a request still failing after the client's retries) ends one endpoint, never the
run: it is announced with the endpoint (`EndpointFinished.target_error`), counted apart, and the
run goes on. Only a target that stopped answering and did not come back within `target_wait`
stops it (`TargetGone`): what was judged is in every report, the journal keeps what to restore.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import graph_contracts
from graph_contracts import bodies
from graph_contracts import plan as plans
from graph_contracts.auth import Grants, grants_of
from graph_contracts.client import GraphContractsError, RequestFailed, Retry, RetryStats
from graph_contracts.contracts import Contract
from graph_contracts.discovery import Discoverer, TargetError, Unreachable
from graph_contracts.engine import results as R
from graph_contracts.engine import schema
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
    EndpointPlanned,
    EndpointStarted,
    EventHandler,
    PermissionsAssessed,
    RequestRetried,
    RunFinished,
    RunPlanned,
    RunStarted,
    SchemaRead,
)
from graph_contracts.engine.shrink import SHRINK_SECONDS, default_budget
from graph_contracts.engine.target import SERVICE, Target, connect
from graph_contracts.exchanges import redact
from graph_contracts.metadata import Csdl, derived_types
from graph_contracts.workloads import workload_of


class TargetGone(GraphContractsError):
    """The target stopped answering mid-run and did not come back: the run ends as an error."""


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
        self.documented = contracts  # the docs' facts, for drift; `contracts` gets refined copies
        self.files = load_metadata(config.metadata, {c.version for c in contracts})
        self.schemas: dict[str, list[Csdl]] = {v: [c] for v, c in self.files.items()}
        self.schema_read: SchemaRead | None = None
        self._accepted: dict[str, tuple[frozenset[str], bool]] = {}
        self.endpoints = [Endpoint(c, path) for c in contracts for path in c.paths]
        if config.shard is not None:
            k, n = config.shard
            self.endpoints = [e for e in self.endpoints if shard_of(e.id, n) == k]
        self._by_id = {e.id: e for e in self.endpoints}
        budget, shrink_time = config.shrink_budget, config.shrink_seconds
        self.settings = Settings(
            config.strict,
            config.max_examples,
            self.seed,
            config.read_window,
            default_budget(config.base_url) if budget is None else budget,
            config.chosen_plan,
            target_wait=config.target_wait,
            require_permissions=config.require_permissions,
            shrink_seconds=SHRINK_SECONDS if shrink_time is None else shrink_time,
        )
        self._token = token
        self._target = target
        self._discoverers: dict[str, Discoverer] = {}
        self._done: dict[str, list[R.CheckResult]] = {}
        self._left_changed: list[str] = []
        self._restores = 0  # restore PATCHes sent (summary.json's totals.restores)
        self._grants: Grants | None = None
        self._target_errors: list[R.TargetError] = []
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
                metadata=self.files.values(),
            )
        return self._target

    def _retried(self, retry: Retry) -> None:
        self.emit(
            RequestRetried(
                retry.method,
                retry.url,
                retry.status,
                retry.attempt,
                retry.wait,
                retry.retry_after,
                retry.cause,
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

    # -- the service's schema ----------------------------------------------------------------
    def read_schemas(self) -> SchemaRead:
        """The target's own `$metadata` (and `--metadata` files): the contracts refined by it,
        the drift between docs, files and service, announced once (`engine.schema`)."""
        if self.schema_read is None:
            found = schema.read(self.config, self.target, self.documented, self.files)
            self._use(found.contracts)
            self.schemas, self._accepted = found.by_version, {}
            self.schema_read = found.event
            self.emit(found.event)
        return self.schema_read

    def _use(self, contracts: list[Contract]) -> None:
        """Refined contracts replace the docs' in every endpoint (same ids, same order)."""
        by_id = {c.id: c for c in contracts}
        self.contracts = contracts
        self.endpoints = [Endpoint(by_id[e.contract.id], e.template) for e in self.endpoints]
        self._by_id = {e.id: e for e in self.endpoints}

    def _info(self, target: str, kind: str) -> R.RunInfo:
        return R.RunInfo(
            tool_version=graph_contracts.__version__,
            target=target,
            target_kind=kind,
            api_versions=tuple(sorted({c.version for c in self.contracts})),
            seed=self.seed,
            started=_now(),
            mode=self.config.mode,
            plan=self.config.chosen_plan,
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
        """Resolve the first endpoint now: bad credentials or an unreachable target stop the run.

        A target error (a reply that still failed after its retries) does not: the endpoint
        will meet it again and report it. Then the service's schema is read (nothing said
        before a clear error), before anything is planned or sent with the contracts it refines.
        """
        if self.endpoints:
            first = self.endpoints[0]
            with contextlib.suppress(RequestFailed):
                self.discoverer(first.contract.version).resolve(first.template)
        self.read_schemas()

    def identify(self) -> None:
        """After the first replies: a `graph-contracts mock` server is ours (no opt-in, no pacing)."""
        target = self.target
        target.identify(keep_pacing=bool(self.config.write_rate or self.config.rate))
        if self.info is not None and self.info.target_kind != target.kind:
            self.info = replace(self.info, target_kind=target.kind)

    @property
    def grants(self) -> Grants:
        """What the run's token carries (read once, after the first request fetched it)."""
        if self._grants is None:
            try:
                self._grants = grants_of(self.target.credentials)
            except GraphContractsError as exc:  # no token: the first request has said why
                self._grants = Grants(None, why=str(exc))
        return self._grants

    def assess_permissions(self) -> PermissionsAssessed | None:
        """Say up front which endpoints the token's permissions cover (`--dry-run`, the header).

        Said when the token names its permissions, or for a service (where a token that does not
        is worth knowing of); a mock run with its own opaque token has nothing to say.
        """
        grants = self.grants
        if grants.kind is None and self.target.kind != SERVICE:
            return None
        verdicts: dict[bool | None, list[tuple[str, str]]] = {True: [], False: [], None: []}
        for endpoint in self.endpoints:
            coverage = plans.permission_coverage(endpoint.contract, grants)
            verdicts[coverage.covered].append((endpoint.id, coverage.reason))
        assessed = PermissionsAssessed(
            grants.describe(),
            tuple(verdicts[True]),
            tuple(verdicts[False]),
            tuple(verdicts[None]),
        )
        self.emit(assessed)
        return assessed

    def needs_opt_in(self) -> bool:
        """Writes to anything but graph-contracts' own mock need --allow-writes."""
        return self.target.kind == SERVICE and not self.config.allow_writes

    def info_of(self, endpoint: Endpoint) -> EndpointInfo:
        return EndpointInfo(
            endpoint.contract.id,
            endpoint.contract.version,
            endpoint.template,
            workload_of(endpoint.template),
            self.endpoints.index(endpoint) + 1,
            len(self.endpoints),
        )

    def plan(self) -> RunPlanned:
        """Discover every endpoint (GETs only) and say what the run would send to it."""
        assert self.info is not None
        requests: list[tuple[str, str]] = []
        reachable = patches = gets = 0
        for endpoint in self.endpoints:
            contract = endpoint.contract
            try:
                found = self.discoverer(contract.version).resolve(
                    endpoint.template, contract.odata_type, self.accepted_types(contract)[0]
                )
            except RequestFailed as exc:
                found = Unreachable(f"target error: {redact(exc.reason, self.secrets())}")
            sibling = not isinstance(found, Unreachable) and found.sibling is not None
            estimate = self.estimate(endpoint, sibling=sibling)
            if isinstance(found, Unreachable):
                self.emit(EndpointPlanned(self.info_of(endpoint), None, found.reason, 0, 0))
                continue
            reachable += 1
            patches, gets = patches + estimate.patches, gets + estimate.gets
            path = f"/{contract.version}{found.path}"
            requests += [("PATCH", path)] * estimate.patches + [("GET", path)] * estimate.gets
            self.emit(
                EndpointPlanned(
                    self.info_of(endpoint), found.path, "", estimate.patches, estimate.gets
                )
            )
        seconds = self.target.pacer.estimate(requests)
        planned = RunPlanned(
            self.info, len(self.endpoints), reachable, patches, gets, round(seconds, 1)
        )
        self.emit(planned)
        return planned

    def dry_run(self) -> RunPlanned:
        """`--dry-run`: announce, discover with GETs only, print the plan; nothing is written."""
        try:
            self.start()
            self.preflight()
            self.identify()
            self.assess_permissions()
            return self.plan()
        finally:
            self.close()

    def endpoint(self, endpoint: Endpoint) -> list[R.CheckResult]:
        """Exercise one endpoint once (later calls return the same results)."""
        endpoint = self._by_id.get(endpoint.id, endpoint)  # a driver's, from before refinement
        if endpoint.id in self._done:
            return self._done[endpoint.id]
        if self.stop_signal is not None:  # asked for between two endpoints: none is begun
            raise StopRequested
        info = self.info_of(endpoint)
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
            operation_of=self.operation_of,
            grants=self.grants,
        )
        try:
            results = runner.run()
        finally:
            self._left_changed += runner.left_changed
            self._restores += runner.restores
        self._done[endpoint.id] = results
        if runner.target_error is not None:
            self._target_errors.append(runner.target_error)
        duration = time.monotonic() - began
        ctx = runner.ctx
        planned = self.estimate(endpoint, sibling=ctx is not None and ctx.sibling is not None)
        self.emit(
            EndpointFinished(
                info,
                tuple(results),
                duration,
                runner.checked_patches,
                runner.restores,
                planned.patches,
                runner.coverage().to_dict() if ctx is not None else None,
                runner.target_error,
            )
        )
        if runner.gone:
            raise TargetGone(self._gone(endpoint, runner.target_error))
        return results

    def _gone(self, endpoint: Endpoint, error: R.TargetError | None) -> str:
        """Why the run stopped: which request the target stopped answering, and what is left."""
        done = self.endpoints.index(endpoint) + 1
        what = error.reason if error is not None else "a restore met a target error"
        left = (
            "; run `graph-contracts restore` with this run's journal once it is back"
            if self._left_changed
            else ""
        )
        return (
            f"the target stopped answering ({what}); the run stopped after {done} of "
            f"{len(self.endpoints)} endpoints{left}"
        )

    def estimate(self, endpoint: Endpoint, *, sibling: bool = False) -> plans.PlanEstimate:
        """The requests the chosen plan costs on one endpoint (`--dry-run`, the write guard)."""
        return plans.estimate(
            endpoint.contract,
            self.config.chosen_plan,
            self.config.max_examples,
            template=endpoint.template,
            schemathesis=self.config.schemathesis,
            sibling=sibling,
        )

    def accepted_types(self, contract: Contract) -> tuple[frozenset[str], bool]:
        """Types a reply for `contract` may name, and whether a CSDL knows its whole hierarchy."""
        if contract.id not in self._accepted:
            csdls = self.schemas.get(contract.version, [])
            derived = {t for csdl in csdls for t in derived_types(csdl, contract.resource)}
            known = any(contract.resource in csdl.types for csdl in csdls)
            hierarchy = {contract.resource: derived} if derived else None
            self._accepted[contract.id] = (bodies.accepted_types(contract, hierarchy), known)
        return self._accepted[contract.id]

    def _schemathesis(self) -> Any:
        """Schemathesis over the contracts' OpenAPI, built once (None when its budget is 0)."""
        budget = self.config.schemathesis
        budget = self.config.max_examples if budget is None else budget
        if budget <= 0:
            return None
        if self._extra is None:
            from graph_contracts.engine.schemathesis_cases import SchemathesisCases

            self._extra = SchemathesisCases(self.contracts, budget, self.seed)
        return self._extra

    def extra_cases(self, endpoint: Endpoint) -> list[ExtraCase]:
        """Schemathesis' cases for the endpoint (none when its budget is 0)."""
        cases = self._schemathesis()
        return [] if cases is None else cases.cases(endpoint)

    def operation_of(self, endpoint: Endpoint) -> Any:
        """Schemathesis' operation, for its own checks on the replies (None when it is off)."""
        cases = self._schemathesis()
        return None if cases is None else cases.operation(endpoint)

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
        totals.paced_wait_s = stats.paced
        totals.restores = self._restores
        totals.retried = dict(stats.causes.most_common())
        totals.restore_failures = len(self._left_changed)
        totals.target_errors = len(self._target_errors)
        for name, value in self.triage.summarize(results).items():
            setattr(totals, name, value)
        if not interrupted:  # a stop request says why the run is partial; this would not
            fatal = fatal or R.target_error_verdict(results, self._target_errors)
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
            target_errors=tuple(self._target_errors),
        )
        self.emit(self.finished)
        return self.finished

    def execute(self) -> RunFinished:
        """The whole run: announce, check every endpoint, finish; never raises for the target."""
        fatal = ""
        try:
            self.start()
            self.preflight()
            self.identify()
            self.assess_permissions()
            if self.needs_opt_in():  # say what it would have written, then refuse: exit 2
                fatal = self.refusal(self.plan())
            for endpoint in [] if fatal else self.endpoints:
                if self.stop_signal is not None:
                    break
                self.endpoint(endpoint)
        except (TargetError, GraphContractsError) as exc:
            fatal = str(exc)
        except RequestFailed as exc:  # an endpoint keeps its own; this is a last resort
            fatal = f"target error: {redact(exc.reason, self.secrets())}"
        except (StopRequested, KeyboardInterrupt):
            self.request_stop("SIGINT")
        finally:
            finished = self.finish(fatal=fatal)
            self.close()
        return finished

    def refusal(self, planned: RunPlanned) -> str:
        """Why a run that was not allowed to write stops before its first PATCH."""
        return (
            f"refusing to write to {self.target.base_url}: it is not graph-contracts' own mock, "
            f"and writes were not allowed. This run would send about {planned.patches} PATCHes "
            f"to {planned.reachable} entities (the plan above). Point it at a test tenant, then "
            "pass --allow-writes (or set GRAPH_CONTRACTS_ALLOW_WRITES=1)."
        )

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
