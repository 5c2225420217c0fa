"""Hypothesis strategies for Graph PATCH bodies, derived from a contract's property table.

Each Edm type's value space is defined once (one function per type, chosen by the type's kind,
`edm.resolve`) and reused by the composers: `for_type` for one property, `payloads` for a whole
valid PATCH body, `invalid_payloads`/`invalid_examples` for bodies a conforming service must reject
(each tagged with the documented `edm.ProblemKind` it exercises), `classify` to route a body from
another generator by the one oracle (`bodies`), and `register_formats` so Schemathesis draws the
same Graph-valid values for the OpenAPI formats. Value spaces follow ../shared/GRAPH-FACTS.md: DateTimeOffset offsets
within ±14:00 with up to 7 fractional digits and a UTC instant inside years 1-9999, Int32/Int64 full
ranges with the bounds reachable, Single values exactly representable as float32.

Rules the composers apply (they mirror the Intune docs and OData 4.01 §11.4.3):
- Only updatable properties are sent: never the key (`id`), never read-only ones, never `Edm.Stream`.
- A property whose type cannot be generated (unresolved complex/enum type, `Edm.Untyped`, geography,
  an enum with no members) is skipped, never guessed; `generatable(contract)` lists what is sent.
- Graph's evolvable-enum sentinel `unknownFutureValue` is never sent ("Do not use.", the docs' enum
  tables): members declared after it are, as the client opts in to them on every request.
- `@odata.type` is sent first in every body when the docs' own request examples send it
  (`sends_odata_type`), because the Intune docs do and some workloads need it to bind the type.
- Complex values are built down to MAX_DEPTH levels (self-referencing types terminate);
  `enum_coverage` covers enum properties of the entity itself and enum collections, not enums nested
  inside complex values (those are reached by `payloads` only as Hypothesis' budget allows).

Strategies draw only from Hypothesis (no `random`, no clock), so `@seed`/`derandomize` reproduce runs.
"""

from __future__ import annotations

import json
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from graph_contracts import bodies, edm
from graph_contracts.bodies import Verdict
from graph_contracts.contracts import Contract, Property, TypeDef
from graph_contracts.edm import EdmType, ProblemKind, TypeKind

Types = Mapping[str, TypeDef]

MAX_TEXT = (
    16  # strings stay short: coverage per request matters more than size on a throttled tenant
)
MAX_BINARY = 24
_BOTH_ALPHABETS = string.ascii_letters + string.digits
MAX_ITEMS = 3  # collections
MAX_DEPTH = 3  # nesting of complex types, so self-referencing types terminate
MAX_DURATION_DAYS = (
    10_675_198  # below .NET TimeSpan.MaxValue (10675199.02:48:05) with any clock part
)
MAX_DECIMAL_MANTISSA = 10**15 - 1  # 15 significant digits survive the JSON double on both sides
WHITESPACE = ("", " ", "  ", "\t", "\n", "\u00a0", "\u3000")
UNKNOWN_PROPERTY = "graphContractsUnknownProperty"
UNKNOWN_MEMBER = "graphContractsUnknownMember"


class UnsupportedType(ValueError):
    """A type the strategies cannot generate values for (unresolved, Stream, geography, ...)."""


@dataclass
class InvalidPayload:
    """A request body a conforming service must reject with a 4xx, and why.

    `reason` is a short report label; `problem` the class of defect it exercises, always one whose
    rejection is documented (`edm.ProblemKind.rejection_documented`).
    """

    content: bytes
    reason: str
    problem: ProblemKind
    content_type: str = "application/json"
    field: str | None = None

    @property
    def documented(self) -> bool:
        """Whether a source says a conforming service refuses it (always, in the catalogue)."""
        return self.problem.rejection_documented


# --- one strategy per Edm type -----------------------------------------------------------------


def strings() -> SearchStrategy[str]:
    """Unicode text, often with whitespace at either end (services that trim it break round-trip).

    No lone surrogates (not encodable as UTF-8 JSON) and no NUL (rejected by many stacks before the
    service logic is reached, which would judge the transport rather than the contract).
    """
    text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=MAX_TEXT)
    padded = st.builds(
        lambda head, body, tail: head + body + tail,
        st.sampled_from(WHITESPACE),
        text,
        st.sampled_from(WHITESPACE),
    )
    return text | padded


def booleans() -> SearchStrategy[bool]:
    return st.booleans()


def integers(type_name: str) -> SearchStrategy[int]:
    """The full range of an Edm integer type; explicit bounds make Hypothesis try (and shrink to)
    them. The precision edges (16,777,217 for an Int32, ...) are the covering set's, which every
    plan sends (`plan.minimal_plan`): drawn here, they would spoil shrinking."""
    low, high = edm.INT_RANGES[type_name]
    return st.integers(min_value=low, max_value=high)


def singles() -> SearchStrategy[float]:
    """Finite values exactly representable as float32 (`width=32`), so storing them loses nothing."""
    return st.floats(width=32, allow_nan=False, allow_infinity=False)


def doubles() -> SearchStrategy[float]:
    return st.floats(allow_nan=False, allow_infinity=False)


def decimals() -> SearchStrategy[float]:
    """Decimals with at most 15 significant digits, so the JSON double carries them exactly."""
    return st.builds(
        lambda mantissa, scale: float(Decimal(mantissa).scaleb(-scale)),
        st.integers(-MAX_DECIMAL_MANTISSA, MAX_DECIMAL_MANTISSA),
        st.integers(0, 8),
    )


def guids() -> SearchStrategy[str]:
    return st.uuids().map(str)


def dates() -> SearchStrategy[str]:
    return st.dates().map(lambda day: day.isoformat())


def times_of_day() -> SearchStrategy[str]:
    """`hh:mm:ss[.fffffff]` with 0-7 fractional digits."""
    return st.builds(
        lambda h, m, s, fraction: f"{h:02d}:{m:02d}:{s:02d}{fraction}",
        st.integers(0, 23),
        st.integers(0, 59),
        st.integers(0, 59),
        _fractions(),
    )


def durations() -> SearchStrategy[str]:
    """ISO 8601 day-time durations as .NET TimeSpan writes them: `-P12DT23H59M59.9S`."""
    return st.builds(
        _format_duration,
        st.booleans(),
        st.integers(0, MAX_DURATION_DAYS),
        st.integers(0, 23),
        st.integers(0, 59),
        st.integers(0, 59),
        _fractions(),
    )


def binaries() -> SearchStrategy[str]:
    """Edm.Binary text that reads the same as base64url (OData JSON) and base64 (.NET).

    OData JSON says base64url; Graph's .NET reader decodes with Convert.FromBase64String, which
    refuses `-` and `_`. Only letters and digits, in whole 4-character groups, are valid and mean
    the same bytes in both alphabets, so a valid write is never refused for its alphabet.
    """
    groups = st.lists(st.text(_BOTH_ALPHABETS, min_size=4, max_size=4), max_size=MAX_BINARY // 3)
    return groups.map("".join)


def offsets() -> SearchStrategy[int]:
    """UTC offsets in whole minutes within ±14:00, the .NET DateTimeOffset limit."""
    return st.integers(-edm.MAX_OFFSET_MINUTES, edm.MAX_OFFSET_MINUTES)


@st.composite
def datetimeoffsets(draw: st.DrawFn) -> str:
    """Any instant in years 1-9999 (UTC and local), written with `Z` or `±hh:mm` and 0-7 digits.

    The offset is drawn first, then the UTC instant within the window where both the instant and
    its local rendering stay inside years 1-9999 (`0001-01-01T00:00:00+05:00` is out of range).
    """
    offset = draw(st.none() | offsets())  # None: `Z`, as Graph replies; numeric as its docs send
    shift = (offset or 0) * 60 * edm.TICKS_PER_SECOND
    ticks = draw(st.integers(max(0, -shift), min(edm.MAX_TICKS, edm.MAX_TICKS - shift)))
    digits = draw(st.integers(0, 7))
    zone = "Z" if offset is None else _format_offset(offset)
    return _format_local(ticks + shift, digits) + zone


_EDM: dict[str, Callable[[], SearchStrategy[Any]]] = {
    "Edm.String": strings,
    "Edm.Boolean": booleans,
    **{name: (lambda name=name: integers(name)) for name in edm.INT_RANGES},
    "Edm.Single": singles,
    "Edm.Double": doubles,
    "Edm.Decimal": decimals,
    "Edm.Guid": guids,
    "Edm.Date": dates,
    "Edm.TimeOfDay": times_of_day,
    "Edm.Duration": durations,
    "Edm.Binary": binaries,
    "Edm.DateTimeOffset": datetimeoffsets,
}


# --- composing types ---------------------------------------------------------------------------


def for_type(
    type_name: str,
    types: Types,
    *,
    enum: list[str] | None = None,
    nullable: bool = False,
) -> SearchStrategy[Any]:
    """Valid wire values of a CSDL type (`Edm.*`, enum, complex, `Collection(T)`).

    `enum` overrides the members of an enum type (a property table may list them inline). Raises
    `UnsupportedType` when no valid value can be generated, so callers skip rather than guess.
    """
    strategy = _values(type_name, types, enum, depth=0)
    if strategy is None:
        raise UnsupportedType(f"cannot generate values of {type_name}")
    return st.none() | strategy if nullable else strategy


def _values(type_name: str, types: Types, enum: list[str] | None, depth: int):
    """The strategy for non-null values of a type, or None when there is none."""
    return _strategy(edm.resolve(type_name, types, enum), types, depth)


def _strategy(edm_type: EdmType, types: Types, depth: int):
    return _BY_KIND[edm_type.kind](edm_type, types, depth)


def _primitive_values(edm_type: EdmType, types: Types, depth: int):
    if edm_type.members:  # an `Edm.String` whose table lists its values: send those
        return _enum_values(list(edm_type.writable), flags=False)
    factory = _EDM.get(edm_type.name)
    return factory() if factory else None


def _collection_values(edm_type: EdmType, types: Types, depth: int):
    assert edm_type.item is not None
    item = _strategy(edm_type.item, types, depth)
    return None if item is None else st.lists(item, max_size=MAX_ITEMS)


def _complex_of(edm_type: EdmType, types: Types, depth: int):
    if edm_type.typedef is None or depth >= MAX_DEPTH:
        return None
    return _complex_values(edm_type.typedef, types, depth + 1)


_BY_KIND: dict[TypeKind, Callable[[EdmType, Types, int], Any]] = {
    TypeKind.PRIMITIVE: _primitive_values,
    TypeKind.ENUM: lambda t, types, depth: _enum_values(list(t.writable), flags=t.flags),
    TypeKind.COMPLEX: _complex_of,
    TypeKind.COLLECTION: _collection_values,
    TypeKind.ANY_JSON: lambda t, types, depth: None,  # any JSON: nothing a service must accept
    TypeKind.UNRESOLVED: lambda t, types, depth: None,  # never guessed
}


def _enum_values(members: list[str], *, flags: bool):
    if not members:
        return None
    if flags:
        combos = st.lists(st.sampled_from(members), min_size=1, unique=True)
        return combos.map(lambda chosen: ",".join(m for m in members if m in chosen))
    return st.sampled_from(members)


def _complex_values(typedef: TypeDef, types: Types, depth: int):
    """Objects of a complex type: non-nullable properties always present, the others optional.

    Built eagerly down to MAX_DEPTH rather than through `st.deferred`, so that "no valid value at
    this depth" (a non-nullable property of a self-referencing type at the limit) is known when the
    strategy is built: the type returns None and its parent drops the property or is None itself,
    instead of a strategy that fails at draw time.
    """
    required: dict[str, SearchStrategy[Any]] = {}
    optional: dict[str, SearchStrategy[Any]] = {}
    for prop in typedef.properties:
        if not prop.updatable or edm.is_stream(prop.type):
            continue
        value = _values(prop.type, types, prop.enum, depth)
        if value is None:
            if prop.nullable is False:
                return None
            continue
        if prop.nullable is False:
            required[prop.name] = value
        else:  # null only where the docs say nullable; unknown nullability: absent, never null
            optional[prop.name] = st.none() | value if prop.nullable else value
    return st.fixed_dictionaries(required, optional=optional)


# --- whole PATCH bodies ------------------------------------------------------------------------


def sends_odata_type(contract: Contract) -> bool:
    """True when a documented request example sends `@odata.type` (the Intune pages do)."""
    return any(
        ex.kind == "request" and isinstance(ex.body, dict) and "@odata.type" in ex.body
        for ex in contract.examples
    )


def generatable(contract: Contract) -> list[Property]:
    """Updatable properties a body may carry: no key, no read-only, no Stream, no unsupported type."""
    return [p for p in contract.updatable() if _property_values(p, contract.types) is not None]


def _property_values(prop: Property, types: Types):
    if edm.is_stream(prop.type):
        return None
    value = _values(prop.type, types, prop.enum, depth=0)
    if value is None:
        return None
    return st.none() | value if prop.nullable else value


def payloads(contract: Contract) -> SearchStrategy[dict]:
    """Valid, non-empty PATCH bodies: a subset of the generatable properties.

    Returns `st.nothing()` when the contract has no generatable property; check `generatable()`
    first to skip such a contract with a reason.
    """
    props = generatable(contract)
    if not props:
        return st.nothing()
    values = {p.name: _property_values(p, contract.types) for p in props}
    head = {"@odata.type": contract.odata_type} if sends_odata_type(contract) else {}
    # Each property is an optional key, which Hypothesis shrinks by leaving it out: a failing
    # body shrinks to the properties that fail. (Bodies with every property are the covering
    # set's job, `plan.minimal_plan`.)
    some = st.fixed_dictionaries({}, optional=values).filter(bool)
    return some.map(lambda body: {**head, **body})


def enum_coverage(contract: Contract) -> list[dict]:
    """Deterministic bodies that together send every member of every enum-typed property once.

    Body k sets each enum property to its k-th member (while it has one), so the number of requests
    is the size of the largest enum, not the sum: Intune tenants allow 100 writes per 20 s per app.
    """
    enums = [(p, members) for p in generatable(contract) if (members := _members(p, contract))]
    if not enums:
        return []
    head = {"@odata.type": contract.odata_type} if sends_odata_type(contract) else {}
    many = {p.name: edm.split_collection(p.type)[0] for p, _ in enums}
    bodies = []
    for k in range(max(len(members) for _, members in enums)):
        body = dict(head)
        for prop, members in enums:
            if k < len(members):
                body[prop.name] = [members[k]] if many[prop.name] else members[k]
        bodies.append(body)
    return bodies


def _members(prop: Property, contract: Contract) -> list[str]:
    """Enum members (or the values a String's table lists) of a property or of its items."""
    edm_type = edm.resolve(prop.type, contract.types, prop.enum)
    if edm_type.kind is TypeKind.COLLECTION and edm_type.item is not None:
        edm_type = edm_type.item
    if edm_type.kind in (TypeKind.ENUM, TypeKind.PRIMITIVE):
        return list(edm_type.writable)
    return []


# --- routing bodies by the oracle --------------------------------------------------------------


def classify(contract: Contract, body: Any) -> Verdict:
    """How the suite may use a body from another generator (Schemathesis): `bodies.classify`.

    `valid`: send it as a write; `invalid`: every problem's rejection is documented, so a
    conforming service must refuse it; `uncertain` (`{}`, null where nullability is unknown, a
    numeric string for an Int64): neither sent as a valid write nor expected to be rejected.
    """
    return bodies.classify(contract, body)


def parse_body(content: bytes) -> Any:
    """Strict JSON (no NaN/Infinity literals, UTF-8 only); ValueError when malformed."""
    return bodies.parse(content)


# --- invalid bodies ----------------------------------------------------------------------------

Bad = tuple[Any, str, ProblemKind]  # a value, its report label, the class it exercises
K = ProblemKind


def invalid_payloads(contract: Contract) -> SearchStrategy[InvalidPayload]:
    """Bodies a conforming service must reject: one defect each, the rest of the body valid.

    Every variant of the catalogue (several per class: every bad date, both range ends, ...) plus
    malformed JSON cut from drawn valid bodies.
    """
    variants = [c for c in _candidates(contract) if _rejected(contract, c)]
    cut = payloads(contract).flatmap(lambda body: st.sampled_from(_malformed(body)))
    return st.sampled_from(variants) | cut if variants else cut


def invalid_examples(contract: Contract) -> list[InvalidPayload]:
    """The deterministic catalogue: one invalid body per (property, problem class), in order.

    A candidate is kept only when the oracle calls it invalid (every problem documented), so a
    defect that happens to be valid for some type (a string for an unresolved type) is never sent.
    The first variant of each class is the telling one (`"12"` for an Int32, an offset beyond
    ±14:00 for a DateTimeOffset); `invalid_payloads` draws the others.
    """
    seen: set[tuple[str | None, ProblemKind]] = set()
    kept: list[InvalidPayload] = []
    for candidate in _candidates(contract):
        key = (candidate.field, candidate.problem)
        if key not in seen and _rejected(contract, candidate):
            seen.add(key)
            kept.append(candidate)
    return kept


def _candidates(contract: Contract) -> list[InvalidPayload]:
    head = {"@odata.type": contract.odata_type} if sends_odata_type(contract) else {}
    candidates: list[InvalidPayload] = []
    for prop in generatable(contract):
        for value, reason, problem in _bad_values(prop, contract.types):
            candidates.append(_encode({**head, prop.name: value}, reason, problem, prop.name))
    return candidates + _bad_bodies(contract, head)


def _rejected(contract: Contract, payload: InvalidPayload) -> bool:
    found = bodies.judge(contract, payload.content)
    return bool(found) and all(p.kind.rejection_documented for p in found)


def _encode(
    body: Any, reason: str, problem: ProblemKind, field: str | None = None
) -> InvalidPayload:
    return InvalidPayload(
        json.dumps(body, ensure_ascii=False).encode(), reason, problem, field=field
    )


_NUMBER_FOR_STRING: list[Bad] = [
    (12, "number for a string", K.WRONG_JSON_TYPE),
    (True, "boolean for a string", K.WRONG_JSON_TYPE),
]
# Variants per class, the telling one first. No ">7 fractional digits" (the ABNF allows 12 and
# .NET keeps 100 ns) and no numeric or boolean text for numbers and Booleans (lenient-string).
_BAD_STRINGS: dict[str, list[tuple[str, str]]] = {
    "Edm.DateTimeOffset": [
        ("2021-01-01T00:00:00+14:30", "offset beyond ±14:00"),
        ("2021-01-01T00:00:00-15:00", "offset beyond ±14:00"),
        ("2021-02-30T00:00:00Z", "date that does not exist (Feb 30)"),
        ("0001-01-01T00:00:00+05:00", "UTC instant before year 1"),
        ("9999-12-31T23:59:59-01:00", "UTC instant after year 9999"),
        ("2021-01-01T10:00:00", "date-time without offset"),
        ("2021-01-01 10:00:00Z", "non-ISO date-time"),
        ("next tuesday", "non-ISO date-time"),
    ],
    "Edm.Date": [
        ("2021-02-30", "date that does not exist (Feb 30)"),
        ("01/02/2021", "non-ISO date"),
    ],
    "Edm.TimeOfDay": [("24:00:00", "hour out of range"), ("noon", "non-ISO time")],
    "Edm.Duration": [("P", "empty duration"), ("1 day", "non-ISO duration")],
    "Edm.Guid": [
        ("not-a-guid", "malformed Guid"),
        ("00000000-0000-0000-0000-00000000001", "short Guid"),
    ],
    "Edm.Binary": [("not base64!", "neither base64 nor base64url")],
}


def _bad_values(prop: Property, types: Types) -> list[Bad]:
    """Invalid values for one property: wrong JSON kinds, out-of-range numbers, bad members and dates."""
    edm_type = edm.resolve(prop.type, types, prop.enum)
    bad: list[Bad] = []
    if prop.nullable is False:  # only where the docs say so: unknown nullability proves nothing
        bad.append((None, "null for a non-nullable property", K.NULL_NOT_ALLOWED))
    if edm_type.kind is TypeKind.COLLECTION and edm_type.item is not None:
        witness = _witness(edm_type.item, types)
        bad.append((witness, "single value for a collection", K.WRONG_JSON_TYPE))
        bad.append(({"value": []}, "object for a collection", K.WRONG_JSON_TYPE))
        return bad + [
            ([value], f"{reason} (in a collection)", problem)
            for value, reason, problem in _bad_items(edm_type.item)
        ]
    bad += _bad_items(edm_type)
    if edm_type.kind in (TypeKind.PRIMITIVE, TypeKind.ENUM):
        bad.append(({}, "object for a scalar", K.WRONG_JSON_TYPE))
    return bad


def _bad_items(edm_type: EdmType) -> list[Bad]:
    return _BAD_BY_KIND.get(edm_type.kind, lambda t: [])(edm_type)


def _bad_enum(edm_type: EdmType) -> list[Bad]:
    bad: list[Bad] = []
    if edm_type.flags and edm_type.writable:  # a service that checks only the first flag
        combo = f"{edm_type.writable[0]},{UNKNOWN_MEMBER}"
        bad.append((combo, "unknown flags enum member", K.UNKNOWN_MEMBER))
    return [
        *bad,
        (UNKNOWN_MEMBER, "unknown enum member", K.UNKNOWN_MEMBER),
        (True, "boolean for an enum", K.WRONG_JSON_TYPE),
    ]


def _bad_primitive(edm_type: EdmType) -> list[Bad]:
    name = edm_type.name
    if name in edm.INT_RANGES:
        low, high = edm.INT_RANGES[name]
        numeric = (
            []
            if name in edm.LENIENT_STRING_NUMBERS
            else [("12", "numeric string for a number", K.WRONG_JSON_TYPE)]
        )
        return [
            *numeric,
            (1.5, "fraction for an integer", K.WRONG_JSON_TYPE),
            (high + 1, f"{name} above its range", K.OUT_OF_RANGE),
            (low - 1, f"{name} below its range", K.OUT_OF_RANGE),
        ]
    if name in edm.FLOATS:
        numeric = (
            []
            if name in edm.LENIENT_STRING_NUMBERS
            else [("12.5", "numeric string for a number", K.WRONG_JSON_TYPE)]
        )
        return [*numeric, (True, "boolean for a number", K.WRONG_JSON_TYPE)]
    if name == "Edm.Boolean":  # "true" is lenient text the .NET reader converts: not sent
        return [(1, "number for a boolean", K.WRONG_JSON_TYPE)]
    if name not in _EDM:  # Stream, Geography*: nothing is known to be invalid
        return []
    formats = [(value, reason, K.BAD_FORMAT) for value, reason in _BAD_STRINGS.get(name, [])]
    return _NUMBER_FOR_STRING + formats


_BAD_BY_KIND: dict[TypeKind, Callable[[EdmType], list[Bad]]] = {
    TypeKind.ENUM: _bad_enum,
    TypeKind.PRIMITIVE: _bad_primitive,
    TypeKind.COMPLEX: lambda t: [
        (12, "number for an object", K.WRONG_JSON_TYPE),
        ({UNKNOWN_PROPERTY: 1}, "unknown nested property", K.UNKNOWN_PROPERTY),
    ],
}


def _bad_bodies(contract: Contract, head: dict) -> list[InvalidPayload]:
    """Defects of the body as a whole: unknown property, wrong @odata.type, not an object, not JSON."""
    sample = _sample_body(contract)
    wrong_type = "#microsoft.graph.user" if contract.name != "user" else "#microsoft.graph.group"
    bodies_ = [
        _encode(
            {**head, UNKNOWN_PROPERTY: "x"},
            "unknown property",
            K.UNKNOWN_PROPERTY,
            UNKNOWN_PROPERTY,
        ),
        _encode(
            {**sample, "@odata.type": wrong_type},
            "wrong @odata.type",
            K.WRONG_ODATA_TYPE,
            "@odata.type",
        ),
        _encode([sample], "array body", K.NOT_AN_OBJECT),
        _encode("text", "string body", K.NOT_AN_OBJECT),
        _encode(12, "number body", K.NOT_AN_OBJECT),
        _encode(None, "null body", K.NOT_AN_OBJECT),
    ]
    return bodies_ + _malformed(sample) + [InvalidPayload(b"", "empty body", K.MALFORMED_JSON)]


def _malformed(body: dict) -> list[InvalidPayload]:
    """Syntactically broken JSON made from a valid body: truncated, trailing comma, single quotes."""
    text = json.dumps(body or {UNKNOWN_PROPERTY: 1}, ensure_ascii=False)
    return [
        InvalidPayload(text[:-1].encode(), "truncated JSON", K.MALFORMED_JSON),
        InvalidPayload((text[:-1] + ",}").encode(), "JSON with a trailing comma", K.MALFORMED_JSON),
        InvalidPayload(
            text.replace('"', "'").encode(), "JSON with single quotes", K.MALFORMED_JSON
        ),
    ]


def _sample_body(contract: Contract) -> dict:
    """A small valid body from fixed witness values (deterministic, no Hypothesis draw)."""
    body = {"@odata.type": contract.odata_type} if sends_odata_type(contract) else {}
    for prop in generatable(contract):
        value = _witness(edm.resolve(prop.type, contract.types, prop.enum), contract.types)
        if value is not None:
            body[prop.name] = value
            break
    return body


_WITNESSES: dict[str, Any] = {
    "Edm.String": "graph-contracts",
    "Edm.Boolean": True,
    **dict.fromkeys(edm.INT_RANGES, 1),
    **dict.fromkeys(edm.FLOATS, 1.5),
    "Edm.Guid": "00000000-0000-0000-0000-000000000001",
    "Edm.Date": "2021-07-01",
    "Edm.TimeOfDay": "12:30:00",
    "Edm.Duration": "PT1H",
    "Edm.Binary": "Z3JhcGg=",
    "Edm.DateTimeOffset": "2017-01-01T00:00:17.7769392-08:00",
}


def _witness(edm_type: EdmType, types: Types, depth: int = 0) -> Any:
    """One fixed valid value of a type, or None when there is none (used to build invalid bodies)."""
    return _WITNESS_BY_KIND[edm_type.kind](edm_type, types, depth)


def _complex_witness(edm_type: EdmType, types: Types, depth: int) -> Any:
    if edm_type.typedef is None or depth >= MAX_DEPTH:
        return None
    value = {}
    for prop in edm_type.typedef.properties:
        if prop.nullable or not prop.updatable:
            continue
        item = _witness(edm.resolve(prop.type, types, prop.enum), types, depth + 1)
        if item is None:
            return None
        value[prop.name] = item
    return value


_WITNESS_BY_KIND: dict[TypeKind, Callable[[EdmType, Types, int], Any]] = {
    TypeKind.PRIMITIVE: lambda t, types, depth: (
        (t.writable or (None,))[0] if t.members else _WITNESSES.get(t.name)
    ),
    TypeKind.ENUM: lambda t, types, depth: (t.writable or (None,))[0],
    TypeKind.COLLECTION: lambda t, types, depth: [],
    TypeKind.COMPLEX: _complex_witness,
    TypeKind.ANY_JSON: lambda t, types, depth: None,
    TypeKind.UNRESOLVED: lambda t, types, depth: None,
}


# --- Schemathesis formats ----------------------------------------------------------------------

# OpenAPI `format` names Microsoft's own Graph OpenAPI conversion uses for Edm types.
GRAPH_FORMATS: dict[str, Callable[[], SearchStrategy[str]]] = {
    "date-time": datetimeoffsets,
    "date": dates,
    "partial-time": times_of_day,
    "edm-duration": durations,
    "uuid": guids,
    "base64url": binaries,
}
_registered = False


def register_formats() -> None:
    """Make Schemathesis draw Graph-valid strings for the formats above. Call before loading a schema.

    Its default `date-time` draws offsets up to ±23:59 and any year, which Graph rightly rejects;
    positive cases must be valid. Idempotent: re-registering would only flush its caches.
    """
    global _registered
    if _registered:
        return
    import schemathesis

    for name, factory in GRAPH_FORMATS.items():
        schemathesis.openapi.format(name, factory())
    _registered = True


# --- small helpers -----------------------------------------------------------------------------


def _fractions() -> SearchStrategy[str]:
    """`""` or `.` plus 1-7 digits (100 ns ticks, the .NET resolution)."""
    return st.integers(0, 7).flatmap(
        lambda digits: (
            st.just("")
            if digits == 0
            else st.integers(0, 10**digits - 1).map(lambda n: f".{n:0{digits}d}")
        )
    )


def _format_duration(
    negative: bool, days: int, hours: int, minutes: int, seconds: int, fraction: str
) -> str:
    clock = "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M")) if n) + (
        f"{seconds}{fraction}S" if seconds or fraction else ""
    )
    text = "P" + (f"{days}D" if days else "") + (f"T{clock}" if clock else "")
    if text == "P":
        text = "PT0S"
    return ("-" if negative and text != "PT0S" else "") + text


def _format_offset(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{rest:02d}"


def _format_local(ticks: int, digits: int) -> str:
    """Local wall-clock ticks as `YYYY-MM-DDThh:mm:ss[.f{digits}]`, truncating to `digits`."""
    text = edm.format_datetimeoffset(ticks - ticks % edm.TICKS_PER_SECOND)[:-1]
    if digits:
        fraction = ticks % edm.TICKS_PER_SECOND // 10 ** (7 - digits)
        text += f".{fraction:0{digits}d}"
    return text
