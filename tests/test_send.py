"""`digest send` against a real SMTP server (aiosmtpd in a subprocess on 127.0.0.1).

Faults are injected by the server's handlers (tests/smtp_server.py): greylisting, 550 for
some addresses, a connection dropped before the reply to DATA, a slow server. Every
delivered message is parsed back: one per eligible subscriber, `To:` right, token valid
and unique, only their sections.
"""

from __future__ import annotations

import email
import email.policy
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli import cli
from digest.config import Config
from digest.pipeline import build
from digest.send.deliver import prepare, send_all
from digest.send.journal import Journal
from digest.send.sender import Tuning
from digest.send.subscribers import connect, save, subscribers, transaction
from digest.send.tokens import verify_token
from digest.state import load_state
from tests.conftest import NOW, ArticleWriter
from tests.smtp_server import RunningServer, smtp_server

SECRET = "tests-secret-0123456789abcdef"
FAST = Tuning(backoff=(0.05, 0.1), reconnect=0.01, drops=3, connect_attempts=3)
STANDFIRSTS = {
    "World": "Standfirst of the world story.",
    "Sport": "Standfirst of the sport story.",
    "Culture": "Standfirst of the culture story.",
}


@pytest.fixture(autouse=True)
def secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIGEST_SECRET", SECRET)
    monkeypatch.delenv("DIGEST_SMTP_PASSWORD", raising=False)


@pytest.fixture
def issue(write_article: ArticleWriter, config: Config, tmp_path: Path) -> Config:
    """An issue built with one story in each of World, Sport and Culture."""
    for section, standfirst in STANDFIRSTS.items():
        write_article(section.lower(), section=section, summary=standfirst)
    config = replace(
        config,
        subscribers=tmp_path / "readers.db",
        smtp_host="127.0.0.1",
        smtp_security="none",
        unsubscribe_url="https://news.example.org/unsubscribe",
        sender="Test Times <digest@news.example.org>",
        connections=3,
        smtp_timeout=10.0,
    )
    result = build(config, now=NOW)
    assert result.issue is not None and result.issue.number == 1
    return config


@contextmanager
def serving(config: Config, tmp_path: Path, *faults: str) -> Iterator[tuple[Config, RunningServer]]:
    """The SMTP server with `faults`, and `config` pointed at it."""
    with smtp_server(tmp_path / f"mail{time.monotonic_ns()}", *faults) as running:
        yield replace(config, smtp_port=running.port), running


def add(config: Config, *rows: tuple[str, str, tuple[str, ...], str]) -> None:
    with transaction(connect(config.subscribers)) as db:
        for address, name, sections, status in rows:
            save(db, address, name=name, sections=sections, status=status)


def parsed(running: RunningServer) -> dict[str, list[EmailMessage]]:
    """Every delivered message, by the address in its To: header."""
    by_address: dict[str, list[EmailMessage]] = {}
    for raw in running.messages():
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        to = message["To"].addresses
        assert len(to) == 1
        by_address.setdefault(to[0].addr_spec, []).append(message)
    return by_address


def parts(message: EmailMessage) -> tuple[str, str]:
    html = message.get_body(("html",))
    text = message.get_body(("plain",))
    assert html is not None and text is not None
    return str(html.get_content()), str(text.get_content())


def check_message(message: EmailMessage, address: str, sections: set[str], config: Config) -> str:
    """Assert the message is `address`'s, with only `sections`; return its token."""
    html, text = parts(message)
    for section, standfirst in STANDFIRSTS.items():  # related links show no standfirst
        assert (standfirst in html) == (section in sections), (address, section)
        assert (standfirst in " ".join(text.split())) == (section in sections), (address, section)
    count = len(sections)
    assert f"{count} {'story' if count == 1 else 'stories'}" in message["Subject"]
    unsubscribe = str(message["List-Unsubscribe"])
    assert unsubscribe.startswith("<https://news.example.org/unsubscribe?token=")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = unsubscribe.split("token=")[1].rstrip(">")
    assert verify_token(token, secret=SECRET.encode(), list_id=config.list_name) == address
    assert f"unsubscribe?token={token}" in html
    assert f"unsubscribe?token={token}" in text
    assert message["List-Id"] == f"Test Times <{config.list_name}>"
    return token


def test_each_eligible_subscriber_gets_one_message_with_only_their_sections(
    issue: Config, tmp_path: Path
) -> None:
    chosen: dict[str, tuple[str, ...]] = {
        "all@example.org": (),
        "world@example.org": ("World",),
        "two@example.org": ("sport", "CULTURE"),  # names in any case
        "gone@example.org": ("Weather",),  # no news in their sections: skipped
    }
    add(issue, *((a, "", s, "active") for a, s in chosen.items()))
    many = {f"reader{n}@example.org": ("World", "Sport")[: n % 2 + 1] for n in range(30)}
    add(issue, *((a, f"Reader {n}", s, "active") for n, (a, s) in enumerate(many.items())))
    add(
        issue,
        ("left@example.org", "", (), "unsubscribed"),
        ("bounced@example.org", "", (), "bounced"),
    )
    chosen |= many
    with serving(issue, tmp_path, "--greylist") as (issue, running):
        report = send_all(prepare(issue), tuning=FAST)
        delivered = parsed(running)
        totals = report.totals
        assert totals is not None
        assert (totals.sent, totals.skipped, totals.suppressed) == (33, 1, 2)
        assert totals.failed == totals.queued == ()
        eligible = {a for a, s in chosen.items() if a != "gone@example.org"}
        assert set(delivered) == eligible
        tokens = set()
        for address, messages in delivered.items():
            assert len(messages) == 1, address
            wanted = {s.title() for s in chosen[address]} or set(STANDFIRSTS)
            tokens.add(check_message(messages[0], address, wanted, issue))
        assert len(tokens) == len(eligible)
        assert len({m[0]["Message-ID"] for m in delivered.values()}) == len(eligible)
        again = send_all(prepare(issue), tuning=FAST)  # finished: sends nothing
        assert again.counts["sent"] == 0
        assert len(running.messages()) == len(eligible)


def test_a_550_is_recorded_with_the_reply_and_the_third_issue_in_a_row_bounces(
    issue: Config, write_article: ArticleWriter, tmp_path: Path
) -> None:
    add(issue, ("ok@example.org", "", (), "active"), ("nobody@example.org", "", (), "active"))
    with serving(issue, tmp_path, "--reject", "nobody@example.org") as (issue, running):
        for day in range(3):
            if day:
                write_article(f"later{day}", date=(NOW + timedelta(days=day - 1)).isoformat())
                build(issue, now=NOW + timedelta(days=day), since_last=True)
            report = send_all(prepare(issue), tuning=FAST)
            assert report.totals is not None
            assert report.totals.failed == (
                ("nobody@example.org", "550 5.1.1 <nobody@example.org>: no such mailbox here"),
            )
        assert sorted(parsed(running)) == ["ok@example.org"]
        assert len(running.messages()) == 3
    statuses = {row.address: row.status for row in subscribers(connect(issue.subscribers))}
    assert statuses == {"ok@example.org": "active", "nobody@example.org": "bounced"}


def test_a_connection_dropped_before_the_reply_to_data_is_sent_again_once(
    issue: Config, tmp_path: Path
) -> None:
    addresses = [f"r{n}@example.org" for n in range(12)]
    add(issue, *((a, "", (), "active") for a in addresses))
    drops = [arg for a in addresses[::3] for arg in ("--drop", a)]
    with serving(issue, tmp_path, *drops) as (issue, running):
        report = send_all(prepare(issue), tuning=FAST)
        assert report.totals is not None and report.totals.sent == 12
        delivered = parsed(running)
    assert Counter({a: len(m) for a, m in delivered.items()}) == Counter(
        dict.fromkeys(addresses, 1)
    )


def test_greylisted_past_the_runs_patience_waits_for_the_next_run(
    issue: Config, tmp_path: Path
) -> None:
    add(issue, ("grey@example.org", "", (), "active"))
    patient = replace(FAST, backoff=())
    with serving(issue, tmp_path, "--greylist") as (issue, running):
        first = send_all(prepare(issue), tuning=patient)
        assert first.totals is not None
        assert first.totals.queued == (
            ("grey@example.org", "451 4.7.1 Greylisted, please try again later"),
        )
        assert running.messages() == []
        second = send_all(prepare(issue), tuning=patient)
        assert second.totals is not None and second.totals.sent == 1
        assert second.totals.queued == ()
        assert len(running.messages()) == 1


def test_a_slow_server_is_worked_by_connections_in_parallel(issue: Config, tmp_path: Path) -> None:
    add(issue, *((f"s{n}@example.org", "", (), "active") for n in range(12)))
    with serving(issue, tmp_path, "--slow", "0.25") as (issue, running):
        started = time.monotonic()
        report = send_all(prepare(replace(issue, connections=4)), tuning=FAST)
        elapsed = time.monotonic() - started
        assert report.totals is not None and report.totals.sent == 12
        assert len(parsed(running)) == 12
    assert elapsed < 12 * 0.25 * 0.6  # one connection would need 3 s


def test_a_server_slower_than_the_timeout_leaves_everyone_queued(
    issue: Config, tmp_path: Path
) -> None:
    add(issue, ("late@example.org", "", (), "active"))
    with serving(issue, tmp_path, "--slow", "1.0") as (issue, _):
        report = send_all(prepare(replace(issue, smtp_timeout=0.2)), tuning=FAST)
    assert report.totals is not None and report.totals.sent == 0
    assert [address for address, _ in report.totals.queued] == ["late@example.org"]
    assert "timed out" in report.totals.queued[0][1]


def test_the_rate_is_shared_by_every_connection(issue: Config, tmp_path: Path) -> None:
    add(issue, *((f"q{n}@example.org", "", (), "active") for n in range(10)))
    with serving(issue, tmp_path) as (issue, _):
        started = time.monotonic()
        send_all(prepare(replace(issue, rate=20.0, connections=3)), tuning=FAST)
        assert time.monotonic() - started >= 9 / 20


def test_no_server_stops_the_run_and_keeps_everyone_queued(issue: Config) -> None:
    add(issue, ("a@example.org", "", (), "active"))
    report = send_all(prepare(replace(issue, smtp_port=1)), tuning=FAST)
    assert report.stopped.startswith("cannot connect to 127.0.0.1:1: ")
    assert report.totals is not None and report.totals.sent == 0
    assert len(report.totals.queued) == 1


def test_a_name_or_address_cannot_inject_a_header_or_markup(issue: Config, tmp_path: Path) -> None:
    hostile = 'Eve\r\nBcc: all@example.org\r\n\r\n<script>alert(1)</script> "Q" <x@y.org>'
    add(
        issue,
        ("eve@example.org", hostile, (), "active"),
        ("plain@example.org", "Pat Doe", (), "active"),
    )
    with serving(issue, tmp_path) as (issue, running):
        send_all(prepare(issue), tuning=FAST)
        delivered = parsed(running)
    (message,) = delivered["eve@example.org"]
    assert message["Bcc"] is None
    assert [a.addr_spec for a in message["To"].addresses] == ["eve@example.org"]
    assert "<script>" in message["To"].addresses[0].display_name  # kept as text, quoted
    html, _ = parts(message)
    assert "<script>" not in html
    assert "Bcc" not in html
    (plain,) = delivered["plain@example.org"]
    assert str(plain["To"]) == "Pat Doe <plain@example.org>"


def test_a_sent_issue_is_final(issue: Config, write_article: ArticleWriter, tmp_path: Path) -> None:
    add(issue, ("a@example.org", "", (), "active"))
    with serving(issue, tmp_path) as (issue, _):
        send_all(prepare(issue), tuning=FAST)
    assert load_state(issue.output).sent == {1}
    write_article("afternoon", date=(NOW + timedelta(hours=1)).isoformat())
    rebuilt = build(issue, now=NOW + timedelta(hours=2), since_last=True)
    assert rebuilt.issue is not None
    assert (rebuilt.issue.number, rebuilt.issue.ids) == (2, ("afternoon",))
    assert [i.number for i in load_state(issue.output).issues] == [1, 2]


def cli_send(
    config: Config, tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    toml = tmp_path / "send.toml"
    toml.write_text(
        f'[site]\ntitle = "Test Times"\nbase_url = "https://news.example.org/"\n'
        f'[build]\noutput = "{config.output}"\n'
        f'[email]\nsender = "Test Times <digest@news.example.org>"\n'
        f'unsubscribe_url = "{config.unsubscribe_url}"\n'
        f'[send]\nsubscribers = "{config.subscribers}"\nsmtp_host = "127.0.0.1"\n'
        f'smtp_port = {config.smtp_port}\nsmtp_security = "none"\n'
        f'smtp_user = "{config.smtp_user}"\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["send", "--config", str(toml), *args], env=env or {})
    return result.exit_code, result.stdout, result.stderr


def test_cli_send_summary_failures_and_exit_codes(issue: Config, tmp_path: Path) -> None:
    add(issue, ("a@example.org", "", (), "active"), ("no@example.org", "", ("World",), "active"))
    add(issue, ("culture@example.org", "", ("Culture",), "active"))
    with serving(issue, tmp_path, "--reject", "no@example.org") as (issue, running):
        config = issue
        code, out, err = cli_send(config, tmp_path, "--dry-run")
        assert code == 0, err
        assert out.splitlines() == [
            "would send: a@example.org: Culture, Sport, World (3 stories)",
            "would send: culture@example.org: Culture (1 story)",
            "would send: no@example.org: World (1 story)",
        ]
        code, out, err = cli_send(config, tmp_path, "--to", "proof@example.org")
        assert (code, out) == (0, "digest: proof of issue 1 sent to proof@example.org\n")
        assert not Journal(connect(issue.subscribers), load_state(issue.output).issues[0]).started()
        code, out, err = cli_send(config, tmp_path)
        assert code == 1
        assert (
            err
            == "digest: failed: no@example.org: 550 5.1.1 <no@example.org>: no such mailbox here\n"
        )
        assert out.startswith(
            "digest: issue 1: 2 sent, 0 skipped by their choice of sections, "
            "0 suppressed (unsubscribed or bounced), 1 failed; this run sent 2 in "
        )
        assert sorted(parsed(running)) == [
            "a@example.org",
            "culture@example.org",
            "proof@example.org",
        ]
        code, out, err = cli_send(config, tmp_path)  # finished: nothing to send, nothing to fix
        assert (code, err) == (0, "")
        assert out.startswith("digest: issue 1 was sent already (")
        assert out.endswith("); nothing to send\n")


def test_cli_configuration_errors_exit_2_before_anything_is_sent(
    issue: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add(issue, ("a@example.org", "", (), "active"))
    with serving(issue, tmp_path) as (issue, running):
        config = issue
        monkeypatch.setenv("DIGEST_SECRET", "")
        code, _, err = cli_send(config, tmp_path)
        assert code == 2
        assert "DIGEST_SECRET is not set" in err
        monkeypatch.setenv("DIGEST_SECRET", SECRET)
        code, _, err = cli_send(replace(config, smtp_user="digest"), tmp_path)
        assert code == 2
        assert "send.smtp_user is 'digest' but DIGEST_SMTP_PASSWORD is not set" in err
        code, _, err = cli_send(replace(config, unsubscribe_url=""), tmp_path)
        assert code == 2
        assert "send.unsubscribe_url is not set" in err
        assert running.messages() == []


def test_a_delivery_ends_a_run_of_permanent_failures(tmp_path: Path) -> None:
    from datetime import datetime

    from digest.models import IssueRecord

    store = connect(tmp_path / "readers.db")
    with transaction(store) as db:
        save(db, "flaky@example.org", name="", sections=())

    def issue_with(number: int, outcome: str) -> str:
        moment = datetime(2026, 11, number, 6, tzinfo=NOW.tzinfo)
        journal = Journal(store, IssueRecord(number, f"2026-11-{number:02d}", moment, moment, ()))
        journal.start()
        (job,) = journal.pending()
        journal.begin(job)
        if outcome == "sent":
            journal.sent(job)
        else:
            journal.failed(job, "550 no")
        (row,) = subscribers(store)
        return row.status

    outcomes = ["failed", "failed", "sent", "failed", "failed"]
    assert [issue_with(n, o) for n, o in enumerate(outcomes, 1)] == ["active"] * 5
    assert issue_with(6, "failed") == "bounced"
    store.close()


def test_a_journal_that_cannot_be_written_stops_the_run_and_the_next_resumes(
    issue: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    addresses = [f"d{n}@example.org" for n in range(10)]
    add(issue, *((a, "", (), "active") for a in addresses))
    recorded = Journal.sent
    calls = Counter[str]()

    def disk_fills(journal: Journal, job: object) -> None:
        calls["sent"] += 1
        if calls["sent"] >= 5:  # the fifth message went out, but cannot be recorded
            raise sqlite3.OperationalError("database or disk is full")
        recorded(journal, job)  # type: ignore[arg-type]

    with serving(replace(issue, connections=1), tmp_path) as (issue, running):
        monkeypatch.setattr(Journal, "sent", disk_fills)
        first = send_all(prepare(issue), tuning=FAST)
        assert first.stopped == "the journal cannot be written: database or disk is full"
        assert first.totals is not None and first.totals.sent == 4
        monkeypatch.setattr(Journal, "sent", recorded)
        second = send_all(prepare(issue), tuning=FAST)
        assert second.recovered == 1  # the fifth, in flight: sent again, counted
        assert second.totals is not None and second.totals.sent == 10
        assert second.totals.doubtful == 1
        counts = Counter({a: len(m) for a, m in parsed(running).items()})
    assert sorted(counts.values()) == [1] * 9 + [2]
    third = send_all(prepare(issue), tuning=FAST)
    assert third.finished and third.counts["sent"] == 0


def test_a_send_waits_for_the_output_folders_lock(issue: Config) -> None:
    from digest.lock import LockTimeout, output_lock

    add(issue, ("a@example.org", "", (), "active"))
    prepared = prepare(replace(issue, lock_timeout=0.2))
    with output_lock(issue.output, timeout=1), pytest.raises(LockTimeout):
        send_all(prepared, tuning=FAST)
    assert not Journal(connect(issue.subscribers), prepared.issue).started()


def test_progress_is_drawn_on_a_terminal_only() -> None:
    import io

    from digest.send.commands import SendProgress
    from digest.terminal import Terminal

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    for stream, drawn in ((Tty(), True), (io.StringIO(), False)):
        progress = SendProgress(Terminal(io.StringIO(), stream))
        progress(5, 10)
        progress.end()
        text = stream.getvalue()
        assert ("Sending  5/10   50%" in text and "/s  " in text and " left" in text) == drawn
        assert (text == "") != drawn
    quiet = Tty()
    SendProgress(Terminal(io.StringIO(), quiet, quiet=True))(5, 10)
    assert quiet.getvalue() == ""
