"""Small real servers for tests: the mock as a process, any ASGI app on uvicorn in a thread."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn

READY = re.compile(r"Serving mock Graph at (http://\S+)")
CLI = Path(sys.executable).with_name("graph-contracts")


@contextmanager
def mock_process(contracts: Path, *args: str, token: str = "t") -> Iterator[str]:
    """`graph-contracts mock --port 0` as a real process; yields its base URL, then SIGTERM."""
    command = [str(CLI), "mock", "--port", "0", "--contracts", str(contracts), "--token", token]
    with _announcing([*command, *args], READY, "mock") as url:
        yield url


@contextmanager
def _announcing(
    command: list[str], ready: re.Pattern[str], what: str, cwd: Path | None = None
) -> Iterator[str]:
    """A server process that prints its URL on its first line; yields it, then SIGTERM."""
    process = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        line = process.stdout.readline() if process.stdout else ""
        match = ready.search(line)
        assert match, f"{what} did not announce a URL: {line!r}"
        yield match.group(1)
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def app_server(app: Any) -> Iterator[str]:
    """Serve an ASGI app on uvicorn over loopback from a thread; yields its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


REFERENCE_READY = re.compile(r"Serving reference Graph at (http://\S+)")
TESTS = Path(__file__).resolve().parent


@contextmanager
def reference_process(contracts: Path, *args: str, token: str) -> Iterator[str]:
    """tests/reference as a real process (`python -m reference`); yields its base URL."""
    command = [sys.executable, "-m", "reference", "--contracts", str(contracts), "--port", "0"]
    with _announcing(
        [*command, "--token", token, *args], REFERENCE_READY, "reference server", TESTS
    ) as url:
        yield url
