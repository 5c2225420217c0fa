"""OASIS's CSDL XML schemas (edmx.xsd, edm.xsd), fetched from the npm registry for the tests.

The schemas live in the OASIS repository oasis-tcs/odata-csdl-schemas; its npm package
`odata-csdl` ships them (`schemas/edmx.xsd`, `schemas/edm.xsd`, with the TC's catalog). Nothing
of it is committed here: `npm pack` fetches the pinned version into a temporary folder (npm's own
cache makes the next run local), and `xmlschema` validates against it. Pinned exactly: a new
release is a deliberate bump, not a surprise on an unrelated commit.
"""

from __future__ import annotations

import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

PACKAGE = "odata-csdl@0.11.2"


def fetch_schemas(into: Path) -> Path:
    """The folder holding edmx.xsd and edm.xsd (pytest.skip, saying why, when npm cannot)."""
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip(
            "npm is not installed: OASIS's CSDL schemas come from the npm package odata-csdl"
        )
    done = subprocess.run(
        [npm, "pack", PACKAGE, "--pack-destination", str(into), "--silent"],
        capture_output=True,
        text=True,
        timeout=180,
    )
    if done.returncode != 0:
        pytest.skip(f"npm pack {PACKAGE} failed: {done.stderr.strip()[:300]}")
    archive = into / done.stdout.strip().splitlines()[-1]
    with tarfile.open(archive) as tar:
        members = [m for m in tar.getmembers() if m.name.startswith("package/schemas/")]
        tar.extractall(into, members=members, filter="data")
    folder = into / "package" / "schemas"
    assert (folder / "edmx.xsd").is_file() and (folder / "edm.xsd").is_file()
    return folder
