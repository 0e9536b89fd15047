"""Work on a list shared with forked worker processes, where cores are free.

`parallel_map(work, items)` is `[work(item) for item in items]`. With `shared(...)`, this
process can do something else first (`with shared(work, items) as pool: other(); results
= pool.results()`) while the workers start on the list.

The items are cut into batches whose numbers wait in a pipe; every process, this one
included, takes the next number when it is free, so none waits on another's share. A
worker pickles each batch's results to an unnamed file as it goes (it never holds more
than one batch); this process reads them at the end. A batch no worker delivered (one
failed) is done here: a worker can only make the work slower, never lose it.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, BinaryIO, Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

MAX_WORKERS = 4
BATCHES_PER_WORKER = 64
"""Batches each process takes on average: small enough that all end close together."""
TOKEN = 4  # bytes of a batch number in the pipe
MAX_FORKED_BYTES = 256 * 2**20
"""A process with more memory than this does its work alone. A worker shares its parent's
pages only until it writes to them, and allocating in a large heap writes to many: forked
from a 400 MB build, a worker rendering a few hundred stories had copied 160 MB."""


def parallel_map(
    work: Callable[[Item], Result],
    items: Sequence[Item],
    *,
    min_share: int,
    progress: Callable[[int, int], None] | None = None,
) -> list[Result]:
    """`[work(item) for item in items]`, in forked workers too when there is enough of it.

    A worker is started for every `min_share` items, up to the cores there are. Workers
    are forked only on Linux, only when no other thread runs (forking a threaded process,
    or any process on macOS, is not safe) and only from a process not yet large (see
    MAX_FORKED_BYTES). `progress` gets (items done, items in
    all), counting this process's batches scaled to the whole.
    """
    with shared(work, items, min_share=min_share) as pool:
        return pool.results(progress)


@contextmanager
def shared(
    work: Callable[[Item], Result], items: Sequence[Item], *, min_share: int
) -> Iterator[Pool[Item, Result]]:
    """A pool whose workers start on `items` at once; see `Pool.results`."""
    count = min(cores(), MAX_WORKERS, len(items) // max(min_share, 1))
    if (
        count < 2
        or not sys.platform.startswith("linux")
        or threading.active_count() > 1
        or _resident_bytes() > MAX_FORKED_BYTES
    ):
        count = 1
    pool = Pool(work, items, workers=count)
    try:
        yield pool
    finally:
        pool.close()


class Pool(Generic[Item, Result]):
    """The batches of one list, and the workers forked to share them."""

    def __init__(
        self, work: Callable[[Item], Result], items: Sequence[Item], *, workers: int
    ) -> None:
        self.work, self.items, self.workers = work, items, workers
        size = max(1, len(items) // (workers * BATCHES_PER_WORKER)) if workers > 1 else len(items)
        self.batches = [
            range(start, min(start + size, len(items))) for start in range(0, len(items), size or 1)
        ]
        self.children: list[tuple[int, BinaryIO]] = []
        self.queue = -1
        if workers > 1:
            reader, writer = os.pipe()
            tokens = b"".join(index.to_bytes(TOKEN, "little") for index in range(len(self.batches)))
            os.write(writer, tokens)  # a few hundred bytes: the pipe holds them all
            os.close(writer)
            self.queue = reader
            for _ in range(workers - 1):
                child = fork(self._serve)
                if child is not None:
                    self.children.append(child)

    def results(self, progress: Callable[[int, int], None] | None = None) -> list[Result]:
        """Every item's result, in order: this process takes batches too until none is left."""
        done: dict[int, list[Result]] = {}
        mine = 0
        for index in self._take():
            done[index] = [self.work(self.items[i]) for i in self.batches[index]]
            mine += len(self.batches[index])
            if progress:
                progress(min(mine * self.workers, len(self.items)), len(self.items))
        for pid, stream in self.children:
            done.update(_receive(pid, stream))
        self.children = []
        results: list[Result] = []
        for index, batch in enumerate(self.batches):
            results.extend(
                done[index] if index in done else [self.work(self.items[i]) for i in batch]
            )
        return results

    def close(self) -> None:
        """End the workers still running (when `results` was never reached) and the queue."""
        for pid, stream in self.children:
            os.kill(pid, signal.SIGTERM)
            os.waitpid(pid, 0)
            stream.close()
        self.children = []
        if self.queue >= 0:
            os.close(self.queue)
            self.queue = -1

    def _take(self) -> Iterator[int]:
        """The numbers of the batches left, taken one at a time (all of them, alone)."""
        if self.queue < 0:
            yield from range(len(self.batches))
            return
        while len(token := os.read(self.queue, TOKEN)) == TOKEN:
            yield int.from_bytes(token, "little")

    def _serve(self, stream: BinaryIO) -> None:
        """In a worker: do batches until none is left, each pickled as it is done."""
        for index in self._take():
            results = [self.work(self.items[i]) for i in self.batches[index]]
            pickle.dump((index, results), stream, protocol=pickle.HIGHEST_PROTOCOL)
        stream.flush()


def _resident_bytes() -> int:
    """This process's resident memory (Linux), 0 where it cannot be told."""
    try:
        with open("/proc/self/statm", "rb") as stream:
            return int(stream.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def fork(serve: Callable[[BinaryIO], None]) -> tuple[int, BinaryIO] | None:
    """Start a worker running `serve(stream)`, `stream` an unnamed file for its results."""
    try:
        stream = tempfile.TemporaryFile()  # noqa: SIM115 - `_receive` or `Pool.close` closes it
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
    try:  # the worker: never return into the caller's stack
        serve(stream)
        status = 0
    finally:
        os._exit(status)


def _receive(pid: int, stream: BinaryIO) -> dict[int, list[Any]]:
    """A finished worker's batches by number: all it delivered, none if it failed."""
    with stream:
        _, status = os.waitpid(pid, 0)
        if status != 0:
            return {}
        stream.seek(0)
        delivered: dict[int, list[Any]] = {}
        while True:
            try:
                index, results = pickle.load(stream)  # written by our own worker
            except EOFError:
                return delivered
            delivered[index] = results
