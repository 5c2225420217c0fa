"""Minimal reproducers: a failing generated body, shrunk by Hypothesis to the smallest that fails.

A reproducer that sends five properties where one would do makes the reader do the shrinking.
The run's generation phase only collects verdicts (every check must see every case); for each
check that failed on a generated body, this replays the same seeded generation with Hypothesis'
shrink phase on, the test failing when that one check fails. Hypothesis then shrinks the first
failing body (fewer properties, smaller values) and the smallest body that still fails becomes
the reproducer.

Every shrink step is a real PATCH, so the steps are bounded by a budget: generous against the
embedded mock and loopback targets, small against a remote one (`--shrink-budget N`, 0 turns it
off). Past the budget a step answers "does not fail" without sending anything, which ends the
shrinking at the smallest body found so far.

The steps are bounded in time as well (`--shrink-time`, per endpoint): a step whose check waits a
read window, or a slow target, would otherwise turn a budget of PATCHes into hours. A check that
failed after waiting the whole window needs no window on the steps that follow
(`checks.read_back`), so shrinking such a failure costs PATCHes and single GETs, no window.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis.strategies import SearchStrategy

from graph_contracts.checks import Verdict

LOCAL_BUDGET = 1000  # PATCHes per failing check against the embedded mock or loopback
REMOTE_BUDGET = 20  # ... against anything else, where each step costs a throttled write
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
SHRINK_SECONDS = 30.0  # per endpoint: past it, no shrink step is sent


def default_budget(base_url: str | None) -> int:
    """Generous where a PATCH is free (in-process, loopback), small where it is a real write."""
    if base_url is None or urlsplit(base_url).hostname in LOOPBACK:
        return LOCAL_BUDGET
    return REMOTE_BUDGET


@dataclass(frozen=True)
class Shrunk:
    body: dict[str, Any]
    verdict: Verdict
    steps: int  # PATCHes spent replaying and shrinking


class _StillFails(Exception):
    """Tells Hypothesis the body still fails the check (so it keeps shrinking from there)."""


def shrink(
    strategy: SearchStrategy[Any],
    examples: int,
    seed: int,
    judge: Callable[[Any], Verdict | None],
    budget: int,
    *,
    deadline: float | None = None,
) -> Shrunk | None:
    """The smallest body `judge` fails, from the run's seeded generation; None when none is found.

    `judge` sends one body and returns the one check's verdict on it; no step is sent past the
    `budget` or, when given, past the `deadline` (time.monotonic()). Stop requests (a
    BaseException) pass through; Hypothesis' own complaints (flakiness when a service changes its
    mind) only end the search with the best body so far.
    """
    if budget <= 0 or examples <= 0:
        return None
    spent = 0
    best: tuple[Any, Verdict] | None = None

    @hypothesis_seed(seed)
    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        phases=(Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
        report_multiple_bugs=False,
    )
    @given(strategy)
    def replay(body: Any) -> None:
        nonlocal spent, best
        if spent >= budget or (deadline is not None and time.monotonic() >= deadline):
            return
        spent += 1
        verdict = judge(body)
        if verdict is not None and verdict.failed:
            best = (body, verdict)
            raise _StillFails

    # _StillFails, or Hypothesis' Flaky when a service changes its mind: the best body stands.
    with contextlib.suppress(Exception):
        replay()
    if best is None:
        return None
    return Shrunk(best[0], best[1], spent)
