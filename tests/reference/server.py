"""The reference Graph as a real process: uvicorn on a bound socket, one ready line, clean stop.

The ready line, `Serving reference Graph at http://HOST:PORT`, is printed (and flushed) only once
the socket is bound and uvicorn serves, so a parent process can read the port of `--port 0` from
it. SIGTERM and SIGINT end the process with status 0: uvicorn shuts down gracefully and its
re-raising of the signal afterwards is left out.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import threading
from collections.abc import Callable, Generator
from typing import Any

import uvicorn


class _Server(uvicorn.Server):
    """uvicorn.Server that stops on SIGINT/SIGTERM without re-raising the signal afterwards."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        handled = (signal.SIGINT, signal.SIGTERM)
        original = {sig: signal.signal(sig, self.handle_exit) for sig in handled}
        try:
            yield
        finally:
            for sig, handler in original.items():
                signal.signal(sig, handler)


def serve(
    app: Any,
    host: str = "127.0.0.1",
    port: int = 0,
    announce: Callable[[str], None] = lambda line: print(line, flush=True),
) -> None:
    """Serve `app` until SIGINT/SIGTERM; OSError (a busy port) before anything is announced."""
    sock = _bind(host, port)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False)
    asyncio.run(_run(_Server(config), sock, announce))


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only then (else 40 ms per small reply)
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


async def _run(server: _Server, sock: socket.socket, announce: Callable[[str], None]) -> None:
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started and not task.done():
        await asyncio.sleep(0.01)
    if server.started:
        host, port = sock.getsockname()[:2]
        shown = f"[{host}]" if ":" in host else host
        announce(f"Serving reference Graph at http://{shown}:{port}")
    await task
