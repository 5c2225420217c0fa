"""Input files: which pages a run reads, how they are read, and how their paths are shown."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

SUFFIXES = (".md", ".txt")
_CHUNK = 1 << 16  # larger than nearly every doc page: one read call, then the EOF read
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0)  # O_BINARY: no newline translation


def read_bytes(path: str) -> bytes:
    """A file's bytes through os.open/os.read: a run reads ~3000 small pages, and the io
    objects `open()` builds for each one cost more than the two system calls that matter."""
    fd = os.open(path, _READ_FLAGS)
    try:
        chunks = []
        while chunk := os.read(fd, _CHUNK):
            chunks.append(chunk)
    finally:
        os.close(fd)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def collect(paths: list[Path]) -> tuple[list[str], list[str], set[str]]:
    """(doc pages, one error line per unusable argument, the pages named as files); each page
    once, in argument order. A page found in a folder may be an overview and is skipped then;
    one named on its own was meant to be read."""
    files: list[str] = []
    errors: list[str] = []
    named: set[str] = set()
    for p in paths:
        if p.is_dir():
            found = sorted(_walk(p))
            if not found:
                errors.append(f"{p}: folder holds no *.md or *.txt doc pages")
            files.extend(found)
        elif p.is_file():
            files.append(str(p))
            named.add(str(p))
        elif p.exists():
            errors.append(f"{p}: not a regular file")
        else:
            errors.append(f"{p}: no such file or directory")
    return _unique(files), errors, named


def _unique(files: list[str]) -> list[str]:
    """The first of each file named twice (by two arguments, or relative and absolute)."""
    seen: set[str] = set()
    unique = []
    for f in files:
        key = os.path.abspath(f)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


def _walk(folder: Path | str) -> Iterable[str]:
    """Doc pages under `folder`, recursively (scandir's d_type: no stat per file, unlike
    Path.rglob + is_file)."""
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir():
                yield from _walk(entry.path)
            elif entry.name.lower().endswith(SUFFIXES) and entry.is_file():
                yield entry.path


def display_root(paths: list[Path]) -> str:
    """Sources are shown relative to the parent of the common root of the arguments, so that the
    stored contracts do not depend on where the checkout lives (`seeds/000_x.txt`)."""
    existing = [os.path.abspath(p) for p in paths if p.exists()]
    if not existing:
        return os.getcwd()
    common = os.path.commonpath(existing)
    if common in existing or os.path.isfile(common):
        common = os.path.dirname(common)
    return common


def local_path(shown: str, root: str) -> str:
    """A stored path (`beta/api/x.md`, relative to the display root) as one that opens from the
    current directory: relative to it when the file is below it, else absolute. For output a
    user copies (`lint`, `check-metadata`); contracts keep the stored form. What is no doc page
    (a contract id standing in for a file the docs did not give) is returned as it is."""
    if not shown.lower().endswith(SUFFIXES):
        return shown
    full = os.path.normpath(os.path.join(root, shown))
    try:
        rel = os.path.relpath(full)
    except ValueError:  # another drive (Windows)
        return full
    return full if rel == os.pardir or rel.startswith(os.pardir + os.sep) else rel
