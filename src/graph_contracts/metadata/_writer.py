"""A CSDL XML document written from contracts: what the mock serves at `/{version}/$metadata`.

Without a CSDL of its own the mock still serves its schema, so that a run against it exercises
the whole path a run against Graph takes (fetch, cache, read, refine, drift) without a tenant.
What the contracts know is written as CSDL 4.0 says it (CSDL XML 4.01; the OASIS schemas
edmx.xsd/edm.xsd are what the tests validate it against):

- an `EntityType` per contract's resource with its `Key` (the key property declared when the
  docs did not list it) — no `BaseType`, which contracts do not know;
- a `ComplexType` per resolved complex type (`OpenType` when set), an `EnumType` per enum type
  and per enum-typed property whose members the docs list inline (`IsFlags`, values 0, 1, 2... or
  1, 2, 4... for flags);
- `Nullable="false"` where the docs say so (and on keys); unknown nullability is written as
  nullable, which is how the mock behaves (it accepts and stores such a null, as .NET would);
- `Core.Computed` on read-only properties (a client cannot write them);
- an `EntitySet` or a `Singleton` for each path root whose type a contract tells: `/root/{id}`
  is a set of the contract's type, `/root` a singleton of it (the root of a deeper path, such
  as `deviceManagement`, has a type no contract names: left out).

Names that are no CSDL identifier (a docs table's stray row) are left out rather than make the
document invalid; types stay as the contracts name them.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable

from graph_contracts.contracts import NAMESPACE, Contract, Property, TypeDef
from graph_contracts.metadata._reader import CORE, EDM_NS, EDMX_NS

EDM = EDM_NS[1:-1]
EDMX = EDMX_NS[1:-1]
CORE_VOCABULARY = (
    "https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Core.V1.xml"
)
CONTAINER = "GraphService"
_ID = r"[^\W\d]\w*"  # CSDL SimpleIdentifier (ECMAScript identifier without `$`), in Python's terms
IDENTIFIER = re.compile(_ID)
QUALIFIED = re.compile(rf"{_ID}(\.{_ID})+")
PRIMITIVE_KEY = "Edm.String"


def write_csdl(contracts: Iterable[Contract]) -> bytes:
    """The CSDL document of `contracts` (one API version's), UTF-8 with an XML declaration."""
    contracts = list(contracts)
    schemas: dict[str, ET.Element] = {}
    declared: set[str] = set()
    for contract in contracts:
        _entity(contracts, contract, schemas, declared)
    for contract in contracts:
        for typedef in contract.types.values():
            _typedef(typedef, schemas, declared)
        for prop in contract.properties:
            _inline_enum(prop, contract, schemas, declared)
    _container(contracts, _schema(schemas, NAMESPACE))
    return _document(schemas)


def _document(schemas: dict[str, ET.Element]) -> bytes:
    """Tags carry their prefixes as written (`edmx:Edmx`, `Schema` in the default namespace):
    ElementTree cannot write a default namespace over unqualified attribute names."""
    root = ET.Element("edmx:Edmx", {"Version": "4.0", "xmlns:edmx": EDMX})
    reference = ET.SubElement(root, "edmx:Reference", Uri=CORE_VOCABULARY)
    ET.SubElement(reference, "edmx:Include", Namespace=CORE, Alias="Core")
    services = ET.SubElement(root, "edmx:DataServices")
    for namespace in sorted(schemas, key=lambda n: (n != NAMESPACE, n)):
        services.append(schemas[namespace])
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")


def _schema(schemas: dict[str, ET.Element], namespace: str) -> ET.Element:
    if namespace not in schemas:
        schemas[namespace] = ET.Element("Schema", {"Namespace": namespace, "xmlns": EDM})
    return schemas[namespace]


def _place(name: str, schemas: dict[str, ET.Element], declared: set[str]) -> ET.Element | None:
    """The schema a qualified type name is declared in; None when it is declared or no name."""
    if name in declared or not QUALIFIED.fullmatch(name) or name.startswith("Edm."):
        return None
    declared.add(name)
    namespace, _, _ = name.rpartition(".")
    return _schema(schemas, namespace)


def _entity(
    contracts: list[Contract],
    contract: Contract,
    schemas: dict[str, ET.Element],
    declared: set[str],
) -> None:
    schema = _place(contract.resource, schemas, declared)
    if schema is None:
        return
    element = ET.SubElement(schema, "EntityType", Name=contract.name)
    key = ET.SubElement(element, "Key")
    ET.SubElement(key, "PropertyRef", Name=contract.key)
    if contract.property(contract.key) is None:
        ET.SubElement(element, "Property", Name=contract.key, Type=PRIMITIVE_KEY, Nullable="false")
    _properties(element, contract.properties)


def _properties(element: ET.Element, properties: Iterable[Property]) -> None:
    seen: set[str] = set()
    for prop in properties:
        if prop.name in seen or not IDENTIFIER.fullmatch(prop.name) or not _type_ok(prop.type):
            continue
        seen.add(prop.name)
        attributes = {"Name": prop.name, "Type": prop.type}
        if prop.nullable is False or prop.key:
            attributes["Nullable"] = "false"
        written = ET.SubElement(element, "Property", attributes)
        if prop.read_only and not prop.key:
            ET.SubElement(written, "Annotation", Term="Core.Computed", Bool="true")


def _type_ok(type_name: str) -> bool:
    inner = type_name[11:-1] if type_name.startswith("Collection(") else type_name
    return bool(QUALIFIED.fullmatch(inner))


def _typedef(typedef: TypeDef, schemas: dict[str, ET.Element], declared: set[str]) -> None:
    if typedef.kind == "enum" and not typedef.members:
        return  # unresolved: nothing to declare
    schema = _place(typedef.name, schemas, declared)
    if schema is None:
        return
    short = typedef.name.rpartition(".")[2]
    if typedef.kind == "enum":
        _enum(schema, short, typedef.members or [], flags=typedef.flags)
        return
    element = ET.SubElement(schema, "ComplexType", Name=short)
    if typedef.open:
        element.set("OpenType", "true")
    _properties(element, typedef.properties)


def _inline_enum(
    prop: Property, contract: Contract, schemas: dict[str, ET.Element], declared: set[str]
) -> None:
    """An enum-typed property whose members the docs list on the property, not on a type page."""
    inner = prop.type[11:-1] if prop.type.startswith("Collection(") else prop.type
    if not prop.enum or inner.startswith("Edm.") or inner in contract.types:
        return
    schema = _place(inner, schemas, declared)
    if schema is not None:
        _enum(schema, inner.rpartition(".")[2], prop.enum, flags=False)


def _enum(schema: ET.Element, name: str, members: list[str], *, flags: bool) -> None:
    element = ET.SubElement(schema, "EnumType", Name=name)
    if flags:
        element.set("IsFlags", "true")
    names = [m for m in dict.fromkeys(members) if IDENTIFIER.fullmatch(m)]
    for i, member in enumerate(names):
        value = 1 << i if flags else i
        ET.SubElement(element, "Member", Name=member, Value=str(value))


def _container(contracts: list[Contract], schema: ET.Element) -> None:
    """Entity sets and singletons for the roots whose type a contract's path tells."""
    roots: dict[str, tuple[str, str]] = {}
    for contract in contracts:
        for path in contract.paths:
            segments = [s for s in path.split("/") if s]
            if not segments or not IDENTIFIER.fullmatch(segments[0]):
                continue
            if len(segments) == 1:
                roots.setdefault(segments[0], ("Singleton", contract.resource))
            elif len(segments) == 2 and segments[1].startswith("{"):
                roots.setdefault(segments[0], ("EntitySet", contract.resource))
    if not roots:
        return  # an EntityContainer needs at least one member (edm.xsd)
    container = ET.SubElement(schema, "EntityContainer", Name=CONTAINER)
    for name, (kind, type_name) in sorted(roots.items()):
        attribute = "EntityType" if kind == "EntitySet" else "Type"
        ET.SubElement(container, kind, {"Name": name, attribute: type_name})
