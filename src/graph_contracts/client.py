"""The transport seam: one Graph client whatever the target.

A live tenant, the mock served over loopback and the mock in-process differ only in base URL and
transport (httpx's idea), so the checks never branch on the kind of target. The client adds what
every Graph request needs (versioned URL, `client-request-id`, JSON headers), retries throttled
requests per `Retry-After`, counts what it sent, and tells an observer about every retry (the
engine turns those into events).
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import random
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import tenacity

from graph_contracts.pacing import Pacer

__all__ = [
    "CredentialsRejected",
    "GraphClient",
    "GraphContractsError",
    "InProcessTransport",
    "Retry",
    "RetryPolicy",
    "RetryStats",
    "TargetUnreachable",
]

RETRY_STATUSES = frozenset({429, 503})
# graph-contracts' own mock names itself in this header on every reply; writes to anything else
# need the user's opt-in (--allow-writes).
MOCK_HEADER = "x-graph-contracts-mock"


class GraphContractsError(Exception):
    """Base of the errors the CLI turns into one clear line (exit status 2), never a traceback."""


class TargetUnreachable(GraphContractsError):
    """The target service could not be reached at all (connection refused, DNS, TLS, timeout)."""


class CredentialsRejected(GraphContractsError):
    """A request sent with the run's own credentials got 401 (after one renewal, where possible).

    Never raised for the auth check's probes, which send no token or a wrong one on purpose.
    """


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds for retrying 429/503: attempts in total, the longest single wait, back-off base."""

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


@dataclass(frozen=True)
class Retry:
    """One retry about to happen: what was answered and how long the client will wait."""

    method: str
    url: str
    status: int
    attempt: int
    wait: float
    retry_after: float | None  # what the service asked for, when it said


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

    Retries use tenacity: the retry condition is a status code, the wait reads `Retry-After` from
    the last response, and an exhausted run hands back the last 429/503 (the checks decide).
    `sleep` is injectable so tests need not wait; `on_retry` hears of every retry before its wait.
    """

    def __init__(
        self,
        base_url: str,
        version: str,
        *,
        auth: httpx.Auth | None = None,
        transport: httpx.BaseTransport | None = None,
        retry: RetryPolicy = RetryPolicy(),
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        on_retry: Callable[[Retry], None] | None = None,
        pacer: Pacer | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.version = version.strip("/")
        self.auth = auth
        self.retry = retry
        self.retries = RetryStats()
        self.on_retry = on_retry
        self.pacer = pacer  # every attempt waits its turn: Graph counts retries against limits
        self._accepted = False  # a request with our own credentials has been answered non-401
        self.identity: str | None = None  # the mock's version, once a reply carried MOCK_HEADER
        self._sleep = sleep
        self._http = httpx.Client(
            transport=transport,
            timeout=timeout,
            headers={"Accept": "application/json"},
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
        """A request with a fresh client-request-id; a header given as None is left out."""
        given = dict(headers or {})
        extra = {k: v for k, v in given.items() if v is not None}
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
        """Send one request, retrying 429/503; a caller-given Authorization header wins over auth."""
        request = self.build_request(method, path, json=json, content=content, headers=headers)
        if any(k.lower() == "authorization" for k in headers or {}):
            auth = None
        chosen = self.auth if isinstance(auth, _UseClientAuth) else auth
        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(max(1, self.retry.max_attempts)),
            wait=self._wait,
            retry=tenacity.retry_if_result(lambda r: r.status_code in RETRY_STATUSES),
            retry_error_callback=lambda state: state.outcome.result(),  # type: ignore[union-attr]
            before_sleep=self._record,
            sleep=self._sleep,
            reraise=True,
        )
        return retrying(self._send_once, request, chosen, path)

    def _wait(self, state: tenacity.RetryCallState) -> float:
        response: httpx.Response = state.outcome.result()  # type: ignore[union-attr]
        asked = retry_after(response)
        wait = self.retry.backoff(state.attempt_number) if asked is None else asked
        return min(wait, self.retry.max_wait)

    def _record(self, state: tenacity.RetryCallState) -> None:
        """Count a retry only when it really happens (tenacity computes the wait before stop)."""
        self.retries.count += 1
        self.retries.waited += state.upcoming_sleep
        if self.on_retry is not None:
            response: httpx.Response = state.outcome.result()  # type: ignore[union-attr]
            self.on_retry(
                Retry(
                    response.request.method,
                    str(response.request.url),
                    response.status_code,
                    state.attempt_number,
                    state.upcoming_sleep,
                    retry_after(response),
                )
            )

    def _send_once(
        self, request: httpx.Request, auth: httpx.Auth | None, path: str = ""
    ) -> httpx.Response:
        if self.pacer is not None:
            self.retries.paced += self.pacer.acquire(request.method, path or request.url.path)
        self.retries.requests += 1
        try:
            response = self._http.send(request, auth=auth)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise TargetUnreachable(f"cannot reach {request.url}: {_reason(exc)}") from None
        except httpx.TransportError as exc:
            raise TargetUnreachable(
                f"{request.method} {request.url} failed: {_reason(exc)}"
            ) from None
        if response.status_code == 429:
            self.retries.throttled += 1
        if self.identity is None and MOCK_HEADER in response.headers:
            self.identity = response.headers[MOCK_HEADER]
        if auth is not None and auth is self.auth:
            self._check_credentials(request, response)
        return response

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
