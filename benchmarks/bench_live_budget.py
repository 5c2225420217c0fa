"""The seeds' three contracts against a server enforcing Intune's write budget: time and 429s.

A live Intune tenant allows 100 writes per 20 s per app. The reference server (tests/reference,
its own process) enforces exactly that; `graph-contracts run` goes at it as it would at a tenant:
`--allow-writes`, the default plan for a --base-url target (minimal), the default pacing (Graph's
published Intune budget). Goal (issue 9): under 3 minutes, no 429.

Baseline, in the same run: the least time the same budgets allow for the full plan, from its
`--dry-run` estimate (running it would take many minutes by design). The ratio says what the
minimal plan saves.

Run: .venv/bin/python benchmarks/bench_live_budget.py [--smoke]

`--smoke` (CI, tests/test_benchmarks.py): one example per endpoint under a budget too large to wait
on (server and run alike), so the whole path runs in seconds; no figure to quote.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TOKEN = "bench-budget-token-91c3"
READY = re.compile(r"Serving reference Graph at (http://\S+)")
PLAN = re.compile(r"at least ([\d.]+) (min|s) under")
INTUNE = "100/20"  # Intune's published write budget per app: 100 writes per 20 s
SMOKE_BUDGET = "100000/20"  # never waited on


def serve(budget: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "reference", "--contracts", str(ROOT / "contracts")),
            *("--port", "0", "--token", TOKEN, "--write-budget", budget),
        ],
        cwd=ROOT / "tests",
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline() if process.stdout else ""
    match = READY.search(line)
    if not match:
        raise SystemExit(f"reference server did not start: {line!r}")
    return process, match.group(1)


def run(url: str, *extra: str) -> tuple[float, subprocess.CompletedProcess[str]]:
    command = [str(BIN / "graph-contracts"), "run", "--contracts", str(ROOT / "contracts")]
    command += ["--base-url", url, "--token", TOKEN, "--seed", "1", "--no-progress", *extra]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=900)
    return time.perf_counter() - started, done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="No budget to wait on (CI).")
    smoke = parser.parse_args().smoke
    process, url = serve(SMOKE_BUDGET if smoke else INTUNE)
    extra = ("--max-examples", "1", "--write-rate", SMOKE_BUDGET) if smoke else ()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            estimate_s, full = run(url, "--plan", "full", "--dry-run", *extra)
            found = PLAN.search(full.stderr)
            if full.returncode != 0 or not found:
                raise SystemExit(full.stdout + full.stderr)
            full_s = float(found.group(1)) * (60 if found.group(2) == "min" else 1)
            seconds, done = run(url, "--allow-writes", "--report-dir", tmp, *extra)
            summary = json.loads((Path(tmp) / "summary.json").read_text())
        stats = httpx.get(f"{url}/_reference/stats").json()
    finally:
        process.terminate()
        process.wait(timeout=10)
    totals = summary["totals"]
    budget = "none to wait on (--smoke)" if smoke else "Intune's 100 writes / 20 s"
    print(f"minimal plan, seeds (3 contracts, 12 endpoints), budget {budget}:")
    print(
        f"  whole command: {seconds:.1f} s (exit {done.returncode}, outcome {summary['run']['outcome']})"
    )
    print(
        f"  server saw {stats['writes']} writes, {stats['requests']} requests, {stats['throttled']} 429s"
    )
    print(
        f"  waited {totals['paced_wait_s']:.1f} s on the limiter, {totals['retry_wait_s']:.1f} s on Retry-After"
    )
    print(
        f"baseline, full plan under the same budgets (dry-run estimate, {estimate_s:.1f} s to make): {full_s:.0f} s"
    )
    print(
        f"ratio full / minimal: {full_s / seconds:.1f}x; goal met: {seconds < 180 and stats['throttled'] == 0}"
    )


if __name__ == "__main__":
    main()
