"""The mock Graph's HTTP face: routing, auth, PATCH semantics, Graph's headers and error shape.

Order of a request, as Graph applies it: operational faults (latency, throttling, 503), bearer auth
(401 with `WWW-Authenticate`), routing (400 for a segment no template names, 404 for an unknown id),
method (405), then for PATCH the Content-Type (415), the size (413 over Graph's 4 MB write limit),
the JSON body (400) and the oracle's verdict on it (`bodies.problems`: 400 for every problem whose
rejection is documented, lone surrogates included; what no source makes invalid is accepted as
Graph's .NET stack does), then, where the docs require If-Match (Planner), the entity's ETag (412
when missing or not current), and finally the merge under the store lock, values stored as .NET
writes them (`edm.canonical`) and a new `@odata.etag` per write. Every reply carries `x-graph-contracts-mock: <version>`, so a run can tell
this mock from a real service. Defects from the fault catalogue hook in where a broken server would
go wrong; with no faults the mock follows ../shared/GRAPH-FACTS.md.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import re
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from graph_contracts import __version__, bodies, edm, preferences
from graph_contracts.client import MOCK_HEADER
from graph_contracts.contracts import Contract
from graph_contracts.metadata import Csdl
from graph_contracts.mock import faults as F
from graph_contracts.mock.schema import ServedSchema
from graph_contracts.mock.store import (
    BadSegment,
    Collection,
    Entity,
    NotFound,
    Store,
    default_value,
    is_stream,
)
from graph_contracts.preferences import INCLUDE_UNKNOWN_ENUM_MEMBERS
from graph_contracts.required_headers import ETAG, IF_MATCH, requires_etag

GRAPH_JSON = (
    "application/json;odata.metadata=minimal;odata.streaming=true;"
    "IEEE754Compatible=false;charset=utf-8"
)
WWW_AUTHENTICATE = (
    'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", '
    'client_id="00000003-0000-0000-c000-000000000000"'
)
# Every reply names our own mock, so a run can tell it from a real service.
# "Write requests in the Microsoft Graph API have a size limit of 4 MB" (Use the Microsoft Graph
# API, https://learn.microsoft.com/graph/use-the-api); some workloads allow less.
MAX_BODY_BYTES = 4 * 1024 * 1024
_BEARER = re.compile(r"^bearer\s+(\S.*)$", re.IGNORECASE)
_DTO_HEAD = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(:\d{2})?")


class HTTPError(Exception):
    """A Graph error reply; rendered in the OData error shape by `MockGraph.error`."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


@dataclass
class Exchange:
    """Per-request ids that every reply carries, and whether the request opted in to the members
    of evolvable enums declared after `unknownFutureValue`."""

    request_id: str
    client_request_id: str
    opted_in: bool = False


def create_app(
    contracts: list[Contract],
    *,
    token: str | None = None,
    faults: Iterable[str] = (),
    seed: int = 0,
    metadata: Iterable[Csdl] = (),
) -> Starlette:
    """The mock Graph for `contracts` as an ASGI app; raises UnknownFault for a bad fault name.

    `metadata`: CSDL documents (`metadata.load_csdl`) whose types seed what the docs never
    resolved (`csdl_types`); a document whose `version` is None serves every API version. Each
    is served at `/{version}/$metadata`; a version without one serves a CSDL written from its
    contracts (`mock.schema`).
    """
    metadata = list(metadata)
    graph = MockGraph(contracts, token=token, faults=faults, seed=seed, metadata=metadata)
    app = Starlette()
    # Every path and method goes to the mock: Starlette's route patterns would answer a plain-text
    # 404 for a path with a newline in it, and its 405 is not Graph's.
    app.router = _Endpoint(graph, ServedSchema(contracts, metadata))  # type: ignore[assignment]
    app.state.graph = graph
    return app


class _Endpoint:
    """The ASGI app behind Starlette's middleware: lifespan, `/openapi.json`, `$metadata`, then
    the mock."""

    def __init__(self, graph: MockGraph, schema: ServedSchema) -> None:
        self.graph = graph
        self.schema = schema

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        request = Request(scope, receive)
        version = self.schema.version_of(scope["path"], request.method)
        if scope["path"] == "/openapi.json" and request.method == "GET":
            response = await self.graph.openapi(request)
        elif version is not None:
            response = self.schema.respond(request, version)
        else:
            response = await self.graph.handle(request)
        await response(scope, receive, send)


async def _lifespan(receive: Any, send: Any) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


class MockGraph:
    """State and behaviour behind the ASGI app; one per `create_app` call."""

    def __init__(
        self,
        contracts: list[Contract],
        *,
        token: str | None,
        faults: Iterable[str],
        seed: int,
        metadata: Iterable[Csdl] = (),
    ) -> None:
        self.contracts = list(contracts)
        self.store = Store(self.contracts, seed=seed, metadata=metadata)
        self.token = token
        self.faults = F.select(faults)
        self.tolerated = F.tolerated(self.faults)
        self.clock = F.Clock()
        self._accepted_types: dict[tuple[str, str], frozenset[str]] = {}
        self._stale: dict[tuple[str, ...], tuple[dict[str, Any], float]] = {}
        self._openapi: dict[str, Any] | None = None

    def has(self, name: str) -> bool:
        return name in self.faults

    # --- entry points ---------------------------------------------------------------------------

    async def openapi(self, request: Request) -> Response:
        """The OpenAPI document of what this mock serves (no auth: it is public metadata)."""
        if self._openapi is None:
            from graph_contracts.openapi import build

            self._openapi = build(self.contracts)
        return JSONResponse(self._openapi, headers={MOCK_HEADER: __version__})

    async def handle(self, request: Request) -> Response:
        request_id = str(uuid.uuid4())
        ex = Exchange(
            request_id,
            request.headers.get("client-request-id") or request_id,
            preferences.asked(request.headers, INCLUDE_UNKNOWN_ENUM_MEMBERS),
        )
        try:
            await self._operational(request)
            self._authorize(request)
            response = await self._dispatch(request, ex)
        except HTTPError as err:
            return self.error(err, ex)
        if ex.opted_in:  # RFC 7240 §3: the reply says which preferences it applied
            response.headers[preferences.APPLIED] = INCLUDE_UNKNOWN_ENUM_MEMBERS
        return response

    async def _operational(self, request: Request) -> None:
        if self.has("latency"):
            await asyncio.sleep(F.LATENCY)
        if not self.faults & {"throttle", "throttle-fractional", "transient-503"}:
            return
        n = self.clock.tick()
        if self.has("throttle") and n % F.THROTTLE_EVERY == 0:
            raise _throttled(F.THROTTLE_RETRY_AFTER)
        if self.has("throttle-fractional"):
            now = time.monotonic()
            if now < self.clock.blocked_until:
                raise _throttled(f"{max(self.clock.blocked_until - now, 0.01):.2f}")
            if n % F.FRACTIONAL_EVERY == 0:
                self.clock.blocked_until = now + F.FRACTIONAL_RETRY_AFTER
                raise _throttled(f"{F.FRACTIONAL_RETRY_AFTER:g}")
        if self.has("transient-503") and n % F.UNAVAILABLE_EVERY == 0:
            raise HTTPError(503, "serviceNotAvailable", "The service is temporarily unavailable.")

    def _authorize(self, request: Request) -> None:
        if self.has("no-auth"):
            return
        match = _BEARER.match(request.headers.get("authorization", ""))
        given = match.group(1).strip() if match else ""
        challenge = {} if self.has("no-auth-challenge") else {"WWW-Authenticate": WWW_AUTHENTICATE}
        if not given:
            raise HTTPError(401, "InvalidAuthenticationToken", "Access token is empty.", challenge)
        if self.token is not None and not hmac.compare_digest(given.encode(), self.token.encode()):
            raise HTTPError(
                401, "InvalidAuthenticationToken", "Access token validation failure.", challenge
            )

    async def _dispatch(self, request: Request, ex: Exchange) -> Response:
        segments = [s for s in request.url.path.split("/") if s]
        version, rest = (segments[0], segments[1:]) if segments else ("", [])
        trail: list[str] = []
        try:
            node = self.store.resolve(version, rest, trail)
        except BadSegment as exc:
            raise HTTPError(400, "BadRequest", str(exc)) from None
        except NotFound as exc:
            node = self._upsert_target(request, version, rest, trail)
            if node is None:
                raise self._not_found(str(exc)) from None
        if request.method == "GET":
            body = self._get(request, version, node, trail, ex)
            return self.reply(200, body, ex, _etag_header(body))
        allowed = (
            "GET, PATCH" if isinstance(node, Entity) and self._contract(version, node) else "GET"
        )
        if request.method != "PATCH" or isinstance(node, Collection):
            what = "a collection" if isinstance(node, Collection) else "this resource"
            raise HTTPError(
                405,
                "MethodNotAllowed",
                f"{request.method} is not supported on {what}; allowed: {allowed}.",
                {"Allow": allowed},
            )
        contract = self._contract(version, node)
        if contract is None:
            raise HTTPError(405, "MethodNotAllowed", f"{node.type} cannot be updated here.")
        return await self._patch(request, ex, version, node, contract, trail)

    def _contract(self, version: str, entity: Entity) -> Contract | None:
        return self.store.contract_for(version, entity)

    def _not_found(self, message: str) -> HTTPError:
        if self.has("not-found-400"):
            return HTTPError(400, "BadRequest", message)
        return HTTPError(404, "ResourceNotFound", message)

    def _upsert_target(
        self, request: Request, version: str, rest: list[str], trail: list[str]
    ) -> Entity | None:
        """`not-found-creates`: a PATCH on an unknown id makes the entity instead of a 404."""
        if not (self.has("not-found-creates") and request.method == "PATCH" and rest):
            return None
        trail.clear()
        try:
            parent = self.store.resolve(version, rest[:-1], trail)
        except (BadSegment, NotFound):
            return None
        if not isinstance(parent, Collection):
            return None
        with self.store.lock:
            entity = self.store.create(version, parent, rest[-1])
        if entity is not None:
            trail[-1] += f"('{rest[-1]}')"
        return entity

    # --- GET ------------------------------------------------------------------------------------

    def _get(
        self,
        request: Request,
        version: str,
        node: Entity | Collection,
        trail: list[str],
        ex: Exchange,
    ) -> dict[str, Any]:
        context = self._context(request, version, node, trail)
        hide = not ex.opted_in
        if isinstance(node, Collection):
            with self.store.lock:
                items = [self.render(version, e, self._visible(e), hide) for e in node.listing()]
            return self._with_context({"value": items}, context)
        with self.store.lock:
            data = self._visible(node)
        return self._with_context(self.render(version, node, data, hide), context)

    def _visible(self, entity: Entity) -> dict[str, Any]:
        """The entity's data as a GET sees it (the old one inside an eventual-consistency window)."""
        stale = self._stale.get(entity.key)
        if stale is not None and time.monotonic() < stale[1]:
            return dict(stale[0])
        return dict(entity.data)

    def _context(
        self, request: Request, version: str, node: Entity | Collection, trail: list[str]
    ) -> str:
        parts = list(trail)
        if isinstance(node, Entity):
            ident = str(node.data.get("id", ""))
            if node.keyed and parts and parts[-1].endswith(f"('{ident}')"):
                parts[-1] = parts[-1][: -len(f"('{ident}')")]
            parts.append("$entity")
        base = str(request.base_url).rstrip("/")
        return f"{base}/{version}/$metadata#{'/'.join(parts)}"

    def _with_context(self, body: dict[str, Any], context: str) -> dict[str, Any]:
        if self.has("missing-context"):
            return body
        return {"@odata.context": context, **body}

    def render(
        self, version: str, entity: Entity, data: dict[str, Any], hide_future: bool = False
    ) -> dict[str, Any]:
        """The entity on the wire: `@odata.type` first, then its properties (defects applied).

        `hide_future`: the request did not opt in, so every enum member declared after
        `unknownFutureValue` is shown as it (Graph's evolvable-enum pattern).
        """
        odata_type = (
            "#microsoft.graph.entity" if self.has("wrong-odata-type") else f"#{entity.type}"
        )
        body = {"@odata.type": odata_type, **data}
        contract = self._contract(version, entity)
        if hide_future and contract is not None:
            for prop in contract.properties:
                if prop.name in body:
                    body[prop.name] = edm.hide_future_members(
                        body[prop.name], prop.type, contract.types
                    )
        if self.has("int-off-by-one-out") and contract is not None:
            for prop in contract.properties:
                value = body.get(prop.name)
                if (
                    prop.type in edm.INT_RANGES
                    and isinstance(value, int)
                    and not isinstance(value, bool)
                ):
                    body[prop.name] = value + 1
        return body

    # --- PATCH ----------------------------------------------------------------------------------

    async def _patch(
        self,
        request: Request,
        ex: Exchange,
        version: str,
        entity: Entity,
        contract: Contract,
        trail: list[str],
    ) -> Response:
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media != "application/json":
            raise HTTPError(
                415,
                "UnsupportedMediaType",
                f"Content-Type {media or '(none)'!r} is not supported; send application/json.",
            )
        body = parse_body(await read_body(request))
        sent = self._validate(contract, body, ex.opted_in)
        with self.store.lock:  # the ETag is compared and renewed in the same step as the write
            self._precondition(request, entity, contract)
            before = dict(entity.data)
            after = {**before, **self._resets(contract, sent), **self._stored(contract, sent)}
            after = self.store.next_version(entity, after)
            if not self.has("not-persisted"):
                entity.data.clear()
                entity.data.update(after)
            if self.has("touch-sibling"):
                for sibling in self.store.siblings(entity):
                    sibling.data.update(self._stored(contract, sent))
                    break
            if self.has("eventual-consistency"):
                old = self._stale.get(entity.key)
                keep = old[0] if old and time.monotonic() < old[1] else before
                self._stale[entity.key] = (keep, time.monotonic() + F.CONSISTENCY_WINDOW)
        status = self._success_status(request, contract)
        if status == 204:
            return self.reply(204, None, ex, _etag_header(after))
        reply = self.render(version, entity, after, not ex.opted_in)
        if self.has("drop-field"):
            dropped = next((k for k in sent if contract.property(k)), None)
            reply.pop(dropped or "", None)
        context = self._context(request, version, entity, trail)
        return self.reply(status, self._with_context(reply, context), ex, _etag_header(after))

    def _precondition(self, request: Request, entity: Entity, contract: Contract) -> None:
        """412 where the docs require If-Match and it is missing or names no current version.

        planner-overview.md: "PATCH and DELETE requests require the last etag known by the client
        to be specified with a If-Match header"; 412 without it, and "if the etag value specified
        in the request no longer matches a version of the resource". Planner may accept an older
        ETag when the change does not conflict; this mock is strict: only the current ETag (or
        `*`, RFC 7232 §3.1: any current representation) matches. Evaluated after the body's 400s,
        as RFC 7232 §5 orders them (and a 404 for an unknown id comes first, at routing).
        """
        if not requires_etag(contract) or entity.etag is None:
            return
        given = request.headers.get(IF_MATCH.lower(), "").strip()
        if not given:
            raise HTTPError(
                412,
                "PreconditionFailed",
                f"The {IF_MATCH} header is required: send the entity's last known {ETAG}.",
            )
        tags = {tag.strip() for tag in given.split(",")}
        if "*" not in tags and entity.etag not in tags:
            raise HTTPError(
                412,
                "PreconditionFailed",
                f"The {IF_MATCH} value names no current version of this entity; read it again "
                "for its current ETag.",
            )

    def _validate(self, contract: Contract, body: Any, opted_in: bool = True) -> dict[str, Any]:
        """The updatable properties a PATCH body sets, in sent order; 400 on what must be refused.

        The oracle (`bodies.problems`) judges the body; a documented problem is a 400 unless a
        defect from the fault catalogue tolerates its kind. Undocumented ones are accepted as
        Graph's .NET stack does: `{}` is a no-op, null where nullability is unknown is stored,
        a numeric string for an Int64/Decimal is stored as the number (`_stored`). Graph's
        evolvable-enum pattern: a property that sends `unknownFutureValue` is left as it was, and
        a member declared after it is refused unless the request opted in (`opted_in`).
        """
        found = bodies.problems(contract, body, accepted_types=self._accepted(contract))
        if not opted_in:
            found += _future_members(contract, body)
        refused = [p for p in found if p.kind.rejection_documented and p.kind not in self.tolerated]
        if refused:
            message = "Invalid request body: " + "; ".join(map(str, refused))
            if self.has("server-error-on-invalid"):
                raise HTTPError(500, "InternalServerError", "An unexpected error occurred.")
            raise HTTPError(400, "BadRequest", message)
        derived = self._names_derived_type(contract, body)
        sentinel = {_top(p.where) for p in found if p.kind is edm.ProblemKind.SENTINEL}
        sent: dict[str, Any] = {}
        for name, value in body.items():
            prop = contract.property(name)
            if "@" in name or (prop is not None and not prop.updatable):
                continue  # annotations; key and read-only values are ignored (OData 4.01 §11.4.3)
            if prop is not None and is_stream(prop):
                continue  # a stream is written at its own URL, never stored from JSON
            if name in sentinel:
                continue  # treated as absent: the value as it was is kept
            if prop is not None or (not derived and self.has("accept-unknown-properties")):
                sent[name] = value
        return sent

    def _accepted(self, contract: Contract) -> frozenset[str]:
        """The `@odata.type` values a body for `contract` may name (computed once per contract)."""
        key = (contract.version, contract.resource)
        if key not in self._accepted_types:
            self._accepted_types[key] = bodies.accepted_types(contract)
        return self._accepted_types[key]

    def _names_derived_type(self, contract: Contract, body: dict[str, Any]) -> bool:
        """A documented derived type (`roomList` on the `place` page): its own properties are not
        in the base type's table, so they are neither judged nor stored."""
        named = body.get("@odata.type")
        if not isinstance(named, str):
            return False
        bare = named.removeprefix("#")
        return bare != contract.resource and bare in self._accepted(contract)

    def _resets(self, contract: Contract, sent: dict[str, Any]) -> dict[str, Any]:
        """`replace-not-merge`: what the unsent updatable properties fall back to."""
        if not self.has("replace-not-merge"):
            return {}
        return {
            p.name: default_value(p, contract.types)
            for p in contract.updatable()
            if p.name not in sent and not is_stream(p)
        }

    def _stored(self, contract: Contract, sent: dict[str, Any]) -> dict[str, Any]:
        """Values as the store keeps them: canonical (UTC `Z`, float32), or mangled by a defect."""
        stored: dict[str, Any] = {}
        for name, value in sent.items():
            prop = contract.property(name)
            if prop is None:
                stored[name] = value
                continue
            if self.has("datetime-truncated") and prop.type == "Edm.DateTimeOffset":
                value = _truncate_datetime(value)
            value = edm.canonical(value, prop.type, contract.types)
            if (
                self.has("mangle-string-in")
                and prop.type == "Edm.String"
                and isinstance(value, str)
            ):
                value = value.strip() + "…"
            stored[name] = value
        return stored

    def _success_status(self, request: Request, contract: Contract) -> int:
        prefer = request.headers.get("prefer", "").replace(" ", "").lower()
        if self.has("minimal-204") or "return=minimal" in prefer:
            return 204
        if contract.status == 204 and "return=representation" not in prefer:
            return 204
        # A contract generated from the docs answers what they document (`202 Accepted` for
        # windowsUpdates deployments); 200 when they document 204 but a body was asked for.
        documented = contract.status if contract.status in (200, 201, 202) else 200
        if self.has("status-201"):
            return 201 if documented != 201 else 200
        return documented

    # --- replies --------------------------------------------------------------------------------

    def reply(
        self, status: int, body: Any, ex: Exchange, headers: dict[str, str] | None = None
    ) -> Response:
        """A Graph reply: its JSON Content-Type, `request-id` and echoed `client-request-id`."""
        all_headers = {
            "request-id": ex.request_id,
            "client-request-id": ex.client_request_id,
            MOCK_HEADER: __version__,
        }
        all_headers.update(headers or {})
        if body is None:
            return Response(status_code=status, headers=all_headers)
        if self.has("numbers-as-strings-out"):
            body = _numbers_as_strings(body)
        content = _encode_json(body)
        media = "text/plain; charset=utf-8" if self.has("wrong-content-type") else GRAPH_JSON
        all_headers["content-type"] = media
        return Response(content, status_code=status, headers=all_headers)

    def error(self, err: HTTPError, ex: Exchange) -> Response:
        """The OData error shape; `innerError.date` has no zone and no fraction, as Graph's."""
        if self.has("wrong-error-shape"):
            return self.reply(err.status, {"message": err.message}, ex, err.headers)
        date = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")
        inner = {
            "date": date,
            "request-id": ex.request_id,
            "client-request-id": ex.client_request_id,
        }
        body = {"error": {"code": err.code, "message": err.message, "innerError": inner}}
        return self.reply(err.status, body, ex, err.headers)


async def read_body(request: Request) -> bytes:
    """The request body, or 413 as soon as it exceeds Graph's 4 MB write limit (`MAX_BODY_BYTES`)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _too_large(int(declared))
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _too_large(size)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(size: int) -> HTTPError:
    return HTTPError(
        413,
        "RequestEntityTooLarge",
        f"The request body ({size} bytes or more) exceeds the {MAX_BODY_BYTES} byte limit "
        "for write requests.",
    )


def _encode_json(body: Any) -> bytes:
    """Compact UTF-8 JSON; a lone surrogate a defect let in is escaped rather than crashing."""
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(body, separators=(",", ":")).encode("ascii")


def _throttled(retry_after: str) -> HTTPError:
    return HTTPError(
        429,
        "TooManyRequests",
        "Too many requests; retry after the time given in Retry-After.",
        {"Retry-After": retry_after},
    )


def parse_body(raw: bytes) -> Any:
    """The JSON of a PATCH body (`bodies.parse`); 400 for malformed JSON or NaN/Infinity."""
    try:
        return bodies.parse(raw)
    except ValueError as exc:
        raise HTTPError(400, "BadRequest", f"The request body is not valid JSON: {exc}") from None


def _future_members(contract: Contract, body: Any) -> list[edm.Problem]:
    """Members declared after `unknownFutureValue` in a body that did not opt in to them: Graph
    refuses them with 400 (microsoft/api-guidelines, graph/patterns/evolvable-enums.md)."""
    found = []
    for name, value in body.items() if isinstance(body, dict) else ():
        prop = contract.property(name)
        if prop is None or not prop.updatable:
            continue
        if edm.hide_future_members(value, prop.type, contract.types) != value:
            message = (
                f"{value!r} names a member declared after {edm.UNKNOWN_FUTURE_VALUE}; send "
                f"{preferences.PREFER}: {INCLUDE_UNKNOWN_ENUM_MEMBERS} to write it"
            )
            found.append(edm.Problem(edm.ProblemKind.UNKNOWN_MEMBER, name, message))
    return found


def _top(where: str) -> str:
    """The body key a problem sits under (`settings` for `settings.mode`, `tags` for `tags[1]`)."""
    return re.split(r"[.\[]", where, maxsplit=1)[0]


def _etag_header(body: Any) -> dict[str, str]:
    """`ETag` on a single entity's reply when it has one (RFC 7232 §2.3), beside `@odata.etag`."""
    etag = body.get(ETAG) if isinstance(body, dict) else None
    return {"ETag": etag} if isinstance(etag, str) else {}


def _truncate_datetime(value: Any) -> Any:
    """`datetime-truncated`: keep the local wall time to the second, drop fraction and offset."""
    match = _DTO_HEAD.match(value) if isinstance(value, str) else None
    return f"{match.group(1)}{match.group(2) or ':00'}Z" if match else value


def _numbers_as_strings(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _numbers_as_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers_as_strings(v) for v in value]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value
