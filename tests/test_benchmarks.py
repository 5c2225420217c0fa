"""Every benchmark still runs: each script under benchmarks/ (and scripts/) as `--smoke`.

A benchmark nobody runs rots: `bench_suite.py` once failed on its own assertion and then hung, and
nothing noticed until its figure had to be re-measured. Here each script runs as a real process,
as `make bench` starts it, at a small size (`--smoke`): no timing is asserted (the machine is
shared), only that it ends, with status 0, printing what its figure is made of. A new script
without `--smoke` fails here.
"""

from __future__ import annotations

import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from published import page

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = sorted([*(ROOT / "benchmarks").glob("*.py"), *(ROOT / "scripts").glob("*.py")])
# What each script's output must show: the lines its published figure is read from.
SHOWS = {
    "bench_extract.py": ("regex scan :", "--json     :", "in-process :"),
    "bench_failing_cost.py": ("clean run (baseline):", "--fault not-persisted:", "extra cost:"),
    "bench_metadata.py": ("plain parse", "graph-contracts reader", "revalidated (304)"),
    "bench_live_budget.py": ("whole command:", "server saw", "0 429s"),
    "bench_mock.py": ("mock in-process", "mock over loopback"),
    "bench_pacing.py": ("Pacer.acquire, 2 budgets",),
    "bench_suite.py": ("graph-contracts, in-process", "schemathesis run, loopback", "ratio"),
    "corpus_run.py": ("failed", "endpoints checked"),
}
DEADLINE = 240  # seconds per script; the smoke runs take 1-40 s on the 2-core CI machine


def test_every_script_is_known_here() -> None:
    assert sorted(p.name for p in SCRIPTS) == sorted(SHOWS)


@pytest.mark.slow  # real processes
@pytest.mark.timeout(DEADLINE + 30)
@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_the_script_runs_in_smoke_mode(script: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(script), "--smoke"],
        capture_output=True,
        text=True,
        timeout=DEADLINE,  # a hang fails here instead of eating CI
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    for line in SHOWS[script.name]:
        assert line in done.stdout, f"{script.name} --smoke printed no {line!r}:\n{done.stdout}"


def test_the_manual_publishes_the_corpus_runs_asserted_figures() -> None:
    """docs/mock.md states what scripts/corpus_run.py asserts of the whole-corpus run."""
    figure = runpy.run_path(str(ROOT / "scripts" / "corpus_run.py"))["PUBLISHED"]
    text = " ".join(page("mock.md").split())
    assert f"({figure['contracts']} contracts, {figure['endpoints']} path templates)" in text
    assert (
        f"checks {figure['endpoints_checked']} endpoints: {figure['passed']} checks passed, "
        f"{figure['failed']} failed, {figure['skipped']} skipped. The skipped: "
        f"{figure['another_type']} endpoints whose only reachable entity is of another type"
    ) in text
    assert f"{figure['needs_ids']} that need `--ids` values" in text
    assert f"and {figure['no_id_for_not_found']} singleton paths with no id" in text
