"""The output folder's issue history, and `--since last` built on it."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from digest.config import Config
from digest.models import IssueRecord
from digest.pipeline import build
from digest.state import (
    STATE_FILE,
    State,
    StateError,
    load_state,
    state_bytes,
)
from tests.conftest import NOW, ArticleWriter

DAY = timedelta(days=1)


def _outputs(folder: Path) -> dict[Path, bytes]:
    """Every file a build left but its cache (which may learn more on a rebuild)."""
    return {
        p: p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and ".digest/cache/" not in p.relative_to(folder).as_posix()
    }


def record(number: int, day: str, *ids: str) -> IssueRecord:
    sent = datetime.fromisoformat(f"{day}T06:00:00+00:00")
    return IssueRecord(number, day, sent, sent - 7 * DAY, ids, f"Issue {number}")


def test_numbers_and_sent_ids_follow_dates() -> None:
    state = State((record(1, "2026-11-25", "a"), record(2, "2026-11-26", "b", "c")))
    assert state.number_for("2026-11-27") == 3
    assert state.number_for("2026-11-26") == 2  # a rebuild keeps its number
    assert state.previous("2026-11-26") == state.issues[0]
    assert state.sent_ids("2026-11-26") == {"a"}  # not the issue being rebuilt
    assert state.sent_ids("2026-11-27") == {"a", "b", "c"}
    assert State().number_for("2026-11-27") == 1
    replaced = state.with_issue(record(2, "2026-11-26", "d"))
    assert [issue.ids for issue in replaced.issues] == [("a",), ("d",)]


def test_round_trip_is_stable(tmp_path: Path) -> None:
    state = State((record(1, "2026-11-25", "a", "ü"), record(2, "2026-11-26")))
    (tmp_path / ".digest").mkdir()
    (tmp_path / STATE_FILE).write_bytes(state_bytes(state))
    assert load_state(tmp_path) == state
    assert state_bytes(load_state(tmp_path)) == state_bytes(state)


def test_no_state_file_is_an_empty_history(tmp_path: Path) -> None:
    assert load_state(tmp_path) == State()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{not json", "Expecting property name"),
        ('{"format": 99, "issues": []}', "format 99, expected 1"),
        ('{"format": 1}', "'issues'"),
        ('{"format": 1, "issues": [{"number": 0}]}', "issue number 0"),
        (
            '{"format": 1, "issues": [{"number": 1, "date": "2026-11-26", "ids": "a"}]}',
            "'ids' must be a list",
        ),
        (
            '{"format": 1, "issues": [{"number": 1, "date": "2026-11-26", "ids": [],'
            ' "sent_at": "2026-11-26T06:00:00", "since": "2026-11-20T06:00:00Z"}]}',
            "has no UTC offset",
        ),
    ],
)
def test_a_damaged_state_file_stops_the_build_with_advice(
    tmp_path: Path, text: str, reason: str
) -> None:
    (tmp_path / ".digest").mkdir()
    (tmp_path / STATE_FILE).write_text(text)
    with pytest.raises(StateError, match="not a digest state file") as caught:
        load_state(tmp_path)
    assert reason in str(caught.value)
    assert f"delete {tmp_path / '.digest'} to start over" in str(caught.value)


def digest_headlines(config: Config) -> list[str]:
    """Story headlines in digest.txt (related links are on 'Related:' lines)."""
    return [
        line
        for line in (config.output / "digest.txt").read_text().splitlines()
        if line.startswith("Headline ")
    ]


def test_since_last_sends_each_story_once(write_article: ArticleWriter, config: Config) -> None:
    write_article("monday", date="2026-11-23T09:00:00Z")
    write_article("thursday", date="2026-11-26T09:00:00Z")
    first = build(config, now=NOW, since_last=True)  # no history: the configured window
    assert first.issue is not None
    assert (first.issue.number, first.issue.ids) == (1, ("thursday", "monday"))
    assert first.since == NOW - config.window

    write_article("friday", date="2026-11-27T12:00:00Z")
    write_article("late-correction", date="2026-11-20T09:00:00Z", updated="2026-11-27T10:00:00Z")
    write_article("thursday", date="2026-11-26T09:00:00Z", updated="2026-11-27T11:00:00Z")
    second = build(config, now=NOW + DAY, since_last=True)
    assert second.issue is not None
    assert second.issue.number == 2
    assert second.since == NOW  # the previous issue's sent_at
    assert second.issue.ids == ("friday", "late-correction")  # thursday was already sent
    assert digest_headlines(config) == ["Headline friday", "Headline late-correction"]

    history = json.loads((config.output / STATE_FILE).read_text())["issues"]
    assert [(i["number"], i["date"], i["ids"]) for i in history] == [
        (1, "2026-11-27", ["thursday", "monday"]),
        (2, "2026-11-28", ["friday", "late-correction"]),
    ]


def test_nothing_new_keeps_digest_and_state(write_article: ArticleWriter, config: Config) -> None:
    write_article("thursday", date="2026-11-26T09:00:00Z")
    build(config, now=NOW, since_last=True)
    digest = config.output / "digest.html"
    state = config.output / STATE_FILE
    before = (digest.read_bytes(), state.read_bytes(), digest.stat().st_mtime_ns)
    result = build(config, now=NOW + DAY, since_last=True)
    assert result.issue is None and result.in_digest == 0
    assert (digest.read_bytes(), state.read_bytes(), digest.stat().st_mtime_ns) == before
    assert "digest.html" not in result.files and STATE_FILE not in result.files


def test_a_rebuild_on_the_same_day_is_identical(
    write_article: ArticleWriter, config: Config
) -> None:
    write_article("wednesday", date="2026-11-25T09:00:00Z")
    build(config, now=NOW - DAY, since_last=True)
    write_article("thursday", date="2026-11-26T09:00:00Z")
    first = build(config, now=NOW, since_last=True)
    snapshot = _outputs(config.output)
    second = build(config, now=NOW, since_last=True)
    assert first.issue == second.issue
    assert second.issue is not None and second.issue.number == 2
    assert second.published.written == ()
    assert _outputs(config.output) == snapshot


def test_a_later_rebuild_the_same_day_replaces_that_days_issue(
    write_article: ArticleWriter, config: Config
) -> None:
    write_article("wednesday", date="2026-11-25T09:00:00Z")
    build(config, now=NOW - DAY, since_last=True)
    write_article("thursday", date="2026-11-26T09:00:00Z")
    build(config, now=NOW, since_last=True)
    write_article("friday-morning", date="2026-11-27T07:00:00Z")
    later = build(config, now=NOW + timedelta(hours=3), since_last=True)
    assert later.issue is not None
    assert (later.issue.number, later.issue.ids) == (2, ("friday-morning", "thursday"))
    assert [i.number for i in load_state(config.output).issues] == [1, 2]


def test_plain_builds_are_remembered_too(write_article: ArticleWriter, config: Config) -> None:
    write_article("thursday", date="2026-11-26T09:00:00Z")
    build(config, now=NOW)
    write_article("friday", date="2026-11-27T09:00:00Z")
    result = build(config, now=NOW + DAY, since_last=True)
    assert result.issue is not None
    assert (result.issue.number, result.issue.ids) == (2, ("friday",))


def test_a_build_dated_before_the_last_issue_makes_no_issue_but_publishes_the_feeds(
    write_article: ArticleWriter, config: Config
) -> None:
    write_article("thursday", date="2026-11-26T09:00:00Z")
    build(config, now=NOW)
    kept = {name: (config.output / name).read_bytes() for name in (STATE_FILE, "digest.html")}
    write_article("wednesday", date="2026-11-25T05:00:00Z")
    result = build(config, now=NOW - 2 * DAY)
    assert (result.issue, result.in_digest, result.held) == (None, 0, True)
    (warning,) = result.warnings
    assert warning.path == config.output / STATE_FILE
    assert "issue 1 is dated 2026-11-27, after this build's date 2026-11-25" in warning.message
    assert {name: (config.output / name).read_bytes() for name in kept} == kept
    assert "Headline wednesday" in (config.output / "rss.xml").read_text()


def test_issue_date_is_the_local_date(write_article: ArticleWriter, config: Config) -> None:
    write_article("thursday", date="2026-11-26T09:00:00Z")
    tokyo = replace(config, timezone="Asia/Tokyo")
    result = build(tokyo, now=datetime(2026, 11, 27, 20, tzinfo=UTC))
    assert result.issue is not None and result.issue.date == "2026-11-28"


def test_dry_run_changes_nothing(write_article: ArticleWriter, config: Config) -> None:
    write_article("thursday", date="2026-11-26T09:00:00Z")
    dry = build(config, now=NOW, since_last=True, dry_run=True)
    assert not config.output.exists()
    assert STATE_FILE in dry.published.written and "digest.html" in dry.published.written
    build(config, now=NOW, since_last=True)
    write_article("friday", date="2026-11-27T09:00:00Z")
    snapshot = {p: p.stat().st_mtime_ns for p in config.output.rglob("*")}
    dry = build(config, now=NOW + DAY, since_last=True, dry_run=True)
    assert dry.issue is not None and dry.issue.number == 2
    assert {"digest.html", STATE_FILE, "rss.xml"} <= set(dry.published.written)
    assert {p: p.stat().st_mtime_ns for p in config.output.rglob("*")} == snapshot
    assert len(load_state(config.output).issues) == 1


def test_issue_numbers_and_history_reach_the_digest_and_archive(
    write_article: ArticleWriter, config: Config
) -> None:
    write_article("thursday", date="2026-11-26T09:00:00Z")
    build(config, now=NOW, since_last=True)
    write_article("friday", date="2026-11-27T09:00:00Z")
    build(config, now=NOW + DAY, since_last=True)
    assert "No. 2" in (config.output / "digest.txt").read_text()
    index = (config.output / "archive/index.html").read_text()
    assert index.index("No.&nbsp;2") < index.index("No.&nbsp;1")  # newest first, both listed
    assert "archive/2026-11-27.html" in index and "archive/2026-11-28.html" in index
    assert (config.output / "archive/2026-11-27.html").is_file()  # the earlier issue stays
    subjects = [issue.subject for issue in load_state(config.output).issues]
    assert subjects == [
        "Test Times: 1 story — 27 November 2026",
        "Test Times: 1 story — 28 November 2026",
    ]
