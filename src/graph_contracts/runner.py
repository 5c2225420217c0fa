"""`graph-contracts run`: the packaged contract suite under pytest.main, with a progress display.

A thin wrapper on purpose: the same tests, plugin options and reports as `pytest tests/contract`,
plus junit.xml and allure-results in the report folder, a rich progress bar, a short table and a
verdict. Exit status: 0 every contract checked holds (skips allowed and listed), 1 a contract is
violated, 2 a usage or configuration error (bad contracts, credentials rejected, unreachable).
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from graph_contracts.checks import CHECK_NAMES
from graph_contracts.discovery import IdsFileError, load_ids
from graph_contracts.suite import SUITE_MODULE
from graph_contracts.suite.session import Options, SuiteError, check_faults, load_contracts

EXIT_OK, EXIT_VIOLATED, EXIT_CONFIG = 0, 1, 2
FAILED_CHECK = "check failed: "  # how GraphSuite.verify words a contract violation


def pytest_args(options: Options) -> list[str]:
    """The pytest command line equivalent to `options` (also printed by --verbose users)."""
    report = options.report_dir
    args = [
        str(SUITE_MODULE),
        "-c",
        os.devnull,  # no project ini/conftest of the current folder leaks into the run
        "--rootdir",
        os.getcwd(),
        "--confcutdir",
        str(SUITE_MODULE.parent),
        "-p",
        "no:cacheprovider",
        f"--junitxml={report / 'junit.xml'}",
        f"--alluredir={report / 'allure-results'}",
        "--clean-alluredir",
        f"--graph-contracts={options.contracts}",
        f"--graph-report-dir={report}",
        f"--graph-max-examples={options.max_examples}",
        f"--graph-read-window={options.read_window}",
    ]
    if options.base_url:
        args.append(f"--graph-base-url={options.base_url}")
    if options.token:
        args.append(f"--graph-token={options.token}")
    if options.version:
        args.append(f"--graph-version={options.version}")
    if options.strict:
        args.append("--graph-strict")
    if options.seed is not None:
        args.append(f"--graph-seed={options.seed}")
    if options.ids is not None:
        args.append(f"--graph-ids={options.ids}")
    if options.schemathesis is not None:
        args.append(f"--graph-schemathesis={options.schemathesis}")
    args += [f"--graph-fault={fault}" for fault in options.faults]
    return args


@dataclass
class Display:
    """A pytest plugin object: progress while running, and access to the session afterwards."""

    console: Console
    show: bool = True
    config: Any = None
    progress: Progress | None = None
    task: Any = None
    outcomes: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    def pytest_configure(self, config: pytest.Config) -> None:
        self.config = config

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        if not self.show:
            return
        self.progress = Progress(
            TextColumn("[bold]checking[/]"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            console=self.console,
            transient=True,
        )
        self.progress.start()
        self.task = self.progress.add_task("", total=len(session.items))

    def pytest_runtest_logstart(self, nodeid: str) -> None:
        if self.progress is not None:
            self.progress.update(self.task, description=nodeid.split("::", 1)[-1][:90])

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" or (report.when == "setup" and not report.passed):
            self.outcomes[report.outcome] += 1
            if report.failed and not report.longreprtext.startswith(FAILED_CHECK):
                self.errors.append(f"{report.nodeid}: {_last_line(report.longreprtext)}")
            if self.progress is not None:
                self.progress.advance(self.task)

    def pytest_sessionfinish(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None

    @property
    def suite(self) -> Any:
        from graph_contracts.plugin import SUITE_KEY

        return None if self.config is None else self.config.stash.get(SUITE_KEY, None)

    @property
    def fatal(self) -> str | None:
        from graph_contracts.plugin import fatal_message

        return None if self.config is None else fatal_message(self.config)


def validate(options: Options) -> None:
    """Catch usage errors before pytest starts, so they are one line and exit status 2."""
    contracts = load_contracts(options.contracts, options.version)
    if not contracts:
        raise SuiteError(f"{options.contracts}: no {options.version} contracts")
    check_faults(options.faults, options.base_url)
    if options.ids is not None:
        if not options.ids.is_file():
            raise SuiteError(f"{options.ids}: ids file not found")
        try:
            load_ids(options.ids)
        except IdsFileError as exc:
            raise SuiteError(str(exc)) from None
    if options.max_examples < 0:
        raise SuiteError("--max-examples must be >= 0")


def run(options: Options, *, console: Console | None = None, progress: bool = True) -> int:
    """Run the suite; print a summary table and a verdict; return the exit status."""
    console = console or Console(file=sys.stderr)  # pinned: pytest's output is captured below
    try:
        validate(options)
    except SuiteError as exc:
        say(console, str(exc))
        return EXIT_CONFIG
    display = Display(console, show=progress)
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
        code = pytest.main([*pytest_args(options), "-p", "no:terminal"], plugins=[display])
    if display.fatal:
        say(console, display.fatal)
        return EXIT_CONFIG
    suite = display.suite
    if display.errors:  # the suite itself broke: not a verdict on the target
        say(console, f"internal error: {display.errors[0]}")
        return EXIT_CONFIG
    if suite is None or not suite.results or code not in (0, 1):
        detail = _last_line(captured.getvalue()) or f"pytest exited with status {int(code)}"
        say(console, detail)
        return EXIT_CONFIG
    report(console, suite, options)
    return EXIT_VIOLATED if any(r.outcome == "failed" for r in suite.results) else EXIT_OK


def say(console: Console, message: str) -> None:
    """One unwrapped line, so a usage error stays one line whatever the terminal width."""
    console.print(f"graph-contracts: {message}", markup=False, highlight=False, soft_wrap=True)


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    errors = [line for line in lines if "Error" in line or "error" in line]
    return (errors or lines or [""])[-1]


def report(console: Console, suite: Any, options: Options) -> None:
    """The short table (check x outcome counts), the failures, and the verdict."""
    results = suite.results
    console.print(suite.describe(), markup=False, highlight=False)
    table = Table()
    table.add_column("check")
    for outcome in ("passed", "failed", "skipped", "deviations"):
        table.add_column(outcome, justify="right")
    for check in CHECK_NAMES:
        mine = [r for r in results if r.check == check]
        counts = Counter(r.outcome for r in mine)
        counts["deviations"] = sum(bool(r.deviation) for r in mine)
        cells = (str(counts.get(o, 0) or "") for o in ("passed", "failed", "skipped", "deviations"))
        table.add_row(check, *cells)
    console.print(table)
    failed = [r for r in results if r.outcome == "failed"]
    for r in failed[:20]:
        console.print(f"  FAILED {r.check} · {r.endpoint}: {r.message[:200]}", markup=False)
    if len(failed) > 20:
        console.print(f"  ... and {len(failed) - 20} more (see summary.md)")
    contracts = len({r.contract for r in results})
    skipped = sum(r.outcome == "skipped" for r in results)
    retries = suite.retries()
    if retries.count:
        console.print(f"retries: {retries.count} ({retries.waited:.1f} s waited), not failures")
    for warning in suite.warnings():
        console.print(f"[bold yellow]WARNING[/] {warning}", highlight=False)
    where = (
        f"reports in {options.report_dir}/ (summary.md, summary.json, junit.xml, allure-results/)"
    )
    if failed:
        broken = len({r.contract for r in failed})
        console.print(
            f"[bold red]VIOLATED[/]: {broken} of {contracts} contracts, {len(failed)} failed "
            f"checks; {skipped} skipped. {where}"
        )
    elif skipped == len(results):
        console.print(f"[bold yellow]NOTHING CHECKED[/]: every check was skipped. {where}")
    else:
        checked = len({r.contract for r in results if r.outcome == "passed"})
        console.print(
            f"[bold green]OK[/]: all {checked} contracts checked hold ({len(results) - skipped} "
            f"checks passed, {skipped} skipped). {where}"
        )
