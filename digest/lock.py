"""One build at a time per output folder: an exclusive flock on `.digest/lock`.

The kernel drops an flock when its process dies, however it dies, so a lock left by a
killed build never blocks the next one; there is no pid file to go stale. The holder
writes who it is into the file, so a build that gives up waiting can name it.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from digest.errors import PublishError

LOCK_FILE = ".digest/lock"
POLL_SECONDS = 0.05


class LockTimeout(PublishError):
    """Another build held the output folder for longer than we were willing to wait."""


@dataclass(frozen=True)
class Holder:
    """Who holds a lock: process id, host name and when it took the lock (UTC)."""

    pid: int
    host: str
    started: str

    def __str__(self) -> str:
        return f"pid {self.pid} on {self.host}, since {self.started}"


@dataclass(frozen=True)
class OutputLock:
    """A held lock; `taken` is the lock file's mtime once ours (older temp files are stale)."""

    path: Path
    holder: Holder
    taken: float


def read_holder(path: Path) -> Holder | None:
    """The holder recorded in a lock file, or None when it is empty or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Holder(int(data["pid"]), str(data["host"]), str(data["started"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


@contextmanager
def output_lock(out_dir: Path, *, timeout: float) -> Iterator[OutputLock]:
    """Hold `out_dir`'s lock for the block, waiting up to `timeout` seconds for it."""
    path = out_dir / LOCK_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as error:
        message = f"{path}: cannot create the lock file: {error.strerror or error}"
        raise PublishError(message) from error
    try:
        _wait(descriptor, path, timeout=timeout)
        holder = Holder(
            os.getpid(),
            socket.gethostname(),
            datetime.now(UTC).replace(microsecond=0).isoformat(),
        )
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, json.dumps(asdict(holder)).encode("utf-8"), 0)
        try:
            yield OutputLock(path, holder, os.fstat(descriptor).st_mtime)
        finally:
            os.ftruncate(descriptor, 0)
    finally:
        os.close(descriptor)  # closing the only descriptor releases the flock


def _wait(descriptor: int, path: Path, *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                holder = read_holder(path)
                who = str(holder) if holder else "a process that has not said who it is yet"
                raise LockTimeout(
                    f"{path}: another build is using this output folder ({who}); "
                    f"gave up after waiting {timeout:g} s. Nothing was written."
                ) from None
            time.sleep(POLL_SECONDS)
