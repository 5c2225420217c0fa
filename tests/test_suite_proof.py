"""Proving the contract suite: it passes on every operational fault and fails on every defect.

A suite that never fails proves nothing. The mock's fault catalogue names, for each deliberate
defect, the checks that must catch it; here the suite runs against the embedded mock once per
fault and the failed checks are read back by name from summary.json. Plus the same suite over a
real uvicorn server, and a wrong token (exit status 2 with one message, not a wall of failures).
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from drive import failed_checks, run_cli, summary_of

from graph_contracts import contracts as contract_files
from graph_contracts.auth import StaticToken
from graph_contracts.checks import CHECK_NAMES
from graph_contracts.client import GraphClient, InProcessTransport
from graph_contracts.contracts import Contract, Example, Property
from graph_contracts.discovery import Discoverer
from graph_contracts.engine import Endpoint, EndpointRun, Settings
from graph_contracts.engine.endpoint import SCHEMATHESIS_CHECKS
from graph_contracts.mock import create_app
from graph_contracts.mock.faults import FAULTS

ROOT = Path(__file__).resolve().parent.parent
# The CSDL says these are non-nullable (GRAPH-FACTS.md); the doc tables do not say, so the proof
# contract states it, or `accept-null` would have nothing to be caught by.
NOT_NULLABLE = {"devicesCount", "status", "lastReportedDateTime"}
SEED = 7


@pytest.fixture(scope="module")
def proof_contracts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One endpoint with every value kind the faults touch: string, Int32, enum, DateTimeOffset."""
    loaded = contract_files.load(ROOT / "contracts")
    source = next(c for c in loaded if c.name == "deviceConfigurationUserStatus")
    properties = [replace(p, nullable=p.name not in NOT_NULLABLE) for p in source.properties]
    contract = replace(source, paths=source.paths[:1], properties=properties)
    out = tmp_path_factory.mktemp("proof-contracts")
    contract_files.save([contract], out)
    return out


def run_suite(contracts: Path, report_dir: Path, *extra: str) -> tuple[int, dict, str]:
    """`graph-contracts run` on the proof contracts; (exit status, summary.json, console text)."""
    args = ["--contracts", str(contracts), "--report-dir", str(report_dir), "--no-progress"]
    args += [
        "--max-examples",
        "5",
        "--seed",
        str(SEED),
        "--read-window",
        "0.5",  # the mock's eventual-consistency window is 0.3 s
        "--schemathesis",
        "3",
        "--shrink-budget",  # what is proven here is that a defect is caught
        "20",
    ]
    code, output = run_cli(*args, *extra)
    return code, summary_of(report_dir), output


def faults(*names: str) -> list[str]:
    return [arg for name in names for arg in ("--fault", name)]


OPERATIONAL = sorted(name for name, f in FAULTS.items() if f.kind == "operational")
DEFECTS = sorted(name for name, f in FAULTS.items() if f.kind == "defect")


def test_no_fault_passes_every_check(proof_contracts: Path, tmp_path: Path) -> None:
    code, summary, text = run_suite(proof_contracts, tmp_path)
    assert code == 0, text
    assert {r["outcome"] for r in summary["results"]} == {"passed"}
    assert {r["check"] for r in summary["results"]} == set(CHECK_NAMES)


@pytest.mark.parametrize(
    "fault",
    [
        # exponential back-off from every 4th request: the slowest of the proofs
        pytest.param(f, marks=pytest.mark.slow) if f == "transient-503" else f
        for f in OPERATIONAL
    ],
)
def test_operational_fault_passes(fault: str, proof_contracts: Path, tmp_path: Path) -> None:
    """A healthy service on a bad day (throttling, 503, latency, lag, 204) is not a violation."""
    code, summary, text = run_suite(proof_contracts, tmp_path, *faults(fault))
    assert code == 0, f"{fault}: {failed_checks(summary)}\n{text}"
    assert not failed_checks(summary)


@pytest.mark.parametrize("fault", DEFECTS)
def test_defect_is_caught_by_its_checks(fault: str, proof_contracts: Path, tmp_path: Path) -> None:
    """Every deliberate defect fails the run, in (at least) the checks the catalogue names."""
    code, summary, text = run_suite(proof_contracts, tmp_path, *faults(fault))
    assert code == 1, text
    missing = FAULTS[fault].caught_by - failed_checks(summary)
    assert not missing, f"{fault} not caught by {sorted(missing)}; failed: {failed_checks(summary)}"


def test_retries_are_counted_not_failed(proof_contracts: Path, tmp_path: Path) -> None:
    code, summary, _ = run_suite(proof_contracts, tmp_path, *faults("throttle"))
    assert code == 0
    assert summary["totals"]["retries"] > 0


def test_minimal_204_is_a_deviation_and_strict_fails_it(
    proof_contracts: Path, tmp_path: Path
) -> None:
    code, summary, _ = run_suite(proof_contracts, tmp_path / "tolerant", *faults("minimal-204"))
    status = next(r for r in summary["results"] if r["check"] == "status")
    assert code == 0 and "204" in (status["deviation"] or "")
    code, summary, _ = run_suite(
        proof_contracts, tmp_path / "strict", *faults("minimal-204"), "--strict"
    )
    assert code == 1 and failed_checks(summary) == {"status"}


def test_failure_report_has_repro_and_no_token(proof_contracts: Path, tmp_path: Path) -> None:
    token = "proof-secret-token-3f9a"
    code, summary, text = run_suite(
        proof_contracts, tmp_path, *faults("drop-field"), "--token", token
    )
    assert code == 1
    failure = next(r for r in summary["results"] if r["outcome"] == "failed")
    assert failure["repro"].startswith("curl -X PATCH")
    assert "$GRAPH_TOKEN" in failure["repro"]
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert token not in path.read_text(errors="replace"), path
    assert token not in text
    junit = (tmp_path / "junit.xml").read_text()
    assert "test_round_trip[beta/deviceConfigurationUserStatus /deviceManagement/" in junit


# --- a real server ------------------------------------------------------------------------------


@pytest.fixture
def served_mock(proof_contracts: Path):
    """`graph-contracts mock --port 0 --token T` as a subprocess; yields its base URL."""
    token = "served-token-81c2"
    cli = Path(sys.executable).with_name("graph-contracts")
    process = subprocess.Popen(
        [str(cli), "mock", "--port", "0", "--contracts", str(proof_contracts), "--token", token],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        line = process.stdout.readline() if process.stdout else ""
        match = re.search(r"http://\S+", line)
        assert match, f"mock did not announce a URL: {line!r}"
        yield match.group(0), token
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.slow
def test_suite_over_a_real_server(served_mock, proof_contracts: Path, tmp_path: Path) -> None:
    url, token = served_mock
    code, summary, text = run_suite(proof_contracts, tmp_path, "--base-url", url, "--token", token)
    assert code == 0, text
    assert {r["outcome"] for r in summary["results"]} == {"passed"}


@pytest.mark.slow
def test_wrong_token_is_one_clear_error(served_mock, proof_contracts: Path, tmp_path: Path) -> None:
    url, _ = served_mock
    code, summary, text = run_suite(
        proof_contracts, tmp_path, "--base-url", url, "--token", "wrong"
    )
    assert code == 2
    lines = [line for line in text.splitlines() if line.strip()]
    # the header (target, seed) went out before the first request; then one clear error
    assert len(lines) == 2 and "seed 7" in lines[0], text
    assert lines[1].startswith("ERROR: credentials rejected"), text
    assert summary["run"]["outcome"] == "error" and summary["results"] == []


def test_unreachable_target_is_one_clear_error(proof_contracts: Path, tmp_path: Path) -> None:
    code, summary, text = run_suite(
        proof_contracts, tmp_path, "--base-url", "http://127.0.0.1:9", "--token", "t"
    )
    assert code == 2
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 2 and "unreachable" in lines[1], text
    assert summary["run"]["outcome"] == "error" and "unreachable" in summary["run"]["message"]


# --- one endpoint, in the engine ----------------------------------------------------------------


def test_endpoint_run_uses_doc_examples_and_leaves_the_entity_as_found() -> None:
    """Lint-flagged doc examples go to rejection; the entity is restored after the checks."""
    contract = next(c for c in contract_files.load(ROOT / "contracts") if c.version == "v1.0")
    assert any(e.kind == "request" for e in contract.examples)
    app = create_app([contract], token="t")
    client = GraphClient(
        "http://mock", "v1.0", auth=StaticToken("t"), transport=InProcessTransport(app)
    )
    endpoint = Endpoint(contract, contract.paths[0])
    run = EndpointRun(endpoint, client, Discoverer(client), Settings(max_examples=3, seed=SEED))
    reasons: list[str] = []
    original_reject = run.reject
    run.reject = lambda content, reason, *a: (
        reasons.append(reason),
        original_reject(content, reason, *a),
    )
    path = Discoverer(client).resolve(endpoint.template).path
    before = client.get(path).json()
    results = run.run()
    # Standalone (no Run), Schemathesis' own checks have no OpenAPI operation: said, not passed.
    assert {r.outcome for r in results if r.check not in SCHEMATHESIS_CHECKS} == {"passed"}
    skipped = {r.check: r.message for r in results if r.outcome == "skipped"}
    assert (
        set(skipped) == set(SCHEMATHESIS_CHECKS)
        and "Schemathesis is off" in skipped["not-a-server-error"]
    )
    assert any(r.startswith("doc example flagged by lint: ") for r in reasons)
    after = client.get(path).json()
    assert {k: after.get(k) for k in before if k != "@odata.context"} == {
        k: v for k, v in before.items() if k != "@odata.context"
    }
    client.close()


def test_entity_is_restored_even_when_a_check_blows_up_and_refusals_are_reported() -> None:
    """A live tenant is left as found whatever happens; a restore the service refuses is a warning."""
    contract = next(c for c in contract_files.load(ROOT / "contracts") if c.version == "v1.0")
    app = create_app([contract], token="t")
    client = GraphClient(
        "http://mock", "v1.0", auth=StaticToken("t"), transport=InProcessTransport(app)
    )
    endpoint = Endpoint(contract, contract.paths[0])
    path = Discoverer(client).resolve(endpoint.template).path
    before = client.get(path).json()

    run = EndpointRun(endpoint, client, Discoverer(client), Settings(max_examples=3, seed=SEED))

    def explode() -> None:
        raise KeyboardInterrupt  # Ctrl-C after the writes changed the entity

    run._rejections = explode
    with pytest.raises(KeyboardInterrupt):
        run.run()
    after = client.get(path).json()
    assert {k: after.get(k) for k in before} == before
    assert run.left_changed == []

    refusing = EndpointRun(
        endpoint, client, Discoverer(client), Settings(max_examples=3, seed=SEED)
    )
    original_patch = client.patch
    refusing._probes = lambda: setattr(  # from here on every PATCH is refused by the "service"
        client, "patch", lambda *a, **k: original_patch(*a, **{**k, "content": b"[]", "json": None})
    )
    refusing.run()
    client.patch = original_patch
    assert refusing.left_changed and "restore answered 4" in refusing.left_changed[0]
    client.close()


def test_endpoint_on_a_collection_shared_by_derived_types_is_judged_on_its_own_type() -> None:
    """namedLocations holds country and ip locations: the ipNamedLocation endpoint PATCHes an ip
    one (its doc example sends its @odata.type), restores it cleanly, and skips a `{}` example."""

    def location(name: str, extra: Property) -> Contract:
        example = {"@odata.type": f"#microsoft.graph.{name}", "displayName": "Untrusted"}
        return Contract(
            version="v1.0",
            resource=f"microsoft.graph.{name}",
            paths=["/identity/conditionalAccess/namedLocations/{namedLocationId}"],
            properties=[
                Property("id", "Edm.String", nullable=False, key=True),
                Property("displayName", "Edm.String"),
                extra,
            ],
            status=204,
            examples=[
                Example("request", f"{name}-update.md", 60, method="PATCH", body=example),
                Example("request", f"{name}-update.md", 90, method="PATCH", body={}),
            ],
        )

    country = location("countryNamedLocation", Property("countriesAndRegions", "Edm.String"))
    ip = location("ipNamedLocation", Property("isTrusted", "Edm.Boolean"))
    app = create_app([country, ip], token="t")
    client = GraphClient(
        "http://mock", "v1.0", auth=StaticToken("t"), transport=InProcessTransport(app)
    )
    run = EndpointRun(
        Endpoint(ip, ip.paths[0]), client, Discoverer(client), Settings(max_examples=2, seed=SEED)
    )
    sources: list[str] = []
    original_write = run.write
    run.write = lambda body, source: (sources.append(source), original_write(body, source))
    results = run.run()
    assert [r.check for r in results if r.outcome == "failed"] == []
    assert run.ctx is not None and run.ctx.known["@odata.type"] == ip.odata_type
    assert run.left_changed == []
    assert "doc example ipNamedLocation-update.md:60" in sources
    assert not any(s.endswith(":90") for s in sources)
    client.close()
