"""The real corpus: >= 99 % of the 1026 PATCH pages yield a contract with paths and properties."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph_contracts.extract import extract_paths


@pytest.fixture(scope="module")
def corpus_api(corpus: Path) -> tuple[Path, list[Path]]:
    root = corpus / "graph-docs" / "api-reference"
    return root, [root / "beta" / "api", root / "v1.0" / "api"]


def test_corpus_coverage(corpus_api) -> None:
    _root, folders = corpus_api
    pages = {
        f"{f.parent.parent.name}/api/{f.name}" for folder in folders for f in folder.glob("*.md")
    }
    result = extract_paths(folders)
    ok: set[str] = set()
    for c in result.contracts:
        if c.paths and c.properties:
            ok.update(c.sources)
    failures = sorted(pages - ok)
    rate = len(pages & ok) / len(pages)
    print(f"corpus coverage: {len(pages & ok)}/{len(pages)} = {rate:.2%}")
    for page in failures:
        print("no contract:", page)
    assert len(pages) == 1026
    assert rate >= 0.99, f"only {rate:.2%}; failures: {failures}"
    assert result.errors == [], result.errors[:5]


def test_corpus_paths_are_normalized(corpus_api) -> None:
    _, folders = corpus_api
    result = extract_paths(folders)
    for c in result.contracts:
        for path in c.paths:
            assert not path.startswith(("/beta/", "/v1.0/", "http")), (c.id, path)
            assert "<" not in path and "{id}" not in path, (c.id, path)


def test_complex_types_have_no_key(corpus_api) -> None:
    """OData CSDL: complex types have no key, so an `id` member is a value a PATCH writes."""
    _, folders = corpus_api
    result = extract_paths(folders)
    members = [
        (c.id, t.name, p.name)
        for c in result.contracts
        for t in c.types.values()
        for p in t.properties
    ]
    ids = [m for m in members if m[2] == "id"]
    assert ids, "the corpus has complex types with an `id` member (settingSource, ...)"
    keyed = [
        (c.id, t.name)
        for c in result.contracts
        for t in c.types.values()
        for p in t.properties
        if p.key
    ]
    assert keyed == []
