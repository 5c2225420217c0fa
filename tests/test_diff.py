"""graph-contracts diff: every change kind on hand-built contract sets, through the CLI."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from graph_contracts.cli import app
from graph_contracts.contracts import Contract, Property, TypeDef, save
from graph_contracts.diff import KINDS, diff_contracts, template_key

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
CID = "beta/deviceConfigurationUserStatus"
STATUS = "microsoft.graph.complianceStatus"
SETTINGS = "microsoft.graph.statusSettings"
MODE = "microsoft.graph.settingMode"
PATHS = [
    "/deviceManagement/deviceConfigurations/{deviceConfigurationId}/userStatuses/{deviceConfigurationUserStatusId}",
    "/deviceManagement/deviceConfigurations/{deviceConfigurationId}/rootCertificate/userStatuses/{deviceConfigurationUserStatusId}",
]


def user_status() -> Contract:
    """A contract with every shape diff looks into: enums inline and typed, flags, a nested type."""
    return Contract(
        version="beta",
        resource="microsoft.graph.deviceConfigurationUserStatus",
        paths=list(PATHS),
        properties=[
            Property("id", "Edm.String", key=True, nullable=False),
            Property("userDisplayName", "Edm.String", nullable=True),
            Property("devicesCount", "Edm.Int32"),
            Property("status", STATUS, nullable=False),
            Property("kind", "Edm.String", enum=["user", "device", "group"]),
            Property("tags", "Collection(Edm.String)"),
            Property("settings", SETTINGS),
            Property("lastReportedDateTime", "Edm.DateTimeOffset", read_only=True),
        ],
        status=200,
        types={
            STATUS: TypeDef(STATUS, "enum", members=["unknown", "compliant", "conflict"]),
            MODE: TypeDef(MODE, "enum", members=["none", "audit", "enforce"], flags=True),
            SETTINGS: TypeDef(
                SETTINGS,
                "complex",
                properties=[
                    Property("mode", MODE),
                    Property("note", "Edm.String"),
                    Property("parent", SETTINGS),  # self-reference: recursion must stop
                ],
            ),
        },
    )


def device_status() -> Contract:
    return Contract(
        version="v1.0",
        resource="microsoft.graph.deviceConfigurationDeviceStatus",
        paths=["/deviceManagement/deviceConfigurations/{a}/deviceStatuses/{b}"],
        properties=[Property("id", "Edm.String", key=True)],
        status=200,
    )


def prop(contract: Contract, dotted: str) -> Property:
    """`settings.note`: a member of the complex type of `settings`."""
    *parents, name = dotted.split(".")
    props = contract.properties
    for parent in parents:
        typ = next(p for p in props if p.name == parent).type
        props = contract.types[typ].properties
    return next(p for p in props if p.name == name)


def set_attr(dotted: str, attr: str, value: Any) -> Callable[[Contract], None]:
    return lambda c: setattr(prop(c, dotted), attr, value)


def remove_prop(dotted: str) -> Callable[[Contract], None]:
    def mutate(c: Contract) -> None:
        *parents, _ = dotted.split(".")
        owner = c.types[prop(c, ".".join(parents)).type].properties if parents else c.properties
        owner.remove(prop(c, dotted))

    return mutate


def remove_member(type_name: str, member: str) -> Callable[[Contract], None]:
    return lambda c: c.types[type_name].members.remove(member)


def diff_cli(tmp_path: Path, old: list[Contract], new: list[Contract], *args: str):
    save(old, tmp_path / "old")
    save(new, tmp_path / "new")
    return runner.invoke(app, ["diff", str(tmp_path / "old"), str(tmp_path / "new"), *args])


def entry(kind: str, where: str | None, old: Any, new: Any, message: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "contract": CID,
        "where": where,
        "old": old,
        "new": new,
        "message": message,
    }


def rename_placeholders(c: Contract) -> None:
    c.paths = [p.replace("{deviceConfigurationId}", "{id}") for p in c.paths]


def add_prop(c: Contract) -> None:
    c.properties.append(Property("platform", "Edm.Int32"))


def add_nested(c: Contract) -> None:
    c.types[SETTINGS].properties.append(Property("level", "Edm.Int32"))


def restrict_kind(c: Contract) -> None:
    prop(c, "userDisplayName").enum = ["a", "b"]


# (mutation of the NEW contract, the one JSON entry expected)
BREAKING = {
    "path-removed": (
        lambda c: c.paths.pop(),
        entry("path-removed", PATHS[1], PATHS[1], None, f"path '{PATHS[1]}' removed"),
    ),
    "property-removed": (
        remove_prop("devicesCount"),
        entry(
            "property-removed", "devicesCount", "Edm.Int32", None, "property 'devicesCount' removed"
        ),
    ),
    "nested-property-removed": (
        remove_prop("settings.note"),
        entry(
            "property-removed",
            "settings.note",
            "Edm.String",
            None,
            "property 'settings.note' removed",
        ),
    ),
    "type-widened": (
        set_attr("devicesCount", "type", "Edm.Int64"),
        entry(
            "type-changed",
            "devicesCount",
            "Edm.Int32",
            "Edm.Int64",
            "property 'devicesCount' type changed: Edm.Int32 -> Edm.Int64",
        ),
    ),
    "collection-to-single": (
        set_attr("tags", "type", "Edm.String"),
        entry(
            "type-changed",
            "tags",
            "Collection(Edm.String)",
            "Edm.String",
            "property 'tags' type changed: Collection(Edm.String) -> Edm.String",
        ),
    ),
    "enum-to-string": (  # one change: the old members are not also listed as removed
        set_attr("status", "type", "Edm.String"),
        entry(
            "type-changed",
            "status",
            STATUS,
            "Edm.String",
            f"property 'status' type changed: {STATUS} -> Edm.String",
        ),
    ),
    "nested-type-changed": (
        set_attr("settings.note", "type", "Edm.Int32"),
        entry(
            "type-changed",
            "settings.note",
            "Edm.String",
            "Edm.Int32",
            "property 'settings.note' type changed: Edm.String -> Edm.Int32",
        ),
    ),
    "complex-type-renamed": (  # one change: the members of two types are not compared
        set_attr("settings", "type", "microsoft.graph.otherSettings"),
        entry(
            "type-changed",
            "settings",
            SETTINGS,
            "microsoft.graph.otherSettings",
            f"property 'settings' type changed: {SETTINGS} -> microsoft.graph.otherSettings",
        ),
    ),
    "enum-typedef-member-removed": (
        remove_member(STATUS, "conflict"),
        entry(
            "enum-member-removed",
            "status",
            "conflict",
            None,
            "property 'status' enum member 'conflict' removed",
        ),
    ),
    "enum-inline-member-removed": (
        lambda c: prop(c, "kind").enum.remove("group"),
        entry(
            "enum-member-removed",
            "kind",
            "group",
            None,
            "property 'kind' enum member 'group' removed",
        ),
    ),
    "flags-member-removed": (
        remove_member(MODE, "audit"),
        entry(
            "enum-member-removed",
            "settings.mode",
            "audit",
            None,
            "property 'settings.mode' enum member 'audit' removed",
        ),
    ),
    "became-enum": (
        restrict_kind,
        entry(
            "became-enum",
            "userDisplayName",
            None,
            ["a", "b"],
            "property 'userDisplayName' became an enum: only a, b (was any Edm.String)",
        ),
    ),
    "no-longer-flags": (
        lambda c: setattr(c.types[MODE], "flags", False),
        entry(
            "no-longer-flags",
            "settings.mode",
            True,
            False,
            f"property 'settings.mode' enum {MODE} is no longer a flags enum",
        ),
    ),
    "became-read-only": (
        set_attr("devicesCount", "read_only", True),
        entry(
            "became-read-only",
            "devicesCount",
            False,
            True,
            "property 'devicesCount' became read-only",
        ),
    ),
    "nested-became-read-only": (
        set_attr("settings.note", "read_only", True),
        entry(
            "became-read-only",
            "settings.note",
            False,
            True,
            "property 'settings.note' became read-only",
        ),
    ),
    "became-key": (
        set_attr("userDisplayName", "key", True),
        entry(
            "became-key", "userDisplayName", False, True, "property 'userDisplayName' became key"
        ),
    ),
    "nullable-to-not": (
        set_attr("userDisplayName", "nullable", False),
        entry(
            "became-not-nullable",
            "userDisplayName",
            True,
            False,
            "property 'userDisplayName' became not nullable",
        ),
    ),
    "unknown-to-not-nullable": (
        set_attr("devicesCount", "nullable", False),
        entry(
            "became-not-nullable",
            "devicesCount",
            None,
            False,
            "property 'devicesCount' became not nullable (was unknown)",
        ),
    ),
    "status-changed": (
        lambda c: setattr(c, "status", 204),
        entry("status-changed", None, 200, 204, "documented success status changed: 200 -> 204"),
    ),
}

ADDITIVE = {
    "path-added": (
        lambda c: c.paths.append("/me/userStatuses/{id}"),
        entry(
            "path-added",
            "/me/userStatuses/{id}",
            None,
            "/me/userStatuses/{id}",
            "path '/me/userStatuses/{id}' added",
        ),
    ),
    "property-added": (
        add_prop,
        entry("property-added", "platform", None, "Edm.Int32", "property 'platform' added"),
    ),
    "nested-property-added": (
        add_nested,
        entry(
            "property-added", "settings.level", None, "Edm.Int32", "property 'settings.level' added"
        ),
    ),
    "enum-typedef-member-added": (
        lambda c: c.types[STATUS].members.append("error"),
        entry(
            "enum-member-added",
            "status",
            None,
            "error",
            "property 'status' enum member 'error' added",
        ),
    ),
    "enum-inline-member-added": (
        lambda c: prop(c, "kind").enum.append("team"),
        entry(
            "enum-member-added", "kind", None, "team", "property 'kind' enum member 'team' added"
        ),
    ),
    "no-longer-enum": (
        set_attr("kind", "enum", None),
        entry(
            "no-longer-enum",
            "kind",
            ["user", "device", "group"],
            None,
            "property 'kind' is no longer restricted to enum members",
        ),
    ),
    "became-flags": (
        lambda c: setattr(c.types[STATUS], "flags", True),
        entry(
            "became-flags",
            "status",
            False,
            True,
            f"property 'status' enum {STATUS} became a flags enum",
        ),
    ),
    "no-longer-read-only": (
        set_attr("lastReportedDateTime", "read_only", False),
        entry(
            "no-longer-read-only",
            "lastReportedDateTime",
            True,
            False,
            "property 'lastReportedDateTime' is no longer read-only",
        ),
    ),
    "not-nullable-to-nullable": (
        set_attr("status", "nullable", True),
        entry("became-nullable", "status", False, True, "property 'status' became nullable"),
    ),
    "unknown-to-nullable": (
        set_attr("devicesCount", "nullable", True),
        entry(
            "became-nullable",
            "devicesCount",
            None,
            True,
            "property 'devicesCount' became nullable (was unknown)",
        ),
    ),
}

NO_CHANGE = {
    "placeholders-renamed": rename_placeholders,
    "order": lambda c: (c.paths.reverse(), c.properties.reverse()),
    "nullable-becomes-unknown": set_attr("userDisplayName", "nullable", None),
    "not-nullable-becomes-unknown": set_attr("status", "nullable", None),
    "not-compared": lambda c: (
        setattr(c, "permissions", {"application": ["X.ReadWrite.All"]}),
        setattr(c, "headers", ["Authorization", "If-Match"]),
        setattr(c, "sources", ["elsewhere.md"]),
        setattr(c, "title", "Another title"),
        setattr(prop(c, "status"), "description", "changed"),
        setattr(prop(c, "status"), "sources", ["elsewhere.md:3"]),
    ),
}


def test_every_kind_is_tested() -> None:
    expected = {e["kind"] for _, e in [*BREAKING.values(), *ADDITIVE.values()]}
    assert expected | {"contract-removed", "contract-added"} == set(KINDS)
    assert all(KINDS[e["kind"]] for _, e in BREAKING.values())
    assert not any(KINDS[e["kind"]] for _, e in ADDITIVE.values())


@pytest.mark.parametrize("case", [*BREAKING, *ADDITIVE], ids=[*BREAKING, *ADDITIVE])
def test_one_change_json(tmp_path: Path, case: str) -> None:
    mutate, expected = {**BREAKING, **ADDITIVE}[case]
    new = user_status()
    mutate(new)
    result = diff_cli(tmp_path, [user_status()], [new], "--json")
    bucket = "breaking" if case in BREAKING else "additive"
    other = "additive" if case in BREAKING else "breaking"
    assert json.loads(result.stdout) == {bucket: [expected], other: []}
    assert result.exit_code == (1 if case in BREAKING else 0)


@pytest.mark.parametrize("case", [*BREAKING, *ADDITIVE], ids=[*BREAKING, *ADDITIVE])
def test_one_change_text(tmp_path: Path, case: str) -> None:
    mutate, expected = {**BREAKING, **ADDITIVE}[case]
    new = user_status()
    mutate(new)
    result = diff_cli(tmp_path, [user_status()], [new])
    label, counts = (
        ("BREAKING", "1 breaking change, 0 additive changes")
        if case in BREAKING
        else ("ADDITIVE", "0 breaking changes, 1 additive change")
    )
    assert result.stdout.splitlines() == [
        f"{label} {CID}: {expected['message']}",
        f"diff: {counts} from {tmp_path / 'old'} to {tmp_path / 'new'}",
    ]
    assert result.exit_code == (1 if case in BREAKING else 0)


@pytest.mark.parametrize("case", list(NO_CHANGE))
def test_no_change(tmp_path: Path, case: str) -> None:
    new = user_status()
    NO_CHANGE[case](new)
    assert new != user_status()  # the mutation did something
    result = diff_cli(tmp_path, [user_status()], [new], "--json")
    assert (result.exit_code, json.loads(result.stdout)) == (0, {"breaking": [], "additive": []})


def test_identical_sets(tmp_path: Path) -> None:
    result = diff_cli(tmp_path, [user_status(), device_status()], [user_status(), device_status()])
    assert result.exit_code == 0
    assert result.stdout == f"diff: no changes from {tmp_path / 'old'} to {tmp_path / 'new'}\n"


def test_contract_removed_and_added(tmp_path: Path) -> None:
    result = diff_cli(tmp_path, [user_status(), device_status()], [device_status()], "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["breaking"] == [
        entry("contract-removed", None, user_status().resource, None, "contract removed")
    ]
    result = diff_cli(tmp_path, [device_status()], [user_status(), device_status()], "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "breaking": [],
        "additive": [entry("contract-added", None, None, user_status().resource, "contract added")],
    }


def test_several_changes_in_contract_order(tmp_path: Path) -> None:
    old = [user_status(), device_status()]
    new = [user_status(), device_status()]
    new[1].properties.append(Property("platform", "Edm.Int32"))
    remove_member(STATUS, "conflict")(new[0])
    set_attr("devicesCount", "type", "Edm.Int64")(new[0])
    result = diff_cli(tmp_path, old, new)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"BREAKING {CID}: property 'devicesCount' type changed: Edm.Int32 -> Edm.Int64",
        f"BREAKING {CID}: property 'status' enum member 'conflict' removed",
        "ADDITIVE v1.0/deviceConfigurationDeviceStatus: property 'platform' added",
        f"diff: 2 breaking changes, 1 additive change from {tmp_path / 'old'} to {tmp_path / 'new'}",
    ]


def test_template_key_erases_placeholder_names_only() -> None:
    assert template_key("/a/{id}/b/{bId}") == template_key("/a/{aId}/b/{x}") == "/a/{}/b/{}"
    assert template_key("/w/range(address={address})") == "/w/range(address={})"
    assert template_key("/a/{id}/b") != template_key("/a/{id}/c")


def test_api_without_files() -> None:
    new = user_status()
    remove_prop("settings.note")(new)
    result = diff_contracts([user_status()], [new])
    assert [c.where for c in result.breaking] == ["settings.note"]
    assert result.additive == []


# --- unusable input ---------------------------------------------------------------------------


def write_sets(tmp_path: Path) -> tuple[Path, Path]:
    save([user_status()], tmp_path / "old")
    save([user_status()], tmp_path / "new")
    return tmp_path / "old", tmp_path / "new"


def break_json(folder: Path) -> Path:
    target = folder / "beta" / "deviceConfigurationUserStatus.json"
    target.write_text('{"version": "beta",', encoding="utf-8")
    return target


def not_a_contract(folder: Path) -> Path:
    target = folder / "beta" / "deviceConfigurationUserStatus.json"
    target.write_text('{"version": "beta"}', encoding="utf-8")
    return target


def bad_index(folder: Path) -> Path:
    (folder / "index.json").write_text('{"files": []}', encoding="utf-8")
    return folder


@pytest.mark.parametrize("side", ["old", "new"])
@pytest.mark.parametrize("spoil", [break_json, not_a_contract, bad_index], ids=lambda f: f.__name__)
def test_broken_input_is_one_line_naming_it(tmp_path: Path, side: str, spoil) -> None:
    old, new = write_sets(tmp_path)
    named = spoil(old if side == "old" else new)
    result = runner.invoke(app, ["diff", str(old), str(new)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(f"graph-contracts: {named}: ")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("side", ["old", "new"])
def test_missing_folder(tmp_path: Path, side: str) -> None:
    old, new = write_sets(tmp_path)
    missing = tmp_path / "nowhere"
    args = [missing, new] if side == "old" else [old, missing]
    result = runner.invoke(app, ["diff", *map(str, args), "--json"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"graph-contracts: {missing}: contracts folder not found\n"


# --- a realistic run ------------------------------------------------------------------------


def test_seed_contracts_against_an_edited_copy(tmp_path: Path) -> None:
    """The repository's contracts/ against a copy with an enum member gone and a property added."""
    new = tmp_path / "contracts"
    shutil.copytree(ROOT / "contracts", new)
    target = new / "beta" / "deviceConfigurationUserStatus.json"
    data = json.loads(target.read_text(encoding="utf-8"))
    data["types"][STATUS]["members"].remove("notAssigned")
    status = next(p for p in data["properties"] if p["name"] == "status")
    status["enum"].remove("notAssigned")
    data["properties"].append({"name": "platform", "type": "Edm.Int32", "nullable": None})
    target.write_text(json.dumps(data), encoding="utf-8")

    result = runner.invoke(app, ["diff", str(ROOT / "contracts"), str(new)])
    assert result.exit_code == 1, result.stderr
    assert result.stdout.splitlines() == [
        f"BREAKING {CID}: property 'status' enum member 'notAssigned' removed",
        f"ADDITIVE {CID}: property 'platform' added",
        f"diff: 1 breaking change, 1 additive change from {ROOT / 'contracts'} to {new}",
    ]
    result = runner.invoke(app, ["diff", str(ROOT / "contracts"), str(new), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "breaking": [
            entry(
                "enum-member-removed",
                "status",
                "notAssigned",
                None,
                "property 'status' enum member 'notAssigned' removed",
            )
        ],
        "additive": [
            entry("property-added", "platform", None, "Edm.Int32", "property 'platform' added")
        ],
    }
