"""The `graph-contracts` command: a thin Typer layer over the pipeline stages.

Every command imports its stage lazily so that `graph-contracts extract` does not pay for
Schemathesis, Starlette or msal. Exit codes: 0 fine, 1 findings/violations, 2 usage or configuration.

The console script is `graph_contracts.__main__:main`: `extract` with plain arguments runs there
without Typer (see that module for why); everything else comes here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    name="graph-contracts",
    help="Contract tests for Microsoft Graph PATCH endpoints, generated from the Graph docs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

DEFAULT_CONTRACTS = Path("contracts")
PathsArg = Annotated[
    list[Path], typer.Argument(help="Doc pages or folders (searched recursively).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
ContractsOpt = Annotated[
    Path, typer.Option("--contracts", help="Contracts folder (with index.json).")
]


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print one clear line on stderr and return the Exit to raise."""
    typer.echo(f"graph-contracts: {message}", err=True)
    return typer.Exit(code)


# --- extract ---------------------------------------------------------------------------------
@app.command()
def extract(
    paths: PathsArg,
    json_out: JsonOpt = False,
    out: Annotated[Path | None, typer.Option("--out", help="Write contract files here.")] = None,
) -> None:
    """Turn Graph API doc pages into contracts.

    Bad input (empty, binary, non-UTF-8, truncated or unrecognizable files) is named on
    stderr, one line each; the other files are still extracted and the exit code is 1. A missing
    PATH is a usage error (exit 2): nothing is extracted and --out is left as it was. Overview
    and concept pages found in folders are skipped and counted.
    """
    from graph_contracts.cli_extract import run_extract

    code = run_extract(paths, json_out, out)
    if code:
        raise typer.Exit(code)


# --- lint ------------------------------------------------------------------------------------
@app.command()
def lint(
    paths: PathsArg,
    json_out: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="text; json; sarif (SARIF 2.1.0, for code scanning); github (workflow"
            " annotations).",
        ),
    ] = "text",
    output: Annotated[
        Path | None,
        typer.Option("--output", help="Write the findings here instead of standard output."),
    ] = None,
    changed_since: Annotated[
        str | None,
        typer.Option(
            "--changed-since",
            help="Git revision (the pull request's base): lint only the update pages under PATH"
            " changed since its merge base, or using a changed include or linked page.",
        ),
    ] = None,
) -> None:
    """Report doc defects with file:line and severity; exit 1 when there are errors.

    Bad input files (empty, binary, ...) are named on stderr, one line each, and also exit 1.
    SARIF locations are relative to the current directory (run it from the repository root).
    """
    from graph_contracts.extract import extract_paths
    from graph_contracts.lint import lint_extraction
    from graph_contracts.lint_formats import FORMATS, render, summary_line

    if json_out and fmt not in ("text", "json"):
        raise fail(f"--json and --format {fmt}: choose one")
    fmt = "json" if json_out else fmt
    if fmt not in FORMATS:
        raise fail(f"--format {fmt}: not one of {', '.join(FORMATS)}")
    if changed_since is not None:
        paths = _changed_pages(paths, changed_since)
    extraction = extract_paths(paths) if paths else None
    findings = lint_extraction(extraction) if extraction else []
    errors = extraction.errors if extraction else []
    for error in errors:
        typer.echo(f"graph-contracts: {error}", err=True)
    if extraction and extraction.skipped:
        typer.echo(f"{len(extraction.skipped)} pages skipped: not update or type pages", err=True)
    text = render(findings, fmt, unreadable=errors, root=Path.cwd())
    if output is None:
        typer.echo(text, nl=False)
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise fail(f"--output {output}: {exc.strerror or exc}") from None
        typer.echo(summary_line(findings, errors) + f" ({fmt} written to {output})")
    if errors or any(f.severity == "error" for f in findings):
        raise typer.Exit(1)


def _changed_pages(paths: list[Path], since: str) -> list[Path]:
    """The update pages under `paths` that a change since `since` touches (see changed_pages);
    a PATH that does not exist is kept, so that lint names it as it always does."""
    from graph_contracts.changed_pages import ChangeError, changed_files, pages_to_lint

    existing = [p for p in paths if p.exists()]
    try:
        changed = changed_files(since, existing[0]) if existing else set()
    except ChangeError as exc:
        raise fail(str(exc)) from None
    selected = pages_to_lint(existing, changed)
    typer.echo(
        f"lint: {len(selected)} update pages changed or using a changed page since {since}",
        err=True,
    )
    cwd = Path.cwd().resolve()  # the selected pages' paths are resolved too
    shown = [Path(os.path.relpath(p, cwd)) if p.is_relative_to(cwd) else p for p in selected]
    return [p for p in paths if not p.exists()] + shown


# --- check-metadata --------------------------------------------------------------------------
@app.command("check-metadata")
def check_metadata(
    paths: PathsArg,
    metadata: Annotated[
        list[Path],
        typer.Option(
            "--metadata", help="CSDL $metadata XML file, one per API version (repeatable)."
        ),
    ],
    json_out: JsonOpt = False,
    api_version: Annotated[
        str | None,
        typer.Option(
            "--api-version",
            help="Only contracts of this version; also the version of a metadata file whose"
            " name does not tell (beta_metadata.xml, v1.0_metadata.xml do).",
        ),
    ] = None,
) -> None:
    """Cross-check extracted contracts against CSDL $metadata documents, both directions.

    Reports differing types, documented properties CSDL lacks, CSDL properties the docs omit,
    unknown resources and enum differences, and the type agreement ratio. Each contract is
    compared only with the metadata of its own API version; what is left out is said.

    Findings are information: exit 0 when the comparison ran; exit 2 on unusable input
    (metadata missing, malformed or of an untold version, no contracts to compare, or an
    unreadable doc file; others still run).
    """
    import json
    from collections import Counter
    from dataclasses import asdict

    from graph_contracts.extract import extract_paths
    from graph_contracts.lint import format_finding, local_files
    from graph_contracts.metadata import (
        API_VERSIONS,
        CsdlError,
        compare_by_version,
        load_csdl,
        metadata_version,
    )

    if api_version is not None and api_version not in API_VERSIONS:
        raise fail(f"--api-version {api_version}: not one of {', '.join(API_VERSIONS)}")
    try:
        csdls = []
        for path in metadata:  # loaded first: a missing file is named as missing
            csdl = load_csdl(path)
            csdl.version = metadata_version(path, api_version)
            csdls.append(csdl)
    except CsdlError as exc:
        raise fail(str(exc)) from None
    extraction = extract_paths(paths)
    for error in extraction.errors:
        typer.echo(f"graph-contracts: {error}", err=True)
    contracts = [c for c in extraction.contracts if api_version is None or c.version == api_version]
    try:
        result = compare_by_version(contracts, csdls)
    except CsdlError as exc:
        raise fail(str(exc)) from None
    if not result.compared:
        for note in result.skipped:
            typer.echo(f"check-metadata: {note}", err=True)
        raise fail(
            "check-metadata: no contracts to compare (check PATH, --metadata, --api-version)"
        )
    report = result.report
    findings = local_files(report.findings, extraction)
    agreement = report.agreement
    if json_out:
        data = {
            "findings": [asdict(f) for f in findings],
            "agreement": agreement.to_dict(),
            "resources_agreement": report.resources.to_dict(),
            "compared": [
                {"version": v, "metadata": m, "contracts": n} for v, m, n in result.compared
            ],
            "skipped": result.skipped,
        }
        typer.echo(json.dumps(data, indent=2))
    else:
        for finding in findings:
            typer.echo(format_finding(finding))
        for note in result.skipped:
            typer.echo(f"check-metadata: skipped: {note}")
        rules = Counter(f.rule for f in findings)
        typer.echo(
            "check-metadata: "
            + ", ".join(f"{n} {v} contracts vs {Path(m).name}" for v, m, n in result.compared)
            + ": "
            + (", ".join(f"{n} {rule}" for rule, n in sorted(rules.items())) or "no findings")
            + f"; types agree on {agreement.agree} of {agreement.both} properties both know"
            + f" ({agreement.ratio:.2%}; resource tables alone: {report.resources.agree} of"
            + f" {report.resources.both}, {report.resources.ratio:.2%})"
        )
    if extraction.errors:
        raise typer.Exit(2)


# --- drift -----------------------------------------------------------------------------------
@app.command()
def drift(
    base_url: Annotated[str, typer.Option("--base-url", help="Service root (its $metadata).")],
    token: Annotated[
        str | None, typer.Option(envvar="GRAPH_TOKEN", show_envvar=True, help="Bearer token.")
    ] = None,
    contracts: ContractsOpt = DEFAULT_CONTRACTS,
    metadata: Annotated[
        list[Path] | None,
        typer.Option("--metadata", help="A published CSDL file, one per API version."),
    ] = None,
    version: Annotated[
        str | None, typer.Option("--version", help="Only this API version (beta or v1.0).")
    ] = None,
    metadata_cache: Annotated[
        Path | None,
        typer.Option("--metadata-cache", help="Where $metadata is cached (default: user cache)."),
    ] = None,
    json_out: JsonOpt = False,
    fail_on_drift: Annotated[
        bool, typer.Option("--fail-on-drift", help="Exit 1 when anything differs (release gates).")
    ] = False,
) -> None:
    """Where the docs (contracts), a CSDL file and the live service's $metadata disagree.

    Per contract: a property missing on one side, its type, nullability, enum members,
    read-only, the key; each line names the doc page as file:line. Drift is information: exit 0;
    1 with --fail-on-drift when anything differs; 2 on unusable input, an unreachable target, or
    nothing to compare the docs with (no $metadata served and no --metadata).
    """
    import json

    from graph_contracts.client import GraphContractsError
    from graph_contracts.discovery import TargetError
    from graph_contracts.engine.config import ConfigError, RunConfig, load_contracts, load_metadata
    from graph_contracts.engine.target import connect
    from graph_contracts.metadata import drift as three_way
    from graph_contracts.metadata._cache import MetadataCache, default_directory
    from graph_contracts.reporters import schema as section

    try:
        loaded = load_contracts(contracts, version)
        files = load_metadata(list(metadata or []), {c.version for c in loaded})
        target = connect(RunConfig(base_url=base_url, contracts=contracts), loaded, token=token)
    except (ConfigError, GraphContractsError, TargetError) as exc:
        raise fail(str(exc)) from None
    cache = MetadataCache(metadata_cache or default_directory())
    try:
        service = [target.service_metadata(v, cache) for v in sorted(target.clients)]
    except (GraphContractsError, TargetError) as exc:  # unreachable, credentials
        raise fail(str(exc)) from None
    finally:
        target.close()
    sources = [s.to_dict() for s in service]
    sources += [
        {"version": v, "kind": "file", "origin": c.path, "status": "given", "detail": ""}
        for v, c in sorted(files.items())
    ]
    for source in sources:
        typer.echo(f"drift: {section.source_line(source)}", err=True)
    live = {s.version: s.csdl for s in service if s.csdl is not None}
    if not live and not files:
        raise fail("drift: nothing to compare the docs with: no $metadata served, no --metadata")
    result = three_way(loaded, files, live)
    if json_out:
        typer.echo(json.dumps({"read": sources, **result.to_dict()}, indent=2))
    else:
        for line in section.text(result.to_dict()):
            typer.echo(line)
    if fail_on_drift and result.differences:
        raise typer.Exit(1)


# --- openapi ---------------------------------------------------------------------------------
@app.command()
def openapi(contracts: ContractsOpt = DEFAULT_CONTRACTS) -> None:
    """Print the OpenAPI 3.0.3 document of the contracts."""
    import json

    from graph_contracts import contracts as contract_files
    from graph_contracts.openapi import build

    try:
        loaded = contract_files.load(contracts)
    except contract_files.ContractFileError as exc:
        raise fail(str(exc)) from None
    typer.echo(json.dumps(build(loaded), indent=2, ensure_ascii=False))


# --- diff ------------------------------------------------------------------------------------
@app.command()
def diff(
    old: Annotated[Path, typer.Argument(help="Contracts folder before (as extract --out writes).")],
    new: Annotated[Path, typer.Argument(help="Contracts folder after.")],
    json_out: JsonOpt = False,
) -> None:
    """Compare two contract sets for a pre-release gate; exit 1 on breaking changes.

    Breaking: a contract, path, property or enum member removed, a type changed, a property become
    read-only, key or not nullable, the documented status changed. Additive changes are listed
    (exit 0). Unusable input (a missing folder, a broken contract file) exits 2.
    """
    import json

    from graph_contracts.contracts import ContractFileError
    from graph_contracts.diff import diff_dirs, format_change, summary

    try:
        result = diff_dirs(old, new)
    except ContractFileError as exc:
        raise fail(str(exc)) from None
    if json_out:
        typer.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        for change in result.changes:
            typer.echo(format_change(change))
        typer.echo(summary(result, old, new))
    if result.breaking:
        raise typer.Exit(1)


# --- mock ------------------------------------------------------------------------------------
@app.command()
def mock(
    contracts: ContractsOpt = DEFAULT_CONTRACTS,
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to bind (0 picks a free one).")] = 8000,
    token: Annotated[str | None, typer.Option(help="Require exactly this bearer token.")] = None,
    fault: Annotated[list[str] | None, typer.Option(help="Fault to inject (repeatable).")] = None,
    metadata: Annotated[
        list[Path] | None,
        typer.Option(
            "--metadata",
            help="CSDL file(s) served at /{version}/$metadata (default: one written from the"
            " contracts); the types the docs never resolved are seeded as CSDL types them.",
        ),
    ] = None,
) -> None:
    """Serve the contracts as a stateful mock Graph on uvicorn (and their `$metadata`)."""
    from graph_contracts.contracts import ContractFileError
    from graph_contracts.metadata import CsdlError
    from graph_contracts.mock.faults import UnknownFault
    from graph_contracts.mock.server import serve

    def announce(line: str) -> None:
        typer.echo(line)

    try:
        serve(contracts, host, port, token, fault or [], announce=announce, metadata=metadata or [])
    except (ContractFileError, UnknownFault, CsdlError) as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"mock: cannot serve on {host}:{port}: {exc}") from None


# --- run -------------------------------------------------------------------------------------
HISTORY_KEEP = 60  # reporters.history.KEEP (not imported here: the CLI starts without reporters)
HistoryOpt = Annotated[
    Path | None,
    typer.Option(
        "--history",
        help="Last night's history.jsonl: its nights and this run go to history.jsonl beside "
        "summary.json (and back to FILE); summary.md draws the trend.",
    ),
]
HistoryKeepOpt = Annotated[
    int, typer.Option("--history-keep", min=1, help="Nights the history file keeps.")
]


def check_history(history: Path | None, shard: str | None = None) -> None:
    """A history file must be one before anything runs; a shard is not a night (merge is)."""
    if history is None:
        return
    from graph_contracts.reporters import history as histories

    if shard:
        raise fail(
            "--history records whole runs: give it to `graph-contracts report merge`, "
            "not to each --shard"
        )
    try:
        histories.load(history)
    except histories.HistoryError as exc:
        raise fail(str(exc)) from None


@app.command()
def run(
    base_url: Annotated[
        str | None, typer.Option("--base-url", help="Service root; default: embedded mock.")
    ] = None,
    token: Annotated[
        str | None, typer.Option(envvar="GRAPH_TOKEN", show_envvar=True, help="Bearer token.")
    ] = None,
    contracts: ContractsOpt = DEFAULT_CONTRACTS,
    report_dir: Annotated[Path, typer.Option("--report-dir")] = Path("reports"),
    strict: Annotated[bool, typer.Option(help="Hold the service to the docs (204 fails).")] = False,
    max_examples: Annotated[int, typer.Option("--max-examples")] = 25,
    seed: Annotated[
        int | None, typer.Option(help="Hypothesis seed, for reproducible runs.")
    ] = None,
    ids: Annotated[
        Path | None, typer.Option("--ids", help="JSON file: path parameter name -> id(s).")
    ] = None,
    version: Annotated[
        str | None, typer.Option("--version", help="Only this API version (beta or v1.0).")
    ] = None,
    read_window: Annotated[
        float, typer.Option("--read-window", help="Read-after-write polling window, seconds.")
    ] = 3.0,
    fault: Annotated[
        list[str] | None, typer.Option(help="Embedded mock only: inject a fault (repeatable).")
    ] = None,
    schemathesis: Annotated[
        int | None,
        typer.Option(help="Schemathesis cases per endpoint (default: max-examples; 0: off)."),
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option(help="A previous run's summary.json: each result is marked new/fixed/..."),
    ] = None,
    fail_on: Annotated[
        str, typer.Option("--fail-on", help="any: every failure fails the run; new: only new ones.")
    ] = "any",
    known_failures: Annotated[
        Path | None,
        typer.Option(
            "--known-failures", help="YAML file of accepted failures (check, path, until)."
        ),
    ] = None,
    shrink_budget: Annotated[
        int | None,
        typer.Option(
            "--shrink-budget",
            help="PATCHes spent shrinking each failing body (default: 1000 local, 20 remote; 0 off).",
        ),
    ] = None,
    shrink_time: Annotated[
        float | None,
        typer.Option(
            "--shrink-time",
            help="Seconds spent shrinking an endpoint's failures (default 30; 0 off).",
        ),
    ] = None,
    require_permissions: Annotated[
        bool,
        typer.Option(
            "--require-permissions",
            help="A permission the token lacks (403) fails the endpoint instead of skipping it.",
        ),
    ] = False,
    shard: Annotated[
        str | None,
        typer.Option(help="K/N: take the K-th of N deterministic parts of the endpoints."),
    ] = None,
    metadata: Annotated[
        list[Path] | None,
        typer.Option(
            "--metadata",
            help="CSDL $metadata file(s), one per API version (named like beta_metadata.xml).",
        ),
    ] = None,
    service_metadata: Annotated[
        bool,
        typer.Option(
            "--service-metadata/--no-service-metadata",
            help="Read the target's own {base}/{version}/$metadata (refines contracts, drift).",
        ),
    ] = True,
    metadata_cache: Annotated[
        Path | None,
        typer.Option(
            "--metadata-cache", help="Where the target's $metadata is cached (default: user cache)."
        ),
    ] = None,
    allow_writes: Annotated[
        bool,
        typer.Option(
            "--allow-writes",
            envvar="GRAPH_CONTRACTS_ALLOW_WRITES",
            help="Allow PATCHes to a target that is not graph-contracts' own mock.",
        ),
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Discovery only (GETs): print the plan, write nothing."),
    ] = False,
    write_rate: Annotated[
        str | None,
        typer.Option(
            "--write-rate", help="N/SECONDS: every workload's write budget (default: Graph's)."
        ),
    ] = None,
    rate: Annotated[
        str | None, typer.Option("--rate", help="N/SECONDS: one budget for every request.")
    ] = None,
    plan: Annotated[
        str | None,
        typer.Option(
            "--plan",
            help="minimal: the fewest PATCHes covering every class (default with --base-url);"
            " full: every generator too (default on the embedded mock).",
        ),
    ] = None,
    journal: Annotated[
        Path | None,
        typer.Option(
            help="Write-ahead journal of entity states (default: REPORT_DIR/journal.jsonl)."
        ),
    ] = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar on a terminal.")] = True,
    request_timeout: Annotated[
        float,
        typer.Option(
            "--request-timeout", help="Seconds per request (connect, each read); then retried."
        ),
    ] = 30.0,
    max_reply_mb: Annotated[
        float,
        typer.Option(
            "--max-reply-mb", help="Replies over this are cut off while read (a target error)."
        ),
    ] = 16.0,
    target_wait: Annotated[
        float,
        typer.Option(
            "--target-wait", help="Seconds to wait for a target that stopped answering mid-run."
        ),
    ] = 60.0,
    retry_backoff: Annotated[
        float,
        typer.Option(
            "--retry-backoff",
            help="Seconds of the first back-off between retries without Retry-After (doubles).",
        ),
    ] = 0.5,
    history: HistoryOpt = None,
    history_keep: HistoryKeepOpt = HISTORY_KEEP,
) -> None:
    """Run the contract suite against a Graph target and write reports.

    Exit status: 0 at least one check ran and none failed; 1 a check failed, the target was left
    changed, or nothing could be checked; 2 a usage, configuration or credentials error, a target
    that stopped answering for good, or a run where no endpoint was checked without a target
    error; 130/143 stopped by SIGINT/SIGTERM (every touched entity restored first).
    """
    from graph_contracts import journal as journals
    from graph_contracts import reporters
    from graph_contracts.client import GraphContractsError
    from graph_contracts.engine import ConfigError, Run, RunConfig
    from graph_contracts.engine.config import load_contracts, parse_rate, parse_shard, validate
    from graph_contracts.engine.events import EventHandler
    from graph_contracts.engine.signals import stop_on_signals

    config = RunConfig(
        base_url=base_url,
        contracts=contracts,
        version=version,
        strict=strict,
        max_examples=max_examples,
        seed=seed,
        ids=ids,
        read_window=read_window,
        faults=list(fault or []),
        schemathesis=schemathesis,
        baseline=baseline,
        fail_on=fail_on,
        known_failures=known_failures,
        shrink_budget=shrink_budget,
        shrink_seconds=shrink_time,
        require_permissions=require_permissions,
        metadata=list(metadata or []),
        service_metadata=service_metadata,
        metadata_cache=metadata_cache,
        allow_writes=allow_writes,
        dry_run=dry_run,
        plan=plan,
        request_timeout=request_timeout,
        max_reply_mb=max_reply_mb,
        target_wait=target_wait,
        retry_backoff=retry_backoff,
    )
    console = reporters.ConsoleReporter(progress=progress, report_dir=report_dir)
    handlers: list[EventHandler] = [console]
    recorder = None
    if not dry_run:  # a dry run writes nothing, reports included
        journal_file = journal or report_dir / journals.NAME
        refused = journals.refusal(journal_file)
        if refused is not None:  # it may hold the only record of what a crashed run changed
            raise fail(refused)
        check_history(history, shard)
        reporters.prepare(report_dir)  # whatever happens next, no earlier run's report survives
        handlers += reporters.files_handlers(report_dir, history, history_keep, night=not shard)
        if base_url is not None:  # an in-process mock's state dies with the process
            recorder = journals.Journal(journal_file, secrets=lambda: engine.secrets())
            handlers.append(recorder)  # last: the run is announced if it cannot be made
    try:
        config.shard = parse_shard(shard) if shard else None
        config.share = 1 / config.shard[1] if config.shard else 1.0  # the budget is the tenant's
        config.write_rate = parse_rate("--write-rate", write_rate)
        config.rate = parse_rate("--rate", rate)
        validate(config)
        engine = Run(config, load_contracts(contracts, version), handlers=handlers, token=token)
    except ConfigError as exc:
        raise fail(str(exc)) from None
    if dry_run:
        try:
            engine.dry_run()
        except GraphContractsError as exc:  # TargetError included: unreachable, credentials
            raise fail(str(exc)) from None
        raise typer.Exit(0)
    with stop_on_signals(engine.request_stop):
        engine.execute()
    for problem in recorder.problems if recorder else ():
        typer.echo(f"graph-contracts: {problem}", err=True)
    raise typer.Exit(engine.exit_code())


# --- restore ---------------------------------------------------------------------------------
@app.command()
def restore(
    journals_given: Annotated[
        list[Path],
        typer.Argument(
            metavar="JOURNAL",
            help="Journals of runs that did not finish, or report dirs (each: its journal.jsonl "
            "and its xdist workers' .workers/*/journal.jsonl).",
        ),
    ],
    base_url: Annotated[
        str | None, typer.Option("--base-url", help="Service root; default: each journal's.")
    ] = None,
    token: Annotated[
        str | None, typer.Option(envvar="GRAPH_TOKEN", show_envvar=True, help="Bearer token.")
    ] = None,
    read_window: Annotated[
        float, typer.Option("--read-window", help="Seconds a GET may take to show a restore.")
    ] = 3.0,
) -> None:
    """Put back every entity a run left changed, from its journals; safe to run twice.

    Each entity is reported: restored, already as before, refused (with the service's error),
    not verified (a GET still differs), gone (404) or target error (its requests still failed
    after the retries; the next entity is tried all the same). A report directory stands for
    every journal a run left in it: a pytest-xdist run leaves one per worker. Exit status: 0
    every entity is back (each journal is closed); 1 some entity is not; 2 an unusable journal,
    credentials or target.
    """
    paths = _journals_in(journals_given)
    settled = True
    for path in paths:
        if len(paths) > 1:
            typer.echo(f"restore: {path}")
        settled = _restore_journal(path, base_url, token, read_window) and settled
    raise typer.Exit(0 if settled else 1)


def _journals_in(given: list[Path]) -> list[Path]:
    """Each JOURNAL argument as journal files: a directory stands for every journal in it."""
    from graph_contracts import journal as journals

    paths: list[Path] = []
    for place in given:
        found = journals.journals_at(place) if place.is_dir() else [place]
        if not found:
            raise fail(f"{place}: no {journals.NAME} in it, nor in {journals.WORKERS_DIR}/*/")
        paths += [p for p in found if p not in paths]
    return paths


def _restore_journal(path: Path, base_url: str | None, token: str | None, window: float) -> bool:
    """Put back what one journal holds; True when every entity of it is back."""
    from graph_contracts import auth
    from graph_contracts import journal as journals
    from graph_contracts.client import GraphClient, GraphContractsError

    try:
        state = journals.read(path)
    except journals.JournalError as exc:
        raise fail(str(exc)) from None
    if state.torn:
        typer.echo(f"graph-contracts: {state.torn}", err=True)
    base = (base_url or state.base_url or "").rstrip("/")
    clients: dict[str, GraphClient] = {}
    try:
        if not state.in_process:
            credentials = auth.from_settings(token, base_url=base)
            clients = {v: GraphClient(base, v, auth=credentials) for v in state.versions}
        outcomes = journals.restore(
            path,
            clients,
            read_window=window,
            on_outcome=lambda outcome: typer.echo(journals.format_outcome(outcome)),
        )
    except GraphContractsError as exc:  # the journal, credentials, an unreachable target, 401
        raise fail(str(exc)) from None
    finally:
        for client in clients.values():
            client.close()
    typer.echo(journals.summary(outcomes, path))
    return all(o.settled for o in outcomes)


# --- report --------------------------------------------------------------------------------
report_app = typer.Typer(help="Work with report directories.", no_args_is_help=True)
app.add_typer(report_app, name="report")


@report_app.command("merge")
def report_merge(
    dirs: Annotated[list[Path], typer.Argument(help="Report directories (one per shard).")],
    out: Annotated[Path, typer.Option("--out", help="Where the merged report goes.")],
    history: HistoryOpt = None,
    history_keep: HistoryKeepOpt = HISTORY_KEEP,
) -> None:
    """Merge shards' reports (summary.json/md, junit.xml, allure-results/) into one run's.

    Exit status: that of the merged run (0 passed, 1 failed or nothing checked, 2 when a shard
    stopped on a usage or credentials error); 2 when the directories cannot be merged (a shard
    missing, shards overlapping, a summary.json unreadable).
    """
    from graph_contracts.engine.results import exit_code
    from graph_contracts.reporters.console import verdict_line
    from graph_contracts.reporters.merge import MergeError, merge

    check_history(history)
    try:
        finished = merge(dirs, out, history=history, keep=history_keep)
    except MergeError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"merged {len(dirs)} reports into {out}/")
    typer.echo(verdict_line(finished, out))
    raise typer.Exit(exit_code(finished.outcome, fatal=finished.message))  # type: ignore[arg-type]


def main() -> None:
    app()


if __name__ == "__main__":
    main()
