"""Hugo's and Jekyll's front matter, read as they are (SPEC "Sources", "Folders").

Each test writes a small site by hand, builds it as a newsroom would, and reads the
feeds back with feedparser and the digest as text.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser

from digest.config import Config
from digest.models import BuildResult
from digest.pipeline import build
from tests.conftest import NOW


def site(root: Path, files: dict[str, str]) -> Config:
    """A source folder holding `files` (relative path → text), and its configuration."""
    folder = root / "site"
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return Config(
        title="Harbour Post",
        base_url="https://harbour.example/",
        articles=folder,
        output=root / "public",
    )


def page(**front: str) -> str:
    """A Markdown file with these front-matter lines (values as YAML) and a short body."""
    lines = "".join(f"{key}: {value}\n" for key, value in front.items())
    return f"---\n{lines}---\nThe ferry timetable changed on Monday.\n"


def run(config: Config, now: datetime = NOW, **options: Any) -> BuildResult:
    return build(config, now=now, **options)


def feed(config: Config, name: str = "rss.xml") -> Any:
    parsed = feedparser.parse((config.output / name).read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def titles(config: Config) -> list[str]:
    return [entry.title for entry in feed(config).entries]


def every_output(config: Config) -> str:
    """All text the build wrote, state and caches left out."""
    return "\n".join(
        path.read_text(encoding="utf-8")
        for path in sorted(config.output.rglob("*"))
        if path.is_file() and ".digest" not in path.parts
    )


# Embargo and expiry ------------------------------------------------------------------


def hugo_embargo_site(root: Path) -> Config:
    return site(
        root,
        {
            "posts/pier-reopens.md": page(
                title="Pier reopens", date="2026-11-26T08:00:00Z", section="Local"
            ),
            "posts/fare-rise.md": page(
                title="Embargoed fare rise",
                date="2026-11-20T08:00:00Z",
                publishDate="2026-11-28T07:00:00Z",
                section="Local",
            ),
            "posts/winter-timetable.md": page(
                title="Expired winter timetable",
                date="2026-11-20T08:00:00Z",
                expiryDate="2026-11-25T00:00:00Z",
                section="Local",
            ),
        },
    )


def test_an_embargoed_hugo_post_is_in_no_output(tmp_path: Path) -> None:
    config = hugo_embargo_site(tmp_path)
    result = run(config)
    assert titles(config) == ["Pier reopens"]
    assert "Embargoed fare rise" not in every_output(config)
    assert "fare-rise" not in every_output(config)
    assert not [w for w in result.warnings if "unknown" in w.message]
    assert not [w for w in result.collection.warnings if "unknown" in w.message]


def test_an_embargoed_post_appears_when_its_embargo_ends(tmp_path: Path) -> None:
    config = hugo_embargo_site(tmp_path)
    run(config)
    later = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    result = run(config, now=later, since_last=True)
    assert "Embargoed fare rise" in titles(config)
    (entry,) = [e for e in feed(config).entries if e.title == "Embargoed fare rise"]
    assert entry.published_parsed[:5] == (2026, 11, 28, 7, 0)  # when readers first saw it
    assert result.issue is not None
    assert "Embargoed fare rise" in (config.output / "digest.txt").read_text()


def test_an_embargo_holds_with_since_last(tmp_path: Path) -> None:
    config = hugo_embargo_site(tmp_path)
    run(config, now=datetime(2026, 11, 21, tzinfo=UTC))
    run(config, since_last=True)
    assert "Embargoed fare rise" not in every_output(config)


def test_publish_date_with_an_underscore_embargoes_too(tmp_path: Path) -> None:
    config = site(
        tmp_path,
        {
            "a.md": page(title="Open", date="2026-11-26", section="Local"),
            "b.md": page(
                title="Held back", date="2026-11-26", publish_date="2026-12-01", section="Local"
            ),
        },
    )
    run(config)
    assert titles(config) == ["Open"]
    assert "Held back" not in every_output(config)


def test_an_expired_hugo_post_is_retired(tmp_path: Path) -> None:
    config = hugo_embargo_site(tmp_path)
    run(config)
    assert "Expired winter timetable" not in every_output(config)
    result = run(config, now=datetime(2026, 11, 24, tzinfo=UTC), dry_run=True)
    assert result.live == 1  # before its expiry it was live (the embargoed one is not)


def test_json_feed_holds_no_embargoed_post(tmp_path: Path) -> None:
    config = hugo_embargo_site(tmp_path)
    run(config)
    items = json.loads((config.output / "feed.json").read_text())["items"]
    assert [item["title"] for item in items] == ["Pier reopens"]


def test_no_embargo_when_publish_date_is_before_the_date(tmp_path: Path) -> None:
    config = site(
        tmp_path,
        {
            "a.md": page(
                title="Early", date="2026-11-26", publishDate="2026-11-01", section="Local"
            ),
        },
    )
    run(config)
    assert titles(config) == ["Early"]


# Sections ----------------------------------------------------------------------------


def section_of(config: Config, title: str) -> str:
    (entry,) = [e for e in feed(config).entries if e.title == title]
    return str(entry.tags[0].term)


def test_section_from_jekyll_categories_list(tmp_path: Path) -> None:
    config = site(
        tmp_path,
        {"_posts/a.md": page(title="Vote", date="2026-11-26", categories="[Politics, Harbour]")},
    )
    run(config)
    assert section_of(config, "Vote") == "Politics"
    assert (config.output / "sections/politics/rss.xml").exists()


def test_section_from_jekyll_categories_words_and_category(tmp_path: Path) -> None:
    config = site(
        tmp_path,
        {
            "a.md": page(title="Words", date="2026-11-26", categories="transport harbour"),
            "b.md": page(title="One", date="2026-11-26", category="Weather"),
        },
    )
    run(config)
    assert section_of(config, "Words") == "transport"
    assert section_of(config, "One") == "Weather"


def test_section_key_wins_over_categories(tmp_path: Path) -> None:
    config = site(
        tmp_path,
        {"posts/a.md": page(title="Both", date="2026-11-26", section="Sport", categories="[X]")},
    )
    run(config)
    assert section_of(config, "Both") == "Sport"


def test_section_from_the_hugo_folder(tmp_path: Path) -> None:
    config = site(
        tmp_path,
        {
            "posts/2026/ferry.md": page(title="Ferry", date="2026-11-26"),
            "_posts/jekyll.md": page(title="Underscore", date="2026-11-26"),
        },
    )
    run(config)
    assert section_of(config, "Ferry") == "Posts"
    assert "https://harbour.example/posts/ferry/" in [e.link for e in feed(config).entries]
    assert section_of(config, "Underscore") == "News"  # `_posts` is no section


def test_default_section_is_a_setting(tmp_path: Path) -> None:
    config = replace(
        site(tmp_path, {"top.md": page(title="Top", date="2026-11-26")}),
        default_section="Harbour Life",
    )
    run(config)
    assert section_of(config, "Top") == "Harbour Life"
    assert "Harbour Life" in (config.output / "digest.txt").read_text()


def test_default_section_must_name_one(tmp_path: Path) -> None:
    from digest.config import load_config
    from digest.errors import ConfigError

    toml = tmp_path / "digest.toml"
    toml.write_text('[build]\ndefault_section = " - "\n')
    try:
        load_config(toml)
    except ConfigError as error:
        assert "default_section" in str(error)
    else:
        raise AssertionError("a section with no letters was accepted")


# Jekyll file names, file kinds, drafts ------------------------------------------------


def jekyll_site(root: Path) -> Config:
    return site(
        root,
        {
            "_posts/2026-11-24-ferry-fares-rise.markdown": page(
                title="Ferry fares rise", categories="[Politics, Harbour]", excerpt="Up a third."
            ),
            "_posts/2026-11-21-hidden-post.md": page(title="Hidden post", published="false"),
            "_drafts/lighthouse-sale.md": page(title="Lighthouse sale", date="2026-11-22"),
        },
    )


def test_jekyll_date_comes_from_the_file_name(tmp_path: Path) -> None:
    config = jekyll_site(tmp_path)
    run(config)
    (entry,) = feed(config).entries
    assert entry.title == "Ferry fares rise"
    assert entry.published_parsed[:3] == (2026, 11, 24)


def test_jekyll_slug_leaves_the_date_out_and_the_id_is_kept(tmp_path: Path) -> None:
    config = jekyll_site(tmp_path)
    result = run(config)
    (entry,) = feed(config).entries
    assert entry.link == "https://harbour.example/politics/ferry-fares-rise/"
    (article,) = [a for a in result.collection.articles if not a.draft]
    assert article.slug == "ferry-fares-rise"
    assert article.id == "2026-11-24-ferry-fares-rise"  # as before: never re-sent


def test_markdown_suffix_is_read(tmp_path: Path) -> None:
    config = jekyll_site(tmp_path)
    run(config)
    assert "Ferry fares rise" in (config.output / "digest.txt").read_text()


def test_published_false_is_a_draft(tmp_path: Path) -> None:
    config = jekyll_site(tmp_path)
    result = run(config)
    assert "Hidden post" not in every_output(config)
    assert [a.title for a in result.collection.articles if a.draft] == ["Hidden post"]


def test_drafts_folder_and_hugo_index_are_not_articles(tmp_path: Path) -> None:
    config = jekyll_site(tmp_path)
    (config.articles / "posts").mkdir()
    (config.articles / "posts/_index.md").write_text(page(title="All posts"))
    result = run(config)
    assert "Lighthouse sale" not in every_output(config)
    assert "All posts" not in every_output(config)
    assert not result.collection.problems
    assert result.collection.files_read == 2


def test_a_file_name_date_gives_way_to_the_date_key(tmp_path: Path) -> None:
    config = site(
        tmp_path,
        {"2026-11-01-quay.md": page(title="Quay", date="2026-11-25T10:00:00Z", section="Local")},
    )
    run(config)
    (entry,) = feed(config).entries
    assert entry.published_parsed[:4] == (2026, 11, 25, 10)
    assert entry.link == "https://harbour.example/local/quay/"


# --- Standfirst, authors, image and update time under other names; clean titles ----------


def _item(config: Config, slug: str) -> dict[str, Any]:
    items = json.loads((config.output / "feed.json").read_text(encoding="utf-8"))["items"]
    found: dict[str, Any] = next(item for item in items if item["url"].endswith(f"/{slug}/"))
    return found


def test_hugo_description_authors_images_and_lastmod_are_read(tmp_path: Path) -> None:
    config = site(
        tmp_path,
        {
            "posts/quay.md": page(
                title='"Quay wall repairs begin"',
                date="2026-11-25T08:00:00Z",
                lastmod="2026-11-26T10:00:00Z",
                description='"Divers will inspect the old wall first."',
                authors="[Mira Holt, Tom Ek]",
                images="[/img/quay.jpg, /img/other.jpg]",
            ),
        },
    )
    result = run(config)
    assert result.warnings == ()  # none of these keys is unknown
    item = _item(config, "quay")
    assert item["summary"].startswith("Divers will inspect the old wall first.")
    assert [author["name"] for author in item["authors"]] == ["Mira Holt", "Tom Ek"]
    assert item["image"] == "https://harbour.example/img/quay.jpg"
    assert item["date_modified"] == "2026-11-26T10:00:00+00:00"


def test_jekyll_excerpt_featured_image_and_theme_cover_are_read(tmp_path: Path) -> None:
    config = site(
        tmp_path,
        {
            "_posts/2026-11-24-tides.markdown": page(
                title='"Spring tides flood the lower market"',
                categories="[Weather]",
                excerpt='"Stallholders moved their goods before dawn."',
                featured_image="https://cdn.harbour.example/tides.jpg",
                last_modified_at="2026-11-25T07:00:00Z",
            ),
            "_posts/2026-11-23-ferry.md": page(
                title='"Night ferry returns"',
                categories="[Transport]",
                subtitle='"Two sailings a week from December."',
                cover="{image: /img/ferry.jpg, alt: The ferry at the quay}",
            ),
        },
    )
    assert run(config).warnings == ()
    tides, ferry = _item(config, "tides"), _item(config, "ferry")
    assert tides["summary"].startswith("Stallholders moved their goods before dawn.")
    assert tides["image"] == "https://cdn.harbour.example/tides.jpg"
    assert tides["date_modified"] == "2026-11-25T07:00:00+00:00"
    assert ferry["summary"].startswith("Two sailings a week from December.")
    assert ferry["image"] == "https://harbour.example/img/ferry.jpg"


def test_titles_and_standfirsts_with_html_or_entities_become_plain_text(tmp_path: Path) -> None:
    config = site(
        tmp_path,
        {
            "news/agile.md": page(
                title='"Why we left &ldquo;agilefall&rdquo; behind"',
                date="2026-11-25T08:00:00Z",
                summary='"A <em>short</em> history of AT&T-style planning &amp; what came next."',
            ),
        },
    )
    run(config)
    item = _item(config, "agile")
    assert item["title"] == "Why we left “agilefall” behind"
    assert item["summary"].startswith("A short history of AT&T-style planning & what came next.")
    assert "Why we left “agilefall” behind" in (config.output / "digest.txt").read_text("utf-8")
    assert [entry.title for entry in feed(config).entries] == ["Why we left “agilefall” behind"]


def test_a_bad_lead_image_names_the_key_it_was_given_under(tmp_path: Path) -> None:
    config = site(
        tmp_path,
        {
            "posts/quay.md": page(
                title="Quay wall repairs begin",
                date="2026-11-25T08:00:00Z",
                featured_image="javascript:alert(1)",
            ),
            "posts/pier.md": page(title="Pier reopens", date="2026-11-26T08:00:00Z"),
        },
    )
    (problem,) = run(config).collection.problems
    assert (problem.line, problem.message) == (
        4,
        "'featured_image' must be an http(s) URL or a path, got 'javascript:alert(1)'",
    )


# --- Front matter as real Hugo sites write it ---------------------------------------------


def test_hugo_keys_in_any_case_embargo_and_retire(tmp_path: Path) -> None:
    """Hugo reads keys in any case; sites write `expirydate` as often as `expiryDate`."""
    config = site(
        tmp_path,
        {
            "posts/pier-reopens.md": page(title="Pier reopens", date="2026-11-26T08:00:00Z"),
            "posts/fare-rise.md": page(
                title="Embargoed fare rise",
                date="2026-11-20T08:00:00Z",
                publishdate="2026-11-28T07:00:00Z",
            ),
            "posts/winter-timetable.md": page(
                title="Expired winter timetable",
                date="2026-11-20T08:00:00Z",
                expirydate="2026-11-25",
                LastMod="2026-11-21T08:00:00Z",
            ),
        },
    )
    result = run(config)
    assert titles(config) == ["Pier reopens"]
    assert "Embargoed fare rise" not in every_output(config)
    assert "Expired winter timetable" not in every_output(config)
    assert not [w for w in result.collection.warnings if "unknown" in w.message]


def test_hugo_times_with_a_one_digit_hour_or_offset_are_read(tmp_path: Path) -> None:
    config = site(
        tmp_path,
        {
            "posts/early.md": page(title="Early ferry", date='"2026-11-25 8:05:00 -0400"'),
            "posts/late.md": page(title="Late ferry", date='"2026-11-25 14:00:00 -4"'),
        },
    )
    result = run(config)
    assert result.collection.problems == ()
    assert _item(config, "early")["date_published"] == "2026-11-25T12:05:00+00:00"
    assert _item(config, "late")["date_published"] == "2026-11-25T18:00:00+00:00"


def test_a_theme_shaped_featured_image_costs_the_photo_not_the_story(tmp_path: Path) -> None:
    config = site(
        tmp_path,
        {"posts/quay.md": page(title="Quay wall", date="2026-11-25T08:00:00Z")},
    )
    quay = config.articles / "posts" / "quay.md"
    quay.write_text(
        quay.read_text(encoding="utf-8").replace(
            "---\nThe", 'featured_image:\n  uid: "quay-wall-istock-123"\n---\nThe', 1
        ),
        encoding="utf-8",
    )
    result = run(config)
    assert titles(config) == ["Quay wall"]
    assert "image" not in _item(config, "quay")
    (warning,) = result.collection.warnings
    assert (warning.line, warning.message) == (
        4,
        "'featured_image' holds no image URL digest can read (the story has no photo)",
    )
