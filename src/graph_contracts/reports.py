"""Report writers, kept apart from the engine (Schemathesis' handlers idea).

The checks produce `CheckResult`s; this module turns them into summary.json (for machines),
summary.md (an endpoint x check matrix a person reads at a glance, with a curl reproducer per
failure) and Allure attachments. Every string passes through `redact` on the way out, so no
token or client secret reaches a report even if a check message quotes one.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

import httpx

from graph_contracts.checks import CHECK_NAMES
from graph_contracts.client import RetryStats, curl, redact

__all__ = ["CHECKS", "CheckResult", "attach_exchange", "render_markdown", "write_summary"]

CHECKS = CHECK_NAMES  # the report's column order is the checks' own order
Outcome = Literal["passed", "failed", "skipped"]
_CELL = {"passed": "✅", "failed": "❌", "skipped": "⏭", "deviation": "⚠"}


@dataclass
class CheckResult:
    """One check on one endpoint of one contract."""

    contract: str
    version: str
    path: str
    check: str
    outcome: Outcome
    message: str = ""
    repro: str | None = None
    deviation: str | None = None  # e.g. "204 instead of documented 200" in tolerant mode

    @property
    def endpoint(self) -> str:
        return f"{self.version} {self.path}"


def _clean(result: CheckResult, secrets: tuple[str, ...]) -> CheckResult:
    """A copy with every string field redacted."""
    fields = {
        k: (redact(v, secrets) if isinstance(v, str) else v) for k, v in asdict(result).items()
    }
    return CheckResult(**fields)


def _totals(results: list[CheckResult], retries: RetryStats | None) -> dict[str, float | int]:
    count = {
        outcome: sum(r.outcome == outcome for r in results)
        for outcome in _CELL
        if outcome != "deviation"
    }
    return {
        **count,
        "deviations": sum(r.deviation is not None for r in results),
        "retries": retries.count if retries else 0,
        "retry_wait_seconds": round(retries.waited, 3) if retries else 0.0,
    }


def verdict(totals: dict[str, float | int]) -> str:
    """FAILED beats everything; a run where nothing passed is not a pass."""
    if totals["failed"]:
        return "FAILED"
    return "PASSED" if totals["passed"] else "NOTHING CHECKED"


def _cell(results: list[CheckResult]) -> str:
    """Several results for one endpoint x check: the worst one wins."""
    outcomes = {r.outcome for r in results}
    if "failed" in outcomes:
        return _CELL["failed"]
    if any(r.outcome == "passed" and r.deviation for r in results):
        return _CELL["deviation"]
    return _CELL["passed"] if "passed" in outcomes else _CELL["skipped"]


def _code(text: str) -> str:
    """Inline code that survives backticks and pipes inside a table."""
    return "`" + text.replace("`", "'").replace("|", "\\|") + "`"


def _block(text: str, lang: str = "") -> list[str]:
    fence = "````" if "```" in text else "```"
    return [f"{fence}{lang}", text, fence]


def render_markdown(
    results: list[CheckResult],
    totals: dict[str, float | int],
    contracts: int,
    warnings: Iterable[str] = (),
) -> str:
    """The summary a person reads: verdict, totals, matrix, then failures, skips, deviations."""
    by_cell: dict[tuple[str, str], list[CheckResult]] = defaultdict(list)
    for r in results:
        by_cell[(r.endpoint, r.check)].append(r)
    endpoints = sorted({r.endpoint for r in results})
    checks = list(CHECKS) + sorted({r.check for r in results} - set(CHECKS))
    out = [
        f"# graph-contracts: {verdict(totals)}",
        "",
        f"**{totals['passed']} passed · {totals['failed']} failed · {totals['skipped']} skipped · "
        f"{totals['deviations']} deviations** across {contracts} contracts and "
        f"{len(endpoints)} endpoints; {totals['retries']} retries "
        f"({totals['retry_wait_seconds']} s waited).",
        "",
        "| endpoint | " + " | ".join(checks) + " |",
        "|---|" + "|".join(":-:" for _ in checks) + "|",
    ]
    for endpoint in endpoints:
        cells = [
            _cell(by_cell[(endpoint, c)]) if by_cell.get((endpoint, c)) else "" for c in checks
        ]
        out.append(f"| {_code(endpoint)} | " + " | ".join(cells) + " |")
    out += ["", "✅ passed · ❌ failed · ⏭ skipped · ⚠ passed with a deviation from the docs"]
    if warnings:
        out += ["", "## Warnings", "", *(f"- {w}" for w in warnings)]
    out += _failures(results) + _skips(results) + _deviations(results)
    return "\n".join(out) + "\n"


def _failures(results: list[CheckResult]) -> list[str]:
    failed = [r for r in results if r.outcome == "failed"]
    if not failed:
        return []
    out = ["", "## Failures"]
    for r in failed:
        out += ["", f"### {_code(r.endpoint)} · {r.check} ({r.contract})", ""]
        message = r.message or "(no message)"
        out += _block(message, "text") if "\n" in message else [message]
        if r.repro:
            out += ["", "Reproduce:", "", *_block(r.repro, "sh")]
    return out


def _skips(results: list[CheckResult]) -> list[str]:
    grouped: dict[tuple[str, str], list[str]] = defaultdict(list)
    for r in results:
        if r.outcome == "skipped":
            grouped[(r.endpoint, r.message or "no reason given")].append(r.check)
    if not grouped:
        return []
    out = ["", "## Skips", ""]
    for (endpoint, reason), checks in sorted(grouped.items()):
        out.append(f"- {_code(endpoint)} ({', '.join(checks)}): {reason}")
    return out


def _deviations(results: list[CheckResult]) -> list[str]:
    deviating = [r for r in results if r.deviation]
    if not deviating:
        return []
    out = ["", "## Deviations from the docs", ""]
    out += [f"- {_code(r.endpoint)} · {r.check}: {r.deviation}" for r in deviating]
    return out


def write_summary(
    results: list[CheckResult],
    report_dir: Path,
    *,
    retries: RetryStats | None = None,
    secrets: Iterable[str] = (),
    warnings: Iterable[str] = (),
) -> tuple[Path, Path]:
    """Write summary.json and summary.md into report_dir (created if needed); return both paths.

    `warnings` are things a person must act on that are no check's verdict, such as an entity
    the suite could not put back as it found it.
    """
    secrets = tuple(s for s in secrets if s)
    warnings = [redact(w, secrets) for w in warnings]
    clean = [_clean(r, secrets) for r in results]
    totals = _totals(clean, retries)
    contracts = len({r.contract for r in clean})
    document = {
        "results": [asdict(r) for r in clean],
        "totals": totals,
        "contracts": contracts,
        "endpoints": len({r.endpoint for r in clean}),
        "warnings": warnings,
    }
    report_dir = Path(report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = report_dir / "summary.json", report_dir / "summary.md"
    json_text = json.dumps(document, indent=2, ensure_ascii=False)
    json_path.write_text(redact(json_text, secrets) + "\n", encoding="utf-8")
    markdown = render_markdown(clean, totals, contracts, warnings)
    md_path.write_text(redact(markdown, secrets), encoding="utf-8")
    return json_path, md_path


def _body_text(message: httpx.Request | httpx.Response) -> str:
    try:
        content = message.content
    except (httpx.RequestNotRead, httpx.ResponseNotRead):
        return "(body not read)"
    if not content:
        return ""
    try:
        return json.dumps(json.loads(content), indent=2, ensure_ascii=False)
    except ValueError:
        return content.decode("utf-8", "replace")


def _headers_text(headers: httpx.Headers, secrets: tuple[str, ...]) -> str:
    return "\n".join(f"{k}: {v}" for k, v in redact(headers, secrets).items())


def describe_request(request: httpx.Request, secrets: Iterable[str] = ()) -> str:
    """Method, URL, headers (Authorization redacted) and body, as one secret-free text."""
    secrets = tuple(secrets)
    text = f"{request.method} {request.url}\n{_headers_text(request.headers, secrets)}\n\n"
    return redact(text + _body_text(request), secrets)


def describe_response(response: httpx.Response, secrets: Iterable[str] = ()) -> str:
    """Status, headers and body, as one secret-free text."""
    secrets = tuple(secrets)
    head = f"HTTP {response.status_code} {response.reason_phrase}\n"
    text = head + _headers_text(response.headers, secrets) + "\n\n" + _body_text(response)
    return redact(text, secrets)


def attach_exchange(
    request: httpx.Request, response: httpx.Response | None, secrets: Iterable[str] = ()
) -> None:
    """Attach the request, a curl reproducer and the response to the current Allure test.

    A no-op when allure-pytest is not active (allure.attach then has no listener).
    """
    try:
        import allure
    except ImportError:  # pragma: no cover - allure-pytest is a dependency
        return
    secrets = tuple(s for s in secrets if s)
    text, json_type = allure.attachment_type.TEXT, allure.attachment_type.JSON
    allure.attach(describe_request(request, secrets), name="request", attachment_type=text)
    allure.attach(curl(request, secrets), name="reproducer (curl)", attachment_type=text)
    if response is None:
        return
    allure.attach(describe_response(response, secrets), name="response", attachment_type=text)
    try:
        parsed = response.json()
    except (ValueError, httpx.ResponseNotRead):
        return
    body = redact(json.dumps(parsed, indent=2, ensure_ascii=False), secrets)
    allure.attach(body, name="response body", attachment_type=json_type)
