"""SIGINT and SIGTERM as stop requests: the run ends at its next safe point, restoring first.

CI timeouts send SIGTERM, a person presses Ctrl-C: either way the entity being written is put back
and the reports say `interrupted`. A second signal while stopping raises KeyboardInterrupt at once
(the restores in `finally` still run; what they cannot put back stays in the journal).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from types import FrameType

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def stop_on_signals(request_stop: Callable[[str], None]) -> Iterator[None]:
    """Within the block, the first SIGINT/SIGTERM calls `request_stop(name)`; a second interrupts."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return
    asked: list[str] = []

    def handler(signum: int, frame: FrameType | None) -> None:
        if asked:
            raise KeyboardInterrupt
        asked.append(signal.Signals(signum).name)
        request_stop(asked[0])

    previous = {sig: signal.signal(sig, handler) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
