"""Minimal reproducers: a failing generated body is shrunk by Hypothesis before it is reported."""

from __future__ import annotations

import json

from graph_contracts.auth import StaticToken
from graph_contracts.client import GraphClient, InProcessTransport
from graph_contracts.contracts import Contract, Property
from graph_contracts.discovery import Discoverer
from graph_contracts.engine import Endpoint, EndpointRun, Settings
from graph_contracts.engine.shrink import LOCAL_BUDGET, REMOTE_BUDGET, default_budget
from graph_contracts.mock import create_app

# No doc examples and no enums: every write comes from Hypothesis, so the first failure does.
THING = Contract(
    version="beta",
    resource="microsoft.graph.thing",
    paths=["/things/{thingId}"],
    properties=[
        Property("id", "Edm.String", key=True, nullable=False),
        Property("name", "Edm.String"),
        Property("note", "Edm.String"),
        Property("count", "Edm.Int32", nullable=False),
        Property("size", "Edm.Int64", nullable=False),
        Property("enabled", "Edm.Boolean", nullable=False),
    ],
    status=200,
)


def run(faults: list[str], budget: int) -> EndpointRun:
    app = create_app([THING], token="token-123456", faults=faults)
    client = GraphClient(
        "http://mock", "beta", auth=StaticToken("token-123456"), transport=InProcessTransport(app)
    )
    runner = EndpointRun(
        Endpoint(THING, THING.paths[0]),
        client,
        Discoverer(client),
        Settings(max_examples=25, seed=3, read_window=0.2, shrink_budget=budget),
    )
    runner.run()
    return runner


def reproduced_body(runner: EndpointRun, check: str) -> dict:
    result = next(r for r in runner.results if r.check == check)
    assert result.outcome == "failed", result
    return json.loads(result.repro.split("--data-binary ", 1)[1].strip("'"))


def test_a_failing_generated_body_is_shrunk_to_the_property_that_fails() -> None:
    runner = run(["int-off-by-one-out"], LOCAL_BUDGET)
    body = reproduced_body(runner, "round-trip")
    # Only integers are shown wrong: the smallest body that fails sends one integer property.
    assert len(body) == 1 and set(body) <= {"count", "size"}, body
    result = next(r for r in runner.results if r.check == "round-trip")
    assert "shrunk by Hypothesis" in result.message and runner.shrink_patches > 0


def test_budget_zero_reports_the_body_as_found() -> None:
    runner = run(["int-off-by-one-out"], 0)
    result = next(r for r in runner.results if r.check == "round-trip")
    assert "shrunk" not in result.message and runner.shrink_patches == 0


def test_a_small_budget_bounds_the_patches_spent() -> None:
    runner = run(["int-off-by-one-out"], 3)
    assert 0 < runner.shrink_patches <= 3


def test_the_default_budget_follows_the_target() -> None:
    assert default_budget(None) == default_budget("http://127.0.0.1:8000") == LOCAL_BUDGET
    assert default_budget("http://[::1]:9") == LOCAL_BUDGET
    assert default_budget("https://graph.microsoft.com") == REMOTE_BUDGET
