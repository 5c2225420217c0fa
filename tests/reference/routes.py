"""Path templates as a trie of entity positions: what a client can navigate to, and what is there.

A template such as `/deviceManagement/deviceConfigurations/{a}/microsoft.graph.windows10X/
userStatuses/{b}` is read as steps from the service root: `deviceManagement` is a single-valued
navigation (a literal not followed by a key), `deviceConfigurations` a collection (followed by a
key, possibly after a type cast: `/coll/microsoft.graph.X/{id}`), `microsoft.graph.windows10X` a cast
of the entity before it. The templates of one API version merge into one trie of `Position`s, each
knowing its navigations, casts and the resource types whose templates end there.

Served: keys that are whole `{x}` segments. Not served (the app answers 400 on those segments):
keys with affixes (`range({address})`, `root:/{item-path}:/workbook`), function calls, a key right
after a key, and a name used as a collection in one template and single-valued in another.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_KEY = re.compile(r"\{[^{}/]+\}")
_CAST = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")
_LITERAL = re.compile(r"[A-Za-z_$][\w$-]*")


class Unsupported(ValueError):
    """A template the server does not serve; the message says which segment."""


@dataclass
class Nav:
    """A navigation from an entity: a collection (`many`) or a single-valued one."""

    name: str
    many: bool
    element: Position
    member_casts: dict[str, Position] = field(default_factory=dict)  # `/coll/<cast>/{id}`


@dataclass
class Position:
    """Where an entity sits: its navigations, the casts applied to it, resources ending here."""

    navs: dict[str, Nav] = field(default_factory=dict)
    casts: dict[str, Position] = field(default_factory=dict)
    resources: list[str] = field(default_factory=list)

    def nav(self, name: str, many: bool) -> Nav:
        found = self.navs.get(name)
        if found is None:
            found = self.navs[name] = Nav(name, many, Position())
        if found.many != many:
            kind = "a collection" if found.many else "single-valued"
            raise Unsupported(f"{name!r} is {kind} in another template")
        return found


def segments(template: str) -> list[tuple[str, str]]:
    """(kind, text) per segment: `literal`, `key` or `cast`; Unsupported for anything else."""
    parsed = []
    for text in (s for s in template.split("/") if s):
        if _KEY.fullmatch(text):
            parsed.append(("key", text))
        elif _CAST.fullmatch(text):
            parsed.append(("cast", text))
        elif _LITERAL.fullmatch(text):
            parsed.append(("literal", text))
        else:
            raise Unsupported(f"segment {text!r} is not served (only plain {{key}} segments)")
    return parsed


def add(root: Position, template: str, resource: str) -> None:
    """Merge `template` into the trie; the position it ends on is where `resource` lives.

    Raises Unsupported when the template cannot be served (the prefix walked so far stays: plain
    navigations that another template may share, with no resource of this one).
    """
    end = _walk(root, segments(template), template)
    if resource not in end.resources:
        end.resources.append(resource)


def _walk(root: Position, steps: list[tuple[str, str]], template: str) -> Position:
    position, i = root, 0
    while i < len(steps):
        kind, text = steps[i]
        if kind == "literal":
            j = i + 1
            while j < len(steps) and steps[j][0] == "cast":
                j += 1
            if j < len(steps) and steps[j][0] == "key":
                nav = position.nav(text, many=True)
                casts = [t for _, t in steps[i + 1 : j]]
                if len(casts) > 1:
                    raise Unsupported(f"{template}: two casts on one collection")
                position = (
                    nav.member_casts.setdefault(casts[0], Position()) if casts else nav.element
                )
                i = j + 1
            else:
                position, i = position.nav(text, many=False).element, i + 1
        elif kind == "cast" and position is not root:
            position, i = position.casts.setdefault(text, Position()), i + 1
        else:
            raise Unsupported(f"{template}: {text!r} does not follow a collection")
    if position is root:
        raise Unsupported(f"{template}: addresses no entity")
    return position
