"""The manual's excerpts of summary.md are what the reporters write (docs/nightly.md's trend,
docs/running.md's skips): rendered here from fixed results and found, whole, in the pages."""

from __future__ import annotations

from published import page

from graph_contracts.checks import CHECK_NAMES
from graph_contracts.engine.events import RunFinished
from graph_contracts.engine.results import CheckResult, RunInfo, tally
from graph_contracts.reporters import history as H
from graph_contracts.reporters import summary

CONFIGS = "/deviceManagement/deviceConfigurations"
DEVICE_STATUS = (
    CONFIGS + "/{deviceConfigurationId}/deviceStatuses/{deviceConfigurationDeviceStatusId}"
)
USER_STATUS = CONFIGS + "/{deviceConfigurationId}/userStatuses/{deviceConfigurationUserStatusId}"
POLICY = "/policies/accessReviewPolicy"


def example_nights() -> list[dict]:
    """A week of nights: an Intune regression on the 4th, fixed by the 6th."""
    failed = {1: [], 2: [], 3: [], 4: ["intune"] * 3, 5: ["intune"] * 3 + ["outlook"], 6: [], 7: []}
    nights = []
    for day, workloads in failed.items():
        rows = [CheckResult("beta/x", "beta", "/x", "status", "passed", workload="teams")] * 9
        rows += [
            CheckResult("beta/y", "beta", "/y", "merge", "failed", workload=w) for w in workloads
        ]
        totals = tally(rows, endpoints=2, contracts=2)
        totals.new_failures = 3 if day == 4 else 1 if day == 5 else 0
        totals.fixed = 4 if day == 6 else 0
        started = f"2026-12-{day:02d}T02:17:00Z"
        run = RunInfo(
            "0.1.0",
            "https://graph.microsoft.com",
            "service",
            ("beta",),
            day,
            started,
            "tolerant",
            "minimal",
            25,
            2,
            2,
        )
        outcome = "failed" if workloads else "passed"
        nights.append(H.night(RunFinished(run, outcome, totals, 1.0, started)))
    return nights


def example_skips() -> list[CheckResult]:
    """Two endpoints whose collection GET answered 404, and a singleton with no id to replace."""

    def every(template: str) -> list[CheckResult]:
        reason = f"no entity reachable: GET {CONFIGS} returned 404"
        return [
            CheckResult(
                "beta/" + template.rsplit("/", 2)[-2], "beta", template, c, "skipped", reason
            )
            for c in CHECK_NAMES
        ]

    single = [
        CheckResult("beta/accessReviewPolicy", "beta", POLICY, c, "passed")
        for c in CHECK_NAMES
        if c != "not-found"
    ]
    single.append(
        CheckResult(
            "beta/accessReviewPolicy",
            "beta",
            POLICY,
            "not-found",
            "skipped",
            "the path has no entity id to replace",
        )
    )
    return [*every(DEVICE_STATUS), *every(USER_STATUS), *single]


def below_heading(lines: list[str]) -> str:
    """A section without its `##` heading: the page quotes it under a heading of its own."""
    return "\n".join(lines).strip().split("\n", 1)[1].strip()


def test_the_nightly_page_shows_the_trend_as_summary_md_draws_it() -> None:
    excerpt = below_heading(H.render(example_nights()))
    assert excerpt.startswith("```mermaid\nxychart-beta")
    assert excerpt in page("nightly.md")


def test_the_running_page_shows_the_skips_as_summary_md_groups_them() -> None:
    excerpt = below_heading(summary._skips(example_skips()))
    assert "| 2 | every check | no entity reachable: GET returned 404 |" in excerpt
    assert excerpt in page("running.md")
