"""Schemathesis as a second generator: its coverage phase and negative data, for the same endpoints.

Only bodies are taken from Schemathesis; the cases are sent by the suite's own client and judged by
the suite's own checks, so the target, auth, retries and reports are the same as for Hypothesis.
Schemathesis' notion of positive/negative is schema-level; a case is routed by the contract's
own oracle (`strategies.classify`): a "negative" body the contract calls valid is not sent as
a rejection case (its negation was elsewhere, e.g. in a path parameter), a "positive" one the
contract calls invalid is not sent as a write, and an uncertain one is sent as neither.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis.errors import HypothesisException

from graph_contracts import strategies
from graph_contracts.bodies import problems as body_problems
from graph_contracts.contracts import Contract
from graph_contracts.engine.endpoint import Endpoint, ExtraCase

NOT_SET = object()


class SchemathesisCases:
    """Bodies per endpoint from one Schemathesis schema built from the contracts (built once)."""

    def __init__(self, contracts: list[Contract], budget: int, seed: int) -> None:
        import schemathesis

        from graph_contracts.openapi import build

        strategies.register_formats()  # before loading: Graph-valid date-times in positive data
        self.schema = schemathesis.openapi.from_dict(build(contracts))
        self.budget = budget
        self.seed = seed
        self._operations = self._index()
        self._cache: dict[str, list[ExtraCase]] = {}

    def _index(self) -> dict[str, Any]:
        found = {}
        for result in self.schema.get_all_operations():
            try:
                operation = result.ok()
            except Exception:  # an operation Schemathesis cannot load: Hypothesis cases still run
                continue
            if operation.method.upper() == "PATCH":
                found[operation.path] = operation
        return found

    def operation(self, endpoint: Endpoint) -> Any:
        version, template = endpoint.contract.version, endpoint.template
        for key in (template, f"/{version}{template}"):
            if key in self._operations:
                return self._operations[key]
        return None

    def cases(self, endpoint: Endpoint) -> list[ExtraCase]:
        """Coverage-phase bodies (positive and negative) plus fuzzed negative bodies, bounded.

        Generated once per contract: every path of a contract has the same body schema, and
        Schemathesis' generation (not the requests) is the expensive part.
        """
        key = endpoint.contract.id
        if key not in self._cache:
            operation = self.operation(endpoint)
            self._cache[key] = (
                [] if operation is None else self._route(endpoint.contract, operation)
            )
        return self._cache[key]

    def _route(self, contract: Contract, operation: Any) -> list[ExtraCase]:
        """Half the budget from the coverage phase, half from fuzzing, each routed by the oracle.

        The coverage phase alone is predictable (boundaries of each schema); fuzzing draws what
        no one thought of. A body the oracle calls uncertain is sent as neither.
        """
        coverage = self._routed(contract, self._coverage(operation))
        fuzzed = self._routed(
            contract,
            itertools.chain(
                self._fuzzed(operation, negative_mode=False),
                self._fuzzed(operation, negative_mode=True),
            ),
        )
        positive = _shared(coverage[0], fuzzed[0], self.budget)
        negative = _shared(coverage[1], fuzzed[1], self.budget)
        return positive + negative

    def _routed(
        self, contract: Contract, bodies: Iterator[tuple[Any, str]]
    ) -> tuple[list[ExtraCase], list[ExtraCase]]:
        positive, negative = [], []
        seen: set[str] = set()
        for body, source in bodies:
            key = repr(body)
            if body is NOT_SET or key in seen:
                continue
            seen.add(key)
            verdict = strategies.classify(contract, body)
            if verdict == "invalid":
                reason = body_problems(contract, body)[0]
                negative.append(ExtraCase(body, f"{source}: {reason}", negative=True))
            elif verdict == "valid" and _writable(contract, body):
                positive.append(ExtraCase(body, source))
        return positive, negative

    def _coverage(self, operation: Any) -> Iterator[tuple[Any, str]]:
        from schemathesis.generation.modes import GenerationMode

        config = self.schema.config.generation_for(operation=operation, phase="coverage")
        cases = self.schema.iter_coverage_cases(
            operation,
            generation_modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
            generation_config=config,
        )
        for case in itertools.islice(cases, self.budget * 2):
            yield _body(case), "schemathesis coverage"

    def _fuzzed(self, operation: Any, *, negative_mode: bool) -> Iterator[tuple[Any, str]]:
        from schemathesis.generation.modes import GenerationMode

        mode = GenerationMode.NEGATIVE if negative_mode else GenerationMode.POSITIVE
        drawn: list[Any] = []

        @hypothesis_seed(self.seed)
        @settings(
            max_examples=max(1, self.budget),
            database=None,
            deadline=None,
            phases=(Phase.generate,),
            suppress_health_check=list(HealthCheck),
        )
        @given(operation.as_strategy(generation_mode=mode))
        def collect(case: Any) -> None:
            drawn.append(_body(case))

        with contextlib.suppress(HypothesisException):  # e.g. Unsatisfiable: no such case exists
            collect()
        label = "schemathesis negative" if negative_mode else "schemathesis fuzz"
        for body in drawn:
            yield body, label


def _shared(first: list[ExtraCase], second: list[ExtraCase], budget: int) -> list[ExtraCase]:
    """Up to `budget` cases, half from each source when both have enough."""
    half = (budget + 1) // 2
    taken = first[:half] + second[: budget - min(half, len(first))]
    return taken + first[half : half + budget - len(taken)]


def _body(case: Any) -> Any:
    body = getattr(case, "body", NOT_SET)
    return NOT_SET if type(body).__name__ == "NotSet" else body


def _writable(contract: Contract, body: Any) -> bool:
    """A write case is a non-empty object of updatable properties (an id would void round-trip)."""
    if not isinstance(body, dict):
        return False
    for key in body:
        prop = contract.property(key)
        if prop is not None and not prop.updatable:
            return False
    return bool(body)
