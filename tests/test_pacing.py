"""Pacer: budgets hold under threads, per workload, writes vs reads, --rate, shares, parse errors.

Windows are small (a few per 0.3-1 s) so the suite stays fast; grant times are read when
`acquire` returns, as a sender would see them.
"""

from __future__ import annotations

import math
import threading
import time
from fractions import Fraction

import pytest
from pyrate_limiter import Rate as PyrateRate
from pyrate_limiter import RateItem

from graph_contracts.pacing import (
    DEFAULT_LIMITS,
    SLACK,
    Limits,
    Pacer,
    PaceStats,
    Rate,
    _Bucket,
    limits_table,
)
from graph_contracts.workloads import OTHER, WORKLOADS

INTUNE = "/deviceManagement/deviceConfigurations/0b8c/userStatuses/7f3e"
OUTLOOK = "/users/5f1e/messages/AAMk"
DIRECTORY = "/users/5f1e"


def most_in_window(times: list[float], seconds: float) -> int:
    """The most grants that fall in any window of `seconds` (closed: a tie counts against us)."""
    times = sorted(times)
    return max(
        (sum(1 for t in times[i:] if t - s < seconds) for i, s in enumerate(times)), default=0
    )


def timed(fn, *args) -> tuple[float, float]:
    start = time.monotonic()
    result = fn(*args)
    return result, time.monotonic() - start


# -- Rate ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("100/20", Rate(100, 20)),
        ("1/1", Rate(1, 1)),
        (" 5 / 0.5 ", Rate(5, 0.5)),
        ("3/1e3", Rate(3, 1000)),
    ],
)
def test_parse(text: str, rate: Rate) -> None:
    assert Rate.parse(text) == rate


@pytest.mark.parametrize(
    "text",
    [
        "0.5",
        "100",
        "1.5/2",
        "0/5",
        "-1/5",
        "5/0",
        "5/-1",
        "5/inf",
        "5/nan",
        "",
        "abc",
        "5/",
        "/5",
        "5/2/3",
        "five/1",
    ],
)
def test_parse_errors_name_the_text(text: str) -> None:
    with pytest.raises(ValueError, match="is not a rate: expected N/SECONDS") as caught:
        Rate.parse(text)
    assert repr(text) in str(caught.value)


@pytest.mark.parametrize(
    ("count", "seconds"), [(0, 1), (1, 0), (True, 1), (1.5, 1), (1, math.inf), (1, "2")]
)
def test_rate_rejects_nonsense(count, seconds) -> None:
    with pytest.raises(ValueError):
        Rate(count, seconds)


@pytest.mark.parametrize(
    ("rate", "fraction", "part"),
    [
        (Rate(100, 20), 1, Rate(100, 20)),
        (Rate(100, 20), 1 / 3, Rate(33, 20)),  # rounded down: the parts never exceed the whole
        (Rate(3, 1), 1 / 3, Rate(1, 1)),  # exact, no 0.999... from float arithmetic
        (Rate(49, 10), 1 / 49, Rate(1, 10)),
        (Rate(5, 1), 0.5, Rate(2, 1)),
        (Rate(1, 1), 0.25, Rate(1, 4)),  # below one per window: the window stretches
        (Rate(2, 1), Fraction(1, 5), Rate(1, 2.5)),
    ],
)
def test_share(rate: Rate, fraction: float, part: Rate) -> None:
    assert rate.share(fraction) == part


def test_shares_never_add_up_to_more_than_the_whole() -> None:
    for count in range(1, 60):
        for seconds in (0.5, 1, 20):
            whole = Rate(count, seconds)
            for n in range(1, 9):
                part = whole.share(Fraction(1, n))
                assert part.count >= 1
                assert n * part.per_second <= whole.per_second * (1 + 1e-12), (whole, n, part)


@pytest.mark.parametrize("fraction", [0, -0.5, 1.5])
def test_share_outside_zero_one(fraction: float) -> None:
    with pytest.raises(ValueError, match="share"):
        Rate(10, 1).share(fraction)


# -- budgets ----------------------------------------------------------------------------------
def test_budget_holds_under_threads() -> None:
    """4 threads, 5 writes each, 5 per 0.5 s: never 6 sent in 0.5 s, and no slower than needed."""
    limits = {"intune": Limits(writes=(Rate(5, 0.5),))}
    grants: list[float] = []
    lock = threading.Lock()
    with Pacer(limits) as pacer:

        def writer() -> None:
            for _ in range(5):
                pacer.acquire("PATCH", INTUNE)
                with lock:
                    grants.append(time.monotonic())

        threads = [threading.Thread(target=writer) for _ in range(4)]
        start = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - start
    assert len(grants) == 20
    assert most_in_window(grants, 0.5) <= 5
    assert elapsed >= 3 * 0.5  # 20 grants need 4 windows: 3 waits
    assert elapsed < 3 * (0.5 + SLACK) + 1.5  # and the limiter does not crawl
    assert pacer.stats() == {"intune": PaceStats(20, 20, pytest.approx(pacer.waited))}


def test_restamped_admission() -> None:
    """pyrate's blocking wait puts an item stamped with its planned wake-up time; our bucket
    counts it from the clock's time, so an oversleeping thread does not open the next window early."""
    bucket = _Bucket([PyrateRate(1, 1000)])
    now = bucket.now()
    early = RateItem("k", now - 5000)
    assert bucket.put(early)
    assert early.timestamp >= now
    assert not bucket.put(RateItem("k", now - 5000))  # still within the window of the first


def test_workloads_do_not_slow_each_other_and_waits_are_measured() -> None:
    limits = {"intune": Limits(writes=(Rate(2, 0.6),)), "outlook": Limits(writes=(Rate(2, 0.6),))}
    with Pacer(limits, slack=0) as pacer:
        assert pacer.acquire("PATCH", INTUNE) < 0.05
        assert pacer.acquire("PATCH", INTUNE) < 0.05
        outlook, took = timed(pacer.acquire, "PATCH", OUTLOOK)  # Intune is spent, Outlook is not
        assert outlook < 0.05 and took < 0.05
        intune, took = timed(pacer.acquire, "PATCH", INTUNE)
        assert intune >= 0.5
        assert intune == pytest.approx(took, abs=0.02)  # the wait returned is the wait endured
        stats = pacer.stats()
    assert stats["intune"].requests == 3 and stats["intune"].waited == pytest.approx(
        intune, abs=0.05
    )
    assert stats["outlook"].requests == 1 and stats["outlook"].waited < 0.05
    assert pacer.waited == pytest.approx(sum(s.waited for s in stats.values()))


def test_reads_are_not_write_limited() -> None:
    limits = {"intune": Limits(writes=(Rate(1, 10),))}
    with Pacer(limits) as pacer:
        pacer.acquire("PATCH", INTUNE)
        _, took = timed(lambda: [pacer.acquire("GET", INTUNE) for _ in range(50)])
        assert took < 0.5
        assert pacer.rates("GET", INTUNE) == ()
        assert pacer.rates("delete", INTUNE) == (Rate(1, 10),)  # methods in any case
        assert pacer.totals() == PaceStats(51, 1, pytest.approx(pacer.waited))


def test_all_requests_budget_paces_reads() -> None:
    limits = {"intune": Limits(writes=(Rate(100, 20),), requests=(Rate(3, 0.4),))}
    with Pacer(limits, slack=0) as pacer:
        waits = [pacer.acquire("GET", INTUNE) for _ in range(4)]
    assert max(waits[:3]) < 0.05 and waits[3] >= 0.3


def test_rate_limits_everything() -> None:
    """--rate: one budget for every request, whatever its workload or method."""
    with Pacer({}, rate=Rate(3, 0.4), slack=0) as pacer:
        first = [
            pacer.acquire(m, p)
            for m, p in [("GET", DIRECTORY), ("PATCH", INTUNE), ("GET", OUTLOOK)]
        ]
        fourth = pacer.acquire("GET", "/print/printers/1")
        assert max(first) < 0.05 and fourth >= 0.3
        assert set(pacer.stats()) == {"directory", "intune", "outlook", OTHER}


def test_write_rate_replaces_each_workload_write_budget() -> None:
    pacer = Pacer(write_rate=Rate(7, 3))
    assert pacer.rates("PATCH", INTUNE) == (Rate(7, 3), Rate(1000, 20))  # narrowest first
    assert pacer.rates("PATCH", DIRECTORY) == (Rate(7, 3),)
    assert pacer.rates("GET", DIRECTORY) == ()
    with Pacer({}, write_rate=Rate(1, 10)) as pacer:  # still one budget per workload
        pacer.acquire("PATCH", INTUNE)
        assert pacer.acquire("PATCH", DIRECTORY) < 0.05


def test_share_applies_to_every_budget() -> None:
    pacer = Pacer(rate=Rate(10, 1), share=Fraction(1, 4))
    assert pacer.rates("PATCH", INTUNE) == (Rate(25, 20), Rate(2, 1), Rate(250, 20))
    assert Pacer(share=0.5).rates("GET", "/identity/conditionalAccess/policies/1") == (Rate(1, 2),)
    with pytest.raises(ValueError):
        Pacer(share=0)


def test_a_budget_taken_before_a_wait_is_taken_again() -> None:
    """Writes (1 per 0.5 s) are taken first, being narrower; then --rate (1 per 0.25 s), spent
    by a read, makes the write wait. Had the write budget kept the stamp it got before that
    wait, the next write would follow 0.25 s later (at 0.25 and 0.5); taken again, it holds."""
    limits = {"intune": Limits(writes=(Rate(1, 0.5),))}
    sent: list[float] = []
    with Pacer(limits, rate=Rate(1, 0.25), slack=0) as pacer:
        assert [str(r) for r in pacer.rates("PATCH", INTUNE)] == ["1/0.5", "1/0.25"]
        pacer.acquire("GET", DIRECTORY)
        for _ in range(2):
            pacer.acquire("PATCH", INTUNE)
            sent.append(time.monotonic())
    assert sent[1] - sent[0] >= 0.5 - 0.02


def test_off_never_waits_but_counts() -> None:
    pacer = Pacer.off()
    assert not pacer.enabled and Pacer().enabled and Pacer({}, rate=Rate(1, 1)).enabled
    _, took = timed(
        lambda: [
            pacer.acquire("PATCH", "/identity/conditionalAccess/policies/1") for _ in range(500)
        ]
    )
    assert took < 1.0  # Conditional Access allows one per second when paced
    assert pacer.stats() == {"conditional-access": PaceStats(500, 500, pytest.approx(0, abs=0.05))}
    pacer.close()


def test_estimate() -> None:
    pacer = Pacer(slack=0)
    patches = [("PATCH", INTUNE)] * 130
    assert pacer.estimate(patches) == 20.0  # 100 at once, the next 30 one window later
    assert pacer.estimate(patches + [("GET", INTUNE)] * 130) == 20.0  # 260 of 1,000 requests
    assert pacer.estimate([("PATCH", INTUNE)] * 301) == 60.0
    assert pacer.estimate([("GET", "/identity/conditionalAccess/policies/1")] * 10) == 9.0
    assert pacer.estimate([("GET", DIRECTORY)] * 10_000) == 0.0
    assert pacer.estimate([]) == 0.0
    assert Pacer().estimate(patches) == pytest.approx(20.0 + SLACK)  # windows held slack longer


# -- the table -----------------------------------------------------------------------------------
def test_every_workload_has_published_limits_with_sources() -> None:
    assert set(DEFAULT_LIMITS) == set(WORKLOADS)
    for workload, limits in DEFAULT_LIMITS.items():
        assert limits.writes or limits.requests, workload
        assert all(s.startswith("https://") for s in limits.sources), workload
        assert limits.sources or workload == OTHER, workload
    assert DEFAULT_LIMITS["intune"].writes == (Rate(100, 20),)
    assert DEFAULT_LIMITS["intune-devices"].writes == (Rate(200, 20),)
    assert DEFAULT_LIMITS["directory"].writes == (Rate(3000, 150),)
    assert DEFAULT_LIMITS["conditional-access"].requests == (Rate(1, 1),)


def test_limits_table() -> None:
    table = limits_table()
    lines = table.splitlines()
    assert lines[0] == "| workload | path prefixes | default write budget | all requests | source |"
    rows = lines[2:]
    assert [r.split(" | ")[0].removeprefix("| ") for r in rows] == list(WORKLOADS)
    for row in rows:  # pipes inside prefixes are escaped: five cells in every row
        assert len(row.replace("\\|", "").split("|")) == 7, row
    intune = rows[list(WORKLOADS).index("intune")]
    assert (
        "100 per 20 s" in intune
        and "1,000 per 20 s" in intune
        and "#intune-service-limits" in intune
    )
    assert rows[-1].startswith("| other | `**/onenote`") and "anything else" in rows[-1]
