"""The reference server's entities: created on first access, found by walking a concrete path.

Every collection a template names holds two entities of each type a client may look for there: the
resource types whose templates end at its members, and every type a template casts a member to
(`/coll/{id}/microsoft.graph.X/...` needs members of type X). Single-valued navigations hold one
entity. Ids and values come from `seeding`, so the store does not depend on request order.

Minimal metadata needs each entity's *declared* type, the one its context implies: the single
resource type whose templates end at that position, or, when several share it, the one a CSDL shows
to be the base of the others. When none is known, typed entities always name their type.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from reference import routes
from reference.routes import Nav, Position, Unsupported
from reference.schema import Csdl, Resource
from reference.seeding import guid_for, rng_for, seed_value
from reference.values import zero

PER_TYPE = 2  # entities of each needed type in each collection


class NotFound(Exception):
    """No entity with that id (or not of the cast type): 404."""


class BadSegment(Exception):
    """A segment no template names at that position: 400, as Graph answers unknown segments."""


@dataclass
class Entity:
    key: tuple[str, ...]  # version, then the concrete path without casts
    id: str
    type: str | None  # qualified type name; None for a position no contract describes
    declared: str | None  # the type its context implies
    positions: list[Position]
    values: dict[str, Any]
    context: str  # `deviceManagement/deviceConfigurations('a')`: how children name their parent
    entity_set: str  # what `@odata.context` names before `/$entity`
    stale: tuple[dict[str, Any], float] | None = None  # eventual consistency: (old values, until)


@dataclass
class Collection:
    key: tuple[str, ...]
    nav: Nav
    members: list[Entity]
    context: str
    only: str | None = None  # `/coll/microsoft.graph.X` lists only X

    def listing(self) -> list[Entity]:
        return [e for e in self.members if self.only is None or e.type == self.only]


class Store:
    """Every version's trie and entities; resolves concrete paths the way Graph routes them."""

    def __init__(self, resources: Iterable[Resource], seed: int = 0) -> None:
        self.seed = seed
        self.resources = {(r.version, r.name): r for r in resources}
        self.roots: dict[str, Position] = {}
        self.served: dict[tuple[str, str], list[str]] = {}
        self.skipped: dict[tuple[str, str], list[str]] = {}
        for resource in self.resources.values():
            root = self.roots.setdefault(resource.version, Position())
            for template in resource.paths:
                key = (resource.version, resource.name)
                try:
                    routes.add(root, template, resource.name)
                except Unsupported:
                    self.skipped.setdefault(key, []).append(template)
                else:
                    self.served.setdefault(key, []).append(template)
        self._csdl: dict[str, Csdl] = {
            r.version: r.csdl for r in self.resources.values() if r.csdl is not None
        }
        self._entities: dict[tuple[str, ...], Entity] = {}
        self._collections: dict[tuple[str, ...], Collection] = {}

    def resource(self, entity: Entity) -> Resource | None:
        return self.resources.get((entity.key[0], entity.type or ""))

    # --- walking a concrete path ----------------------------------------------------------------

    def resolve(self, version: str, segments: list[str]) -> Entity | Collection:
        """The entity or collection a request path names; raises BadSegment or NotFound."""
        root = self.roots.get(version)
        if root is None or not segments:
            raise BadSegment(f"Resource not found for the segment '{version}'.")
        node: Entity | Collection = Entity((version,), "", None, None, [root], {}, "", "")
        for segment in segments:
            node = self._step(node, segment)
        return node

    def _step(self, node: Entity | Collection, segment: str) -> Entity | Collection:
        if isinstance(node, Collection):
            if node.only is None and segment in node.nav.member_casts:
                return Collection(
                    node.key, node.nav, node.members, f"{node.context}/{segment}", segment
                )
            for member in node.listing():
                if member.id == segment:
                    return member
            raise NotFound(
                f"Resource '{segment}' does not exist or one of its queried reference-property objects are not present."
            )
        # The most derived shape first: `rootCertificate` of an iosScepCertificateProfile is the
        # one its cast declares, not the base type's of the same name.
        nav = next((p.navs[segment] for p in reversed(node.positions) if segment in p.navs), None)
        if nav is not None:
            return self._collection(node, nav) if nav.many else self._single(node, nav)
        if any(segment in p.casts for p in node.positions):
            if node.type != segment:
                raise NotFound(f"Resource '{node.id}' is not a {segment}.")
            return node
        raise BadSegment(f"Resource not found for the segment '{segment}'.")

    def _collection(self, parent: Entity, nav: Nav) -> Collection:
        key = (*parent.key, nav.name)
        found = self._collections.get(key)
        if found is None:
            context = _join(parent.context, nav.name)
            declared = self.declared(key[0], nav.element)
            members = [
                self._new(
                    (*key, ident), ident, type_name, declared, nav, f"{context}('{ident}')", context
                )
                for type_name in self.member_types(nav)
                for ident in (guid_for(self.seed, *key, type_name, i) for i in range(PER_TYPE))
            ]
            found = self._collections[key] = Collection(key, nav, members, context)
        return found

    def _single(self, parent: Entity, nav: Nav) -> Entity:
        key = (*parent.key, nav.name)
        found = self._entities.get(key)
        if found is None:
            element = nav.element
            type_name = next(iter([*element.resources, *element.casts]), None)
            context = _join(parent.context, nav.name)
            declared = self.declared(key[0], element)
            found = self._new(
                key, guid_for(self.seed, *key), type_name, declared, nav, context, context
            )
        return found

    def _new(
        self,
        key: tuple[str, ...],
        ident: str,
        type_name: str | None,
        declared: str | None,
        nav: Nav,
        context: str,
        entity_set: str,
    ) -> Entity:
        positions = [nav.element]
        if type_name in nav.member_casts:
            positions.append(nav.member_casts[type_name])
        positions += [p.casts[type_name] for p in list(positions) if type_name in p.casts]
        resource = self.resources.get((key[0], type_name or ""))
        values = seeded(resource, self.seed, key) if resource else {"id": ident}
        if resource:
            values[resource.key] = ident
        entity = Entity(key, ident, type_name, declared, positions, values, context, entity_set)
        self._entities[key] = entity
        return entity

    def member_types(self, nav: Nav) -> list[str | None]:
        """Types a collection holds: resources ending at its members, then every cast type."""
        element = nav.element
        found = [*element.resources, *element.casts, *nav.member_casts]
        for cast in nav.member_casts.values():
            found += cast.resources
        return list(dict.fromkeys(found)) or [None]

    def declared(self, version: str, position: Position) -> str | None:
        """The type a position's context implies; None when no single one is known."""
        candidates = position.resources
        if len(candidates) == 1:
            return candidates[0]
        csdl = self._csdl.get(version)
        if csdl is None:
            return None
        for base in candidates:
            if all(base in csdl.lineage(other) for other in candidates):
                return base
        return None

    # --- what PATCH defects need ----------------------------------------------------------------

    def create(self, collection: Collection, ident: str) -> Entity | None:
        """A new member with zero values (only the `not-found-creates` defect does this)."""
        version = collection.key[0]
        types = [collection.only] if collection.only else self.member_types(collection.nav)
        type_name = next((t for t in types if (version, t) in self.resources), None)
        if type_name is None:
            return None
        resource = self.resources[(version, type_name)]
        entity = self._new(
            (*collection.key, ident),
            ident,
            type_name,
            self.declared(version, collection.nav.element),
            collection.nav,
            f"{collection.context}('{ident}')",
            collection.context,
        )
        entity.values = {name: zero(f.type, f.nullable) for name, f in resource.fields.items()}
        entity.values[resource.key] = ident
        collection.members.append(entity)
        return entity

    def siblings(self, entity: Entity) -> Iterator[Entity]:
        """Other members of the entity's collection, of the same type."""
        collection = self._collections.get(entity.key[:-1])
        for other in collection.members if collection else ():
            if other is not entity and other.type == entity.type:
                yield other


def seeded(resource: Resource, seed: int, key: tuple[str, ...]) -> dict[str, Any]:
    """Every property of the resource, fixed by seed and entity path."""
    return {
        name: seed_value(f.type, rng_for(seed, *key, name), name, 0, f.nullable)
        for name, f in resource.fields.items()
    }


def _join(parent: str, name: str) -> str:
    return f"{parent}/{name}" if parent else name
