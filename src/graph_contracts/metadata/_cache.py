"""The service's `$metadata` documents kept on disk with their validators, for conditional GETs.

Graph's beta document is megabytes and changes far less often than a nightly runs: a run asks
with `If-None-Match` (the ETag) or `If-Modified-Since` (Last-Modified) and reads the copy here
when the service answers 304. One entry per document URL (base URL and API version; never a
token): `<key>.xml` holds the document, `<key>.json` the URL and validators. Entries are written
to a temporary file and renamed, so a killed run leaves the old entry or the new one, never half.
An entry that cannot be read is no entry (the document is downloaded again); a cache directory
that cannot be written costs only the next download.

Hand-written rather than an HTTP cache library (hishel): those wrap the transport, and the run
has one client (client.py) whose transport is the seam between a tenant and the mock; and the
policy here is simply "always revalidate", whatever Cache-Control says.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP = "graph-contracts"


def default_directory() -> Path:
    """The user's cache directory (XDG on Linux, ~/Library/Caches, %LOCALAPPDATA%)."""
    return Path(platformdirs.user_cache_dir(APP)) / "metadata"


@dataclass(frozen=True)
class Cached:
    document: bytes
    etag: str | None = None
    last_modified: str | None = None

    def validators(self) -> dict[str, str]:
        """The conditional request headers this entry allows (none: download again)."""
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


class MetadataCache:
    """Documents by URL in `directory`; `None` keeps nothing (every run downloads)."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory

    def _paths(self, url: str) -> tuple[Path, Path]:
        assert self.directory is not None
        key = hashlib.sha256(url.encode()).hexdigest()[:32]
        return self.directory / f"{key}.xml", self.directory / f"{key}.json"

    def get(self, url: str) -> Cached | None:
        if self.directory is None:
            return None
        document, about = self._paths(url)
        try:
            facts = json.loads(about.read_text(encoding="utf-8"))
            if facts.get("url") != url:
                return None
            return Cached(document.read_bytes(), facts.get("etag"), facts.get("last_modified"))
        except (OSError, ValueError, AttributeError):
            return None

    def put(self, url: str, entry: Cached) -> bool:
        """Keep `entry` for `url`; False when the directory cannot be written."""
        if self.directory is None or not (entry.etag or entry.last_modified):
            return False  # nothing to revalidate with: a copy would never be used
        document, about = self._paths(url)
        facts = {"url": url, "etag": entry.etag, "last_modified": entry.last_modified}
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            _replace(document, entry.document)
            _replace(about, json.dumps(facts, indent=2).encode())
        except OSError:
            return False
        return True


def _replace(path: Path, data: bytes) -> None:
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
