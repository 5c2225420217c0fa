"""A night on a real network: the seeds' run through a fault-injecting proxy (tests/proxy.py) in
front of `graph-contracts mock` as a real process, which keeps its contracts: any failure would be
false. Resets (some after the target applied the request), a PATCH never answered, 502s with an
HTML body, a 403 on one path, a GET cut mid-JSON, a 50 MB reply, the target killed mid-run; then
a target that stops answering for good, and `restore` meeting a reset.

Each run completes with every endpoint judged or skipped with its reason, no contract failure,
every entity as before (read straight from the mock, not through the proxy) and the journal
closed, or left open exactly when a target went away with an entity changed.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from drive import run_cli, summary_of
from proxy import ACTIONS, FaultProxy, Rule
from servers import app_server
from test_client import free_port

from graph_contracts import contracts as contract_files
from graph_contracts import journal
from graph_contracts.auth import StaticToken
from graph_contracts.client import GraphClient
from graph_contracts.discovery import Discoverer, Resolved
from graph_contracts.mock import create_app

ROOT = Path(__file__).resolve().parent.parent
CLI = Path(sys.executable).with_name("graph-contracts")
TOKEN = "network-test-token-5b1e"
READY = re.compile(r"Serving mock Graph at (http://\S+)")
# Fast on loopback: a small read window, a 1 s timeout for the PATCH never answered, short
# back-offs (the proxy's faults are drawn per attempt, not timed).
FAST = [
    *("--contracts", str(ROOT / "contracts"), "--token", TOKEN, "--seed", "1"),
    *("--plan", "minimal", "--read-window", "0.2", "--no-progress"),
    *("--request-timeout", "1", "--max-reply-mb", "1", "--retry-backoff", "0.01"),
]


class MockTarget:
    """`graph-contracts mock` on a fixed port, so a killed target can come back where it was."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> MockTarget:
        command = [str(CLI), "mock", "--port", str(self.port), "--token", TOKEN]
        command += ["--contracts", str(ROOT / "contracts")]
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        line = self.process.stdout.readline() if self.process.stdout else ""
        assert READY.search(line), f"the mock did not start: {line!r}"
        return self

    def kill(self) -> None:
        """SIGKILL: no goodbye, its in-memory state gone (a restart seeds the same entities)."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def target() -> MockTarget:
    mock = MockTarget().start()
    yield mock
    mock.stop()


def resolved(url: str) -> dict[str, tuple[str, str | None]]:
    """Each endpoint's entity and sibling as discovery finds them (`/version/path`)."""
    found: dict[str, tuple[str, str | None]] = {}
    for contract in contract_files.load(ROOT / "contracts"):
        with GraphClient(url, contract.version, auth=StaticToken(TOKEN)) as client:
            for template in contract.paths:
                hit = Discoverer(client, {}).resolve(template, contract.odata_type)
                assert isinstance(hit, Resolved), hit
                prefix = f"/{contract.version}"
                sibling = prefix + hit.sibling if hit.sibling else None
                found[f"{contract.id} {template}"] = (prefix + hit.path, sibling)
    return found


def states(url: str) -> dict[str, Any]:
    """Every entity the run reaches, as a GET straight to the mock shows it."""
    shown = {}
    for entity, sibling in resolved(url).values():
        for path in filter(None, (entity, sibling)):
            version, _, rest = path[1:].partition("/")
            with GraphClient(url, version, auth=StaticToken(TOKEN)) as client:
                body = client.get("/" + rest).json()
            body.pop("@odata.context", None)
            shown[path] = body
    return shown


def endpoints_judged_or_skipped_with_a_reason(summary: dict[str, Any]) -> None:
    by_endpoint: dict[str, list[dict[str, Any]]] = {}
    for r in summary["results"]:
        by_endpoint.setdefault(f"{r['contract']} {r['path']}", []).append(r)
    assert len(by_endpoint) == 12
    for endpoint, rows in by_endpoint.items():
        if all(r["outcome"] == "skipped" for r in rows):
            assert all(r["message"] for r in rows), endpoint


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_night_on_a_bad_network_costs_no_verdict_and_leaves_nothing_changed(
    target: MockTarget, tmp_path: Path
) -> None:
    before = states(target.url)
    found = resolved(target.url)
    app_install = next(k for k in found if k.startswith("beta/userAppInstallStatus"))
    device_status = next(k for k in found if k.startswith("v1.0/"))
    refused, cut = found[app_install][0], found[device_status][0]
    # The oversized reply hits one endpoint's own entity mid-endpoint (its 4th GET), wherever the
    # run's other requests (discovery, $metadata, restores) fall in the order.
    user_status = next(k for k in found if k.startswith("beta/deviceConfigurationUserStatus"))
    oversized = found[user_status][0]

    def kill_and_restart() -> None:
        target.kill()
        threading.Timer(1.5, target.start).start()

    rules = [
        Rule("forbidden", method="PATCH", path=re.escape(refused) + "$"),
        Rule("truncate", method="GET", path=re.escape(cut) + "$"),
        Rule("hang", method="PATCH", skip=40, times=1),
        Rule("oversize", method="GET", path=re.escape(oversized) + "$", skip=3, times=1),
        Rule("call", method="PATCH", skip=250, times=1, callback=kill_and_restart),
        Rule("reset-after", rate=0.03),
        Rule("reset", rate=0.1),
        Rule("bad-gateway", rate=0.2),
    ]
    reports = tmp_path / "reports"
    with FaultProxy(target.url, rules, seed=5) as proxy:
        code, output = run_cli(*FAST, "--base-url", proxy.url, "--report-dir", str(reports))
    after = states(target.url)

    assert set(proxy.fired) == {r.action for r in rules}, proxy.fired
    summary = summary_of(reports)
    assert code == 0, output
    assert summary["run"]["outcome"] == "passed"
    assert [r for r in summary["results"] if r["outcome"] == "failed"] == []
    endpoints_judged_or_skipped_with_a_reason(summary)
    # Named for what they are: the cut GET, the oversized reply, the dead target.
    errors = summary["target_errors"]
    causes = {e["cause"] for e in errors}
    assert {"not JSON", "too large"} <= causes, errors
    cut_error = next(e for e in errors if e["cause"] == "not JSON")
    assert cut_error["path"] == device_status.split(" ", 1)[1]
    assert f"GET {proxy.url}{cut}: answered 200 with a body that is not JSON" in cut_error["reason"]
    assert all(e["recovered"] and e["repro"].startswith("curl ") for e in errors)
    assert any("connection" in e["cause"] and e["judged"] > 0 for e in errors), errors
    # The 403: skipped with its reason, never a failure, never left changed.
    skipped = [r for r in summary["results"] if r["path"] == app_install.split(" ", 1)[1]]
    assert {r["outcome"] for r in skipped} == {"skipped"}
    assert all("403 Authorization_RequestDenied" in r["message"] for r in skipped)
    # What the client absorbed is counted, by cause.
    retried = summary["totals"]["retried"]
    assert {"connection reset", "502", "timeout"} <= set(retried), retried
    assert summary["totals"]["target_errors"] == len(errors) < 12
    # Nothing left changed; the journal says so and is closed.
    assert summary["left_changed"] == [] and after == before
    state = journal.read(reports / journal.NAME)
    assert state.closed and not state.pending
    records = (reports / journal.NAME).read_text()
    assert '"outcome": "already as before"' in records  # the 403 path's refused restore
    assert proxy.oversize_sent < 10 * 1024 * 1024  # 50 MB offered, never read whole


def go_dark(proxy: FaultProxy) -> None:
    """Every request from now on is reset (the proxy applies the rule to this request too)."""
    proxy.rules.append(Rule("reset"))


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_target_gone_for_good_stops_the_run_and_restore_puts_back_through_a_reset(
    target: MockTarget, tmp_path: Path
) -> None:
    """The target stops answering mid-endpoint and never comes back within --target-wait: the
    run ends (exit 2) with everything judged so far in every report and the journal open; once
    it answers again, `restore` meets a reset on its PATCH, retries, and puts the entity back."""
    before = states(target.url)
    # From the 6th PATCH on, nothing gets through (counted in PATCHes, not requests: how many
    # GETs come first - discovery, the service's $metadata - is no business of this test).
    blackout = Rule("call", method="PATCH", skip=5, times=1, callback=lambda: go_dark(proxy))
    reports = tmp_path / "reports"
    with FaultProxy(target.url, [blackout], seed=2) as proxy:
        code, output = run_cli(
            *FAST, "--base-url", proxy.url, "--report-dir", str(reports), "--target-wait", "1"
        )
        summary = summary_of(reports)
        assert code == 2, output
        assert summary["run"]["outcome"] == "error"
        message = summary["run"]["message"]
        assert message.startswith("the target stopped answering (") and (
            re.search(
                r"the run stopped after \d+ of 12 endpoints; run `graph-contracts restore`", message
            )
        ), message
        assert output.splitlines()[-1] == f"ERROR: {message}"
        (error,) = summary["target_errors"]
        assert not error["recovered"] and error["judged"] > 0
        assert "did not answer again within 1 s" in error["reason"]
        judged = [r for r in summary["results"] if r["outcome"] == "passed"]
        assert judged and not [r for r in summary["results"] if r["outcome"] == "failed"]
        assert summary["left_changed"] and "graph-contracts restore" in summary["left_changed"][0]
        state = journal.read(reports / journal.NAME)
        assert not state.closed and state.pending
        assert states(target.url) != before  # the run's last write is still there

        one_reset = Rule("reset", method="PATCH", times=1)
        proxy.rules[:] = [one_reset]  # the target answers again, but resets one restore PATCH
        restore = [str(CLI), "restore", str(reports), "--base-url", proxy.url]
        restore += ["--token", TOKEN, "--read-window", "1"]
        done = subprocess.run(restore, capture_output=True, text=True, timeout=120)
    assert one_reset.fired == 1  # met, retried (a restore that gave up would exit 1)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "RESTORED" in done.stdout and "every entity is back as before" in done.stdout
    assert journal.read(reports / journal.NAME).closed
    assert states(target.url) == before


def driven_by(driver: str, base_url: str, reports: Path, *options: str) -> list[str]:
    """The command of a v1.0 run through FAST's settings: `graph-contracts run`, or the same
    engine under pytest (the plugin's `--graph-*` options)."""
    if driver == "run":
        command = [str(CLI), "run", *FAST, "--version", "v1.0", "--base-url", base_url]
        return [*command, "--report-dir", str(reports), *options]
    plain = [o for o in FAST if o != "--no-progress"]
    graph = [f"--graph-{o[2:]}" if o.startswith("--") else o for o in (*plain, *options)]
    command = [sys.executable, "-m", "pytest", str(ROOT / "tests" / "contract")]
    command += ["-p", "no:cacheprovider", "--graph-version", "v1.0"]
    return [*command, "--graph-base-url", base_url, "--graph-report-dir", str(reports), *graph]


@pytest.mark.slow
@pytest.mark.timeout(240)
@pytest.mark.parametrize("driver", ["run", "pytest"])
def test_a_sigterm_while_the_run_waits_for_the_target_still_restores_and_exits_143(
    target: MockTarget, driver: str, tmp_path: Path
) -> None:
    """A PATCH reset on every attempt looks like a target gone; the run waits for it, and SIGTERM
    (a CI timeout) arrives during that wait. The stop cuts the wait short, but the target is
    fine: the entity is still put back (one restore attempt), the run ends interrupted with 143
    (under pytest too), the journal closed, and no reason claims the target did not come
    back."""
    found = resolved(target.url)
    entity, _ = found[next(k for k in found if k.startswith("v1.0/"))]
    before = states(target.url)
    running: list[subprocess.Popen[str]] = []

    def sigterm() -> None:
        running[0].send_signal(signal.SIGTERM)

    def arm() -> None:  # the 6th PATCH's last attempt: the wait's first GET is next
        proxy.rules.append(Rule("call", method="GET", path=re.escape(entity) + "$", times=1,
                                callback=sigterm))  # fmt: skip
        proxy.rules.append(Rule("reset", method="GET", path=re.escape(entity) + "$", times=1))

    rules = [
        Rule("call", method="PATCH", skip=9, times=1, callback=arm),
        Rule("reset", method="PATCH", skip=5, times=5),  # the 6th PATCH, on each of 5 attempts
    ]
    reports = tmp_path / "reports"
    with FaultProxy(target.url, rules) as proxy:
        command = driven_by(driver, proxy.url, reports, "--target-wait", "30")
        running.append(
            subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        )
        out, err = running[0].communicate(timeout=120)
    assert rules[1].fired == 5 and proxy.rules[2].fired == 1, proxy.fired  # SIGTERM was sent
    assert running[0].returncode == 143, out + err
    summary = summary_of(reports)
    assert summary["run"]["outcome"] == "interrupted"
    assert summary["left_changed"] == [] and states(target.url) == before
    assert journal.read(reports / journal.NAME).closed
    (error,) = summary["target_errors"]
    assert "did not answer again" not in error["reason"]
    assert error["reason"].endswith("; a stop request cut short the wait for the target")
    assert "did not come back" not in (reports / "summary.md").read_text()


# --- one endpoint at a time, against the mock on uvicorn in a thread ----------------------------


@pytest.fixture(scope="module")
def served() -> str:
    app = create_app(contract_files.load(ROOT / "contracts"), token=TOKEN)
    with app_server(app) as url:
        yield url


V1 = ["--version", "v1.0"]  # one endpoint: deviceConfigurationDeviceStatus


def test_a_target_error_mid_endpoint_keeps_the_verdicts_judged_and_the_request_it_met(
    served: str, tmp_path: Path
) -> None:
    """Five PATCHes judged, the sixth reset on every attempt: the five stand, the sixth is kept
    with its reproducer, the target still answers (GET), so the entity is put back."""
    before = states(served)
    dying = Rule("reset", method="PATCH", skip=5, times=5)
    with FaultProxy(served, [dying]) as proxy:
        code, output = run_cli(*FAST, *V1, "--base-url", proxy.url, "--report-dir", str(tmp_path))
    summary = summary_of(tmp_path)
    (error,) = summary["target_errors"]
    assert error["judged"] == 5 and error["recovered"] and error["cause"] == "connection reset"
    assert error["reason"].startswith(f"PATCH {proxy.url}/v1.0/deviceManagement/")
    assert error["reason"].endswith("(after 5 attempts)")
    assert error["repro"].startswith("curl -X PATCH ") and "--data-binary" in error["repro"]
    outcomes = {r["check"]: r for r in summary["results"]}
    assert outcomes["status"]["outcome"] == "passed" and outcomes["status"]["cases"] == 5
    assert outcomes["status"]["message"].endswith("(before a target error ended the endpoint)")
    assert outcomes["rejection"]["outcome"] == "skipped"  # never reached
    assert outcomes["rejection"]["message"] == f"target error: {error['reason']}"
    # one endpoint, and it met a target error: no verdict on the contracts (exit 2)
    assert code == 2 and summary["run"]["outcome"] == "error", output
    assert summary["run"]["message"].startswith("no endpoint was checked without a target error")
    assert summary["left_changed"] == [] and states(served) == before


def test_a_discovery_get_cut_mid_json_is_a_target_error_named_for_it(
    served: str, tmp_path: Path
) -> None:
    cut = Rule("truncate", method="GET", path=r"/deviceStatuses$")  # the collection listing
    with FaultProxy(served, [cut]) as proxy:
        code, output = run_cli(*FAST, *V1, "--base-url", proxy.url, "--report-dir", str(tmp_path))
        planned, plan_output = run_cli(*FAST, *V1, "--base-url", proxy.url, "--dry-run")
    (error,) = summary_of(tmp_path)["target_errors"]
    assert error["cause"] == "not JSON" and error["judged"] == 0
    assert re.search(
        r"GET \S+/deviceStatuses: answered 200 with a body that is not JSON", error["reason"]
    )
    assert code == 2 and "ERROR: no endpoint was checked without a target error" in output
    assert planned == 0 and "unreachable: target error: GET " in plan_output


def test_a_403_on_the_apps_writes_is_a_skip_and_its_refused_restore_already_as_before(
    served: str, tmp_path: Path, fault_proxy
) -> None:
    """The app may not write this path (403 Authorization_RequestDenied to every PATCH of it):
    no contract failure, and since no write was accepted, a GET shows the entities as the
    snapshots: "already as before", no restore PATCH, never "left changed"; the journal closes."""
    found = resolved(served)
    entity, sibling = found[next(k for k in found if k.startswith("v1.0/"))]
    proxy = fault_proxy(served, Rule("forbidden", method="PATCH", path=re.escape(entity) + "$"))
    code, output = run_cli(*FAST, *V1, "--base-url", proxy.url, "--report-dir", str(tmp_path))
    summary = summary_of(tmp_path)
    assert {r["outcome"] for r in summary["results"]} == {"skipped"}
    assert all(
        r["message"].startswith(f"permission denied: PATCH {entity.removeprefix('/v1.0')} answered")
        and "403 Authorization_RequestDenied: " in r["message"]
        for r in summary["results"]
    )
    assert code == 1 and output.splitlines()[-1].startswith("ERROR: nothing was checked")
    assert summary["left_changed"] == [] and "TARGET LEFT CHANGED" not in output
    records = [json.loads(line) for line in (tmp_path / journal.NAME).read_text().splitlines()]
    restores = {r["path"]: r["outcome"] for r in records if r["kind"] == "restore"}
    assert restores == {
        entity.removeprefix("/v1.0"): "already as before",
        sibling.removeprefix("/v1.0"): "already as before",
    }
    assert [path for method, path in proxy.seen if method == "PATCH"] == [entity]  # one write
    assert journal.read(tmp_path / journal.NAME).closed


def test_a_patch_reply_cut_mid_json_is_a_shape_failure_named_for_it(
    served: str, tmp_path: Path
) -> None:
    """The reply to a PATCH is the contract's (an entity, documented 200): cut, it fails shape."""
    cut = Rule("truncate", method="PATCH", times=1)
    with FaultProxy(served, [cut]) as proxy:
        code, _ = run_cli(*FAST, *V1, "--base-url", proxy.url, "--report-dir", str(tmp_path))
    shape = next(r for r in summary_of(tmp_path)["results"] if r["check"] == "shape")
    assert code == 1 and shape["outcome"] == "failed"
    assert shape["message"].startswith("reply body is not valid JSON (Unterminated string ")


@pytest.mark.slow
@pytest.mark.parametrize("xdist", [(), ("-n", "1")], ids=["one-process", "xdist"])
def test_under_pytest_a_run_with_no_clean_endpoint_exits_2(
    served: str, xdist: tuple[str, ...], tmp_path: Path
) -> None:
    """The plugin drives the same engine: the endpoint is skipped with its target error, and a
    run where no endpoint was checked without one is not green there either, on xdist workers
    as in one process (the merged outcome carries its message: exit 2, not 0)."""
    cut = Rule("truncate", method="GET", path=r"/deviceStatuses$")
    command = [sys.executable, "-m", "pytest", str(ROOT / "tests" / "contract")]
    command += ["-p", "no:cacheprovider", "--graph-report-dir", str(tmp_path)]
    command += ["--graph-token", TOKEN, "--graph-version", "v1.0", "--graph-plan", "minimal"]
    command += ["--graph-retry-backoff", "0.01", *xdist]
    with FaultProxy(served, [cut]) as proxy:
        done = subprocess.run(
            [*command, "--graph-base-url", proxy.url],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "target error: GET " in done.stdout and "is not JSON" in done.stdout
    summary = summary_of(tmp_path)
    assert summary["run"]["outcome"] == "error" and len(summary["target_errors"]) == 1


def test_the_manual_states_the_network_defaults_and_treats_every_proxy_fault() -> None:
    """docs/live.md's figures are the code's, and its fault table covers every proxy action."""
    import inspect

    from graph_contracts import cli
    from graph_contracts.client import DEFAULT_MAX_REPLY, DEFAULT_TIMEOUT, RetryPolicy
    from graph_contracts.engine import RunConfig
    from graph_contracts.engine.endpoint import TARGET_WAIT

    page = " ".join((ROOT / "docs" / "live.md").read_text(encoding="utf-8").split())
    config, policy = RunConfig(), RetryPolicy()
    run = inspect.signature(cli.run).parameters
    for name in ("request_timeout", "max_reply_mb", "target_wait", "retry_backoff"):
        assert run[name].default == getattr(config, name), name  # the CLI's default is the run's
    assert config.request_timeout == DEFAULT_TIMEOUT and config.target_wait == TARGET_WAIT
    assert config.max_reply_mb * 1024 * 1024 == DEFAULT_MAX_REPLY
    assert f"(`--request-timeout`, default {config.request_timeout:g} s per" in page
    assert f"At most {policy.max_attempts} attempts" in page
    assert f"`--retry-backoff` (default {config.retry_backoff:g} s, doubling," in page
    assert f"each wait at most {policy.max_wait:g} s)" in page
    assert f"`--target-wait` (default {config.target_wait:g} s), one GET a second" in page
    assert inspect.signature(GraphClient.wait_until_answering).parameters["interval"].default == 1
    assert f"`--max-reply-mb` (default {config.max_reply_mb:g} MB)" in page
    table = page[page.index("| fault (proxy action) |") :]
    for action in ACTIONS:
        assert f"`{action}`" in table, action
    for test in re.findall(r"`(test_\w+)`", table):  # every test the table names exists
        assert any(
            f"def {test}(" in path.read_text(encoding="utf-8")
            for path in (ROOT / "tests").glob("test_*.py")
        ), test
