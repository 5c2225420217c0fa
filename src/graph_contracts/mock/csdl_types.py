"""The types the mock seeds by when it is given the service's CSDL (`mock --metadata`).

The docs leave some property types unresolved (`ageGroup` is a link to nowhere; CSDL says
`Edm.String`), some enums without members, and type some properties more loosely than the
service (`application.tokenEncryptionKeyId` is a `String` on its page, an `Edm.Guid` in CSDL:
a seeded `"tokenEncryptionKeyId 12"` breaks the official SDK's decoder). Given the CSDL, every
property CSDL declares is seeded as CSDL types it, at any depth; the store keeps such a value
only when it is valid for the docs' type too (`store.seeded_properties`), so the contract that
judges the replies never sees a value it refuses. Only seeding changes: PATCH bodies are still
judged by the contract.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from graph_contracts import edm
from graph_contracts.contracts import Contract, Property, TypeDef
from graph_contracts.edm import TypeKind
from graph_contracts.metadata import Csdl, CsdlType


def for_version(csdls: Iterable[Csdl], version: str) -> list[Csdl]:
    """The documents that describe `version` (one whose version is not told serves every one)."""
    return [c for c in csdls if c.version in (None, version)]


def seeding_contract(contract: Contract, csdls: list[Csdl]) -> Contract:
    """`contract` typed as CSDL types its properties (itself without a CSDL)."""
    if not csdls:
        return contract
    types = dict(contract.types)
    properties = [
        _resolved(p, contract.resource, contract.types, csdls, types) for p in contract.properties
    ]
    for name, typedef in contract.types.items():
        if typedef.kind == "complex":
            members = [_resolved(p, name, contract.types, csdls, types) for p in typedef.properties]
            types[name] = replace(typedef, properties=members)
    if properties == contract.properties and types == contract.types:
        return contract
    return replace(contract, properties=properties, types=types)


def _resolved(
    prop: Property,
    owner: str,
    known: dict[str, TypeDef],
    csdls: list[Csdl],
    types: dict[str, TypeDef],
) -> Property:
    """The property as CSDL types it (as the docs do where CSDL does not declare it)."""
    for csdl in csdls:
        declared = csdl.properties(owner).get(prop.name)
        if declared is None:
            continue
        if declared.type == prop.type and not _unresolved(prop, known):
            return prop
        _add_types(csdl, declared.type, types)
        nullable = prop.nullable if prop.nullable is not None else declared.nullable
        return replace(prop, type=declared.type, enum=None, nullable=nullable)
    return prop


def _unresolved(prop: Property, types: dict[str, TypeDef]) -> bool:
    kind = edm.resolve(prop.type, types, prop.enum)
    item = kind.item if kind.kind is TypeKind.COLLECTION and kind.item is not None else kind
    return item.kind is TypeKind.UNRESOLVED or (item.kind is TypeKind.ENUM and not item.members)


def _add_types(csdl: Csdl, type_name: str, types: dict[str, TypeDef]) -> None:
    """CSDL's complex and enum types that `type_name` reaches, as TypeDefs (those known kept)."""
    pending = [edm.split_collection(type_name)[1]]
    while pending:
        name = pending.pop()
        found = csdl.types.get(name)
        if name in types or found is None or found.kind == "entity":
            continue
        types[name] = _typedef(csdl, found)
        pending += [edm.split_collection(p.type)[1] for p in types[name].properties]


def _typedef(csdl: Csdl, found: CsdlType) -> TypeDef:
    if found.kind == "enum":
        return TypeDef(found.name, "enum", members=list(found.members), flags=found.flags)
    properties = [
        Property(p.name, p.type, nullable=p.nullable) for p in csdl.properties(found.name).values()
    ]
    return TypeDef(found.name, "complex", properties=properties, open=found.open_type)
