"""The pytest driver: the same engine under pytest, alone or on xdist workers (one engine each)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from graph_contracts.checks import CHECK_NAMES

ROOT = Path(__file__).resolve().parent.parent
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
