"""summary.md of a whole-corpus night reads in a few screens.

The page budget: a screen is 50 lines of 160 characters (a laptop's browser window of GitHub's
rendered markdown; the 50 lines are the unit tests/test_docs_site.py holds the README to), and a
longer line counts as the lines it wraps to. A night of the whole 2021-07 corpus (968
contracts, 1872 endpoints, ten checks each) with what a bad night brings — a dozen failures, the
skips the real corpus run has (entities of another type, keys only --ids can give, singletons
with no id for not-found), Intune's 204 deviations, a month of history — must fit in SCREENS
screens: the verdict, what changed, the failures with their reproducers, the trend, the least
covered endpoints, the totals, the skips and deviations by cause. That needs every section that
grows with the corpus to be bounded, so the same night on three times the corpus is exactly as
long, and a worst night (hundreds of failures, all new) still fits in WORST_SCREENS.

The results are fabricated from the corpus' own contracts and templates (a real run takes 11
minutes: scripts/corpus_run.py), with the reasons, requests and messages the engine writes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from graph_contracts.checks import CHECK_NAMES
from graph_contracts.engine.events import RunFinished
from graph_contracts.engine.results import CheckResult, RunInfo, tally
from graph_contracts.extract import extract_paths
from graph_contracts.reporters import history as H
from graph_contracts.reporters.summary import LEAST_COVERED, render_markdown, skip_groups
from graph_contracts.workloads import workload_of

SCREEN, WIDTH = 50, 160  # lines of characters
SCREENS = 6  # a whole-corpus night with a dozen failures
WORST_SCREENS = 7  # hundreds of failures, every one new

pytestmark = pytest.mark.slow  # reads the whole corpus


@pytest.fixture(scope="module")
def endpoints(corpus: Path) -> list[tuple[str, str, str]]:
    """(contract id, version, template) of every endpoint of the corpus."""
    root = corpus / "graph-docs" / "api-reference"
    contracts = extract_paths([root / "beta" / "api", root / "v1.0" / "api"]).contracts
    return [(c.id, c.version, path) for c in contracts for path in c.paths]


def concrete(template: str) -> str:
    return re.sub(r"\{[^}]+\}", "9f3e", template)


def endpoint_results(
    i: int, contract: str, version: str, template: str, failing: set[int]
) -> list[CheckResult]:
    """One endpoint's ten results, as the engine writes them for the corpus' kinds of endpoint."""
    workload = workload_of(template)

    def result(check: str, outcome: str, message: str = "", **kw) -> CheckResult:
        return CheckResult(
            contract, version, template, check, outcome, message, workload=workload, **kw
        )

    parent = concrete(template.rsplit("/", 1)[0]) or "/"
    if "({" in template:  # range({address}): only an --ids file can name it
        key = template[template.index("({") + 2 : template.index("})")]
        reason = f"no entity reachable: {template.split('/')[-1]} needs a value for {{{key}}} (give it in --ids)"
        return [result(c, "skipped", reason) for c in CHECK_NAMES]
    if i % 10 == 3:  # a navigation holding a sibling derived type: never PATCHed
        reason = f"no entity reachable: GET {parent} is a #microsoft.graph.other{i % 4}, not a #microsoft.graph.{contract.split('/')[1]}"
        return [result(c, "skipped", reason) for c in CHECK_NAMES]
    if i % 50 == 7:  # an empty collection
        reason = f"no entity reachable: GET {parent} returned an empty collection"
        return [result(c, "skipped", reason) for c in CHECK_NAMES]
    rows = []
    for check in CHECK_NAMES:
        if check == "not-found" and not template.endswith("}"):
            rows.append(result(check, "skipped", "the path has no entity id to replace"))
        elif i in failing and check in ("round-trip", "read-after-write"):
            body = f"PATCH /{version}{concrete(template)}"
            message = f"displayName sent 'a\u00e9' came back 'a' [3/25 cases failed]\n{body}"
            repro = f'curl -X PATCH \'https://graph.microsoft.com/{version}{concrete(template)}\' -H "Authorization: Bearer $GRAPH_TOKEN" --data \'{{"displayName": "a"}}\''
            rows.append(
                result(
                    check, "failed", message, repro=repro, change="new" if i % 2 else "unchanged"
                )
            )
        elif check == "status" and workload == "intune":
            rows.append(
                result(
                    check,
                    "passed",
                    "25 cases",
                    deviation="204 instead of the documented 200 (25/25)",
                )
            )
        else:
            rows.append(result(check, "passed", "25 cases"))
    return rows


def coverage(i: int) -> dict:
    hit = i % 7
    kinds = {
        k: {"hit": hit if k == "enum_members" else 4, "total": 6}
        for k in ("properties", "enum_members", "boundaries", "invalid")
    }
    return {**kinds, "missed": {"enum_members": ["unknownFutureValue", "notApplicable"]}}


def night(
    endpoints: list[tuple[str, str, str]], copies: int = 1, failing: int = 6
) -> tuple[list[CheckResult], RunFinished, list[dict]]:
    rows, listed = [], []
    every = [
        (f"{c}{n or ''}", v, t) for n in range(copies) for c, v, t in endpoints
    ]  # the corpus, `copies` times
    chosen = set(range(5, len(every), max(1, len(every) // failing)))
    for i, (contract, version, template) in enumerate(every):
        rows += endpoint_results(i, contract, version, template, chosen)
        listed.append(
            {
                "contract": contract,
                "version": version,
                "path": template,
                "workload": workload_of(template),
                "planned_patches": 40,
                "sent_patches": 40,
                "coverage": coverage(i),
            }
        )
    totals = tally(rows, endpoints=len(every), contracts=len({c for c, _, _ in every}))
    totals.new_failures = sum(r.change == "new" for r in rows)
    run = RunInfo(
        "0.1.0",
        "https://graph.microsoft.com",
        "service",
        ("beta", "v1.0"),
        1,
        "2026-12-31T02:17:00Z",
        "tolerant",
        "minimal",
        25,
        totals.contracts,
        totals.endpoints,
        baseline={
            "path": "baseline/summary.json",
            "started": "2026-12-30T02:17:00Z",
            "seed": 1,
            "outcome": "failed",
        },
    )
    finished = RunFinished(run, "failed", totals, 3000.0, "2026-12-31T03:07:00Z")
    return rows, finished, listed


def month() -> list[dict]:
    nights = []
    for day in range(1, 31):
        failed = [f"w{day % 5}"] * (day % 4)
        rows = [
            CheckResult("beta/x", "beta", f"/x{j}", "merge", "failed", workload=w)
            for j, w in enumerate(failed)
        ]
        totals = tally(rows, endpoints=1872, contracts=968)
        run = RunInfo(
            "0.1.0",
            "t",
            "service",
            ("beta",),
            1,
            f"2026-12-{day:02d}T02:17:00Z",
            "tolerant",
            "minimal",
            25,
            968,
            1872,
        )
        nights.append(H.night(RunFinished(run, "failed", totals, 1.0, run.started)))
    return nights


def screens(md: str) -> float:
    """Screens the page fills, a line longer than WIDTH counting as the lines it wraps to."""
    return sum(max(1, -(-len(line) // WIDTH)) for line in md.splitlines()) / SCREEN


def test_a_corpus_night_reads_in_a_few_screens(endpoints) -> None:
    rows, finished, listed = night(endpoints)
    md = render_markdown(rows, finished, listed, nights=month())
    lines = md.splitlines()
    print(f"{len(endpoints)} endpoints, {len(rows)} results: summary.md {len(lines)} lines")
    assert len(endpoints) > 1800
    assert screens(md) <= SCREENS, f"{screens(md):.1f} screens, more than {SCREENS}"
    failed = [r for r in rows if r.outcome == "failed"]
    assert 6 <= len(failed) <= 14  # the dozen failures of a bad night, every one shown
    for r in failed:
        assert f"`{r.path}`" in md
    assert (
        "```mermaid\nxychart-beta" in md and f"## Least covered endpoints ({LEAST_COVERED} of" in md
    )
    order = ["## Failures", "## Trend", "## Least covered", "## Totals per check", "## Skips"]
    assert [md.index(h) for h in order] == sorted(md.index(h) for h in order)


def test_skips_are_counted_once_per_endpoint_with_the_requests_that_decided_them(
    endpoints,
) -> None:
    rows, finished, listed = night(endpoints)
    unreachable = {r.endpoint for r in rows if r.message.startswith("no entity reachable")}
    every = [g for g in skip_groups(rows) if g[0] == "every check"]
    assert sum(len(kept) for _, _, kept in every) == len(unreachable)  # once each, not ten times
    empty = {r.endpoint for r in rows if r.message.endswith("returned an empty collection")}
    md = render_markdown(rows, finished, listed)
    skips = md[md.index("## Skips") :].split("\n## ")[0].splitlines()
    row = next(line for line in skips if "GET returned an empty collection" in line)
    assert row.startswith(f"| {len(empty)} | every check | no entity reachable: GET returned")
    assert "`GET /" in row  # the collection GET that decided it is named
    other_type = next(line for line in skips if "GET is a (type), not a (type)" in line)
    assert "(12 endpoints)" in other_type  # one request that kept a dozen endpoints from a PATCH
    singleton = next(line for line in skips if "no entity id to replace" in line)
    assert "| not-found |" in singleton
    assert len(skips) <= 15


def test_the_summary_does_not_grow_with_the_corpus(endpoints) -> None:
    once = render_markdown(*night(endpoints), nights=month())
    thrice = render_markdown(*night(endpoints, copies=3), nights=month())
    assert len(thrice.splitlines()) == len(once.splitlines())


def test_a_worst_night_still_fits(endpoints) -> None:
    rows, finished, listed = night(endpoints, failing=400)
    md = render_markdown(rows, finished, listed, nights=month())
    assert sum(r.outcome == "failed" for r in rows) > 300
    assert screens(md) <= WORST_SCREENS, f"{screens(md):.1f} screens"
    assert "more failures (see summary.json)" in md
