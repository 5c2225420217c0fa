"""The nightly trend: one JSON line per run in a history file carried from night to night.

summary.json holds one run, and `--baseline` compares it with the night before; nobody sees the
week or the month: are failures creeping up, which workload regressed when. Every whole run and
every `report merge` writes `history.jsonl` beside summary.json: the nights of `--history FILE`
(last night's `history.jsonl`, carried by CI as it carries the baseline; also updated in place)
plus this run's line — its date, outcome, totals, failures per workload, new and fixed against
the baseline — the last `keep` of them. summary.md draws them: a Mermaid `xychart-beta` chart,
which GitHub renders inline in a job summary or any markdown file, and a table of the last nights.

A merged run is one night: shards write no history and refuse `--history` (they would add one
line each); their `report merge` takes it. Files are rewritten whole through a temporary file and
`os.replace`, so a job killed mid-write leaves last night's file, never a torn line; a file that is
not a history is refused before the run starts (one line naming file:line), and never replaced.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from graph_contracts.engine.events import RunFinished

NAME = "history.jsonl"  # the CI templates carry it beside summary.json, as they carry the baseline
KEEP = 60  # nights kept in the file (two months of nightlies)
CHART_NIGHTS = 30  # nights drawn in the chart
TABLE_NIGHTS = 7  # nights listed in the table, newest first (a week)
WORKLOAD_NIGHTS = 7  # nights (columns) in the per-workload table
COUNTS = ("passed", "failed", "skipped", "failing", "new", "fixed", "endpoints_checked")


class HistoryError(ValueError):
    """A history file that cannot be used; the message names file:line and what is wrong."""


def night(finished: RunFinished) -> dict[str, Any]:
    """The line one finished run adds to the history."""
    totals, run = finished.totals, finished.run
    failed_by_workload = {
        workload: counts["failed"]
        for workload, counts in totals.per_workload.items()
        if counts.get("failed")
    }
    return {
        "date": run.started[:10],
        "started": run.started,
        "outcome": finished.outcome,
        "seed": run.seed,
        "target": run.target,
        "passed": totals.passed,
        "failed": totals.failed,
        "skipped": totals.skipped,
        "failing": totals.failing,
        "new": totals.new_failures,
        "fixed": totals.fixed,
        "endpoints": totals.endpoints,
        "endpoints_checked": totals.endpoints_checked,
        "failed_by_workload": failed_by_workload,
    }


def load(path: Path) -> list[dict[str, Any]]:
    """The nights in `path` (none when it does not exist yet: the first night)."""
    if not path.exists():
        return []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise HistoryError(f"{path}: cannot read the history ({exc})") from None
    nights = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            nights.append(_parse(line, f"{path}:{number}"))
    return nights


def _parse(line: str, where: str) -> dict[str, Any]:
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        raise HistoryError(f"{where}: not JSON ({exc.msg}); is this a history file?") from None
    if not isinstance(value, dict):
        raise HistoryError(f"{where}: not a JSON object; is this a history file?")
    if not isinstance(value.get("date"), str) or not value.get("started"):
        raise HistoryError(f"{where}: no `date` and `started` strings; is this a history file?")
    for key in COUNTS:
        if not isinstance(value.get(key, 0), int):
            raise HistoryError(f"{where}: `{key}` is not a whole number")
    by_workload = value.get("failed_by_workload", {})
    if not isinstance(by_workload, dict) or not all(
        isinstance(n, int) for n in by_workload.values()
    ):
        raise HistoryError(f"{where}: `failed_by_workload` is not an object of whole numbers")
    return value


def record(
    path: Path | None, finished: RunFinished, out: Path, keep: int = KEEP
) -> list[dict[str, Any]]:
    """The nights of `path` (none without one) and the finished run, the last `keep` of them,
    written to `out` (beside summary.json) and back to `path`; return them."""
    nights = [*(load(path) if path else []), night(finished)][-max(keep, 1) :]
    save(out, nights)
    if path is not None and path.resolve() != out.resolve():
        save(path, nights)
    return nights


def save(path: Path, nights: list[dict[str, Any]]) -> None:
    """Rewrite `path` whole through a temporary file in its folder (never a torn line)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(n, ensure_ascii=False, sort_keys=True) + "\n" for n in nights)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# --- markdown -----------------------------------------------------------------------------------


def labels(nights: list[dict[str, Any]]) -> list[str]:
    """`12-08` per night; `12-08 02:17` where two runs share a date (a rerun), with the seconds
    where they share the minute too, and a number where even those agree: one name per night."""
    names = [n["date"][5:] for n in nights]
    for width in (16, 19):  # started[11:16] is hh:mm, [11:19] hh:mm:ss
        names = [
            f"{n['date'][5:]} {n['started'][11:width]}" if names.count(name) > 1 else name
            for name, n in zip(names, nights, strict=True)
        ]
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name} #{seen[name]}")
    return unique


def chart(nights: list[dict[str, Any]]) -> str:
    """A Mermaid xychart-beta of failed checks (bars) and new failures (line) per night.

    xychart-beta draws no legend, so the title says which series is which.
    """
    shown = nights[-CHART_NIGHTS:]
    failed = [n["failed"] for n in shown]
    new = [n.get("new", 0) for n in shown]
    top = max([*failed, *new, 1])
    axis = ", ".join(f'"{label}"' for label in labels(shown))
    return "\n".join(
        [
            "xychart-beta",
            '    title "Failed checks per night (bars) and new failures (line)"',
            f"    x-axis [{axis}]",
            f'    y-axis "checks" 0 --> {top}',
            f"    bar [{', '.join(map(str, failed))}]",
            f"    line [{', '.join(map(str, new))}]",
        ]
    )


def render(nights: list[dict[str, Any]], source: str = NAME) -> list[str]:
    """The Trend section of summary.md: the chart and the tables from the second night on."""
    if not nights:
        return []
    if len(nights) < 2:
        return [
            "",
            "## Trend",
            "",
            f"One night in `{source}` so far: the chart starts with the second.",
        ]
    out = ["", f"## Trend (last {min(len(nights), CHART_NIGHTS)} nights, `{source}`)", ""]
    out += ["```mermaid", chart(nights), "```", ""]
    out += [
        "| night | outcome | passed | failed | new | fixed | skipped | endpoints checked |",
        "|---|---|--:|--:|--:|--:|--:|--:|",
    ]
    recent = nights[-TABLE_NIGHTS:]
    for label, n in reversed(list(zip(labels(recent), recent, strict=True))):
        out.append(
            f"| {label} | {n['outcome']} | {n['passed']} | {n['failed']} | {n.get('new', 0)} | "
            f"{n.get('fixed', 0)} | {n['skipped']} | {n.get('endpoints_checked', 0)} |"
        )
    return out + _per_workload(nights[-WORKLOAD_NIGHTS:])


def _per_workload(nights: list[dict[str, Any]]) -> list[str]:
    """Failed checks per workload and night: which workload regressed when."""
    workloads = sorted({w for n in nights for w in n.get("failed_by_workload", {})})
    if not workloads:
        return []
    names = labels(nights)
    out = ["", "Failed checks per workload:", ""]
    out += ["| workload | " + " | ".join(names) + " |", "|---|" + "--:|" * len(names)]
    for workload in workloads:
        cells = [str(n.get("failed_by_workload", {}).get(workload, 0)) for n in nights]
        out.append(f"| {workload} | " + " | ".join(cells) + " |")
    return out
