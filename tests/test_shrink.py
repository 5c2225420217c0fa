"""Minimal reproducers: a failing generated body is shrunk by Hypothesis before it is reported."""

from __future__ import annotations

import json

from graph_contracts.auth import StaticToken
from graph_contracts.client import GraphClient, InProcessTransport
from graph_contracts.contracts import Contract, Property
from graph_contracts.discovery import Discoverer
from graph_contracts.engine import Endpoint, EndpointRun, Settings
from graph_contracts.engine.shrink import LOCAL_BUDGET, REMOTE_BUDGET, default_budget, shrink
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


def test_a_failing_packed_body_is_reduced_to_the_property_that_fails() -> None:
    """The covering set packs every property into few bodies: the reproducer sends one."""
    runner = run(["int-off-by-one-out"], LOCAL_BUDGET)
    body = reproduced_body(runner, "round-trip")
    # Only integers are shown wrong: the smallest body that fails sends one integer property.
    assert len(body) == 1 and set(body) <= {"count", "size"}, body
    result = next(r for r in runner.results if r.check == "round-trip")
    assert "reduced from 5 properties to 1 property" in result.message
    assert runner.shrink_patches > 0


def test_hypothesis_shrinks_a_generated_body_to_the_smallest_that_fails() -> None:
    """Hypothesis' shrink phase on the seeded generation: fewer properties, smaller values."""
    from graph_contracts import strategies
    from graph_contracts.checks import Verdict

    sent: list[dict] = []

    def judge(body: dict) -> Verdict:
        sent.append(body)
        too_big = isinstance(body.get("count"), int) and body["count"] > 1000
        return Verdict("failed" if too_big else "passed", "count too big")

    shrunk = shrink(strategies.payloads(THING), 50, 3, judge, budget=LOCAL_BUDGET)
    assert shrunk is not None and shrunk.body == {"count": 1001}, shrunk
    assert shrunk.steps == len(sent)
    bounded = shrink(strategies.payloads(THING), 50, 3, judge, budget=5)
    assert bounded is None or bounded.steps <= 5


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
