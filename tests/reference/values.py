"""Edm values: the reference server's own JSON reading, validation, canonical spellings and equality.

A wire value is parsed into a *semantic* value (ticks for DateTimeOffset/Duration/TimeOfDay, a
`uuid.UUID`, `bytes`, a float, a `decimal.Decimal`, a `Flags` tuple, a `ComplexValue`), stored as
such, and written back in one of two spellings:
- `CANONICAL`, what Graph's .NET stack writes: DateTimeOffset in UTC with `Z` and 7 fractional
  digits, Guid lower case, Duration as `XmlConvert.ToString(TimeSpan)` (`PT1.1S`, `P1DT2H`, `PT0S`),
  TimeOfDay `hh:mm:ss.fffffff` (as the Intune response examples show it), Binary as standard base64
  with padding, Double as the shortest repr, flags in declaration order;
- `OTHER`, equal values spelled differently (the `other-spelling` variant): `+00:00` and trimmed
  fractions, `PT60S` for `PT1M`, upper-case Guids, `1.5E1`, base64url, flags reversed, `hh:mm`.

Sources: OData JSON Format 4.01 §7.1 and the OData ABNF (value syntax), .NET `XsdDateTime` /
`XsdDuration` / `TimeSpan` / `decimal` limits (what Graph's stack accepts where the docs are silent),
../shared/GRAPH-FACTS.md. Written without graph_contracts on purpose: a mistake shared with the
suite's own Edm module must not pass both sides.
"""

from __future__ import annotations

import base64
import binascii
import decimal
import json
import math
import re
import struct
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from reference.schema import CollectionOf, Complex, EdmType, Enum, Opaque, Primitive

Style = Literal["canonical", "other"]
CANONICAL: Style = "canonical"
OTHER: Style = "other"

TICKS = 10**7  # 100 ns ticks per second, .NET's resolution
TICKS_PER_DAY = 86_400 * TICKS
MAX_TICKS = date(9999, 12, 31).toordinal() * TICKS_PER_DAY - 1  # DateTime.MaxValue
TIMESPAN_MIN, TIMESPAN_MAX = -(2**63), 2**63 - 1  # TimeSpan ticks
INT32_MAX = 2**31 - 1  # XsdDuration keeps each component in an int
MAX_OFFSET_MINUTES = 14 * 60  # .NET DateTimeOffset
DECIMAL_MAX = decimal.Decimal(2**96 - 1)  # System.Decimal: 96-bit mantissa
DECIMAL_SCALE = 28
INTEGER_RANGES = {
    "Edm.Byte": (0, 2**8 - 1),
    "Edm.SByte": (-(2**7), 2**7 - 1),
    "Edm.Int16": (-(2**15), 2**15 - 1),
    "Edm.Int32": (-(2**31), 2**31 - 1),
    "Edm.Int64": (-(2**63), 2**63 - 1),
}
SPECIALS = {"INF": math.inf, "-INF": -math.inf, "NaN": math.nan}
MAX_NESTING = 100  # ODataMessageQuotas.MaxNestingDepth, the .NET OData reader's default


# Graph's evolvable enumerations (microsoft/api-guidelines, graph/patterns/evolvable-enums.md): the
# members a service adds later are declared after this one, and hidden behind it in replies to a
# client that did not send `Prefer: include-unknown-enum-members`.
SENTINEL = "unknownFutureValue"


class Invalid(ValueError):
    """A value that is not valid for its type; the message starts with where it sits."""


# --- semantic values ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Flags:
    """A flags enum value: member names in declaration order."""

    names: tuple[str, ...]


@dataclass
class ComplexValue:
    """A complex value: its (possibly derived) type, members, what the client sent, its annotation."""

    type: Complex
    members: dict[str, Any]
    sent: tuple[str, ...] = ()
    annotation: str | None = None  # `@odata.type` exactly as the client wrote it


@dataclass(frozen=True)
class Raw:
    """JSON kept as sent: opaque types, and invalid values a defect lets through."""

    value: Any


class Number(str):
    """A JSON number token written as is (so `1.5E1` and `12.0` keep their spelling)."""


@dataclass
class Context:
    """What parsing a value needs beyond its type: derived complex types the resource knows."""

    complex_types: Mapping[str, Complex] = field(default_factory=dict)
    derives: Callable[[str, str], bool] = lambda name, base: False


# --- JSON text -----------------------------------------------------------------------------------


def read_json(raw: bytes) -> Any:
    """Strict JSON: UTF-8, no NaN/Infinity literals, no duplicate names, no lone surrogates, at
    most MAX_NESTING levels deep.

    Numbers with a fraction or exponent become `decimal.Decimal` so Decimal properties keep every
    digit. Raises Invalid with the reason.
    """
    try:
        value = json.loads(
            raw.decode("utf-8"),
            parse_float=decimal.Decimal,
            parse_constant=_no_constant,
            object_pairs_hook=_unique_names,
        )
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise Invalid(f"body: not valid JSON ({exc})") from None
    if _depth(value) > MAX_NESTING:
        raise Invalid(f"body: nested deeper than {MAX_NESTING} levels")
    surrogate = _lone_surrogate(value, "body")
    if surrogate:
        raise Invalid(f"{surrogate}: a lone UTF-16 surrogate is not a Unicode character")
    return value


def _depth(value: Any) -> int:
    """How deeply arrays and objects nest (iteratively: the body is not trusted yet)."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, level + 1)
            if deepest > MAX_NESTING:
                break
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _unique_names(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, value in pairs:
        if name in found:
            raise ValueError(f"duplicate property {name!r}")
        found[name] = value
    return found


def _lone_surrogate(value: Any, where: str) -> str | None:
    """Where a string or a name holds an unpaired surrogate (`"\\ud800"`), or None."""
    if isinstance(value, str):
        return where if not _encodable(value) else None
    if isinstance(value, list):
        return next(
            (w for i, v in enumerate(value) if (w := _lone_surrogate(v, f"{where}[{i}]"))), None
        )
    if isinstance(value, dict):
        for name, item in value.items():
            if not _encodable(name):
                return f"{where} (a property name)"
            found = _lone_surrogate(item, f"{where}.{name}")
            if found:
                return found
    return None


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def write_json(value: Any) -> str:
    """JSON text of a rendered value; `Number` tokens are written verbatim."""
    if isinstance(value, Number):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else json.dumps(_special(value))
    if isinstance(value, decimal.Decimal):
        return str(value) if value.is_finite() else json.dumps(str(value))
    if isinstance(value, dict):
        return "{" + ",".join(f"{write_json(k)}:{write_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(write_json(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


# --- parsing -------------------------------------------------------------------------------------


def parse(value: Any, edm_type: EdmType, nullable: bool, where: str, context: Context) -> Any:
    """The semantic value of a wire value, or Invalid naming `where` and the reason."""
    if value is None:
        if nullable:
            return None
        raise Invalid(f"{where}: null is not allowed")
    if isinstance(edm_type, Primitive):
        return _PARSERS[edm_type.name](value, where)
    if isinstance(edm_type, Enum):
        return _parse_enum(value, edm_type, where)
    if isinstance(edm_type, CollectionOf):
        if not isinstance(value, list):
            raise Invalid(f"{where}: expected an array, got {_kind(value)}")
        return [
            parse(v, edm_type.item, False, f"{where}[{i}]", context) for i, v in enumerate(value)
        ]
    if isinstance(edm_type, Complex):
        return _parse_complex(value, edm_type, where, context)
    return Raw(value)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"boolean {value}"
    if isinstance(value, (int, decimal.Decimal, float)):
        return f"number {value}"
    if isinstance(value, str):
        return f"string {value!r}"
    return {list: "an array", dict: "an object"}.get(type(value), type(value).__name__)


def _integer(name: str) -> Callable[[Any, str], int]:
    low, high = INTEGER_RANGES[name]

    def parse_integer(value: Any, where: str) -> int:
        if type(value) is not int:
            raise Invalid(f"{where}: expected {name} as a JSON integer, got {_kind(value)}")
        if not low <= value <= high:
            raise Invalid(f"{where}: {value} is outside the {name} range")
        return value

    return parse_integer


def _double(value: Any, where: str) -> float:
    if isinstance(value, str) and value in SPECIALS:
        return SPECIALS[value]
    if type(value) not in (int, decimal.Decimal):
        raise Invalid(f"{where}: expected a JSON number (or INF, -INF, NaN), got {_kind(value)}")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise Invalid(f"{where}: {value} is outside the Edm.Double range")
    return number


def _single(value: Any, where: str) -> float:
    number = _double(value, where)
    try:
        return float32(number)
    except OverflowError:
        raise Invalid(f"{where}: {value} is outside the Edm.Single range") from None


def float32(number: float) -> float:
    """The nearest float32 (what .NET's `(float)` conversion keeps); OverflowError past its range."""
    return struct.unpack("<f", struct.pack("<f", number))[0]


def _decimal(value: Any, where: str) -> decimal.Decimal:
    """System.Decimal: 96-bit mantissa, at most 28 fractional digits (rounded half to even)."""
    if type(value) not in (int, decimal.Decimal):
        raise Invalid(f"{where}: expected Edm.Decimal as a JSON number, got {_kind(value)}")
    number = decimal.Decimal(value)
    if abs(number) > DECIMAL_MAX:
        raise Invalid(f"{where}: {value} is outside the Edm.Decimal range")
    context = decimal.Context(prec=60, rounding=decimal.ROUND_HALF_EVEN)
    if number.as_tuple().exponent < -DECIMAL_SCALE:  # type: ignore[operator]
        number = number.quantize(decimal.Decimal(1).scaleb(-DECIMAL_SCALE), context=context)
    if number.as_tuple().exponent > 0:  # type: ignore[operator]
        number = number.quantize(decimal.Decimal(1), context=context)
    return number


def _boolean(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise Invalid(f"{where}: expected a JSON boolean, got {_kind(value)}")
    return value


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise Invalid(f"{where}: expected a JSON string, got {_kind(value)}")
    return value


def _text(name: str, value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise Invalid(f"{where}: expected {name} as a JSON string, got {_kind(value)}")
    return value


_HEX = "[0-9A-Fa-f]"
_GUID_D = f"{_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}"
# `new Guid(string)` reads the D, N, B and P formats; the ABNF's is D.
_GUID = re.compile(rf"{_GUID_D}|{_HEX}{{32}}|\{{{_GUID_D}\}}|\({_GUID_D}\)")


def _guid(value: Any, where: str) -> uuid.UUID:
    text = _text("Edm.Guid", value, where)
    if not _GUID.fullmatch(text):
        raise Invalid(f"{where}: not an Edm.Guid: {text!r}")
    return uuid.UUID(re.sub("[^0-9A-Fa-f]", "", text))


_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def _date(value: Any, where: str) -> date:
    text = _text("Edm.Date", value, where)
    match = _DATE.fullmatch(text)
    try:
        return date(*map(int, match.groups())) if match else _fail()
    except ValueError:
        raise Invalid(f"{where}: not an Edm.Date: {text!r}") from None


def _fail() -> Any:
    raise ValueError


_TIME = re.compile(r"(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,12}))?)?")


def _time_of_day(value: Any, where: str) -> int:
    """Ticks since midnight; fractions beyond 100 ns are cut, as .NET keeps ticks."""
    text = _text("Edm.TimeOfDay", value, where)
    match = _TIME.fullmatch(text)
    if not match:
        raise Invalid(f"{where}: not an Edm.TimeOfDay: {text!r}")
    hours, minutes, seconds = (int(g or 0) for g in match.groups()[:3])
    if hours > 23 or minutes > 59 or seconds > 59:
        raise Invalid(f"{where}: time of day out of range: {text!r}")
    fraction = int((match.group(4) or "")[:7].ljust(7, "0"))
    return ((hours * 60 + minutes) * 60 + seconds) * TICKS + fraction


_DURATION = re.compile(r"(-)?P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.(\d+))?S)?)?")


def _duration(value: Any, where: str) -> int:
    """Signed ticks, as `XmlConvert.ToTimeSpan` reads an xs:dayTimeDuration (fraction cut at 100 ns)."""
    text = _text("Edm.Duration", value, where)
    match = _DURATION.fullmatch(text)
    if not match or text.endswith(("P", "T")):
        raise Invalid(f"{where}: not an Edm.Duration: {text!r}")
    sign, *parts, fraction = match.groups()
    days, hours, minutes, seconds = (int(p or 0) for p in parts)
    if max(days, hours, minutes, seconds) > INT32_MAX:
        raise Invalid(f"{where}: duration component too large: {text!r}")
    ticks = (((days * 24 + hours) * 60 + minutes) * 60 + seconds) * TICKS
    ticks += int((fraction or "")[:7].ljust(7, "0"))
    ticks = -ticks if sign else ticks
    if not TIMESPAN_MIN <= ticks <= TIMESPAN_MAX:
        raise Invalid(f"{where}: duration outside the TimeSpan range: {text!r}")
    return ticks


_DTO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,12}))?)?(Z|([+-])(\d{2}):(\d{2}))"
)


def _datetimeoffset(value: Any, where: str) -> int:
    """The UTC instant in ticks since 0001-01-01 (OData ABNF, 1-12 fractional digits).

    Digits past the seventh are rounded half to even into 100 ns ticks, as .NET's XsdDateTime does;
    offsets beyond ±14:00 and UTC instants outside years 1-9999 are refused, as DateTimeOffset does.
    """
    text = _text("Edm.DateTimeOffset", value, where)
    match = _DTO.fullmatch(text)
    if not match:
        raise Invalid(f"{where}: not an Edm.DateTimeOffset: {text!r}")
    year, month, day, hour, minute, second, fraction, _, sign, off_h, off_m = match.groups()
    try:
        day_number = date(int(year), int(month), int(day)).toordinal() - 1
    except ValueError:
        raise Invalid(f"{where}: no such date: {text!r}") from None
    hour_, minute_, second_ = int(hour), int(minute), int(second or 0)
    if hour_ > 23 or minute_ > 59 or second_ > 59:
        raise Invalid(f"{where}: time out of range: {text!r}")
    offset = 0
    if sign:
        if int(off_h) > 23 or int(off_m) > 59:
            raise Invalid(f"{where}: malformed offset: {text!r}")
        offset = (int(off_h) * 60 + int(off_m)) * (-1 if sign == "-" else 1)
    if abs(offset) > MAX_OFFSET_MINUTES:
        raise Invalid(f"{where}: offset beyond ±14:00: {text!r}")
    local = (day_number * 86_400 + hour_ * 3600 + minute_ * 60 + second_) * TICKS
    ticks = local + _round_fraction(fraction or "") - offset * 60 * TICKS
    if not 0 <= ticks <= MAX_TICKS:
        raise Invalid(f"{where}: UTC instant outside years 1-9999: {text!r}")
    return ticks


def _round_fraction(digits: str) -> int:
    """Fractional seconds as ticks, rounding half to even past the seventh digit (XsdDateTime)."""
    ticks = int(digits[:7].ljust(7, "0"))
    rest = digits[7:]
    if not rest:
        return ticks
    head, tail = int(rest[0]), rest[1:].strip("0")
    if head > 5 or (head == 5 and tail) or (head == 5 and ticks % 2):
        ticks += 1
    return ticks


_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*={0,2}")


def _binary(value: Any, where: str) -> bytes:
    """base64 (what .NET writes) or base64url (what OData JSON names), padded or not."""
    text = _text("Edm.Binary", value, where)
    body = text.rstrip("=")
    padded = len(text) != len(body)
    if (
        not (_BASE64.fullmatch(text) or _BASE64URL.fullmatch(text))
        or (padded and len(text) % 4)
        or len(body) % 4 == 1
    ):
        raise Invalid(f"{where}: not base64 or base64url: {text!r}")
    standard = body.replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(standard + "=" * (-len(standard) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise Invalid(f"{where}: not base64 or base64url: {text!r}") from None


_PARSERS: dict[str, Callable[[Any, str], Any]] = {
    **{name: _integer(name) for name in INTEGER_RANGES},
    "Edm.Double": _double,
    "Edm.Single": _single,
    "Edm.Decimal": _decimal,
    "Edm.Boolean": _boolean,
    "Edm.String": _string,
    "Edm.Guid": _guid,
    "Edm.Date": _date,
    "Edm.TimeOfDay": _time_of_day,
    "Edm.Duration": _duration,
    "Edm.DateTimeOffset": _datetimeoffset,
    "Edm.Binary": _binary,
}


def _parse_enum(value: Any, edm_type: Enum, where: str) -> str | Flags:
    if not isinstance(value, str):
        raise Invalid(f"{where}: expected a {edm_type.name} member name, got {_kind(value)}")
    if not edm_type.flags:
        if value not in edm_type.members:
            raise Invalid(f"{where}: {value!r} is not a member of {edm_type.name}")
        return value
    names = {part.strip() for part in value.split(",")}
    unknown = sorted(names - set(edm_type.members))
    if unknown:
        raise Invalid(f"{where}: {', '.join(map(repr, unknown))} not in flags {edm_type.name}")
    return Flags(tuple(m for m in edm_type.members if m in names))


def _parse_complex(value: Any, declared: Complex, where: str, context: Context) -> ComplexValue:
    if not isinstance(value, dict):
        raise Invalid(f"{where}: expected a {declared.name} object, got {_kind(value)}")
    actual, annotation = declared, value.get("@odata.type")
    if annotation is not None:
        named = annotation.removeprefix("#") if isinstance(annotation, str) else None
        derived = context.complex_types.get(named or "")
        if named != declared.name and not (derived and context.derives(named, declared.name)):
            raise Invalid(f"{where}.@odata.type: {annotation!r} is not {declared.name}")
        actual = derived or declared
    members: dict[str, Any] = {}
    for name, item in value.items():
        if "@" in name:
            continue  # instance and property annotations are not values
        member = actual.fields.get(name)
        if member is None:
            raise Invalid(f"{where}.{name}: not a member of {actual.name}")
        if member.updatable:
            members[name] = parse(item, member.type, member.nullable, f"{where}.{name}", context)
    return ComplexValue(actual, members, tuple(members), annotation)


# --- filling: what a service writes for members the client did not send -------------------------


def zero(edm_type: EdmType, nullable: bool, depth: int = 0) -> Any:
    """The value of an unset member: null where nullable, else the type's zero (.NET default)."""
    if nullable:
        return None
    if isinstance(edm_type, CollectionOf):
        return []
    if isinstance(edm_type, Enum):
        return Flags(edm_type.members[:1]) if edm_type.flags else edm_type.members[0]
    if isinstance(edm_type, Complex):
        return fill(ComplexValue(edm_type, {}), depth + 1) if depth < 3 else None
    if isinstance(edm_type, Opaque):
        return None
    return _ZEROS[edm_type.name]


_ZEROS: dict[str, Any] = {
    **dict.fromkeys(INTEGER_RANGES, 0),
    **dict.fromkeys(("Edm.Double", "Edm.Single"), 0.0),
    "Edm.Decimal": decimal.Decimal(0),
    "Edm.Boolean": False,
    "Edm.String": "",
    "Edm.Guid": uuid.UUID(int=0),
    "Edm.Date": date(1, 1, 1),
    "Edm.TimeOfDay": 0,
    "Edm.Duration": 0,
    "Edm.DateTimeOffset": 0,  # 0001-01-01T00:00:00Z, as Graph shows unset dates
    "Edm.Binary": b"",
}


def fill(value: ComplexValue, depth: int = 0) -> ComplexValue:
    """All members of the value's type in declaration order; unsent ones get `zero` values."""
    members = {
        name: value.members[name] if name in value.members else zero(f.type, f.nullable, depth)
        for name, f in value.type.fields.items()
        if f.updatable or name in value.members
    }
    return ComplexValue(value.type, members, value.sent, value.annotation)


def fill_all(value: Any, edm_type: EdmType) -> Any:
    """`fill` every complex value inside a parsed value (members the client did not send)."""
    if isinstance(value, ComplexValue):
        filled = fill(value)
        for name, member in value.type.fields.items():
            if name in value.members:
                filled.members[name] = fill_all(value.members[name], member.type)
        return filled
    if isinstance(value, list) and isinstance(edm_type, CollectionOf):
        return [fill_all(item, edm_type.item) for item in value]
    return value


# --- writing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spelling:
    """How values are written: `style`, which `@odata.type` annotations complex values carry, and
    whether enum members declared after `unknownFutureValue` are shown as it."""

    style: Style = CANONICAL
    echo_annotations: bool = False  # echo the `@odata.type` a client sent inside a complex value
    annotate_derived: bool = True  # minimal metadata: name a complex value's type when derived
    hide_later: bool = False  # the request did not opt in to the members after the sentinel


def render(value: Any, edm_type: EdmType, spelling: Spelling = Spelling()) -> Any:
    """The JSON-ready wire form of a semantic value (see `write_json`)."""
    if value is None:
        return None
    if isinstance(value, Raw):
        return value.value
    if isinstance(edm_type, Primitive):
        return _WRITERS[edm_type.name][spelling.style == OTHER](value)
    if isinstance(edm_type, Enum):
        if spelling.hide_later:
            value = hidden(value, edm_type)
        if isinstance(value, Flags):
            names = value.names[::-1] if spelling.style == OTHER else value.names
            return ",".join(names)
        return value
    if isinstance(edm_type, CollectionOf):
        return [render(item, edm_type.item, spelling) for item in value]
    if isinstance(edm_type, Complex) and isinstance(value, ComplexValue):
        return _render_complex(value, edm_type, spelling)
    return value


def later_members(edm_type: Enum) -> tuple[str, ...]:
    """The members declared after the sentinel (a prose list says nothing of declaration order)."""
    if not edm_type.declared or SENTINEL not in edm_type.members:
        return ()
    return edm_type.members[edm_type.members.index(SENTINEL) + 1 :]


def hidden(value: Any, edm_type: Enum) -> Any:
    """An enum value as a client that did not opt in sees it: a later member is the sentinel,
    and any number of later flags are one sentinel flag."""
    later = later_members(edm_type)
    if isinstance(value, Flags):
        if not set(value.names) & set(later):
            return value
        kept = {n for n in value.names if n not in later} | {SENTINEL}
        return Flags(tuple(m for m in edm_type.members if m in kept))
    return SENTINEL if value in later else value


def enum_values(value: Any, edm_type: EdmType) -> list[tuple[Any, Enum]]:
    """Every enum value inside a semantic value, with its enum type."""
    if isinstance(edm_type, Enum) and isinstance(value, (str, Flags)):
        return [(value, edm_type)]
    if isinstance(edm_type, CollectionOf) and isinstance(value, list):
        return [found for item in value for found in enum_values(item, edm_type.item)]
    if isinstance(value, ComplexValue):
        return [
            found
            for name, member in value.members.items()
            if (member_field := value.type.fields.get(name)) is not None
            for found in enum_values(member, member_field.type)
        ]
    return []


def names_later(value: Any, edm_type: EdmType) -> bool:
    """Whether a value holds an enum member declared after the sentinel."""
    return any(hidden(v, t) != v for v, t in enum_values(value, edm_type))


def names_sentinel(value: Any, edm_type: EdmType) -> bool:
    """Whether a value holds the sentinel itself (alone, or as one of its flags)."""
    return any(
        SENTINEL in (v.names if isinstance(v, Flags) else (v,))
        for v, _ in enum_values(value, edm_type)
    )


def _render_complex(value: ComplexValue, declared: Complex, spelling: Spelling) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if spelling.echo_annotations and value.annotation is not None:
        out["@odata.type"] = value.annotation
    elif spelling.annotate_derived and value.type is not declared:
        out["@odata.type"] = f"#{value.type.name}"
    for name, member in value.members.items():
        member_field = value.type.fields.get(name)
        out[name] = render(member, member_field.type, spelling) if member_field else member
    return out


def _shortest(number: float, single: bool) -> str:
    """The shortest digits that read back as the same Double (or Single)."""
    if not single:
        return repr(number)
    for precision in range(1, 10):
        text = f"{number:.{precision}g}"
        if float32(float(text)) == number:
            return text if any(c in text for c in ".en") else text + ".0"
    return repr(number)


def _special(number: float) -> str:
    return "NaN" if math.isnan(number) else ("INF" if number > 0 else "-INF")


def _float_writer(single: bool, other: bool) -> Callable[[float], Any]:
    def write(number: float) -> Any:
        if not math.isfinite(number):
            return _special(number)
        text = _shortest(number, single)
        return Number(_scientific(decimal.Decimal(text)) if other else text)

    return write


def _scientific(number: decimal.Decimal) -> str:
    """`1.5E1` for 15: one digit before the point, no `+` in the exponent."""
    sign, digits, exponent = number.normalize().as_tuple()
    if not any(digits):
        return ("-" if sign else "") + "0E0"
    text = "".join(map(str, digits))
    mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
    return f"{'-' if sign else ''}{mantissa}E{exponent + len(text) - 1}"  # type: ignore[operator]


def _decimal_writer(other: bool) -> Callable[[decimal.Decimal], Number]:
    return lambda number: Number(_scientific(number) if other else format(number, "f"))


def _clock(ticks: int) -> tuple[int, int, int, int]:
    seconds, fraction = divmod(ticks, TICKS)
    return seconds // 3600, seconds // 60 % 60, seconds % 60, fraction


def _time_canonical(ticks: int) -> str:
    hours, minutes, seconds, fraction = _clock(ticks)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{fraction:07d}"


def _time_other(ticks: int) -> str:
    hours, minutes, seconds, fraction = _clock(ticks)
    if not (seconds or fraction):
        return f"{hours:02d}:{minutes:02d}"
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}" + _trimmed(fraction)


def _trimmed(fraction: int) -> str:
    return "." + f"{fraction:07d}".rstrip("0") if fraction else ""


def xml_duration(ticks: int) -> str:
    """`XmlConvert.ToString(TimeSpan)`: days, hours, minutes, seconds; zero parts left out."""
    sign, ticks = ("-", -ticks) if ticks < 0 else ("", ticks)
    days, rest = divmod(ticks, TICKS_PER_DAY)
    hours, minutes, seconds, fraction = _clock(rest)
    text = f"{sign}P" + (f"{days}D" if days else "")
    if rest:
        text += "T" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
        if seconds or fraction:
            text += f"{seconds}{_trimmed(fraction)}S"
    return text if text.rstrip("-") != "P" else "PT0S"


def _duration_other(ticks: int) -> str:
    """Everything in seconds: `PT60S` for one minute, `PT93600S` for `P1DT2H`."""
    sign, ticks = ("-", -ticks) if ticks < 0 else ("", ticks)
    seconds, fraction = divmod(ticks, TICKS)
    return f"{sign}PT{seconds}{_trimmed(fraction)}S"


def _instant(ticks: int, other: bool) -> str:
    days, rest = divmod(ticks, TICKS_PER_DAY)
    hours, minutes, seconds, fraction = _clock(rest)
    head = f"{date.fromordinal(days + 1).isoformat()}T{hours:02d}:{minutes:02d}:{seconds:02d}"
    if other:
        return head + _trimmed(fraction) + "+00:00"
    return f"{head}.{fraction:07d}Z"


_WRITERS: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    **{name: (int, int) for name in INTEGER_RANGES},
    "Edm.Double": (_float_writer(False, False), _float_writer(False, True)),
    "Edm.Single": (_float_writer(True, False), _float_writer(True, True)),
    "Edm.Decimal": (_decimal_writer(False), _decimal_writer(True)),
    "Edm.Boolean": (bool, bool),
    "Edm.String": (str, str),
    "Edm.Guid": (str, lambda guid: str(guid).upper()),
    "Edm.Date": (date.isoformat, date.isoformat),
    "Edm.TimeOfDay": (_time_canonical, _time_other),
    "Edm.Duration": (xml_duration, _duration_other),
    "Edm.DateTimeOffset": (lambda t: _instant(t, False), lambda t: _instant(t, True)),
    "Edm.Binary": (
        lambda raw: base64.b64encode(raw).decode("ascii"),
        lambda raw: base64.urlsafe_b64encode(raw).decode("ascii").rstrip("="),
    ),
}


# --- equality ------------------------------------------------------------------------------------


def same(a: Any, b: Any) -> bool:
    """Semantic equality of two parsed values (NaN equals NaN; annotations do not count)."""
    if isinstance(a, ComplexValue) and isinstance(b, ComplexValue):
        return a.members.keys() == b.members.keys() and all(
            same(a.members[k], b.members[k]) for k in a.members
        )
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


def copy_value(value: Any) -> Any:
    """An independent copy of a stored value (complex values and lists are mutable; types are not
    copied, so a derived type stays recognisable by identity)."""
    if isinstance(value, ComplexValue):
        members = {k: copy_value(v) for k, v in value.members.items()}
        return ComplexValue(value.type, members, value.sent, value.annotation)
    if isinstance(value, list):
        return [copy_value(item) for item in value]
    return value


__all__ = [
    "CANONICAL",
    "OTHER",
    "ComplexValue",
    "Context",
    "Flags",
    "Invalid",
    "Number",
    "Raw",
    "Spelling",
    "fill",
    "fill_all",
    "parse",
    "read_json",
    "render",
    "same",
    "write_json",
    "xml_duration",
    "zero",
]
