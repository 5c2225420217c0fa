"""A run's configuration: what both drivers (`graph-contracts run`, the pytest plugin) fill in.

Plain data, validated once before the first request, so a usage error is one line and exit
status 2 whichever driver started the run. Credentials are not part of it: they go to the target
(`engine.target.connect`), so a configuration can be printed and reported as it is.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from graph_contracts import contracts as contract_files
from graph_contracts.contracts import Contract
from graph_contracts.discovery import IdsFileError, load_ids
from graph_contracts.engine.triage import Baseline, Triage, TriageError, load_known_failures
from graph_contracts.metadata import Csdl, CsdlError, load_versioned
from graph_contracts.pacing import Rate

VERSIONS = ("beta", "v1.0")
PLANS = ("minimal", "full")  # graph_contracts.plan.PLAN_KINDS
EMBEDDED_URL = "http://127.0.0.1:8000"  # where `graph-contracts mock` listens: repros stay runnable


class ConfigError(Exception):
    """Bad configuration (contracts, ids file, faults, options): one line, exit status 2."""


@dataclass
class RunConfig:
    """Everything a run needs to know except the credentials."""

    base_url: str | None = None  # None: the embedded mock, in-process
    contracts: Path = Path("contracts")
    version: str | None = None  # only this API version
    strict: bool = False
    max_examples: int = 25
    seed: int | None = None
    ids: Path | None = None
    read_window: float = 3.0
    faults: list[str] = field(default_factory=list)
    schemathesis: int | None = None  # Schemathesis cases per endpoint (default: max-examples)
    plan: str | None = None  # None: "minimal" on a --base-url target, "full" on the embedded mock
    baseline: Path | None = None  # a previous run's summary.json
    fail_on: str = "any"  # any: every failure fails the run; new: only those not in the baseline
    known_failures: Path | None = None  # YAML entries that excuse matching failures
    shard: tuple[int, int] | None = None  # (K, N): this run takes the K-th of N parts
    worker: str | None = None  # an xdist worker: the scheduler, not the run, picks its endpoints
    shrink_budget: int | None = None  # PATCHes per failing check; None: by target (see shrink)
    metadata: list[Path] = field(default_factory=list)  # CSDL files, one per API version
    service_metadata: bool = True  # read the target's own `{base}/{version}/$metadata`
    metadata_cache: Path | None = None  # where those are cached; None: the user's cache dir
    write_rate: Rate | None = None  # replaces every workload's write budget
    rate: Rate | None = None  # one budget for every request of the run
    share: float = 1.0  # of every budget: 1/N for a shard of N or one of N xdist workers
    allow_writes: bool = False  # writes to anything but graph-contracts' own mock need it
    dry_run: bool = False  # discovery only (GETs), then print the plan
    require_permissions: bool = False  # a permission the token lacks fails the endpoint
    shrink_seconds: float | None = None  # time spent shrinking per endpoint; None: the default
    # A night on a real network (client.py): per-request timeout, reply size limit, the wait for
    # a target that stopped answering, and the base of the back-off between retries.
    request_timeout: float = 30.0  # seconds: connect, and each read or write
    max_reply_mb: float = 16.0  # replies over this are cut off while reading (a target error)
    target_wait: float = 60.0  # seconds to wait for a target that stopped answering mid-run
    retry_backoff: float = 0.5  # seconds: first back-off when no Retry-After is given (doubles)

    @property
    def shard_label(self) -> str | None:
        return f"{self.shard[0]}/{self.shard[1]}" if self.shard else None

    @property
    def chosen_plan(self) -> str:
        """A live target is throttle-bound (Intune: 100 writes / 20 s): the covering set only."""
        if self.plan is not None:
            return self.plan
        return "minimal" if self.base_url else "full"

    @property
    def mode(self) -> str:
        return "strict" if self.strict else "tolerant"


def new_seed() -> int:
    """A fresh seed when none is given; printed before the first request so a failure reproduces."""
    return random.SystemRandom().randrange(2**31)


def load_contracts(directory: Path, version: str | None = None) -> list[Contract]:
    """The contracts to check; a missing or broken folder is a ConfigError naming the file."""
    if not directory.is_dir():
        raise ConfigError(f"{directory}: contracts folder not found (use --contracts DIR)")
    try:
        loaded = contract_files.load(directory)
    except contract_files.ContractFileError as exc:
        raise ConfigError(str(exc)) from None
    chosen = [c for c in loaded if version is None or c.version == version]
    if not chosen:
        raise ConfigError(f"{directory}: no {version} contracts")
    return chosen


def load_id_file(path: Path | None) -> dict[str, list[str]]:
    if path is None:
        return {}
    if not path.is_file():
        raise ConfigError(f"{path}: ids file not found")
    try:
        return load_ids(path)
    except IdsFileError as exc:
        raise ConfigError(str(exc)) from None


def parse_rate(option: str, text: str | None) -> Rate | None:
    """`--write-rate 100/20` -> Rate(100, 20); a ConfigError naming the option otherwise."""
    if text is None:
        return None
    try:
        return Rate.parse(text)
    except ValueError as exc:
        raise ConfigError(f"{option}: {exc}") from None


def parse_shard(text: str) -> tuple[int, int]:
    """`2/4` -> (2, 4); K and N whole numbers with 1 <= K <= N."""
    k, sep, n = text.partition("/")
    if sep and k.strip().isdigit() and n.strip().isdigit() and 1 <= int(k) <= int(n):
        return int(k), int(n)
    raise ConfigError(f"--shard must be K/N with 1 <= K <= N (e.g. 2/4), not {text!r}")


def shard_of(endpoint_id: str, count: int) -> int:
    """The 1-based shard an endpoint belongs to, by a hash of its own id.

    Stable when contracts are added or removed (an endpoint's shard depends on nothing else), and
    the N shards together are exactly the full run, with no overlap.
    """
    digest = hashlib.sha256(endpoint_id.encode()).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def load_metadata(paths: list[Path], versions: Iterable[str]) -> dict[str, Csdl]:
    """The CSDL documents given with --metadata, by the API version each describes (told by its
    name, or the run's only version); ConfigError naming a file that cannot be used."""
    try:
        return load_versioned(paths, versions)
    except CsdlError as exc:
        raise ConfigError(str(exc)) from None


def load_triage(config: RunConfig) -> Triage:
    """The baseline and known failures a run judges its failures by (ConfigError when unusable)."""
    try:
        baseline = Baseline.load(config.baseline) if config.baseline else None
        known = load_known_failures(config.known_failures) if config.known_failures else []
    except TriageError as exc:
        raise ConfigError(str(exc)) from None
    return Triage(baseline, known, config.fail_on)


def check_faults(faults: Iterable[str], base_url: str | None) -> None:
    faults = list(faults)
    if not faults:
        return
    if base_url:
        raise ConfigError("faults only apply to the embedded mock, not to a --base-url target")
    from graph_contracts.mock.faults import FAULTS

    unknown = sorted(set(faults) - set(FAULTS))
    if unknown:
        raise ConfigError(f"unknown fault {', '.join(unknown)}; known: {', '.join(sorted(FAULTS))}")


def validate(config: RunConfig) -> None:
    """Every usage error, before anything is sent."""
    if config.version not in (None, *VERSIONS):
        raise ConfigError(f"--version must be beta or v1.0, not {config.version!r}")
    if config.max_examples < 0:
        raise ConfigError("--max-examples must be >= 0")
    if config.shrink_budget is not None and config.shrink_budget < 0:
        raise ConfigError("--shrink-budget must be >= 0 (0 turns shrinking off)")
    if config.read_window < 0:
        raise ConfigError("--read-window must be >= 0")
    if config.shrink_seconds is not None and config.shrink_seconds < 0:
        raise ConfigError("--shrink-time must be >= 0 (0 turns shrinking off)")
    if config.fail_on not in ("any", "new"):
        raise ConfigError(f"--fail-on must be any or new, not {config.fail_on!r}")
    for option, value in (
        ("--request-timeout", config.request_timeout),
        ("--max-reply-mb", config.max_reply_mb),
    ):
        if not value > 0:
            raise ConfigError(f"{option} must be > 0")
    for option, value in (
        ("--target-wait", config.target_wait),
        ("--retry-backoff", config.retry_backoff),
    ):
        if not value >= 0:
            raise ConfigError(f"{option} must be >= 0")
    if config.plan not in (None, *PLANS):
        raise ConfigError(f"--plan must be one of {', '.join(PLANS)}, not {config.plan!r}")
    check_faults(config.faults, config.base_url)
