"""The digest on the web: each issue's page (archive/<date>.html) and the index of issues."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from digest.config import Config
from digest.models import IssueRecord

ARCHIVE_FOLDER = "archive"
INDEX_PATH = f"{ARCHIVE_FOLDER}/index.html"
DATE_STYLE = "%A %-d %B %Y"


def issue_path(date: str) -> str:
    """The output path of an issue's web copy."""
    return f"{ARCHIVE_FOLDER}/{date}.html"


def issue_url(config: Config, date: str) -> str:
    """The absolute URL of an issue's web copy: the email's "view in browser" link."""
    return config.base_url + issue_path(date)


def index_url(config: Config) -> str:
    """The absolute URL of the list of issues."""
    return config.base_url + INDEX_PATH


@dataclass(frozen=True)
class ArchiveEntry:
    """One line of the archive index."""

    record: IssueRecord
    date_text: str
    url: str


def archive_entries(
    issue: IssueRecord, archive: Sequence[IssueRecord], *, config: Config
) -> tuple[ArchiveEntry, ...]:
    """Every issue newest first; an earlier issue of the same date is replaced by this one."""
    by_date = {record.date: record for record in sorted(archive, key=lambda r: r.sent_at)}
    by_date[issue.date] = issue
    newest_first = sorted(by_date.values(), key=lambda r: (r.date, r.sent_at), reverse=True)
    return tuple(
        ArchiveEntry(
            record,
            record.sent_at.astimezone(config.zone).strftime(DATE_STYLE),
            issue_url(config, record.date),
        )
        for record in newest_first
    )
