"""The reference Graph as a plain ASGI app: routing, auth, PATCH, Graph's headers and error shape.

Order of a request: the stats route and `GET /{version}/$metadata` (the `--csdl` file of that
version, byte for byte, with a strong ETag and 304 for a matching If-None-Match; no auth, as
Graph's), throttling (the `throttle-fractional` variant), bearer
auth (401 with `WWW-Authenticate`), the write budget (429), routing (400 for a segment no template
names, 404 for an unknown id), the method (405), then for PATCH the Content-Type (415), the body
size (413 over 4 MB, Graph's request limit: "under 4 MB" in the attachment docs), strict JSON (400),
every value against its type (400), and the merge. Graph's evolvable enumerations are kept as its
pattern says (microsoft/api-guidelines, graph/patterns/evolvable-enums.md): without `Prefer:
include-unknown-enum-members` a reply shows every member declared after `unknownFutureValue` as it
and a PATCH writing one is refused (400); with it they are kept and the reply says
`Preference-Applied: include-unknown-enum-members`; a PATCH that sends the sentinel leaves that
property as it was. Variants and defects from catalogue.py change
what the docs leave open, or break the contract on purpose; without them the server follows the
docs and ../shared/GRAPH-FACTS.md.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reference import catalogue
from reference.catalogue import CONSISTENCY_WINDOW, THROTTLE_EVERY, THROTTLE_RETRY_AFTER
from reference.mangling import mangle
from reference.pacing import Pacing
from reference.schema import Field, Resource, documents_by_version, load_resources
from reference.store import BadSegment, Collection, Entity, NotFound, Store
from reference.values import (
    OTHER,
    SENTINEL,
    Context,
    Invalid,
    Raw,
    Spelling,
    copy_value,
    fill_all,
    names_later,
    names_sentinel,
    parse,
    read_json,
    render,
    write_json,
    zero,
)

GRAPH_JSON = (
    "application/json;odata.metadata=minimal;odata.streaming=true;"
    "IEEE754Compatible=false;charset=utf-8"
)
WWW_AUTHENTICATE = (
    'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", '
    'client_id="00000003-0000-0000-c000-000000000000"'
)
MAX_BODY = 4 * 1024 * 1024
STATS_PATH = "/_reference/stats"
METADATA_PATH = re.compile(r"/([^/]+)/\$metadata")
EXTRA_PROPERTIES = {"referenceRevision": 7, "referenceNote": "not in the docs"}
OPT_IN = "include-unknown-enum-members"
_BEARER = re.compile(r"bearer\s+(\S.*)", re.IGNORECASE)


class GraphError(Exception):
    """An error reply, rendered in the OData error shape."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}


@dataclass
class Reply:
    status: int
    body: Any = None  # JSON-ready, or None for no body
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None  # a body sent as it is (the CSDL document), with its own media type


class Request:
    """What the handlers read from an ASGI HTTP scope."""

    def __init__(self, scope: dict[str, Any], receive: Any) -> None:
        self.scope, self.receive = scope, receive
        self.method: str = scope["method"].upper()
        self.path: str = scope["path"]
        self.headers: dict[str, str] = {}
        for name, value in scope.get("headers", []):
            key = name.decode("latin-1").lower()
            text = value.decode("latin-1")
            self.headers[key] = f"{self.headers[key]}, {text}" if key in self.headers else text

    @property
    def base_url(self) -> str:
        host = self.headers.get("host")
        if not host:
            server = self.scope.get("server") or ("localhost", None)
            host = f"{server[0]}:{server[1]}" if server[1] else server[0]
        return f"{self.scope.get('scheme', 'http')}://{host}"

    async def body(self, limit: int) -> bytes:
        """The whole body; GraphError 413 as soon as it is known to exceed `limit` bytes."""
        declared = self.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise _too_large(limit)
        chunks, size = [], 0
        while True:
            message = await self.receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise _too_large(limit)
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        return b"".join(chunks)


def _too_large(limit: int) -> GraphError:
    return GraphError(
        413, "RequestEntityTooLarge", f"The request body exceeds the {limit // 2**20} MB limit."
    )


def create_app(
    contracts_dir: Path,
    *,
    token: str,
    csdl: Iterable[Path] = (),
    variants: Iterable[str] = (),
    defects: Iterable[str] = (),
    write_budget: tuple[int, float] | None = None,
    seed: int = 0,
) -> ReferenceGraph:
    """The reference Graph for the contracts in `contracts_dir`, as an ASGI app.

    Raises UnknownBehaviour for a bad variant or defect name, SchemaError for unreadable files.
    """
    files = [Path(p) for p in csdl]
    return ReferenceGraph(
        load_resources(Path(contracts_dir), files),
        token=token,
        behaviours=catalogue.select(variants, defects),
        write_budget=write_budget,
        seed=seed,
        metadata=documents_by_version(files),
    )


class ReferenceGraph:
    """State and behaviour of one server; an ASGI callable."""

    def __init__(
        self,
        resources: list[Resource],
        *,
        token: str,
        behaviours: frozenset[str],
        write_budget: tuple[int, float] | None = None,
        seed: int = 0,
        clock: Any = time.monotonic,
        metadata: dict[str | None, bytes] | None = None,
    ) -> None:
        self.store = Store(resources, seed=seed)
        self.metadata = metadata or {}  # version (None: any version) -> CSDL XML
        self.token = token
        self.behaviours = behaviours
        self.clock = clock
        throttle = THROTTLE_EVERY if self.has("throttle-fractional") else None
        self.pacing = Pacing(write_budget, throttle, THROTTLE_RETRY_AFTER, clock)
        self.spelling = Spelling(
            style=OTHER if self.has("other-spelling") else "canonical",
            echo_annotations=self.has("echo-annotations"),
            annotate_derived=not self.has("no-odata-type"),
        )

    def has(self, name: str) -> bool:
        return name in self.behaviours

    # --- ASGI --------------------------------------------------------------------------------------

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        reply = await self.handle(request)
        await _send(reply, send)

    async def handle(self, request: Request) -> Reply:
        request_id = str(uuid.uuid4())
        client_request_id = request.headers.get("client-request-id") or request_id
        try:
            reply = await self._handle(request)
            if self._applies_opt_in(request):  # RFC 7240 §3: say which preference was applied
                reply.headers["Preference-Applied"] = OPT_IN
        except GraphError as err:
            reply = _error(err, request_id, client_request_id)
        except Exception as exc:  # a bug here must read as a server error, not a dead connection
            err = GraphError(500, "InternalServerError", f"{type(exc).__name__}: {exc}")
            reply = _error(err, request_id, client_request_id)
        reply.headers.update({"request-id": request_id, "client-request-id": client_request_id})
        return reply

    async def _handle(self, request: Request) -> Reply:
        if request.path == STATS_PATH and request.method == "GET":
            return Reply(200, self.pacing.counters.to_dict())
        schema = METADATA_PATH.fullmatch(request.path)
        if schema is not None and request.method == "GET":
            document = self.metadata.get(schema.group(1), self.metadata.get(None))
            if document is not None:
                return _document(request, document)
        retry = self.pacing.on_request()
        if retry is not None:
            raise _throttled(retry)
        if not self.has("no-auth"):
            _authorize(request, self.token)
        retry = self.pacing.on_write(request.method)
        if retry is not None:
            raise _throttled(retry)
        return await self._dispatch(request)

    # --- evolvable enumerations --------------------------------------------------------------------

    def _applies_opt_in(self, request: Request) -> bool:
        """Whether this request gets the members declared after the sentinel: it asks for them,
        and no variant has the server ignore the preference (RFC 7240 lets a server do so)."""
        asked = OPT_IN in _preference_names(request.headers.get("prefer", ""))
        ignored = self.has("opt-in-ignored") or (
            self.has("opt-in-ignored-on-reads") and request.method == "GET"
        )
        return asked and not ignored

    def _spelling(self, request: Request) -> Spelling:
        """The server's spelling, hiding later members from a request it does not opt in."""
        if self._applies_opt_in(request):
            return self.spelling
        return replace(self.spelling, hide_later=True)

    # --- routing -------------------------------------------------------------------------------------

    async def _dispatch(self, request: Request) -> Reply:
        segments = [s for s in request.path.split("/") if s]
        version, rest = (segments[0], segments[1:]) if segments else ("", [])
        try:
            node = self.store.resolve(version, rest)
        except BadSegment as exc:
            raise GraphError(400, "BadRequest", str(exc)) from None
        except NotFound as exc:
            node = self._upsert(request, version, rest)
            if node is None:
                raise GraphError(404, "ResourceNotFound", str(exc)) from None
        if request.method == "GET":
            return Reply(200, self._show(request, node))
        resource = self.store.resource(node) if isinstance(node, Entity) else None
        if request.method != "PATCH" or resource is None:
            allowed = "GET, PATCH" if resource is not None else "GET"
            raise GraphError(
                405,
                "MethodNotAllowed",
                f"{request.method} is not supported here; allowed: {allowed}.",
                {"Allow": allowed},
            )
        assert isinstance(node, Entity)
        return await self._patch(request, node, resource)

    def _upsert(self, request: Request, version: str, rest: list[str]) -> Entity | None:
        """`not-found-creates`: a PATCH of an unknown id makes the entity instead of a 404."""
        if not (self.has("not-found-creates") and request.method == "PATCH" and rest):
            return None
        try:
            parent = self.store.resolve(version, rest[:-1])
        except (BadSegment, NotFound):
            return None
        return self.store.create(parent, rest[-1]) if isinstance(parent, Collection) else None

    # --- GET -----------------------------------------------------------------------------------------

    def _show(self, request: Request, node: Entity | Collection) -> dict[str, Any]:
        version = node.key[0]
        metadata = f"{request.base_url}/{version}/$metadata#"
        spelling = self._spelling(request)
        if isinstance(node, Collection):
            items = [self._render(e, self._visible(e), spelling) for e in node.listing()]
            return {"@odata.context": metadata + node.context, "value": items}
        body = self._render(node, self._visible(node), spelling)
        return {"@odata.context": f"{metadata}{node.entity_set}/$entity", **body}

    def _visible(self, entity: Entity) -> dict[str, Any]:
        """The entity as a GET sees it: the old values inside an eventual-consistency window."""
        if entity.stale is not None and self.clock() < entity.stale[1]:
            return entity.stale[0]
        return entity.values

    def _render(self, entity: Entity, values: dict[str, Any], spelling: Spelling) -> dict[str, Any]:
        """An entity on the wire; `@odata.type` only when its type is not the declared one."""
        out: dict[str, Any] = {}
        if self.has("wrong-odata-type"):
            out["@odata.type"] = "#microsoft.graph.entity"
        elif entity.type and entity.type != entity.declared and not self.has("no-odata-type"):
            out["@odata.type"] = f"#{entity.type}"
        resource = self.store.resource(entity)
        fields: dict[str, Field] = resource.fields if resource else {}
        for name, value in values.items():
            found = fields.get(name)
            out[name] = render(value, found.type, spelling) if found else value
        if self.has("extra-properties") and resource is not None:
            for name, value in EXTRA_PROPERTIES.items():
                out[name if name not in fields else f"{name}Extra"] = value
        return out

    # --- PATCH ---------------------------------------------------------------------------------------

    async def _patch(self, request: Request, entity: Entity, resource: Resource) -> Reply:
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media != "application/json":
            raise GraphError(
                415,
                "UnsupportedMediaType",
                f"Content-Type {media or '(none)'!r} is not supported; send application/json.",
            )
        raw = await request.body(MAX_BODY)
        try:
            body = read_json(raw)
        except Invalid as exc:
            raise GraphError(400, "BadRequest", str(exc)) from None
        if not isinstance(body, dict):
            raise GraphError(400, "BadRequest", "The request body must be a JSON object.")
        sent = self._validate(resource, body, self._applies_opt_in(request))
        after = self._store(entity, resource, sent)
        return self._patch_reply(request, entity, resource, sent, after)

    def _validate(self, resource: Resource, body: dict[str, Any], opted_in: bool) -> dict[str, Any]:
        """The updatable properties a body sets, parsed, in sent order; 400 on anything invalid.

        A property whose value sends `unknownFutureValue` is left out (kept as it was); one that
        names a member declared after it is refused unless the request was opted in.
        """
        problems: list[str] = []
        derived = False
        if "@odata.type" in body:
            named = body["@odata.type"]
            named = named.removeprefix("#") if isinstance(named, str) else None
            if named not in resource.accepted_types:
                problems.append(
                    f"@odata.type: {body['@odata.type']!r} is not #{resource.name} "
                    "or a type its documented requests send"
                )
            derived = named != resource.name
        context = Context(resource.complex_types, resource.derives)
        sent: dict[str, Any] = {}
        for name, value in body.items():
            if "@" in name:
                continue  # instance and property annotations are not values
            found = resource.fields.get(name)
            if found is None:
                if not derived:  # a documented derived type's own property: nothing to judge by
                    problems.append(f"{name}: not a property of {resource.name}")
                continue
            if not found.updatable:
                continue  # key and read-only values are ignored (OData 4.01 §11.4.3)
            try:
                parsed = parse(value, found.type, found.nullable, name, context)
            except Invalid as exc:
                if not self.has("accept-invalid"):
                    problems.append(str(exc))
                sent[name] = Raw(value)
                continue
            if names_sentinel(parsed, found.type):
                continue  # "treat the property as if it were absent"
            if names_later(parsed, found.type) and not opted_in:
                problems.append(
                    f"{name}: a member declared after {SENTINEL} needs Prefer: {OPT_IN}"
                )
            sent[name] = parsed
        if problems:
            raise GraphError(400, "BadRequest", "Invalid request body: " + "; ".join(problems))
        return sent

    def _store(self, entity: Entity, resource: Resource, sent: dict[str, Any]) -> dict[str, Any]:
        """Merge the sent values (complex values replaced, then filled); the entity after it."""
        stored = {
            name: mangle(
                fill_all(value, resource.fields[name].type),
                resource.fields[name].type,
                self.behaviours,
            )
            for name, value in sent.items()
        }
        after = dict(entity.values)
        if self.has("replace-not-merge"):
            for name, found in resource.fields.items():
                if found.updatable and name not in stored:
                    after[name] = zero(found.type, found.nullable)
        after.update(stored)
        if not self.has("not-persisted"):
            if self.has("eventual-consistency"):
                now, stale = self.clock(), entity.stale
                old = stale[0] if stale is not None and now < stale[1] else entity.values
                entity.stale = (old, now + CONSISTENCY_WINDOW)
            entity.values = after
        if self.has("touch-sibling"):
            sibling = next(self.store.siblings(entity), None)
            if sibling is not None:
                sibling.values = {**sibling.values, **{k: copy_value(v) for k, v in stored.items()}}
        return after

    def _patch_reply(
        self,
        request: Request,
        entity: Entity,
        resource: Resource,
        sent: dict[str, Any],
        after: dict[str, Any],
    ) -> Reply:
        if self.has("status-201"):
            status = 201
        elif self.has("minimal-204") or resource.status == 204:
            return Reply(204)
        else:
            status = resource.status
        body = self._render(entity, after, self._spelling(request))
        if self.has("drop-field") and sent:
            body.pop(next(iter(sent)), None)
        metadata = f"{request.base_url}/{entity.key[0]}/$metadata#{entity.entity_set}/$entity"
        return Reply(status, {"@odata.context": metadata, **body})


# --- helpers -----------------------------------------------------------------------------------------


def _preference_names(value: str) -> set[str]:
    """The names in a `Prefer` header (RFC 7240 §2: comma separated, `name[=value][; params]`)."""
    return {item.split(";")[0].split("=")[0].strip().lower() for item in value.split(",")}


def _authorize(request: Request, token: str) -> None:
    match = _BEARER.fullmatch(request.headers.get("authorization", "").strip())
    given = match.group(1).strip() if match else ""
    challenge = {"WWW-Authenticate": WWW_AUTHENTICATE}
    if not given:
        raise GraphError(401, "InvalidAuthenticationToken", "Access token is empty.", challenge)
    if not hmac.compare_digest(given.encode(), token.encode()):
        raise GraphError(
            401, "InvalidAuthenticationToken", "Access token validation failure.", challenge
        )


def _document(request: Request, document: bytes) -> Reply:
    """A CSDL document with a strong ETag; 304 when the client already has this one."""
    etag = '"' + hashlib.sha256(document).hexdigest()[:40] + '"'
    asked = [t.strip() for t in request.headers.get("if-none-match", "").split(",")]
    if etag in asked:
        return Reply(304, headers={"ETag": etag})
    return Reply(200, headers={"ETag": etag, "Content-Type": "application/xml"}, raw=document)


def _throttled(retry_after: str) -> GraphError:
    return GraphError(
        429,
        "TooManyRequests",
        "Too many requests; retry after the time given in Retry-After.",
        {"Retry-After": retry_after},
    )


def _error(err: GraphError, request_id: str, client_request_id: str) -> Reply:
    """The OData error shape; `innerError.date` has no zone and no fraction, as Graph's."""
    inner = {
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
        "request-id": request_id,
        "client-request-id": client_request_id,
    }
    body = {"error": {"code": err.code, "message": err.message, "innerError": inner}}
    return Reply(err.status, body, dict(err.headers))


async def _send(reply: Reply, send: Any) -> None:
    headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in reply.headers.items()]
    content = b""
    if reply.raw is not None:
        content = reply.raw
    elif reply.body is not None:
        content = write_json(reply.body).encode("utf-8")
        headers.append((b"content-type", GRAPH_JSON.encode()))
    headers.append((b"content-length", str(len(content)).encode()))
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": content})


async def _lifespan(receive: Any, send: Any) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
