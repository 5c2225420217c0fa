"""The console script `graph-contracts` (and `python -m graph_contracts`).

`graph-contracts extract PATH... [--json] [--out DIR]` is the command users time against a regex
scan of the same files (benchmarks/bench_extract.py), so with plain arguments it runs without
Typer: importing Typer costs 30 ms of CPU, and its parser (0.29) builds a Pydantic adapter for
every parameter of every command before it runs one, another 130 ms. Together that was two thirds
of the scan of the whole corpus. Anything else (help, an unknown option, no path, another command)
goes to the Typer app, whose `extract` command calls the same `run_extract`.
"""

from __future__ import annotations

import os
import sys

from graph_contracts.cli_extract import plain_extract, run_extract


def main() -> None:
    plain = plain_extract(sys.argv[1:])
    if plain is None:
        from graph_contracts.cli import app

        app()
        return
    try:
        code = run_extract(*plain)
    except BrokenPipeError:  # the reader left (`| head`): quietly, as Typer's click does
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except KeyboardInterrupt:
        print("\nAborted!", file=sys.stderr)
        sys.exit(1)
    _exit_now(code)


def _exit_now(code: int) -> None:
    """Exit without the interpreter's teardown: freeing the whole corpus model object by object
    cost 25-45 ms of a run the user times against a scan. Everything is written by then (files
    closed by `save`, no atexit work on this path); the standard streams are flushed here."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        code = code or 1
    os._exit(code)


if __name__ == "__main__":
    main()
