"""The type a resource page declares: the `@odata.type` of its `<!-- { "blockType": "resource"
... } -->` annotation, or of its JSON representation; and the type an update page's response
example is annotated with (`"blockType": "response", "@odata.type": "microsoft.graph.x"`), the
docs' own word on what the reply is when the resource page is not at hand (and the request's,
`"blockType": "request"`, what is sent)."""

from __future__ import annotations

import re

from ._cursor import Cursor

ODATA_TYPE = re.compile(r'"@odata\.type"\s*:\s*"#?([\w.]+)"')


def comment(cur: Cursor, i: int) -> int:
    """An HTML comment from line i (a resource annotation sets `odata_type`); the index after.

    One that never closes is a `truncated` defect: the page may have been cut there (the
    corpus' beta `message.md` ends in such a trailing annotation, harmlessly: hence a warning).
    """
    lines = cur.lines
    j = i
    while j < len(lines) and "-->" not in lines[j]:
        j += 1
    if j == len(lines):
        why = f"HTML comment opened at line {i + 1} is never closed: the page may be cut there"
        cur.page.defects.append(("truncated", "warning", i + 1, why))
    chunk = "\n".join(lines[i : j + 1])
    if '"blockType": "resource"' in chunk or '"blockType":"resource"' in chunk:
        m = ODATA_TYPE.search(chunk)
        if m:
            cur.page.odata_type = m.group(1)
    elif "@odata.type" in chunk and ('"response"' in chunk or '"request"' in chunk):
        m = ODATA_TYPE.search(chunk)
        page = cur.page
        if m and '"response"' in chunk and page.response_type is None:
            page.response_type = m.group(1)
        elif m and '"request"' in chunk and page.request_type is None:
            page.request_type = m.group(1)
    return j + 1


def resource_json(cur: Cursor, k: int, end: int) -> None:
    """A resource page's JSON representation (lines k:end): its first `@odata.type`."""
    for ln in cur.lines[k:end]:
        m = ODATA_TYPE.search(ln)
        if m and not cur.page.odata_type:
            cur.page.odata_type = m.group(1)
