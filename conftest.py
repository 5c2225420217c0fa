"""Repository root conftest: `pytest tests/contract` uses this checkout's contracts from any folder.

The graph_contracts plugin itself is loaded through its `pytest11` entry point (registering it here
as well would load it twice); this file only anchors the default `--graph-contracts contracts` to
the repository when pytest is started elsewhere (an IDE, `cd tests && pytest`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent


def pytest_configure(config: pytest.Config) -> None:
    chosen = config.getoption("--graph-contracts", default=None)
    if chosen == "contracts" and not Path(chosen).is_dir():
        config.option.graph_contracts = str(ROOT / "contracts")
