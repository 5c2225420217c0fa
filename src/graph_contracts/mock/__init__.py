"""The embedded mock Graph: a stateful, seeded Graph generated from the contracts, with faults.

`create_app(contracts)` is an ASGI app for an in-process httpx transport or for uvicorn
(`graph-contracts mock`, see `server.py`); `faults.FAULTS` is the catalogue of injectable faults.
"""

from graph_contracts.mock.app import create_app
from graph_contracts.mock.faults import FAULTS, Fault, UnknownFault

__all__ = ["FAULTS", "Fault", "UnknownFault", "create_app"]
