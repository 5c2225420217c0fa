"""A fault-injecting HTTP proxy: a real server the tests put in front of a real target.

A night's network, on purpose and reproducibly: the proxy is an asyncio server speaking HTTP/1.1
with h11 (the parser uvicorn and httpx use), forwarding to the target with httpx. Nothing here
mocks the client: the suite's own httpx client meets real resets, real hangs, real cut replies on
a real socket. Use it as a context manager (or the `fault_proxy` helper):

    with FaultProxy(target_url, [Rule("reset", rate=0.1)], seed=1) as proxy:
        ... run against proxy.url ...
        proxy.fired  # Counter of the faults injected, by action

Rules are tried in order on every request; the first that fires decides what happens to it. A
rule matches a method (None: any) and a regular expression searched in the path (None: any),
lets its first `skip` matches through, then fires with probability `rate`, drawn from the proxy's
own generator seeded with `seed` (a sequential client sees the same faults on every run), at most
`times` times (None: no limit). Actions:

| action | what the client sees |
|---|---|
| `reset` | the connection aborted (TCP RST) before the request reaches the target |
| `reset-after` | the request forwarded (the target applies it), then the connection aborted: the reply is lost |
| `hang` | no reply at all; the connection is held until the client gives up |
| `bad-gateway` | 502 with an HTML body, as a gateway answers; `after=True` forwards first (applied, reply lost) |
| `gateway-timeout` | 504 with an HTML body; `after=True` as above |
| `forbidden` | 403 `Authorization_RequestDenied` in Graph's error shape, not forwarded (the app lacks a permission) |
| `truncate` | forwarded; a 2xx reply's body cut in half, sent with a matching Content-Length (valid HTTP, invalid JSON) |
| `oversize` | a 200 `application/json` reply of `size` bytes, streamed in chunks without Content-Length |
| `call` | `callback()` runs (kill the target, say), then the request goes on as if no rule matched |

A target that does not answer (killed, not yet restarted) aborts the client's connection, as a
dead backend looks through a TCP proxy. `seen` lists every request, `fired` counts the faults,
`oversize_sent` the bytes of oversized replies actually written before the client hung up.
"""

from __future__ import annotations

import asyncio
import random
import re
import socket
import struct
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

import h11
import httpx

ACTIONS = frozenset(
    {
        "reset",
        "reset-after",
        "hang",
        "bad-gateway",
        "gateway-timeout",
        "forbidden",
        "truncate",
        "oversize",
        "call",
    }
)
HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "content-length", "host", "te", "upgrade"}
)
GATEWAY_HTML = (
    "<html>\r\n<head><title>{status}</title></head>\r\n<body>\r\n<center><h1>{status}</h1>"
    "</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)
FORBIDDEN = (
    b'{"error": {"code": "Authorization_RequestDenied", "message": "Insufficient privileges to '
    b'complete the operation.", "innerError": {"date": "2021-07-01T00:00:00", "request-id": '
    b'"00000000-0000-0000-0000-000000000403"}}}'
)
CHUNK = 64 * 1024


@dataclass
class Rule:
    """One fault: which requests it may hit, how often, and what it does (module docstring)."""

    action: str
    method: str | None = None
    path: str | None = None  # a regular expression searched in the request path
    rate: float = 1.0
    times: int | None = None
    skip: int = 0
    after: bool = False  # bad-gateway / gateway-timeout: forward first
    size: int = 50 * 1024 * 1024  # oversize: bytes of the reply
    callback: Callable[[], None] | None = None  # call
    matched: int = 0
    fired: int = 0

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"unknown proxy action {self.action!r}; known: {sorted(ACTIONS)}")

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and method != self.method:
            return False
        return self.path is None or re.search(self.path, path) is not None


class _Abort(Exception):
    """Reset the client's connection now."""


class FaultProxy:
    """The proxy server (module docstring): `start()` / `close()`, or use it as a context."""

    def __init__(self, upstream: str, rules: Iterable[Rule] = (), *, seed: int = 0) -> None:
        self.upstream = upstream.rstrip("/")
        self.rules = list(rules)
        self.random = random.Random(seed)
        self.seen: list[tuple[str, str]] = []
        self.fired: Counter[str] = Counter()
        self.oversize_sent = 0
        self.url = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.AbstractServer | None = None
        self._thread: threading.Thread | None = None
        self._client: httpx.AsyncClient | None = None
        self._lock = threading.Lock()

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> FaultProxy:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(ready,), daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the fault proxy did not start")
        return self

    def _run(self, ready: threading.Event) -> None:
        self._loop = asyncio.new_event_loop()
        self._loop.run_until_complete(self._start(ready))
        self._loop.run_forever()
        self._loop.run_until_complete(self._stop())
        self._loop.close()

    async def _start(self, ready: threading.Event) -> None:
        self._client = httpx.AsyncClient(base_url=self.upstream, timeout=None)
        self._server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        ready.set()

    async def _stop(self) -> None:
        assert self._server is not None and self._client is not None
        self._server.close()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self._client.aclose()

    def close(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- one client connection -----------------------------------------------------------------
    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = h11.Connection(h11.SERVER)
        try:
            while True:
                received = await _request(conn, reader)
                if received is None:
                    break
                await self._answer(conn, reader, writer, *received)
                if conn.our_state is not h11.DONE or conn.their_state is not h11.DONE:
                    break
                conn.start_next_cycle()
        except _Abort:
            _reset(writer)
            return
        except (ConnectionError, h11.ProtocolError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:  # the proxy is closing: drop what is still open
            _reset(writer)
            return
        writer.close()

    def _choose(self, method: str, path: str) -> Rule | None:
        with self._lock:
            self.seen.append((method, path))
            for rule in self.rules:
                if not rule.matches(method, path):
                    continue
                rule.matched += 1
                if rule.matched <= rule.skip:
                    continue
                if rule.times is not None and rule.fired >= rule.times:
                    continue
                if rule.rate < 1.0 and self.random.random() >= rule.rate:
                    continue
                rule.fired += 1
                self.fired[rule.action] += 1
                if rule.action == "call":
                    assert rule.callback is not None
                    rule.callback()
                    continue
                return rule
        return None

    async def _answer(
        self,
        conn: h11.Connection,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        request: h11.Request,
        body: bytes,
    ) -> None:
        method = request.method.decode()
        target = request.target.decode()
        rule = self._choose(method, target.split("?", 1)[0])
        action = rule.action if rule is not None else "forward"
        if action == "reset":
            raise _Abort
        if action == "hang":
            while await reader.read(CHUNK):  # until the client gives up and closes
                pass
            raise _Abort
        if action in ("bad-gateway", "gateway-timeout") and not (rule and rule.after):
            await _send(conn, writer, *_gateway(action))
            return
        if action == "forbidden":
            headers = [("content-type", "application/json")]
            await _send(conn, writer, 403, headers, FORBIDDEN)
            return
        if action == "oversize":
            assert rule is not None
            await self._oversize(conn, writer, rule.size)
            return
        status, headers, content = await self._forward(method, target, request.headers, body)
        if action == "reset-after":
            raise _Abort
        if action in ("bad-gateway", "gateway-timeout"):
            await _send(conn, writer, *_gateway(action))
            return
        if action == "truncate" and 200 <= status < 300 and content:
            content = content[: len(content) // 2]
        await _send(conn, writer, status, headers, content)

    async def _forward(
        self, method: str, target: str, raw_headers: Any, body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        assert self._client is not None
        headers = [
            (k.decode(), v.decode()) for k, v in raw_headers if k.decode().lower() not in HOP_BY_HOP
        ]
        try:
            response = await self._client.request(method, target, headers=headers, content=body)
        except httpx.TransportError:  # the target is down: so is every connection through us
            raise _Abort from None
        kept = [(k, v) for k, v in response.headers.items() if k.lower() not in HOP_BY_HOP]
        kept = [(k, v) for k, v in kept if k.lower() != "content-encoding"]
        return response.status_code, kept, response.content

    async def _oversize(
        self, conn: h11.Connection, writer: asyncio.StreamWriter, size: int
    ) -> None:
        """A 200 JSON body of `size` bytes, chunked: the client must stop reading, not the proxy."""
        head = h11.Response(
            status_code=200,
            headers=[("content-type", "application/json"), ("transfer-encoding", "chunked")],
        )
        writer.write(conn.send(head))
        opening, closing = b'{"padding": "', b'"}'
        filler = size - len(opening) - len(closing)
        parts = [opening, *([b"x" * CHUNK] * (filler // CHUNK)), b"x" * (filler % CHUNK), closing]
        for part in parts:
            writer.write(conn.send(h11.Data(data=part)))
            await writer.drain()
            self.oversize_sent += len(part)
        writer.write(conn.send(h11.EndOfMessage()))
        await writer.drain()


async def _request(
    conn: h11.Connection, reader: asyncio.StreamReader
) -> tuple[h11.Request, bytes] | None:
    """The next request and its body; None when the client closed the connection."""
    request: h11.Request | None = None
    body = bytearray()
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            data = await reader.read(CHUNK)
            conn.receive_data(data)
            if not data and request is None:
                return None
            continue
        if isinstance(event, h11.Request):
            request = event
        elif isinstance(event, h11.Data):
            body += event.data
        elif isinstance(event, h11.EndOfMessage):
            assert request is not None
            return request, bytes(body)
        elif isinstance(event, h11.ConnectionClosed):
            return None


async def _send(
    conn: h11.Connection,
    writer: asyncio.StreamWriter,
    status: int,
    headers: list[tuple[str, str]],
    content: bytes,
) -> None:
    headers = [*headers, ("content-length", str(len(content)))]
    writer.write(conn.send(h11.Response(status_code=status, headers=headers)))
    writer.write(conn.send(h11.Data(data=content)) if content else b"")
    writer.write(conn.send(h11.EndOfMessage()))
    await writer.drain()


def _gateway(action: str) -> tuple[int, list[tuple[str, str]], bytes]:
    status = 502 if action == "bad-gateway" else 504
    title = "502 Bad Gateway" if status == 502 else "504 Gateway Time-out"
    html = GATEWAY_HTML.format(status=title).encode()
    return status, [("content-type", "text/html")], html


def _reset(writer: asyncio.StreamWriter) -> None:
    """Abort with a TCP RST (SO_LINGER 0), as a middlebox dropping the connection does."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


@contextmanager
def fault_proxy(upstream: str, *rules: Rule, seed: int = 0) -> Iterator[FaultProxy]:
    """`FaultProxy(upstream, rules, seed=seed)`, started and closed around the block."""
    with FaultProxy(upstream, rules, seed=seed) as proxy:
        yield proxy
