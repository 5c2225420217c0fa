"""Indented JSON text, byte for byte what `json.dumps(value, indent=2, ensure_ascii=False)` writes.

Why not `json.dumps` itself: with `indent` the standard library leaves its C encoder and walks the
value in pure-Python generators, one `yield` per token. A corpus of contracts is about 300 000
values, so printing them took as long as extracting them. Here a scalar costs C calls only (the C
string encoder, `int.__repr__`, a table for true/false/null), a list of strings (paths, sources,
enum members) is one `join`, and only containers cost a Python call. Anything unusual (floats,
tuples, non-string keys, subclasses) is handed to `json.dumps` itself and re-indented, which is
exact because JSON text never holds a raw newline inside a string.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring  # the C encoder when available (ensure_ascii=False)
from typing import Any

INDENT = "  "
_LITERALS = {True: "true", False: "false", None: "null"}
# type -> C function giving the JSON text of a scalar of exactly that type
SCALARS: dict[type, Any] = {
    str: encode_basestring,
    int: int.__repr__,
    bool: _LITERALS.__getitem__,
    type(None): _LITERALS.__getitem__,
}


def dumps(value: Any, *, sort_keys: bool = False) -> str:
    """`json.dumps(value, indent=2, ensure_ascii=False, sort_keys=sort_keys)`, faster."""
    return text(value, "\n", sort_keys)


def text(value: Any, newline: str, sort_keys: bool = False) -> str:
    """`value`'s JSON text at the level whose line breaks are `newline` ("\\n" + indentation)."""
    scalar = SCALARS.get(type(value))
    if scalar is not None:
        return scalar(value)
    if type(value) is list:
        return _list(value, newline, sort_keys) if value else "[]"
    if type(value) is dict:
        try:
            return _dict(value, newline, sort_keys) if value else "{}"
        except TypeError:  # a key that is not a string: json.dumps converts it (or refuses)
            pass
    return json.dumps(value, indent=len(INDENT), ensure_ascii=False, sort_keys=sort_keys).replace(
        "\n", newline
    )


def _list(items: list[Any], newline: str, sort_keys: bool) -> str:
    inner = newline + INDENT
    if all(type(item) is str for item in items):
        body = ("," + inner).join(map(encode_basestring, items))
    else:
        body = ("," + inner).join([text(item, inner, sort_keys) for item in items])
    return "[" + inner + body + newline + "]"


def _dict(mapping: dict[str, Any], newline: str, sort_keys: bool) -> str:
    inner = newline + INDENT
    scalars = SCALARS
    body = ("," + inner).join(
        [
            encode_basestring(key)
            + ": "
            + (
                scalar(item)
                if (scalar := scalars.get(type(item)))
                else text(item, inner, sort_keys)
            )
            for key, item in (sorted(mapping.items()) if sort_keys else mapping.items())
        ]
    )
    return "{" + inner + body + newline + "}"
