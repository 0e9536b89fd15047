"""Which articles are live, in what order, and grouped by section (pure functions)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from operator import attrgetter
from typing import TypeVar

from .models import Article, Section, Story

T = TypeVar("T", Article, Story)


def is_live(article: Article, now: datetime) -> bool:
    """Not a draft, not embargoed (dated after `now`), not expired."""
    if article.draft or article.published > now:
        return False
    return article.expires is None or article.expires > now


def _article(item: Article | Story) -> Article:
    return item.article if isinstance(item, Story) else item


def newest_first(items: Iterable[T]) -> list[T]:
    """Newest publication first; ties broken by slug so the order never wobbles."""
    listed = list(items)
    if all(type(item) is Article for item in listed):  # the archive: sort without lambdas
        by_slug = sorted(listed, key=attrgetter("slug"))
        return sorted(by_slug, key=attrgetter("published"), reverse=True)
    by_slug = sorted(listed, key=lambda item: _article(item).slug)
    return sorted(by_slug, key=lambda item: _article(item).published, reverse=True)


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
