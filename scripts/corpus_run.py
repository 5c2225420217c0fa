"""The whole 2021-07 corpus against the embedded mock: the suite and the mock must agree.

Extracts every PATCH page of both API versions (`graph-contracts extract`), then runs the suite on
all of it as a user does (`graph-contracts run --max-examples 2 --seed 1`, one process, the
embedded mock in-process) and asserts what docs/mock.md publishes: 0 checks failed, and the
endpoints, checks passed and checks skipped of PUBLISHED exactly (a changed figure fails here until
it is re-published). About 11 minutes on the 2-core CI machine: too long for `make test`, so it is
its own command, `make corpus-run`.

`--smoke` (CI, tests/test_benchmarks.py): the first SMOKE_CONTRACTS contracts by id, one example;
asserts 0 failed only.

Run: .venv/bin/python scripts/corpus_run.py [--smoke] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
API = ROOT.parent / "shared" / "corpus" / "graph-docs" / "api-reference"
CLI = Path(sys.executable).with_name("graph-contracts")
SEED, EXAMPLES, SMOKE_CONTRACTS = 1, 2, 12
# What docs/mock.md says of this run (tests/test_published_figures.py checks the page says it).
PUBLISHED = {
    "contracts": 968,
    "endpoints": 1872,
    "endpoints_checked": 1661,
    "passed": 16271,
    "failed": 0,
    "skipped": 2449,
    "another_type": 183,  # endpoints whose only reachable entity is of a sibling derived type
    "needs_ids": 28,  # endpoints with a key only --ids can give (range({address}))
    "no_id_for_not_found": 339,  # singleton paths: not-found has no id to replace
}


def extract(out: Path) -> None:
    folders = [str(API / v / "api") for v in ("beta", "v1.0")]
    subprocess.run(
        [str(CLI), "extract", *folders, "--out", str(out)], check=True, stdout=subprocess.DEVNULL
    )


def first_contracts(source: Path, out: Path, count: int) -> None:
    """The first `count` contracts by id, as a folder a run reads (the smoke run's corpus)."""
    from graph_contracts import contracts as contract_files

    chosen = sorted(contract_files.load(source), key=lambda c: c.id)[:count]
    contract_files.save(chosen, out)


def run(contracts: Path, reports: Path, examples: int) -> tuple[float, int, dict]:
    """(seconds, exit status, summary.json) of `graph-contracts run` on `contracts`; its console
    (one line per endpoint) is kept only when it did not pass."""
    command = [str(CLI), "run", "--contracts", str(contracts), "--report-dir", str(reports)]
    command += ["--max-examples", str(examples), "--seed", str(SEED), "--no-progress"]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.stderr.write((done.stdout + done.stderr)[-4000:])
    return seconds, done.returncode, json.loads((reports / "summary.json").read_text())


def figures(summary: dict) -> dict[str, int]:
    """The totals, and the endpoints behind the skips by cause, as docs/mock.md counts them."""
    totals = summary["totals"]
    skipped: dict[str, set[str]] = {"another_type": set(), "needs_ids": set(), "no_id": set()}
    for r in summary["results"]:
        if r["outcome"] != "skipped":
            continue
        endpoint, message = f"{r['contract']} {r['path']}", r["message"] or ""
        if ", not a #" in message or " lists no #" in message:
            skipped["another_type"].add(endpoint)
        elif "(give it in --ids)" in message:
            skipped["needs_ids"].add(endpoint)
        elif r["check"] == "not-found" and "no entity id to replace" in message:
            skipped["no_id"].add(endpoint)
    found = {k: totals[k] for k in PUBLISHED if k in totals}
    found["another_type"] = len(skipped["another_type"])
    found["needs_ids"] = len(skipped["needs_ids"])
    found["no_id_for_not_found"] = len(skipped["no_id"])
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="A dozen contracts, one example.")
    parser.add_argument("--keep", type=Path, help="Keep the contracts and reports here.")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="corpus-run-"))
    extract(work / "corpus")
    contracts = work / "corpus"
    if args.smoke:
        first_contracts(work / "corpus", work / "smoke", SMOKE_CONTRACTS)
        contracts = work / "smoke"
    seconds, status, summary = run(contracts, work / "reports", 1 if args.smoke else EXAMPLES)
    got = figures(summary)
    print(
        f"{got['contracts']} contracts, {got['endpoints']} endpoints: {got['passed']} passed, "
        f"{got['failed']} failed, {got['skipped']} skipped; {got['endpoints_checked']} endpoints "
        f"checked; {summary['totals']['requests']} requests in {seconds / 60:.1f} min "
        f"(exit {status})"
    )
    if got["failed"] or status != 0:
        print(
            f"FAILED: the suite and the mock disagree: {work / 'reports'}/summary.md",
            file=sys.stderr,
        )
        return 1
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)
    if not args.smoke and got != PUBLISHED:
        print(
            f"the figures moved: published {PUBLISHED}, measured {got}; re-publish them in "
            "docs/mock.md and PUBLISHED here",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
