"""Path templates, parsed in one place: `/a/{id}/microsoft.graph.x/b({key})` into typed segments.

Discovery walks templates to reach entities, the mock builds its routing trie from them and the
OpenAPI document names their parameters; all three read the same `Segment`s, so a template means
the same thing to each. A segment is one of:

- `key`: it holds a `{placeholder}`, possibly between literal affixes (`range({address})`,
  `range(address='{address}')`, `{item-path}:` after `root:`);
- `cast`: a qualified type name (`microsoft.graph.iosScepCertificateProfile`) after the first
  segment, narrowing the entity or collection before it to a derived type;
- `literal`: anything else (a navigation, a singleton, `root:`, a doc page's `...`).

The query string, empty segments and surrounding whitespace are dropped. A segment with several
`{...}` is keyed by the first one; the rest stays in its suffix (no template in the 2021-07 corpus
has one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from graph_contracts.naming import segments

SegmentKind = Literal["literal", "key", "cast"]

_KEY = re.compile(r"^([^{}]*)\{([^{}]*)\}(.*)$")
_QUALIFIED = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$")


@dataclass(frozen=True)
class Segment:
    """One segment of a path template; `name` is the key parameter, the cast type or the literal."""

    kind: SegmentKind
    name: str
    prefix: str = ""
    suffix: str = ""

    @property
    def text(self) -> str:
        """The segment as the template writes it."""
        return f"{self.prefix}{{{self.name}}}{self.suffix}" if self.kind == "key" else self.name

    def fill(self, value: str) -> str:
        """The concrete segment for a key value (`range({address})` -> `range(A1)`)."""
        return f"{self.prefix}{value}{self.suffix}" if self.kind == "key" else self.name


def is_cast(segment: str) -> bool:
    """`microsoft.graph.iosScepCertificateProfile`: a qualified name, so a type cast."""
    return bool(_QUALIFIED.match(segment))


split = segments  # the non-empty segments of a template or path, without its query string


def parse(template: str) -> list[Segment]:
    """The typed segments of a path template, in order."""
    segments: list[Segment] = []
    for i, text in enumerate(split(template)):
        key = _KEY.match(text)
        if key is not None:
            prefix, name, suffix = key.groups()
            segments.append(Segment("key", name, prefix, suffix))
        elif i > 0 and is_cast(text):
            segments.append(Segment("cast", text))
        else:
            segments.append(Segment("literal", text))
    return segments
