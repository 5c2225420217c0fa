"""Three-way drift: where the docs, a CSDL file and the live service's `$metadata` disagree.

Written for the docs' owners and the service's: a property the docs list and the service does
not have, a type the docs state otherwise, nullability stated both ways, an enum member one side
lacks, a property the service computes that the docs call updatable, another key; and between
the published CSDL and the running service, any of those. Each difference names the doc page
line (`Property.sources`) and says what every source that speaks says. Drift is information:
it never fails a check (`graph-contracts drift --fail-on-drift` is for release gates).

A source that is silent is not a side of a difference: the docs usually leave nullability
unstated, an update page lists only what can be updated, and Graph's CSDL rarely annotates
read-only properties. Those are counted (`only_in_csdl`), not listed. Members after
`unknownFutureValue` are opt-in (`Prefer: include-unknown-enum-members`): the docs need not list
them. On a collection CSDL's `Nullable` speaks of the items: compared between CSDLs only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graph_contracts.contracts import Contract, Property, TypeDef
from graph_contracts.metadata._reader import Csdl, CsdlProperty

FUTURE = "unknownFutureValue"
SOURCES = ("docs", "file", "service")
PAIRS = (("docs", "file"), ("docs", "service"), ("file", "service"))
ASPECTS = ("property", "type", "nullable", "enum", "read-only", "key")
PRESENT, ABSENT = "present", "absent"

Value = str | tuple[str, ...] | None
View = dict[tuple[str, str], Value]  # (subject, aspect) -> what one source says (None: silent)


@dataclass(frozen=True)
class Difference:
    """One (contract, subject, aspect) the sources disagree on."""

    contract: str
    subject: str  # a property, `type.member` of a complex type, an enum type's name, "" the key
    aspect: str  # one of ASPECTS
    said: dict[str, str]  # source -> what it says, for every source that speaks
    pairs: tuple[str, ...]  # the pairs that disagree: "docs-service", "file-service", ...
    where: str  # the doc page line: file:line
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "aspect": self.aspect,
            "said": dict(self.said),
            "pairs": list(self.pairs),
            "where": self.where,
            "message": self.message,
        }

    @property
    def label(self) -> str:
        """The subject as a line names it: the key and the type itself have no property name."""
        if self.subject:
            return self.subject
        return "(key)" if self.aspect == "key" else "(the type)"

    def __str__(self) -> str:
        return f"{self.where}: {self.contract} {self.label}: {self.message}"


@dataclass
class Drift:
    """Every difference, with what was compared and what only a CSDL states."""

    sources: dict[str, dict[str, str]] = field(default_factory=dict)  # version -> source -> name
    differences: list[Difference] = field(default_factory=list)
    contracts: int = 0  # contracts compared with at least one CSDL
    only_in_csdl: Counter[str] = field(default_factory=Counter)

    def by_contract(self) -> dict[str, list[Difference]]:
        grouped: dict[str, list[Difference]] = {}
        for difference in self.differences:
            grouped.setdefault(difference.contract, []).append(difference)
        return grouped

    def counts(self) -> dict[str, dict[str, int]]:
        """Differences per aspect and per pair of sources (every pair and aspect named)."""
        table = {aspect: {"-".join(p): 0 for p in PAIRS} for aspect in ASPECTS}
        for difference in self.differences:
            for pair in difference.pairs:
                table[difference.aspect][pair] += 1
        return table

    def to_dict(self) -> dict[str, Any]:
        grouped = self.by_contract()
        return {
            "sources": self.sources,
            "contracts_compared": self.contracts,
            "contracts_differing": len(grouped),
            "differences": len(self.differences),
            "counts": self.counts(),
            "only_in_csdl": {k: self.only_in_csdl[k] for k in ("nullability", "properties")},
            "contracts": [
                {"contract": name, "differences": [d.to_dict() for d in rows]}
                for name, rows in grouped.items()
            ],
        }


def drift(
    contracts: Iterable[Contract],
    files: Mapping[str, Csdl] | None = None,
    service: Mapping[str, Csdl] | None = None,
) -> Drift:
    """Compare each contract (the docs) with the CSDL file and the service CSDL of its version."""
    files, service = dict(files or {}), dict(service or {})
    result = Drift()
    for version in sorted(set(files) | set(service)):
        named = {"file": files.get(version), "service": service.get(version)}
        result.sources[version] = {k: c.path for k, c in named.items() if c is not None}
    seen: set[tuple[str, str]] = set()
    for contract in contracts:
        csdls = {
            name: found
            for name, found in (
                ("file", files.get(contract.version)),
                ("service", service.get(contract.version)),
            )
            if found is not None
        }
        if not csdls:
            continue
        result.contracts += 1
        _Comparer(contract, csdls, result, seen).run()
    result.differences.sort(key=lambda d: (d.contract, _line_order(d.where), d.subject, d.aspect))
    return result


def _line_order(where: str) -> tuple[str, int]:
    file, _, line = where.rpartition(":")
    return (file, int(line)) if file and line.isdigit() else (where, 0)


def _split(type_name: str) -> tuple[bool, str]:
    if type_name.startswith("Collection(") and type_name.endswith(")"):
        return True, type_name[11:-1]
    return False, type_name


class _Comparer:
    """One contract: the docs' view and each CSDL's, subject by subject."""

    def __init__(
        self, contract: Contract, csdls: dict[str, Csdl], result: Drift, seen: set[tuple[str, str]]
    ) -> None:
        self.contract, self.csdls, self.result, self.seen = contract, csdls, result, seen
        self.where: dict[str, str] = {}  # subject -> the doc line that documents it
        self.mine: set[tuple[str, str]] = set()  # the shared types this contract compares
        self.collections: set[str] = set()  # subjects a CSDL types as a collection

    def run(self) -> None:
        contract = self.contract
        home = contract.sources[0] if contract.sources else contract.id
        absent = {name for name, csdl in self.csdls.items() if contract.resource not in csdl.types}
        if absent:  # the type itself is missing from a CSDL: the one thing to say
            said: dict[str, Value] = {"docs": PRESENT}
            said |= {name: ABSENT if name in absent else PRESENT for name in self.csdls}
            self._judge("", "property", said, home)
            return
        views = {"docs": self._docs_view(home)}  # first: it picks the shared types compared here
        views |= {name: self._csdl_view(csdl) for name, csdl in self.csdls.items()}
        subjects = dict.fromkeys(k for view in views.values() for k in view)
        for subject, aspect in subjects:
            said = {name: view.get((subject, aspect)) for name, view in views.items()}
            self._judge(subject, aspect, said, self.where.get(subject, home))

    # --- views -----------------------------------------------------------------------------

    def _docs_view(self, home: str) -> View:
        view: View = {("", "key"): self.contract.key}
        for prop in self.contract.properties:
            self._docs_property(view, prop.name, prop, home)
        for typedef in self.contract.types.values():
            if self._first(typedef.name):
                self._docs_typedef(view, typedef, home)
        return view

    def _first(self, type_name: str) -> bool:
        """A type shared by many contracts is compared once per version (with the first)."""
        key = (self.contract.version, type_name)
        if key in self.seen:
            return False
        self.seen.add(key)
        self.mine.add(key)
        return True

    def _docs_property(self, view: View, subject: str, prop: Property, home: str) -> None:
        self.where[subject] = prop.sources[0] if prop.sources else home
        view[(subject, "property")] = PRESENT
        view[(subject, "type")] = prop.type
        many, _ = _split(prop.type)
        if prop.nullable is not None and not many:
            view[(subject, "nullable")] = _nullable(prop.nullable)
        if not prop.key:
            view[(subject, "read-only")] = "read-only" if prop.read_only else "updatable"
        members = prop.enum or self._typedef_members(prop.type)
        if members is not None:
            view[(subject, "enum")] = tuple(members)

    def _typedef_members(self, type_name: str) -> list[str] | None:
        typedef = self.contract.types.get(_split(type_name)[1])
        return typedef.members if typedef is not None and typedef.kind == "enum" else None

    def _docs_typedef(self, view: View, typedef: TypeDef, home: str) -> None:
        short = typedef.name.rsplit(".", 1)[-1]
        where = typedef.sources[0] if typedef.sources else home
        if typedef.kind == "enum":
            if typedef.members:
                self.where[short] = where
                view[(short, "enum")] = tuple(typedef.members)
            return
        for prop in typedef.properties:
            self._docs_property(view, f"{short}.{prop.name}", prop, where)

    def _csdl_view(self, csdl: Csdl) -> View:
        contract = self.contract
        view: View = {("", "key"): ",".join(csdl.key(contract.resource)) or None}
        for name, prop in csdl.properties(contract.resource).items():
            self._csdl_property(view, csdl, name, prop)
        for typedef in contract.types.values():
            if (contract.version, typedef.name) not in self.mine:
                continue
            found = csdl.types.get(typedef.name)
            short = typedef.name.rsplit(".", 1)[-1]
            if found is not None and found.kind == "enum":
                view[(short, "enum")] = tuple(found.members)
            elif found is not None:
                for name, prop in csdl.properties(typedef.name).items():
                    self._csdl_property(view, csdl, f"{short}.{name}", prop)
        return view

    def _csdl_property(self, view: View, csdl: Csdl, subject: str, prop: CsdlProperty) -> None:
        view[(subject, "property")] = PRESENT
        view[(subject, "type")] = prop.type
        view[(subject, "nullable")] = _nullable(prop.nullable)
        if _split(prop.type)[0]:
            self.collections.add(subject)
        view[(subject, "read-only")] = "read-only" if prop.read_only else "updatable"
        found = csdl.types.get(_split(prop.type)[1])
        if found is not None and found.kind == "enum":
            view[(subject, "enum")] = tuple(found.members)

    # --- judging ---------------------------------------------------------------------------

    def _judge(self, subject: str, aspect: str, said: dict[str, Value], where: str) -> None:
        if aspect == "property":
            said = {k: v or ABSENT for k, v in said.items()}
        pairs = tuple(
            f"{a}-{b}"
            for a, b in PAIRS
            if a in said and b in said and _differ(aspect, a, said[a], said[b])
        )
        self._count_silent(subject, aspect, said)
        if not pairs:
            return
        shown = {k: _show(v) for k, v in said.items() if v is not None}
        message = _message(aspect, said, pairs)
        self.result.differences.append(
            Difference(self.contract.id, subject, aspect, shown, pairs, where, message)
        )

    def _count_silent(self, subject: str, aspect: str, said: dict[str, Value]) -> None:
        """What only a CSDL states about what the docs list (not a difference: counted)."""
        csdl = said.get("service", said.get("file"))
        listed = said.get("docs") not in (None, ABSENT)
        # a listed, single-valued property of the resource: what `refine` fills in
        own = subject in self.where and "." not in subject and subject not in self.collections
        if aspect == "nullable" and own and said.get("docs") is None and csdl is not None:
            self.result.only_in_csdl["nullability"] += 1
        if aspect == "property" and not listed and csdl == PRESENT:
            self.result.only_in_csdl["properties"] += 1


def _nullable(value: bool) -> str:
    return "nullable" if value else "not nullable"


def _show(value: Value) -> str:
    if isinstance(value, tuple):
        return ", ".join(value) if value else "(no members)"
    return str(value)


def _differ(aspect: str, a: str, left: Value, right: Value) -> bool:
    """Whether two sources disagree; the docs are judged by what they can be expected to say."""
    if left is None or right is None or left == right:
        return False
    docs = a == "docs"
    if aspect == "property" and docs and left == ABSENT:
        return False  # an update page lists what can be updated, not every property
    if aspect == "read-only" and docs:
        return right == "read-only"  # Graph's CSDL rarely says updatable things are not
    if aspect == "enum" and docs:
        missing, extra = _member_gaps(left, right)  # type: ignore[arg-type]
        return bool(missing or extra)
    return True


def _member_gaps(docs: tuple[str, ...], csdl: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """Members the docs lack (up to unknownFutureValue) and docs members the CSDL lacks."""
    cut = csdl[: csdl.index(FUTURE) + 1] if FUTURE in csdl else csdl
    missing = [m for m in cut if m not in docs and m != FUTURE]
    extra = [m for m in docs if m not in csdl]
    return missing, extra


def _message(aspect: str, said: dict[str, Value], pairs: tuple[str, ...]) -> str:
    if aspect == "enum":
        parts = []
        for pair in pairs:
            a, b = pair.split("-")
            left, right = said[a], said[b]
            assert isinstance(left, tuple) and isinstance(right, tuple)
            parts += _member_parts(a, b, left, right)
        return "enum members: " + "; ".join(parts)
    voices = "; ".join(f"{_voice(k)} {_show(v)}" for k, v in said.items() if v is not None)
    return f"{aspect}: {voices}"


def _member_parts(a: str, b: str, left: tuple[str, ...], right: tuple[str, ...]) -> list[str]:
    """`docs lack x (service has)`, `service lacks y (docs has)`, `service spells None as none`."""
    missing, extra = _member_gaps(left, right) if a == "docs" else _exact(left, right)
    spelled = {m.lower(): m for m in missing}
    respelled = [(e, spelled[e.lower()]) for e in extra if e.lower() in spelled]
    missing = [m for m in missing if m not in {new for _, new in respelled}]
    extra = [e for e in extra if e not in {old for old, _ in respelled}]
    parts = []
    if missing:
        lack = "docs lack" if a == "docs" else f"{a} lacks"
        parts.append(f"{lack} {', '.join(missing)} ({b} has)")
    if extra:
        parts.append(f"{b} lacks {', '.join(extra)} ({a} has)")
    if respelled:
        parts.append(f"{b} spells " + ", ".join(f"{old} as {new}" for old, new in respelled))
    return parts


def _voice(source: str) -> str:
    return {"docs": "docs say", "file": "metadata file says"}.get(source, f"{source} says")


def _exact(left: tuple[str, ...], right: tuple[str, ...]) -> tuple[list[str], list[str]]:
    return [m for m in right if m not in left], [m for m in left if m not in right]
