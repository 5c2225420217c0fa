"""What a run learns from CSDL before its first check: the service's own `$metadata` per API
version (cached by its validators), `--metadata` files, the contracts refined by them, and the
drift between the docs, the files and the service (`SchemaRead`, announced once).

The run's one client reads the documents (`Target.service_metadata`); `metadata` refines and
compares; this module only puts them together for `Run.preflight`, so the run stays a driver of
stages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from graph_contracts.contracts import Contract
from graph_contracts.engine.config import RunConfig
from graph_contracts.engine.events import SchemaRead
from graph_contracts.engine.target import EMBEDDED, METADATA_PATH, ServiceSchema, Target
from graph_contracts.metadata import Csdl, drift, refine
from graph_contracts.metadata._cache import MetadataCache, default_directory


@dataclass
class Schemas:
    """The refined contracts, the CSDL documents per API version, and the event saying so."""

    contracts: list[Contract]
    by_version: dict[str, list[Csdl]]
    event: SchemaRead


def read(
    config: RunConfig, target: Target, documented: list[Contract], files: Mapping[str, Csdl]
) -> Schemas:
    """Read the service's documents, refine `documented` (the docs' contracts) and compare."""
    service = [_service_schema(config, target, v) for v in sorted(target.clients)]
    live = {s.version: s.csdl for s in service if s.csdl is not None}
    labels = {v: f"metadata file {c.path}" for v, c in files.items()}
    labels |= {v: f"the service's $metadata ({c.path})" for v, c in live.items()}
    refinement = refine(documented, {**files, **live}, labels)  # the service's own wins
    sources = [s.to_dict() for s in service]
    sources += [
        {"version": v, "kind": "file", "origin": c.path, "status": "given", "detail": ""}
        for v, c in sorted(files.items())
    ]
    event = SchemaRead(
        tuple(sources),
        refinement.counts(),
        drift(documented, files, live).to_dict(),
        refinement.by_contract(),
    )
    by_version = {v: [c for c in (files.get(v), live.get(v)) if c] for v in labels}
    return Schemas(refinement.contracts, by_version, event)


def _service_schema(config: RunConfig, target: Target, version: str) -> ServiceSchema:
    if not config.service_metadata:
        url = target.clients[version].url(METADATA_PATH)
        return ServiceSchema(version, url, None, "off", "not read (--no-service-metadata)")
    if target.kind == EMBEDDED:  # in-process: nothing to save by keeping a copy
        return target.service_metadata(version, MetadataCache(None))
    cache = MetadataCache(config.metadata_cache or default_directory())
    return target.service_metadata(version, cache)
