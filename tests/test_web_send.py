"""Unsubscribing while `digest send` runs: the pages and the send share the subscribers file
(WAL, busy timeout), and a subscriber who leaves before their message goes does not get it."""

from __future__ import annotations

import email
import email.policy
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest

from digest.config import Config
from digest.send.deliver import prepare, send_all
from digest.send.journal import Journal
from digest.send.sender import RunReport
from digest.send.subscribers import connect, save, transaction, unsubscribe
from digest.send.tokens import make_token
from digest.web.app import App
from tests.smtp_server import smtp_server
from tests.test_send import FAST
from tests.test_send import issue as issue  # the fixture: an issue built, World/Sport/Culture
from tests.web_server import serving

SECRET = "tests-secret-0123456789abcdef"  # as tests/test_send.py's issue expects


@pytest.fixture(autouse=True)
def secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIGEST_SECRET", SECRET)
    monkeypatch.delenv("DIGEST_SMTP_PASSWORD", raising=False)


def test_a_subscriber_who_leaves_after_their_row_was_read_is_not_sent(issue: Config) -> None:
    store = connect(issue.subscribers)
    with transaction(store) as db:
        for address in ("a@example.org", "b@example.org"):
            save(db, address, name="", sections=())
    prepared = prepare(issue)
    journal = Journal(store, prepared.issue)
    journal.start()
    jobs = list(journal.pending())  # read while both were active, as a send's page is
    with transaction(store) as db:
        unsubscribe(db, "b@example.org", origin="one-click")
    assert [journal.begin(job) for job in jobs] == [True, False]
    states = dict(store.execute("SELECT subscriber, state || ':' || reply FROM deliveries"))
    assert states[jobs[1].subscriber] == "skipped:unsubscribed"


def test_two_hundred_unsubscribes_during_a_send(issue: Config, tmp_path: Path) -> None:
    addresses = [f"reader{number:03}@example.org" for number in range(300)]
    with transaction(connect(issue.subscribers)) as db:
        for address in addresses:
            save(db, address, name="", sections=())
    leaving = addresses[100:]
    with smtp_server(tmp_path / "mail", "--slow", "0.01") as mail:
        config = replace(issue, smtp_port=mail.port, connections=2)
        app = App(config, secret=SECRET.encode())
        report: list[RunReport] = []
        sender = threading.Thread(
            target=lambda: report.append(send_all(prepare(config), tuning=FAST))
        )
        store = connect(config.subscribers)
        with serving(app) as web:
            sender.start()
            while not store.execute("SELECT 1 FROM deliveries WHERE state = 'sent'").fetchone():
                time.sleep(0.01)

            def leave(address: str) -> tuple[int, str]:
                token = make_token(address, secret=SECRET.encode(), list_id=config.list_name)
                answer = web.call(
                    "POST", f"/unsubscribe?token={token}", "List-Unsubscribe=One-Click"
                )
                (state,) = (
                    connect(config.subscribers)
                    .execute(
                        "SELECT d.state FROM deliveries d JOIN subscribers s "
                        "ON s.id = d.subscriber WHERE s.address = ?",
                        (address,),
                    )
                    .fetchone()
                )
                return answer.status, state

            with ThreadPoolExecutor(4) as pool:
                outcomes = dict(zip(leaving, pool.map(leave, leaving), strict=True))
            sender.join(timeout=120)
        received = set()
        for raw in mail.messages():
            message = email.message_from_bytes(raw, policy=email.policy.default)
            received.add(message["To"].addresses[0].addr_spec)
    assert {status for status, _ in outcomes.values()} == {200}  # never "database is locked"
    [run] = report
    assert not run.stopped and run.totals is not None and run.totals.done
    not_yet_sent = {address for address, (_, state) in outcomes.items() if state != "sent"}
    assert len(not_yet_sent) > 50  # the race was run: many left before their turn
    in_flight = {address for address, (_, state) in outcomes.items() if state == "sending"}
    assert not (not_yet_sent - in_flight) & received  # nobody who left in time got it
    assert set(addresses[:100]) <= received
    rows = dict(
        connect(config.subscribers).execute(
            "SELECT s.address, d.state FROM deliveries d JOIN subscribers s ON s.id = d.subscriber"
        )
    )
    assert all(rows[address] == "skipped" for address in not_yet_sent - in_flight)
    assert all(rows[address] in ("sent", "skipped") for address in addresses)
