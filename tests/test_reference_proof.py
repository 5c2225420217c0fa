"""The suite's power, proven against a server that does not share its code.

`tests/reference/` is a Graph-like server written independently of graph_contracts (its own
Edm parsing, canonical spellings, comparison and storage), following the docs and Graph's
documented behaviour. On the seeds and 24 rich corpus contracts (complex types, nested enums,
collections, flags enums, Duration, Guid, Boolean, Double, Date) the suite must pass in every
faithful variant and catch every defect in the check the catalogue names. The same rich
contracts go through the embedded mock's fault table too.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from reference import DEFECTS, VARIANTS, create_app
from reference.mangling import PRECISION_DEFECTS  # proven in tests/test_precision.py
from rich_corpus import features, save_rich

from graph_contracts import contracts as contract_files
from graph_contracts.auth import StaticToken
from graph_contracts.client import GraphClient, InProcessTransport
from graph_contracts.contracts import Contract
from graph_contracts.engine import Run, RunConfig
from graph_contracts.engine.endpoint import SCHEMATHESIS_CHECKS
from graph_contracts.engine.target import SERVICE, Target
from graph_contracts.mock.faults import FAULTS

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "reference-token-5e1f"
BASE = "http://reference.test"
# The feature a rich-type defect needs in a contract to be observable at all.
NEEDS = {
    "nested-enum-changed": "nested-enum",
    "collection-reordered": "collection-of-primitives",
    "collection-cut": "collection-of-primitives",
    "complex-member-dropped": "complex",
    "duration-changed": "Edm.Duration",
    "guid-altered": "Edm.Guid",
    "flags-member-lost": "flags",
    "sentinel-stored": "evolvable-enum",
}
SLOW_VARIANTS = {"throttle-fractional", "eventual-consistency"}  # waits: fewer contracts
# No corpus contract's docs list an enum member after `unknownFutureValue`: these variants are
# proven on beta/channel with the CSDL's members (tests/test_evolvable_enums.py).
OPT_IN_VARIANTS = {"opt-in-ignored", "opt-in-ignored-on-reads"}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def csdl(shared: Path) -> list[Path]:
    return [shared / "corpus" / "csdl" / f"{v}_metadata.xml" for v in ("beta", "v1.0")]


@pytest.fixture(scope="module")
def rich(tmp_path_factory: pytest.TempPathFactory, shared: Path) -> list[Contract]:
    folder = tmp_path_factory.mktemp("rich")
    contracts = save_rich(folder, corpus=shared / "corpus")
    assert len(contracts) >= 20
    return contracts


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory, rich: list[Contract]) -> dict[str, Path]:
    """Contract folders: seeds + rich (`all`), a small spread of both (`some`), the seeds."""
    seeds = contract_files.load(ROOT / "contracts")
    spread = [c for c in rich if c.id in _spread(rich)]
    out = {}
    for name, chosen in (("all", [*seeds, *rich]), ("some", [*seeds, *spread])):
        folder = tmp_path_factory.mktemp(name)
        contract_files.save(chosen, folder)
        out[name] = folder
    rich_only = tmp_path_factory.mktemp("spread")
    contract_files.save(spread, rich_only)
    out["spread"] = rich_only
    out["seeds"] = tmp_path_factory.mktemp("seeds")
    shutil.copytree(ROOT / "contracts", out["seeds"], dirs_exist_ok=True)
    return out


def _spread(rich: list[Contract]) -> set[str]:
    """A few rich contracts that between them still use every feature the defects need."""
    chosen: set[str] = set()
    for feature in sorted(set(NEEDS.values())):
        having = sorted(
            (c for c in rich if feature in features(c)), key=lambda c: len(c.properties)
        )
        chosen.add(having[0].id)
    return chosen


def run_reference(
    folder: Path,
    csdl: list[Path],
    *,
    variants: tuple[str, ...] = (),
    defects: tuple[str, ...] = (),
    plan: str = "minimal",
    examples: int = 2,
) -> Run:
    """The suite, in-process, against the reference server serving `folder`.

    Reads poll 0.6 s only where the server lags (its 0.3 s window); shrinking gets a small
    budget: what is proven here is that a defect is caught, not how small its reproducer is.
    """
    app = create_app(folder, token=TOKEN, csdl=csdl, variants=variants, defects=defects)
    transport = InProcessTransport(app)
    clients = {
        v: GraphClient(BASE, v, auth=StaticToken(TOKEN), transport=transport)
        for v in ("beta", "v1.0")
    }
    target = Target(BASE, SERVICE, clients, StaticToken(TOKEN), [TOKEN])
    config = RunConfig(
        base_url=BASE,
        contracts=folder,
        max_examples=examples,
        schemathesis=examples,
        seed=11,
        read_window=0.6 if "eventual-consistency" in variants else 0.2,
        allow_writes=True,
        plan=plan,
        metadata=csdl,
        shrink_budget=3,
    )
    run = Run(config, contract_files.load(folder), target=target)
    run.execute()
    return run


def failures(run: Run) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for r in run.results:
        if r.outcome == "failed":
            found.setdefault(r.check, []).append(f"{r.endpoint}: {r.message[:300]}")
    return found


def test_the_rich_contracts_cover_what_the_defects_need(rich: list[Contract]) -> None:
    used = set().union(*(features(c) for c in rich))
    assert set(NEEDS.values()) <= used
    assert {"Edm.Boolean", "Edm.Double", "Edm.Date", "collection-of-complex"} <= used


def test_the_full_plan_passes_on_the_default_server(folders, csdl) -> None:
    run = run_reference(folders["all"], csdl, plan="full", examples=3)
    assert failures(run) == {}
    assert run.finished is not None and run.finished.outcome == "passed"
    checked = {r.contract for r in run.results if r.outcome == "passed"}
    assert len(checked) >= 23  # seeds and at least 20 rich contracts really checked
    # Schemathesis' own checks judged the replies too.
    assert {r.check for r in run.results if r.outcome == "passed"} >= set(SCHEMATHESIS_CHECKS)


@pytest.mark.parametrize("variant", sorted(set(VARIANTS) - {"complex-fill"} - OPT_IN_VARIANTS))
def test_a_faithful_variant_passes(variant: str, folders, csdl) -> None:
    """Equal values in other spellings, 204, no @odata.type, extra properties, echoed
    annotations, a fractional Retry-After, eventual consistency: none is a defect."""
    folder = folders["spread" if variant in SLOW_VARIANTS else "all"]
    run = run_reference(folder, csdl, variants=(variant,))
    assert failures(run) == {}, variant
    assert run.finished is not None and run.finished.outcome == "passed"


@pytest.mark.parametrize("defect", sorted(set(DEFECTS) - PRECISION_DEFECTS))
def test_a_defect_is_caught_by_its_check(defect: str, folders, csdl, rich) -> None:
    if defect in NEEDS:  # the smallest few contracts where the defect can show
        having = [c for c in rich if NEEDS[defect] in features(c)]
        having = sorted(having, key=lambda c: len(c.properties))[:3]
        folder = folders["all"].parent / f"needs-{defect}"
        contract_files.save(having, folder)
    else:
        folder = folders["seeds"]
    run = run_reference(folder, csdl, defects=(defect,))
    caught = set(failures(run))
    missing = DEFECTS[defect].caught_by - caught
    assert not missing, f"{defect} not caught by {sorted(missing)}; failed: {sorted(caught)}"


# --- the embedded mock's fault table, on the rich contracts --------------------------------------

# Throttling and 503s concern the transport, not the values: the seeds prove them (test_suite_proof)
# and so does the reference server's throttle-fractional variant, here.
TRANSPORT = {"throttle", "throttle-fractional", "transient-503", "latency"}
MOCK_OPERATIONAL = sorted(
    n for n, f in FAULTS.items() if f.kind == "operational" and n not in TRANSPORT
)
# accept-null is observable only where the docs say "not nullable", which the corpus pages rarely
# do; the CSDL-shaped seed contract proves it (test_suite_proof).
MOCK_DEFECTS = sorted(n for n, f in FAULTS.items() if f.kind == "defect" and n != "accept-null")


def run_mock(folder: Path, fault: str) -> Run:
    config = RunConfig(
        contracts=folder,
        max_examples=2,
        schemathesis=2,
        seed=11,
        read_window=0.6 if fault == "eventual-consistency" else 0.2,
        faults=[fault],
        plan="minimal",
        shrink_budget=3,
    )
    run = Run(config, contract_files.load(folder))
    run.execute()
    return run


@pytest.mark.parametrize("fault", MOCK_OPERATIONAL)
def test_rich_contracts_pass_the_mocks_operational_faults(fault: str, folders) -> None:
    """No failure, and not for want of checking: every rich contract had its writes judged
    (a run that reached nothing would have no failure either)."""
    run = run_mock(folders["spread"], fault)
    assert failures(run) == {}, fault
    assert run.finished is not None and run.finished.outcome == "passed"
    contracts = {c.id for c in contract_files.load(folders["spread"])}
    for check in ("status", "round-trip", "read-after-write", "rejection"):
        judged = {r.contract for r in run.results if r.check == check and r.outcome == "passed"}
        assert judged == contracts, f"{fault}: {check} judged nothing on {contracts - judged}"


@pytest.mark.parametrize("fault", MOCK_DEFECTS)
def test_rich_contracts_catch_the_mocks_defects(fault: str, folders) -> None:
    run = run_mock(folders["spread"], fault)
    missing = FAULTS[fault].caught_by - set(failures(run))
    assert not missing, f"{fault} not caught by {sorted(missing)}"
