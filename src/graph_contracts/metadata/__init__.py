"""The service's schema (CSDL `$metadata`): read it, refine contracts with it, report drift.

A contract holds what the docs say. A CSDL — a file given with `--metadata`, or the document the
service itself serves at `{base}/{version}/$metadata` — says what the service runs. This package:

- `_reader`: one reader for both (types, keys, nullability, enum members, `OpenType`, streams,
  `Precision`, computed properties, the container's roots);
- `_compare`: `check-metadata`'s cross-check of the docs with a CSDL file, and its agreement figure;
- `_refine`: copies of the contracts with what a CSDL makes certain where the docs are silent or
  lag, every fact kept with its source;
- `_drift`: the three-way comparison (docs, a CSDL file, the live service) reports show;
- `_writer`: a CSDL document written from contracts (what the mock serves as its `$metadata`);
- `_cache`: the service's documents kept on disk with their validators (ETag, Last-Modified).
"""

from graph_contracts.metadata._compare import (
    API_VERSIONS,
    FUTURE,
    Agreement,
    Comparison,
    Report,
    check,
    compare,
    compare_by_version,
    load_versioned,
    metadata_version,
)
from graph_contracts.metadata._drift import Difference, Drift, drift
from graph_contracts.metadata._reader import (
    Csdl,
    CsdlError,
    CsdlProperty,
    CsdlType,
    derived_types,
    load_csdl,
    parse_csdl,
    qualify,
)
from graph_contracts.metadata._refine import Fact, Refinement, refine
from graph_contracts.metadata._writer import write_csdl

__all__ = [
    "API_VERSIONS",
    "FUTURE",
    "Agreement",
    "Comparison",
    "Csdl",
    "CsdlError",
    "CsdlProperty",
    "CsdlType",
    "Difference",
    "Drift",
    "Fact",
    "Refinement",
    "Report",
    "check",
    "compare",
    "compare_by_version",
    "derived_types",
    "drift",
    "load_csdl",
    "load_versioned",
    "metadata_version",
    "parse_csdl",
    "qualify",
    "refine",
    "write_csdl",
]
