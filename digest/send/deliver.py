"""`digest send`'s three ways: the whole list, a proof to one address, or a dry run.

Everything that can be wrong with the configuration (the secret, the password, no
unsubscribe link, no issue built) is found by `prepare`, before anything is sent. A real
send holds the output folder's lock from start to end, so no build replaces the issue
while it goes out, and marks the issue sent in the build's state first: the next build
starts a new issue, whatever becomes of this send.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from digest.config import Config
from digest.errors import ConfigError
from digest.lock import output_lock
from digest.models import IssueRecord, Section
from digest.send.journal import NO_NEWS, Journal
from digest.send.personalise import Editions, Recipient
from digest.send.sender import TUNING, RunReport, Tuning, send_issue
from digest.send.smtp import Outcome, Server, send_one, server_from
from digest.send.snapshot import IssueUnavailable, load_issue
from digest.send.subscribers import connect as open_store
from digest.send.subscribers import subscribers
from digest.send.tokens import make_token, secret_from_env
from digest.state import STATE_FILE, load_state, mark_sent
from digest.terminal import plural


@dataclass(frozen=True)
class Prepared:
    """A send that the configuration allows: the issue, its stories, secret and server."""

    config: Config
    issue: IssueRecord
    sections: tuple[Section, ...]
    secret: bytes
    server: Server

    def editions(self) -> Editions:
        """The issue's editions, rendered as subscribers need them."""
        return Editions(self.sections, config=self.config, issue=self.issue)


def settings_problems(config: Config) -> list[str]:
    """What stops a send before it starts: secrets missing, no unsubscribe link."""
    problems: list[str] = []
    for check in (secret_from_env, lambda: server_from(config)):
        try:
            check()
        except ConfigError as error:
            problems += error.problems
    if not config.token_url:
        problems.append(
            "send.unsubscribe_url is not set (nor email.unsubscribe_url): every message "
            "must carry a way to leave, e.g. 'https://example.org/unsubscribe?token={token}'"
        )
    return problems


def prepare(config: Config) -> Prepared:
    """Check the configuration and find the issue; ConfigError or IssueUnavailable if not."""
    problems = settings_problems(config)
    if problems:
        raise ConfigError(problems)
    issue, sections = latest_issue(config.output)
    return Prepared(config, issue, sections, secret_from_env(), server_from(config))


def latest_issue(out_dir: Path) -> tuple[IssueRecord, tuple[Section, ...]]:
    """The newest issue of the output folder's state, with the stories the build kept."""
    state = load_state(out_dir)
    if not state.issues:
        raise IssueUnavailable(
            f"{out_dir / STATE_FILE}: no digest issue yet; run `digest build` first"
        )
    issue, sections = load_issue(out_dir)
    newest = state.issues[-1]
    if (issue.number, issue.date, issue.sent_at) != (newest.number, newest.date, newest.sent_at):
        raise IssueUnavailable(
            f"{out_dir}: the stories kept for issue {issue.number} are not those of the "
            f"newest issue ({newest.number}, {newest.date}); run `digest build` again"
        )
    return issue, sections


def send_all(
    prepared: Prepared,
    *,
    tuning: Tuning = TUNING,
    progress: Callable[[int, int], None] | None = None,
) -> RunReport:
    """Send the issue to every subscriber still queued for it, under the output lock."""
    config = prepared.config
    with (
        output_lock(config.output, timeout=config.lock_timeout),
        closing(open_store(config.subscribers)) as store,
    ):
        mark_sent(config.output, prepared.issue)
        journal = Journal(store, prepared.issue)
        return send_issue(
            journal,
            prepared.editions(),
            prepared.server,
            secret=prepared.secret,
            connections=config.connections,
            rate=config.rate,
            tuning=tuning,
            progress=progress,
        )


def send_proof(prepared: Prepared, address: str) -> Outcome:
    """The whole issue to one address, with that address's token; nothing is recorded."""
    editions = prepared.editions()
    edition = editions.edition(())
    assert edition is not None
    token = make_token(address, secret=prepared.secret, list_id=editions.list_id)
    message = editions.message(edition, Recipient(address, "", token))
    return send_one(prepared.server, address, message)


def dry_run(config: Config, issue: IssueRecord, sections: tuple[Section, ...]) -> Iterator[str]:
    """One line per subscriber a send would reach: what they would get, or why not."""
    editions = Editions(sections, config=config, issue=issue)
    with closing(open_store(config.subscribers)) as store:
        journal = Journal(store, issue)
        waiting = {job.subscriber for job in journal.pending()} if journal.started() else None
        rows = list(subscribers(store, "active"))
    for row in rows:
        if waiting is not None and row.id not in waiting:
            continue
        shown = editions.shown(row.sections)
        if not shown:
            yield f"would skip: {row.address} ({NO_NEWS})"
            continue
        stories = plural(sum(len(section.stories) for section in shown), "story")
        names = ", ".join(section.name for section in shown)
        yield f"would send: {row.address}: {names} ({stories})"
