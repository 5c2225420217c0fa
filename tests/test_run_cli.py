"""`graph-contracts run`: exit 0 when every contract holds, 1 on a violation, 2 on bad usage."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph_contracts.cli import app

ROOT = Path(__file__).resolve().parent.parent
FAST = ["--max-examples", "3", "--seed", "2", "--no-progress"]


def invoke(*args: str):
    return CliRunner().invoke(app, ["run", *args])


CONTRACTS = ["--contracts", str(ROOT / "contracts")]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--contracts", "no-such-dir"], "no-such-dir: contracts folder not found"),
        ([*CONTRACTS, "--fault", "no-such-fault"], "unknown fault no-such-fault"),
        ([*CONTRACTS, "--base-url", "http://127.0.0.1:9", "--fault", "throttle"], "embedded mock"),
        ([*CONTRACTS, "--ids", "missing.json"], "missing.json: ids file not found"),
        ([*CONTRACTS, "--version", "v2"], "--version must be beta or v1.0"),
    ],
)
def test_usage_errors_are_one_line_exit_2(args: list[str], expected: str, tmp_path: Path) -> None:
    result = invoke(*args, "--report-dir", str(tmp_path), *FAST)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and expected in lines[0], result.output


def test_bad_ids_file_names_the_file(tmp_path: Path) -> None:
    ids = tmp_path / "ids.json"
    ids.write_text("[1, 2]")
    result = invoke("--contracts", str(ROOT / "contracts"), "--ids", str(ids), *FAST)
    assert result.exit_code == 2 and f"{ids}: expected a JSON object" in result.output


def test_violation_exits_1_with_the_failing_check(tmp_path: Path) -> None:
    result = invoke(
        "--contracts",
        str(ROOT / "contracts"),
        "--version",
        "v1.0",
        "--fault",
        "status-201",
        "--report-dir",
        str(tmp_path),
        *FAST,
    )
    assert result.exit_code == 1, result.output
    assert "VIOLATED" in result.output and "FAILED status" in result.output
    assert (tmp_path / "summary.md").is_file() and (tmp_path / "junit.xml").is_file()


def test_make_run_passes_on_the_repo_contracts(tmp_path: Path) -> None:
    """What `make run` does, as a real process from the checkout: exit 0 and every report."""
    cli = Path(sys.executable).with_name("graph-contracts")
    done = subprocess.run(
        [str(cli), "run", "--report-dir", str(tmp_path), "--max-examples", "5", "--seed", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "OK: all 3 contracts checked hold" in done.stderr
    for name in ("summary.json", "summary.md", "junit.xml"):
        assert (tmp_path / name).is_file(), name
    assert any((tmp_path / "allure-results").iterdir())
    junit = (tmp_path / "junit.xml").read_text()
    assert 'name="test_status[v1.0 /deviceManagement/deviceConfigurations/' in junit


def test_unreachable_entity_is_skipped_with_reason_not_passed(tmp_path: Path) -> None:
    ids = tmp_path / "ids.json"
    ids.write_text('{"deviceConfigurationDeviceStatusId": "no-such-status"}')
    report = tmp_path / "reports"
    result = invoke(
        *CONTRACTS, "--version", "v1.0", "--ids", str(ids), "--report-dir", str(report), *FAST
    )
    assert result.exit_code == 0, result.output
    summary = json.loads((report / "summary.json").read_text())
    assert {r["outcome"] for r in summary["results"]} == {"skipped"}
    assert all(
        "no-such-status" in r["message"] and "404" in r["message"] for r in summary["results"]
    )
    assert "NOTHING CHECKED" in result.output


def test_plain_pytest_run_stops_on_unreachable_target(tmp_path: Path) -> None:
    """`pytest tests/contract --graph-base-url ...` also ends with status 2 and one message."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(ROOT / "tests" / "contract"),
            "-p",
            "no:cacheprovider",
            "--graph-base-url",
            "http://127.0.0.1:9",
            "--graph-token",
            "t",
            "--graph-report-dir",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    output = done.stdout + done.stderr
    assert "graph-contracts: target unreachable" in output
    assert "seed" in done.stdout  # the collection line names target and seed
    assert "FAILED" not in output
