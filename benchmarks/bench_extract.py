"""Whole-corpus extraction time against a bare regex scan of the same files, in the same run.

The baseline reads every api page and runs one regex over it: the floor any extractor pays for
I/O and a single pass. Target: extraction within 3x of it. Prints both figures and the ratio.
Run: .venv/bin/python benchmarks/bench_extract.py [--repeat N]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

from graph_contracts.extract import extract_paths

ROOT = Path(__file__).resolve().parent.parent
API = ROOT.parent / "shared" / "corpus" / "graph-docs" / "api-reference"
FOLDERS = [API / "beta" / "api", API / "v1.0" / "api"]
SCAN = re.compile(r"^PATCH\s+(\S+)", re.M)


def regex_scan() -> int:
    """Baseline: read each file (recursively, as extract does) and run one regex over it."""
    hits = 0
    for folder in FOLDERS:
        for path in sorted(folder.rglob("*.md")):
            hits += len(SCAN.findall(path.read_text(encoding="utf-8")))
    return hits


def extraction() -> int:
    return len(extract_paths(FOLDERS).contracts)


def best_of(fn, repeat: int) -> tuple[float, int]:
    best, result = float("inf"), 0
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not all(f.is_dir() for f in FOLDERS):
        print(f"corpus missing under {API}", file=sys.stderr)
        return 2
    base, hits = best_of(regex_scan, args.repeat)
    ext, contracts = best_of(extraction, args.repeat)
    ratio = ext / base
    print(f"regex scan : {base * 1000:8.1f} ms  ({hits} PATCH lines)")
    print(f"extraction : {ext * 1000:8.1f} ms  ({contracts} contracts)")
    print(f"ratio      : {ratio:8.2f}x  (target <= 3x) {'OK' if ratio <= 3 else 'SLOW'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
