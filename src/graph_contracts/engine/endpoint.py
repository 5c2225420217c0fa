"""Exercising one endpoint: send every case, let every registered check judge it, put it back.

One PATCH feeds all the write checks (status, shape, round-trip, read-after-write, merge) and the
GET that follows it is the next case's "before": on a throttled live tenant coverage per request
is what counts. Then the invalid bodies, then the probes (no token, a wrong token, an unknown id).
Each check's verdicts are folded into one result per endpoint, so the report says "round-trip
failed on this path" with the first failing case as its reproducer, not a thousand lines.

Sources of cases, in order: the documented request examples (as ApiDoctor runs them), enum
coverage, Hypothesis bodies from the property table, Schemathesis' bodies; then invalid bodies (the
strategies' deterministic catalogue, drawn malformed ones, Schemathesis' negative data). A
documented example that lint flags (`example-invalid`, `example-unknown-property`, severity error)
is not sent as a valid write: the property table says a conforming service must refuse it, so it
goes to the rejection check with the lint finding as its reason.

The entity is snapshotted (an event, which the journal writes ahead) before the first write and
restored in a `finally`, whatever happens: a stop request, a broken check, a second Ctrl-C. The
restore is `restoring.put_back`, the routine `graph-contracts restore` uses on the journal too.

A valid write answered 403 means the token lacks a permission (`plan.denied_by_permission`), and
so does any PATCH sent with the run's token before a write was accepted: the endpoint stops there
and its checks are skipped with a reason naming the permissions its docs list and those the token
carries (`--require-permissions` fails `status` instead). A refused write changed nothing, so
when no write was accepted a GET confirms the entity is as found instead of a restore PATCH the
service would refuse too.

Every PATCH carries what the docs require (`required_headers`): where a page requires If-Match
(Planner), the entity's current `@odata.etag`, read before the first write and renewed from each
write's reply; an endpoint whose pages require a header the suite cannot supply is skipped.

A request that still fails after the client's retries (`client.RequestFailed`: resets, timeouts,
gateway errors, a GET whose body is not JSON or is too large) is a *target error*: the endpoint
stops sending, every check keeps the verdicts of the cases it judged, and the request is kept with
its reproducer for the reports. A target that stopped answering is waited for (`target_wait`);
if it comes back the entity is put back and the run goes on; if the wait runs out the entity is
left to `graph-contracts restore` and `gone` tells the run to stop; a stop request that cuts the
wait short still puts it back (one attempt). A restore the service refuses is "already as before"
only where GETs prove nothing of the run is left on it (`restoring`).
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import httpx
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import find as hypothesis_find
from hypothesis import seed as hypothesis_seed
from hypothesis.errors import NoSuchExample
from hypothesis.strategies import SearchStrategy

from graph_contracts import bodies, checks, edm, plan, required_headers, restoring, strategies
from graph_contracts.auth import Grants, StaticToken
from graph_contracts.checks import Case, CheckContext, Verdict
from graph_contracts.client import GraphClient, RequestFailed, Waited
from graph_contracts.contracts import Contract, Example
from graph_contracts.discovery import Discoverer, Unreachable
from graph_contracts.engine.events import (
    CheckFinished,
    EndpointInfo,
    EntityRestored,
    EntitySnapshotTaken,
    Event,
    RestoreFailed,
)
from graph_contracts.engine.results import CheckResult, TargetError
from graph_contracts.engine.shrink import LOCAL_BUDGET, SHRINK_SECONDS, shrink
from graph_contracts.exchanges import curl, record, redact

LINT_REJECTED = frozenset({"example-invalid", "example-unknown-property"})
WRITE_CHECKS = ("status", "shape", "round-trip", "read-after-write", "merge")
SCHEMATHESIS_CHECKS = ("not-a-server-error", "response-schema-conformance")
# Cases sent with the run's own token and a body the app means to write: a 403 to one of them says
# the app lacks a permission, not that the contract is broken (a page may require one for a single
# property: user-update.md, `identities`). An unknown id's 403 says so only before any write was
# accepted (an endpoint with no body to write sends it among its first PATCHes).
OWN_WRITES = frozenset({"write", "invalid"})
TARGET_WAIT = 60.0  # seconds a run waits for a target that stopped answering to come back


class StopRequested(BaseException):
    """A stop was asked for (SIGINT, SIGTERM): leave at the next safe point, restoring first.

    A BaseException so that Hypothesis, which collects a test's Exceptions as failures, lets it
    through at once.
    """


class _TargetStop(BaseException):
    """A request of this endpoint failed after its retries: stop sending, keep what was judged.

    A BaseException, as StopRequested is, so that Hypothesis (and the shrinker, which suppresses
    Exceptions) lets it through at once instead of calling it a failure and replaying the body.
    """

    def __init__(self, error: RequestFailed) -> None:
        super().__init__(error.reason)
        self.error = error


class PermissionDenied(BaseException):
    """A valid write was refused for want of a permission: the endpoint stops at once.

    A BaseException, as StopRequested, so that it leaves a Hypothesis-driven write untouched.
    """

    def __init__(self, response: httpx.Response, path: str) -> None:
        super().__init__(response.status_code)
        self.response, self.path = response, path


@dataclass(frozen=True)
class Denial:
    """Why an endpoint could not be exercised for want of a permission (and the reply, if any)."""

    reason: str
    response: httpx.Response | None = None


@contextmanager
def _stops_on_target_error() -> Iterator[None]:
    """Around every request a case sends: a RequestFailed ends the endpoint (_TargetStop)."""
    try:
        yield
    except RequestFailed as exc:
        raise _TargetStop(exc) from None


@dataclass(frozen=True, repr=False)
class Endpoint:
    """One (contract, path template): the unit the report's rows are made of."""

    contract: Contract
    template: str

    def __repr__(self) -> str:
        return f"Endpoint({self.id!r})"

    @property
    def id(self) -> str:
        return f"{self.contract.id} {self.template}"


@dataclass(frozen=True)
class Settings:
    strict: bool = False
    max_examples: int = 25
    seed: int = 0
    read_window: float = 3.0
    shrink_budget: int = LOCAL_BUDGET  # PATCHes spent shrinking each failing check's body
    plan: str = "full"  # "minimal": the covering set and one body per invalid class only
    require_permissions: bool = False  # a permission the token lacks fails `status`, not skips
    shrink_seconds: float = SHRINK_SECONDS  # time spent shrinking an endpoint's failures
    target_wait: float = TARGET_WAIT  # seconds to wait for a target that stopped answering


@dataclass
class ExtraCase:
    """A body from another generator (Schemathesis) and whether it must be rejected."""

    body: Any
    source: str
    negative: bool = False


@dataclass
class Tally:
    """Verdicts of one check on one endpoint, folded into the one result the report shows."""

    cases: int = 0
    failures: int = 0
    first_failure: Verdict | None = None
    first_case: Case | None = None  # the case that failed first (shrunk when generated)
    deviations: dict[str, int] = field(default_factory=dict)
    notes: dict[str, int] = field(default_factory=dict)

    def add(self, verdict: Verdict | None, case: Case | None = None) -> None:
        if verdict is None:
            return
        self.cases += 1
        if verdict.failed:
            self.failures += 1
            if self.first_failure is None:
                self.first_failure, self.first_case = verdict, case
        if verdict.deviation:
            self.deviations[verdict.deviation] = self.deviations.get(verdict.deviation, 0) + 1
        if verdict.message and not verdict.failed:
            self.notes[verdict.message] = self.notes.get(verdict.message, 0) + 1

    def verdict(self, nothing_judged: str) -> Verdict:
        if self.cases == 0:
            return Verdict("skipped", nothing_judged)
        deviation = "; ".join(f"{d} ({n}/{self.cases})" for d, n in self.deviations.items()) or None
        if self.first_failure is not None:
            first = self.first_failure
            message = f"{first.message} [{self.failures}/{self.cases} cases failed]"
            return Verdict("failed", message, deviation, first.response)
        notes = "; ".join(sorted(self.notes))
        message = f"{self.cases} case{'s' if self.cases != 1 else ''}" + (
            f"; {notes}" if notes else ""
        )
        return Verdict("passed", message, deviation)


def drive(strategy: SearchStrategy[Any], n: int, seed: int, test: Callable[[Any], None]) -> None:
    """Run `test` on `n` values drawn by Hypothesis, seeded; failures are collected, not raised."""
    if n <= 0:
        return

    @hypothesis_seed(seed)
    @settings(
        max_examples=n,
        database=None,
        deadline=None,
        phases=(Phase.generate,),
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
    )
    @given(strategy)
    def run(value: Any) -> None:
        test(value)

    run()


def draw_one(strategy: SearchStrategy[Any], seed: int) -> Any:
    """One deterministic value from a strategy (for probes that need any valid body)."""
    try:
        return hypothesis_find(
            strategy,
            lambda _: True,
            settings=settings(database=None, phases=(Phase.generate,), max_examples=10),
            random=random.Random(seed),
        )
    except NoSuchExample:
        return None


def lint_reasons(contract: Contract, example: Example) -> list[str]:
    """Why lint calls this documented request example invalid (empty when it is fine)."""
    from graph_contracts.lint import lint_contract

    findings = lint_contract(replace(contract, examples=[example]))
    return [
        f"{f.location}: {f.message}"
        for f in findings
        if f.rule in LINT_REJECTED and f.severity == "error"
    ]


def doc_examples(contract: Contract) -> Iterator[tuple[Example, list[str]]]:
    """The documented PATCH request examples, each with lint's reasons to call it invalid."""
    for example in contract.examples:
        if example.kind != "request" or (example.method or "PATCH").upper() != "PATCH":
            continue
        if example.body is None and not example.body_text:
            continue
        yield example, lint_reasons(contract, example)


class EndpointRun:
    """Everything the run learns about one endpoint: one result per registered check."""

    def __init__(
        self,
        endpoint: Endpoint,
        client: GraphClient,
        discoverer: Discoverer,
        config: Settings,
        *,
        info: EndpointInfo | None = None,
        emit: Callable[[Event], None] = lambda event: None,
        should_stop: Callable[[], bool] = lambda: False,
        extra_cases: Callable[[Endpoint], Iterable[ExtraCase]] | None = None,
        secrets: Callable[[], Iterable[str]] = tuple,
        annotate: Callable[[CheckResult], CheckResult] = lambda result: result,
        accepted_types: Callable[[Contract], tuple[frozenset[str], bool]] | None = None,
        operation_of: Callable[[Endpoint], Any] | None = None,
        grants: Grants | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.client = client
        self.discoverer = discoverer
        self.config = config
        self.info = info or EndpointInfo(
            endpoint.contract.id, endpoint.contract.version, endpoint.template, "", 1, 1
        )
        self.emit = emit
        self.should_stop = should_stop
        self.extra_cases = extra_cases
        self.secrets = secrets
        self.annotate = annotate
        self.operation_of = operation_of
        self.accepted_types = accepted_types or (
            lambda contract: (bodies.accepted_types(contract), False)
        )
        self.tallies = {name: Tally() for name in checks.CHECKS}
        self.ctx: CheckContext | None = None
        self.sample: dict[str, Any] | None = None
        self.results: list[CheckResult] = []
        self.left_changed: list[str] = []
        self.restores = 0  # unjudged PATCHes that put entities back (benchmarks count them apart)
        self.checked_patches = 0  # PATCH requests whose reply a check judged
        self.shrink_patches = 0  # PATCHes replaying and shrinking failing generated bodies
        self.plan = plan.minimal_plan(endpoint.contract)
        self.accepted: list[Any] = []  # valid bodies the service accepted (for coverage)
        self.rejected: set[str] = set()  # invalid classes the service rejected (for coverage)
        self.grants = grants or Grants(None, why="the run did not say")
        self.denial: Denial | None = None  # the token lacks a permission this endpoint needs
        self._shrink_deadline = 0.0
        # The entity's ETag as the last successful write's reply named it (If-Match contracts);
        # None: take the one of the entity as last read (`ctx.known`).
        self.etag: str | None = None
        self.judged = 0  # cases whose reply every check judged
        self.target_error: TargetError | None = None  # what ended the endpoint early, if anything
        self.gone = False  # the target stopped answering and did not come back: stop the run
        self.hidden: dict[str, str] = {}  # properties found as unknownFutureValue: not written

    # -- orchestration -------------------------------------------------------------------------
    def run(self) -> list[CheckResult]:
        """Reach the entity, send every case, restore, fold and emit the verdicts (runs once)."""
        if self.results:
            return self.results
        try:
            ctx, skip_reason = self._reach()
        except RequestFailed as exc:
            self._met(exc)
            ctx, skip_reason = None, self._nothing_judged("status")
        if ctx is None:
            verdicts = {name: Verdict("skipped", skip_reason) for name in checks.CHECKS}
        else:
            self._exercise(ctx)
            verdicts = {
                name: self._stopped_early(tally.verdict(self._nothing_judged(name)))
                for name, tally in self.tallies.items()
            }
            verdicts = self._window_notes(ctx, verdicts)
        if self.denial is not None:
            verdicts = self._denied(verdicts, self.denial)
        self.results = [self._result(name, verdict) for name, verdict in verdicts.items()]
        return self.results

    def _denied(self, verdicts: dict[str, Verdict], denial: Denial) -> dict[str, Verdict]:
        """What a permission the token lacks leaves: the verdicts of the cases judged before it
        if a write was accepted (else nothing was exercised); every other check skipped with the
        reason, and `status` failed if permissions are required.
        """
        untouched = self.ctx is None or self._untouched()
        out = {
            name: Verdict("skipped", denial.reason)
            if untouched or verdict.outcome == "skipped"
            else verdict
            for name, verdict in verdicts.items()
        }
        if self.config.require_permissions:
            reason = f"{denial.reason} (--require-permissions)"
            out["status"] = Verdict("failed", reason, response=denial.response)
        return out

    def _window_notes(self, ctx: CheckContext, verdicts: dict[str, Verdict]) -> dict[str, Verdict]:
        """Say where the read window was not waited again (`checks.read_back`), never silently."""
        out = dict(verdicts)
        if ctx.unwaited:
            note = (
                f"; {ctx.unwaited} later reads were one GET each, not a {ctx.read_window:g} s "
                "window: it was waited on the first failure"
            )
            for name in ctx.window_failed:
                if out[name].failed:
                    out[name] = replace(out[name], message=out[name].message + note)
        if not ctx.settled:
            note = (
                "; cases after the first read not waited for were not compared with the entity"
                " as before (a write may still have been landing)"
            )
            for name in ("merge", "rejection", "auth"):
                if out[name].outcome != "skipped":
                    out[name] = replace(out[name], message=out[name].message + note)
        return out

    def _stopped_early(self, verdict: Verdict) -> Verdict:
        """A verdict on the cases judged before a target error or a 403 says it is partial."""
        why = "a target error" if self.target_error is not None else "a 403" if self.denial else ""
        if not why or verdict.outcome == "skipped":
            return verdict
        return replace(verdict, message=f"{verdict.message} (before {why} ended the endpoint)")

    def _met(self, error: RequestFailed) -> None:
        """Record the target error; wait a bounded time for a target that stopped answering.

        Only a wait that ran out means the target is gone (the entity is left to `restore`, the
        run stops). A stop request that cut the wait short says nothing of the target: the
        entity is still put back (one attempt) and the run ends as interrupted.
        """
        wait = self.config.target_wait
        waited = Waited.ANSWERING if error.answering else self._answers_again(error)
        self.gone = waited is Waited.TIMED_OUT
        secrets = tuple(self.secrets())
        info = self.info
        reason = redact(error.reason, secrets)
        if waited is Waited.TIMED_OUT:
            reason += f"; the target did not answer again within {wait:g} s"
        elif waited is Waited.STOPPED:
            reason += "; a stop request cut short the wait for the target"
        self.target_error = TargetError(
            info.contract,
            info.version,
            info.path,
            info.workload,
            error.cause,
            reason,
            curl(error.request, secrets),
            self.judged,
            waited is Waited.ANSWERING,
        )

    def _exercise(self, ctx: CheckContext) -> None:
        self.ctx = ctx
        original = dict(ctx.known or {})
        self.hidden = _hidden(self.endpoint.contract, original)
        for why in self.hidden.values():  # said where the writes are judged
            self.tallies["status"].notes[why] = 1
        try:
            sibling_before = self._read_sibling()
        except RequestFailed as exc:  # nothing written yet: nothing to put back
            self._met(exc)
            return
        self._snapshot(ctx.path, original)
        if ctx.sibling is not None and sibling_before is not None:
            self._snapshot(ctx.sibling, sibling_before)
        try:
            self._phases(ctx, sibling_before)
        finally:  # the target is left as found, whatever happened above (even Ctrl-C)
            self._restore(ctx.path, original)
            if ctx.sibling is not None and sibling_before is not None:
                self._restore(ctx.sibling, sibling_before)

    def _phases(self, ctx: CheckContext, sibling_before: dict[str, Any] | None) -> None:
        """Writes, shrinking, the sibling's read, rejections, probes; a denied write ends them."""
        try:
            self._writes()
            self._shrink_failures()
            if ctx.sibling is not None and sibling_before is not None:
                self._send(Case("sibling", "sibling read", path=ctx.sibling, before=sibling_before))
            self._rejections()
            self._probes()
        except _TargetStop as stop:  # the verdicts so far stand; the rest is not sent
            self._met(stop.error)
        except PermissionDenied as denied:
            answered = f"PATCH {denied.path} answered {checks.describe(denied.response)}"
            reason = plan.denial_reason(self.endpoint.contract, self.grants, answered)
            self.denial = Denial(reason, denied.response)

    def _untouched(self) -> bool:
        """Every write was refused for want of a permission: nothing was changed."""
        return self.denial is not None and not self.accepted

    def _before(self) -> dict[str, Any] | None:
        """The entity as before a case, or None while its state is unsettled (checks.read_back)."""
        ctx = self.ctx
        assert ctx is not None
        return ctx.known if ctx.settled else None

    def _reach(self) -> tuple[CheckContext | None, str]:
        contract = self.endpoint.contract
        unsupplied = required_headers.unsupplied(contract)
        if unsupplied:
            return None, _unsupplied_reason(unsupplied)
        accepted, _ = self.accepted_types(contract)
        found = self.discoverer.resolve(self.endpoint.template, contract.odata_type, accepted)
        if isinstance(found, Unreachable) and found.denied:
            reason = plan.denial_reason(contract, self.grants, found.reason)
            self.denial = Denial(reason)
            return None, reason
        if isinstance(found, Unreachable):
            return None, f"no entity reachable: {found.reason}"
        ctx = CheckContext(
            contract,
            self.endpoint.template,
            found.path,
            self.client,
            sibling=found.sibling,
            strict=self.config.strict,
            read_window=self.config.read_window,
        )
        ctx.accepted_types, ctx.hierarchy_known = self.accepted_types(contract)
        if self.operation_of is not None:
            ctx.operation = self.operation_of(self.endpoint)
        response, body = checks.read_entity(self.client, found.path)
        if body is None and response.status_code == 403:
            answered = f"GET {found.path} answered {checks.describe(response)}"
            self.denial = Denial(plan.denial_reason(contract, self.grants, answered), response)
            return None, self.denial.reason
        if body is None:
            return None, f"GET {found.path} returned {checks.describe(response)}"
        if required_headers.requires_etag(contract) and required_headers.etag_of(body) is None:
            return None, (
                f"the docs require {required_headers.IF_MATCH} with the entity's ETag, but GET "
                f"{found.path} carries no {required_headers.ETAG}"
            )
        ctx.known = body
        return ctx, ""

    def _nothing_judged(self, name: str) -> str:
        if self.target_error is not None:
            return f"target error: {self.target_error.reason}"
        if self.denial is not None:
            return self.denial.reason
        if name in WRITE_CHECKS and name != "status" and self.tallies["status"].cases:
            return "no PATCH succeeded, so there was nothing to judge (see status)"
        if name in SCHEMATHESIS_CHECKS and (self.ctx is None or self.ctx.operation is None):
            return "Schemathesis is off (--schemathesis 0): its own checks did not run"
        if name == "not-found" and not _ends_with_key(self.endpoint.template):
            return "the path has no entity id to replace"
        if name == "merge" and self.ctx is not None and self.ctx.sibling is None:
            return "no PATCH succeeded and no second entity to compare"
        if not strategies.generatable(self.endpoint.contract):
            return "the contract lists no property a PATCH body can carry"
        return "no case to judge"

    def _result(self, name: str, verdict: Verdict) -> CheckResult:
        secrets = tuple(self.secrets())
        exchange = record(verdict.response, secrets) if verdict.response is not None else None
        result = self.annotate(
            CheckResult(
                contract=self.info.contract,
                version=self.info.version,
                path=self.info.path,
                check=name,
                outcome=verdict.outcome,
                message=redact(verdict.message, secrets),
                deviation=redact(verdict.deviation, secrets) if verdict.deviation else None,
                cases=self.tallies[name].cases,
                workload=self.info.workload,
                repro=exchange.curl if exchange is not None and verdict.failed else None,
            )
        )
        self.emit(CheckFinished(self.info, result, exchange if verdict.failed else None))
        return result

    # -- sending and judging -------------------------------------------------------------------
    def _send(self, case: Case) -> Case:
        """Send one case and let every check judge it; stop first if a stop was asked for."""
        if self.should_stop():
            raise StopRequested
        ctx = self.ctx
        assert ctx is not None
        path = case.path or ctx.path
        with _stops_on_target_error():
            if case.kind == "sibling":
                case.response = self.client.get(path)
            elif case.kind == "invalid":
                headers = {"Content-Type": case.content_type}
                case.response = self._patch(path, content=case.content, headers=headers)
            else:
                auth = _probe_auth(case.kind)
                kwargs: dict[str, Any] = {} if auth is _CLIENT_AUTH else {"auth": auth}
                case.response = self._patch(
                    path, json=case.body, write=case.kind == "write", **kwargs
                )
            if case.kind != "sibling":
                self.checked_patches += 1
            if case.kind in OWN_WRITES or (case.kind == "unknown-id" and not self.accepted):
                _raise_if_denied(case.response, path)
            verdicts = {name: check(ctx, case) for name, check in checks.CHECKS.items()}
        for name, verdict in verdicts.items():  # a case is judged by every check, or by none
            self.tallies[name].add(verdict, case)
        self.judged += 1
        return case

    def coverage(self) -> plan.Coverage:
        """What this endpoint's accepted writes and seen rejections covered."""
        contract = self.endpoint.contract
        return plan.coverage(contract, self.accepted, self.rejected, wanted=self.plan.targets)

    def write(self, payload: dict[str, Any], source: str) -> None:
        """Send one valid body; every write check judges it; its read is the next "before".

        Properties the entity was found hiding behind `unknownFutureValue` are left out: what the
        sentinel stands for is unknown, so no restore could put it back (`_hidden`).
        """
        ctx = self.ctx
        assert ctx is not None
        payload = {k: v for k, v in payload.items() if k not in self.hidden}
        if all("@" in k for k in payload):
            return
        case = self._send(Case("write", source, body=payload, before=self._before()))
        if case.succeeded:
            self.accepted.append(payload)
        if case.after_response is None:
            with _stops_on_target_error():
                _, after = checks.read_entity(ctx.client, ctx.path)
            ctx.known = after if after is not None else ctx.known
        if self.sample is None and case.succeeded:
            self.sample = payload

    def _writes(self) -> None:
        contract, seed = self.endpoint.contract, self.config.seed
        covering = self.plan.valid
        for i, body in enumerate(covering):
            self.write(body, f"covering set #{i + 1}/{len(covering)}")
        if self.config.plan == "minimal":
            return
        for example, reasons in doc_examples(contract):
            # `{}` (Intune's shared pages) sets nothing, so no write check could judge it; a body
            # the oracle is unsure of (a value its table does not list) is sent as neither.
            body = example.body
            if not reasons and isinstance(body, dict) and body and self._valid(body):
                self.write(body, f"doc example {example.file}:{example.line}")
        for i, body in enumerate(strategies.enum_coverage(contract)):
            self.write(body, f"enum coverage #{i + 1}")
        if strategies.generatable(contract):
            drive(
                strategies.payloads(contract),
                self.config.max_examples,
                seed,
                lambda body: self.write(body, "generated"),
            )
        for extra in self._extra(negative=False):
            if isinstance(extra.body, dict):
                self.write(extra.body, extra.source)

    def _shrink_failures(self) -> None:
        """Each write check that failed gets the smallest body that still fails.

        A generated body is shrunk by Hypothesis (its shrink phase, on the replayed generation);
        any other (a packed covering-set body, a doc example, Schemathesis') is reduced to one
        property when one alone still fails. Both spend at most the shrink budget.
        """
        self._shrink_deadline = time.monotonic() + self.config.shrink_seconds
        for name in WRITE_CHECKS:
            tally = self.tallies[name]
            case = tally.first_case
            if case is None or not isinstance(case.body, dict):
                continue
            if case.source == "generated":
                found = self._hypothesis_shrink(name)
                how = "shrunk by Hypothesis"
            else:
                found = self._reduce(name, case.body)
                how = "reduced"
            if found is None:
                continue
            body, verdict, steps = found
            note = (
                f" ({how} from {_properties(case.body)} to {_properties(body)} in {steps} PATCHes)"
            )
            tally.first_failure = replace(verdict, message=verdict.message + note)

    def _hypothesis_shrink(self, name: str) -> tuple[dict[str, Any], Verdict, int] | None:
        shrunk = shrink(
            strategies.payloads(self.endpoint.contract),
            self.config.max_examples,
            self.config.seed,
            lambda body: self._judge_only(name, body, "generated, shrunk"),
            self.config.shrink_budget - self.shrink_patches,
            deadline=self._shrink_deadline,
        )
        return None if shrunk is None else (shrunk.body, shrunk.verdict, shrunk.steps)

    def _reduce(
        self, name: str, body: dict[str, Any]
    ) -> tuple[dict[str, Any], Verdict, int] | None:
        """The first property that fails the check on its own (with the body's annotations)."""
        source = f"{self.tallies[name].first_case.source}, reduced"  # type: ignore[union-attr]
        head = {k: v for k, v in body.items() if k.startswith("@")}
        values = [k for k in body if not k.startswith("@")]
        if len(values) < 2:
            return None
        for steps, key in enumerate(values, start=1):
            if self.shrink_patches >= self.config.shrink_budget:
                return None
            if time.monotonic() >= self._shrink_deadline:
                return None
            single = {**head, key: body[key]}
            verdict = self._judge_only(name, single, source)
            if verdict is not None and verdict.failed:
                return single, verdict, steps
        return None

    def _judge_only(self, name: str, body: dict[str, Any], source: str) -> Verdict | None:
        """Send one body as a write and ask one check; nothing is tallied (shrinking)."""
        ctx = self.ctx
        assert ctx is not None
        if self.should_stop():
            raise StopRequested
        body = {k: v for k, v in body.items() if k not in self.hidden}  # as `write` does
        if all("@" in k for k in body):
            return None
        case = Case("write", source, body=body, before=self._before())
        with _stops_on_target_error():
            case.response = self._patch(ctx.path, json=body, write=True)
            self.shrink_patches += 1
            _raise_if_denied(case.response, ctx.path)
            verdict = checks.CHECKS[name](ctx, case)
            if case.after_response is None:
                _, after = checks.read_entity(ctx.client, ctx.path)
            else:
                after = case.after
        if verdict is not None and verdict.failed and not case.waited:
            note = " (this body's read was one GET: the window was waited on the first failure)"
            verdict = replace(verdict, message=verdict.message + note)
        ctx.known = after if after is not None else ctx.known
        return verdict

    def _valid(self, body: dict) -> bool:
        return bodies.classify(self.endpoint.contract, body) == "valid"

    def _extra(self, *, negative: bool) -> list[ExtraCase]:
        if self.extra_cases is None:
            return []
        return [c for c in self.extra_cases(self.endpoint) if c.negative == negative]

    def _read_sibling(self) -> dict[str, Any] | None:
        ctx = self.ctx
        if ctx is None or ctx.sibling is None:
            return None
        return checks.read_entity(ctx.client, ctx.sibling)[1]

    def reject(
        self,
        content: bytes,
        reason: str,
        content_type: str = "application/json",
        documented: bool = True,
        invalid_class: str | None = None,
    ) -> None:
        """Send one body a conforming service should refuse; the rejection check judges it.

        `documented`: a source says such a body must be refused (else accepting it is only a
        deviation).
        """
        ctx = self.ctx
        assert ctx is not None
        case = Case(
            "invalid", reason, content=content, content_type=content_type, documented=documented
        )
        case.before = self._before()
        self._send(case)
        code = case.response.status_code if case.response is not None else 0
        if invalid_class and 400 <= code < 500 and code not in checks.NOT_A_REJECTION:
            self.rejected.add(invalid_class)

    def _reject_payload(self, payload: strategies.InvalidPayload) -> None:
        name = plan.invalid_class(payload)
        self.reject(payload.content, payload.reason, payload.content_type, payload.documented, name)

    def _rejections(self) -> None:
        contract = self.endpoint.contract
        if self.config.plan == "minimal":
            for payload in self.plan.invalid:
                self._reject_payload(payload)
            return
        for example, reasons in doc_examples(contract):
            if reasons:
                content = (example.body_text or json.dumps(example.body)).encode()
                self.reject(content, f"doc example flagged by lint: {reasons[0]}")
        for invalid in strategies.invalid_examples(contract):
            self._reject_payload(invalid)
        if strategies.generatable(contract):
            drive(
                strategies.invalid_payloads(contract),
                max(1, self.config.max_examples // 5),
                self.config.seed + 1,
                self._reject_payload,
            )
        for extra in self._extra(negative=True):
            self.reject(_encode(extra.body), extra.source)

    def _probes(self) -> None:
        ctx = self.ctx
        assert ctx is not None
        payload = self.sample or self._any_payload()
        if payload is None:
            return
        for kind in ("no-token", "wrong-token"):
            self._send(Case(kind, kind, body=payload, before=self._before()))  # type: ignore[arg-type]
        if _ends_with_key(self.endpoint.template):
            missing = f"{ctx.path.rpartition('/')[0]}/{uuid.uuid4()}"
            self._send(Case("unknown-id", "unknown id", body=payload, path=missing))

    def _any_payload(self) -> dict[str, Any] | None:
        contract = self.endpoint.contract
        if not strategies.generatable(contract):
            return {}
        return draw_one(strategies.payloads(contract), self.config.seed)

    # -- what the docs require of every PATCH: If-Match, and Prefer with it ---------------------
    def _patch(self, path: str, *, write: bool = False, **kwargs: Any) -> httpx.Response:
        """PATCH `path` with the headers the docs require (`required_headers.patch`).

        Where the docs require If-Match, every PATCH carries the endpoint entity's current ETag,
        which an unknown-id probe sends too (no ETag exists for an id that does not exist, and
        RFC 7232 §5 puts the 404 before any precondition); valid writes also ask
        `Prefer: return=representation`; a 412 is read again and sent once more.
        """
        contract = self.endpoint.contract
        response = required_headers.patch(
            self.client,
            path,
            contract.headers,
            self._current_etag(),
            lambda: required_headers.etag_of(checks.read_entity(self.client, path)[1]),
            prefer=write,
            **kwargs,
        )
        etags = required_headers.requires_etag(contract)
        if etags and self.ctx is not None and path == self.ctx.path and response.is_success:
            body = checks.json_body(response)
            self.etag = required_headers.reply_etag(body, response.headers)
        return response

    def _current_etag(self) -> str | None:
        """The endpoint entity's ETag: the last write's reply's, else the last read's."""
        if self.etag is not None:
            return self.etag
        return required_headers.etag_of(self.ctx.known if self.ctx is not None else None)

    # -- snapshot and restore ------------------------------------------------------------------
    def _restore_body(self, original: dict[str, Any]) -> dict[str, Any]:
        """The updatable properties as found, with the entity's own `@odata.type` when needed
        (never one found as `unknownFutureValue`: a PATCH that sends it changes nothing)."""
        contract = self.endpoint.contract
        hidden = _hidden(contract, original)
        body = {
            p.name: original[p.name]
            for p in contract.updatable()
            if p.name in original and p.name not in hidden
        }
        if body and strategies.sends_odata_type(contract):
            body = {"@odata.type": original.get("@odata.type") or contract.odata_type, **body}
        return body

    def _snapshot(self, path: str, state: dict[str, Any]) -> None:
        self.emit(
            EntitySnapshotTaken(
                self.info,
                self.client.base_url,
                self.client.version,
                path,
                state,
                self._restore_body(state),
                tuple(self.endpoint.contract.headers),
            )
        )

    def _restore(self, path: str, original: dict[str, Any]) -> None:
        """Put an entity's writable properties back as found (`restoring.put_back`, the routine
        `graph-contracts restore` uses too), checked with a GET.

        Not judged by any check (they have spoken), but never silent: a restore the service
        refuses while the entity may not be as before, or that a GET shows did not take, leaves
        the target changed and fails the run. After refused writes only, a GET comes first: an
        entity as found is not PATCHed (the service would refuse that too). It never gives up
        early: the client retries transport errors, and a restore that still meets one waits
        for the target and is tried once more (reading first: the PATCH may have landed); a
        stop request cuts the wait short, never that attempt.
        """
        body = self._restore_body(original)
        if not body:
            self.emit(EntityRestored(self.info, path, verified=True))
            return
        contract = self.endpoint.contract
        entity = restoring.Snapshot(
            path, body, lambda now: checks.differences(contract, original, now), contract.headers
        )
        untouched = self._untouched()
        settled = untouched or self.ctx is None or self.ctx.settled
        for again in (False, True):
            if self.gone:
                self._restore_failed(path, self._left_for_restore())
                return
            try:
                done = restoring.put_back(
                    self.client,
                    entity,
                    read_window=self.config.read_window,
                    check_first=untouched or again,
                    written=not untouched,
                    settled=settled,
                    on_patch=self._count_restore,
                )
            except RequestFailed as exc:
                if again:
                    self._restore_failed(path, f"restore: {redact(exc.reason, self._secrets())}")
                    return
                self.gone = self._answers_again(exc) is Waited.TIMED_OUT
                continue
            except Exception as exc:  # credentials revoked, say: reported, never raised
                self._restore_failed(path, f"restore failed: {exc}")
                return
            self._restored(path, done)
            return

    def _count_restore(self) -> None:
        self.restores += 1

    def _restored(self, path: str, done: restoring.PutBack) -> None:
        """The journal hears of it: settled (restored, already as before) or left changed."""
        if done.outcome == restoring.RESTORED:
            self.emit(EntityRestored(self.info, path, verified=True))
        elif done.outcome == restoring.ALREADY:
            self.emit(EntityRestored(self.info, path, verified=True, already=done.message))
        else:  # refused, not verified, gone since: the run cannot say it is as found
            self._restore_failed(path, done.message)

    def _answers_again(self, error: RequestFailed) -> Waited:
        """The bounded wait for a target that stopped answering (cut short by a stop request)."""
        url, wait = str(error.request.url), self.config.target_wait
        return self.client.wait_until_answering(url, wait, stop=self.should_stop)

    def _left_for_restore(self) -> str:
        return (
            f"the target stopped answering and did not come back within "
            f"{self.config.target_wait:g} s; `graph-contracts restore` puts it back from the journal"
        )

    def _secrets(self) -> tuple[str, ...]:
        return tuple(self.secrets())

    def _restore_failed(self, path: str, reason: str) -> None:
        reason = redact(reason, self._secrets())
        self.left_changed.append(f"{path}: {reason}")
        self.emit(RestoreFailed(self.info, path, reason))


_CLIENT_AUTH = object()


def _probe_auth(kind: str) -> Any:
    """The auth a case is sent with: the client's, none, or a token no authority issued."""
    if kind == "no-token":
        return None
    if kind == "wrong-token":
        return StaticToken(f"invalid-{uuid.uuid4().hex}")
    return _CLIENT_AUTH


def _raise_if_denied(response: httpx.Response | None, path: str) -> None:
    """A PATCH refused for want of a permission ends the endpoint (module docstring)."""
    if response is None:
        return
    if plan.denied_by_permission(response.status_code, checks.error_code(response)):
        raise PermissionDenied(response, path)


def _unsupplied_reason(names: list[str]) -> str:
    listed = ", ".join(names)
    noun = "header" if len(names) == 1 else "headers"
    return f"the docs require the request {noun} {listed}, which the suite cannot supply"


def _hidden(contract: Contract, entity: dict[str, Any]) -> dict[str, str]:
    """Updatable properties an entity shows `unknownFutureValue` in, with why they are not written.

    Graph shows a member declared after the sentinel as the sentinel to a client it did not opt
    in (microsoft/api-guidelines, graph/patterns/evolvable-enums.md): the value behind it is
    unknown, and a PATCH that sends the sentinel leaves the property as it was, so a property
    written by the run could not be put back.
    """
    return {
        p.name: (
            f"{p.name} not written: the entity shows {edm.UNKNOWN_FUTURE_VALUE} for it, a value "
            "no restore could put back"
        )
        for p in contract.updatable()
        if p.name in entity and edm.shows_sentinel(entity[p.name], p.type, contract.types)
    }


def _properties(body: dict[str, Any]) -> str:
    count = sum(1 for key in body if "@" not in key)
    return f"{count} propert{'y' if count == 1 else 'ies'}"


def _ends_with_key(template: str) -> bool:
    return template.rstrip("/").endswith("}")


def _encode(body: Any) -> bytes:
    if isinstance(body, bytes):
        return body
    return json.dumps(body, ensure_ascii=False).encode()
