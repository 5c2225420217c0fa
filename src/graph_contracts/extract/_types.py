"""Type resolution: a table row's type cell -> CSDL type, and a linked type page -> TypeDef.

`String` -> `Edm.String`; `x collection` / `Collection of x` -> `Collection(...)`; named types
are qualified with the page's namespace, or with the linked type page's own name. A link with an
anchor (`[ageGroup](user.md#agegroup-values)`) names the type by its text; a type page outside
the corpus gives a camelCase name (`[SharingLink]` -> `sharingLink`); unlinked names are looked
up as `resources/<name>.md`, then as Intune's `resources/intune-<area>-<name>.md`.

A union cell (`String &#124; null`) is its non-null member, nullable; two non-null members are
any JSON (`union-type`). Writability that depends on a condition ("Read-only when isBuiltIn is
true") is not sent (`conditional-read-only`): the suite cannot see the condition.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace

from graph_contracts.contracts import NAMESPACE, Finding, Property, TypeDef
from graph_contracts.docs import RawProperty, fill_table
from graph_contracts.naming import type_name

from ._nullability import documented_nullability
from ._pages import Pages

PRIMITIVES = {
    "string": "Edm.String",
    "str": "Edm.String",
    "int32": "Edm.Int32",
    "int": "Edm.Int32",
    "integer": "Edm.Int32",
    "int16": "Edm.Int16",
    "int64": "Edm.Int64",
    "long": "Edm.Int64",
    "byte": "Edm.Byte",
    "sbyte": "Edm.SByte",
    "boolean": "Edm.Boolean",
    "bool": "Edm.Boolean",
    "datetimeoffset": "Edm.DateTimeOffset",
    "datetime": "Edm.DateTimeOffset",
    "date": "Edm.Date",
    "timeofday": "Edm.TimeOfDay",
    "time": "Edm.TimeOfDay",
    "duration": "Edm.Duration",
    "timespan": "Edm.Duration",
    "guid": "Edm.Guid",
    "uuid": "Edm.Guid",
    "binary": "Edm.Binary",
    "double": "Edm.Double",
    "single": "Edm.Single",
    "float": "Edm.Single",
    "decimal": "Edm.Decimal",
    "stream": "Edm.Stream",
}
IDENT = re.compile(r"^[A-Za-z_][\w.]*$")
_COLLECTION = re.compile(
    r"^(?:Collection\s*\((.+)\)|(.+?)\s+collection|collection\s+of\s+(.+?)s?)$", re.I
)
_PAREN_TAIL = re.compile(r"\s*\(.*\)$")
_OR_UNION = re.compile(r"^[\w.]+(?:\s+or\s+[\w.]+)+$", re.I)  # `String or null`
# Writability that depends on a condition the suite cannot see (the entity's state, its origin):
_CONDITIONAL = re.compile(
    r"\bread[- ]?only\s+(?:when|if|for|except|unless|while)\b[^.]*"
    r"|\bread[- ]?only\b[^.]*\bwritable otherwise\b"
    r"|\bupdatable\s+(?:only\s+)?(?:when|if|unless)\b[^.]*",
    re.I,
)
ANY_JSON_TYPE = "Edm.Untyped"

Resolved = tuple[str, str, TypeDef | None]  # (CSDL type, element type, its TypeDef)


@dataclass(slots=True)
class Origin:
    """Where table rows come from: links resolve against `base`, sources name `shown`; an
    update page's rows may name enums its resource page (`related`) documents in a section, as
    a type page's rows may name enums of its own sections."""

    base: str
    shown: str
    namespace: str
    related: str | None = None


@dataclass(slots=True)
class Collected:
    """What typing one contract's rows gathers: the TypeDefs it uses, and findings."""

    types: dict[str, TypeDef] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)


class Types:
    """The run's type resolution, memoized: one TypeDef per type page, one answer per cell."""

    def __init__(self, pages: Pages) -> None:
        self.pages = pages
        self._typedefs: dict[str, TypeDef | None] = {}
        self._in_progress: set[str] = set()
        self._by_name: dict[str, TypeDef] = {}
        self._memo: dict[tuple | str, Resolved] = {}  # by cell (and where it is read)
        self._nested_memo: dict[tuple, Resolved] = {}  # see `csdl_type`
        self._dirnames: dict[str, str] = {}

    def property_of(
        self, raw: RawProperty, origin: Origin, out: Collected, *, member: bool = False
    ) -> Property:
        """The typed Property of one row; the TypeDefs it needs are added to `out`.

        `member`: a row of a complex type's table. Complex types have no key (OData CSDL 4.01
        §9), so an `id` there is an ordinary value a PATCH writes and reads back.
        """
        nullable = None
        if "|" in raw.type_text or " or " in raw.type_text:  # 14k rows a run: test before call
            raw, nullable = _union(raw, origin, out)
        ctype, inner, typedef = self.csdl_type(raw, origin.base, origin.namespace)
        if typedef is None and not inner.startswith("Edm."):  # a type page's own section,
            typedef = self.section_type(origin.related or origin.base, inner)  # or its resource's
        enum = raw.enum
        source = f"{origin.shown}:{raw.line}"
        if typedef is not None:
            self.collect(typedef, out.types)
            if typedef.kind == "enum" and typedef.members:
                if enum:
                    _respelled(raw, typedef, origin, out)
                enum = spelled(typedef.members, enum)
        elif not inner.startswith("Edm."):
            _unresolved(raw, inner, enum, origin, out)
        key = raw.name == "id" and not member
        if nullable is None:
            nullable = documented_nullability(raw.description, key=key)
        return Property(  # positional, in field order: half the cost of keywords, 14k calls a run
            raw.name,
            ctype,
            enum,
            raw.description,
            nullable,
            key,
            _not_sent(raw, origin, out) and not key,  # read_only
            [source],  # sources
        )

    def typedef(self, key: str, fallback: str, namespace: str) -> TypeDef | None:
        """The TypeDef of a linked type page, properties typed recursively (cycles cut)."""
        if key in self._typedefs:
            return self._typedefs[key]
        page = self.pages.page(key)
        if page is None or key in self._in_progress:
            return None
        fill_table(page, self.pages.rows)
        name = self.pages.declared_name(page, fallback, namespace)
        source = self.pages.show(key)
        if page.members:
            td = TypeDef(name, "enum", members=list(page.members), sources=[source])
        elif page.properties:
            td = TypeDef(name, "complex", sources=[source])
        else:
            self._typedefs[key] = None
            return None
        self._typedefs[key] = td  # before its properties: a self-reference finds it
        if td.kind == "complex":
            self._in_progress.add(key)
            origin = Origin(key, source, page.namespace)
            td.properties = [
                self.property_of(raw, origin, Collected(), member=True) for raw in page.properties
            ]
            self._in_progress.discard(key)
        return td

    def collect(self, td: TypeDef, types: dict[str, TypeDef]) -> None:
        """Add a TypeDef and, transitively, the TypeDefs its properties use."""
        if td.name in types:
            return
        types[td.name] = td
        for p in td.properties:
            sub = self._by_name.get(element(p.type))
            if sub is not None:
                self.collect(sub, types)

    def csdl_type(self, raw: RawProperty, base: str, namespace: str) -> Resolved:
        """(CSDL type, element type, TypeDef) for a table's type cell, memoized per run (the
        same cell recurs on many pages).

        While type pages are being resolved (`_in_progress`) a separate memo is used, and a hit
        repeats the one side effect a fresh resolution has (`_by_name` points at the TypeDef):
        the answer itself cannot differ, since a TypeDef is registered in `_typedefs` before its
        own properties are resolved. Outside, hits leave `_by_name` alone, as they always have.
        """
        if raw.type_link is None:  # `String`, `Int32 collection`...: the same answer everywhere
            found = self._memo.get(raw.type_text)
            if found is not None:
                return found
        folder = self._dirnames.get(base)
        if folder is None:
            folder = self._dirnames[base] = os.path.dirname(base)
        key = (raw.type_text, raw.type_link, folder, namespace)
        if self._in_progress:
            return self._nested_type(key, raw, base, namespace)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._resolve(raw, base, namespace)
            if raw.type_link is None and found[2] is None and found[1].startswith("Edm."):
                self._memo[raw.type_text] = found
        return found

    def _nested_type(self, key: tuple, raw: RawProperty, base: str, namespace: str) -> Resolved:
        """`csdl_type` while a type page's own properties are being typed (see there)."""
        found = self._nested_memo.get(key)
        if found is None:
            found = self._nested_memo[key] = self._resolve(raw, base, namespace)
        elif found[2] is not None:
            self._by_name[found[2].name] = found[2]
        return found

    def _resolve(self, raw: RawProperty, base: str, namespace: str) -> Resolved:
        text = raw.type_text.strip().strip("*")
        m = _COLLECTION.match(text)
        if m:
            text = (m.group(1) or m.group(2) or m.group(3)).strip()
        text = _PAREN_TAIL.sub("", text).strip() or "String"
        typedef = None
        inner = PRIMITIVES.get(text.lower().removeprefix("edm."))
        if inner is None:
            inner, typedef = self._named(text, raw.type_link, base, namespace)
        return (f"Collection({inner})" if m else inner), inner, typedef

    def _named(
        self, text: str, link: str | None, base: str, namespace: str
    ) -> tuple[str, TypeDef | None]:
        """A non-primitive type: the linked (or guessed) type page's, else a qualified name.

        The link text and the page it points to name the type together, never the target
        alone: `[ageGroup](user.md#agegroup-values)` (an anchor) and `[bookingType](room.md)`
        (a page declaring `room`) name `ageGroup` and `bookingType`, enums documented in a
        `### x values` section of that page. A name with no page of its own is looked up in the
        folder's `enums.md` the same way."""
        name = text.split()[0] if text.split() else text
        pages = self.pages
        target, _, anchor = link.partition("#") if link else ("", "", "")
        key = pages.link(base, target) if target else (base if anchor else None)
        if key is not None and (anchor or not self._declares(key, name, namespace)):
            section = self._section_enum(key, name, namespace)
            if section is not None:
                return section.name, section
            link = key = None  # the link text names the type
        key = key or pages.link(base, f"../resources/{name.lower()}.md") or pages.intune(base, name)
        typedef = self.typedef(key, name, namespace) if key else None
        if typedef is None and IDENT.match(name):
            enums = pages.link(base, "../resources/enums.md")
            typedef = self._section_enum(enums, name, namespace) if enums else None
        if typedef is not None:
            self._by_name[typedef.name] = typedef
            return typedef.name, typedef
        if not IDENT.match(name):
            return "Edm.String", None
        if link and "." not in name:  # a link to a type page outside the corpus: CSDL
            name = type_name(name)  # CSDL type names start lower-case (`SharingLink`)
        return qualify(name, namespace), None

    def _declares(self, key: str, name: str, namespace: str) -> bool:
        """Whether the type page at `key` declares `name` (or declares nothing to disagree)."""
        page = self.pages.page(key)
        if page is None:
            return True
        declared = self.pages.declared_name(page, name, page.namespace or namespace)
        return declared.rsplit(".", 1)[-1].lower() == name.rsplit(".", 1)[-1].lower()

    def _section_enum(self, key: str, name: str, namespace: str) -> TypeDef | None:
        """The enum `name` as a `### name values` section of the page at `key` documents it."""
        found = self.pages.values(key).get(name.rsplit(".", 1)[-1].lower())
        if found is None:
            return None
        memo_key = f"{key}#{name.lower()}"
        if memo_key not in self._typedefs:
            line, members = found
            qualified = qualify(type_name(name), namespace)
            source = f"{self.pages.show(key)}:{line}"
            self._typedefs[memo_key] = TypeDef(qualified, "enum", members=members, sources=[source])
        typedef = self._typedefs[memo_key]
        if typedef is not None:
            self._by_name[typedef.name] = typedef
        return typedef

    def section_type(self, base: str, inner: str) -> TypeDef | None:
        """An enum the page at `base` documents in a section ("described in the following
        table": `printerDefaults.orientation`; a copied update page's `ageGroup`, its link to
        `user.md#agegroup-values` gone), asked only for a named type found nowhere else (outside
        the memo of `csdl_type`: the answer depends on the page, not its folder)."""
        short = inner.rsplit(".", 1)[-1]
        return self._section_enum(base, short, inner.rsplit(".", 1)[0]) if "." in inner else None


def _unresolved(
    raw: RawProperty, inner: str, enum: list[str] | None, origin: Origin, out: Collected
) -> None:
    """A named type without a type page: an enum when the row lists values, else a finding."""
    if enum:
        source = f"{origin.shown}:{raw.line}"
        out.types.setdefault(inner, TypeDef(inner, "enum", members=list(enum), sources=[source]))
    elif inner not in out.types:
        out.findings.append(
            Finding(
                "unresolved-type",
                "warning",
                f"property {raw.name}: type {raw.type_text!r} has no type page to resolve it",
                origin.shown,
                raw.line,
            )
        )


def _union(raw: RawProperty, origin: Origin, out: Collected) -> tuple[RawProperty, bool | None]:
    """A union type cell (`String | null`, `A | B`, `A or B`) -> (the row as typed, nullability).

    A `null` member makes the property nullable and the other member its type. Two non-null
    members: the type becomes `Edm.Untyped` (any JSON), so no value of either is generated as
    the one to send nor judged wrong in a reply (never a false alarm), and a `union-type`
    finding names the members; the unionless nullability (None) comes from the description.
    """
    text = raw.type_text
    if "|" in text:
        members = [m.strip() for m in text.split("|") if m.strip()]
    elif " or " in text and _OR_UNION.match(text.strip()):
        members = re.split(r"\s+or\s+", text.strip(), flags=re.I)
    else:
        return raw, None
    values = [m for m in members if m.lower() != "null"]
    nullable = True if len(values) < len(members) else None
    if len(values) == 1:
        return replace(raw, type_text=values[0]), nullable
    out.findings.append(
        Finding(
            "union-type",
            "info",
            f"property {raw.name}: type is one of {', '.join(values)}; typed {ANY_JSON_TYPE} "
            "(any JSON): no value is generated for it, and none is judged wrong",
            origin.shown,
            raw.line,
        )
    )
    return replace(raw, type_text=ANY_JSON_TYPE, type_link=None), nullable


def _not_sent(raw: RawProperty, origin: Origin, out: Collected) -> bool:
    """Read-only, plainly or on a condition (`_conditional`, which reports it).

    A row named `@odata.etag` (shiftPreferences) documents control information, not a property
    (OData JSON 4.01 §4.5): the service changes it on every write, so it is never sent, never
    expected to keep its value, and never put back by a restore."""
    if raw.name[:1] == "@":
        return True
    if raw.read_only or "pdatable " in raw.description:
        return _conditional(raw, origin, out) or raw.read_only
    return False


def _conditional(raw: RawProperty, origin: Origin, out: Collected) -> bool:
    """Whether the row's writability depends on a condition ("Read-only when isBuiltIn is
    true", "Updatable only if isDraft = true"): such a property is not sent (the entity may be
    in the read-only state), never taken for plainly read-only, and a finding says so."""
    desc = raw.description
    if not ((raw.read_only and "nly" in desc) or "pdatable " in desc):
        return False
    m = _CONDITIONAL.search(desc)
    if m is None:
        return False
    out.findings.append(
        Finding(
            "conditional-read-only",
            "info",
            f"property {raw.name}: {m.group(0).strip()!r}: writability depends on the entity, "
            "so it is not sent",
            origin.shown,
            raw.line,
        )
    )
    return True


def _respelled(raw: RawProperty, typedef: TypeDef, origin: Origin, out: Collected) -> None:
    """An `enum-case` finding when the row's prose spells a member in another case than the
    enum type's own page (`Organizer` / `organizer`): the docs disagree with themselves."""
    members = typedef.members or ()
    if all(v in members for v in raw.enum or ()):
        return  # the common case: the row spells the page's members
    own = {m.lower(): m for m in members}
    differ = [
        (v, own[v.lower()]) for v in raw.enum or () if v.lower() in own and v not in own.values()
    ]
    if differ:
        page = typedef.sources[0] if typedef.sources else typedef.name
        why = (
            f"property {raw.name}: the description writes {', '.join(v for v, _ in differ)}; "
            f"the enum type's page {page} spells {', '.join(m for _, m in differ)} (kept)"
        )
        out.findings.append(Finding("enum-case", "warning", why, origin.shown, raw.line))


def spelled(members: list[str], listed: list[str] | None) -> list[str]:
    """An enum's members as its own page spells them (`organizer`, never a description's
    `Organizer`), then the values only the row lists (a type page that lags its rows)."""
    if not listed or all(v in members for v in listed):
        return list(members)
    known = {m.lower() for m in members}
    return list(members) + [v for v in listed if v.lower() not in known]


def qualify(name: str, namespace: str) -> str:
    return name if "." in name else f"{namespace or NAMESPACE}.{name}"


def element(ctype: str) -> str:
    """`Collection(X)` -> `X`; any other type is its own element."""
    return ctype[11:-1] if ctype.startswith("Collection(") else ctype
