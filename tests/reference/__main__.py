"""`python -m reference --contracts DIR --port 0 --token T ...`: the reference Graph as a process.

Run with tests/ as the working directory (or on PYTHONPATH). Bad arguments, unknown variant or
defect names and unreadable contracts exit 2 with one line on stderr, before anything is bound.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from reference.app import create_app
from reference.catalogue import DEFECTS, VARIANTS, UnknownBehaviour
from reference.pacing import parse_budget
from reference.schema import SchemaError
from reference.server import serve


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m reference", description="An independent reference Graph server."
    )
    parser.add_argument("--contracts", type=Path, required=True, help="contracts folder")
    parser.add_argument("--token", required=True, help="the bearer token to accept")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--csdl", type=Path, action="append", default=[], help="CSDL file")
    parser.add_argument("--variant", action="append", default=[], help=", ".join(VARIANTS))
    parser.add_argument("--defect", action="append", default=[], help=", ".join(DEFECTS))
    parser.add_argument("--write-budget", metavar="N/SECONDS", help="e.g. 100/20")
    parser.add_argument("--seed", type=int, default=0)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        budget = parse_budget(args.write_budget) if args.write_budget else None
        app = create_app(
            args.contracts,
            token=args.token,
            csdl=args.csdl,
            variants=args.variant,
            defects=args.defect,
            write_budget=budget,
            seed=args.seed,
        )
        serve(app, args.host, args.port)
    except (ValueError, SchemaError, UnknownBehaviour, OSError) as exc:
        print(f"reference: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
