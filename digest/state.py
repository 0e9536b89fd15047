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
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .errors import DigestError
from .models import Article, IssueRecord

STATE_FILE = ".digest/state.json"
FORMAT = 1


class StateError(DigestError):
    """The state file cannot be used; the build stops before writing anything."""


@dataclass(frozen=True)
class State:
    """Every digest issue made into this output folder, oldest first."""

    issues: tuple[IssueRecord, ...] = ()

    def previous(self, day: str) -> IssueRecord | None:
        """The newest issue dated before `day` (a rebuild on `day` replaces that day's)."""
        earlier = [issue for issue in self.issues if issue.date < day]
        return earlier[-1] if earlier else None

    def number_for(self, day: str) -> int:
        """`day`'s issue keeps its number when rebuilt; a new day gets the next one."""
        for issue in self.issues:
            if issue.date == day and issue.number is not None:
                return issue.number
        previous = self.previous(day)
        return (previous.number or 0) + 1 if previous else 1

    def sent_ids(self, day: str) -> frozenset[str]:
        """Ids of every article sent in an issue dated before `day`."""
        return frozenset(i for issue in self.issues if issue.date < day for i in issue.ids)

    def with_issue(self, record: IssueRecord) -> State:
        """This state with `record` added, replacing any issue of the same date."""
        kept = [issue for issue in self.issues if issue.date != record.date]
        return State(tuple(sorted([*kept, record], key=lambda issue: issue.date)))


def new_since(
    live: Iterable[Article], *, since: datetime, now: datetime, sent: frozenset[str]
) -> list[Article]:
    """Live articles published or updated in (since, now] whose id was never sent."""
    return [
        article
        for article in live
        if article.id not in sent
        and article.published <= now
        and (article.published > since or since < article.updated <= now)
    ]


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
        document = json.loads(text)
        if document.get("format") != FORMAT:
            raise ValueError(f"format {document.get('format')!r}, expected {FORMAT}")
        issues = tuple(_record(entry) for entry in document["issues"])
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise StateError(
            f"{path}: not a digest state file ({error}); delete {path.parent} to start "
            "over (the next digest then covers the configured window)"
        ) from error
    return State(tuple(sorted(issues, key=lambda issue: issue.date)))


def check_forward(state: State, *, day: str, path: Path) -> None:
    """Refuse a build dated before the newest issue: numbers and windows only move forward."""
    if state.issues and state.issues[-1].date > day:
        newest = state.issues[-1]
        raise StateError(
            f"{path}: issue {newest.number} is dated {newest.date}, after this build's date "
            f"{day}; use another --out or a later --now"
        )


def state_bytes(state: State) -> bytes:
    """The state as stable, human-readable JSON (same state → same bytes)."""
    document = {"format": FORMAT, "issues": [_entry(issue) for issue in state.issues]}
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


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
    day = date.fromisoformat(entry["date"]).isoformat()
    ids = entry["ids"]
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise ValueError(f"issue {number}: 'ids' must be a list of strings")
    subject = entry.get("subject", "")
    if not isinstance(subject, str):
        raise ValueError(f"issue {number}: 'subject' must be a string")
    return IssueRecord(
        number=number,
        date=day,
        sent_at=_moment(entry["sent_at"]),
        since=_moment(entry["since"]),
        ids=tuple(ids),
        subject=subject,
    )


def _moment(text: Any) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"time {text!r} has no UTC offset")
    return moment
