"""Throttling and request counters: the `throttle-fractional` variant and the write budget.

The write budget imitates Graph's published service limits (Intune: 100 writes per 20 s per app per
tenant, ../shared/GRAPH-FACTS.md): at most N writes (PATCH, POST, PUT, DELETE) in any sliding window
of S seconds for the whole server; a write over it gets 429 with `Retry-After` set to the fractional
seconds until the oldest write in the window leaves it. `GET /_reference/stats` reads the counters.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

WRITES = frozenset({"PATCH", "POST", "PUT", "DELETE"})


@dataclass
class Counters:
    requests: int = 0  # every request but the stats one
    writes: int = 0  # writes admitted by the budget (whatever the reply then was)
    throttled: int = 0  # 429 replies, from the budget or the throttle variant

    def to_dict(self) -> dict[str, int]:
        return {"requests": self.requests, "writes": self.writes, "throttled": self.throttled}


@dataclass
class Pacing:
    """Decides which requests get 429, and with which `Retry-After` (seconds, as text)."""

    write_budget: tuple[int, float] | None = None
    throttle_every: int | None = None  # every n-th request is throttled (the variant)
    throttle_for: float = 0.25
    clock: Callable[[], float] = time.monotonic
    counters: Counters = field(default_factory=Counters)
    _recent: deque[float] = field(default_factory=deque)
    _blocked_until: float = 0.0

    def on_request(self) -> str | None:
        """Count a request; the Retry-After of a throttle-variant 429, or None to go on."""
        self.counters.requests += 1
        if self.throttle_every is None:
            return None
        now = self.clock()
        if now < self._blocked_until:
            return self._throttled(self._blocked_until - now)
        if self.counters.requests % self.throttle_every == 0:
            self._blocked_until = now + self.throttle_for
            return self._throttled(self.throttle_for, f"{self.throttle_for:g}")
        return None

    def on_write(self, method: str) -> str | None:
        """Admit a write under the budget; the Retry-After of a 429, or None when admitted."""
        if method not in WRITES:
            return None
        if self.write_budget is not None:
            limit, window = self.write_budget
            now = self.clock()
            while self._recent and self._recent[0] <= now - window:
                self._recent.popleft()
            if len(self._recent) >= limit:
                return self._throttled(self._recent[0] + window - now)
            self._recent.append(now)
        self.counters.writes += 1
        return None

    def _throttled(self, seconds: float, text: str | None = None) -> str:
        self.counters.throttled += 1
        return text or f"{max(seconds, 0.001):.3f}"


def parse_budget(text: str) -> tuple[int, float]:
    """`100/20` or `100/20.0` -> (100, 20.0); ValueError with the reason otherwise."""
    count, _, seconds = text.partition("/")
    try:
        parsed = (int(count), float(seconds))
    except ValueError:
        raise ValueError(f"write budget {text!r}: expected N/SECONDS, e.g. 100/20") from None
    if parsed[0] < 1 or not parsed[1] > 0:
        raise ValueError(f"write budget {text!r}: N must be at least 1 and SECONDS above 0")
    return parsed
