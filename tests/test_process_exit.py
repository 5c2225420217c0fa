"""A process that used the in-process transport ends, whatever went wrong in it.

`make bench` once hung for ever after a failed assertion: the in-process transport's event loop
ran behind anyio's `start_blocking_portal` context manager, a generator left suspended by the
exception; at interpreter exit its finalizer waited on the loop's thread, which exit had already
frozen. These run real processes (the hang is only visible as one that never ends) and give each
a deadline: a hang fails the test instead of eating CI.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEADLINE = 60  # seconds; each script needs 1-3 s on the 2-core CI machine

pytestmark = pytest.mark.slow

# An ASGI app on the in-process transport, used inside a function that raises: the traceback
# keeps the transport alive until interpreter exit (the case that hung).
RAISES_WITH_THE_TRANSPORT_OPEN = """
    import httpx
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from graph_contracts.client import InProcessTransport

    app = Starlette(routes=[Route("/x", lambda request: JSONResponse({}))])

    def check() -> None:
        client = httpx.Client(transport=InProcessTransport(app), base_url="http://t")
        assert client.get("/x").status_code == 500, "the assertion a benchmark failed"

    check()
"""

# A whole run on the embedded mock (in-process) whose report handler fails mid-run.
A_HANDLER_FAILS_MID_RUN = """
    from pathlib import Path

    from graph_contracts import contracts
    from graph_contracts.engine import Run, RunConfig
    from graph_contracts.engine.events import EndpointFinished

    class Broken:
        def handle(self, event):
            if isinstance(event, EndpointFinished):
                raise RuntimeError("a reporter that cannot write")

    folder = Path({contracts!r})
    config = RunConfig(contracts=folder, max_examples=1, schemathesis=0, seed=1)
    Run(config, contracts.load(folder), handlers=[Broken()]).execute()
"""


def run_script(source: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(source)],
        capture_output=True,
        text=True,
        timeout=DEADLINE,  # raises TimeoutExpired (the test fails) when the process hangs
        cwd=ROOT,
    )


def test_an_exception_with_the_in_process_transport_open_still_exits() -> None:
    done = run_script(RAISES_WITH_THE_TRANSPORT_OPEN)
    assert done.returncode == 1
    assert "the assertion a benchmark failed" in done.stderr


def test_a_run_on_the_embedded_mock_whose_handler_fails_still_exits() -> None:
    done = run_script(A_HANDLER_FAILS_MID_RUN.format(contracts=str(ROOT / "contracts")))
    assert done.returncode == 1
    assert "RuntimeError: a reporter that cannot write" in done.stderr
