"""Work on a list shared with worker processes, where cores are free.

`parallel_map(work, items)` is `[work(item) for item in items]`. With `shared(...)`, this
process can do something else first (`with shared(work, items) as pool: other(); results
= pool.results()`) while the workers start on the list.

The items are cut into batches whose numbers wait in a pipe; every process, this one
included, takes the next number when it is free, so none waits on another's share. A
worker pickles each batch's results to an unnamed file as it goes; this process reads
them at the end. A batch no worker delivered (one failed) is done here: a worker can only
make the work slower, never lose it.

A worker shares its parent's memory only until it writes to it, and one forked from a
large process writes to much of it: forked from a 400 MB build, a worker rendering a few
hundred stories had copied 160 MB. So workers are forked only by a process still small
(MAX_FORKED_BYTES), and within `serving` (a build) those its first large job forked are
kept and sent each later job, pickled (a module-level function or a `partial` of one, and
its items). Work that does not pickle is shared with workers forked on the spot.

Why not `concurrent.futures.ProcessPoolExecutor` (issue 13): a drop-in on one (fork
context, one per build, created when and where this module forks, chunked `map`, a broken
pool's work done here; benchmarks/workers_executor.py) was timed against this module, both
alternating on 2 cores, as executor/workers.py medians of per-run ratios. At 100,000
articles it was within 10% (time 0.98 cold, 0.91-1.04 warm, edited, added; peak memory
0.95-1.01), but at 10,000 it was slower in every cold run (time 1.17 over 9 runs; 1.31
over 5 earlier, under more load) and every edited one (1.10, at the limit); memory
0.95-1.05. The executor pickles each chunk's work and results through queues served by a
manager thread while this process only waits, and work that does not pickle (cache.py's
closure rendering the feeds) runs here one call at a time: the executor cannot send it,
and once started its thread makes forking on the spot unsafe. A dead worker breaks the
whole pool for the rest of the build (BrokenProcessPool), where here it costs only its
own batches. So this module stays.
"""

from __future__ import annotations

import gc
import io
import os
import pickle
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any, BinaryIO, Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")
Job = tuple[Callable[[Any], Any], Sequence[Any], list[range]]  # work, items, batches

MAX_WORKERS = 4
BATCHES_PER_WORKER = 64
"""Batches each process takes on average: small enough that all end close together."""
TOKEN = 4  # bytes of a batch number in the pipe
END = 2**32 - 1  # the number that ends a job for the process that takes it
MAX_FORKED_BYTES = 256 * 2**20
"""A process with more memory than this forks no worker on the spot (see above)."""


def parallel_map(
    work: Callable[[Item], Result],
    items: Sequence[Item],
    *,
    min_share: int,
    progress: Callable[[int, int], None] | None = None,
) -> list[Result]:
    """`[work(item) for item in items]`, in worker processes too when there is enough of it.

    Workers share it when there are `min_share` items for each. They are forked only on
    Linux and only when no other thread runs (forking a threaded process, or any process
    on macOS, is not safe). `progress` gets (items done, items in all), counting this
    process's batches scaled to the whole.
    """
    with shared(work, items, min_share=min_share) as pool:
        return pool.results(progress)


@contextmanager
def shared(
    work: Callable[[Item], Result], items: Sequence[Item], *, min_share: int
) -> Iterator[Pool[Item, Result]]:
    """A pool whose workers start on `items` at once; see `Pool.results`."""
    wanted = min(cores(), MAX_WORKERS, len(items) // max(min_share, 1)) - 1
    small = wanted > 0 and _can_fork() and _resident_bytes() <= MAX_FORKED_BYTES
    pool = Pool(work, items)
    try:
        if small and _build.active and not _build.servers:
            _build.start(min(cores(), MAX_WORKERS) - 1)
        if wanted > 0 and _build.servers and pool.send(_build.servers[:wanted]):
            pass
        elif small:
            pool.fork(wanted)
        yield pool
    finally:
        pool.close()


@contextmanager
def serving() -> Iterator[None]:
    """Keep the workers the block's first shared job forks (while this process is still
    small) for every later job, and end them with the block."""
    if _build.active:
        yield
        return
    _build.active = True
    try:
        yield
    finally:
        _build.stop()


class _Build:
    """The workers kept for the jobs of one build (see `serving`)."""

    def __init__(self) -> None:
        self.active = False
        self.servers: list[_Server] = []
        self.queue: _Queue | None = None

    def start(self, count: int) -> None:
        self.queue = _Queue(*os.pipe())
        forked = (_Server.fork(self.queue) for _ in range(count))
        self.servers = [server for server in forked if server is not None]

    def stop(self) -> None:
        for server in self.servers:
            server.stop()
        if self.queue is not None:
            self.queue.close()
        self.active, self.servers, self.queue = False, [], None


class Pool(Generic[Item, Result]):
    """The batches of one list, and the workers that share them."""

    def __init__(self, work: Callable[[Item], Result], items: Sequence[Item]) -> None:
        self.work, self.items = work, items
        self.batches = [range(len(items))] if items else []
        self.queue: _Queue | None = None  # where the batch numbers wait, when shared
        self.servers: list[_Server] = []  # the workers taking batches
        self.own_queue = False  # the queue and workers were made for this pool alone
        self.collected = False  # `results` received what the workers did

    def send(self, servers: list[_Server]) -> bool:
        """Share the work with the build's workers (see `serving`); False if it cannot pickle."""
        batches = self._batches(len(servers) + 1)
        try:
            job = pickle.dumps((self.work, self.items, batches), protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, AttributeError, TypeError):
            return False
        self.batches = batches
        for server in servers:
            server.send(job)
        self.queue, self.servers = servers[0].queue, servers
        self.queue.put(len(self.batches), ends=len(servers) + 1)
        return True

    def fork(self, count: int) -> None:
        """Share the work with `count` workers forked now, for this pool alone."""
        self.batches = self._batches(count + 1)
        job = (self.work, self.items, self.batches)
        reader, writer = os.pipe()
        self.queue, self.own_queue = _Queue(reader, writer), True
        self.servers = [s for s in (_Server.fork(self.queue, job) for _ in range(count)) if s]
        self.queue.put(len(self.batches), ends=len(self.servers) + 1)

    def results(self, progress: Callable[[int, int], None] | None = None) -> list[Result]:
        """Every item's result, in order: this process takes batches too until none is left."""
        done: dict[int, list[Result]] = {}
        mine = 0
        processes = 1 + len(self.servers)
        for index in self._take():
            done[index] = [self.work(self.items[i]) for i in self.batches[index]]
            mine += len(self.batches[index])
            if progress:
                progress(min(mine * processes, len(self.items)), len(self.items))
        for server in self.servers:
            done.update(server.receive())
        self.collected = True
        results: list[Result] = []
        for index, batch in enumerate(self.batches):
            results.extend(
                done[index] if index in done else [self.work(self.items[i]) for i in batch]
            )
        return results

    def close(self) -> None:
        """Leave no worker mid-job, and the queue empty for the next."""
        if self.queue is not None:
            if not self.collected:  # this process stopped early
                for _ in self._take():  # what it left, taken and not done
                    pass
                for server in self.servers:
                    server.receive()  # waits for it to end the job
            if any(not server.alive for server in self.servers):
                self.queue.drain()  # a worker that died left its numbers behind
            for server in [server for server in _build.servers if not server.alive]:
                _build.servers.remove(server)
                server.stop()
            if self.own_queue:
                for server in self.servers:
                    server.stop()
                self.queue.close()
        self.queue, self.servers = None, []

    def _batches(self, processes: int) -> list[range]:
        """The items cut into about BATCHES_PER_WORKER batches for each process."""
        size = max(1, len(self.items) // (processes * BATCHES_PER_WORKER))
        return [
            range(start, min(start + size, len(self.items)))
            for start in range(0, len(self.items), size)
        ]

    def _take(self) -> Iterator[int]:
        if self.queue is None:
            yield from range(len(self.batches))
        else:
            yield from self.queue.take()


class _Queue:
    """A pipe of batch numbers that every process reads one at a time."""

    def __init__(self, reader: int, writer: int) -> None:
        self.reader, self.writer = reader, writer
        self.ended = False  # this process took its END for the current job

    def put(self, batches: int, *, ends: int) -> None:
        """The batch numbers, then one END for each process (a few hundred bytes in all)."""
        numbers = [*range(batches), *[END] * ends]
        os.write(self.writer, b"".join(n.to_bytes(TOKEN, "little") for n in numbers))
        self.ended = False

    def take(self) -> Iterator[int]:
        """Batch numbers, one at a time, until this process takes an END."""
        while not self.ended:
            token = os.read(self.reader, TOKEN)
            number = int.from_bytes(token, "little") if len(token) == TOKEN else END
            if number == END:
                self.ended = True
                return
            yield number

    def drain(self) -> None:
        """Throw away whatever is left in the pipe."""
        os.set_blocking(self.reader, False)
        with suppress(BlockingIOError):
            while os.read(self.reader, 4096):
                pass
        os.set_blocking(self.reader, True)

    def close(self) -> None:
        os.close(self.reader)
        os.close(self.writer)


class _Server:
    """A worker process: it does the jobs it is sent, batch by batch from the queue."""

    def __init__(self, pid: int, queue: _Queue, jobs: BinaryIO, done: int, results: BinaryIO):
        self.pid, self.queue, self.jobs, self.done, self.results = pid, queue, jobs, done, results
        self.start = 0  # where the current job's results begin in `results`
        self.alive = True

    @classmethod
    def fork(cls, queue: _Queue, first: Job | None = None) -> _Server | None:
        """Fork a worker; it does `first` (no need to pickle it), then the jobs sent."""
        try:
            results = tempfile.TemporaryFile()  # noqa: SIM115 - closed by `stop`
            jobs_reader, jobs_writer = os.pipe()
            done_reader, done_writer = os.pipe()
        except OSError:
            return None

        def run() -> None:
            for writer in (jobs_writer, *_JOB_WRITERS):  # so each worker sees its own end
                os.close(writer)
            _serve(queue, jobs_reader, done_writer, results, first)

        pid = fork(run)
        os.close(jobs_reader)
        os.close(done_writer)
        if pid is None:
            results.close()
            os.close(jobs_writer)
            os.close(done_reader)
            return None
        _JOB_WRITERS.add(jobs_writer)
        return cls(pid, queue, os.fdopen(jobs_writer, "wb"), done_reader, results)

    def send(self, job: bytes) -> None:
        """A pickled job."""
        self.jobs.write(job)
        self.jobs.flush()

    def receive(self) -> dict[int, list[Any]]:
        """The batches it did for the job, by number, once it has ended the job."""
        if not self.alive:
            return {}
        end = os.read(self.done, 8)
        if len(end) < 8:  # it died
            self.alive = False
            return {}
        stop = int.from_bytes(end, "little")
        stream = io.BytesIO(os.pread(self.results.fileno(), stop - self.start, self.start))
        self.start = stop
        delivered: dict[int, list[Any]] = {}
        while stream.tell() < len(stream.getbuffer()):
            index, results = pickle.load(stream)  # written by our own worker
            delivered[index] = results
        return delivered

    def stop(self) -> None:
        """Let it end (no more jobs), and wait for it."""
        _JOB_WRITERS.discard(self.jobs.fileno())
        self.jobs.close()
        os.waitpid(self.pid, 0)
        os.close(self.done)
        self.results.close()
        self.alive = False


def _serve(
    queue: _Queue, jobs_reader: int, done_writer: int, results: BinaryIO, first: Job | None
) -> None:
    """A worker's life: each job's batches from the queue, results to `results`, then the
    file's new end to `done_writer`, until no job comes."""
    gc.freeze()  # what it shares with its parent stays out of its collector's passes
    with os.fdopen(jobs_reader, "rb") as jobs:
        job = first
        while job is not None or (job := _next_job(jobs)) is not None:
            work, items, batches = job
            queue.ended = False  # a new job: this process has its END to take again
            gc.disable()  # results hold no cycles; any the work made are collected after
            for index in queue.take():
                done = [work(items[i]) for i in batches[index]]
                pickle.dump((index, done), results, protocol=pickle.HIGHEST_PROTOCOL)
            gc.enable()
            gc.collect()
            results.flush()
            os.write(done_writer, results.tell().to_bytes(8, "little"))
            job = None


def _next_job(jobs: BinaryIO) -> Job | None:
    try:
        job: Job = pickle.load(jobs)  # sent by our own parent
    except EOFError:
        return None
    return job


def fork(run: Callable[[], None]) -> int | None:
    """Fork a process that runs `run()` and ends; its pid, or None if it cannot be forked."""
    try:
        pid = os.fork()
    except OSError:
        return None
    if pid:
        return pid
    status = 1
    try:  # the worker: never return into the caller's stack
        run()
        status = 0
    finally:
        os._exit(status)


_build = _Build()
_JOB_WRITERS: set[int] = set()
"""This process's ends of its workers' job pipes: a worker forked later closes them all."""


def _can_fork() -> bool:
    """Linux, and no other thread: forking a threaded process (or on macOS) is not safe."""
    return sys.platform.startswith("linux") and threading.active_count() == 1


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
