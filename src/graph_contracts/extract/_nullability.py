"""What the docs say about null, and how pages that say different things are reconciled."""

from __future__ import annotations

import re

_NOT_NULLABLE = re.compile(r"\b(?:not nullable|non-nullable|cannot be null)\b", re.IGNORECASE)
_NULLABLE = re.compile(r"\bnullable\b", re.IGNORECASE)


def documented_nullability(description: str, *, key: bool = False) -> bool | None:
    """What the description says about null: Graph docs write "Nullable." or "Not nullable.".

    Silence is None, not a guess: CSDL has about as many nullable value-typed properties as not,
    so the suite neither sends null nor expects it rejected unless the docs say which.
    """
    if key:
        return False
    if "null" not in description.lower():  # both patterns need it; few descriptions have it,
        return None  # and case-blind searches of the rest were the run's largest regex cost
    if _NOT_NULLABLE.search(description):
        return False
    return True if _NULLABLE.search(description) else None


def merge_nullability(values: list[bool | None]) -> bool | None:
    """Pages that say "not nullable" win over pages that say "nullable"; silence loses to both."""
    if False in values:
        return False
    return True if True in values else None
