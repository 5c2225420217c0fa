"""Hypothesis strategies for Graph PATCH bodies, derived from a contract's property table.

Each Edm type's value space is defined once (one function per type) and reused by the composers:
`for_type` for one property, `payloads` for a whole valid PATCH body, `invalid_payloads` for bodies a
conforming service must reject, and `register_formats` so Schemathesis draws the same Graph-valid
values for the OpenAPI formats. Value spaces follow ../shared/GRAPH-FACTS.md: DateTimeOffset offsets
within ±14:00 with up to 7 fractional digits and a UTC instant inside years 1-9999, Int32/Int64 full
ranges with the bounds reachable, Single values exactly representable as float32.

Rules the composers apply (they mirror the Intune docs and OData 4.01 §11.4.3):
- Only updatable properties are sent: never the key (`id`), never read-only ones, never `Edm.Stream`.
- A property whose type cannot be generated (unresolved complex/enum type, `Edm.Untyped`, geography,
  an enum with no members) is skipped, never guessed; `generatable(contract)` lists what is sent.
- `@odata.type` is sent first in every body when the docs' own request examples send it
  (`sends_odata_type`), because the Intune docs do and some workloads need it to bind the type.
- Complex values are built down to MAX_DEPTH levels (self-referencing types terminate);
  `enum_coverage` covers enum properties of the entity itself and enum collections, not enums nested
  inside complex values (those are reached by `payloads` only as Hypothesis' budget allows).

Strategies draw only from Hypothesis (no `random`, no clock), so `@seed`/`derandomize` reproduce runs.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from graph_contracts import edm
from graph_contracts.contracts import Contract, Property, TypeDef

Types = Mapping[str, TypeDef]

MAX_TEXT = (
    16  # strings stay short: coverage per request matters more than size on a throttled tenant
)
MAX_BINARY = 24
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
    """A request body a conforming service must reject with a 4xx, and why (a short report label)."""

    content: bytes
    reason: str
    content_type: str = "application/json"
    field: str | None = None


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
    """The full range of an Edm integer type; explicit bounds make Hypothesis try (and shrink to) them."""
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
    """base64url with padding (Edm.Binary on the wire)."""
    return st.binary(max_size=MAX_BINARY).map(lambda raw: base64.urlsafe_b64encode(raw).decode())


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
    many, inner = edm.split_collection(type_name)
    if many:
        item = _values(inner, types, enum, depth)
        return None if item is None else st.lists(item, max_size=MAX_ITEMS)
    typedef = types.get(inner)
    if enum is not None or (typedef is not None and typedef.kind == "enum"):
        members = enum if enum is not None else (typedef.members or [])
        return _enum_values(members, flags=bool(typedef and typedef.flags))
    if edm.is_primitive(inner):
        factory = _EDM.get(inner)
        return factory() if factory else None
    if typedef is not None and typedef.kind == "complex" and depth < MAX_DEPTH:
        return _complex_values(typedef, types, depth + 1)
    return None


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
        if not prop.updatable or edm.split_collection(prop.type)[1] == "Edm.Stream":
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
    if edm.split_collection(prop.type)[1] == "Edm.Stream":
        return None
    value = _values(prop.type, types, prop.enum, depth=0)
    if value is None:
        return None
    return st.none() | value if prop.nullable else value


def payloads(contract: Contract) -> SearchStrategy[dict]:
    """Valid, non-empty PATCH bodies: a subset (often all) of the generatable properties.

    Returns `st.nothing()` when the contract has no generatable property; check `generatable()`
    first to skip such a contract with a reason.
    """
    props = generatable(contract)
    if not props:
        return st.nothing()
    values = {p.name: _property_values(p, contract.types) for p in props}
    names = [p.name for p in props]
    subsets = st.lists(st.sampled_from(names), min_size=1, unique=True) | st.just(names)
    head = {"@odata.type": contract.odata_type} if sends_odata_type(contract) else {}

    @st.composite
    def bodies(draw: st.DrawFn) -> dict:
        chosen = set(draw(subsets))
        return {**head, **{name: draw(values[name]) for name in names if name in chosen}}

    return bodies()


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
    if prop.enum is not None:
        return list(prop.enum)
    typedef = contract.types.get(edm.split_collection(prop.type)[1])
    return list(typedef.members or []) if typedef and typedef.kind == "enum" else []


# --- the oracle for bodies ---------------------------------------------------------------------


def body_problems(contract: Contract, body: Any) -> list[str]:
    """Why `body` is not a valid PATCH body for `contract` (empty when it is).

    Key and read-only properties are valid (OData: ignored by the service); properties the table
    does not list, a different `@odata.type`, and invalid values are not.
    """
    if not isinstance(body, dict):
        return [f"body: expected a JSON object, got {type(body).__name__}"]
    problems: list[str] = []
    for key, value in body.items():
        if key == "@odata.type":
            if value not in (contract.odata_type, contract.resource):
                problems.append(f"@odata.type: {value!r} is not {contract.odata_type}")
            continue
        if "@" in key:
            continue  # instance annotations
        prop = contract.property(key)
        if prop is None:
            problems.append(f"{key}: not a property of {contract.name}")
            continue
        problems += edm.validate(
            value, prop.type, contract.types, enum=prop.enum, nullable=prop.nullable, where=key
        )
    return problems


def parse_body(content: bytes) -> Any:
    """Strict JSON (no NaN/Infinity literals, UTF-8 only); ValueError when malformed."""
    return json.loads(content.decode("utf-8"), parse_constant=_reject_constant)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


# --- invalid bodies ----------------------------------------------------------------------------


def invalid_payloads(contract: Contract) -> SearchStrategy[InvalidPayload]:
    """Bodies a conforming service must reject: one defect each, the rest of the body valid.

    Deterministic candidates (see `invalid_examples`) plus malformed JSON cut from drawn valid bodies.
    """
    fixed = invalid_examples(contract)
    cut = payloads(contract).flatmap(lambda body: st.sampled_from(_malformed(body)))
    return st.sampled_from(fixed) | cut if fixed else cut


def invalid_examples(contract: Contract) -> list[InvalidPayload]:
    """Every deterministic invalid body for the contract, one per (property, defect) and per body defect.

    Each candidate is kept only when the oracle (`body_problems` / strict JSON) rejects it, so a
    defect that happens to be valid for some type (a string for an unresolved type) is never sent.
    """
    return [c for c in _candidates(contract) if _rejected(contract, c)]


def _candidates(contract: Contract) -> list[InvalidPayload]:
    head = {"@odata.type": contract.odata_type} if sends_odata_type(contract) else {}
    candidates: list[InvalidPayload] = []
    for prop in generatable(contract):
        for value, reason in _bad_values(prop, contract.types):
            candidates.append(_encode({**head, prop.name: value}, reason, prop.name))
    return candidates + _bad_bodies(contract, head)


def _rejected(contract: Contract, payload: InvalidPayload) -> bool:
    try:
        body = parse_body(payload.content)
    except ValueError:
        return True
    return bool(body_problems(contract, body))


def _encode(body: Any, reason: str, field: str | None = None) -> InvalidPayload:
    return InvalidPayload(json.dumps(body, ensure_ascii=False).encode(), reason, field=field)


_WRONG_KINDS: dict[str, list[tuple[Any, str]]] = {
    "integer": [("12", "numeric string for a number"), (1.5, "fraction for an integer")],
    "float": [("12.5", "numeric string for a number"), (True, "boolean for a number")],
    "boolean": [("true", "string for a boolean"), (1, "number for a boolean")],
    "string": [(12, "number for a string"), (True, "boolean for a string")],
}
_BAD_STRINGS: dict[str, list[tuple[str, str]]] = {
    "Edm.DateTimeOffset": [
        ("2021-02-30T00:00:00Z", "date that does not exist (Feb 30)"),
        ("2021-01-01T00:00:00+14:30", "offset beyond ±14:00"),
        ("2021-01-01T00:00:00-15:00", "offset beyond ±14:00"),
        ("0001-01-01T00:00:00+05:00", "UTC instant before year 1"),
        ("9999-12-31T23:59:59-01:00", "UTC instant after year 9999"),
        ("2021-01-01T10:00:00", "date-time without offset"),
        ("2021-01-01 10:00:00Z", "non-ISO date-time"),
        ("2021-01-01T10:00:00.12345678Z", "more than 7 fractional digits"),
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
    "Edm.Binary": [("not base64!", "non-base64url binary")],
}


def _bad_values(prop: Property, types: Types) -> list[tuple[Any, str]]:
    """Invalid values for one property: wrong JSON kinds, out-of-range numbers, bad members and dates."""
    many, inner = edm.split_collection(prop.type)
    bad: list[tuple[Any, str]] = []
    if prop.nullable is False:  # only where the docs say so: unknown nullability proves nothing
        bad.append((None, "null for a non-nullable property"))
    if many:
        witness = _witness(inner, types, prop.enum)
        bad.append((witness, "single value for a collection"))
        bad.append(({"value": []}, "object for a collection"))
        bad += [
            ([value], f"{reason} (in a collection)")
            for value, reason in _bad_items(prop, inner, types)
        ]
        return bad
    if _is_scalar(inner, types, prop.enum):
        bad.append(({}, "object for a scalar"))
    return bad + _bad_items(prop, inner, types)


def _bad_items(prop: Property, inner: str, types: Types) -> list[tuple[Any, str]]:
    typedef = types.get(inner)
    if prop.enum is not None or (typedef is not None and typedef.kind == "enum"):
        known = prop.enum if prop.enum is not None else (typedef.members or [])
        bad = [(UNKNOWN_MEMBER, "unknown enum member"), (True, "boolean for an enum")]
        if typedef is not None and typedef.flags and known:
            bad.append((f"{known[0]},{UNKNOWN_MEMBER}", "unknown flags enum member"))
        return bad
    if inner in edm.INT_RANGES:
        low, high = edm.INT_RANGES[inner]
        return [
            *_WRONG_KINDS["integer"],
            (high + 1, f"{inner} above its range"),
            (low - 1, f"{inner} below its range"),
        ]
    if inner in edm.FLOATS:
        return _WRONG_KINDS["float"]
    if inner == "Edm.Boolean":
        return _WRONG_KINDS["boolean"]
    if edm.is_primitive(inner):
        return _WRONG_KINDS["string"] + _BAD_STRINGS.get(inner, [])
    if typedef is not None and typedef.kind == "complex":
        return [(12, "number for an object"), ({UNKNOWN_PROPERTY: 1}, "unknown nested property")]
    return []


def _is_scalar(inner: str, types: Types, enum: list[str] | None) -> bool:
    typedef = types.get(inner)
    return (
        enum is not None
        or edm.is_primitive(inner)
        or (typedef is not None and typedef.kind == "enum")
    )


def _bad_bodies(contract: Contract, head: dict) -> list[InvalidPayload]:
    """Defects of the body as a whole: unknown property, wrong @odata.type, not an object, not JSON."""
    sample = _sample_body(contract)
    wrong_type = "#microsoft.graph.user" if contract.name != "user" else "#microsoft.graph.group"
    bodies = [
        _encode({**head, UNKNOWN_PROPERTY: "x"}, "unknown property", UNKNOWN_PROPERTY),
        _encode({**sample, "@odata.type": wrong_type}, "wrong @odata.type", "@odata.type"),
        _encode([sample], "array body"),
        _encode("text", "string body"),
        _encode(12, "number body"),
        _encode(None, "null body"),
        InvalidPayload(b"", "empty body"),
    ]
    return bodies + _malformed(sample)


def _malformed(body: dict) -> list[InvalidPayload]:
    """Syntactically broken JSON made from a valid body: truncated, trailing comma, single quotes."""
    text = json.dumps(body or {UNKNOWN_PROPERTY: 1}, ensure_ascii=False)
    return [
        InvalidPayload(text[:-1].encode(), "truncated JSON"),
        InvalidPayload((text[:-1] + ",}").encode(), "JSON with a trailing comma"),
        InvalidPayload(text.replace('"', "'").encode(), "JSON with single quotes"),
    ]


def _sample_body(contract: Contract) -> dict:
    """A small valid body from fixed witness values (deterministic, no Hypothesis draw)."""
    body = {"@odata.type": contract.odata_type} if sends_odata_type(contract) else {}
    for prop in generatable(contract):
        value = _witness(prop.type, contract.types, prop.enum)
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


def _witness(type_name: str, types: Types, enum: list[str] | None, depth: int = 0) -> Any:
    """One fixed valid value of a type, or None when there is none (used to build invalid bodies)."""
    many, inner = edm.split_collection(type_name)
    if many:
        return []
    typedef = types.get(inner)
    if enum is not None or (typedef is not None and typedef.kind == "enum"):
        members = enum if enum is not None else (typedef.members or [])
        return members[0] if members else None
    if edm.is_primitive(inner):
        return _WITNESSES.get(inner)
    if typedef is None or depth >= MAX_DEPTH:
        return None
    value = {}
    for prop in typedef.properties:
        if prop.nullable or not prop.updatable:
            continue
        item = _witness(prop.type, types, prop.enum, depth + 1)
        if item is None:
            return None
        value[prop.name] = item
    return value


# --- Schemathesis formats ----------------------------------------------------------------------

# OpenAPI `format` names Microsoft's own Graph OpenAPI conversion uses for Edm types.
GRAPH_FORMATS: dict[str, Callable[[], SearchStrategy[str]]] = {
    "date-time": datetimeoffsets,
    "date": dates,
    "time": times_of_day,
    "duration": durations,
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
