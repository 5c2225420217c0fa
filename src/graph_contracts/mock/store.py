"""The mock's in-memory Graph: a shape trie built from the path templates, and a lazily seeded store.

Every contract path template (`/deviceManagement/deviceConfigurations/{id}/microsoft.graph.X/
rootCertificate/userStatuses/{id}`) is parsed into steps: a collection navigation followed by a key,
a single-valued navigation (or a singleton at the root), or a type cast. The templates of one API
version merge into one trie of *shapes*, so that the store knows, at any position, which navigations
exist and which entity types a collection must hold (each contract type and each cast type that a
template names after it, two entities of each).

Entities are created on first access, deterministically from the seed and their concrete path, so
building the store for the whole corpus costs nothing up front and the data does not depend on the
order of requests. Seeded values come from `seed_value`, one deterministic generator per Edm type
kind (`edm.resolve`), valid by `edm.value_problems`.
"""

from __future__ import annotations

import base64
import hashlib
import random
import threading
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from graph_contracts import edm, paths
from graph_contracts.contracts import NAMESPACE, Contract, Property, TypeDef
from graph_contracts.edm import EdmType, TypeKind
from graph_contracts.metadata import Csdl
from graph_contracts.mock.csdl_types import for_version, seeding_contract
from graph_contracts.naming import singular
from graph_contracts.paths import Segment, is_cast
from graph_contracts.required_headers import ETAG, requires_etag

SEEDED_PER_TYPE = 2  # entities of each needed type in each collection
MAX_DEPTH = 3  # nesting of seeded complex values, so self-referencing types terminate
STREAM = "Edm.Stream"
# `me` is the signed-in user (CSDL: <Singleton Name="me" Type="microsoft.graph.user">): its paths
# are a user's, so `/me/...` templates and requests are served as `/users/{id}/...`.
ME, USERS = "me", "users"


# --- path templates ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One parsed template segment: `nav` (single-valued), `coll` + `key`, or `cast`."""

    kind: str  # "nav" | "coll" | "key" | "cast"
    name: str  # navigation name, cast type, or key parameter name
    prefix: str = ""  # key segments such as `{item-path}:` keep their literal affixes
    suffix: str = ""


def parse_template(template: str) -> list[Step]:
    """Steps of a template (`paths.parse`); a literal whose next key has no affixes is a collection."""
    segments = paths.parse(template)
    steps: list[Step] = []
    for i, segment in enumerate(segments):
        if segment.kind == "key":
            if not steps or steps[-1].kind not in ("coll", "cast") or _cast_on_entity(steps):
                steps.append(Step("coll", ""))  # a key right after a key: an unnamed collection
            steps.append(Step("key", segment.name, segment.prefix, segment.suffix))
        elif segment.kind == "cast":
            steps.append(Step("cast", segment.name))
        else:
            steps.append(Step("coll" if _keys_next(segments, i) else "nav", segment.name))
    return steps


def _keys_next(segments: list[Segment], i: int) -> bool:
    """Whether the literal at `i` is a collection keyed by the next segment (`/coll/<cast>/{id}` too).

    `format/borders({sideIndex})` keys `borders`, not `format`: `format` is an entity.
    """
    rest = [s for s in segments[i + 1 :] if s.kind != "cast"]
    if not rest or rest[0].kind != "key" or rest[0].prefix:
        return False
    following = segments[i + 1]
    return following.kind == "cast" or following is rest[0]


def _cast_on_entity(steps: list[Step]) -> bool:
    """A cast that follows a key or navigation narrows an entity, not a collection."""
    last_non_cast = next((s for s in reversed(steps) if s.kind != "cast"), None)
    return steps[-1].kind == "cast" and (last_non_cast is None or last_non_cast.kind != "coll")


# --- shapes -----------------------------------------------------------------------------------


@dataclass
class EntityShape:
    """What an entity at one template position offers: navigations, casts, contracts addressed here."""

    navs: dict[str, NavShape] = field(default_factory=dict)
    casts: dict[str, EntityShape] = field(default_factory=dict)
    types: list[str] = field(default_factory=list)  # contract types addressed at this position

    def nav(self, name: str, many: bool) -> NavShape:
        shape = self.navs.get(name)
        if shape is None:
            shape = self.navs[name] = NavShape(name, many)
        if many and not shape.many:  # single so far: keep that use beside the collection
            shape.single, shape.element, shape.many = shape.element, EntityShape(), True
        return shape

    def cast(self, type_name: str) -> EntityShape:
        return self.casts.setdefault(type_name, EntityShape())

    def needed_types(self) -> list[str]:
        """Types a collection of these entities must hold: contract types first, then cast types."""
        return list(dict.fromkeys([*self.types, *self.casts]))


@dataclass
class NavShape:
    """A navigation property: single-valued or a collection (with its key affixes and casts)."""

    name: str
    many: bool
    element: EntityShape = field(default_factory=EntityShape)
    casts: dict[str, EntityShape] = field(default_factory=dict)  # `/coll/microsoft.graph.X/{id}`
    prefix: str = ""
    suffix: str = ""
    single: EntityShape | None = None  # also used without a key (`mailFolders/inbox`)

    def single_shape(self) -> EntityShape:
        """The shape of the entity this name reaches when no key follows it."""
        if not self.many:
            return self.element
        if self.single is None:
            self.single = EntityShape()
        return self.single

    def member_types(self) -> list[tuple[str, list[EntityShape]]]:
        """(type, shapes) of every entity kind the collection holds, in seeding order.

        A member offers the navigations of the element shape and, when a template reaches it
        through `/coll/<cast>/{id}`, those of that cast too.
        """
        kinds: dict[str, list[EntityShape]] = {}
        for type_name in self.element.needed_types():
            kinds.setdefault(type_name, [self.element])
        for type_name, shape in self.casts.items():
            kinds.setdefault(type_name, [self.element]).append(shape)
        for shape in self.casts.values():
            for extra in shape.needed_types():
                kinds.setdefault(extra, [self.element, shape])
        return list(kinds.items())


def build_shapes(contracts: Iterable[Contract]) -> dict[str, EntityShape]:
    """One root shape per API version, with every contract's templates merged in."""
    roots: dict[str, EntityShape] = {}
    for contract in contracts:
        root = roots.setdefault(contract.version, EntityShape())
        for template in contract.paths:
            add_template(root, parse_template(as_user_path(template)), contract.resource)
    for root in roots.values():  # every Graph version has its users, and `/me` among them
        root.nav(USERS, many=True)
    return roots


def as_user_path(template: str) -> str:
    """`/me/...` as the signed-in user's path: `/users/{userId}/...`."""
    head, _, rest = template.lstrip("/").partition("/")
    if head != ME:
        return template
    return f"/{USERS}/{{userId}}" + (f"/{rest}" if rest else "")


def add_template(root: EntityShape, steps: list[Step], resource: str) -> None:
    """Merge one template into the trie; the entity it ends on is addressed by `resource`."""
    entity = root
    pending: NavShape | None = None  # a collection whose key has not come yet
    target: EntityShape = root  # the shape that key reaches (narrowed by `/coll/<cast>`)
    for step in steps:
        if step.kind == "nav":
            entity, pending = entity.nav(step.name, many=False).single_shape(), None
        elif step.kind == "coll":
            pending = entity.nav(step.name, many=True)
            target = pending.element
        elif step.kind == "key" and pending is not None:
            pending.prefix, pending.suffix = step.prefix, step.suffix
            entity, pending = target, None
        elif step.kind == "cast" and pending is not None:
            target = pending.casts.setdefault(step.name, EntityShape())
        elif step.kind == "cast":
            entity = entity.cast(step.name)
    if pending is None and entity is not root and resource not in entity.types:
        entity.types.append(resource)


# --- deterministic values ---------------------------------------------------------------------


def rng_for(*parts: object) -> random.Random:
    """A random generator fixed by its inputs (Python's `hash` of str is salted per process)."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def etag_for(seed: int, key: tuple[str, ...], version: int) -> str:
    """A weak ETag naming one version of one entity, spelled as Planner's (`W/"base64"`)."""
    digest = hashlib.sha256("\x1f".join(map(str, (seed, *key))).encode()).hexdigest()[:20]
    return 'W/"' + base64.b64encode(f"{version:08d}-{digest}".encode()).decode() + '"'


def guid_for(*parts: object) -> str:
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def seed_value(
    type_name: str,
    types: dict[str, TypeDef],
    rng: random.Random,
    *,
    enum: list[str] | None = None,
    nullable: bool | None = True,
    label: str = "value",
    depth: int = 0,
) -> Any:
    """A deterministic value valid for `type_name` (null only for what cannot be generated)."""
    return _seed(edm.resolve(type_name, types, enum), types, rng, nullable, label, depth)


def _seed(
    edm_type: EdmType,
    types: dict[str, TypeDef],
    rng: random.Random,
    nullable: bool | None,
    label: str,
    depth: int,
) -> Any:
    kind = edm_type.kind
    if kind is TypeKind.COLLECTION:
        assert edm_type.item is not None
        count = rng.randint(1, 2)
        return [_seed(edm_type.item, types, rng, False, label, depth) for _ in range(count)]
    if edm_type.members and kind in (TypeKind.ENUM, TypeKind.PRIMITIVE):
        # enum members, or the values a String's table lists; never the evolvable-enum sentinel
        # (a member a client writes instead; one draw either way, so other seeds do not move)
        chosen = rng.choice(edm_type.members)
        return chosen if chosen in edm_type.writable else (edm_type.writable or (chosen,))[0]
    if kind is TypeKind.ENUM:  # an enum the docs give no member of
        return "" if nullable is False else None
    if kind in (TypeKind.PRIMITIVE, TypeKind.ANY_JSON):
        return _primitive(edm_type.name, rng, label)
    if kind is TypeKind.COMPLEX and edm_type.typedef is not None and depth < MAX_DEPTH:
        return {
            p.name: seed_value(
                p.type, types, rng, enum=p.enum, nullable=p.nullable, label=p.name, depth=depth + 1
            )
            for p in edm_type.typedef.properties
            if not is_stream(p)
        }
    if kind is TypeKind.UNRESOLVED:  # no type to be valid for: null, unless the docs forbid it
        return {} if nullable is False else None
    return None if nullable else {}


def _primitive(type_name: str, rng: random.Random, label: str) -> Any:
    if type_name in edm.INT_RANGES:
        low, high = edm.INT_RANGES[type_name]
        return rng.randint(max(low, 0), min(high, 1000))
    if type_name in ("Edm.Single", "Edm.Double", "Edm.Decimal"):
        return rng.randint(0, 4000) / 8  # exact in float32 and in decimal
    if type_name == "Edm.Boolean":
        return rng.random() < 0.5
    if type_name == "Edm.DateTimeOffset":
        start = edm.parse_datetimeoffset("2020-01-01T00:00:00Z")
        return edm.format_datetimeoffset(start + rng.randrange(0, 5 * 365 * 86400 * 10**7))
    if type_name == "Edm.Date":
        return f"{rng.randint(2000, 2030):04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if type_name == "Edm.TimeOfDay":
        return f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
    if type_name == "Edm.Duration":
        return f"PT{rng.randint(1, 23)}H{rng.randint(0, 59)}M"
    if type_name == "Edm.Guid":
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))
    if type_name == "Edm.Binary":
        return rng.choice(["AQID", "AQIDBA", "AQIDBAU", "AQIDBAUG"])
    return f"{label} {rng.randint(1, 999)}"


_ZEROS: dict[str, Any] = {
    "Edm.Boolean": False,
    "Edm.DateTimeOffset": "0001-01-01T00:00:00Z",  # Graph's unset non-nullable date
    "Edm.String": "",
    **dict.fromkeys(edm.INT_RANGES, 0),
    **dict.fromkeys(edm.FLOATS, 0),
}
_DEFAULTS: dict[TypeKind, Any] = {
    TypeKind.COLLECTION: lambda t: [],
    TypeKind.ENUM: lambda t: (t.writable or t.members or (None,))[0],
    TypeKind.PRIMITIVE: lambda t: (t.writable or t.members)[0] if t.members else _ZEROS.get(t.name),
    TypeKind.COMPLEX: lambda t: {},
    TypeKind.ANY_JSON: lambda t: None,
    TypeKind.UNRESOLVED: lambda t: None,
}


def is_stream(prop: Property) -> bool:
    """An `Edm.Stream` property: not part of the entity's JSON, read and written at its own URL
    (OData JSON Format 4.01, "Stream Property"; organizationalbrandingproperties-update.md writes
    `bannerLogo` as `PATCH .../branding/bannerLogo` with `Content-Type: image/jpeg`)."""
    return edm.split_collection(prop.type)[1] == STREAM


def default_value(prop: Property, types: dict[str, TypeDef]) -> Any:
    """What a property reads when it was never set: null, or the type's zero value."""
    if prop.nullable:
        return None
    edm_type = edm.resolve(prop.type, types, prop.enum)
    return _DEFAULTS[edm_type.kind](edm_type)


# --- the store --------------------------------------------------------------------------------


@dataclass
class Entity:
    """One stored entity: its wire properties (with `id`), its type and what it offers."""

    key: tuple[str, ...]  # concrete path without casts, e.g. (`deviceManagement`, ..., `<id>`)
    type: str  # qualified type name, `microsoft.graph.x`
    shapes: list[EntityShape]  # navigations and casts are looked up in each, in order
    data: dict[str, Any]
    keyed: bool  # a member of a collection (casts to another type are then 404)
    writes: int = 0  # successful PATCHes so far: the version its ETag names

    @property
    def etag(self) -> str | None:
        """The current `@odata.etag` (only entities whose contract requires If-Match have one)."""
        value = self.data.get(ETAG)
        return value if isinstance(value, str) else None

    def nav(self, name: str) -> NavShape | None:
        return next((s.navs[name] for s in self.shapes if name in s.navs), None)

    def cast(self, name: str) -> EntityShape | None:
        return next((s.casts[name] for s in self.shapes if name in s.casts), None)


@dataclass
class Collection:
    key: tuple[str, ...]
    shape: NavShape
    members: list[Entity]
    only: str | None = None  # `/coll/microsoft.graph.X` lists only X entities

    def listing(self) -> list[Entity]:
        return [e for e in self.members if self.only is None or e.type == self.only]


class NotFound(Exception):
    """An unknown id: 404."""


class BadSegment(Exception):
    """A segment no template names: 400, as Graph answers `Resource not found for the segment`."""


class Store:
    """Entities of every version, created on first access; guard reads and writes with `lock`."""

    def __init__(
        self, contracts: Iterable[Contract], seed: int = 0, metadata: Iterable[Csdl] = ()
    ) -> None:
        self.contracts = {(c.version, c.resource): c for c in contracts}
        self.roots = build_shapes(self.contracts.values())
        self.seed = seed
        csdls = list(metadata)
        # What seeding reads: CSDL's types where the docs never resolved one (`csdl_types`).
        self.seeding = {
            key: seeding_contract(c, for_version(csdls, c.version))
            for key, c in self.contracts.items()
        }
        self.lock = threading.RLock()
        self._entities: dict[tuple[str, ...], Entity] = {}
        self._collections: dict[tuple[str, ...], Collection] = {}

    def contract_for(self, version: str, entity: Entity) -> Contract | None:
        return self.contracts.get((version, entity.type))

    def resolve(
        self, version: str, segments: list[str], trail: list[str] | None = None
    ) -> Entity | Collection:
        """Walk a concrete path the way Graph routes it; raises NotFound or BadSegment.

        `trail` collects the `@odata.context` path on the way: `deviceConfigurations('id')`, ...
        """
        trail = [] if trail is None else trail
        root = self.roots.get(version)
        if root is None or not segments:
            raise BadSegment(f"Resource not found for the segment '{version}'")
        with self.lock:
            if segments[0] == ME:
                segments = [USERS, self.signed_in(version), *segments[1:]]
            node: Entity | Collection = Entity((version,), "", [root], {}, keyed=False)
            for segment in segments:
                node = self._step(version, node, segment)
                if isinstance(node, Entity) and node.keyed and trail and segment != node.type:
                    trail[-1] += f"('{node.data.get('id')}')"
                else:
                    trail.append(segment)
            return self._addressed(version, node)

    def signed_in(self, version: str) -> str:
        """The id of the user `/me` is: the first user of the store (a user type first)."""
        users = self._collection(version, (version, USERS), self.roots[version].navs[USERS])
        members = users.listing()
        user = next((e for e in members if e.type == f"{NAMESPACE}.user"), members[0])
        return str(user.data["id"])

    def _addressed(self, version: str, node: Entity | Collection) -> Entity | Collection:
        """A name that is both a collection and, without a key, an entity a contract addresses
        (`/organization/{id}/branding` beside `/branding/{propertyName}`) ends on the entity."""
        single = node.shape.single if isinstance(node, Collection) else None
        if single is None or not single.types or node.only is not None:
            return node
        return self._single(version, (*node.key, ""), single, node.shape.name)

    def _step(self, version: str, node: Entity | Collection, segment: str) -> Entity | Collection:
        if isinstance(node, Collection):
            if node.only is None and is_cast(segment):  # `/coll/microsoft.graph.X`: only X
                return Collection(node.key, node.shape, node.members, only=segment)
            single = node.shape.single
            if (
                single is not None
                and _offers(single, segment)
                and not self._is_member(node, segment)
            ):
                entity = self._single(version, (*node.key, ""), single, node.shape.name)
                return self._step(version, entity, segment)
            return self._member(node, segment)
        nav = node.nav(segment)
        if nav is not None:
            key = (*node.key, segment)
            if nav.many:
                return self._collection(version, key, nav)
            return self._single(version, key, nav.element, nav.name)
        cast = node.cast(segment)
        if cast is not None and node.type:
            if node.keyed and node.type != segment:
                raise NotFound(f"'{node.key[-1]}' is not a {segment}")
            return Entity(node.key, node.type, [cast, *node.shapes], node.data, node.keyed)
        unnamed = node.nav("")  # `worksheets/{id}/range({address})`: a key right after a key
        if unnamed is not None and unnamed.many:
            return self._member(self._collection(version, (*node.key, ""), unnamed), segment)
        raise BadSegment(f"Resource not found for the segment '{segment}'")

    def _is_member(self, collection: Collection, segment: str) -> bool:
        try:
            self._member(collection, segment)
        except NotFound:
            return False
        return True

    def _member(self, collection: Collection, segment: str) -> Entity:
        shape = collection.shape
        if not (segment.startswith(shape.prefix) and segment.endswith(shape.suffix)):
            raise NotFound(f"'{segment}' does not name an entity")
        ident = segment[len(shape.prefix) : len(segment) - len(shape.suffix)]
        for entity in collection.listing():
            if entity.data.get("id") == ident:
                return entity
        raise NotFound(f"Resource '{ident}' does not exist")

    def _collection(self, version: str, key: tuple[str, ...], nav: NavShape) -> Collection:
        found = self._collections.get(key)
        if found is None:
            members: list[Entity] = []
            kinds = nav.member_types() or [(_guess_type(nav.name), [nav.element])]
            for type_name, shapes in kinds:
                for i in range(SEEDED_PER_TYPE):
                    ident = guid_for(self.seed, *key, type_name, i)
                    members.append(self._new(version, (*key, ident), type_name, shapes, ident))
            found = self._collections[key] = Collection(key, nav, members)
        return found

    def _single(self, version: str, key: tuple[str, ...], shape: EntityShape, name: str) -> Entity:
        found = self._entities.get(key)
        if found is None:
            types = shape.needed_types() or [_guess_type(name)]
            ident = guid_for(self.seed, *key)
            found = self._new(version, key, types[0], [shape], ident, keyed=False)
        return found

    def _new(
        self,
        version: str,
        key: tuple[str, ...],
        type_name: str,
        shapes: list[EntityShape],
        ident: str,
        *,
        keyed: bool = True,
    ) -> Entity:
        contract = self.contracts.get((version, type_name))
        seeding = self.seeding.get((version, type_name))
        data = seeded_properties(contract, self.seed, key, seeding) if contract else {}
        data["id"] = ident
        if contract is not None and requires_etag(contract):
            data = {ETAG: etag_for(self.seed, key, 0), **data}
        entity = self._entities[key] = Entity(key, type_name, shapes, data, keyed)
        return entity

    def next_version(self, entity: Entity, data: dict[str, Any]) -> dict[str, Any]:
        """`data` as the entity's next version: a new ETag when it has one (a new one per write)."""
        entity.writes += 1
        if entity.etag is None:
            return data
        rest = {k: v for k, v in data.items() if k != ETAG}
        return {ETAG: etag_for(self.seed, entity.key, entity.writes), **rest}

    def create(self, version: str, collection: Collection, ident: str) -> Entity | None:
        """Add an entity with default values (only the `not-found-creates` defect does this)."""
        kinds = dict(collection.shape.member_types())
        type_name = collection.only or next(
            (t for t in kinds if (version, t) in self.contracts), None
        )
        contract = self.contracts.get((version, type_name or ""))
        if type_name is None or contract is None:
            return None
        shapes = kinds.get(type_name, [collection.shape.element])
        entity = self._new(version, (*collection.key, ident), type_name, shapes, ident)
        etag = entity.etag
        entity.data.clear()
        entity.data.update({ETAG: etag} if etag else {})
        entity.data.update(
            {
                p.name: default_value(p, contract.types)
                for p in contract.properties
                if not is_stream(p)
            }
        )
        entity.data["id"] = ident
        collection.members.append(entity)
        return entity

    def sample(
        self, version: str, template: str, index: int = 0, resource: str | None = None
    ) -> str:
        """A concrete path for `template` (without the version), for tests and benchmarks.

        Picks, at each key, the `index`-th member that fits: of the cast type that follows, or at
        the end of the template of a type with a contract. Raises NotFound when none fits.
        """
        segments = paths.parse(template)
        concrete: list[str] = []
        for i, segment in enumerate(segments):
            if segment.kind != "key":
                concrete.append(segment.text)
                continue
            node = self.resolve(version, concrete)
            unnamed = node.nav("") if isinstance(node, Entity) else None
            if isinstance(node, Entity) and unnamed is not None and unnamed.many:
                with self.lock:
                    node = self._collection(version, (*node.key, ""), unnamed)
            if not isinstance(node, Collection):
                raise NotFound(f"{'/'.join(concrete)} is not a collection")
            nxt = segments[i + 1].text if i + 1 < len(segments) else None
            fits = [e for e in node.listing() if self._fits(version, e, nxt, resource)]
            if not fits:
                raise NotFound(f"no entity fits {template} at {segment.text}")
            chosen = fits[min(index, len(fits) - 1)] if nxt is None else fits[0]
            concrete.append(segment.fill(chosen.data["id"]))
        return "/" + "/".join(concrete)

    def _fits(self, version: str, entity: Entity, nxt: str | None, resource: str | None) -> bool:
        if nxt is None:
            return entity.type == resource if resource else (version, entity.type) in self.contracts
        return entity.type == nxt if is_cast(nxt) else True

    def siblings(self, entity: Entity) -> Iterator[Entity]:
        """Other members of the entity's collection with the same type (seeded or not yet)."""
        collection = self._collections.get(entity.key[:-1])
        for other in collection.members if collection else ():
            if other is not entity and other.type == entity.type:
                yield other


def _offers(shape: EntityShape, segment: str) -> bool:
    """Whether an entity of `shape` has a navigation or cast named `segment` (`mailFolders/inbox`)."""
    return segment in shape.navs or segment in shape.casts


def seeded_properties(
    contract: Contract, seed: int, key: tuple[str, ...], typed: Contract | None = None
) -> dict[str, Any]:
    """Every property of the contract, valid for its type, fixed by seed and entity path.

    `typed`: the contract as CSDL types it (`csdl_types.seeding_contract`); its value is kept
    where it is valid for the docs' type too, else the docs' type is seeded.
    """
    data: dict[str, Any] = {}
    typed_props = {p.name: p for p in (typed or contract).properties}
    for prop in contract.properties:
        if is_stream(prop):
            continue  # read from its own URL, never inline
        value = _seeded(prop, contract.types, seed, key)
        other = typed_props.get(prop.name, prop)
        if typed is not None and other is not prop:
            candidate = _seeded(other, typed.types, seed, key)
            if not _refused(candidate, prop, contract.types):
                value = candidate
        data[prop.name] = value
    return data


def _seeded(prop: Property, types: dict[str, TypeDef], seed: int, key: tuple[str, ...]) -> Any:
    rng = rng_for(seed, *key, prop.name)
    value = seed_value(
        prop.type, types, rng, enum=prop.enum, nullable=prop.nullable, label=prop.name
    )
    return edm.canonical(value, prop.type, types)


def _refused(value: Any, prop: Property, types: dict[str, TypeDef]) -> bool:
    """Whether the contract that judges replies would call `value` wrong (or unlisted)."""
    problems = edm.value_problems(value, prop.type, types, enum=prop.enum, nullable=prop.nullable)
    return any(
        p.kind.rejection_documented or p.kind is edm.ProblemKind.UNLISTED_VALUE for p in problems
    )


def _guess_type(nav_name: str) -> str:
    """An element type for a collection no contract names: `deviceConfigurations` -> singular."""
    return f"{NAMESPACE}.{singular(nav_name.split('(')[0].strip('$:') or 'entity')}"
