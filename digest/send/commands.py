"""`digest subscribers …` and `digest send`: thin click commands over digest.send.

They import what they run in their bodies, as cli.py's commands do, so that `digest build`
never loads SQLite, the address validator or smtplib.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from digest.commandline import CONFIG
from digest.commandline import fail as _fail
from digest.commandline import load as _config
from digest.config import Config
from digest.errors import EXIT_BUILD_FAILED, DigestError
from digest.terminal import Terminal, plural

if TYPE_CHECKING:
    from digest.send.sender import RunReport

STATUS = click.Choice(["active", "unsubscribed", "bounced"])


@click.group(epilog='Example: digest subscribers add jane@example.org --name "Jane Doe"')
def subscribers() -> None:
    """Keep the list of subscribers (the file named by send.subscribers)."""


def _address(text: str) -> str:
    from digest.send.subscribers import normal_address

    try:
        return normal_address(text)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="EMAIL") from None


@subscribers.command(
    "add", epilog='Example: digest subscribers add jane@example.org --sections "World,Sport"'
)
@click.argument("email")
@click.option("--name", help="The subscriber's name, for the To: line.")
@click.option("--sections", help="Sections they want, separated by commas. Default: all.")
@click.option("--reactivate", is_flag=True, help="Take back an address that left or bounced.")
@CONFIG
def add(
    email: str,
    name: str | None,
    sections: str | None,
    reactivate: bool,
    config_file: Path | None,
) -> None:
    """Add a subscriber, or change their name or sections."""
    from digest.send.subscribers import connect, parse_sections, save, transaction

    config = _config(config_file)
    address = _address(email)
    chosen = None if sections is None else parse_sections(sections, ",")
    clean_name = None if name is None else " ".join(name.split())
    try:
        connection = connect(config.subscribers)
        with transaction(connection):
            change = save(
                connection, address, name=clean_name, sections=chosen, reactivate=reactivate
            )
    except DigestError as error:
        _fail(error)
    if change.outcome == "kept":
        click.echo(
            f"digest: {address} is {change.subscriber.status}; not re-activated "
            "(pass --reactivate if they asked to come back)",
            err=True,
        )
        sys.exit(EXIT_BUILD_FAILED)
    click.echo(f"digest: {address} {change.outcome}")


@subscribers.command("import", epilog="Example: digest subscribers import readers.csv")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--reactivate", is_flag=True, help="Take back addresses that left or bounced.")
@CONFIG
def import_command(file: Path, reactivate: bool, config_file: Path | None) -> None:
    """Add or update subscribers from a CSV file.

    The first line names the columns: email (required), name, sections (separated by
    ";"; empty = all) and status (active, unsubscribed or bounced). Bad lines are reported
    as FILE:LINE: message and skipped; the rest are imported. Importing a file again
    changes nothing; an address that unsubscribed or bounced stays so unless --reactivate.
    """
    from digest.send.subscribers import connect, import_csv

    config = _config(config_file)
    try:
        result = import_csv(connect(config.subscribers), file, reactivate=reactivate)
    except DigestError as error:
        _fail(error)
    for problem in result.problems:
        click.echo(f"{problem} (line skipped)", err=True)
    counts = result.counts
    parts = [f"{counts['added']} added", f"{counts['updated']} updated"]
    parts.append(f"{counts['unchanged']} unchanged")
    if counts["kept"]:
        parts.append(f"{counts['kept']} left or bounced and kept so (see --reactivate)")
    if counts["merged"]:
        parts.append(f"{plural(counts['merged'], 'repeated line')} merged")
    parts.append(f"{plural(len(result.problems), 'line')} skipped")
    click.echo(f"digest: {file}: " + ", ".join(parts))


@subscribers.command("remove", epilog="Example: digest subscribers remove jane@example.org")
@click.argument("email", required=False)
@click.option("--token", help="An unsubscribe token, as in a subscriber's link.")
@CONFIG
def remove(email: str | None, token: str | None, config_file: Path | None) -> None:
    """Mark a subscriber unsubscribed (the row stays, so no import brings them back)."""
    from digest.send.subscribers import connect, transaction, unsubscribe
    from digest.send.tokens import secret_from_env, verify_token

    if (email is None) == (token is None):
        raise click.UsageError("give either EMAIL or --token TOKEN")
    config = _config(config_file)
    try:
        if token is not None:
            found = verify_token(token, secret=secret_from_env(), list_id=config.list_name)
            if found is None:
                click.echo("digest: the token is not valid for this list", err=True)
                sys.exit(EXIT_BUILD_FAILED)
            address = found
        else:
            address = _address(email or "")
        connection = connect(config.subscribers)
        with transaction(connection):
            removed = unsubscribe(connection, address)
    except DigestError as error:
        _fail(error)
    if removed is None:
        click.echo(f"digest: {address} is not a subscriber", err=True)
        sys.exit(EXIT_BUILD_FAILED)
    click.echo(f"digest: {address} unsubscribed")


@subscribers.command("list", epilog="Example: digest subscribers list --status bounced")
@click.option("--status", type=STATUS, help="Only subscribers with this status.")
@click.option(
    "--history",
    "history_of",
    metavar="EMAIL",
    help="Instead, every change to this address: time, origin, status, sections.",
)
@CONFIG
def list_command(status: str | None, history_of: str | None, config_file: Path | None) -> None:
    """One subscriber per line: address, status, sections (tab-separated)."""
    from digest.send.subscribers import connect
    from digest.send.subscribers import subscribers as rows

    config = _config(config_file)
    if history_of is not None:
        _history(config, _address(history_of))
        return
    try:
        for row in rows(connect(config.subscribers), status):
            click.echo(f"{row.address}\t{row.status}\t{', '.join(row.sections) or 'all'}")
    except DigestError as error:
        _fail(error)


def _history(config: Config, address: str) -> None:
    """`list --history`: one change per line, oldest first; exit 1 when there is none."""
    from digest.send.history import events
    from digest.send.subscribers import connect

    try:
        changes = list(events(connect(config.subscribers), address))
    except DigestError as error:
        _fail(error)
    if not changes:
        click.echo(f"digest: no changes recorded for {address}", err=True)
        sys.exit(EXIT_BUILD_FAILED)
    for change in changes:
        sections = ", ".join(change.sections) or "all"
        click.echo(f"{change.at}\t{change.origin}\t{change.status}\t{sections}")


@subscribers.command("export", epilog="Example: digest subscribers export > readers.csv")
@CONFIG
def export(config_file: Path | None) -> None:
    """Every subscriber as CSV on stdout, in the columns import reads."""
    from digest.send.subscribers import connect, export_csv
    from digest.send.subscribers import subscribers as rows

    config = _config(config_file)
    try:
        export_csv(rows(connect(config.subscribers)), sys.stdout)
    except DigestError as error:
        _fail(error)


class SendProgress:
    """`sent/total, percent, messages a second, time left` on stderr, on a terminal only."""

    def __init__(self, terminal: Terminal) -> None:
        self.show = not terminal.quiet and terminal.err.isatty()
        self.stream = terminal.err
        self.started = time.monotonic()
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        if not self.show or not total:
            return
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = done / elapsed
        left = (total - done) / rate if rate else 0.0
        minutes, seconds = divmod(int(left), 60)
        line = (
            f"Sending  {done:,}/{total:,}  {100 * done // total:3d}%  {rate:,.1f}/s  "
            f"{minutes}:{seconds:02d} left"
        )
        self.stream.write(f"\r{line}\033[K")
        self.stream.flush()
        self.drawn = True

    def end(self) -> None:
        """Leave the line the bar was drawn on."""
        if self.drawn:
            self.stream.write("\n")


@click.command("send", epilog="Example: digest send --dry-run")
@CONFIG
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder the issue was built into. Default: build.output.",
)
@click.option("--to", "proof", metavar="EMAIL", help="Send one proof copy there; record nothing.")
@click.option("--dry-run", is_flag=True, help="Say who would get what; send nothing.")
@click.option("--quiet", "-q", is_flag=True, help="Print only failures and errors.")
def send(
    config_file: Path | None, out: Path | None, proof: str | None, dry_run: bool, quiet: bool
) -> None:
    """Send the latest issue to every active subscriber, each with only their sections.

    Sending is journaled per subscriber in the subscribers file: run it again after a
    crash, a lost server or a full disk and it goes on where it stopped; once everyone
    was sent it sends nothing. DIGEST_SECRET signs the unsubscribe links;
    DIGEST_SMTP_PASSWORD is the password for send.smtp_user. Exit 0 when every subscriber
    was sent or skipped by their choice of sections, 1 when some failed or still wait
    (listed with the server's reply), 2 on configuration errors.
    """
    from digest.send.deliver import prepare, send_all, send_proof

    config = _config(config_file, output=out)
    terminal = Terminal.detect(quiet=quiet)
    if dry_run:
        _rehearse(terminal, config)
        return
    try:
        prepared = prepare(config)
        if proof is not None:
            address = _address(proof)
            outcome = send_proof(prepared, address)
            if outcome.kind != "sent":
                terminal.warn(f"digest: proof to {address} not sent: {outcome.reply}")
                sys.exit(EXIT_BUILD_FAILED)
            terminal.info(f"digest: proof of issue {prepared.issue.number} sent to {address}")
            return
        progress = SendProgress(terminal)
        try:
            report = send_all(prepared, progress=progress)
        finally:
            progress.end()
    except DigestError as error:
        _fail(error)
    _report(terminal, prepared.issue.number or 0, report)


def _rehearse(terminal: Terminal, config: Config) -> None:
    """`--dry-run`: who would get what. What would stop a real send is a warning here."""
    from digest.send.deliver import dry_run, latest_issue, settings_problems
    from digest.send.snapshot import IssueUnavailable

    for problem in settings_problems(config):
        terminal.warn(f"digest: warning: {problem} (`digest send` would stop here, exit 2)")
    try:
        issue, sections = latest_issue(config.output)
        for line in dry_run(config, issue, sections):
            terminal.info(line)
    except IssueUnavailable as error:
        terminal.info(f"digest: nothing would be sent: {error}")
    except DigestError as error:
        _fail(error)


def _report(terminal: Terminal, number: int, report: RunReport) -> None:
    """The summary on stdout, failures and what waits on stderr; exit 1 if any."""
    totals = report.totals
    assert totals is not None
    if report.finished:
        terminal.info(
            f"digest: issue {number} was sent already ({report.finished}); nothing to send"
        )
        return
    if report.recovered:
        terminal.warn(
            f"digest: {plural(report.recovered, 'message')} in flight when the last send "
            "stopped went again: those subscribers may get this issue twice"
        )
    for address, reply in totals.failed:
        terminal.warn(f"digest: failed: {address}: {reply}")
    for address, reply in totals.queued:
        terminal.warn(f"digest: not sent yet: {address}: {reply or 'not tried'}")
    if report.stopped:
        terminal.warn(f"digest: error: the send stopped: {report.stopped}")
    sent = report.counts["sent"]
    rate = f" ({sent / report.seconds:,.1f}/s)" if report.seconds and sent else ""
    parts = [
        f"{totals.sent:,} sent",
        f"{totals.skipped:,} skipped by their choice of sections",
        f"{totals.suppressed:,} suppressed (unsubscribed or bounced)",
        f"{len(totals.failed):,} failed",
    ]
    if totals.queued:
        parts.append(f"{len(totals.queued):,} waiting for the next run")
    if totals.doubtful:
        parts.append(f"{plural(totals.doubtful, 'possible duplicate')}")
    ok = not (totals.failed or totals.queued or report.stopped)
    terminal.info(
        f"digest: issue {number}: "
        + ", ".join(parts)
        + f"; this run sent {sent:,} in {report.seconds:.1f} s{rate}",
        fg="green" if ok else "red",
    )
    if not ok:
        sys.exit(EXIT_BUILD_FAILED)
