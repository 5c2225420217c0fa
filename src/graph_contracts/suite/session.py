"""One pytest session of the contract suite: the target, its clients, the endpoints and results.

Built from the plugin options. The embedded mock and a live tenant differ only in the transport
and base URL of the clients (httpx's idea); everything after `_clients` is target-agnostic.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph_contracts import contracts as contract_files
from graph_contracts.checks import Verdict
from graph_contracts.client import GraphClient, GraphContractsError, RetryStats, curl
from graph_contracts.contracts import Contract
from graph_contracts.discovery import Discoverer, IdsFileError, TargetError, load_ids
from graph_contracts.suite.engine import Endpoint, EndpointRun, Settings


class SuiteError(Exception):
    """Bad suite configuration (contracts, ids file, faults): one line, exit status 2."""


@dataclass
class Options:
    """The plugin options, typed; also what `graph-contracts run` fills in."""

    base_url: str | None = None
    token: str | None = None
    contracts: Path = Path("contracts")
    version: str | None = None
    strict: bool = False
    max_examples: int = 25
    seed: int | None = None
    ids: Path | None = None
    report_dir: Path = Path("reports")
    read_window: float = 3.0
    faults: list[str] = field(default_factory=list)
    schemathesis: int | None = None

    @classmethod
    def from_config(cls, config: pytest.Config) -> Options:
        get = config.getoption
        ids = get("--graph-ids")
        return cls(
            base_url=get("--graph-base-url"),
            token=get("--graph-token"),
            contracts=Path(get("--graph-contracts")),
            version=get("--graph-version"),
            strict=get("--graph-strict"),
            max_examples=get("--graph-max-examples"),
            seed=get("--graph-seed"),
            ids=Path(ids) if ids else None,
            report_dir=Path(get("--graph-report-dir")),
            read_window=get("--graph-read-window"),
            faults=list(get("--graph-fault") or []),
            schemathesis=get("--graph-schemathesis"),
        )


def load_contracts(directory: Path, version: str | None = None) -> list[Contract]:
    """The contracts to check; a missing or broken folder is a SuiteError naming the file."""
    if not directory.is_dir():
        raise SuiteError(f"{directory}: contracts folder not found (use --contracts DIR)")
    try:
        loaded = contract_files.load(directory)
    except contract_files.ContractFileError as exc:
        raise SuiteError(str(exc)) from None
    return [c for c in loaded if version is None or c.version == version]


def check_faults(faults: Iterable[str], base_url: str | None) -> None:
    if not faults:
        return
    if base_url:
        raise SuiteError("faults only apply to the embedded mock, not to a --base-url target")
    from graph_contracts.mock.faults import FAULTS

    unknown = sorted(set(faults) - set(FAULTS))
    if unknown:
        raise SuiteError(f"unknown fault {', '.join(unknown)}; known: {', '.join(sorted(FAULTS))}")


class GraphSuite:
    """The session state behind the `graph_suite` fixture."""

    def __init__(self, options: Options, config: pytest.Config | None = None) -> None:
        from graph_contracts import plugin

        self.options = options
        self.config = config
        self.contracts = load_contracts(options.contracts, options.version)
        check_faults(options.faults, options.base_url)
        self.seed = options.seed if options.seed is not None else plugin.new_seed()
        self.ids = self._ids(options.ids)
        self.endpoints = [Endpoint(c, path) for c in self.contracts for path in c.paths]
        self.settings = Settings(
            strict=options.strict,
            max_examples=options.max_examples,
            seed=self.seed,
            read_window=options.read_window,
        )
        self.results: list[Any] = []
        self._secrets: list[str] = []
        self._credentials: Any = None
        self._clients: dict[str, GraphClient] | None = None
        self._discoverers: dict[str, Discoverer] = {}
        self._runs: dict[str, EndpointRun | BaseException] = {}
        self._extra: Any = None

    @classmethod
    def from_config(cls, config: pytest.Config) -> GraphSuite:
        return cls(Options.from_config(config), config)

    @staticmethod
    def _ids(path: Path | None) -> dict[str, list[str]]:
        if path is None:
            return {}
        try:
            return load_ids(path)
        except IdsFileError as exc:
            raise SuiteError(str(exc)) from None

    @property
    def secrets(self) -> list[str]:
        """Everything to redact, read when needed: msal's access token exists only once fetched."""
        live = getattr(self._credentials, "secrets", ()) if self._credentials else ()
        return [s for s in (*self._secrets, *live) if s]

    def describe(self) -> str:
        target = self.options.base_url or "embedded mock (in-process)"
        faults = f", faults: {', '.join(self.options.faults)}" if self.options.faults else ""
        mode = "strict" if self.options.strict else "tolerant"
        return (
            f"graph-contracts: target {target}{faults}; {len(self.endpoints)} endpoints; "
            f"{mode}; max-examples {self.options.max_examples}; seed {self.seed}"
        )

    # -- target ---------------------------------------------------------------------------------
    @property
    def clients(self) -> dict[str, GraphClient]:
        if self._clients is None:
            self._clients = self._connect()
        return self._clients

    def _connect(self) -> dict[str, GraphClient]:
        from graph_contracts import auth as auth_settings
        from graph_contracts import plugin

        options = self.options
        transport: httpx.BaseTransport | None = None
        token = options.token
        if options.base_url is None:
            from graph_contracts.client import InProcessTransport
            from graph_contracts.mock import create_app

            token = token or plugin.env_token() or plugin.new_token()
            app = create_app(
                self.contracts, token=token, faults=options.faults, seed=options.seed or 0
            )
            transport = InProcessTransport(app)
        try:
            credentials = auth_settings.from_settings(token, base_url=options.base_url)
        except GraphContractsError as exc:
            raise TargetError(str(exc)) from None
        self._credentials = credentials
        self._secrets += [s for s in (token,) if s]
        base = options.base_url or plugin.EMBEDDED_URL
        versions = sorted({c.version for c in self.contracts})
        return {v: GraphClient(base, v, auth=credentials, transport=transport) for v in versions}

    def discoverer(self, version: str) -> Discoverer:
        if version not in self._discoverers:
            self._discoverers[version] = Discoverer(self.clients[version], self.ids)
        return self._discoverers[version]

    def preflight(self) -> None:
        """Resolve the first endpoint now: bad credentials or an unreachable target stop the run."""
        if self.endpoints:
            first = self.endpoints[0]
            self.discoverer(first.contract.version).resolve(first.template)

    # -- running --------------------------------------------------------------------------------
    def run(self, endpoint: Endpoint) -> dict[str, Verdict]:
        """Exercise an endpoint once; every check of it reads the same verdicts."""
        key = endpoint.id
        if key not in self._runs:
            version = endpoint.contract.version
            runner = EndpointRun(
                endpoint,
                self.clients[version],
                self.discoverer(version),
                self.settings,
                extra_cases=self.extra_cases,
            )
            try:
                runner.run()
            except (TargetError, GraphContractsError):
                raise
            except Exception as exc:  # a bug or a garbled reply: every check of it errors alike
                self._runs[key] = exc
                raise
            self._runs[key] = runner
        stored = self._runs[key]
        if isinstance(stored, BaseException):
            raise stored
        return stored.verdicts

    def extra_cases(self, endpoint: Endpoint) -> list[Any]:
        """Schemathesis' coverage-phase and negative cases for the endpoint (empty when off)."""
        budget = self.options.schemathesis
        budget = self.options.max_examples if budget is None else budget
        if budget <= 0:
            return []
        if self._extra is None:
            from graph_contracts.suite.schemathesis_cases import SchemathesisCases

            self._extra = SchemathesisCases(self.contracts, budget, self.seed)
        return self._extra.cases(endpoint)

    def verify(self, endpoint: Endpoint, check: str) -> None:
        """The body of every suite test: record the check's verdict, then pass, fail or skip."""
        from graph_contracts import plugin

        try:
            verdict = self.run(endpoint)[check]
        except (TargetError, GraphContractsError) as exc:
            if self.config is None:
                raise
            plugin.stop(self.config, str(exc))
            raise
        repro = self._record(endpoint, check, verdict)
        if verdict.outcome == "failed":
            text = f"check failed: {verdict.message}" + (f"\nreproduce: {repro}" if repro else "")
            pytest.fail(text, pytrace=False)
        if verdict.outcome == "skipped":
            pytest.skip(verdict.message)

    def _record(self, endpoint: Endpoint, check: str, verdict: Verdict) -> str | None:
        from graph_contracts.reports import CheckResult, attach_exchange

        repro = None
        response = verdict.response
        if verdict.failed and response is not None:
            repro = curl(response.request, self.secrets)
            attach_exchange(response.request, response, secrets=self.secrets)
        self.results.append(
            CheckResult(
                contract=endpoint.contract.id,
                version=endpoint.contract.version,
                path=endpoint.template,
                check=check,
                outcome=verdict.outcome,
                message=verdict.message,
                repro=repro,
                deviation=verdict.deviation,
            )
        )
        return repro

    def warnings(self) -> list[str]:
        """Entities the suite could not put back as it found them (a live tenant was changed)."""
        return [
            f"not restored: {failure}"
            for run in self._runs.values()
            if isinstance(run, EndpointRun)
            for failure in run.restore_failures
        ]

    def retries(self) -> RetryStats:
        total = RetryStats()
        for client in (self._clients or {}).values():
            total.count += client.retries.count
            total.waited += client.retries.waited
        return total

    def finish(self) -> None:
        """Write summary.json / summary.md and close the clients."""
        from graph_contracts.reports import write_summary

        if self.results:
            write_summary(
                self.results,
                self.options.report_dir,
                retries=self.retries(),
                secrets=self.secrets,
                warnings=self.warnings(),
            )
        for client in (self._clients or {}).values():
            client.close()
