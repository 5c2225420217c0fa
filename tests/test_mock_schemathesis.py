"""Schemathesis against the mock's own OpenAPI document, in-process: no 5xx, no crash.

Positive and negative cases for every GET and PATCH operation, bounded so the file runs in seconds.
Graph formats are registered first (strategies.register_formats), so positive DateTimeOffset
values are Graph-valid; the only check is `not_a_server_error`, because the point is robustness:
whatever Schemathesis sends, the mock answers with a 2xx or a 4xx in the OData error shape.
"""

from __future__ import annotations

from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from graph_contracts import contracts as contract_files
from graph_contracts.mock import create_app
from graph_contracts.openapi import build

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = contract_files.load(ROOT / "contracts")
APP = create_app(CONTRACTS, token="t")

try:  # helper E1's formats; without them Schemathesis' own date-time still must not cause a 5xx
    from graph_contracts.strategies import register_formats

    register_formats()
except ImportError:  # pragma: no cover - only while strategies.py is being written
    pass

schema = schemathesis.openapi.from_dict(build(CONTRACTS))
schema.app = APP


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
    derandomize=True,  # the same cases on every run: a CI failure reproduces locally
)
def test_no_server_error(case):
    response = case.call_and_validate(
        headers={"Authorization": "Bearer t"}, checks=[not_a_server_error]
    )
    assert response.status_code < 500
    if response.status_code >= 400:
        assert "error" in response.json()
