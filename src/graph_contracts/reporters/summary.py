"""summary.json (for machines) and summary.md (for the person reading a nightly run).

Both are written when the run finishes, from the engine's own totals, so they agree with each
other and with the console. summary.md is built to read in a few screens at corpus scale (1,000
contracts; tests/test_summary_scale.py holds it to six): the verdict and the run's facts
first, then what changed since the baseline, the failures (the first ones in full with their
reproducer, the rest one line each), the trend of the last nights (`--history`), the least-covered
endpoints, totals per workload and per check, the skips once per endpoint grouped by reason with
the requests that decided them, the deviations grouped by cause; the tables with a row per
contract or endpoint only while they are short (every row is in summary.json).
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
from graph_contracts.reporters import history as histories
from graph_contracts.reporters import schema as schema_section

_CELL = {"passed": "✅", "failed": "❌", "skipped": "⏭", "deviation": "⚠"}
JSON_NAME, MARKDOWN_NAME = "summary.json", "summary.md"


class SummaryReporter:
    """Collects check results; writes summary.json and summary.md when the run finishes.

    A `night` (a whole run, not a shard's or an xdist worker's part) also writes history.jsonl:
    the nights of `history` and this run; summary.md draws the trend. A history that cannot be
    written is said in summary.md, never a lost summary.
    """

    def __init__(
        self,
        report_dir: Path,
        history: Path | None = None,
        keep: int = histories.KEEP,
        *,
        night: bool = True,
    ) -> None:
        self.report_dir = Path(report_dir)
        self.history, self.keep, self.night = history, keep, night
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
        nights = (
            record_history(self.history, finished, self.report_dir, self.keep)
            if self.night
            else None
        )
        markdown = render_markdown(
            self.results, finished, self.endpoints, self.schema, nights=nights
        )
        md_path.write_text(redact(markdown), encoding="utf-8")
        return json_path, md_path


def record_history(
    path: Path | None, finished: RunFinished, report_dir: Path, keep: int = histories.KEEP
) -> list[dict[str, Any]] | str:
    """The nights with this run appended, written to report_dir/history.jsonl (and `path`);
    the reason when they could not be written, which summary.md then says."""
    try:
        return histories.record(path, finished, report_dir / histories.NAME, keep)
    except (OSError, histories.HistoryError) as exc:
        return f"{report_dir / histories.NAME} was not written: {exc}"


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
    *,
    nights: list[dict[str, Any]] | str | None = None,
) -> str:
    """The summary a person reads, most important first; `nights`: the history to draw; the
    schema section (drift) last."""
    out = _head(finished)
    out += _changes(results, finished)
    out += _failures(results)
    out += _target_errors(finished)
    out += _trend(nights)
    out += _least_covered(list(endpoints))
    out += _known(results)
    out += _totals_tables(finished, list(endpoints))
    out += _skips(results)
    out += _deviations(results)
    out += _coverage(list(endpoints))
    out += _matrix(results)
    if schema is not None:
        out += schema_section.markdown(schema["sources"], schema["facts"], schema["drift"])
    return "\n".join(out) + "\n"


def _trend(nights: list[dict[str, Any]] | str | None) -> list[str]:
    if isinstance(nights, str):  # the history could not be written: say so, keep the rest
        return ["", "## Trend", "", f"**History:** {nights}"]
    return histories.render(nights or [])


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


SHOWN_CHANGES = 20  # new and fixed checks listed each (all in summary.json)
FAILURE_DETAILS = 10  # failures shown in full, with message and reproducer
FAILURE_LINES = 30  # failures shown at all (after the full ones: one line each)
SHOWN_KNOWN = 30
FULL_TABLES = 40  # a table with a row per contract or endpoint is printed whole up to this many
TARGET_ERROR_DETAILS = 5  # target errors shown in full, with the reproducer of the request
TARGET_ERROR_LINES = 25  # target errors shown at all (after the full ones: one line each)


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
    new = [r for r in results if r.change == "new"]
    if new and len(new) <= FAILURE_LINES:  # each is under Failures already, tagged (new)
        out += ["", "New failures are tagged (new) under Failures, first."]
    for label, change in (("New", "new"), ("Fixed", "fixed")):
        rows = [r for r in results if r.change == change]
        if change == "new" and len(rows) <= FAILURE_LINES:
            continue
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
    out += [f"- {r.check} · {r.contract} {_code(r.path)}: {r.known}" for r in rows[:SHOWN_KNOWN]]
    return out + _more(len(rows) - SHOWN_KNOWN, "known failures")


def _more(count: int, what: str) -> list[str]:
    return [f"- ... and {count} more {what} (see summary.json)"] if count > 0 else []


def _failures(results: list[CheckResult]) -> list[str]:
    """Failures, those that fail the run first and new ones first among them: the first
    FAILURE_DETAILS in full by contract, with their reproducer; then one line each up to
    FAILURE_LINES; the rest counted (every one is in summary.json)."""
    failed = [r for r in results if r.outcome == "failed"]
    if not failed:
        return []
    failed.sort(key=lambda r: (bool(r.excused), r.change != "new", r.contract, r.path, r.check))
    contracts = Counter(r.contract for r in failed)
    out = ["", f"## Failures ({len(failed)} in {len(contracts)} contracts)"]
    by_contract: dict[str, list[CheckResult]] = defaultdict(list)
    for r in failed[:FAILURE_DETAILS]:
        by_contract[r.contract].append(r)
    for contract, rows in by_contract.items():
        out += ["", f"### {contract} ({contracts[contract]})"]
        for r in rows:  # CommonMark: a heading and a fence need no blank line around them
            out += ["", f"#### {r.check} · {_code(r.path)}{_tag(r)}"]
            message = r.message or "(no message)"
            out += _block(message, "text") if "\n" in message else [message]
            if r.repro:
                out += ["Reproduce:", *_block(r.repro, "sh")]
    briefly = failed[FAILURE_DETAILS:FAILURE_LINES]
    if briefly:
        out += ["", f"### {len(failed) - FAILURE_DETAILS} more", ""]
        out += [
            f"- {r.check} · {r.contract} {_code(r.path)}{_tag(r)}: {_first_line(r.message)}"
            for r in briefly
        ]
        out += _more(len(failed) - FAILURE_LINES, "failures")
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
    for e in errors[:TARGET_ERROR_DETAILS]:
        out += ["", f"#### {e.contract} · {_code(e.path)} ({e.cause})"]
        out += [f"{e.reason} — after {e.judged} cases judged."]  # the reason says if it came back
        if e.repro:
            out += ["Reproduce:", *_block(e.repro, "sh")]
    briefly = errors[TARGET_ERROR_DETAILS:TARGET_ERROR_LINES]
    if briefly:  # at scale (a bad network night): one line each, the rest counted
        out += ["", f"### {len(errors) - TARGET_ERROR_DETAILS} more", ""]
        out += [
            f"- {e.contract} {_code(e.path)} ({e.cause}): {_first_line(e.reason)}" for e in briefly
        ]
        out += _more(len(errors) - TARGET_ERROR_LINES, "target errors")
    return out


def _tag(r: CheckResult) -> str:
    return f" ({r.excused})" if r.excused else (" (new)" if r.change == "new" else "")


def _first_line(message: str, width: int = 100) -> str:
    line = (message or "(no message)").splitlines()[0]
    return line if len(line) <= width else line[: width - 1] + "…"


def _totals_tables(finished: RunFinished, endpoints: list[dict[str, Any]] = ()) -> list[str]:
    """Totals per check and per workload; at scale the workload rows carry the coverage too
    (what a row per contract would say, in as many rows as there are workloads)."""
    totals = finished.totals
    covered = _covered_by(list(endpoints), "workload") if _at_scale(endpoints) else {}
    out = [
        "",
        "## Totals per check",
        "",
        "| check | passed | failed | skipped |",
        "|---|--:|--:|--:|",
    ]
    for check, counts in totals.per_check.items():
        out.append(f"| {check} | {counts['passed']} | {counts['failed']} | {counts['skipped']} |")
    header = "| workload | passed | failed | skipped |"
    if covered:
        header += " properties | enum members | boundary classes | invalid classes rejected |"
    out += ["", "## Totals per workload", "", header]
    out.append("|---" + "|--:" * (header.count("|") - 2) + "|")
    for workload, counts in totals.per_workload.items():
        row = f"| {workload} | {counts['passed']} | {counts['failed']} | {counts['skipped']} |"
        if covered:
            row += " " + " | ".join(_shares(covered.get(workload))) + " |"
        out.append(row)
    if covered:
        out += ["", "Coverage per contract and endpoint: `endpoints` in summary.json."]
    return out


def _at_scale(endpoints: list[dict[str, Any]]) -> bool:
    """Too many contracts for a row each: coverage goes per workload, into the totals."""
    return len({e["contract"] for e in endpoints if e.get("coverage")}) > FULL_TABLES


def _covered_by(endpoints: list[dict[str, Any]], unit: str) -> dict[str, dict[str, list[int]]]:
    """Coverage summed per contract or per workload: {name: {kind: [hit, total]}}."""
    grouped: dict[str, dict[str, list[int]]] = defaultdict(
        lambda: {k: [0, 0] for k in COVERAGE_KINDS}
    )
    for e in endpoints:
        if not e.get("coverage"):
            continue
        key = e.get(unit) or "other"
        for kind in COVERAGE_KINDS:
            counts = e["coverage"][kind]
            grouped[key][kind][0] += counts["hit"]
            grouped[key][kind][1] += counts["total"]
    return dict(grouped)


def _shares(kinds: dict[str, list[int]] | None) -> list[str]:
    if kinds is None:
        return ["" for _ in COVERAGE_KINDS]
    return [f"{hit}/{total}" for hit, total in (kinds[k] for k in COVERAGE_KINDS)]


COVERAGE_KINDS = ("properties", "enum_members", "boundaries", "invalid")
LEAST_COVERED = 10


def _ratio(counts: dict[str, int]) -> float:
    return counts["hit"] / counts["total"] if counts["total"] else 1.0


def _coverage(endpoints: list[dict[str, Any]]) -> list[str]:
    """Coverage (what the sent bodies wrote and the service refused) per contract, while a row
    per contract is short (at scale it is per workload, in the totals)."""
    if _at_scale(endpoints):
        return []
    grouped = _covered_by(endpoints, "contract")
    if not grouped:
        return []
    header = (
        "| contract | properties | enum members | boundary classes | invalid classes rejected |"
    )
    out = ["", "## Coverage per contract", "", header, "|---|--:|--:|--:|--:|"]
    for name, kinds in sorted(grouped.items()):
        out.append(f"| {name} | " + " | ".join(_shares(kinds)) + " |")
    return out


def _least_covered(endpoints: list[dict[str, Any]]) -> list[str]:
    """The endpoints whose sent bodies covered least of what their contract offers."""
    rows = [
        e
        for e in endpoints
        if e.get("coverage") and any(_ratio(e["coverage"][k]) < 1 for k in COVERAGE_KINDS)
    ]
    if not rows:
        return []
    least = sorted(rows, key=lambda e: sum(_ratio(e["coverage"][k]) for k in COVERAGE_KINDS))
    shown = min(len(rows), LEAST_COVERED)
    out = ["", f"## Least covered endpoints ({shown} of the {len(rows)} not fully covered)", ""]
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
    """Endpoint × check, while a row per endpoint is short (every one is in summary.json)."""
    if not results:
        return []
    checks = list(dict.fromkeys(r.check for r in results))
    rows: dict[tuple[str, str], dict[str, CheckResult]] = defaultdict(dict)
    for r in results:
        rows[(r.contract, r.path)][r.check] = r
    if len(rows) > FULL_TABLES:  # failures, skips and deviations are each listed above
        return []
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


SKIP_GROUPS = 15  # reasons listed (the rest counted in one line)
DECIDING_SHOWN = 2  # requests named per reason (a table cell: it must stay short)
_REQUEST = re.compile(r"\b(GET|PATCH) (/\S*)")
_TYPE = re.compile(r"#?microsoft\.graph\.[\w.]+")


def deciding_request(message: str) -> tuple[str | None, str]:
    """(the request a skip reason names, what it answered): `no entity reachable: GET /x
    returned 404` -> (`GET /x`, `returned 404`); (None, the reason) when it names none."""
    found = _REQUEST.search(message)
    if found is None:
        return None, message
    return f"{found.group(1)} {found.group(2).rstrip(':,;')}", message[found.end() :].strip(" :")


def skip_reason(message: str) -> str:
    """A skip's cause, the same on every endpoint it kept: without the request's path (named
    apart, as the request that decided it), other paths, or type names (`GET is a (type), not a
    (type)` is one cause whichever derived types a collection held)."""
    reason = _REQUEST.sub(lambda m: m.group(1), message or "no reason given")
    return _TYPE.sub("(type)", reason_group(reason))


def skip_groups(results: list[CheckResult]) -> list[tuple[str, str, list[tuple[str, str | None]]]]:
    """Skips once per endpoint and reason: (checks, reason, [(endpoint, deciding request)]),
    the reasons that kept most endpoints first. `checks` is `every check` when none ran there."""
    by_endpoint: dict[str, list[CheckResult]] = defaultdict(list)
    for r in results:
        by_endpoint[r.endpoint].append(r)
    groups: dict[tuple[str, str], list[tuple[str, str | None]]] = defaultdict(list)
    for endpoint, rows in by_endpoint.items():
        reasons: dict[str, list[CheckResult]] = defaultdict(list)
        for r in rows:
            if r.outcome == "skipped":
                reasons[skip_reason(r.message)].append(r)
        for reason, skipped in reasons.items():
            every = len(skipped) == len(rows) and len(rows) > 1
            checks = "every check" if every else ", ".join(r.check for r in skipped)
            request = next(
                (found for r in skipped if (found := deciding_request(r.message or "")[0])), None
            )
            groups[(checks, reason)].append((endpoint, request))
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    return [(checks, reason, endpoints) for (checks, reason), endpoints in ordered]


def _skips(results: list[CheckResult]) -> list[str]:
    """Skips once per endpoint (not once per check), by reason, naming the requests that
    decided them (the collection GET that answered 404, listed nothing, ...)."""
    groups = skip_groups(results)
    if not groups:
        return []
    endpoints = len({e for _, _, rows in groups for e, _ in rows})
    out = ["", f"## Skips ({endpoints} endpoints)", ""]
    out += ["| endpoints | checks skipped | reason | decided by |", "|--:|---|---|---|"]
    for checks, reason, rows in groups[:SKIP_GROUPS]:
        out.append(f"| {len(rows)} | {checks} | {_cell_text(reason)} | {_deciders(rows)} |")
    rest = groups[SKIP_GROUPS:]
    if rest:
        n = sum(len(rows) for _, _, rows in rest)
        out.append(f"| {n} | | {len(rest)} more reasons (see summary.json) | |")
    return out


def _deciders(rows: list[tuple[str, str | None]]) -> str:
    """The requests that decided a reason's skips, most endpoints first, with an example."""
    requests: Counter[str] = Counter(request for _, request in rows if request)
    if not requests:
        return f"e.g. {_code(rows[0][0])}"
    named = [
        f"{_code(request)}" + (f" ({n} endpoints)" if n > 1 else "")
        for request, n in requests.most_common(DECIDING_SHOWN)
    ]
    more = len(requests) - DECIDING_SHOWN
    return ", ".join(named) + (f", and {more} more requests" if more > 0 else "")


def _cell_text(text: str) -> str:
    return text.replace("|", "\\|")


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
