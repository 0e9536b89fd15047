"""`parallel_map`: work on a list shared with forked worker processes, where cores are free."""

from __future__ import annotations

import os
import pickle
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from typing import Any, BinaryIO, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

MAX_WORKERS = 4


def parallel_map(
    work: Callable[[Item], Result],
    items: Sequence[Item],
    *,
    min_share: int,
    progress: Callable[[int, int], None] | None = None,
) -> list[Result]:
    """`[work(item) for item in items]`, in forked children too when there is enough of it.

    Each share (at least `min_share` items) goes to one child, which sends its results
    back pickled; the first share is done here meanwhile. A child that fails has its share
    done here, so a worker can only make the work slower, never lose it. Children are
    forked only on Linux and only when no other thread runs (forking a threaded process,
    or any process on macOS, is not safe). `progress` gets (items done, items in all),
    counting this process's share scaled to the whole.
    """
    workers = min(cores(), MAX_WORKERS, len(items) // max(min_share, 1))
    if workers < 2 or not sys.platform.startswith("linux") or threading.active_count() > 1:
        workers = 1
    size = -(-len(items) // workers) if items else 0
    shares = [items[start : start + size] for start in range(0, len(items), size or 1)]
    children = [fork(work, share) for share in shares[1:]]
    results = []
    for done, item in enumerate(shares[0] if shares else (), start=1):
        results.append(work(item))
        if progress:
            progress(min(done * workers, len(items)), len(items))
    for share, child in zip(shares[1:], children, strict=True):
        received = _receive(child)
        if received is None or len(received) != len(share):
            received = [work(item) for item in share]
        results.extend(received)
    return results


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def fork(work: Callable[[Any], Any], share: Sequence[Any]) -> tuple[int, BinaryIO] | None:
    """Start a child that does `share`, writing the pickled results to an unnamed file.

    It writes them a batch at a time, so it never holds more than one batch of results.
    """
    try:
        stream = tempfile.TemporaryFile()  # noqa: SIM115 - `_receive` closes it
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        stream.close()
        return None
    if pid:
        return pid, stream
    status = 1
    try:  # the child: never return into the caller's stack
        for start in range(0, len(share), BATCH):
            results = [work(item) for item in share[start : start + BATCH]]
            pickle.dump(results, stream, protocol=pickle.HIGHEST_PROTOCOL)
        stream.flush()
        status = 0
    finally:
        os._exit(status)


BATCH = 5000
"""Results a worker pickles together: enough to share repeated values, few enough to keep."""


def _receive(child: tuple[int, BinaryIO] | None) -> list[Any] | None:
    """A child's results, once it has ended, or None if it failed."""
    if child is None:
        return None
    pid, stream = child
    with stream:
        _, status = os.waitpid(pid, 0)
        if status != 0:
            return None
        stream.seek(0)
        results: list[Any] = []
        while True:
            try:
                results.extend(pickle.load(stream))  # written by our own child
            except EOFError:
                return results
