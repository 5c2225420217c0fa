"""Shards: N deterministic parts that together are exactly the full run, merged back into one."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from drive import run_cli, summary_of
from typer.testing import CliRunner

from graph_contracts import contracts as contract_files
from graph_contracts.cli import app
from graph_contracts.engine.config import ConfigError, parse_shard, shard_of

ROOT = Path(__file__).resolve().parent.parent
ARGS = ["--contracts", str(ROOT / "contracts"), "--max-examples", "2", "--seed", "5"]
ARGS += ["--no-progress", "--schemathesis", "0", "--fault", "drop-field"]
KEEP = ("passed", "failed", "skipped", "deviations", "endpoints", "endpoints_checked", "checks_run")


def endpoint_ids() -> list[str]:
    return [f"{c.id} {p}" for c in contract_files.load(ROOT / "contracts") for p in c.paths]


def test_shards_partition_the_endpoints_and_are_stable_when_contracts_are_added() -> None:
    ids = endpoint_ids()
    parts = {k: {i for i in ids if shard_of(i, 3) == k} for k in (1, 2, 3)}
    assert set().union(*parts.values()) == set(ids)
    assert sum(len(p) for p in parts.values()) == len(ids)  # no overlap
    grown = [*ids, *(f"beta/new{i} /things/{{id}}" for i in range(50))]
    assert {i: shard_of(i, 3) for i in ids} == {i: shard_of(i, 3) for i in grown if i in ids}


SHARD_OF_ALL = """
import json, sys
from graph_contracts.engine.config import shard_of
ids = json.load(sys.stdin)
print(json.dumps({i: shard_of(i, 3) for i in ids}))
"""


@pytest.mark.slow  # starts real processes
def test_every_process_puts_an_endpoint_in_the_same_shard() -> None:
    """Shards run on different machines: the split must not depend on the process (a salted
    `hash()` would pass a test run in one process). Each interpreter here gets another
    PYTHONHASHSEED, as separate CI machines do."""
    ids = endpoint_ids()
    here = {i: shard_of(i, 3) for i in ids}
    for seed in ("0", "1", "4242"):
        done = subprocess.run(
            [sys.executable, "-c", SHARD_OF_ALL],
            input=json.dumps(ids),
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            timeout=60,
            check=True,
        )
        assert json.loads(done.stdout) == here, f"PYTHONHASHSEED={seed} splits differently"
    assert len(set(here.values())) == 3  # all three shards get endpoints


@pytest.mark.parametrize("text", ["0/3", "4/3", "a/b", "3", "1/0"])
def test_a_bad_shard_is_a_usage_error(text: str) -> None:
    with pytest.raises(ConfigError, match="--shard must be K/N"):
        parse_shard(text)


def keyed(summary: dict) -> list[tuple[str, ...]]:
    rows = summary["results"]
    return sorted((r["contract"], r["path"], r["check"], r["outcome"]) for r in rows)


def merge(*args: str):
    return CliRunner().invoke(app, ["report", "merge", *args], catch_exceptions=False)


def test_merged_shards_equal_a_single_run(tmp_path: Path) -> None:
    code, _ = run_cli(*ARGS, "--report-dir", str(tmp_path / "full"))
    assert code == 1
    shards = []
    for k in (1, 2, 3):
        shard = tmp_path / f"shard-{k}"
        run_cli(*ARGS, "--shard", f"{k}/3", "--report-dir", str(shard))
        assert summary_of(shard)["run"]["shard"] == f"{k}/3"
        shards.append(str(shard))
    result = merge(*shards, "--out", str(tmp_path / "merged"))
    assert result.exit_code == 1, result.output  # the merged run failed, as the full one did
    full, merged = summary_of(tmp_path / "full"), summary_of(tmp_path / "merged")
    assert {k: merged["totals"][k] for k in KEEP} == {k: full["totals"][k] for k in KEEP}
    assert keyed(merged) == keyed(full)
    assert merged["run"]["outcome"] == full["run"]["outcome"] == "failed"
    assert merged["run"]["shard"] is None and merged["run"]["seed"] == 5
    md = (tmp_path / "merged" / "summary.md").read_text()
    assert md.startswith("# graph-contracts: FAILED")
    assert merged["schema"] == full["schema"]  # every shard read the same $metadata
    assert "## Schema: the service's $metadata" in md
    junit = ET.parse(tmp_path / "merged" / "junit.xml").getroot()
    full_junit = ET.parse(tmp_path / "full" / "junit.xml").getroot()
    assert [junit.get(a) for a in ("tests", "failures", "skipped")] == [
        full_junit.get(a) for a in ("tests", "failures", "skipped")
    ]
    merged_allure = len(list((tmp_path / "merged" / "allure-results").glob("*-result.json")))
    assert merged_allure == len(list((tmp_path / "full" / "allure-results").glob("*-result.json")))


def test_merge_refuses_what_would_not_equal_a_full_run(tmp_path: Path) -> None:
    for k in (1, 2):
        run_cli(*ARGS, "--shard", f"{k}/2", "--report-dir", str(tmp_path / f"s{k}"))
    missing = merge(str(tmp_path / "s1"), "--out", str(tmp_path / "m"))
    assert missing.exit_code == 2 and "missing 2/2" in missing.output
    shutil.copytree(tmp_path / "s1", tmp_path / "again")
    summary = json.loads((tmp_path / "again" / "summary.json").read_text())
    summary["run"]["shard"] = "2/2"
    (tmp_path / "again" / "summary.json").write_text(json.dumps(summary))
    overlap = merge(str(tmp_path / "s1"), str(tmp_path / "again"), "--out", str(tmp_path / "m"))
    assert overlap.exit_code == 2 and "shards overlap" in overlap.output
    nothing = merge(str(tmp_path / "nope"), "--out", str(tmp_path / "m"))
    assert nothing.exit_code == 2 and "nope/summary.json: cannot read" in nothing.output
