"""Reporters are handlers of the run's events: each file and the console say the same counts."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest

from graph_contracts.engine.events import (
    CheckFinished,
    EndpointFinished,
    EndpointInfo,
    RunFinished,
    RunStarted,
)
from graph_contracts.engine.results import CheckResult, RunInfo, tally
from graph_contracts.exchanges import record
from graph_contracts.reporters import (
    AllureReporter,
    ConsoleReporter,
    JUnitReporter,
    SummaryReporter,
    prepare,
)

JWT = "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJncmFwaCJ9.c2lnbmF0dXJlLXJlcG9ydHM"
LONG = "/deviceManagement/deviceConfigurations/{deviceConfigurationId}/microsoft.graph." + (
    "windowsWifiEnterpriseEAPConfiguration/rootCertificatesForServerValidation/{certId}/"
    "userStatuses/{deviceConfigurationUserStatusId}"
)
B = "/deviceAppManagement/mobileApps/{mobileAppId}/userStatuses/{userAppInstallStatusId}"
RUN = RunInfo(
    tool_version="0.1.0",
    target="https://graph.test",
    target_kind="service",
    api_versions=("beta", "v1.0"),
    seed=42,
    started="2026-12-01T05:00:00Z",
    mode="tolerant",
    plan="full",
    max_examples=5,
    contracts=2,
    endpoints=2,
)


def info(contract: str, version: str, path: str, index: int) -> EndpointInfo:
    workload = "intune"
    return EndpointInfo(contract, version, path, workload, index, 2)


def leaky_exchange():
    request = httpx.Request(
        "PATCH",
        "http://graph.test/beta/x('1')",
        headers={"Authorization": f"Bearer {JWT}"},
        json={"displayName": "n"},
    )
    response = httpx.Response(400, json={"error": {"code": "X", "message": "m"}}, request=request)
    return record(response, [JWT])


def results() -> list[tuple[EndpointInfo, CheckResult]]:
    a, b = info("beta/userStatus", "beta", LONG, 1), info("v1.0/app", "v1.0", B, 2)
    exchange = leaky_exchange()

    def r(i: EndpointInfo, check: str, outcome: str, **kw) -> CheckResult:
        return CheckResult(i.contract, i.version, i.path, check, outcome, workload="intune", **kw)

    return [
        (a, r(a, "status", "passed", deviation="204 instead of the documented 200 (3/3)")),
        (a, r(a, "shape", "passed")),
        (
            a,
            r(
                a,
                "round-trip",
                "failed",
                message=f"lastReportedDateTime differs (Bearer {JWT})",
                repro=exchange.curl,
            ),
        ),
        (b, r(b, "status", "skipped", message=f"no entity reachable: GET {B[:30]} returned 500")),
        (b, r(b, "rejection", "failed", message="line one\nline two")),
    ]


def finished(rows: list[CheckResult]) -> RunFinished:
    totals = tally(rows, endpoints=2, contracts=2)
    totals.requests, totals.throttled, totals.retries, totals.retry_wait_s = 40, 3, 3, 1.23456
    return RunFinished(RUN, "failed", totals, 12.5, "2026-12-01T05:00:12Z")


def play(handler, with_exchange: bool = True) -> RunFinished:
    """Feed a handler the events of a small run: two endpoints, a failure with an exchange."""
    rows = results()
    handler.handle(RunStarted(RUN))
    exchange = leaky_exchange()
    for endpoint, result in rows:
        failing = with_exchange and result.outcome == "failed"
        handler.handle(CheckFinished(endpoint, result, exchange if failing else None))
    for endpoint in dict.fromkeys(e for e, _ in rows):
        mine = tuple(r for e, r in rows if e == endpoint)
        handler.handle(EndpointFinished(endpoint, mine, 1.5))
    done = finished([r for _, r in rows])
    handler.handle(done)
    return done


def test_summary_json_states_the_run_and_the_engines_totals(tmp_path: Path) -> None:
    done = play(SummaryReporter(tmp_path))
    document = json.loads((tmp_path / "summary.json").read_text())
    run = document["run"]
    for key in ("target", "api_versions", "seed", "started", "finished", "duration_s", "mode"):
        assert key in run, key
    assert (run["outcome"], run["seed"], run["target"], run["plan"]) == (
        "failed",
        42,
        "https://graph.test",
        "full",
    )
    assert run["tool_version"] == "0.1.0" and run["max_examples"] == 5
    assert document["totals"] == done.totals.to_dict()
    assert document["totals"]["checks_run"] == 4
    assert len(document["results"]) == 5
    assert JWT not in (tmp_path / "summary.json").read_text()


def test_summary_md_reads_at_scale_in_the_documented_order(tmp_path: Path) -> None:
    play(SummaryReporter(tmp_path))
    md = (tmp_path / "summary.md").read_text()
    lines = md.splitlines()
    assert lines[0] == "# graph-contracts: FAILED"
    assert "**2 passed · 2 failed · 1 skipped · 1 deviations**" in md
    assert "| seed | 42 |" in md and "40 sent, 3 answered 429" in md
    order = [
        md.index("| seed |"),
        md.index("## Failures (2 in 2 contracts)"),
        md.index("## Totals per check"),
        md.index("## Totals per workload"),
        md.index("## Skips (1 endpoints)"),
        md.index("## Deviations from the docs"),
        md.index("## Endpoints"),
    ]
    assert order == sorted(order)
    failures = md[order[1] : order[2]]
    assert failures.index("### beta/userStatus (1)") < failures.index("### v1.0/app (1)")
    assert '"Authorization: Bearer $GRAPH_TOKEN"' in failures
    assert "```text\nline one\nline two\n```" in failures
    row = next(line for line in lines if line.startswith("| beta/userStatus |"))
    assert [c.strip() for c in row.strip("|").split("|")][2:5] == ["⚠", "✅", "❌"]
    # skips are grouped by their cause, once per endpoint, naming the request that decided it
    decided = f"`GET {B[:30]}`"
    assert f"| 1 | status | no entity reachable: GET returned 500 | {decided} |" in md
    assert "| 1 | status: 204 instead of the documented 200 |" in md
    assert JWT not in md


def test_junit_has_one_case_per_check_and_the_reproducer(tmp_path: Path) -> None:
    play(JUnitReporter(tmp_path / "junit.xml"))
    root = ET.parse(tmp_path / "junit.xml").getroot()
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("5", "2", "1")
    names = [c.get("name") for c in root.iter("testcase")]
    assert f"test_round_trip[beta/userStatus {LONG}]" in names
    failure = next(c for c in root.iter("testcase") if "round_trip" in c.get("name")).find(
        "failure"
    )
    assert failure is not None and "curl -X PATCH" in (failure.text or "")
    props = {p.get("name"): p.get("value") for p in root.iter("property")}
    assert props["seed"] == "42" and props["outcome"] == "failed"
    assert JWT not in (tmp_path / "junit.xml").read_text()


def test_allure_results_with_exchanges_attached_on_failure(tmp_path: Path) -> None:
    play(AllureReporter(tmp_path))
    written = [json.loads(p.read_text()) for p in tmp_path.glob("*-result.json")]
    assert sorted(r["status"] for r in written) == [
        "failed",
        "failed",
        "passed",
        "passed",
        "skipped",
    ]
    failing = next(r for r in written if r["name"].startswith("test_round_trip"))
    names = {a["name"]: a for a in failing["attachments"]}
    assert set(names) == {"request", "reproducer (curl)", "response", "response body"}
    assert names["response body"]["type"] == "application/json"
    request_text = (tmp_path / names["request"]["source"]).read_text()
    assert "authorization: Bearer [REDACTED]" in request_text
    labels = {
        label["name"]: label["value"] for label in failing["labels"] if label["name"] != "tag"
    }
    assert labels["suite"] == "beta/userStatus" and labels["parentSuite"] == "beta"
    for path in tmp_path.iterdir():
        assert JWT not in path.read_text(errors="replace"), path


def test_console_in_a_log_writes_one_unwrapped_line_per_endpoint() -> None:
    stream = io.StringIO()  # not a terminal: no progress bar, plain lines
    done = play(ConsoleReporter(stream))
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("graph-contracts 0.1.0 · target https://graph.test") and (
        "seed 42" in lines[0]
    )
    endpoint = next(line for line in lines if line.startswith("[1/2]"))
    assert LONG in endpoint and len(endpoint) > 200  # one line, never cut at a terminal width
    assert "1 failed (round-trip)" in endpoint
    assert lines[-1].startswith("FAILED: 2 checks passed, 2 failed, 1 skipped")
    assert f"{done.totals.passed} checks passed" in lines[-1]


def test_prepare_removes_only_an_earlier_runs_files(tmp_path: Path) -> None:
    for name in ("summary.json", "summary.md", "junit.xml", "notes.txt"):
        (tmp_path / name).write_text("old")
    (tmp_path / "allure-results").mkdir()
    (tmp_path / "allure-results" / "x-result.json").write_text("{}")
    prepare(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


@pytest.mark.parametrize(
    ("outcome", "message", "reasons", "start"),
    [
        ("passed", "", {}, "PASSED: "),
        ("error", "", {"no entity reachable: GET returned 500": 12}, "ERROR: nothing was checked"),
        ("error", "credentials rejected", {}, "ERROR: credentials rejected"),
        ("interrupted", "", {}, "INTERRUPTED: "),
    ],
)
def test_verdict_line_says_what_the_exit_status_means(outcome, message, reasons, start) -> None:
    from graph_contracts.reporters.console import verdict_line

    done = RunFinished(RUN, outcome, tally([], 2, 2), 1.0, "x", message=message, reasons=reasons)
    line = verdict_line(done)
    assert line.startswith(start), line
    if reasons:
        assert "12 endpoints: no entity reachable: GET returned 500" in line
