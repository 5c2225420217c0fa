"""contracts/ in the repository must be exactly what the tool generates from ../shared/seeds."""

from __future__ import annotations

from pathlib import Path

from graph_contracts.contracts import save
from graph_contracts.extract import extract_paths

REPO_CONTRACTS = Path(__file__).resolve().parent.parent / "contracts"


def test_contracts_match_generated(seeds: Path, tmp_path: Path) -> None:
    result = extract_paths([seeds])
    assert result.errors == []
    save(result.contracts, tmp_path)
    generated = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.json")}
    committed = {p.relative_to(REPO_CONTRACTS).as_posix() for p in REPO_CONTRACTS.rglob("*.json")}
    hint = "contracts/ drifted from the seeds: run `make contracts` and review the diff"
    assert generated == committed, f"{hint} (files differ: {sorted(generated ^ committed)})"
    for name in sorted(generated):
        same = (tmp_path / name).read_bytes() == (REPO_CONTRACTS / name).read_bytes()
        assert same, f"{hint} ({name} differs)"
