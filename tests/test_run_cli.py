"""`graph-contracts run`: verdicts a nightly reader can trust, reports that belong to this run.

Exit 0 only when a check ran and none failed; 1 on a violation or when nothing could be checked;
2 on usage, configuration or credential errors; 143 when SIGTERM stopped it (entities restored).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from drive import run_cli, summary_of
from servers import app_server, mock_process
from starlette.applications import Starlette
from starlette.responses import JSONResponse

from graph_contracts import contracts as contract_files
from graph_contracts.auth import StaticToken
from graph_contracts.checks import CHECK_NAMES
from graph_contracts.client import GraphClient
from graph_contracts.discovery import Discoverer

ROOT = Path(__file__).resolve().parent.parent
CLI = Path(sys.executable).with_name("graph-contracts")
FAST = ["--max-examples", "3", "--seed", "2", "--no-progress"]
CONTRACTS = ["--contracts", str(ROOT / "contracts")]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--contracts", "no-such-dir"], "no-such-dir: contracts folder not found"),
        ([*CONTRACTS, "--fault", "no-such-fault"], "unknown fault no-such-fault"),
        ([*CONTRACTS, "--base-url", "http://127.0.0.1:9", "--fault", "throttle"], "embedded mock"),
        ([*CONTRACTS, "--ids", "missing.json"], "missing.json: ids file not found"),
        ([*CONTRACTS, "--version", "v2"], "--version must be beta or v1.0"),
        ([*CONTRACTS, "--max-examples", "-1"], "--max-examples must be >= 0"),
        ([*CONTRACTS, "--shrink-time", "-1"], "--shrink-time must be >= 0"),
        ([*CONTRACTS, "--request-timeout", "0"], "--request-timeout must be > 0"),
        ([*CONTRACTS, "--max-reply-mb", "-1"], "--max-reply-mb must be > 0"),
        ([*CONTRACTS, "--target-wait", "-1"], "--target-wait must be >= 0"),
        ([*CONTRACTS, "--retry-backoff", "-0.5"], "--retry-backoff must be >= 0"),
    ],
)
def test_usage_errors_are_one_line_exit_2(args: list[str], expected: str, tmp_path: Path) -> None:
    code, output = run_cli(*FAST, "--report-dir", str(tmp_path), *args)
    assert code == 2, output
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1 and expected in lines[0], output


def test_bad_ids_file_names_the_file(tmp_path: Path) -> None:
    ids = tmp_path / "ids.json"
    ids.write_text("[1, 2]")
    code, output = run_cli(*CONTRACTS, "--ids", str(ids), *FAST)
    assert code == 2 and f"{ids}: expected a JSON object" in output


def test_violation_exits_1_with_the_failing_check(tmp_path: Path) -> None:
    code, output = run_cli(
        *CONTRACTS, "--version", "v1.0", "--fault", "status-201", "--report-dir", str(tmp_path)
    )
    assert code == 1, output
    assert "FAILED status · v1.0/deviceConfigurationDeviceStatus /deviceManagement/" in output
    assert output.splitlines()[-1].startswith("FAILED: ")
    assert (tmp_path / "summary.md").is_file() and (tmp_path / "junit.xml").is_file()


@pytest.mark.slow
def test_make_run_passes_on_the_repo_contracts(tmp_path: Path) -> None:
    """What `make run` does, as a real process from the checkout: exit 0 and every report."""
    done = subprocess.run(
        [str(CLI), "run", "--report-dir", str(tmp_path), "--max-examples", "5", "--seed", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr.splitlines()[-1].startswith("PASSED: ")
    for name in ("summary.json", "summary.md", "junit.xml"):
        assert (tmp_path / name).is_file(), name
    assert any((tmp_path / "allure-results").iterdir())
    junit = (tmp_path / "junit.xml").read_text()
    assert 'name="test_status[v1.0/deviceConfigurationDeviceStatus /deviceManagement/' in junit


def test_the_same_counts_in_console_markdown_and_json(tmp_path: Path) -> None:
    code, output = run_cli(
        *CONTRACTS, "--report-dir", str(tmp_path), "--fault", "drop-field", *FAST
    )
    assert code == 1
    totals = summary_of(tmp_path)["totals"]
    md = (tmp_path / "summary.md").read_text()
    counts = f"{totals['passed']} passed · {totals['failed']} failed · {totals['skipped']} skipped"
    assert counts in md
    assert (
        f"{totals['passed']} checks passed, {totals['failed']} failed, {totals['skipped']} skipped; "
        f"{totals['endpoints_checked']} of {totals['endpoints']} endpoints checked"
    ) in output
    assert totals["endpoints"] == 12 and totals["checks_run"] == totals["passed"] + totals["failed"]


def test_unreachable_entity_is_skipped_and_nothing_checked_is_not_green(tmp_path: Path) -> None:
    ids = tmp_path / "ids.json"
    ids.write_text('{"deviceConfigurationDeviceStatusId": "no-such-status"}')
    report = tmp_path / "reports"
    code, output = run_cli(
        *CONTRACTS, "--version", "v1.0", "--ids", str(ids), "--report-dir", str(report), *FAST
    )
    assert code == 1, output
    summary = summary_of(report)
    assert {r["outcome"] for r in summary["results"]} == {"skipped"}
    assert all(
        "no-such-status" in r["message"] and "404" in r["message"] for r in summary["results"]
    )
    assert summary["run"]["outcome"] == "error"
    assert output.splitlines()[-1].startswith("ERROR: nothing was checked (1 endpoints: ")


def failing_service() -> Starlette:
    """A target that answers 500 to everything (an outage, a broken gateway)."""

    async def app(scope, receive, send) -> None:
        if scope["type"] == "http":
            error = {"error": {"code": "InternalServerError", "message": "boom"}}
            await JSONResponse(error, status_code=500)(scope, receive, send)

    return app  # type: ignore[return-value]


def test_a_target_answering_500_everywhere_exits_1_with_reasons_grouped(tmp_path: Path) -> None:
    with app_server(failing_service()) as url:
        code, output = run_cli(
            "--allow-writes",
            *CONTRACTS,
            "--base-url",
            url,
            "--token",
            "test-token-1234",
            "--report-dir",
            str(tmp_path),
            *FAST,
        )
    assert code == 1, output
    last = output.splitlines()[-1]
    assert last == (
        "ERROR: nothing was checked (12 endpoints: no entity reachable: GET returned 500)."
        f" Reports in {tmp_path}/."
    )
    summary = summary_of(tmp_path)
    assert summary["run"]["outcome"] == "error"
    assert summary["nothing_checked_reasons"] == {"no entity reachable: GET returned 500": 12}
    assert "**Nothing was checked:**" in (tmp_path / "summary.md").read_text()


def test_an_unreachable_target_leaves_no_earlier_report_behind(tmp_path: Path) -> None:
    ok, _ = run_cli(*CONTRACTS, "--report-dir", str(tmp_path), *FAST)
    assert ok == 0 and summary_of(tmp_path)["run"]["outcome"] == "passed"
    stale_allure = set((tmp_path / "allure-results").iterdir())
    code, output = run_cli(
        *CONTRACTS,
        "--base-url",
        "http://127.0.0.1:9",
        "--token",
        "test-token-1234",
        "--report-dir",
        str(tmp_path),
        *FAST,
    )
    assert code == 2, output
    summary = summary_of(tmp_path)
    assert summary["run"]["outcome"] == "error" and summary["results"] == []
    assert summary["run"]["target"] == "http://127.0.0.1:9"
    assert "PASSED" not in (tmp_path / "summary.md").read_text()
    assert not stale_allure & set((tmp_path / "allure-results").iterdir())


@pytest.mark.slow
def test_piped_output_is_one_line_per_endpoint_as_it_happens(tmp_path: Path) -> None:
    """In a CI log (not a terminal): header first, a line per endpoint while running, unwrapped."""
    env = {**os.environ, "COLUMNS": "80"}
    process = subprocess.Popen(
        [
            str(CLI),
            "run",
            *CONTRACTS,
            "--report-dir",
            str(tmp_path),
            "--max-examples",
            "3",
            "--seed",
            "3",
            "--fault",
            "latency",
        ],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert process.stderr is not None
    header = process.stderr.readline()
    first = process.stderr.readline()
    running = process.poll() is None  # the first endpoint is reported before the run ends
    rest = process.stderr.read()
    assert process.wait(timeout=300) == 0
    assert header.startswith("graph-contracts ") and "seed 3" in header
    assert running, "endpoint lines must appear while the run goes on"
    lines = [first, *rest.splitlines()]
    endpoint_lines = [line for line in lines if line.startswith("[")]
    assert len(endpoint_lines) == 12
    longest = max(endpoint_lines, key=len)
    assert len(longest) > 200 and "/userStatuses/{deviceConfigurationUserStatusId}" in longest
    assert "\x1b[" not in rest  # no terminal escapes in a log


def entity_states(url: str, token: str) -> dict[str, dict]:
    """Every entity the contracts reach on a served mock, as a GET shows it."""
    states = {}
    for contract in contract_files.load(ROOT / "contracts"):
        client = GraphClient(url, contract.version, auth=StaticToken(token))
        discoverer = Discoverer(client)
        for template in contract.paths:
            found = discoverer.resolve(template, contract.odata_type)
            for path in filter(None, (found.path, found.sibling)):
                body = client.get(path).json()
                body.pop("@odata.context", None)
                states[f"{contract.version}{path}"] = body
        client.close()
    return states


@pytest.mark.slow
@pytest.mark.timeout(240)
@pytest.mark.parametrize(("stop", "status"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_mid_run_restores_every_entity_and_reports_interrupted(
    stop: signal.Signals, status: int, tmp_path: Path
) -> None:
    """What a CI timeout (SIGTERM) or Ctrl-C (SIGINT) does to a real run against the mock on
    uvicorn: it stops at the next safe point, puts back what it touched, and says so."""
    with mock_process(ROOT / "contracts", "--fault", "latency", token="test-token-1234") as url:
        before = entity_states(url, "test-token-1234")
        process = subprocess.Popen(
            [
                str(CLI),
                "run",
                *CONTRACTS,
                "--base-url",
                url,
                "--token",
                "test-token-1234",
                "--report-dir",
                str(tmp_path),
                "--max-examples",
                "25",
                "--plan",
                "full",
                "--seed",
                "4",
            ],
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
        )
        assert process.stderr is not None
        process.stderr.readline()  # the header: the run has started
        line = process.stderr.readline()
        while line.startswith("schema "):  # the $metadata the run read, said once
            line = process.stderr.readline()
        # that was the first endpoint's line: it is done, the second is being written
        time.sleep(0.5)
        process.send_signal(stop)
        code = process.wait(timeout=120)
        output = process.stderr.read()
        after = entity_states(url, "test-token-1234")
    assert code == status, output
    assert output.splitlines()[-1].startswith("INTERRUPTED: "), output
    summary = summary_of(tmp_path)
    assert summary["run"]["outcome"] == "interrupted"
    assert 0 < summary["totals"]["endpoints_checked"] < 12
    assert after == before
    assert json.loads((tmp_path / "summary.json").read_text())["left_changed"] == []


def pytest_contract(report_dir: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """`pytest tests/contract OPTIONS` as a real process (the plugin is the other driver)."""
    return subprocess.run(
        [
            *(sys.executable, "-m", "pytest", str(ROOT / "tests" / "contract")),
            *("-p", "no:cacheprovider", "--graph-report-dir", str(report_dir), *options),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_plain_pytest_run_stops_on_unreachable_target(tmp_path: Path) -> None:
    """`pytest tests/contract --graph-base-url ...` also ends with status 2 and one message."""
    done = pytest_contract(
        tmp_path, "--graph-base-url", "http://127.0.0.1:9", "--graph-token", "test-token-1234"
    )
    assert done.returncode == 2, done.stdout + done.stderr
    output = done.stdout + done.stderr
    assert "graph-contracts: target unreachable" in output
    assert "seed" in done.stdout  # the header names target and seed
    assert "FAILED" not in output
    assert summary_of(tmp_path)["run"]["outcome"] == "error"


@pytest.mark.slow
def test_plain_pytest_run_that_checks_nothing_is_not_green(tmp_path: Path) -> None:
    ids = tmp_path / "ids.json"
    ids.write_text('{"deviceConfigurationDeviceStatusId": "no-such-status"}')
    done = pytest_contract(
        tmp_path, "--graph-version", "v1.0", "--graph-ids", str(ids), "--graph-max-examples", "2"
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"{len(CHECK_NAMES)} skipped" in done.stdout
    assert summary_of(tmp_path)["run"]["outcome"] == "error"


def revoking_after(app, writes: int):
    """The mock, but every request is refused with 401 once `writes` PATCHes went through."""
    seen = {"patches": 0}

    async def wrapper(scope, receive, send) -> None:
        if scope["type"] == "http" and scope["method"] == "PATCH":
            seen["patches"] += 1
        if scope["type"] == "http" and seen["patches"] > writes:
            error = {"error": {"code": "InvalidAuthenticationToken", "message": "revoked"}}
            headers = {"WWW-Authenticate": "Bearer"}
            await JSONResponse(error, status_code=401, headers=headers)(scope, receive, send)
            return
        await app(scope, receive, send)

    return wrapper


def test_credentials_rejected_mid_run_stop_it_with_exit_2(tmp_path: Path) -> None:
    from graph_contracts.mock import create_app

    token = "test-token-1234"
    app = create_app(contract_files.load(ROOT / "contracts"), token=token)
    with app_server(revoking_after(app, writes=20)) as url:
        code, output = run_cli(
            *CONTRACTS, "--base-url", url, "--token", token, "--report-dir", str(tmp_path), *FAST
        )
    assert code == 2, output
    assert output.splitlines()[-1].startswith("ERROR: credentials rejected mid-run: "), output
    summary = summary_of(tmp_path)
    assert summary["run"]["outcome"] == "error" and "mid-run" in summary["run"]["message"]
    # the entity being written could not be put back: said, not hidden
    assert summary["left_changed"] and "401" in summary["left_changed"][0]
    assert token not in (tmp_path / "summary.json").read_text()


def test_a_restore_that_does_not_take_fails_the_run_as_target_left_changed(tmp_path: Path) -> None:
    """A service that mangles what it stores cannot be put back: exit 1, said everywhere."""
    code, output = run_cli(
        *CONTRACTS,
        "--version",
        "v1.0",
        "--fault",
        "mangle-string-in",
        "--report-dir",
        str(tmp_path),
        *FAST,
    )
    assert code == 1
    assert "TARGET LEFT CHANGED" in output and "a GET after the restore shows" in output
    summary = summary_of(tmp_path)
    assert summary["left_changed"] and summary["totals"]["restore_failures"] >= 1
    assert "## Target left changed" in (tmp_path / "summary.md").read_text()


def test_totals_restores_counts_the_restore_patches_the_target_received(tmp_path: Path) -> None:
    """summary.json's `restores` is the number of PATCHes that put an entity back as the journal
    snapshotted it, as the server saw them (it used to read 0 whatever was restored)."""
    from graph_contracts.mock import create_app

    token = "test-token-1234"
    patches: list[tuple[str, object]] = []
    app = create_app(contract_files.load(ROOT / "contracts"), token=token)

    async def recording(scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] != "PATCH":
            await app(scope, receive, send)
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        try:
            patches.append((scope["path"], json.loads(body)))
        except ValueError:  # an invalid body the suite sent on purpose
            patches.append((scope["path"], body))
        sent = iter([{"type": "http.request", "body": body, "more_body": False}])
        await app(scope, lambda: _next(sent), send)

    with app_server(recording) as url:
        code, output = run_cli(
            *CONTRACTS, "--base-url", url, "--token", token, "--version", "v1.0",
            "--report-dir", str(tmp_path), *FAST,
        )  # fmt: skip
    assert code == 0, output
    records = [json.loads(line) for line in (tmp_path / "journal.jsonl").read_text().splitlines()]
    snapshots = [(f"/v1.0{r['path']}", r["restore"]) for r in records if r["kind"] == "snapshot"]
    restored = [patch for patch in patches if patch in snapshots]
    assert len(snapshots) == 2 and len(restored) == 2  # the entity and its sibling, once each
    assert summary_of(tmp_path)["totals"]["restores"] == len(restored)


async def _next(messages):
    return next(messages)
