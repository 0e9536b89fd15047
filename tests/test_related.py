"""Tests for digest.enrich.related: named links resolve, chosen links rank sensibly."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from digest.config import Config
from digest.enrich.related import (
    EDITOR_REASON,
    EXTERNAL_REASON,
    SIMILAR_REASON,
    TAG_DF_CAP,
    related_links,
)
from digest.errors import Problem
from digest.models import Article, RelatedLink
from digest.pipeline import build
from digest.sources.base import Location
from tests.conftest import NOW, ArticleWriter

BASE = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
SITE = "https://news.example.org"

# Bodies with no words in common, so fillers never look alike by text.
FILLER_BODIES = (
    "Quarterback threw touchdowns during overtime against visiting rivals.",
    "Orchestra premiered symphony featuring cellist soloist tonight.",
    "Bakery sourdough loaves sell quickly every Saturday morning.",
    "Glacier retreat measured by satellite altimetry surveys.",
    "Chess grandmaster drew opening gambit against prodigy.",
    "Vineyard harvest yields ripe grapes despite hailstorms.",
    "Lighthouse keeper restored lantern lenses carefully.",
    "Marathon runners crossed finish line amid drizzle.",
    "Astronomers catalogued exoplanets orbiting dwarf stars.",
    "Beekeepers reported honey shortages across meadows.",
)


def article(
    slug: str,
    *,
    days: float = 0,
    section: str = "World",
    tags: Sequence[str] = (),
    related: Sequence[str] = (),
    title: str | None = None,
    summary: str = "",
    body: str = "",
    key_lines: dict[str, int] | None = None,
) -> Article:
    """An Article published ``days`` after BASE, with a URL under its section."""
    section_slug = section.casefold().replace(" & ", "-").replace(" ", "-")
    published = BASE + timedelta(days=days)
    return Article(
        location=Location(Path(f"articles/{slug}.md"), 10),
        slug=slug,
        id=slug,
        title=title if title is not None else slug.replace("-", " ").title(),
        published=published,
        updated=published,
        section=section,
        section_slug=section_slug,
        url=f"{SITE}/{section_slug}/{slug}/",
        body=body,
        summary=summary,
        tags=tuple(tags),
        related=tuple(related),
        key_lines=dict(key_lines or {}),
    )


def fillers(count: int, *, section: str = "Sport", tags: Sequence[str] = ()) -> list[Article]:
    """Unrelated stories published before day 0 that share nothing but ``tags``."""
    return [
        article(
            f"filler-{number:03d}",
            days=-30 - number,
            section=section,
            tags=tags,
            title=f"Item {number:03d}",
            body=FILLER_BODIES[number % len(FILLER_BODIES)],
        )
        for number in range(count)
    ]


def links_for(
    target: Article,
    archive: Sequence[Article],
    *,
    limit: int = 3,
    allow_newer: bool = False,
) -> tuple[RelatedLink, ...]:
    """The links of one target, asserting there were no warnings."""
    links, problems = related_links([target], archive, limit=limit, allow_newer=allow_newer)
    assert problems == []
    return links[target.slug]


def slugs(links: Sequence[RelatedLink]) -> list[str]:
    """The slug each link points at (the last path segment of its URL)."""
    return [link.url.rstrip("/").rsplit("/", 1)[-1] for link in links]


# Named links


def test_named_slugs_resolve_in_the_given_order() -> None:
    first = article("election-result", days=-3, section="Politics", title="Coalition wins")
    second = article("market-close", days=-1, section="Business", title="Stocks slip")
    target = article("analysis", related=["market-close", "election-result"])

    links, problems = related_links([target], [first, second, target])

    assert problems == []
    assert links == {
        "analysis": (
            RelatedLink("Stocks slip", f"{SITE}/business/market-close/", "Business", EDITOR_REASON),
            RelatedLink(
                "Coalition wins", f"{SITE}/politics/election-result/", "Politics", EDITOR_REASON
            ),
        )
    }


def test_named_url_of_an_article_resolves_to_that_article() -> None:
    other = article("flood-warning", section="Science", title="Rivers rise")
    # Another scheme, no trailing slash, a fragment: still the same page.
    target = article(
        "target", days=1, related=["http://NEWS.example.org/science/flood-warning#top"]
    )

    (link,) = links_for(target, [other, target])

    assert link == RelatedLink("Rivers rise", other.url, "Science", EDITOR_REASON)


def test_other_absolute_url_becomes_an_external_link() -> None:
    target = article("target", related=["https://example.com/report?id=7", "mailto:x@example.com"])

    links, problems = related_links([target], [target])

    assert links["target"] == (
        RelatedLink(
            "https://example.com/report?id=7",
            "https://example.com/report?id=7",
            "",
            EXTERNAL_REASON,
        ),
    )
    assert [problem.message for problem in problems] == [
        "related: unknown article 'mailto:x@example.com' (dropped); check the slug"
    ]


def test_unknown_slug_is_one_warning_at_the_related_line_and_dropped() -> None:
    known = article("known", days=-1, title="Known story")
    target = article(
        "target", related=["no-such-story", "known", "no-such-story"], key_lines={"related": 7}
    )

    links, problems = related_links([target], [known, target])

    assert slugs(links["target"]) == ["known"]
    assert problems == [
        Problem(
            Path("articles/target.md"),
            7,
            "related: unknown article 'no-such-story' (dropped); check the slug",
        )
    ]
    assert str(problems[0]) == (
        "articles/target.md:7: related: unknown article 'no-such-story' (dropped); check the slug"
    )


def test_unknown_slug_without_a_recorded_line_points_at_line_one() -> None:
    target = article("target", related=["ghost"])

    _, problems = related_links([target], [target])

    assert [(problem.path, problem.line) for problem in problems] == [
        (Path("articles/target.md"), 1)
    ]


def test_unpublished_article_is_not_linkable() -> None:
    draft = article("embargoed", days=-1, tags=["Belarus"], body="Minsk talks collapse.")
    target = article("target", tags=["Belarus"], related=["embargoed"], body="Minsk talks.")
    named_none = article("second", days=1, tags=["Belarus"], body="Minsk talks resume.")
    archive = [target, named_none, *fillers(3)]  # the draft is not published

    links, problems = related_links([target, named_none], archive)

    assert [problem.message for problem in problems] == [
        "related: unknown article 'embargoed' (dropped); check the slug"
    ]
    assert all(draft.url not in {link.url for link in found} for found in links.values())
    assert slugs(links["second"]) == ["target"]


def test_never_links_to_itself_and_drops_duplicates() -> None:
    other = article("other", days=-1)
    own_url = f"{SITE}/world/target/"
    target = article("target", related=["target", own_url, "other", "OTHER", other.url])

    links, problems = related_links([target], [other, target])

    assert problems == []
    assert slugs(links["target"]) == ["other"]


def test_named_links_are_not_cut_to_the_limit() -> None:
    named = [article(f"named-{number}", days=-number) for number in range(1, 6)]
    target = article("target", related=[story.slug for story in named])

    links, _ = related_links([target], [*named, target], limit=2)

    assert len(links["target"]) == 5


def test_when_every_named_entry_drops_links_are_chosen_instead() -> None:
    neighbour = article("neighbour", days=-1, tags=["Belarus"])
    target = article("target", tags=["Belarus"], related=["gone"])

    links, problems = related_links([target], [neighbour, target, *fillers(4)])

    assert len(problems) == 1
    assert [(link.url, link.reason) for link in links["target"]] == [
        (neighbour.url, "Also about Belarus")
    ]


def test_every_target_gets_an_entry_and_a_stranger_is_a_caller_bug() -> None:
    lonely = article("lonely", section="Obituaries")
    links, problems = related_links([lonely], [lonely])
    assert (links, problems) == ({"lonely": ()}, [])

    with pytest.raises(ValueError, match="'stranger' is not in the archive"):
        related_links([article("stranger")], [lonely])


# Chosen links


def test_a_rare_shared_tag_beats_a_common_one_even_when_older() -> None:
    target = article("target", tags=["Common", "Belarus"])
    rare = article("rare", days=-10, section="Business", tags=["Belarus"])
    common = article("common", days=-2, section="Business", tags=["Common"])
    archive = [target, rare, common, *fillers(2, tags=["Common"]), *fillers(6)[2:]]

    links = links_for(target, archive)

    assert slugs(links)[:2] == ["rare", "common"]
    assert [link.reason for link in links[:2]] == ["Also about Belarus", "Also about Common"]


def test_tags_match_regardless_of_case_and_the_reason_uses_the_targets_spelling() -> None:
    target = article("target", tags=["Belarus"])
    other = article("other", days=-1, section="Business", tags=["  belarus "])

    links = links_for(target, [target, other, *fillers(5)])

    assert [(link.url, link.reason) for link in links] == [(other.url, "Also about Belarus")]


def test_same_section_beats_nothing_and_unrelated_stories_are_left_out() -> None:
    target = article("target", section="World", tags=["News"], body="Ministers met in Geneva.")
    same_section = article("same-section", days=-5, section="World", body="Harvest festival.")
    # Sharing only a tag that nearly every story carries does not make a story related.
    archive = [target, same_section, *fillers(12, tags=["News"])]

    links = links_for(target, archive)

    assert [(link.url, link.reason) for link in links] == [(same_section.url, "More in World")]


def test_text_similarity_picks_the_obviously_similar_story() -> None:
    target = article(
        "target",
        section="Europe",
        title="Danube floodwaters breach Budapest embankment",
        body="Volunteers stacked sandbags as riverside districts were evacuated overnight.",
    )
    similar = article(
        "similar",
        days=-20,
        section="Science",
        title="Budapest braces as Danube floodwaters rise",
        body="Riverside districts prepared evacuation plans while volunteers filled sandbags.",
    )
    distractor = article(
        "distractor",
        days=-1,
        section="Culture",
        title="Budapest orchestra tours Japan",
        body="The programme features a new symphony.",
    )

    links = links_for(target, [target, similar, distractor, *fillers(8)])

    assert slugs(links)[0] == "similar"
    assert links[0].reason == SIMILAR_REASON


def test_only_older_stories_by_default_and_allow_newer_opens_the_future() -> None:
    target = article("target", days=10, tags=["Belarus"])
    older = article("older", days=5, tags=["Belarus"])
    newer = article("newer", days=12, tags=["Belarus"])
    same_moment = article("same-moment", days=10, tags=["Belarus"])
    archive = [target, older, newer, same_moment, *fillers(6)]

    assert slugs(links_for(target, archive)) == ["older"]
    assert slugs(links_for(target, archive, allow_newer=True)) == ["same-moment", "newer", "older"]


def test_closer_in_time_wins_between_equally_related_stories() -> None:
    target = article("target", tags=["Belarus"])
    recent = article("recent", days=-3, tags=["Belarus"])
    old = article("old", days=-300, tags=["Belarus"])

    assert slugs(links_for(target, [old, target, recent, *fillers(6)])) == ["recent", "old"]


def test_ties_are_broken_by_slug_whatever_the_archive_order() -> None:
    target = article("target", days=1, tags=["Belarus"])
    twins = [article(f"twin-{letter}", tags=["Belarus"]) for letter in "dbeac"]
    archive = [target, *twins, *fillers(8)]
    expected = ["twin-a", "twin-b", "twin-c"]

    shuffler = random.Random(7)
    for _ in range(10):
        shuffler.shuffle(archive)
        assert slugs(links_for(target, archive)) == expected


def test_equal_scores_put_the_newer_story_first() -> None:
    target = article("target", tags=["Belarus"])
    before = article("a-before", days=-2, tags=["Belarus"])
    after = article("z-after", days=2, tags=["Belarus"])

    links = links_for(target, [before, target, after, *fillers(6)], allow_newer=True)

    assert slugs(links) == ["z-after", "a-before"]


def test_whole_result_is_the_same_for_any_archive_order() -> None:
    tagged = [
        article(f"story-{number}", days=-number, tags=["Belarus", "Trade"][: number % 3])
        for number in range(12)
    ]
    archive = [*tagged, *fillers(10)]
    targets = tagged[:4]
    expected = related_links(targets, archive)

    shuffler = random.Random(11)
    for _ in range(5):
        shuffled = archive[:]
        shuffler.shuffle(shuffled)
        assert related_links(targets[::-1], shuffled) == expected


def test_reason_names_up_to_three_shared_tags_in_the_targets_order() -> None:
    tags = ["Belarus", "Trade", "Sanctions", "Potash", "Minsk"]
    target = article("target", tags=tags)
    other = article("other", days=-1, section="Business", tags=tags[::-1])

    (link,) = links_for(target, [target, other, *fillers(6)])

    assert link.reason == "Also about Belarus, Trade, Sanctions"


def test_limit_is_honoured() -> None:
    target = article("target", tags=["Belarus"])
    archive = [target, *(article(f"n-{day}", days=-day, tags=["Belarus"]) for day in range(1, 7))]
    archive += fillers(20)

    assert slugs(links_for(target, archive)) == ["n-1", "n-2", "n-3"]
    assert slugs(links_for(target, archive, limit=5)) == ["n-1", "n-2", "n-3", "n-4", "n-5"]
    assert links_for(target, archive, limit=0) == ()


def test_a_tag_on_nearly_every_story_is_no_reason() -> None:
    # More stories carry the tag than TAG_DF_CAP, so candidates come from the nearest ones.
    count = TAG_DF_CAP + 44
    everyone = [
        article(
            f"story-{number:03d}",
            days=-number,
            section=("World", "Sport")[number % 2],
            tags=["News"],
            title=f"Item {number:03d}",
        )
        for number in range(1, count)
    ]
    target = article("target", section="World", tags=["News"])

    links = links_for(target, [target, *everyone])

    assert slugs(links) == ["story-002", "story-004", "story-006"]
    assert {link.reason for link in links} == {"More in World"}


def test_unpublished_slugs_are_dropped_without_a_warning() -> None:
    target = article("target", related=["embargoed", "typo"])
    links, problems = related_links([target], [target], unpublished={"embargoed"})
    assert links["target"] == ()
    assert [p.message for p in problems] == [
        "related: unknown article 'typo' (dropped); check the slug"
    ]


@pytest.mark.parametrize(("newer", "expected"), [(False, []), (True, ["Also about Lighthouses"])])
def test_build_relates_to_newer_stories_only_when_configured(
    write_article: ArticleWriter, config: Config, newer: bool, expected: list[str]
) -> None:
    write_article("older", date="2026-11-25T09:00:00Z", tags=["Lighthouses"])
    write_article("newer", date="2026-11-26T09:00:00Z", tags=["Lighthouses"])
    build(replace(config, related_newer=newer), now=NOW)
    feed = json.loads((config.output / "feed.json").read_text(encoding="utf-8"))
    older = next(item for item in feed["items"] if item["url"].endswith("/older/"))
    assert [link["reason"] for link in older["_digest"]["related"]] == expected
