"""The manual: docs/ builds as a site in strict mode, and the README stays a front page.

MkDocs in strict mode turns every warning into an error: a link to a page or anchor that does not
exist, a page left out of the nav. Building it here is what keeps the manual from rotting as the
code moves; the second test proves that strictness is really on (a build that accepted a broken
link would make the first test pass for nothing).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# No --quiet: MkDocs 1.6 then drops the warnings before strict mode counts them (a broken
# link built with exit 0; the second test caught it).
MKDOCS = [sys.executable, "-m", "mkdocs", "build", "--strict"]
# A screen is about 50 lines of a terminal or of GitHub's rendered page: the README is the front
# door (what it is, the two set-up commands, one live example, the manual's pages), two screens.
README_MAX_LINES = 100


def _build(config: Path, site: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        [*MKDOCS, "--config-file", str(config), "--site-dir", str(site)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.mark.slow
def test_the_manual_builds_in_strict_mode(tmp_path):
    built = _build(ROOT / "mkdocs.yml", tmp_path / "site")
    assert built.returncode == 0, built.stdout + built.stderr
    pages = {p.relative_to(ROOT / "docs").with_suffix("") for p in (ROOT / "docs").glob("*.md")}
    for page in pages:
        where = "index.html" if page.name == "index" else f"{page}/index.html"
        assert (tmp_path / "site" / where).is_file(), f"docs/{page}.md was not built"


@pytest.mark.slow
def test_a_broken_link_fails_the_build(tmp_path):
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    with (tmp_path / "docs" / "checks.md").open("a", encoding="utf-8") as page:
        page.write("\nSee [a page that does not exist](no-such-page.md).\n")
    built = _build(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert built.returncode != 0
    assert "no-such-page.md" in built.stdout + built.stderr


def test_the_readme_is_a_front_page():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= README_MAX_LINES
    for command in ("make run", "make test", "--base-url https://graph.microsoft.com"):
        assert command in readme
    links = re.findall(r"\]\((docs/[^)#]+)", readme)
    assert links, "the README links the manual's pages"
    for link in links:
        assert (ROOT / link).is_file(), f"README links {link}, which does not exist"
    manual = {f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md")} - {"docs/index.md"}
    assert manual <= set(links), f"pages the README does not link: {sorted(manual - set(links))}"


def test_the_manual_prints_the_pacing_table():
    """The live-tenant page's budget table is pacing's own: a changed budget that the manual does
    not show fails."""
    from graph_contracts.pacing import limits_table

    page = (ROOT / "docs" / "live.md").read_text(encoding="utf-8")
    assert limits_table().strip() in page


def test_the_manual_names_every_option_of_both_drivers():
    """An option wired in the CLI or the pytest plugin but absent from the manual is one nobody
    finds: `run`'s options are in the command reference, the plugin's in Running the suite."""
    from typer.main import get_command

    from graph_contracts.cli import app

    run = get_command(app).commands["run"]  # type: ignore[attr-defined]
    reference = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    # a flag pair (`--progress/--no-progress`) is documented by either of its names
    missing = [
        p.opts
        for p in run.params
        if p.opts[0].startswith("--") and not any(o in reference for o in p.opts + p.secondary_opts)
    ]
    assert missing == [] or missing == [["--help"]], missing
    plugin = (ROOT / "src" / "graph_contracts" / "plugin.py").read_text(encoding="utf-8")
    running = (ROOT / "docs" / "running.md").read_text(encoding="utf-8")
    graph_options = set(re.findall(r'"(--graph-[a-z-]+)"', plugin))
    assert graph_options, "the plugin's options are read from plugin.py"
    assert {o for o in graph_options if f"`{o}" not in running} == set()
