"""pytest plugin (entry point `pytest11`): points the contract suite at a target and reports it.

The suite's test functions (graph_contracts.suite) ask for `graph_suite` and `graph_endpoint`; this
plugin parametrizes them per (contract, path template) so junit and allure name each test
`test_status[beta /deviceManagement/...]`, runs each endpoint once for all checks, and writes
summary.json / summary.md at the end. A target that rejects the credentials or cannot be reached
stops the session with exit status 2 and one message, instead of a wall of failures.
"""

from __future__ import annotations

import os
import random
import secrets
from pathlib import Path
from typing import Any

import pytest

from graph_contracts.discovery import TargetError

EMBEDDED_URL = "http://127.0.0.1:8000"  # where `graph-contracts mock` listens: repros stay runnable
EXIT_CONFIG = 2
SUITE_KEY: pytest.StashKey[Any] = pytest.StashKey()
FATAL_KEY: pytest.StashKey[str] = pytest.StashKey()


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
    add("--graph-read-window", type=float, default=3.0, help="Read-after-write polling, seconds.")
    add(
        "--graph-fault",
        action="append",
        default=[],
        help="Embedded mock only: inject this fault (repeatable); proves the suite.",
    )
    add(
        "--graph-schemathesis",
        type=int,
        default=None,
        help="Schemathesis cases per endpoint beside Hypothesis (default: max-examples; 0: off).",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "contract: the Graph contract suite")


def suite_of(config: pytest.Config) -> Any:
    """The session's GraphSuite, built on first use (only runs that collect the suite need it)."""
    if SUITE_KEY not in config.stash:
        from graph_contracts.suite.session import GraphSuite, SuiteError

        try:
            config.stash[SUITE_KEY] = GraphSuite.from_config(config)
        except SuiteError as exc:
            raise pytest.UsageError(str(exc)) from None
    return config.stash[SUITE_KEY]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "graph_endpoint" not in metafunc.fixturenames:
        return
    endpoints = suite_of(metafunc.config).endpoints
    metafunc.parametrize("graph_endpoint", endpoints, ids=[e.id for e in endpoints])


@pytest.fixture(scope="session")
def graph_suite(request: pytest.FixtureRequest) -> Any:
    return suite_of(request.config)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Fail fast on a target that rejects the credentials or cannot be reached (exit status 2)."""
    if SUITE_KEY not in session.config.stash or not session.items:
        return
    try:
        session.config.stash[SUITE_KEY].preflight()
    except TargetError as exc:
        stop(session.config, str(exc))


def stop(config: pytest.Config, message: str) -> None:
    """End the session as a configuration error with one clear message."""
    config.stash[FATAL_KEY] = message
    pytest.exit(f"graph-contracts: {message}", returncode=EXIT_CONFIG)


def fatal_message(config: pytest.Config) -> str | None:
    """The configuration error that stopped the session, if any (for `graph-contracts run`)."""
    return config.stash.get(FATAL_KEY, None)


def pytest_report_collectionfinish(config: pytest.Config) -> list[str]:
    """Target, mode and seed under "collected N items": the seed makes a failure reproducible."""
    if SUITE_KEY not in config.stash:
        return []
    return [config.stash[SUITE_KEY].describe()]


def pytest_sessionfinish(session: pytest.Session) -> None:
    suite = session.config.stash.get(SUITE_KEY, None)
    if suite is not None:
        suite.finish()


def new_seed() -> int:
    """A fresh seed when none is given; printed in the header so a nightly failure reproduces."""
    return random.SystemRandom().randrange(2**31)


def new_token() -> str:
    """The embedded mock's token when the user gives none, so the auth check has teeth."""
    return "mock-" + secrets.token_urlsafe(24)


def env_token() -> str | None:
    return os.environ.get("GRAPH_TOKEN") or None


def report_dir(config: pytest.Config) -> Path:
    return Path(config.getoption("--graph-report-dir"))
