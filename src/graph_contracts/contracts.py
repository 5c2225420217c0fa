"""The contract model: what one Graph PATCH endpoint family promises, in CSDL vocabulary.

A contract is one (API version, resource type). It is the single artefact every later stage reads:
the mock serves it, the OpenAPI document and the Hypothesis strategies are derived from it, and the
checks judge a server by it. It is plain data (stdlib dataclasses, JSON on disk) so that `extract`
stays fast and the files in `contracts/` stay reviewable.

Serialization avoids `dataclasses.asdict` + `json.dumps(indent=2)`: on a whole docs corpus those
two cost more than the extraction itself (asdict deep-copies every string; json walks an indented
value in pure Python). `to_dict` is hand-written and orjson writes the JSON, with exactly the
bytes those two gave; tests/test_contract_json.py holds them to it over the corpus.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from graph_contracts.gc_pause import paused_gc

Severity = Literal["error", "warning", "info"]
INDEX_FILE = "index.json"
NAMESPACE = "microsoft.graph"


# Graph's root entity type: abstract, so never an instance's type (an entity that names it is
# mislabelled, which tells nothing about its real type).
ABSTRACT_ROOT = "microsoft.graph.entity"


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
        """Not the key, not read-only, and no control information (`@odata.etag` is a row of
        shiftPreferences' table: OData JSON 4.01 §4.5, it changes on every write)."""
        return not (self.key or self.read_only or self.name[:1] == "@")


@dataclass
class TypeDef:
    """A complex or enum type that a contract's properties reference, resolved from resource pages."""

    name: str
    kind: Literal["complex", "enum"]
    members: list[str] | None = None
    flags: bool = False
    properties: list[Property] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    # CSDL `OpenType="true"` (identity, identitySet): instances carry dynamic members by design.
    # The docs never say so; a CSDL (`--metadata`, or the service's own $metadata) sets it.
    open: bool = False


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
        """Plain data, equal to `dataclasses.asdict(self)` (lists and bodies copied), faster."""
        return {
            "version": self.version,
            "resource": self.resource,
            "paths": list(self.paths),
            "properties": [_property_dict(p) for p in self.properties],
            "status": self.status,
            "permissions": {kind: list(scopes) for kind, scopes in self.permissions.items()},
            "headers": list(self.headers),
            "sources": list(self.sources),
            "title": self.title,
            "types": {name: _type_dict(t) for name, t in self.types.items()},
            "examples": [_example_dict(e) for e in self.examples],
            "findings": [_finding_dict(f) for f in self.findings],
        }

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


def _property_dict(p: Property) -> dict[str, Any]:
    return {
        "name": p.name,
        "type": p.type,
        "enum": None if p.enum is None else list(p.enum),
        "description": p.description,
        "nullable": p.nullable,
        "key": p.key,
        "read_only": p.read_only,
        "sources": list(p.sources),
    }


def _type_dict(t: TypeDef) -> dict[str, Any]:
    return {
        "name": t.name,
        "kind": t.kind,
        "members": None if t.members is None else list(t.members),
        "flags": t.flags,
        "properties": [_property_dict(p) for p in t.properties],
        "sources": list(t.sources),
        "open": t.open,
    }


def _example_dict(e: Example) -> dict[str, Any]:
    return {
        "kind": e.kind,
        "file": e.file,
        "line": e.line,
        "method": e.method,
        "url": e.url,
        "status": e.status,
        "body": _copy(e.body),
        "body_text": e.body_text,
        "body_line": e.body_line,
    }


def _copy(value: Any) -> Any:
    """asdict's copy of an example body: containers rebuilt, other values deep-copied."""
    kind = type(value)
    if kind in _IMMUTABLE:
        return value
    if kind is dict:
        return {key: _copy(item) for key, item in value.items()}
    if kind is list:
        return [_copy(item) for item in value]
    return copy.deepcopy(value)


_IMMUTABLE = frozenset({str, int, float, bool, type(None)})


def _finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "rule": f.rule,
        "severity": f.severity,
        "message": f.message,
        "file": f.file,
        "line": f.line,
    }


# --- JSON --------------------------------------------------------------------------------------
# orjson writes the dataclasses themselves, twenty times faster than asdict + json.dumps(indent=2)
# on a corpus, and the same bytes, except: a float below 1e-4 (`0.00001` where json writes
# `1e-05`), NaN and infinities (null where json writes NaN), integers beyond 64 bits and lone
# surrogates (errors). Contracts that may hold those take json.dumps, so the output never depends
# on orjson being installed. A body holds such a float only if its text has such a number token
# (json.loads made the body): first or after `:`, `[` or `,`, an exponent below zero, `0.0000`, NaN or
# Infinity. Strings may match too (a false alarm costs only speed); `in` tests come first, so most
# bodies never meet the regex.
_SUSPECTS = ("e-", "E-", "0.0000", "NaN", "Infinity")
_NOT_LIKE_JSON = re.compile(r"(?:^|[:\[,])\s*-?(?:\d+(?:\.\d*)?[eE]-|0\.0000|NaN|Infinity)")


def contracts_json(contracts: list[Contract]) -> bytes:
    """`extract --json`: `json.dumps([c.to_dict() ...], indent=2, ensure_ascii=False)` in UTF-8."""
    orjson = _orjson()
    if orjson is not None and all(_like_json(c) for c in contracts):
        try:
            return orjson.dumps(contracts, option=orjson.OPT_INDENT_2)
        except orjson.JSONEncodeError:
            pass
    if not contracts:
        return b"[]"
    inner = b"\n  "  # one odd contract does not slow the others: each is written on its own
    parts = [_contract_json(c, orjson).replace(b"\n", inner) for c in contracts]
    return b"[" + inner + (b"," + inner).join(parts) + b"\n]"


def contract_file_json(contract: Contract) -> bytes:
    """A contract file's bytes: `dumps(contract.to_dict())` (sorted keys) in UTF-8."""
    orjson = _orjson()
    if orjson is not None and _like_json(contract):
        try:
            option = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE
            return orjson.dumps(contract.to_dict(), option=option)
        except orjson.JSONEncodeError:
            pass
    return _utf8(dumps(contract.to_dict()))


def _contract_json(contract: Contract, orjson: Any) -> bytes:
    if orjson is not None and _like_json(contract):
        try:
            return orjson.dumps(contract, option=orjson.OPT_INDENT_2)
        except orjson.JSONEncodeError:
            pass
    return _utf8(json.dumps(contract.to_dict(), indent=2, ensure_ascii=False))


def _orjson() -> Any:
    try:
        import orjson
    except ImportError:  # a declared dependency; an environment without it is only slower
        return None
    return orjson


def _utf8(text: str) -> bytes:
    """A lone surrogate (from a body's `"\\ud800"`) is written back as that escape."""
    return text.encode("utf-8", "backslashreplace")


def _like_json(contract: Contract) -> bool:
    """Whether orjson writes this contract as json does: no body holds a float it spells apart."""
    for example in contract.examples:
        if example.body is None or type(example.body) is str:
            continue
        text = example.body_text
        if text is None:  # a body made in code: nothing to check it by, assume the worst
            return False
        if any(s in text for s in _SUSPECTS) and _NOT_LIKE_JSON.search(text):
            return False
    return True


class ContractFileError(ValueError):
    """A contract file that cannot be read; the message names the file."""


def contract_filename(contract: Contract) -> str:
    return f"{contract.version}/{contract.name}.json"


def dumps(data: Any) -> str:
    """Stable JSON: sorted keys and a trailing newline, so regenerated files diff cleanly."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@paused_gc
def save(contracts: list[Contract], out_dir: Path) -> list[Path]:
    """Write one file per contract plus `index.json`; return the paths written.

    The cyclic garbage collector is paused meanwhile, as `extract` does: `to_dict` allocates a
    great many small acyclic dicts, and each collection would walk every contract again.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    index = []
    for contract in sorted(contracts, key=lambda c: c.id):
        target = out_dir / contract_filename(contract)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(contract_file_json(contract))
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
