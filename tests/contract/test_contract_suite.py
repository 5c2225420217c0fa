"""The repository's contract suite: the checks users care about, run on every documented endpoint.

`pytest tests/contract` runs them against the embedded mock; point them at a tenant with
`--graph-base-url https://graph.microsoft.com --graph-token ...` (see `pytest --help`, group
graph-contracts). The same tests ship in the package for `graph-contracts run`.
"""

from graph_contracts.suite.test_graph_contracts import (  # noqa: F401 - collected by pytest
    pytestmark,
    test_auth,
    test_merge,
    test_not_a_server_error,
    test_not_found,
    test_read_after_write,
    test_rejection,
    test_response_schema_conformance,
    test_round_trip,
    test_shape,
    test_status,
)
