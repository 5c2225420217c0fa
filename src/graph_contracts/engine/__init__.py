"""The run engine: configuration in, events out (see `run.Run`).

It imports neither pytest, nor the CLI, nor any reporter: drivers (`graph-contracts run`, the
pytest plugin) build a `Run`, hand it the handlers they want, and read its outcome.
"""

from graph_contracts.engine.config import ConfigError, RunConfig
from graph_contracts.engine.endpoint import Endpoint, EndpointRun, Settings
from graph_contracts.engine.run import Run

__all__ = ["ConfigError", "Endpoint", "EndpointRun", "Run", "RunConfig", "Settings"]
