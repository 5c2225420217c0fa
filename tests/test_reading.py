"""Pages parsed on two cores give exactly what a serial read gives, errors included."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from graph_contracts.contracts import contracts_json
from graph_contracts.extract import _reading, extract_paths


@pytest.fixture(scope="module")
def api(corpus: Path) -> list[Path]:
    root = corpus / "graph-docs" / "api-reference"
    return [root / "beta" / "api", root / "v1.0" / "api"]


def _pages(api: list[Path]) -> list[str]:
    return sorted(str(p) for folder in api for p in folder.glob("*.md"))


@pytest.mark.slow
@pytest.mark.skipif(not _reading._can_fork(), reason="needs fork and two cores")
def test_forked_extraction_is_the_serial_one(
    api: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Contracts, findings, errors and skipped pages: byte for byte, on the whole corpus plus a
    bad page (its PageError crosses the pipe) and an overview page."""
    forks: list[int] = []
    fork = _reading._forked
    monkeypatch.setattr(_reading, "_forked", lambda *a: forks.append(1) or fork(*a))
    bad = tmp_path / "v1.0" / "api"
    bad.mkdir(parents=True)
    (bad / "truncated-update.md").write_text("# Update x\n\n```http\nPATCH /x/{id}\n")
    (bad / "overview.md").write_text("# Overview\n\nSome prose.\n")
    paths = [*api, bad]
    serial, forked = extract_paths(paths), extract_paths(paths, parallel=True)
    assert forks == [1]  # the worker really ran
    assert contracts_json(forked.contracts) == contracts_json(serial.contracts)
    assert (forked.findings, forked.errors, forked.skipped) == (
        serial.findings,
        serial.errors,
        serial.skipped,
    )
    assert any("truncated-update.md" in e for e in serial.errors)


@pytest.mark.slow
@pytest.mark.skipif(not _reading._can_fork(), reason="needs fork and two cores")
def test_a_worker_that_dies_leaves_its_share_to_the_parent(
    api: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _pages(api)
    serial = _reading.read_pages(files, {})
    monkeypatch.setattr(_reading, "_send_all", lambda files, sender: os._exit(3))
    forked = _reading.read_pages(files, {}, parallel=True)
    assert [type(p) for p in forked] == [type(p) for p in serial]
    assert [getattr(p, "title", str(p)) for p in forked] == [
        getattr(p, "title", str(p)) for p in serial
    ]


def test_the_split_keeps_a_pages_beta_and_v1_copies_together(api: list[Path]) -> None:
    files = _pages(api)
    by_name: dict[str, set[bool]] = {}
    for path in files:
        by_name.setdefault(os.path.basename(path), set()).add(_reading._theirs(path))
    assert all(len(sides) == 1 for sides in by_name.values())
    share = sum(_reading._theirs(p) for p in files) / len(files)
    assert 0.35 < share < 0.65
