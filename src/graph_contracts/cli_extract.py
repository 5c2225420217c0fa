"""The `extract` command's work, without Typer: the Typer command and the console script's fast
path (`__main__`) both call `run_extract`, so they print, write and exit alike.
"""

from __future__ import annotations

import sys
from pathlib import Path

from graph_contracts.gc_pause import paused_gc


def plain_extract(args: list[str]) -> tuple[list[Path], bool, Path | None] | None:
    """`extract PATH... [--json] [--out DIR]` as Typer would parse it; None for anything else."""
    if not args or args[0] != "extract":
        return None
    paths: list[Path] = []
    json_out, out = False, None
    rest = iter(args[1:])
    for arg in rest:
        if arg == "--json":
            json_out = True
        elif arg == "--out" or arg.startswith("--out="):
            value = arg[len("--out=") :] if "=" in arg else next(rest, "")
            if not value or value.startswith("-"):
                return None  # a missing value: Typer's message
            out = Path(value)
        elif not arg or arg.startswith("-"):
            return None  # --help, --, -, unknown options: Typer's parsing and messages
        else:
            paths.append(Path(arg))
    return (paths, json_out, out) if paths else None


@paused_gc
def run_extract(paths: list[Path], json_out: bool, out: Path | None) -> int:
    """Doc pages to contracts, printed or written; the exit code (1 when some input was bad, 2
    when a PATH is missing: then nothing is read or written, and an existing --out stays).

    The cyclic garbage collector is paused for the whole command, not only the extraction: the
    output's many small dicts are acyclic too, and each collection would walk every contract
    (about 40 ms of a corpus run)."""
    from graph_contracts.contracts import contracts_json, save
    from graph_contracts.extract import extract_paths

    for p in paths:
        if not p.exists():
            message = f"{p}: no such file or directory (nothing extracted or written)"
            print(f"graph-contracts: {message}", file=sys.stderr, flush=True)
            return 2
    result = extract_paths(paths, parallel=True)  # a command line: no threads to fork with
    for error in result.errors:
        print(f"graph-contracts: {error}", file=sys.stderr, flush=True)
    if result.skipped:
        skipped = f"{len(result.skipped)} pages skipped: not update or type pages"
        print(skipped, file=sys.stderr, flush=True)
    if out is not None and not result.contracts and result.errors:
        # every page was bad: an empty index would replace last good run's contracts
        print(f"nothing written to {out}: no page gave a contract", file=sys.stderr, flush=True)
    elif out is not None:
        written = save(result.contracts, out)
        notice = f"wrote {len(written) - 1} contracts and an index to {out}"
        print(notice, file=sys.stderr if json_out else sys.stdout, flush=True)
    if json_out:
        _write_stdout(contracts_json(result.contracts) + b"\n")
    elif out is None:
        for c in result.contracts:
            print(
                f"{c.id}: {len(c.paths)} paths, {len(c.properties)} properties, "
                f"status {c.status}, {len(c.findings)} findings ({len(c.sources)} pages)"
            )
    return 1 if result.errors else 0


def _write_stdout(data: bytes) -> None:
    """Bytes to stdout as they are: no decoding, no scan of megabytes for ANSI codes to strip."""
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # a text-only stream (a test's capture): hand it text
        sys.stdout.write(data.decode())
    else:
        buffer.write(data)
        buffer.flush()
