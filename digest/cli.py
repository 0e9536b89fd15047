"""The `digest` command: thin click commands over the library."""

from __future__ import annotations

import os
import shlex
import signal
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

import click

from digest import __version__
from digest.commandline import CONFIG
from digest.commandline import fail as _fail
from digest.commandline import load as _config
from digest.config import CONFIG_NAME, DURATION, Config, load_config, override, parse_duration
from digest.errors import EXIT_BUILD_FAILED, DigestError, Problem
from digest.models import MAX_YEAR, MIN_YEAR, BuildResult, Collection
from digest.pipeline import build
from digest.sections import window_start
from digest.send.commands import send, subscribers
from digest.terminal import PreviewReport, Terminal, plural
from digest.web.command import serve

# `build` is imported above because it is light until it has work to do (see pipeline.py);
# the other commands import what they run in their own bodies, so that `digest build`
# with nothing to do loads neither templates, Markdown, YAML nor the preview server.


def _config_with_sources(
    config_file: Path | None, articles: Path | str | None, **changes: object
) -> Config:
    """The configuration, for a command that reads the sources: ARTICLES (a folder or a
    feed's URL) if given, else `[[sources]]`, else `build.articles`. Folders must exist."""
    if isinstance(articles, str):
        from digest.config import feed_spec

        config = replace(_config(config_file, **changes), sources=(feed_spec(articles),))
    elif articles is not None:
        config = replace(_config(config_file, articles=articles, **changes), sources=())
    else:
        config = _config(config_file, **changes)
    if not config.sources:
        return _with_articles(config)
    for spec in config.sources:
        if spec.folder is not None and not spec.folder.is_dir():
            raise click.UsageError(f"no articles folder at {spec.folder}; check [[sources]]")
    return config


class ArticlesOrFeed(click.ParamType[Path | str]):
    """ARTICLES: a folder, or an http(s) URL of a feed (kept as text: a path would lose '//')."""

    name = "FOLDER|URL"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> Path | str:
        if isinstance(value, str) and value.lower().startswith(("http://", "https://")):
            from digest.config import _url

            try:
                return _url(value)
            except ValueError as error:
                self.fail(str(error), param, ctx)
        return click.Path(file_okay=False, path_type=Path).convert(value, param, ctx)


def _with_articles(config: Config) -> Config:
    """`config`, for a command that reads the articles folder (which must exist)."""
    if not config.articles.is_dir():
        raise click.UsageError(f"no articles folder at {config.articles}; pass one as ARTICLES")
    return config


def _moment(text: str, config: Config, option: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not a time; use RFC 3339, e.g. 2026-11-27T06:00:00Z", param_hint=option
        ) from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=config.zone)
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise click.BadParameter(
            f"{text.strip()!r} is out of range: use a year from {MIN_YEAR} to {MAX_YEAR}",
            param_hint=option,
        )
    return moment


def resolve_now(text: str | None, config: Config) -> datetime:
    """--now, else SOURCE_DATE_EPOCH (reproducible builds), else the clock."""
    if text:
        return _moment(text, config, "--now")
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return _epoch(epoch)
    return datetime.now(UTC)


def _epoch(epoch: str) -> datetime:
    """SOURCE_DATE_EPOCH as a time, refused (exit 2) outside the years digest handles."""
    try:
        moment = datetime.fromtimestamp(int(epoch), tz=UTC)
    except (OverflowError, ValueError, OSError):
        moment = None
    if moment is None or not MIN_YEAR <= moment.year <= MAX_YEAR:
        shown = epoch if len(epoch) <= 20 else epoch[:20] + "…"
        raise click.UsageError(
            f"SOURCE_DATE_EPOCH={shown} is out of range: seconds since 1970 up to the year "
            f"{MAX_YEAR}; fix or unset it, or pass --now"
        )
    return moment


def resolve_since(text: str | None, now: datetime, config: Config) -> datetime | None:
    """--since as a time or a duration before `now`; None means the configured window."""
    if not text:
        return None
    try:
        span = parse_duration(text)
    except ValueError as error:
        if DURATION.match(text):  # a duration, but too long
            raise click.BadParameter(str(error), param_hint="--since") from None
        return _moment(text, config, "--since")
    return window_start(now, span)


def _is_last(text: str | None) -> bool:
    return text is not None and text.strip().lower() == "last"


def _summary(result: BuildResult, out: Path) -> str:
    collection = result.collection
    read = f"read {collection.files_read} articles ({_skipped(collection)})"
    issue = f" (issue {result.issue.number})" if result.issue else ""
    live = f"{result.live} published, {result.in_digest} in the digest{issue}"
    if result.held:
        live = f"{result.live} published, no digest issue (see the warning)"
    if result.late:
        joins = "joins" if result.late == 1 else "join"
        live += f", {plural(result.late, 'older story')} not sent before {joins} this issue"
    written, kept = len(result.published.written), len(result.published.unchanged)
    if result.dry_run:
        files = f"dry run: {written} files would be written, {kept} unchanged in {out}/"
    else:
        files = f"{written} files written, {kept} unchanged in {out}/"
    return f"digest: {read}; {live}; {files}"


def _skipped(collection: Collection) -> str:
    """`3 skipped: 1 with problems, 1 .html, 1 _index.md`: every file not used, by reason."""
    reasons = [(count, reason) for reason, count in collection.left_out]
    if collection.problems:
        reasons.insert(0, (len(collection.problems), "with problems"))
    total = sum(count for count, _ in reasons)
    if not reasons or reasons == [(total, "with problems")]:
        return f"{total} skipped"
    return f"{total} skipped: " + ", ".join(f"{count} {reason}" for count, reason in reasons)


def _shown_warnings(result: BuildResult, *, quiet: bool) -> list[Problem]:
    """The warnings to print: under `--quiet`, unknown front-matter keys only when one is
    new since the last build, and notes (see `Collection.notes`) only for files new or
    changed since then (a cron job mails what it prints)."""
    if not quiet:
        return list(result.warnings)
    collection = result.collection
    new = set(result.new_keys)
    hidden = {problem for keys, problem in collection.unknown_keys if new.isdisjoint(keys)}
    hidden.update(set(collection.notes).difference(collection.new_notes))
    return [warning for warning in result.warnings if warning not in hidden]


def _nothing_new(result: BuildResult, config: Config) -> str:
    since = result.since.astimezone(config.zone).strftime("%Y-%m-%d %H:%M %Z")
    kept = (
        "the previous digest is kept"
        if (config.output / "digest.html").is_file()
        else "no digest was written"
    )
    return f"digest: nothing new in the digest window (since {since}); {kept}"


ARTICLES = click.argument(
    "articles", required=False, type=click.Path(file_okay=False, path_type=Path)
)
SOURCE = click.argument("articles", required=False, type=ArticlesOrFeed())


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="Example: digest build sample_articles --out public",
)
@click.version_option(__version__, prog_name="digest")
def cli() -> None:
    """Turn a newsroom's articles into RSS, Atom and JSON feeds and an email digest."""


@cli.command(
    "build",
    epilog="Example: digest build sample_articles --now 2026-11-27T06:00:00Z\n\n"
    "Or from a feed: digest build https://column3.example/feed/",
)
@SOURCE
@CONFIG
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Output folder.")
@click.option(
    "--now", "now_text", metavar="TIME", help="Fix 'now' (RFC 3339) for a reproducible run."
)
@click.option(
    "--since",
    "since_text",
    metavar="TIME|DURATION|last",
    help="Digest window start: a time, a duration (24h, 7d) or 'last' (the previous issue).",
)
@click.option("--strict", is_flag=True, help="Fail (exit 1, write nothing) on any article problem.")
@click.option("--quiet", "-q", is_flag=True, help="Print only warnings and errors.")
@click.option("--dry-run", is_flag=True, help="List the files that would change; write nothing.")
@click.option("--refresh", is_flag=True, help="Fetch every feed now, however recently fetched.")
def build_command(
    articles: Path | str | None,
    config_file: Path | None,
    out: Path | None,
    now_text: str | None,
    since_text: str | None,
    strict: bool,
    quiet: bool,
    dry_run: bool,
    refresh: bool,
) -> None:
    """Build the feeds and the email digest from ARTICLES: a folder, or a feed's URL."""
    config = _config_with_sources(config_file, articles, output=out)
    now = resolve_now(now_text, config)
    since_last = _is_last(since_text)
    since = None if since_last else resolve_since(since_text, now, config)
    terminal = Terminal.detect(quiet=quiet)
    try:
        with terminal.progress("Reading articles") as progress:
            result = build(
                config,
                now=now,
                since=since,
                since_last=since_last,
                strict=strict,
                dry_run=dry_run,
                refresh=refresh,
                progress=progress,
            )
    except DigestError as error:
        _fail(error)
    shown = _shown_warnings(result, quiet=quiet)
    terminal.problems(result.collection.problems, shown, repeats=len(result.warnings) - len(shown))
    if result.in_digest == 0 and not result.held:
        terminal.info(_nothing_new(result, config))
    if dry_run:
        for name in result.published.written:
            terminal.info(f"would write: {name}")
        for name in result.published.unchanged:
            terminal.info(f"unchanged:   {name}")
    clean = not (result.collection.problems or result.warnings)
    terminal.info(_summary(result, config.output), fg="green" if clean else "yellow")


@cli.command(epilog="Example: digest check sample_articles")
@SOURCE
@CONFIG
@click.option("--strict", is_flag=True, help="Count warnings as problems too.")
def check(articles: Path | str | None, config_file: Path | None, strict: bool) -> None:
    """Validate the configuration, every article and the templates; write nothing."""
    from digest.checks import check as run_checks

    config = _config_with_sources(config_file, articles)
    terminal = Terminal.detect()
    with terminal.progress("Checking articles") as progress:
        result = run_checks(config, progress=progress)
    terminal.problems(result.article_problems, result.warnings)
    for problem in result.template_problems:
        terminal.warn(str(problem))
    bad_articles = len({problem.path for problem in result.article_problems})
    bad_templates = len({problem.path for problem in result.template_problems})
    failed = result.article_problems or result.template_problems or (strict and result.warnings)
    terminal.info(
        f"digest: checked {result.files_read} articles, {bad_articles} with problems; "
        f"{result.templates_read} templates, {bad_templates} with errors; "
        f"{len(result.warnings)} warnings",
        fg="red" if failed else "green",
    )
    if failed:
        sys.exit(EXIT_BUILD_FAILED)


def _exit_quietly(signum: int, frame: object) -> NoReturn:
    """SIGTERM ends a preview like Ctrl-C: cleanly, exit 0."""
    raise SystemExit(0)


@cli.command(epilog="Example: digest preview --port 8000")
@ARTICLES
@CONFIG
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Build into this folder. Default: a scratch copy of the output folder, removed on exit, "
    "so what you publish is never touched.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    help="Port on 127.0.0.1. Default: any free port.",
)
@click.option("--now", "now_text", metavar="TIME", help="Fix 'now' (RFC 3339) for every rebuild.")
@click.option(
    "--drafts",
    is_flag=True,
    help="Name the drafts and embargoed articles on the page; they are never built.",
)
def preview(
    articles: Path | None,
    config_file: Path | None,
    out: Path | None,
    port: int,
    now_text: str | None,
    drafts: bool,
) -> None:
    """Build, serve the result on 127.0.0.1, and rebuild when anything changes.

    The page shows the digest at desktop and phone width side by side, links the plain
    text, every feed (readable in the browser) and the archive, and reloads after each
    rebuild. Articles, templates and the configuration file are watched. Ctrl-C stops it.
    """
    from digest.preview.server import Preview

    config = _with_articles(_config(config_file, articles=articles))
    now = _moment(now_text, config, "--now") if now_text else None
    terminal = Terminal.detect()

    def load() -> Config:
        return override(load_config(config_file), articles=articles)

    try:
        server = Preview(
            load,
            config_path=config_file or Path(CONFIG_NAME),
            out=out,
            port=port,
            now=now,
            on_build=PreviewReport(terminal).report,
            drafts=drafts,
        )
    except DigestError as error:
        _fail(error)
    except OSError as error:
        raise click.ClickException(
            f"cannot listen on 127.0.0.1:{port}: {error.strerror or error}; "
            "pick another --port, or leave it out for a free one"
        ) from None
    where = "a scratch folder" if out is None else f"{server.out}/"
    terminal.info(f"digest: previewing {config.articles}/, built into {where}")
    stop_on_term = signal.signal(signal.SIGTERM, _exit_quietly)
    try:
        server.start()
        terminal.info(f"digest: preview at {server.url}  (Ctrl-C to stop)", bold=True)
        server.wait()
    except KeyboardInterrupt:
        terminal.info("")
    finally:
        server.stop()
        signal.signal(signal.SIGTERM, stop_on_term)
    terminal.info("digest: preview stopped")


@cli.command(epilog="Example: digest init my-newsroom --templates")
@click.argument(
    "folder", required=False, default=".", type=click.Path(file_okay=False, path_type=Path)
)
@click.option("--templates", is_flag=True, help="Also copy our templates into templates/ to edit.")
@click.option(
    "--now",
    "now_text",
    metavar="TIME",
    help="Date of the example article (RFC 3339). Default: now.",
)
def init(folder: Path, templates: bool, now_text: str | None) -> None:
    """Start a new newsroom in FOLDER (default: here).

    Writes digest.toml, which lists every setting with its default, and articles/ with
    one example article; with --templates also a copy of our templates to edit. Nothing
    that already exists is overwritten.
    """
    from digest.scaffold import init_newsroom

    now = resolve_now(now_text, Config())
    try:
        created = init_newsroom(folder, now=now, templates=templates)
    except DigestError as error:
        _fail(error)
    click.echo(f"Created a newsroom in {folder}/:")
    for path in created.files:
        click.echo(f"  {path}")
    click.echo("Next:")
    if folder != Path():
        click.echo(f"  cd {shlex.quote(str(folder))}")
    click.echo('  digest new "Your first headline" --section Local')
    click.echo("  digest preview")


@cli.command(epilog='Example: digest new "Harbour bridge reopens after repairs" --section Local')
@click.argument("headline")
@click.option("--section", required=True, help="The article's section, e.g. World.")
@CONFIG
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="Articles folder. Default: the configured one.",
)
@click.option("--slug", help="File name and URL slug. Default: from the headline.")
@click.option(
    "--now", "now_text", metavar="TIME", help="Date of the article (RFC 3339). Default: now."
)
def new(
    headline: str,
    section: str,
    config_file: Path | None,
    folder: Path | None,
    slug: str | None,
    now_text: str | None,
) -> None:
    """Start an article: a draft with its front matter filled in; prints its path.

    The date is now in the site's timezone, and 'id:' fixes its feed id for good, even if
    the file is renamed later. Delete the 'draft: true' line to publish it.
    """
    from digest.scaffold import new_article

    config = _config(config_file)
    now = resolve_now(now_text, config)
    try:
        path = new_article(
            folder or config.articles, headline, section=section, now=now, config=config, slug=slug
        )
    except DigestError as error:
        _fail(error)
    click.echo(path)
    click.echo("digest: a draft; delete its 'draft: true' line when it is ready", err=True)


cli.add_command(subscribers)
cli.add_command(send)
cli.add_command(serve)


def main() -> None:
    """Console entry point."""
    cli(prog_name="digest")
