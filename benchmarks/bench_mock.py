"""PATCH+GET throughput of the mock Graph: in-process, over loopback, and beside Prism's mock.

Baseline: Stoplight Prism (`@stoplight/prism-cli`, npm) serving the same OpenAPI document
(`graph-contracts openapi`) in the same run, driven by the same client code over loopback. Prism is
installed with `npm install --prefix` into a temp dir (kept between runs); without npm or network
the Prism row is skipped with a note. Prism's mock is stateless (it answers schema examples), so the
ratio compares raw serving cost, not semantics.

Usage: .venv/bin/python benchmarks/bench_mock.py [--pairs N] [--smoke]

`--smoke` (CI, tests/test_benchmarks.py): 20 pairs, no Prism (nothing installed); no figure to quote.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from graph_contracts import contracts as contract_files
from graph_contracts.mock import create_app
from graph_contracts.openapi import build

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PRISM_PACKAGE = "@stoplight/prism-cli@5"
PRISM_DIR = Path(tempfile.gettempdir()) / "graph-contracts-prism"


def target() -> tuple[list, str, str]:
    """The seed contracts and one deviceConfigurationUserStatus path, as `/beta/...`."""
    contracts = contract_files.load(ROOT / "contracts")
    contract = next(c for c in contracts if c.name == "deviceConfigurationUserStatus")
    app = create_app(contracts)
    path = "/beta" + app.state.graph.store.sample("beta", contract.paths[0])
    return contracts, path, contract.odata_type


def body(i: int, odata_type: str) -> dict:
    return {"@odata.type": odata_type, "userDisplayName": f"user {i}", "devicesCount": i}


async def _in_process(contracts: list, path: str, odata_type: str, pairs: int) -> float:
    app = create_app(contracts)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://mock", headers=AUTH) as c:
        for i in range(20):
            await c.patch(path, json=body(i, odata_type))
        start = time.perf_counter()
        for i in range(pairs):
            assert (await c.patch(path, json=body(i, odata_type))).status_code == 200
            assert (await c.get(path)).status_code == 200
        return 2 * pairs / (time.perf_counter() - start)


def over_http(base_url: str, path: str, odata_type: str, pairs: int) -> float:
    """Requests per second of sequential PATCH+GET pairs over one keep-alive connection."""
    with httpx.Client(base_url=base_url, headers=AUTH, timeout=30) as client:
        for i in range(20):
            client.patch(path, json=body(i, odata_type))
        start = time.perf_counter()
        for i in range(pairs):
            patched = client.patch(path, json=body(i, odata_type))
            assert patched.status_code in (200, 204), (patched.status_code, patched.text[:300])
            assert client.get(path).status_code == 200
        return 2 * pairs / (time.perf_counter() - start)


def mock_loopback(path: str, odata_type: str, pairs: int) -> float:
    # The served mock requires a token (without --token it would make one up).
    cmd = [sys.executable, "-m", "graph_contracts.cli", "mock", "--port", "0", "--token", TOKEN]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        url = line.split(" at ", 1)[1].split(" ", 1)[0]
        return over_http(url, path, odata_type, pairs)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)


def prism_binary() -> Path | None:
    """Prism's CLI, installed once into a temp dir; None (with a printed note) when impossible."""
    binary = PRISM_DIR / "node_modules" / ".bin" / "prism"
    if binary.exists():
        return binary
    if not shutil.which("npm"):
        print("note: npm not found; Prism baseline skipped")
        return None
    print(f"installing {PRISM_PACKAGE} into {PRISM_DIR} ...", flush=True)
    done = subprocess.run(
        ["npm", "install", "--prefix", str(PRISM_DIR), PRISM_PACKAGE, "--no-audit", "--no-fund"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0 or not binary.exists():
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["?"]
        print(f"note: Prism could not be installed ({tail[0]}); Prism baseline skipped")
        return None
    return binary


def prism_loopback(contracts: list, path: str, odata_type: str, pairs: int) -> float | None:
    binary = prism_binary()
    if binary is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "openapi.json"
        spec.write_text(json.dumps(build(contracts)), encoding="utf-8")
        port = _free_port()
        cmd = [str(binary), "mock", str(spec), "--port", str(port), "--host", "127.0.0.1"]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            if not _wait_for_port(port, proc, timeout=60):
                print("note: Prism did not start; Prism baseline skipped")
                return None
            return over_http(f"http://127.0.0.1:{port}", path, odata_type, pairs)
        finally:
            proc.terminate()
            proc.wait(timeout=15)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, proc: subprocess.Popen, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=500, help="PATCH+GET pairs per target")
    parser.add_argument("--smoke", action="store_true", help="20 pairs, no Prism (CI).")
    args = parser.parse_args()
    pairs = 20 if args.smoke else args.pairs
    contracts, path, odata_type = target()
    rows: list[tuple[str, float | None]] = [
        (
            "mock in-process (httpx ASGITransport)",
            asyncio.run(_in_process(contracts, path, odata_type, pairs)),
        ),
        ("mock over loopback (uvicorn)", mock_loopback(path, odata_type, pairs)),
        (
            "Prism mock over loopback (baseline)",
            None if args.smoke else prism_loopback(contracts, path, odata_type, pairs),
        ),
    ]
    baseline = rows[-1][1]
    print(f"\nPATCH+GET, {pairs} sequential pairs per target, one keep-alive client")
    print(f"{'target':42} {'requests/s':>11} {'vs Prism':>9}")
    for name, rate in rows:
        shown = f"{rate:11.0f}" if rate else f"{'skipped':>11}"
        ratio = f"{rate / baseline:8.2f}x" if rate and baseline else f"{'-':>9}"
        print(f"{name:42} {shown} {ratio}")


if __name__ == "__main__":
    main()
