"""Stability of feeds: item ids that never change, untouched files, which items each feed holds."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from digest.config import Config, parse_config
from digest.errors import ConfigError
from digest.pipeline import build
from tests.conftest import NOW, ArticleWriter
from tests.test_feeds import FEED_NAMES, NS, check_feeds


def ids_by_format(folder: Path) -> dict[str, dict[str, str]]:
    """Item id by title, in each of the three formats of the feed in `folder`."""
    rss = etree.fromstring((folder / "rss.xml").read_bytes())
    atom = etree.fromstring((folder / "atom.xml").read_bytes())
    document = json.loads((folder / "feed.json").read_bytes())
    return {
        "rss": {i.findtext("title"): i.findtext("guid") for i in rss.iterfind("channel/item")},
        "atom": {
            e.findtext("atom:title", namespaces=NS): e.findtext("atom:id", namespaces=NS)
            for e in atom.iterfind("atom:entry", NS)
        },
        "json": {item["title"]: item["id"] for item in document["items"]},
    }


def urls(folder: Path) -> set[str]:
    return {item["url"] for item in json.loads((folder / "feed.json").read_bytes())["items"]}


def test_ids_survive_rename_retitle_redate_resection_rewrite_and_new_url_layout(
    config: Config, articles_dir: Path, write_article: ArticleWriter
) -> None:
    config = replace(config, id_authority="news.example.org")
    by_slug = write_article(
        "2026-11-20-council", "The council met.\n", slug="council-vote", title="Council votes",
        date="2026-11-20T09:00:00Z", section="Politics",
    )  # fmt: skip
    by_id = write_article(
        "legacy", "Imported from the old system.\n", id="cms-4711", title="Old CMS story",
        date="2026-11-19T09:00:00Z", section="World",
    )  # fmt: skip
    build(config, now=NOW)
    before = ids_by_format(config.output)
    assert (
        before["rss"]
        == before["atom"]
        == before["json"]
        == {
            "Council votes": "tag:news.example.org,2026:council-vote",
            "Old CMS story": "tag:news.example.org,2026:cms-4711",
        }
    )
    old_urls = urls(config.output)

    by_slug.unlink()
    by_id.unlink()
    write_article(
        "politics/renamed-file", "The council met again and voted 31 to 30.\n",
        slug="council-vote", title="Council narrowly votes for the levy",
        date="2026-11-25T18:00:00+02:00", updated="2026-11-26T08:00:00Z", section="City Hall",
        tags=["Levy"],
    )  # fmt: skip
    write_article(
        "archive/legacy-renamed", "A new body.\n", id="cms-4711", title="A new title",
        date="2026-11-24T09:00:00Z", section="Business",
    )  # fmt: skip
    moved = replace(
        config, base_url="https://www.news.example.org/", article_path="{year}/{month}/{slug}/"
    )
    build(moved, now=NOW)
    after = ids_by_format(moved.output)
    assert (
        after["rss"]
        == after["atom"]
        == after["json"]
        == {
            "Council narrowly votes for the levy": "tag:news.example.org,2026:council-vote",
            "A new title": "tag:news.example.org,2026:cms-4711",
        }
    )
    assert not urls(moved.output) & old_urls  # every URL changed; no id did


def test_id_parts_come_from_the_config(config: Config, write_article: ArticleWriter) -> None:
    write_article("one")
    default = build(config, now=NOW)
    assert ids_by_format(config.output)["json"] == {"Headline one": "tag:news.example.org,2026:one"}
    configured = parse_config(
        {"feeds": {"id_authority": "desk@news.example.org", "id_date": "2019-04-01"}}
    )
    config = replace(config, id_authority=configured.id_authority, id_date=configured.id_date)
    build(config, now=NOW)
    assert ids_by_format(config.output)["atom"] == {
        "Headline one": "tag:desk@news.example.org,2019-04-01:one"
    }
    check_feeds(config.output, default.files, config)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("id_date", "26"),
        ("id_date", "2026-13"),
        ("id_date", "2026-02-30"),
        ("id_date", 2026),
        ("id_authority", "not a host"),
        ("id_authority", "https://example.org/"),
        ("id_authority", "-example.org"),
    ],
)
def test_bad_id_settings_are_config_errors(key: str, value: Any) -> None:
    with pytest.raises(ConfigError, match=rf"'feeds\.{key}' must be"):
        parse_config({"feeds": {key: value}})


def test_unchanged_feeds_keep_their_bytes_and_mtime(
    config: Config, write_article: ArticleWriter
) -> None:
    write_article("quay", "Fishermen repaired the quay wall.\n", section="World")
    write_article(
        "derby", "United beat City in the derby.\n", section="Sport", date="2026-11-25T20:00:00Z"
    )
    first = build(config, now=NOW)
    feeds = [name for name in first.files if name.endswith(FEED_NAMES)]
    assert len(feeds) == 9
    long_ago = 1_000_000_000_000_000_000
    for name in feeds:
        os.utime(config.output / name, ns=(long_ago, long_ago))

    second = build(config, now=NOW + timedelta(hours=6))
    assert second.published is not None and set(feeds) <= set(second.published.unchanged)
    assert all((config.output / name).stat().st_mtime_ns == long_ago for name in feeds)

    write_article(
        "derby", "United beat City in the derby, late.\n", section="Sport",
        date="2026-11-25T20:00:00Z", title="United win the derby",
    )  # fmt: skip
    third = build(config, now=NOW + timedelta(hours=12))
    assert third.published is not None
    rewritten = {name for name in third.published.written if name.endswith(FEED_NAMES)}
    assert rewritten == {*FEED_NAMES, *(f"sections/sport/{name}" for name in FEED_NAMES)}
    for name in FEED_NAMES:
        assert (config.output / "sections/world" / name).stat().st_mtime_ns == long_ago


def test_each_feed_holds_its_own_newest_items(config: Config, write_article: ArticleWriter) -> None:
    config = replace(config, feed_limit=2, tag_feeds=True)
    for day in range(1, 5):
        write_article(
            f"world-{day}", f"World story {day}.\n", date=f"2026-11-2{day}T09:00:00Z",
            tags=["harbour"] if day == 1 else [],
        )  # fmt: skip
    write_article(
        "sport-0", "Sport story.\n", section="Sport", date="2026-11-20T09:00:00Z",
        tags=["Harbour", "Regatta"],
    )  # fmt: skip
    result = build(config, now=NOW)
    ids = check_feeds(config.output, result.files, config)
    short = {folder: [i.rsplit(":", 1)[1] for i in members] for folder, members in ids.items()}
    assert short == {
        "": ["world-4", "world-3"],
        "sections/world/": ["world-4", "world-3"],
        "sections/sport/": ["sport-0"],
        "tags/harbour/": ["world-1", "sport-0"],
        "tags/regatta/": ["sport-0"],
    }
    harbour = json.loads((config.output / "tags/harbour/feed.json").read_bytes())
    assert harbour["title"] == "Test Times: harbour"  # the newest article's spelling
    assert harbour["feed_url"] == "https://news.example.org/tags/harbour/feed.json"


def test_newest_first_with_ties_by_slug_whatever_the_file_order(
    config: Config, write_article: ArticleWriter
) -> None:
    for name in ("zulu", "alpha", "mike"):
        write_article(f"a-{name}", slug=name, date="2026-11-26T09:00:00Z")
    write_article("newest", date="2026-11-26T09:00:01Z")
    build(config, now=NOW)
    for fmt in ("rss", "atom", "json"):
        titles = list(ids_by_format(config.output)[fmt])
        assert titles == [
            "Headline newest",
            "Headline a-alpha",
            "Headline a-mike",
            "Headline a-zulu",
        ]
