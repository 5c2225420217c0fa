"""The contract model: what one Graph PATCH endpoint family promises, in CSDL vocabulary.

A contract is one (API version, resource type). It is the single artefact every later stage reads:
the mock serves it, the OpenAPI document and the Hypothesis strategies are derived from it, and the
checks judge a server by it. It is plain data (stdlib dataclasses, JSON on disk) so that `extract`
stays fast and the files in `contracts/` stay reviewable.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]
INDEX_FILE = "index.json"
NAMESPACE = "microsoft.graph"


@dataclass
class Finding:
    """A doc defect or a decision worth a reviewer's eye, located at file:line."""

    rule: str
    severity: Severity
    message: str
    file: str
    line: int | None = None

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass
class Property:
    """One structural property. `type` is CSDL: `Edm.Int32`, `microsoft.graph.x`, `Collection(T)`."""

    name: str
    type: str
    enum: list[str] | None = None
    description: str = ""
    nullable: bool | None = None  # None: the docs do not say (neither sent as null nor rejected)
    key: bool = False
    read_only: bool = False
    sources: list[str] = field(default_factory=list)

    @property
    def updatable(self) -> bool:
        return not (self.key or self.read_only)


@dataclass
class TypeDef:
    """A complex or enum type that a contract's properties reference, resolved from resource pages."""

    name: str
    kind: Literal["complex", "enum"]
    members: list[str] | None = None
    flags: bool = False
    properties: list[Property] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


@dataclass
class Example:
    """A documented request or response example, kept with its location so lint can point at it."""

    kind: Literal["request", "response"]
    file: str
    line: int
    method: str | None = None
    url: str | None = None
    status: int | None = None
    body: Any = None
    body_text: str | None = None
    body_line: int | None = None


@dataclass
class Contract:
    """Everything the docs say about PATCHing one resource type in one API version."""

    version: str
    resource: str
    paths: list[str]
    properties: list[Property]
    status: int
    permissions: dict[str, list[str]] = field(default_factory=dict)
    headers: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    title: str = ""
    types: dict[str, TypeDef] = field(default_factory=dict)
    examples: list[Example] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def name(self) -> str:
        """Short type name, e.g. `deviceConfigurationUserStatus`."""
        return self.resource.rsplit(".", 1)[-1]

    @property
    def id(self) -> str:
        """Stable identifier used in reports and file names: `beta/deviceConfigurationUserStatus`."""
        return f"{self.version}/{self.name}"

    @property
    def odata_type(self) -> str:
        return f"#{self.resource}"

    @property
    def key(self) -> str:
        return next((p.name for p in self.properties if p.key), "id")

    def updatable(self) -> list[Property]:
        return [p for p in self.properties if p.updatable]

    def property(self, name: str) -> Property | None:
        return next((p for p in self.properties if p.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Contract:
        data = dict(data)
        data["properties"] = [Property(**p) for p in data.get("properties", [])]
        data["types"] = {
            name: TypeDef(**{**t, "properties": [Property(**p) for p in t.get("properties", [])]})
            for name, t in data.get("types", {}).items()
        }
        data["examples"] = [Example(**e) for e in data.get("examples", [])]
        data["findings"] = [Finding(**f) for f in data.get("findings", [])]
        return cls(**data)


class ContractFileError(ValueError):
    """A contract file that cannot be read; the message names the file."""


def contract_filename(contract: Contract) -> str:
    return f"{contract.version}/{contract.name}.json"


def dumps(data: Any) -> str:
    """Stable JSON: sorted keys and a trailing newline, so regenerated files diff cleanly."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def save(contracts: list[Contract], out_dir: Path) -> list[Path]:
    """Write one file per contract plus `index.json`; return the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    index = []
    for contract in sorted(contracts, key=lambda c: c.id):
        target = out_dir / contract_filename(contract)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(dumps(contract.to_dict()), encoding="utf-8")
        written.append(target)
        index.append(
            {
                "file": contract_filename(contract),
                "version": contract.version,
                "resource": contract.resource,
                "paths": len(contract.paths),
                "properties": len(contract.properties),
                "status": contract.status,
            }
        )
    (out_dir / INDEX_FILE).write_text(dumps({"contracts": index}), encoding="utf-8")
    written.append(out_dir / INDEX_FILE)
    return written


def load(directory: Path) -> list[Contract]:
    """Read the contracts listed in `directory/index.json` (or every `*.json` when it has none)."""
    if not directory.is_dir():
        raise ContractFileError(f"{directory}: contracts folder not found (use --contracts DIR)")
    index = directory / INDEX_FILE
    if index.is_file():
        files = [directory / entry["file"] for entry in _read_json(index)["contracts"]]
    else:
        files = sorted(p for p in directory.rglob("*.json") if p.name != INDEX_FILE)
    if not files:
        raise ContractFileError(f"{directory}: no contracts found")
    return [_load_one(path) for path in files]


def _load_one(path: Path) -> Contract:
    try:
        return Contract.from_dict(_read_json(path))
    except (TypeError, KeyError) as exc:
        raise ContractFileError(f"{path}: not a contract file ({exc})") from None


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ContractFileError(f"{path}: {exc}") from None
