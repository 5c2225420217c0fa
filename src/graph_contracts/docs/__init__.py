"""Parse one Graph doc page (text) into a raw `Page`: the facts as written, with line numbers.

Three page styles are told apart by content, never by file name (`_style`):

* ``frontmatter``: current docs, YAML front matter, ``<!-- { "blockType" ... } -->`` and pipe
  tables;
* ``markdown``: older docs without front matter ("Prerequisites", scopes in italics, ``<id>``);
* ``text``: the published page copied as plain text: no pipes, links or fences; a table row is
  ``name Type description...`` (wrapped over lines when the copy wrapped: `_text_rows` tells a
  row's start from its continuation) and section headings are bare lines.

One module per concern: the page model (`_model`), bytes to text (`_decode`), style detection
(`_style`), front matter, headings and sections (`_sections`), fenced blocks (`_fences`), HTTP
templates and examples (`_http`), resource annotations, pipe tables and plain-text tables
(`_text_tables`, `_text_rows`), the
rows they hold (`_properties`, `_permissions`, `_request_headers`), prose sentences (`_prose`),
reference links (`_refs`), today's `[!INCLUDE]` lines and permission include files
(`_includes`), TODO placeholders, and the linked type pages' fast path
(`_type_page`). `_parser` is the line loop that hands each line to one of them, sharing a
`Cursor` (position, section, per-run memos).

The parser is line based with precompiled regexes (no Markdown library): `extract` runs it over
the whole corpus and must stay within a small factor of a bare regex scan (benchmarks/). Hence:
dispatch on a line's first character before any regex; linked type pages are only sliced by regex
(`parse_type_page`) and their table parsed when a type is actually needed (`fill_table`); table
rows (by line text), table headers, whole permission/header/member tables, type cells and
heading lines are memoized across the pages of one run (beta and v1.0 repeat most of them).
Searching the whole text for fences with a regex was tried and is slower than the line loop.
Interpreting the facts (CSDL types, path normalization, merging) is `extract`'s job.
"""

from ._decode import decode
from ._includes import include_permissions
from ._model import (
    TYPE_DOC_TYPES,
    NotUpdateOrTypePage,
    Page,
    PageError,
    RawExample,
    RawProperty,
)
from ._parser import parse_page
from ._permissions import KIND_PREFIX as PERMISSION_KINDS
from ._properties import possible_values
from ._style import detect_style
from ._type_page import fill_table, parse_type_page, type_cells, type_differs, values_sections

__all__ = [
    "PERMISSION_KINDS",
    "TYPE_DOC_TYPES",
    "NotUpdateOrTypePage",
    "Page",
    "PageError",
    "RawExample",
    "RawProperty",
    "decode",
    "detect_style",
    "fill_table",
    "include_permissions",
    "parse_page",
    "parse_type_page",
    "possible_values",
    "type_cells",
    "type_differs",
    "values_sections",
]
