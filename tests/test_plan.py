"""The minimal covering plan: its bound, its validity, its coverage, and coverage of any body."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph_contracts import contracts, edm, plan, strategies
from graph_contracts.auth import StaticToken
from graph_contracts.client import GraphClient, InProcessTransport
from graph_contracts.contracts import Contract, Example, Property, TypeDef
from graph_contracts.discovery import Discoverer, Resolved
from graph_contracts.extract import extract_paths
from graph_contracts.mock import create_app

ROOT = Path(__file__).resolve().parent.parent
SEED_CONTRACTS = contracts.load(ROOT / "contracts")
CORPUS_SAMPLE_STEP = 4  # every 4th corpus contract by id: 243 of 970, a few seconds


def _prop(name: str, type_name: str, **kw) -> Property:
    return Property(name=name, type=type_name, **kw)


def _enum(name: str, members: list[str], flags: bool = False) -> TypeDef:
    return TypeDef(f"microsoft.graph.{name}", "enum", members=members, flags=flags)


def _complex(name: str, *props: Property) -> TypeDef:
    return TypeDef(f"microsoft.graph.{name}", "complex", properties=list(props))


def widget() -> Contract:
    """Every kind the plan handles: nested and collection enums, flags, depth, what it skips."""
    types = [
        _enum("widgetMode", ["off", "on", "auto"]),
        _enum("widgetPermission", ["read", "write", "admin", "owner"], flags=True),
        _enum("widgetLevel", ["low", "mid", "high", "higher", "max"]),
        _enum("widgetColor", ["red", "green", "blue", "cyan", "magenta", "yellow"]),
        _enum("widgetAction", [f"a{i}" for i in range(1, 8)]),
        _enum("widgetNothing", []),
        _complex("widgetInner", _prop("color", "microsoft.graph.widgetColor")),
        _complex(
            "widgetSettings",
            _prop("level", "microsoft.graph.widgetLevel", nullable=False),
            _prop("note", "Edm.String"),
            _prop("inner", "microsoft.graph.widgetInner"),
            _prop("secret", "Edm.String", read_only=True),
            _prop("icon", "Edm.Stream", nullable=False),  # never sent, as strategies skip it
        ),
        _complex(
            "widgetRule",
            _prop("action", "microsoft.graph.widgetAction"),
            _prop("weight", "Edm.Int64"),
        ),
        _complex(
            "widgetNode", _prop("label", "Edm.String"), _prop("child", "microsoft.graph.widgetNode")
        ),
    ]
    properties = [
        _prop("id", "Edm.String", key=True, nullable=False),
        _prop("name", "Edm.String"),
        _prop("count", "Edm.Int32"),
        _prop("small", "Edm.Byte"),
        _prop("ratio", "Edm.Double"),
        _prop("enabled", "Edm.Boolean"),
        _prop("when", "Edm.DateTimeOffset"),
        _prop("guid", "Edm.Guid"),
        _prop("day", "Edm.Date"),
        _prop("time", "Edm.TimeOfDay"),
        _prop("span", "Edm.Duration"),
        _prop("blob", "Edm.Binary"),
        _prop("tags", "Collection(Edm.String)"),
        _prop("mode", "microsoft.graph.widgetMode"),
        _prop("perms", "microsoft.graph.widgetPermission"),
        _prop("settings", "microsoft.graph.widgetSettings"),
        _prop("rules", "Collection(microsoft.graph.widgetRule)"),
        _prop("tree", "microsoft.graph.widgetNode"),
        _prop("photo", "Edm.Stream"),
        _prop("mystery", "microsoft.graph.notDocumented"),
        _prop("nothing", "microsoft.graph.widgetNothing"),
        _prop("created", "Edm.DateTimeOffset", read_only=True),
    ]
    example = Example("request", "widget.md", 1, "PATCH", body={"@odata.type": "#x", "name": "n"})
    return Contract(
        version="beta",
        resource="microsoft.graph.widget",
        paths=["/widgets/{widgetId}"],
        properties=properties,
        status=200,
        types={t.name: t for t in types},
        examples=[example],
    )


def _seed(name: str) -> Contract:
    return next(c for c in SEED_CONTRACTS if c.name == name)


def _complete(contract: Contract, found: plan.Plan) -> bool:
    got = plan.coverage(
        contract,
        found.valid,
        [plan.invalid_class(p) for p in found.invalid],
        wanted=found.targets,
    )
    counts = (got.properties, got.enum_members, got.boundaries, got.invalid)
    return all(c.hit == c.total for c in counts)


def _check_plan(contract: Contract) -> plan.Plan:
    """What holds for every plan: the bound, oracle-valid bodies, 100 % of its own targets."""
    found = plan.minimal_plan(contract)
    largest = found.targets.largest_enum
    assert found.bound == max(largest, 2) + 2
    assert len(found.valid) <= found.bound, contract.id
    if largest < 3 and len(found.valid) == 4:  # only an Int32 or Int64 needs a fourth value
        edges = ("int32-beyond-float32", "int64-beyond-double")
        assert any(n.endswith(edges) for n in found.targets.boundaries), contract.id
    for body in found.valid:
        assert strategies.classify(contract, body) == "valid", (contract.id, body)
        if strategies.sends_odata_type(contract):
            assert next(iter(body)) == "@odata.type"
            assert body["@odata.type"] == contract.odata_type
        assert len(body) > ("@odata.type" in body), "a body that sets nothing"
    for payload in found.invalid:
        try:
            parsed = strategies.parse_body(payload.content)
        except ValueError:
            continue
        assert strategies.classify(contract, parsed) == "invalid", (contract.id, payload)
    assert _complete(contract, found), contract.id
    generatable = tuple(p.name for p in strategies.generatable(contract))
    assert found.targets.properties == generatable, contract.id
    return found


# --- the seeds --------------------------------------------------------------------------------


@pytest.mark.parametrize("contract", SEED_CONTRACTS, ids=lambda c: c.id)
def test_seed_plans_hold(contract: Contract) -> None:
    _check_plan(contract)


def test_seed_plan_sizes() -> None:
    """complianceStatus has 8 members: 8 bodies; four Int32 counts and no enum: 4 bodies."""
    user_status = plan.minimal_plan(_seed("deviceConfigurationUserStatus"))
    assert len(user_status.valid) == 8 == user_status.targets.largest_enum
    assert [b["status"] for b in user_status.valid] == [
        "unknown",
        "notApplicable",
        "compliant",
        "remediated",
        "nonCompliant",
        "error",
        "conflict",
        "notAssigned",
    ]
    assert [b.get("devicesCount") for b in user_status.valid[:5]] == [
        2**31 - 1,
        -(2**31),
        0,
        2**24 + 1,  # 16,777,217: a float32 keeps 16,777,216
        None,
    ]
    # One value per class unless an earlier value hits it too: " Grüße, 世界 🌍 " is both
    # non-ASCII and padded; 7 digits ride on the +14:00 value.
    assert [b.get("userDisplayName") for b in user_status.valid[:3]] == [
        plan.PADDED_TEXT,
        "",
        None,
    ]
    assert [b.get("lastReportedDateTime") for b in user_status.valid[:3]] == [
        "2021-07-01T12:34:56.1234567+14:00",
        "2021-07-01T12:34:56.7654321-14:00",
        None,
    ]
    app_status = plan.minimal_plan(_seed("userAppInstallStatus"))
    assert app_status.targets.largest_enum == 0
    assert [b["installedDeviceCount"] for b in app_status.valid] == [
        2**31 - 1,
        -(2**31),
        0,
        16_777_217,
    ]
    assert app_status.bound == 4  # "largest enum + 2" would be 2: see Targets.bound


def test_plan_is_deterministic() -> None:
    for contract in [*SEED_CONTRACTS, widget()]:
        first, second = plan.minimal_plan(contract), plan.minimal_plan(contract)
        assert json.dumps(first.valid) == json.dumps(second.valid)
        assert [p.content for p in first.invalid] == [p.content for p in second.invalid]


def test_every_plan_body_is_needed() -> None:
    """Minimal: without any one of its bodies the plan misses a target."""
    for contract in [*SEED_CONTRACTS, widget()]:
        found = plan.minimal_plan(contract)
        for k in range(len(found.valid)):
            fewer = plan.Plan(
                found.contract,
                found.valid[:k] + found.valid[k + 1 :],
                found.invalid,
                found.uncovered,
                found.targets,
            )
            assert not _complete(contract, fewer), (contract.id, k)


def test_invalid_classes_are_named_stably_one_body_each() -> None:
    found = plan.minimal_plan(_seed("deviceConfigurationUserStatus"))
    names = [plan.invalid_class(p) for p in found.invalid]
    assert len(names) == len(set(names)) == len(found.targets.invalid)
    assert "devicesCount:out-of-range" in names
    assert "lastReportedDateTime:bad-format" in names
    assert "status:unknown-member" in names
    assert {"body:unknown-property", "body:wrong-odata-type", "body:malformed-json"} <= set(names)
    # The catalogue is one body per (property, problem kind): the plan sends each once.
    catalogue = strategies.invalid_examples(_seed("deviceConfigurationUserStatus"))
    assert [p.content for p in catalogue] == [p.content for p in found.invalid]


# --- nested values, and what is left out ------------------------------------------------------


def test_nested_enum_members_and_boundaries_are_targets() -> None:
    wanted = plan.targets(widget())
    assert wanted.largest_enum == 7
    members = set(wanted.enum_members)
    assert {f"settings.level:enum-{m}" for m in ["low", "mid", "high", "higher", "max"]} <= members
    assert "settings.inner.color:enum-yellow" in members
    assert {f"rules[].action:enum-a{i}" for i in range(1, 8)} <= members
    assert {f"perms:enum-{m}" for m in ["read", "write", "admin", "owner"]} <= members
    boundaries = set(wanted.boundaries)
    assert {
        "count:int32-max",
        "count:int32-min",
        "count:int32-zero",
        "small:byte-min",
        "ratio:double-fraction",
        "when:datetimeoffset-minus-14",
        "span:duration-days-fraction",
        "blob:binary-bytes",
        "tags:collection-empty",
        "tags[]:string-empty",
        "settings.note:written",
        "settings.inner:written",
        "rules[].weight:int64-max",
        "tree.child.child.label:written",
    } <= boundaries
    assert not any(n.startswith("settings.secret") for n in boundaries)  # read-only member
    assert not any("tree.child.child.child" in n for n in boundaries)  # beyond MAX_DEPTH


def test_widget_plan_packs_collections_and_complex_values() -> None:
    """Six bodies: the largest scalar enum (settings.inner.color); rules carries all 7 actions."""
    contract = widget()
    found = _check_plan(contract)
    assert len(found.valid) == 6
    first = found.valid[0]
    assert [r["action"] for r in first["rules"]] == [f"a{i}" for i in range(1, 8)]
    assert found.valid[1]["rules"] == []
    assert [b["settings"]["inner"]["color"] for b in found.valid] == [
        "red",
        "green",
        "blue",
        "cyan",
        "magenta",
        "yellow",
    ]
    assert found.valid[5]["settings"]["level"] == "max"  # its 5th value, kept once used up
    # a flags enum: each member alone, then all of them together
    assert [b.get("perms") for b in found.valid] == [
        "read",
        "write",
        "admin",
        "owner",
        "read,write,admin,owner",
        None,
    ]
    assert (
        first["blob"] == "R3JhcGg0MDk2" and first["small"] == 255 and found.valid[1]["small"] == 0
    )
    assert "id" not in first and "created" not in first and "photo" not in first


def test_left_out_properties_are_listed_with_a_reason() -> None:
    found = plan.minimal_plan(widget())
    reasons = {u.path: u.reason for u in found.uncovered}
    assert set(reasons) == {
        "photo",
        "mystery",
        "nothing",
        "tree.child.child.child",
        "settings.icon",
    }
    assert "Edm.Stream" in reasons["photo"] and "Edm.Stream" in reasons["settings.icon"]
    assert "not resolved" in reasons["mystery"]
    assert "no members" in reasons["nothing"]
    assert "deeper than 3" in reasons["tree.child.child.child"]
    assert not any(key in body for body in found.valid for key in ("photo", "mystery", "nothing"))


def test_targets_follow_what_strategies_can_generate() -> None:
    """One property per Edm primitive: the plan's table and the strategies agree on each."""
    names = [
        *edm.INT_RANGES,
        *sorted(edm.FLOATS),
        "Edm.String",
        "Edm.Boolean",
        "Edm.Guid",
        "Edm.Date",
        "Edm.TimeOfDay",
        "Edm.Duration",
        "Edm.Binary",
        "Edm.DateTimeOffset",
        "Edm.Stream",
        "Edm.Untyped",
        "Edm.GeographyPoint",
    ]
    props = [_prop(f"p{i}", name) for i, name in enumerate(names)]
    contract = Contract("beta", "microsoft.graph.all", ["/all/{allId}"], props, 200)
    assert plan.targets(contract).properties == tuple(
        p.name for p in strategies.generatable(contract)
    )
    assert len(plan.targets(contract).properties) == len(names) - 3


def test_documented_string_values_are_written_each_once() -> None:
    """An `Edm.String` whose table lists its values is sent as those values, each a target."""
    props = [_prop("shade", "Edm.String", enum=["light", "dark", "light"])]
    contract = Contract("beta", "microsoft.graph.paint", ["/paints/{paintId}"], props, 200)
    found = _check_plan(contract)
    assert found.targets.enum_members == ("shade:enum-light", "shade:enum-dark")
    assert [b["shade"] for b in found.valid] == ["light", "dark"]


# --- coverage of any body ---------------------------------------------------------------------


def test_coverage_counts_exactly_what_bodies_hit() -> None:
    """Hand-made bodies with values the plan never sends: each class counted by the table."""
    contract = widget()
    wanted = plan.targets(contract)
    written = [
        {
            "count": 0,
            "mode": "on",
            "perms": "read,admin",
            "name": "  plain",
            "settings": {"level": "low"},
            "tags": [],
        },
        {
            "count": 5,
            "when": "2021-01-01T00:00:00.123+14:00",
            "rules": [{"action": "a1"}],
            "enabled": False,
            "name": None,
            "ratio": None,  # null writes no value: ratio stays unwritten
        },
        ["not", "a", "body"],
    ]
    rejected = ["count:out-of-range", "nowhere:made-up"]
    got = plan.coverage(contract, written, rejected)
    assert got.properties == plan.Count(9, 17)
    assert got.enum_members == plan.Count(5, len(wanted.enum_members))
    # count:int32-zero, name:string-padded, settings.level:written, tags:collection-empty,
    # when:datetimeoffset-plus-14 (3 digits: not 7), rules:collection-nonempty,
    # rules[].action:written, enabled:boolean-false
    assert got.boundaries == plan.Count(8, len(wanted.boundaries))
    assert got.invalid == plan.Count(1, len(wanted.invalid))
    assert got.missed["boundaries"][:3] == (
        "name:string-non-ascii",
        "name:string-empty",
        "count:int32-max",
    )
    assert len(got.missed["boundaries"]) == plan.MISSED_CAP
    assert got.missed["properties"][:2] == ("small", "ratio")
    assert set(got.not_generatable) == {"photo", "mystery", "nothing"}
    document = got.to_dict()
    assert document["properties"] == {"hit": 9, "total": 17}
    assert json.loads(json.dumps(document)) == document


def test_coverage_of_nothing_is_zero_and_of_the_plan_is_full() -> None:
    contract = _seed("deviceConfigurationUserStatus")
    empty = plan.coverage(contract, [], [])
    assert empty.properties == plan.Count(0, 5)
    assert empty.enum_members == plan.Count(0, 8)
    assert empty.invalid.hit == 0 and empty.invalid.total == 12
    found = plan.minimal_plan(contract)
    assert _complete(contract, found)


# --- estimates --------------------------------------------------------------------------------


def test_estimate_counts_the_minimal_plan_exactly() -> None:
    contract = _seed("deviceConfigurationUserStatus")
    found = plan.minimal_plan(contract)
    keyed = plan.estimate(contract, "minimal", 25, template=contract.paths[0])
    assert (keyed.valid, keyed.invalid, keyed.probes, keyed.restores) == (
        8,
        len(found.invalid),
        3,
        1,
    )
    assert keyed.exact and keyed.patches == 8 + len(found.invalid) + 3 + 1
    assert keyed.read_backs == 8 and keyed.reads_after_invalid == len(found.invalid)
    assert keyed.discovery == 3  # two listings along the path, then the entity
    singleton = plan.estimate(contract, "minimal", 25, template="/deviceManagement/settings")
    assert singleton.probes == 2 and singleton.discovery == 1
    paired = plan.estimate(contract, "minimal", 25, template=contract.paths[0], sibling=True)
    assert paired.patches == keyed.patches + 1 and paired.gets == keyed.gets + 3
    full = plan.estimate(contract, "full", 25, template=contract.paths[0])
    assert not full.exact
    assert full.valid >= keyed.valid + 25 + 25  # Hypothesis and Schemathesis budgets on top
    assert full.invalid >= keyed.invalid
    assert plan.estimate(contract, "full", 0, schemathesis=0).valid < full.valid
    assert full.to_dict()["patches"] == full.patches
    with pytest.raises(ValueError, match="minimal, full"):
        plan.estimate(contract, "tiny", 25)


# --- the mock answers the plan as a conforming service would ---------------------------------


@pytest.mark.parametrize("contract", [*SEED_CONTRACTS, widget()], ids=lambda c: c.id)
def test_mock_accepts_every_valid_body_and_rejects_every_invalid_one(contract: Contract) -> None:
    found = plan.minimal_plan(contract)
    app = create_app([contract], token="plan-token")
    with GraphClient(
        "http://graph.test",
        contract.version,
        auth=StaticToken("plan-token"),
        transport=InProcessTransport(app),
    ) as client:
        entity = Discoverer(client).resolve(contract.paths[0], contract.odata_type)
        assert isinstance(entity, Resolved), entity
        for body in found.valid:
            response = client.patch(entity.path, json=body)
            assert 200 <= response.status_code < 300, (body, response.text)
        for payload in found.invalid:
            headers = {"Content-Type": payload.content_type}
            response = client.patch(entity.path, content=payload.content, headers=headers)
            assert 400 <= response.status_code < 500, (payload.reason, response.status_code)


# --- the corpus -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def corpus_sample(corpus: Path) -> list[Contract]:
    root = corpus / "graph-docs" / "api-reference"
    extracted = extract_paths([root / "beta" / "api", root / "v1.0" / "api"]).contracts
    return sorted(extracted, key=lambda c: c.id)[::CORPUS_SAMPLE_STEP]


@pytest.mark.slow
def test_corpus_plans_hold(corpus_sample: list[Contract]) -> None:
    """Bound, oracle-valid bodies, 100 % coverage on >= 200 real contracts; nested enums reached."""
    assert len(corpus_sample) >= 200
    nested = 0
    for contract in corpus_sample:
        found = _check_plan(contract)
        nested += sum(1 for n in found.targets.enum_members if "." in n or "[]" in n)
    assert nested > 100  # nested enum members are targets (and covered, by _check_plan)


class CountingTransport(InProcessTransport):
    """The mock in-process, counting requests per method."""

    def __init__(self, app) -> None:
        super().__init__(app)
        self.counts: dict[str, int] = {}

    def handle_request(self, request):
        self.counts[request.method] = self.counts.get(request.method, 0) + 1
        return super().handle_request(request)


def test_full_estimate_matches_what_the_engine_sends_today() -> None:
    """`full`: the covering set, then every generator; the engine's own counts, measured."""
    from graph_contracts.engine import Endpoint, EndpointRun, Settings

    contract = _seed("deviceConfigurationUserStatus")
    transport = CountingTransport(create_app([contract], token="t"))
    with GraphClient(
        "http://graph.test", contract.version, auth=StaticToken("t"), transport=transport
    ) as client:
        endpoint = Endpoint(contract, contract.paths[0])
        run = EndpointRun(endpoint, client, Discoverer(client), Settings(max_examples=5, seed=1))
        run.run()
    assert run.ctx is not None and run.ctx.sibling is not None
    got = plan.estimate(
        contract, "full", 5, template=contract.paths[0], schemathesis=0, sibling=True
    )
    assert got.patches == transport.counts["PATCH"]
    assert got.gets == transport.counts["GET"]


# --- the run: --plan minimal and --dry-run ------------------------------------------------------


def test_run_with_the_minimal_plan_covers_every_target(tmp_path: Path) -> None:
    from drive import run_cli, summary_of

    args = ["--contracts", str(ROOT / "contracts"), "--report-dir", str(tmp_path)]
    code, output = run_cli(*args, "--no-progress", "--seed", "1", "--plan", "minimal")
    assert code == 0, output
    summary = summary_of(tmp_path)
    assert summary["run"]["plan"] == "minimal"
    assert len(summary["endpoints"]) == 12
    for endpoint in summary["endpoints"]:
        assert endpoint["sent_patches"] == endpoint["planned_patches"], endpoint
        coverage = endpoint["coverage"]
        for kind in ("properties", "enum_members", "boundaries", "invalid"):
            assert coverage[kind]["hit"] == coverage[kind]["total"], (endpoint["path"], kind)
    assert "25 of 25 planned PATCHes sent" in output


def test_dry_run_prints_the_plan_and_writes_nothing(tmp_path: Path) -> None:
    from drive import run_cli

    args = ["--contracts", str(ROOT / "contracts"), "--report-dir", str(tmp_path / "r")]
    code, output = run_cli(*args, "--dry-run", "--plan", "minimal")
    assert code == 0, output
    last = output.strip().splitlines()[-1]
    assert last.startswith("plan: 12 of 12 endpoints reachable; 298 PATCHes and 359 GETs"), last
    assert "plan minimal" in output.splitlines()[0]  # the header names the plan
    assert not (tmp_path / "r").exists()


def test_requests_spell_members_as_the_enum_type_does() -> None:
    """The prose lists `Organizer`; the enum type's page (or CSDL) says `organizer`, as the service
    answers: the plan, the strategies and the oracle send and accept the type's spelling."""
    response = _enum("responseType", ["none", "organizer"])
    contract = Contract(
        version="v1.0",
        resource="microsoft.graph.event",
        paths=["/events/{eventId}"],
        properties=[
            _prop("id", "Edm.String", key=True),
            _prop("response", response.name, enum=["None", "Organizer"]),
        ],
        status=200,
        types={response.name: response},
    )
    found = _check_plan(contract)
    assert [body["response"] for body in found.valid] == ["none", "organizer"]
    assert found.targets.enum_members == ("response:enum-none", "response:enum-organizer")
    assert [b["response"] for b in strategies.enum_coverage(contract)] == ["none", "organizer"]
    drawn = strategies.for_type(response.name, contract.types, enum=["None", "Organizer"])
    assert repr(drawn) == "sampled_from(['none', 'organizer'])"
    assert strategies.classify(contract, {"response": "Organizer"}) == "uncertain"
