"""What `Pacer.acquire` costs when no wait is needed, against a bare call, in the same run.

Every request of a run goes through `acquire` once per attempt, so its cost when the budgets have
room is pure overhead on each request. Measured: a bare function call with the same arguments
(the floor), pyrate-limiter's own `try_acquire` on one key (the library's floor per budget), the
pacer that never waits (`Pacer.off()`, the in-process mock: it still classifies and counts), and
the pacer with Graph's workloads under budgets too large to wait on, drawing on one budget (an
Outlook read) and on two (an Intune write). Best of N (the machine is shared; the best run is the
least disturbed). For scale: an in-process mock request takes ~110 us, a loopback one ~250 us and
a live Graph request tens of milliseconds (README, Performance).
Run: .venv/bin/python benchmarks/bench_pacing.py [--number N] [--repeat N] [--smoke]

`--smoke` (CI, tests/test_benchmarks.py): 200 calls once; no figure to quote.
"""

from __future__ import annotations

import argparse
import timeit

from pyrate_limiter import Limiter
from pyrate_limiter import Rate as PyrateRate

from graph_contracts.pacing import DEFAULT_LIMITS, Limits, Pacer, Rate

INTUNE = "/deviceManagement/deviceConfigurations/0b8c/userStatuses/7f3e"
OUTLOOK = "/users/5f1e/messages/AAMkAGI2"
HUGE = Rate(10**9, 1)  # never waited on: only the bookkeeping is timed


def bare(method: str, path: str) -> float:
    return 0.0


def unbounded() -> dict[str, Limits]:
    """Graph's workloads with the same budgets, each too large to wait on."""
    return {
        w: Limits(writes=(HUGE,) * len(lim.writes), requests=(HUGE,) * len(lim.requests))
        for w, lim in DEFAULT_LIMITS.items()
    }


def best(fn, number: int, repeat: int) -> float:
    """Best time of one call, in microseconds."""
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="200 calls once (CI).")
    args = parser.parse_args()
    if args.smoke:
        args.number, args.repeat = 200, 1
    limiter = Limiter([PyrateRate(10**9, 1000)], buffer_ms=1)
    off, paced = Pacer.off(), Pacer(unbounded())
    cases = [
        ("bare function call", lambda: bare("PATCH", INTUNE)),
        ("pyrate try_acquire, one key", lambda: limiter.try_acquire("k")),
        ("Pacer.off().acquire", lambda: off.acquire("PATCH", INTUNE)),
        ("Pacer.acquire, 1 budget (Outlook GET)", lambda: paced.acquire("GET", OUTLOOK)),
        ("Pacer.acquire, 2 budgets (Intune PATCH)", lambda: paced.acquire("PATCH", INTUNE)),
    ]
    times = [(name, best(fn, args.number, args.repeat)) for name, fn in cases]
    floor = times[0][1]
    for name, us in times:
        print(f"{name:42s} {us:8.2f} us  ({us / floor:,.0f}x the bare call)")
    paced.close()
    limiter.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
