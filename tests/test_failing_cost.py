"""Failing costs little more than passing: the read window is waited once per failing check.

What is asserted is behaviour, never a timing: how many GETs the mock saw after each PATCH of the
entity (a read polled for the whole window is several GETs, a read not waited for is one). The
figure (the seeds against `--fault not-persisted` within the clean run's time plus 1.5 windows
per endpoint) is benchmarks/bench_failing_cost.py's.
"""

from __future__ import annotations

import itertools
import re
import time
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from graph_contracts import contracts as contract_files
from graph_contracts.auth import StaticToken
from graph_contracts.checks import passed
from graph_contracts.client import GraphClient, InProcessTransport
from graph_contracts.discovery import Discoverer
from graph_contracts.engine.endpoint import Endpoint, EndpointRun, Settings
from graph_contracts.engine.shrink import shrink
from graph_contracts.mock import create_app

ROOT = Path(__file__).resolve().parent.parent
(CONTRACT,) = [c for c in contract_files.load(ROOT / "contracts") if c.version == "v1.0"]


def recording(app: Any, seen: list[tuple[str, str]]) -> Any:
    async def wrapper(scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            seen.append((scope["method"], scope["path"]))
        await app(scope, receive, send)

    return wrapper


def exercise(*faults: str, read_window: float) -> tuple[EndpointRun, list[int], dict[str, Any]]:
    """One seeds endpoint on the in-process mock with `faults`, minimal plan: the run, the GETs
    of the entity after each of its valid writes, and the results by check."""
    seen: list[tuple[str, str]] = []
    app = recording(create_app([CONTRACT], token="t", faults=list(faults)), seen)
    client = GraphClient(
        "http://mock", "v1.0", auth=StaticToken("t"), transport=InProcessTransport(app)
    )
    endpoint = Endpoint(CONTRACT, CONTRACT.paths[0])
    settings = Settings(max_examples=3, seed=2, read_window=read_window, plan="minimal")
    run = EndpointRun(endpoint, client, Discoverer(client), settings)
    results = {r.check: r for r in run.run()}
    client.close()
    assert run.ctx is not None
    entity = "/v1.0" + run.ctx.path
    writes = len(run.plan.valid)
    patches = [i for i, (method, path) in enumerate(seen) if method == "PATCH" and path == entity]
    gaps = [
        sum(1 for method, path in seen[start:end] if method == "GET" and path == entity)
        for start, end in itertools.pairwise(patches[: writes + 1])
    ]
    return run, gaps, results


def test_after_a_failure_that_waited_the_window_later_writes_read_once() -> None:
    run, gaps, results = exercise("not-persisted", read_window=0.5)
    # the first write polled for the whole window (0.5 s at 0.1 s), the seven after it read once
    assert gaps[0] >= 4 and gaps[1:] == [1] * (len(gaps) - 1), gaps
    failed = {name for name, r in results.items() if r.outcome == "failed"}
    assert failed == {"read-after-write"}  # every write's failure still counted and reported
    message = results["read-after-write"].message
    assert message.startswith("(covering set #1/8") and "within 0.5 s" in message
    assert re.search(rf"\[\d/{len(gaps)} cases failed\]", message)
    assert "later reads were one GET each, not a 0.5 s window" in message
    assert run.ctx is not None and not run.ctx.settled
    assert "were not compared with the entity as before" in results["merge"].message


def test_a_pass_still_polls_for_the_whole_window_each_time() -> None:
    """Eventual consistency (a GET shows the old state for 0.3 s): every write waits for its own
    values, however quickly the ones before it showed theirs."""
    run, gaps, results = exercise("eventual-consistency", read_window=2.0)
    assert all(gap >= 2 for gap in gaps), gaps
    assert {r.outcome for r in results.values()} <= {"passed", "skipped"}
    assert run.ctx is not None and run.ctx.unwaited == 0 and run.ctx.settled


def test_reads_not_waited_for_never_make_a_false_alarm_of_eventual_consistency() -> None:
    """Strings come back mangled (a real failure, waited for once) while every other value shows
    only 0.3 s after its write: the reads not waited for see old values, which must not be taken
    for unsent properties changed (merge) or an entity changed by a rejected body (rejection)."""
    faults = ("mangle-string-in", "eventual-consistency", "latency")
    _, _, results = exercise(*faults, read_window=1.0)
    failed = {name for name, r in results.items() if r.outcome == "failed"}
    assert failed == {"round-trip", "read-after-write"}, {
        name: results[name].message for name in failed
    }
    assert results["merge"].outcome == "passed" and results["rejection"].outcome == "passed"


def test_shrinking_stops_at_its_deadline_without_sending() -> None:
    calls: list[int] = []

    def judge(body: int) -> Any:
        calls.append(body)
        time.sleep(0.05)
        return passed()

    assert shrink(st.integers(), 50, 1, judge, budget=1000, deadline=time.monotonic()) is None
    assert calls == []
    shrink(st.integers(), 50, 1, judge, budget=1000, deadline=time.monotonic() + 0.2)
    assert 1 <= len(calls) <= 5  # 0.05 s each: the steps stop once 0.2 s are spent
