"""The cost of reading the largest real `$metadata` (Graph beta, 2021-07) against a plain parse.

A run reads the service's own CSDL for every API version it checks, so the reader must stay
within a small multiple of what parsing the XML alone costs. Baseline, in the same run, on the
same bytes: `xml.etree.ElementTree.fromstring` (expat, C), which builds the tree our reader then
walks. Also printed: a run's whole start-up work on the document (read, then refine and drift the
docs' contracts of the corpus with it) and the document served by the mock and read through the
run's client over loopback: downloaded, then revalidated by ETag (304) from the cache.

Each figure is the best of `--repeat` runs (the machine is shared and noisy).

Usage: .venv/bin/python benchmarks/bench_metadata.py [--repeat N] [--smoke]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
LARGEST = SHARED / "corpus" / "csdl" / "beta_metadata.xml"
sys.path.insert(0, str(ROOT / "tests"))  # servers.app_server: uvicorn in a thread


def best(repeat: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--smoke", action="store_true", help="one repetition: it runs, no figure")
    args = parser.parse_args()
    if args.smoke:
        args.repeat = 1
    if not LARGEST.is_file():
        sys.exit(f"bench_metadata: {LARGEST} is missing (clone the project beside shared/)")
    from graph_contracts.metadata import parse_csdl

    data = LARGEST.read_bytes()
    plain = best(args.repeat, lambda: ET.fromstring(data))
    ours = best(args.repeat, lambda: parse_csdl(data, str(LARGEST)))
    csdl = parse_csdl(data, str(LARGEST))
    props = sum(len(t.properties) for t in csdl.types.values())
    print(
        f"document: {LARGEST.name}, {len(data) / 2**20:.1f} MiB, {len(csdl.types)} types, "
        f"{props} properties"
    )
    print(f"plain parse (ElementTree.fromstring): {plain * 1000:.0f} ms")
    print(f"graph-contracts reader (parse_csdl):  {ours * 1000:.0f} ms ({ours / plain:.2f}x)")
    _startup(args.repeat, csdl, plain)
    _served(args.repeat, data)


def _startup(repeat: int, csdl, plain: float) -> None:
    """What a run does with the document before its first check, on the corpus's contracts."""
    from graph_contracts.extract import extract_paths
    from graph_contracts.metadata import drift, refine

    docs = SHARED / "corpus" / "graph-docs"
    contracts = [c for c in extract_paths([docs]).contracts if c.version == "beta"]
    label = {"beta": "the service's $metadata"}
    refined = best(repeat, lambda: refine(contracts, {"beta": csdl}, label))
    drifted = best(repeat, lambda: drift(contracts, service={"beta": csdl}))
    print(
        f"refine {len(contracts)} beta contracts: {refined * 1000:.0f} ms; "
        f"three-way drift: {drifted * 1000:.0f} ms ({(refined + drifted) / plain:.2f}x the parse)"
    )


def _served(repeat: int, data: bytes) -> None:
    """Through the run's client from a real server: a download, then a 304 from the cache."""
    from servers import app_server

    from graph_contracts import contracts as contract_files
    from graph_contracts.client import GraphClient
    from graph_contracts.engine.target import SERVICE, Target
    from graph_contracts.metadata import parse_csdl
    from graph_contracts.metadata._cache import MetadataCache
    from graph_contracts.mock import create_app

    seeds = contract_files.load(ROOT / "contracts")
    document = parse_csdl(data, LARGEST.name)
    document.version = "beta"
    app = create_app(seeds, token="bench", metadata=[document])
    with tempfile.TemporaryDirectory() as folder, app_server(app) as url:
        target = Target(url, SERVICE, {"beta": GraphClient(url, "beta")})
        empty = MetadataCache(None)
        download = best(repeat, lambda: target.service_metadata("beta", empty))
        cache = MetadataCache(Path(folder))
        assert target.service_metadata("beta", cache).status == "downloaded"
        cached = best(repeat, lambda: target.service_metadata("beta", cache))
        assert target.service_metadata("beta", cache).status == "cached"
        target.close()
    print(
        f"served over loopback and read: downloaded {download * 1000:.0f} ms, "
        f"revalidated (304) from the cache {cached * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
