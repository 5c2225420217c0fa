"""An independent reference Graph server, to prove the contract suite against code it does not share.

The suite's own mock shares `graph_contracts.edm` with the checks, so a mistake there passes both
sides. This package reads the same contract files with its own code (JSON values, validation,
canonical forms, storage) and follows the Graph docs and Graph's documented behaviour
(../shared/GRAPH-FACTS.md); where the docs are silent it behaves as Graph's .NET/OData stack does.
It must never import graph_contracts (tests/test_reference_server.py scans it).

    from reference import create_app            # an ASGI app, for httpx.ASGITransport
    python -m reference --contracts DIR --port 0 --token T   # a real server (cwd tests/)

`CATALOGUE` lists the faithful variants (the suite must pass) and the defects (it must fail, in the
checks each names).
"""

from reference.app import ReferenceGraph, create_app
from reference.catalogue import CATALOGUE, DEFECTS, VARIANTS, Behaviour, UnknownBehaviour
from reference.schema import SchemaError

__all__ = [
    "CATALOGUE",
    "DEFECTS",
    "VARIANTS",
    "Behaviour",
    "ReferenceGraph",
    "SchemaError",
    "UnknownBehaviour",
    "create_app",
]
