"""Bulk work with the cyclic garbage collector paused.

Extraction, its JSON and the contract files allocate a great many small, acyclic objects that
live to the end of the work: every collection would walk them all again, for nothing (tens of
milliseconds of a corpus run). Reference counting still frees what dies.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


def paused_gc(fn: Callable[P, R]) -> Callable[P, R]:
    """`fn` run with the cyclic collector paused, and restored as it was afterwards."""

    @functools.wraps(fn)
    def paused(*args: P.args, **kwargs: P.kwargs) -> R:
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()

    return paused
