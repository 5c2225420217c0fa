"""Precision edges: the minimal plan writes the numbers real stacks lose, and a server that loses them
fails `round-trip`.

A float32 keeps integers exactly up to 2^24, a double up to 2^53 (GRAPH-FACTS.md); a Double needs
17 significant digits, which .NET Framework's Double.ToString() did not write. The extremes the plan
always wrote (an Int32's minimum, maximum and 0) are exact in a float32 or come back saturated, so
a service storing Int32 through a float32 passed every check. Proven on the independent reference
server (tests/reference/), faithful and with one defect each, on a contract that has every type.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from drive import run_cli, summary_of
from reference import create_app
from reference.mangling import PRECISION_DEFECTS
from servers import reference_process

from graph_contracts import contracts as contract_files
from graph_contracts import plan, strategies
from graph_contracts.auth import StaticToken
from graph_contracts.client import GraphClient, InProcessTransport
from graph_contracts.contracts import Contract, Property
from graph_contracts.engine import Run, RunConfig
from graph_contracts.engine.target import SERVICE, Target

TOKEN = "precision-token-9b1d"
BASE = "http://reference.test"
GAUGE = Contract(
    version="beta",
    resource="microsoft.graph.gauge",
    paths=["/gauges/{gaugeId}"],
    properties=[
        Property("id", "Edm.String", key=True, nullable=False),
        Property("count", "Edm.Int32"),
        Property("big", "Edm.Int64"),
        Property("amount", "Edm.Decimal"),
        Property("ratio", "Edm.Double"),
    ],
    status=200,
)
EDGES = {
    "count:int32-beyond-float32": 16_777_217,
    "big:int64-beyond-double": 9_007_199_254_740_993,
    "amount:decimal-beyond-double": 9_007_199_254_740_993,
    "ratio:double-17-digits": 0.30000000000000004,
}
# Four classes per number: max, min, 0 and the edge for integers; 0, negative, fraction and
# the edge for Decimal and Double.
BOUNDARIES = 16
# What each defect turns the edge into, as the failure names it.
CAUGHT = {
    "int32-through-float32": "count: sent 16777217, got 16777216",
    "int64-through-double": "big: sent 9007199254740993, got 9007199254740992",
    "decimal-through-double": "amount: sent 9007199254740993, got 9007199254740992.0",
    "double-15-digits": "ratio: sent 0.30000000000000004, got 0.3",
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gauge")
    contract_files.save([GAUGE], out)
    return out


def test_the_minimal_plan_writes_the_precision_edges() -> None:
    found = plan.minimal_plan(GAUGE)
    assert set(EDGES) <= set(found.targets.boundaries)
    assert len(found.targets.boundaries) == BOUNDARIES
    for name, value in EDGES.items():
        prop = name.partition(":")[0]
        assert value in [body.get(prop) for body in found.valid], name
    assert len(found.valid) == found.bound == 4  # four values of each number, in four PATCHes
    assert all(strategies.classify(GAUGE, body) == "valid" for body in found.valid)
    # Coverage names what a run missed: bodies without the edges cover every other class.
    old_plan = [{"count": c, "big": c, "amount": a, "ratio": a} for c, a in [(0, 0.0), (1, -1.5)]]
    old_plan += [{"count": 2**31 - 1, "big": 2**63 - 1}, {"count": -(2**31), "big": -(2**63)}]
    missed = plan.coverage(GAUGE, old_plan, []).missed["boundaries"]
    assert set(missed) == set(EDGES)


def run_in_process(
    folder: Path, defects: tuple[str, ...] = (), variants: tuple[str, ...] = ()
) -> Run:
    app = create_app(folder, token=TOKEN, defects=defects, variants=variants)
    client = GraphClient(BASE, "beta", auth=StaticToken(TOKEN), transport=InProcessTransport(app))
    target = Target(BASE, SERVICE, {"beta": client}, StaticToken(TOKEN), [TOKEN])
    config = RunConfig(
        base_url=BASE,
        contracts=folder,
        seed=5,
        read_window=0.2,
        allow_writes=True,
        plan="minimal",
        shrink_budget=3,
    )
    run = Run(config, contract_files.load(folder), target=target)
    run.execute()
    return run


@pytest.mark.slow
def test_a_faithful_server_passes_and_the_report_counts_the_classes(
    folder: Path, tmp_path: Path
) -> None:
    """The real command against the reference server as a real process: summary.json counts
    every precision class, each written and accepted."""
    args = ["--contracts", str(folder), "--allow-writes", "--plan", "minimal", "--seed", "5"]
    args += ["--read-window", "0.2", "--write-rate", "1000/1"]  # no pacing: a local server
    with reference_process(folder, token=TOKEN) as url:
        code, output = run_cli(
            *args,
            "--base-url",
            url,
            "--token",
            TOKEN,
            "--no-progress",
            "--report-dir",
            str(tmp_path),
        )
    assert code == 0, output
    (endpoint,) = summary_of(tmp_path)["endpoints"]
    assert endpoint["coverage"]["boundaries"] == {"hit": BOUNDARIES, "total": BOUNDARIES}


@pytest.mark.slow
@pytest.mark.parametrize("defect", sorted(PRECISION_DEFECTS))
def test_a_server_storing_through_a_narrower_float_fails_round_trip(
    defect: str, folder: Path
) -> None:
    run = run_in_process(folder, (defect,))
    failed = {r.check: r.message for r in run.results if r.outcome == "failed"}
    assert set(failed) == {"round-trip", "read-after-write"}, failed
    assert CAUGHT[defect] in failed["round-trip"], failed["round-trip"]


@pytest.mark.slow
def test_a_decimal_spelled_with_an_exponent_keeps_its_digits(folder: Path) -> None:
    """The reference's faithful `other-spelling` writes 9007199254740993 as `9.007199254740993E15`:
    read as a double that is ...992, so replies are read with their digits (`edm.JsonNumber`)."""
    run = run_in_process(folder, variants=("other-spelling",))
    assert [r for r in run.results if r.outcome == "failed"] == []
    assert {r.check for r in run.results if r.outcome == "passed"} >= {"round-trip", "merge"}
