"""Whole-corpus extraction time against a bare regex scan of the same files, in the same run.

The baseline reads every file the extraction reads -- all api pages AND all resource/type pages
(the extractor follows links into ``resources/``), 3966 .md files -- and runs one regex over each:
the floor any extractor pays for I/O, decoding and a single pass. Target: extraction within 3x of
it. Both are timed best-of-N (the machine is shared; the best run is the least disturbed one).
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
SCANNED = [API / v / kind for v in ("beta", "v1.0") for kind in ("api", "resources")]
SCAN = re.compile(r"^PATCH\s+(\S+)", re.M)


def regex_scan() -> int:
    """Baseline: read each api and resource page (recursively) and run one regex over it."""
    hits = 0
    for folder in SCANNED:
        for path in sorted(folder.rglob("*.md")):
            hits += len(SCAN.findall(path.read_text(encoding="utf-8")))
    return hits


def file_count() -> int:
    return sum(1 for folder in SCANNED for _ in folder.rglob("*.md"))


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
    if not all(f.is_dir() for f in SCANNED):
        print(f"corpus missing under {API}", file=sys.stderr)
        return 2
    base, hits = best_of(regex_scan, args.repeat)
    ext, contracts = best_of(extraction, args.repeat)
    ratio = ext / base
    print(f"regex scan : {base * 1000:8.1f} ms  ({file_count()} files, {hits} PATCH lines)")
    print(f"extraction : {ext * 1000:8.1f} ms  ({contracts} contracts)")
    print(f"ratio      : {ratio:8.2f}x  (target <= 3x) {'OK' if ratio <= 3 else 'SLOW'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
