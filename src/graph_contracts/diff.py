"""Two contract sets -> the changes a client would notice, breaking or additive, for release gates.

The classification follows Graph's own breaking-change policy
(https://learn.microsoft.com/graph/versioning-and-support): "changes to the URL or fundamental
request/response associated with a resource" and "removal, rename, or change to the type of a
declared property" are not backward compatible; "addition of a member to an enumeration" and
"addition of properties that are nullable or have a default value" are. Every added property is
additive here: PATCH merges (OData 4.01 §11.4.3), so no body ever has to send it. A PATCH contract
adds its own promises: what may be written (read-only, key), what may be null, and which success
status is documented.

Decisions a reviewer should know:

* Contracts match by id (`beta/deviceConfigurationUserStatus`). A removed or added contract is one
  change; its paths and properties are not listed again.
* Paths match with placeholder names erased: `{id}` and `{deviceConfigurationId}` name the same
  template, so renaming a placeholder is no change at all.
* Properties match by name, recursively into the members of referenced complex types (dotted:
  `settings.mode`), guarded against self-referencing types. A changed type is one change: the
  members of the old and the new type are not compared with each other.
* Enum members are the inline `enum` list when the table gives one, else the enum type's, the rule
  `edm.validate` applies. An open property that gets a member list is restricted (breaking); one
  that loses its list is open (additive). A flags enum that stops being one refuses combinations.
* Nullability `None` is unknown: `True`/`None` -> `False` is breaking ("(was unknown)" says which),
  `False`/`None` -> `True` additive; a fact that becomes unknown is not a change (nothing is
  promised either way).
* Not compared: permissions, headers, examples, findings, sources, descriptions and titles.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .contracts import Contract, ContractFileError, Property, TypeDef, load
from .edm import split_collection

# kind -> breaking? One table: the text prefix, the JSON bucket and the exit code all read it.
KINDS: dict[str, bool] = {
    "contract-removed": True,
    "path-removed": True,
    "property-removed": True,
    "type-changed": True,
    "enum-member-removed": True,
    "became-enum": True,
    "no-longer-flags": True,
    "became-read-only": True,
    "became-key": True,
    "became-not-nullable": True,
    "status-changed": True,
    "contract-added": False,
    "path-added": False,
    "property-added": False,
    "enum-member-added": False,
    "no-longer-enum": False,
    "became-flags": False,
    "no-longer-read-only": False,
    "became-nullable": False,
}

_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


@dataclass(frozen=True)
class Change:
    """One difference between two contract sets; `where` is a path template or a dotted property."""

    kind: str
    contract: str
    where: str | None
    old: Any
    new: Any
    message: str

    @property
    def breaking(self) -> bool:
        return KINDS[self.kind]

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "contract": self.contract,
            "where": self.where,
            "old": self.old,
            "new": self.new,
            "message": self.message,
        }


@dataclass
class Diff:
    """Every change between two sets, in contract order; a gate fails on `breaking`."""

    changes: list[Change] = field(default_factory=list)

    @property
    def breaking(self) -> list[Change]:
        return [c for c in self.changes if c.breaking]

    @property
    def additive(self) -> list[Change]:
        return [c for c in self.changes if not c.breaking]

    def to_dict(self) -> dict[str, list[dict[str, Any]]]:
        return {
            "breaking": [c.to_dict() for c in self.breaking],
            "additive": [c.to_dict() for c in self.additive],
        }


def template_key(path: str) -> str:
    """The template with placeholder names erased: what two spellings of one path share."""
    return _PLACEHOLDER.sub("{}", path)


def load_set(directory: Path) -> dict[str, Contract]:
    """Contracts of a folder by id; every unusable input is a ContractFileError naming it."""
    if not directory.is_dir():
        raise ContractFileError(f"{directory}: contracts folder not found")
    try:
        contracts = load(directory)
    except ContractFileError:
        raise
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        # contracts.load names broken files; shapes it does not expect (an index without
        # "contracts", a "types" list) escape it, so the folder is named instead.
        raise ContractFileError(
            f"{directory}: not a contracts folder ({type(exc).__name__}: {exc})"
        ) from None
    return {c.id: c for c in contracts}


def diff_dirs(old: Path, new: Path) -> Diff:
    """Compare the contract folders `old` and `new` (as `extract --out` writes them)."""
    return diff_contracts(load_set(old).values(), load_set(new).values())


def diff_contracts(old: Iterable[Contract], new: Iterable[Contract]) -> Diff:
    """Compare two contract sets; changes come grouped by contract id, in id order."""
    before = {c.id: c for c in old}
    after = {c.id: c for c in new}
    changes: list[Change] = []
    for cid in sorted(before.keys() | after.keys()):
        if cid not in after:
            resource = before[cid].resource
            changes.append(
                Change("contract-removed", cid, None, resource, None, "contract removed")
            )
        elif cid not in before:
            resource = after[cid].resource
            changes.append(Change("contract-added", cid, None, None, resource, "contract added"))
        else:
            a, b = before[cid], after[cid]
            changes += _Comparison(cid, a.types, b.types).contract(a, b)
    return Diff(changes)


def format_change(change: Change) -> str:
    """`BREAKING beta/x: property 'status' type changed: A -> B`, one line per change."""
    label = "BREAKING" if change.breaking else "ADDITIVE"
    return f"{label} {change.contract}: {change.message}"


def summary(diff: Diff, old: Path, new: Path) -> str:
    """The one-line verdict printed after the changes."""
    if not diff.changes:
        return f"diff: no changes from {old} to {new}"
    breaking, additive = len(diff.breaking), len(diff.additive)
    return (
        f"diff: {breaking} breaking change{'' if breaking == 1 else 's'}, "
        f"{additive} additive change{'' if additive == 1 else 's'} from {old} to {new}"
    )


@dataclass
class _Comparison:
    """The changes within one contract id, with each side's type table for nested lookups."""

    cid: str
    old_types: dict[str, TypeDef]
    new_types: dict[str, TypeDef]
    changes: list[Change] = field(default_factory=list)

    def add(self, kind: str, where: str | None, old: Any, new: Any, message: str) -> None:
        self.changes.append(Change(kind, self.cid, where, old, new, message))

    def contract(self, a: Contract, b: Contract) -> list[Change]:
        if a.status != b.status:
            self.add(
                "status-changed",
                None,
                a.status,
                b.status,
                f"documented success status changed: {a.status} -> {b.status}",
            )
        self.paths(a.paths, b.paths)
        self.properties(a.properties, b.properties, prefix="", seen=frozenset())
        return self.changes

    def paths(self, old: list[str], new: list[str]) -> None:
        before, after = _templates(old), _templates(new)
        for key, path in before.items():
            if key not in after:
                self.add("path-removed", path, path, None, f"path '{path}' removed")
        for key, path in after.items():
            if key not in before:
                self.add("path-added", path, None, path, f"path '{path}' added")

    def properties(
        self, old: list[Property], new: list[Property], prefix: str, seen: frozenset[str]
    ) -> None:
        before, after = _by_name(old), _by_name(new)
        for name, a in before.items():
            where = prefix + name
            b = after.get(name)
            if b is None:
                self.add("property-removed", where, a.type, None, f"property '{where}' removed")
            else:
                self.property(a, b, where, seen)
        for name, b in after.items():
            if name not in before:
                where = prefix + name
                self.add("property-added", where, None, b.type, f"property '{where}' added")

    def property(self, a: Property, b: Property, where: str, seen: frozenset[str]) -> None:
        if a.type != b.type:
            self.add(
                "type-changed",
                where,
                a.type,
                b.type,
                f"property '{where}' type changed: {a.type} -> {b.type}",
            )
        else:
            self.enum(a, b, where)
            self.members(a.type, where, seen)
        self.access(a, b, where)
        self.nullable(a.nullable, b.nullable, where)

    def members(self, type_name: str, where: str, seen: frozenset[str]) -> None:
        """Members of a complex type both sides resolve, as `where.member`."""
        inner = split_collection(type_name)[1]
        a, b = self.old_types.get(inner), self.new_types.get(inner)
        if inner in seen or a is None or b is None or a.kind != "complex" or b.kind != "complex":
            return
        self.properties(a.properties, b.properties, f"{where}.", seen | {inner})

    def enum(self, a: Property, b: Property, where: str) -> None:
        old = _members(a, self.old_types)
        new = _members(b, self.new_types)
        if old is None and new is not None:
            listed = ", ".join(new)
            msg = f"property '{where}' became an enum: only {listed} (was any {a.type})"
            self.add("became-enum", where, None, new, msg)
        elif old is not None and new is None:
            msg = f"property '{where}' is no longer restricted to enum members"
            self.add("no-longer-enum", where, old, None, msg)
        elif old is not None and new is not None:
            for m in (m for m in old if m not in new):
                self.add(
                    "enum-member-removed",
                    where,
                    m,
                    None,
                    f"property '{where}' enum member '{m}' removed",
                )
            for m in (m for m in new if m not in old):
                self.add(
                    "enum-member-added",
                    where,
                    None,
                    m,
                    f"property '{where}' enum member '{m}' added",
                )
            self.flags(a.type, where)

    def flags(self, type_name: str, where: str) -> None:
        inner = split_collection(type_name)[1]
        old = bool((t := self.old_types.get(inner)) and t.flags)
        new = bool((t := self.new_types.get(inner)) and t.flags)
        if old and not new:
            msg = f"property '{where}' enum {inner} is no longer a flags enum"
            self.add("no-longer-flags", where, True, False, msg)
        elif new and not old:
            self.add(
                "became-flags",
                where,
                False,
                True,
                f"property '{where}' enum {inner} became a flags enum",
            )

    def access(self, a: Property, b: Property, where: str) -> None:
        """Read-only and key values are ignored in PATCH bodies: becoming one drops a write."""
        if b.read_only and not a.read_only:
            self.add("became-read-only", where, False, True, f"property '{where}' became read-only")
        elif a.read_only and not b.read_only:
            msg = f"property '{where}' is no longer read-only"
            self.add("no-longer-read-only", where, True, False, msg)
        if b.key and not a.key:
            self.add("became-key", where, False, True, f"property '{where}' became key")

    def nullable(self, old: bool | None, new: bool | None, where: str) -> None:
        was = " (was unknown)" if old is None else ""
        if new is False and old is not False:
            msg = f"property '{where}' became not nullable{was}"
            self.add("became-not-nullable", where, old, new, msg)
        elif new is True and old is not True:
            self.add("became-nullable", where, old, new, f"property '{where}' became nullable{was}")


def _members(prop: Property, types: dict[str, TypeDef]) -> list[str] | None:
    """The values an enum property allows (as `edm.validate` decides), None for an open one."""
    if prop.enum is not None:
        return list(dict.fromkeys(prop.enum))
    typedef = types.get(split_collection(prop.type)[1])
    if typedef is not None and typedef.kind == "enum":
        return list(dict.fromkeys(typedef.members or []))
    return None


def _templates(paths: list[str]) -> dict[str, str]:
    """Template key -> the first spelling listed, in listing order."""
    out: dict[str, str] = {}
    for path in paths:
        out.setdefault(template_key(path), path)
    return out


def _by_name(props: list[Property]) -> dict[str, Property]:
    """A name listed twice counts once: the first, as `Contract.property` finds it."""
    out: dict[str, Property] = {}
    for prop in props:
        out.setdefault(prop.name, prop)
    return out
