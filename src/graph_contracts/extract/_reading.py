"""Reading and parsing the run's pages, on two cores when the command line asks for it.

Parsing the update pages is half of an extraction and each page is parsed alone, so `extract`
(the command, a single-threaded process) hands a share of them to one forked worker while it
parses the rest: what a user times against a scan of the same files. Pages with the same file
name (beta's and v1.0's copies) go to the same side, where the row memos serve both. The worker
sends back the parsed pages (or the error each raised) pickled; the result is the same list, in
the same order, as a serial read. Forking is used only where it is safe and cheap: a platform
with `fork`, two cores or more, enough pages to pay for it, and a caller without threads (the
command line; library callers such as the mock and the tests read serially).
"""

from __future__ import annotations

import os
import zlib

from graph_contracts.docs import Page, PageError, decode, parse_page

from ._files import read_bytes

Parsed = Page | PageError | OSError  # a page, or why it could not be read or parsed

MIN_PAGES = 200  # below this a fork and its pickling cost more than they save


def read_pages(files: list[str], cache: dict, parallel: bool = False) -> list[Parsed]:
    """Each file's parsed page (or its error), in order; `cache` is the run's row memo."""
    if parallel and len(files) >= MIN_PAGES and _can_fork():
        return _forked(files, cache)
    return [_read(path, cache) for path in files]


def _read(path: str, cache: dict) -> Parsed:
    try:
        return parse_page(decode(read_bytes(path)), cache=cache)
    except (PageError, OSError) as exc:
        return exc


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods() and (os.cpu_count() or 1) >= 2


def _forked(files: list[str], cache: dict) -> list[Parsed]:
    """The worker parses the files `_theirs` picks, this process the others, at once.

    A bare forked `Process` and a `Pipe`, not a pool: a pool starts a thread before it forks,
    and forking a threaded process is unsafe. Should the worker die, its share is read here."""
    from multiprocessing import get_context

    theirs = [i for i, path in enumerate(files) if _theirs(path)]
    receiver, sender = get_context("fork").Pipe(duplex=False)
    worker = get_context("fork").Process(
        target=_send_all, args=([files[i] for i in theirs], sender), daemon=True
    )
    worker.start()
    sender.close()  # the worker holds its own copy: EOF here when it exits
    mine = {i: _read(path, cache) for i, path in enumerate(files) if not _theirs(path)}
    try:
        done = receiver.recv()
    except EOFError:  # the worker died: read its share here
        done = [_read(files[i], cache) for i in theirs]
    finally:
        receiver.close()
        worker.join()
    mine.update(zip(theirs, done, strict=True))
    return [mine[i] for i in range(len(files))]


def _send_all(files: list[str], sender) -> None:
    """The worker: its share parsed with its own memo, sent back pickled."""
    import gc

    gc.disable()  # as `extract_paths`: many small acyclic objects, all alive to the end
    cache: dict = {}
    sender.send([_read(path, cache) for path in files])
    sender.close()


def _theirs(path: str) -> bool:
    """About half the pages, chosen by file name: a page's beta and v1.0 copies stay together."""
    return zlib.crc32(os.path.basename(path).encode()) % 2 == 1
