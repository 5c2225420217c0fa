"""Plain text as good as markdown: a corpus page copied from the published site (seed 004's style,
rendered by `tests/text_render.py`) gives the same contract as its markdown.

The rendered api pages sit in a copy of the corpus layout whose `resources/` folders are the
corpus' own markdown, as in a docs checkout where one page was replaced by its copy: the page
alone must say what its markdown says. Contracts are compared per page (before merging), on what
the suite acts on: version, resource, paths, properties (type, enum, nullable, read-only, key),
status, permissions and headers. Line numbers, sources, findings and examples are not compared.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from text_render import render

from graph_contracts.contracts import Contract
from graph_contracts.docs import PageError, decode, parse_page
from graph_contracts.extract._page import page_contract
from graph_contracts.extract._pages import Pages
from graph_contracts.extract._types import Types

VERSIONS = ("beta", "v1.0")
GOAL = 0.95


def essence(c: Contract | None) -> tuple | None:
    """What "identical contracts" means here: everything but lines, sources, findings, examples."""
    if c is None:
        return None
    props = tuple(
        (p.name, p.type, tuple(p.enum or ()), p.nullable, p.read_only, p.key) for p in c.properties
    )
    perms = tuple(sorted((k, tuple(v)) for k, v in c.permissions.items()))
    return (c.version, c.resource, tuple(c.paths), props, c.status, perms, tuple(c.headers))


def page_contracts(files: list[Path], root: Path) -> dict[str, Contract | None]:
    """{file name: its own contract} for pages read in one run (shared type memos)."""
    types = Types(Pages(str(root)))
    out: dict[str, Contract | None] = {}
    for f in files:
        key = f"{f.parent.parent.name}/{f.stem}"
        try:
            page = parse_page(decode(f.read_bytes()), cache=types.pages.rows)
        except PageError:
            out[key] = None
            continue
        out[key] = page_contract(page, str(f), types.pages.show(f), types, [])
    return out


def render_corpus(api_root: Path, dest: Path, width: int | None) -> list[Path]:
    """Every api page rendered as `<dest>/<version>/api/<name>.txt`, resources linked beside."""
    out = []
    for v in VERSIONS:
        (dest / v / "api").mkdir(parents=True)
        os.symlink(api_root / v / "resources", dest / v / "resources")
        for md in sorted((api_root / v / "api").glob("*.md")):
            txt = dest / v / "api" / (md.stem + ".txt")
            txt.write_text(render(md.read_text(encoding="utf-8"), width), encoding="utf-8")
            out.append(txt)
    return out


def compare(api_root: Path, dest: Path, width: int | None) -> tuple[float, list[str]]:
    """(rate of identical contracts, the differing pages with what differs)."""
    md_files = [f for v in VERSIONS for f in sorted((api_root / v / "api").glob("*.md"))]
    markdown = page_contracts(md_files, api_root)
    text = page_contracts(render_corpus(api_root, dest, width), dest)
    differing = []
    for key, c in markdown.items():
        a, b = essence(c), essence(text.get(key))
        if a != b:
            differing.append(f"{key}: {_first_difference(a, b)}")
    return 1 - len(differing) / len(markdown), differing


def _first_difference(a: tuple | None, b: tuple | None) -> str:
    if a is None or b is None:
        return f"markdown {a is not None}, text {b is not None}"
    names = ("version", "resource", "paths", "properties", "status", "permissions", "headers")
    for name, x, y in zip(names, a, b, strict=True):
        if x != y:
            if name == "properties":
                dx, dy = set(x) - set(y), set(y) - set(x)
                return f"properties: markdown {sorted(dx)[:3]} text {sorted(dy)[:3]}"
            return f"{name}: markdown {x} text {y}"
    return "?"


@pytest.fixture(scope="module")
def api_root(corpus: Path) -> Path:
    return corpus / "graph-docs" / "api-reference"


@pytest.mark.parametrize("width", [None, 100, 72])
def test_rendered_corpus_matches_markdown(api_root: Path, tmp_path: Path, width) -> None:
    rate, differing = compare(api_root, tmp_path, width)
    print(f"plain text (width {width}) identical contracts: {rate:.2%}")
    for d in differing:
        print("differs:", d)
    assert rate >= GOAL, differing[:20]
