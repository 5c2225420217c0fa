"""Baselines and known failures: what a failure means for tonight's verdict."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from drive import run_cli, summary_of

from graph_contracts.engine.results import CheckResult
from graph_contracts.engine.triage import Baseline, Triage, TriageError, load_known_failures

ROOT = Path(__file__).resolve().parent.parent
P = "/deviceManagement/deviceConfigurations/{deviceConfigurationId}/userStatuses/{id}"


def result(
    check: str, outcome: str, path: str = P, contract: str = "beta/userStatus"
) -> CheckResult:
    return CheckResult(contract, "beta", path, check, outcome)  # type: ignore[arg-type]


def baseline(tmp_path: Path, *results: CheckResult) -> Baseline:
    path = tmp_path / "baseline.json"
    document = {"run": {"started": "2026-11-30T02:00:00Z", "seed": 1, "outcome": "failed"}}
    document["results"] = [r.to_dict() for r in results]
    path.write_text(json.dumps(document))
    return Baseline.load(path)


def test_changes_against_a_baseline(tmp_path: Path) -> None:
    old = baseline(
        tmp_path,
        result("status", "failed"),
        result("shape", "passed"),
        result("merge", "failed"),
    )
    triage = Triage(old)
    changes = {
        r.check: triage.annotate(r).change
        for r in (
            result("status", "failed"),  # failing then and now
            result("shape", "failed"),  # new
            result("merge", "passed"),  # fixed
            result("auth", "failed"),  # not in the baseline
        )
    }
    assert changes == {"status": "unchanged", "shape": "new", "merge": "fixed", "auth": "unknown"}


def test_fail_on_new_excuses_only_failures_the_baseline_had(tmp_path: Path) -> None:
    triage = Triage(baseline(tmp_path, result("status", "failed")), fail_on="new")
    old, new = (
        triage.annotate(result("status", "failed")),
        triage.annotate(result("shape", "failed")),
    )
    assert not triage.counts(old) and "baseline" in (old.excused or "")
    assert triage.counts(new) and new.excused is None
    assert Triage(triage.baseline).counts(
        Triage(triage.baseline).annotate(result("status", "failed"))
    )


def known(tmp_path: Path, text: str) -> list:
    path = tmp_path / "known.yml"
    path.write_text(text)
    return load_known_failures(path)


def test_known_failures_match_excuse_expire_and_say_when_fixed(tmp_path: Path) -> None:
    entries = known(
        tmp_path,
        """
- check: round-trip
  path: "/deviceManagement/*/userStatuses/*"
  reason: service trims strings (ticket 123)
- check: merge
  contract: beta/userStatus
  until: 2026-11-30
- check: status
  version: v1.0
""",
    )
    triage = Triage(known=entries, today=dt.date(2026, 12, 1))
    excused = triage.annotate(result("round-trip", "failed"))
    assert not triage.counts(excused) and excused.known.startswith("known failure (line 2:")
    assert "ticket 123" in excused.known
    expired = triage.annotate(result("merge", "failed"))
    assert triage.counts(expired) and expired.known.startswith("expired known failure")
    fixed = triage.annotate(result("round-trip", "passed"))
    assert fixed.known.startswith("fixed: remove it from the known failures")
    other_version = triage.annotate(result("status", "failed"))  # entry is for v1.0 only
    assert triage.counts(other_version) and other_version.known is None
    elsewhere = triage.annotate(result("round-trip", "failed", path="/deviceAppManagement/x"))
    assert triage.counts(elsewhere)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("check: x", "known.yml:1: expected a list of entries"),
        ("- path: /a\n", "known.yml:1: `check` is required"),
        ("- check: status\n  untl: 2026-01-01\n", "known.yml:1: unknown field 'untl'"),
        ("- check: status\n- check: merge\n  until: soon\n", "known.yml:2: `until` must be a date"),
        ("- [", "known.yml: not YAML"),
    ],
)
def test_a_bad_known_failures_file_names_file_and_line(tmp_path: Path, text: str, message: str):
    with pytest.raises(TriageError, match=message.replace("(", r"\(").replace("[", r"\[")):
        known(tmp_path, text)


def test_a_bad_baseline_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text("{}")
    with pytest.raises(TriageError, match=r"b\.json: not a summary\.json \(no `results` list\)"):
        Baseline.load(path)


# --- as a nightly job uses it -----------------------------------------------------------------

CONTRACTS = ["--contracts", str(ROOT / "contracts"), "--version", "v1.0"]
FAST = ["--max-examples", "3", "--seed", "2", "--no-progress", "--schemathesis", "0"]


def test_nightly_baseline_and_known_failures_through_the_cli(tmp_path: Path) -> None:
    night1 = tmp_path / "night1"
    code, _ = run_cli(*CONTRACTS, *FAST, "--fault", "drop-field", "--report-dir", str(night1))
    assert code == 1
    base = night1 / "summary.json"

    # Night 2: the same failure; with --fail-on new it does not fail the run.
    night2 = tmp_path / "night2"
    args = [*CONTRACTS, *FAST, "--fault", "drop-field", "--report-dir", str(night2)]
    code, output = run_cli(*args, "--baseline", str(base), "--fail-on", "new")
    assert code == 0, output
    summary = summary_of(night2)
    failed = [r for r in summary["results"] if r["outcome"] == "failed"]
    assert failed and {r["change"] for r in failed} == {"unchanged"}
    assert summary["totals"]["new_failures"] == 0 and summary["run"]["baseline"]["seed"] == 2
    md = (night2 / "summary.md").read_text()
    assert md.index("## Changes since") < md.index("## Failures")
    # ...but with the default --fail-on any it does.
    code, _ = run_cli(*args, "--baseline", str(base))
    assert code == 1

    # Night 3: a new defect besides the old one is new, and fails the run even with --fail-on new.
    night3 = tmp_path / "night3"
    code, output = run_cli(
        *CONTRACTS,
        *FAST,
        "--fault",
        "drop-field",
        "--fault",
        "status-201",
        "--report-dir",
        str(night3),
        "--baseline",
        str(base),
        "--fail-on",
        "new",
    )
    assert code == 1, output
    summary = summary_of(night3)
    assert {r["check"] for r in summary["results"] if r["change"] == "new"} == {"status"}

    # Known failures excuse what they name, until they expire.
    entries = tmp_path / "known.yml"
    entries.write_text("- check: round-trip\n  reason: trims strings\n  until: 2999-01-01\n")
    night4 = tmp_path / "night4"
    args = [*CONTRACTS, *FAST, "--fault", "drop-field", "--report-dir", str(night4)]
    code, output = run_cli(*args, "--known-failures", str(entries))
    assert code == 0, output
    assert "Known failures" in (night4 / "summary.md").read_text()
    entries.write_text("- check: round-trip\n  until: 2020-01-01\n")
    code, _ = run_cli(*args, "--known-failures", str(entries))
    assert code == 1
    assert "expired known failure" in (night4 / "summary.md").read_text()


def test_fail_on_new_without_a_baseline_counts_every_failure(tmp_path: Path) -> None:
    """The first night has no baseline: every failure is new, and fails the run."""
    code, output = run_cli(
        *CONTRACTS,
        *FAST,
        "--report-dir",
        str(tmp_path),
        "--fail-on",
        "new",
        "--fault",
        "drop-field",
    )
    assert code == 1, output
    assert summary_of(tmp_path)["totals"]["failing"] == summary_of(tmp_path)["totals"]["failed"] > 0
