"""Edm wire-value semantics: what lint, mock, strategies and checks all agree a valid value is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from samples import COMPLIANCE

from graph_contracts import edm
from graph_contracts.contracts import Property, TypeDef

TYPES = {
    "microsoft.graph.complianceStatus": TypeDef(
        "microsoft.graph.complianceStatus", "enum", members=COMPLIANCE
    ),
    "microsoft.graph.weekDays": TypeDef(
        "microsoft.graph.weekDays", "enum", members=["monday", "tuesday", "friday"], flags=True
    ),
    "microsoft.graph.window": TypeDef(
        "microsoft.graph.window",
        "complex",
        properties=[
            Property("start", "Edm.DateTimeOffset", nullable=False),
            Property("days", "microsoft.graph.weekDays"),
            Property("count", "Edm.Int32"),
            Property("tags", "Collection(Edm.String)"),
        ],
    ),
}


def ok(value, type_name, **kw) -> bool:
    return edm.validate(value, type_name, TYPES, **kw) == []


# --- integers, booleans, floats ------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_name", "low", "high"),
    [
        ("Edm.Byte", 0, 255),
        ("Edm.SByte", -128, 127),
        ("Edm.Int16", -32768, 32767),
        ("Edm.Int32", -(2**31), 2**31 - 1),
        ("Edm.Int64", -(2**63), 2**63 - 1),
    ],
)
def test_integer_ranges_are_inclusive(type_name, low, high):
    assert ok(low, type_name) and ok(high, type_name)
    assert not ok(low - 1, type_name)
    assert not ok(high + 1, type_name)
    assert "range" in edm.validate(high + 1, type_name, TYPES)[0]


@pytest.mark.parametrize("value", [True, False, "12", "Integer", 12.0, 1.5, [1], {"a": 1}])
def test_int32_rejects_non_integers_including_bools_and_numeric_strings(value):
    problems = edm.validate(value, "Edm.Int32", TYPES)
    assert len(problems) == 1 and "Edm.Int32" in problems[0]


def test_boolean_accepts_only_json_booleans():
    assert ok(True, "Edm.Boolean") and ok(False, "Edm.Boolean")
    for value in (0, 1, "true", "false", None):
        assert ok(value, "Edm.Boolean") is (value is None)


@pytest.mark.parametrize("type_name", ["Edm.Double", "Edm.Single", "Edm.Decimal"])
def test_floats_accept_numbers_and_the_special_strings(type_name):
    for value in (0, -3, 1.5, 1e10, "INF", "-INF", "NaN"):
        assert ok(value, type_name), value
    for value in ("1.5", "inf", "Infinity", True, float("inf"), float("nan"), [1.0]):
        assert not ok(value, type_name), value


def test_float_range_edges_never_crash():
    # A JSON integer too large for a double is a finding, not an OverflowError.
    assert "range" in edm.validate(10**400, "Edm.Double", TYPES)[0]
    assert ok(10**400, "Edm.Decimal")
    assert ok(3.0e38, "Edm.Single")
    assert not ok(1e39, "Edm.Single")  # beyond float32, but a fine Double
    assert ok(1e39, "Edm.Double")


def test_single_canonical_is_float32_and_equal_uses_it():
    assert edm.canonical(1.1, "Edm.Single", TYPES) != 1.1
    assert edm.equal(1.1, 1.100000023841858, "Edm.Single", TYPES)
    assert not edm.equal(1.1, 1.100000023841858, "Edm.Double", TYPES)
    assert edm.equal(2, 2.0, "Edm.Double", TYPES)
    assert edm.canonical(10**400, "Edm.Single", TYPES) == 10**400  # invalid: unchanged, no crash


# --- DateTimeOffset -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2017-01-01T00:00:17.7769392-08:00",  # Intune style: 7 digits and an offset
        "2017-01-01T08:00:17.7769392Z",
        "2017-01-01T08:00:17Z",
        "2017-01-01T08:00Z",  # hh:mm without seconds
        "2017-01-01T08:00:17.1+14:00",
        "2017-01-01T08:00:17.1-14:00",
        "0001-01-01T00:00:00Z",  # Graph's unset non-nullable date
        "0001-01-01T00:00:00-05:00",  # UTC instant is 05:00 on day one: in range
        "9999-12-31T23:59:59.9999999Z",
        "9999-12-31T23:00:00+01:00",
        "2024-02-29T00:00:00Z",
    ],
)
def test_valid_datetimeoffsets(text):
    assert ok(text, "Edm.DateTimeOffset"), edm.validate(text, "Edm.DateTimeOffset", TYPES)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("String (timestamp)", "not an OData DateTimeOffset"),  # seed 002
        ("2017-01-01T00:00:17.77693921Z", "not an OData"),  # 8 fractional digits
        ("2017-01-01T00:00:17", "not an OData"),  # no zone
        ("2017-01-01 00:00:17Z", "not an OData"),
        ("2017-01-01T00:00:17z", "not an OData"),
        ("2017-01-01", "not an OData"),
        ("2017-01-01T00Z", "not an OData"),
        ("2017-01-01T00:00:17+0500", "not an OData"),
        ("2017-01-01T00:00:17+14:01", "beyond ±14:00"),
        ("2017-01-01T00:00:17-23:59", "beyond ±14:00"),
        ("2017-01-01T00:00:17+05:60", "invalid offset"),
        ("2021-02-30T00:00:00Z", "invalid date"),
        ("2023-02-29T00:00:00Z", "invalid date"),
        ("2021-13-01T00:00:00Z", "invalid date"),
        ("2021-01-01T24:00:00Z", "invalid date"),
        ("2021-01-01T23:60:00Z", "invalid date"),
        ("0000-12-31T23:00:00Z", "invalid date"),
        ("0001-01-01T00:00:00+05:00", "outside years 1-9999"),  # UTC instant is year 0
        ("9999-12-31T23:00:00-01:00", "outside years 1-9999"),  # UTC instant is year 10000
    ],
)
def test_invalid_datetimeoffsets(text, reason):
    problems = edm.validate(text, "Edm.DateTimeOffset", TYPES)
    assert len(problems) == 1 and reason in problems[0], problems
    with pytest.raises(ValueError, match=reason):
        edm.parse_datetimeoffset(text)


def test_datetimeoffset_must_be_a_string():
    assert not ok(1483228800, "Edm.DateTimeOffset")
    with pytest.raises(ValueError):
        edm.parse_datetimeoffset(1483228800)  # type: ignore[arg-type]


def test_parse_keeps_all_seven_digits_as_ticks():
    a = edm.parse_datetimeoffset("2017-01-01T00:00:00.0000001Z")
    b = edm.parse_datetimeoffset("2017-01-01T00:00:00Z")
    assert a - b == 1
    assert edm.parse_datetimeoffset("0001-01-01T00:00:00Z") == 0
    assert edm.parse_datetimeoffset("9999-12-31T23:59:59.9999999Z") == edm.MAX_TICKS


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2017-01-01T00:00:17.7769392-08:00", "2017-01-01T08:00:17.7769392Z"),
        ("2017-01-01T00:00:59.8078557+03:00", "2016-12-31T21:00:59.8078557Z"),
        ("2017-01-01T00:00:17.5000000Z", "2017-01-01T00:00:17.5Z"),  # trailing zeros trimmed
        ("2017-01-01T00:00:17.0000000Z", "2017-01-01T00:00:17Z"),  # no empty fraction
        ("2017-01-01T00:00Z", "2017-01-01T00:00:00Z"),  # seconds added
        ("2017-01-01T10:30+14:00", "2016-12-31T20:30:00Z"),
        ("0001-01-01T00:00:00-05:00", "0001-01-01T05:00:00Z"),
    ],
)
def test_format_is_utc_z_with_trimmed_fraction(text, utc):
    assert edm.format_datetimeoffset(edm.parse_datetimeoffset(text)) == utc
    assert edm.canonical(text, "Edm.DateTimeOffset", TYPES) == utc


def test_equal_compares_instants_not_strings():
    a, b = "2017-01-01T00:00:17.7769392-08:00", "2017-01-01T08:00:17.7769392Z"
    assert edm.equal(a, b, "Edm.DateTimeOffset", TYPES)
    assert not edm.equal(a, "2017-01-01T00:00:17.7769392Z", "Edm.DateTimeOffset", TYPES)
    assert not edm.equal(a, "2017-01-01T08:00:17.7769393Z", "Edm.DateTimeOffset", TYPES)  # 100 ns
    assert edm.equal([a], [b], "Collection(Edm.DateTimeOffset)", TYPES)
    # An invalid value is left as is: it only equals itself.
    assert edm.canonical("garbage", "Edm.DateTimeOffset", TYPES) == "garbage"
    assert not edm.equal("garbage", b, "Edm.DateTimeOffset", TYPES)


# The strategy draws .NET-representable instants and writes them with any legal offset.
instants = st.integers(min_value=0, max_value=edm.MAX_TICKS)
offsets = st.integers(min_value=-edm.MAX_OFFSET_MINUTES, max_value=edm.MAX_OFFSET_MINUTES)


def _write(ticks: int, offset_minutes: int, digits: int) -> str:
    """Write an instant as local time at an offset, by hand (not via the code under test)."""
    seconds, fraction = divmod(ticks, edm.TICKS_PER_SECOND)
    t = datetime(1, 1, 1) + timedelta(seconds=seconds + offset_minutes * 60)
    sign = "-" if offset_minutes < 0 else "+"
    hh, mm = divmod(abs(offset_minutes), 60)
    frac = "." + f"{fraction:07d}"[:digits] if digits else ""
    stamp = f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}"
    return f"{stamp}{frac}{sign}{hh:02d}:{mm:02d}"


def _local_in_range(ticks: int, offset_minutes: int) -> bool:
    """The wall-clock time itself must be writable (years 1-9999), whatever its UTC instant."""
    local = ticks // edm.TICKS_PER_SECOND + offset_minutes * 60
    return 0 <= local <= edm.MAX_TICKS // edm.TICKS_PER_SECOND


@given(instants, offsets, st.integers(min_value=0, max_value=7))
def test_roundtrip_property(ticks, offset, digits):
    shown = ticks - ticks % (10 ** (7 - digits))  # the instant the written text denotes
    assume(_local_in_range(shown, offset))
    text = _write(shown, offset, digits)
    assert edm.parse_datetimeoffset(text) == shown
    utc = edm.format_datetimeoffset(shown)
    assert utc.endswith("Z")
    if "." in utc:
        assert not utc.endswith("0Z") and len(utc.split(".")[1]) <= 8
    assert edm.parse_datetimeoffset(utc) == shown
    assert edm.format_datetimeoffset(edm.parse_datetimeoffset(utc)) == utc
    assert edm.equal(text, utc, "Edm.DateTimeOffset", TYPES)
    assert edm.canonical(text, "Edm.DateTimeOffset", TYPES) == utc


@given(instants, instants, offsets, offsets)
def test_equal_is_instant_comparison(a, b, off_a, off_b):
    a -= a % edm.TICKS_PER_SECOND
    b -= b % edm.TICKS_PER_SECOND
    assume(_local_in_range(a, off_a) and _local_in_range(b, off_b))
    ta, tb = _write(a, off_a, 0), _write(b, off_b, 0)
    assert edm.equal(ta, tb, "Edm.DateTimeOffset", TYPES) is (a == b)


@given(st.datetimes(timezones=st.just(UTC)), st.integers(min_value=-14 * 60, max_value=14 * 60))
def test_parse_agrees_with_python_datetime(moment, offset):
    zone = timezone(timedelta(minutes=offset))
    try:
        local = moment.astimezone(zone)
    except OverflowError:
        return
    text = local.isoformat(timespec="microseconds")
    expected = (moment.replace(tzinfo=None) - datetime(1, 1, 1)) // timedelta(microseconds=1) * 10
    assert edm.parse_datetimeoffset(text) == expected


# --- other primitives -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_name", "good", "bad"),
    [
        (
            "Edm.Guid",
            ["bd2b1a23-1a23-bd2b-231a-2bbd231a2bbd", "BD2B1A23-1A23-BD2B-231A-2BBD231A2BBD"],
            ["bd2b1a23-1a23-bd2b-231a", "{bd2b1a23-1a23-bd2b-231a-2bbd231a2bbd}", "Guid", 12],
        ),
        (
            "Edm.Date",
            ["2021-07-01", "2024-02-29"],
            ["2021-02-30", "2021-7-1", "2021-07-01T00:00:00Z", "Date"],
        ),
        (
            "Edm.Duration",
            ["P12DT23H59M59.9S", "PT1H", "P1D", "-PT0.5S", "PT30M"],
            ["P", "PT", "P1DT", "P1Y", "12:00:00", "PT1.S"],
        ),
        (
            "Edm.TimeOfDay",
            ["00:00", "23:59:59", "12:30:00.1234567"],
            ["24:00:00", "12:60", "12:00:00.12345678", "noon"],
        ),
        (
            "Edm.Binary",
            ["", "aGVsbG8", "aGVsbG8=", "_-8A"],
            ["!!!!", "hello world", "abcde", "a+b/"],
        ),
        ("Edm.String", ["", "String", "x" * 1000], [1, True, ["a"], {"a": "b"}]),
    ],
)
def test_string_encoded_primitives(type_name, good, bad):
    for value in good:
        assert ok(value, type_name), (value, edm.validate(value, type_name, TYPES))
    for value in bad:
        assert not ok(value, type_name), value


# --- nullability, enums, complex, collections -----------------------------------------------


def test_nullability():
    assert ok(None, "Edm.Int32")
    assert edm.validate(None, "Edm.Int32", TYPES, nullable=False, where="devicesCount") == [
        "devicesCount: null is not allowed"
    ]
    # Collection items are never null, even in a nullable collection.
    assert ok(None, "Collection(Edm.String)")
    assert not ok(["a", None], "Collection(Edm.String)")


def test_enum_members_from_the_typedef_or_the_property():
    assert ok("nonCompliant", "microsoft.graph.complianceStatus")
    problems = edm.validate("String", "microsoft.graph.complianceStatus", TYPES, where="status")
    assert problems == ["status: 'String' is not a member of microsoft.graph.complianceStatus"]
    assert not ok("NonCompliant", "microsoft.graph.complianceStatus")  # member names are exact
    assert not ok(3, "microsoft.graph.complianceStatus")  # names, not numeric values
    # Property.enum wins, also for a type the docs never resolved.
    assert ok("b", "microsoft.graph.unresolved", enum=["a", "b"])
    assert not ok("c", "microsoft.graph.unresolved", enum=["a", "b"])


def test_flags_enum_takes_comma_separated_members():
    assert ok("monday", "microsoft.graph.weekDays")
    assert ok("monday,friday", "microsoft.graph.weekDays")
    assert ok("monday, friday", "microsoft.graph.weekDays")
    assert not ok("monday,sunday", "microsoft.graph.weekDays")
    # A non-flags enum does not take a list.
    assert not ok("compliant,error", "microsoft.graph.complianceStatus")
    # Flags are a set: order does not matter for equality; canonical uses declaration order.
    assert edm.canonical("friday,monday", "microsoft.graph.weekDays", TYPES) == "monday,friday"
    assert edm.equal("friday,monday", "monday,friday", "microsoft.graph.weekDays", TYPES)
    assert not edm.equal("monday", "monday,friday", "microsoft.graph.weekDays", TYPES)


def test_complex_types_validate_their_properties_with_paths():
    value = {
        "@odata.type": "#microsoft.graph.window",
        "start": "2017-01-01T00:00:00Z",
        "days": "monday,tuesday",
        "count": 3,
        "tags": ["a"],
    }
    assert ok(value, "microsoft.graph.window")
    bad = {"start": None, "count": "3", "tags": ["a", 1], "colour": "red"}
    problems = edm.validate(bad, "microsoft.graph.window", TYPES, where="window")
    assert sorted(problems) == sorted(
        [
            "window.start: null is not allowed",
            "window.count: expected Edm.Int32 as a JSON integer, got string '3'",
            "window.tags[1]: expected Edm.String as a JSON string, got number 1",
            "window.colour: not a property of microsoft.graph.window",
        ]
    )
    assert not ok("window", "microsoft.graph.window")


def test_collections():
    assert ok([], "Collection(Edm.Int32)")
    assert ok([1, 2], "Collection(Edm.Int32)")
    assert edm.validate("a", "Collection(Edm.String)", TYPES, where="tags") == [
        "tags: expected an array of Edm.String, got string"
    ]
    assert edm.validate([1, "x"], "Collection(Edm.Int32)", TYPES, where="n")[0].startswith("n[1]:")
    assert ok(["compliant", "error"], "Collection(microsoft.graph.complianceStatus)")
    assert not ok(["compliant", "nope"], "Collection(microsoft.graph.complianceStatus)")
    assert ok([{"count": 1}], "Collection(microsoft.graph.window)")
    assert edm.split_collection("Collection(Edm.String)") == (True, "Edm.String")
    assert edm.split_collection("Edm.String") == (False, "Edm.String")


def test_unresolved_types_judge_only_the_json_kind():
    assert ok({"any": 1}, "microsoft.graph.somethingElse")
    assert ok("text", "microsoft.graph.somethingElse")
    assert not ok(5, "microsoft.graph.somethingElse")


def test_canonical_walks_complex_values_and_collections():
    value = {"start": "2017-01-01T00:00:00+01:00", "count": 1, "extra": "kept"}
    assert edm.canonical(value, "microsoft.graph.window", TYPES) == {
        "start": "2016-12-31T23:00:00Z",
        "count": 1,
        "extra": "kept",
    }
    assert edm.equal(
        [value],
        [{**value, "start": "2016-12-31T23:00:00Z"}],
        "Collection(microsoft.graph.window)",
        TYPES,
    )
    assert edm.canonical(None, "microsoft.graph.window", TYPES) is None


def test_derived_complex_values_are_judged_by_their_odata_type():
    types = {
        **TYPES,
        "microsoft.graph.target": TypeDef(
            "microsoft.graph.target", "complex", properties=[Property("filterId", "Edm.String")]
        ),
        "microsoft.graph.groupTarget": TypeDef(
            "microsoft.graph.groupTarget",
            "complex",
            properties=[Property("filterId", "Edm.String"), Property("groupId", "Edm.Guid")],
        ),
    }
    group = {"@odata.type": "#microsoft.graph.groupTarget", "groupId": "nope"}
    assert edm.validate(group, "microsoft.graph.target", types, where="t") == [
        "t.groupId: not an Edm.Guid: 'nope'"
    ]
    # A derived type the docs never resolved: its extra properties cannot be judged, known ones can.
    unknown = {"@odata.type": "microsoft.graph.otherTarget", "collectionId": "c", "filterId": 5}
    problems = edm.validate(unknown, "microsoft.graph.target", types, where="t")
    assert len(problems) == 1 and problems[0].startswith("t.filterId:")
    # Without a cast, an unknown property is still reported.
    assert edm.validate({"groupId": "x"}, "microsoft.graph.target", types, where="t") == [
        "t.groupId: not a property of microsoft.graph.target"
    ]


@pytest.mark.parametrize("type_name", ["Edm.Untyped", "microsoft.graph.Json"])
def test_any_json_types_accept_any_value(type_name):
    for value in ([[1, "a"], [None]], {"a": 1}, "x", 3, True, None):
        assert ok(value, type_name)
    assert ok([[1], {"a": 2}], f"Collection({type_name})")
    assert not ok({"a": 1}, f"Collection({type_name})")
