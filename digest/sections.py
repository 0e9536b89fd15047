"""Which articles are live, in what order, and grouped by section (pure functions)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from digest.models import MIN_YEAR, Article, Section, Story

T = TypeVar("T", Article, Story)


def is_live(article: Article, now: datetime) -> bool:
    """Not a draft, not embargoed (dated after `now`), not expired."""
    if article.draft or article.published > now:
        return False
    return article.expires is None or article.expires > now


def newest_first(items: Iterable[T]) -> list[T]:
    """Newest publication first; ties broken by slug so the order never wobbles.

    One sort by a key worked out once per item: an archive's dates, in many time zones,
    are each converted once instead of at every comparison, and a list already in this
    order costs a single pass.
    """
    return sorted(items, key=_newest_first)


def _newest_first(item: Article | Story) -> tuple[int, str]:
    """The sort key: microseconds before the epoch of the publication (exact), then slug."""
    article = item.article if isinstance(item, Story) else item
    return (EPOCH - article.published) // MICROSECOND, article.slug


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


EARLIEST = datetime(MIN_YEAR, 1, 1, tzinfo=UTC)
"""Before any article's date (see `models.MIN_YEAR`)."""


def window_start(now: datetime, span: timedelta) -> datetime:
    """`now - span`, or `EARLIEST` when that is earlier: a window reaching past every
    article covers them all, and its start stays a time that survives arithmetic."""
    return max(now - span, EARLIEST)


def in_window(articles: Iterable[Article], *, since: datetime, now: datetime) -> list[Article]:
    """Articles published in (since, now], newest first."""
    return newest_first(a for a in articles if since < a.published <= now)


def group_sections(stories: Sequence[Story], *, order: Sequence[str] = ()) -> tuple[Section, ...]:
    """Sections in the configured order (by name or slug), then the rest alphabetically."""
    groups: dict[str, list[Story]] = {}
    names: dict[str, str] = {}
    for story in stories:
        slug = story.article.section_slug
        groups.setdefault(slug, []).append(story)
        names.setdefault(slug, story.article.section)
    rank: dict[str, int] = {}
    for position, wanted in enumerate(order):
        for slug, name in names.items():
            if wanted in (name, slug) or wanted.casefold() == name.casefold():
                rank.setdefault(slug, position)
    ordered = sorted(groups, key=lambda slug: (rank.get(slug, len(order)), names[slug].casefold()))
    return tuple(Section(names[slug], slug, tuple(newest_first(groups[slug]))) for slug in ordered)
