"""The nightly trend: every whole run and merge writes history.jsonl beside summary.json (last
night's, given with --history, plus this run; one line per merged run, none per shard), keeps the
last N, and summary.md draws it from the second night on, as a Mermaid xychart-beta that
mermaid's own parser (the one GitHub runs) accepts."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
from drive import run_cli, summary_of
from typer.testing import CliRunner

from graph_contracts import cli
from graph_contracts.engine.events import RunFinished
from graph_contracts.engine.results import CheckResult, RunInfo, tally
from graph_contracts.reporters import SummaryReporter
from graph_contracts.reporters import history as H

ROOT = Path(__file__).resolve().parent.parent
ARGS = ["--contracts", str(ROOT / "contracts"), "--max-examples", "1", "--seed", "3"]
ARGS += ["--no-progress", "--schemathesis", "0"]
RUN = RunInfo(
    tool_version="0.1.0",
    target="https://graph.test",
    target_kind="service",
    api_versions=("beta",),
    seed=7,
    started="2026-12-01T02:17:00Z",
    mode="tolerant",
    plan="minimal",
    max_examples=2,
    contracts=2,
    endpoints=3,
)
# mermaid's parser, as GitHub's renderer runs it; jsdom gives it the DOM it needs at import.
NPM_PACKAGES = ("mermaid@11.17.2", "jsdom@26.1.0")
NPM_DIR = Path(tempfile.gettempdir()) / "graph-contracts-mermaid"


def finished(started: str, *failed_in: str, new: int = 0) -> RunFinished:
    """A run with one failed check per workload named in `failed_in` and one passed check."""
    rows = [CheckResult("beta/a", "beta", "/a/{id}", "status", "passed", workload="directory")]
    rows += [
        CheckResult("beta/w", "beta", f"/{w}/{{id}}", "merge", "failed", workload=w)
        for w in failed_in
    ]
    totals = tally(rows, endpoints=3, contracts=2)
    totals.new_failures = new
    run = replace(RUN, started=started)
    outcome = "failed" if failed_in else "passed"
    return RunFinished(run, outcome, totals, 1.0, started)


# --- the file ----------------------------------------------------------------------------------


def test_a_night_is_its_date_outcome_totals_and_failures_per_workload() -> None:
    night = H.night(finished("2026-12-01T02:17:00Z", "intune", "intune", "outlook", new=2))
    assert night == {
        "date": "2026-12-01",
        "started": "2026-12-01T02:17:00Z",
        "outcome": "failed",
        "seed": 7,
        "target": "https://graph.test",
        "passed": 1,
        "failed": 3,
        "skipped": 0,
        "failing": 3,
        "new": 2,
        "fixed": 0,
        "endpoints": 3,
        "endpoints_checked": 3,
        "failed_by_workload": {"intune": 2, "outlook": 1},
    }


def test_record_appends_keeps_the_last_nights_and_leaves_no_temporary_file(
    tmp_path: Path,
) -> None:
    carried, out = tmp_path / "ci" / H.NAME, tmp_path / "reports" / H.NAME
    for day in range(1, 6):
        nights = H.record(carried, finished(f"2026-12-0{day}T02:17:00Z", "intune"), out, keep=3)
    assert [n["date"] for n in nights] == ["2026-12-03", "2026-12-04", "2026-12-05"]
    assert H.load(carried) == H.load(out) == nights
    assert len(out.read_text().splitlines()) == 3
    assert sorted(p.name for p in carried.parent.iterdir()) == [H.NAME]
    assert sorted(p.name for p in out.parent.iterdir()) == [H.NAME]
    first = H.record(None, finished("2026-12-06T02:17:00Z"), tmp_path / "new" / H.NAME)
    assert [n["date"] for n in first] == ["2026-12-06"]  # no history given: tonight starts one


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "history.jsonl:2: not JSON"),
        ("[1, 2]", "history.jsonl:2: not a JSON object"),
        ('{"failed": 1}', "history.jsonl:2: no `date` and `started`"),
        ('{"date": "2026-12-02", "started": "x", "failed": "3"}', "`failed` is not a whole"),
        ('{"date": "d", "started": "x", "failed_by_workload": {"a": "1"}}', "failed_by_workload"),
    ],
)
def test_a_file_that_is_not_a_history_names_file_and_line(
    tmp_path: Path, line: str, message: str
) -> None:
    path = tmp_path / H.NAME
    path.write_text(json.dumps(H.night(finished("2026-12-01T02:17:00Z"))) + "\n" + line + "\n")
    with pytest.raises(H.HistoryError, match=re.escape(message)):
        H.load(path)


def test_a_history_that_cannot_be_written_is_said_and_the_summary_is_kept(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    reporter = SummaryReporter(tmp_path / "reports", history=tmp_path / "a-file" / H.NAME)
    reporter.handle(finished("2026-12-01T02:17:00Z", "intune"))
    md = (tmp_path / "reports" / "summary.md").read_text()
    assert md.startswith("# graph-contracts: FAILED")
    assert f"**History:** {tmp_path / 'reports' / H.NAME} was not written" in md


# --- summary.md ----------------------------------------------------------------------------------


def chart_of(md: str) -> str:
    found = re.search(r"```mermaid\n(.*?)\n```", md, re.S)
    assert found, "summary.md has no mermaid chart"
    return found.group(1)


def series(chart: str, name: str) -> list[str]:
    found = re.search(rf"^    {name} \[(.*)\]$", chart, re.M)
    assert found, f"no {name} in\n{chart}"
    return [v.strip() for v in found.group(1).split(",")]


def test_the_chart_has_one_point_per_night_in_every_series() -> None:
    nights = [
        H.night(finished("2026-12-01T02:17:00Z", "intune")),
        H.night(finished("2026-12-02T02:17:00Z", "intune", "outlook", new=1)),
        H.night(finished("2026-12-02T09:40:00Z")),  # a rerun the same day
    ]
    chart = chart_of("\n".join(H.render(nights)))
    assert chart.splitlines()[0] == "xychart-beta"
    assert series(chart, "x-axis") == ['"12-01"', '"12-02 02:17"', '"12-02 09:40"']
    assert series(chart, "bar") == ["1", "2", "0"]
    assert series(chart, "line") == ["0", "1", "0"]
    assert '    y-axis "checks" 0 --> 2' in chart.splitlines()


def test_every_night_has_a_name_of_its_own() -> None:
    starts = ["2026-12-01T02:17:00Z", "2026-12-02T02:17:05Z", "2026-12-02T02:17:40Z"]
    starts += ["2026-12-02T02:17:40Z", "2026-12-03T02:17:00Z"]
    nights = [H.night(finished(started)) for started in starts]
    assert H.labels(nights) == [
        "12-01",
        "12-02 02:17:05",
        "12-02 02:17:40",
        "12-02 02:17:40 #2",
        "12-03",
    ]


def test_the_tables_list_the_last_nights_newest_first_and_failures_per_workload() -> None:
    nights = [H.night(finished(f"2026-11-{d:02d}T02:17:00Z", "intune")) for d in range(1, 21)]
    nights.append(H.night(finished("2026-11-21T02:17:00Z", "outlook", new=1)))
    md = "\n".join(H.render(nights))
    rows = [line for line in md.splitlines() if re.match(r"\| 11-\d\d \|", line)]
    assert len(rows) == H.TABLE_NIGHTS
    assert rows[0] == "| 11-21 | failed | 1 | 1 | 1 | 0 | 0 | 2 |"
    workload = md[md.index("Failed checks per workload:") :].splitlines()
    assert workload[2] == "| workload | " + " | ".join(f"11-{d}" for d in range(15, 22)) + " |"
    assert workload[4] == "| intune | 1 | 1 | 1 | 1 | 1 | 1 | 0 |"
    assert workload[5] == "| outlook | 0 | 0 | 0 | 0 | 0 | 0 | 1 |"


def test_one_night_says_the_chart_comes_with_the_second() -> None:
    md = "\n".join(H.render([H.night(finished("2026-12-01T02:17:00Z"))]))
    assert "One night in `history.jsonl` so far" in md and "```mermaid" not in md


# --- the commands ------------------------------------------------------------------------------


def test_two_nights_of_run_draw_the_trend(tmp_path: Path) -> None:
    """As CI carries it: the first night starts history.jsonl beside its summary.json; the
    second is given last night's file."""
    code, _ = run_cli(*ARGS, "--report-dir", str(tmp_path / "n1"))
    assert code == 0
    first = (tmp_path / "n1" / "summary.md").read_text()
    assert "One night in `history.jsonl` so far" in first and "```mermaid" not in first
    carried = tmp_path / "carried" / H.NAME
    carried.parent.mkdir()
    shutil.copy(tmp_path / "n1" / H.NAME, carried)
    night2 = [*ARGS, "--report-dir", str(tmp_path / "n2"), "--history", str(carried)]
    code, _ = run_cli(*night2, "--fault", "drop-field")
    assert code == 1
    md = (tmp_path / "n2" / "summary.md").read_text()
    failed = summary_of(tmp_path / "n2")["totals"]["failed"]
    chart = chart_of(md)
    assert len(series(chart, "x-axis")) == 2
    assert series(chart, "bar") == ["0", str(failed)] and failed > 0
    assert md.index("## Failures") < md.index("## Trend") < md.index("## Totals per check")
    for history in (tmp_path / "n2" / H.NAME, carried):  # beside summary.json, and carried
        lines = history.read_text().splitlines()
        assert [json.loads(line)["outcome"] for line in lines] == ["passed", "failed"]


def test_report_merge_appends_the_merged_run_once_and_shards_refuse_history(
    tmp_path: Path,
) -> None:
    history = tmp_path / H.NAME
    refused = [*ARGS, "--shard", "1/2", "--report-dir", str(tmp_path / "x")]
    code, output = run_cli(*refused, "--history", str(history))
    assert code == 2 and "give it to `graph-contracts report merge`" in output
    for k in (1, 2):
        run_cli(*ARGS, "--shard", f"{k}/2", "--report-dir", str(tmp_path / f"s{k}"))
        assert not (tmp_path / f"s{k}" / H.NAME).exists()  # a shard is no night
    shards = [str(tmp_path / "s1"), str(tmp_path / "s2")]
    merged = CliRunner().invoke(
        cli.app,
        ["report", "merge", *shards, "--out", str(tmp_path / "m"), "--history", str(history)],
        catch_exceptions=False,
    )
    assert merged.exit_code == 0, merged.output
    [line] = (tmp_path / "m" / H.NAME).read_text().splitlines()  # no history yet: one night
    assert json.loads(line)["passed"] == summary_of(tmp_path / "m")["totals"]["passed"]
    assert history.read_text().splitlines() == [line]  # and FILE starts with it


def test_a_bad_history_stops_the_run_before_anything_is_sent_and_is_kept(tmp_path: Path) -> None:
    history = tmp_path / H.NAME
    history.write_text("<html>not a history</html>\n")
    code, output = run_cli(*ARGS, "--report-dir", str(tmp_path / "r"), "--history", str(history))
    assert code == 2 and f"{history}:1: not JSON" in output
    assert history.read_text() == "<html>not a history</html>\n"
    assert not (tmp_path / "r" / "summary.json").exists()


def test_the_cli_keeps_as_many_nights_as_the_reporter_by_default() -> None:
    assert cli.HISTORY_KEEP == H.KEEP


# --- mermaid's own parser ----------------------------------------------------------------------


def mermaid_parser() -> Path:
    """mermaid and jsdom from npm, installed once into a temporary prefix (kept between runs)."""
    if not (NPM_DIR / "node_modules" / "mermaid" / "package.json").exists():
        npm = shutil.which("npm")
        assert npm, "npm is needed to check the chart with mermaid's own parser"
        done = subprocess.run(
            [npm, "install", "--prefix", str(NPM_DIR), *NPM_PACKAGES, "--no-audit", "--no-fund"],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stdout + done.stderr
    return NPM_DIR


def parse_with_mermaid(charts: dict[str, str], folder: Path) -> dict[str, dict]:
    for name, text in charts.items():
        (folder / f"{name}.mmd").write_text(text, encoding="utf-8")
    done = subprocess.run(
        ["node", str(ROOT / "tests" / "mermaid_parse.mjs"), *(f"{folder}/{n}.mmd" for n in charts)],
        cwd=mermaid_parser(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return {Path(r["file"]).stem: r for r in map(json.loads, done.stdout.splitlines())}


@pytest.mark.slow
def test_mermaids_own_parser_accepts_the_chart_and_refuses_a_broken_one(tmp_path: Path) -> None:
    nights = [H.night(finished(f"2026-12-{d:02d}T02:17:00Z", "intune")) for d in range(1, 32)]
    nights += [H.night(finished("2026-12-31T09:40:00Z", new=3))]  # a rerun: labels with a time
    chart = H.chart(nights)
    broken = chart.replace("    bar [", "    bar [,")  # a value missing: mermaid must refuse it
    parsed = parse_with_mermaid({"chart": chart, "broken": broken}, tmp_path)
    assert parsed["chart"] == {"file": str(tmp_path / "chart.mmd"), "ok": True, "type": "xychart"}
    assert parsed["broken"]["ok"] is False


@pytest.mark.slow  # runs pytest as real processes
def test_the_plugin_on_xdist_records_the_session_once(tmp_path: Path) -> None:
    """`pytest tests/contract -n 2 --graph-history FILE`: the workers' summaries merge into one
    run, and that run is the one night appended (never one line per worker)."""
    history = tmp_path / H.NAME
    done = subprocess.run(
        [
            *(sys.executable, "-m", "pytest", str(ROOT / "tests" / "contract"), "-n", "2"),
            *("-p", "no:cacheprovider", "--graph-report-dir", str(tmp_path / "reports")),
            *("--graph-contracts", str(ROOT / "contracts"), "--graph-max-examples", "1"),
            *("--graph-schemathesis", "0", "--graph-history", str(history)),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:]
    [line] = history.read_text().splitlines()
    merged = summary_of(tmp_path / "reports")
    assert json.loads(line)["passed"] == merged["totals"]["passed"] > 0
    assert (
        "One night in `history.jsonl` so far" in (tmp_path / "reports" / "summary.md").read_text()
    )
