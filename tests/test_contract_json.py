"""Contracts to JSON, fast and unchanged: the new serializers give what asdict + json gave.

`extract --json` and `extract --out` used `dataclasses.asdict` and `json.dumps(indent=2)`, which
cost more than the extraction itself. Their replacements (`Contract.to_dict`, `contracts_json`,
`contract_file_json`) are held here to the old output, byte for byte, with orjson and without it,
on the whole corpus and on values chosen to break them.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from graph_contracts import contracts as model
from graph_contracts.cli import app
from graph_contracts.contracts import Contract, Example, Finding, Property, TypeDef
from graph_contracts.extract import extract_paths


def old_text(contracts: list[Contract]) -> str:
    """What `extract --json` printed before (without echo's newline)."""
    return json.dumps([dataclasses.asdict(c) for c in contracts], indent=2, ensure_ascii=False)


def old_file(contract: Contract) -> str:
    """What `save` wrote for a contract before."""
    data = dataclasses.asdict(contract)
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@pytest.fixture(scope="module")
def folders(corpus: Path) -> list[Path]:
    root = corpus / "graph-docs" / "api-reference"
    return [root / "beta" / "api", root / "v1.0" / "api"]


@pytest.fixture(scope="module")
def corpus_contracts(folders: list[Path]) -> list[Contract]:
    contracts = extract_paths(folders).contracts
    assert len(contracts) > 900
    return contracts


@pytest.fixture(params=["orjson", "standard library"])
def writer(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test runs with orjson (when installed) and without it: the bytes must not differ."""
    if request.param == "orjson":
        pytest.importorskip("orjson")
    else:
        monkeypatch.setattr(model, "_orjson", lambda: None)
    return request.param


# --- the corpus ------------------------------------------------------------------------------
@pytest.mark.slow
def test_to_dict_is_asdict_on_the_corpus(corpus_contracts: list[Contract]) -> None:
    for contract in corpus_contracts:
        assert contract.to_dict() == dataclasses.asdict(contract), contract.id


@pytest.mark.slow
def test_to_dict_copies(corpus_contracts: list[Contract]) -> None:
    """Like asdict, the result shares no list or dict with the model: editing it is safe."""
    contract = next(
        c for c in corpus_contracts if any(isinstance(e.body, dict) for e in c.examples)
    )
    data = contract.to_dict()
    data["paths"].append("/x")
    data["properties"][0]["sources"].append("x:1")
    next(e["body"] for e in data["examples"] if isinstance(e["body"], dict))["added"] = 1
    assert contract.to_dict() == dataclasses.asdict(contract) != data


@pytest.mark.slow
def test_extract_json_text_is_the_old_text(corpus_contracts: list[Contract], writer: str) -> None:
    assert model.contracts_json(corpus_contracts) == old_text(corpus_contracts).encode()


@pytest.mark.slow
def test_contract_files_are_the_old_files(corpus_contracts: list[Contract], writer: str) -> None:
    for contract in corpus_contracts:
        assert model.contract_file_json(contract) == old_file(contract).encode(), contract.id


@pytest.mark.slow
def test_the_corpus_takes_the_fast_path(corpus_contracts: list[Contract]) -> None:
    """No corpus body holds a float orjson spells apart, so no contract should fall back to json:
    a check that took timestamps (`00:00:00.0000000Z`) for small floats sent them all."""
    assert [c.id for c in corpus_contracts if not model._like_json(c)] == []


@pytest.mark.slow
def test_round_trip(corpus_contracts: list[Contract]) -> None:
    """from_dict undoes to_dict, and reading the JSON back gives the same contracts."""
    for contract in corpus_contracts:
        assert Contract.from_dict(contract.to_dict()) == contract, contract.id
    back = [Contract.from_dict(d) for d in json.loads(model.contracts_json(corpus_contracts))]
    assert back == corpus_contracts


@pytest.mark.slow
def test_extract_command_json_parses_to_the_old_data(
    folders: list[Path], corpus_contracts: list[Contract]
) -> None:
    result = CliRunner().invoke(app, ["extract", *map(str, folders), "--json"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == old_text(corpus_contracts).encode() + b"\n"
    assert json.loads(result.stdout) == json.loads(old_text(corpus_contracts))


@pytest.mark.slow
def test_save_writes_the_old_files(tmp_path: Path, corpus_contracts: list[Contract]) -> None:
    some = corpus_contracts[::50]
    model.save(some, tmp_path)
    for contract in some:
        written = (tmp_path / model.contract_filename(contract)).read_text(encoding="utf-8")
        assert written == old_file(contract), contract.id
    assert model.load(tmp_path) == sorted(some, key=lambda c: c.id)


# --- values chosen to break a fast path ------------------------------------------------------
def contract_with_body(body: Any, body_text: str | None = None) -> Contract:
    example = Example("request", "x.md", 3, "PATCH", "/things/{id}", body=body, body_text=body_text)
    prop = Property("size", "Edm.Double", enum=["a"], nullable=None, sources=["x.md:9"])
    return Contract(
        version="beta",
        resource="microsoft.graph.thing",
        paths=["/things/{id}"],
        properties=[prop],
        status=204,
        permissions={"Application": ["Thing.ReadWrite.All"]},
        types={"microsoft.graph.kind": TypeDef("microsoft.graph.kind", "enum", members=["a"])},
        examples=[example],
        findings=[Finding("todo-placeholder", "warning", "TODO", "x.md", None)],
    )


AWKWARD_BODIES = [
    pytest.param({"size": 1e-05}, '{"size": 1e-05}', id="small float"),
    pytest.param({"size": 0.00001}, '{"size": 0.00001}', id="small float written plainly"),
    pytest.param({"size": float("nan")}, '{"size": NaN}', id="NaN"),
    pytest.param({"size": float("-inf")}, '{"size": -Infinity}', id="infinity"),
    pytest.param({"size": 2**70}, '{"size": 1180591620717411303424}', id="int beyond 64 bits"),
    pytest.param({"name": "\ud800"}, '{"name": "\\ud800"}', id="lone surrogate"),
    pytest.param({"size": 1e-05}, None, id="small float without text"),
    pytest.param(-1e-05, " -1e-05", id="a bare small float"),
    pytest.param({1: "a", 2: (1, 2.5)}, None, id="int keys and tuple"),
    pytest.param({"é": ["ü", {"": []}], "z": {}}, None, id="unicode and empties"),
]


@pytest.mark.parametrize(("body", "text"), AWKWARD_BODIES)
def test_awkward_bodies_keep_the_old_text(body: Any, text: str | None, writer: str) -> None:
    contract = contract_with_body(body, text)
    expected = old_text([contract]).encode("utf-8", "backslashreplace")
    assert model.contracts_json([contract]) == expected
    assert model.contract_file_json(contract) == old_file(contract).encode(
        "utf-8", "backslashreplace"
    )


def test_one_awkward_contract_among_plain_ones(writer: str) -> None:
    plain = contract_with_body({"size": 1.5}, '{"size": 1.5}')
    awkward = contract_with_body({"size": 1e-05}, '{"size": 1e-05}')
    contracts = [plain, awkward, plain]
    assert model.contracts_json(contracts) == old_text(contracts).encode()


def test_dates_and_guids_keep_the_fast_path() -> None:
    """Timestamps (`00:00:00.0000000Z`) and GUIDs (`...4e-...`) are strings, not small floats:
    a check that took them for floats sent the whole corpus to the slow writer."""
    text = '{"at": "2021-01-01T00:00:00.0000000Z", "id": "0d4e-11ab", "note": "time-zone"}'
    contract = contract_with_body(json.loads(text), text)
    assert model._like_json(contract)
    assert not model._like_json(contract_with_body({"a": [1e-7]}, '{"a": [1E-7]}'))


def test_a_lone_surrogate_is_written_as_its_escape(writer: str) -> None:
    """Written back as `\\ud800`, it reads back as the same string instead of failing to encode."""
    contract = contract_with_body({"name": "\ud800"}, '{"name": "\\ud800"}')
    data = json.loads(model.contracts_json([contract]))
    assert data[0]["examples"][0]["body"] == {"name": "\ud800"}


def test_fields_that_are_not_what_they_say(writer: str) -> None:
    """A field holding an unexpected type still serializes as json would."""
    contract = contract_with_body({"a": 1}, '{"a": 1}')
    contract.properties[0].nullable = 1  # type: ignore[assignment]
    contract.properties[0].enum = ("a", "b")  # type: ignore[assignment]
    contract.status = 204.0  # type: ignore[assignment]
    assert model.contracts_json([contract]) == old_text([contract]).encode()
    assert model.contract_file_json(contract) == old_file(contract).encode()


def test_no_contracts(writer: str) -> None:
    assert model.contracts_json([]) == b"[]"


# --- the console script: `extract` with plain arguments skips Typer --------------------------
@pytest.mark.slow
def test_main_extract_missing_path_is_typers_too(tmp_path: Path) -> None:
    """A missing PATH: exit 2 from both entries, and an existing --out left as it was."""
    import subprocess
    import sys

    out = tmp_path / "out"
    out.mkdir()
    (out / "index.json").write_text("[]")
    args = ["extract", str(tmp_path / "missing.md"), "--out", str(out)]
    done = subprocess.run([sys.executable, "-m", "graph_contracts", *args], capture_output=True)
    result = CliRunner().invoke(app, args)
    assert done.returncode == result.exit_code == 2
    assert "missing.md: no such file or directory" in done.stderr.decode()
    assert done.stderr.decode() == result.stderr
    assert [p.name for p in out.iterdir()] == ["index.json"] and (
        out / "index.json"
    ).read_text() == "[]"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["extract", "a.md"], ([Path("a.md")], False, None)),
        (["extract", "a", "--json", "b"], ([Path("a"), Path("b")], True, None)),
        (["extract", "--out", "o", "a", "--out=p"], ([Path("a")], False, Path("p"))),
        (["extract"], None),
        (["extract", "--help"], None),
        (["extract", "a", "--out"], None),
        (["extract", "a", "--out", "--json"], None),
        (["extract", "a", "--bogus"], None),
        (["extract", "-", "--json"], None),
        (["extract", "--", "a"], None),
        (["lint", "a"], None),
        ([], None),
    ],
)
def test_plain_extract_arguments(argv: list[str], expected: Any) -> None:
    from graph_contracts.cli_extract import plain_extract

    assert plain_extract(argv) == expected


@pytest.mark.slow
@pytest.mark.parametrize("options", [["--json"], [], ["--out", "OUT"], ["--json", "--out=OUT"]])
def test_main_extract_is_typers_extract(seeds: Path, tmp_path: Path, options: list[str]) -> None:
    """The console script's own parsing gives Typer's output, files and exit code (1 here: an
    empty page is named on stderr and the other pages are still extracted)."""
    import subprocess
    import sys

    (tmp_path / "empty.md").write_bytes(b"")
    pages = [str(p) for p in sorted(seeds.glob("00[0-4]_*.txt"))] + [str(tmp_path / "empty.md")]
    runs = []
    for name in ("main", "typer"):
        args = ["extract", *pages, *(o.replace("OUT", str(tmp_path / name)) for o in options)]
        if name == "main":
            argv = [sys.executable, "-m", "graph_contracts", *args]
            done = subprocess.run(argv, capture_output=True, check=False)
            runs.append((done.returncode, done.stdout, done.stderr.decode()))
        else:
            result = CliRunner().invoke(app, args)
            runs.append((result.exit_code, result.stdout_bytes, result.stderr))
    (main_code, main_out, main_err), (typer_code, typer_out, typer_err) = runs
    assert main_code == typer_code == 1
    assert main_out.replace(str(tmp_path / "main").encode(), b"OUT") == typer_out.replace(
        str(tmp_path / "typer").encode(), b"OUT"
    )
    assert main_err.replace(str(tmp_path / "main"), "OUT") == typer_err.replace(
        str(tmp_path / "typer"), "OUT"
    )
    if "--out" in " ".join(options):
        assert len(list((tmp_path / "main").rglob("*.json"))) > 1
        for written in (tmp_path / "main").rglob("*.json"):
            twin = tmp_path / "typer" / written.relative_to(tmp_path / "main")
            assert written.read_bytes() == twin.read_bytes()
