"""What the reference server can be told to do differently, and which check must notice.

Two kinds. *Variants* are faithful: a service may behave so and still keep its contract (204 instead
of 200, no `@odata.type`, undocumented extra properties, equal values spelled otherwise, annotations
echoed, fractional Retry-After, eventual consistency, complex members filled). The suite must PASS on
each. *Defects* break the contract; the suite must FAIL on each, in at least the checks named in
`caught_by` (the suite's check vocabulary, repeated here so this package imports nothing of
graph_contracts). Every defect is deterministic: one request that exercises it shows it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

CHECKS = frozenset(
    {"status", "shape", "round-trip", "read-after-write", "merge", "rejection", "auth", "not-found"}
)
THROTTLE_EVERY = 4  # `throttle-fractional`: every 4th request
THROTTLE_RETRY_AFTER = 0.25  # seconds, written "0.25"
CONSISTENCY_WINDOW = 0.3  # seconds a GET still shows an entity as it was before a PATCH
STORED = (
    "round-trip",
    "read-after-write",
)  # a value stored wrong shows in the reply and later GETs


@dataclass(frozen=True)
class Behaviour:
    name: str
    kind: Literal["variant", "defect"]
    description: str
    caught_by: frozenset[str] = field(default_factory=frozenset)


def _variant(name: str, description: str) -> Behaviour:
    return Behaviour(name, "variant", description)


def _defect(name: str, description: str, *checks: str) -> Behaviour:
    assert checks and set(checks) <= CHECKS, checks
    return Behaviour(name, "defect", description, frozenset(checks))


CATALOGUE: tuple[Behaviour, ...] = (
    # --- variants: faithful, the suite must pass ------------------------------------------------
    _variant(
        "complex-fill",
        "Always on: a PATCHed complex value replaces the old one and members the client did not "
        "send are filled with null (nullable) or their type's zero value.",
    ),
    _variant("minimal-204", "A successful PATCH answers 204 No Content, with no body."),
    _variant(
        "no-odata-type",
        "Replies never carry `@odata.type`, not even for derived types in listings.",
    ),
    _variant(
        "extra-properties",
        "Entity replies carry two properties the docs do not list "
        "(`referenceRevision`, a number, and `referenceNote`, a string).",
    ),
    _variant(
        "other-spelling",
        "Replies write equal values differently: DateTimeOffset with `+00:00` and trimmed zeros, "
        "Duration in seconds (`PT60S` for `PT1M`), Guid upper case, Double/Single/Decimal as "
        "`1.5E1`, Binary as unpadded base64url, flags in reverse order, TimeOfDay trimmed "
        "(`08:00` for the canonical `08:00:00.0000000`).",
    ),
    _variant(
        "echo-annotations",
        "Complex values in replies carry the `@odata.type` the client sent inside them "
        "(by default they are dropped).",
    ),
    _variant(
        "throttle-fractional",
        f"Every {THROTTLE_EVERY}th request gets 429 TooManyRequests with "
        f"`Retry-After: {THROTTLE_RETRY_AFTER}`; requests arriving before that time has passed "
        "get 429 too, with the time left.",
    ),
    _variant(
        "eventual-consistency",
        f"For {CONSISTENCY_WINDOW} s after a PATCH, GETs of that entity (and listings) show it as "
        "it was before; the PATCH reply itself is right.",
    ),
    _variant(
        "opt-in-ignored",
        "`Prefer: include-unknown-enum-members` is ignored (RFC 7240 lets a server ignore a "
        "preference): no `Preference-Applied`, every enum member declared after "
        "`unknownFutureValue` is shown as it, and a PATCH writing one is refused with 400, as the "
        "evolvable-enum pattern has a service answer a client that did not opt in.",
    ),
    _variant(
        "opt-in-ignored-on-reads",
        "PATCH applies `Prefer: include-unknown-enum-members` (it stores the members declared "
        "after `unknownFutureValue` and says `Preference-Applied`), GETs ignore it: they show "
        "those members as `unknownFutureValue`, without `Preference-Applied`.",
    ),
    # --- defects: the suite must fail in the checks named ---------------------------------------
    _defect(
        "nested-enum-changed",
        "An enum member inside a complex value is stored as the next member of its enum.",
        *STORED,
    ),
    _defect(
        "collection-reordered",
        "Collections of two or more items are stored reversed (nested ones too).",
        *STORED,
    ),
    _defect("collection-cut", "Collections are stored without their last item.", *STORED),
    _defect(
        "complex-member-dropped",
        "Each complex value is stored without the first member the client sent.",
        *STORED,
    ),
    _defect("duration-changed", "Durations are stored one second longer.", *STORED),
    _defect(
        "guid-altered",
        "Guids are stored with their last hex digit changed.",
        *STORED,
    ),
    _defect(
        "sentinel-stored",
        "An enum member declared before `unknownFutureValue` is stored as `unknownFutureValue` "
        "(only members declared after it may ever be shown so).",
        *STORED,
    ),
    _defect(
        "flags-member-lost",
        "A flags value with two or more members is stored without its last member.",
        *STORED,
    ),
    # Precision: a valid number stored through a narrower float (GRAPH-FACTS.md, "Nullability and
    # precision"). Only a value just past the float's exact integers shows it.
    _defect(
        "int32-through-float32",
        "Int32 values are stored as a 32-bit float and read back saturating, as .NET 9 converts a "
        "float to an int: 16,777,217 comes back 16,777,216.",
        *STORED,
    ),
    _defect(
        "int64-through-double",
        "Int64 values are stored as a double: 9,007,199,254,740,993 comes back "
        "9,007,199,254,740,992.",
        *STORED,
    ),
    _defect(
        "decimal-through-double",
        "Decimal values are stored as a double, as a JSON reader built on doubles reads them.",
        *STORED,
    ),
    _defect(
        "double-15-digits",
        "Doubles are kept to the 15 significant digits .NET Framework's Double.ToString() wrote: "
        "0.30000000000000004 comes back 0.3.",
        *STORED,
    ),
    _defect(
        "drop-field",
        "The PATCH reply omits the first property the request sent (it is stored correctly).",
        "round-trip",
    ),
    _defect(
        "not-persisted",
        "PATCH answers with the merged entity, but the store keeps the old values.",
        "read-after-write",
    ),
    _defect(
        "replace-not-merge",
        "PATCH resets updatable properties the request did not send to null or their zero value.",
        "merge",
    ),
    _defect(
        "accept-invalid",
        "No value validation: wrong JSON types, out-of-range numbers, bad formats, unknown enum "
        "members and nulls are stored as sent and answered as a success.",
        "rejection",
    ),
    _defect(
        "status-201",
        "A successful PATCH answers 201 Created with the entity.",
        "status",
    ),
    _defect(
        "no-auth",
        "Requests without a bearer token, or with a wrong one, are served.",
        "auth",
    ),
    _defect(
        "not-found-creates",
        "PATCH of an unknown id in a collection creates the entity and answers as a success.",
        "not-found",
    ),
    _defect(
        "touch-sibling",
        "A PATCH also writes its values into another entity of the same collection and type.",
        "merge",
    ),
    _defect(
        "wrong-odata-type",
        "Entity replies carry `@odata.type: #microsoft.graph.entity`.",
        "shape",
    ),
)

BEHAVIOURS = {b.name: b for b in CATALOGUE}
VARIANTS = {b.name: b for b in CATALOGUE if b.kind == "variant"}
DEFECTS = {b.name: b for b in CATALOGUE if b.kind == "defect"}


class UnknownBehaviour(ValueError):
    """A variant or defect name not in the catalogue; the message lists the known ones."""


def select(variants: Iterable[str] = (), defects: Iterable[str] = ()) -> frozenset[str]:
    """The chosen names, checked against their kind; `complex-fill` is always among them."""
    chosen: set[str] = {"complex-fill"}
    for names, known, kind in ((variants, VARIANTS, "variant"), (defects, DEFECTS, "defect")):
        for name in names:
            if name not in known:
                raise UnknownBehaviour(
                    f"unknown {kind} {name!r}; known: {', '.join(sorted(known))}"
                )
            chosen.add(name)
    return frozenset(chosen)
