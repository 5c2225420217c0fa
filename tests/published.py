"""What the manual (docs/) publishes, for the tests that assert its figures exactly.

A figure in the manual is the figure a test asserts with ==, and the test also finds it in the
page, written the way the page writes it: the two cannot drift apart.
"""

from __future__ import annotations

from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"


def page(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def percent(part: int, whole: int, digits: int = 1) -> str:
    """`99.1 %`, as the manual writes a share (a space before the sign)."""
    return f"{100 * part / whole:.{digits}f} %"
