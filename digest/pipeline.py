"""build(config, *, now): the one place the stages are wired, top to bottom."""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import jinja2

from .articles import Collection, collect_articles
from .config import Config
from .emails import render_digest
from .errors import ArticleError, Problem, RenderError
from .feeds import feed_articles, render_feeds
from .lock import OutputLock, output_lock
from .mime import subject_line
from .models import IssueRecord
from .publish import Published, plan, publish
from .related import related_links
from .sections import group_sections, in_window, is_live, newest_first
from .state import STATE_FILE, check_forward, issue_record, load_state, new_since, state_bytes
from .stories import prepare_stories
from .templates import environment


@dataclass(frozen=True)
class BuildResult:
    """What a build read, published and wrote (or, on a dry run, would write)."""

    collection: Collection
    warnings: tuple[Problem, ...]
    live: int  # articles published (not draft, embargoed or expired)
    in_digest: int  # stories in this digest's window
    since: datetime  # start of the digest window
    issue: IssueRecord | None  # the digest issue made, None when nothing was new
    files: tuple[str, ...]  # every output the build produced
    published: Published  # on a dry run: what would be written
    dry_run: bool = False


def build(
    config: Config,
    *,
    now: datetime,
    since: datetime | None = None,
    since_last: bool = False,
    strict: bool = False,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> BuildResult:
    """Read the articles, render feeds and the digest, publish what changed.

    `since_last` starts the digest where the previous issue (in the output folder's state)
    ended and leaves out every article an earlier issue carried; with no earlier issue it
    falls back to the configured window. A build holds the output folder's lock from
    reading the state to the last rename; a dry run takes no lock and writes nothing.
    `progress` is called with (articles read, articles in all) while reading.
    """
    collection = collect_articles(config.articles, config=config, progress=progress)
    if strict and (collection.problems or collection.warnings):
        raise ArticleError([*collection.problems, *collection.warnings])

    with _exclusive(config, dry_run=dry_run) as lock:
        state = load_state(config.output)
        day = now.astimezone(config.zone).date().isoformat()
        check_forward(state, day=day, path=config.output / STATE_FILE)
        live = newest_first(a for a in collection.articles if is_live(a, now))
        previous = state.previous(day) if since_last else None
        if previous is not None:  # after the previous issue, leaving out what it carried
            since = previous.sent_at
            window = new_since(live, since=since, now=now, sent=state.sent_ids(day))
        else:
            since = since or now - config.window
            window = in_window(live, since=since, now=now)
        in_feeds = feed_articles(live, config=config)
        targets = newest_first({a.slug: a for a in [*in_feeds, *window]}.values())
        unpublished = {a.slug for a in collection.articles}.difference(a.slug for a in live)
        stories, related_warnings = prepare_stories(
            targets, live, related_limit=config.related_limit, unpublished=unpublished
        )
        if strict and related_warnings:
            raise ArticleError(related_warnings)

        env = environment(config.templates)
        with _template_errors():
            files = render_feeds([stories[a.slug] for a in in_feeds], config=config, env=env)
        issue = None
        digest_warnings: tuple[Problem, ...] = ()
        if window:
            sections = group_sections([stories[a.slug] for a in window], order=config.section_order)
            shown = [story.article for section in sections for story in section.stories]
            issue = issue_record(state, day=day, now=now, since=since, articles=shown)
            issue = replace(issue, subject=subject_line(config, sections, issue))
            digest = render_digest(
                sections, config=config, env=env, issue=issue, archive=state.issues
            )
            files |= digest.files
            digest_warnings = tuple(
                Problem(config.output / "digest.html", 1, warning) for warning in digest.warnings
            )
            files[STATE_FILE] = state_bytes(state.with_issue(issue))
        if lock is None:
            published = plan(files, config.output)
        else:
            published = publish(files, config.output, last=(STATE_FILE,), stale_before=lock.taken)
    return BuildResult(
        collection=collection,
        warnings=(*collection.warnings, *related_warnings, *digest_warnings),
        live=len(live),
        in_digest=len(window),
        since=since,
        issue=issue,
        files=tuple(sorted(files)),
        published=published,
        dry_run=dry_run,
    )


@dataclass(frozen=True)
class CheckResult:
    """What `check` found: problems fail the check, warnings do not (unless strict)."""

    files_read: int
    templates_read: int
    article_problems: tuple[Problem, ...]
    template_problems: tuple[Problem, ...]
    warnings: tuple[Problem, ...]


def check(
    config: Config, *, progress: Callable[[int, int], None] | None = None
) -> CheckResult:
    """Validate every article, the editors' related slugs and every template; write nothing."""
    collection = collect_articles(config.articles, config=config, progress=progress)
    published = [article for article in collection.articles if not article.draft]
    drafts = {article.slug for article in collection.articles if article.draft}
    _, related_warnings = related_links(published, published, limit=0, unpublished=drafts)
    templates, template_problems = check_templates(config)
    return CheckResult(
        files_read=collection.files_read,
        templates_read=templates,
        article_problems=collection.problems,
        template_problems=tuple(template_problems),
        warnings=(*collection.warnings, *related_warnings),
    )


def check_templates(config: Config) -> tuple[int, list[Problem]]:
    """Compile every template the build would use (a user's folder hides ours by name).

    Returns how many templates there are and a problem for each that does not compile.
    """
    if config.templates is not None and not config.templates.is_dir():
        return 0, [Problem(config.templates, 1, "no such template folder; check build.templates")]
    env = environment(config.templates)
    names = env.list_templates()
    problems = []
    for name in names:
        try:
            env.get_template(name)
        except jinja2.TemplateSyntaxError as error:
            path = Path(error.filename or name)
            problems.append(Problem(path, error.lineno, f"template error: {error.message}"))
        except UnicodeDecodeError:
            problems.append(Problem(Path(name), 1, "template is not UTF-8 text"))
    return len(names), problems


@contextmanager
def _template_errors() -> Iterator[None]:
    """Turn a template mistake into a RenderError naming `template:line`."""
    try:
        yield
    except jinja2.TemplateSyntaxError as error:
        where = f"{error.filename or error.name}:{error.lineno}"
        raise RenderError(f"{where}: {error.message}; fix the template") from error
    except jinja2.TemplateError as error:
        frames = [
            frame
            for frame in traceback.extract_tb(error.__traceback__)
            if not frame.filename.endswith(".py")
        ]
        where = f"{frames[-1].filename}:{frames[-1].lineno}: " if frames else ""
        raise RenderError(f"{where}{error}; fix the template") from error


def _exclusive(config: Config, *, dry_run: bool) -> AbstractContextManager[OutputLock | None]:
    """The output folder's lock, or no lock for a dry run (which writes nothing)."""
    if dry_run:
        return nullcontext()
    return output_lock(config.output, timeout=config.lock_timeout)
