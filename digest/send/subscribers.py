"""The subscribers and the sending journal: one SQLite file (`send.subscribers`), in WAL mode.

A subscriber is an address (checked by `email-validator`, no DNS; the domain's case folded,
so `Jane@Example.org` and `Jane@example.org` are one row), a name, the sections they chose
(none: all) and a status: `active`, `unsubscribed` or `bounced`. Rows are never deleted:
an address that left stays, so that no import brings it back unless told to.

The same file holds the journal (journal.py): one row per (issue, subscriber).
"""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from email_validator import EmailNotValidError, validate_email

from digest.errors import DigestError, Problem
from digest.send import history

STATUSES = ("active", "unsubscribed", "bounced")
COLUMNS = ("email", "name", "sections", "status")
BUSY_SECONDS = 30.0
"""How long a writer waits for another (a second `digest send`, an import) to commit."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS subscribers (
    id INTEGER PRIMARY KEY,
    address TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL DEFAULT '',
    sections TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('active', 'unsubscribed', 'bounced')),
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    bounces INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS deliveries (
    issue INTEGER NOT NULL,
    subscriber INTEGER NOT NULL REFERENCES subscribers (id),
    state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'skipped')),
    attempts INTEGER NOT NULL DEFAULT 0,
    doubtful INTEGER NOT NULL DEFAULT 0,
    reply TEXT NOT NULL DEFAULT '',
    updated TEXT NOT NULL,
    PRIMARY KEY (issue, subscriber)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS deliveries_state ON deliveries (issue, state);
"""
"""`bounces`: issues in a row on which the address failed permanently (three make it
`bounced`). `doubtful`: sends of this row that a crash interrupted after the message may
have been accepted, i.e. possible duplicates."""


class SubscriberError(DigestError):
    """A subscriber command could not do what was asked (exit 1)."""


@dataclass(frozen=True)
class Subscriber:
    """One row of the subscribers table."""

    id: int
    address: str
    name: str
    sections: tuple[str, ...]  # empty: every section
    status: str


def normal_address(text: str) -> str:
    """`text` as one address, the domain in lower case (IDN in ASCII); ValueError says why not."""
    try:
        checked = validate_email(text.strip(), check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as error:
        raise ValueError(f"{text.strip()!r} is not an email address: {error}") from None
    return checked.ascii_email or checked.normalized


def parse_sections(text: str, separator: str) -> tuple[str, ...]:
    """Section names separated by `separator`, blanks dropped; () means every section."""
    names = (" ".join(name.split()) for name in text.split(separator))
    return tuple(dict.fromkeys(name for name in names if name))


def now_text(moment: float | None = None) -> str:
    """The current UTC time (or `moment`, in Unix seconds), as the tables record times."""
    when = datetime.now(UTC) if moment is None else datetime.fromtimestamp(moment, UTC)
    return when.replace(microsecond=0).isoformat()


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if need be) the subscribers file: WAL, foreign keys, the schema."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(
            path, timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False
        )
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = NORMAL")  # WAL: a crash loses no commit
        connection.execute("PRAGMA foreign_keys = ON")
        connection.executescript(SCHEMA)
        connection.executescript(history.SCHEMA)
    except (OSError, sqlite3.Error) as error:
        raise SubscriberError(f"{path}: cannot open the subscribers file: {error}") from error
    return connection


@contextmanager
def transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction, committed when the block ends, rolled back if it raises."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield connection
        connection.execute("COMMIT")  # may fail too (a full disk): then roll back
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise


def _row(row: Sequence[object]) -> Subscriber:
    identity, address, name, sections, status = row
    return Subscriber(
        int(str(identity)),
        str(address),
        str(name),
        parse_sections(str(sections), "\n"),
        str(status),
    )


def find(connection: sqlite3.Connection, address: str) -> Subscriber | None:
    """The subscriber with this (normalised) address, if any."""
    row = connection.execute(
        "SELECT id, address, name, sections, status FROM subscribers WHERE address = ?",
        (address,),
    ).fetchone()
    return None if row is None else _row(row)


def subscribers(connection: sqlite3.Connection, status: str | None = None) -> Iterator[Subscriber]:
    """Every subscriber (of `status`, if given), by address."""
    query = "SELECT id, address, name, sections, status FROM subscribers"
    rows = (
        connection.execute(query + " ORDER BY address")
        if status is None
        else connection.execute(query + " WHERE status = ? ORDER BY address", (status,))
    )
    for row in rows:
        yield _row(row)


@dataclass(frozen=True)
class Change:
    """What saving one subscriber did: 'added', 'updated', 'unchanged' or 'kept' (an
    address that left, not re-activated)."""

    outcome: str
    subscriber: Subscriber


def save(
    connection: sqlite3.Connection,
    address: str,
    *,
    name: str | None,
    sections: tuple[str, ...] | None,
    status: str = "active",
    reactivate: bool = False,
    origin: str = "cli",
) -> Change:
    """Add the address or update its row (None leaves a field as it is).

    An address that unsubscribed or bounced stays so unless `reactivate`; setting a status
    other than `active` (an opt-out) always applies. A change of status or sections is
    recorded in the history with `origin`.
    """
    found = find(connection, address)
    stamp = now_text()
    if found is None:
        connection.execute(
            "INSERT INTO subscribers (address, name, sections, status, created, updated) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (address, name or "", "\n".join(sections or ()), status, stamp, stamp),
        )
        saved = find(connection, address)
        assert saved is not None
        _record(connection, saved, stamp, origin)
        return Change("added", saved)
    kept = status == "active" and found.status != "active" and not reactivate
    wanted = Subscriber(
        found.id,
        address,
        found.name if name is None else name,
        found.sections if sections is None else sections,
        found.status if kept else status,
    )
    if wanted == found:
        return Change("kept" if kept else "unchanged", found)
    connection.execute(
        "UPDATE subscribers SET name = ?, sections = ?, status = ?, updated = ?, "
        "bounces = CASE WHEN ? = 'active' THEN 0 ELSE bounces END WHERE id = ?",
        (wanted.name, "\n".join(wanted.sections), wanted.status, stamp, wanted.status, found.id),
    )
    if (wanted.status, wanted.sections) != (found.status, found.sections):
        _record(connection, wanted, stamp, origin)
    return Change("kept" if kept else "updated", wanted)


def unsubscribe(
    connection: sqlite3.Connection, address: str, *, origin: str = "cli"
) -> Subscriber | None:
    """Mark the address unsubscribed (its row stays); None when there is no such address."""
    found = find(connection, address)
    if found is None:
        return None
    left = Subscriber(found.id, found.address, found.name, found.sections, "unsubscribed")
    if found.status != "unsubscribed":
        stamp = now_text()
        connection.execute(
            "UPDATE subscribers SET status = 'unsubscribed', updated = ? WHERE id = ?",
            (stamp, found.id),
        )
        _record(connection, left, stamp, origin)
    return left


def _record(connection: sqlite3.Connection, row: Subscriber, stamp: str, origin: str) -> None:
    history.record(
        connection, row.address, at=stamp, origin=origin, status=row.status, sections=row.sections
    )


@dataclass(frozen=True)
class ImportResult:
    """What an import did, outcome by outcome, and the lines it could not use."""

    counts: dict[str, int]
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class _Line:
    line: int
    address: str
    name: str
    sections: tuple[str, ...]
    status: str


def read_csv(path: Path) -> tuple[list[_Line], list[Problem]]:
    """The usable lines of a subscribers CSV file and a problem for every other line.

    Raises SubscriberError when the file cannot be read or its header has no `email`.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise SubscriberError(f"{path}: cannot read: {error}") from error
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [cell.strip().lower() for cell in next(reader, [])]
    unknown = [name for name in header if name not in COLUMNS]
    if "email" not in header or unknown:
        what = f"unknown column {unknown[0]!r}" if unknown else "no 'email' column"
        raise SubscriberError(
            f"{path}:1: {what}; the first line names the columns: {', '.join(COLUMNS)} "
            "(only email is required)"
        )
    lines: list[_Line] = []
    problems: list[Problem] = []
    start = reader.line_num + 1
    for cells in reader:
        if any(cell.strip() for cell in cells):
            try:
                row = dict(zip(header, cells, strict=False))
                lines.append(_line(start, row, len(cells), header))
            except ValueError as error:
                problems.append(Problem(path, start, str(error)))
        start = reader.line_num + 1
    return lines, problems


def _line(number: int, row: dict[str, str], cells: int, header: list[str]) -> _Line:
    if cells > len(header):
        raise ValueError(f"{cells} cells, but the header names {len(header)} columns")
    status = row.get("status", "").strip().lower() or "active"
    if status not in STATUSES:
        raise ValueError(f"status {status!r} is not one of {', '.join(STATUSES)}")
    return _Line(
        number,
        normal_address(row.get("email", "")),
        " ".join(row.get("name", "").split()),
        parse_sections(row.get("sections", ""), ";"),
        status,
    )


def import_csv(connection: sqlite3.Connection, path: Path, *, reactivate: bool) -> ImportResult:
    """Add or update every good line of `path` in one transaction; report the bad ones.

    Importing the same file again changes nothing. A later line for the same address wins
    (counted as `merged`).
    """
    lines, problems = read_csv(path)
    latest = {line.address: line for line in lines}
    counts = {"added": 0, "updated": 0, "unchanged": 0, "kept": 0}
    counts["merged"] = len(lines) - len(latest)
    with transaction(connection):
        for line in latest.values():
            change = save(
                connection,
                line.address,
                name=line.name,
                sections=line.sections,
                status=line.status,
                reactivate=reactivate,
                origin="import",
            )
            counts[change.outcome] += 1
    return ImportResult(counts, tuple(problems))


def export_csv(rows: Iterable[Subscriber], stream: TextIO) -> None:
    """Write `rows` as CSV with the columns `import` reads back."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow((row.address, row.name, ";".join(row.sections), row.status))
