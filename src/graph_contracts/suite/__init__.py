"""The contract suite shipped in the package, so `graph-contracts run` works for a pip install.

`test_graph_contracts.py` is the pytest module (one test per check, parametrized per endpoint by
the plugin); `engine.py` exercises an endpoint, `session.py` holds one run's target and results.
"""

from pathlib import Path

SUITE_MODULE = Path(__file__).with_name("test_graph_contracts.py")
