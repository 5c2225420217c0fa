"""Pacing against a real server that enforces a write budget and counts what it receives.

The reference server (its own process, independent of graph_contracts) answers 429 with a
fractional Retry-After past N writes per S seconds and counts requests, writes and 429s. Paced
to its budget, a run meets no 429; paced too fast, it meets 429s, retries them, and still passes.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from drive import run_cli, summary_of
from servers import reference_process

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "budget-token-4c2a"
ARGS = ["--contracts", str(ROOT / "contracts"), "--version", "v1.0", "--allow-writes"]
ARGS += ["--plan", "minimal", "--seed", "3", "--no-progress", "--token", TOKEN]

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]


def stats(url: str) -> dict[str, int]:
    return httpx.get(f"{url}/_reference/stats").json()


def test_paced_to_the_servers_budget_a_run_meets_no_429(tmp_path: Path) -> None:
    with reference_process(ROOT / "contracts", "--write-budget", "10/2", token=TOKEN) as url:
        code, output = run_cli(
            *ARGS, "--base-url", url, "--write-rate", "10/2", "--report-dir", str(tmp_path)
        )
        seen = stats(url)
    assert code == 0, output
    totals = summary_of(tmp_path)["totals"]
    assert seen["throttled"] == 0 and totals["throttled"] == 0
    sent = sum(e["sent_patches"] for e in summary_of(tmp_path)["endpoints"])
    assert seen["writes"] >= 20 and totals["paced_wait_s"] > 3  # past the first 10 free writes
    assert sent >= seen["writes"]  # the server counts the writes it let through
    assert totals["requests"] == seen["requests"]  # every request counted, on both sides


def test_paced_too_fast_a_run_meets_429s_and_retries_them(tmp_path: Path) -> None:
    with reference_process(ROOT / "contracts", "--write-budget", "10/2", token=TOKEN) as url:
        code, output = run_cli(
            *ARGS, "--base-url", url, "--write-rate", "1000/1", "--report-dir", str(tmp_path)
        )
        seen = stats(url)
    assert code == 0, output  # throttling is not a failure of the contract
    totals = summary_of(tmp_path)["totals"]
    assert seen["throttled"] > 0 and totals["throttled"] == seen["throttled"]
    assert totals["retries"] >= seen["throttled"] and totals["retry_wait_s"] > 0
    assert "answered 429" in output


def test_without_opt_in_a_service_gets_no_patch_and_the_plan_is_shown(tmp_path: Path) -> None:
    """A target that is not graph-contracts' own mock: GETs only, then exit 2 naming the flag."""
    args = [a for a in ARGS if a != "--allow-writes"]
    with reference_process(ROOT / "contracts", token=TOKEN) as url:
        code, output = run_cli(*args, "--base-url", url, "--report-dir", str(tmp_path))
        seen = stats(url)
    assert code == 2, output
    assert seen["writes"] == 0 and seen["requests"] > 0  # discovery happened, no PATCH
    assert "PATCHes" in output and "--allow-writes" in output.splitlines()[-1]
    assert summary_of(tmp_path)["run"]["outcome"] == "error"
