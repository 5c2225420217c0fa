"""What the reference server knows about each resource: its own reader of the contract files and CSDL.

Types come from the contracts (the docs). Nullability comes from the contract when the docs state
it; when they are silent, from a CSDL `$metadata` file (`Nullable="false"`, looked up on the type and
its base types; absent means nullable), and without one the property is nullable. Nothing here
imports graph_contracts: the point of this server is to read the same files with other code.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EDM = "{http://docs.oasis-open.org/odata/ns/edm}"
GRAPH = "microsoft.graph"
# The primitive types the server parses itself; any other `Edm.*` (Stream, Untyped, geography) is
# opaque: stored and returned as sent.
PRIMITIVES = frozenset(
    {
        *("Edm.Byte", "Edm.SByte", "Edm.Int16", "Edm.Int32", "Edm.Int64"),
        *("Edm.Single", "Edm.Double", "Edm.Decimal", "Edm.Boolean", "Edm.String"),
        *("Edm.Guid", "Edm.Date", "Edm.TimeOfDay", "Edm.Duration", "Edm.DateTimeOffset"),
        "Edm.Binary",
    }
)


class SchemaError(ValueError):
    """A contracts folder or CSDL file the server cannot read; the message names the file."""


# --- the type model -------------------------------------------------------------------------


@dataclass(frozen=True)
class Primitive:
    name: str  # `Edm.Int32`


@dataclass(frozen=True)
class Enum:
    name: str
    members: tuple[str, ...]
    flags: bool = False
    declared: bool = True  # members in declaration order (the type's own list, not prose)


@dataclass(eq=False)
class Complex:
    """A complex type; `fields` is filled after creation so self-referencing types resolve."""

    name: str
    fields: dict[str, Field] = field(default_factory=dict)


@dataclass(frozen=True)
class CollectionOf:
    item: EdmType


@dataclass(frozen=True)
class Opaque:
    """A type the docs never resolved, `Edm.Untyped`, `Edm.Stream`, geography: any JSON, kept as sent."""

    name: str


EdmType = Primitive | Enum | Complex | CollectionOf | Opaque


@dataclass
class Field:
    """A property of an entity or complex type, as the server enforces it."""

    name: str
    type: EdmType
    nullable: bool
    updatable: bool = True


@dataclass
class Resource:
    """One contract: an entity type in one API version, addressed by its path templates."""

    version: str
    name: str  # qualified: `microsoft.graph.deviceConfigurationUserStatus`
    paths: list[str]
    status: int
    key: str
    fields: dict[str, Field]
    accepted_types: frozenset[str]  # qualified names a body's `@odata.type` may give
    complex_types: dict[str, Complex]
    csdl: Csdl | None = None

    def derives(self, name: str, base: str) -> bool:
        """Whether type `name` may stand for `base`: the CSDL says so, or (without one) it is known."""
        if self.csdl is None:
            return name in self.complex_types or name in self.accepted_types
        return base in self.csdl.lineage(name)

    @property
    def short(self) -> str:
        return self.name.rsplit(".", 1)[-1]


# --- CSDL: nullability and base types ---------------------------------------------------------


@dataclass
class Csdl:
    """Structural types of one `$metadata` file: base type and nullability per property."""

    bases: dict[str, str] = field(default_factory=dict)
    nullability: dict[str, dict[str, bool]] = field(default_factory=dict)

    def lineage(self, name: str) -> list[str]:
        """The type and its base types, most derived first (a cycle in a broken file is cut)."""
        chain: list[str] = []
        while name and name not in chain:
            chain.append(name)
            name = self.bases.get(name, "")
        return chain

    def nullable(self, type_name: str, prop: str) -> bool | None:
        for name in self.lineage(type_name):
            found = self.nullability.get(name, {}).get(prop)
            if found is not None:
                return found
        return None


def read_csdl(path: Path) -> Csdl:
    """Parse the entity and complex types of a CSDL XML file (aliases such as `graph.` resolved)."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as exc:
        raise SchemaError(f"{path}: cannot read CSDL ({exc})") from None
    schemas = list(root.iter(f"{EDM}Schema"))
    aliases = {s.get("Alias", ""): s.get("Namespace", "") for s in schemas if s.get("Alias")}
    csdl = Csdl()
    for schema in schemas:
        namespace = schema.get("Namespace", "")
        for element in schema:
            if element.tag not in (f"{EDM}EntityType", f"{EDM}ComplexType"):
                continue
            name = f"{namespace}.{element.get('Name')}"
            base = element.get("BaseType")
            if base:
                csdl.bases[name] = _unalias(base, aliases)
            csdl.nullability[name] = {
                prop.get("Name", ""): prop.get("Nullable") != "false"
                for prop in element
                if prop.tag == f"{EDM}Property"
            }
    return csdl


def _unalias(name: str, aliases: Mapping[str, str]) -> str:
    prefix, _, rest = name.partition(".")
    return f"{aliases[prefix]}.{rest}" if prefix in aliases and rest else name


_VERSION_PREFIX = re.compile(r"^(v\d+\.\d+|beta)_")


def documents_by_version(paths: Iterable[Path]) -> dict[str | None, bytes]:
    """The CSDL files' bytes, as `$metadata` serves them: by version as `csdl_by_version` reads."""
    found: dict[str | None, bytes] = {}
    for path in paths:
        match = _VERSION_PREFIX.match(Path(path).name)
        try:
            found[match.group(1) if match else None] = Path(path).read_bytes()
        except OSError as exc:
            raise SchemaError(f"{path}: cannot read CSDL ({exc})") from None
    return found


def csdl_by_version(paths: Iterable[Path]) -> dict[str | None, Csdl]:
    """`beta_metadata.xml` serves beta, `v1.0_metadata.xml` v1.0; other names serve every version."""
    found: dict[str | None, Csdl] = {}
    for path in paths:
        match = _VERSION_PREFIX.match(Path(path).name)
        found[match.group(1) if match else None] = read_csdl(Path(path))
    return found


# --- contracts -------------------------------------------------------------------------------


def load_resources(contracts_dir: Path, csdl: Iterable[Path] = ()) -> list[Resource]:
    """Read every contract listed in `contracts_dir/index.json` into Resources."""
    index = contracts_dir / "index.json"
    listing = _read_json(index).get("contracts")
    if not isinstance(listing, list) or not listing:
        raise SchemaError(f"{index}: no `contracts` list")
    metadata = csdl_by_version(csdl)
    resources = []
    for entry in listing:
        path = contracts_dir / str(entry.get("file", ""))
        data = _read_json(path)
        try:
            version = data["version"]
            resources.append(_resource(data, metadata.get(version) or metadata.get(None)))
        except (KeyError, TypeError, AttributeError) as exc:
            raise SchemaError(f"{path}: not a contract file ({exc!r})") from None
    return resources


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SchemaError(f"{path}: {exc}") from None


def _resource(data: dict[str, Any], csdl: Csdl | None) -> Resource:
    resolver = _Resolver(data.get("types") or {}, csdl)
    name = data["resource"]
    fields = {
        p["name"]: resolver.field(name, p, updatable=not (p.get("key") or p.get("read_only")))
        for p in data["properties"]
    }
    key = next((p["name"] for p in data["properties"] if p.get("key")), "id")
    return Resource(
        version=data["version"],
        name=name,
        paths=list(data["paths"]),
        status=int(data.get("status") or 200),
        key=key,
        fields=fields,
        accepted_types=frozenset({name, *_example_types(data)}),
        complex_types=resolver.complex,
        csdl=csdl,
    )


def _example_types(data: dict[str, Any]) -> set[str]:
    """Graph types the documented request examples send as `@odata.type` (derived types)."""
    found = set()
    for example in data.get("examples") or []:
        body = example.get("body") if example.get("kind") == "request" else None
        value = body.get("@odata.type") if isinstance(body, dict) else None
        if isinstance(value, str) and value.lstrip("#").startswith(f"{GRAPH}."):
            found.add(value.lstrip("#"))
    return found


class _Resolver:
    """Turns the contract's type names into EdmTypes, one Complex object per name."""

    def __init__(self, typedefs: Mapping[str, Any], csdl: Csdl | None) -> None:
        self.typedefs = typedefs
        self.csdl = csdl
        self.complex: dict[str, Complex] = {}

    def field(self, owner: str, prop: Mapping[str, Any], *, updatable: bool = True) -> Field:
        documented = prop.get("nullable")
        if documented is None and self.csdl is not None:
            documented = self.csdl.nullable(owner, prop["name"])
        edm_type = self.resolve(prop["type"], prop.get("enum"))
        nullable = True if documented is None else bool(documented)
        return Field(prop["name"], edm_type, nullable, updatable)

    def resolve(self, name: str, inline: list[str] | None = None) -> EdmType:
        if name.startswith("Collection(") and name.endswith(")"):
            return CollectionOf(self.resolve(name[len("Collection(") : -1], inline))
        typedef = self.typedefs.get(name)
        kind = typedef.get("kind") if isinstance(typedef, dict) else None
        if kind == "enum" and typedef.get("members"):
            return Enum(name, tuple(typedef["members"]), bool(typedef.get("flags")))
        if inline:
            flags = bool(typedef and typedef.get("flags"))
            return Enum(name, tuple(inline), flags, declared=False)
        if kind == "complex":
            return self._complex(name, typedef)
        if name in PRIMITIVES:
            return Primitive(name)
        return Opaque(name)

    def _complex(self, name: str, typedef: Mapping[str, Any]) -> Complex:
        found = self.complex.get(name)
        if found is None:
            found = self.complex[name] = Complex(name)
            for prop in typedef.get("properties") or []:
                found.fields[prop["name"]] = self.field(
                    name, prop, updatable=not (prop.get("key") or prop.get("read_only"))
                )
        return found
