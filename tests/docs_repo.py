"""A docs repository in git for the tests of `lint --changed-since` and the docs-PR templates:
today's pages (tests/fixtures/current-docs) laid out as in the docs repository, plus the GET page
the todoTaskList resource page's Methods table links, committed as `base` on `main`."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CURRENT_DOCS = ROOT / "tests" / "fixtures" / "current-docs" / "api-reference"
BETA = Path("api-reference/beta")
TODO_UPDATE = BETA / "api/todotasklist-update.md"
PLANNER_UPDATE = BETA / "api/plannertaskchatmessage-update.md"
LICENSING_UPDATE = BETA / "api/cloudlicensing-assignment-update.md"
POLICY_UPDATE = Path("api-reference/v1.0/api/authorizationpolicy-update.md")
TODO_GET = BETA / "api/todotasklist-get.md"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "docs author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "docs author",
    "GIT_COMMITTER_EMAIL": "author@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}

GET_PAGE = """\
---
title: "Get todoTaskList"
doc_type: apiPageType
---

# Get todoTaskList

Read the properties of a [todoTaskList](../resources/todotasklist.md) object.

## HTTP request

```http
GET /me/todo/lists/{todoTaskListId}
```
"""


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=repo,
        env={**os.environ, **GIT_ENV},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def docs_repository(root: Path) -> Path:
    """The docs committed as `base` on branch `main` of a new repository at `root`."""
    shutil.copytree(CURRENT_DOCS, root / "api-reference")
    (root / TODO_GET).write_text(GET_PAGE)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    return root


def pull_request(repo: Path, branch: str = "pr") -> Path:
    """`repo` on a new branch for the pull request's commits."""
    git(repo, "checkout", "-qb", branch)
    return repo


def commit(repo: Path, message: str = "pull request") -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)


def append(repo: Path, page: Path, text: str = "\nOne more sentence.\n") -> None:
    with (repo / page).open("a") as f:
        f.write(text)
