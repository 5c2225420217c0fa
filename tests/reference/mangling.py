"""The rich-type defects: how a broken service stores a valid value wrong.

Each transform is deterministic and applied when a PATCH is stored, so the reply and every later
GET show it (round-trip and read-after-write both see it). Values are the semantic values of
values.py; `Raw` values (opaque types) are left alone.
"""

from __future__ import annotations

import decimal
import uuid
from collections.abc import Set
from typing import Any

from reference.schema import CollectionOf, Complex, EdmType, Enum, Primitive
from reference.values import (
    INTEGER_RANGES,
    SENTINEL,
    TICKS,
    TIMESPAN_MAX,
    ComplexValue,
    Flags,
    Raw,
    float32,
)

RICH_DEFECTS = frozenset(
    {
        "nested-enum-changed",
        "collection-reordered",
        "collection-cut",
        "complex-member-dropped",
        "duration-changed",
        "guid-altered",
        "flags-member-lost",
        "sentinel-stored",
    }
)
# Numbers stored through a narrower float: proven on a contract with every such type
# (tests/test_precision.py), which neither the seeds nor the rich corpus contracts have.
PRECISION_DEFECTS = frozenset(
    {"int32-through-float32", "int64-through-double", "decimal-through-double", "double-15-digits"}
)


def mangle(value: Any, edm_type: EdmType, defects: Set[str], nested: bool = False) -> Any:
    """`value` as a service with `defects` stores it; `nested` is True inside a complex value."""
    if not defects & (RICH_DEFECTS | PRECISION_DEFECTS) or value is None or isinstance(value, Raw):
        return value
    if isinstance(value, ComplexValue) and isinstance(edm_type, Complex):
        return _complex(value, defects)
    if isinstance(value, list) and isinstance(edm_type, CollectionOf):
        items = [mangle(item, edm_type.item, defects, nested) for item in value]
        if "collection-reordered" in defects and len(items) >= 2:
            items.reverse()
        if "collection-cut" in defects and items:
            items.pop()
        return items
    if isinstance(edm_type, Enum):
        return _enum(value, edm_type, defects, nested)
    if isinstance(edm_type, Primitive):
        return _primitive(value, edm_type.name, defects)
    return value


def _complex(value: ComplexValue, defects: Set[str]) -> ComplexValue:
    members = {}
    for name, member in value.members.items():
        member_field = value.type.fields.get(name)
        members[name] = mangle(member, member_field.type, defects, True) if member_field else member
    if "complex-member-dropped" in defects and value.sent:
        members.pop(value.sent[0], None)
    return ComplexValue(value.type, members, value.sent, value.annotation)


def _enum(value: Any, edm_type: Enum, defects: Set[str], nested: bool) -> Any:
    members = edm_type.members
    stores_sentinel = "sentinel-stored" in defects and isinstance(value, str)
    # Only a member declared after the sentinel may ever be shown as it.
    if stores_sentinel and SENTINEL in members and value in members[: members.index(SENTINEL)]:
        return SENTINEL
    if isinstance(value, Flags):
        if "flags-member-lost" in defects and len(value.names) >= 2:
            return Flags(value.names[:-1])
        return value
    if "nested-enum-changed" in defects and nested and len(edm_type.members) >= 2:
        members = edm_type.members
        return members[(members.index(value) + 1) % len(members)]
    return value


def _primitive(value: Any, name: str, defects: Set[str]) -> Any:
    narrowed = _narrowed(value, name, defects)
    if narrowed is not None:
        return narrowed
    if name == "Edm.Duration" and "duration-changed" in defects and isinstance(value, int):
        return value + TICKS if value + TICKS <= TIMESPAN_MAX else value - TICKS
    if name == "Edm.Guid" and "guid-altered" in defects and isinstance(value, uuid.UUID):
        return uuid.UUID(int=value.int ^ 1)
    return value


def _narrowed(value: Any, name: str, defects: Set[str]) -> Any:
    """The number as a narrower float keeps it, or None when no precision defect applies."""
    if name == "Edm.Int32" and "int32-through-float32" in defects and isinstance(value, int):
        return _saturated(float32(value), name)
    if name == "Edm.Int64" and "int64-through-double" in defects and isinstance(value, int):
        return _saturated(float(value), name)
    decimal_defect = name == "Edm.Decimal" and "decimal-through-double" in defects
    if decimal_defect and isinstance(value, decimal.Decimal) and value.is_finite():
        return decimal.Decimal(repr(float(value)))
    if name == "Edm.Double" and "double-15-digits" in defects and isinstance(value, float):
        return float(f"{value:.15g}")
    return None


def _saturated(number: float, name: str) -> int:
    low, high = INTEGER_RANGES[name]
    return max(low, min(high, int(number))) if number == number else 0
