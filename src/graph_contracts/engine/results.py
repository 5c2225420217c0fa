"""A run's results and its verdict, computed once so that every report says the same.

The console, summary.md, summary.json and JUnit all print these totals; none counts on its own.
The outcome rule (`decide`) is the one a nightly reader relies on: a run passes only when at least
one check ran and none failed and nothing was left changed on the target.

Target errors (a request that still failed after the client's retries: resets, timeouts, gateway
errors, a reply that is not JSON or is too large, a target that stopped answering) are counted
apart: they are the target's, not the contract's. A run with some passes no less for them; a run
where no endpoint was checked without one proves nothing, and ends as an error (exit status 2).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Outcome = Literal["passed", "failed", "skipped"]
RunOutcome = Literal["passed", "failed", "error", "interrupted"]

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2
EXIT_SIGNAL = {"SIGINT": 130, "SIGTERM": 143}  # 128 + signal number, as shells report them


@dataclass(frozen=True)
class CheckResult:
    """One check on one endpoint of one contract, folded over the cases it judged."""

    contract: str
    version: str
    path: str
    check: str
    outcome: Outcome
    message: str = ""
    deviation: str | None = None  # e.g. "204 instead of the documented 200" in tolerant mode
    cases: int = 0  # cases the check judged
    workload: str = ""
    repro: str | None = None  # curl reproducer of the first failing exchange
    change: str | None = None  # against a baseline: new, fixed, unchanged or unknown
    known: str | None = None  # what the known-failures file says of it, if anything
    excused: str | None = None  # why this failure does not fail the run (known, or old)

    @property
    def endpoint(self) -> str:
        return f"{self.contract} {self.path}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class TargetError:
    """An endpoint the target kept from being judged in full: a request failed after its retries.

    Not a contract failure. The cases judged before it keep their verdicts; the request it met is
    kept with its reproducer (a target that dies on a body is the most serious server error there
    is, and whoever runs the curl line sees it happen).
    """

    contract: str
    version: str
    path: str
    workload: str
    cause: str  # "connection reset", "502", "timeout", "not JSON", "too large", ...
    reason: str  # one line: the request, what happened, how many attempts
    repro: str | None = None  # curl reproducer of the request it met (redacted)
    judged: int = 0  # cases judged before it: their verdicts stand
    recovered: bool = True  # the target answered again within the wait (the run went on)

    @property
    def endpoint(self) -> str:
        return f"{self.contract} {self.path}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RunInfo:
    """The facts a report must state so a reader knows which run it belongs to (never a secret)."""

    tool_version: str
    target: str  # the base URL requests went to
    target_kind: str  # "embedded mock (in-process)", "graph-contracts mock", "service"
    api_versions: tuple[str, ...]
    seed: int
    started: str  # ISO 8601, UTC
    mode: str  # tolerant | strict
    plan: str
    max_examples: int
    contracts: int
    endpoints: int
    faults: tuple[str, ...] = ()
    fail_on: str = "any"
    baseline: dict[str, Any] | None = None  # path, started, seed and outcome of the baseline run
    known_failures: str | None = None  # the file, when one was given
    shard: str | None = None  # "K/N" when the run took one part of the endpoints
    worker: str | None = None  # the xdist worker ("gw0") whose part of the endpoints this is

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["api_versions"] = list(self.api_versions)
        data["faults"] = list(self.faults)
        return data


@dataclass
class Totals:
    """Counts over a whole run; every report prints these."""

    passed: int = 0
    failed: int = 0
    skipped: int = 0
    deviations: int = 0
    contracts: int = 0
    endpoints: int = 0
    endpoints_checked: int = 0  # endpoints where at least one check ran
    requests: int = 0
    retries: int = 0
    throttled: int = 0  # 429 replies received
    retry_wait_s: float = 0.0
    paced_wait_s: float = 0.0  # seconds waited on the limiter (Graph's budgets)
    restores: int = 0
    restore_failures: int = 0
    target_errors: int = 0  # endpoints a target error kept from being judged in full
    retried: dict[str, int] = field(default_factory=dict)  # retries by cause ("429", "502", ...)
    failing: int = 0  # failed checks that fail the run (not excused as known or old)
    new_failures: int = 0  # failing now, not in the baseline
    fixed: int = 0  # failing in the baseline, passing now
    known_failures: int = 0  # excused by a known-failures entry
    known_fixed: int = 0  # a known-failures entry whose check now passes
    expired_known: int = 0  # failures an expired entry no longer excuses
    per_check: dict[str, dict[str, int]] = field(default_factory=dict)
    per_workload: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def checks_run(self) -> int:
        return self.passed + self.failed

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["retry_wait_s"] = round(self.retry_wait_s, 3)
        data["paced_wait_s"] = round(self.paced_wait_s, 3)
        data["checks_run"] = self.checks_run
        return data


def tally(results: Iterable[CheckResult], endpoints: int, contracts: int) -> Totals:
    """Totals of the results (traffic counters are added by the engine)."""
    totals = Totals(endpoints=endpoints, contracts=contracts)
    checked: set[str] = set()
    per_check: dict[str, Counter[str]] = {}
    per_workload: dict[str, Counter[str]] = {}
    for r in results:
        setattr(totals, r.outcome, getattr(totals, r.outcome) + 1)
        totals.deviations += r.deviation is not None
        if r.outcome != "skipped":
            checked.add(r.endpoint)
        per_check.setdefault(r.check, Counter())[r.outcome] += 1
        per_workload.setdefault(r.workload or "other", Counter())[r.outcome] += 1
    totals.failing = totals.failed
    totals.endpoints_checked = len(checked)
    totals.per_check = {k: _outcomes(v) for k, v in per_check.items()}
    totals.per_workload = {k: _outcomes(v) for k, v in sorted(per_workload.items())}
    return totals


def _outcomes(counter: Counter[str]) -> dict[str, int]:
    return {o: counter.get(o, 0) for o in ("passed", "failed", "skipped")}


def decide(
    totals: Totals, *, fatal: str = "", interrupted: bool = False, left_changed: bool = False
) -> RunOutcome:
    """The run's outcome: what a nightly job's exit status must mean."""
    if fatal:
        return "error"
    if interrupted:
        return "interrupted"
    if totals.failing or left_changed:
        return "failed"
    if totals.checks_run == 0:
        return "error"  # nothing could be checked: a green job here would have checked nothing
    return "passed"


NO_CLEAN_ENDPOINT = "no endpoint was checked without a target error"


def target_error_verdict(results: Iterable[CheckResult], errors: Iterable[TargetError]) -> str:
    """Why the run cannot pass when no endpoint was checked without a target error ("" if not).

    Said as the run's message, so the outcome is `error` and the exit status 2: the target, not the
    contracts, is what failed (as when it cannot be reached at all).
    """
    met = {e.endpoint for e in errors}
    if not met:
        return ""
    checked = {r.endpoint for r in results if r.outcome != "skipped"}
    if checked - met:
        return ""
    return (
        f"{NO_CLEAN_ENDPOINT} ({len(met)} endpoint"
        f"{'s' if len(met) != 1 else ''} met one: see Target errors); the run says nothing about "
        "the contracts"
    )


def exit_code(outcome: RunOutcome, *, fatal: str = "", signal_name: str | None = None) -> int:
    """0 passed; 1 failed or nothing checked; 2 usage/target/credentials (and a run where every
    endpoint checked met a target error); 128+n interrupted."""
    if outcome == "passed":
        return EXIT_OK
    if outcome == "interrupted":
        return EXIT_SIGNAL.get(signal_name or "SIGINT", 130)
    if fatal:
        return EXIT_CONFIG
    return EXIT_FAILED


_URLS = re.compile(r" ?\bhttps?://\S*?(?=:?\s|$)")  # a target error names the request's URL
_PATHS = re.compile(r"(?<![\w{])/[^\s:]+")


def reason_group(reason: str) -> str:
    """A skip reason without its paths, so 1,000 endpoints group into a handful of causes.

    `no entity reachable: GET /deviceManagement/x returned 500` -> `no entity reachable: GET
    returned 500`: the cause is the same whichever collection answered (or URL: `target error:
    GET https://h/v1.0/x: connection reset` -> `target error: GET: connection reset`).
    """
    return re.sub(r"\s{2,}", " ", _PATHS.sub("", _URLS.sub("", reason))).strip()


def skip_reasons(results: Iterable[CheckResult]) -> dict[str, int]:
    """Endpoints where no check ran, grouped by cause, most frequent first."""
    by_endpoint: dict[str, list[CheckResult]] = {}
    for r in results:
        by_endpoint.setdefault(r.endpoint, []).append(r)
    counts: Counter[str] = Counter()
    for rows in by_endpoint.values():
        if all(r.outcome == "skipped" for r in rows):
            counts[reason_group(rows[0].message or "no reason given")] += 1
    return dict(counts.most_common())
