"""Edm wire-value semantics: what lint, mock, strategies and checks all agree a valid value is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

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


@pytest.mark.parametrize("value", [True, False, "Integer", 12.0, 1.5, [1], {"a": 1}])
def test_int32_rejects_non_integers_including_bools(value):
    problems = edm.validate(value, "Edm.Int32", TYPES)
    assert len(problems) == 1 and "Edm.Int32" in problems[0]


def test_boolean_accepts_json_booleans_and_the_text_dotnet_converts():
    assert ok(True, "Edm.Boolean") and ok(False, "Edm.Boolean")
    for value in (0, 1, "yes", "True ", None):
        assert ok(value, "Edm.Boolean") is (value is None)
    # "true"/"false" text is lenient (.NET's Boolean.Parse): never a documented defect
    assert ok("true", "Edm.Boolean") and ok("false", "Edm.Boolean")


@pytest.mark.parametrize("type_name", ["Edm.Double", "Edm.Single", "Edm.Decimal"])
def test_floats_accept_numbers_and_the_special_strings(type_name):
    for value in (0, -3, 1.5, 1e10, "INF", "-INF", "NaN"):
        assert ok(value, type_name), value
    for value in ("inf", "Infinity", True, float("inf"), float("nan"), [1.0]):
        assert not ok(value, type_name), value
    # Numeric text is lenient (IEEE754Compatible; the .NET reader converts it): never a
    # documented defect, whatever the numeric type.
    assert ok("1.5", type_name) and ok("-2e3", type_name)


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
        "2017-01-01T00:00:17.77693921Z",  # 8 digits: the ABNF allows 1-12, .NET keeps 7
        "2017-01-01T00:00:17.776939212345+01:00",  # 12 digits
    ],
)
def test_valid_datetimeoffsets(text):
    assert ok(text, "Edm.DateTimeOffset"), edm.validate(text, "Edm.DateTimeOffset", TYPES)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("String (timestamp)", "not an OData DateTimeOffset"),  # seed 002
        ("2017-01-01T00:00:17.7769392123456Z", "not an OData"),  # 13 digits: ABNF allows 12
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
            ["P12DT23H59M59.9S", "PT1H", "P1D", "-PT0.5S", "PT30M", "+PT1S", "PT36H"],
            ["P", "PT", "P1DT", "P1Y", "12:00:00", "PT1.S"],
        ),
        (
            "Edm.TimeOfDay",
            ["00:00", "23:59:59", "12:30:00.1234567", "12:00:00.123456789012"],
            ["24:00:00", "12:60", "12:00:00.1234567890123", "12:00:00.", "noon"],
        ),
        (
            "Edm.Binary",
            ["", "aGVsbG8", "aGVsbG8=", "_-8A", "a+b/", "+/8A"],  # base64url or base64
            ["!!!!", "hello world", "abcde", "a+b_", "aGVsbG8==", "aG=Vs", "aGVsbG=", 12],
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
    # CSDL: Nullable on a collection-valued property is about its items.
    assert ok(None, "Collection(Edm.String)")
    assert ok(["a", None], "Collection(Edm.String)")
    assert not ok(["a", None], "Collection(Edm.String)", nullable=False)


def test_enum_members_from_the_typedef_or_the_property():
    assert ok("nonCompliant", "microsoft.graph.complianceStatus")
    problems = edm.validate("String", "microsoft.graph.complianceStatus", TYPES, where="status")
    assert problems == ["status: 'String' is not a member of microsoft.graph.complianceStatus"]
    assert not ok(3, "microsoft.graph.complianceStatus")  # names, not numeric values
    # Property.enum makes an enum of a type the docs never resolved.
    assert ok("b", "microsoft.graph.unresolved", enum=["a", "b"])
    assert not ok("c", "microsoft.graph.unresolved", enum=["a", "b"])


def kinds(value, type_name, **kw) -> list[edm.ProblemKind]:
    return [p.kind for p in edm.value_problems(value, type_name, TYPES, **kw)]


def test_a_member_in_another_case_is_no_documented_rejection():
    """Graph answers `organizer` where the prose lists `Organizer` (group-update-event.md): the
    .NET readers differ on case, so neither a valid write nor a value a service must refuse."""
    K = edm.ProblemKind
    assert kinds("NonCompliant", "microsoft.graph.complianceStatus") == [K.MEMBER_CASE]
    assert not K.MEMBER_CASE.rejection_documented
    prose = ["None", "Organizer", "Accepted"]
    assert kinds("organizer", "microsoft.graph.responseType", enum=prose) == [K.MEMBER_CASE]
    problem = edm.value_problems("organizer", "microsoft.graph.responseType", TYPES, enum=prose)
    assert "'organizer' for 'Organizer'" in problem[0].message
    # A name unknown in every case is unknown, whatever else the value names (flags).
    assert kinds("MONDAY,sunday", "microsoft.graph.weekDays") == [K.UNKNOWN_MEMBER]
    assert kinds("MONDAY,friday", "microsoft.graph.weekDays") == [K.MEMBER_CASE]


def test_the_enum_types_own_spelling_is_what_a_request_sends():
    """The type's page (or CSDL) spells members as the service does: a value is valid as the type
    spells it; the prose's spelling, or a member only the prose names, is no documented defect."""
    types = {
        "microsoft.graph.responseType": TypeDef(
            "microsoft.graph.responseType", "enum", members=["none", "organizer", "accepted"]
        )
    }
    prose = ["None", "Organizer", "Accepted", "Declined"]
    resolved = edm.resolve("microsoft.graph.responseType", types, prose)
    assert resolved.members == ("none", "organizer", "accepted")
    assert resolved.listed == (
        "none",
        "organizer",
        "accepted",
        "None",
        "Organizer",
        "Accepted",
        "Declined",
    )

    def judged(value: str) -> list[edm.ProblemKind]:
        found = edm.value_problems(value, "microsoft.graph.responseType", types, enum=prose)
        return [p.kind for p in found]

    K = edm.ProblemKind
    assert judged("organizer") == []
    assert judged("Organizer") == [K.MEMBER_CASE]  # the prose's capitalisation
    assert judged("Declined") == judged("declined") == [K.UNLISTED_VALUE]  # the prose's only
    assert judged("tentative") == [K.UNKNOWN_MEMBER]
    # Without the type's members, the prose list is all the docs say.
    assert edm.resolve("microsoft.graph.responseType", {}, prose).members == tuple(prose)


def test_the_evolvable_enum_sentinel_is_unlisted_where_the_list_lacks_it():
    """Where the list has it, the sentinel is `unknown-future-value`: no member a client writes
    ("Do not use."), and no source has a service refuse it: a PATCH leaves the property alone."""
    K = edm.ProblemKind
    assert kinds("unknownFutureValue", "microsoft.graph.complianceStatus") == [K.UNLISTED_VALUE]
    listed = ["a", "unknownFutureValue"]
    assert kinds("unknownFutureValue", "microsoft.graph.x", enum=listed) == [K.SENTINEL]
    assert kinds("unknownFutureValue", "Edm.String", enum=listed) == [K.SENTINEL]
    assert kinds("unknownfuturevalue", "microsoft.graph.x", enum=["a"]) == [K.UNKNOWN_MEMBER]
    assert not K.SENTINEL.rejection_documented


def test_an_enum_whose_members_the_docs_never_give_is_not_judged_by_members():
    types = {"microsoft.graph.bare": TypeDef("microsoft.graph.bare", "enum", members=[])}
    assert edm.value_problems("anything", "microsoft.graph.bare", types) == []
    assert edm.value_problems(3, "microsoft.graph.bare", types)  # still a member name


def test_an_open_complex_type_takes_dynamic_members():
    """CSDL OpenType="true" (identitySet): members no table lists are the type's by design."""
    closed = TypeDef(
        "microsoft.graph.identitySet", "complex", properties=[Property("user", "Edm.String")]
    )
    value = {"user": "u", "applicationInstance": {"id": "a"}}
    found = edm.value_problems(value, "microsoft.graph.identitySet", {closed.name: closed})
    assert [p.where for p in found] == ["value.applicationInstance"]
    opened = TypeDef(closed.name, "complex", properties=closed.properties, open=True)
    assert edm.value_problems(value, closed.name, {closed.name: opened}) == []


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
    bad = {"start": None, "count": True, "tags": ["a", 1], "colour": "red"}
    problems = edm.validate(bad, "microsoft.graph.window", TYPES, where="window")
    assert sorted(problems) == sorted(
        [
            "window.start: null is not allowed",
            "window.count: expected Edm.Int32 as a JSON integer, got boolean True",
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


# --- type kinds -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_name", "enum", "kind"),
    [
        ("Edm.Int32", None, edm.TypeKind.PRIMITIVE),
        ("Edm.Stream", None, edm.TypeKind.PRIMITIVE),
        ("microsoft.graph.complianceStatus", None, edm.TypeKind.ENUM),
        ("Edm.String", ["a", "b"], edm.TypeKind.PRIMITIVE),  # "possible values" of a String
        ("microsoft.graph.unresolved", ["a"], edm.TypeKind.ENUM),
        ("microsoft.graph.window", None, edm.TypeKind.COMPLEX),
        ("Collection(Edm.String)", None, edm.TypeKind.COLLECTION),
        ("Edm.Untyped", None, edm.TypeKind.ANY_JSON),
        ("microsoft.graph.Json", None, edm.TypeKind.ANY_JSON),
        ("microsoft.graph.neverResolved", None, edm.TypeKind.UNRESOLVED),
    ],
)
def test_resolve_gives_each_type_one_kind(type_name, enum, kind):
    assert edm.resolve(type_name, TYPES, enum).kind is kind


def test_resolve_collections_flags_and_members():
    many = edm.resolve("Collection(microsoft.graph.weekDays)", TYPES)
    assert many.item is not None and many.item.kind is edm.TypeKind.ENUM
    assert many.item.flags and many.item.members == ("monday", "tuesday", "friday")
    inline = edm.resolve("Collection(microsoft.graph.complianceStatus)", TYPES, ["x"])
    # The type's own members are what is sent; the property's inline list only widens `listed`.
    assert inline.item.members == tuple(COMPLIANCE) and inline.item.listed[-1] == "x"
    assert edm.resolve("microsoft.graph.window", TYPES).typedef is TYPES["microsoft.graph.window"]
    listed = edm.resolve("Edm.String", TYPES, ["a", "b"])
    assert listed.members == ("a", "b") and edm.validate("c", "Edm.String", TYPES, enum=["a"]) == []


# --- typed problems -------------------------------------------------------------------------

K = edm.ProblemKind


@pytest.mark.parametrize(
    ("value", "type_name", "nullable", "kinds"),
    [
        ("12", "Edm.Int32", True, [K.LENIENT_STRING]),
        (True, "Edm.Int32", True, [K.WRONG_JSON_TYPE]),
        (12, "Edm.String", True, [K.WRONG_JSON_TYPE]),
        ({}, "Edm.Boolean", True, [K.WRONG_JSON_TYPE]),
        ("a", "Collection(Edm.String)", True, [K.WRONG_JSON_TYPE]),
        (12, "microsoft.graph.window", True, [K.WRONG_JSON_TYPE]),
        ("12", "Edm.Int64", True, [K.LENIENT_STRING]),
        ("-12.5e3", "Edm.Decimal", True, [K.LENIENT_STRING]),
        ("12.5", "Edm.Double", True, [K.LENIENT_STRING]),
        ("true", "Edm.Boolean", True, [K.LENIENT_STRING]),
        ("twelve", "Edm.Int32", True, [K.WRONG_JSON_TYPE]),
        ("9223372036854775808", "Edm.Int64", True, [K.OUT_OF_RANGE]),
        (2**31, "Edm.Int32", True, [K.OUT_OF_RANGE]),
        (1e39, "Edm.Single", True, [K.OUT_OF_RANGE]),
        ("bogus", "microsoft.graph.complianceStatus", True, [K.UNKNOWN_MEMBER]),
        ("monday,sunday", "microsoft.graph.weekDays", True, [K.UNKNOWN_MEMBER]),
        ("2021-01-01T00:00:00+14:30", "Edm.DateTimeOffset", True, [K.BAD_FORMAT]),
        ("0001-01-01T00:00:00+05:00", "Edm.DateTimeOffset", True, [K.BAD_FORMAT]),
        ("P", "Edm.Duration", True, [K.BAD_FORMAT]),
        ("not-a-guid", "Edm.Guid", True, [K.BAD_FORMAT]),
        (None, "Edm.Int32", False, [K.NULL_NOT_ALLOWED]),
        (None, "Edm.Int32", None, [K.NULL_NULLABILITY_UNKNOWN]),
        ("a\ud800b", "Edm.String", True, [K.LONE_SURROGATE]),
        ("\udfff", "microsoft.graph.complianceStatus", True, [K.LONE_SURROGATE]),
        ({"\ud800": 1}, "microsoft.graph.window", True, [K.LONE_SURROGATE]),
        ({"colour": "red"}, "microsoft.graph.window", True, [K.UNKNOWN_PROPERTY]),
        ({"a": ["\ud800"]}, "Edm.Untyped", True, [K.LONE_SURROGATE]),
        ({"deep": {"\udc00x": 1}}, "microsoft.graph.neverResolved", True, [K.LONE_SURROGATE]),
        # Valid values produce nothing, whatever their spelling.
        ("\U0001f600 paired", "Edm.String", True, []),
        ("2017-01-01T00:00:17.776939212345Z", "Edm.DateTimeOffset", True, []),
        ("AAEC", "Edm.Binary", True, []),
        ({"type": "Point", "coordinates": [1, 2]}, "Edm.GeographyPoint", True, []),
        (None, "Edm.Int32", True, []),
    ],
)
def test_value_problems_are_typed(value, type_name, nullable, kinds):
    problems = edm.value_problems(value, type_name, TYPES, nullable=nullable, where="p")
    assert [p.kind for p in problems] == kinds
    assert all(str(p).startswith("p") for p in problems)


def test_a_string_outside_its_listed_values_is_uncertain_not_invalid():
    """extensionSchemaProperty.type lists five values; the docs do not say others are refused."""
    listed = ["Binary", "Boolean", "DateTime", "Integer", "String"]
    found = edm.value_problems("new-type-value", "Edm.String", TYPES, enum=listed, where="type")
    assert [p.kind for p in found] == [K.UNLISTED_VALUE]
    assert not found[0].kind.rejection_documented and "'new-type-value'" in str(found[0])
    assert edm.value_problems("Integer", "Edm.String", TYPES, enum=listed) == []
    assert edm.value_problems("anything", "Edm.String", TYPES) == []  # no list: any string


def test_every_problem_kind_carries_its_documentation_and_source():
    undocumented = {k for k in K if not k.rejection_documented}
    assert undocumented == {
        K.EMPTY_BODY,
        K.LENIENT_STRING,
        K.NULL_NULLABILITY_UNKNOWN,
        K.UNKNOWN_DERIVED_TYPE,
        K.UNLISTED_VALUE,
        K.MEMBER_CASE,
        K.SENTINEL,
    }
    for kind in K:
        assert kind.source and kind.meaning and K(kind.label) is kind
        assert f"| `{kind.label}` |" in edm.PROBLEM_KINDS_MARKDOWN
    assert edm.PROBLEM_KINDS_MARKDOWN.count("\n") == len(K) + 2


def test_validate_reports_only_documented_rejections():
    assert edm.validate("12", "Edm.Int64", TYPES) == []
    assert edm.validate(None, "Edm.Int32", TYPES, nullable=None) == []
    assert edm.validate("12", "Edm.Int32", TYPES) == []  # lenient, not a documented defect
    assert edm.validate(True, "Edm.Int32", TYPES) != []


def test_lone_surrogate_messages_are_printable_utf8():
    (problem,) = edm.value_problems({"\ud800": 1}, "microsoft.graph.window", TYPES, where="w")
    str(problem).encode("utf-8")  # no UnicodeEncodeError: the name is escaped
    assert "\\ud800" in problem.where


# --- semantic equality ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_name", "a", "b"),
    [
        ("Edm.DateTimeOffset", "2017-01-01T00:00:17.7769392-08:00", "2017-01-01T08:00:17.7769392Z"),
        ("Edm.DateTimeOffset", "2017-01-01T00:00:17.123456789Z", "2017-01-01T00:00:17.1234567Z"),
        ("Edm.DateTimeOffset", "2017-01-01T00:00:17.12345675Z", "2017-01-01T00:00:17.1234568Z"),
        ("Edm.DateTimeOffset", "2017-01-01T08:00Z", "2017-01-01T08:00:00.0000000Z"),
        ("Edm.Duration", "PT60S", "PT1M"),
        ("Edm.Duration", "P1D", "PT24H"),
        ("Edm.Duration", "PT1.10S", "PT1.1S"),
        ("Edm.Duration", "-PT90M", "-PT1H30M"),
        ("Edm.Duration", "+PT1S", "PT1S"),
        ("Edm.TimeOfDay", "12:30", "12:30:00.0000000"),
        ("Edm.TimeOfDay", "12:30:00.12345678", "12:30:00.1234567"),
        ("Edm.Date", "2021-07-01", "2021-07-01"),
        (
            "Edm.Guid",
            "BD2B1A23-1A23-BD2B-231A-2BBD231A2BBD",
            "bd2b1a23-1a23-bd2b-231a-2bbd231a2bbd",
        ),
        ("Edm.Decimal", 1.5, 1.50),
        ("Edm.Decimal", "1.50", 1.5),  # lenient string
        ("Edm.Decimal", 10, "1e1"),
        ("Edm.Double", 2, 2.0),
        ("Edm.Double", "NaN", "NaN"),
        ("Edm.Double", "INF", float("inf")),
        ("Edm.Double", "NaN", float("nan")),
        ("Edm.Single", 1.1, 1.100000023841858),
        ("Edm.Single", "-INF", "-INF"),
        ("Edm.Int32", 1, 1.0),
        ("Edm.Byte", 255, 255.0),
        ("Edm.Int64", "12", 12),  # lenient string
        ("Edm.Boolean", False, False),
        ("Edm.String", "ä", "ä"),
        ("Edm.Binary", "aGVsbG8", "aGVsbG8="),
        ("Edm.Binary", "_-8A", "/+8A"),  # base64url and base64
        ("microsoft.graph.weekDays", "friday,monday", "monday, friday"),
        ("Collection(Edm.Duration)", ["PT1H", "P1D"], ["PT60M", "PT24H"]),
        ("microsoft.graph.window", {"count": 1, "days": None}, {"count": 1.0}),  # null == absent
        (
            "microsoft.graph.window",
            {"@odata.type": "#microsoft.graph.window", "start": "2017-01-01T00:00:00+01:00"},
            {"start": "2016-12-31T23:00:00Z"},  # annotations are not values
        ),
    ],
)
def test_equal_values_in_other_spellings(type_name, a, b):
    assert edm.equal(a, b, type_name, TYPES)
    assert edm.equal(b, a, type_name, TYPES)


@pytest.mark.parametrize(
    ("type_name", "a", "b"),
    [
        ("Edm.DateTimeOffset", "2017-01-01T08:00:17.7769392Z", "2017-01-01T08:00:17.7769393Z"),
        ("Edm.DateTimeOffset", "2017-01-01T00:00:17.7769392-08:00", "2017-01-01T00:00:17.7769392Z"),
        ("Edm.Duration", "PT1M", "PT61S"),
        ("Edm.Duration", "PT1H", "-PT1H"),
        ("Edm.Duration", "PT0.0000001S", "PT0S"),  # one tick
        ("Edm.TimeOfDay", "12:30", "12:31"),
        ("Edm.Date", "2021-07-01", "2021-07-02"),
        (
            "Edm.Guid",
            "bd2b1a23-1a23-bd2b-231a-2bbd231a2bbd",
            "bd2b1a23-1a23-bd2b-231a-2bbd231a2bbe",
        ),
        ("Edm.Decimal", 1.5, 1.51),
        ("Edm.Decimal", "NaN", 0),
        ("Edm.Double", "NaN", "INF"),
        ("Edm.Double", 1.1, 1.100000023841858),
        ("Edm.Int32", 1, 2),
        ("Edm.Int32", 1, True),
        ("Edm.Int32", "1", 2),  # lenient text is compared as the number it names
        ("Edm.Boolean", True, 1),
        ("Edm.Boolean", False, None),
        ("Edm.Binary", "aGVsbG8", "aGVsbGE"),  # hello, hella
        ("microsoft.graph.weekDays", "monday", "monday,friday"),
        ("microsoft.graph.complianceStatus", "compliant", "Compliant"),
        ("Collection(Edm.Int32)", [1, 2], [2, 1]),  # order matters
        ("Collection(Edm.Int32)", [1, 2], [1, 2, 3]),
        ("microsoft.graph.window", {"count": 1}, {"count": 1, "tags": ["x"]}),  # equal is symmetric
        ("Edm.String", "a", "a "),
        ("Edm.DateTimeOffset", "garbage", "2017-01-01T00:00:00Z"),
    ],
)
def test_unequal_values(type_name, a, b):
    assert not edm.equal(a, b, type_name, TYPES)
    assert not edm.equal(b, a, type_name, TYPES)


def test_values_that_do_not_parse_equal_only_themselves():
    assert edm.equal("garbage", "garbage", "Edm.Duration", TYPES)
    assert not edm.equal("garbage", "PT1S", "Edm.Duration", TYPES)
    assert edm.equal(None, None, "Edm.Guid", TYPES)
    assert not edm.equal(None, "PT1S", "Edm.Duration", TYPES)


# --- compare: what was sent against what came back ------------------------------------------

SETTINGS_TYPES = {
    **TYPES,
    "microsoft.graph.settings": TypeDef(
        "microsoft.graph.settings",
        "complex",
        properties=[
            Property("mode", "Edm.String"),
            Property("span", "Edm.Duration"),
            Property("window", "microsoft.graph.window"),
            Property("windows", "Collection(microsoft.graph.window)"),
        ],
    ),
}


def test_compare_nested_complex_values_on_the_members_sent():
    sent = {
        "@odata.type": "#microsoft.graph.settings",
        "mode": "a",
        "span": "PT60S",
        "window": {"@odata.type": "#microsoft.graph.window", "days": "friday,monday"},
    }
    got = {
        "mode": "a",
        "span": "PT1M",
        "extra": True,
        "window": {"days": "monday,friday", "count": 0, "tags": []},
    }
    result = edm.compare(sent, got, "microsoft.graph.settings", SETTINGS_TYPES, where="settings")
    assert result.ok and result.mismatches == []
    assert result.added == ["settings.window.count", "settings.window.tags", "settings.extra"]
    assert result.annotations == ["settings.@odata.type", "settings.window.@odata.type"]
    # An echoed annotation is not reported.
    echoed = edm.compare(
        sent,
        {**got, "@odata.type": sent["@odata.type"]},
        "microsoft.graph.settings",
        SETTINGS_TYPES,
    )
    assert echoed.annotations == ["window.@odata.type"]


def test_compare_names_the_path_of_every_mismatch():
    sent = {"mode": "a", "window": {"count": 1, "start": "2017-01-01T00:00:00Z"}}
    got = {"mode": "b", "window": {"start": "2017-01-01T00:00:01Z"}}
    result = edm.compare(sent, got, "microsoft.graph.settings", SETTINGS_TYPES, where="settings")
    assert not result.ok
    assert result.mismatches == [
        "settings.mode: sent 'a', got 'b'",
        "settings.window.count: sent 1, missing from the reply",
        "settings.window.start: sent '2017-01-01T00:00:00Z', got '2017-01-01T00:00:01Z'",
    ]


def test_compare_collections_by_order_and_length_items_alike():
    sent = {"windows": [{"count": 1}, {"count": 2}]}
    added = {"windows": [{"count": 1, "tags": []}, {"count": 2.0}]}
    result = edm.compare(sent, added, "microsoft.graph.settings", SETTINGS_TYPES)
    assert result.ok and result.added == ["windows[0].tags"]
    swapped = edm.compare(
        sent, {"windows": [{"count": 2}, {"count": 1}]}, "microsoft.graph.settings", SETTINGS_TYPES
    )
    assert swapped.mismatches == [
        "windows[0].count: sent 1, got 2",
        "windows[1].count: sent 2, got 1",
    ]
    cut = edm.compare(sent, {"windows": [{"count": 1}]}, "microsoft.graph.settings", SETTINGS_TYPES)
    assert cut.mismatches == ["windows: sent 2 items, got 1"]
    scalars = edm.compare(["PT1H"], ["PT60M"], "Collection(Edm.Duration)", TYPES, where="spans")
    assert scalars.ok
    assert edm.compare([1], [2], "Collection(Edm.Int32)", TYPES, where="n").mismatches == [
        "n[0]: sent 1, got 2"
    ]


def test_compare_open_and_unknown_members_as_json():
    sent = {"custom": {"a": 1, "b": [1, 2]}, "mode": "x"}
    got = {"custom": {"a": 1, "b": [1, 2], "c": 3}, "mode": "x"}
    result = edm.compare(sent, got, "microsoft.graph.settings", SETTINGS_TYPES)
    assert result.ok and result.added == ["custom.c"]
    bad = edm.compare(
        sent, {**got, "custom": {"a": 2, "b": [1, 2]}}, "microsoft.graph.settings", SETTINGS_TYPES
    )
    assert bad.mismatches == ["custom.a: sent 1, got 2"]
    assert edm.compare({"a": 1}, {"a": 1, "z": 0}, "microsoft.graph.neverResolved", TYPES).ok


def test_compare_a_scalar_and_a_kind_change():
    assert edm.compare("PT1M", "PT60S", "Edm.Duration", TYPES, where="span").ok
    assert edm.compare(
        {"count": 1}, "x", "microsoft.graph.window", TYPES, where="w"
    ).mismatches == ["w: sent {'count': 1}, got 'x'"]


# --- canonical: what the mock stores --------------------------------------------------------


@pytest.mark.parametrize(
    ("type_name", "value", "stored"),
    [
        (
            "Edm.DateTimeOffset",
            "2017-01-01T00:00:17.123456789-01:00",
            "2017-01-01T01:00:17.1234567Z",
        ),
        ("Edm.Duration", "PT60S", "PT1M"),
        ("Edm.Duration", "-PT36H0.50S", "-P1DT12H0.5S"),
        ("Edm.Duration", "PT0S", "PT0S"),
        ("Edm.TimeOfDay", "12:30", "12:30:00.0000000"),
        (
            "Edm.Guid",
            "BD2B1A23-1A23-BD2B-231A-2BBD231A2BBD",
            "bd2b1a23-1a23-bd2b-231a-2bbd231a2bbd",
        ),
        ("Edm.Binary", "_-8A", "/+8A"),
        ("Edm.Binary", "aGVsbG8", "aGVsbG8="),
        ("Edm.Int64", "12", 12),
        ("Edm.Decimal", "12.50", 12.5),
        ("Edm.Decimal", "12", 12),
        ("Edm.Decimal", "NaN", "NaN"),
        ("Edm.Int32", "12", 12),  # lenient text, stored as .NET converts it
        ("Edm.Boolean", "true", True),
        ("Edm.Int32", "twelve", "twelve"),  # invalid: unchanged
        ("Edm.Duration", "nope", "nope"),
    ],
)
def test_canonical_is_how_dotnet_writes_the_value(type_name, value, stored):
    assert edm.canonical(value, type_name, TYPES) == stored
    assert edm.equal(value, stored, type_name, TYPES)  # the stored value is the value sent


def test_the_manual_prints_the_problem_kinds_table():
    """The manual's table is the oracle's: a new kind that is not documented there fails."""
    page = Path(__file__).resolve().parent.parent / "docs" / "checks.md"
    assert edm.PROBLEM_KINDS_MARKDOWN.strip() in page.read_text(encoding="utf-8")


def test_the_sources_name_the_dotnet_stack_where_it_is_the_source():
    """OData's ABNF allows `+14:30` and says nothing of refusing a foreign `@odata.type`: Graph's
    .NET OData stack is what refuses both, and the table must say so."""
    for kind in (K.BAD_FORMAT, K.WRONG_ODATA_TYPE):
        assert "Graph's .NET" in kind.source, kind
    assert "`+14:30`" in K.BAD_FORMAT.source
    assert edm.value_problems("2021-01-01T00:00:00+14:30", "Edm.DateTimeOffset", TYPES)


def test_a_decimal_read_from_a_reply_is_compared_by_its_digits():
    """`9.007199254740993E15` is 9007199254740993, which no double holds: read as a double it
    would equal ...992, and a service that lost the digit would pass."""
    import json

    exact = json.loads("[9.007199254740993E15, 9.007199254740992E15]", parse_float=edm.JsonNumber)
    assert edm.equal(9_007_199_254_740_993, exact[0], "Edm.Decimal", TYPES)
    assert not edm.equal(9_007_199_254_740_993, exact[1], "Edm.Decimal", TYPES)
    assert not edm.equal(9_007_199_254_740_993, 9007199254740992.0, "Edm.Decimal", TYPES)
    # Everything else sees the float it is; it writes back as one.
    assert exact[0] == 9007199254740992.0 and repr(exact[0]) == "9.007199254740993E15"
    assert edm.value_problems(exact[0], "Edm.Double", TYPES) == []
    assert json.dumps(exact[0]) == "9007199254740992.0"
