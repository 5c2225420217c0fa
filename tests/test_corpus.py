"""The real corpus: of the 1026 PATCH pages, exactly the 1017 docs/extract.md publishes yield a
contract with paths and properties; the nine that do not are named."""

from __future__ import annotations

from pathlib import Path

import pytest
from published import page, percent

from graph_contracts.extract import Extraction, extract_paths

PAGES, WITH_CONTRACT = 1026, 1017
# POST and PUT pages, two Dynamics pages with no property table, and three Intune pages whose
# request line is `PATCH ** Entity URI for ... not found`.
NO_CONTRACT = [
    "beta/api/dynamics-paymentmethods-update.md",
    "beta/api/dynamics-taxarea-update.md",
    "beta/api/intune-partnerintegration-appvulnerabilitymanageddevice-update.md",
    "beta/api/intune-partnerintegration-appvulnerabilitymobileapp-update.md",
    "beta/api/intune-partnerintegration-vulnerablemanageddevice-update.md",
    "beta/api/teamsapp-publish.md",
    "v1.0/api/group-post-members.md",
    "v1.0/api/openshift-update.md",
    "v1.0/api/teamsapp-publish.md",
]

pytestmark = pytest.mark.slow  # extracts the whole corpus


@pytest.fixture(scope="module")
def corpus_api(corpus: Path) -> tuple[Path, list[Path]]:
    root = corpus / "graph-docs" / "api-reference"
    return root, [root / "beta" / "api", root / "v1.0" / "api"]


@pytest.fixture(scope="module")
def extraction(corpus_api) -> Extraction:
    return extract_paths(corpus_api[1])


def test_corpus_coverage(corpus_api, extraction: Extraction) -> None:
    _root, folders = corpus_api
    pages = {
        f"{f.parent.parent.name}/api/{f.name}" for folder in folders for f in folder.glob("*.md")
    }
    ok: set[str] = set()
    for c in extraction.contracts:
        if c.paths and c.properties:
            ok.update(c.sources)
    print(f"corpus coverage: {len(pages & ok)}/{len(pages)} = {len(pages & ok) / len(pages):.2%}")
    assert (len(pages), len(pages & ok)) == (PAGES, WITH_CONTRACT)
    assert sorted(pages - ok) == NO_CONTRACT
    assert extraction.errors == [], extraction.errors[:5]
    assert f"| {WITH_CONTRACT} ({percent(WITH_CONTRACT, PAGES)});" in page("extract.md")


def test_corpus_paths_are_normalized(extraction: Extraction) -> None:
    for c in extraction.contracts:
        for path in c.paths:
            assert not path.startswith(("/beta/", "/v1.0/", "http")), (c.id, path)
            assert "<" not in path and "{id}" not in path, (c.id, path)


def test_complex_types_have_no_key(extraction: Extraction) -> None:
    """OData CSDL: complex types have no key, so an `id` member is a value a PATCH writes."""
    members = [
        (c.id, t.name, p.name)
        for c in extraction.contracts
        for t in c.types.values()
        for p in t.properties
    ]
    ids = [m for m in members if m[2] == "id"]
    assert ids, "the corpus has complex types with an `id` member (settingSource, ...)"
    keyed = [
        (c.id, t.name)
        for c in extraction.contracts
        for t in c.types.values()
        for p in t.properties
        if p.key
    ]
    assert keyed == []
