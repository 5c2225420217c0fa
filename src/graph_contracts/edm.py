"""Edm value semantics on the wire (OData JSON 4.01 §7.1), shared by lint, mock, strategies and checks.

Three things are defined once here, so that every stage means the same by them:

- **Type kinds.** `resolve(type_name, types, enum)` says what a CSDL type is (primitive, enum,
  complex, collection, any JSON, unresolved); every consumer dispatches on `EdmType.kind`, through a
  table where that is natural, instead of its own `if enum ... elif complex ...` chain.
- **Typed problems.** `value_problems` returns `Problem`s whose `ProblemKind` carries whether a
  conforming service's *rejection* of such a value is documented, and the source that says so.
  Only documented rejections may be expected of a service; the rest (`{}`, null where the docs are
  silent, `"12"` for an Int64) are neither sent as valid writes nor expected to be refused.
  `PROBLEM_KINDS_MARKDOWN` is that table as the README prints it.
- **Semantic equality.** `equal` per Edm type (instants, ticks, decoded bytes, numbers, sets of
  flags) and `compare` for complex values and collections (members sent only; what the service
  adds is reported, not failed). Validation accepts every spelling equality accepts.

Time values are handled as 100 ns ticks because .NET (and so Graph) stores 7 fractional digits and
Python's `datetime` stops at microseconds; the OData ABNF allows up to 12 fractional digits, which
a service truncates or rounds to ticks, so two instants closer than one tick are equal.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
import struct
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from fractions import Fraction
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
# Numeric text for these is lenient, not invalid: OData JSON 4.01 §3.2 writes Int64 and Decimal as
# strings under IEEE754Compatible=true, and the .NET OData reader Graph runs on converts any numeric
# text (ODataPayloadValueConverter.ConvertStringValue ends in Convert.ChangeType).
LENIENT_STRING_NUMBERS = {*INT_RANGES, *FLOATS}
LENIENT_BOOLEANS = {"true": True, "false": False}  # Boolean.Parse, through the same converter
# Types whose values are any JSON (workbook ranges send arrays of arrays as `Json`).
ANY_JSON = {"Edm.Untyped", "microsoft.graph.Json"}
FLOAT32_MAX = struct.unpack("f", b"\xff\xff\x7f\x7f")[0]
# Graph's evolvable enumerations end their original members with this sentinel ("Evolvable
# enumeration sentinel value. Do not use.", the enum tables of the docs); a service answers it
# for members added after it to a client that did not opt in to them.
UNKNOWN_FUTURE_VALUE = "unknownFutureValue"
MAX_OFFSET_MINUTES = 14 * 60
TICKS_PER_SECOND = 10**7
MAX_TICKS = (date(9999, 12, 31).toordinal() * 86400) * TICKS_PER_SECOND - 1
ONE_TICK = Fraction(1, TICKS_PER_SECOND)
_PICO_PER_TICK = 10**5

# OData ABNF: fractionalSeconds = 1*12DIGIT.
_DTO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,12}))?)?(Z|[+-]\d{2}:\d{2})$"
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.(\d{1,12}))?)?$")
_DURATION = re.compile(
    r"^([+-])?P(?=\d|T\d)(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.(\d+))?S)?)?$"
)
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_BASE64 = re.compile(r"^[A-Za-z0-9+/]*(={0,2})$")
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]*(={0,2})$")
_INTEGER_TEXT = re.compile(r"^[+-]?\d+$")
_DECIMAL_TEXT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")

Types = Mapping[str, TypeDef]


# --- type kinds -----------------------------------------------------------------------------


class TypeKind(Enum):
    """What a CSDL type is, for every consumer that dispatches on it."""

    PRIMITIVE = "primitive"
    ENUM = "enum"
    COMPLEX = "complex"
    COLLECTION = "collection"
    ANY_JSON = "any-json"
    UNRESOLVED = "unresolved"  # a named type the docs never resolved: only its JSON kind is known


@dataclass(frozen=True)
class EdmType:
    """A resolved CSDL type: its kind, and what that kind needs (item type, members, typedef)."""

    kind: TypeKind
    name: str  # `Edm.Int32`, `microsoft.graph.x`, or `Collection(T)` for a collection
    item: EdmType | None = None
    members: tuple[str, ...] = ()  # enum members; on a primitive, the values its table lists
    flags: bool = False
    typedef: TypeDef | None = field(default=None, compare=False, repr=False)
    # Every value the docs name for an enum: its type's members and the property's own list.
    # `members` is what a request sends, in the type's spelling; a value in `listed` is valid.
    listed: tuple[str, ...] = ()

    @property
    def known(self) -> tuple[str, ...]:
        """The values a value of this type is judged by (`listed`, else `members`)."""
        return self.listed or self.members

    @property
    def writable(self) -> tuple[str, ...]:
        """The members a client writes: all but Graph's evolvable-enum sentinel, which is "to be
        used only as a sentinel" (a PATCH that sends it leaves the property as it was)."""
        return tuple(m for m in dict.fromkeys(self.members) if m != UNKNOWN_FUTURE_VALUE)

    @property
    def future(self) -> tuple[str, ...]:
        """Members declared after the sentinel: a service replaces them with it in its replies
        unless the request says `Prefer: include-unknown-enum-members`."""
        own = self.typedef.members if self.typedef is not None else None
        members = list(dict.fromkeys(own or ()))  # a prose list gives no declaration order
        if self.kind is not TypeKind.ENUM or UNKNOWN_FUTURE_VALUE not in members:
            return ()
        return tuple(members[members.index(UNKNOWN_FUTURE_VALUE) + 1 :])


def split_collection(type_name: str) -> tuple[bool, str]:
    """`Collection(Edm.String)` -> (True, `Edm.String`)."""
    if type_name.startswith("Collection(") and type_name.endswith(")"):
        return True, type_name[len("Collection(") : -1]
    return False, type_name


def is_primitive(type_name: str) -> bool:
    return type_name.startswith("Edm.")


def is_stream(type_name: str) -> bool:
    """`Edm.Stream` (or a collection of it): never inline in an entity's JSON, so never sent in a
    PATCH body, judged in a reply or compared (a stream is read and written at its own URL)."""
    return split_collection(type_name)[1] == "Edm.Stream"


def resolve(type_name: str, types: Types, enum: list[str] | None = None) -> EdmType:
    """The kind of `type_name`.

    `enum` is the member list a property table gives inline. On a named type the docs never
    resolved it makes the type an enum; on a primitive (`Edm.String` whose description lists
    "possible values") it only lands in `members`: the wire type stays the primitive, so any
    string is valid, while generators may prefer the documented values.

    An enum type's own members (its page, or a CSDL) are spelled as the service spells them:
    they are the `members` a request sends, never the prose list's capitalisation (`Organizer`
    where the type says `organizer`); the prose list only widens `listed`, what a value is
    judged by.
    """
    many, inner = split_collection(type_name)
    if many:
        return EdmType(TypeKind.COLLECTION, type_name, item=resolve(inner, types, enum))
    if inner in ANY_JSON:
        return EdmType(TypeKind.ANY_JSON, inner)
    if is_primitive(inner):
        return EdmType(TypeKind.PRIMITIVE, inner, members=tuple(enum or ()))
    typedef = types.get(inner)
    own = typedef.members if typedef is not None and typedef.kind == "enum" else None
    if enum is not None or own is not None:
        members = tuple(dict.fromkeys(own or enum or ()))
        listed = tuple(dict.fromkeys([*members, *(enum or ())]))
        flags = bool(typedef is not None and typedef.flags)
        return EdmType(
            TypeKind.ENUM, inner, members=members, flags=flags, typedef=typedef, listed=listed
        )
    if typedef is not None:
        return EdmType(TypeKind.COMPLEX, inner, typedef=typedef)
    return EdmType(TypeKind.UNRESOLVED, inner)


# --- typed problems -------------------------------------------------------------------------


class ProblemKind(Enum):
    """A class of defect in a request body or value, with whether rejecting it is documented.

    `rejection_documented` is True only when a public source says a conforming service refuses such
    a value; `source` names it. The README prints this table (`PROBLEM_KINDS_MARKDOWN`).
    """

    MALFORMED_JSON = (
        "malformed-json",
        True,
        "RFC 8259; OData JSON 4.01 §2",
        "not JSON: truncated, trailing comma, single quotes, NaN/Infinity, not UTF-8",
    )
    NOT_AN_OBJECT = (
        "not-an-object",
        True,
        "OData 4.01 Protocol §11.4.3 (an entity body is a JSON object)",
        "the body is an array, a string, a number or null",
    )
    EMPTY_BODY = ("empty-body", False, "—", "`{}`: sets nothing; invalid nowhere")
    UNKNOWN_PROPERTY = (
        "unknown-property",
        True,
        "OData JSON 4.01 §4.5; Graph answers 400 (GRAPH-FACTS.md)",
        "a property the type does not declare (a derived type the body names may)",
    )
    WRONG_ODATA_TYPE = (
        "wrong-odata-type",
        True,
        "Graph's .NET OData stack (ODL refuses a payload type not assignable to the expected "
        "type); OData JSON 4.01 §4.5.3 defines the annotation",
        "`@odata.type` names a type that is neither the contract's nor derived from it",
    )
    WRONG_JSON_TYPE = (
        "wrong-json-type",
        True,
        "OData JSON 4.01 §7.1",
        "string for Int32, number for String, object for a scalar, scalar for a collection, ...",
    )
    LENIENT_STRING = (
        "lenient-string",
        False,
        "OData JSON 4.01 §3.2 (IEEE754Compatible=true); Graph's .NET OData reader converts such "
        "text (ODataPayloadValueConverter: Convert.ChangeType)",
        'numeric text for a number (`"12"` for Int32), `"true"`/`"false"` for a Boolean',
    )
    OUT_OF_RANGE = (
        "out-of-range",
        True,
        "OData CSDL 4.01 primitive types (Byte..Int64 ranges, Single is binary32)",
        "an integer outside its type's range, a Single beyond float32",
    )
    UNKNOWN_MEMBER = (
        "unknown-member",
        True,
        "OData JSON 4.01 §7.1",
        "an enum or flags value naming no member of the enum",
    )
    BAD_FORMAT = (
        "bad-format",
        True,
        "OData 4.01 ABNF for the formats; Graph's .NET stack for the limits: .NET's "
        "DateTimeOffset refuses offsets beyond ±14:00 (the ABNF allows `+14:30`) and UTC instants "
        "outside years 1-9999",
        "Date/DateTimeOffset/Duration/TimeOfDay/Guid/Binary text outside the ABNF, offsets "
        "beyond ±14:00, a UTC instant outside years 1-9999",
    )
    NULL_NOT_ALLOWED = (
        "null-not-allowed",
        True,
        'OData CSDL 4.01 `Nullable="false"` (the docs or $metadata say so)',
        "null for a property documented as not nullable",
    )
    NULL_NULLABILITY_UNKNOWN = (
        "null-nullability-unknown",
        False,
        "—",
        "null for a property whose nullability the docs do not state",
    )
    UNKNOWN_DERIVED_TYPE = (
        "unknown-derived-type",
        False,
        "—",
        "a complex value's `@odata.type` names a well-formed type the contract does not know: it "
        "may be derived, or not",
    )
    UNLISTED_VALUE = (
        "unlisted-value",
        False,
        "—",
        "a string outside the values a `String` property's description lists, or "
        "`unknownFutureValue` (Graph's evolvable-enum sentinel) where an enum's list lacks it: the "
        "docs list values, but not whether a service refuses others",
    )
    SENTINEL = (
        "unknown-future-value",
        False,
        "Graph's evolvable-enum pattern (microsoft/api-guidelines, graph/patterns/"
        "evolvable-enums.md; the docs' enum tables: \"Evolvable enumeration sentinel value. Do not "
        'use."): a PATCH that sends it leaves the property as it was',
        "`unknownFutureValue` written as a value: the sentinel a service answers for members a "
        "client did not opt in to, never a member a client writes",
    )
    MEMBER_CASE = (
        "member-case",
        False,
        "none: .NET OData readers differ (ASP.NET Core OData's ODataEnumDeserializer matches a "
        "mapped member ignoring case; its fallback, .NET's Enum.Parse(Type, String), does not)",
        "an enum value that differs from a member only in case (`Organizer` for `organizer`)",
    )
    LONE_SURROGATE = (
        "lone-surrogate",
        True,
        "RFC 8259 §8.2; I-JSON (RFC 7493) §2.1",
        'an unpaired UTF-16 surrogate escape (`"\\ud800"`) in a property name or a string',
    )

    def __new__(cls, label: str, documented: bool, source: str, meaning: str) -> ProblemKind:
        member = object.__new__(cls)
        member._value_ = label
        member.rejection_documented = documented
        member.source = source
        member.meaning = meaning
        return member

    rejection_documented: bool
    source: str
    meaning: str

    @property
    def label(self) -> str:
        return str(self.value)


@dataclass(frozen=True)
class Problem:
    """One defect at a place in a body (`settings.mode`, `tags[1]`, `body`, `@odata.type`)."""

    kind: ProblemKind
    where: str
    message: str
    type_name: str = ""  # the Edm type judged, where one was (`Edm.Int64` for a lenient string)

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


def problem_kinds_markdown() -> str:
    """The ProblemKind table as markdown, for the README."""
    rows = [
        "| problem | rejection documented? | source | what |",
        "|---|---|---|---|",
    ]
    for kind in ProblemKind:
        documented = "yes" if kind.rejection_documented else "**no**"
        rows.append(f"| `{kind.label}` | {documented} | {kind.source} | {kind.meaning} |")
    return "\n".join(rows) + "\n"


PROBLEM_KINDS_MARKDOWN = problem_kinds_markdown()


# --- DateTimeOffset and other time values ---------------------------------------------------


def parse_datetimeoffset(text: str) -> int:
    """The UTC instant as 100 ns ticks since 0001-01-01 (truncated); ValueError says what is wrong."""
    return _dto_picoseconds(text) // _PICO_PER_TICK


def _dto_picoseconds(text: str) -> int:
    """The UTC instant in picoseconds since 0001-01-01 (all 12 ABNF digits kept)."""
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
    picoseconds = (seconds - offset * 60) * 10**12 + int((fraction or "").ljust(12, "0"))
    if not 0 <= picoseconds // _PICO_PER_TICK <= MAX_TICKS:
        raise ValueError(f"UTC instant of {text!r} lies outside years 1-9999")
    return picoseconds


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


def parse_duration(text: str) -> Fraction:
    """Signed seconds of an `Edm.Duration` (`-P1DT2H3M4.5S`); ValueError when not one."""
    match = _DURATION.match(text) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"not an Edm.Duration: {text!r}")
    sign, days, hours, minutes, seconds, fraction = match.groups()
    whole = int(days or 0) * 86400 + int(hours or 0) * 3600 + int(minutes or 0) * 60
    total = whole + int(seconds or 0) + _fraction(fraction)
    return -total if sign == "-" else total


def format_duration(seconds: Fraction) -> str:
    """A duration as .NET's XmlConvert writes a TimeSpan: `-P1DT2H3M4.5S`, `PT0S`, ticks only."""
    ticks = int(abs(seconds) * TICKS_PER_SECOND)
    whole, fraction = divmod(ticks, TICKS_PER_SECOND)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    clock = "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M")) if n)
    if secs or fraction:
        clock += f"{secs}" + (f".{fraction:07d}".rstrip("0") if fraction else "") + "S"
    text = "P" + (f"{days}D" if days else "") + (f"T{clock}" if clock else "")
    if text == "P":
        return "PT0S"
    return ("-" if seconds < 0 else "") + text


def parse_time_of_day(text: str) -> Fraction:
    """Seconds since midnight of an `Edm.TimeOfDay` (`12:30`, `12:30:00.1234567`)."""
    match = _TIME.match(text) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"not an Edm.TimeOfDay: {text!r}")
    hours, minutes, seconds, fraction = match.groups()
    return int(hours) * 3600 + int(minutes) * 60 + int(seconds or 0) + _fraction(fraction)


def _fraction(digits: str | None) -> Fraction:
    return Fraction(int(digits), 10 ** len(digits)) if digits else Fraction(0)


def decode_binary(text: str) -> bytes:
    """The bytes of an `Edm.Binary`: base64url (OData) or base64 (Graph's .NET writer), padded or not."""
    if not isinstance(text, str):
        raise ValueError(f"not an Edm.Binary: {text!r}")
    # b64decode silently drops characters outside the alphabet: check the alphabet first.
    match = _BASE64URL.match(text) or _BASE64.match(text)
    if not match:
        raise ValueError(f"not base64 or base64url: {text!r}")
    padding = len(match.group(1))
    data = text[: len(text) - padding]
    if (padding and len(text) % 4) or (padding and padding != -len(data) % 4) or len(data) % 4 == 1:
        raise ValueError(f"not base64 or base64url (length): {text!r}")
    padded = data.replace("-", "+").replace("_", "/") + "=" * (-len(data) % 4)
    try:
        return base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"not base64 or base64url: {text!r}") from None


# --- validation -----------------------------------------------------------------------------


def value_problems(
    value: Any,
    type_name: str,
    types: Types,
    *,
    enum: list[str] | None = None,
    nullable: bool | None = None,
    where: str = "value",
) -> list[Problem]:
    """Every problem of `value` as a wire value of `type_name` (empty when it is valid).

    `nullable` is the property's documented nullability: False rejects null, None (the docs are
    silent) gives an undocumented `null-nullability-unknown`. It applies to collection items too
    (CSDL: Nullable on a collection-valued property is about its items).
    """
    return _judge(value, resolve(type_name, types, enum), types, nullable, where)


def validate(
    value: Any,
    type_name: str,
    types: Types,
    *,
    enum: list[str] | None = None,
    nullable: bool | None = True,
    where: str = "value",
) -> list[str]:
    """Messages of the problems whose rejection is documented (kept for `checks.py`).

    Prefer `value_problems`: it also returns the undocumented ones, typed.
    """
    problems = value_problems(value, type_name, types, enum=enum, nullable=nullable, where=where)
    return [str(p) for p in problems if p.kind.rejection_documented]


Judge = Callable[[Any, EdmType, Types, "bool | None", str], list[Problem]]


def _judge(
    value: Any, edm_type: EdmType, types: Types, nullable: bool | None, where: str
) -> list[Problem]:
    if value is None:
        return _null_problems(nullable, where)
    return _JUDGES[edm_type.kind](value, edm_type, types, nullable, where)


def _null_problems(nullable: bool | None, where: str) -> list[Problem]:
    if nullable is False:
        return [Problem(ProblemKind.NULL_NOT_ALLOWED, where, "null is not allowed")]
    if nullable is None:
        message = "null, and the docs do not say whether it is nullable"
        return [Problem(ProblemKind.NULL_NULLABILITY_UNKNOWN, where, message)]
    return []


def _collection_problems(
    value: Any, edm_type: EdmType, types: Types, nullable: bool | None, where: str
) -> list[Problem]:
    assert edm_type.item is not None
    if not isinstance(value, list):
        message = f"expected an array of {edm_type.item.name}, got {json_kind(value)}"
        return [Problem(ProblemKind.WRONG_JSON_TYPE, where, message)]
    problems: list[Problem] = []
    for i, item in enumerate(value):
        problems += _judge(item, edm_type.item, types, nullable, f"{where}[{i}]")
    return problems


def _primitive_problems(
    value: Any, edm_type: EdmType, types: Types, nullable: bool | None, where: str
) -> list[Problem]:
    if isinstance(value, str) and has_lone_surrogate(value):
        return [lone_surrogate(where, value)]
    check = _PRIMITIVE_CHECKS.get(edm_type.name)
    if check is None:  # Stream, Geography*, Geometry*: not judged beyond being JSON
        return surrogate_problems(value, where)
    found = check(value, edm_type.name)
    if found:
        return [Problem(found[0], where, found[1], edm_type.name)]
    return _unlisted(value, edm_type, where)


def _unlisted(value: Any, edm_type: EdmType, where: str) -> list[Problem]:
    """A string its table's listed values do not name: neither sent as a write nor expected to be
    refused (`extensionSchemaProperty.type` lists five values; some lists are only examples)."""
    if edm_type.members and isinstance(value, str) and value not in edm_type.members:
        listed = ", ".join(edm_type.members)
        return [Problem(ProblemKind.UNLISTED_VALUE, where, f"{value!r} is none of {listed}")]
    return _sentinel([value], edm_type.members, where) if isinstance(value, str) else []


_Found = tuple[ProblemKind, str] | None


def _check_integer(value: Any, name: str) -> _Found:
    if isinstance(value, str) and name in LENIENT_STRING_NUMBERS and _INTEGER_TEXT.match(value):
        return _range_or_lenient(int(value), name, value)
    if isinstance(value, bool) or not isinstance(value, int):
        message = f"expected {name} as a JSON integer, got {json_kind(value)} {value!r}"
        return ProblemKind.WRONG_JSON_TYPE, message
    low, high = INT_RANGES[name]
    if low <= value <= high:
        return None
    return ProblemKind.OUT_OF_RANGE, f"{value} is outside the {name} range"


def _range_or_lenient(number: int, name: str, text: str) -> _Found:
    low, high = INT_RANGES[name]
    if not low <= number <= high:
        return ProblemKind.OUT_OF_RANGE, f"{text!r} is outside the {name} range"
    message = f"numeric string {text!r} for {name} (a JSON number is the documented form)"
    return ProblemKind.LENIENT_STRING, message


def _check_float(value: Any, name: str) -> _Found:
    if isinstance(value, str):
        if value in FLOAT_SPECIALS:
            return None
        if name in LENIENT_STRING_NUMBERS and _DECIMAL_TEXT.match(value):
            message = f"numeric string {value!r} for {name} (a JSON number is the documented form)"
            return ProblemKind.LENIENT_STRING, message
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        message = f"expected {name} as a JSON number, got {json_kind(value)} {value!r}"
        return ProblemKind.WRONG_JSON_TYPE, message
    return _float_range(value, name)


def _float_range(value: int | float, name: str) -> _Found:
    """Huge JSON integers must not crash float(); Single must fit a float32 (or canonical overflows)."""
    if name == "Edm.Decimal" and isinstance(value, int):
        return None
    try:
        number = float(value)
    except OverflowError:
        return ProblemKind.OUT_OF_RANGE, f"{value} is outside the {name} range"
    if not math.isfinite(number):
        return ProblemKind.OUT_OF_RANGE, f"non-finite {name} {value!r} must be a string"
    if name == "Edm.Single" and abs(number) > FLOAT32_MAX:
        return ProblemKind.OUT_OF_RANGE, f"{value} is outside the {name} range"
    return None


def _check_boolean(value: Any, name: str) -> _Found:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value in LENIENT_BOOLEANS:
        return ProblemKind.LENIENT_STRING, f"text {value!r} for a Boolean (converted by .NET)"
    return ProblemKind.WRONG_JSON_TYPE, f"expected a boolean, got {json_kind(value)}"


def _string_check(parser: Callable[[str], Any] | None) -> Callable[[Any, str], _Found]:
    """A string-encoded primitive: a JSON string, and (when `parser` is given) one it accepts."""

    def check(value: Any, name: str) -> _Found:
        if not isinstance(value, str):
            message = f"expected {name} as a JSON string, got {json_kind(value)} {value!r}"
            return ProblemKind.WRONG_JSON_TYPE, message
        if parser is None:
            return None
        try:
            parser(value)
        except ValueError as exc:
            return ProblemKind.BAD_FORMAT, str(exc)
        return None

    return check


def _parse_date(text: str) -> date:
    if not _DATE.match(text):
        raise ValueError(f"not an Edm.Date: {text!r}")
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"invalid Edm.Date {text!r}: {exc}") from None


def _parse_guid(text: str) -> str:
    if not _GUID.match(text):
        raise ValueError(f"not an Edm.Guid: {text!r}")
    return text.lower()


_PRIMITIVE_CHECKS: dict[str, Callable[[Any, str], _Found]] = {
    **dict.fromkeys(INT_RANGES, _check_integer),
    **dict.fromkeys(FLOATS, _check_float),
    "Edm.Boolean": _check_boolean,
    "Edm.String": _string_check(None),
    "Edm.DateTimeOffset": _string_check(_dto_picoseconds),
    "Edm.Date": _string_check(_parse_date),
    "Edm.TimeOfDay": _string_check(parse_time_of_day),
    "Edm.Duration": _string_check(parse_duration),
    "Edm.Guid": _string_check(_parse_guid),
    "Edm.Binary": _string_check(decode_binary),
}


def _enum_problems(
    value: Any, edm_type: EdmType, types: Types, nullable: bool | None, where: str
) -> list[Problem]:
    """A member name (flags: names joined by commas), valid when the enum type has it as spelled.

    A name that differs from a member only in case (`Organizer` where the type says `organizer`)
    is `member-case`; one only the property's prose list names, or Graph's evolvable-enum
    sentinel where no list has it, is `unlisted-value`: no source makes either invalid. Any other
    name is `unknown-member`. An enum whose members the docs never give is not judged by members.
    """
    if not isinstance(value, str):
        message = f"expected a {edm_type.name} member name, got {json_kind(value)} {value!r}"
        return [Problem(ProblemKind.WRONG_JSON_TYPE, where, message)]
    if has_lone_surrogate(value):
        return [lone_surrogate(where, value)]
    members = edm_type.members
    names = _flag_names(value) if edm_type.flags else [value]
    unknown = [n for n in names if n not in members] if members else []
    sentinel = _sentinel(names, members, where)
    if not unknown:
        return sentinel
    spelled = {m.casefold(): m for m in members}
    prose = {m.casefold() for m in edm_type.listed if m not in members}
    cased = [n for n in unknown if n.casefold() in spelled]
    unlisted = [
        n
        for n in unknown
        if n not in cased and (n.casefold() in prose or n == UNKNOWN_FUTURE_VALUE)
    ]
    others = [n for n in unknown if n not in cased and n not in unlisted]
    if others:
        message = f"{', '.join(map(repr, others))} is not a member of {edm_type.name}"
        return [Problem(ProblemKind.UNKNOWN_MEMBER, where, message)]
    found = []
    if cased:
        shown = ", ".join(f"{n!r} for {spelled[n.casefold()]!r}" for n in cased)
        message = f"{shown}: a member of {edm_type.name} in another case"
        found.append(Problem(ProblemKind.MEMBER_CASE, where, message))
    if unlisted:
        shown = ", ".join(map(repr, unlisted))
        message = f"{shown}: not a member of {edm_type.name} as its own page or CSDL lists them"
        found.append(Problem(ProblemKind.UNLISTED_VALUE, where, message))
    return found + sentinel


def _sentinel(names: list[str], members: tuple[str, ...], where: str) -> list[Problem]:
    """Graph's evolvable-enum sentinel where the list has it: valid in a reply (it stands for a
    member the client did not opt in to), never a value a client writes."""
    if UNKNOWN_FUTURE_VALUE not in names or UNKNOWN_FUTURE_VALUE not in members:
        return []
    message = f"{UNKNOWN_FUTURE_VALUE!r} is the evolvable-enum sentinel, not a member to write"
    return [Problem(ProblemKind.SENTINEL, where, message)]


def _flag_names(value: str) -> list[str]:
    return [part.strip() for part in value.split(",")]


def _complex_problems(
    value: Any, edm_type: EdmType, types: Types, nullable: bool | None, where: str
) -> list[Problem]:
    typedef = edm_type.typedef
    assert typedef is not None
    if not isinstance(value, dict):
        message = f"expected a {typedef.name} object, got {json_kind(value)}"
        return [Problem(ProblemKind.WRONG_JSON_TYPE, where, message)]
    problems = _cast_problems(value, typedef, types, where)
    # CSDL OpenType: dynamic members are the type's by design (identity, identitySet).
    dynamic = typedef.open
    typedef, open_cast = _cast_typedef(value, typedef, types)
    dynamic = dynamic or typedef.open or open_cast
    known = {p.name: p for p in typedef.properties}
    for key, item in value.items():
        at = f"{where}.{printable(key)}"
        if has_lone_surrogate(key):
            problems.append(lone_surrogate(at, key))
            continue
        prop = known.get(key)
        if "@" in key or prop is None:  # annotations are not values; unknown members may be open
            if "@" not in key and not dynamic:
                message = f"not a property of {typedef.name}"
                problems.append(Problem(ProblemKind.UNKNOWN_PROPERTY, at, message))
            problems += surrogate_problems(item, at)
            continue
        item_type = resolve(prop.type, types, prop.enum)
        problems += _judge(item, item_type, types, prop.nullable, at)
    return problems


_QUALIFIED_NAME = re.compile(r"^#?[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$")


def _cast_problems(value: dict, typedef: TypeDef, types: Types, where: str) -> list[Problem]:
    """A complex value's `@odata.type`: its own type, a known derived one, or (unverifiable) a
    well-formed name the contract does not know; anything else is no type at all."""
    cast = value.get("@odata.type")
    if cast is None:
        return []
    at = f"{where}.@odata.type"
    if not isinstance(cast, str) or not _QUALIFIED_NAME.match(cast):
        message = f"{printable(str(cast))!r} is not a qualified type name"
        return [Problem(ProblemKind.WRONG_ODATA_TYPE, at, message)]
    name = cast.lstrip("#")
    known = types.get(name)
    if name == typedef.name or (known is not None and known.kind == "complex"):
        return []
    message = f"{name} is not {typedef.name}, and the contract cannot tell if it derives from it"
    return [Problem(ProblemKind.UNKNOWN_DERIVED_TYPE, at, message)]


def _cast_typedef(value: dict, typedef: TypeDef, types: Types) -> tuple[TypeDef, bool]:
    """A value may be of a derived type (`@odata.type`): judge it by that type when it is known;
    when it is not, the members the base type lacks cannot be judged (`open_cast`)."""
    cast = value.get("@odata.type")
    cast = cast.lstrip("#") if isinstance(cast, str) else ""
    derived = types.get(cast) if cast and cast != typedef.name else None
    if derived is not None and derived.kind == "complex":
        typedef = derived
    return typedef, bool(cast and cast != typedef.name)


def _any_problems(
    value: Any, edm_type: EdmType, types: Types, nullable: bool | None, where: str
) -> list[Problem]:
    return surrogate_problems(value, where)


def _unresolved_problems(
    value: Any, edm_type: EdmType, types: Types, nullable: bool | None, where: str
) -> list[Problem]:
    """A type the docs never resolved: only its JSON kind (an object or a string) can be judged."""
    if isinstance(value, (dict, str)):
        return surrogate_problems(value, where)
    message = f"expected {edm_type.name}, got {json_kind(value)}"
    return [Problem(ProblemKind.WRONG_JSON_TYPE, where, message)]


_JUDGES: dict[TypeKind, Judge] = {
    TypeKind.PRIMITIVE: _primitive_problems,
    TypeKind.ENUM: _enum_problems,
    TypeKind.COMPLEX: _complex_problems,
    TypeKind.COLLECTION: _collection_problems,
    TypeKind.ANY_JSON: _any_problems,
    TypeKind.UNRESOLVED: _unresolved_problems,
}


# --- lone surrogates ------------------------------------------------------------------------


def has_lone_surrogate(text: str) -> bool:
    """json.loads turns `"\\ud800"` into a lone surrogate; pairs become one code point."""
    return any("\ud800" <= char <= "\udfff" for char in text)


def printable(text: str) -> str:
    """A name safe to print and to encode as UTF-8 (lone surrogates escaped)."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def lone_surrogate(where: str, text: str) -> Problem:
    message = f"lone UTF-16 surrogate in {printable(text)!r} (not I-JSON)"
    return Problem(ProblemKind.LONE_SURROGATE, where, message)


def surrogate_problems(value: Any, where: str = "") -> list[Problem]:
    """Lone surrogates anywhere in a JSON value no type judges (names and strings)."""
    if isinstance(value, str):
        return [lone_surrogate(where, value)] if has_lone_surrogate(value) else []
    problems: list[Problem] = []
    if isinstance(value, dict):
        for key, item in value.items():
            at = f"{where}.{printable(key)}"
            problems += (
                [lone_surrogate(at, key)]
                if has_lone_surrogate(key)
                else surrogate_problems(item, at)
            )
    elif isinstance(value, list):
        for i, item in enumerate(value):
            problems += surrogate_problems(item, f"{where}[{i}]")
    return problems


def json_kind(value: Any) -> str:
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


# --- canonical form -------------------------------------------------------------------------


def canonical(value: Any, type_name: str, types: Types) -> Any:
    """The value as Graph's .NET stack stores and writes it back.

    DateTimeOffset in UTC with `Z`, truncated to 100 ns; Single as float32; Int64/Decimal numeric
    strings as numbers; Duration and TimeOfDay as .NET writes a TimeSpan; Guid in lower case;
    Binary as standard base64; flags in declaration order. Invalid values come back unchanged:
    check `value_problems` first where that matters.
    """
    return _canonical(value, resolve(type_name, types), types)


def _canonical(value: Any, edm_type: EdmType, types: Types) -> Any:
    if value is None:
        return None
    convert = _CANONICAL_BY_KIND.get(edm_type.kind)
    return value if convert is None else convert(value, edm_type, types)


def _canonical_collection(value: Any, edm_type: EdmType, types: Types) -> Any:
    if not isinstance(value, list) or edm_type.item is None:
        return value
    return [_canonical(item, edm_type.item, types) for item in value]


def _canonical_primitive(value: Any, edm_type: EdmType, types: Types) -> Any:
    convert = _CANONICAL.get(edm_type.name)
    problems = _primitive_problems(value, edm_type, types, True, "")
    if convert is None or any(p.kind.rejection_documented for p in problems):
        return value
    return convert(value)


def _canonical_flags(value: Any, edm_type: EdmType, types: Types) -> Any:
    """Flags are a set: `b,a` and `a,b` are one value; Graph writes them in declaration order."""
    if not (edm_type.flags and isinstance(value, str)):
        return value
    order = list(edm_type.members)
    names = sorted(
        set(_flag_names(value)), key=lambda n: (order.index(n) if n in order else len(order), n)
    )
    return ",".join(names)


def _canonical_complex(value: Any, edm_type: EdmType, types: Types) -> Any:
    if not isinstance(value, dict) or edm_type.typedef is None:
        return value
    typedef, _ = _cast_typedef(value, edm_type.typedef, types)
    props = {p.name: p for p in typedef.properties}
    return {
        k: _canonical(v, resolve(props[k].type, types, props[k].enum), types) if k in props else v
        for k, v in value.items()
    }


def _float32(value: int | float) -> float:
    return struct.unpack("f", struct.pack("f", value))[0]


def _is_number_text(value: Any) -> bool:
    return isinstance(value, str) and bool(_DECIMAL_TEXT.match(value))


def _canonical_number(value: Any) -> Any:
    """A lenient numeric string as the number it names (an integer when it is one)."""
    if not isinstance(value, str) or value in FLOAT_SPECIALS:
        return value
    number = Decimal(value)
    return int(number) if number == number.to_integral_value() else float(number)


def _canonical_time_of_day(value: str) -> str:
    ticks = int(parse_time_of_day(value) * TICKS_PER_SECOND)
    seconds, fraction = divmod(ticks, TICKS_PER_SECOND)
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}.{fraction:07d}"


_CANONICAL_BY_KIND: dict[TypeKind, Callable[[Any, EdmType, Types], Any]] = {
    TypeKind.COLLECTION: _canonical_collection,
    TypeKind.PRIMITIVE: _canonical_primitive,
    TypeKind.ENUM: _canonical_flags,
    TypeKind.COMPLEX: _canonical_complex,
}  # any JSON and unresolved values are kept as sent
_CANONICAL: dict[str, Callable[[Any], Any]] = {
    "Edm.DateTimeOffset": lambda v: format_datetimeoffset(parse_datetimeoffset(v)),
    "Edm.Single": lambda v: _float32(float(v)) if isinstance(v, (int, float, str)) else v,
    "Edm.Double": lambda v: float(v) if _is_number_text(v) else v,
    **dict.fromkeys(INT_RANGES, lambda v: int(v) if _is_number_text(v) else v),
    "Edm.Decimal": _canonical_number,
    "Edm.Boolean": lambda v: _as_boolean(v),
    "Edm.Duration": lambda v: format_duration(parse_duration(v)),
    "Edm.TimeOfDay": _canonical_time_of_day,
    "Edm.Guid": lambda v: v.lower(),
    "Edm.Binary": lambda v: base64.b64encode(decode_binary(v)).decode("ascii"),
}


# --- equality -------------------------------------------------------------------------------


def equal(a: Any, b: Any, type_name: str, types: Types) -> bool:
    """Semantic equality of two wire values of `type_name`.

    Instants, durations and times of day to within one 100 ns tick; Guid in any case; numbers
    numerically (`1.0` == `1`, Decimal strings too, NaN == NaN, Single through float32); Binary by
    its bytes; flags as sets; complex values member by member (null and absent are the same;
    annotations are not values); collections in order. A value that does not parse only equals
    an identical value.
    """
    return _equal(a, b, resolve(type_name, types), types)


def _equal(a: Any, b: Any, edm_type: EdmType, types: Types) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if edm_type.kind is TypeKind.COLLECTION:
        assert edm_type.item is not None
        if not (isinstance(a, list) and isinstance(b, list)) or len(a) != len(b):
            return _same_json(a, b)
        return all(_equal(x, y, edm_type.item, types) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return not (_diff(a, b, edm_type, types) or _diff(b, a, edm_type, types))
    if edm_type.kind is TypeKind.ENUM:
        if edm_type.flags and isinstance(a, str) and isinstance(b, str):
            return set(_flag_names(a)) == set(_flag_names(b))
        return _same_json(a, b)
    if edm_type.kind is TypeKind.PRIMITIVE:
        same = _PRIMITIVE_EQUAL.get(edm_type.name)
        if same is not None:
            try:
                return same(a, b, edm_type.name)
            except (ValueError, TypeError, ArithmeticError):
                return _same_json(a, b)
    return _same_json(a, b)


def _diff(sent: dict, got: dict, edm_type: EdmType, types: Types) -> list[str]:
    result = Comparison([], [], [])
    _compare_object(sent, got, edm_type, types, "", result)
    return result.mismatches


def _same_instant(a: Any, b: Any, name: str) -> bool:
    if not (isinstance(a, str) and isinstance(b, str)):
        return _same_json(a, b)
    return abs(_dto_picoseconds(a) - _dto_picoseconds(b)) < _PICO_PER_TICK


def _same_seconds(parse: Callable[[str], Fraction]) -> Callable[[Any, Any, str], bool]:
    def same(a: Any, b: Any, name: str) -> bool:
        if not (isinstance(a, str) and isinstance(b, str)):
            return _same_json(a, b)
        return abs(parse(a) - parse(b)) < ONE_TICK

    return same


def _same_parsed(parse: Callable[[str], Any]) -> Callable[[Any, Any, str], bool]:
    def same(a: Any, b: Any, name: str) -> bool:
        if not (isinstance(a, str) and isinstance(b, str)):
            return _same_json(a, b)
        return parse(a) == parse(b)

    return same


def _same_json(a: Any, b: Any) -> bool:
    """Plain JSON equality, except that `true` is not the number 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    return bool(a == b)


def _same_integer(a: Any, b: Any, name: str) -> bool:
    x, y = _as_integer(a, name), _as_integer(b, name)
    return _same_json(a, b) if x is None or y is None else x == y


def _as_integer(value: Any, name: str) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and name in LENIENT_STRING_NUMBERS and _INTEGER_TEXT.match(value):
        return int(value)
    return None


def _same_float(a: Any, b: Any, name: str) -> bool:
    x, y = _as_number(a, name), _as_number(b, name)
    if x is None or y is None:
        return _same_json(a, b)
    if isinstance(x, str) or isinstance(y, str):
        return x == y  # INF, -INF, NaN (a round trip of NaN is NaN)
    if name == "Edm.Single":
        try:
            return _float32(x) == _float32(y)
        except OverflowError:
            return x == y
    return float(x) == float(y)


def _as_number(value: Any, name: str) -> int | float | str | None:
    """A number, or the special name (`INF`, `-INF`, `NaN`) of a non-finite one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("INF" if value > 0 else "-INF")
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str) and value in FLOAT_SPECIALS:
        return value
    if isinstance(value, str) and name == "Edm.Decimal" and _DECIMAL_TEXT.match(value):
        return value  # lenient (IEEE754Compatible): compared as a decimal
    if isinstance(value, str) and _DECIMAL_TEXT.match(value):
        return float(value)  # lenient numeric text for a Double/Single
    return None


class JsonNumber(float):
    """A JSON number with a fraction or exponent as read from a reply: a float that keeps its text.

    A Decimal reply is compared by its digits, which a double may not hold (`9.007199254740993E15`
    is 9007199254740993); everything else sees a float. `checks.json_body` reads replies so.
    """

    __slots__ = ("text",)
    text: str

    def __new__(cls, text: str) -> JsonNumber:
        number = super().__new__(cls, text)
        number.text = text
        return number

    def __reduce__(self) -> tuple[Any, ...]:
        return JsonNumber, (self.text,)

    def __repr__(self) -> str:
        return self.text


def _as_decimal(value: Any) -> Decimal:
    if isinstance(value, JsonNumber):
        return Decimal(value.text)
    try:
        return Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        raise ValueError(f"not a decimal: {value!r}") from None


def _same_decimal(a: Any, b: Any, name: str) -> bool:
    x, y = _as_number(a, name), _as_number(b, name)
    if x is None or y is None:
        return _same_json(a, b)
    if x in FLOAT_SPECIALS or y in FLOAT_SPECIALS:
        return x == y
    return _as_decimal(x) == _as_decimal(y)


_PRIMITIVE_EQUAL: dict[str, Callable[[Any, Any, str], bool]] = {
    **dict.fromkeys(INT_RANGES, _same_integer),
    "Edm.Single": _same_float,
    "Edm.Double": _same_float,
    "Edm.Decimal": _same_decimal,
    "Edm.DateTimeOffset": _same_instant,
    "Edm.Duration": _same_seconds(parse_duration),
    "Edm.TimeOfDay": _same_seconds(parse_time_of_day),
    "Edm.Date": _same_parsed(_parse_date),
    "Edm.Guid": _same_parsed(_parse_guid),
    "Edm.Binary": _same_parsed(decode_binary),
    "Edm.Boolean": lambda a, b, name: _same_json(_as_boolean(a), _as_boolean(b)),
}


def _as_boolean(value: Any) -> Any:
    """Lenient `"true"`/`"false"` text as the Boolean .NET reads it; anything else as it is."""
    return LENIENT_BOOLEANS.get(value, value) if isinstance(value, str) else value


# --- comparing what was sent with what came back --------------------------------------------


@dataclass
class Comparison:
    """What `compare` found: members that differ, members the service added, annotations sent.

    Only `mismatches` are defects; `added` (service-filled members, OData allows them) and
    `annotations` (a nested `@odata.type` the client sent, which a service may or may not echo)
    are for the report.
    """

    mismatches: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    annotations: list[str] = field(default_factory=list)
    # Values shown as `unknownFutureValue` where a member declared after it was sent, by a reply
    # that did not apply the opt-in (`checks.compare_sent`): what it hid, not a defect.
    withheld: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the reply holds everything sent (added members and annotations allowed)."""
        return not self.mismatches


def compare(sent: Any, got: Any, type_name: str, types: Types, *, where: str = "") -> Comparison:
    """Compare a value the client sent with the value the service returned.

    Complex values are compared on the members sent only, recursively (members the service adds
    are listed in `added`, annotations the client sent in `annotations`); collections by order and
    length, items the same way; scalars with `equal`. Members of open or derived types that the
    contract does not declare are compared as JSON. Messages name the path:
    `settings.mode: sent 'a', got 'b'`.
    """
    result = Comparison()
    _compare(sent, got, resolve(type_name, types), types, where, result)
    return result


def _compare(
    sent: Any, got: Any, edm_type: EdmType, types: Types, where: str, result: Comparison
) -> None:
    if isinstance(sent, dict) and isinstance(got, dict):
        _compare_object(sent, got, edm_type, types, where, result)
        return
    collection = edm_type.kind is TypeKind.COLLECTION
    if isinstance(sent, list) and isinstance(got, list) and (collection or edm_type.item is None):
        if len(sent) != len(got):
            result.mismatches.append(f"{where or 'value'}: sent {len(sent)} items, got {len(got)}")
            return
        item = edm_type.item if collection and edm_type.item else edm_type
        for i, (x, y) in enumerate(zip(sent, got, strict=True)):
            _compare(x, y, item, types, f"{where}[{i}]", result)
        return
    if not _equal(sent, got, edm_type, types):
        result.mismatches.append(f"{where or 'value'}: sent {sent!r}, got {got!r}")


def _compare_object(
    sent: dict, got: dict, edm_type: EdmType, types: Types, where: str, result: Comparison
) -> None:
    members: dict[str, Any] = {}
    if edm_type.kind is TypeKind.COMPLEX and edm_type.typedef is not None:
        typedef, _ = _cast_typedef(sent, edm_type.typedef, types)
        members = {p.name: p for p in typedef.properties}
    prefix = f"{where}." if where else ""
    for key, value in sent.items():
        at = prefix + printable(key)
        if "@" in key:
            if got.get(key) != value:
                result.annotations.append(at)
            continue
        prop = members.get(key)
        member_type = (
            resolve(prop.type, types, prop.enum)
            if prop is not None
            else EdmType(TypeKind.ANY_JSON, "")
        )
        if key not in got:
            if value is not None:
                result.mismatches.append(f"{at}: sent {value!r}, missing from the reply")
            continue
        _compare(value, got[key], member_type, types, at, result)
    result.added += [prefix + printable(k) for k in got if k not in sent and "@" not in k]


# --- evolvable enumerations -----------------------------------------------------------------
# Graph's evolvable-enum pattern (microsoft/api-guidelines, graph/patterns/evolvable-enums.md): a
# service replaces every member declared after `unknownFutureValue` with it in its replies, unless
# the request says `Prefer: include-unknown-enum-members`; several such flags become one sentinel.


def hide_future_members(value: Any, type_name: str, types: Types) -> Any:
    """`value` as a service shows it to a client that did not opt in to the members declared after
    the sentinel: each of them replaced by `unknownFutureValue`, at any depth."""
    return _hide(value, resolve(type_name, types), types)


def _hide(value: Any, edm_type: EdmType, types: Types) -> Any:
    kind = edm_type.kind
    if kind is TypeKind.COLLECTION and isinstance(value, list) and edm_type.item is not None:
        return [_hide(item, edm_type.item, types) for item in value]
    if kind is TypeKind.ENUM and isinstance(value, str) and edm_type.future:
        return _hide_members(value, edm_type)
    if kind is TypeKind.COMPLEX and isinstance(value, dict) and edm_type.typedef is not None:
        typedef, _ = _cast_typedef(value, edm_type.typedef, types)
        props = {p.name: p for p in typedef.properties}
        return {
            k: _hide(v, resolve(props[k].type, types, props[k].enum), types) if k in props else v
            for k, v in value.items()
        }
    return value


def _hide_members(value: str, edm_type: EdmType) -> str:
    future = set(edm_type.future)
    if not edm_type.flags:
        return UNKNOWN_FUTURE_VALUE if value in future else value
    names = _flag_names(value)
    if not future & set(names):
        return value
    kept = [n for n in names if n not in future and n != UNKNOWN_FUTURE_VALUE]
    return ",".join([*kept, UNKNOWN_FUTURE_VALUE])


def withheld(sent: Any, got: Any, type_name: str, types: Types) -> bool:
    """Whether `got` is what was sent with its members after the sentinel shown as the sentinel
    (compared as `compare` does), and so differs from it only by what a client that did not opt in
    is not shown."""
    hidden = hide_future_members(sent, type_name, types)
    return hidden != sent and compare(hidden, got, type_name, types).ok


def hides(shown: Any, actual: Any, type_name: str, types: Types) -> bool:
    """Whether `shown` is `actual` with its members after the sentinel hidden (two reads of one
    value compared as `equal` does: the earlier one may be the one that hid them)."""
    hidden = hide_future_members(actual, type_name, types)
    return hidden != actual and equal(hidden, shown, type_name, types)


def shows_sentinel(value: Any, type_name: str, types: Types) -> bool:
    """Whether a value holds `unknownFutureValue` as an enum value, or among its flags, at any
    depth: a value a service hid from a client it did not opt in (what it stands for is unknown)."""
    return _shows_sentinel(value, resolve(type_name, types), types)


def _shows_sentinel(value: Any, edm_type: EdmType, types: Types) -> bool:
    kind = edm_type.kind
    if kind is TypeKind.COLLECTION and isinstance(value, list) and edm_type.item is not None:
        return any(_shows_sentinel(item, edm_type.item, types) for item in value)
    if kind is TypeKind.ENUM and isinstance(value, str):
        return UNKNOWN_FUTURE_VALUE in _flag_names(value)
    if kind is TypeKind.COMPLEX and isinstance(value, dict) and edm_type.typedef is not None:
        typedef, _ = _cast_typedef(value, edm_type.typedef, types)
        props = {p.name: p for p in typedef.properties}
        return any(
            _shows_sentinel(v, resolve(props[k].type, types, props[k].enum), types)
            for k, v in value.items()
            if k in props
        )
    return False
