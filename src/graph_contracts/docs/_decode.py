"""Bytes -> page text, refusing what is not a text page with a reason the user can act on."""

from __future__ import annotations

import codecs

from ._model import PageError


def decode(data: bytes) -> str:
    """Bytes -> text, or PageError naming why the bytes are not a text page."""
    if not data or data.isspace():
        raise PageError("empty file")
    if data.find(b"\x00", 0, 8192) >= 0:  # no copy of the first 8 KiB
        raise PageError("binary file (NUL bytes), not a doc page")
    try:  # plain "utf-8" is the codec's C fast path; "utf-8-sig" only when there is a BOM
        text = data.decode("utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8")
    except UnicodeDecodeError as exc:
        raise PageError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None
    return text
