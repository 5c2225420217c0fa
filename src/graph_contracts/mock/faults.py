"""The fault catalogue: what the mock can be told to get wrong, and which check must notice.

Two kinds. *Operational* faults are what a healthy tenant does on a bad day (throttling, 503,
latency, eventual consistency, 204 instead of 200): the suite must PASS on each, by retrying,
waiting or tolerating. *Defects* break the contract: the suite must FAIL on each, in at least the
checks named in `caught_by` (vocabulary: status, shape, round-trip, read-after-write, merge,
rejection, auth, not-found). Each defect is deterministic, so one request that exercises it is
enough: the suite's own tests run it once per defect to prove the checks are not toothless.

Operational waits stay sub-second so fault runs stay fast.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from graph_contracts.checks import CHECK_NAMES
from graph_contracts.edm import ProblemKind

CHECKS = frozenset(CHECK_NAMES)  # a defect's `caught_by` names checks of the suite

THROTTLE_EVERY = 3  # `throttle`: every 3rd request is a 429
THROTTLE_RETRY_AFTER = "0"  # integer seconds; 0 keeps runs fast (the fractional fault waits)
FRACTIONAL_EVERY = 4
FRACTIONAL_RETRY_AFTER = 0.25  # seconds, sent as "0.25"; requests inside the window get 429 too
UNAVAILABLE_EVERY = 4  # `transient-503`: every 4th request
LATENCY = 0.02  # seconds added to every request
CONSISTENCY_WINDOW = 0.3  # seconds a GET still shows the value from before a PATCH


@dataclass(frozen=True)
class Fault:
    name: str
    kind: Literal["operational", "defect"]
    description: str
    caught_by: frozenset[str] = field(default_factory=frozenset)


def _op(name: str, description: str) -> Fault:
    return Fault(name, "operational", description)


def _defect(name: str, description: str, *checks: str) -> Fault:
    assert set(checks) <= CHECKS, checks
    return Fault(name, "defect", description, frozenset(checks))


_CATALOGUE = [
    # --- operational: the suite must pass -----------------------------------------------------
    _op(
        "throttle",
        f"Every {THROTTLE_EVERY}rd request gets 429 TooManyRequests with an integer "
        f"`Retry-After: {THROTTLE_RETRY_AFTER}`.",
    ),
    _op(
        "throttle-fractional",
        f"Every {FRACTIONAL_EVERY}th request gets 429 with `Retry-After: {FRACTIONAL_RETRY_AFTER}`; "
        "requests that arrive before that time has passed get 429 again.",
    ),
    _op(
        "transient-503",
        f"Every {UNAVAILABLE_EVERY}th request gets 503 serviceNotAvailable without Retry-After "
        "(the client backs off exponentially).",
    ),
    _op("latency", f"Every request is answered {LATENCY * 1000:.0f} ms late."),
    _op(
        "eventual-consistency",
        f"For {CONSISTENCY_WINDOW} s after a PATCH, a GET of that entity shows it as it was "
        "before (the PATCH reply itself is right); read-after-write must poll.",
    ),
    _op(
        "minimal-204",
        "Successful PATCH answers 204 No Content instead of the documented 200 with the entity, as "
        "the real Intune service does (strict mode reports it, tolerant mode passes).",
    ),
    # --- defects: the suite must fail in the checks named -------------------------------------
    _defect(
        "drop-field",
        "The PATCH reply omits the first property the request sent (it is stored correctly).",
        "round-trip",
    ),
    _defect(
        "not-persisted",
        "PATCH answers 200 with the merged entity but the store keeps the old values.",
        "read-after-write",
    ),
    _defect(
        "replace-not-merge",
        "PATCH replaces the entity: updatable properties the request did not send are reset to "
        "null (nullable) or their type's zero value.",
        "merge",
    ),
    _defect(
        "mangle-string-in",
        "Strings are stored with surrounding whitespace trimmed and a trailing '…' appended, so "
        "the reply and later GETs differ from every string sent.",
        "round-trip",
        "read-after-write",
    ),
    _defect(
        "datetime-truncated",
        "DateTimeOffset values are stored with the fraction cut to whole seconds and the offset "
        "ignored (local time taken as UTC); caught by any value with a fraction or a non-zero offset.",
        "round-trip",
    ),
    _defect(
        "int-off-by-one-out",
        "Integer properties are stored right but every reply (PATCH and GET) shows them plus one.",
        "round-trip",
        "read-after-write",
    ),
    _defect(
        "accept-invalid",
        "No value validation: wrong JSON types, out-of-range integers, bad dates and unknown "
        "enum members are stored and answered 200.",
        "rejection",
    ),
    _defect(
        "accept-null",
        "Null is accepted (and stored) for non-nullable properties.",
        "rejection",
    ),
    _defect(
        "accept-unknown-properties",
        "Properties the type does not have are accepted, stored and echoed instead of a 400.",
        "rejection",
    ),
    _defect(
        "accept-wrong-odata-type",
        "A request whose `@odata.type` names another type is accepted.",
        "rejection",
    ),
    _defect(
        "status-201",
        "Successful PATCH answers 201 Created (with the entity) instead of 200.",
        "status",
    ),
    _defect(
        "wrong-error-shape",
        'Error replies are `{"message": ...}` with no OData `error` object.',
        "rejection",
        "not-found",
    ),
    _defect(
        "no-auth",
        "Requests without a bearer token, or with a wrong one, are served.",
        "auth",
    ),
    _defect(
        "no-auth-challenge",
        "401 replies carry no `WWW-Authenticate` header.",
        "auth",
    ),
    _defect(
        "not-found-creates",
        "PATCH on an unknown id creates the entity (upsert) and answers 200 instead of 404.",
        "not-found",
    ),
    _defect(
        "not-found-400",
        "An unknown id answers 400 BadRequest instead of 404.",
        "not-found",
    ),
    _defect(
        "wrong-odata-type",
        "Replies carry `@odata.type: #microsoft.graph.entity` instead of the entity's type.",
        "shape",
    ),
    _defect(
        "missing-context",
        "Entity and collection replies have no `@odata.context`.",
        "shape",
    ),
    _defect(
        "wrong-content-type",
        "Replies are labelled `text/plain` (the body is still JSON).",
        "shape",
    ),
    _defect(
        "numbers-as-strings-out",
        'Every number in a reply is sent as a JSON string (`"devicesCount": "3"`).',
        "shape",
        "response-schema-conformance",
    ),
    _defect(
        "server-error-on-invalid",
        "A body whose values fail validation crashes the service: 500 InternalServerError "
        "instead of 400 BadRequest.",
        "rejection",
        "not-a-server-error",
    ),
    _defect(
        "touch-sibling",
        "A PATCH also writes the same values into another entity of the same collection.",
        "merge",
    ),
]

FAULTS: dict[str, Fault] = {fault.name: fault for fault in _CATALOGUE}


def faults_markdown() -> str:
    """The catalogue as the manual prints it (docs/mock.md; a test keeps the page equal to it)."""
    rows = ["| fault | kind | caught by | what the server does |", "|---|---|---|---|"]
    for fault in _CATALOGUE:
        caught = ", ".join(sorted(fault.caught_by)) or "—"
        rows.append(f"| `{fault.name}` | {fault.kind} | {caught} | {fault.description} |")
    return "\n".join(rows) + "\n"


# The problem kinds an accepting defect stops refusing (the oracle still finds them).
TOLERATES: dict[str, frozenset[ProblemKind]] = {
    "accept-invalid": frozenset(
        {
            ProblemKind.WRONG_JSON_TYPE,
            ProblemKind.OUT_OF_RANGE,
            ProblemKind.UNKNOWN_MEMBER,
            ProblemKind.BAD_FORMAT,
        }
    ),
    "accept-null": frozenset({ProblemKind.NULL_NOT_ALLOWED}),
    "accept-unknown-properties": frozenset({ProblemKind.UNKNOWN_PROPERTY}),
    "accept-wrong-odata-type": frozenset({ProblemKind.WRONG_ODATA_TYPE}),
}


def tolerated(faults: Iterable[str]) -> frozenset[ProblemKind]:
    """What the chosen defects let through."""
    return frozenset().union(*(TOLERATES.get(name, frozenset()) for name in faults))


class UnknownFault(ValueError):
    """A fault name not in the catalogue; the message lists the known ones."""


def select(names: Iterable[str]) -> frozenset[str]:
    """Validate fault names; raises UnknownFault naming the bad one and the catalogue."""
    chosen = frozenset(names)
    unknown = sorted(chosen - FAULTS.keys())
    if unknown:
        raise UnknownFault(
            f"unknown fault {', '.join(map(repr, unknown))}; known: {', '.join(sorted(FAULTS))}"
        )
    return chosen


class Clock:
    """Per-app request counter and throttle window, shared by the workers of one app."""

    def __init__(self) -> None:
        self._count = itertools.count(1)
        self._lock = threading.Lock()
        self.blocked_until = 0.0

    def tick(self) -> int:
        with self._lock:
            return next(self._count)
