"""Exercising one endpoint: generate bodies, send them, and let every check judge every case.

One PATCH feeds all five write checks (status, shape, round-trip, read-after-write, merge) and the
GET that follows it is the next case's "before": on a throttled live tenant coverage per request is
what counts. The probes (rejection, auth, not-found) run after the writes. Each check's verdicts
are folded into one result per endpoint, so the report says "round-trip failed on this path" with
the first failing case as its reproducer, not a thousand lines.

Sources of cases, in order: the documented request examples (as ApiDoctor runs them), enum
coverage, Hypothesis bodies from the property table, Schemathesis' coverage-phase bodies; then
invalid bodies (the strategies' deterministic catalogue, drawn malformed ones, Schemathesis'
negative data). A documented example that lint flags (`example-invalid`,
`example-unknown-property`, severity error) is not sent as a valid write: the property table says
a conforming service must refuse it, so it goes to the rejection check with the lint finding as
its reason. A service that accepts the docs' own placeholder bodies (`"status": "String"`) fails.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import httpx
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import find as hypothesis_find
from hypothesis import seed as hypothesis_seed
from hypothesis.errors import NoSuchExample
from hypothesis.strategies import SearchStrategy

from graph_contracts import checks, strategies
from graph_contracts.checks import CHECK_NAMES, Target, Verdict, Write
from graph_contracts.contracts import Contract, Example
from graph_contracts.discovery import Discoverer, Unreachable

LINT_REJECTED = frozenset({"example-invalid", "example-unknown-property"})


@dataclass(frozen=True, repr=False)
class Endpoint:
    """One (contract, path template): the unit the report's rows are made of."""

    contract: Contract
    template: str

    def __repr__(self) -> str:
        return f"Endpoint({self.id!r})"

    @property
    def id(self) -> str:
        return f"{self.contract.version} {self.template}"


@dataclass(frozen=True)
class Settings:
    strict: bool = False
    max_examples: int = 25
    seed: int = 0
    read_window: float = 3.0


@dataclass
class Case:
    """An extra case from another generator (Schemathesis): a body and whether it must be rejected."""

    body: Any
    source: str
    negative: bool = False


@dataclass
class Tally:
    """Verdicts of one check on one endpoint, folded into the one result the report shows."""

    cases: int = 0
    failures: int = 0
    first_failure: Verdict | None = None
    deviations: dict[str, int] = field(default_factory=dict)
    notes: dict[str, int] = field(default_factory=dict)
    skip_reason: str | None = None

    def add(self, verdict: Verdict | None) -> None:
        if verdict is None:
            return
        if verdict.outcome == "skipped":
            self.skip_reason = verdict.message
            return
        self.cases += 1
        if verdict.failed:
            self.failures += 1
            self.first_failure = self.first_failure or verdict
        if verdict.deviation:
            self.deviations[verdict.deviation] = self.deviations.get(verdict.deviation, 0) + 1
        if verdict.message and not verdict.failed:
            self.notes[verdict.message] = self.notes.get(verdict.message, 0) + 1

    def verdict(self, nothing_judged: str) -> Verdict:
        if self.cases == 0:
            return Verdict("skipped", self.skip_reason or nothing_judged)
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
    """Everything the suite learned about one endpoint: a verdict per check."""

    def __init__(
        self,
        endpoint: Endpoint,
        client: Any,
        discoverer: Discoverer,
        config: Settings,
        extra_cases: Callable[[Endpoint], Iterable[Case]] | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.client = client
        self.discoverer = discoverer
        self.config = config
        self.extra_cases = extra_cases
        self.tallies = {name: Tally() for name in CHECK_NAMES}
        self.skip_reason: str | None = None
        self.target: Target | None = None
        self.sample: dict[str, Any] | None = None
        self.verdicts: dict[str, Verdict] = {}
        self.restore_failures: list[str] = []
        self.restores = 0  # unjudged PATCHes that put entities back (benchmarks count them apart)
        self.checked_patches = (
            0  # PATCH requests whose reply a check judged (benchmarks count them)
        )

    # -- orchestration -------------------------------------------------------------------------
    def run(self) -> dict[str, Verdict]:
        """Reach the entity, send every case, fold the verdicts (idempotent: runs once)."""
        if self.verdicts:
            return self.verdicts
        self.target = self._reach()
        if self.target is None:
            reason = self.skip_reason or "no entity reachable"
            self.verdicts = {name: Verdict("skipped", reason) for name in CHECK_NAMES}
            return self.verdicts
        original = dict(self.target.known or {})
        sibling_before = self._read_sibling()
        try:
            self._writes()
            self._check_sibling(sibling_before)
            self._rejections()
            self._probes()
        finally:  # a live tenant is left as found, whatever happened above (even Ctrl-C)
            self._restore(self.target.path, original)
            if self.target.sibling is not None and sibling_before is not None:
                self._restore(self.target.sibling, sibling_before)
        self.verdicts = {
            name: tally.verdict(self._nothing_judged(name)) for name, tally in self.tallies.items()
        }
        return self.verdicts

    def _reach(self) -> Target | None:
        contract = self.endpoint.contract
        found = self.discoverer.resolve(self.endpoint.template, contract.odata_type)
        if isinstance(found, Unreachable):
            self.skip_reason = f"no entity reachable: {found.reason}"
            return None
        target = Target(
            self.endpoint.contract,
            self.endpoint.template,
            found.path,
            self.client,
            sibling=found.sibling,
            strict=self.config.strict,
            read_window=self.config.read_window,
        )
        response, body = checks.read_entity(self.client, found.path)
        if body is None:
            self.skip_reason = f"GET {found.path} returned {checks.describe(response)}"
            return None
        target.known = body
        return target

    def _nothing_judged(self, name: str) -> str:
        if (
            name in ("round-trip", "read-after-write", "merge", "shape")
            and self.tallies["status"].cases
        ):
            return "no PATCH succeeded, so there was nothing to judge (see status)"
        if not strategies.generatable(self.endpoint.contract):
            return "the contract lists no property a PATCH body can carry"
        return "no case to judge"

    # -- writes --------------------------------------------------------------------------------
    def write(self, payload: dict[str, Any], source: str) -> None:
        """Send one valid body and let every write check judge it."""
        target = self.target
        assert target is not None
        before = target.known
        response = target.client.patch(target.path, json=payload)
        self.checked_patches += 1
        case = Write(payload, response, before, source)
        for name, check in checks.WRITE_CHECKS.items():
            verdict = check(target, case)
            self.tallies[name].add(verdict)
            if name == "read-after-write" and verdict is not None and verdict.failed:
                target.read_window = 0.0  # one slow poll proves it; don't pay it on every case
        if case.after_response is None:
            _, after = checks.read_entity(target.client, target.path)
            target.known = after if after is not None else target.known
        if self.sample is None and case.succeeded:
            self.sample = payload

    def _writes(self) -> None:
        contract, seed = self.endpoint.contract, self.config.seed
        for example, reasons in doc_examples(contract):
            # `{}` (Intune's shared pages) sets nothing, so no write check could judge it, and
            # the suite's schema makes it a negative case (`minProperties: 1`): not sent.
            if not reasons and isinstance(example.body, dict) and example.body:
                self.write(example.body, f"doc example {example.file}:{example.line}")
        for i, body in enumerate(strategies.enum_coverage(contract)):
            self.write(body, f"enum coverage #{i + 1}")
        if strategies.generatable(contract):
            drive(
                strategies.payloads(contract),
                self.config.max_examples,
                seed,
                lambda body: self.write(body, "generated"),
            )
        for case in self._extra(negative=False):
            if isinstance(case.body, dict):
                self.write(case.body, case.source)

    def _extra(self, *, negative: bool) -> list[Case]:
        if self.extra_cases is None:
            return []
        return [c for c in self.extra_cases(self.endpoint) if c.negative == negative]

    def _read_sibling(self) -> dict[str, Any] | None:
        target = self.target
        if target is None or target.sibling is None:
            return None
        return checks.read_entity(target.client, target.sibling)[1]

    def _check_sibling(self, before: dict[str, Any] | None) -> None:
        target = self.target
        if target is None or target.sibling is None or before is None:
            return
        response, after = checks.read_entity(target.client, target.sibling)
        self.tallies["merge"].add(checks.sibling_unchanged(target, before, response, after))

    # -- probes --------------------------------------------------------------------------------
    def reject(self, content: bytes, reason: str, content_type: str = "application/json") -> None:
        assert self.target is not None
        self.checked_patches += 1
        self.tallies["rejection"].add(checks.rejection(self.target, content, reason, content_type))

    def _rejections(self) -> None:
        contract = self.endpoint.contract
        for example, reasons in doc_examples(contract):
            if reasons:
                content = (example.body_text or json.dumps(example.body)).encode()
                self.reject(content, f"doc example flagged by lint: {reasons[0]}")
        for invalid in strategies.invalid_examples(contract):
            self.reject(invalid.content, invalid.reason, invalid.content_type)
        if strategies.generatable(contract):
            drive(
                strategies.invalid_payloads(contract),
                max(1, self.config.max_examples // 5),
                self.config.seed + 1,
                lambda bad: self.reject(bad.content, bad.reason, bad.content_type),
            )
        for case in self._extra(negative=True):
            self.reject(_encode(case.body), case.source)

    def _probes(self) -> None:
        target = self.target
        assert target is not None
        payload = self.sample or self._any_payload()
        if payload is None:
            return
        self.tallies["auth"].add(checks.auth(target, payload))
        self.tallies["not-found"].add(checks.not_found(target, payload))
        self.checked_patches += 3  # no token, a wrong token, an unknown id

    def _restore(self, path: str, original: dict[str, Any]) -> None:
        """Put an entity's writable properties back as found: on a live tenant it is real data.

        Not judged (the checks have already spoken), but never silent: a restore the service
        refuses is recorded in `restore_failures`, reported with the endpoint's results.
        """
        contract = self.endpoint.contract
        body = {p.name: original[p.name] for p in contract.updatable() if p.name in original}
        if not body:
            return
        head = {"@odata.type": contract.odata_type} if strategies.sends_odata_type(contract) else {}
        self.restores += 1
        try:
            response = self.target.client.patch(path, json={**head, **body})
        except Exception as exc:  # the run goes on; the failure is reported, not raised
            self.restore_failures.append(f"{path}: {exc}")
            return
        if response.status_code >= 300:
            self.restore_failures.append(f"{path}: restore answered {response.status_code}")

    def _any_payload(self) -> dict[str, Any] | None:
        contract = self.endpoint.contract
        if not strategies.generatable(contract):
            return {}
        return draw_one(strategies.payloads(contract), self.config.seed)


def _encode(body: Any) -> bytes:
    if isinstance(body, bytes):
        return body
    return json.dumps(body, ensure_ascii=False).encode()


def exchange_of(verdict: Verdict) -> tuple[httpx.Request | None, httpx.Response | None]:
    response = verdict.response
    return (response.request if response is not None else None), response
