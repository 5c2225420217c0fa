"""Lint findings in the formats where docs authors already look: text, JSON, SARIF 2.1.0, and
GitHub workflow annotations.

Why a module of its own and not a reporter: `reporters/` handles the engine's events of a run
against a service; lint findings come from the docs and never pass through the engine. This is
the lint command's output stage, as `reporters/` is the run's.

* text: `file:line: severity: rule: message`, the shape editors and compilers use.
* json: the findings as a list of objects (the `--json` output of earlier releases).
* sarif: SARIF 2.1.0 (OASIS), what GitHub code scanning and Azure DevOps' SARIF viewers read;
  one rule per finding kind (`lint_rules.RULES`), locations relative to `%SRCROOT%`.
* github: workflow commands (`::error file=...,line=...::message`) that GitHub Actions turns into
  annotations on the pull request's changed lines, with no upload step or permission.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import asdict
from importlib import metadata
from pathlib import Path
from urllib.parse import quote

from graph_contracts.contracts import Finding
from graph_contracts.lint import format_finding, summary
from graph_contracts.lint_rules import RULES, Rule

FORMATS = ("text", "json", "sarif", "github")
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SRCROOT = "%SRCROOT%"
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
_GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}
TOOL = "graph-contracts"


def render(findings: list[Finding], fmt: str, *, unreadable: Sequence[str] = (), root: Path) -> str:
    """The findings in format `fmt` (one of FORMATS), ending in a newline.

    `unreadable` are the bad-input lines (`file: reason`) the extractor could not read; `root`
    is the folder `%SRCROOT%` stands for (the repository root CI runs in).
    """
    if fmt == "json":
        return json.dumps([asdict(f) for f in findings], indent=2) + "\n"
    if fmt == "sarif":
        return json.dumps(sarif(findings, root, unreadable), indent=2) + "\n"
    if fmt == "github":
        columns = _Columns()
        lines = [github_command(f, root, columns) for f in findings]
    else:
        lines = [format_finding(f) for f in findings]
    return "".join(line + "\n" for line in [*lines, summary_line(findings, unreadable)])


def summary_line(findings: list[Finding], unreadable: Sequence[str] = ()) -> str:
    """`lint: N errors, N warnings, N info`: the last line of the text and github formats."""
    counts = summary(findings)
    return (
        f"lint: {counts['error']} errors, {counts['warning']} warnings, {counts['info']} info"
        + (f"; {len(unreadable)} unreadable files" if unreadable else "")
    )


# --- SARIF 2.1.0 ------------------------------------------------------------------------------


def sarif(findings: Sequence[Finding], root: Path, unreadable: Sequence[str] = ()) -> dict:
    """One SARIF log with one run: every rule of the catalogue, one result per finding.

    Unreadable files are the run's tool notifications (the tool could not do its job on them),
    not results: they are no defect of a page's content.
    """
    rules = list(RULES.values())
    index = {rule.id: i for i, rule in enumerate(rules)}
    columns = _Columns()
    root = root.resolve()
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": _driver(rules)},
                "originalUriBaseIds": {SRCROOT: {"uri": root.as_uri() + "/"}},
                "columnKind": "unicodeCodePoints",
                "invocations": [_invocation(unreadable, root)],
                "results": [_result(f, index, root, columns) for f in findings],
            }
        ],
    }


def _driver(rules: list[Rule]) -> dict:
    driver: dict = {
        "name": TOOL,
        "version": _version(),
        "rules": [_rule(rule) for rule in rules],
    }
    home = _home_page()
    if home:
        driver["informationUri"] = home
    return driver


def _rule(rule: Rule) -> dict:
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.short},
        "fullDescription": {"text": rule.full},
        "help": {
            "text": f"{rule.full}\n\nFix: {rule.help}",
            "markdown": f"{rule.full}\n\n**Fix:** {rule.help}",
        },
        "properties": {"tags": ["documentation", rule.stage]},
    }


def _result(finding: Finding, index: dict[str, int], root: Path, columns: _Columns) -> dict:
    result: dict = {
        "ruleId": finding.rule,
        "level": _SARIF_LEVEL[finding.severity],
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": _physical(finding.file, finding.line, root, columns)}],
    }
    if finding.rule in index:  # an id the catalogue lacks still reports, without a rule
        result["ruleIndex"] = index[finding.rule]
    return result


def _physical(file: str, line: int | None, root: Path, columns: _Columns) -> dict:
    """artifactLocation relative to %SRCROOT% when the file is below it; a region always, as
    code scanning places a result by its startLine (line 1 for a finding about a whole file)."""
    start, end = columns.of(file, line) if line else (1, None)
    region: dict = {"startLine": line or 1, "startColumn": start}
    if end is not None and end > start:
        region["endColumn"] = end
    return {"artifactLocation": artifact_location(file, root), "region": region}


def artifact_location(file: str, root: Path) -> dict:
    full = Path(os.path.abspath(file))
    try:
        rel = full.relative_to(root)
    except ValueError:
        return {"uri": full.as_uri()}
    return {"uri": quote(rel.as_posix()), "uriBaseId": SRCROOT}


def _invocation(unreadable: Sequence[str], root: Path) -> dict:
    notifications = []
    for line in unreadable:
        file, _, reason = line.partition(": ")
        note: dict = {"level": "error", "message": {"text": line}}
        if reason and Path(file).exists():
            where = {"artifactLocation": artifact_location(file, root)}
            note["locations"] = [{"physicalLocation": where}]
        notifications.append(note)
    invocation: dict = {"executionSuccessful": True}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return invocation


def _version() -> str:
    try:
        return metadata.version(TOOL)
    except metadata.PackageNotFoundError:  # run from a source tree without an install
        return "0+unknown"


def _home_page() -> str | None:
    """The distribution's `Project-URL: Homepage`, when the package declares one."""
    try:
        urls = metadata.metadata(TOOL).get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return None
    for entry in urls:
        label, _, url = entry.partition(",")
        if label.strip().lower() in ("homepage", "home", "source", "repository"):
            return url.strip()
    return None


class _Columns:
    """Where a finding's line starts and ends, so a viewer highlights the line's text and not
    its indentation (findings carry a line; the column is read from the page, once per file)."""

    def __init__(self) -> None:
        self._lines: dict[str, list[str]] = {}

    def of(self, file: str, line: int) -> tuple[int, int | None]:
        """(first non-blank column, column after the last non-blank one), both 1-based."""
        lines = self._lines.get(file)
        if lines is None:
            lines = self._lines[file] = _read_lines(file)
        if not 0 < line <= len(lines):
            return 1, None
        text = lines[line - 1].rstrip()
        start = len(text) - len(text.lstrip()) + 1
        return start, len(text) + 1


def _read_lines(file: str) -> list[str]:
    try:
        return Path(file).read_bytes().decode("utf-8-sig", errors="replace").splitlines()
    except OSError:
        return []


# --- GitHub workflow commands -----------------------------------------------------------------


def github_command(finding: Finding, root: Path, columns: _Columns | None = None) -> str:
    """`::error file=F,line=N,col=C,title=T::message`, escaped as GitHub's toolkit escapes:
    `%`, CR and LF in the message; also `:` and `,` in property values. A finding without a
    line annotates the whole file."""
    props = {"file": _github_path(finding.file, root)}
    if finding.line:
        props["line"] = str(finding.line)
        start, _ = (columns or _Columns()).of(finding.file, finding.line)
        props["col"] = str(start)
    props["title"] = f"{finding.rule} (graph-contracts lint)"
    joined = ",".join(f"{k}={escape_property(v)}" for k, v in props.items())
    return f"::{_GITHUB_LEVEL[finding.severity]} {joined}::{escape_data(finding.message)}"


def _github_path(file: str, root: Path) -> str:
    """Relative to the workspace (`root`), as annotations are placed by repository path."""
    full = Path(os.path.abspath(file))
    try:
        return full.relative_to(root.resolve()).as_posix()
    except ValueError:
        return full.as_posix()


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
