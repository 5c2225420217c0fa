"""pytest plugin (entry point `pytest11`): one driver of the run engine.

The suite's test functions (graph_contracts.suite) ask for `graph_suite` and `graph_endpoint`; this
plugin parametrizes them per (contract, path template), so pytest's own `--junitxml` and
`--alluredir` name each test `test_status[beta/<contract> /deviceManagement/...]`. An endpoint is
exercised once by the engine and every check's test reads its verdict. summary.json/summary.md
come from the same reporter `graph-contracts run` uses.

A target that rejects the credentials or cannot be reached stops the session with exit status 2 and
one message; a run whose outcome is not `passed` never exits 0 (nothing checked, an entity left
changed: 1; no endpoint checked without a target error: 2); SIGTERM (a CI timeout) stops at the
next safe point with the entity restored (143), as Ctrl-C does.

Against a real target the plugin writes the run's write-ahead journal as `run` does (an xdist
worker its own, under `.workers/<id>/`), and refuses to start over an unclosed one (exit 2, naming
the `graph-contracts restore` command): a dead target or a refused restore under pytest leaves
what `restore` needs, never nothing.
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
from pathlib import Path
from typing import Any

import pytest

from graph_contracts import journal as journals
from graph_contracts.client import GraphContractsError
from graph_contracts.discovery import TargetError
from graph_contracts.engine import ConfigError, Endpoint, Run, RunConfig
from graph_contracts.engine.config import load_contracts, new_seed, parse_rate, validate
from graph_contracts.engine.endpoint import StopRequested
from graph_contracts.engine.events import (
    CheckFinished,
    EndpointPlanned,
    Event,
    EventHandler,
    PermissionsAssessed,
    RunPlanned,
    RunStarted,
    SchemaRead,
)
from graph_contracts.engine.results import (
    EXIT_CONFIG,
    EXIT_SIGNAL,
    CheckResult,
    RunOutcome,
    exit_code,
)
from graph_contracts.exchanges import ExchangeRecord
from graph_contracts.reporters import SummaryReporter, prepare
from graph_contracts.reporters import schema as schema_section
from graph_contracts.reporters.console import header, permission_lines, plan_total, planned_line
from graph_contracts.reporters.summary import JSON_NAME, MARKDOWN_NAME

SESSION_KEY: pytest.StashKey[GraphSession] = pytest.StashKey()
SEED_KEY: pytest.StashKey[int] = pytest.StashKey()  # on the xdist controller only
SEED_INPUT = "graph_contracts_seed"  # in each xdist worker's workerinput
GROUP_INPUT = "graph_contracts_loadgroup"
ALLOW_ENV = "GRAPH_CONTRACTS_ALLOW_WRITES"
WORKERS_DIR = journals.WORKERS_DIR  # under the report dir: one summary per xdist worker


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("graph-contracts", "graph-contracts: the Graph PATCH contract suite")
    add = group.addoption
    add("--graph-base-url", default=None, help="Service root; default: the embedded mock.")
    add("--graph-token", default=None, help="Bearer token (default: $GRAPH_TOKEN, then AZURE_*).")
    add("--graph-contracts", default="contracts", help="Contracts folder (with index.json).")
    add("--graph-version", choices=("beta", "v1.0"), default=None, help="Only this API version.")
    add("--graph-strict", action="store_true", help="Hold the service to the docs (204 fails).")
    add("--graph-max-examples", type=int, default=25, help="Generated bodies per endpoint.")
    add("--graph-seed", type=int, default=None, help="Seed for reproducible generation.")
    add("--graph-ids", default=None, help="JSON file mapping path parameter names to ids.")
    add("--graph-report-dir", default="reports", help="Where summary.json/summary.md go.")
    add(
        "--graph-journal",
        default=None,
        help="Write-ahead journal of entity states (default: REPORT_DIR/journal.jsonl; under "
        "xdist each worker's is .workers/<id>/ beside it).",
    )
    add("--graph-history", default=None, help="history.jsonl: append this run, draw the trend.")
    add("--graph-read-window", type=float, default=3.0, help="Read-after-write polling, seconds.")
    add(
        "--graph-fault",
        action="append",
        default=[],
        help="Embedded mock only: inject this fault (repeatable); proves the suite.",
    )
    add("--graph-baseline", default=None, help="A previous run's summary.json (changes since).")
    add("--graph-fail-on", choices=("any", "new"), default="any", help="new: only new failures.")
    add("--graph-known-failures", default=None, help="YAML file of accepted failures.")
    add("--graph-shrink-budget", type=int, default=None, help="PATCHes spent shrinking (0: off).")
    add(
        "--graph-shrink-time",
        type=float,
        default=None,
        help="Seconds spent shrinking an endpoint's failures (default: 30; 0: off).",
    )
    add(
        "--graph-require-permissions",
        action="store_true",
        help="A permission the token lacks (403) fails the endpoint's status check, not skips it.",
    )
    add("--graph-metadata", action="append", default=[], help="CSDL file(s), one per version.")
    add(
        "--graph-no-service-metadata",
        action="store_true",
        help="Do not read the target's own {base}/{version}/$metadata.",
    )
    add("--graph-metadata-cache", default=None, help="Where the target's $metadata is cached.")
    add("--graph-allow-writes", action="store_true", help="Allow PATCHes to a non-mock target.")
    add("--graph-write-rate", default=None, help="N/SECONDS: every workload's write budget.")
    add("--graph-rate", default=None, help="N/SECONDS: one budget for every request.")
    add(
        "--graph-plan",
        choices=("minimal", "full"),
        default=None,
        help="minimal: the covering set only (default with --graph-base-url); full: all generators.",
    )
    add(
        "--graph-request-timeout",
        type=float,
        default=RunConfig.request_timeout,
        help="Seconds per request (connect, each read); then retried.",
    )
    add(
        "--graph-max-reply-mb",
        type=float,
        default=RunConfig.max_reply_mb,
        help="Replies over this are cut off while read (a target error).",
    )
    add(
        "--graph-target-wait",
        type=float,
        default=RunConfig.target_wait,
        help="Seconds to wait for a target that stopped answering mid-run.",
    )
    add(
        "--graph-retry-backoff",
        type=float,
        default=RunConfig.retry_backoff,
        help="Seconds of the first back-off between retries without Retry-After (doubles).",
    )
    add(
        "--graph-schemathesis",
        type=int,
        default=None,
        help="Schemathesis cases per endpoint beside Hypothesis (default: max-examples; 0: off).",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "contract: the Graph contract suite")
    config.addinivalue_line("markers", "xdist_group(name): keep these tests on one xdist worker")
    worker_input = getattr(config, "workerinput", None)
    if worker_input is not None and worker_input.get(GROUP_INPUT):
        config.option.loadgroup = True  # workers re-parse argv: the controller's choice, restated
    if not getattr(config.option, "numprocesses", None) or worker_input is not None:
        return
    # The xdist controller: an endpoint is exercised once for all its checks, so all its tests
    # must land on one worker (`loadgroup` with one group per endpoint), and every worker must
    # draw from the same seed, chosen here and handed to each worker.
    if getattr(config.option, "dist", None) == "load":
        config.option.dist = "loadgroup"
    refuse_unclosed(config)  # before anything of an earlier run is removed
    seed = config.getoption("--graph-seed")
    config.stash[SEED_KEY] = seed if seed is not None else new_seed()
    report_dir = Path(config.getoption("--graph-report-dir"))
    prepare(report_dir)
    shutil.rmtree(report_dir / WORKERS_DIR, ignore_errors=True)


def journal_of(config: pytest.Config) -> Path:
    """The run's journal (`--graph-journal`, default in the report dir); an xdist worker's own
    is `.workers/<id>/` beside it (`journal.worker_journal`)."""
    option = config.getoption("--graph-journal")
    path = Path(option) if option else Path(config.getoption("--graph-report-dir")) / journals.NAME
    worker = worker_of(config)
    return journals.worker_journal(path, worker[0]) if worker is not None else path


def refuse_unclosed(config: pytest.Config) -> None:
    """Exit 2 over an unclosed journal (or a worker's), as `graph-contracts run` does: it may hold
    the only record of entities an earlier run left changed. Checked once, where the run starts:
    by the xdist controller before any worker, else by the one process before its first request.
    """
    refused = journals.refusal(journal_of(config))
    if refused is not None:
        pytest.exit(f"graph-contracts: {refused}", returncode=EXIT_CONFIG)


def worker_of(config: pytest.Config) -> tuple[str, int] | None:
    """(worker id, worker count) on an xdist worker; None elsewhere."""
    info = getattr(config, "workerinput", None)
    return (info["workerid"], int(info["workercount"])) if info else None


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist controller, for each worker: the seed every worker draws from."""
    node.workerinput[SEED_INPUT] = node.config.stash.get(SEED_KEY, None)
    node.workerinput[GROUP_INPUT] = node.config.option.dist == "loadgroup"


def config_from(options: pytest.Config) -> RunConfig:
    """The plugin options as the engine's configuration (no argv round trip)."""
    get = options.getoption
    ids, baseline, known = (
        get("--graph-ids"),
        get("--graph-baseline"),
        get("--graph-known-failures"),
    )
    seed = get("--graph-seed")
    worker = getattr(options, "workerinput", None)
    if worker is not None and worker.get(SEED_INPUT) is not None:
        seed = worker[SEED_INPUT]
    return RunConfig(
        base_url=get("--graph-base-url"),
        contracts=Path(get("--graph-contracts")),
        version=get("--graph-version"),
        strict=get("--graph-strict"),
        max_examples=get("--graph-max-examples"),
        seed=seed,
        ids=Path(ids) if ids else None,
        read_window=get("--graph-read-window"),
        faults=list(get("--graph-fault") or []),
        schemathesis=get("--graph-schemathesis"),
        baseline=Path(baseline) if baseline else None,
        fail_on=get("--graph-fail-on"),
        known_failures=Path(known) if known else None,
        worker=worker["workerid"] if worker is not None else None,
        shrink_budget=get("--graph-shrink-budget"),
        shrink_seconds=get("--graph-shrink-time"),
        require_permissions=get("--graph-require-permissions"),
        metadata=[Path(p) for p in get("--graph-metadata") or []],
        service_metadata=not get("--graph-no-service-metadata"),
        metadata_cache=Path(get("--graph-metadata-cache"))
        if get("--graph-metadata-cache")
        else None,
        allow_writes=get("--graph-allow-writes") or os.environ.get(ALLOW_ENV) == "1",
        write_rate=parse_rate("--graph-write-rate", get("--graph-write-rate")),
        rate=parse_rate("--graph-rate", get("--graph-rate")),
        share=1 / int(worker["workercount"]) if worker is not None else 1.0,
        plan=get("--graph-plan"),
        request_timeout=get("--graph-request-timeout"),
        max_reply_mb=get("--graph-max-reply-mb"),
        target_wait=get("--graph-target-wait"),
        retry_backoff=get("--graph-retry-backoff"),
    )


class _Exchanges:
    """Keeps each failing check's exchange until its test attaches it to Allure."""

    def __init__(self) -> None:
        self.by_check: dict[tuple[str, str], ExchangeRecord] = {}

    def handle(self, event: Event) -> None:
        if isinstance(event, CheckFinished) and event.exchange is not None:
            self.by_check[(event.result.endpoint, event.result.check)] = event.exchange


class _Header:
    """Writes the run's header (target, seed) to pytest's terminal before the first request."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    def handle(self, event: Event) -> None:
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is None:
            return
        if isinstance(event, RunStarted):
            reporter.write_line(header(event.run))
        elif isinstance(event, SchemaRead):
            for line in schema_section.lines(list(event.sources), event.facts, event.drift):
                reporter.write_line(line)
        elif isinstance(event, EndpointPlanned):  # what a refused run would have written
            reporter.write_line(planned_line(event))
        elif isinstance(event, RunPlanned):
            reporter.write_line(plan_total(event))
        elif isinstance(event, PermissionsAssessed):
            for line in permission_lines(event):
                reporter.write_line(line)


class GraphSession:
    """The engine run behind the `graph_suite` fixture."""

    def __init__(self, config: pytest.Config) -> None:
        run_config = config_from(config)
        validate(run_config)
        contracts = load_contracts(run_config.contracts, run_config.version)
        self.report_dir = Path(config.getoption("--graph-report-dir"))
        worker = worker_of(config)
        if worker is not None:  # each worker's summary; the controller merges them
            self.report_dir = self.report_dir / WORKERS_DIR / worker[0]
        self.exchanges = _Exchanges()
        history = history_of(config)  # checked on every worker: a bad file stops them all
        summary = SummaryReporter(self.report_dir, history, night=worker is None)
        handlers: list[EventHandler] = [_Header(config), summary, self.exchanges]
        self.journal: journals.Journal | None = None
        if run_config.base_url is not None:  # an in-process mock's state dies with the process
            self.journal = journals.Journal(journal_of(config), secrets=lambda: self.run.secrets())
            handlers.append(self.journal)  # last, as `run` has it: the run is announced first
        self.run = Run(
            run_config, contracts, handlers=handlers, token=config.getoption("--graph-token")
        )
        self.fatal = ""

    @property
    def endpoints(self) -> list[Endpoint]:
        return self.run.endpoints

    def start(self) -> None:
        """Announce the run and resolve the first endpoint: a bad target stops the session."""
        for name in (JSON_NAME, MARKDOWN_NAME):  # no summary of an earlier run survives
            (self.report_dir / name).unlink(missing_ok=True)
        self.run.start()
        self.run.preflight()
        self.run.identify()
        self.run.assess_permissions()
        if self.run.needs_opt_in():  # what it would have written goes to summary.md, then exit 2
            raise TargetError(self.run.refusal(self.run.plan()))

    def verify(self, endpoint: Endpoint, check: str) -> None:
        """The body of every suite test: the check's verdict as pass, fail or skip."""
        try:
            results = self.run.endpoint(endpoint)
        except StopRequested:
            stop = self.run.stop_signal or "SIGINT"
            pytest.exit(f"graph-contracts: stopped by {stop}", returncode=EXIT_SIGNAL[stop])
        except (TargetError, GraphContractsError) as exc:
            self.fatal = str(exc)
            pytest.exit(f"graph-contracts: {exc}", returncode=EXIT_CONFIG)
        result = next(r for r in results if r.check == check)
        if result.outcome == "failed" and result.excused:
            pytest.xfail(f"{result.excused}: {result.message}")
        if result.outcome == "failed":
            self._attach(result)
            repro = f"\nreproduce: {result.repro}" if result.repro else ""
            pytest.fail(f"check failed: {result.message}{repro}", pytrace=False)
        if result.outcome == "skipped":
            pytest.skip(result.message)

    def _attach(self, result: CheckResult) -> None:
        exchange = self.exchanges.by_check.get((result.endpoint, result.check))
        if exchange is None:
            return
        try:
            import allure
        except ImportError:  # pragma: no cover - allure-pytest is a dependency
            return
        text, json_type = allure.attachment_type.TEXT, allure.attachment_type.JSON
        allure.attach(exchange.request, name="request", attachment_type=text)
        allure.attach(exchange.curl, name="reproducer (curl)", attachment_type=text)
        allure.attach(exchange.response, name="response", attachment_type=text)
        if exchange.response_json is not None:
            allure.attach(exchange.response_json, name="response body", attachment_type=json_type)


def history_of(config: pytest.Config) -> Path | None:
    """--graph-history, checked to be a history file (a ConfigError naming file:line)."""
    from graph_contracts.reporters.history import HistoryError, load

    option = config.getoption("--graph-history")
    if option is None:
        return None
    try:
        load(Path(option))
    except HistoryError as exc:
        raise ConfigError(str(exc)) from None
    return Path(option)


def session_of(config: pytest.Config) -> GraphSession:
    """The session's run, built on first use (only runs that collect the suite need it)."""
    if SESSION_KEY not in config.stash:
        try:
            config.stash[SESSION_KEY] = GraphSession(config)
        except ConfigError as exc:
            raise pytest.UsageError(str(exc)) from None
    return config.stash[SESSION_KEY]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "graph_endpoint" not in metafunc.fixturenames:
        return
    endpoints = session_of(metafunc.config).endpoints
    params = [pytest.param(e, id=e.id, marks=pytest.mark.xdist_group(e.id)) for e in endpoints]
    metafunc.parametrize("graph_endpoint", params)


@pytest.fixture(scope="session")
def graph_suite(request: pytest.FixtureRequest) -> GraphSession:
    return session_of(request.config)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start the run once the suite is collected; stop with exit status 2 on a bad target."""
    graph = session.config.stash.get(SESSION_KEY, None)
    if graph is None or not session.items or session.config.option.collectonly:
        return
    if worker_of(session.config) is None:  # the xdist controller checked before any worker
        refuse_unclosed(session.config)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda signum, frame: graph.run.request_stop("SIGTERM"))
    try:
        graph.start()
    except (TargetError, GraphContractsError) as exc:
        graph.fatal = str(exc)
        pytest.exit(f"graph-contracts: {exc}", returncode=EXIT_CONFIG)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Finish the run (summaries); its exit status is the run's whenever pytest's says nothing.

    Every test can pass while the run did not: nothing was checked, no endpoint was checked
    without a target error, an entity was left changed (a refused restore fails no test), a stop
    was asked for after the last test. A run whose outcome is not `passed` never exits 0: where
    pytest's status is 0, it becomes the run's (`results.exit_code`), as `graph-contracts run`
    exits.
    """
    if SEED_KEY in session.config.stash:
        _merge_workers(session, exitstatus)
        return
    graph = session.config.stash.get(SESSION_KEY, None)
    if graph is None or graph.run.info is None:
        return
    interrupted = exitstatus == pytest.ExitCode.INTERRUPTED or graph.run.stop_signal is not None
    finished = graph.run.finish(fatal=graph.fatal, interrupted=interrupted)
    graph.run.close()
    if graph.journal is not None:
        graph.journal.close()
        _tell_journal(session.config, graph.journal.problems)
    if finished.outcome != "passed" and exitstatus == 0:
        session.exitstatus = graph.run.exit_code()


def _tell_journal(config: pytest.Config, problems: list[str]) -> None:
    """On the terminal: a journal that could not be written, and the journals a run left open
    (what `graph-contracts restore` puts back: one command for every worker's)."""
    lines = [f"graph-contracts: {problem}" for problem in problems]
    if worker_of(config) is None:  # a worker's terminal is not the user's; its controller says
        left = journals.left_open(journal_of(config))
        if left is not None:
            lines.append(f"graph-contracts: {left}")
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    for line in lines:
        if reporter is not None:
            reporter.write_line(line)


def _merge_workers(session: pytest.Session, exitstatus: int) -> None:
    """xdist controller: the workers' summaries become the run's, as shards' reports do."""
    from graph_contracts.reporters.merge import MergeError, merge

    _tell_journal(session.config, [])  # whatever the workers got to: a journal left open is said
    report_dir = Path(session.config.getoption("--graph-report-dir"))
    parts = sorted((report_dir / WORKERS_DIR).glob("*/summary.json"))
    if not parts:
        return
    try:
        history = history_of(session.config)  # the merged run is the night, not each worker
        finished = merge([p.parent for p in parts], report_dir, history=history)
    except (MergeError, ConfigError) as exc:
        session.config.pluginmanager.get_plugin("terminalreporter").write_line(str(exc))
        session.exitstatus = EXIT_CONFIG
        return
    if finished.outcome != "passed" and exitstatus == 0:  # see pytest_sessionfinish
        outcome: RunOutcome = finished.outcome  # type: ignore[assignment]
        session.exitstatus = exit_code(outcome, fatal=finished.message)
