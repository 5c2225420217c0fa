"""`graph-contracts report merge DIR... --out DIR`: shards' reports as one run's.

Across CI machines the CI system's matrix is the distributed engine: each shard writes its own
report directory, and this puts them back together — summary.json and summary.md re-rendered from
the union of the results (totals recomputed, so they equal a single run's), junit.xml with the
shards' test suites joined, allure-results/ copied side by side (Allure merges by file).

Shards must not overlap (the same endpoint × check in two of them is an error) and, when they say
`K/N`, all N must be there.
"""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from dataclasses import fields
from datetime import datetime
from pathlib import Path
from typing import Any

from graph_contracts.engine.events import RunFinished
from graph_contracts.engine.results import (
    NO_CLEAN_ENDPOINT,
    CheckResult,
    RunInfo,
    TargetError,
    decide,
    tally,
    target_error_verdict,
)
from graph_contracts.engine.triage import key_of
from graph_contracts.reporters.allure import DIRECTORY as ALLURE
from graph_contracts.reporters.history import KEEP
from graph_contracts.reporters.junit import NAME as JUNIT
from graph_contracts.reporters.junit import recount
from graph_contracts.reporters.summary import (
    JSON_NAME,
    MARKDOWN_NAME,
    record_history,
    render_markdown,
    summary_document,
)

COUNTERS = ("requests", "retries", "throttled", "retry_wait_s", "restores", "restore_failures")
_RESULT_FIELDS = {f.name for f in fields(CheckResult)}
_TARGET_ERROR_FIELDS = {f.name for f in fields(TargetError)}
_RUN_FIELDS = {f.name for f in fields(RunInfo)}


class MergeError(ValueError):
    """Reports that cannot be merged; the message names the directory or the overlap."""


def merge(
    dirs: list[Path], out: Path, *, history: Path | None = None, keep: int = KEEP
) -> RunFinished:
    """Merge the report directories into `out`; return the merged run's finish event.

    The merged run is one night of the history (history.jsonl in `out`: the nights of `history`
    and this run), never one line per shard.
    """
    parts = [_read(d) for d in dirs]
    if not parts:
        raise MergeError("report merge: give at least one report directory")
    _check_shards(parts)
    results = _union(parts)
    finished = _finished(parts, results)
    out.mkdir(parents=True, exist_ok=True)
    endpoints = [row for _, doc in parts for row in doc.get("endpoints", [])]
    document = summary_document(results, finished, endpoints)
    # every shard read the same $metadata and compared every contract: one schema section
    schema = next((doc["schema"] for _, doc in parts if isinstance(doc.get("schema"), dict)), None)
    if schema is not None:
        document["schema"] = schema
    text = json.dumps(document, indent=2, ensure_ascii=False)
    (out / JSON_NAME).write_text(text + "\n", encoding="utf-8")
    nights = record_history(history, finished, out, keep)
    markdown = render_markdown(results, finished, endpoints, schema, nights=nights)
    (out / MARKDOWN_NAME).write_text(markdown, encoding="utf-8")
    _merge_junit([d / JUNIT for d, _ in parts], out / JUNIT)
    _copy_allure([d / ALLURE for d, _ in parts], out / ALLURE)
    return finished


def _read(directory: Path) -> tuple[Path, dict[str, Any]]:
    path = directory / JSON_NAME
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MergeError(f"{path}: cannot read ({exc.strerror})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MergeError(f"{path}: not a summary.json ({exc})") from None
    if not isinstance(document, dict) or not isinstance(document.get("results"), list):
        raise MergeError(f"{path}: not a summary.json (no `results` list)")
    if not isinstance(document.get("run"), dict):
        raise MergeError(f"{path}: no `run` object (written by an older graph-contracts?)")
    return directory, document


def _check_shards(parts: list[tuple[Path, dict[str, Any]]]) -> None:
    labels = [doc["run"].get("shard") for _, doc in parts]
    if not any(labels):
        return
    try:
        pairs = {tuple(int(x) for x in label.split("/")) for label in labels}
    except (AttributeError, ValueError):
        raise MergeError(f"report merge: mixing shard and whole-run reports ({labels})") from None
    counts = {n for _, n in pairs}
    if len(counts) != 1:
        raise MergeError(f"report merge: shards of different splits ({', '.join(labels)})")
    (n,) = counts
    missing = sorted(set(range(1, n + 1)) - {k for k, _ in pairs})
    if missing or len(pairs) != len(labels):
        what = f"missing {', '.join(f'{k}/{n}' for k in missing)}" if missing else "a shard twice"
        raise MergeError(f"report merge: {what}; the merge would not equal a full run")


def _union(parts: list[tuple[Path, dict[str, Any]]]) -> list[CheckResult]:
    seen: dict[tuple[str, ...], Path] = {}
    results = []
    for directory, document in parts:
        for row in document["results"]:
            result = CheckResult(**{k: v for k, v in row.items() if k in _RESULT_FIELDS})
            key = key_of(result)
            if key in seen:
                raise MergeError(
                    f"report merge: {result.check} on {result.endpoint} is in both "
                    f"{seen[key]} and {directory}: shards overlap"
                )
            seen[key] = directory
            results.append(result)
    return results


def _finished(parts: list[tuple[Path, dict[str, Any]]], results: list[CheckResult]) -> RunFinished:
    runs = [doc["run"] for _, doc in parts]
    counts = [doc.get("totals", {}).get("endpoints", 0) for _, doc in parts]
    # Shards split the endpoints; xdist workers each know all of them (the scheduler splits).
    workers = any(run.get("worker") for run in runs)
    endpoints = max(counts) if workers else sum(counts)
    contracts = max(doc.get("totals", {}).get("contracts", 0) for _, doc in parts)
    totals = tally(results, endpoints, contracts)
    for name in COUNTERS:
        setattr(totals, name, sum(doc.get("totals", {}).get(name, 0) for _, doc in parts))
    totals.failing = sum(r.outcome == "failed" and not r.excused for r in results)
    totals.new_failures = sum(r.change == "new" for r in results)
    totals.fixed = sum(r.change == "fixed" for r in results)
    totals.known_failures = sum(bool(r.known and r.known.startswith("known")) for r in results)
    totals.known_fixed = sum(bool(r.known and r.known.startswith("fixed:")) for r in results)
    totals.expired_known = sum(bool(r.known and r.known.startswith("expired")) for r in results)
    for _, doc in parts:
        for cause, n in doc.get("totals", {}).get("retried", {}).items():
            totals.retried[cause] = totals.retried.get(cause, 0) + n
    errors = tuple(
        TargetError(**{k: v for k, v in row.items() if k in _TARGET_ERROR_FIELDS})
        for _, doc in parts
        for row in doc.get("target_errors", [])
    )
    totals.target_errors = len(errors)
    left = tuple(item for _, doc in parts for item in doc.get("left_changed", []))
    # A shard's own "no clean endpoint" verdict is recomputed over the whole run.
    said = [run.get("message") or "" for run in runs]
    message = "; ".join(m for m in said if m and not m.startswith(NO_CLEAN_ENDPOINT))
    message = message or target_error_verdict(results, errors)
    outcome = decide(
        totals,
        fatal=message,
        interrupted=any(run.get("outcome") == "interrupted" for run in runs),
        left_changed=bool(left),
    )
    started = min(run["started"] for run in runs)
    finished = max(run.get("finished") or run["started"] for run in runs)
    first = {k: v for k, v in runs[0].items() if k in _RUN_FIELDS}
    first.update(
        api_versions=tuple(sorted({v for run in runs for v in run.get("api_versions", [])})),
        faults=tuple(first.get("faults", ())),
        started=started,
        endpoints=endpoints,
        shard=None,
        worker=None,
    )
    info = RunInfo(**first)
    reasons: dict[str, int] = {}
    if totals.checks_run == 0:
        for _, doc in parts:
            for reason, n in doc.get("nothing_checked_reasons", {}).items():
                reasons[reason] = reasons.get(reason, 0) + n
    return RunFinished(
        info, outcome, totals, _seconds(started, finished), finished, message, reasons, left, errors
    )


def _seconds(started: str, finished: str) -> float:
    """Wall time from the first shard's start to the last shard's end."""
    try:
        begin = datetime.fromisoformat(started.replace("Z", "+00:00"))
        end = datetime.fromisoformat(finished.replace("Z", "+00:00"))
    except ValueError:
        return 0.0
    return round((end - begin).total_seconds(), 3)


def _merge_junit(paths: list[Path], out: Path) -> None:
    """The shards' test suites under one root; suites of the same contract joined."""
    root = ET.Element("testsuites", name="graph-contracts")
    suites: dict[str, ET.Element] = {}
    for path in paths:
        if not path.is_file():
            continue
        try:
            tree = ET.parse(path)
        except ET.ParseError as exc:
            raise MergeError(f"{path}: not JUnit XML ({exc})") from None
        for suite in tree.getroot().iter("testsuite"):
            name = suite.get("name", "")
            if name in suites:
                suites[name].extend(suite.findall("testcase"))
            else:
                suites[name] = suite
                root.append(suite)
    for suite in suites.values():
        recount(suite)
    recount(root)
    ET.ElementTree(root).write(out, encoding="utf-8", xml_declaration=True)


def _copy_allure(sources: list[Path], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for source in sources:
        if source.is_dir():
            for item in source.iterdir():
                shutil.copy2(item, out / item.name)
