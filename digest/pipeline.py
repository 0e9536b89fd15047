"""build(config, *, now): the one place the stages are wired, top to bottom."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from .articles import Collection, collect_articles
from .config import Config
from .emails import render_digest
from .errors import ArticleError, Problem
from .feeds import feed_articles, render_feeds
from .models import IssueRecord
from .publish import Published, publish
from .sections import group_sections, in_window, is_live, newest_first
from .stories import prepare_stories
from .templates import environment


@dataclass(frozen=True)
class BuildResult:
    """What a build read, published and wrote."""

    collection: Collection
    warnings: tuple[Problem, ...]
    live: int  # articles published (not draft, embargoed or expired)
    in_digest: int  # stories in this digest's window
    files: tuple[str, ...]  # every output the build produced
    published: Published | None  # None on a dry run


def build(
    config: Config,
    *,
    now: datetime,
    since: datetime | None = None,
    strict: bool = False,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> BuildResult:
    """Read the articles, render feeds and the digest, publish what changed.

    `progress` is called with (articles read, articles in all) while reading.
    """
    collection = collect_articles(config.articles, config=config, progress=progress)
    if strict and (collection.problems or collection.warnings):
        raise ArticleError([*collection.problems, *collection.warnings])

    live = newest_first(a for a in collection.articles if is_live(a, now))
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
    files = render_feeds([stories[a.slug] for a in in_feeds], config=config, env=env)
    digest_warnings: tuple[Problem, ...] = ()
    if window:
        sections = group_sections([stories[a.slug] for a in window], order=config.section_order)
        issue = IssueRecord(
            number=None,
            date=now.astimezone(config.zone).date().isoformat(),
            sent_at=now,
            since=since,
            ids=tuple(story.article.id for section in sections for story in section.stories),
        )
        digest = render_digest(sections, config=config, env=env, issue=issue, archive=())
        files |= digest.files
        digest_warnings = tuple(
            Problem(config.output / "digest.html", 1, warning) for warning in digest.warnings
        )
    published = None if dry_run else publish(files, config.output)
    return BuildResult(
        collection=collection,
        warnings=(*collection.warnings, *related_warnings, *digest_warnings),
        live=len(live),
        in_digest=len(window),
        files=tuple(sorted(files)),
        published=published,
    )
