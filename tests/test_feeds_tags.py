"""Tags in feeds: categories in order and in linear time, and at most `feeds.max_tags` each."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser
import pytest
from lxml import etree

from digest.checks import check
from digest.config import Config, parse_config
from digest.errors import ConfigError
from digest.feeds.model import Category, Feed, FeedItem
from digest.feeds.rss_atom import atom_document, rss_document
from digest.pipeline import build
from tests.conftest import NOW
from tests.test_feeds import ATOM, check_feeds

TAGS = ["Zeta", "Alpha", "Harbour & Port", "mid"]


def test_categories_keep_the_section_then_the_tags_in_order(
    config: Config, write_article: Any
) -> None:
    write_article("a", section="World", tags=TAGS)
    result = build(config, now=NOW)
    check_feeds(config.output, result.files, config)
    expected = ["World", *TAGS]
    sections, tags = "https://news.example.org/sections/", "https://news.example.org/tags/"
    schemes = [sections] + [tags] * len(TAGS)
    pairs = list(zip(expected, schemes, strict=True))
    rss = etree.fromstring((config.output / "rss.xml").read_bytes())
    categories = rss.findall("channel/item/category")
    assert [(c.text, c.get("domain")) for c in categories] == pairs
    atom = etree.fromstring((config.output / "atom.xml").read_bytes())
    terms = atom.findall(f"{{{ATOM}}}entry/{{{ATOM}}}category")
    assert [(c.get("term"), c.get("scheme")) for c in terms] == pairs
    for name in ("rss.xml", "atom.xml"):
        (entry,) = feedparser.parse((config.output / name).read_bytes()).entries
        assert [tag.term for tag in entry.tags] == expected


def test_many_categories_take_linear_time() -> None:
    """feedgen rebuilds an entry's category list on every call: one call holds them all."""
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    categories = tuple(Category(f"tag {n}", "https://x.example/tags/") for n in range(10_000))
    item = FeedItem(
        id="tag:x.example,2026:a",
        url="https://x.example/a/",
        title="A",
        published=moment,
        updated=moment,
        authors=(("Jane Doe", ""),),
        categories=categories,
        summary="S",
        content_html="<p>C</p>",
        image=None,
        lead_quote=None,
        related=(),
        section="World",
    )
    feed = Feed("", "tag:x.example,2026:feeds/", "T", "", "https://x.example/",
                "https://x.example/", "en", "", (item,))  # fmt: skip
    started = time.perf_counter()
    rss, atom = rss_document(feed), atom_document(feed)
    assert time.perf_counter() - started < 2  # 12 s when each category was added alone
    terms = [c.text for c in etree.fromstring(rss).iter("category")]
    assert terms == [f"tag {n}" for n in range(10_000)]
    assert len(etree.fromstring(atom).findall(f".//{{{ATOM}}}category")) == 10_000


def _tagged(write_article: Any, count: int) -> Path:
    return write_article("many", tags=[f"Tag {n}" for n in range(count)])


def test_tags_past_the_limit_are_dropped_with_a_warning(config: Config, write_article: Any) -> None:
    path = _tagged(write_article, 60)
    line = path.read_text().splitlines().index("tags:") + 1
    config = replace(config, tag_feeds=True)
    result = build(config, now=NOW)
    message = "60 tags, only the first 50 are kept (feeds.max_tags)"
    assert [(w.path, w.line, w.message) for w in result.warnings] == [(path, line, message)]
    assert [w.message for w in check(config).warnings] == [message]
    (entry,) = feedparser.parse((config.output / "atom.xml").read_bytes()).entries
    assert [tag.term for tag in entry.tags] == ["World", *(f"Tag {n}" for n in range(50))]
    tag_feeds = {name for name in result.files if name.startswith("tags/")}
    assert len(tag_feeds) == 50 * 3 and "tags/tag-49/rss.xml" in tag_feeds
    check_feeds(config.output, result.files, config)


def test_the_limit_is_a_setting(config: Config, write_article: Any) -> None:
    _tagged(write_article, 5)
    assert build(replace(config, max_tags=5), now=NOW).warnings == ()
    (warning,) = build(replace(config, max_tags=4), now=NOW).warnings
    assert warning.message == "5 tags, only the first 4 are kept (feeds.max_tags)"
    assert parse_config({"feeds": {"max_tags": 7}}).max_tags == 7
    with pytest.raises(ConfigError, match=r"'feeds\.max_tags' must be a whole number"):
        parse_config({"feeds": {"max_tags": 0}})
