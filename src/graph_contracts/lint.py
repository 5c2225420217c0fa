"""Doc lint: examples that contradict their own page, plus the extractor's findings, by file:line.

A request example is what a reader copies: when it sends `"status": "String"` for an enum or
`"Integer"` for an Int32, the page is wrong whatever the service does. The property table is the
contract, so every example body is judged against it with the same `edm.validate` the mock and the
checks use. Response examples may be truncated "for brevity", so their defects are warnings.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from graph_contracts import edm
from graph_contracts.contracts import Contract, Example, Finding, Severity


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
    if not isinstance(body, dict):
        return [
            _at(
                example,
                None,
                lines,
                "example-invalid",
                severity,
                f"{example.kind} body is a JSON {type(body).__name__}, not an object",
            )
        ]
    return _lint_object(contract, example, body, lines, severity)


def _is_collection_reply(contract: Contract, body: dict) -> bool:
    return isinstance(body.get("value"), list) and contract.property("value") is None


def _lint_object(
    contract: Contract, example: Example, body: dict, lines: dict[str, int], severity: Severity
) -> list[Finding]:
    findings: list[Finding] = []
    cast = body.get("@odata.type")
    derived = isinstance(cast, str) and cast.lstrip("#") != contract.resource
    for key, value in body.items():
        if key.startswith("@"):
            if key == "@odata.type":
                findings += _check_odata_type(contract, example, value, lines, severity)
            continue
        if "@" in key:
            continue  # property annotation such as `status@odata.type`
        prop = contract.property(key)
        if prop is None and derived:
            continue  # a derived type's own properties: the table cannot judge them
        if prop is None:
            message = (
                f"{example.kind} example sends {key!r}, which the property table of "
                f"{contract.name} does not list"
            )
            findings.append(_at(example, key, lines, "example-unknown-property", severity, message))
            continue
        problems = edm.validate(
            value, prop.type, contract.types, enum=prop.enum, nullable=prop.nullable, where=key
        )
        for problem in problems:
            message = f"{example.kind} example: {problem} (table type {prop.type})"
            findings.append(_at(example, key, lines, "example-invalid", severity, message))
    return findings


def _check_odata_type(
    contract: Contract, example: Example, value: Any, lines: dict[str, int], severity: Severity
) -> list[Finding]:
    """`@odata.type` must name the resource; a derived type is fine but lint cannot know one.

    Without the schema a different type name is only suspicious (warning); the CSDL cross-check
    is where inheritance is known.
    """
    if isinstance(value, str) and value.lstrip("#") == contract.resource:
        return []
    if not isinstance(value, str) or not value.lstrip("#").startswith("microsoft.graph."):
        message = f"{example.kind} example: @odata.type {value!r} is not a qualified type name"
        return [_at(example, "@odata.type", lines, "example-invalid", severity, message)]
    message = (
        f"{example.kind} example: @odata.type {value!r} is not {contract.odata_type} "
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
    findings = list(extraction.findings)
    for contract in extraction.contracts:
        findings += contract.findings
        findings += lint_contract(contract)
    return sort_findings(findings), list(extraction.errors)


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
