"""Bad input: one clear stderr line per file, the other files still extracted, exit 1, no traceback."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph_contracts.cli import app

runner = CliRunner()
CASES = {
    "empty.md": (b"", "empty file"),
    "blank.md": (b"  \n\n", "empty file"),
    "binary.md": (b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "binary file"),
    "latin1.md": (
        "# Update café\n\n## HTTP request\n```http\nPATCH /x/{id}\n```\n".encode("latin-1"),
        "not UTF-8",
    ),
    "truncated.txt": (None, "truncated"),
    "notes.txt": (b"shopping list\neggs\nmilk\n", "unrecognizable"),
}


@pytest.fixture
def bad_dir(tmp_path: Path, seeds: Path) -> Path:
    folder = tmp_path / "pages"
    folder.mkdir()
    good = next(seeds.glob("003_*.txt"))
    shutil.copy(good, folder / good.name)
    text = next(seeds.glob("004_*.txt")).read_text(encoding="utf-8")
    for name, (data, _) in CASES.items():
        if data is None:  # the plain-text seed cut inside its request JSON body
            data = "\n".join(text.splitlines()[:74]).encode()
        (folder / name).write_bytes(data)
    return folder


def run(*args: str):
    return runner.invoke(app, ["extract", *args])


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_bad_file_is_named_with_its_reason(bad_dir: Path, name: str) -> None:
    result = run(
        str(bad_dir / name), str(bad_dir / next(p.name for p in bad_dir.glob("003_*"))), "--json"
    )
    assert result.exit_code == 1
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"graph-contracts: {bad_dir / name}: ")
    assert CASES[name][1] in lines[0]
    assert "Traceback" not in result.output + result.stderr
    contracts = json.loads(result.stdout)
    assert [c["resource"] for c in contracts] == ["microsoft.graph.userAppInstallStatus"]


def test_folder_with_bad_files_still_extracts_the_good_one(bad_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run(str(bad_dir), "--out", str(out))
    assert result.exit_code == 1
    # notes.txt (no request, no table, not written as an API page) is skipped in a folder
    assert (
        len([ln for ln in result.stderr.splitlines() if ln.startswith("graph-contracts: ")])
        == len(CASES) - 1
    )
    assert "1 pages skipped: not update or type pages" in result.stderr
    assert (out / "beta" / "userAppInstallStatus.json").is_file()


def test_missing_path(tmp_path: Path) -> None:
    result = run(str(tmp_path / "nope.md"))
    assert result.exit_code == 2  # a usage error: nothing is extracted
    assert "nope.md: no such file or directory" in result.stderr
    assert "Traceback" not in result.stderr


def test_good_input_exits_zero(seeds: Path) -> None:
    result = run(str(seeds), "--json")
    assert result.exit_code == 0, result.stderr
    assert len(json.loads(result.stdout)) == 3


def test_single_file_error_names_the_path_as_given(tmp_path: Path) -> None:
    """The error line carries the path the user typed, not the display-relative source name."""
    page = tmp_path / "bin.md"
    page.write_bytes(b"\x00\x01binary")
    result = run(str(page), "--json")
    assert result.exit_code == 1
    assert f"graph-contracts: {page}: binary file (NUL bytes), not a doc page" in result.stderr
