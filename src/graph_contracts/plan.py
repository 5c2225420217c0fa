"""What a run should exercise on an endpoint, the fewest PATCHes that do it, and what a run did.

A live Intune tenant allows 100 writes per 20 s per app (GRAPH-FACTS.md, "Throttling"), so a
nightly run is throttle-bound and coverage per request is what counts. This module names the
*targets* of a contract (every updatable, generatable property; every enum member a client
writes, nested ones too, never Graph's evolvable-enum sentinel `unknownFutureValue`; each
boundary class of each type; every class of the strategies' invalid catalogue), packs them into a
deterministic *minimal plan*, and measures the *coverage* of any set of bodies a run sent
(Hypothesis- and Schemathesis-drawn ones too) by the same classification.

Structure. A contract's updatable properties become a tree of *slots* (a property, a complex
member `settings.mode`, a collection's items `tags[]`) mirroring `strategies._values`: the same
kinds, the same depth limit (`strategies.MAX_DEPTH`), the same "skip what cannot be generated,
never guess". The behaviour of each kind (how its slot is built, which values cover it, which
parts a value has) lives in ONE table, `_KINDS`; the boundary classes of each Edm primitive in
another, `_PRIMITIVES`. Every class is a stable name, `path:label` (`devicesCount:int32-max`,
`settings.mode:enum-on`, `tags[]:string-empty`, `settings.mode:written`), so reports can count.

Why the plan is small. Each slot needs a few distinct values (an enum one per member, an integer
its minimum, maximum and 0, a boolean both values, a string "" and one non-ASCII value padded with
whitespace, ...). One body carries one value per property, so the plan needs as many bodies as
its most demanding property, and no more: body k sets each property to its k-th covering value
and leaves out a property whose values are used up (unsent properties exercise the merge check).
Two packings keep the demand low: a collection carries all its item values in one array (every
member of a `Collection(enum)` in one body), and a complex value carries all its members, each
at its own k-th value. So the plan has max(largest scalar enum, 3 with an integer, 2 ...) bodies:
at most the largest enum's member count + 2, except that a contract with an integer and no enum
at all needs 3 (three distinct values of one property need three PATCHes); `Plan.bound` says so.

Values sent are never null (nullability is often unknown: GRAPH-FACTS.md, "Nullability"), and a
complex value always carries every member it can, so a plan body does not depend on whether the
service merges or replaces nested complex values.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from graph_contracts import edm, strategies
from graph_contracts.auth import Grants
from graph_contracts.contracts import Contract, Property, TypeDef
from graph_contracts.docs import PERMISSION_KINDS
from graph_contracts.edm import TypeKind
from graph_contracts.strategies import InvalidPayload, Types

PLAN_KINDS = ("minimal", "full")
MISSED_CAP = 10  # names of missed targets kept per category (reports show the counts too)

# --- the boundary classes of each Edm primitive -------------------------------------------------


@dataclass(frozen=True)
class ValueClass:
    """A class of values a run should write: a stable label, one value in it, a test for any value.

    `hits` sees only values that are valid for the slot (bodies the service accepted), so it need
    not re-validate them.
    """

    label: str
    witness: Any
    hits: Callable[[Any], bool]


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _integers(name: str) -> tuple[ValueClass, ...]:
    """Minimum, maximum and 0 (for Byte the minimum is 0: one value covers both), and for Int32
    and Int64 the first integers a float32 or a double no longer keeps (`_precision`)."""
    low, high = edm.INT_RANGES[name]
    short = _short(name)
    return (
        ValueClass(f"{short}-max", high, lambda v: _number(v) and v == high),
        ValueClass(f"{short}-min", low, lambda v: _number(v) and v == low),
        ValueClass(f"{short}-zero", 0, lambda v: _number(v) and v == 0),
        *_precision(name),
    )


# Where real stacks lose digits (GRAPH-FACTS.md, "Nullability and precision"): a float32 keeps
# integers exactly up to 2^24, a double up to 2^53 (I-JSON advises ±2^53; OData's
# IEEE754Compatible exists for it). 2^bits + 1 is the first integer such a float changes
# (16,777,217 comes back 16,777,216); the extremes above are exact in a float32 or come back
# saturated, so only these show a service storing through that float. Python's json reads and
# writes integers exactly, and the suite sends them as JSON numbers, as Graph's docs and replies
# write them (IEEE754Compatible=false). A Decimal (.NET's System.Decimal: 96 bits) keeps every
# digit; an integral witness is valid whatever Scale the CSDL gives (Graph's say "Variable").
PRECISION = {
    "Edm.Int32": ("int32-beyond-float32", 24),
    "Edm.Int64": ("int64-beyond-double", 53),
    "Edm.Decimal": ("decimal-beyond-double", 53),
}
# 0.1 + 0.2 needs all 17 significant digits of a double: a service that keeps a Double as a
# float32, or writes 15 digits (.NET Framework's Double.ToString(); .NET Core 3.0 made it
# round-trip), answers 0.3 or 0.30000001192092896.
DOUBLE_17_DIGITS = 0.1 + 0.2


def _precision(name: str) -> tuple[ValueClass, ...]:
    """An odd integer just past the float's exact range (2^24 < |v| < 2^25 for a float32): a
    service storing the value through that float changes it by one."""
    if name not in PRECISION:
        return ()
    label, bits = PRECISION[name]
    return (ValueClass(label, 2**bits + 1, lambda v: _just_past(v, bits)),)


def _just_past(value: Any, bits: int) -> bool:
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and value % 2 == 1
        and 2**bits < abs(value) < 2 ** (bits + 1)
    )


def _floats(name: str) -> tuple[ValueClass, ...]:
    """0, a negative and a fractional value (-1.5 is both, and exact in float32); for Double a
    value that needs all 17 digits, for Decimal one beyond a double's integers."""
    short = _short(name)
    digits: tuple[ValueClass, ...] = ()
    if name == "Edm.Double":
        witness = DOUBLE_17_DIGITS
        digits = (ValueClass("double-17-digits", witness, _needs_17_digits),)
    return (
        ValueClass(f"{short}-zero", 0.0, lambda v: _number(v) and v == 0),
        ValueClass(f"{short}-negative", -1.5, lambda v: _number(v) and v < 0),
        ValueClass(f"{short}-fraction", -1.5, lambda v: _number(v) and v != int(v)),
        *digits,
        *_precision(name),
    )


def _needs_17_digits(value: Any) -> bool:
    return isinstance(value, float) and math.isfinite(value) and float(f"{value:.15g}") != value


# Whitespace at both ends (a service that trims breaks round-trip), Latin-1, CJK and an astral
# character (a UTF-16 surrogate pair in .NET): non-ASCII in one value.
PADDED_TEXT = " Grüße, 世界 🌍 "


def _strings(name: str) -> tuple[ValueClass, ...]:
    return (
        ValueClass(
            "string-non-ascii", PADDED_TEXT, lambda v: isinstance(v, str) and not v.isascii()
        ),
        ValueClass("string-padded", PADDED_TEXT, lambda v: isinstance(v, str) and v != v.strip()),
        ValueClass("string-empty", "", lambda v: v == ""),
    )


def _booleans(name: str) -> tuple[ValueClass, ...]:
    return (
        ValueClass("boolean-true", True, lambda v: v is True),
        ValueClass("boolean-false", False, lambda v: v is False),
    )


_DTO_TAIL = re.compile(r"(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$")


def _dto_part(value: Any, group: int) -> str | None:
    match = _DTO_TAIL.search(value) if isinstance(value, str) else None
    return match.group(group) if match else None


def _datetimeoffsets(name: str) -> tuple[ValueClass, ...]:
    """100 ns precision and the ±14:00 offset limits of .NET's DateTimeOffset (GRAPH-FACTS.md)."""
    return (
        ValueClass(
            "datetimeoffset-7-digits",
            "2021-07-01T12:34:56.1234567+14:00",
            lambda v: len(_dto_part(v, 1) or "") == 7,
        ),
        ValueClass(
            "datetimeoffset-plus-14",
            "2021-07-01T12:34:56.1234567+14:00",
            lambda v: _dto_part(v, 2) == "+14:00",
        ),
        ValueClass(
            "datetimeoffset-minus-14",
            "2021-07-01T12:34:56.7654321-14:00",
            lambda v: _dto_part(v, 2) == "-14:00",
        ),
    )


def _one_valid(witness: str) -> Callable[[str], tuple[ValueClass, ...]]:
    """Types with one class: any valid value (Guid, Date, TimeOfDay)."""
    return lambda name: (ValueClass(f"{_short(name)}-valid", witness, lambda v: v is not None),)


_DURATION_DAYS_FRACTION = re.compile(r"^-?P\d+DT.*\.\d+S$")


def _durations(name: str) -> tuple[ValueClass, ...]:
    """A day part and a fraction of a second: what a TimeSpan-backed service must both keep."""
    return (
        ValueClass(
            "duration-days-fraction",
            "P1DT2H3M4.5S",
            lambda v: isinstance(v, str) and bool(_DURATION_DAYS_FRACTION.match(v)),
        ),
    )


# Bytes whose base64 is `++//` and base64url `--__`: a service decoding the wrong alphabet fails.
BINARY_BYTES = "R3JhcGg0MDk2"  # "Graph4096": letters and digits in both alphabets


def _binaries(name: str) -> tuple[ValueClass, ...]:
    """Bytes in letters and digits only: the same in base64url (OData) and base64 (Graph's .NET
    reader, which refuses `-` and `_`), so a valid write is never refused for its alphabet."""
    return (
        ValueClass(
            "binary-bytes",
            BINARY_BYTES,
            lambda v: isinstance(v, str) and bool(v) and edm.equal(v, BINARY_BYTES, name, {}),
        ),
    )


# Edm primitive -> its boundary classes, in the order the plan writes them. Exactly the types
# `strategies` can generate (a test holds the two together); any other primitive is left out.
_PRIMITIVES: dict[str, Callable[[str], tuple[ValueClass, ...]]] = {
    **dict.fromkeys(edm.INT_RANGES, _integers),
    **dict.fromkeys(sorted(edm.FLOATS), _floats),
    "Edm.String": _strings,
    "Edm.Boolean": _booleans,
    "Edm.DateTimeOffset": _datetimeoffsets,
    "Edm.Guid": _one_valid("6f9619ff-8b86-d011-b42d-00c04fc964ff"),
    "Edm.Date": _one_valid("2021-07-01"),
    "Edm.TimeOfDay": _one_valid("23:59:59.9999999"),
    "Edm.Duration": _durations,
    "Edm.Binary": _binaries,
}


def _short(name: str) -> str:
    return name.removeprefix("Edm.").lower()


def _enum_classes(members: list[str], flags: bool) -> tuple[ValueClass, ...]:
    """One class per member; a flags value hits every member it names (each written alone)."""

    def named(member: str) -> Callable[[Any], bool]:
        if flags:
            return lambda v: isinstance(v, str) and member in (p.strip() for p in v.split(","))
        return lambda v: v == member

    classes = [ValueClass(f"enum-{m}", m, named(m)) for m in members]
    if flags and len(members) > 1:  # a service that keeps only one of several flags
        together = ",".join(members)
        classes.append(
            ValueClass(
                "flags-all",
                together,
                lambda v: isinstance(v, str) and {p.strip() for p in v.split(",")} == set(members),
            )
        )
    return tuple(classes)


COLLECTION_CLASSES = (
    ValueClass("collection-nonempty", None, lambda v: isinstance(v, list) and bool(v)),
    ValueClass("collection-empty", [], lambda v: v == []),
)

# --- slots: where values go in a body -----------------------------------------------------------


@dataclass(frozen=True)
class Uncovered:
    """A property (or nested member) the plan leaves out, and why (its type cannot be generated)."""

    path: str
    reason: str


@dataclass(frozen=True)
class Slot:
    """A place a value goes: a property, a complex member (`member`), or a collection's items."""

    path: str  # `settings.mode`, `rules[].action`: the prefix of its class names
    kind: str  # a key of _KINDS
    classes: tuple[ValueClass, ...] = ()
    parts: tuple[Slot, ...] = ()  # the item slot of a collection; the member slots of a complex
    member: bool = False  # a complex type's member: "written at least once" is a class of its own
    dropped: tuple[Uncovered, ...] = ()  # members below this slot that cannot be generated

    @property
    def key(self) -> str:
        """The member's key in its parent object (`mode` for `settings.mode`)."""
        return self.path.rpartition(".")[2]


class _Unsupported(str):
    """Why no value of a type can be generated (a str, so it reads as the reason)."""


@dataclass(frozen=True)
class _Kind:
    """How one kind of type behaves: its slot, the values that cover it, the parts of a value."""

    build: Callable[[str, Any, Types, int], Slot | _Unsupported]
    values: Callable[[Slot], list[Any]]
    parts: Callable[[Slot, Any], Iterator[tuple[Slot, Any]]]


def _kind_of(type_name: str, types: Types, enum: list[str] | None) -> tuple[str, Any]:
    """The kind of a type and what its builder needs: `edm.resolve`, as `strategies` dispatch.

    A primitive whose table lists its values (`Edm.String` with "possible values") is sent as
    those values by the strategies, so the plan writes each of them like an enum's members.
    """
    resolved = edm.resolve(type_name, types, enum)
    kind = resolved.kind
    if kind is TypeKind.COLLECTION:  # the items keep the property's inline members
        return "collection", (edm.split_collection(type_name)[1], enum)
    members = list(resolved.writable)  # never the evolvable-enum sentinel: no member to write
    if kind is TypeKind.ENUM or (kind is TypeKind.PRIMITIVE and resolved.members):
        return "enum", (resolved.name, members, resolved.flags)
    if kind is TypeKind.PRIMITIVE:
        return "primitive", resolved.name
    if kind is TypeKind.COMPLEX:
        return "complex", resolved.typedef
    return "unsupported", resolved.name  # ANY_JSON, UNRESOLVED: nothing is generated


def _slot(
    path: str, type_name: str, types: Types, enum: list[str] | None, depth: int
) -> Slot | _Unsupported:
    kind, detail = _kind_of(type_name, types, enum)
    return _KINDS[kind].build(path, detail, types, depth)


def _primitive_slot(path: str, name: str, types: Types, depth: int) -> Slot | _Unsupported:
    classes = _PRIMITIVES.get(name)
    if classes is None:
        return _Unsupported(f"no values are generated for {name}")
    return Slot(path, "primitive", classes(name))


def _enum_slot(path: str, detail: Any, types: Types, depth: int) -> Slot | _Unsupported:
    name, members, flags = detail
    if not members:
        return _Unsupported(f"enum {name} lists no members")
    return Slot(path, "enum", _enum_classes(members, flags))


def _collection_slot(path: str, detail: Any, types: Types, depth: int) -> Slot | _Unsupported:
    inner, enum = detail
    item = _slot(f"{path}[]", inner, types, enum, depth)  # items sit at the collection's depth
    if isinstance(item, _Unsupported):
        return item
    return Slot(path, "collection", COLLECTION_CLASSES, (item,), dropped=item.dropped)


def _complex_slot(path: str, typedef: TypeDef, types: Types, depth: int) -> Slot | _Unsupported:
    """Members as `strategies._complex_values` builds them: a Stream is skipped, a required
    member that cannot be generated makes the whole type ungeneratable, an optional one is
    dropped (and listed)."""
    if depth >= strategies.MAX_DEPTH:
        return _Unsupported(f"{typedef.name} is nested deeper than {strategies.MAX_DEPTH} levels")
    members: list[Slot] = []
    dropped: list[Uncovered] = []
    for prop in typedef.properties:
        if not prop.updatable:
            continue
        where = f"{path}.{prop.name}"
        if edm.is_stream(prop.type):
            dropped.append(Uncovered(where, STREAM))
            continue
        slot = _slot(where, prop.type, types, prop.enum, depth + 1)
        if isinstance(slot, _Unsupported):
            if prop.nullable is False:
                return _Unsupported(f"its required member {prop.name} cannot be generated: {slot}")
            dropped.append(Uncovered(where, str(slot)))
            continue
        members.append(replace(slot, member=True))
        dropped += slot.dropped
    return Slot(path, "complex", parts=tuple(members), dropped=tuple(dropped))


STREAM = "Edm.Stream is never sent in a PATCH body"


def _unsupported_slot(path: str, name: str, types: Types, depth: int) -> _Unsupported:
    return _Unsupported(f"type {name} is not resolved (no type page, or not a generated type)")


# --- values that cover a slot -------------------------------------------------------------------


def _covering(slot: Slot) -> list[Any]:
    """Witnesses of the slot's classes in table order, skipping a class an earlier one covers."""
    values: list[Any] = []
    for cls in slot.classes:
        if not any(cls.hits(v) for v in values):
            values.append(cls.witness)
    return values


def _collection_values(slot: Slot) -> list[Any]:
    """All item values in one array, then the empty array: two bodies whatever the item type."""
    return [values(slot.parts[0]), []]


def _complex_values(slot: Slot) -> list[Any]:
    """Value k carries every member at its k-th value (its last once used up): a full object."""
    member_values = [(m.key, values(m)) for m in slot.parts]
    count = max((len(v) for _, v in member_values), default=1)
    return [
        {name: vals[min(k, len(vals) - 1)] for name, vals in member_values} for k in range(count)
    ]


def values(slot: Slot) -> list[Any]:
    """The plan's values for a slot, in body order; together they hit every class below it."""
    return _KINDS[slot.kind].values(slot)


def _no_parts(slot: Slot, value: Any) -> Iterator[tuple[Slot, Any]]:
    return iter(())


def _items(slot: Slot, value: Any) -> Iterator[tuple[Slot, Any]]:
    if isinstance(value, list):
        yield from ((slot.parts[0], item) for item in value)


def _members(slot: Slot, value: Any) -> Iterator[tuple[Slot, Any]]:
    if isinstance(value, dict):
        yield from ((m, value[m.key]) for m in slot.parts if m.key in value)


# THE dispatch on type kinds: building a slot, the values covering it, the parts of a value.
# ("unsupported" builds no slot: it only names why.)
_KINDS: dict[str, _Kind] = {
    "primitive": _Kind(_primitive_slot, _covering, _no_parts),
    "enum": _Kind(_enum_slot, _covering, _no_parts),
    "collection": _Kind(_collection_slot, _collection_values, _items),
    "complex": _Kind(_complex_slot, _complex_values, _members),
    "unsupported": _Kind(_unsupported_slot, _covering, _no_parts),
}

# --- classifying values -------------------------------------------------------------------------

WRITTEN = "written"


def class_names(slot: Slot) -> Iterator[str]:
    """Every class name at and below a slot, in a stable order."""
    if slot.member:
        yield f"{slot.path}:{WRITTEN}"
    yield from (f"{slot.path}:{cls.label}" for cls in slot.classes)
    for part in slot.parts:
        yield from class_names(part)


def hits(slot: Slot, value: Any) -> Iterator[str]:
    """The class names a (valid) value of the slot hits, nested ones included; null hits none."""
    if value is None:
        return
    if slot.member:
        yield f"{slot.path}:{WRITTEN}"
    yield from (f"{slot.path}:{cls.label}" for cls in slot.classes if cls.hits(value))
    for part, item in _KINDS[slot.kind].parts(slot, value):
        yield from hits(part, item)


def _is_enum_class(name: str) -> bool:
    return name.rpartition(":")[2].startswith("enum-")


def _slots(contract: Contract) -> tuple[dict[str, Slot], list[Uncovered]]:
    """Top-level slots of the updatable properties, and what is left out with the reason."""
    slots: dict[str, Slot] = {}
    uncovered: list[Uncovered] = []
    for prop in contract.updatable():
        slot = _property_slot(prop, contract.types)
        if isinstance(slot, _Unsupported):
            uncovered.append(Uncovered(prop.name, str(slot)))
            continue
        slots[prop.name] = slot
        uncovered += slot.dropped
    return slots, uncovered


def _property_slot(prop: Property, types: Types) -> Slot | _Unsupported:
    if edm.is_stream(prop.type):
        return _Unsupported(STREAM)
    return _slot(prop.name, prop.type, types, prop.enum, 0)


# --- targets ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Targets:
    """What a run should exercise on an endpoint of a contract, each as a stable name."""

    properties: tuple[str, ...]  # updatable, generatable top-level properties
    enum_members: tuple[str, ...]  # `path:enum-member`, nested ones too
    boundaries: tuple[str, ...]  # every other value class (`path:int32-max`, `path:written`, ...)
    invalid: tuple[str, ...]  # the strategies' invalid catalogue, one per class (`invalid_class`)
    largest_enum: int = 0  # members of the largest enum anywhere in the contract

    @property
    def bound(self) -> int:
        """Most valid PATCHes a minimal plan needs: the largest enum + 2 (4 with fewer than two
        members: an Int32's maximum, minimum, 0 and 16,777,217 are four values of one property)."""
        return max(self.largest_enum, 2) + 2


def targets(contract: Contract) -> Targets:
    """The coverage model of a contract: properties, enum members, boundary and invalid classes."""
    return _targets(_slots(contract)[0], strategies.invalid_examples(contract))


def _targets(slots: dict[str, Slot], catalogue: list[InvalidPayload]) -> Targets:
    names = [name for slot in slots.values() for name in class_names(slot)]
    return Targets(
        properties=tuple(slots),
        enum_members=tuple(n for n in names if _is_enum_class(n)),
        boundaries=tuple(n for n in names if not _is_enum_class(n)),
        invalid=tuple(dict.fromkeys(invalid_class(p) for p in catalogue)),
        largest_enum=max((_enum_size(slot) for slot in slots.values()), default=0),
    )


def _enum_size(slot: Slot) -> int:
    own = len(slot.classes) if slot.kind == "enum" else 0
    return max([own, *(_enum_size(part) for part in slot.parts)])


def invalid_class(payload: InvalidPayload) -> str:
    """The stable name of an invalid body's class: `devicesCount:edm-int32-above-its-range`,
    `body:truncated-json`. The engine names what it saw rejected with it.

    Named by the payload's typed problem when it has one (`edm.ProblemKind`, on the way), else by
    its reason: either way one name per (property, defect) and per body defect.
    """
    owner = payload.field
    if owner in (None, strategies.UNKNOWN_PROPERTY, "@odata.type"):
        owner = "body"
    problem = getattr(payload, "problem", None)
    label = str(problem.value) if problem is not None else payload.reason
    return f"{owner}:{_slug(label)}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# --- the minimal plan ---------------------------------------------------------------------------


@dataclass
class Plan:
    """The fewest valid PATCHes hitting every target, then one invalid PATCH per invalid class."""

    contract: str  # `beta/deviceConfigurationUserStatus`
    valid: list[dict[str, Any]]
    invalid: list[InvalidPayload]
    uncovered: list[Uncovered]
    targets: Targets

    @property
    def bound(self) -> int:
        return self.targets.bound

    @property
    def patches(self) -> int:
        return len(self.valid) + len(self.invalid)


def minimal_plan(contract: Contract) -> Plan:
    """Deterministic: the same contract gives the same plan (no Hypothesis draw)."""
    slots, uncovered = _slots(contract)
    head = {"@odata.type": contract.odata_type} if strategies.sends_odata_type(contract) else {}
    per_property = {name: values(slot) for name, slot in slots.items()}
    count = max((len(v) for v in per_property.values()), default=0)
    valid = [
        {**head, **{name: vals[k] for name, vals in per_property.items() if k < len(vals)}}
        for k in range(count)
    ]
    catalogue = strategies.invalid_examples(contract)
    invalid = _one_per_class(catalogue)
    return Plan(contract.id, valid, invalid, uncovered, _targets(slots, catalogue))


def _one_per_class(catalogue: list[InvalidPayload]) -> list[InvalidPayload]:
    """The first body of each invalid class (the catalogue lists the telling variant first)."""
    chosen: dict[str, InvalidPayload] = {}
    for payload in catalogue:
        chosen.setdefault(invalid_class(payload), payload)
    return list(chosen.values())


# --- coverage of what a run sent ----------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    hit: int
    total: int

    def to_dict(self) -> dict[str, int]:
        return {"hit": self.hit, "total": self.total}


@dataclass(frozen=True)
class Coverage:
    """The counts the reports print, and the first `MISSED_CAP` names missed per category."""

    properties: Count
    enum_members: Count
    boundaries: Count
    invalid: Count
    missed: dict[str, tuple[str, ...]] = field(default_factory=dict)
    not_generatable: tuple[str, ...] = ()  # updatable properties no body can carry (not in totals)

    def to_dict(self) -> dict[str, Any]:
        return {
            "properties": self.properties.to_dict(),
            "enum_members": self.enum_members.to_dict(),
            "boundaries": self.boundaries.to_dict(),
            "invalid": self.invalid.to_dict(),
            "missed": {k: list(v) for k, v in self.missed.items() if v},
            "not_generatable": list(self.not_generatable),
        }


def coverage(
    contract: Contract,
    written: Iterable[Any],
    rejected: Iterable[str],
    *,
    wanted: Targets | None = None,
) -> Coverage:
    """Coverage of the valid bodies the service accepted and the invalid classes it rejected.

    Any body counts, not only the plan's: each sent value is classified by the same table. A
    property counts as written when an accepted body carries a non-null value for it; names in
    `rejected` that are not catalogue classes (`invalid_class`) are ignored. `wanted` saves
    recomputing the targets (`Plan.targets`): the invalid catalogue is the costly part.
    """
    slots, _ = _slots(contract)
    wanted = wanted if wanted is not None else targets(contract)
    seen_props: set[str] = set()
    seen: set[str] = set()
    for body in written:
        if not isinstance(body, dict):
            continue
        for name, slot in slots.items():
            if body.get(name) is not None:
                seen_props.add(name)
                seen.update(hits(slot, body[name]))
    got_invalid = set(rejected)
    counts = {
        "properties": (wanted.properties, seen_props),
        "enum_members": (wanted.enum_members, seen),
        "boundaries": (wanted.boundaries, seen),
        "invalid": (wanted.invalid, got_invalid),
    }
    return Coverage(
        **{
            key: Count(sum(n in got for n in names), len(names))
            for key, (names, got) in counts.items()
        },
        missed={
            key: tuple(n for n in names if n not in got)[:MISSED_CAP]
            for key, (names, got) in counts.items()
        },
        not_generatable=tuple(p.name for p in contract.updatable() if p.name not in slots),
    )


# --- what a plan costs --------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanEstimate:
    """Requests one endpoint of a contract costs, for `--dry-run` and the run's header.

    PATCHes count against Graph's write budget; GETs against the request budget. Counts are exact
    for `minimal`; for `full` Hypothesis and Schemathesis give at most their budgets (`exact`).
    GETs are lower bounds: a read-back polls again while the read window is open and the values
    have not arrived (eventual consistency); collection listings are shared by the paths that
    cross them, so a run's total is at most the sum.
    """

    plan: str
    valid: int  # valid PATCHes, every write check judges each
    invalid: int  # invalid PATCHes, the rejection check judges each
    probes: int  # no token, a wrong token, an unknown id (when the path ends with a key)
    restores: int  # PATCHes that put the entity back, and its sibling (the engine restores both)
    read_backs: int  # GETs: at least one after each valid write
    reads_after_invalid: int  # GETs: one after each invalid body (the entity is unchanged)
    reads_after_probes: int  # GETs: after each auth probe, the unknown id, the sibling's read
    discovery: int  # GETs: collection listings along the path, the entity's (and sibling's) read
    restore_reads: int  # GETs: one after each restore
    exact: bool = True

    @property
    def patches(self) -> int:
        return self.valid + self.invalid + self.probes + self.restores

    @property
    def gets(self) -> int:
        return (
            self.read_backs
            + self.reads_after_invalid
            + self.reads_after_probes
            + self.discovery
            + self.restore_reads
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "plan": self.plan,
            "patches": self.patches,
            "gets": self.gets,
            "valid": self.valid,
            "invalid": self.invalid,
            "probes": self.probes,
            "restores": self.restores,
            "exact": self.exact,
        }


def estimate(
    contract: Contract,
    plan_kind: str,
    max_examples: int,
    *,
    template: str | None = None,
    schemathesis: int | None = None,
    sibling: bool = False,
) -> PlanEstimate:
    """PATCHes and GETs planned for one endpoint; `template` decides the unknown-id probe.

    `schemathesis` is Schemathesis' budget per endpoint (default `max_examples`, as `run` does);
    `sibling`: discovery found a second entity, which the merge check reads and the engine
    restores (`discovery.Resolved.sibling`).
    """
    if plan_kind not in PLAN_KINDS:
        raise ValueError(f"plan must be one of {', '.join(PLAN_KINDS)}, not {plan_kind!r}")
    plan = minimal_plan(contract)
    valid, invalid, exact = len(plan.valid), len(plan.invalid), True
    if plan_kind == "full":
        valid, invalid = _full_counts(contract, max_examples, schemathesis, valid)
        exact = False
    keyed = template is None or template.rstrip("/").endswith("}")
    placeholders = template.count("{") if template is not None else 1
    return PlanEstimate(
        plan=plan_kind,
        valid=valid,
        invalid=invalid,
        probes=2 + keyed,
        restores=1 + sibling,
        read_backs=valid,
        reads_after_invalid=invalid,
        reads_after_probes=2 + keyed + sibling,
        discovery=placeholders + 1 + sibling,
        restore_reads=1 + sibling,
        exact=exact,
    )


def _full_counts(
    contract: Contract, max_examples: int, schemathesis: int | None, covering: int
) -> tuple[int, int]:
    """Today's sources (`engine.endpoint`) plus the covering set: at most this many bodies."""
    budget = max_examples if schemathesis is None else schemathesis
    drawn = bool(strategies.generatable(contract))
    examples = [
        ex.body
        for ex in contract.examples
        if ex.kind == "request"
        and (ex.method or "PATCH").upper() == "PATCH"
        and (ex.body is not None or ex.body_text)
    ]
    # The engine routes examples by lint; the oracle is a close stand-in for an estimate. `{}`
    # (Intune's shared pages) is neither written nor rejected.
    judged = [strategies.classify(contract, b) if b is not None else "invalid" for b in examples]
    documented = sum(1 for b, how in zip(examples, judged, strict=True) if b and how == "valid")
    flagged = sum(1 for how in judged if how == "invalid")
    valid = covering + documented + len(strategies.enum_coverage(contract)) + budget
    invalid = flagged + len(strategies.invalid_examples(contract)) + budget
    if drawn:
        valid, invalid = valid + max_examples, invalid + max(1, max_examples // 5)
    return valid, invalid


# --- permissions: what the token carries against what the docs list -------------------------------
#
# A 403 on a valid write means the caller lacks a permission (approvalstep-update.md: "if the
# caller does not have the right permissions, the method returns a 403 Forbidden"; Graph's error
# reference: "the user might not have enough permission or might not have a required license"),
# except where a page documents another cause: Planner answers 403 when a service-defined limit is
# exceeded, naming the limit in the error code (planner-overview.md, "403 Forbidden").
SERVICE_LIMIT_CODES = frozenset(
    {
        "MaximumProjectsOwnedByUser",
        "MaximumProjectsSharedWithUser",
        "MaximumTasksCreatedByUser",
        "MaximumTasksAssignedToUser",
        "MaximumTasksInProject",
        "MaximumActiveTasksInProject",
        "MaximumBucketsInProject",
        "MaximumUsersSharedWithProject",
        "MaximumReferencesOnTask",
        "MaximumChecklistItemsOnTask",
        "MaximumAssigneesInTasks",
        "MaximumPlannerPlans",
    }
)


@dataclass(frozen=True)
class PermissionCoverage:
    """Whether a token's permissions cover an endpoint, judged by the permissions its docs list.

    A higher-privileged permission covers an endpoint only where the docs list it: the tables name
    least and higher privileged permissions alike (docs `_permissions`), and nothing else says
    which permission implies which. `covered` is None when it cannot be told (a token without
    claims, a page that lists no permission).
    """

    covered: bool | None
    reason: str
    via: str | None = None  # the documented permission the token carries, when covered


def documented_permissions(contract: Contract) -> str:
    """`Application: A, B; Delegated (work or school account): C`: the docs' table, kind by kind
    ("" when it lists none)."""
    parts = [
        f"{PERMISSION_KINDS.get(kind, kind)}: {', '.join(names)}"
        for kind, names in contract.permissions.items()
        if names
    ]
    return "; ".join(parts)


def permission_coverage(contract: Contract, grants: Grants) -> PermissionCoverage:
    """What the token's roles (application) or scopes (delegated) cover of this contract."""
    if grants.kind is None:
        return PermissionCoverage(None, f"the token's permissions are unknown: {grants.why}")
    if not any(contract.permissions.values()):
        return PermissionCoverage(None, "its docs list no permission")
    label = PERMISSION_KINDS.get(grants.kind, grants.kind)
    documented = contract.permissions.get(grants.kind) or []
    if not documented:
        listed = documented_permissions(contract)
        return PermissionCoverage(False, f"its docs list no {label} permission (only {listed})")
    carried = {name.lower() for name in grants.names}
    hit = next((name for name in documented if name.lower() in carried), None)
    if hit is not None:
        return PermissionCoverage(True, f"{label} {hit}", hit)
    return PermissionCoverage(False, f"needs one of {label}: {', '.join(documented)}")


def denied_by_permission(status: int, error_code: object) -> bool:
    """Whether a reply to a request the docs allow says the caller lacks a permission."""
    return status == 403 and error_code not in SERVICE_LIMIT_CODES


def denial_reason(contract: Contract, grants: Grants, answered: str) -> str:
    """Why an endpoint is skipped for a 403: the reply, what its docs list, what the token carries."""
    coverage = permission_coverage(contract, grants)
    doubt = ""
    if coverage.covered:
        doubt = (
            f" (it carries {coverage.via}, which the docs list: the list "
            "may be incomplete, or a licence or an admin role is missing)"
        )
    listed = documented_permissions(contract)
    docs = f"the docs list {listed}" if listed else "its docs list no permission"
    token = (
        f"the token is {grants.describe()}"
        if grants.kind
        else f"the token's permissions are unknown ({grants.why})"
    )
    return f"permission denied: {answered}; {docs}; {token}{doubt}"
