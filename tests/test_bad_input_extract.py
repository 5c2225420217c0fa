"""Bad input the extractor meets in real checkouts: a request line that is not a path, a page cut
mid-comment or mid-row, a page whose API version nothing tells, a missing input path beside an
existing --out, overview pages in a docs folder; and `lint`/`check-metadata` output a user can
open, each contract judged only by metadata of its own version."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from samples import widget_update
from typer.testing import CliRunner

from graph_contracts.cli import app
from graph_contracts.docs import NotUpdateOrTypePage, PageError, parse_page
from graph_contracts.extract import extract_paths

runner = CliRunner()

UPDATE = widget_update(
    "|Property|Type|Description|\n"
    "|:---|:---|:---|\n"
    "|displayName|String|The name.|\n"
    "|size|Int32|The size.|\n",
    linked=False,
)

OVERVIEW = """---
title: "Working with widgets in Microsoft Graph"
doc_type: conceptualPageType
---

# Working with widgets in Microsoft Graph

Widgets are collections of parts. See [widget](widget.md) for its properties.

## Widget scenarios

You can use widgets to group parts.
"""


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _lines(text: str) -> list[str]:
    return text.splitlines()


# --- 1. a request line that is not a path -------------------------------------------------------

NOT_A_PATH = UPDATE.replace(
    "PATCH /widgets/{id}", "PATCH ** Entity URI for microsoft.management.services.api.widget"
)


def test_request_line_that_is_not_a_path_is_a_finding_not_a_path(tmp_path: Path) -> None:
    page = _write(tmp_path / "v1.0" / "api", "widget-update.md", NOT_A_PATH)
    line = _lines(NOT_A_PATH).index(
        "PATCH ** Entity URI for microsoft.management.services.api.widget"
    )
    (contract,) = extract_paths([page]).contracts
    assert contract.paths == []  # no `/** Entity URI ...` template
    (finding,) = [f for f in contract.findings if f.rule == "not-a-path"]
    assert (finding.file, finding.line, finding.severity) == ("widget-update.md", line + 1, "error")
    assert "PATCH ** Entity URI" in finding.message


def test_corpus_entity_uri_pages_name_file_and_line(corpus: Path) -> None:
    page = (
        corpus
        / "graph-docs/api-reference/beta/api"
        / "intune-partnerintegration-vulnerablemanageddevice-update.md"
    )
    result = runner.invoke(app, ["lint", str(page)])
    assert f"{page}:35: error: not-a-path: request line is not a path: PATCH **" in result.stdout
    assert "/**" not in json.dumps([c.paths for c in extract_paths([page]).contracts])


@pytest.mark.parametrize(
    "target",
    [
        "/users/{id | userPrincipalName}/events/{id}",
        "~/onPremisesPublishingProfiles/{type}",
        "applications/{id}/synchronization",
        "https://graph.microsoft.com/beta/policies/x",
    ],
)
def test_real_templates_are_still_paths(target: str) -> None:
    page = parse_page(UPDATE.replace("/widgets/{id}", target))
    assert [p for _, p in page.paths] == [target] and page.defects == []


# --- 2. a page cut mid-comment, mid-row, mid-fence; the version never guessed ----------------------


def test_page_cut_inside_an_html_comment_is_truncated_at_its_line() -> None:
    cut = UPDATE + '\n<!--\n{\n  "type": "#page.annotation",\n'
    page = parse_page(cut)
    line = _lines(cut).index("<!--") + 1
    assert page.defects == [("truncated", "warning", line, page.defects[0][3])]
    assert f"line {line}" in page.defects[0][3]
    assert [p.name for p in page.properties] == ["displayName", "size"]  # the rest still read


def test_page_cut_mid_row_is_truncated_at_that_row(tmp_path: Path) -> None:
    cut = UPDATE.split("|size|")[0] + "|size|Int"
    page = _write(tmp_path / "v1.0" / "api", "widget-update.md", cut)
    (contract,) = extract_paths([page]).contracts
    (finding,) = [f for f in contract.findings if f.rule == "truncated"]
    assert finding.line == len(_lines(cut)) and finding.severity == "error"
    result = runner.invoke(app, ["lint", str(page)])
    assert result.exit_code == 1 and f":{finding.line}: error: truncated: " in result.stdout


def test_a_complete_last_row_is_not_truncated() -> None:
    ends_in_table = UPDATE.split("## Response")[0].rstrip() + "\n"
    assert parse_page(ends_in_table).defects == []
    no_closing_pipes = ends_in_table.replace("|\n", "\n")  # a table written without end pipes
    assert parse_page(no_closing_pipes).defects == []


def test_page_that_stops_inside_a_fence_names_the_fence_line() -> None:
    cut = UPDATE.split("## Request body")[0].replace("```\n", "") + "\n"
    with pytest.raises(PageError, match=r"truncated: code block opened at line \d+"):
        parse_page(cut)


def test_version_is_never_guessed(tmp_path: Path) -> None:
    page = _write(tmp_path / "pages", "widget-update.md", UPDATE)  # no folder, URL or note
    result = extract_paths([page])
    assert result.contracts == []
    (finding,) = [f for f in result.findings if f.rule == "unknown-version"]
    assert (finding.file, finding.severity) == ("widget-update.md", "error")


BETA_NOTE = (
    "> **Important:** APIs under the /beta version in Microsoft Graph are subject to change."
)
V1_EXAMPLE = "```http\nPATCH https://graph.microsoft.com/v1.0/widgets/1\n```"


@pytest.mark.parametrize(("extra", "version"), [(BETA_NOTE, "beta"), (V1_EXAMPLE, "v1.0")])
def test_version_told_by_content(tmp_path: Path, extra: str, version: str) -> None:
    text = UPDATE.replace("## Response", f"## Example\n\n{extra}\n\n## Response")
    page = _write(tmp_path / "pages", "widget-update.md", text)
    assert [c.version for c in extract_paths([page]).contracts] == [version]


# --- 3. a missing input path leaves --out alone ------------------------------------------------------


def test_missing_input_leaves_existing_out_alone(tmp_path: Path, seeds: Path) -> None:
    out = tmp_path / "contracts"
    assert runner.invoke(app, ["extract", str(seeds), "--out", str(out)]).exit_code == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert out / "index.json" in before and len(before) > 1
    result = runner.invoke(app, ["extract", str(tmp_path / "MISSING"), "--out", str(out)])
    assert result.exit_code == 2
    assert f"graph-contracts: {tmp_path / 'MISSING'}: no such file or directory" in result.stderr
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    # a missing path beside a good one: still nothing written
    again = runner.invoke(app, ["extract", str(seeds), str(tmp_path / "nope"), "--out", str(out)])
    assert again.exit_code == 2 and "Traceback" not in again.output
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_only_bad_pages_leave_existing_out_alone(tmp_path: Path, seeds: Path) -> None:
    """Every page unusable: an empty index must not replace the last good run's contracts."""
    out = tmp_path / "contracts"
    assert runner.invoke(app, ["extract", str(seeds), "--out", str(out)]).exit_code == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    junk = _write(tmp_path / "junk", "junk.md", "no doc page here\n")
    result = runner.invoke(app, ["extract", str(junk), "--out", str(out)])
    assert result.exit_code == 1 and "nothing written" in result.stderr
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


# --- 4. overview and concept pages in a docs folder ---------------------------------------------------


def test_overview_pages_in_a_folder_are_skipped_and_counted(tmp_path: Path) -> None:
    docs = tmp_path / "v1.0"
    _write(docs / "api", "widget-update.md", UPDATE)
    _write(docs / "resources", "widgets-overview.md", OVERVIEW)
    _write(docs / "concepts", "overview.md", OVERVIEW.replace("doc_type: conceptualPageType\n", ""))
    result = runner.invoke(app, ["extract", str(docs), "--json"])
    assert result.exit_code == 0, result.stderr
    assert result.stderr.strip() == "2 pages skipped: not update or type pages"
    assert [c["resource"] for c in json.loads(result.stdout)] == ["microsoft.graph.widget"]
    lint = runner.invoke(app, ["lint", str(docs)])
    assert "2 pages skipped" in lint.stderr and "unrecognizable" not in lint.output


def test_overview_named_on_its_own_is_still_an_error(tmp_path: Path) -> None:
    page = _write(tmp_path / "v1.0" / "resources", "widgets-overview.md", OVERVIEW)
    with pytest.raises(NotUpdateOrTypePage):
        parse_page(OVERVIEW)
    result = runner.invoke(app, ["extract", str(page)])
    assert result.exit_code == 1 and "unrecognizable: not an update or type page" in result.stderr


@pytest.mark.parametrize(
    "broken",
    [
        UPDATE.split("## HTTP request")[0],  # an apiPageType page with no request and no table
        "# Update widget\n\nUpdate a widget.\n\n## HTTP request\n\nSee the widget page.\n",
    ],
)
def test_broken_update_page_in_a_folder_is_still_an_error(tmp_path: Path, broken: str) -> None:
    docs = tmp_path / "v1.0"
    _write(docs / "api", "widget-update.md", UPDATE)
    bad = _write(docs / "api", "gadget-update.md", broken)
    result = runner.invoke(app, ["extract", str(docs), "--json"])
    assert result.exit_code == 1
    assert f"graph-contracts: {bad}: unrecognizable: an API page" in result.stderr


@pytest.mark.slow
def test_whole_docs_checkout_exits_zero(corpus: Path) -> None:
    v1 = corpus / "graph-docs/api-reference/v1.0"
    result = runner.invoke(app, ["extract", str(v1), "--json"])
    assert result.exit_code == 0, result.stderr[:500]
    # accessreviewsv2-root, groups-overview, webhooks, ... (11 in the 2021 corpus)
    assert re.fullmatch(r"\d+ pages skipped: not update or type pages", result.stderr.strip())


# --- 5. lint and check-metadata name files that open from the current directory ----------------------


def _located(stdout: str) -> list[tuple[str, int]]:
    found = []
    for line in stdout.splitlines():
        parts = line.split(":", 2)
        if len(parts) == 3 and parts[1].isdigit():
            found.append((parts[0], int(parts[1])))
    return found


@pytest.mark.parametrize("where", ["inside", "outside"])
def test_lint_paths_open_from_the_current_directory(
    tmp_path: Path, seeds: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    work = tmp_path / "work"
    pages = work / "docs" / "beta" / "api"
    for seed in sorted(seeds.glob("*.txt")):
        _write(pages, seed.name, seed.read_text(encoding="utf-8"))
    cwd = work if where == "inside" else _write(tmp_path / "else", "x.md", "").parent
    monkeypatch.chdir(cwd)
    arg = "docs/beta/api" if where == "inside" else str(pages)
    result = runner.invoke(app, ["lint", arg])
    located = _located(result.stdout)
    assert located
    for file, line in located:
        assert Path(file).is_file(), file  # opens from here, as printed
        assert 1 <= line <= len(Path(file).read_text(encoding="utf-8").splitlines())
        assert Path(file).is_absolute() == (where == "outside")
    data = json.loads(runner.invoke(app, ["lint", arg, "--json"]).stdout)
    assert all(Path(f["file"]).is_file() for f in data)


def test_check_metadata_paths_open_from_the_current_directory(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = tmp_path / "v1.0" / "api"
    _write(api, "widget-update.md", UPDATE)  # no widget in CSDL: an unknown-resource finding
    monkeypatch.chdir(api)
    meta = str(corpus / "csdl/v1.0_metadata.xml")
    result = runner.invoke(app, ["check-metadata", "--metadata", meta, ".", "--json"])
    files = {f["file"] for f in json.loads(result.stdout)["findings"]}
    assert files == {"widget-update.md"}  # stored as api/widget-update.md, opened from here


# --- 6. check-metadata: each contract against metadata of its own version -------------------------------


def test_check_metadata_pairs_versions(seeds: Path, corpus: Path) -> None:
    csdl = corpus / "csdl"
    result = runner.invoke(
        app,
        [
            "check-metadata",
            str(seeds),
            "--json",
            "--metadata",
            str(csdl / "v1.0_metadata.xml"),
            "--metadata",
            str(csdl / "beta_metadata.xml"),
        ],
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [(c["version"], Path(c["metadata"]).name, c["contracts"]) for c in data["compared"]] == [
        ("beta", "beta_metadata.xml", 2),
        ("v1.0", "v1.0_metadata.xml", 1),
    ]
    assert data["skipped"] == []
    # the beta resource v1.0 lacks is judged by beta metadata only: no unknown-resource
    assert not [f for f in data["findings"] if f["rule"] == "unknown-resource"]


def test_check_metadata_says_what_it_skips(seeds: Path, corpus: Path) -> None:
    beta = str(corpus / "csdl/beta_metadata.xml")
    result = runner.invoke(app, ["check-metadata", str(seeds), "--metadata", beta])
    assert result.exit_code == 0
    assert "skipped: 1 v1.0 contracts not compared: no v1.0 metadata given" in result.stdout
    assert (
        result.stdout.strip()
        .splitlines()[-1]
        .startswith("check-metadata: 2 beta contracts vs beta_metadata.xml:")
    )
    only_v1 = runner.invoke(
        app, ["check-metadata", str(seeds), "--metadata", beta, "--api-version", "v1.0"]
    )
    assert only_v1.exit_code == 2
    assert "beta_metadata.xml (beta) compared with nothing: no beta contracts" in only_v1.stderr
    assert "no contracts to compare" in only_v1.stderr


def test_check_metadata_of_untold_version_or_twice_one_version(
    seeds: Path, corpus: Path, tmp_path: Path
) -> None:
    unnamed = tmp_path / "metadata.xml"
    unnamed.symlink_to(corpus / "csdl/v1.0_metadata.xml")
    result = runner.invoke(app, ["check-metadata", str(seeds), "--metadata", str(unnamed)])
    assert result.exit_code == 2
    assert "does not tell the API version" in result.stderr and "--api-version" in result.stderr
    stated = runner.invoke(
        app, ["check-metadata", str(seeds), "--metadata", str(unnamed), "--api-version", "v1.0"]
    )
    assert stated.exit_code == 0 and "1 v1.0 contracts vs metadata.xml" in stated.stdout
    beta = str(corpus / "csdl/beta_metadata.xml")
    twice = runner.invoke(
        app, ["check-metadata", str(seeds), "--metadata", beta, "--metadata", beta]
    )
    assert twice.exit_code == 2 and "a second beta metadata file" in twice.stderr
