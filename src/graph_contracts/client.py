"""The transport seam: one Graph client whatever the target.

A live tenant, the mock served over loopback and the mock in-process differ only in base URL and
transport (httpx's idea), so the checks never branch on the kind of target. The client adds what
every Graph request needs (versioned URL, `client-request-id`, JSON headers, `Prefer:
include-unknown-enum-members`: `preferences`), retries what a network and a gateway get wrong on a
bad night, counts what it sent, and tells an observer about every retry (the engine turns those
into events).

The retry policy belongs here, as httpx and tenacity users put it: 429 and 503 per `Retry-After`
(Graph's throttling guidance), and the transient errors of a long path through proxies and
gateways: connection resets, timeouts, a server that closes the connection mid-reply
(`RemoteProtocolError`), 502 and 504 whatever their body, and a GET whose 2xx body is not the JSON
it asked for. What still fails after the bounded retries raises `RequestFailed`: an error of the
target, never a verdict on the contract (the engine reports it apart).

Which requests may be sent twice (RFC 9110 §9.2.2: a client retries a request automatically only
when its semantics are idempotent, whatever the method, or when it was never applied):
- a request that never reached the service (connection refused before a byte was sent), and a
  429 or 503 (Graph's documented "not processed, come back later"), whatever the method;
- GET always: safe;
- PATCH after an error that may have come after the service applied it (a reset or a timeout
  while waiting for the reply, a 502 or 504 from a gateway): OData 4.01 Part 1 §11.4.3 gives
  PATCH merge semantics, each property in the body is set to the value given and the others are
  left alone, so the same body applied twice leaves the entity as applying it once does (RFC 5789
  §2: a PATCH "can be issued in such a way as to be idempotent"); the retry's reply is the one
  judged, and it describes that same state;
- except a conditional PATCH (`If-Match`, `If-None-Match`): a first attempt that was applied has
  changed the ETag, so the retry would be answered 412 for a write that succeeded. It is not
  retried after such an error; it fails as a target error instead.

A reply is read as a stream and cut off past a size limit (`max_reply_bytes`): a 50 MB body is
never held whole, and the request fails as a target error naming the limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import enum
import json
import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import tenacity

from graph_contracts import preferences
from graph_contracts.pacing import Pacer
from graph_contracts.preferences import EVERY_REQUEST, PREFER

__all__ = [
    "Contact",
    "CredentialsRejected",
    "GraphClient",
    "GraphContractsError",
    "InProcessTransport",
    "RequestFailed",
    "Retry",
    "RetryPolicy",
    "RetryStats",
    "TargetUnreachable",
    "Waited",
]

# Retried whatever the body says: throttling, an unavailable service, a failing gateway.
RETRY_STATUSES = frozenset({429, 502, 503, 504})
# Graph's "not processed": 429 and 503 come before the service touched the request.
NOT_APPLIED_STATUSES = frozenset({429, 503})
# A gateway answering for a service that does not (a target that is down, not one that answers).
BEHIND_A_GATEWAY = frozenset({502, 503, 504})
# Safe or idempotent by definition (RFC 9110 §9.2.1-2); PATCH is judged by its headers.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
CONDITIONAL_HEADERS = ("if-match", "if-none-match")
DEFAULT_TIMEOUT = 30.0  # seconds per request (connect, each read, each write)
DEFAULT_MAX_REPLY = 16 * 1024 * 1024  # bytes: a Graph entity or a page of 999 is far below
# graph-contracts' own mock names itself in this header on every reply; writes to anything else
# need the user's opt-in (--allow-writes).
MOCK_HEADER = "x-graph-contracts-mock"


class GraphContractsError(Exception):
    """Base of the errors the CLI turns into one clear line (exit status 2), never a traceback."""


class TargetUnreachable(GraphContractsError):
    """The target service could not be reached at all (connection refused, DNS, TLS, timeout)."""


class RequestFailed(Exception):
    """A request that still failed after the client's bounded retries: the target's error.

    Not a GraphContractsError: it ends one endpoint (a target error, reported apart from contract
    failures), never the run. `cause` names what went wrong ("connection reset", "502",
    "timeout", "not JSON", "too large"); `answering` says whether the target still answers at all
    (a status or a bad body) or stopped (refused, reset, timed out), which is worth waiting for.
    """

    def __init__(
        self,
        request: httpx.Request,
        cause: str,
        detail: str,
        attempts: int,
        *,
        answering: bool,
        response: httpx.Response | None = None,
    ) -> None:
        self.request = request
        self.cause = cause
        self.detail = detail
        self.attempts = attempts
        self.answering = answering
        self.response = response
        super().__init__(self.reason)

    @property
    def reason(self) -> str:
        """One line: `PATCH https://.../x: connection reset (after 5 attempts)`."""
        tries = f"after {self.attempts} attempts" if self.attempts > 1 else "not retried"
        return f"{self.request.method} {self.request.url}: {self.detail} ({tries})"


class CredentialsRejected(GraphContractsError):
    """A request sent with the run's own credentials got 401 (after one renewal, where possible).

    Never raised for the auth check's probes, which send no token or a wrong one on purpose.
    """


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds for retrying transient errors: attempts in total, the longest wait, back-off base."""

    max_attempts: int = 5
    max_wait: float = 30.0
    base: float = 0.5

    def backoff(self, attempt: int) -> float:
        """Exponential back-off with full jitter for the wait after `attempt` (1-based)."""
        ceiling = min(self.max_wait, self.base * 2 ** (attempt - 1))
        return random.uniform(ceiling / 2, ceiling)


@dataclass
class RetryStats:
    """What the client sent and how long it waited on the service; reported in totals."""

    requests: int = 0  # requests sent, retries included
    count: int = 0  # retries
    throttled: int = 0  # 429 replies received
    waited: float = 0.0  # seconds slept before retries (Retry-After or back-off)
    paced: float = 0.0  # seconds waited on the pacer (Graph's budgets) before sending
    causes: Counter[str] = field(default_factory=Counter)  # retries by cause ("429", "reset")


@dataclass(frozen=True)
class Retry:
    """One retry about to happen: what was answered and how long the client will wait."""

    method: str
    url: str
    status: int  # 0 when nothing was answered (a reset, a timeout)
    attempt: int
    wait: float
    retry_after: float | None  # what the service asked for, when it said
    cause: str = ""  # "429", "502", "connection reset", "timeout", "not JSON", ...


class Waited(enum.Enum):
    """What a wait for a target that stopped answering found (`wait_until_answering`)."""

    ANSWERING = "answering"  # it answered again, anything at all
    TIMED_OUT = "timed out"  # it did not, within the time given: it is gone for this run
    STOPPED = "stopped"  # a stop request cut the wait short: nothing is known of the target


@dataclass
class Contact:
    """Whether the target has answered anything yet, shared by the clients of one target.

    Before the first reply a refused connection is a wrong URL or a target that is not up (one
    clear error at once, as a user typing the URL wants); after it, the target went away mid-run
    and is worth retrying and waiting for.
    """

    answered: bool = False


class _Transient(Exception):
    """One attempt's failure that a retry may cure; `maybe_applied`: the service may have acted."""

    def __init__(self, cause: str, detail: str, *, maybe_applied: bool, retryable: bool = True):
        super().__init__(detail)
        self.cause, self.detail = cause, detail
        self.maybe_applied, self.retryable = maybe_applied, retryable

    @property
    def answering(self) -> bool:
        return self.cause in ("not JSON", "too large")


class _TooLarge(Exception):
    """Raised while reading: the reply passed the size limit (the rest is never read)."""


class _Capped(httpx.SyncByteStream):
    """A response stream that stops past `limit` bytes on the wire, so no reply is held whole."""

    def __init__(self, stream: httpx.SyncByteStream, limit: int) -> None:
        self._stream, self._limit, self.received = stream, limit, 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._stream:
            self.received += len(chunk)
            if self.received > self._limit:
                raise _TooLarge
            yield chunk

    def close(self) -> None:
        self._stream.close()


def json_error(response: httpx.Response) -> str | None:
    """Why a non-empty body is not JSON (the parser's own words), or None when it is."""
    if not response.content:
        return None
    try:
        json.loads(response.content)
    except ValueError as exc:  # UnicodeDecodeError included
        return str(exc).splitlines()[0]
    return None


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:g} MB"


def retry_after(response: httpx.Response) -> float | None:
    """Seconds the server asks us to wait: integer or fractional seconds, or an HTTP date."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - time.time()
    return max(0.0, seconds) if seconds == seconds else None  # NaN -> None


class InProcessTransport(httpx.BaseTransport):
    """Sync transport that runs requests through `httpx.ASGITransport` in-process, no sockets.

    The ASGI app runs on an asyncio event loop in a daemon thread of its own, so the synchronous
    client, the checks and Hypothesis stay synchronous. The loop is a plain object closed by
    `close()`, never a suspended generator (anyio's `start_blocking_portal` context manager): such
    a generator, left open by an exception, is finalized at interpreter exit by waiting on the
    loop thread, which exit has already frozen, and the process never ends. Nothing here waits
    on that thread without a time limit. App exceptions become 500 responses by default, as they
    would behind uvicorn, so in-process and loopback runs agree.
    """

    CLOSE_TIMEOUT = 5.0  # seconds close() waits for the loop thread to end

    def __init__(self, app: Any, *, raise_app_exceptions: bool = False) -> None:
        self._asgi = httpx.ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def _get_loop(self) -> asyncio.AbstractEventLoop:
        """Started on first use and again after close(), so clients may share one transport."""
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(
                    target=loop.run_forever, name="graph-contracts-in-process", daemon=True
                )
                thread.start()
                self._loop, self._thread = loop, thread
            return self._loop

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()  # the body becomes a ByteStream, which is async-iterable too
        future = asyncio.run_coroutine_threadsafe(self._send(request), self._get_loop())
        status, headers, raw, extensions = future.result()
        return httpx.Response(
            status, headers=headers, stream=httpx.ByteStream(raw), extensions=extensions
        )

    async def _send(self, request: httpx.Request) -> tuple[int, list, bytes, dict]:
        response = await self._asgi.handle_async_request(request)
        try:
            raw = b"".join([chunk async for chunk in response.stream])  # type: ignore[union-attr]
        finally:
            await response.aclose()
        return response.status_code, response.headers.raw, raw, dict(response.extensions)

    def close(self) -> None:
        """Stop the loop and its thread (idempotent); a request after it starts them again."""
        with self._lock:
            loop, thread, self._loop, self._thread = self._loop, self._thread, None, None
        if loop is None or thread is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        if thread is not threading.current_thread():
            thread.join(self.CLOSE_TIMEOUT)
        if not thread.is_alive():
            loop.close()

    def __del__(self) -> None:  # a transport dropped unclosed: stop its loop, never wait
        loop = getattr(self, "_loop", None)
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(loop.stop)


class _UseClientAuth:
    """Sentinel: use the client's auth (pass `auth=None` to send a request without a token)."""


USE_CLIENT_AUTH = _UseClientAuth()


class GraphClient:
    """One client for every target: URL = base_url + "/" + version + path.

    Retries use tenacity: the condition is a transient status or error (module docstring), the
    wait reads `Retry-After` from the last response or backs off, and what is still failing after
    the last attempt raises RequestFailed. `sleep` is injectable so tests need not wait;
    `on_retry` hears of every retry before its wait.
    """

    def __init__(
        self,
        base_url: str,
        version: str,
        *,
        auth: httpx.Auth | None = None,
        transport: httpx.BaseTransport | None = None,
        retry: RetryPolicy = RetryPolicy(),
        timeout: float = DEFAULT_TIMEOUT,
        sleep: Callable[[float], None] = time.sleep,
        on_retry: Callable[[Retry], None] | None = None,
        pacer: Pacer | None = None,
        max_reply_bytes: int = DEFAULT_MAX_REPLY,
        contact: Contact | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.version = version.strip("/")
        self.auth = auth
        self.retry = retry
        self.retries = RetryStats()
        self.on_retry = on_retry
        self.pacer = pacer  # every attempt waits its turn: Graph counts retries against limits
        self._accepted = False  # a request with our own credentials has been answered non-401
        self.max_reply_bytes = max_reply_bytes
        self.contact = contact or Contact()
        self.identity: str | None = None  # the mock's version, once a reply carried MOCK_HEADER
        self._sleep = sleep
        self._http = httpx.Client(
            transport=transport,
            timeout=timeout,
            headers={"Accept": "application/json", PREFER: preferences.combine(*EVERY_REQUEST)},
            follow_redirects=False,
        )

    def url(self, path: str) -> str:
        """The full URL of a version-less path such as `/deviceManagement/...`."""
        if not path.startswith("/"):
            path = "/" + path
        prefix = f"{self.base_url}/{self.version}" if self.version else self.base_url
        return prefix + path

    @property
    def secrets(self) -> tuple[str, ...]:
        """Secret values of the auth object, for redacting reports (empty without auth)."""
        return tuple(getattr(self.auth, "secrets", ()))

    def build_request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        content: bytes | str | None = None,
        headers: Mapping[str, str | None] | None = None,
    ) -> httpx.Request:
        """A request with a fresh client-request-id; a header given as None is left out.

        A `Prefer` given joins the run's own (`preferences.EVERY_REQUEST`) in one header, as RFC
        7240 §2 has it: httpx would replace the client's default instead.
        """
        given = dict(headers or {})
        extra = {k: v for k, v in given.items() if v is not None}
        for name in [k for k in extra if k.lower() == PREFER.lower()]:
            extra[name] = preferences.combine(extra[name], *EVERY_REQUEST)
        if not any(k.lower() == "client-request-id" for k in given):
            extra["client-request-id"] = str(uuid.uuid4())
        request = self._http.build_request(
            method, self.url(path), json=json, content=content, headers=extra
        )
        for name, value in given.items():
            if value is None and name in request.headers:
                del request.headers[name]
        return request

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        content: bytes | str | None = None,
        headers: Mapping[str, str | None] | None = None,
        auth: httpx.Auth | _UseClientAuth | None = USE_CLIENT_AUTH,
    ) -> httpx.Response:
        """Send one request, retrying transient errors; a caller-given Authorization header wins.

        Raises RequestFailed when the last attempt still failed (module docstring).
        """
        request = self.build_request(method, path, json=json, content=content, headers=headers)
        if any(k.lower() == "authorization" for k in headers or {}):
            auth = None
        chosen = self.auth if isinstance(auth, _UseClientAuth) else auth
        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(max(1, self.retry.max_attempts)),
            wait=self._wait,
            retry=self._should_retry,
            retry_error_callback=lambda state: state.outcome.result(),  # type: ignore[union-attr]
            before_sleep=self._record,
            sleep=self._sleep,
            reraise=True,
        )
        try:
            response = retrying(self._send_once, request, chosen, path)
        except _Transient as exc:
            attempts = retrying.statistics.get("attempt_number", 1)
            raise RequestFailed(
                request, exc.cause, exc.detail, attempts, answering=exc.answering
            ) from None
        if response.status_code in RETRY_STATUSES:
            attempts = retrying.statistics.get("attempt_number", 1)
            phrase = httpx.codes.get_reason_phrase(response.status_code)
            detail = f"answered {response.status_code} {phrase}".rstrip()
            raise RequestFailed(
                request,
                str(response.status_code),
                detail,
                attempts,
                answering=response.status_code not in BEHIND_A_GATEWAY,
                response=response,
            )
        return response

    def wait_until_answering(
        self,
        url: str,
        within: float,
        interval: float = 1.0,
        stop: Callable[[], bool] = lambda: False,
    ) -> Waited:
        """Whether the target answers again, anything at all, to a GET of `url` within `within` s.

        For a target that stopped answering mid-run (killed, restarting, a gateway whose service
        is down answering 502/503/504): one attempt per `interval`, no retries, paced like any
        request. `stop()` ends the wait early (a stop request: SIGTERM must not wait a minute),
        and says so (`Waited.STOPPED`): a wait cut short has learnt nothing of the target, which
        may well be answering; only `TIMED_OUT` means it did not come back.
        """
        deadline = time.monotonic() + within
        while not stop():
            request = self._http.build_request(
                "GET", url, headers={"client-request-id": str(uuid.uuid4())}
            )
            try:
                if self._send_once(request, self.auth).status_code not in BEHIND_A_GATEWAY:
                    return Waited.ANSWERING
            except _Transient as exc:
                if exc.answering:
                    return Waited.ANSWERING
            except GraphContractsError:  # credentials rejected: it answers (the run will say)
                return Waited.ANSWERING
            left = deadline - time.monotonic()
            if left <= 0:
                return Waited.TIMED_OUT
            self._sleep(min(interval, left))
        return Waited.STOPPED

    def _should_retry(self, state: tenacity.RetryCallState) -> bool:
        """Transient, and safe to send again (the module docstring says which are)."""
        outcome = state.outcome
        assert outcome is not None
        request: httpx.Request = state.args[0]
        if outcome.failed:
            exc = outcome.exception()
            if not isinstance(exc, _Transient) or not exc.retryable:
                return False
            return not exc.maybe_applied or _repeatable(request)
        status = outcome.result().status_code
        if status in NOT_APPLIED_STATUSES:
            return True
        return status in RETRY_STATUSES and _repeatable(request)

    def _wait(self, state: tenacity.RetryCallState) -> float:
        outcome = state.outcome
        assert outcome is not None
        asked = None if outcome.failed else retry_after(outcome.result())
        wait = self.retry.backoff(state.attempt_number) if asked is None else asked
        return min(wait, self.retry.max_wait)

    def _record(self, state: tenacity.RetryCallState) -> None:
        """Count a retry only when it really happens (tenacity computes the wait before stop)."""
        outcome = state.outcome
        assert outcome is not None
        request: httpx.Request = state.args[0]
        if outcome.failed:
            cause, status, asked = outcome.exception().cause, 0, None  # type: ignore[union-attr]
        else:
            response: httpx.Response = outcome.result()
            cause, status, asked = str(response.status_code), response.status_code, None
            asked = retry_after(response)
        self.retries.count += 1
        self.retries.waited += state.upcoming_sleep
        self.retries.causes[cause] += 1
        if self.on_retry is not None:
            self.on_retry(
                Retry(
                    request.method,
                    str(request.url),
                    status,
                    state.attempt_number,
                    state.upcoming_sleep,
                    asked,
                    cause,
                )
            )

    def _send_once(
        self, request: httpx.Request, auth: httpx.Auth | None, path: str = ""
    ) -> httpx.Response:
        if self.pacer is not None:
            self.retries.paced += self.pacer.acquire(request.method, path or request.url.path)
        self.retries.requests += 1
        try:
            response = self._http.send(request, auth=auth, stream=True)
        except httpx.TransportError as exc:
            raise self._transport_error(request, exc, sent=False) from None
        self.contact.answered = True
        self._read(request, response)
        if response.status_code == 429:
            self.retries.throttled += 1
        if self.identity is None and MOCK_HEADER in response.headers:
            self.identity = response.headers[MOCK_HEADER]
        if auth is not None and auth is self.auth:
            self._check_credentials(request, response)
        if _wants_json(request, response) and (problem := json_error(response)):
            raise _Transient(
                "not JSON",
                f"answered {response.status_code} with a body that is not JSON ({problem}; "
                f"{len(response.content)} bytes, Content-Type "
                f"{response.headers.get('content-type')!r})",
                maybe_applied=False,
            )
        return response

    def _read(self, request: httpx.Request, response: httpx.Response) -> None:
        """The whole body, or a too-large/transient failure once the limit or the link breaks."""
        limit = self.max_reply_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            response.close()
            raise _too_large(response, f"declares {int(declared)} bytes", limit)
        capped = _Capped(response.stream, limit)  # type: ignore[arg-type]
        response.stream = capped
        try:
            response.read()
        except _TooLarge:
            response.close()
            raise _too_large(response, f"sent more than {limit} bytes", limit) from None
        except httpx.TransportError as exc:
            response.close()
            raise self._transport_error(request, exc, sent=True) from None

    def _transport_error(
        self, request: httpx.Request, exc: httpx.TransportError, *, sent: bool
    ) -> Exception:
        """What one failed attempt means: fatal before the target ever answered, else transient."""
        reason = _reason(exc)
        never_sent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
        if never_sent and not self.contact.answered:
            return TargetUnreachable(f"cannot reach {request.url}: {reason}")
        if isinstance(exc, httpx.TimeoutException):
            cause = "timeout"
        elif isinstance(exc, httpx.ConnectError):
            cause = "connection refused"
        elif isinstance(exc, httpx.RemoteProtocolError):
            cause = "connection closed"
        else:
            cause = "connection reset"
        detail = f"{cause} ({reason})" if reason and reason != cause else cause
        return _Transient(cause, detail, maybe_applied=sent or not never_sent)

    def _check_credentials(self, request: httpx.Request, response: httpx.Response) -> None:
        """Our own credentials got 401: the run cannot go on (a probe's 401 is expected)."""
        if response.status_code != 401:
            self._accepted = True
            return
        renewable = callable(getattr(self.auth, "renew", None))
        when = "mid-run" if self._accepted else "on the first request"
        how = "after a token renewal" if renewable else "(a static token cannot be renewed)"
        raise CredentialsRejected(
            f"credentials rejected {when}: {request.method} {request.url} answered 401 {how}; "
            "check --token / GRAPH_TOKEN or the client-credentials settings"
        )

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("GET", path, **kw)

    def patch(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("PATCH", path, **kw)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> GraphClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[-1] if text else type(exc).__name__


def _repeatable(request: httpx.Request) -> bool:
    """May this request be sent again after an attempt the service may have applied?"""
    if request.method in IDEMPOTENT_METHODS:
        return True
    conditional = any(name in request.headers for name in CONDITIONAL_HEADERS)
    return request.method == "PATCH" and not conditional


def _wants_json(request: httpx.Request, response: httpx.Response) -> bool:
    """A GET that asked for JSON and got a 2xx: its body must parse (a PATCH's is the checks')."""
    accept = request.headers.get("accept", "")
    return request.method == "GET" and response.is_success and "json" in accept


def _too_large(response: httpx.Response, what: str, limit: int) -> _Transient:
    return _Transient(
        "too large",
        f"answered {response.status_code} with a body over the {_megabytes(limit)} reply limit "
        f"({what}; cut off, not read further)",
        maybe_applied=True,
        retryable=False,
    )
