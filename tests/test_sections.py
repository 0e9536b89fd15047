from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from digest.models import Article, Story
from digest.sections import group_sections, in_window, is_live, newest_first
from digest.sources.base import Location

NOW = datetime(2026, 11, 27, 6, tzinfo=UTC)


def article(slug: str, section: str = "World", hours_ago: float = 1, **changes: object) -> Article:
    published = NOW - timedelta(hours=hours_ago)
    base = Article(
        location=Location(Path(f"{slug}.md"), 5),
        slug=slug,
        id=slug,
        title=slug.title(),
        published=published,
        updated=published,
        section=section,
        section_slug=section.lower().replace(" & ", "-"),
        url=f"https://example.org/{slug}/",
        body="",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def story(item: Article) -> Story:
    return Story(article=item, body_html="", standfirst="", lead_quote=None)


def test_drafts_embargoes_and_expired_are_not_live() -> None:
    assert is_live(article("a"), NOW)
    assert not is_live(article("draft", draft=True), NOW)
    assert not is_live(article("future", hours_ago=-1), NOW)
    assert not is_live(article("gone", expires=NOW - timedelta(seconds=1)), NOW)
    assert is_live(article("later", expires=NOW + timedelta(days=1)), NOW)


def test_newest_first_breaks_ties_by_slug() -> None:
    items = [article("b", hours_ago=2), article("c", hours_ago=1), article("a", hours_ago=2)]
    assert [a.slug for a in newest_first(items)] == ["c", "a", "b"]


def test_newest_first_compares_moments_across_time_zones() -> None:
    east, west = timezone(timedelta(hours=2)), timezone(timedelta(hours=-5))
    items = [
        article("c", hours_ago=1),
        replace(article("b"), published=(NOW - timedelta(hours=1)).astimezone(east)),  # a tie
        article("a", hours_ago=0.75),
        replace(article("z"), published=(NOW - timedelta(minutes=1)).astimezone(west)),
    ]
    assert [a.slug for a in newest_first(items)] == ["z", "a", "b", "c"]
    ordered = newest_first([story(item) for item in items])
    assert [s.article.slug for s in ordered] == ["z", "a", "b", "c"]
    assert newest_first(ordered) == ordered


def test_window_is_half_open() -> None:
    items = [
        article("edge", hours_ago=24),
        article("in", hours_ago=23),
        article("old", hours_ago=48),
    ]
    chosen = in_window(items, since=NOW - timedelta(hours=24), now=NOW)
    assert [a.slug for a in chosen] == ["in"]


def test_sections_follow_configured_order_then_alphabetical() -> None:
    stories = [
        story(article("s1", "Sport")),
        story(article("b1", "Business", hours_ago=3)),
        story(article("w1", "World", hours_ago=5)),
        story(article("w2", "World", hours_ago=1)),
        story(article("m1", "Media & Culture")),
    ]
    sections = group_sections(stories, order=["world", "Sport"])
    assert [s.name for s in sections] == ["World", "Sport", "Business", "Media & Culture"]
    assert [s.article.slug for s in sections[0].stories] == ["w2", "w1"]
    assert sections[3].slug == "media-culture"
