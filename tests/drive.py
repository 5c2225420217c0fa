"""Running `graph-contracts run` from tests as a user does: the real command, in-process.

Typer's CliRunner calls the same function the console script does, so the engine, the reporters,
the exit status and the report files are all the real ones; only the process is shared.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from graph_contracts.cli import app


def run_cli(*args: str) -> tuple[int, str]:
    """(exit status, console output) of `graph-contracts run ARGS`."""
    result = CliRunner().invoke(app, ["run", *args], catch_exceptions=False)
    return result.exit_code, result.output


def summary_of(report_dir: Path) -> dict[str, Any]:
    path = report_dir / "summary.json"
    return json.loads(path.read_text()) if path.exists() else {}


def failed_checks(summary: dict[str, Any]) -> set[str]:
    return {r["check"] for r in summary.get("results", []) if r["outcome"] == "failed"}
