"""The schema section of every report: which CSDL a run read, what it added, and the drift.

Rendered from the engine's `SchemaRead` event (plain data), for summary.md, the console and
`graph-contracts drift`. Built to read at corpus scale: the sources and counts first, then the
differences grouped per contract, the contracts with most differences first, capped (summary.json
keeps every one). Drift is information for the docs' and the service's owners, never a failure.
"""

from __future__ import annotations

from typing import Any

SHOWN_CONTRACTS = 25
SHOWN_PER_CONTRACT = 8
PAIR_LABELS = {
    "docs-file": "docs ≠ file",
    "docs-service": "docs ≠ service",
    "file-service": "file ≠ service",
}
FACT_LABELS = {
    "nullable": "nullability",
    "enum": "enum members",
    "open": "open types",
    "stream": "streams",
    "read-only": "computed (read-only)",
    "precision": "precision facets",
}


def source_line(source: dict[str, str]) -> str:
    """One document: `beta: the service's $metadata http://…/beta/$metadata: downloaded (…)`."""
    what = "the service's $metadata" if source["kind"] == "service" else "metadata file"
    status = {
        "downloaded": "read",
        "cached": "read",
        "absent": "none",
        "unusable": "not a CSDL document",
        "off": "not read",
        "failed": "not read (a target error)",
        "given": "read",
    }.get(source["status"], source["status"])
    detail = f" ({source['detail']})" if source.get("detail") else ""
    return f"{source['version']}: {what} {source['origin']}: {status}{detail}"


def facts_line(facts: dict[str, int]) -> str:
    said = [f"{n} {FACT_LABELS.get(kind, kind)}" for kind, n in facts.items() if n]
    return "facts the docs left out, taken from CSDL: " + (", ".join(said) or "none")


def drift_headline(drift: dict[str, Any]) -> str:
    if not drift.get("contracts_compared"):
        return "no CSDL to compare the docs with"
    return (
        f"{drift['differences']} differences in {drift['contracts_differing']} of "
        f"{drift['contracts_compared']} contracts (information: never a check failure)"
    )


def lines(sources: list[dict[str, str]], facts: dict[str, int], drift: dict[str, Any]) -> list[str]:
    """What the console (and pytest's terminal) say once, before the first check."""
    said = [f"schema {source_line(s)}" for s in sources]
    return [*said, f"schema {facts_line(facts)}", f"schema drift: {drift_headline(drift)}"]


def markdown(
    sources: list[dict[str, str]], facts: dict[str, int], drift: dict[str, Any]
) -> list[str]:
    """The `## Schema` section of summary.md."""
    out = ["", "## Schema: the service's $metadata, metadata files, drift", ""]
    out += [f"- {source_line(s)}" for s in sources] or ["- no CSDL was read"]
    out += ["", facts_line(facts) + ".", "", f"**Drift:** {drift_headline(drift)}."]
    if not drift.get("differences"):
        return out
    return out + _counts(drift) + _contracts(drift)


def _counts(drift: dict[str, Any]) -> list[str]:
    pairs = [p for p in PAIR_LABELS if any(row[p] for row in drift["counts"].values())]
    out = ["", "| aspect | " + " | ".join(PAIR_LABELS[p] for p in pairs) + " |"]
    out.append("|---|" + "--:|" * len(pairs))
    for aspect, row in drift["counts"].items():
        if any(row[p] for p in pairs):
            out.append(f"| {aspect} | " + " | ".join(str(row[p]) for p in pairs) + " |")
    only = drift.get("only_in_csdl", {})
    out += [
        "",
        f"Only a CSDL states (not differences): nullability of {only.get('nullability', 0)} "
        f"documented properties, {only.get('properties', 0)} properties no update page lists.",
    ]
    return out


def _contracts(drift: dict[str, Any]) -> list[str]:
    ranked = sorted(drift["contracts"], key=lambda c: (-len(c["differences"]), c["contract"]))
    out = []
    for entry in ranked[:SHOWN_CONTRACTS]:
        rows = entry["differences"]
        out += ["", f"### {entry['contract']} ({len(rows)})", ""]
        for row in rows[:SHOWN_PER_CONTRACT]:
            out.append(f"- `{row['where']}` {_label(row)}: {row['message']}")
        if len(rows) > SHOWN_PER_CONTRACT:
            out.append(f"- ... and {len(rows) - SHOWN_PER_CONTRACT} more (see summary.json)")
    if len(ranked) > SHOWN_CONTRACTS:
        rest = sum(len(c["differences"]) for c in ranked[SHOWN_CONTRACTS:])
        out += [
            "",
            f"... and {rest} differences in {len(ranked) - SHOWN_CONTRACTS} more contracts.",
        ]
    return out


def _label(row: dict[str, Any]) -> str:
    if row["subject"]:
        return row["subject"]
    return "(key)" if row["aspect"] == "key" else "(the type)"


def text(drift: dict[str, Any]) -> list[str]:
    """`graph-contracts drift` without --json: counts first, then every line per contract."""
    out = [drift_headline(drift)]
    if drift.get("differences"):
        out += _counts(drift)
        for entry in drift["contracts"]:
            out += ["", f"{entry['contract']} ({len(entry['differences'])})"]
            out += [f"  {r['where']}: {_label(r)}: {r['message']}" for r in entry["differences"]]
    return out
