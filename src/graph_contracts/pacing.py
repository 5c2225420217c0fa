"""Pacing under Graph's published budgets: one limiter per process that every request goes through.

Graph throttles per service, per app per tenant (https://learn.microsoft.com/graph/throttling-limits):
Intune allows 100 writes per 20 seconds, Conditional Access one request per second, and so on. A
`Pacer` holds, for each workload (`workloads.workload_of`), a write budget (PATCH, POST, PUT,
DELETE) and an all-requests budget where the service publishes one, plus, when asked (`--rate`), one
budget for every request of the run. `acquire(method, path)` blocks until every budget the request
draws on has room and returns the seconds it waited; budgets of different workloads never slow
each other. `DEFAULT_LIMITS` is the table of published numbers, with sources; the README prints it
(`limits_table`).

The counting is pyrate-limiter's (a sliding-window log per budget, in memory). Three things are ours:

- pyrate's blocking wait stamps a request with the time it planned to wake up, not the time it did,
  so a thread that oversleeps is counted early and the next window opens early (measured: 6 grants
  in one 0.5 s window of a 5 per 0.5 s budget, 4 threads). Our bucket stamps each admission with
  the clock.
- a request drawing on several budgets takes them one after the other, narrowest first; a budget
  taken before a wait on a later one is taken again, so no budget counts a request earlier than it
  leaves (over-counting is safe, under-counting is a 429).
- every window is held `slack` (50 ms) longer than published, so a request delayed between the
  limiter and the service (scheduling, network jitter) cannot land in the previous window.
"""

from __future__ import annotations

import functools
import math
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from fractions import Fraction
from types import MappingProxyType

from pyrate_limiter import (
    AbstractBucket,
    BucketFactory,
    InMemoryBucket,
    Limiter,
    MonotonicClock,
    RateItem,
)
from pyrate_limiter import Rate as PyrateRate

from graph_contracts.workloads import OTHER, WORKLOADS, prefixes_of, workload_of

__all__ = [
    "DEFAULT_LIMITS",
    "SLACK",
    "WRITE_METHODS",
    "Limits",
    "PaceStats",
    "Pacer",
    "Rate",
    "limits_table",
]

WRITE_METHODS = frozenset({"PATCH", "POST", "PUT", "DELETE"})
SLACK = 0.05  # seconds every window is held beyond its published length
FRESH = 0.01  # a budget taken longer ago than this when the request leaves is taken again


@dataclass(frozen=True)
class Rate:
    """`count` requests in any window of `seconds` (`100/20`: 100 requests per 20 seconds)."""

    count: int
    seconds: float

    def __post_init__(self) -> None:
        count, seconds = self.count, self.seconds
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValueError(f"a rate's count must be a whole number >= 1, not {count!r}")
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise ValueError(f"a rate's seconds must be a number > 0, not {seconds!r}")
        if not (math.isfinite(seconds) and seconds > 0):
            raise ValueError(f"a rate's seconds must be a number > 0, not {seconds!r}")
        object.__setattr__(self, "seconds", float(seconds))

    @classmethod
    def parse(cls, text: str) -> Rate:
        """`"100/20"` -> `Rate(100, 20.0)`; anything else is a ValueError naming the text."""
        count, slash, seconds = str(text).strip().partition("/")
        try:
            if not slash:
                raise ValueError(text)
            return cls(int(count.strip()), float(seconds.strip()))
        except ValueError:
            raise ValueError(
                f"{text!r} is not a rate: expected N/SECONDS with N a whole number >= 1 and"
                " SECONDS > 0 (100/20 is 100 requests per 20 seconds)"
            ) from None

    @property
    def per_second(self) -> float:
        return self.count / self.seconds

    def share(self, fraction: float | Fraction) -> Rate:
        """This budget's part for one of several processes (`--shard K/N`, xdist workers: 1/N).

        The count is rounded down, so the parts never add up to more than the whole; below one
        request per window the window stretches instead (1/1 s split four ways is 1 per 4 s).
        """
        part = Fraction(fraction).limit_denominator(10**6)
        if not 0 < part <= 1:
            raise ValueError(f"a share must be more than 0 and at most 1, not {fraction!r}")
        allowed = self.count * part
        if allowed >= 1:
            return Rate(math.floor(allowed), self.seconds)
        return Rate(1, self.seconds / float(allowed))

    def describe(self) -> str:
        return f"{self.count:,} per {self.seconds:,g} s"

    def __str__(self) -> str:
        return f"{self.count}/{self.seconds:g}"


@dataclass(frozen=True)
class Limits:
    """What one workload allows per app per tenant, as published, and where it says so."""

    writes: tuple[Rate, ...] = ()  # PATCH, POST, PUT, DELETE
    requests: tuple[Rate, ...] = ()  # every request, reads too
    sources: tuple[str, ...] = ()
    note: str = ""


LIMITS_PAGE = "https://learn.microsoft.com/graph/throttling-limits"
SHAREPOINT_PAGE = (
    "https://learn.microsoft.com/sharepoint/dev/general-development/"
    "how-to-avoid-getting-throttled-or-blocked-in-sharepoint-online"
)
OUTLOOK_2017 = "https://devblogs.microsoft.com/microsoft365dev/throttling-coming-to-outlook-api-and-microsoft-graph/"


def _on(section: str) -> str:
    return f"{LIMITS_PAGE}#{section}"


def _per(count: int, seconds: float) -> tuple[Rate, ...]:
    return (Rate(count, seconds),)


_UNPUBLISHED = _per(5, 1)  # no published limit: a conservative 5 writes per second

DEFAULT_LIMITS: Mapping[str, Limits] = MappingProxyType(
    {
        "excel": Limits(requests=_per(1500, 10), sources=(_on("excel-service-limits"),)),
        "extensions": Limits(
            requests=_per(455, 10), sources=(_on("open-and-schema-extensions-service-limits"),)
        ),
        "conditional-access": Limits(
            requests=_per(1, 1),
            sources=(_on("identity-protection-and-conditional-access-service-limits"),),
            note="per tenant for all apps, reads too; 429 comes without Retry-After",
        ),
        "cloud-pc": Limits(
            writes=_UNPUBLISHED,
            requests=_per(90, 60),
            sources=(_on("windows-365-service-limits"),),
            note="List Cloud PCs per app per tenant (since 2025-09-30); writes not published",
        ),
        "intune-devices": Limits(
            writes=_per(200, 20),
            requests=_per(2000, 20),
            sources=(_on("intune-service-limits"),),
            note="Intune devices service limits",
        ),
        "intune": Limits(
            writes=_per(100, 20),
            requests=_per(1000, 20),
            sources=(_on("intune-service-limits"),),
            note="device configuration, applications, enrollment, RBAC, ...: one budget for all",
        ),
        "subscriptions": Limits(
            writes=_per(500, 20), sources=(_on("subscription-service-limits"),)
        ),
        "teams": Limits(
            writes=_per(25, 1),
            requests=_per(4, 1),
            sources=(_on("microsoft-teams-service-limits"),),
            note="PATCH 30 rps, used at ~83 %; at most 4 requests per second on one team or"
            " channel, held across all teams",
        ),
        "planner": Limits(
            writes=_UNPUBLISHED,
            sources=(_on("tasks-and-plans-service-limits"),),
            note="limits not published",
        ),
        "sharepoint-onedrive": Limits(
            requests=_per(600, 60),
            sources=(_on("files-and-lists-service-limits"), SHAREPOINT_PAGE),
            note="1,200 resource units per app per minute (up to 1,000 licenses); a write or a"
            " list costs 2, so 600 requests of any kind",
        ),
        "education-assignments": Limits(
            requests=(Rate(350, 10), Rate(10_000, 3600)),
            sources=(_on("assignment-service-limits"),),
        ),
        "education": Limits(requests=_per(35_000, 10), sources=(_on("education-service-limits"),)),
        "outlook": Limits(
            requests=_per(10_000, 600),
            sources=(_on("outlook-service-limits"), OUTLOOK_2017),
            note="per app per mailbox, held across all mailboxes; 4 concurrent requests",
        ),
        "security": Limits(
            requests=_per(150, 60),
            sources=(_on("security-detections-and-incidents-service-limits"),),
            note="alerts, secure score (tiIndicator allows 1,000 per minute)",
        ),
        "reports": Limits(
            requests=_per(14, 600),
            sources=(_on("microsoft-365-reports-service-limits"),),
            note="per report API, held across all reports",
        ),
        "information-protection": Limits(
            writes=_per(150, 900),
            sources=(_on("information-protection-service-limits"),),
            note="POST, per tenant",
        ),
        "directory": Limits(
            writes=_per(3000, 150),
            sources=(_on("identity-and-access-service-limits"),),
            note="write quota per app per tenant; resource units (3,500 to 8,000 per 10 s by"
            " tenant size) are not paced",
        ),
        OTHER: Limits(writes=_UNPUBLISHED, note="no published limit: a conservative choice"),
    }
)


@dataclass
class PaceStats:
    """What went through the pacer, per workload: requests, writes among them, seconds waited."""

    requests: int = 0
    writes: int = 0
    waited: float = 0.0


class _Bucket(InMemoryBucket):
    """pyrate's in-memory sliding-window log, stamping each admission with the clock's time."""

    def put(self, item: RateItem) -> bool:
        item.timestamp = max(item.timestamp, self.now())  # type: ignore[type-var]
        return super().put(item)


class _Budgets(BucketFactory):
    """Routes each budget's key to its own bucket, made on first use (pyrate's factory seam)."""

    def __init__(self, rate_of: Callable[[str], PyrateRate]) -> None:
        self._rate_of = rate_of
        self._buckets: dict[str, AbstractBucket] = {}
        self._clock = MonotonicClock()

    def wrap_item(self, name: str, weight: int = 1) -> RateItem:
        return RateItem(name, self._clock.now(), weight=weight)

    def get(self, item: RateItem) -> AbstractBucket:
        bucket = self._buckets.get(item.name)
        if bucket is None:  # the limiter calls get() under its lock: made once
            bucket = self._buckets[item.name] = self.create(_Bucket, [self._rate_of(item.name)])
        return bucket

    def owned_buckets(self) -> list[AbstractBucket]:
        return list(self._buckets.values())


class Pacer:
    """The process's limiter: every request calls `acquire(method, path)` before it is sent.

    `limits` are the per-workload budgets (Graph's published ones by default); `write_rate`
    replaces every workload's write budget (each workload keeps its own: Graph's limits are per
    service); `rate` is one budget shared by every request; `share` is this process's part of all
    of them (1/N for N shards or workers); `slack` lengthens every window; `classify` maps a
    path to its workload. Thread-safe; `close()` it at the end of the run.
    """

    def __init__(
        self,
        limits: Mapping[str, Limits] = DEFAULT_LIMITS,
        *,
        write_rate: Rate | None = None,
        rate: Rate | None = None,
        share: float | Fraction = 1,
        slack: float = SLACK,
        classify: Callable[[str], str] = workload_of,
    ) -> None:
        if not (math.isfinite(slack) and slack >= 0):
            raise ValueError(f"slack must be a number >= 0, not {slack!r}")
        Rate(1, 1).share(share)  # a bad share fails here, not at the first request
        self.limits = dict(limits)
        self.write_rate = write_rate
        self.rate = rate
        self.share = share
        self.slack = slack
        self.enabled = bool(self.limits) or write_rate is not None or rate is not None
        self._classify = functools.lru_cache(maxsize=4096)(classify)  # a run revisits its paths
        self._lock = threading.Lock()
        self._stats: dict[str, PaceStats] = {}
        self._plans: dict[tuple[str, bool], tuple[str, ...]] = {}
        self._rates: dict[str, Rate] = {}  # budget key -> its rate, after share
        self._limiter: Limiter | None = None

    @classmethod
    def off(cls) -> Pacer:
        """A pacer that never waits (the in-process mock), still counting what went through."""
        return cls({})

    # -- pacing ------------------------------------------------------------------------------
    def acquire(self, method: str, path: str) -> float:
        """Block until the request may be sent; the seconds waited."""
        workload = self._classify(path)
        write = method.upper() in WRITE_METHODS
        keys = self._plan(workload, write)
        waited = self._take(keys) if keys else 0.0
        with self._lock:
            stats = self._stats.setdefault(workload, PaceStats())
            stats.requests += 1
            stats.writes += write
            stats.waited += waited
        return waited

    def rates(self, method: str, path: str) -> tuple[Rate, ...]:
        """The budgets a request draws on, narrowest first (after overrides and share)."""
        keys = self._plan(self._classify(path), method.upper() in WRITE_METHODS)
        return tuple(self._rates[k] for k in keys)

    def estimate(self, requests: Iterable[tuple[str, str]]) -> float:
        """The least time the budgets need to let `(method, path)` requests through from rest.

        A budget of `count` per window lets the first `count` go at once and each further
        `count` one window later; the run takes as long as its slowest budget (requests' own
        durations not counted). For `--dry-run`'s estimate.
        """
        drawn: dict[str, int] = {}
        for method, path in requests:
            for key in self._plan(self._classify(path), method.upper() in WRITE_METHODS):
                drawn[key] = drawn.get(key, 0) + 1
        return max(
            (
                ((n - 1) // self._rates[k].count) * self._window(self._rates[k])
                for k, n in drawn.items()
            ),
            default=0.0,
        )

    def _take(self, keys: tuple[str, ...]) -> float:
        """Take one unit from each budget; again from any taken more than FRESH before the end."""
        limiter = self._get_limiter()
        start = time.monotonic()
        taken: dict[str, float] = {}
        pending = keys
        while pending:
            for key in pending:
                if not limiter.try_acquire(key):  # only when one request can never fit
                    raise RuntimeError(f"pacing budget {key} admits nothing")
                taken[key] = time.monotonic()
            last = time.monotonic()
            pending = tuple(k for k in keys if last - taken[k] > FRESH)
        return time.monotonic() - start

    def _plan(self, workload: str, write: bool) -> tuple[str, ...]:
        """The budget keys a request of this workload and kind takes, narrowest first."""
        plan = self._plans.get((workload, write))
        if plan is None:
            with self._lock:
                plan = self._plans[(workload, write)] = self._make_plan(workload, write)
        return plan

    def _make_plan(self, workload: str, write: bool) -> tuple[str, ...]:
        limits = self.limits.get(workload, self.limits.get(OTHER, Limits()))
        writes = ((self.write_rate,) if self.write_rate else limits.writes) if write else ()
        chosen = [(f"{workload} writes", r) for r in writes]
        chosen += [(f"{workload} requests", r) for r in limits.requests]
        if self.rate is not None:
            chosen.append(("run", self.rate))
        shared = sorted(((name, r.share(self.share)) for name, r in chosen), key=_narrowest)
        keys = []
        for name, rate in shared:
            key = f"{name} {rate.count}/{rate.seconds!r}"
            self._rates[key] = rate
            keys.append(key)
        return tuple(dict.fromkeys(keys))

    def _window(self, rate: Rate) -> float:
        return self._interval_ms(rate) / 1000

    def _interval_ms(self, rate: Rate) -> int:
        """pyrate counts integer milliseconds: round the window up, then add the slack."""
        return math.ceil(rate.seconds * 1000) + round(self.slack * 1000)

    def _pyrate_rate(self, key: str) -> PyrateRate:
        rate = self._rates[key]
        return PyrateRate(rate.count, self._interval_ms(rate))

    def _get_limiter(self) -> Limiter:
        if self._limiter is not None:
            return self._limiter
        with self._lock:
            if self._limiter is None:
                factory = _Budgets(self._pyrate_rate)
                # buffer_ms is slept on top of every wait; the slack already has the margin.
                self._limiter = Limiter(factory, buffer_ms=1)
            return self._limiter

    # -- counters ----------------------------------------------------------------------------
    def stats(self) -> dict[str, PaceStats]:
        """Per workload: requests and writes paced, seconds waited (a snapshot)."""
        with self._lock:
            return {w: replace(s) for w, s in sorted(self._stats.items())}

    def totals(self) -> PaceStats:
        total = PaceStats()
        for s in self.stats().values():
            total.requests += s.requests
            total.writes += s.writes
            total.waited += s.waited
        return total

    @property
    def waited(self) -> float:
        """Seconds spent waiting on the limiter, all workloads and threads together."""
        return self.totals().waited

    def close(self) -> None:
        """Stop pyrate's background leak thread; the pacer is not used afterwards."""
        with self._lock:
            limiter, self._limiter = self._limiter, None
        if limiter is not None:
            limiter.close()

    def __enter__(self) -> Pacer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _narrowest(budget: tuple[str, Rate]) -> float:
    return budget[1].per_second


def limits_table(limits: Mapping[str, Limits] = DEFAULT_LIMITS) -> str:
    """The README's table: workload | path prefixes | default write budget | all requests | source."""
    rows = [
        "| workload | path prefixes | default write budget | all requests | source |",
        "|---|---|---|---|---|",
    ]
    for workload in WORKLOADS:
        entry = limits.get(workload, Limits())
        prefixes = ", ".join(f"`{p}`" for p in prefixes_of(workload)).replace("|", "\\|")
        if workload == OTHER:
            prefixes = f"{prefixes}, anything else" if prefixes else "anything else"
        writes = _rates_text(entry.writes) or ("(all requests)" if entry.requests else "—")
        links = [f"[{_label(s)}]({s})" for s in entry.sources]
        source = "; ".join([*links, entry.note] if entry.note else links) or "—"
        row = [workload, prefixes, writes, _rates_text(entry.requests) or "—", source]
        rows.append("| " + " | ".join(row) + " |")
    return "\n".join(rows) + "\n"


def _rates_text(rates: tuple[Rate, ...]) -> str:
    return " and ".join(r.describe() for r in rates)


def _label(url: str) -> str:
    """A short name for a link: the page's section, else its last path segment."""
    page, _, section = url.partition("#")
    return section or page.rstrip("/").rsplit("/", 1)[-1]
