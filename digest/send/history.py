"""Every change to a subscription, with its time and where it came from.

One row per change in the subscribers file's `history` table: the address, when, the
origin (`cli`, `import`, `sign-up`, `confirmation`, `one-click`, `unsubscribe page`,
`preferences`, `bounce`) and the status and sections it left. A sign-up that is not
confirmed yet is recorded too (status `asked`): the per-address limit on confirmation
emails counts those rows. A bounce is recorded by a trigger, whoever marks it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

SCHEMA = """
CREATE TABLE IF NOT EXISTS history (
    id INTEGER PRIMARY KEY,
    address TEXT NOT NULL,
    at TEXT NOT NULL,
    origin TEXT NOT NULL,
    status TEXT NOT NULL,
    sections TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS history_address ON history (address, at);
CREATE TRIGGER IF NOT EXISTS history_bounce AFTER UPDATE OF status ON subscribers
WHEN NEW.status = 'bounced' AND OLD.status != 'bounced'
BEGIN
    INSERT INTO history (address, at, origin, status, sections)
    VALUES (NEW.address, NEW.updated, 'bounce', 'bounced', NEW.sections);
END;
"""
ASKED = "asked"
"""The status a sign-up records before its confirmation."""


@dataclass(frozen=True)
class Event:
    """One recorded change."""

    at: str
    origin: str
    status: str
    sections: tuple[str, ...]


def record(
    connection: sqlite3.Connection,
    address: str,
    *,
    at: str,
    origin: str,
    status: str,
    sections: tuple[str, ...],
) -> None:
    """Add one change to the history (inside the caller's transaction)."""
    connection.execute(
        "INSERT INTO history (address, at, origin, status, sections) VALUES (?, ?, ?, ?, ?)",
        (address, at, origin, status, "\n".join(sections)),
    )


def events(connection: sqlite3.Connection, address: str) -> Iterator[Event]:
    """The changes to `address`, oldest first."""
    rows = connection.execute(
        "SELECT at, origin, status, sections FROM history WHERE address = ? ORDER BY id",
        (address,),
    )
    for at, origin, status, sections in rows:
        chosen = tuple(name for name in str(sections).split("\n") if name)
        yield Event(str(at), str(origin), str(status), chosen)


def asked_since(connection: sqlite3.Connection, address: str, since: str) -> int:
    """How many sign-ups for `address` were recorded at or after `since`."""
    (count,) = connection.execute(
        "SELECT count(*) FROM history WHERE address = ? AND origin = 'sign-up' AND at >= ?",
        (address, since),
    ).fetchone()
    return int(count)
