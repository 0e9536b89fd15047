"""The output folder's memory of past digest issues: `.digest/state.json`.

One small JSON document, rewritten whole on every build that makes an issue. It is not
written here: `state_bytes` renders it and publish.py renames it into place after every
other output, so a build killed half-way can leave the outputs newer than the state
(the next build re-sends a story) but never the state newer than the outputs (a story
recorded as sent that no reader received).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from digest.errors import DigestError, Problem
from digest.models import MAX_YEAR, MIN_YEAR, Article, IssueRecord
from digest.publish import write_private

STATE_FILE = ".digest/state.json"
FORMAT = 1


class StateError(DigestError):
    """The state file cannot be used; the build stops before writing anything."""


@dataclass(frozen=True)
class State:
    """Every digest issue made into this output folder, oldest first; the numbers of
    those `digest send` has begun to send (a sent issue is final); and the unknown
    front-matter keys the last build that wrote the state found (`--quiet` names only
    keys new since)."""

    issues: tuple[IssueRecord, ...] = ()
    sent: frozenset[int] = frozenset()
    keys: tuple[str, ...] = ()

    def final(self, issue: IssueRecord) -> bool:
        """Whether `issue` went out (in part or whole): no build may replace it."""
        return issue.number in self.sent

    def previous(self, day: str) -> IssueRecord | None:
        """The newest issue dated before `day`, or sent on `day` (a rebuild on `day`
        replaces that day's issue unless it was sent)."""
        earlier = self._settled(day)
        return earlier[-1] if earlier else None

    def number_for(self, day: str) -> int:
        """`day`'s issue keeps its number when rebuilt; a new day, or a day whose issue
        was sent, gets the next one."""
        for issue in self.issues:
            if issue.date == day and issue.number is not None and not self.final(issue):
                return issue.number
        previous = self.previous(day)
        return (previous.number or 0) + 1 if previous else 1

    def sent_ids(self, day: str) -> frozenset[str]:
        """Ids of every article in an issue dated before `day`, or sent on `day`."""
        return frozenset(article for issue in self._settled(day) for article in issue.ids)

    def _settled(self, day: str) -> list[IssueRecord]:
        """The issues a build on `day` keeps: those dated before it, or on it and sent."""
        return [i for i in self.issues if i.date < day or (i.date == day and self.final(i))]

    def with_issue(self, record: IssueRecord) -> State:
        """This state with `record` added, replacing an unsent issue of the same date."""
        kept = [i for i in self.issues if i.date != record.date or self.final(i)]
        ordered = sorted([*kept, record], key=lambda issue: (issue.date, issue.number or 0))
        return replace(self, issues=tuple(ordered))

    def with_keys(self, keys: Iterable[str]) -> State:
        """This state remembering `keys` as the unknown front-matter keys known."""
        return replace(self, keys=tuple(sorted(set(keys))))


def new_since(
    live: Iterable[Article],
    *,
    since: datetime,
    now: datetime,
    sent: frozenset[str],
    horizon: datetime | None = None,
) -> list[Article]:
    """Live articles never sent: published or updated in (since, now], or published after
    `horizon` (a story that went live after its date, e.g. a draft published late)."""
    reach = since if horizon is None else min(since, horizon)
    return [
        article
        for article in live
        if article.id not in sent
        and article.published <= now
        and (article.published > reach or since < article.updated <= now)
    ]


def sent_late(window: Iterable[Article], *, since: datetime, now: datetime) -> int:
    """How many of `window` `new_since` took for its horizon alone: stories older than the
    previous issue that no issue carried (their file went live after their date)."""
    return sum(1 for a in window if a.published <= since and not since < a.updated <= now)


def issue_record(
    state: State, *, day: str, now: datetime, since: datetime, articles: Sequence[Article]
) -> IssueRecord:
    """The record of the issue this build makes on `day`."""
    return IssueRecord(
        number=state.number_for(day),
        date=day,
        sent_at=now,
        since=since,
        ids=tuple(article.id for article in articles),
    )


def load_state(out_dir: Path) -> State:
    """Read the state of `out_dir`; no file means no issue yet."""
    path = out_dir / STATE_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return State()
    except (OSError, UnicodeDecodeError) as error:
        raise StateError(f"{path}: cannot read the build state: {error}") from error
    try:
        document = _document(text)
        issues, sent = _issues(document)
        keys = _keys(document)
    except (ValueError, KeyError, TypeError) as error:
        reason = f"no {error}" if isinstance(error, KeyError) else str(error)
        raise StateError(
            f"{path}: not a digest state file ({reason}); delete {path.parent} to start "
            "over (the next digest then covers the configured window)"
        ) from error
    ordered = sorted(issues, key=lambda issue: (issue.date, issue.number or 0))
    return State(tuple(ordered), sent, keys)


def _document(text: str) -> dict[str, Any]:
    """A state file's JSON object; ValueError if it is none, or of another format."""
    try:
        document = json.loads(text)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    if not isinstance(document, dict):
        raise ValueError("not a JSON object")
    if document.get("format") != FORMAT:
        raise ValueError(f"format {document.get('format')!r}, expected {FORMAT}")
    return document


def _keys(document: dict[str, Any]) -> tuple[str, ...]:
    """The unknown front-matter keys a state remembers (none in a state written before)."""
    keys = document.get(KEYS_ENTRY, [])
    if not isinstance(keys, list) or not all(isinstance(key, str) for key in keys):
        raise ValueError(f"'{KEYS_ENTRY}' must be a list of strings")
    return tuple(keys)


KEYS_ENTRY = "unknown_front_matter_keys"


def _issues(document: dict[str, Any]) -> tuple[tuple[IssueRecord, ...], frozenset[int]]:
    """The issues a state `document` holds, and the numbers of those sent; ValueError (or a
    lookup error) if misshapen."""
    entries = document["issues"]
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise ValueError("'issues' must be a list of objects")
    sent = [entry.get("sent", False) for entry in entries]
    if not all(isinstance(flag, bool) for flag in sent):
        raise ValueError("'sent' must be true or false")
    records = tuple(_record(entry) for entry in entries)
    return records, frozenset(
        r.number for r, f in zip(records, sent, strict=True) if f and r.number
    )


def dated_after(state: State, *, day: str, path: Path) -> Problem | None:
    """A warning if an issue is dated after `day`: numbers and windows only move forward.

    Such an issue comes from a build run with a wrong clock, `--now` or `SOURCE_DATE_EPOCH`.
    A build dated `day` then makes no issue (and leaves the history alone), but its feeds
    are published: one mistaken build must not stop them.
    """
    if not state.issues or state.issues[-1].date <= day:
        return None
    newest = state.issues[-1]
    return Problem(
        path,
        1,
        f"issue {newest.number} is dated {newest.date}, after this build's date {day} (a build "
        "with a wrong clock, --now or SOURCE_DATE_EPOCH?): the feeds are published, but no "
        f"digest issue is made until a build dated {newest.date} or later. If that issue was a "
        f"mistake, remove the issues dated after {day} from this file and their pages from "
        "archive/ (or delete this file to start the issue history over)",
    )


def state_bytes(state: State) -> bytes:
    """The state as stable, human-readable JSON (same state → same bytes)."""
    entries = [
        _entry(issue) | ({"sent": True} if state.final(issue) else {}) for issue in state.issues
    ]
    document: dict[str, Any] = {"format": FORMAT, "issues": entries}
    if state.keys:  # written only when there are some: a state without stays as it was
        document[KEYS_ENTRY] = list(state.keys)
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def mark_sent(out_dir: Path, issue: IssueRecord) -> None:
    """Record in `out_dir`'s state that `issue` is being sent: from now on it is final.
    The caller holds the output folder's lock."""
    state = load_state(out_dir)
    if issue.number is None or issue.number in state.sent:
        return
    write_private(
        out_dir, STATE_FILE, state_bytes(replace(state, sent=state.sent | {issue.number}))
    )


def _entry(issue: IssueRecord) -> dict[str, Any]:
    return {
        "number": issue.number,
        "date": issue.date,
        "sent_at": issue.sent_at.isoformat(),
        "since": issue.since.isoformat(),
        "subject": issue.subject,
        "ids": list(issue.ids),
    }


def _record(entry: dict[str, Any]) -> IssueRecord:
    number = entry["number"]
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise ValueError(f"issue number {number!r} is not a whole number of at least 1")
    if not isinstance(entry["date"], str):
        raise ValueError(f"issue {number}: 'date' must be a date as text")
    day = date.fromisoformat(entry["date"])
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise ValueError(f"issue {number}: date {entry['date']!r} is out of range")
    ids = entry["ids"]
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise ValueError(f"issue {number}: 'ids' must be a list of strings")
    subject = entry.get("subject", "")
    if not isinstance(subject, str):
        raise ValueError(f"issue {number}: 'subject' must be a string")
    return IssueRecord(
        number=number,
        date=day.isoformat(),
        sent_at=_moment(entry["sent_at"]),
        since=_moment(entry["since"]),
        ids=tuple(ids),
        subject=subject,
    )


def _moment(text: Any) -> datetime:
    if not isinstance(text, str):
        raise ValueError(f"time {text!r} is not text")
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"time {text!r} has no UTC offset")
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise ValueError(f"time {text!r} is out of range: years {MIN_YEAR} to {MAX_YEAR}")
    return moment
