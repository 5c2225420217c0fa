"""The payload strategies: every valid body is valid, every invalid body is invalid, bounds are reached."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from samples import COMPLIANCE, csdl_user_status

from graph_contracts import bodies, contracts, edm
from graph_contracts import strategies as S
from graph_contracts.contracts import Contract, Example, Property, TypeDef
from graph_contracts.edm import ProblemKind

ROOT = Path(__file__).resolve().parent.parent
SEED_CONTRACTS = contracts.load(ROOT / "contracts")
# Derandomized so CI and local runs see the same examples; `find` gets a larger budget and no
# shrinking (the tests ask whether a value is reachable, not for the minimal one).
CHECK = settings(max_examples=150, deadline=None, database=None, derandomize=True)
SEARCH = settings(
    max_examples=5000,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.generate],
)


def _prop(name: str, type_name: str, **kw) -> Property:
    kw.setdefault("nullable", True)  # these synthetic tables document nullability
    return Property(name=name, type=type_name, **kw)


def synthetic() -> Contract:
    """A contract exercising what the seeds lack: complex (self-referencing), collections, flags."""
    address = TypeDef(
        name="microsoft.graph.address",
        kind="complex",
        properties=[
            _prop("street", "Edm.String"),
            _prop("number", "Edm.Int64", nullable=False),
            _prop("tags", "Collection(Edm.String)"),
            _prop("days", "microsoft.graph.dayOfWeek", nullable=False),
            _prop("next", "microsoft.graph.address"),
            _prop("computed", "Edm.String", read_only=True),
        ],
    )
    days = TypeDef(
        name="microsoft.graph.dayOfWeek",
        kind="enum",
        flags=True,
        members=["sunday", "monday", "tuesday", "wednesday"],
    )
    colour = TypeDef(name="microsoft.graph.colour", kind="enum", members=["red", "green", "blue"])
    scalars = [
        "Edm.String",
        "Edm.Boolean",
        "Edm.Byte",
        "Edm.SByte",
        "Edm.Int16",
        "Edm.Int32",
        "Edm.Int64",
        "Edm.Single",
        "Edm.Double",
        "Edm.Decimal",
        "Edm.Guid",
        "Edm.Date",
        "Edm.TimeOfDay",
        "Edm.Duration",
        "Edm.Binary",
        "Edm.DateTimeOffset",
    ]
    props = [
        _prop("id", "Edm.String", key=True, nullable=False),
        _prop("createdDateTime", "Edm.DateTimeOffset", read_only=True),
        _prop("photo", "Edm.Stream"),
        _prop("mystery", "microsoft.graph.neverResolved"),
        _prop("home", "microsoft.graph.address", nullable=False),
        _prop("others", "Collection(microsoft.graph.address)"),
        _prop("days", "microsoft.graph.dayOfWeek"),
        _prop("colours", "Collection(microsoft.graph.colour)", nullable=False),
        _prop("hours", "Collection(Edm.Int32)"),
        *[_prop(f"v{t.split('.')[1]}", t, nullable=i % 2 == 0) for i, t in enumerate(scalars)],
    ]
    return Contract(
        version="beta",
        resource="microsoft.graph.widget",
        paths=["/widgets/{widgetId}"],
        properties=props,
        status=200,
        types={t.name: t for t in (address, days, colour)},
    )


def with_request_example(contract: Contract, body: object) -> Contract:
    example = Example(kind="request", file="update.md", line=20, method="PATCH", body=body)
    return Contract(**{**contract.__dict__, "examples": [example]})


def user_status() -> Contract:
    """beta deviceConfigurationUserStatus as the CSDL defines it (tests/samples.py)."""
    return csdl_user_status()


def install_status() -> Contract:
    """A contract with no enum at all."""
    return Contract(
        version="beta",
        resource="microsoft.graph.userAppInstallStatus",
        paths=["/deviceAppManagement/mobileApps/{a}/userStatuses/{b}"],
        properties=[
            _prop("id", "Edm.String", key=True, nullable=False),
            _prop("installedDeviceCount", "Edm.Int32", nullable=False),
        ],
        status=200,
    )


ALL = [*SEED_CONTRACTS, user_status(), synthetic()]
IDS = [f"{c.id}-{i}" for i, c in enumerate(ALL)]
NEVER_SENT = {"id", "createdDateTime", "photo", "mystery"}


# --- valid payloads ----------------------------------------------------------------------------


@pytest.mark.parametrize("contract", ALL, ids=IDS)
def test_payloads_are_valid_non_empty_and_never_send_the_key(contract: Contract) -> None:
    @CHECK
    @given(S.payloads(contract))
    def check(body: dict) -> None:
        assert body, "empty PATCH body"
        assert S.classify(contract, body) == "valid"
        assert not NEVER_SENT & body.keys()
        assert ("@odata.type" in body) == S.sends_odata_type(contract)
        assert len(body) > ("@odata.type" in body)
        json.dumps(body, ensure_ascii=False).encode("utf-8")  # no lone surrogates

    check()


def test_synthetic_payloads_reach_nested_complex_collections_and_flag_combinations() -> None:
    contract = synthetic()
    find(
        S.payloads(contract),
        lambda b: isinstance((b.get("home") or {}).get("next"), dict),
        settings=SEARCH,
    )
    find(S.payloads(contract), lambda b: len(b.get("others") or []) >= 2, settings=SEARCH)
    find(S.payloads(contract), lambda b: "," in (b.get("days") or ""), settings=SEARCH)
    find(S.payloads(contract), lambda b: len(b) == len(S.generatable(contract)), settings=SEARCH)


def test_generatable_skips_key_read_only_stream_and_unresolved_types() -> None:
    names = {p.name for p in S.generatable(synthetic())}
    assert not NEVER_SENT & names
    assert {"home", "others", "days", "colours", "hours", "vString", "vDateTimeOffset"} <= names


def test_unsupported_types_raise_instead_of_guessing() -> None:
    for name in ("microsoft.graph.neverResolved", "Edm.Stream", "Edm.GeographyPoint"):
        with pytest.raises(S.UnsupportedType):
            S.for_type(name, {})
    with pytest.raises(S.UnsupportedType):
        S.for_type("microsoft.graph.colour", {}, enum=[])


def test_nullable_adds_null_and_non_nullable_never_draws_it() -> None:
    assert (
        find(S.for_type("Edm.Int32", {}, nullable=True), lambda v: v is None, settings=SEARCH)
        is None
    )

    @CHECK
    @given(S.for_type("Edm.Int32", {}))
    def check(value: int) -> None:
        assert value is not None

    check()


@pytest.mark.parametrize("type_name", sorted(edm.INT_RANGES))
def test_integer_strategies_reach_both_bounds(type_name: str) -> None:
    low, high = edm.INT_RANGES[type_name]
    strategy = S.for_type(type_name, {})
    assert find(strategy, lambda v: v >= high, settings=SEARCH) == high
    assert find(strategy, lambda v: v <= low, settings=SEARCH) == low


def test_single_values_survive_float32() -> None:
    @CHECK
    @given(S.for_type("Edm.Single", {}))
    def check(value: float) -> None:
        assert struct.unpack("f", struct.pack("f", value))[0] == value

    check()


def test_strings_reach_whitespace_at_both_ends_and_non_ascii() -> None:
    strings = S.for_type("Edm.String", {})
    find(strings, lambda s: s.strip() and s[0].isspace() and s[-1].isspace(), settings=SEARCH)
    find(strings, lambda s: any(ord(c) > 0xFFFF for c in s), settings=SEARCH)


# --- DateTimeOffset ----------------------------------------------------------------------------


def _fraction_digits(text: str) -> int:
    clock = text.split("T")[1]
    return len(clock.split(".")[1].rstrip("Z").split("+")[0].split("-")[0]) if "." in clock else 0


@pytest.mark.parametrize(
    "label, predicate",
    [
        ("7 fractional digits", lambda s: _fraction_digits(s) == 7),
        ("no fraction", lambda s: _fraction_digits(s) == 0),
        ("Z", lambda s: s.endswith("Z")),
        ("negative offset", lambda s: s[-6] == "-" and s[-5:] != "00:00"),
        ("positive offset", lambda s: s[-6] == "+" and s[-5:] != "00:00"),
        ("+14:00", lambda s: s.endswith("+14:00")),
        ("-14:00", lambda s: s.endswith("-14:00")),
        ("first instant", lambda s: edm.parse_datetimeoffset(s) == 0),
        ("last instant", lambda s: edm.parse_datetimeoffset(s) == edm.MAX_TICKS),
    ],
)
def test_datetimeoffset_reaches(label: str, predicate) -> None:
    find(S.for_type("Edm.DateTimeOffset", {}), predicate, settings=SEARCH)


def test_datetimeoffsets_are_graph_valid() -> None:
    @settings(CHECK, max_examples=500)
    @given(S.for_type("Edm.DateTimeOffset", {}))
    def check(text: str) -> None:
        assert edm.validate(text, "Edm.DateTimeOffset", {}) == []
        assert text.endswith("Z") or abs(int(text[-6:-3])) <= 14

    check()


# --- enum coverage -----------------------------------------------------------------------------


def test_enum_coverage_sends_every_compliance_status_member() -> None:
    contract = user_status()
    bodies = S.enum_coverage(contract)
    assert sorted(b["status"] for b in bodies) == sorted(COMPLIANCE)
    assert all(S.classify(contract, b) == "valid" for b in bodies)
    assert S.enum_coverage(contract) == bodies  # deterministic


def test_enum_coverage_covers_flags_and_collections_in_as_many_bodies_as_the_largest_enum() -> None:
    contract = synthetic()
    bodies = S.enum_coverage(contract)
    assert len(bodies) == 4
    assert {b["days"] for b in bodies if "days" in b} == {
        "sunday",
        "monday",
        "tuesday",
        "wednesday",
    }
    assert {c for b in bodies for c in b.get("colours", [])} == {"red", "green", "blue"}
    assert all(S.classify(contract, b) == "valid" for b in bodies)


@pytest.mark.parametrize("contract", ALL, ids=IDS)
def test_enum_coverage_reaches_every_member_of_every_enum_property(contract: Contract) -> None:
    bodies = S.enum_coverage(contract)
    for prop in S.generatable(contract):
        members = S._members(prop, contract)
        sent = {v for b in bodies if prop.name in b for v in _as_list(b[prop.name])}
        assert sent == set(members), prop.name
    assert all(S.classify(contract, b) == "valid" for b in bodies)


def _as_list(value: object) -> list:
    return value if isinstance(value, list) else [value]


def test_enum_coverage_is_empty_without_enums() -> None:
    assert S.enum_coverage(install_status()) == []


# --- @odata.type -------------------------------------------------------------------------------


def test_odata_type_sent_when_the_docs_request_example_sends_it() -> None:
    contract = with_request_example(
        user_status(),
        {"@odata.type": "#microsoft.graph.deviceConfigurationUserStatus", "devicesCount": 1},
    )
    assert S.sends_odata_type(contract)

    @CHECK
    @given(S.payloads(contract))
    def check(body: dict) -> None:
        assert next(iter(body)) == "@odata.type"
        assert body["@odata.type"] == "#microsoft.graph.deviceConfigurationUserStatus"
        assert len(body) >= 2 and "id" not in body
        assert S.classify(contract, body) == "valid"

    check()
    assert all(b["@odata.type"] == contract.odata_type for b in S.enum_coverage(contract))


def test_odata_type_not_sent_when_only_a_response_example_has_it() -> None:
    contract = user_status()
    response = Example(kind="response", file="u.md", line=40, status=200, body={"@odata.type": "x"})
    contract = Contract(**{**contract.__dict__, "examples": [response]})
    assert not S.sends_odata_type(contract)
    assert "@odata.type" not in find(S.payloads(contract), lambda b: True, settings=SEARCH)


# --- invalid payloads --------------------------------------------------------------------------


def _is_rejected(contract: Contract, payload: S.InvalidPayload) -> bool:
    """The oracle finds problems in the body, and a conforming service's rejection of each is
    documented; the payload's own class is among them."""
    found = bodies.judge(contract, payload.content)
    kinds = {p.kind for p in found}
    return bool(found) and all(k.rejection_documented for k in kinds) and payload.problem in kinds


@pytest.mark.parametrize("contract", ALL, ids=IDS)
def test_every_invalid_payload_is_rejected_by_the_oracle(contract: Contract) -> None:
    # Every candidate is a documented class; for these contracts the oracle drops none.
    candidates = S._candidates(contract)
    for payload in candidates:
        assert payload.problem.rejection_documented, payload
        assert _is_rejected(contract, payload), payload
    catalogue = S.invalid_examples(contract)
    keys = [(p.field, p.problem) for p in catalogue]
    assert len(keys) == len(set(keys)), "one entry per (property, class)"
    assert set(keys) == {(p.field, p.problem) for p in candidates}
    assert all(p in candidates for p in catalogue)

    @CHECK
    @given(S.invalid_payloads(contract))
    def check(payload: S.InvalidPayload) -> None:
        assert _is_rejected(contract, payload), payload
        assert payload.reason and payload.content_type == "application/json"

    check()


K = ProblemKind


def test_invalid_payloads_cover_the_documented_defects() -> None:
    contract = with_request_example(user_status(), {"@odata.type": "#microsoft.graph.x"})
    payloads = S.invalid_examples(contract)
    classes = {(p.field, p.problem): p for p in payloads}
    assert set(classes) == {
        ("devicesCount", K.NULL_NOT_ALLOWED),
        ("devicesCount", K.WRONG_JSON_TYPE),
        ("devicesCount", K.OUT_OF_RANGE),
        ("status", K.NULL_NOT_ALLOWED),
        ("status", K.UNKNOWN_MEMBER),
        ("status", K.WRONG_JSON_TYPE),
        ("lastReportedDateTime", K.NULL_NOT_ALLOWED),
        ("lastReportedDateTime", K.WRONG_JSON_TYPE),
        ("lastReportedDateTime", K.BAD_FORMAT),
        ("userDisplayName", K.WRONG_JSON_TYPE),
        ("userPrincipalName", K.WRONG_JSON_TYPE),
        (S.UNKNOWN_PROPERTY, K.UNKNOWN_PROPERTY),
        ("@odata.type", K.WRONG_ODATA_TYPE),
        (None, K.NOT_AN_OBJECT),
        (None, K.MALFORMED_JSON),
    }
    head = b'{"@odata.type": "#microsoft.graph.deviceConfigurationUserStatus", '
    assert classes["devicesCount", K.WRONG_JSON_TYPE].content == head + b'"devicesCount": 1.5}'
    assert classes["devicesCount", K.OUT_OF_RANGE].content == head + b'"devicesCount": 2147483648}'
    assert b"+14:30" in classes["lastReportedDateTime", K.BAD_FORMAT].content
    # Nullable properties never get a "null" defect.
    assert ("userDisplayName", K.NULL_NOT_ALLOWED) not in classes
    # Every variant stays reachable through the Hypothesis strategy.
    reasons = {p.reason for p in S._candidates(contract)}
    assert {
        "offset beyond ±14:00",
        "UTC instant before year 1",
        "date that does not exist (Feb 30)",
        "non-ISO date-time",
        "object for a scalar",
        "Edm.Int32 below its range",
        "array body",
        "string body",
        "number body",
        "null body",
        "truncated JSON",
        "JSON with a trailing comma",
        "empty body",
    } <= reasons
    find(
        S.invalid_payloads(contract),
        lambda p: b"0001-01-01T00:00:00+05:00" in p.content,
        settings=SEARCH,
    )


def test_the_catalogue_expects_no_rejection_the_docs_do_not_make() -> None:
    """No >7 fractional digits (the ABNF allows 12), no numeric or boolean text (lenient)."""
    contract = synthetic()
    for payload in S._candidates(contract):
        body = payload.content.decode()
        assert "12345678" not in body, payload
        assert payload.problem.rejection_documented, payload
        if payload.field and payload.field.startswith(("vInt", "vDouble", "vSingle", "vDecimal")):
            assert '"12' not in body, payload
        if payload.field == "vBoolean":
            assert '"true"' not in body, payload
    int32 = {p.reason for p in S._candidates(contract) if p.field == "vInt32"}
    assert "numeric string for a number" not in int32 and "fraction for an integer" in int32


def test_invalid_payloads_for_complex_collections_and_flags() -> None:
    reasons = {(p.field, p.reason) for p in S.invalid_examples(synthetic())}
    assert ("home", "number for an object") in reasons
    assert ("home", "unknown nested property") in reasons
    assert ("colours", "single value for a collection") in reasons
    assert ("days", "unknown flags enum member") in reasons
    assert ("hours", "Edm.Int32 above its range (in a collection)") in reasons


def test_classify_routes_bodies_by_documented_rejection() -> None:
    contract = user_status()
    assert (
        S.classify(contract, {"id": "x", "status@odata.type": "#x", "devicesCount": 3}) == "valid"
    )
    assert S.classify(contract, {"other": 1}) == "invalid"
    assert [str(p) for p in bodies.problems(contract, {"other": 1})] == [
        "other: not a property of deviceConfigurationUserStatus"
    ]
    assert S.classify(contract, [1]) == "invalid"
    assert S.classify(contract, {}) == "uncertain"
    assert S.classify(contract, {"userDisplayName": None}) == "valid"  # documented nullable
    unknown = Contract(**{**contract.__dict__, "properties": [Property("n", "Edm.Int64")]})
    assert S.classify(unknown, {"n": None}) == "uncertain"  # nullability unknown
    assert S.classify(unknown, {"n": "12"}) == "uncertain"  # IEEE754Compatible spelling
    assert S.classify(unknown, {"n": "12", "other": 1}) == "uncertain"  # not all documented
    with pytest.raises(ValueError):
        S.parse_body(b'{"devicesCount": NaN}')


# --- Schemathesis formats ----------------------------------------------------------------------


TINY_OPENAPI = {
    "openapi": "3.0.3",
    "info": {"title": "tiny", "version": "1"},
    "paths": {
        "/items/{id}": {
            "patch": {
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "additionalProperties": False,
                                "required": ["when", "guid", "span"],
                                "properties": {
                                    "when": {"type": "string", "format": "date-time"},
                                    "guid": {"type": "string", "format": "uuid"},
                                    "span": {"type": "string", "format": "edm-duration"},
                                },
                            }
                        }
                    },
                },
                "responses": {"200": {"description": "ok"}},
            }
        }
    },
}


def test_registered_formats_make_schemathesis_draw_graph_valid_values() -> None:
    import schemathesis

    S.register_formats()
    S.register_formats()  # idempotent
    operation = schemathesis.openapi.from_dict(TINY_OPENAPI)["/items/{id}"]["PATCH"]
    seen: list[dict] = []

    @settings(SEARCH, max_examples=150)
    @given(operation.as_strategy())
    def check(case) -> None:
        seen.append(case.body)
        assert edm.validate(case.body["when"], "Edm.DateTimeOffset", {}) == []
        assert edm.validate(case.body["guid"], "Edm.Guid", {}) == []
        assert edm.validate(case.body["span"], "Edm.Duration", {}) == []

    check()
    assert len({b["when"] for b in seen}) > 10


def test_duration_and_time_of_day_strategies_are_valid() -> None:
    @CHECK
    @given(st.tuples(S.for_type("Edm.Duration", {}), S.for_type("Edm.TimeOfDay", {})))
    def check(pair: tuple[str, str]) -> None:
        assert edm.validate(pair[0], "Edm.Duration", {}) == []
        assert edm.validate(pair[1], "Edm.TimeOfDay", {}) == []

    check()


# --- what the mock stores is what was sent ------------------------------------------------------


@pytest.mark.parametrize("type_name", sorted(S._EDM))
def test_canonical_values_are_equal_to_the_generated_ones(type_name: str) -> None:
    """The mock stores `edm.canonical` of each value: it must stay valid and equal to the value
    sent, and storing it again must change nothing (round-trip and read-after-write rely on it)."""

    @CHECK
    @given(S.for_type(type_name, {}))
    def check(value) -> None:
        stored = edm.canonical(value, type_name, {})
        assert edm.validate(stored, type_name, {}) == []
        assert edm.equal(value, stored, type_name, {}), (value, stored)
        assert edm.canonical(stored, type_name, {}) == stored

    check()
