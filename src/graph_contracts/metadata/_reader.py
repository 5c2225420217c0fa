"""Reading a CSDL `$metadata` document (XML) into the facts the suite uses.

A file given with `--metadata` and the document a service serves at `{base}/{version}/$metadata`
go through this one reader. What it keeps, per type: kind, base type, `Abstract`, `OpenType`,
`Key`, enum members and `IsFlags`; per property: its type (aliases resolved), `Nullable` (absent
means nullable, CSDL 4.01 §7.2.1), `Precision`, and whether the service computes it
(`Core.Computed`, or `Core.Permissions` of `Read` only: a client cannot write it). Entity sets and
singletons name the container's roots. Descriptions and capability annotations are skipped.

Stdlib only (`xml.etree`, expat underneath): Graph's beta document is megabytes, parsed once per
run, and `benchmarks/bench_metadata.py` holds this reader to a small multiple of a plain parse.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

EDM_NS = "{http://docs.oasis-open.org/odata/ns/edm}"
EDMX_NS = "{http://docs.oasis-open.org/odata/ns/edmx}"
EDMX_ROOT = f"{EDMX_NS}Edmx"
CORE = "Org.OData.Core.V1"

Kind = Literal["entity", "complex", "enum"]
_KINDS = {
    f"{EDM_NS}EntityType": "entity",
    f"{EDM_NS}ComplexType": "complex",
    f"{EDM_NS}EnumType": "enum",
}
_PROPERTY, _NAVIGATION = f"{EDM_NS}Property", f"{EDM_NS}NavigationProperty"
_MEMBER, _KEY, _REF = f"{EDM_NS}Member", f"{EDM_NS}Key", f"{EDM_NS}PropertyRef"
_ANNOTATIONS, _ANNOTATION = f"{EDM_NS}Annotations", f"{EDM_NS}Annotation"
_CONTAINER = f"{EDM_NS}EntityContainer"
_READ_ONLY_TERMS = (".Computed", ".Permissions")


class CsdlError(ValueError):
    """A metadata document that cannot be used; the message names it (and the line when known)."""


@dataclass
class CsdlProperty:
    name: str
    type: str  # qualified, aliases resolved: `microsoft.graph.x`, `Collection(Edm.String)`
    nullable: bool = True
    navigation: bool = False
    precision: int | None = None  # CSDL `Precision`: fractional seconds kept (DateTimeOffset...)
    read_only: bool = False  # `Core.Computed`, or `Core.Permissions` Read only: not writable


@dataclass
class CsdlType:
    name: str  # qualified
    kind: Kind
    base: str | None = None
    abstract: bool = False
    open_type: bool = False
    properties: dict[str, CsdlProperty] = field(default_factory=dict)
    navigation: dict[str, CsdlProperty] = field(default_factory=dict)
    members: list[str] = field(default_factory=list)
    flags: bool = False
    key: list[str] = field(default_factory=list)  # declared here; `Csdl.key` follows the bases


@dataclass
class Csdl:
    """The types of one `$metadata` document, by qualified name."""

    path: str  # a file, or the URL a service served it at
    types: dict[str, CsdlType]
    version: str | None = None  # the API version it describes, when told (`metadata_version`)
    roots: dict[str, str] = field(default_factory=dict)  # entity set / singleton -> entity type
    document: bytes | None = field(default=None, repr=False, compare=False)  # as read: served
    _children: dict[str, list[str]] | None = field(default=None, repr=False, compare=False)

    def lineage(self, name: str) -> list[CsdlType]:
        """The type and its base types, root first (cycles in a broken file are cut)."""
        chain: list[CsdlType] = []
        seen: set[str] = set()
        current = self.types.get(name)
        while current is not None and current.name not in seen:
            seen.add(current.name)
            chain.append(current)
            current = self.types.get(current.base) if current.base else None
        return chain[::-1]

    def properties(self, name: str) -> dict[str, CsdlProperty]:
        """Structural properties including inherited ones."""
        return {k: v for t in self.lineage(name) for k, v in t.properties.items()}

    def navigation(self, name: str) -> dict[str, CsdlProperty]:
        return {k: v for t in self.lineage(name) for k, v in t.navigation.items()}

    def key(self, name: str) -> list[str]:
        """The key properties: declared by the type or the nearest base type that declares one."""
        return next((t.key for t in reversed(self.lineage(name)) if t.key), [])

    def is_open(self, name: str) -> bool:
        """`OpenType` is inherited: a type derived from an open type is open (CSDL 4.01 §6.3)."""
        return any(t.open_type for t in self.lineage(name))

    def subtype_with(self, name: str, prop: str) -> CsdlType | None:
        """A type derived from `name` that declares `prop` (docs of a base often list them)."""
        for candidate in self.types.values():
            if (
                prop in candidate.properties
                and candidate.name != name
                and self.is_derived(candidate.name, name)
            ):
                return candidate
        return None

    def is_derived(self, name: str, base: str) -> bool:
        """True when `name` is `base` or inherits from it."""
        return any(t.name == base for t in self.lineage(name))

    def children(self) -> dict[str, list[str]]:
        """Base type -> the types declaring it as `BaseType` (built once, on first use)."""
        if self._children is None:
            self._children = {}
            for t in self.types.values():
                if t.base:
                    self._children.setdefault(t.base, []).append(t.name)
        return self._children


def derived_types(csdl: Csdl, base: str) -> set[str]:
    """Every type that inherits from `base`, directly or not (not `base` itself).

    What `bodies.accepted_types(contract, hierarchy)` needs from a CSDL: a body or a reply may name
    any of these in `@odata.type`. The children index is built once per document: a run asks
    for each of a thousand contracts.
    """
    children = csdl.children()
    found: set[str] = set()
    todo = [base.removeprefix("#")]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    found.discard(base.removeprefix("#"))
    return found


# --- loading --------------------------------------------------------------------------------


def load_csdl(path: Path) -> Csdl:
    """Parse a CSDL XML file; CsdlError (one line, file[:line]) when it is missing or unusable."""
    return parse_csdl(read_document(path), str(path))


def read_document(path: Path) -> bytes:
    """A metadata file's bytes; CsdlError naming it when it cannot be read."""
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise CsdlError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CsdlError(f"{path}: is a directory, not a metadata file") from None
    except OSError as exc:
        raise CsdlError(f"{path}: cannot read ({exc.strerror or exc})") from None


def parse_csdl(data: bytes, origin: str) -> Csdl:
    """Parse a CSDL XML document held in memory (`origin` names it in errors: a file or a URL)."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        line, column = exc.position
        reason = str(exc).split(":")[0]
        raise CsdlError(f"{origin}:{line}: malformed XML ({reason}, column {column + 1})") from None
    if root.tag != EDMX_ROOT:
        raise CsdlError(
            f"{origin}: not a CSDL $metadata document (root element <{_local(root.tag)}>)"
        )
    reader = _Reader(root)
    csdl = Csdl(origin, dict(reader.types()), roots=reader.roots, document=data)
    if not csdl.types:
        raise CsdlError(f"{origin}: CSDL document declares no types")
    reader.annotate(csdl)
    return csdl


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


class _Reader:
    """One pass over the schemas: types first, then the out-of-line annotations that name them."""

    def __init__(self, root: ET.Element) -> None:
        self.schemas = list(root.iter(f"{EDM_NS}Schema"))
        self.aliases = {
            s.get("Alias"): s.get("Namespace", "") for s in self.schemas if s.get("Alias")
        }
        for include in root.iter(f"{EDMX_NS}Include"):  # `Core.Computed` with an aliased vocabulary
            if include.get("Alias"):
                self.aliases[include.get("Alias")] = include.get("Namespace", "")
        self.roots: dict[str, str] = {}
        self.annotations: list[ET.Element] = []
        self.qualified: dict[str, str] = {}  # a few thousand names, each written many times

    def qualify(self, name: str) -> str:
        found = self.qualified.get(name)
        if found is None:
            found = self.qualified[name] = qualify(name, self.aliases)
        return found

    def types(self) -> Iterator[tuple[str, CsdlType]]:
        for schema in self.schemas:
            namespace = schema.get("Namespace", "")
            for element in schema:
                kind = _KINDS.get(element.tag)
                if kind is not None and element.get("Name"):
                    parsed = self._type(element, f"{namespace}.{element.get('Name')}", kind)
                    yield parsed.name, parsed
                elif element.tag == _ANNOTATIONS:
                    self.annotations.append(element)
                elif element.tag == _CONTAINER:
                    self._container(element)

    def _type(self, element: ET.Element, name: str, kind: str) -> CsdlType:
        base = element.get("BaseType")
        parsed = CsdlType(
            name=name,
            kind=kind,  # type: ignore[arg-type]
            base=self.qualify(base) if base else None,
            abstract=element.get("Abstract") == "true",
            open_type=element.get("OpenType") == "true",
            flags=element.get("IsFlags") == "true",
        )
        for child in element:
            tag = child.tag
            if tag == _MEMBER:
                parsed.members.append(child.get("Name", ""))
            elif tag in (_PROPERTY, _NAVIGATION):
                prop = self._property(child, navigation=tag == _NAVIGATION)
                (parsed.navigation if prop.navigation else parsed.properties)[prop.name] = prop
            elif tag == _KEY:
                parsed.key = [ref.get("Name", "") for ref in child if ref.tag == _REF]
        return parsed

    def _property(self, child: ET.Element, *, navigation: bool) -> CsdlProperty:
        precision = child.get("Precision")
        prop = CsdlProperty(
            child.get("Name", ""),
            self.qualify(child.get("Type", "")),
            nullable=child.get("Nullable") != "false",  # absent means nullable
            navigation=navigation,
            precision=int(precision) if precision and precision.isdigit() else None,
        )
        if len(child):  # most properties carry no inline annotation: skip the walk
            prop.read_only = any(self._read_only(a) for a in child if a.tag == _ANNOTATION)
        return prop

    def _container(self, container: ET.Element) -> None:
        for child in container:
            named = child.get("EntityType") or child.get("Type")
            if child.get("Name") and named:
                self.roots[child.get("Name", "")] = self.qualify(named)

    def annotate(self, csdl: Csdl) -> None:
        """`<Annotations Target="ns.type/property">`: Graph states `Core.Computed` out of line."""
        for group in self.annotations:
            if not any(self._read_only(a) for a in group if a.tag == _ANNOTATION):
                continue
            owner, _, name = self.qualify(group.get("Target", "")).partition("/")
            found = csdl.types.get(owner)
            prop = found.properties.get(name) if found is not None and name else None
            if prop is not None:
                prop.read_only = True

    def _read_only(self, annotation: ET.Element) -> bool:
        term = annotation.get("Term", "")
        if not term.endswith(_READ_ONLY_TERMS):  # Description, LongDescription...: most of them
            return False
        term = self.qualify(term)
        if term == f"{CORE}.Computed":
            return annotation.get("Bool", "true") == "true"
        if term == f"{CORE}.Permissions":
            granted = {m.text or "" for m in annotation.iter(f"{EDM_NS}EnumMember")}
            text = annotation.get("EnumMember", "")
            granted |= set(text.split())
            return bool(granted) and all(g.endswith("Permission/Read") for g in granted)
        return False


def qualify(type_name: str, aliases: dict) -> str:
    """`Collection(graph.x)` -> `Collection(microsoft.graph.x)`: resolve a schema alias."""
    if type_name.startswith("Collection(") and type_name.endswith(")"):
        return f"Collection({qualify(type_name[11:-1], aliases)})"
    prefix, _, rest = type_name.partition(".")
    return f"{aliases[prefix]}.{rest}" if prefix in aliases and rest else type_name
