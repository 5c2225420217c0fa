"""Shared fixtures for the project's own tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared() -> Path:
    """../shared beside the checkout: tests that need it skip loudly without it on a developer's
    machine, and fail in CI (CI=true), which always has it: a CI run that skipped the corpus
    tests would be a green verdict that checked nothing."""
    if not SHARED.is_dir():
        message = f"{SHARED} is missing: clone the project beside shared/"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return SHARED


@pytest.fixture(scope="session")
def seeds(shared: Path) -> Path:
    return shared / "seeds"


@pytest.fixture(scope="session")
def corpus(shared: Path) -> Path:
    return shared / "corpus"


@pytest.fixture
def anyio_backend() -> str:
    """Async tests (the mock in-process over httpx.ASGITransport) run on asyncio."""
    return "asyncio"


@pytest.fixture(scope="session", autouse=True)
def metadata_cache(tmp_path_factory: pytest.TempPathFactory):
    """Runs cache the target's $metadata in the user's cache directory: tests use their own."""
    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))
    yield Path(os.environ["XDG_CACHE_HOME"])
    if before is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = before


@pytest.fixture
def fault_proxy():
    """tests/proxy.py's fault-injecting proxy in front of a URL, closed after the test:

    `proxy = fault_proxy(url, Rule("forbidden", method="PATCH", path=r"/userStatuses/"), seed=1)`,
    then point the run at `proxy.url`. The rules (reset, hang, 502/504 HTML, 403, cut and
    oversized replies, a callback) and what `proxy.fired` / `proxy.seen` tell are documented there.
    """
    from proxy import FaultProxy

    started = []

    def start(upstream: str, *rules, seed: int = 0):
        proxy = FaultProxy(upstream, rules, seed=seed).start()
        started.append(proxy)
        return proxy

    yield start
    for proxy in started:
        proxy.close()
