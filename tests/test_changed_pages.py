"""`lint --changed-since BASE`: a pull request's changes select the pages to lint, on a real git
repository (today's docs pages laid out as in the docs repository, a base commit on `main` and
the pull request's commits on a branch).

A change re-lints the update pages it touches and those reaching a changed file through their
includes and links, however deep; never a page that only a resource page's Methods table links.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from docs_repo import (
    BETA,
    GIT_ENV,
    LICENSING_UPDATE,
    PLANNER_UPDATE,
    POLICY_UPDATE,
    TODO_GET,
    TODO_UPDATE,
    append,
    commit,
    docs_repository,
    git,
    pull_request,
)

from graph_contracts.changed_pages import ChangeError, changed_files, pages_to_lint

CLI = Path(sys.executable).with_name("graph-contracts")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The docs at a base commit on `main`, checked out on a pull request branch `pr`."""
    return pull_request(docs_repository(tmp_path / "docs"))


def selected(repo: Path, since: str = "main") -> list[Path]:
    found = pages_to_lint([repo / "api-reference"], changed_files(since, repo))
    return [p.relative_to(repo.resolve()) for p in found]


def test_nothing_changed_selects_nothing(repo: Path) -> None:
    assert selected(repo) == []


def test_a_changed_update_page_is_linted_alone(repo: Path) -> None:
    append(repo, TODO_UPDATE)
    commit(repo)
    assert selected(repo) == [TODO_UPDATE]


def test_a_changed_include_relints_the_page_that_includes_it(repo: Path) -> None:
    append(repo, BETA / "includes/permissions/todotasklist-update-2-permissions.md")
    commit(repo)
    assert selected(repo) == [TODO_UPDATE]


def test_a_changed_resource_page_relints_its_update_page(repo: Path) -> None:
    append(repo, BETA / "resources/plannertaskchatmessage.md")
    commit(repo)
    assert selected(repo) == [PLANNER_UPDATE]


def test_a_type_page_two_links_away_relints_every_page_reaching_it(repo: Path) -> None:
    """entity.md is linked by the todoTaskList and the assignment resource pages (`Inherited
    from [entity](entity.md)`), not by an update page: adding it changes what both read."""
    (repo / BETA / "resources/entity.md").write_text("# entity resource type\n\nid | String\n")
    commit(repo)
    assert selected(repo) == [LICENSING_UPDATE, TODO_UPDATE]


def test_a_page_the_methods_table_links_relints_nothing(repo: Path) -> None:
    """The resource page links its GET page; that link carries nothing lint reads, so an edit
    of the GET page must not re-lint the update page of the same resource."""
    append(repo, TODO_GET)
    commit(repo)
    assert selected(repo) == []


@pytest.mark.slow
def test_a_deleted_include_relints_its_page_and_lint_reports_it(repo: Path) -> None:
    include = BETA / "includes/permissions/todotasklist-update-2-permissions.md"
    (repo / include).unlink()
    commit(repo)
    assert selected(repo) == [TODO_UPDATE]
    done = lint(repo, "api-reference", "--changed-since", "main", "--json")
    assert done.returncode == 1
    missing = [f for f in json.loads(done.stdout) if f["rule"] == "missing-include"]
    assert [(f["file"], f["line"]) for f in missing] == [(TODO_UPDATE.as_posix(), 30)]


def test_uncommitted_and_untracked_changes_count(repo: Path) -> None:
    append(repo, POLICY_UPDATE)  # unstaged
    (repo / BETA / "resources/entity.md").write_text("# entity\n")  # untracked
    assert selected(repo) == [LICENSING_UPDATE, TODO_UPDATE, POLICY_UPDATE]


def test_changes_on_the_base_branch_after_the_fork_are_not_the_pull_requests(repo: Path) -> None:
    append(repo, TODO_UPDATE)
    commit(repo)
    git(repo, "checkout", "-q", "main")
    append(repo, POLICY_UPDATE)
    commit(repo, "someone else's change, merged meanwhile")
    git(repo, "checkout", "-q", "pr")
    assert selected(repo) == [TODO_UPDATE]


def test_only_pages_under_the_given_paths_are_linted(repo: Path) -> None:
    append(repo, TODO_UPDATE)
    append(repo, POLICY_UPDATE)
    commit(repo)
    found = pages_to_lint([repo / "api-reference/v1.0"], changed_files("main", repo))
    assert [p.relative_to(repo.resolve()) for p in found] == [POLICY_UPDATE]


# --- the command ------------------------------------------------------------------------------


def lint(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CLI), "lint", *args],
        cwd=repo,
        env={**os.environ, **GIT_ENV},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_the_command_lints_only_the_selected_pages(repo: Path) -> None:
    append(repo, BETA / "resources/plannertaskchatmessage.md")
    commit(repo)
    whole = json.loads(lint(repo, "api-reference", "--json").stdout)
    done = lint(repo, "api-reference", "--changed-since", "main", "--format", "sarif")
    assert done.returncode == 1  # the planner page's missing include is an error
    results = json.loads(done.stdout)["runs"][0]["results"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris == {PLANNER_UPDATE.as_posix()}
    assert len(results) == len([f for f in whole if f["file"] == PLANNER_UPDATE.as_posix()])
    assert "lint: 1 update pages changed or using a changed page since main" in done.stderr


@pytest.mark.slow
def test_the_command_with_nothing_to_lint_exits_0_with_an_empty_log(repo: Path) -> None:
    append(repo, TODO_GET)
    commit(repo)
    done = lint(repo, "api-reference", "--changed-since", "main", "--format", "sarif")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["runs"][0]["results"] == []


@pytest.mark.slow
@pytest.mark.parametrize(
    ("since", "folder", "message"),
    [
        ("origin/main", "docs", "--changed-since origin/main: no such revision in"),
        ("main", "plain", "plain: not in a git repository"),
    ],
)
def test_git_failures_are_one_line_usage_errors(
    repo: Path, tmp_path: Path, since: str, folder: str, message: str
) -> None:
    (tmp_path / "plain").mkdir()
    shutil.copy(repo / TODO_UPDATE, tmp_path / "plain")
    done = subprocess.run(
        [str(CLI), "lint", folder, "--changed-since", since],
        cwd=tmp_path,
        env={**os.environ, **GIT_ENV, "GIT_CEILING_DIRECTORIES": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith("graph-contracts: ") and message in line


def test_a_change_error_names_the_revision(repo: Path) -> None:
    with pytest.raises(ChangeError, match="nosuchbranch"):
        changed_files("nosuchbranch", repo)
