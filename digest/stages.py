"""A build that has work to do: the stages, each one named step, wired top to bottom.

collect (articles.py) → select (sections.py, feeds.py, state.py) → prepare stories
(stories.py) → render feeds (feeds.py) → render the digest (emails.py) → publish
(publish.py). `pipeline.build` comes here only when the last build cannot be replayed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial

import jinja2

from digest.config import Config
from digest.enrich.stories import RelatedMemo, Rendered, prepare_stories
from digest.errors import ArticleError, Problem, PublishError
from digest.feeds.render import feed_articles, render_feeds
from digest.incremental.cache import CACHE_FILE, BuildCache, load_cache, write_cache
from digest.incremental.gc_pause import gc_frozen
from digest.incremental.replay import REPLAY_FILE, unchanged_bytes
from digest.incremental.workers import serving
from digest.lock import OutputLock, output_lock
from digest.mail.mime import subject_line
from digest.mail.render import render_digest
from digest.models import (
    Article,
    BuildResult,
    Collection,
    IssueRecord,
    Published,
    Section,
    Story,
)
from digest.publish import plan, publish, write_private
from digest.request import BuildRequest
from digest.sections import group_sections, in_window, is_live, newest_first, window_start
from digest.send.snapshot import ISSUE_FILE, issue_bytes
from digest.sources.articles import collect_articles
from digest.sources.base import Revision, Source
from digest.state import (
    STATE_FILE,
    State,
    dated_after,
    issue_record,
    load_state,
    new_since,
    sent_late,
    state_bytes,
)
from digest.templates import environment, template_errors


@dataclass(frozen=True)
class Selection:
    """Which articles this build shows where: what `select` decides."""

    live: list[Article]  # published (not draft, embargoed or expired), newest first
    in_feeds: list[Article]  # the articles some feed shows
    window: list[Article]  # the digest's stories; empty when no issue is made
    since: datetime  # where the digest's window starts
    late: int  # of `window`: older stories no issue carried (see `state.new_since`)
    held: Problem | None  # why no issue is made: the history is dated after this build
    day: str  # the issue's local date, YYYY-MM-DD

    @property
    def targets(self) -> list[Article]:
        """Every article an output shows, newest first: the stories to prepare."""
        return newest_first({a.id: a for a in [*self.in_feeds, *self.window]}.values())


@dataclass(frozen=True)
class RenderedIssue:
    """The digest's files, the issue they make (None: no issue), and their warnings."""

    issue: IssueRecord | None
    files: dict[str, bytes]
    warnings: tuple[Problem, ...]
    sections: tuple[Section, ...] = ()  # the issue's stories, kept for `digest send`


@gc_frozen()  # the archive is kept to the end: no collector pass need walk it again
def build_anew(
    config: Config,
    request: BuildRequest,
    source: Source,
    *,
    items: Sequence[tuple[str, Revision | None]],
    key: str | None,
    progress: Callable[[int, int], None] | None,
) -> BuildResult:
    """`pipeline.build` doing the work: read, render and publish what changed.

    `items` is what `source.items()` just listed; `key`, the digest of the build's inputs
    to save the replay record under (None: the next build cannot replay this one).
    """
    # Workers forked for the parsing (while the build is still small) are kept for the
    # rendering: forked later, they would copy much of the build's memory (workers.py).
    with serving():
        cache = load_cache(config)
        collection = collect(
            source, items, config=config, request=request, cache=cache, progress=progress
        )
        with _exclusive(config, dry_run=request.dry_run) as lock:
            state = load_state(config.output)
            keys = [key for found, _ in collection.unknown_keys for key in found]
            new_keys = tuple(sorted(set(keys).difference(state.keys)))
            remembered, state = state, state.with_keys(keys)
            selection = select(collection, state, config=config, request=request)
            stories, related_warnings = prepare(
                selection, collection, source, config=config, request=request, cache=cache
            )
            env = environment(config.templates)
            files = render_feed_files(selection, stories, config=config, env=env, cache=cache)
            digest = render_issue(
                selection, stories, state, config=config, request=request, env=env, cache=cache
            )
            files |= digest.files
            if STATE_FILE not in files and state.keys != remembered.keys:
                files[STATE_FILE] = state_bytes(state)  # the keys known, for `--quiet`
            result = BuildResult(
                collection=collection,
                warnings=(
                    *collection.warnings,
                    *related_warnings,
                    *digest.warnings,
                    *([] if selection.held is None else [selection.held]),
                ),
                live=len(selection.live),
                in_digest=len(selection.window),
                since=selection.since,
                issue=digest.issue,
                late=selection.late,
                held=selection.held is not None,
                files=tuple(sorted(files)),
                published=publish_files(files, config=config, lock=lock),
                dry_run=request.dry_run,
                new_keys=new_keys,
            )
            if lock is not None:
                keep_issue(config, digest)
                _remember(config, cache, key, result)
        return result


def collect(
    source: Source,
    items: Sequence[tuple[str, Revision | None]],
    *,
    config: Config,
    request: BuildRequest,
    cache: BuildCache,
    progress: Callable[[int, int], None] | None,
) -> Collection:
    """Every article the source holds; under `--strict`, any problem fails the build."""
    collection = collect_articles(
        source, config=config, progress=progress, cache=cache.articles, items=items
    )
    if request.strict and (collection.problems or collection.warnings):
        raise ArticleError([*collection.problems, *collection.warnings])
    if collection.problems and not collection.articles:  # publishing would empty every feed
        raise ArticleError(
            list(collection.problems),
            f"not one of the {collection.files_read} articles could be used, so nothing was "
            "published and the previous outputs are kept: fix the problems above",
        )
    return collection


def select(
    collection: Collection, state: State, *, config: Config, request: BuildRequest
) -> Selection:
    """The live articles, the ones the feeds show, and the digest's window of them."""
    now = request.now
    day = now.astimezone(config.zone).date().isoformat()
    live = newest_first(a for a in collection.articles if is_live(a, now))
    held = dated_after(state, day=day, path=config.output / STATE_FILE)
    since = request.since or window_start(now, config.window)
    window: list[Article] = []
    late = 0
    if held is None:  # else the feeds only: the history is dated after this build
        window, since, late = _digest_window(
            state, live, config=config, day=day, now=now, since=since, last=request.since_last
        )
    in_feeds = feed_articles(live, config=config)
    return Selection(live, in_feeds, window, since, late, held, day)


def prepare(
    selection: Selection,
    collection: Collection,
    source: Source,
    *,
    config: Config,
    request: BuildRequest,
    cache: BuildCache,
) -> tuple[dict[str, Story], list[Problem]]:
    """Each shown article made a story (id → story), and the related links' warnings."""
    unpublished = {a.slug for a in collection.articles}.difference(a.slug for a in selection.live)
    stories, warnings = prepare_stories(
        selection.targets,
        selection.live,
        source=source,
        related_limit=config.related_limit,
        related_newer=config.related_newer,
        unpublished=unpublished,
        bodies_memo=cache.memo("stories", Rendered),
        links_memo=cache.memo("related links", RelatedMemo),
    )
    if request.strict and warnings:
        raise ArticleError(warnings)
    return stories, warnings


def render_feed_files(
    selection: Selection,
    stories: dict[str, Story],
    *,
    config: Config,
    env: jinja2.Environment,
    cache: BuildCache,
) -> dict[str, bytes]:
    """Every feed's files, and `feed.xsl`."""
    feed_stories = [stories[a.id] for a in selection.in_feeds]
    with template_errors():
        return render_feeds(feed_stories, config=config, env=env, memo=cache.files_memo("feeds"))


def render_issue(
    selection: Selection,
    stories: dict[str, Story],
    state: State,
    *,
    config: Config,
    request: BuildRequest,
    env: jinja2.Environment,
    cache: BuildCache,
) -> RenderedIssue:
    """The digest's files and the state that records its issue; none with an empty window."""
    if not selection.window:
        return RenderedIssue(None, {}, ())
    sections = group_sections([stories[a.id] for a in selection.window], order=config.section_order)
    shown = [story.article for section in sections for story in section.stories]
    issue = issue_record(
        state, day=selection.day, now=request.now, since=selection.since, articles=shown
    )
    issue = replace(issue, subject=subject_line(config, sections, issue))
    digest = render_digest(
        sections,
        config=config,
        env=env,
        issue=issue,
        archive=state.issues,
        inlined=cache.memo("inlined pages", str),
    )
    warnings = tuple(
        Problem(config.output / "digest.html", 1, warning) for warning in digest.warnings
    )
    files = {**digest.files, STATE_FILE: state_bytes(state.with_issue(issue))}
    return RenderedIssue(issue, files, warnings, tuple(sections))


def keep_issue(config: Config, digest: RenderedIssue) -> None:
    """Keep a new issue's stories for `digest send` (snapshot.py), once it is published and
    before the replay record is: a build killed in between is not replayed but redone."""
    if digest.issue is None:
        return
    try:
        write_private(config.output, ISSUE_FILE, issue_bytes(digest.issue, digest.sections))
    except OSError as error:
        raise PublishError(
            f"cannot write {config.output / ISSUE_FILE}: {error.strerror or error}; the "
            "outputs are published, but `digest send` needs this file: build again"
        ) from error


def publish_files(files: dict[str, bytes], *, config: Config, lock: OutputLock | None) -> Published:
    """Write what changed, the state last; without a lock (a dry run), only say what would be."""
    if lock is None:
        return plan(files, config.output)
    return publish(
        files,
        config.output,
        last=(STATE_FILE,),
        stale_before=lock.taken,
        private=(CACHE_FILE, REPLAY_FILE),
    )


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
    without_articles = replace(result.collection, articles=())
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
