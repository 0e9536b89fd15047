"""A build that has work to do: the stages wired top to bottom.

collect (articles.py) → select and group (sections.py, feeds.py) → prepare stories
(stories.py) → render feeds (feeds.py) and the digest (emails.py) → publish (publish.py).
`pipeline.build` comes here only when the last build's result cannot be replayed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from datetime import datetime
from functools import partial

from .articles import collect_articles
from .cache import CACHE_FILE, BuildCache, load_cache, write_cache
from .config import Config
from .emails import render_digest
from .errors import ArticleError, Problem
from .feeds import feed_articles, render_feeds
from .gc_pause import gc_frozen
from .lock import OutputLock, output_lock
from .mime import subject_line
from .models import Article
from .pipeline import BuildResult
from .publish import Published, plan, publish, write_private
from .replay import REPLAY_FILE, unchanged_bytes
from .scan import Signature
from .sections import group_sections, in_window, is_live, newest_first, window_start
from .state import (
    STATE_FILE,
    State,
    dated_after,
    issue_record,
    load_state,
    new_since,
    sent_late,
    state_bytes,
)
from .stories import prepare_stories
from .templates import environment, template_errors
from .workers import serving


@gc_frozen()  # the archive is kept to the end: no collector pass need walk it again
def build_anew(
    config: Config,
    *,
    now: datetime,
    since: datetime | None,
    since_last: bool,
    strict: bool,
    dry_run: bool,
    progress: Callable[[int, int], None] | None,
    scanned: Sequence[tuple[str, Signature | None]],
    key: str | None,
) -> BuildResult:
    """`pipeline.build` doing the work: read, render and publish what changed.

    `scanned` is the articles folder as `scan_articles` just listed it; `key`, the digest
    of the build's inputs to save the replay record under (None: the next build cannot
    replay this one).
    """
    # Workers forked for the parsing (while the build is still small) are kept for the
    # rendering: forked later, they would copy much of the build's memory (workers.py).
    with serving():
        cache = load_cache(config)
        collection = collect_articles(
            config.articles,
            config=config,
            progress=progress,
            cache=cache.articles,
            files=scanned,
        )
        if strict and (collection.problems or collection.warnings):
            raise ArticleError([*collection.problems, *collection.warnings])

        with _exclusive(config, dry_run=dry_run) as lock:
            state = load_state(config.output)
            day = now.astimezone(config.zone).date().isoformat()
            live = newest_first(a for a in collection.articles if is_live(a, now))
            held = dated_after(state, day=day, path=config.output / STATE_FILE)
            since = since or window_start(now, config.window)
            window: list[Article] = []
            late = 0
            if held is None:  # else the feeds only: the history is dated after this build
                window, since, late = _digest_window(
                    state, live, config=config, day=day, now=now, since=since, last=since_last
                )
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
                sections = group_sections(
                    [stories[a.slug] for a in window], order=config.section_order
                )
                shown = [story.article for section in sections for story in section.stories]
                issue = issue_record(state, day=day, now=now, since=since, articles=shown)
                issue = replace(issue, subject=subject_line(config, sections, issue))
                digest = render_digest(
                    sections,
                    config=config,
                    env=env,
                    issue=issue,
                    archive=state.issues,
                    inlined=cache.inlined,
                )
                files |= digest.files
                digest_warnings = tuple(
                    Problem(config.output / "digest.html", 1, warning)
                    for warning in digest.warnings
                )
                files[STATE_FILE] = state_bytes(state.with_issue(issue))
            if lock is None:
                published = plan(files, config.output)
            else:
                published = publish(
                    files,
                    config.output,
                    last=(STATE_FILE,),
                    stale_before=lock.taken,
                    private=(CACHE_FILE, REPLAY_FILE),
                )
            result = BuildResult(
                collection=collection,
                warnings=(
                    *collection.warnings,
                    *related_warnings,
                    *digest_warnings,
                    *([] if held is None else [held]),
                ),
                live=len(live),
                in_digest=len(window),
                since=since,
                issue=issue,
                late=late,
                held=held is not None,
                files=tuple(sorted(files)),
                published=published,
                dry_run=dry_run,
            )
            if lock is not None:
                _remember(config, cache, key, result)
        return result


def _digest_window(
    state: State,
    live: list[Article],
    *,
    config: Config,
    day: str,
    now: datetime,
    since: datetime,
    last: bool,
) -> tuple[list[Article], datetime, int]:
    """The stories of this build's issue, where its window starts, and how many of them
    are older stories that no issue carried (see `state.new_since`).

    With `last` (`--since last`) and an earlier issue, the window starts where that issue
    was made and leaves out every story an earlier issue carried; else it starts at `since`.
    """
    previous = state.previous(day) if last else None
    if previous is None:
        return in_window(live, since=since, now=now), since, 0
    start = previous.sent_at
    horizon = window_start(now, config.horizon)
    window = new_since(live, since=start, now=now, sent=state.sent_ids(day), horizon=horizon)
    return window, start, sent_late(window, since=start, now=now)


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
