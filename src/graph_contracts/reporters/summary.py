"""summary.json (for machines) and summary.md (for the person reading a nightly run).

Both are written when the run finishes, from the engine's own totals, so they agree with each
other and with the console. summary.md is built to read at corpus scale (1,000 contracts): the
verdict and the run's facts first, then failures grouped by contract, then totals per check and
per workload, then the endpoint matrix, then skips grouped by reason.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from graph_contracts.engine.events import (
    CheckFinished,
    EndpointFinished,
    Event,
    RunFinished,
    SchemaRead,
)
from graph_contracts.engine.results import CheckResult, reason_group
from graph_contracts.exchanges import redact
from graph_contracts.reporters import schema as schema_section

_CELL = {"passed": "✅", "failed": "❌", "skipped": "⏭", "deviation": "⚠"}
JSON_NAME, MARKDOWN_NAME = "summary.json", "summary.md"


class SummaryReporter:
    """Collects check results; writes summary.json and summary.md when the run finishes."""

    def __init__(self, report_dir: Path) -> None:
        self.report_dir = Path(report_dir)
        self.results: list[CheckResult] = []
        self.endpoints: list[dict[str, Any]] = []
        self.schema: dict[str, Any] | None = None  # the run's SchemaRead, as summary.json has it

    def handle(self, event: Event) -> None:
        if isinstance(event, SchemaRead):
            self.schema = schema_document(event)
        elif isinstance(event, CheckFinished):
            self.results.append(event.result)
        elif isinstance(event, EndpointFinished):
            self.endpoints.append(endpoint_row(event))
        elif isinstance(event, RunFinished):
            self.write(event)

    def write(self, finished: RunFinished) -> tuple[Path, Path]:
        self.report_dir.mkdir(parents=True, exist_ok=True)
        document = summary_document(self.results, finished, self.endpoints)
        if self.schema is not None:
            document["schema"] = self.schema
        json_path = self.report_dir / JSON_NAME
        md_path = self.report_dir / MARKDOWN_NAME
        text = json.dumps(document, indent=2, ensure_ascii=False)
        json_path.write_text(redact(text) + "\n", encoding="utf-8")
        markdown = render_markdown(self.results, finished, self.endpoints, self.schema)
        md_path.write_text(redact(markdown), encoding="utf-8")
        return json_path, md_path


def run_facts(finished: RunFinished) -> dict[str, Any]:
    """The `run` object: which target, seed, time, mode and outcome a report belongs to."""
    return {
        **finished.run.to_dict(),
        "finished": finished.finished,
        "duration_s": finished.duration_s,
        "outcome": finished.outcome,
        "message": finished.message,
    }


def endpoint_row(event: EndpointFinished) -> dict[str, Any]:
    """One endpoint as summary.json lists it: what was planned, sent and covered."""
    info = event.endpoint
    return {
        "contract": info.contract,
        "version": info.version,
        "path": info.path,
        "workload": info.workload,
        "planned_patches": event.planned,
        "sent_patches": event.writes + event.restores,
        "coverage": event.coverage,
        "target_error": event.target_error.reason if event.target_error else None,
    }


def schema_document(event: SchemaRead) -> dict[str, Any]:
    """summary.json's `schema`: the CSDL read (`sources`), the `facts` added (counts, and each
    with its source in `fact_lines`), the `drift`."""
    return {
        "sources": list(event.sources),
        "facts": dict(event.facts),
        "fact_lines": dict(event.fact_lines),
        "drift": event.drift,
    }


def summary_document(
    results: list[CheckResult], finished: RunFinished, endpoints: list[dict[str, Any]] = ()
) -> dict[str, Any]:
    return {
        "run": run_facts(finished),
        "totals": finished.totals.to_dict(),
        "nothing_checked_reasons": finished.reasons,
        "left_changed": list(finished.left_changed),
        "target_errors": [e.to_dict() for e in finished.target_errors],
        "endpoints": list(endpoints),
        "results": [r.to_dict() for r in results],
    }


# --- markdown -----------------------------------------------------------------------------------


def _code(text: str) -> str:
    """Inline code that survives backticks and pipes inside a table."""
    return "`" + text.replace("`", "'").replace("|", "\\|") + "`"


def _block(text: str, lang: str = "") -> list[str]:
    fence = "````" if "```" in text else "```"
    return [f"{fence}{lang}", text, fence]


def render_markdown(
    results: list[CheckResult],
    finished: RunFinished,
    endpoints: list[dict[str, Any]] = (),
    schema: dict[str, Any] | None = None,
) -> str:
    """The summary a person reads, most important first; the schema section (drift) last."""
    out = _head(finished)
    out += _changes(results, finished)
    out += _known(results)
    out += _failures(results)
    out += _target_errors(finished)
    out += _totals_tables(finished)
    out += _coverage(list(endpoints))
    out += _matrix(results)
    out += _skips(results)
    out += _deviations(results)
    if schema is not None:
        out += schema_section.markdown(schema["sources"], schema["facts"], schema["drift"])
    return "\n".join(out) + "\n"


def _head(finished: RunFinished) -> list[str]:
    run, totals = finished.run, finished.totals
    out = [
        f"# graph-contracts: {finished.outcome.upper()}",
        "",
        f"**{totals.passed} passed · {totals.failed} failed · {totals.skipped} skipped · "
        f"{totals.deviations} deviations** — {totals.endpoints_checked} of {totals.endpoints} "
        f"endpoints checked, {totals.contracts} contracts."
        + (
            f" {totals.failed - totals.failing} failures excused (known, or in the baseline)."
            if totals.failed != totals.failing
            else ""
        ),
        "",
        "| run | |",
        "|---|---|",
        f"| target | {_code(run.target)} ({run.target_kind}) |",
        f"| API versions | {', '.join(run.api_versions)} |",
        f"| seed | {run.seed} |",
        f"| mode | {run.mode}; plan {run.plan}, max-examples {run.max_examples} |",
        f"| started · finished | {run.started} · {finished.finished} ({finished.duration_s} s) |",
        f"| requests | {totals.requests} sent, {totals.throttled} answered 429, "
        f"{totals.retries} retried ({_causes(totals.retried)}{round(totals.retry_wait_s, 1)} s "
        "waited) |",
        f"| tool | graph-contracts {run.tool_version} |",
    ]
    if run.faults:
        out.append(f"| faults | {', '.join(run.faults)} |")
    if run.shard:
        out.append(f"| shard | {run.shard} |")
    if finished.message:
        out += ["", f"**Stopped:** {finished.message}"]
    if finished.reasons:
        out += ["", "**Nothing was checked:**", ""]
        out += [f"- {n} endpoints: {reason}" for reason, n in finished.reasons.items()]
    if finished.left_changed:
        out += ["", "## Target left changed", ""]
        out += ["Run `graph-contracts restore` with this run's journal.", ""]
        out += [f"- {_code(item)}" for item in finished.left_changed]
    return out


SHOWN_CHANGES = 50


def _changes(results: list[CheckResult], finished: RunFinished) -> list[str]:
    """ "Changes since" the baseline run: what is new tonight, what got fixed."""
    baseline = finished.run.baseline
    if baseline is None:
        return []
    totals = finished.totals
    out = [
        "",
        f"## Changes since {baseline.get('started') or 'the baseline'} "
        f"(seed {baseline.get('seed')}, {baseline.get('outcome')}; `{baseline['path']}`)",
        "",
        f"**{totals.new_failures} new failures · {totals.fixed} fixed**"
        + (
            " — with `--fail-on new`, only new failures fail the run."
            if finished.run.fail_on == "new"
            else ""
        ),
    ]
    for label, change in (("New", "new"), ("Fixed", "fixed")):
        rows = [r for r in results if r.change == change]
        if rows:
            out += ["", f"{label}:", ""]
            out += [f"- {r.check} · {r.contract} {_code(r.path)}" for r in rows[:SHOWN_CHANGES]]
            if len(rows) > SHOWN_CHANGES:
                out.append(f"- ... and {len(rows) - SHOWN_CHANGES} more (see summary.json)")
    return out


def _known(results: list[CheckResult]) -> list[str]:
    rows = [r for r in results if r.known]
    if not rows:
        return []
    out = ["", "## Known failures", ""]
    out += [f"- {r.check} · {r.contract} {_code(r.path)}: {r.known}" for r in rows]
    return out


def _failures(results: list[CheckResult]) -> list[str]:
    failed = [r for r in results if r.outcome == "failed"]
    if not failed:
        return []
    by_contract: dict[str, list[CheckResult]] = defaultdict(list)
    for r in failed:
        by_contract[r.contract].append(r)
    out = ["", f"## Failures ({len(failed)} in {len(by_contract)} contracts)"]
    for contract, rows in sorted(by_contract.items()):
        out += ["", f"### {contract} ({len(rows)})"]
        for r in rows:
            tag = f" ({r.excused})" if r.excused else (" (new)" if r.change == "new" else "")
            out += ["", f"#### {r.check} · {_code(r.path)}{tag}", ""]
            message = r.message or "(no message)"
            out += _block(message, "text") if "\n" in message else [message]
            if r.repro:
                out += ["", "Reproduce:", "", *_block(r.repro, "sh")]
    return out


def _causes(retried: dict[str, int]) -> str:
    return "".join(f"{n} {cause}, " for cause, n in retried.items())


def _target_errors(finished: RunFinished) -> list[str]:
    """Endpoints the target kept from being judged in full: the target's errors, not failures."""
    errors = finished.target_errors
    if not errors:
        return []
    out = [
        "",
        f"## Target errors ({len(errors)} endpoints)",
        "",
        "Requests that still failed after the client's retries: the target's errors, not the "
        "contract's. The checks keep the verdicts of the cases judged before them.",
    ]
    for e in errors:
        recovered = "" if e.recovered else " The target did not come back."
        out += ["", f"#### {e.contract} · {_code(e.path)} ({e.cause})", ""]
        out += [f"{e.reason} — after {e.judged} cases judged.{recovered}"]
        if e.repro:
            out += ["", "Reproduce:", "", *_block(e.repro, "sh")]
    return out


def _totals_tables(finished: RunFinished) -> list[str]:
    totals = finished.totals
    out = [
        "",
        "## Totals per check",
        "",
        "| check | passed | failed | skipped |",
        "|---|--:|--:|--:|",
    ]
    for check, counts in totals.per_check.items():
        out.append(f"| {check} | {counts['passed']} | {counts['failed']} | {counts['skipped']} |")
    out += ["", "## Totals per workload", "", "| workload | passed | failed | skipped |"]
    out.append("|---|--:|--:|--:|")
    for workload, counts in totals.per_workload.items():
        row = f"| {workload} | {counts['passed']} | {counts['failed']} | {counts['skipped']} |"
        out.append(row)
    return out


COVERAGE_KINDS = ("properties", "enum_members", "boundaries", "invalid")
LEAST_COVERED = 15


def _ratio(counts: dict[str, int]) -> float:
    return counts["hit"] / counts["total"] if counts["total"] else 1.0


def _coverage(endpoints: list[dict[str, Any]]) -> list[str]:
    """Coverage per contract (what the sent bodies wrote and the service refused), then the
    endpoints that covered least."""
    rows = [e for e in endpoints if e.get("coverage")]
    if not rows:
        return []
    by_contract: dict[str, dict[str, list[int]]] = defaultdict(
        lambda: {k: [0, 0] for k in COVERAGE_KINDS}
    )
    for e in rows:
        for kind in COVERAGE_KINDS:
            counts = e["coverage"][kind]
            by_contract[e["contract"]][kind][0] += counts["hit"]
            by_contract[e["contract"]][kind][1] += counts["total"]
    header = (
        "| contract | properties | enum members | boundary classes | invalid classes rejected |"
    )
    out = ["", "## Coverage per contract", "", header, "|---|--:|--:|--:|--:|"]
    for contract, kinds in sorted(by_contract.items()):
        cells = [f"{hit}/{total}" for hit, total in (kinds[k] for k in COVERAGE_KINDS)]
        out.append(f"| {contract} | " + " | ".join(cells) + " |")
    least = sorted(rows, key=lambda e: sum(_ratio(e["coverage"][k]) for k in COVERAGE_KINDS))
    out += ["", "Least covered endpoints:", ""]
    for e in least[:LEAST_COVERED]:
        c = e["coverage"]
        missed = ", ".join(
            name for kind in COVERAGE_KINDS for name in c.get("missed", {}).get(kind, [])[:3]
        )
        shares = " · ".join(
            f"{k.replace('_', ' ')} {c[k]['hit']}/{c[k]['total']}" for k in COVERAGE_KINDS
        )
        out.append(
            f"- {e['contract']} {_code(e['path'])}: {shares}"
            + (f"; missed {missed}" if missed else "")
        )
    return out


def _cell(result: CheckResult | None) -> str:
    if result is None:
        return ""
    if result.outcome == "passed" and result.deviation:
        return _CELL["deviation"]
    return _CELL[result.outcome]


def _matrix(results: list[CheckResult]) -> list[str]:
    if not results:
        return []
    checks = list(dict.fromkeys(r.check for r in results))
    rows: dict[tuple[str, str], dict[str, CheckResult]] = defaultdict(dict)
    for r in results:
        rows[(r.contract, r.path)][r.check] = r
    out = ["", "## Endpoints", "", "| contract | path | " + " | ".join(checks) + " |"]
    out.append("|---|---|" + "|".join(":-:" for _ in checks) + "|")
    for (contract, path), cells in sorted(rows.items()):
        out.append(
            f"| {contract} | {_code(path)} | "
            + " | ".join(_cell(cells.get(c)) for c in checks)
            + " |"
        )
    out += ["", "✅ passed · ❌ failed · ⏭ skipped · ⚠ passed with a deviation from the docs"]
    return out


def _skips(results: list[CheckResult]) -> list[str]:
    grouped: Counter[str] = Counter()
    for r in results:
        if r.outcome == "skipped":
            grouped[f"{r.check}: {reason_group(r.message or 'no reason given')}"] += 1
    if not grouped:
        return []
    out = ["", "## Skips by reason", "", "| checks skipped | check: reason |", "|--:|---|"]
    out += [f"| {n} | {reason} |" for reason, n in grouped.most_common()]
    return out


def _deviations(results: list[CheckResult]) -> list[str]:
    """Deviations grouped by what they say (a 204 on every Intune endpoint is one line)."""
    grouped: dict[str, list[CheckResult]] = defaultdict(list)
    for r in results:
        if r.deviation:
            grouped[f"{r.check}: {reason_group(_without_counts(r.deviation))}"].append(r)
    if not grouped:
        return []
    out = ["", "## Deviations from the docs", "", "| endpoints | check: deviation | e.g. |"]
    out.append("|--:|---|---|")
    for what, rows in sorted(grouped.items(), key=lambda item: -len(item[1])):
        out.append(f"| {len(rows)} | {what} | {rows[0].contract} {_code(rows[0].path)} |")
    return out


def _without_counts(text: str) -> str:
    """`204 instead of the documented 200 (3/3)` -> `204 instead of the documented 200`."""
    return re.sub(r" \(\d+/\d+\)", "", text)
