"""The contract suite shipped in the package, so `pytest --pyargs graph_contracts.suite` works.

`test_graph_contracts.py` is the pytest module (one test per check, parametrized per endpoint by
the graph_contracts plugin, which drives the run engine).
"""

from pathlib import Path

SUITE_MODULE = Path(__file__).with_name("test_graph_contracts.py")
