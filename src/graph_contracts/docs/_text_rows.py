"""Which lines of a copied (plain-text) table start a row, and which go on with the row before.

Copying from a browser may wrap long rows: a description (an enum list, "Inherited from
deviceConfiguration", a header's "Required.") goes on over the next line(s), and a long name can
sit alone on its line. Nothing marks a wrap, so a line starts a row when it reads like one: a
name, then a type word, then (usually) a capitalized description; prose words ("the", "from
Azure") and English words that happen to be primitive names ("long", "date") are weighed against
whether the line before ended a sentence. Wrapping is greedy, which settles many lines outright:
a word that would have fit on the line before was not wrapped there.
"""

from __future__ import annotations

from collections.abc import Callable

from ._permissions import permission_kind
from ._request_headers import HEADER_NAME


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Type words a row can have (lowercased): a wrapped description line rarely has one second.
PRIMITIVE_WORDS = _words(
    "string int16 int32 int64 integer int long byte sbyte boolean bool datetimeoffset "
    "datetime date timeofday time duration timespan guid binary double single float decimal "
    "stream json object untyped"
)
# Words that wrapped prose puts first or second on a line, and that no name or type is.
PROSE_WORDS = _words(
    "a an the and or of to in on at by as is are be for if it its this that with when which "
    "than then not no can will was has have may must also only time from your their through "
    "during per via"
)
# Primitive type names that are English words too: lowercase after a line that ends mid-sentence,
# they go on with the sentence ("represents date and time").
_ENGLISH = _words(
    "date long single double object stream binary byte duration decimal float integer"
)
_NOT_NAMES = PROSE_WORDS - {"from"}  # a message's sender is `from`
_ROW_END = frozenset(".)!?:\"'`0123456789")

Starts = Callable[[list[str], str], bool]  # (a line's words, the line before) -> starts a row


def row_after_blank(words: list[str]) -> bool:
    """A property row after a blank line: a bare `x values` heading is none."""
    return property_starts(words, "") and (len(words) > 2 or _surely_type(words[1], ""))


def logical_rows(
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
    return (
        low in PRIMITIVE_WORDS or low.startswith(("edm.", "collection(")) or after == "collection"
    )


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
    if t.lower() in PROSE_WORDS or not (is_name(t) or t.lower().startswith("collection(")):
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


def starts_permission(words: list[str], prev: str) -> bool:
    """`Delegated (...)` or `Application`: a word of its own, not `Application.Read.All`."""
    return words[0].lower() in ("application", "delegated") and bool(permission_kind(words[0]))


def starts_header(words: list[str], prev: str) -> bool:
    """`Name value...`: a header name ("Required." or a wrapped description word is none);
    a hyphenated one may be lowercase (`if-match`)."""
    w = words[0] if words else ""
    if "-" in w and HEADER_NAME.match(w[:1].upper() + w[1:]):
        return True
    return bool(HEADER_NAME.match(w)) and (not prev or row_ends(prev))


def starts_member(words: list[str], prev: str) -> bool:
    """`name [value] [description]`: a bare name after a complete row, or a name and a number."""
    if not (words and is_name(words[0])):
        return False
    if len(words) > 1 and words[1].isdigit():
        return True
    return not prev or row_ends(prev) or len(words) == 1
