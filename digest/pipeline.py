"""build(config, *, now): the one place the stages are wired, top to bottom."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from pathlib import Path

import jinja2

from .articles import Collection, collect_articles, scan_articles
from .cache import (
    CACHE_FILE,
    REPLAY_FILE,
    BuildCache,
    inputs_key,
    load_cache,
    unchanged_bytes,
    unchanged_result,
    write_cache,
)
from .config import Config
from .emails import render_digest
from .errors import ArticleError, Problem
from .feeds import feed_articles, render_feeds
from .lock import OutputLock, output_lock
from .mime import subject_line
from .models import IssueRecord
from .publish import Published, plan, publish, write_private
from .related import related_links
from .sections import group_sections, in_window, is_live, newest_first
from .state import STATE_FILE, check_forward, issue_record, load_state, new_since, state_bytes
from .stories import prepare_stories
from .templates import environment, template_errors


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
    replayed: bool = False
    """Inputs and outputs were exactly as the previous build left them, so nothing was read
    or written: the result is that build's, but `collection` holds no articles."""


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

    The output folder's cache (cache.py) spares reading unchanged files and rendering what
    did not change; a build whose inputs and outputs are exactly as the previous build
    left them returns that build's result at once (`replayed`).
    """
    # Every argument but `progress` (which only reports) is an input of the build.
    arguments = {k: v for k, v in locals().items() if k not in ("config", "progress")}
    files_found = scan_articles(config.articles)
    key = inputs_key(config, arguments, files_found)
    previous = None if dry_run else unchanged_result(config, key)
    if isinstance(previous, BuildResult):
        if progress is not None:  # every article is as it was read last time
            progress(len(files_found), len(files_found))
        kept = Published(written=(), unchanged=previous.files)
        return replace(previous, published=kept, replayed=True)
    cache = load_cache(config)
    collection = collect_articles(
        config.articles,
        config=config,
        progress=progress,
        cache=cache.articles,
        files=files_found,
    )
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
            targets,
            live,
            related_limit=config.related_limit,
            related_newer=config.related_newer,
            unpublished=unpublished,
            collection=collection,
            cache=cache.stories,
        )
        if strict and related_warnings:
            raise ArticleError(related_warnings)

        env = environment(config.templates)
        feed_stories = [stories[a.slug] for a in in_feeds]
        with template_errors():
            files = render_feeds(feed_stories, config=config, env=env, reuse=cache.reuse)
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
        result = BuildResult(
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
        if lock is not None:
            _remember(config, cache, key, result)
    return result


@dataclass(frozen=True)
class CheckResult:
    """What `check` found: problems fail the check, warnings do not (unless strict)."""

    files_read: int
    templates_read: int
    article_problems: tuple[Problem, ...]
    template_problems: tuple[Problem, ...]
    warnings: tuple[Problem, ...]


def check(config: Config, *, progress: Callable[[int, int], None] | None = None) -> CheckResult:
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


def _remember(config: Config, cache: BuildCache, key: str | None, result: BuildResult) -> None:
    """Save the cache, and what the next build needs to tell that nothing changed."""
    if cache.changed():
        write_private(config.output, CACHE_FILE, partial(write_cache, cache))
    without_articles = replace(result.collection, articles=(), terms={}, revisions={})
    unpublished = Published((), ())
    watched = dict.fromkeys([*result.files, STATE_FILE])  # the state is an input too
    replay = replace(result, collection=without_articles, published=unpublished)
    record = unchanged_bytes(config, key, watched, replay)
    if record is not None:
        write_private(config.output, REPLAY_FILE, record)


def _exclusive(config: Config, *, dry_run: bool) -> AbstractContextManager[OutputLock | None]:
    """The output folder's lock, or no lock for a dry run (which writes nothing)."""
    if dry_run:
        return nullcontext()
    return output_lock(config.output, timeout=config.lock_timeout)
