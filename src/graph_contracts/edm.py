"""Edm value semantics on the wire (OData JSON 4.01 §7.1), shared by lint, mock, strategies and checks.

One definition of "is this a valid Int32 / DateTimeOffset / enum value" and of "are these two values
the same" keeps the mock and the checks honest with each other: the mock cannot accept what the
checks call invalid, and round-trip equality means the same thing everywhere.

DateTimeOffset is handled as 100 ns ticks because .NET (and so Graph) stores 7 fractional digits and
Python's `datetime` stops at microseconds.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
import struct
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from graph_contracts.contracts import TypeDef

INT_RANGES = {
    "Edm.Byte": (0, 255),
    "Edm.SByte": (-128, 127),
    "Edm.Int16": (-(2**15), 2**15 - 1),
    "Edm.Int32": (-(2**31), 2**31 - 1),
    "Edm.Int64": (-(2**63), 2**63 - 1),
}
FLOATS = {"Edm.Single", "Edm.Double", "Edm.Decimal"}
FLOAT_SPECIALS = {"INF", "-INF", "NaN"}
# Types whose values are any JSON (workbook ranges send arrays of arrays as `Json`).
ANY_JSON = {"Edm.Untyped", "microsoft.graph.Json"}
FLOAT32_MAX = struct.unpack("f", b"\xff\xff\x7f\x7f")[0]
MAX_OFFSET_MINUTES = 14 * 60
TICKS_PER_SECOND = 10**7
MAX_TICKS = (date(9999, 12, 31).toordinal() * 86400) * TICKS_PER_SECOND - 1

_DTO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?(Z|[+-]\d{2}:\d{2})$"
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,7})?)?$")
_DURATION = re.compile(r"^-?P(?=\d|T\d)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]*={0,2}$")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")

Types = Mapping[str, TypeDef]


def split_collection(type_name: str) -> tuple[bool, str]:
    """`Collection(Edm.String)` -> (True, `Edm.String`)."""
    if type_name.startswith("Collection(") and type_name.endswith(")"):
        return True, type_name[len("Collection(") : -1]
    return False, type_name


def is_primitive(type_name: str) -> bool:
    return type_name.startswith("Edm.")


# --- DateTimeOffset -------------------------------------------------------------------------


def parse_datetimeoffset(text: str) -> int:
    """Return the UTC instant as 100 ns ticks since 0001-01-01; ValueError names what is wrong."""
    match = _DTO.match(text) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"not an OData DateTimeOffset: {text!r}")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        local = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0))
    except ValueError as exc:
        raise ValueError(f"invalid date or time in {text!r}: {exc}") from None
    offset = 0 if zone == "Z" else _offset_minutes(zone)
    if abs(offset) > MAX_OFFSET_MINUTES:
        raise ValueError(f"offset {zone} beyond ±14:00 in {text!r}")
    seconds = (local.toordinal() - 1) * 86400 + local.hour * 3600 + local.minute * 60 + local.second
    ticks = (seconds - offset * 60) * TICKS_PER_SECOND + int((fraction or "").ljust(7, "0"))
    if not 0 <= ticks <= MAX_TICKS:
        raise ValueError(f"UTC instant of {text!r} lies outside years 1-9999")
    return ticks


def _offset_minutes(zone: str) -> int:
    sign = -1 if zone[0] == "-" else 1
    hours, minutes = int(zone[1:3]), int(zone[4:6])
    if minutes > 59:
        raise ValueError(f"invalid offset {zone}")
    return sign * (hours * 60 + minutes)


def format_datetimeoffset(ticks: int) -> str:
    """UTC with `Z` and up to 7 fractional digits, trailing zeros dropped, as Graph replies."""
    seconds, fraction = divmod(ticks, TICKS_PER_SECOND)
    days, rest = divmod(seconds, 86400)
    day = date.fromordinal(days + 1)
    text = f"{day.isoformat()}T{rest // 3600:02d}:{rest // 60 % 60:02d}:{rest % 60:02d}"
    if fraction:
        text += "." + f"{fraction:07d}".rstrip("0")
    return text + "Z"


# --- validation -----------------------------------------------------------------------------


def validate(
    value: Any,
    type_name: str,
    types: Types,
    *,
    enum: list[str] | None = None,
    nullable: bool | None = True,
    where: str = "value",
) -> list[str]:
    """Return why `value` is not a valid wire value of `type_name` (empty list when it is).

    `nullable=None` (the docs do not say) accepts null: only a documented "not nullable" rejects it.
    """
    if value is None:
        return [] if nullable is not False else [f"{where}: null is not allowed"]
    many, inner = split_collection(type_name)
    if inner in ANY_JSON and not many:
        return []
    if many:
        if not isinstance(value, list):
            return [f"{where}: expected an array of {inner}, got {_kind(value)}"]
        errors: list[str] = []
        for i, item in enumerate(value):
            errors += validate(item, inner, types, enum=enum, nullable=False, where=f"{where}[{i}]")
        return errors
    if is_primitive(inner):
        problem = _primitive_problem(value, inner)
        return [f"{where}: {problem}"] if problem else []
    typedef = types.get(inner)
    if enum is not None or (typedef is not None and typedef.kind == "enum"):
        members = enum if enum is not None else (typedef.members or [])
        flags = bool(typedef and typedef.flags)
        return _enum_problems(value, inner, members, flags, where)
    if typedef is not None:
        return _complex_problems(value, typedef, types, where)
    # A type the docs never resolved: only its JSON kind can be judged.
    return (
        [] if isinstance(value, (dict, str)) else [f"{where}: expected {inner}, got {_kind(value)}"]
    )


def _primitive_problem(value: Any, type_name: str) -> str | None:
    if type_name in INT_RANGES:
        if isinstance(value, bool) or not isinstance(value, int):
            return f"expected {type_name} as a JSON integer, got {_kind(value)} {value!r}"
        low, high = INT_RANGES[type_name]
        return None if low <= value <= high else f"{value} is outside the {type_name} range"
    if type_name in FLOATS:
        if isinstance(value, str) and value in FLOAT_SPECIALS:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"expected {type_name} as a JSON number, got {_kind(value)} {value!r}"
        return _float_range_problem(value, type_name)
    if type_name == "Edm.Boolean":
        return None if isinstance(value, bool) else f"expected a boolean, got {_kind(value)}"
    if not isinstance(value, str):
        return f"expected {type_name} as a JSON string, got {_kind(value)} {value!r}"
    checker = _STRING_CHECKS.get(type_name)
    return checker(value) if checker else None


def _float_range_problem(value: int | float, type_name: str) -> str | None:
    """Huge JSON integers must not crash float(); Single must fit a float32 (or canonical overflows)."""
    if type_name == "Edm.Decimal" and isinstance(value, int):
        return None
    try:
        number = float(value)
    except OverflowError:
        return f"{value} is outside the {type_name} range"
    if not math.isfinite(number):
        return f"non-finite {type_name} must be a string"
    if type_name == "Edm.Single" and abs(number) > FLOAT32_MAX:
        return f"{value} is outside the {type_name} range"
    return None


def _check_dto(value: str) -> str | None:
    try:
        parse_datetimeoffset(value)
    except ValueError as exc:
        return str(exc)
    return None


def _check_date(value: str) -> str | None:
    if not _DATE.match(value):
        return f"not an Edm.Date: {value!r}"
    try:
        date.fromisoformat(value)
    except ValueError as exc:
        return f"invalid Edm.Date {value!r}: {exc}"
    return None


def _check_binary(value: str) -> str | None:
    # b64decode silently drops characters outside the alphabet: check the alphabet first.
    if not _BASE64URL.match(value):
        return f"not base64url: {value!r}"
    try:
        base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return f"not base64url: {value!r}"
    return None


def _regex_check(pattern: re.Pattern[str], label: str):
    return lambda value: None if pattern.match(value) else f"not an {label}: {value!r}"


_STRING_CHECKS = {
    "Edm.DateTimeOffset": _check_dto,
    "Edm.Date": _check_date,
    "Edm.TimeOfDay": _regex_check(_TIME, "Edm.TimeOfDay"),
    "Edm.Duration": _regex_check(_DURATION, "Edm.Duration"),
    "Edm.Guid": _regex_check(_GUID, "Edm.Guid"),
    "Edm.Binary": _check_binary,
}


def _enum_problems(value: Any, name: str, members: list[str], flags: bool, where: str) -> list[str]:
    if not isinstance(value, str):
        return [f"{where}: expected a {name} member name, got {_kind(value)} {value!r}"]
    names = [part.strip() for part in value.split(",")] if flags else [value]
    unknown = [n for n in names if n not in members]
    if unknown:
        return [f"{where}: {', '.join(map(repr, unknown))} is not a member of {name}"]
    return []


def _complex_problems(value: Any, typedef: TypeDef, types: Types, where: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{where}: expected a {typedef.name} object, got {_kind(value)}"]
    # A value may be of a derived type (`@odata.type`): judge it by that type when it is known;
    # when it is not, properties the base type lacks cannot be judged.
    cast = str(value.get("@odata.type") or "").lstrip("#")
    derived = types.get(cast) if cast and cast != typedef.name else None
    if derived is not None and derived.kind == "complex":
        typedef = derived
    open_cast = bool(cast and cast != typedef.name)
    known = {p.name: p for p in typedef.properties}
    errors: list[str] = []
    for key, item in value.items():
        if key.startswith("@odata.") or "@" in key:
            continue
        prop = known.get(key)
        if prop is None:
            if not open_cast:
                errors.append(f"{where}.{key}: not a property of {typedef.name}")
            continue
        errors += validate(
            item, prop.type, types, enum=prop.enum, nullable=prop.nullable, where=f"{where}.{key}"
        )
    return errors


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


# --- canonical form and equality ------------------------------------------------------------


def canonical(value: Any, type_name: str, types: Types) -> Any:
    """The value as Graph stores and returns it: DateTimeOffset in UTC with `Z`, Single as float32.

    Invalid values are returned unchanged; call `validate` first where that matters.
    """
    if value is None:
        return None
    many, inner = split_collection(type_name)
    if many and isinstance(value, list):
        return [canonical(item, inner, types) for item in value]
    if inner == "Edm.DateTimeOffset" and isinstance(value, str):
        try:
            return format_datetimeoffset(parse_datetimeoffset(value))
        except ValueError:
            return value
    if inner == "Edm.Single" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return value if _float_range_problem(value, inner) else _float32(value)
    typedef = types.get(inner)
    if typedef is not None and typedef.kind == "enum" and typedef.flags and isinstance(value, str):
        # Flags are a set: `b,a` and `a,b` are the same value; Graph replies in declaration order.
        names = {part.strip() for part in value.split(",")}
        order = typedef.members or []
        return ",".join(
            sorted(names, key=lambda n: (order.index(n) if n in order else len(order), n))
        )
    if typedef is not None and typedef.kind == "complex" and isinstance(value, dict):
        props = {p.name: p for p in typedef.properties}
        return {
            k: canonical(v, props[k].type, types) if k in props else v for k, v in value.items()
        }
    return value


def _float32(value: int | float) -> float:
    return struct.unpack("f", struct.pack("f", value))[0]


def equal(a: Any, b: Any, type_name: str, types: Types) -> bool:
    """Semantic equality per Edm type: instants for DateTimeOffset, float32 for Single."""
    return canonical(a, type_name, types) == canonical(b, type_name, types)
