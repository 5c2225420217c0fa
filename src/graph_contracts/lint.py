"""Doc lint: examples that contradict their own page, plus the extractor's findings, by file:line.

A request example is what a reader copies: when it sends `"status": "String"` for an enum or
`"Integer"` for an Int32, the page is wrong whatever the service does. The property table is the
contract, so every example body is judged against it by the same oracle (`bodies.problems`) the
mock and the payload strategies use; a finding is a problem whose rejection is documented.

A response example is what the docs say the service answers, and it is judged exactly as the
`shape` check judges a live reply (`bodies.judge_reply`): what would fail a live reply is a
`response-example-invalid` error (`"closedDateTime": "datetime-value"`, `"state": "String"` for an
enum, `""` for an enum member). "Truncated for brevity" excuses missing properties, never a
wrong value: ApiDoctor also calls an invalid date or enum value in an expected response an error.
Members the table does not list are warnings (`example-unknown-property`), at any depth and never
for an open type; what a live reply would only deviate in (a member in another case, a String
value its list lacks) is not reported.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph_contracts import bodies, edm
from graph_contracts.contracts import NAMESPACE, Contract, Example, Finding, Severity
from graph_contracts.edm import Problem, ProblemKind

if TYPE_CHECKING:  # the extractor is imported only when pages are linted
    from graph_contracts.extract import Extraction

# A documented reply holds a value a live reply would fail `shape` for (a placeholder such as
# `"datetime-value"` or `"String"` for an enum, or an invalid one): an error, at the property.
RESPONSE_EXAMPLE_INVALID = "response-example-invalid"


def lint_contract(contract: Contract) -> list[Finding]:
    """Validate every request/response example body against the contract's property table."""
    findings: list[Finding] = []
    for example in contract.examples:
        if example.kind == "request" and example.method and example.method.upper() != "PATCH":
            continue  # a GET or POST shown beside the PATCH is not this contract's body
        findings += _lint_example(contract, example)
    return findings


def _lint_example(contract: Contract, example: Example) -> list[Finding]:
    severity: Severity = "error" if example.kind == "request" else "warning"
    body = example.body
    if body is None:
        return []
    lines = _key_lines(example.body_text or "")
    if (
        example.kind == "response"
        and isinstance(body, dict)
        and _is_collection_reply(contract, body)
    ):
        items = [item for item in body["value"] if isinstance(item, dict)]
        return [f for item in items for f in _lint_object(contract, example, item, lines, severity)]
    return _lint_object(contract, example, body, lines, severity)


def _is_collection_reply(contract: Contract, body: dict) -> bool:
    return isinstance(body.get("value"), list) and contract.property("value") is None


def _lint_object(
    contract: Contract, example: Example, body: Any, lines: dict[str, int], severity: Severity
) -> list[Finding]:
    """The oracle's problems whose rejection is documented, as findings at their key's line.

    A request example is judged as a PATCH body. Problems no source makes invalid (`{}`, null
    where nullability is unknown, `"12"` for an Int64) are not findings: a service may accept them.
    """
    if example.kind == "response":
        return _lint_reply(contract, example, body, lines)
    accepted = _accepted(contract, body)
    findings: list[Finding] = []
    for problem in bodies.problems(contract, body, accepted_types=accepted):
        if problem.kind.rejection_documented:
            findings.append(_finding(contract, example, problem, lines, severity))
    return findings + _odata_type_note(contract, example, body, lines)


def _lint_reply(
    contract: Contract, example: Example, body: Any, lines: dict[str, int]
) -> list[Finding]:
    """A response example judged as the `shape` check judges a live reply (`bodies.judge_reply`)."""
    if not isinstance(body, dict):
        message = f"response example: expected a JSON object, got {edm.json_kind(body)}"
        return [_at(example, None, lines, RESPONSE_EXAMPLE_INVALID, "error", message)]
    judged = bodies.judge_reply(contract, body, accepted_types=_accepted(contract, body))
    findings = [_reply_finding(contract, example, p, lines) for p in judged.failures]
    other_type = _names_other_type(contract, body)  # a derived type's own members: not judged
    for where in judged.undocumented:
        if not (other_type and where == _top_key(where)):
            findings.append(_unknown_property(contract, example, where, lines, "warning"))
    return findings + _odata_type_note(contract, example, body, lines)


def _reply_finding(
    contract: Contract, example: Example, problem: Problem, lines: dict[str, int]
) -> Finding:
    key = _top_key(problem.where)
    prop = contract.property(key) if key else None
    table = f" (table type {prop.type})" if prop is not None else ""
    message = f"response example: {problem}{table}"
    return _at(example, key, lines, RESPONSE_EXAMPLE_INVALID, "error", message)


def _accepted(contract: Contract, body: Any) -> frozenset[str]:
    """The oracle's accepted types plus any `microsoft.graph.*` type the example names.

    Without the schema lint cannot tell a derived type from a wrong one: a qualified Graph type
    other than the resource is only noted (`example-odata-type`, a warning), as the mock accepts
    what the docs send; anything else is an `example-invalid` error.
    """
    accepted = bodies.accepted_types(contract)
    named = body.get("@odata.type") if isinstance(body, dict) else None
    if isinstance(named, str) and named.removeprefix("#").startswith(f"{NAMESPACE}."):
        accepted |= {named.removeprefix("#")}
    return accepted


def _finding(
    contract: Contract,
    example: Example,
    problem: Problem,
    lines: dict[str, int],
    severity: Severity,
) -> Finding:
    key = _top_key(problem.where)
    if problem.kind is ProblemKind.UNKNOWN_PROPERTY and key == problem.where:
        return _unknown_property(contract, example, key, lines, severity)
    rule = "example-unknown-property" if problem.kind is ProblemKind.UNKNOWN_PROPERTY else None
    prop = contract.property(key) if key else None
    table = f" (table type {prop.type})" if prop is not None else ""
    message = f"{example.kind} example: {problem}{table}"
    return _at(example, key, lines, rule or "example-invalid", severity, message)


def _unknown_property(
    contract: Contract, example: Example, key: str, lines: dict[str, int], severity: Severity
) -> Finding:
    """`key` is a body key, or in a reply the path of a nested member (`criteria[0].id`)."""
    verb = "sends" if example.kind == "request" else "carries"
    message = (
        f"{example.kind} example {verb} {key!r}, which the property table of "
        f"{contract.name} does not list"
    )
    return _at(example, _top_key(key), lines, "example-unknown-property", severity, message)


def _names_other_type(contract: Contract, body: Any) -> bool:
    named = body.get("@odata.type") if isinstance(body, dict) else None
    return isinstance(named, str) and named.removeprefix("#") != contract.resource


def _top_key(where: str) -> str | None:
    """The body's own key a problem sits under (`settings.mode` -> `settings`); None for the body."""
    if where == "body":
        return None
    return where if where.startswith("@") else where.split(".")[0].split("[")[0]


def _odata_type_note(
    contract: Contract, example: Example, body: Any, lines: dict[str, int]
) -> list[Finding]:
    """`@odata.type` naming another Graph type: fine only if it is a derived type (a warning).

    The CSDL cross-check (`check-metadata`) is where inheritance is known.
    """
    named = body.get("@odata.type") if isinstance(body, dict) else None
    if not isinstance(named, str) or named.removeprefix("#") == contract.resource:
        return []
    if not named.removeprefix("#").startswith(f"{NAMESPACE}."):
        return []  # the oracle's `wrong-odata-type`: an example-invalid finding already
    message = (
        f"{example.kind} example: @odata.type {named!r} is not {contract.odata_type} "
        "(fine only if it is a derived type)"
    )
    return [_at(example, "@odata.type", lines, "example-odata-type", "warning", message)]


def _at(
    example: Example,
    key: str | None,
    lines: dict[str, int],
    rule: str,
    severity: Severity,
    message: str,
) -> Finding:
    """Point at the property's own line inside the body when it can be found."""
    line = example.line
    if key is not None and key in lines and example.body_line:
        line = example.body_line + lines[key]
    elif example.body_line and key is None:
        line = example.body_line
    return Finding(rule, severity, message, example.file, line)


def _key_lines(text: str) -> dict[str, int]:
    """Zero-based line offset of each top-level key of a JSON object written in `text`.

    A tiny scanner (strings and nesting only) rather than a JSON parser: doc bodies may be
    slightly broken, and only the position of the first occurrence of each key matters.
    """
    found: dict[str, int] = {}
    depth, line, i, n = 0, 0, 0, len(text)
    while i < n:
        char = text[i]
        if char == "\n":
            line += 1
        elif char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
        elif char == '"':
            end = _string_end(text, i)
            if depth == 1 and text[end + 1 : end + 40].lstrip().startswith(":"):
                found.setdefault(text[i + 1 : end], line)
            line += text.count("\n", i, end)
            i = end
        i += 1
    return found


def _string_end(text: str, start: int) -> int:
    i = start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == '"':
            return i
        i += 1
    return len(text) - 1


# --- whole paths ----------------------------------------------------------------------------


def lint_paths(paths: Iterable[Path]) -> tuple[list[Finding], list[str]]:
    """Extract the pages, then return (extraction + lint findings by file:line, bad-input errors)."""
    from graph_contracts.extract import extract_paths  # the extractor is the heavier stage

    extraction = extract_paths(paths)
    return lint_extraction(extraction), list(extraction.errors)


def lint_extraction(extraction: Extraction) -> list[Finding]:
    """The extraction's findings and every contract's, plus the examples' lint findings, sorted,
    their files named so that they open from the current directory."""
    findings = list(extraction.findings)
    for contract in extraction.contracts:
        findings += contract.findings
        findings += lint_contract(contract)
    return sort_findings(local_files(findings, extraction))


def local_files(findings: Iterable[Finding], extraction: Extraction) -> list[Finding]:
    """Findings whose `file` opens from the current directory, not from the display root the
    contracts store (`beta/api/x.md`): output is for a user to copy and open."""
    opened: dict[str, str] = {}
    out = []
    for f in findings:
        local = opened.get(f.file)
        if local is None:
            local = opened[f.file] = extraction.local_path(f.file)
        out.append(replace(f, file=local) if local != f.file else f)
    return out


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Sorted by file, line; exact duplicates (one page merged into two contracts) dropped."""
    unique = {(f.file, f.line or 0, f.rule, f.severity, f.message): f for f in findings}
    return [unique[k] for k in sorted(unique)]


def format_finding(finding: Finding) -> str:
    """`file:line: severity: rule: message`, the shape editors and CI annotators understand."""
    return f"{finding.location}: {finding.severity}: {finding.rule}: {finding.message}"


def summary(findings: list[Finding]) -> dict[str, int]:
    counts = {"error": 0, "warning": 0, "info": 0}
    for finding in findings:
        counts[finding.severity] = counts.get(finding.severity, 0) + 1
    return counts
