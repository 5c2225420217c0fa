"""The contract suite: every documented PATCH endpoint, held to what its doc page promises.

Each test is one check, parametrized per (contract, path template) by the graph_contracts plugin,
so reports read `test_round_trip[beta /deviceManagement/...]`. The checks themselves live in
graph_contracts.checks; an endpoint is exercised once and every check reads its verdict.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.contract


def test_status(graph_suite, graph_endpoint):
    """PATCH answers the documented status (tolerant mode: 204 is a reported deviation)."""
    graph_suite.verify(graph_endpoint, "status")


def test_shape(graph_suite, graph_endpoint):
    """The reply is JSON of the contract's @odata.type, each property of its documented type."""
    graph_suite.verify(graph_endpoint, "shape")


def test_round_trip(graph_suite, graph_endpoint):
    """Every property sent comes back equal in the reply (DateTimeOffset as an instant)."""
    graph_suite.verify(graph_endpoint, "round-trip")


def test_read_after_write(graph_suite, graph_endpoint):
    """A GET afterwards shows the sent values (polled within the read window)."""
    graph_suite.verify(graph_endpoint, "read-after-write")


def test_merge(graph_suite, graph_endpoint):
    """Properties not sent keep their values, and only the target entity changes."""
    graph_suite.verify(graph_endpoint, "merge")


def test_rejection(graph_suite, graph_endpoint):
    """Invalid bodies get a 4xx with the OData error shape, and the entity stays unchanged."""
    graph_suite.verify(graph_endpoint, "rejection")


def test_auth(graph_suite, graph_endpoint):
    """No token and a wrong token get 401 with the OData error shape."""
    graph_suite.verify(graph_endpoint, "auth")


def test_not_found(graph_suite, graph_endpoint):
    """An unknown id gets 404 with the OData error shape, and creates nothing."""
    graph_suite.verify(graph_endpoint, "not-found")


def test_not_a_server_error(graph_suite, graph_endpoint):
    """Schemathesis' own check on every reply: no 5xx, whatever was sent."""
    graph_suite.verify(graph_endpoint, "not-a-server-error")


def test_response_schema_conformance(graph_suite, graph_endpoint):
    """Schemathesis' own check: every reply matches the OpenAPI document of the docs."""
    graph_suite.verify(graph_endpoint, "response-schema-conformance")
