"""The mock as a real server: uvicorn, one line naming the URL once the socket is bound, clean stop.

Without `--token` the server is not open to any bearer token (the suite's wrong-token probe would
fail against it): it makes one up (`secrets.token_urlsafe`) and, right after the ready line,
prints the exact `graph-contracts run --base-url URL --token TOKEN` line that uses it.

uvicorn re-raises SIGINT/SIGTERM after its graceful shutdown, which would end the process with a
signal status; `_Server` keeps the graceful shutdown and drops the re-raise, so Ctrl-C and SIGTERM
both exit 0 (a supervisor reads that as "stopped as asked").
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import signal
import socket
import threading
from collections.abc import Callable, Generator, Iterable
from pathlib import Path

import uvicorn

from graph_contracts import contracts as contract_files
from graph_contracts.metadata import Csdl, CsdlError, load_csdl, metadata_version
from graph_contracts.mock.app import create_app


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
    contracts_dir: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    token: str | None = None,
    faults: Iterable[str] = (),
    *,
    seed: int = 0,
    announce: Callable[[str], None] = lambda line: print(line, flush=True),
    metadata: Iterable[Path] = (),
) -> None:
    """Serve the contracts in `contracts_dir` until interrupted; `announce` gets the ready line.

    `token=None` generates one, announced (after the ready line) as the `graph-contracts run` line
    to use. `metadata`: CSDL files whose types seed what the docs left unresolved. Raises
    ContractFileError / UnknownFault / CsdlError before binding anything, so the CLI can exit 2.
    """
    loaded = contract_files.load(contracts_dir)
    csdls = [_csdl(path) for path in metadata]
    faults = list(dict.fromkeys(faults))
    generated = token is None
    token = token if token is not None else secrets.token_urlsafe(24)
    app = create_app(loaded, token=token, faults=faults, seed=seed, metadata=csdls)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False)
    sock = _bind(host, port)  # bound here, so a busy port is an OSError the CLI can word
    server = _Server(config)
    usage = token if generated else None
    asyncio.run(_run(server, sock, len(loaded), faults, announce, usage))


def _csdl(path: Path) -> Csdl:
    """A CSDL file, for the API version its name tells (`beta_metadata.xml`), else for every one."""
    csdl = load_csdl(path)
    with contextlib.suppress(CsdlError):
        csdl.version = metadata_version(path)
    return csdl


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only then (else 40 ms per reply)
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


async def _run(
    server: _Server,
    sock: socket.socket,
    count: int,
    faults: list[str],
    announce: Callable[[str], None],
    generated_token: str | None = None,
) -> None:
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started and not task.done():
        await asyncio.sleep(0.01)
    if server.started:
        host, port = sock.getsockname()[:2]
        shown = f"[{host}]" if ":" in host else host
        label = ", ".join(faults) if faults else "none"
        url = f"http://{shown}:{port}"
        announce(f"Serving mock Graph at {url} ({count} contracts, faults: {label})")
        if generated_token is not None:
            announce(f"graph-contracts run --base-url {url} --token {generated_token}")
    await task
