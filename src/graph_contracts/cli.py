"""The `graph-contracts` command: a thin Typer layer over the pipeline stages.

Every command imports its stage lazily so that `graph-contracts extract` does not pay for
Schemathesis, Starlette or msal. Exit codes: 0 fine, 1 findings/violations, 2 usage or configuration.
"""

from __future__ import annotations

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
    """Turn Graph API doc pages into contracts."""
    raise fail("extract: not implemented yet")


# --- lint ------------------------------------------------------------------------------------
@app.command()
def lint(paths: PathsArg, json_out: JsonOpt = False) -> None:
    """Report doc defects with file:line and severity; exit 1 when there are errors."""
    raise fail("lint: not implemented yet")


# --- check-metadata --------------------------------------------------------------------------
@app.command("check-metadata")
def check_metadata(
    paths: PathsArg,
    metadata: Annotated[Path, typer.Option("--metadata", help="CSDL $metadata XML file.")],
    json_out: JsonOpt = False,
) -> None:
    """Cross-check extracted contracts against a CSDL $metadata document, both directions."""
    raise fail("check-metadata: not implemented yet")


# --- openapi ---------------------------------------------------------------------------------
@app.command()
def openapi(contracts: ContractsOpt = DEFAULT_CONTRACTS) -> None:
    """Print the OpenAPI 3.0.3 document of the contracts."""
    raise fail("openapi: not implemented yet")


# --- mock ------------------------------------------------------------------------------------
@app.command()
def mock(
    contracts: ContractsOpt = DEFAULT_CONTRACTS,
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to bind (0 picks a free one).")] = 8000,
    token: Annotated[str | None, typer.Option(help="Require exactly this bearer token.")] = None,
    fault: Annotated[list[str] | None, typer.Option(help="Fault to inject (repeatable).")] = None,
) -> None:
    """Serve the contracts as a stateful mock Graph on uvicorn."""
    raise fail("mock: not implemented yet")


# --- run -------------------------------------------------------------------------------------
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
) -> None:
    """Run the contract suite against a Graph target and write reports."""
    raise fail("run: not implemented yet")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
