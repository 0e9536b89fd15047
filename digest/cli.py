"""The `digest` command: thin click commands over the library."""

from __future__ import annotations

import os
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import NoReturn

import click

from . import __version__
from .articles import collect_articles
from .config import Config, load_config, override, parse_duration
from .errors import EXIT_BUILD_FAILED, ConfigError, DigestError, Problem
from .pipeline import BuildResult, build


def _fail(error: DigestError) -> NoReturn:
    label = "configuration error" if isinstance(error, ConfigError) else "error"
    for line in str(error).splitlines():
        click.echo(f"digest: {label}: {line}", err=True)
    sys.exit(error.exit_code)


def _config(config_file: Path | None, **changes: object) -> Config:
    try:
        return override(load_config(config_file), **changes)
    except ConfigError as error:
        _fail(error)


def _moment(text: str, config: Config, option: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not a time; use RFC 3339, e.g. 2026-11-27T06:00:00Z", param_hint=option
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=config.zone)


def resolve_now(text: str | None, config: Config) -> datetime:
    """--now, else SOURCE_DATE_EPOCH (reproducible builds), else the clock."""
    if text:
        return _moment(text, config, "--now")
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    return datetime.now(timezone.utc)


def resolve_since(text: str | None, now: datetime, config: Config) -> datetime | None:
    """--since as a time or a duration before `now`; None means the configured window."""
    if not text:
        return None
    try:
        return now - parse_duration(text)
    except ValueError:
        return _moment(text, config, "--since")


def _report(problems: tuple[Problem, ...] | list[Problem], *, kind: str = "") -> None:
    for problem in problems:
        message = f"{problem.path}:{problem.line}: {kind}{problem.message}"
        click.echo(message, err=True)


def _summary(result: BuildResult, out: Path, *, dry_run: bool) -> str:
    collection = result.collection
    read = f"read {collection.files_read} articles ({len(collection.problems)} skipped)"
    live = f"{result.live} published, {result.in_digest} in the digest"
    if result.published is None:
        return f"digest: {read}; {live}; dry run: would write {len(result.files)} files to {out}/"
    written, kept = len(result.published.written), len(result.published.unchanged)
    return f"digest: {read}; {live}; {written} files written, {kept} unchanged in {out}/"


ARTICLES = click.argument(
    "articles", required=False, type=click.Path(file_okay=False, path_type=Path)
)
CONFIG = click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Configuration file (default: ./digest.toml if present).",
)


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="Example: digest build sample_articles --out public",
)
@click.version_option(__version__, prog_name="digest")
def cli() -> None:
    """Turn a newsroom's articles into RSS, Atom and JSON feeds and an email digest."""


@cli.command("build", epilog="Example: digest build sample_articles --now 2026-11-27T06:00:00Z")
@ARTICLES
@CONFIG
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Output folder.")
@click.option("--now", "now_text", metavar="TIME", help="Fix 'now' (RFC 3339) for a reproducible run.")
@click.option("--since", "since_text", metavar="TIME|DURATION", help="Digest window start: a time or e.g. 24h, 7d.")
@click.option("--strict", is_flag=True, help="Fail (exit 1, write nothing) on any article problem.")
@click.option("--quiet", "-q", is_flag=True, help="Print only warnings and errors.")
@click.option("--dry-run", is_flag=True, help="Show what would be written; write nothing.")
def build_command(
    articles: Path | None,
    config_file: Path | None,
    out: Path | None,
    now_text: str | None,
    since_text: str | None,
    strict: bool,
    quiet: bool,
    dry_run: bool,
) -> None:
    """Build the feeds and the email digest."""
    config = _config(config_file, articles=articles, output=out)
    now = resolve_now(now_text, config)
    since = resolve_since(since_text, now, config)
    if not config.articles.is_dir():
        raise click.UsageError(f"no articles folder at {config.articles}; pass one as ARTICLES")
    try:
        result = build(config, now=now, since=since, strict=strict, dry_run=dry_run)
    except DigestError as error:
        _fail(error)
    _report(result.collection.problems)
    _report(result.warnings, kind="warning: ")
    if result.in_digest == 0 and not quiet:
        click.echo("digest: nothing new in the digest window; the previous digest is kept")
    if not quiet:
        click.echo(_summary(result, config.output, dry_run=dry_run))


@cli.command(epilog="Example: digest check sample_articles")
@ARTICLES
@CONFIG
def check(articles: Path | None, config_file: Path | None) -> None:
    """Validate the configuration and every article; write nothing."""
    config = _config(config_file, articles=articles)
    if not config.articles.is_dir():
        raise click.UsageError(f"no articles folder at {config.articles}; pass one as ARTICLES")
    collection = collect_articles(config.articles, config=config)
    _report(collection.problems)
    _report(collection.warnings, kind="warning: ")
    count = len(collection.problems)
    click.echo(f"digest: checked {collection.files_read} articles, {count} with problems")
    if count:
        sys.exit(EXIT_BUILD_FAILED)


def main() -> None:
    """Console entry point."""
    cli(prog_name="digest")

