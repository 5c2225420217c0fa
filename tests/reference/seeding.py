"""Deterministic starting values: every entity's properties from the seed and its path alone.

An entity is created on first access; its values depend only on (seed, version, path, property), so
the store is the same whatever order requests come in, and two servers with one seed agree.
Values are semantic (see values.py), valid for their types, and never null: a PATCH that writes
null, or a merge that loses a value, must be visible.
"""

from __future__ import annotations

import decimal
import hashlib
import random
import uuid
from datetime import date
from typing import Any

from reference.schema import CollectionOf, Complex, EdmType, Enum, Opaque, Primitive
from reference.values import SENTINEL, TICKS, ComplexValue, Flags, float32, zero

MAX_DEPTH = 3  # complex values nested deeper than this are left unset (self-referencing types)


def rng_for(*parts: object) -> random.Random:
    """A generator fixed by its inputs (`hash()` of a str is salted per process, sha256 is not)."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def guid_for(*parts: object) -> str:
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def seed_value(
    edm_type: EdmType, rng: random.Random, label: str, depth: int = 0, nullable: bool = True
) -> Any:
    """A valid semantic value of `edm_type`: never null, except for opaque types and for complex
    values nested deeper than MAX_DEPTH (then the type's zero)."""
    if isinstance(edm_type, CollectionOf):
        return [
            seed_value(edm_type.item, rng, label, depth, False) for _ in range(rng.randint(2, 3))
        ]
    if isinstance(edm_type, Enum):  # any member but the evolvable-enum sentinel: no value
        members = tuple(m for m in edm_type.members if m != SENTINEL) or edm_type.members
        if edm_type.flags and len(members) > 1:
            return Flags(tuple(m for m in members if rng.random() < 0.5) or members[:1])
        return rng.choice(members)
    if isinstance(edm_type, Complex):
        if depth >= MAX_DEPTH:
            return zero(edm_type, nullable, depth)
        members = {
            name: seed_value(f.type, rng, name, depth + 1, f.nullable)
            for name, f in edm_type.fields.items()
            if f.updatable
        }
        return ComplexValue(edm_type, members)
    if isinstance(edm_type, Opaque):
        return None
    return _primitive(edm_type, rng, label)


def _primitive(edm_type: Primitive, rng: random.Random, label: str) -> Any:
    name = edm_type.name
    if name in ("Edm.Byte", "Edm.SByte", "Edm.Int16", "Edm.Int32", "Edm.Int64"):
        return rng.randint(1, 100)
    makers = {
        "Edm.Double": lambda: rng.randint(1, 4000) / 8,
        "Edm.Single": lambda: float32(rng.randint(1, 4000) / 8),
        "Edm.Decimal": lambda: decimal.Decimal(rng.randint(1, 99999)).scaleb(-2),
        "Edm.Boolean": lambda: rng.random() < 0.5,
        "Edm.String": lambda: f"{label} {rng.randint(1, 999)}",
        "Edm.Guid": lambda: uuid.UUID(int=rng.getrandbits(128), version=4),
        "Edm.Date": lambda: date(rng.randint(2000, 2030), rng.randint(1, 12), rng.randint(1, 28)),
        "Edm.TimeOfDay": lambda: rng.randrange(0, 86_400) * TICKS,
        "Edm.Duration": lambda: rng.randint(1, 90_000) * TICKS,
        "Edm.DateTimeOffset": lambda: _year_2020 + rng.randrange(0, 5 * 365 * 86_400) * TICKS,
        "Edm.Binary": lambda: bytes(rng.randrange(256) for _ in range(rng.randint(1, 6))),
    }
    return makers[name]()


_year_2020 = (date(2020, 1, 1).toordinal() - 1) * 86_400 * TICKS
