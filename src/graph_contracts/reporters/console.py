"""The console: a progress bar on a terminal, one plain line per endpoint in a CI log.

A CI log is read by searching it, so when the output is not a terminal every line is written as
is, never wrapped (a path template cut at column 80 cannot be found). The header, with the seed,
is printed when the run starts, before its first request: a run killed midway can still be
reproduced. The closing table and verdict use the engine's totals, the same as the summaries.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from graph_contracts.engine.events import (
    CheckFinished,
    EndpointFinished,
    EndpointPlanned,
    EndpointStarted,
    Event,
    PermissionsAssessed,
    RestoreFailed,
    RunFinished,
    RunPlanned,
    RunStarted,
    SchemaRead,
)
from graph_contracts.engine.results import CheckResult, RunInfo, Totals
from graph_contracts.reporters import schema as schema_section

SHOWN_FAILURES = 20


def header(run: RunInfo) -> str:
    faults = f" · faults {', '.join(run.faults)}" if run.faults else ""
    faults += f" · shard {run.shard}" if run.shard else ""
    return (
        f"graph-contracts {run.tool_version} · target {run.target} ({run.target_kind}) · "
        f"{', '.join(run.api_versions)} · {run.contracts} contracts, {run.endpoints} endpoints · "
        f"{run.mode} · plan {run.plan}, max-examples {run.max_examples} · seed {run.seed}{faults}"
    )


def endpoint_line(event: EndpointFinished) -> str:
    """`[3/10] beta/x /path: 6 passed, 2 failed (round-trip, merge) in 1.2 s` (never wrapped)."""
    info, results = event.endpoint, event.results
    failed = [r.check for r in results if r.outcome == "failed"]
    passed = sum(r.outcome == "passed" for r in results)
    if not failed and not passed:
        reason = results[0].message if results else "nothing to check"
        verdict = f"skipped: {reason}"
    else:
        verdict = f"{passed} passed" + (
            f", {len(failed)} failed ({', '.join(failed)})" if failed else ""
        )
    if event.target_error is not None and (failed or passed):  # a skip already says it
        verdict += f"; target error: {event.target_error.reason}"
    sent = event.writes + event.restores
    sent_text = f"; {sent} of {event.planned} planned PATCHes sent" if event.planned else ""
    return (
        f"[{info.index}/{info.total}] {info.id}: {verdict} in {event.duration_s:.1f} s{sent_text}"
    )


def retries_line(totals: Totals) -> str:
    """`requests: 812 sent, 3 answered 429, 260 retried (120 502, 70 connection reset; 31.2 s
    waited), not failures` — what the client absorbed, by cause."""
    causes = ", ".join(f"{n} {cause}" for cause, n in totals.retried.items())
    retried = f"{totals.retries} retried" + (f" ({causes}; " if causes else " (")
    return (
        f"requests: {totals.requests} sent, {totals.throttled} answered 429, "
        f"{retried}{totals.retry_wait_s:.1f} s waited), not failures"
    )


class ConsoleReporter:
    """Progress while running, then a table of checks x outcomes, the failures and the verdict."""

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        progress: bool = True,
        report_dir: Path | None = None,
    ) -> None:
        self.stream = stream or sys.stderr
        self.console = Console(file=self.stream, soft_wrap=True)
        self.show_bar = progress and self.console.is_terminal
        self.report_dir = report_dir
        self.results: list[CheckResult] = []
        self._progress: Progress | None = None
        self._task = None

    def say(self, line: str) -> None:
        """One line exactly as given: no wrapping, no markup, flushed for a log tailer."""
        if self._progress is not None:
            self._progress.console.print(line, markup=False, highlight=False, soft_wrap=True)
            return
        self.stream.write(line + "\n")
        self.stream.flush()

    def handle(self, event: Event) -> None:
        if isinstance(event, RunStarted):
            self.say(header(event.run))
            self._start_bar(event.run.endpoints)
        elif isinstance(event, SchemaRead):  # said once: what CSDL the run uses, and drift
            for line in schema_section.lines(list(event.sources), event.facts, event.drift):
                self.say(line)
        elif isinstance(event, EndpointStarted) and self._progress is not None:
            self._progress.update(self._task, description=event.endpoint.id[:100])
        elif isinstance(event, CheckFinished):
            self.results.append(event.result)
        elif isinstance(event, EndpointFinished):
            if self._progress is not None:
                self._progress.advance(self._task)
            else:
                self.say(endpoint_line(event))
        elif isinstance(event, EndpointPlanned):
            self.say(planned_line(event))
        elif isinstance(event, RunPlanned):
            self._stop_bar()
            self.say(plan_total(event))
        elif isinstance(event, PermissionsAssessed):
            for line in permission_lines(event):
                self.say(line)
        elif isinstance(event, RestoreFailed):
            self.say(f"WARNING target left changed: {event.path}: {event.reason}")
        elif isinstance(event, RunFinished):
            self._stop_bar()
            self.summary(event)

    def _start_bar(self, total: int) -> None:
        if not self.show_bar:
            return
        self._progress = Progress(
            TextColumn("[bold]checking[/]"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            console=self.console,
            transient=True,
        )
        self._progress.start()
        self._task = self._progress.add_task("", total=total)

    def _stop_bar(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def summary(self, finished: RunFinished) -> None:
        totals = finished.totals
        if totals.checks_run or totals.skipped:
            self._table(finished)
        failed = [r for r in self.results if r.outcome == "failed"]
        for r in failed[:SHOWN_FAILURES]:
            tag = (
                f" [excused: {r.excused}]" if r.excused else (" [new]" if r.change == "new" else "")
            )
            self.say(f"  FAILED {r.check} · {r.endpoint}{tag}: {r.message[:300]}")
        if len(failed) > SHOWN_FAILURES:
            self.say(f"  ... and {len(failed) - SHOWN_FAILURES} more (see summary.md)")
        for error in finished.target_errors[:SHOWN_FAILURES]:
            self.say(f"  TARGET ERROR · {error.endpoint}: {error.reason[:300]}")
        if len(finished.target_errors) > SHOWN_FAILURES:
            more = len(finished.target_errors) - SHOWN_FAILURES
            self.say(f"  ... and {more} more target errors (see summary.md)")
        if totals.retries or totals.throttled:
            self.say(retries_line(totals))
        for item in finished.left_changed:
            self.say(f"TARGET LEFT CHANGED: {item}")
        self.say(verdict_line(finished, self.report_dir))

    def _table(self, finished: RunFinished) -> None:
        table = Table()
        table.add_column("check")
        for column in ("passed", "failed", "skipped"):
            table.add_column(column, justify="right")
        for check, counts in finished.totals.per_check.items():
            table.add_row(check, *(str(counts[o] or "") for o in ("passed", "failed", "skipped")))
        self.console.print(table)


def permission_lines(event: PermissionsAssessed, shown: int = 5) -> list[str]:
    """`permissions: an application token with roles A: 10 of 12 endpoints covered ...`, then
    what the others need, one line per need with the contracts that need it."""
    covered, uncovered, unknown = event.covered, event.uncovered, event.unknown
    if not covered and not uncovered:
        return [f"permissions: {event.token}: which endpoints it covers cannot be told"]
    total = len(covered) + len(uncovered) + len(unknown)
    head = f"permissions: {event.token}: {len(covered)} of {total} endpoints covered"
    head += f", {len(uncovered)} need more" if uncovered else ""
    head += f", {len(unknown)} cannot be told (their docs list no permission)" if unknown else ""
    needs: dict[str, list[str]] = {}
    for endpoint, why in uncovered:
        contracts = needs.setdefault(why, [])
        contract = endpoint.split(" ", 1)[0]
        if contract not in contracts:
            contracts.append(contract)
    lines = [head]
    for why, contracts in needs.items():
        count = sum(1 for _, reason in uncovered if reason == why)
        more = f" and {len(contracts) - shown} more" if len(contracts) > shown else ""
        endpoints = f"{count} {_plural(count, 'endpoint')} of {', '.join(contracts[:shown])}"
        lines.append(f"  {why}: {endpoints}{more}")
    return lines


def _plural(count: int, word: str) -> str:
    return word if count == 1 else word + "s"


def planned_line(event: EndpointPlanned) -> str:
    """`[3/10] beta/x /path -> /concrete/path: 7 PATCHes, 15 GETs` (or why it is unreachable)."""
    info = event.endpoint
    head = f"[{info.index}/{info.total}] {info.id}"
    if event.path is None:
        return f"{head}: unreachable: {event.reason}"
    return f"{head} -> {event.path}: {event.patches} PATCHes, {event.gets} GETs"


def plan_total(event: RunPlanned) -> str:
    minutes = event.estimated_s / 60
    duration = f"{minutes:.1f} min" if minutes >= 1 else f"{event.estimated_s:.0f} s"
    return (
        f"plan: {event.reachable} of {event.endpoints} endpoints reachable; {event.patches} "
        f"PATCHes and {event.gets} GETs; at least {duration} under Graph's budgets (pacing)"
    )


def verdict_line(finished: RunFinished, report_dir: Path | None = None) -> str:
    """The last line of a run: what its exit status means, in words."""
    totals = finished.totals
    where = f" Reports in {report_dir}/." if report_dir is not None else ""
    counts = (
        f"{totals.passed} checks passed, {totals.failed} failed, {totals.skipped} skipped; "
        f"{totals.endpoints_checked} of {totals.endpoints} endpoints checked"
    )
    excused = totals.failed - totals.failing
    if excused:
        counts += f" ({excused} failures excused: known, or failing in the baseline too)"
    if totals.new_failures or totals.fixed:
        counts += f"; {totals.new_failures} new, {totals.fixed} fixed since the baseline"
    if totals.target_errors:
        n = totals.target_errors
        counts += f"; {n} endpoint{'s' if n != 1 else ''} met a target error (not failures)"
    if finished.outcome == "passed":
        return f"PASSED: {counts}.{where}"
    if finished.outcome == "failed":
        changed = len(finished.left_changed)
        left = f"; TARGET LEFT CHANGED ({changed} entities)" if changed else ""
        return f"FAILED: {counts}{left}.{where}"
    if finished.outcome == "interrupted":
        return f"INTERRUPTED: stopped early; {counts}.{where}"
    if finished.message:
        return f"ERROR: {finished.message}"
    reasons = "; ".join(f"{n} endpoints: {reason}" for reason, n in finished.reasons.items())
    return f"ERROR: nothing was checked ({reasons or 'no endpoint'}).{where}"
