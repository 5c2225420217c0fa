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
from graph_contracts.engine.results import CheckResult, RunInfo, TargetError, tally
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


# --- target errors: the target's, not the contract's, in every report --------------------------

ERROR_REPRO = f"curl -X PATCH 'http://graph.test/beta/x' -H 'Authorization: Bearer {JWT}'"


def target_error_run(handlers: list) -> RunFinished:
    """Endpoint a passes; endpoint b judged 3 cases, then a PATCH met resets to the end."""
    a, b = info("beta/userStatus", "beta", LONG, 1), info("v1.0/app", "v1.0", B, 2)
    reason = "PATCH http://graph.test/v1.0/x: connection reset (after 5 attempts)"
    error = TargetError(
        b.contract, b.version, b.path, b.workload, "connection reset", reason, ERROR_REPRO, 3
    )
    rows = [
        (a, CheckResult(a.contract, a.version, a.path, "status", "passed", workload="intune")),
        (b, CheckResult(b.contract, b.version, b.path, "status", "passed", workload="intune")),
        (
            b,
            CheckResult(
                b.contract, b.version, b.path, "rejection", "skipped", f"target error: {reason}"
            ),
        ),
    ]
    totals = tally([r for _, r in rows], endpoints=2, contracts=2)
    totals.requests, totals.retries, totals.retried = 50, 6, {"connection reset": 5, "502": 1}
    totals.target_errors = 1
    done = RunFinished(RUN, "passed", totals, 3.0, "2026-12-01T05:00:03Z", target_errors=(error,))
    for handler in handlers:
        handler.handle(RunStarted(RUN))
        for endpoint, result in rows:
            handler.handle(CheckFinished(endpoint, result))
        handler.handle(EndpointFinished(a, (rows[0][1],), 1.0))
        handler.handle(EndpointFinished(b, (rows[1][1], rows[2][1]), 1.0, target_error=error))
        handler.handle(done)
    return done


def test_a_target_error_is_in_every_report_apart_from_failures(tmp_path: Path) -> None:
    stream = io.StringIO()
    handlers = [
        ConsoleReporter(stream),
        SummaryReporter(tmp_path),
        JUnitReporter(tmp_path / "junit.xml"),
        AllureReporter(tmp_path / "allure"),
    ]
    target_error_run(handlers)
    reason = "PATCH http://graph.test/v1.0/x: connection reset (after 5 attempts)"

    console = stream.getvalue().splitlines()
    line = next(line for line in console if line.startswith("[2/2]"))
    assert line.startswith(f"[2/2] v1.0/app {B}: 1 passed; target error: {reason} in 1.0 s")
    assert f"  TARGET ERROR · v1.0/app {B}: {reason}" in console
    assert "requests: 50 sent, 0 answered 429, 6 retried (5 connection reset, 1 502; " in (
        "\n".join(console)
    )
    assert console[-1] == (
        "PASSED: 2 checks passed, 0 failed, 1 skipped; 2 of 2 endpoints checked; "
        "1 endpoint met a target error (not failures)."
    )

    document = json.loads((tmp_path / "summary.json").read_text())
    assert document["totals"]["target_errors"] == 1 and document["totals"]["failed"] == 0
    assert document["totals"]["retried"] == {"connection reset": 5, "502": 1}
    (error,) = document["target_errors"]
    assert (error["path"], error["cause"], error["judged"]) == (B, "connection reset", 3)
    assert error["reason"] == reason and error["repro"].startswith("curl -X PATCH")
    rows = {row["path"]: row["target_error"] for row in document["endpoints"]}
    assert rows == {LONG: None, B: reason}
    md = (tmp_path / "summary.md").read_text()
    assert "## Target errors (1 endpoints)" in md and "## Failures" not in md
    assert f"{reason} — after 3 cases judged." in md and "curl -X PATCH" in md
    assert "6 retried (5 connection reset, 1 502, 0.0 s waited)" in md

    root = ET.parse(tmp_path / "junit.xml").getroot()
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("4", "0", "1")
    case = next(c for c in root.iter("testcase") if c.get("name") == f"test_target[v1.0/app {B}]")
    error_element = case.find("error")
    assert error_element is not None and error_element.get("type") == "connection reset"
    assert "Reproduce:\ncurl -X PATCH" in (error_element.text or "")

    written = [json.loads(p.read_text()) for p in (tmp_path / "allure").glob("*-result.json")]
    broken = [r for r in written if r["status"] == "broken"]
    assert [r["name"] for r in broken] == [f"test_target[v1.0/app {B}]"]
    assert broken[0]["statusDetails"]["message"] == reason
    (attachment,) = broken[0]["attachments"]
    assert attachment["name"] == "reproducer (curl)"
    for path in [*tmp_path.rglob("*")]:
        if path.is_file():
            assert JWT not in path.read_text(errors="replace"), path


def test_no_clean_endpoint_is_an_error_with_exit_status_2() -> None:
    from graph_contracts.engine.results import exit_code, target_error_verdict

    a = CheckResult("c", "beta", "/a", "status", "passed")
    b = CheckResult("c", "beta", "/b", "status", "skipped", "target error: x")
    error_a = TargetError("c", "beta", "/a", "", "502", "PATCH /a: answered 502", judged=2)
    assert target_error_verdict([a, b], []) == ""
    assert target_error_verdict([a, b], [error_a]) == (  # /a judged cases, then met one
        "no endpoint was checked without a target error (1 endpoint met one: see Target "
        "errors); the run says nothing about the contracts"
    )
    clean = CheckResult("c", "beta", "/c", "status", "passed")
    assert target_error_verdict([a, b, clean], [error_a]) == ""
    assert exit_code("error", fatal=target_error_verdict([a], [error_a])) == 2


def test_merged_shards_keep_target_errors_and_judge_clean_endpoints_over_the_whole_run(
    tmp_path: Path,
) -> None:
    """Shard 2's only endpoint met a target error (alone it says "no clean endpoint", exit 2);
    shard 1's passed: merged, the run passes with the target error listed and counted."""
    from dataclasses import replace

    from graph_contracts.engine.results import target_error_verdict
    from graph_contracts.reporters.merge import merge

    a, b = info("beta/userStatus", "beta", LONG, 1), info("v1.0/app", "v1.0", B, 2)
    error = TargetError(b.contract, b.version, b.path, "intune", "502", "PATCH x: 502", "curl x")
    for k, (endpoint, outcome) in enumerate(((a, "passed"), (b, "skipped")), start=1):
        row = CheckResult(endpoint.contract, endpoint.version, endpoint.path, "status", outcome)
        errors = (error,) if endpoint is b else ()
        totals = tally([row], endpoints=1, contracts=1)
        totals.target_errors, totals.retried = len(errors), {"502": 4 * len(errors)}
        message = target_error_verdict([row], errors)
        run = replace(RUN, shard=f"{k}/2", endpoints=1)
        outcome_of_shard = "error" if message else "passed"
        done = RunFinished(run, outcome_of_shard, totals, 1.0, "2026-12-01T05:00:01Z", message)
        done = replace(done, target_errors=errors)
        shard = tmp_path / f"shard{k}"
        handlers = [SummaryReporter(shard), JUnitReporter(shard / "junit.xml")]
        for handler in handlers:
            handler.handle(RunStarted(run))
            handler.handle(CheckFinished(endpoint, row))
            handler.handle(
                EndpointFinished(endpoint, (row,), 1.0, target_error=errors[0] if errors else None)
            )
            handler.handle(done)
    assert (
        json.loads((tmp_path / "shard2" / "summary.json").read_text())["run"]["outcome"] == "error"
    )

    merged = merge([tmp_path / "shard1", tmp_path / "shard2"], tmp_path / "all")
    assert merged.outcome == "passed" and merged.message == ""
    assert merged.target_errors == (error,) and merged.totals.target_errors == 1
    assert merged.totals.retried == {"502": 4}
    document = json.loads((tmp_path / "all" / "summary.json").read_text())
    assert [e["reason"] for e in document["target_errors"]] == ["PATCH x: 502"]
    root = ET.parse(tmp_path / "all" / "junit.xml").getroot()
    assert root.get("errors") == "1"


def test_target_errors_group_by_cause_whatever_url_they_met() -> None:
    from graph_contracts.engine.results import reason_group

    reasons = [
        "target error: PATCH https://graph.microsoft.com/beta/a('1')/b: answered 502 Bad Gateway "
        "(after 5 attempts)",
        "target error: PATCH http://127.0.0.1:8000/v1.0/c/d: answered 502 Bad Gateway "
        "(after 5 attempts)",
    ]
    assert {reason_group(r) for r in reasons} == {
        "target error: PATCH: answered 502 Bad Gateway (after 5 attempts)"
    }
