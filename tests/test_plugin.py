"""The pytest driver: the same engine under pytest, alone or on xdist workers (one engine each)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from servers import app_server
from starlette.responses import JSONResponse
from test_journal import restore_body

from graph_contracts import journal
from graph_contracts.checks import CHECK_NAMES

ROOT = Path(__file__).resolve().parent.parent
CLI = Path(sys.executable).with_name("graph-contracts")
pytestmark = pytest.mark.slow  # runs pytest as real processes


def pytest_contract(report_dir: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            *(sys.executable, "-m", "pytest", str(ROOT / "tests" / "contract")),
            *("-p", "no:cacheprovider", "--graph-report-dir", str(report_dir)),
            *("--graph-contracts", str(ROOT / "contracts"), "--graph-max-examples", "2"),
            *options,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def keys(summary: dict) -> set[tuple[str, str, str]]:
    return {(r["contract"], r["path"], r["check"]) for r in summary["results"]}


def test_xdist_runs_one_engine_per_worker_each_endpoint_on_one_worker(tmp_path: Path) -> None:
    done = pytest_contract(tmp_path, "-n", "2", "--graph-fault", "drop-field")
    assert done.returncode == 1, done.stdout[-2000:]
    workers = [json.loads(p.read_text()) for p in (tmp_path / ".workers").glob("*/summary.json")]
    assert len(workers) == 2
    endpoints = [{(r["contract"], r["path"]) for r in w["results"]} for w in workers]
    assert endpoints[0] and endpoints[1] and not endpoints[0] & endpoints[1]
    assert len({w["run"]["seed"] for w in workers}) == 1  # the controller chose it for both
    merged = json.loads((tmp_path / "summary.json").read_text())
    assert len(merged["results"]) == 12 * len(CHECK_NAMES) and merged["totals"]["endpoints"] == 12
    assert keys(merged) == keys(workers[0]) | keys(workers[1])
    assert merged["run"]["outcome"] == "failed"
    assert {r["check"] for r in merged["results"] if r["outcome"] == "failed"} == {"round-trip"}


def test_pytests_own_junit_and_allure_name_one_test_per_check(tmp_path: Path) -> None:
    junit, allure = tmp_path / "junit.xml", tmp_path / "allure"
    done = pytest_contract(
        tmp_path, "--graph-version", "v1.0", "--junitxml", str(junit), "--alluredir", str(allure)
    )
    assert done.returncode == 0, done.stdout[-2000:]
    text = junit.read_text()
    for check in CHECK_NAMES:
        name = f"test_{check.replace('-', '_')}[v1.0/deviceConfigurationDeviceStatus "
        assert name in text, check
    assert len(list(allure.glob("*-result.json"))) == len(CHECK_NAMES)


def test_the_permission_and_shrink_time_options_reach_the_engine() -> None:
    """The plugin's options, declared as pytest declares them (argparse underneath)."""
    import argparse

    from graph_contracts.plugin import config_from, pytest_addoption

    declared = argparse.ArgumentParser()

    class Parser:  # the part of pytest's Parser the plugin uses
        def getgroup(self, *args: object) -> argparse.ArgumentParser:
            declared.addoption = declared.add_argument  # type: ignore[attr-defined]
            return declared

    pytest_addoption(Parser())  # type: ignore[arg-type]

    class Options:
        def __init__(self, argv: list[str]) -> None:
            self.parsed = declared.parse_args(argv)

        def getoption(self, name: str) -> object:
            return getattr(self.parsed, name.lstrip("-").replace("-", "_"))

    given = config_from(Options(["--graph-require-permissions", "--graph-shrink-time", "2.5"]))
    assert given.require_permissions is True and given.shrink_seconds == 2.5
    default = config_from(Options([]))
    assert default.require_permissions is False and default.shrink_seconds is None


# --- a tenant left changed under pytest ----------------------------------------------------------

TOKEN = "plugin-test-token-8c3d"
V1 = "v1.0/deviceConfigurationDeviceStatus"


def refusing_restores(app: Any, path: str, body: dict[str, Any]) -> Any:
    """The mock, but a PATCH of `path` whose body is `body` (the run's restore: the entity's
    updatable values as found) is refused with 400, as a service whose schema changed since the
    snapshot would: every check passes, and the entity stays as the run's last write left it."""

    async def wrapper(scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] != "PATCH" or scope["path"] != path:
            await app(scope, receive, send)
            return
        content = b""
        while True:
            message = await receive()
            content += message.get("body", b"")
            if not message.get("more_body"):
                break
        try:
            sent = json.loads(content)
        except ValueError:
            sent = None
        if sent == body:
            error = {"error": {"code": "BadRequest", "message": "restore refused by the test"}}
            await JSONResponse(error, status_code=400)(scope, receive, send)
            return
        replay = iter([{"type": "http.request", "body": content, "more_body": False}])

        async def again() -> dict[str, Any]:
            return next(replay)

        await app(scope, again, send)

    return wrapper


@pytest.fixture
def refused_restore() -> Iterator[tuple[str, str, str]]:
    """(URL refusing the restore, URL of the same mock as is, the entity's /v1.0 path)."""
    from graph_contracts import contracts as contract_files
    from graph_contracts.auth import StaticToken
    from graph_contracts.client import GraphClient
    from graph_contracts.discovery import Discoverer
    from graph_contracts.mock import create_app

    contracts = contract_files.load(ROOT / "contracts")
    contract = next(c for c in contracts if c.id == V1)
    app = create_app(contracts, token=TOKEN)
    with app_server(app) as plain:
        with GraphClient(plain, "v1.0", auth=StaticToken(TOKEN)) as client:
            path = Discoverer(client).resolve(contract.paths[0]).path
            state = client.get(path).json()
        body = restore_body(contract, state)
        with app_server(refusing_restores(app, f"/v1.0{path}", body)) as refusing:
            yield refusing, plain, path


LIVE = (
    *("--graph-token", TOKEN, "--graph-version", "v1.0", "--graph-plan", "minimal"),
    *("--graph-read-window", "0.2", "--graph-schemathesis", "0", "--graph-seed", "1"),
)


@pytest.mark.parametrize("xdist", [(), ("-n", "1")], ids=["one-process", "xdist"])
def test_a_tenant_left_changed_fails_the_pytest_run_and_its_journal_puts_it_back(
    refused_restore: tuple[str, str, str], xdist: tuple[str, ...], tmp_path: Path
) -> None:
    """Every check passes but the restore is refused: summary.json says failed and lists the
    entity left changed, and so does pytest's exit status (it was 0). The plugin wrote the
    journal ahead of its writes (on xdist, the worker's own, under .workers/gw0/): the next run
    refuses to start over it (exit 2, the earlier reports kept), and `graph-contracts restore`
    given the report directory puts the entity back."""
    refusing, plain, path = refused_restore
    before = entity_values(plain, path)
    done = pytest_contract(tmp_path, *LIVE, "--graph-base-url", refusing, *xdist)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["run"]["outcome"] == "failed", done.stdout[-2000:]
    assert [r for r in summary["results"] if r["outcome"] == "failed"] == []
    assert len(summary["left_changed"]) == 1 and summary["left_changed"][0].startswith(path)
    assert done.returncode == 1, done.stdout[-2000:]
    written = tmp_path / (".workers/gw0/journal.jsonl" if xdist else "journal.jsonl")
    state = journal.read(written)
    assert not state.closed and [p.path for p in state.pending] == [path]
    assert f"run `graph-contracts restore {written}`" in done.stdout
    assert entity_values(plain, path) != before

    again = pytest_contract(tmp_path, *LIVE, "--graph-base-url", plain, *xdist)
    assert again.returncode == 2, again.stdout[-2000:] + again.stderr[-2000:]
    assert f"run `graph-contracts restore {written}` first" in again.stdout + again.stderr
    assert json.loads((tmp_path / "summary.json").read_text()) == summary  # nothing replaced

    restore = [str(CLI), "restore", str(tmp_path), "--base-url", plain, "--token", TOKEN]
    put_back = subprocess.run(restore, capture_output=True, text=True, timeout=120)
    assert put_back.returncode == 0, put_back.stdout + put_back.stderr
    assert f"RESTORED          v1.0 {path}" in put_back.stdout
    assert journal.read(written).closed and journal.refusal(tmp_path) is None
    assert entity_values(plain, path) == before


def entity_values(url: str, path: str) -> dict[str, Any]:
    """The entity as a GET straight to the mock shows it (no control information)."""
    from graph_contracts.auth import StaticToken
    from graph_contracts.client import GraphClient

    with GraphClient(url, "v1.0", auth=StaticToken(TOKEN)) as client:
        body = client.get(path).json()
    return {k: v for k, v in body.items() if "@" not in k}
