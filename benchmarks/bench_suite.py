"""Checked PATCH cases per second: the graph-contracts suite vs vanilla `schemathesis run`.

Same contracts, same OpenAPI document, same mock, same run. The suite is measured in-process (its
default target) and over loopback against the served mock; `schemathesis run` (CLI, PATCH only,
default phases, no shrinking) against the same served mock. A suite case is a PATCH whose reply
was judged by its checks (a valid body: status, shape, round-trip, read-after-write via a GET,
merge; an invalid body: rejection plus a GET; auth and not-found probes); a Schemathesis case is
one of its generated test cases (its default checks, no GET). Aim: >= 1.5x its rate.

    .venv/bin/python benchmarks/bench_suite.py [--max-examples N] [--repeat N] [--smoke]

`--smoke` (CI, tests/test_benchmarks.py): one example per endpoint; the figures mean nothing.
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

from graph_contracts import contracts as contract_files
from graph_contracts.client import GraphClient, InProcessTransport
from graph_contracts.discovery import Discoverer
from graph_contracts.engine.endpoint import SCHEMATHESIS_CHECKS, Endpoint, EndpointRun, Settings
from graph_contracts.engine.schemathesis_cases import SchemathesisCases
from graph_contracts.mock import create_app
from graph_contracts.openapi import build

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-token"
BIN = Path(sys.executable).parent
SMOKE_HELP = "One example per endpoint: proves the benchmark runs (CI); no figure to quote."


class Counting(httpx.BaseTransport):
    """Counts PATCH requests on their way to the real transport."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner, self.patches = inner, 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.patches += request.method == "PATCH"
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def run_suite(
    contracts, base_url: str, inner: httpx.BaseTransport, n: int, *, judged_by_schemathesis=True
) -> tuple[int, float, int]:
    """(PATCH cases, seconds, check verdicts) for every endpoint of every contract.

    As `graph-contracts run` does: Schemathesis' bodies AND its own checks on the replies
    (`operation_of`), so every registered check judges; a check that did not pass stops the
    benchmark with one line per endpoint and check (a figure of a run that failed means nothing).
    """
    from graph_contracts.auth import StaticToken

    transport = Counting(inner)
    clients = {
        v: GraphClient(base_url, v, auth=StaticToken(TOKEN), transport=transport)
        for v in {c.version for c in contracts}
    }
    discoverers = {v: Discoverer(client) for v, client in clients.items()}
    settings = Settings(max_examples=n, seed=1)
    verdicts = checked = restores = 0
    not_passed: list[str] = []
    try:
        started = time.perf_counter()
        extra = SchemathesisCases(contracts, n, seed=1)  # its bodies and checks, as `run` has
        for contract in contracts:
            for path in contract.paths:
                endpoint = Endpoint(contract, path)
                run = EndpointRun(
                    endpoint,
                    clients[contract.version],
                    discoverers[contract.version],
                    settings,
                    extra_cases=extra.cases,
                    operation_of=extra.operation if judged_by_schemathesis else None,
                )
                results = run.run()
                not_passed += [
                    f"{r.check} on {r.endpoint}: {r.outcome}: {r.message}"
                    for r in results
                    if r.outcome != "passed"
                    and (judged_by_schemathesis or r.check not in SCHEMATHESIS_CHECKS)
                ]
                verdicts += sum(t.cases for t in run.tallies.values())
                checked += run.checked_patches
                restores += run.restores + run.shrink_patches
        elapsed = time.perf_counter() - started
    finally:  # whatever happens, no client (nor the in-process transport's loop) is left open
        for client in clients.values():
            client.close()
    if not_passed:
        raise SystemExit("not every check passed:\n" + "\n".join(not_passed))
    # Every PATCH sent is either judged by a check or restores an entity as it was found.
    assert transport.patches == checked + restores, (transport.patches, checked, restores)
    return checked, elapsed, verdicts


def serve(contracts_dir: Path) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [
            str(BIN / "graph-contracts"),
            "mock",
            "--port",
            "0",
            "--token",
            TOKEN,
            "--contracts",
            str(contracts_dir),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    line = process.stdout.readline() if process.stdout else ""
    match = re.search(r"http://\S+", line)
    if not match:
        process.kill()
        raise SystemExit(f"mock did not start: {line}")
    return process, match.group(0)


def run_schemathesis(openapi: Path, url: str, n: int, *extra: str) -> tuple[int, float]:
    done = subprocess.run(
        [
            str(BIN / "schemathesis"),
            "run",
            str(openapi),
            "--url",
            url,
            "-H",
            f"Authorization: Bearer {TOKEN}",
            "--include-method",
            "PATCH",
            "-n",
            str(n),
            "--seed",
            "1",
            "--no-shrink",
            *extra,
        ],
        capture_output=True,
        text=True,
        cwd=openapi.parent,
    )
    cases = re.search(r"(\d+) generated", done.stdout)
    seconds = re.search(r" in ([\d.]+)s", done.stdout)
    if not (cases and seconds):
        raise SystemExit(f"cannot read schemathesis output:\n{done.stdout[-2000:]}")
    return int(cases.group(1)), float(seconds.group(1))


def best(measure, repeat: int) -> tuple[int, float, int]:
    """The fastest of `repeat` runs of `measure` (the machine is shared: the least disturbed)."""
    return min((measure() for _ in range(repeat)), key=lambda r: r[1] / max(r[0], 1))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-examples", type=int, default=25)
    parser.add_argument("--contracts", type=Path, default=ROOT / "contracts")
    parser.add_argument("--repeat", type=int, default=3, help="Best of N runs of each.")
    parser.add_argument("--smoke", action="store_true", help=SMOKE_HELP)
    args = parser.parse_args()
    contracts = contract_files.load(args.contracts)
    n = 1 if args.smoke else args.max_examples
    repeat = 1 if args.smoke else args.repeat
    # Smoke: the contract with fewest endpoints, and Schemathesis' fuzzing phase only (its
    # coverage phase alone draws hundreds of cases whatever -n says).
    contracts = [min(contracts, key=lambda c: len(c.paths))] if args.smoke else contracts
    st_options = ("--phases", "fuzzing") if args.smoke else ()
    endpoints = sum(len(c.paths) for c in contracts)

    # Warm-up (imports, Schemathesis' schema machinery): its own CLI time excludes start-up too.
    run_suite(
        contracts[:1], "http://mock", InProcessTransport(create_app(contracts, token=TOKEN)), 1
    )
    cases, seconds, verdicts = best(
        lambda: run_suite(
            contracts, "http://mock", InProcessTransport(create_app(contracts, token=TOKEN)), n
        ),
        repeat,
    )
    ours = cases / seconds
    print(
        f"graph-contracts, in-process : {cases:5d} PATCH cases in {seconds:6.2f} s = "
        f"{ours:7.1f} cases/s ({verdicts} check verdicts, {endpoints} endpoints; best of {repeat})"
    )

    off, off_seconds, _ = best(
        lambda: run_suite(
            contracts,
            "http://mock",
            InProcessTransport(create_app(contracts, token=TOKEN)),
            n,
            judged_by_schemathesis=False,
        ),
        repeat,
    )
    unjudged = off / off_seconds
    print(
        f"  the same, Schemathesis' own checks off: {unjudged:7.1f} cases/s "
        f"(what they cost: {1 - ours / unjudged:.0%} of the rate)"
    )

    process, url = serve(args.contracts)  # every contract served; the smoke run asks for one
    try:
        cases_l, seconds_l, _ = best(
            lambda: run_suite(contracts, url, httpx.HTTPTransport(), n), repeat
        )
        ours_loop = cases_l / seconds_l
        print(
            f"graph-contracts, loopback   : {cases_l:5d} PATCH cases in {seconds_l:6.2f} s = "
            f"{ours_loop:7.1f} cases/s"
        )
        with tempfile.TemporaryDirectory() as tmp:
            openapi = Path(tmp) / "openapi.json"
            openapi.write_text(json.dumps(build(contracts)))
            st_cases, st_seconds, _ = best(
                lambda: (*run_schemathesis(openapi, url, n, *st_options), 0), repeat
            )
    finally:
        process.terminate()
        process.wait(timeout=10)
    theirs = st_cases / st_seconds
    print(
        f"schemathesis run, loopback  : {st_cases:5d} test cases  in {st_seconds:6.2f} s = "
        f"{theirs:7.1f} cases/s (default checks, no read-back)"
    )
    print(
        f"ratio in-process / schemathesis: {ours / theirs:.2f}x; "
        f"loopback / schemathesis: {ours_loop / theirs:.2f}x (target >= 1.5x)"
    )


if __name__ == "__main__":
    main()
