"""Doc pages -> contracts: interpret what `docs.parse_page` read, resolve types, merge pages.

Decisions a reviewer should know, each in the module that makes it (and each surfaces as a
finding where it changes the docs):

* `_types`: types are mapped to CSDL names; linked or guessed type pages become TypeDefs.
* `_refine`: the update page's table is refined by the resource page's (both document one
  type): where the resource page is more specific its type is kept ("pages-disagree").
* `_resource`: which resource the page updates; the first candidate backed by a resource page.
* `_paths`: path placeholders become `{camelCaseId}`; collection paths get a key appended.
* `_merge`: pages of one (version, resource) merge into one contract; losing variants reported.

The rest: `_files` (which files, read how, shown as what), `_reading` (pages parsed, on two
cores for the command line), `_pages` (linked pages read once,
links resolved), `_page` (one page -> its draft contract), `_includes` (permission include
files resolved beside the page), `_shared` (a page whose templates update several resources,
split), `_examples`, `_findings`, `_nullability`, and `_extraction` (the run).
"""

from graph_contracts.naming import singular

from ._extraction import Extraction, extract_paths
from ._files import SUFFIXES, read_bytes
from ._nullability import documented_nullability
from ._paths import SINGLETONS, normalize_path
from ._types import PRIMITIVES

__all__ = [
    "PRIMITIVES",
    "SINGLETONS",
    "SUFFIXES",
    "Extraction",
    "documented_nullability",
    "extract_paths",
    "normalize_path",
    "read_bytes",
    "singular",
]
