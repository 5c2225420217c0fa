"""One extract run: files -> parsed pages -> one draft contract per page -> merged contracts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from graph_contracts.contracts import Contract, Finding
from graph_contracts.docs import NotUpdateOrTypePage, PageError
from graph_contracts.gc_pause import paused_gc

from ._examples import unmatched_examples
from ._files import collect, display_root, local_path
from ._findings import defect_findings
from ._includes import resolve_includes
from ._merge import Draft, merge
from ._page import page_contract
from ._pages import Pages
from ._reading import read_pages
from ._shared import split_shared
from ._types import Types


@dataclass
class Extraction:
    """The result of one extract run: contracts, page-level findings and bad-input errors."""

    contracts: list[Contract]
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # overview/concept pages found in folders
    root: str = ""  # what stored paths (`sources`, findings' `file`) are relative to

    def local_path(self, shown: str) -> str:
        """A stored path as one that opens from the current directory (for output)."""
        return local_path(shown, self.root) if self.root else shown


@paused_gc
def extract_paths(paths: Iterable[Path], *, parallel: bool = False) -> Extraction:
    """Extract contracts from files or folders (searched recursively for *.md and *.txt).

    The cyclic garbage collector is paused meanwhile: the run allocates a great many small,
    acyclic objects that survive to the end, and collecting them repeatedly is pure overhead.
    `parallel`: parse the pages on two cores (`_reading`); for a caller without threads only.
    """
    paths = [Path(p) for p in paths]
    files, errors, named = collect(paths)
    types = Types(Pages(display_root(paths)))
    skipped: list[str] = []
    drafts: list[Draft] = []
    findings: list[Finding] = []
    shown_files = sorted((types.pages.show(f), f) for f in files)  # merge order = sorted sources
    parsed = read_pages([path for _, path in shown_files], types.pages.rows, parallel)
    for order, ((shown, path), page) in enumerate(zip(shown_files, parsed, strict=True)):
        if isinstance(page, NotUpdateOrTypePage):  # an overview in a docs folder: not a defect
            if path in named:
                errors.append(f"{path}: {page}")
            else:
                skipped.append(shown)
            continue
        if isinstance(page, PageError):  # named as given on the command line: findable
            errors.append(f"{path}: {page}")
            continue
        if isinstance(page, OSError):
            errors.append(f"{path}: cannot read ({page.strerror or page})")
            continue
        resolve_includes(page, path, shown, types.pages, findings)
        contract = page_contract(page, path, shown, types, findings)
        if contract is None:
            if page.defects:  # a contract carries its page's defects; without one, the run does
                findings += defect_findings(page, shown)
            continue
        rules = {f.rule for f in contract.findings}
        contract.findings += unmatched_examples(
            contract.examples, contract.paths, "collection-path" in rules, "stream-path" in rules
        )
        parts = split_shared(contract, page, str(path), types.pages, findings)
        drafts.extend(Draft(c, page, shown, order, shared=len(parts) > 1) for c in parts)
    groups: dict[tuple[str, str], list[Draft]] = {}
    for d in drafts:
        groups.setdefault((d.contract.version, d.contract.resource), []).append(d)
    contracts = sorted((merge(group) for group in groups.values()), key=lambda c: c.id)
    return Extraction(contracts, findings, errors, skipped, types.pages.root)
