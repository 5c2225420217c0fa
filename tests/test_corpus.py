"""The real corpus: 1017 of the 1026 PATCH pages (99.1 %) yield a contract with paths and
properties; the nine left are POST/PUT pages, two Dynamics pages with no table and three Intune
pages whose request line is `PATCH ** Entity URI ... not found`."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph_contracts.extract import extract_paths


@pytest.fixture(scope="module")
def corpus_api(corpus: Path) -> tuple[Path, list[Path]]:
    root = corpus / "graph-docs" / "api-reference"
    return root, [root / "beta" / "api", root / "v1.0" / "api"]


@pytest.fixture(scope="module")
def result(corpus_api):
    """The corpus extracted once for the module's tests (each read it, none changes it)."""
    return extract_paths(corpus_api[1])


def test_corpus_coverage(corpus_api, result) -> None:
    _root, folders = corpus_api
    pages = {
        f"{f.parent.parent.name}/api/{f.name}" for folder in folders for f in folder.glob("*.md")
    }
    ok: set[str] = set()
    for c in result.contracts:
        if c.paths and c.properties:
            ok.update(c.sources)
    failures = sorted(pages - ok)
    rate = len(pages & ok) / len(pages)
    print(f"corpus coverage: {len(pages & ok)}/{len(pages)} = {rate:.2%}")
    for page in failures:
        print("no contract:", page)
    assert (len(pages & ok), len(pages)) == (1017, 1026), f"only {rate:.2%}; failures: {failures}"
    assert result.errors == [], result.errors[:5]


def test_corpus_paths_are_normalized(result) -> None:
    for c in result.contracts:
        for path in c.paths:
            assert not path.startswith(("/beta/", "/v1.0/", "http")), (c.id, path)
            assert "<" not in path and "{id}" not in path, (c.id, path)


def test_complex_types_have_no_key(result) -> None:
    """OData CSDL: complex types have no key, so an `id` member is a value a PATCH writes."""
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
