"""`graph-contracts mock` as a real server: ready line, HTTP over loopback, concurrency, clean stop."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
READY = re.compile(r"^Serving mock Graph at (http://\S+) \((\d+) contracts, faults: (.+)\)$")
RUN_LINE = re.compile(r"^graph-contracts run --base-url (http://\S+) --token (\S+)$")
TOKEN = "t"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
USER_STATUSES = "/beta/deviceManagement/deviceConfigurations"

pytestmark = [pytest.mark.slow, pytest.mark.timeout(60)]  # real processes


def command(*args: str) -> list[str]:
    """`graph-contracts mock --port 0 ARGS` as a subprocess command line."""
    return [sys.executable, "-m", "graph_contracts.cli", "mock", "--port", "0", *args]


@contextmanager
def running(*args: str, token: str | None = TOKEN) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """Start the server from the repository root, yield its URL, and stop it with SIGTERM.

    `token=None` starts it without `--token` (it then makes one up and announces it).
    """
    given = ("--token", token) if token is not None else ()
    proc = subprocess.Popen(
        command(*args, *given), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        line = proc.stdout.readline().strip()
        match = READY.match(line)
        assert match, f"no ready line: {line!r} / {proc.stderr.read() if proc.poll() else ''}"
        yield match.group(1), proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=15)


def entity_url(http: httpx.Client) -> str:
    """Discover one deviceConfigurationUserStatus by listing collections, as a client would."""
    config = http.get(USER_STATUSES).json()["value"][0]["id"]
    statuses = http.get(f"{USER_STATUSES}/{config}/userStatuses").json()["value"]
    assert len(statuses) >= 2
    return f"{USER_STATUSES}/{config}/userStatuses/{statuses[0]['id']}"


def test_serves_over_http_and_stops_cleanly_on_sigterm():
    with running() as (url, proc):
        assert re.match(r"^http://127\.0\.0\.1:\d+$", url) and not url.endswith(":0")
        with httpx.Client(base_url=url, headers=AUTH) as http:
            path = entity_url(http)
            reply = http.patch(path, json={"userDisplayName": "over the wire"})
            assert reply.status_code == 200
            assert http.get(path).json()["userDisplayName"] == "over the wire"
            assert http.get(path, headers={"Authorization": ""}).status_code == 401
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
        assert "Traceback" not in proc.stderr.read()


def test_ctrl_c_stops_cleanly_and_faults_are_announced():
    with running("--fault", "latency", "--fault", "minimal-204") as (url, proc):
        with httpx.Client(base_url=url, headers=AUTH) as http:
            assert http.patch(entity_url(http), json={"userDisplayName": "x"}).status_code == 204
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=15) == 0


def test_token_option_requires_exactly_that_token():
    with running(token="s3cret") as (url, proc), httpx.Client(base_url=url) as http:
        assert http.get(USER_STATUSES, headers=AUTH).status_code == 401
        ok = http.get(USER_STATUSES, headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)
        assert "s3cret" not in proc.stdout.read()  # a token the user chose is never echoed


def test_without_a_token_one_is_generated_and_the_run_line_announced():
    with running(token=None) as (url, proc), httpx.Client(base_url=url) as http:
        match = RUN_LINE.match(proc.stdout.readline().strip())
        assert match and match.group(1) == url
        token = match.group(2)
        assert len(token) >= 24 and token != TOKEN
        assert http.get(USER_STATUSES, headers=AUTH).status_code == 401  # any token: no
        assert http.get(USER_STATUSES).status_code == 401
        good = http.get(USER_STATUSES, headers={"Authorization": f"Bearer {token}"})
        assert good.status_code == 200 and good.headers["x-graph-contracts-mock"]
    with running(token=None) as (_, again):
        assert RUN_LINE.match(again.stdout.readline().strip()).group(2) != token


def test_two_writers_on_one_entity_lose_nothing():
    with running() as (url, _):
        with httpx.Client(base_url=url, headers=AUTH) as http:
            path = entity_url(http)
        errors: list[str] = []

        def writer(prop: str, values: list) -> None:
            with httpx.Client(base_url=url, headers=AUTH) as own:
                for value in values:
                    reply = own.patch(path, json={prop: value})
                    if reply.status_code != 200 or reply.json()[prop] != value:
                        errors.append(f"{prop}={value}: {reply.status_code}")

        names = [f"name {i}" for i in range(40)]
        counts = list(range(100, 140))
        threads = [
            threading.Thread(target=writer, args=("userDisplayName", names)),
            threading.Thread(target=writer, args=("devicesCount", counts)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with httpx.Client(base_url=url, headers=AUTH) as http:
            final = http.get(path).json()
    assert not errors
    assert final["userDisplayName"] == names[-1] and final["devicesCount"] == counts[-1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fault", "no-such-fault"], "unknown fault 'no-such-fault'"),
        (["--contracts", "no-such-dir"], "no-such-dir: contracts folder not found"),
        (["--metadata", "no-such.xml"], "no-such.xml: no such file"),
    ],
)
def test_bad_options_exit_2_with_one_clear_line(args, message):
    done = subprocess.run(command(*args), cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""


def test_busy_port_exits_2():
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        cmd = [sys.executable, "-m", "graph_contracts.cli", "mock", "--port", port]
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert done.returncode == 2 and "cannot serve" in done.stderr


def test_listening_socket_is_tcp_so_replies_are_not_delayed():
    """asyncio sets TCP_NODELAY on accepted sockets only when the proto is TCP (else 40 ms/reply)."""
    import socket

    from graph_contracts.mock.server import _bind

    with _bind("127.0.0.1", 0) as sock:
        assert sock.proto == socket.IPPROTO_TCP
