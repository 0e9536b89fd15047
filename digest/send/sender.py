"""One run of `digest send`: the queued subscribers, over `connections` SMTP connections.

Each connection is a thread with its own SMTP session; they take subscribers from one
`Dispatcher`, which hands out the journal's queued rows in order and, when their time
comes, the ones waiting to be tried again (a 4xx answer, a lost connection). A connection
that breaks is opened again; a server that cannot be reached at all, or refuses the
login or the sender, stops the run and leaves everyone not yet sent queued for the next.
"""

from __future__ import annotations

import heapq
import itertools
import smtplib
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

from digest.send.journal import NO_NEWS, Job, Journal, Totals
from digest.send.personalise import Editions, Recipient
from digest.send.smtp import Rate, Server, ServerRefused, close, connect, transmit
from digest.send.tokens import make_token

PROGRESS_SECONDS = 0.2


@dataclass(frozen=True)
class Tuning:
    """How hard a run tries before it leaves a subscriber for the next run."""

    backoff: tuple[float, ...] = (5.0, 30.0, 120.0)
    """Waits before each new try of a message refused for now (4xx); then it waits for
    the next run (greylisting servers want minutes)."""
    reconnect: float = 1.0
    """Wait before connecting again after a connection was lost, times the losses so far."""
    drops: int = 5
    """Times one message may lose its connection before it waits for the next run."""
    connect_attempts: int = 5
    """Failed connection attempts in a row after which the run stops."""


TUNING = Tuning()


@dataclass
class RunReport:
    """What one run did, and where the issue stands after it."""

    recovered: int  # rows a crash had left in flight, put back (possible duplicates)
    counts: Counter[str] = field(default_factory=Counter)  # this run: sent, skipped, …
    totals: Totals | None = None
    stopped: str = ""  # why the run stopped early, if it did
    seconds: float = 0.0
    finished: str = ""  # when an earlier run finished the issue: this one did nothing


class Dispatcher:
    """Hands subscribers to connections: queued ones in order, retries when due."""

    def __init__(self, jobs: Iterator[Job]) -> None:
        self._jobs = jobs
        self._later: list[tuple[float, int, Job]] = []
        self._order = itertools.count()
        self._busy = 0
        self._stopped = False
        self._ready = threading.Condition()

    def next(self) -> Job | None:
        """The next subscriber to send to; None when all are done or the run stopped."""
        with self._ready:
            while not self._stopped:
                now = time.monotonic()
                if self._later and self._later[0][0] <= now:
                    self._busy += 1
                    return heapq.heappop(self._later)[2]
                job = next(self._jobs, None)
                if job is not None:
                    self._busy += 1
                    return job
                if not self._later and not self._busy:
                    self._ready.notify_all()
                    return None
                self._ready.wait(self._later[0][0] - now if self._later else None)
            return None

    def done(self, again: tuple[float, Job] | None) -> None:
        """A connection finished its subscriber; `again`: when to try them again."""
        with self._ready:
            self._busy -= 1
            if again is not None:
                heapq.heappush(self._later, (again[0], next(self._order), again[1]))
            self._ready.notify_all()

    def stop(self) -> None:
        """Hand out nobody else."""
        with self._ready:
            self._stopped = True
            self._ready.notify_all()


class Run:
    """The state one run's connections share."""

    def __init__(
        self,
        journal: Journal,
        editions: Editions,
        server: Server,
        *,
        secret: bytes,
        rate: float,
        tuning: Tuning,
    ) -> None:
        self.journal = journal
        self.editions = editions
        self.server = server
        self.secret = secret
        self.rate = Rate(rate)
        self.tuning = tuning
        self.dispatcher = Dispatcher(journal.pending())
        self.counts: Counter[str] = Counter()
        self.stopped = ""
        self.error: BaseException | None = None
        self._lock = threading.Lock()

    def count(self, outcome: str) -> None:
        """Count one subscriber's outcome in this run."""
        with self._lock:
            self.counts[outcome] += 1

    def stop(self, reason: str) -> None:
        """Stop handing out subscribers; the first reason given is kept."""
        with self._lock:
            self.stopped = self.stopped or reason
        self.dispatcher.stop()

    def connection(self) -> None:
        """One connection's thread: take subscribers until none is left."""
        link = _Connection(self)
        try:
            while (job := self._next()) is not None:
                again = None
                try:
                    again = link.deliver(job)
                except ServerRefused as error:
                    self.stop(str(error))
                except sqlite3.Error as error:  # a full disk, say: stop; the next run resumes
                    self.stop(f"the journal cannot be written: {error}")
                except BaseException as error:  # a bug: stop cleanly, then re-raise in main
                    self.error = self.error or error
                    self.stop(f"internal error: {error!r}")
                finally:
                    self.dispatcher.done(again)
        finally:
            close(link.smtp)

    def _next(self) -> Job | None:
        """The dispatcher's next subscriber; None, stopping the run, if the journal fails."""
        try:
            return self.dispatcher.next()
        except sqlite3.Error as error:
            self.stop(f"the journal cannot be read: {error}")
            return None


class _Connection:
    """One SMTP connection and what it sends."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.smtp: smtplib.SMTP | None = None
        self.failures = 0

    def deliver(self, job: Job) -> tuple[float, Job] | None:
        """Send to one subscriber (or skip them); returns when to try again, if ever."""
        run = self.run
        if job.status != "active":
            run.journal.skip(job, job.status)
            run.count("suppressed")
            return None
        edition = run.editions.edition(job.sections)
        if edition is None:
            run.journal.skip(job, NO_NEWS)
            run.count("skipped")
            return None
        if self.smtp is None and not self._open():
            return self._later(job, run.tuning.reconnect * self.failures)
        assert self.smtp is not None
        token = make_token(job.address, secret=run.secret, list_id=run.editions.list_id)
        message = run.editions.message(edition, Recipient(job.address, job.name, token))
        if not run.journal.begin(job):  # they left while the send was running
            run.count("suppressed")
            return None
        run.rate.wait()
        try:
            outcome = transmit(self.smtp, run.server, job.address, message)
        except ServerRefused:
            run.journal.requeue(job, "not sent: the server refused the sender")
            raise
        if outcome.kind == "sent":
            run.journal.sent(job)
            run.count("sent")
            return None
        if outcome.kind == "permanent":
            run.journal.failed(job, outcome.reply)
            run.count("failed")
            return None
        run.journal.requeue(job, outcome.reply)
        if outcome.kind == "dropped":
            close(self.smtp)
            self.smtp = None
            if job.drops < run.tuning.drops:
                return (
                    time.monotonic() + run.tuning.reconnect * job.drops,
                    replace(job, drops=job.drops + 1),
                )
        elif job.tries < len(run.tuning.backoff):
            return (
                time.monotonic() + run.tuning.backoff[job.tries],
                replace(job, tries=job.tries + 1),
            )
        run.count("deferred")
        return None

    def _open(self) -> bool:
        """Connect; False (and maybe stop the run) when the server cannot be reached."""
        try:
            self.smtp = connect(self.run.server)
        except (OSError, smtplib.SMTPException) as error:
            self.failures += 1
            if self.failures >= self.run.tuning.connect_attempts:
                server = self.run.server
                self.run.stop(f"cannot connect to {server.host}:{server.port}: {error}")
            return False
        self.failures = 0
        return True

    def _later(self, job: Job, wait: float) -> tuple[float, Job] | None:
        if self.run.stopped:
            return None
        return (time.monotonic() + wait, job)


def send_issue(
    journal: Journal,
    editions: Editions,
    server: Server,
    *,
    secret: bytes,
    connections: int,
    rate: float,
    tuning: Tuning = TUNING,
    progress: Callable[[int, int], None] | None = None,
) -> RunReport:
    """Send the issue to everyone queued in `journal`; `progress(done, total)` is called
    from this thread a few times a second."""
    started = time.monotonic()
    finished = journal.finished()
    if finished is not None:
        return RunReport(recovered=0, totals=journal.totals(), finished=finished)
    report = RunReport(recovered=journal.start())
    total = journal.queued()
    run = Run(journal, editions, server, secret=secret, rate=rate, tuning=tuning)
    threads = [
        threading.Thread(target=run.connection, name=f"smtp-{number}", daemon=True)
        for number in range(max(1, min(connections, total)))
    ]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            while thread.is_alive():
                thread.join(PROGRESS_SECONDS)
                if progress is not None:
                    progress(sum(run.counts.values()), total)
    except BaseException:
        run.stop("interrupted")
        for thread in threads:
            thread.join()
        raise
    if run.error is not None:
        raise run.error
    report.counts = run.counts
    report.stopped = run.stopped
    report.totals = journal.totals()
    if report.totals.done:
        journal.finish()
    report.seconds = time.monotonic() - started
    return report
