"""Connecting to a target: one `GraphClient` per API version, whatever the target is.

The embedded mock and a live tenant differ only in the transport and base URL of the clients
(httpx's idea); everything after `connect` is target-agnostic. The credentials live here, never
in the configuration or in an event, and `secrets()` lists what reports must redact.

A target also serves its schema: `service_metadata` reads `{base}/{version}/$metadata` through
the same client (retries, pacing, credentials), revalidating a cached copy with its ETag or
Last-Modified so a nightly does not download megabytes twice.
"""

from __future__ import annotations

import os
import secrets as token_source
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import httpx

from graph_contracts import auth as auth_settings
from graph_contracts.client import (
    Contact,
    GraphClient,
    GraphContractsError,
    RequestFailed,
    Retry,
    RetryPolicy,
    RetryStats,
    TargetUnreachable,
)
from graph_contracts.contracts import Contract
from graph_contracts.discovery import TargetError
from graph_contracts.engine.config import EMBEDDED_URL, RunConfig
from graph_contracts.metadata import Csdl, CsdlError, parse_csdl
from graph_contracts.metadata._cache import Cached, MetadataCache
from graph_contracts.pacing import Pacer

EMBEDDED = "embedded mock (in-process)"
METADATA_PATH = "/$metadata"
# Graph's beta document is tens of megabytes: above the entity-sized limit on other replies.
METADATA_MAX_REPLY = 256 * 1024 * 1024
SERVED_MOCK = "graph-contracts mock"
SERVICE = "service"


@dataclass
class Target:
    """Where a run sends its requests, and with which credentials."""

    base_url: str
    kind: str
    clients: dict[str, GraphClient]
    credentials: httpx.Auth | None = None
    given: list[str] = field(default_factory=list)  # secrets known up front (a static token)
    pacer: Pacer = field(default_factory=Pacer.off)

    def secrets(self) -> tuple[str, ...]:
        """Everything to redact, read when needed: msal's access token exists only once fetched."""
        live = getattr(self.credentials, "secrets", ()) if self.credentials else ()
        return tuple(s for s in (*self.given, *live) if s)

    def stats(self) -> RetryStats:
        total = RetryStats()
        for client in self.clients.values():
            for name in ("requests", "count", "throttled", "waited", "paced"):
                setattr(total, name, getattr(total, name) + getattr(client.retries, name))
            total.causes.update(client.retries.causes)
        return total

    @property
    def identity(self) -> str | None:
        """graph-contracts' version, when the target said it is our mock (MOCK_HEADER)."""
        return next((c.identity for c in self.clients.values() if c.identity), None)

    def identify(self, *, keep_pacing: bool) -> None:
        """After the first replies: our own mock over a socket is neither a tenant to protect
        nor one to pace (unless the user asked for a budget, to test pacing itself)."""
        if self.kind != SERVICE or self.identity is None:
            return
        self.kind = SERVED_MOCK
        if not keep_pacing:
            self.pacer = Pacer.off()
            for client in self.clients.values():
                client.pacer = None

    def close(self) -> None:
        for client in self.clients.values():
            client.close()
        self.pacer.close()

    def service_metadata(self, version: str, cache: MetadataCache) -> ServiceSchema:
        """The service's own CSDL for `version`, or why there is none (a 404, no XML: fine).

        Sent without credentials: Graph serves `$metadata` to anyone, and a reply to no token
        says nothing about the run's own (a 401 here is one more reason there is none).
        TargetError when the target cannot be reached, as discovery words it.
        """
        client = self.clients[version]
        url = client.url(METADATA_PATH)
        cached = cache.get(url)
        headers = {"Accept": "application/xml", **(cached.validators() if cached else {})}
        limit, client.max_reply_bytes = client.max_reply_bytes, METADATA_MAX_REPLY
        try:
            response = client.get(METADATA_PATH, headers=headers, auth=None)
        except TargetUnreachable as exc:
            raise TargetError(f"target unreachable: {exc}") from None
        except RequestFailed as exc:  # a target error: the run goes on with the docs
            return ServiceSchema(version, url, None, "failed", exc.detail)
        finally:
            client.max_reply_bytes = limit
        if response.status_code == 304 and cached is not None:
            entry, how = cached, "cached"
        elif response.status_code == 200:
            entry, how = _entry(response), "downloaded"
        else:
            return ServiceSchema(version, url, None, "absent", f"answered {response.status_code}")
        try:
            csdl = parse_csdl(entry.document, url)
        except CsdlError as exc:
            reason = str(exc).removeprefix(url).lstrip(":")  # `12: malformed XML`, `: not a CSDL`
            where = f"line {reason}" if reason[:1].isdigit() else reason.strip()
            return ServiceSchema(version, url, None, "unusable", where)
        csdl.version = version
        kept = how == "downloaded" and cache.put(url, entry)
        size = f"{len(entry.document):,} bytes"
        detail = f"{size}, not modified since cached" if how == "cached" else size
        return ServiceSchema(version, url, csdl, how, detail + ("; cached" if kept else ""))


@dataclass(frozen=True)
class ServiceSchema:
    """What `GET {base}/{version}/$metadata` gave: a CSDL, or why not (said once in reports)."""

    version: str
    url: str
    csdl: Csdl | None
    status: str  # downloaded | cached (304) | absent (not 200) | unusable (not CSDL) | failed
    # (a target error after retries) | off
    detail: str

    def to_dict(self) -> dict[str, str]:
        return {
            "version": self.version,
            "kind": "service",
            "origin": self.url,
            "status": self.status,
            "detail": self.detail,
        }


def _entry(response: httpx.Response) -> Cached:
    return Cached(
        response.content, response.headers.get("etag"), response.headers.get("last-modified")
    )


def new_token() -> str:
    """The embedded mock's token when the user gives none, so the auth check has teeth."""
    return "mock-" + token_source.token_urlsafe(24)


def connect(
    config: RunConfig,
    contracts: list[Contract],
    *,
    token: str | None = None,
    on_retry: Callable[[Retry], None] | None = None,
    seed: int = 0,
    metadata: Iterable[Csdl] = (),
) -> Target:
    """Clients for every API version of `contracts`; the embedded mock when no base URL is given.

    The embedded mock serves `metadata` (the `--metadata` documents) as its `$metadata`, and a
    CSDL written from the contracts for the other versions.

    Credential errors (incomplete client-credentials settings) raise TargetError: exit status 2.
    """
    transport: httpx.BaseTransport | None = None
    kind = SERVICE
    if config.base_url is None:
        from graph_contracts.client import InProcessTransport
        from graph_contracts.mock import create_app

        token = token or os.environ.get("GRAPH_TOKEN") or new_token()
        app = create_app(contracts, token=token, faults=config.faults, seed=seed, metadata=metadata)
        transport, kind = InProcessTransport(app), EMBEDDED
    try:
        credentials = auth_settings.from_settings(token, base_url=config.base_url)
    except GraphContractsError as exc:
        raise TargetError(str(exc)) from None
    base = config.base_url or EMBEDDED_URL
    versions = sorted({c.version for c in contracts})
    pacer = (
        Pacer.off()
        if kind == EMBEDDED
        else Pacer(write_rate=config.write_rate, rate=config.rate, share=config.share)
    )
    contact = Contact()  # one target: once any client is answered, a refusal means it went away
    clients = {
        v: GraphClient(
            base,
            v,
            auth=credentials,
            transport=transport,
            on_retry=on_retry,
            pacer=pacer,
            timeout=config.request_timeout,
            retry=RetryPolicy(base=config.retry_backoff),
            max_reply_bytes=int(config.max_reply_mb * 1024 * 1024),
            contact=contact,
        )
        for v in versions
    }
    target = Target(base.rstrip("/"), kind, clients, credentials, [token] if token else [])
    target.pacer = pacer
    return target
