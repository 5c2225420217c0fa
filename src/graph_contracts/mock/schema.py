"""The mock's `GET /{version}/$metadata`: the CSDL it was given, or one written from its contracts.

Graph serves its schema at `{base}/{version}/$metadata` (CSDL XML), and a run reads it without a
flag; the mock serves one too, so that path is exercised without a tenant. A document given with
`graph-contracts mock --metadata FILE` is served byte for byte for the version its name tells
(`beta_metadata.xml`; an untold name serves every version); otherwise the document is written
from the contracts of that version (`metadata.write_csdl`), once. Every reply carries a strong ETag and a conditional GET with a
matching `If-None-Match` gets 304 with no body, which is what a run's metadata cache relies on.
Like `/openapi.json` it needs no token (Graph's `$metadata` is public) and no fault applies to it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from starlette.requests import Request
from starlette.responses import Response

from graph_contracts import __version__
from graph_contracts.client import MOCK_HEADER
from graph_contracts.contracts import Contract
from graph_contracts.metadata import Csdl, write_csdl

PATH = re.compile(r"^/(?P<version>[^/]+)/\$metadata$")
XML = "application/xml"


class ServedSchema:
    """The `$metadata` documents of one mock, per API version, written on first request."""

    def __init__(self, contracts: Iterable[Contract], given: Iterable[Csdl] = ()) -> None:
        self.contracts = list(contracts)
        given = [c for c in given if c.document is not None]
        told = {c.version: c.document for c in given if c.version is not None}
        self.versions: set[str] = {c.version for c in self.contracts} | set(told)
        untold = next((c.document for c in given if c.version is None), None)
        self.documents: dict[str, bytes] = {v: untold for v in self.versions} if untold else {}
        self.documents.update(told)  # type: ignore[arg-type]

    def version_of(self, path: str, method: str) -> str | None:
        """The version whose `$metadata` a request asks for; None when it asks for something else."""
        match = PATH.match(path)
        if method != "GET" or match is None or match["version"] not in self.versions:
            return None
        return match["version"]

    def document(self, version: str) -> bytes:
        if version not in self.documents:
            self.documents[version] = write_csdl(c for c in self.contracts if c.version == version)
        return self.documents[version]

    def respond(self, request: Request, version: str) -> Response:
        document = self.document(version)
        etag = '"' + hashlib.sha256(document).hexdigest()[:32] + '"'
        headers = {"ETag": etag, MOCK_HEADER: __version__}
        asked = request.headers.get("if-none-match", "")
        if etag in [tag.strip() for tag in asked.split(",")] or asked.strip() == "*":
            return Response(status_code=304, headers=headers)
        return Response(document, media_type=XML, headers=headers)
