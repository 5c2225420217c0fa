"""A run reads the target's own $metadata: served, cached by its validators, used without a flag.

Against the mock (in-process and as a real `graph-contracts mock` process) and against the
independent reference server (tests/reference, which reads and serves Microsoft's CSDL with its
own code): the document is fetched once per API version, revalidated with If-None-Match, refines
the contracts (a null to a Nullable="false" property is refused, a null to a nullable one
round-trips), and every report carries the schema section. A target without one is fine.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from reference import create_app as reference_app
from servers import CLI, app_server, mock_process

from graph_contracts import contracts as contract_files
from graph_contracts.auth import StaticToken
from graph_contracts.client import GraphClient, InProcessTransport, RetryPolicy
from graph_contracts.engine import Run, RunConfig
from graph_contracts.engine.events import CheckFinished, SchemaRead
from graph_contracts.engine.target import SERVICE, Target
from graph_contracts.metadata import parse_csdl
from graph_contracts.metadata._cache import MetadataCache
from graph_contracts.mock import create_app

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "schema-token-7c1d"
BASE = "http://graph.test"


def seeds() -> list:
    return contract_files.load(ROOT / "contracts")


class Recorder:
    """ASGI middleware keeping each request's method, path, headers, body and status."""

    def __init__(self, app: Any, *, no_metadata: bytes | None = None) -> None:
        self.app, self.no_metadata = app, no_metadata
        self.seen: list[dict[str, Any]] = []

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        entry: dict[str, Any] = {
            "method": scope["method"],
            "path": scope["path"],
            "headers": {k.decode().lower(): v.decode() for k, v in scope["headers"]},
            "body": b"",
        }
        self.seen.append(entry)
        if self.no_metadata is not None and scope["path"].endswith("/$metadata"):
            status = 404 if self.no_metadata == b"404" else 200
            entry["status"] = status
            body = (
                b'{"error": {"code": "NotFound", "message": "no"}}'
                if status == 404
                else (self.no_metadata)
            )
            kind = b"application/json" if status == 404 else b"text/html"
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [(b"content-type", kind)],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return

        async def receiving() -> Any:
            message = await receive()
            entry["body"] += message.get("body", b"")
            return message

        async def sending(message: dict) -> None:
            if message["type"] == "http.response.start":
                entry["status"] = message["status"]
            await send(message)

        await self.app(scope, receiving, sending)

    def metadata_requests(self) -> list[dict[str, Any]]:
        return [e for e in self.seen if e["path"].endswith("/$metadata")]


class Events:
    def __init__(self) -> None:
        self.all: list[Any] = []

    def handle(self, event: Any) -> None:
        self.all.append(event)

    def of(self, kind: type) -> list[Any]:
        return [e for e in self.all if isinstance(e, kind)]


def run_against(app: Any, config: RunConfig, contracts: list, handlers=()) -> Run:
    transport = InProcessTransport(app)
    versions = sorted({c.version for c in contracts})
    clients = {
        v: GraphClient(BASE, v, auth=StaticToken(TOKEN), transport=transport) for v in versions
    }
    target = Target(BASE, SERVICE, clients, StaticToken(TOKEN), [TOKEN])
    run = Run(config, contracts, handlers=handlers, target=target)
    run.execute()
    return run


# --- the mock serves its schema ------------------------------------------------------------------


def test_the_mock_serves_the_csdl_of_its_contracts_with_an_etag(corpus: Path) -> None:
    contracts = seeds()
    given = (corpus / "csdl" / "v1.0_metadata.xml").read_bytes()
    v1 = parse_csdl(given, "v1.0_metadata.xml")
    v1.version = "v1.0"
    app = create_app(contracts, token=TOKEN, metadata=[v1])
    with httpx.Client(transport=InProcessTransport(app), base_url=BASE) as http:
        written = http.get("/beta/$metadata")  # no token: $metadata is public, as Graph's
        assert written.status_code == 200
        assert written.headers["content-type"].startswith("application/xml")
        csdl = parse_csdl(written.content, "mock")
        assert {c.resource for c in contracts if c.version == "beta"} <= set(csdl.types)
        etag = written.headers["etag"]
        again = http.get("/beta/$metadata", headers={"If-None-Match": etag})
        assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", etag)
        assert http.get("/v1.0/$metadata").content == given  # the file given, byte for byte
        other = http.get("/v2.0/$metadata")
        assert other.status_code in (400, 401, 404) and "xml" not in other.headers["content-type"]


# --- fetching and caching ------------------------------------------------------------------------


def test_a_second_read_is_a_conditional_get_answered_304(tmp_path: Path) -> None:
    recorder = Recorder(create_app(seeds(), token=TOKEN))
    cache = MetadataCache(tmp_path / "cache")
    with app_server(recorder) as url:
        target = Target(url, SERVICE, {"beta": GraphClient(url, "beta", auth=StaticToken(TOKEN))})
        first = target.service_metadata("beta", cache)
        second = target.service_metadata("beta", cache)
        target.close()
    assert (first.status, second.status) == ("downloaded", "cached")
    assert first.detail.endswith("; cached") and "not modified since cached" in second.detail
    asked = recorder.metadata_requests()
    assert [r["status"] for r in asked] == [200, 304]
    assert "if-none-match" not in asked[0]["headers"]
    assert not [r for r in asked if "authorization" in r["headers"]]  # public, as Graph's
    assert asked[1]["headers"]["if-none-match"] == cache.get(first.url).etag
    assert second.csdl is not None and second.csdl.types.keys() == first.csdl.types.keys()
    assert "authorization" not in json.dumps([p.name for p in (tmp_path / "cache").iterdir()])


def test_a_changed_document_is_downloaded_again(tmp_path: Path) -> None:
    cache = MetadataCache(tmp_path)
    one, two = seeds(), [c for c in seeds() if c.name != "deviceConfigurationUserStatus"]
    for contracts, expected in ((one, "downloaded"), (one, "cached"), (two, "downloaded")):
        app = create_app(contracts, token=TOKEN)
        client = GraphClient(
            BASE, "beta", auth=StaticToken(TOKEN), transport=InProcessTransport(app)
        )
        got = Target(BASE, SERVICE, {"beta": client}).service_metadata("beta", cache)
        client.close()
        assert got.status == expected
    assert "microsoft.graph.deviceConfigurationUserStatus" not in got.csdl.types


def test_a_document_beyond_the_entity_reply_limit_and_a_target_error() -> None:
    """Graph's beta $metadata is tens of megabytes, above the limit on entity replies; a target
    that keeps answering 503 to it is a target error: the run goes on with the docs."""
    app = create_app(seeds(), token=TOKEN)
    client = GraphClient(BASE, "beta", transport=InProcessTransport(app), max_reply_bytes=500)
    got = Target(BASE, SERVICE, {"beta": client}).service_metadata("beta", MetadataCache(None))
    assert got.status == "downloaded" and len(got.csdl.document) > 500
    assert client.max_reply_bytes == 500  # the limit on every other reply is back
    client.close()

    async def unavailable(scope: dict, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 503, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    failing = GraphClient(
        BASE,
        "beta",
        transport=InProcessTransport(unavailable),
        retry=RetryPolicy(max_attempts=2),
        sleep=lambda seconds: None,
    )
    got = Target(BASE, SERVICE, {"beta": failing}).service_metadata("beta", MetadataCache(None))
    failing.close()
    assert (got.status, got.csdl) == ("failed", None) and "503" in got.detail


@pytest.mark.parametrize(
    ("served", "status", "detail"),
    [
        (b"404", "absent", "answered 404"),
        (b"<html><body>sign in</body></html>", "unusable", "not a CSDL $metadata document"),
        (b"<edmx:Edmx", "unusable", "line 1: malformed XML"),
    ],
)
def test_a_target_without_metadata_is_fine_and_said_once(served, status, detail, tmp_path) -> None:
    events = Events()
    app = Recorder(create_app(seeds(), token=TOKEN), no_metadata=served)
    config = RunConfig(
        base_url=BASE,
        max_examples=1,
        schemathesis=0,
        seed=3,
        allow_writes=True,
        metadata_cache=tmp_path,
    )
    run = run_against(app, config, seeds(), [events])
    (read,) = events.of(SchemaRead)
    assert [s["status"] for s in read.sources] == [status, status]
    assert all(detail in s["detail"] for s in read.sources)
    assert set(read.facts.values()) == {0} and read.drift["contracts_compared"] == 0
    assert run.finished.outcome == "passed"
    assert len(app.metadata_requests()) == 2  # once per API version, never again
    assert run.contracts == run.documented  # nothing refined: the docs stand
    assert list(tmp_path.iterdir()) == []  # nothing cached


def test_no_service_metadata_reads_nothing(tmp_path: Path) -> None:
    events = Events()
    app = Recorder(create_app(seeds(), token=TOKEN))
    config = RunConfig(
        base_url=BASE,
        max_examples=1,
        schemathesis=0,
        seed=3,
        allow_writes=True,
        service_metadata=False,
        metadata_cache=tmp_path,
    )
    run_against(app, config, seeds(), [events])
    assert app.metadata_requests() == []
    assert {s["status"] for s in events.of(SchemaRead)[0].sources} == {"off"}


# --- the reference server: the live CSDL decides null expectations -------------------------------


@pytest.mark.slow
def test_the_reference_servers_csdl_makes_null_expectations_certain(corpus: Path, tmp_path) -> None:
    """No --metadata: the run reads the reference server's $metadata (Microsoft's beta CSDL,
    served by code that shares nothing with graph_contracts) and refines the seeds with it."""
    folder = tmp_path / "contracts"
    contract_files.save(seeds(), folder)
    csdl = [corpus / "csdl" / "beta_metadata.xml", corpus / "csdl" / "v1.0_metadata.xml"]
    recorder = Recorder(reference_app(folder, token=TOKEN, csdl=csdl))
    events = Events()
    config = RunConfig(
        base_url=BASE,
        contracts=folder,
        max_examples=12,
        schemathesis=0,
        seed=5,
        allow_writes=True,
        plan="full",
        read_window=0.2,
        metadata_cache=tmp_path,
    )
    run = run_against(recorder, config, contract_files.load(folder), [events])
    (read,) = events.of(SchemaRead)
    assert [s["status"] for s in read.sources] == ["downloaded", "downloaded"]
    assert read.facts["nullable"] > 0
    assert run.finished.outcome == "passed", [
        (r.check, r.message) for r in run.results if r.outcome == "failed"
    ]
    refined = {c.id: c for c in run.contracts}
    beta = refined["beta/deviceConfigurationUserStatus"]
    not_null = {p.name for p in beta.properties if p.nullable is False and p.updatable}
    nullable = {p.name for p in beta.properties if p.nullable is True and p.updatable}
    assert {"devicesCount", "status"} <= not_null and "userDisplayName" in nullable
    patches = [
        (body, e["status"])
        for e in recorder.seen
        if e["method"] == "PATCH" and "userStatuses" in e["path"]
        for body in [_json(e["body"])]
        if isinstance(body, dict)
    ]
    refused = {
        k for body, status in patches for k, v in body.items() if v is None and status == 400
    }
    taken = {k for body, status in patches for k, v in body.items() if v is None and status == 200}
    assert not_null & refused  # null-not-allowed: expected to be refused, and refused
    assert nullable & taken  # a valid null write, which round-trip and read-after-write passed
    rejection = [e.result for e in events.of(CheckFinished) if e.result.check == "rejection"]
    assert rejection and all(r.outcome == "passed" for r in rejection)


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:  # the malformed bodies the rejection check sends
        return None


# --- a run against a served mock uses it without any flag ---------------------------------------


@pytest.mark.slow
def test_a_run_against_a_served_mock_reads_it_and_reports_the_schema(tmp_path: Path) -> None:
    contracts = seeds()
    silent = sum(
        1
        for c in contracts
        for p in c.properties
        if p.nullable is None and not p.type.startswith("Collection(")
    )
    with mock_process(ROOT / "contracts", token=TOKEN) as url:
        for night in ("first", "second"):
            report = tmp_path / night
            done = subprocess.run(
                [
                    str(CLI),
                    "run",
                    "--base-url",
                    url,
                    "--token",
                    TOKEN,
                    "--max-examples",
                    "1",
                    "--schemathesis",
                    "0",
                    "--seed",
                    "2",
                    "--report-dir",
                    str(report),
                    "--metadata-cache",
                    str(tmp_path / "cache"),
                    "--no-progress",
                ],
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert done.returncode == 0, done.stderr[-2000:]
            summary = json.loads((report / "summary.json").read_text())
            schema = summary["schema"]
            expected = "downloaded" if night == "first" else "cached"
            assert [s["status"] for s in schema["sources"]] == [expected, expected]
            assert schema["facts"]["nullable"] == silent
            assert schema["drift"]["differences"] == 0  # the mock's CSDL is its contracts'
            assert schema["drift"]["contracts_compared"] == len(contracts)
            markdown = (report / "summary.md").read_text()
            assert "## Schema: the service's $metadata" in markdown
            assert f"{silent} nullability" in markdown
            said = [line for line in done.stderr.splitlines() if line.startswith("schema beta:")]
            assert len(said) == 1 and url in said[0]


@pytest.mark.slow
def test_the_drift_command_against_a_served_mock(tmp_path: Path, corpus: Path) -> None:
    """The mock serves the seeds' own CSDL: the docs agree with it. The published CSDL of
    2021-07 (--metadata) agrees with the docs on what they say; where they are silent it says
    `Nullable="false"` and the mock's CSDL says nullable (as the mock behaves): file-service."""
    beta = str(corpus / "csdl" / "beta_metadata.xml")
    with mock_process(ROOT / "contracts", token=TOKEN) as url:
        base = [
            str(CLI),
            "drift",
            "--base-url",
            url,
            "--token",
            TOKEN,
            "--version",
            "beta",
            "--metadata-cache",
            str(tmp_path),
        ]
        quiet = subprocess.run(base, capture_output=True, text=True, timeout=120)
        assert quiet.returncode == 0 and quiet.stdout.startswith("0 differences in 0 of 2")
        drift = subprocess.run(
            [*base, "--metadata", beta, "--json"], capture_output=True, text=True, timeout=120
        )
        gate = subprocess.run(
            [*base, "--metadata", beta, "--fail-on-drift"],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert drift.returncode == 0 and gate.returncode == 1
    data = json.loads(drift.stdout)
    assert data["sources"]["beta"] == {"file": beta, "service": f"{url}/beta/$metadata"}
    pairs = {p for c in data["contracts"] for d in c["differences"] for p in d["pairs"]}
    assert pairs == {"file-service"}
    lines = [d for c in data["contracts"] for d in c["differences"]]
    assert all(d["where"].startswith("seeds/") for d in lines)
    count = next(d for d in lines if d["subject"] == "devicesCount")
    assert (count["aspect"], count["where"]) == ("nullable", "seeds/000_14a432499c8fc230.txt:49")
    assert count["said"] == {"file": "not nullable", "service": "nullable"}
    assert gate.stdout.startswith("6 differences in 2 of 2 contracts")
    assert "| nullable | 6 |" in gate.stdout
    assert (
        "  seeds/000_14a432499c8fc230.txt:49: devicesCount: nullable: metadata file says not "
        "nullable; service says nullable"
    ) in gate.stdout.splitlines()


def test_the_drift_command_exits_2_unreachable_or_with_nothing_to_compare(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from graph_contracts.cli import app

    def drift(url: str):
        args = ["drift", "--base-url", url, "--contracts", str(ROOT / "contracts")]
        return CliRunner().invoke(app, [*args, "--token", TOKEN, "--metadata-cache", str(tmp_path)])

    unreachable = drift("http://127.0.0.1:9")
    assert unreachable.exit_code == 2 and "target unreachable" in unreachable.stderr
    with app_server(Recorder(create_app(seeds(), token=TOKEN), no_metadata=b"404")) as url:
        nothing = drift(url)
    assert nothing.exit_code == 2
    assert (
        "beta: the service's $metadata" in nothing.stderr
        and "none (answered 404)" in nothing.stderr
    )
    assert "nothing to compare the docs with" in nothing.stderr
