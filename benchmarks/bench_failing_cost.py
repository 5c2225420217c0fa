"""What a defect that every write exposes costs: the seeds against `--fault not-persisted`.

Two whole `graph-contracts run` processes on the embedded mock, same seed, default plan and read
window: the clean run (the baseline, measured in the same run) and the run against a mock that
answers every PATCH and stores nothing, so read-after-write fails on every write. Proving that
takes one read window per endpoint; the target is the clean run's time plus 1.5 windows per
endpoint, with every endpoint's read-after-write failure reported. (Before the window was spent
once per failing check, each of the ~66 writes per endpoint waited it: 68 s per endpoint.)

Usage: .venv/bin/python benchmarks/bench_failing_cost.py [--read-window S] [--repeat N]
Exit status 1 when the target is missed or an endpoint's failure is missing.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLI = Path(sys.executable).with_name("graph-contracts")
TARGET_WINDOWS = 1.5  # extra read windows per endpoint the failing run may cost


def run(read_window: float, *faults: str) -> tuple[float, dict]:
    """Wall seconds of one whole command, and its summary.json."""
    with tempfile.TemporaryDirectory() as reports:
        command = [str(CLI), "run", "--seed", "7", "--no-progress", "--report-dir", reports]
        command += ["--read-window", str(read_window)]
        for fault in faults:
            command += ["--fault", fault]
        began = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - began
        summary = json.loads((Path(reports) / "summary.json").read_text())
    expected = 1 if faults else 0
    assert done.returncode == expected, (done.returncode, done.stderr[-2000:])
    return wall, summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--read-window", type=float, default=3.0)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; the fastest counts")
    args = parser.parse_args()
    clean = min(run(args.read_window)[0] for _ in range(args.repeat))
    failing = [run(args.read_window, "not-persisted") for _ in range(args.repeat)]
    wall, summary = min(failing, key=lambda pair: pair[0])
    endpoints = summary["totals"]["endpoints"]
    failed = {
        (r["contract"], r["path"])
        for r in summary["results"]
        if r["check"] == "read-after-write" and r["outcome"] == "failed"
    }
    windows = (wall - clean) / (args.read_window * endpoints)
    budget = clean + TARGET_WINDOWS * args.read_window * endpoints
    print(f"seeds: {endpoints} endpoints, read window {args.read_window:g} s, full plan")
    print(f"clean run (baseline):        {clean:6.1f} s")
    print(f"--fault not-persisted:       {wall:6.1f} s ({wall / clean:.2f}x the clean run)")
    print(
        f"extra cost: {windows:.2f} read windows per endpoint (target <= {TARGET_WINDOWS}: "
        f"{budget:.1f} s); read-after-write failed on {len(failed)} of {endpoints} endpoints"
    )
    met = wall <= budget and len(failed) == endpoints
    print("target met" if met else "TARGET MISSED")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
