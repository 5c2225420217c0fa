"""Cross-check contracts against a CSDL `$metadata` document, in both directions (`check-metadata`).

The docs and the service's own schema are written by different hands. Comparing them finds the doc
defects the extractor cannot see on its own (a wrong type, a property the service does not have) and
tells a reviewer which schema facts the docs leave out. The agreement ratio is the extractor's
accuracy figure: over the properties both sides know, how often the extracted type is the CSDL type.

A `$metadata` document describes one API version and does not say which: its file name or
`--api-version` tells, and each contract is compared only with the metadata of its own version
(`compare_by_version`), as a beta contract judged by v1.0's schema gets findings that are not
the docs' fault.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from graph_contracts.contracts import Contract, Finding, Property, TypeDef
from graph_contracts.metadata._reader import (
    Csdl,
    CsdlError,
    CsdlProperty,
    CsdlType,
    parse_csdl,
    read_document,
)

FUTURE = "unknownFutureValue"


# --- comparing ------------------------------------------------------------------------------


@dataclass
class Agreement:
    """Properties both the docs and CSDL know, and how many of them have the same type."""

    both: int = 0
    agree: int = 0

    @property
    def ratio(self) -> float:
        return self.agree / self.both if self.both else 1.0

    def to_dict(self) -> dict[str, float]:
        return {"both": self.both, "agree": self.agree, "ratio": round(self.ratio, 6)}


@dataclass
class Report:
    """Findings plus two agreement figures.

    `agreement` counts every property both know, the contracts' own and those of the complex types
    they reference; `resources` counts only the contracts' own properties (the resource tables the
    update pages document), the figure the corpus target is stated for.
    """

    findings: list[Finding]
    agreement: Agreement
    resources: Agreement = field(default_factory=Agreement)


def check(contracts: Iterable[Contract], csdl: Csdl) -> list[Finding]:
    """Findings of `compare`: type-mismatch, not-in-metadata, undocumented-property, ..."""
    return compare(contracts, csdl).findings


def compare(contracts: Iterable[Contract], csdl: Csdl) -> Report:
    """Compare each contract's resource (and its resolved complex/enum types) with CSDL."""
    report = Report([], Agreement())
    seen_types: set[str] = set()
    for contract in contracts:
        where = contract.sources[0] if contract.sources else contract.id
        _compare_structured(
            contract.resource, contract.properties, contract, where, csdl, report, entity=True
        )
        for typedef in contract.types.values():
            if typedef.name in seen_types:
                continue  # a complex type shared by many contracts counts once
            seen_types.add(typedef.name)
            _compare_typedef(typedef, contract, csdl, report)
    report.findings.sort(key=lambda f: (f.file, f.line or 0, f.rule, f.message))
    return report


def _compare_typedef(typedef: TypeDef, contract: Contract, csdl: Csdl, report: Report) -> None:
    where = typedef.sources[0] if typedef.sources else contract.id
    if typedef.kind == "complex":
        _compare_structured(
            typedef.name, typedef.properties, contract, where, csdl, report, entity=False
        )
        return
    target = csdl.types.get(typedef.name)
    if target is None or target.kind != "enum":
        report.findings.append(
            _finding("unknown-resource", "warning", f"enum {typedef.name} is not in CSDL", where)
        )
        return
    if typedef.members:
        _compare_members(typedef.name, typedef.members, target, where, report)


def _compare_structured(
    name: str,
    props: list[Property],
    contract: Contract,
    where: str,
    csdl: Csdl,
    report: Report,
    *,
    entity: bool,
) -> None:
    target = csdl.types.get(name)
    label = "resource" if entity else "complex type"
    if target is None or target.kind == "enum":
        report.findings.append(
            _finding(
                "unknown-resource",
                "warning",
                f"{contract.version} {label} {name} is not in {Path(csdl.path).name}",
                where,
            )
        )
        return
    structural, navigation = csdl.properties(name), csdl.navigation(name)
    for prop in props:
        known = structural.get(prop.name) or navigation.get(prop.name)
        if known is None:
            report.findings.append(_not_in_metadata(name, prop, target, where, csdl))
            continue
        agrees = prop.type == known.type
        counters = (report.agreement, report.resources) if entity else (report.agreement,)
        for counter in counters:
            counter.both += 1
            counter.agree += agrees
        if agrees:
            _compare_enum(prop, known, contract, csdl, where, report)
        else:
            report.findings.append(
                _finding(
                    "type-mismatch",
                    "warning",
                    f"{name}.{prop.name}: docs say {prop.type}, $metadata says {known.type}",
                    _source(prop, where),
                )
            )
    documented = {p.name for p in props}
    for missing in sorted(set(structural) - documented):
        report.findings.append(
            _finding(
                "undocumented-property",
                "info",
                f"{name}.{missing} ({structural[missing].type}) is in $metadata "
                "but the docs never mention it",
                where,
            )
        )


def _not_in_metadata(
    name: str, prop: Property, target: CsdlType, where: str, csdl: Csdl
) -> Finding:
    subtype = csdl.subtype_with(name, prop.name)
    severity = "warning"
    if subtype is not None:
        severity = "info"  # sendable with `@odata.type` of the derived type
        note = f" (only on derived type {subtype.name})"
    elif target.open_type:
        note = " (an open type: the service may still accept it)"
    else:
        note = ""
    return _finding(
        "not-in-metadata",
        severity,
        f"{name}.{prop.name} ({prop.type}) is documented but not in $metadata{note}",
        _source(prop, where),
    )


def _compare_enum(
    prop: Property, known: CsdlProperty, contract: Contract, csdl: Csdl, where: str, report: Report
) -> None:
    inner = known.type[11:-1] if known.type.startswith("Collection(") else known.type
    target = csdl.types.get(inner)
    if target is None or target.kind != "enum" or not prop.enum:
        return
    if inner in contract.types:
        return  # the TypeDef is compared once, by _compare_typedef
    _compare_members(f"{inner} ({prop.name})", prop.enum, target, _source(prop, where), report)


def _compare_members(
    label: str, members: list[str], target: CsdlType, where: str, report: Report
) -> None:
    """Docs often stop at `unknownFutureValue` (later members are opt-in): that is no defect."""
    csdl_members = target.members
    if FUTURE in csdl_members:
        csdl_members = csdl_members[: csdl_members.index(FUTURE) + 1]
    missing = [m for m in csdl_members if m not in members and m != FUTURE]
    extra = [m for m in members if m not in target.members]
    if not (missing or extra):
        return
    parts = []
    if missing:
        parts.append(f"docs lack {', '.join(missing)}")
    if extra:
        parts.append(f"$metadata lacks {', '.join(extra)}")
    report.findings.append(
        _finding("enum-mismatch", "warning", f"enum {label}: {'; '.join(parts)}", where)
    )


def _source(prop: Property, fallback: str) -> str:
    return prop.sources[0] if prop.sources else fallback


def _finding(rule: str, severity, message: str, where: str) -> Finding:
    """`where` is `file:line` or a bare file (or a contract id when the docs gave no file)."""
    file, _, line = where.rpartition(":")
    if file and line.isdigit():
        return Finding(rule, severity, message, file, int(line))
    return Finding(rule, severity, message, where)


# --- by API version -------------------------------------------------------------------------

API_VERSIONS = ("beta", "v1.0")
_NAMED_VERSION = re.compile(r"(?<![a-z0-9])(beta|v1\.0|v1_0|v1)(?![a-z0-9])", re.I)


def metadata_version(path: Path, stated: str | None = None) -> str:
    """The API version a metadata file describes: told by its name (`beta_metadata.xml`,
    `v1.0_metadata.xml`), else `stated` (`--api-version`). CsdlError when neither tells: a
    `$metadata` document does not name its version, and a beta contract judged by v1.0's
    schema (or the reverse) gives findings that are not the docs' fault."""
    named = {"beta" if m.lower() == "beta" else "v1.0" for m in _NAMED_VERSION.findall(path.name)}
    if len(named) == 1:
        return named.pop()
    if stated is not None:
        return stated
    raise CsdlError(
        f"{path}: its name does not tell the API version (beta or v1.0): "
        "pass --api-version, or name it like beta_metadata.xml"
    )


def load_versioned(paths: Iterable[Path], versions: Iterable[str]) -> dict[str, Csdl]:
    """`run --metadata FILE...`: each document parsed (and kept: `Csdl.document`), by the version
    it describes.

    The version comes from the file's name; when only one version is in play (`versions`), an
    untold name is that one. CsdlError naming the file when a document is unusable, its version
    untold, or two documents describe one version.
    """
    versions = sorted(set(versions))
    found: dict[str, Csdl] = {}
    for path in paths:
        csdl = parse_csdl(read_document(path), str(path))
        try:
            csdl.version = metadata_version(Path(path), versions[0] if len(versions) == 1 else None)
        except CsdlError:
            raise CsdlError(
                f"{path}: its name does not tell the API version (beta or v1.0): "
                "name it like beta_metadata.xml or v1.0_metadata.xml"
            ) from None
        if csdl.version in found:
            first = found[csdl.version].path
            raise CsdlError(f"{path}: a second {csdl.version} metadata file (after {first})")
        found[csdl.version] = csdl
    return found


@dataclass
class Comparison:
    """One version's contracts against that version's metadata, and what was left out."""

    report: Report
    compared: list[tuple[str, str, int]]  # (version, metadata file, contracts compared)
    skipped: list[str]  # one sentence per version left out, and why


def compare_by_version(contracts: Iterable[Contract], csdls: list[Csdl]) -> Comparison:
    """Compare each contract only with the metadata of its own API version (`Csdl.version`);
    contracts without metadata of their version, and metadata without contracts, are skipped
    and said to be. CsdlError when two metadata files describe one version."""
    by_version: dict[str, Csdl] = {}
    for csdl in csdls:
        if csdl.version in by_version:
            first = by_version[csdl.version].path
            raise CsdlError(f"{csdl.path}: a second {csdl.version} metadata file (after {first})")
        by_version[str(csdl.version)] = csdl
    grouped: dict[str, list[Contract]] = {}
    for contract in contracts:
        grouped.setdefault(contract.version, []).append(contract)
    result = Comparison(Report([], Agreement()), [], [])
    for version, csdl in sorted(by_version.items()):
        mine = grouped.pop(version, [])
        if not mine:
            result.skipped.append(
                f"{csdl.path} ({version}) compared with nothing: no {version} contracts"
            )
            continue
        result.compared.append((version, csdl.path, len(mine)))
        _add(result.report, compare(mine, csdl))
    for version, left in sorted(grouped.items()):
        result.skipped.append(
            f"{len(left)} {version} contracts not compared: no {version} metadata given"
        )
    result.report.findings.sort(key=lambda f: (f.file, f.line or 0, f.rule, f.message))
    return result


def _add(total: Report, part: Report) -> None:
    total.findings += part.findings
    for mine, theirs in ((total.agreement, part.agreement), (total.resources, part.resources)):
        mine.both += theirs.both
        mine.agree += theirs.agree
