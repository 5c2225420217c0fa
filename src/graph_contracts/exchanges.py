"""An HTTP exchange as a report shows it: redacted, with a curl reproducer.

Not the client's job (httpx keeps its transports apart from its models): the engine turns each
exchange a check judged into an `ExchangeRecord` of plain, secret-free strings before any event
leaves it, so no reporter, log or journal ever holds a token.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

__all__ = ["REDACTED", "ExchangeRecord", "curl", "record", "redact"]

REDACTED = "[REDACTED]"
# Headers a reproducer does not need: the transport sets them itself.
_CURL_SKIP = frozenset({"host", "content-length", "accept-encoding", "connection", "user-agent"})
_BEARER = re.compile(r"(?i)\b(Bearer)\s+[A-Za-z0-9\-._~+/]+=*")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*")
MAX_BODY = 64_000  # characters of a body kept in a record: reports stay readable
# A literal secret shorter than this is replaced only where a pattern finds it (a bearer header, a
# JWT): replacing every "t" of a report because a test token is "t" would corrupt every report
# (and a journal), and no token or secret an authority issues is that short.
MIN_SECRET = 8


def redact(text_or_headers: Any, secrets: Iterable[str] = ()) -> Any:
    """Replace secret values, bearer tokens and JWTs with [REDACTED].

    Accepts a string or a header mapping (returned as a plain dict, Authorization redacted).
    """
    if isinstance(text_or_headers, Mapping):
        return {
            k: (f"Bearer {REDACTED}" if k.lower() == "authorization" else redact(v, secrets))
            for k, v in text_or_headers.items()
        }
    text = str(text_or_headers)
    for secret in sorted({s for s in secrets if len(s or "") >= MIN_SECRET}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    text = _BEARER.sub(rf"\1 {REDACTED}", text)
    return _JWT.sub(REDACTED, text)


@dataclass(frozen=True)
class ExchangeRecord:
    """One request and its response as secret-free text, ready for any report."""

    method: str
    url: str
    request: str  # request line, headers (Authorization redacted) and body
    status: int | None
    response: str  # status line, headers and body ("" when there was no response)
    curl: str  # a reproducer that reads the token from $GRAPH_TOKEN
    response_json: str | None = None  # the body pretty-printed, when it is JSON

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "url": self.url,
            "status": self.status,
            "request": self.request,
            "response": self.response,
            "curl": self.curl,
        }


def record(response: httpx.Response, secrets: Iterable[str] = ()) -> ExchangeRecord:
    """The exchange that produced `response`, redacted."""
    secrets = tuple(s for s in secrets if s)
    request = response.request
    response_text = redact(_response_text(response), secrets)
    parsed = _json_text(response)
    return ExchangeRecord(
        method=request.method,
        url=redact(str(request.url), secrets),
        request=redact(_request_text(request), secrets),
        status=response.status_code,
        response=response_text,
        curl=curl(request, secrets),
        response_json=redact(parsed, secrets) if parsed is not None else None,
    )


def _body_text(message: httpx.Request | httpx.Response) -> str:
    try:
        content = message.content
    except (httpx.RequestNotRead, httpx.ResponseNotRead):
        return "(body not read)"
    if not content:
        return ""
    try:
        text = json.dumps(json.loads(content), indent=2, ensure_ascii=False)
    except ValueError:
        text = content.decode("utf-8", "replace")
    return text if len(text) <= MAX_BODY else text[:MAX_BODY] + "\n… (cut)"


def _headers_text(headers: httpx.Headers) -> str:
    return "\n".join(f"{k}: {v}" for k, v in redact(headers).items())


def _request_text(request: httpx.Request) -> str:
    return (
        f"{request.method} {request.url}\n{_headers_text(request.headers)}\n\n{_body_text(request)}"
    )


def _response_text(response: httpx.Response) -> str:
    head = f"HTTP {response.status_code} {response.reason_phrase}\n"
    return head + _headers_text(response.headers) + "\n\n" + _body_text(response)


def _json_text(response: httpx.Response) -> str | None:
    try:
        return json.dumps(response.json(), indent=2, ensure_ascii=False)
    except (ValueError, httpx.ResponseNotRead):
        return None


def _quote_body(body: bytes) -> str:
    """Shell-quote a body; non-UTF-8 bytes use $'\\xNN' so malformed payloads reproduce exactly."""
    try:
        text = body.decode("utf-8")
        if all(c.isprintable() or c in "\n\t" for c in text):
            return shlex.quote(text)
    except UnicodeDecodeError:
        pass
    escaped = "".join(
        chr(b) if 32 <= b < 127 and chr(b) not in "\\'" else f"\\x{b:02x}" for b in body
    )
    return f"$'{escaped}'"


def _quote(text: str) -> str:
    """shlex.quote, but OData keys (`things('1')`) read better in double quotes when that is safe."""
    if "'" in text and not any(c in text for c in '"$`\\!'):
        return f'"{text}"'
    return shlex.quote(text)


def curl(request: httpx.Request, secrets: Iterable[str] = ()) -> str:
    """A minimal curl reproducer; the token is read from $GRAPH_TOKEN, no secret is printed."""
    parts = ["curl", "-X", request.method, _quote(str(request.url))]
    for raw_name, raw_value in request.headers.raw:
        name, value = raw_name.decode("latin-1"), raw_value.decode("latin-1")
        if name.lower() in _CURL_SKIP:
            continue
        if name.lower() == "authorization":
            parts += ["-H", '"Authorization: Bearer $GRAPH_TOKEN"']
        else:
            parts += ["-H", _quote(f"{name}: {value}")]
    body = request.read()
    if body:
        parts += ["--data-binary", _quote_body(body)]
    return redact(" ".join(parts), secrets)
