"""`digest subscribers …` and `digest send`: thin click commands over digest.send.

They import what they run in their bodies, as cli.py's commands do, so that `digest build`
never loads SQLite, the address validator or smtplib.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from digest.cli import CONFIG, _config, _fail
from digest.errors import EXIT_BUILD_FAILED, DigestError
from digest.terminal import Terminal, plural

STATUS = click.Choice(["active", "unsubscribed", "bounced"])


def _subscribers() -> None:
    """Keep the list of subscribers (the file named by send.subscribers)."""


# Annotated, as cli.py imports it back while it is itself being imported.
subscribers: click.Group = click.group(
    "subscribers", epilog="Example: digest subscribers import readers.csv"
)(_subscribers)


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
@CONFIG
def list_command(status: str | None, config_file: Path | None) -> None:
    """One subscriber per line: address, status, sections (tab-separated)."""
    from digest.send.subscribers import connect
    from digest.send.subscribers import subscribers as rows

    config = _config(config_file)
    try:
        for row in rows(connect(config.subscribers), status):
            click.echo(f"{row.address}\t{row.status}\t{', '.join(row.sections) or 'all'}")
    except DigestError as error:
        _fail(error)


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


__all__ = ["Terminal", "subscribers"]
