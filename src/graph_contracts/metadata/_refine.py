"""Contracts refined with what a CSDL makes certain, every fact kept with its source.

The docs leave most nullability unstated, spell enum members as prose does, lag the service's
members, and never say which types are open or which properties are streams. The service's own
`$metadata` (or a CSDL file) says, and a run should use it: a `null` to a `Nullable="false"`
property is then a documented rejection, a `null` to a nullable one a valid write that must
round-trip (the checks, bodies and strategies already act on `Property.nullable`).

`refine` never edits a contract: it returns copies (a contract it does not change is returned as
it is), so the docs' own facts stay intact for the drift report. What it changes, and only where
the CSDL is the authority (CSDL 4.01; ../shared/GRAPH-FACTS.md):

- nullability, where the docs are silent, on single-valued properties (on a collection CSDL's
  `Nullable` speaks of its items, and the collection itself is never null: left unknown);
- enum members, as the CSDL spells them: the members before `unknownFutureValue` (the sentinel
  is no value to send, and later members are opt-in, `Prefer: include-unknown-enum-members`),
  plus the sentinel and later ones where the docs list them; docs members the service does not
  have are not sent (a faithful service refuses them); an enum type the docs never resolved gets
  its members;
- `OpenType` of complex types (`TypeDef.open`: dynamic members are no defect);
- `Edm.Stream` properties the docs type otherwise: never sent inline, never judged in a reply;
- `Core.Computed` properties the docs list as updatable: not sent (a service ignores them).

Recorded but not applied (nothing in a contract carries them yet): an open entity type, and
`Precision` facets. Derived types reach the checks through `derived_types` (the run's hierarchy).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from graph_contracts.contracts import Contract, Property, TypeDef
from graph_contracts.metadata._reader import Csdl, CsdlProperty

FUTURE = "unknownFutureValue"
STREAM = "Edm.Stream"
FACT_KINDS = ("nullable", "enum", "open", "stream", "read-only", "precision")


@dataclass(frozen=True)
class Fact:
    """One thing a CSDL told a run that the docs did not, and where it came from."""

    contract: str  # `beta/deviceConfigurationUserStatus`
    subject: str  # a property, `type.member` of a complex type, or a type's name
    kind: str  # one of FACT_KINDS
    value: str  # what the CSDL says, as a reader would say it
    source: str  # "the service's $metadata (URL)" or "metadata file beta_metadata.xml"
    applied: bool = True  # False: recorded for the reports, nothing in a contract carries it

    def to_dict(self) -> dict[str, object]:
        return {
            "contract": self.contract,
            "subject": self.subject,
            "kind": self.kind,
            "value": self.value,
            "source": self.source,
            "applied": self.applied,
        }

    def __str__(self) -> str:
        return f"{self.contract} {self.subject}: {self.value} per {self.source}"


@dataclass
class Refinement:
    """The refined contracts (same order as given) and the facts that made them."""

    contracts: list[Contract]
    facts: list[Fact] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Facts per kind, every kind named (0 when none): what reports print first."""
        return {kind: sum(f.kind == kind for f in self.facts) for kind in FACT_KINDS}

    def by_contract(self) -> dict[str, list[str]]:
        """`contract -> ["count: nullable: not nullable (per SOURCE)", ...]` for summary.json.

        The source is named once per contract when every fact of it shares one (they do: one
        CSDL per API version), so a corpus's ten thousand facts stay readable.
        """
        grouped: dict[str, list[Fact]] = {}
        for fact in self.facts:
            grouped.setdefault(fact.contract, []).append(fact)
        out: dict[str, list[str]] = {}
        for contract, facts in grouped.items():
            lines = [
                f"{f.subject}: {f.kind}: {f.value}" + ("" if f.applied else " (recorded)")
                for f in facts
            ]
            sources = sorted({f.source for f in facts})
            out[contract] = [f"per {', '.join(sources)}", *lines]
        return out


def refine(
    contracts: Iterable[Contract], csdls: Mapping[str, Csdl], sources: Mapping[str, str]
) -> Refinement:
    """Each contract refined by the CSDL of its own API version (`csdls[version]`), if any.

    `sources[version]` says where that CSDL came from, for every fact it gives.
    """
    result = Refinement([])
    for contract in contracts:
        csdl = csdls.get(contract.version)
        if csdl is None or contract.resource not in csdl.types:
            result.contracts.append(contract)
            continue
        refiner = _Refiner(contract, csdl, sources.get(contract.version, csdl.path))
        result.contracts.append(refiner.contract())
        result.facts += refiner.facts
    return result


def _split(type_name: str) -> tuple[bool, str]:
    if type_name.startswith("Collection(") and type_name.endswith(")"):
        return True, type_name[11:-1]
    return False, type_name


class _Refiner:
    """Refines one contract: its own properties, then the complex and enum types it references."""

    def __init__(self, contract: Contract, csdl: Csdl, source: str) -> None:
        self.original, self.csdl, self.source = contract, csdl, source
        self.facts: list[Fact] = []
        self.types = dict(contract.types)

    def contract(self) -> Contract:
        contract = self.original
        if self.csdl.is_open(contract.resource):
            self._fact(contract.resource, "open", "an open type (dynamic properties)", False)
        known = self.csdl.properties(contract.resource)
        properties = [self._property(p, known.get(p.name), p.name) for p in contract.properties]
        for name, typedef in contract.types.items():
            self.types[name] = self._typedef(typedef)
        for prop in properties:  # an enum type the docs never resolved
            self._resolve_enum(prop)
        same = all(a is b for a, b in zip(properties, contract.properties, strict=True))
        same = same and self.types.keys() == contract.types.keys()
        if same and all(self.types[n] is t for n, t in contract.types.items()):
            return contract
        return replace(contract, properties=properties, types=self.types)

    # --- properties ------------------------------------------------------------------------

    def _property(self, prop: Property, known: CsdlProperty | None, subject: str) -> Property:
        if known is None:
            return prop
        changes: dict[str, object] = {}
        many, inner = _split(known.type)
        if inner == STREAM and _split(prop.type)[1] != STREAM:
            changes["type"] = STREAM
            self._fact(subject, "stream", "an Edm.Stream (read from its own URL, never inline)")
        if prop.nullable is None and not many:
            changes["nullable"] = known.nullable
            said = "nullable" if known.nullable else 'not nullable (Nullable="false")'
            self._fact(subject, "nullable", said)
        if known.read_only and prop.updatable:
            changes["read_only"] = True
            self._fact(subject, "read-only", "computed by the service (Core.Computed): not sent")
        if known.precision is not None:
            said = f"Precision={known.precision} ({inner})"
            self._fact(subject, "precision", said, False)
        members = self._members_for(prop, inner)
        if members is not None and prop.enum is not None and members != prop.enum:
            changes["enum"] = members
            self._enum_fact(subject, prop.enum, members)
        return replace(prop, **changes) if changes else prop  # type: ignore[arg-type]

    def _members_for(self, prop: Property, csdl_inner: str) -> list[str] | None:
        """The CSDL's members for a property whose docs type is that enum (or a String)."""
        target = self.csdl.types.get(csdl_inner)
        if target is None or target.kind != "enum":
            return None
        docs_inner = _split(prop.type)[1]
        if docs_inner not in (csdl_inner, "Edm.String"):
            return None  # another type: drift, not a refinement
        return _members(target.members, prop.enum or [])

    def _resolve_enum(self, prop: Property) -> None:
        """An enum type the docs name but never resolved: its members and `IsFlags` from the CSDL."""
        inner = _split(prop.type)[1]
        target = self.csdl.types.get(inner)
        if target is None or target.kind != "enum" or inner in self.types:
            return
        members = _members(target.members, prop.enum or [])
        self.types[inner] = TypeDef(inner, "enum", members, target.flags)
        if prop.enum is None:  # inline members were refined (and said) with the property
            self._fact(inner, "enum", f"members {', '.join(members)}")

    # --- types -----------------------------------------------------------------------------

    def _typedef(self, typedef: TypeDef) -> TypeDef:
        target = self.csdl.types.get(typedef.name)
        if target is None:
            return typedef
        if typedef.kind == "enum" and target.kind == "enum":
            members = _members(target.members, typedef.members or [])
            if members == typedef.members and target.flags == typedef.flags:
                return typedef
            self._enum_fact(typedef.name, typedef.members or [], members)
            return replace(typedef, members=members, flags=target.flags)
        if typedef.kind != "complex" or target.kind != "complex":
            return typedef
        changes: dict[str, object] = {}
        if self.csdl.is_open(typedef.name) and not typedef.open:
            changes["open"] = True
            self._fact(typedef.name, "open", "an open type (dynamic members are no defect)")
        known = self.csdl.properties(typedef.name)
        short = typedef.name.rsplit(".", 1)[-1]
        members = [
            self._property(p, known.get(p.name), f"{short}.{p.name}") for p in typedef.properties
        ]
        if any(a is not b for a, b in zip(members, typedef.properties, strict=True)):
            changes["properties"] = members
        return replace(typedef, **changes) if changes else typedef  # type: ignore[arg-type]

    # --- facts -----------------------------------------------------------------------------

    def _enum_fact(self, subject: str, documented: list[str], members: list[str]) -> None:
        parts = []
        added = [m for m in members if m not in documented]
        respelled = {d: m for d in documented for m in members if d != m and d.lower() == m.lower()}
        dropped = [d for d in documented if d not in members and d not in respelled]
        if respelled:
            parts.append("spelled " + ", ".join(f"{m} (docs: {d})" for d, m in respelled.items()))
        added = [m for m in added if m not in respelled.values()]
        if added:
            parts.append("also " + ", ".join(added))
        if dropped:
            parts.append("not " + ", ".join(dropped) + " (not sent)")
        self._fact(subject, "enum", "members " + "; ".join(parts or ["reordered"]))

    def _fact(self, subject: str, kind: str, value: str, applied: bool = True) -> None:
        self.facts.append(Fact(self.original.id, subject, kind, value, self.source, applied))


def _members(csdl_members: list[str], documented: list[str]) -> list[str]:
    """The CSDL's members before `unknownFutureValue`; the sentinel and later members only where
    the docs list them (a sentinel is no value a client sends unless the docs say it may)."""
    listed = {m.lower() for m in documented}
    cut = csdl_members.index(FUTURE) if FUTURE in csdl_members else len(csdl_members)
    return [m for i, m in enumerate(csdl_members) if i < cut or m.lower() in listed]
