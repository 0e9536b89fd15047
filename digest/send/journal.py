"""The sending journal: one row per (issue, subscriber) in the subscribers file.

    queued ──begin──▶ sending ──▶ sent | failed (5xx) | queued (4xx, a dropped connection)
    queued ──▶ skipped (no news in their sections; unsubscribed or bounced since)

Each change is its own committed transaction: `begin` commits `sending` before the SMTP
transaction starts, and the outcome is committed as soon as the server has answered. A
process killed at any instant therefore leaves each of its connections' subscriber, at
most, in `sending`: `Journal.start` puts those back in the queue and counts them as
possible duplicates (the server may have accepted the message in the instant before the
journal recorded it). Nobody else is sent twice, and nobody is left out.

The audience is fixed when an issue's first send starts: the active subscribers then.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from digest.models import IssueRecord
from digest.send.subscribers import now_text, parse_sections, transaction

BOUNCE_ISSUES = 3
"""Issues in a row on which an address fails permanently before it is marked `bounced`."""
NO_NEWS = "no news in their sections"
PAGE = 500
"""Queued rows read at a time: memory does not grow with the number of subscribers."""

SENDS_SCHEMA = """
CREATE TABLE IF NOT EXISTS sends (
    issue INTEGER PRIMARY KEY,
    date TEXT NOT NULL,
    started TEXT NOT NULL,
    finished TEXT
);
"""


@dataclass(frozen=True)
class Job:
    """One subscriber to send the issue to, and how often it was tried in this run."""

    subscriber: int
    address: str
    name: str
    sections: tuple[str, ...]
    status: str
    bounces: int = 0  # issues in a row that failed permanently before this one
    tries: int = 0
    drops: int = 0


@dataclass(frozen=True)
class Totals:
    """Where an issue's rows stand."""

    sent: int
    skipped: int  # by their choice of sections
    suppressed: int  # unsubscribed or bounced before they were sent
    failed: tuple[tuple[str, str], ...]  # (address, server's reply)
    queued: tuple[tuple[str, str], ...]  # (address, last reply): to try on the next run
    doubtful: int  # sends a crash interrupted: possible duplicates

    @property
    def done(self) -> bool:
        """Nobody is left to try."""
        return not self.queued


class Journal:
    """The journal of one issue; its methods may be called from any thread."""

    def __init__(self, connection: sqlite3.Connection, issue: IssueRecord) -> None:
        assert issue.number is not None
        self.issue = issue.number
        self._date = issue.date
        self._connection = connection
        self._lock = threading.Lock()
        connection.executescript(SENDS_SCHEMA)

    def started(self) -> bool:
        """Whether this issue was ever sent (fully or in part)."""
        row = self._connection.execute(
            "SELECT 1 FROM sends WHERE issue = ?", (self.issue,)
        ).fetchone()
        return row is not None

    def finished(self) -> str | None:
        """When a run left nobody to try for this issue, if one did."""
        row = self._connection.execute(
            "SELECT finished FROM sends WHERE issue = ?", (self.issue,)
        ).fetchone()
        return None if row is None or row[0] is None else str(row[0])

    def start(self) -> int:
        """Fix the audience on the first run; on a later run put back the rows a crash left
        in `sending`. Returns how many were put back (possible duplicates)."""
        with self._lock, transaction(self._connection) as db:
            stamp = now_text()
            if not self.started():
                db.execute(
                    "INSERT INTO sends (issue, date, started) VALUES (?, ?, ?)",
                    (self.issue, self._date, stamp),
                )
                db.execute(
                    "INSERT INTO deliveries (issue, subscriber, state, updated) "
                    "SELECT ?, id, 'queued', ? FROM subscribers WHERE status = 'active'",
                    (self.issue, stamp),
                )
            cursor = db.execute(
                "UPDATE deliveries SET state = 'queued', doubtful = doubtful + 1, updated = ? "
                "WHERE issue = ? AND state = 'sending'",
                (stamp, self.issue),
            )
            return cursor.rowcount

    def pending(self) -> Iterator[Job]:
        """The queued rows, a page at a time, in order of the sections chosen (so that each
        edition is used while it is at hand), then of subscriber."""
        last: tuple[str, int] = ("", -1)
        while True:
            with self._lock:
                rows = self._connection.execute(
                    "SELECT s.sections, s.id, s.address, s.name, s.status, s.bounces "
                    "FROM deliveries d "
                    "JOIN subscribers s ON s.id = d.subscriber "
                    "WHERE d.issue = ? AND d.state = 'queued' AND (s.sections, s.id) > (?, ?) "
                    "ORDER BY s.sections, s.id LIMIT ?",
                    (self.issue, *last, PAGE),
                ).fetchall()
            for sections, identity, address, name, status, bounces in rows:
                chosen = parse_sections(sections, "\n")
                yield Job(identity, address, name, chosen, status, bounces)
            if len(rows) < PAGE:
                return
            last = (rows[-1][0], rows[-1][1])

    def queued(self) -> int:
        """How many rows wait to be sent."""
        row = self._connection.execute(
            "SELECT count(*) FROM deliveries WHERE issue = ? AND state = 'queued'",
            (self.issue,),
        ).fetchone()
        return int(row[0])

    def _set(self, job: Job, state: str, reply: str = "", *, attempt: bool = False) -> None:
        self._connection.execute(
            "UPDATE deliveries SET state = ?, reply = ?, updated = ?, "
            "attempts = attempts + ? WHERE issue = ? AND subscriber = ?",
            (state, reply, now_text(), int(attempt), self.issue, job.subscriber),
        )

    def begin(self, job: Job) -> bool:
        """Committed before the SMTP transaction: the row is in flight. False (and the row
        skipped) when the subscriber left since their row was read: an unsubscribe made
        during a send stops their message if it has not gone yet."""
        with self._lock, transaction(self._connection) as db:
            (status,) = db.execute(
                "SELECT status FROM subscribers WHERE id = ?", (job.subscriber,)
            ).fetchone()
            if status != "active":
                self._set(job, "skipped", str(status))
                return False
            self._set(job, "sending", attempt=True)
            return True

    def sent(self, job: Job) -> None:
        """The server accepted the message."""
        with self._lock, transaction(self._connection) as db:
            self._set(job, "sent")
            if job.bounces:  # a delivery ends a run of permanent failures
                db.execute("UPDATE subscribers SET bounces = 0 WHERE id = ?", (job.subscriber,))

    def requeue(self, job: Job, reply: str) -> None:
        """Not sent this time (a 4xx answer, a lost connection): queued for a later try."""
        with self._lock, transaction(self._connection):
            self._set(job, "queued", reply)

    def failed(self, job: Job, reply: str) -> None:
        """A permanent (5xx) answer; the third issue in a row makes the address `bounced`."""
        with self._lock, transaction(self._connection) as db:
            self._set(job, "failed", reply)
            db.execute(
                "UPDATE subscribers SET bounces = bounces + 1, updated = ?, status = CASE "
                "WHEN bounces + 1 >= ? AND status = 'active' THEN 'bounced' ELSE status END "
                "WHERE id = ?",
                (now_text(), BOUNCE_ISSUES, job.subscriber),
            )

    def skip(self, job: Job, reason: str) -> None:
        """Not sent, and not to be: no news in their sections, or they left meanwhile."""
        with self._lock, transaction(self._connection):
            self._set(job, "skipped", reason)

    def finish(self) -> None:
        """Record that nobody is left to try."""
        with self._lock, transaction(self._connection) as db:
            db.execute(
                "UPDATE sends SET finished = ? WHERE issue = ? AND finished IS NULL",
                (now_text(), self.issue),
            )

    def totals(self) -> Totals:
        """Where the issue's rows stand, with the addresses that failed or wait."""
        db = self._connection
        counts = dict(
            db.execute(
                "SELECT state || CASE WHEN state = 'skipped' AND reply != ? THEN '-left' "
                "ELSE '' END, count(*) FROM deliveries WHERE issue = ? GROUP BY 1",
                (NO_NEWS, self.issue),
            ).fetchall()
        )
        listed = "SELECT s.address, d.reply FROM deliveries d JOIN subscribers s "
        listed += "ON s.id = d.subscriber WHERE d.issue = ? AND d.state = ? ORDER BY s.address"
        (doubtful,) = db.execute(
            "SELECT coalesce(sum(doubtful), 0) FROM deliveries WHERE issue = ?", (self.issue,)
        ).fetchone()
        (left_before,) = db.execute(
            "SELECT count(*) FROM subscribers WHERE status != 'active' AND id NOT IN "
            "(SELECT subscriber FROM deliveries WHERE issue = ?)",
            (self.issue,),
        ).fetchone()
        return Totals(
            sent=counts.get("sent", 0),
            skipped=counts.get("skipped", 0),
            suppressed=counts.get("skipped-left", 0) + int(left_before),
            failed=tuple(db.execute(listed, (self.issue, "failed")).fetchall()),
            queued=tuple(db.execute(listed, (self.issue, "queued")).fetchall()),
            doubtful=int(doubtful),
        )
