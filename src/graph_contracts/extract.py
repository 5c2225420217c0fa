"""Doc pages -> contracts: interpret what `docs.parse_page` read, resolve types, merge pages.

Decisions a reviewer should know (each one also surfaces as a finding where it changes the docs):

* Types are mapped to CSDL names (`String` -> `Edm.String`, `x collection` / `Collection of x`
  -> `Collection(...)`, named types qualified with the page's namespace, or with the linked type
  page's own name). A link with an anchor (`[ageGroup](user.md#agegroup-values)`) names the type
  by its text; a type page outside the corpus gives a camelCase name (`[SharingLink]` ->
  `sharingLink`); unlinked names are looked up as `resources/<name>.md`, then as Intune's
  `resources/intune-<area>-<name>.md`.
* The update page's table is refined by the resource page's (both document one type): where the
  resource page is more specific (a named/enum/other type where the update page says `String`;
  `X collection` where it says `X`) its type is kept and "pages-disagree" names both rows.
* The resource: the linked type of the description sentence (unless the link is to another API
  page; a link text that is no name, `[print job](../resources/printjob.md)`, is named by its
  page), the title `Update x`, the response sentence's link, the request's `@odata.type`, the
  last path segment singularized; the first backed by a resource page wins. The title goes first
  when it names a type page exactly and the link was only a passing mention, not the object of
  an "Update a [x]" sentence.
* Path placeholders become `{camelCaseId}`: a generic `<id>`/`{id}`/`{id | userPrincipalName}` is
  named from the preceding segment singularized, except the last key, which is named after the
  contract's resource type. `{user-id}` style names are camel-cased.
* Collection paths: a PATCH template whose last segment looks plural gets `/{resourceId}`
  appended ("collection-path"). Plural-looking = ends in `s` but not `ss`/`us`/`is`, and is not a
  known singleton or settings-like single-valued navigation (`settings`, `mailboxSettings`, ...).
* Merging pages of one (version, resource): per property, a named (non-Edm) type beats a
  primitive, then the larger enum wins, then the majority of pages, then the earlier page in
  file order. Every losing variant is reported as "pages-disagree" with both locations.
"""

from __future__ import annotations

import gc
import os
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .contracts import NAMESPACE, Contract, Example, Finding, Property, TypeDef
from .docs import (
    Page,
    PageError,
    RawProperty,
    decode,
    fill_table,
    parse_page,
    parse_type_page,
    type_cells,
    type_differs,
)

SUFFIXES = (".md", ".txt")
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
SINGLETONS = frozenset(
    [
        "me",
        "settings",
        "mailboxSettings",
        "analytics",
        "insights",
        "status",
        "statistics",
        "directory",
        "reports",
        "outlook",
        "planner",
        "onenote",
        "todo",
        "admin",
        "communications",
        "education",
        "employeeExperience",
        "identityGovernance",
        "identityProtection",
        "informationProtection",
        "policies",
        "print",
        "privacy",
        "search",
        "security",
        "solutions",
        "teamwork",
        "windows",
        "appCatalogs",
        "places",
    ]
)
_COLLECTION = re.compile(
    r"^(?:Collection\s*\((.+)\)|(.+?)\s+collection|collection\s+of\s+(.+?)s?)$", re.I
)
_IDENT = re.compile(r"^[A-Za-z_][\w.]*$")
_PLACEHOLDER = re.compile(r"^(?:\{([^}]*)\}|<([^>]*)>|'\{([^}]*)\}')$")
_HOST = re.compile(r"^https?://[^/]+")
_VERSION_PREFIX = re.compile(r"^/(?:beta|v1\.0)(?=/|$)")
_TYPE_TITLE = re.compile(r"^\s*([A-Za-z_][\w.]*)\s+(?:resource|enum|complex)\b", re.I)
_TITLE_RESOURCE = re.compile(r"^Update\s+([A-Za-z][\w]*)\s*$")
_MISSING = object()
_INTUNE_PREFIX = re.compile(r"^intune-[a-z0-9]+-")
_PAREN_TAIL = re.compile(r"\s*\(.*\)$")
_PIPE_SPACES = re.compile(r"\s*\|\s*")
_WORD_SPLIT = re.compile(r"[-_\s]+")
_STYLE_RANK = {"frontmatter": 2, "text": 1, "markdown": 0}


@dataclass
class Extraction:
    """The result of one extract run: contracts, page-level findings and bad-input errors."""

    contracts: list[Contract]
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class _Draft:
    """One page's contract before merging; `order` keeps the merge deterministic."""

    contract: Contract
    page: Page
    file: str
    order: int


def extract_paths(paths: Iterable[Path]) -> Extraction:
    """Extract contracts from files or folders (searched recursively for *.md and *.txt).

    The cyclic garbage collector is paused meanwhile: the run allocates a great many small,
    acyclic objects that survive to the end, and collecting them repeatedly is pure overhead.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _extract(paths)
    finally:
        if was_enabled:
            gc.enable()


def _extract(paths: Iterable[Path]) -> Extraction:
    paths = [Path(p) for p in paths]
    files, errors = _collect(paths)
    root = _display_root(paths)
    resolver = _Resolver(root)
    drafts: list[_Draft] = []
    findings: list[Finding] = []
    shown_files = sorted((resolver.show(f), f) for f in files)  # merge order = sorted sources
    for order, (shown, path) in enumerate(shown_files):
        try:
            page = parse_page(decode(read_bytes(path)), cache=resolver.rows)
        except PageError as exc:  # named as given on the command line: findable by the user
            errors.append(f"{path}: {exc}")
            continue
        except OSError as exc:
            errors.append(f"{path}: cannot read ({exc.strerror or exc})")
            continue
        draft = _page_contract(page, path, shown, resolver, findings)
        if draft is not None:
            drafts.append(_Draft(draft, page, shown, order))
    groups: dict[tuple[str, str], list[_Draft]] = {}
    for d in drafts:
        groups.setdefault((d.contract.version, d.contract.resource), []).append(d)
    contracts = [_merge(group) for group in groups.values()]
    contracts.sort(key=lambda c: c.id)
    return Extraction(contracts, findings, errors)


# --- input files ------------------------------------------------------------------------------
_CHUNK = 1 << 16  # larger than nearly every doc page: one read call, then the EOF read
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0)  # O_BINARY: no newline translation


def read_bytes(path: str) -> bytes:
    """A file's bytes through os.open/os.read: a run reads ~3000 small pages, and the io
    objects `open()` builds for each one cost more than the two system calls that matter."""
    fd = os.open(path, _READ_FLAGS)
    try:
        chunks = []
        while chunk := os.read(fd, _CHUNK):
            chunks.append(chunk)
    finally:
        os.close(fd)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _collect(paths: list[Path]) -> tuple[list[str], list[str]]:
    files: list[str] = []
    errors: list[str] = []
    for p in paths:
        if p.is_dir():
            found = sorted(_walk(p))
            if not found:
                errors.append(f"{p}: folder holds no *.md or *.txt doc pages")
            files.extend(found)
        elif p.is_file():
            files.append(str(p))
        elif p.exists():
            errors.append(f"{p}: not a regular file")
        else:
            errors.append(f"{p}: no such file or directory")
    seen: set[str] = set()
    unique = []
    for f in files:
        key = os.path.abspath(f)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique, errors


def _walk(folder: Path | str) -> Iterable[str]:
    """Doc pages under `folder`, recursively (scandir's d_type: no stat per file, unlike
    Path.rglob + is_file)."""
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir():
                yield from _walk(entry.path)
            elif entry.name.lower().endswith(SUFFIXES) and entry.is_file():
                yield entry.path


def _display_root(paths: list[Path]) -> str:
    """Sources are shown relative to the parent of the common root of the arguments, so that the
    stored contracts do not depend on where the checkout lives (`seeds/000_x.txt`)."""
    existing = [os.path.abspath(p) for p in paths if p.exists()]
    if not existing:
        return os.getcwd()
    common = os.path.commonpath(existing)
    if common in existing or os.path.isfile(common):
        common = os.path.dirname(common)
    return common


class _Resolver:
    """Reads each linked resource/type page once and turns it into TypeDefs (cached)."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.pages: dict[str, Page | None] = {}
        self.typedefs: dict[str, TypeDef | None] = {}
        self.in_progress: set[str] = set()
        self.by_name: dict[str, TypeDef] = {}
        self.links: dict[tuple[str, str], str | None] = {}
        self.folders: dict[str | Path, str] = {}
        self.shown: dict[str, str] = {}
        self.listings: dict[str, set[str]] = {}
        self.cells: dict[str, dict[str, str]] = {}  # type_cells per resource page
        self.intune_index: dict[str, dict[str, str | None]] = {}
        self.rows: dict = {}  # docs' per-run table-row memo
        self.types_memo: dict[tuple | str, tuple[str, str, TypeDef | None]] = {}
        self.paths_memo: dict[tuple[str, str], tuple[str, bool]] = {}
        self.dirs: dict[tuple[str, str], str] = {}  # `_join`'s normalized folders
        self.intune_folders: dict[str, str] = {}
        self.dirnames: dict[str, str] = {}
        self.plain_cells: dict[str, str] = {}  # type_differs' memo
        self.nested_types: dict[tuple, tuple[str, str, TypeDef | None]] = {}  # see _csdl_type

    def show(self, path: Path | str) -> str:
        key = str(path)
        shown = self.shown.get(key)
        if shown is None:
            full = os.path.abspath(key)
            prefix = self.root.rstrip(os.sep) + os.sep
            if full.startswith(prefix):
                rel = full[len(prefix) :]
            else:
                rel = os.path.relpath(full, self.root)
            shown = self.shown[key] = rel.replace(os.sep, "/")
        return shown

    def page(self, key: str) -> Page | None:
        if key not in self.pages:
            try:
                self.pages[key] = parse_type_page(decode(read_bytes(key)), self.rows)
            except (OSError, PageError):
                self.pages[key] = None
        return self.pages[key]

    def link(self, base: str | Path, target: str | None) -> str | None:
        """Absolute key of a relative link from page `base`, when that file exists (cached: the
        same few folders and targets recur thousands of times over a corpus)."""
        if not target or "://" in target or target.startswith("/"):
            return None
        folder = self.folders.get(base)
        if folder is None:
            folder = self.folders[base] = os.path.dirname(os.path.abspath(base))
        cache_key = (folder, target)
        found = self.links.get(cache_key, _MISSING)
        if found is _MISSING:
            found = self.links[cache_key] = self._link(folder, target.split("#", 1)[0])
        return found

    def intune(self, base: str, name: str) -> str | None:
        """`resources/intune-<area>-<name>.md`: Intune type pages carry an area prefix, so a type
        named in a table without a link is found by its file stem."""
        folder = self.intune_folders.get(base)
        if folder is None:  # one path computation per page, not per type name
            folder = self.intune_folders[base] = os.path.normpath(
                os.path.join(os.path.abspath(os.path.dirname(base)), "../resources")
            )
        index = self.intune_index.get(folder)
        if index is None:
            index = self.intune_index[folder] = {}
            names = os.listdir(folder) if os.path.isdir(folder) else []
            for file in names:
                if file.startswith("intune-") and file.endswith(".md"):
                    stem = _INTUNE_PREFIX.sub("", file[:-3])
                    index[stem] = None if stem in index else os.path.join(folder, file)
        return index.get(name.lower())

    def _link(self, folder: str, target: str) -> str | None:
        where, key = self._join(folder, target)
        if key in self.pages or self._exists(where, key):
            return key
        where, guess = self._join(folder, "../resources/" + os.path.basename(target))
        return guess if guess in self.pages or self._exists(where, guess) else None

    def _join(self, folder: str, target: str) -> tuple[str, str]:
        """(containing folder, path) of `normpath(join(folder, target))`. The folder part is
        normalized once per (folder, relative folder): targets are mostly `x.md` and
        `../resources/x.md`, and a full normpath per distinct target was a visible cost."""
        head, _, name = target.rpartition("/")
        if name in ("", ".", ".."):  # not a plain file name: the general way
            path = os.path.normpath(os.path.join(folder, target))
            return os.path.dirname(path), path
        where = self.dirs.get((folder, head))
        if where is None:
            where = self.dirs[(folder, head)] = os.path.normpath(os.path.join(folder, head))
        return where, os.path.join(where, name)

    def _exists(self, folder: str, path: str) -> bool:
        """A file test against one listing per folder: no stat call per link target."""
        name = path[len(folder) :].lstrip(os.sep)
        names = self.listings.get(folder)
        if names is None:
            try:
                with os.scandir(folder) as entries:
                    names = {e.name for e in entries if e.is_file()}
            except OSError:
                names = set()
            self.listings[folder] = names
        return name in names

    def declared_name(self, page: Page, fallback: str, namespace: str) -> str:
        """The qualified name a type page declares (`@odata.type`, or its title)."""
        if page.odata_type and "." in page.odata_type:
            return page.odata_type
        m = _TYPE_TITLE.match(page.title)
        name = m.group(1) if m else fallback
        return name if "." in name else f"{page.namespace or namespace}.{name}"

    def typedef(self, key: str, fallback: str, namespace: str) -> TypeDef | None:
        """The TypeDef of a linked type page, properties typed recursively (cycles cut)."""
        if key in self.typedefs:
            return self.typedefs[key]
        page = self.page(key)
        if page is None or key in self.in_progress:
            return None
        fill_table(page, self.rows)
        name = self.declared_name(page, fallback, namespace)
        source = self.show(key)
        if page.members:
            td = TypeDef(name, "enum", members=list(page.members), sources=[source])
        elif page.properties:
            td = TypeDef(name, "complex", sources=[source])
        else:
            self.typedefs[key] = None
            return None
        self.typedefs[key] = td
        if td.kind == "complex":
            self.in_progress.add(key)
            td.properties = [
                _property(raw, key, source, page.namespace, self, [], {}) for raw in page.properties
            ]
            self.in_progress.discard(key)
        return td


# --- one page ---------------------------------------------------------------------------------
def _page_contract(
    page: Page, path: str, shown: str, resolver: _Resolver, out: list[Finding]
) -> Contract | None:
    """The contract one page describes, or None with a page-level finding saying why."""
    if page.method != "PATCH":
        if page.doc_type not in ("resourcePageType", "enumPageType", "complexTypePageType"):
            what = f"a {page.method} request" if page.method else "no HTTP request"
            out.append(
                Finding(
                    "no-contract", "info", f"not an update page ({what})", shown, page.title_line
                )
            )
        return None
    findings: list[Finding] = []
    resource, res_page_key = _resource(page, path, resolver)
    if resource is None:
        out.append(
            Finding(
                "no-contract",
                "warning",
                "resource type not found on the page",
                shown,
                page.title_line,
            )
        )
        return None
    short = resource.rsplit(".", 1)[-1]
    version = _version(page, path)
    types: dict[str, TypeDef] = {}
    raws = page.properties
    if not raws and res_page_key:
        res_page = resolver.page(res_page_key)
        if res_page and fill_table(res_page, resolver.rows).properties:
            raws = res_page.properties
            findings.append(
                Finding(
                    "no-property-table",
                    "info",
                    f"no request-body property table; properties taken from {resolver.show(res_page_key)}",
                    shown,
                    page.paths[0][0],
                )
            )
            base_for_links, src_file = res_page_key, resolver.show(res_page_key)
        else:
            base_for_links, src_file = str(path), shown
    else:
        base_for_links, src_file = str(path), shown
    props = [
        _property(raw, base_for_links, src_file, page.namespace, resolver, findings, types)
        for raw in raws
    ]
    if props and res_page_key and raws is page.properties:
        props = _refine(props, raws, res_page_key, resolver, findings, types, shown)
    if not props:
        props = _example_properties(page, shown, findings)
    paths = _paths(page, short, shown, findings, resolver.paths_memo)
    examples = [
        Example(
            e.kind,
            shown,
            e.line,
            e.method,
            _strip_url(e.url),
            e.status,
            e.body,
            e.body_text,
            e.body_line,
        )  # type: ignore[arg-type]
        for e in page.examples
    ]
    status = page.status or next((e.status for e in page.examples if e.status), None) or 204
    _page_findings(page, shown, findings)
    return Contract(
        version=version,
        resource=resource,
        paths=paths,
        properties=_dedupe(props),
        status=status,
        permissions={k: list(v) for k, v in page.permissions.items()},
        headers=list(page.headers),
        sources=[shown],
        title=page.title,
        types=types,
        examples=examples,
        findings=findings,
    )


def _resource(page: Page, path: str, resolver: _Resolver) -> tuple[str | None, str | None]:
    """Qualified resource type and the key of its resource page (when present).

    Candidates in order: the linked/named type of the description, request-body or response
    sentence; the page title `Update x`; the request example's `@odata.type`; the last path
    segment, singularized. A candidate backed by a resource page wins over a bare name.
    """
    candidates: list[tuple[str, str | None]] = []
    named = page.resource
    if named and page.resource_link:
        key = resolver.link(path, page.resource_link)
        if key is not None and os.sep + "resources" + os.sep not in key:
            named = None  # a link to another API page ("a special case of [Update](x-update.md)")
    m = _TITLE_RESOURCE.match(page.title)
    titled = m.group(1) if m else None
    if (
        titled
        and named
        and not page.resource_strong
        and titled.lower() != named.lower()
        and _declares(titled, path, resolver)
    ):
        candidates.append((titled, None))  # "Update printerShare" beats a passing [printer] link
    if named:
        candidates.append((named, page.resource_link))
    if titled:
        candidates.append((titled, None))
    if page.response_resource:
        candidates.append(page.response_resource)
    for e in page.examples:
        if e.kind == "request" and isinstance(e.body, dict):
            t = e.body.get("@odata.type")
            if isinstance(t, str) and t.strip("#"):
                candidates.append((t.strip("#"), None))
                break
    if page.paths:
        segs = [x for x in _strip_url(page.paths[0][1]).split("?")[0].split("/") if x]  # type: ignore[union-attr]
        plain = [x for x in segs if not _PLACEHOLDER.match(x) and _IDENT.match(x) and "." not in x]
        if plain:
            candidates.append((singular(plain[-1]), None))
    for name, link in candidates:
        short = name.rsplit(".", 1)[-1]
        key = resolver.link(path, link) or resolver.link(path, f"../resources/{short.lower()}.md")
        res_page = resolver.page(key) if key else None
        if res_page is not None and (res_page.odata_type or res_page.table or res_page.properties):
            return resolver.declared_name(res_page, short, page.namespace), key
    if candidates and named:
        return _qualify(named, page.namespace), None
    for name, _ in candidates[:2]:
        if _IDENT.match(name):
            return _qualify(name, page.namespace), None
    return None, None


def _refine(
    props: list[Property],
    raws: list[RawProperty],
    res_key: str,
    resolver: _Resolver,
    findings: list[Finding],
    types: dict[str, TypeDef],
    shown: str,
) -> list[Property]:
    """The update page's table refined by the resource page's, both being docs of one type.

    Where the two name a property's type differently and the resource page is more specific
    (an enum, complex or other non-String type where the update page says `String`; `X
    collection` where it says `X`), the resource page's type is kept and a "pages-disagree"
    finding names both rows. Only rows whose type text differs are resolved, so the cost stays
    small.
    """
    res_page = resolver.page(res_key)
    if res_page is None:
        return props
    cells = resolver.cells.get(res_key)
    if cells is None:
        cells = resolver.cells[res_key] = type_cells(res_page)
    plain = resolver.plain_cells
    if not any(r.name in cells and type_differs(cells[r.name], r.type_text, plain) for r in raws):
        return props
    fill_table(res_page, resolver.rows)
    by_name = {r.name: r for r in res_page.properties}
    res_shown = resolver.show(res_key)
    out = []
    for raw, prop in zip(raws, props, strict=False):
        other = by_name.get(raw.name)
        if other is None or other.type_text == raw.type_text or prop.key:
            out.append(prop)
            continue
        alt = _property(other, res_key, res_shown, res_page.namespace, resolver, [], types)
        if not _more_specific(alt.type, prop.type):
            out.append(prop)
            continue
        findings.append(
            Finding(
                "pages-disagree",
                "warning",
                f"property {prop.name}: {_describe(prop)} here but {alt.type} in "
                f"{alt.sources[0]}; kept {alt.type}",
                shown,
                raw.line,
            )
        )
        enum = alt.enum or prop.enum
        out.append(
            Property(
                name=prop.name,
                type=alt.type,
                enum=list(enum) if enum else None,
                description=prop.description or alt.description,
                nullable=prop.nullable,
                key=prop.key,
                read_only=prop.read_only or alt.read_only,
                sources=prop.sources + alt.sources,
            )
        )
    return out + props[len(raws) :]


def _more_specific(candidate: str, current: str) -> bool:
    """`microsoft.graph.x` or `Edm.Guid` beats `Edm.String`; `Collection(X)` beats `X`."""
    if candidate == current:
        return False
    if candidate == f"Collection({current})":
        return True
    return current == "Edm.String" and candidate not in ("Edm.Untyped", "Collection(Edm.String)")


def _declares(name: str, path: str, resolver: _Resolver) -> bool:
    """True when ../resources/<name>.md exists and declares exactly that type."""
    key = resolver.link(path, f"../resources/{name.lower()}.md")
    page = resolver.page(key) if key else None
    if page is None:
        return False
    declared = resolver.declared_name(page, name, page.namespace)
    return declared.rsplit(".", 1)[-1].lower() == name.lower()


_JSON_TYPES = (
    (bool, "Edm.Boolean"),
    (int, "Edm.Int32"),
    (float, "Edm.Double"),
    (str, "Edm.String"),
)


def _example_properties(page: Page, shown: str, findings: list[Finding]) -> list[Property]:
    """Last resort for pages with neither a table nor a resource page: the request example's keys,
    typed from their JSON values (objects -> Edm.Untyped), reported as "no-property-table"."""
    example = next(
        (e for e in page.examples if e.kind == "request" and isinstance(e.body, dict)), None
    )
    if example is None:
        return []
    props = []
    for name, value in example.body.items():  # type: ignore[union-attr]
        if name.startswith("@") or "@" in name:
            continue
        items = value if isinstance(value, list) else [value]
        kind = next(
            (t for py, t in _JSON_TYPES for v in items[:1] if isinstance(v, py)), "Edm.Untyped"
        )
        ctype = f"Collection({kind})" if isinstance(value, list) else kind
        props.append(
            Property(
                name,
                ctype,
                nullable=False if name == "id" else None,
                key=name == "id",
                sources=[f"{shown}:{example.body_line}"],
            )
        )
    if props:
        findings.append(
            Finding(
                "no-property-table",
                "info",
                "no property table and no resource page: properties inferred from the request example",
                shown,
                example.line,
            )
        )
    return props


def _qualify(name: str, namespace: str) -> str:
    return name if "." in name else f"{namespace or NAMESPACE}.{name}"


def _version(page: Page, path: str) -> str:
    """Corpus folder (api-reference/<version>/api) first, then example URLs, then the /beta note."""
    parts = os.path.abspath(path).split(os.sep)
    for v in ("beta", "v1.0"):
        if len(parts) >= 3 and parts[-3] == v:
            return v
    if page.versions:
        return Counter(page.versions).most_common(1)[0][0]
    return "beta" if page.beta_note else "v1.0"


def _property(
    raw: RawProperty,
    base: str,
    src_file: str,
    namespace: str,
    resolver: _Resolver,
    findings: list[Finding],
    types: dict[str, TypeDef],
) -> Property:
    ctype, inner, typedef = _csdl_type(raw, base, namespace, resolver)
    enum = raw.enum
    if typedef is not None:
        _collect_types(typedef, types, resolver)
        if typedef.kind == "enum" and typedef.members and len(typedef.members) >= len(enum or []):
            enum = list(typedef.members)
    elif not inner.startswith("Edm."):
        if enum:
            types.setdefault(
                inner,
                TypeDef(inner, "enum", members=list(enum), sources=[f"{src_file}:{raw.line}"]),
            )
        elif inner not in types:
            findings.append(
                Finding(
                    "unresolved-type",
                    "warning",
                    f"property {raw.name}: type {raw.type_text!r} has no type page to resolve it",
                    src_file,
                    raw.line,
                )
            )
    key = raw.name == "id"
    return Property(  # positional, in field order: half the cost of keywords, 14k calls a run
        raw.name,
        ctype,
        enum,
        raw.description,
        documented_nullability(raw.description, key=key),  # nullable
        key,
        raw.read_only and not key,  # read_only
        [f"{src_file}:{raw.line}"],  # sources
    )


_NOT_NULLABLE = re.compile(r"\b(?:not nullable|non-nullable|cannot be null)\b", re.IGNORECASE)
_NULLABLE = re.compile(r"\bnullable\b", re.IGNORECASE)


def documented_nullability(description: str, *, key: bool = False) -> bool | None:
    """What the description says about null: Graph docs write "Nullable." or "Not nullable.".

    Silence is None, not a guess: CSDL has about as many nullable value-typed properties as not,
    so the suite neither sends null nor expects it rejected unless the docs say which.
    """
    if key:
        return False
    if "null" not in description.lower():  # both patterns need it; few descriptions have it,
        return None  # and case-blind searches of the rest were the run's largest regex cost
    if _NOT_NULLABLE.search(description):
        return False
    return True if _NULLABLE.search(description) else None


def _merge_nullability(values: list[bool | None]) -> bool | None:
    """Pages that say "not nullable" win over pages that say "nullable"; silence loses to both."""
    if False in values:
        return False
    return True if True in values else None


def _collect_types(td: TypeDef, types: dict[str, TypeDef], resolver: _Resolver) -> None:
    """Add a TypeDef and, transitively, the TypeDefs its properties use."""
    if td.name in types:
        return
    types[td.name] = td
    for p in td.properties:
        sub = resolver.by_name.get(_element(p.type))
        if sub is not None:
            _collect_types(sub, types, resolver)


def _element(ctype: str) -> str:
    return ctype[11:-1] if ctype.startswith("Collection(") else ctype


def _csdl_type(
    raw: RawProperty, base: str, namespace: str, resolver: _Resolver
) -> tuple[str, str, TypeDef | None]:
    """(CSDL type, element type, TypeDef) for a table's type cell, memoized per run (the same
    cell recurs on many pages).

    While type pages are being resolved (`in_progress`) a separate memo is used, and a hit
    repeats the one side effect a fresh resolution has (`by_name` points at the TypeDef): the
    answer itself cannot differ, since a TypeDef is registered in `typedefs` before its own
    properties are resolved. Outside, hits leave `by_name` alone, as they always have.
    """
    if raw.type_link is None:  # `String`, `Int32 collection`...: the same answer everywhere
        found = resolver.types_memo.get(raw.type_text)
        if found is not None:
            return found
    folder = resolver.dirnames.get(base)
    if folder is None:
        folder = resolver.dirnames[base] = os.path.dirname(base)
    key = (raw.type_text, raw.type_link, folder, namespace)
    if resolver.in_progress:
        found = resolver.nested_types.get(key)
        if found is None:
            found = resolver.nested_types[key] = _resolve_type(raw, base, namespace, resolver)
        elif found[2] is not None:
            resolver.by_name[found[2].name] = found[2]
        return found
    found = resolver.types_memo.get(key)
    if found is None:
        found = resolver.types_memo[key] = _resolve_type(raw, base, namespace, resolver)
        if raw.type_link is None and found[2] is None and found[1].startswith("Edm."):
            resolver.types_memo[raw.type_text] = found
    return found


def _resolve_type(
    raw: RawProperty, base: str, namespace: str, resolver: _Resolver
) -> tuple[str, str, TypeDef | None]:
    text = raw.type_text.strip().strip("*")
    m = _COLLECTION.match(text)
    collection = bool(m)
    if m:
        text = (m.group(1) or m.group(2) or m.group(3)).strip()
    text = _PAREN_TAIL.sub("", text).strip() or "String"
    typedef = None
    prim = PRIMITIVES.get(text.lower().removeprefix("edm."))
    if prim:
        inner = prim
    else:
        name = text.split()[0] if text.split() else text
        link = raw.type_link
        if link and "#" in link:
            # `[ageGroup](user.md#agegroup-values)`: the type is the link text (often an enum
            # documented in a section of another page), not the page the anchor lives on.
            link = None
        key = (
            resolver.link(base, link)
            or resolver.link(base, f"../resources/{name.lower()}.md")
            or resolver.intune(base, name)
        )
        typedef = resolver.typedef(key, name, namespace) if key else None
        if typedef is not None:
            resolver.by_name[typedef.name] = typedef
            inner = typedef.name
        elif _IDENT.match(name):
            if link and "." not in name:  # a link to a type page outside the corpus: CSDL
                name = name[:1].lower() + name[1:]  # type names are camelCase (`SharingLink`)
            inner = _qualify(name, namespace)
        else:
            inner = "Edm.String"
    return (f"Collection({inner})" if collection else inner), inner, typedef


def _dedupe(props: list[Property]) -> list[Property]:
    seen: dict[str, Property] = {}
    for p in props:
        seen.setdefault(p.name, p)
    return list(seen.values())


# --- paths ------------------------------------------------------------------------------------
def _paths(
    page: Page, short: str, shown: str, findings: list[Finding], memo: dict | None = None
) -> list[str]:
    out: list[str] = []
    memo = {} if memo is None else memo
    for line, raw in page.paths:
        found = memo.get((raw, short))
        if found is None:
            found = memo[(raw, short)] = normalize_path(raw, short)
        path, appended = found
        if appended:
            findings.append(
                Finding(
                    "collection-path",
                    "warning",
                    f"PATCH documented on collection path {raw.strip()}; key segment added: {path}",
                    shown,
                    line,
                )
            )
        if path not in out:
            out.append(path)
    return out


def _strip_url(url: str | None) -> str | None:
    if url is None:
        return None
    url = url.strip()
    if "://" in url:
        url = _HOST.sub("", url)
    return _VERSION_PREFIX.sub("", url) if url.startswith(("/beta", "/v1.0")) else url


def normalize_path(raw: str, resource: str) -> tuple[str, bool]:
    """Version-free template with `{camelCaseId}` keys; True when a key segment was appended."""
    path = _strip_url(raw) or ""
    path = path.split("?", 1)[0].strip().rstrip("/")
    if "|" in path:
        path = _PIPE_SPACES.sub("|", path)
    segments = [s for s in path.split("/") if s]
    out: list[str] = []
    matches: list[re.Match[str] | None] = []
    last_key = -1
    for i, seg in enumerate(segments):
        matches.append(_PLACEHOLDER.match(seg) if seg[0] in "{<'" else None)
        if matches[-1]:
            last_key = i
    for i, seg in enumerate(segments):
        m = matches[i]
        if not m:
            out.append(
                _INNER_PLACEHOLDER.sub(lambda x, s=seg: _inner_name(x, s), seg)
                if "(" in seg
                else seg
            )
            continue
        g1, g2, g3 = m.groups()  # exactly one of the three forms matched
        name = (g1 if g1 is not None else g2 if g2 is not None else g3).strip()
        if _generic(name):
            if i == last_key and i == len(segments) - 1:
                name = f"{resource}Id"
            else:
                name = f"{singular(_previous_segment(out))}Id"
        else:
            name = _camel(name)
        out.append("{" + name + "}")
    appended = bool(out) and _is_collection(out[-1])
    if appended:
        out.append("{" + resource + "Id}")
    return "/" + "/".join(out), appended


_INNER_PLACEHOLDER = re.compile(r"<([^>]*)>|\{([^}]*)\}")


def _inner_name(m: re.Match[str], seg: str) -> str:
    """Placeholders inside a function/key segment: `range(<address>)`, `items('{id}')`."""
    name = (m.group(1) if m.group(1) is not None else m.group(2)).strip()
    if _generic(name):
        return "{" + singular(seg.split("(", 1)[0]) + "Id}"
    return "{" + _camel(name) + "}"


def _generic(name: str) -> bool:
    return name.lower() in ("id", "key") or "|" in name or not name


def _camel(name: str) -> str:
    if "-" not in name and "_" not in name and " " not in name and "\t" not in name:
        return name
    parts = _WORD_SPLIT.split(name)
    return parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])


def _previous_segment(out: list[str]) -> str:
    for seg in reversed(out):
        if not seg.startswith("{") and not seg.startswith("microsoft.graph."):
            return seg.split("(", 1)[0]
    return "resource"


def singular(word: str) -> str:
    """Good-enough English singular for Graph segment names (`policies` -> `policy`)."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "uses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _is_collection(seg: str) -> bool:
    """Plural-looking and not a known singleton/single-valued navigation (see module doc)."""
    if seg.startswith(("{", "$")) or "(" in seg or "." in seg:
        return False
    if seg in SINGLETONS or seg.lower().endswith(("settings", "status", "analytics")):
        return False
    return singular(seg) != seg


# --- findings ---------------------------------------------------------------------------------
def _page_findings(page: Page, shown: str, findings: list[Finding]) -> None:
    for line, text in page.todos:
        findings.append(
            Finding("todo-placeholder", "warning", f"placeholder left in: {text}", shown, line)
        )
    if not any(page.permissions.values()):
        where = page.permissions_line or page.title_line
        why = "only TODO placeholders" if page.permissions_line else "no permissions section"
        findings.append(
            Finding("missing-permissions", "error", f"no permission listed ({why})", shown, where)
        )


# --- merging ----------------------------------------------------------------------------------
def _merge(drafts: list[_Draft]) -> Contract:
    """One contract from every page about one (version, resource); rules in the module doc."""
    drafts = sorted(drafts, key=lambda d: d.order)
    if len(drafts) == 1:
        return drafts[0].contract
    first = drafts[0].contract
    findings: list[Finding] = [f for d in drafts for f in d.contract.findings]
    paths: list[str] = []
    for d in drafts:
        paths.extend(p for p in d.contract.paths if p not in paths)
    types: dict[str, TypeDef] = {}
    for d in drafts:
        for name, td in d.contract.types.items():
            if name not in types or len(td.members or []) > len(types[name].members or []):
                types[name] = td
    props = _merge_properties(drafts, findings)
    statuses = Counter(d.contract.status for d in drafts)
    status = max(statuses, key=lambda s: (statuses[s], -_first_index(drafts, s)))
    for d in drafts:
        if d.contract.status != status:
            findings.append(
                Finding(
                    "pages-disagree",
                    "warning",
                    f"success status {d.contract.status} here, {status} elsewhere; kept {status}",
                    d.file,
                    d.page.status_line,
                )
            )
    permissions: dict[str, list[str]] = {}
    headers: list[str] = []
    for d in drafts:
        for kind, names in d.contract.permissions.items():
            bucket = permissions.setdefault(kind, [])
            bucket.extend(n for n in names if n not in bucket)
        headers.extend(h for h in d.contract.headers if h not in headers)
    title = next((d.contract.title for d in drafts if first.name in d.contract.title), first.title)
    return Contract(
        version=first.version,
        resource=first.resource,
        paths=paths,
        properties=props,
        status=status,
        permissions=permissions,
        headers=headers,
        sources=[d.file for d in drafts],
        title=title,
        types=types,
        examples=[e for d in drafts for e in d.contract.examples],
        findings=findings,
    )


def _first_index(drafts: list[_Draft], status: int) -> int:
    return next(i for i, d in enumerate(drafts) if d.contract.status == status)


def _merge_properties(drafts: list[_Draft], findings: list[Finding]) -> list[Property]:
    """Properties in the order of the most complete page; each one's variants decided by rank."""
    lead = max(drafts, key=lambda d: (len(d.contract.properties), -d.order))
    names = [p.name for p in lead.contract.properties]
    for d in drafts:
        names.extend(p.name for p in d.contract.properties if p.name not in names)
    merged = []
    for name in names:
        variants = [(d, p) for d in drafts for p in d.contract.properties if p.name == name]
        merged.append(_merge_property(variants, findings))
    return merged


def _merge_property(variants: list[tuple[_Draft, Property]], findings: list[Finding]) -> Property:
    votes = Counter((p.type, tuple(p.enum or ())) for _, p in variants)

    def rank(item: tuple[_Draft, Property]) -> tuple[int, int, int, int, int]:
        d, p = item
        named = not _element(p.type).startswith("Edm.")
        return (
            named,
            len(p.enum or ()),
            votes[(p.type, tuple(p.enum or ()))],
            _STYLE_RANK[d.page.style],
            -d.order,
        )

    _best_draft, best = max(variants, key=rank)
    winner = Property(
        name=best.name,
        type=best.type,
        enum=list(best.enum) if best.enum else None,
        description=next(
            (p.description for _, p in variants if p.description and "TODO" not in p.description),
            best.description,
        ),
        nullable=_merge_nullability([p.nullable for _, p in variants]),
        key=any(p.key for _, p in variants),
        read_only=any(p.read_only for _, p in variants),
        sources=[s for _, p in variants for s in p.sources],
    )
    for d, p in variants:
        if (p.type, p.enum) != (best.type, best.enum):
            findings.append(
                Finding(
                    "pages-disagree",
                    "warning",
                    f"property {p.name}: {_describe(p)} here ({p.sources[0]}) but {_describe(best)} in "
                    f"{best.sources[0]}; kept {_describe(best)}",
                    d.file,
                    int(p.sources[0].rsplit(":", 1)[1]),
                )
            )
    return winner


def _describe(p: Property) -> str:
    return f"{p.type} with {len(p.enum)} values" if p.enum else p.type
