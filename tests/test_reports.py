"""Reports: summary.json, the summary.md matrix, Allure attachments; never a secret in any of them."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from graph_contracts.client import RetryStats, curl
from graph_contracts.reports import (
    CHECKS,
    CheckResult,
    attach_exchange,
    describe_request,
    describe_response,
    write_summary,
)

pytest_plugins = ["pytester"]

TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJncmFwaCJ9.c2lnbmF0dXJlLXJlcG9ydHM"
SECRET = "client-secret-value~42"
A = "/deviceManagement/deviceConfigurations/{id}/userStatuses/{id2}"
B = "/deviceAppManagement/mobileApps/{id}"


def leaky_request() -> httpx.Request:
    return httpx.Request(
        "PATCH",
        "http://graph.test/beta/x('1')",
        headers={"Authorization": f"Bearer {TOKEN}", "X-Secret": SECRET},
        json={"displayName": "n", "note": SECRET},
    )


def sample_results() -> list[CheckResult]:
    repro = curl(leaky_request(), secrets=[SECRET])
    return [
        CheckResult("userStatus", "beta", A, "status", "passed", deviation="204 instead of 200"),
        CheckResult("userStatus", "beta", A, "shape", "passed"),
        CheckResult(
            "userStatus",
            "beta",
            A,
            "round-trip",
            "failed",
            message=f"lastReportedDateTime differs; sent with Bearer {TOKEN} and {SECRET}",
            repro=repro,
        ),
        CheckResult("userStatus", "beta", A, "round-trip", "passed"),
        CheckResult("userStatus", "beta", A, "auth", "skipped", message="no token configured"),
        CheckResult("app", "v1.0", B, "status", "skipped", message="no entity reachable"),
        CheckResult("app", "v1.0", B, "shape", "skipped", message="no entity reachable"),
        CheckResult("app", "v1.0", B, "rejection", "failed", message="line one\nline two"),
    ]


@pytest.fixture
def written(tmp_path: Path) -> tuple[dict, str, Path]:
    report_dir = tmp_path / "reports" / "nested"
    json_path, md_path = write_summary(
        sample_results(), report_dir, retries=RetryStats(3, 1.23456), secrets=[TOKEN, SECRET]
    )
    assert (json_path, md_path) == (report_dir / "summary.json", report_dir / "summary.md")
    return json.loads(json_path.read_text()), md_path.read_text(), report_dir


def test_summary_json_entries_and_totals(written: tuple[dict, str, Path]) -> None:
    document, _, _ = written
    assert len(document["results"]) == 8
    first = document["results"][0]
    assert set(first) == {
        "contract",
        "version",
        "path",
        "check",
        "outcome",
        "message",
        "deviation",
        "repro",
    }
    assert first["deviation"] == "204 instead of 200"
    assert document["totals"] == {
        "passed": 3,
        "failed": 2,
        "skipped": 3,
        "deviations": 1,
        "retries": 3,
        "retry_wait_seconds": 1.235,
    }
    assert (document["contracts"], document["endpoints"]) == (2, 2)


def test_summary_md_matrix(written: tuple[dict, str, Path]) -> None:
    _, md, _ = written
    lines = md.splitlines()
    assert lines[0] == "# graph-contracts: FAILED"
    assert "**3 passed · 2 failed · 3 skipped · 1 deviations**" in md
    assert "3 retries (1.235 s waited)" in md
    header = next(line for line in lines if line.startswith("| endpoint |"))
    assert [c.strip() for c in header.strip("|").split("|")][1:] == list(CHECKS)
    row_a = next(line for line in lines if line.startswith("| `beta /deviceManagement"))
    cells = [c.strip() for c in row_a.strip("|").split("|")][1:]
    # status passed with deviation, shape passed, round-trip failed (worst wins), auth skipped
    assert cells == ["⚠", "✅", "❌", "", "", "", "⏭", ""]
    row_b = next(line for line in lines if line.startswith("| `v1.0 /deviceAppManagement"))
    assert [c.strip() for c in row_b.strip("|").split("|")][1:] == [
        "⏭",
        "⏭",
        "",
        "",
        "",
        "❌",
        "",
        "",
    ]


def test_summary_md_sections(written: tuple[dict, str, Path]) -> None:
    _, md, _ = written
    failures, skips, deviations = (
        md.index("## Failures"),
        md.index("## Skips"),
        md.index("## Deviations"),
    )
    assert failures < skips < deviations
    failure_text = md[failures:skips]
    assert (
        "### `beta /deviceManagement/deviceConfigurations/{id}/userStatuses/{id2}` · round-trip"
        in (failure_text)
    )
    assert "```sh\ncurl -X PATCH \"http://graph.test/beta/x('1')\"" in failure_text
    assert '"Authorization: Bearer $GRAPH_TOKEN"' in failure_text
    assert "```text\nline one\nline two\n```" in failure_text
    assert (
        "- `v1.0 /deviceAppManagement/mobileApps/{id}` (status, shape): no entity reachable" in md
    )
    assert (
        "- `beta /deviceManagement/deviceConfigurations/{id}/userStatuses/{id2}` · status: 204 instead of 200"
        in md
    )


def test_no_secret_in_any_report_file(written: tuple[dict, str, Path]) -> None:
    _, _, report_dir = written
    files = list(report_dir.iterdir())
    assert len(files) == 2
    for path in files:
        text = path.read_text()
        assert TOKEN not in text and SECRET not in text and "c2lnbmF0dXJl" not in text, path
        assert "[REDACTED]" in text


def test_verdicts(tmp_path: Path) -> None:
    ok = [CheckResult("c", "beta", "/a", "status", "passed")]
    skipped = [CheckResult("c", "beta", "/a", "status", "skipped", message="why")]
    for results, title in [(ok, "PASSED"), (skipped, "NOTHING CHECKED"), ([], "NOTHING CHECKED")]:
        _, md = write_summary(results, tmp_path / title, retries=None)
        assert md.read_text().splitlines()[0] == f"# graph-contracts: {title}"
    document = json.loads((tmp_path / "PASSED" / "summary.json").read_text())
    assert document["totals"]["retries"] == 0


def test_describe_exchange_redacts() -> None:
    request = leaky_request()
    response = httpx.Response(
        400, json={"error": {"code": "BadRequest", "message": SECRET}}, request=request
    )
    req_text = describe_request(request, [SECRET])
    resp_text = describe_response(response, [SECRET])
    assert req_text.startswith("PATCH http://graph.test/beta/x('1')\n")
    assert "authorization: Bearer [REDACTED]" in req_text
    assert resp_text.startswith("HTTP 400 Bad Request\n") and '"code": "BadRequest"' in resp_text
    for text in (req_text, resp_text):
        assert TOKEN not in text and SECRET not in text


def test_attach_exchange_without_allure_is_a_no_op() -> None:
    attach_exchange(leaky_request(), None)
    attach_exchange(leaky_request(), httpx.Response(204))


INNER_TEST = """
import os
import httpx
from graph_contracts.reports import attach_exchange

def test_patch_round_trip():
    token, secret = os.environ["INNER_TOKEN"], os.environ["INNER_SECRET"]
    request = httpx.Request(
        "PATCH", "http://graph.test/beta/things('1')",
        headers={"Authorization": "Bearer " + token}, json={"name": "x", "echo": secret},
    )
    response = httpx.Response(
        400, json={"error": {"code": "BadRequest", "message": "bad " + secret}}, request=request
    )
    attach_exchange(request, response, secrets=[secret])
    assert response.status_code == 200
"""


def test_allure_attachments_exist_and_hold_no_secret(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INNER_TOKEN", TOKEN)
    monkeypatch.setenv("INNER_SECRET", SECRET)
    pytester.makepyfile(test_inner=INNER_TEST)
    results = pytester.path / "allure-results"
    run = pytester.runpytest_subprocess("--alluredir", str(results), "-p", "no:cacheprovider")
    run.assert_outcomes(failed=1)
    attachments = sorted(results.glob("*-attachment*"))
    assert len(attachments) == 4
    (result_file,) = results.glob("*-result.json")
    result = json.loads(result_file.read_text())
    assert result["status"] == "failed"
    names = {a["name"]: a for a in result["attachments"]}
    assert set(names) == {"request", "reproducer (curl)", "response", "response body"}
    assert names["response body"]["type"] == "application/json"
    request_text = (results / names["request"]["source"]).read_text()
    assert "PATCH http://graph.test/beta/things('1')" in request_text
    assert "authorization: Bearer [REDACTED]" in request_text
    body = json.loads((results / names["response body"]["source"]).read_text())
    assert body["error"]["code"] == "BadRequest"
    for path in results.iterdir():
        text = path.read_text(errors="replace")
        assert TOKEN not in text and SECRET not in text, path.name
