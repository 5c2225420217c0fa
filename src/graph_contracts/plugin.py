"""pytest plugin (entry point `pytest11`): the options that point the contract suite at a target."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("graph-contracts")
    group.addoption("--graph-base-url", default=None, help="Service root; default: embedded mock.")
