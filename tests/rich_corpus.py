"""Rich corpus contracts for the fault proof: the value kinds the seeds' contract never exercises.

(Not `tests/rich.py`: that name would shadow the `rich` library the runner prints with.)

The seed contract has a string, an Int32, an enum and a date; defects of complex values, nested
enums, collections, flags enums, Duration, Guid, Boolean, Double and Date need contracts that have
them. `rich_contracts` extracts the Graph docs corpus and picks, deterministically, contracts that
together cover every such kind, and that can be trusted to judge a server by:

- their types agree with Microsoft's CSDL (no `type-mismatch`, `enum-mismatch`, `not-in-metadata`
  or `unknown-resource` finding), so a docs error cannot masquerade as a server defect;
- every type resolves (nothing the strategies would skip or a server could only store opaquely),
  and neither the entity type nor a complex type it uses is abstract in CSDL;
- at most MAX_PROPERTIES properties, so a proof run stays quick;
- request examples send no `@odata.type` but the contract's own;
- their paths are ones the reference server serves (plain `{key}` segments), and no two chosen
  contracts end on the same path (a collection holding two contract types leaves a client without
  `@odata.type` unable to tell them apart).

The extractor never marks flags enums (the docs show them only as powers of two); flags are taken
from CSDL's `IsFlags`, so that flags values are generated and judged as sets.
"""

from __future__ import annotations

import copy
import functools
import re
from dataclasses import replace
from pathlib import Path

from reference import routes

from graph_contracts import contracts as contract_files
from graph_contracts.contracts import Contract, Property, TypeDef
from graph_contracts.extract import extract_paths
from graph_contracts.metadata import Csdl, compare, load_csdl

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
VERSIONS = ("beta", "v1.0")
# The kinds the proof must exercise (issue 8, point 5); every pick adds one until all are covered.
REQUIRED = (
    "complex",
    "nested-enum",
    "collection-of-primitives",
    "collection-of-complex",
    "flags",
    "Edm.Duration",
    "Edm.Guid",
    "Edm.Boolean",
    "Edm.Double",
    "Edm.Date",
)
DISAGREEMENT = frozenset({"type-mismatch", "enum-mismatch", "not-in-metadata", "unknown-resource"})
OPAQUE = re.compile(r"^Edm\.(Stream|Untyped|Geography|Geometry)")
MAX_DEPTH = 3  # as deep as the strategies build complex values
MAX_PROPERTIES = 60
EVOLVABLE = "unknownFutureValue"


def rich_contracts(corpus: Path = CORPUS, n: int = 24) -> list[Contract]:
    """At least 20 (n) trustworthy corpus contracts that together use every REQUIRED kind."""
    pool = list(_candidates(corpus))
    chosen: list[Contract] = []
    tries: dict[str, routes.Position] = {}
    ends: set[tuple[str, str]] = set()
    missing = set(REQUIRED)
    while len(chosen) < n:
        pool = [(c, f) for c, f in pool if not _ends(c) & ends]
        if not pool:
            break
        best = max(pool, key=lambda cf: _score(cf, missing))
        pool.remove(best)
        contract, kinds = best
        trie = copy.deepcopy(tries.get(contract.version, routes.Position()))
        if not all(_served(p, trie) for p in contract.paths):
            continue  # a name another pick uses as a collection is single-valued here, or so
        tries[contract.version] = trie
        chosen.append(contract)
        ends |= _ends(contract)
        missing -= kinds
    if missing:
        raise LookupError(f"no corpus contract covers {sorted(missing)}")
    return chosen


def save_rich(directory: Path, corpus: Path = CORPUS, n: int = 24) -> list[Contract]:
    """Write `rich_contracts` as a contracts folder (files + index.json); return them."""
    picked = rich_contracts(corpus, n)
    contract_files.save(picked, Path(directory))
    return picked


def features(contract: Contract) -> frozenset[str]:
    """The value kinds a contract's updatable properties use, nested ones included."""
    found: set[str] = set()
    for prop in contract.updatable():
        _walk(prop, contract.types, found, nested=False, depth=0)
    return frozenset(found)


def _score(candidate: tuple[Contract, frozenset[str]], missing: set[str]) -> tuple:
    """Most missing kinds first, then most required kinds, then fewest properties, then id."""
    contract, kinds = candidate
    required = len(kinds & set(REQUIRED))
    return (len(kinds & missing), required, -len(contract.properties), _reverse(contract.id))


def _reverse(text: str) -> tuple[int, ...]:
    """Sorts ids in reverse inside `max`, so ties go to the alphabetically first id."""
    return tuple(-ord(c) for c in text)


def _walk(prop: Property, types: dict[str, TypeDef], found: set[str], nested: bool, depth: int):
    many = prop.type.startswith("Collection(")
    inner = prop.type[len("Collection(") : -1] if many else prop.type
    typedef = types.get(inner)
    if (typedef is not None and typedef.kind == "enum") or prop.enum:
        found.add("flags" if typedef is not None and typedef.flags else "enum")
        if nested:
            found.add("nested-enum")
        members = (typedef.members if typedef is not None else None) or prop.enum or []
        if EVOLVABLE in members[1:]:  # Graph's evolvable-enum sentinel, a member before it
            found.add("evolvable-enum")
    elif typedef is not None and typedef.kind == "complex":
        found.add("complex")
        if many:
            found.add("collection-of-complex")
        if depth < MAX_DEPTH:
            for member in typedef.properties:
                if member.updatable:
                    _walk(member, types, found, nested=True, depth=depth + 1)
    else:
        found.add(inner)
        if many:
            found.add("collection-of-primitives")


@functools.cache
def _candidates(corpus: Path) -> list[tuple[Contract, frozenset[str]]]:
    docs = corpus / "graph-docs" / "api-reference"
    extraction = extract_paths([docs / version / "api" for version in VERSIONS])
    csdl = {version: load_csdl(corpus / "csdl" / f"{version}_metadata.xml") for version in VERSIONS}
    found = []
    for contract in sorted(extraction.contracts, key=lambda c: c.id):
        prepared = _prepare(contract, csdl[contract.version])
        if prepared is not None:
            found.append((prepared, features(prepared)))
    return found


def _prepare(contract: Contract, csdl: Csdl) -> Contract | None:
    """The contract with served paths only and CSDL's flags, or None when it cannot be trusted."""
    paths = [p for p in contract.paths if _served(p)]
    if not paths or contract.status not in (200, 204) or not contract.updatable():
        return None
    if len(contract.properties) > MAX_PROPERTIES:
        return None
    if any(f.rule in DISAGREEMENT for f in compare([contract], csdl).findings):
        return None
    entity = csdl.types.get(contract.resource)
    if entity is None or entity.abstract or not _resolved(contract, csdl):
        return None
    if any(
        ex.kind == "request"
        and isinstance(ex.body, dict)
        and ex.body.get("@odata.type") not in (None, contract.odata_type)
        for ex in contract.examples
    ):
        return None
    types = {
        name: replace(t, flags=True) if t.kind == "enum" and _csdl_flags(csdl, name) else t
        for name, t in contract.types.items()
    }
    return replace(contract, paths=paths, types=types)


def _served(template: str, trie: routes.Position | None = None) -> bool:
    """Whether the reference server serves `template` (beside the templates already in `trie`)."""
    try:
        routes.add(routes.Position() if trie is None else trie, template, "probe")
    except routes.Unsupported:
        return False
    return True


def _resolved(contract: Contract, csdl: Csdl) -> bool:
    """Every updatable property's type resolves to a concrete, closed complex type, an enum with
    members, or a primitive the strategies generate."""
    pending = [p.type for p in contract.updatable()]
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        inner = name[len("Collection(") : -1] if name.startswith("Collection(") else name
        if inner in seen:
            continue
        seen.add(inner)
        if inner.startswith("Edm."):
            if OPAQUE.match(inner):
                return False
            continue
        typedef = contract.types.get(inner)
        if typedef is None or (typedef.kind == "enum" and not typedef.members):
            return False
        if typedef.kind == "complex":
            known = csdl.types.get(inner)
            if known is None or known.abstract:
                return False
            pending += [p.type for p in typedef.properties if p.updatable]
    return True


def _csdl_flags(csdl: Csdl, name: str) -> bool:
    found = csdl.types.get(name)
    return bool(found and found.kind == "enum" and found.flags)


def _ends(contract: Contract) -> set[tuple[str, str]]:
    """Where a contract's templates end, placeholder names aside."""
    return {(contract.version, re.sub(r"\{[^{}]*\}", "{}", p)) for p in contract.paths}
