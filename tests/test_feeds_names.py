"""Section and tag names as folders: short enough to write, and never two names in one feed.

Every slug that becomes a folder comes from `name_slug`, in `digest check` and `digest build`
alike: at most 80 bytes, `+` and `#` spelt out (C, C++ and C# are three sections), and names
that still share a folder ("Media & Culture", "media-culture") are one section with a warning.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import feedparser
import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from digest.checks import check
from digest.config import Config
from digest.errors import PublishError
from digest.pipeline import build
from digest.sources.articles import MAX_NAME_SLUG_BYTES, name_slug, slugify
from tests.conftest import NOW
from tests.test_feeds import ATOM, check_feeds

LONG = "Regional and municipal affairs of the northern harbour district " * 4  # 256 bytes


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("World", "world"),
        ("Media & Culture", "media-culture"),
        ("Science & Health", "science-health"),
        ("Économie  Mondiale", "economie-mondiale"),
        ("Мир", "мир"),
        ("../../etc", "etc"),
        ("#MeToo", "metoo"),  # a hashtag's "#" is no part of the name
        ("A + B", "a-b"),
        ("C", "c"),
        ("C++", "c-plus-plus"),
        ("C#", "c-sharp"),
        ("F# and C++11", "f-sharp-and-c-plus-plus-11"),
        ("Google+", "google-plus"),
    ],
)
def test_name_slugs(name: str, slug: str) -> None:
    assert name_slug(name) == slug


def test_long_names_are_cut_at_a_word_with_a_hash_of_the_whole() -> None:
    slug = name_slug(LONG + "one")
    assert slug == ("regional-and-municipal-affairs-of-the-northern-harbour-district-fb14dcdf")
    assert len(slug.encode()) <= MAX_NAME_SLUG_BYTES
    other = name_slug(LONG + "two")
    assert other != slug and other.rsplit("-", 1)[0] == slug.rsplit("-", 1)[0]
    assert name_slug(LONG.upper() + "ONE") == slug  # the same name, spelt otherwise


def test_long_names_are_cut_between_characters() -> None:
    slug = name_slug("Жизнь" * 20)  # 200 bytes, no word to cut at
    head, _, suffix = slug.rpartition("-")
    assert len(slug.encode()) <= MAX_NAME_SLUG_BYTES and len(suffix) == 8
    assert head == "жизнь" * 7  # 35 characters, 70 bytes: a 36th would not fit


@given(st.text() | st.text(min_size=40, max_size=400))
def test_name_slugs_are_short_path_safe_and_keep_short_slugs(name: str) -> None:
    slug = name_slug(name)
    assert len(slug.encode()) <= MAX_NAME_SLUG_BYTES
    assert "/" not in slug and "\\" not in slug and ".." not in slug and slug == slug.strip("-")
    plain = slugify(name)
    if "+" not in name and "#" not in name and len(plain.encode()) <= MAX_NAME_SLUG_BYTES:
        assert slug == plain


def test_a_long_section_and_tag_are_checked_and_built(
    config: Config, write_article: Any, articles_dir: Path
) -> None:
    write_article("one", section=LONG + "one", tags=[LONG + "one"])
    write_article("two", section=LONG + "two", tags=[LONG + "two"])
    config = replace(config, tag_feeds=True)
    checked = check(config)
    assert not checked.article_problems and not checked.warnings
    result = build(config, now=NOW)
    assert result.warnings == ()
    folders = {name.rsplit("/", 1)[0] for name in result.files if "/" in name}
    one, two = name_slug(LONG + "one"), name_slug(LONG + "two")
    assert {f"sections/{one}", f"sections/{two}", f"tags/{one}", f"tags/{two}"} <= folders
    check_feeds(config.output, result.files, config)
    (entry,) = feedparser.parse((config.output / f"sections/{one}/atom.xml").read_bytes()).entries
    assert entry.link == f"https://news.example.org/{one}/one/"
    assert entry.tags[0].term == LONG.strip() + " one"  # the name itself is kept whole


def _entries(out: Path, folder: str) -> list[str]:
    """Titles of a feed's items, as feedparser and lxml read its RSS and Atom."""
    rss, atom = (out / folder / name for name in ("rss.xml", "atom.xml"))
    titles = [entry.title for entry in feedparser.parse(rss.read_bytes()).entries]
    root = etree.fromstring(atom.read_bytes())
    assert [e.findtext(f"{{{ATOM}}}title") for e in root.iter(f"{{{ATOM}}}entry")] == titles
    return titles


def test_c_cpp_and_c_sharp_are_three_sections_and_tags(config: Config, write_article: Any) -> None:
    for slug, name in (("c", "C"), ("cpp", "C++"), ("cs", "C#")):
        write_article(slug, title=f"About {name}", section=name, tags=[name])
    config = replace(config, tag_feeds=True)
    result = build(config, now=NOW)
    assert result.warnings == ()
    check_feeds(config.output, result.files, config)
    for folder, name in (("c", "C"), ("c-plus-plus", "C++"), ("c-sharp", "C#")):
        assert _entries(config.output, f"sections/{folder}") == [f"About {name}"]
        assert _entries(config.output, f"tags/{folder}") == [f"About {name}"]


def test_spellings_of_one_name_share_a_feed_with_a_warning(
    config: Config, write_article: Any
) -> None:
    first = write_article("a", title="First", section="Media & Culture", tags=["Trade"])
    second = write_article("b", title="Second", section="media-culture", tags=["trade"])
    config = replace(config, tag_feeds=True)
    result = build(config, now=NOW)
    assert _entries(config.output, "sections/media-culture") == ["First", "Second"]
    assert _entries(config.output, "tags/trade") == ["First", "Second"]
    expected = [
        (
            second,
            4,
            f"section 'media-culture' shares sections/media-culture/ with 'Media & Culture' "
            f"({first}): spell them the same, or rename one to keep them apart",
        ),
        (
            second,
            5,
            f"tag 'trade' shares tags/trade/ with 'Trade' ({first}): spell them the same, "
            "or rename one to keep them apart",
        ),
    ]
    assert [(w.path, w.line, w.message) for w in result.warnings] == expected
    assert [(w.path, w.line, w.message) for w in check(config).warnings] == expected
    without_tag_feeds = build(replace(config, tag_feeds=False), now=NOW)
    assert [w.message for w in without_tag_feeds.warnings] == [expected[0][2]]


def test_a_failed_build_leaves_no_empty_folders(config: Config, write_article: Any) -> None:
    for section in ("Arts", "Business", "World"):
        write_article(section.lower(), section=section)
    (config.output / "sections").mkdir(parents=True)
    (config.output / "sections/world").write_text("a file where a folder must go")
    before = sorted(config.output.rglob("*"))
    with pytest.raises(PublishError, match="cannot write"):
        build(config, now=NOW)
    left = [p for p in config.output.rglob("*") if ".digest" not in p.parts]
    assert sorted(left) == before  # no archive/, sections/arts/ or sections/business/


def test_an_author_written_with_an_address_is_a_name_and_an_email(
    config: Config, write_article: Any
) -> None:
    write_article("a", title="Signed", authors=["Mira Holt <mira@news.example.org>", "Tom Ek"])
    result = build(config, now=NOW)
    check_feeds(config.output, result.files, config)
    rss = etree.fromstring((config.output / "rss.xml").read_bytes())
    creators = [e.text for e in rss.iter("{http://purl.org/dc/elements/1.1/}creator")]
    assert creators == ["Mira Holt", "Tom Ek"]  # no address inside a name
    atom = etree.fromstring((config.output / "atom.xml").read_bytes())
    people = [
        (a.findtext(f"{{{ATOM}}}name"), a.findtext(f"{{{ATOM}}}email"))
        for a in atom.iter(f"{{{ATOM}}}author")
    ]
    assert people == [("Mira Holt", "mira@news.example.org"), ("Tom Ek", None)]
    document = json.loads((config.output / "feed.json").read_text(encoding="utf-8"))
    assert document["items"][0]["authors"] == [
        {"name": "Mira Holt", "url": "mailto:mira@news.example.org"},
        {"name": "Tom Ek"},
    ]
    text = (config.output / "digest.txt").read_text(encoding="utf-8")
    assert "By Mira Holt and Tom Ek" in text
    assert "mira@" not in text
