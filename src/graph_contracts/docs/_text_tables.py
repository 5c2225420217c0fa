"""Plain-text tables (pages copied from the published site): no pipes, one row per line,
`name Type description...`, under a header line such as `Property Type Description`.

Copying from a browser wraps long rows: a row's description (an enum list, a permission list, a
header's "Required.") goes on over the next line(s). A table is therefore read as a block, from
its header line to the first blank line, and a line that cannot start a row is joined to the row
before it (`_logical_rows`); which lines can start a row depends on the table (`_starts_*`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ._cursor import Cursor
from ._permissions import KIND_PREFIX, add_permissions, permission_entries, permission_kind
from ._properties import add_property
from ._request_headers import HEADER_NAME, add_headers, required_headers
from ._sections import TEXT_HEADINGS

_PROPERTY_HEADERS = ("property type", "name type", "member value", "member description")
_HEADER_HEADERS = (
    "header value",
    "name description",
    "header description",
    "name type description",
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Type words a row can have (lowercased): a wrapped description line rarely has one second.
_PRIMITIVES = _words(
    "string int16 int32 int64 integer int long byte sbyte boolean bool datetimeoffset "
    "datetime date timeofday time duration timespan guid binary double single float decimal "
    "stream json object untyped"
)
# Words that wrapped prose puts first or second on a line, and that no name or type is.
_PROSE_WORDS = _words(
    "a an the and or of to in on at by as is are be for if it its this that with when which "
    "than then not no can will was has have may must also only time from your their through "
    "during per via"
)
# Primitive type names that are English words too: lowercase after a line that ends mid-sentence,
# they go on with the sentence ("represents date and time").
_ENGLISH = _words(
    "date long single double object stream binary byte duration decimal float integer"
)
_NOT_NAMES = _PROSE_WORDS - {"from"}  # a message's sender is `from`
_ROW_END = frozenset(".)!?:\"'`0123456789")

_VALUES_ARE = re.compile(
    r"(?:possible|allowed|supported|valid)\s+values\s+(?:are|is|include)\s*:?\s*", re.I
)

Starts = Callable[[list[str], str], bool]  # (a line's words, the line before) -> starts a row


def text_table(cur: Cursor, i: int) -> int | None:
    """Line i as a table line of the current section; the index after what it consumed, or
    None when it is no table line (then it is prose)."""
    s = " ".join(cur.lines[i].split())  # a copy may separate cells by tabs or no-break spaces
    low = s.lower()
    if cur.section == "permissions":
        if low.startswith("permission type"):
            cur.page.permissions_line = i + 1
            return _block(cur, i + 1, _starts_permission, _permission_row)
        return _permission_row(cur, i, s)
    if cur.section == "headers":
        if low.startswith(_HEADER_HEADERS):
            return _block(cur, i + 1, _starts_header, _header_row)
        return _header_row(cur, i, s)
    if low.startswith(_PROPERTY_HEADERS):
        members = low.startswith("member")
        if cur.section == "properties" and cur.page.properties:
            # a type page's Properties section: its first table only (as in Markdown); a copied
            # page's later headings ("x values") are bare lines that do not end the section
            return _block(cur, i + 1, _starts_member, _skip_row)
        return _block(
            cur,
            i + 1,
            _starts_member if members else property_starts,
            _member_row if members else _property_row,
            1 if members else 2,  # a property row has a name and a type
            across_blanks=not members,
        )
    return None


def _block(
    cur: Cursor,
    begin: int,
    starts: Starts,
    read: Callable[[Cursor, int, str], object],
    min_words: int = 1,
    across_blanks: bool = False,
) -> int:
    """The rows from line `begin` to the first blank line or heading, each read by `read`; the
    index of that line (or the page's end). A row has at least `min_words` words. With
    `across_blanks` a blank line followed by what starts a row does not end the table (a copy
    may put a blank line between rows)."""
    lines = cur.lines
    taken: list[int] = []
    k, n = begin, len(lines)
    while k < n:
        s = lines[k].strip()
        if not s:
            j = k + 1
            while j < n and not lines[j].strip():
                j += 1
            if not (across_blanks and j < n and _row_after_blank(lines[j].split())):
                break
            k = j
            continue
        if s.lower() in TEXT_HEADINGS:
            break  # a copy may put the next heading right under the table
        taken.append(k)
        k += 1
    for first, row in _logical_rows(lines, taken, starts, min_words):
        read(cur, first, row)
    return k


def _row_after_blank(words: list[str]) -> bool:
    """A property row after a blank line: a bare `x values` heading is none."""
    return property_starts(words, "") and (len(words) > 2 or _surely_type(words[1], ""))


def _logical_rows(
    lines: list[str], taken: list[int], starts: Starts, min_words: int
) -> list[tuple[int, str]]:
    """(index of its first line, text) of each row of the table lines `taken`; a line that
    starts none continues the last, and so does any line after a row of fewer than `min_words`
    words (a name wrapped alone), unless it starts a row itself: then that lone word was the end
    of the row before it.

    Wrapping is greedy: a word that would have fit on the line before (judged against the
    block's longest line, no wider than the wrap) was not wrapped there, so its line starts a row.
    """
    rows: list[tuple[int, str]] = []
    stripped = [" ".join(lines[k].split()) for k in taken]
    # a word wider than the wrap sits alone on a longer line: only lines of words show the width
    widest = max((len(s) for s in stripped if " " in s), default=0)
    prev = ""  # the line before, "" for the header line and after a blank line
    for n, s in enumerate(stripped):
        if n and taken[n] != taken[n - 1] + 1:
            prev = ""
        words = s.split()
        fits = len(prev) + 1 + len(words[0]) <= widest
        new_row = (
            not rows
            or (fits and is_name(words[0]))
            or starts(words, prev)
            or _name_alone(words, stripped[n + 1 : n + 2], widest)
        )
        short = bool(rows) and len(rows[-1][1].split()) < min_words
        if short and new_row and len(rows) > 1:  # that lone word ended the row before it
            _, word = rows.pop()
            rows[-1] = (rows[-1][0], rows[-1][1] + " " + word)
        if new_row:
            rows.append((taken[n], s))
        else:
            rows[-1] = (rows[-1][0], rows[-1][1] + " " + s)
        prev = s
    return rows


def _name_alone(words: list[str], after: list[str], widest: int) -> bool:
    """A long name wrapped alone: it and the next line's first word (its type) are too wide for
    one line; a description's last word alone would have taken the next row's name along."""
    if len(words) != 1 or not after or not is_name(words[0]) or words[0][0].isupper():
        return False
    t = after[0].split()[0]
    if not (_surely_type(t, "") or t[0].islower() or _camel(t)):
        return False  # the next line is no type: "Template reference information"
    return len(words[0]) + 1 + len(t) > widest


def is_name(word: str) -> bool:
    """A property or member name: an identifier, dotted parts allowed (`@odata.type`)."""
    return all(part.isidentifier() for part in word.lstrip("@").split("."))


def row_ends(line: str) -> bool:
    """Whether a line ends like a complete row (a sentence, a value), not mid-sentence."""
    return line[-1:] in _ROW_END


def _surely_type(word: str, after: str) -> bool:
    """A primitive, `Edm.X`, `Collection(...)` or `x collection`: never a wrapped prose word."""
    low = word.lower()
    return low in _PRIMITIVES or low.startswith(("edm.", "collection(")) or after == "collection"


def property_starts(words: list[str], prev: str) -> bool:
    """Whether a line that may be a wrapped description's rest starts a property row instead.

    Prose pairs words too ("the customerId immutable.", "from Azure Active Directory"), so the
    second word must be a primitive or collection type, or a lowercase or camelCase type name
    before a capitalized description (or none after a complete row: it wrapped whole), or after
    a complete row a lowercase name before any capitalized type (`from Recipient The sender`).
    A lowercase primitive that is an English word ("long", "byte") needs a capitalized
    description. After a line that ends mid-sentence more is asked: a lowercase name, and a
    primitive that is no English word or a camelCase type before a capitalized description.
    """
    if len(words) < 2 or not is_name(words[0]) or words[0].lower() in _NOT_NAMES:
        return False
    t = words[1]
    if t.lower() in _PROSE_WORDS or not (is_name(t) or t.lower().startswith("collection(")):
        return False
    after = words[2] if len(words) > 2 else ""
    capitalized = after[:1].isupper()
    lower_name = words[0][0].islower() or words[0][0] == "@"
    if t.islower() and t in _ENGLISH and after and not capitalized:
        return False  # "28 / characters long and case-sensitive", "encoded byte array"
    if not prev or row_ends(prev):  # a sentence after a complete line starts capitalized
        return (
            _surely_type(t, after.lower())
            or ((t[0].islower() or _camel(t)) and (capitalized or not after))
            or (lower_name and (_camel(t) or (t[0].isupper() and (capitalized or not after))))
        )
    if not lower_name:
        return False
    if t.islower() and t in _ENGLISH:  # "...type represents" / "date and time information"
        return False
    if not after:  # `installationSchedule windowsUpdateInstallScheduleType`, description below
        return _surely_type(t, "") or (_camel(words[0]) and _camel(t))
    return _surely_type(t, after.lower()) or (_camel(t) and capitalized)


def _camel(word: str) -> bool:
    """`DateTimeTimeZone`, `ItemBody`: a capitalized type name (an acronym such as EAP is none)."""
    return any(c.isupper() for c in word[1:]) and any(c.islower() for c in word)


def _starts_permission(words: list[str], prev: str) -> bool:
    """`Delegated (...)` or `Application`: a word of its own, not `Application.Read.All`."""
    return words[0].lower() in ("application", "delegated") and bool(permission_kind(words[0]))


def _starts_header(words: list[str], prev: str) -> bool:
    """`Name value...`: a header name ("Required." or a wrapped description word is none);
    a hyphenated one may be lowercase (`if-match`)."""
    w = words[0] if words else ""
    if "-" in w and HEADER_NAME.match(w[:1].upper() + w[1:]):
        return True
    return bool(HEADER_NAME.match(w)) and (not prev or row_ends(prev))


def _starts_member(words: list[str], prev: str) -> bool:
    """`name [value] [description]`: a bare name after a complete row, or a name and a number."""
    if not (words and is_name(words[0])):
        return False
    if len(words) > 1 and words[1].isdigit():
        return True
    return not prev or row_ends(prev) or len(words) == 1


def _permission_row(cur: Cursor, i: int, s: str) -> int | None:
    kind = permission_kind(s)
    if kind is None:
        return None
    prefix = KIND_PREFIX[kind]
    entries = permission_entries(cur, [(prefix, s.removeprefix(prefix))])
    add_permissions(cur, entries, i + 1)
    return i + 1


def _header_row(cur: Cursor, i: int, s: str) -> int | None:
    parts = s.split(None, 1)
    if len(parts) == 2 and HEADER_NAME.match(parts[0]):
        add_headers(cur, required_headers([(parts[0], parts[1])]))
        return i + 1
    return None


def _skip_row(cur: Cursor, i: int, row: str) -> None:
    """A row of a table that is read past."""


def _member_row(cur: Cursor, i: int, row: str) -> None:
    cur.page.members.append(row.split()[0])


def _property_row(cur: Cursor, j: int, row: str) -> None:
    """`name Type [collection] description...`: the type is one word, or two with `collection`."""
    parts = row.split()
    if len(parts) < 2 or _group_label(parts):
        return
    name, type_words, rest = parts[0], [parts[1]], parts[2:]
    if rest and rest[0].lower() == "collection":
        type_words.append(rest.pop(0))
    desc = " ".join(rest)
    props = cur.page.properties
    count = len(props)
    add_property(cur, j + 1, name, " ".join(type_words), desc)
    if len(props) > count and "alues" in desc:
        values = text_values(desc)
        if values and len(values) > len(props[-1].enum or ()):
            props[-1].enum = values


def _group_label(parts: list[str]) -> bool:
    """A row that only labels a group of rows ("Device configuration", "Android for Work": a
    bold name in Markdown, with empty cells): a capitalized first word and no type after it."""
    t = parts[1]
    return parts[0][:1].isupper() and (
        t.lower() in _PROSE_WORDS or (len(parts) == 2 and t.islower() and t not in _PRIMITIVES)
    )


def text_values(desc: str) -> list[str] | None:
    """Enum members of a copied row, whose ticks are gone: "Possible values are: a, b, c Note:
    ..." (a comma list ends at its first chunk of several words, whose first word is the last
    member unless a parenthesis follows: "or empty (which means...)") or "values are: A B C." (bare names up to the sentence's end)."""
    m = _VALUES_ARE.search(desc)
    if not m:
        return None
    out: list[str] = []
    for chunk in desc[m.end() :].split(","):
        words = [w for w in chunk.split() if w not in ("and", "or")]
        if not words:
            break
        last = words[0].endswith(".") or len(words) > 1
        if len(words) > 1 and "," not in desc[m.end() :] and _bare_names(chunk):
            return _bare_names(chunk)
        word = words[0].rstrip(".")
        if not word.isidentifier() or word.lower() in _PROSE_WORDS:
            break
        if len(words) > 1 and words[1].startswith("("):
            break
        out.append(word)
        if last:
            break
    return out or None


def _bare_names(chunk: str) -> list[str] | None:
    """`A B C.`: names separated by spaces only, up to the first full stop; none prose words."""
    words = chunk.split(".", 1)[0].split()
    if len(words) < 2 or any(w.lower() in _PROSE_WORDS or not w.isidentifier() for w in words):
        return None
    return words
