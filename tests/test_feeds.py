"""The demo's feeds, parsed back with feedparser and checked with lxml."""

from __future__ import annotations

import json
import feedparser
import pytest
from lxml import etree

from digest.config import Config
from digest.pipeline import BuildResult

ATOM = "{http://www.w3.org/2005/Atom}"


def feed_files(result: BuildResult, name: str) -> list[str]:
    return [f for f in result.files if f.endswith(name)]


def test_every_section_has_three_feeds(demo_build: BuildResult) -> None:
    sections = {f.split("/")[1] for f in demo_build.files if f.startswith("sections/")}
    assert sections == {"world", "politics", "business", "science-health", "media-culture", "sport"}
    for slug in sections:
        for name in ("rss.xml", "atom.xml", "feed.json"):
            assert f"sections/{slug}/{name}" in demo_build.files


@pytest.mark.parametrize("name", ["rss.xml", "atom.xml"])
def test_xml_feeds_parse_without_bozo(demo_build: BuildResult, demo_config: Config, name: str) -> None:
    for path in feed_files(demo_build, name):
        parsed = feedparser.parse((demo_config.output / path).read_bytes())
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        assert parsed.entries, path
        for entry in parsed.entries:
            assert entry.title and entry.link.startswith("https://lantern.example.org/")
            assert entry.id.startswith("tag:lantern.example.org,2026:")
            assert entry.published_parsed
            if name == "atom.xml":
                assert entry.updated_parsed
            assert entry.summary
            assert entry.tags


def test_site_feed_newest_first_without_unpublished(demo_config: Config, demo_build: BuildResult) -> None:
    parsed = feedparser.parse((demo_config.output / "atom.xml").read_bytes())
    dates = [entry.published_parsed for entry in parsed.entries]
    assert dates == sorted(dates, reverse=True)
    links = " ".join(entry.link for entry in parsed.entries)
    for hidden in ("ward-boundary-review", "bay-warming-study", "ferry-timetable-strike"):
        assert hidden not in links
    assert len(parsed.entries) == demo_build.live == 27


def test_atom_structure(demo_config: Config) -> None:
    root = etree.fromstring((demo_config.output / "atom.xml").read_bytes())
    self_links = root.findall(f"{ATOM}link[@rel='self']")
    assert [link.get("href") for link in self_links] == ["https://lantern.example.org/atom.xml"]
    ids = [e.findtext(f"{ATOM}id") for e in root.findall(f"{ATOM}entry")]
    assert len(ids) == len(set(ids))
    newest = max(e.findtext(f"{ATOM}updated") for e in root.findall(f"{ATOM}entry"))
    assert root.findtext(f"{ATOM}updated") == newest


def test_rss_channel_links_site_and_self(demo_config: Config) -> None:
    root = etree.fromstring((demo_config.output / "rss.xml").read_bytes())
    channel = root.find("channel")
    assert channel is not None
    assert channel.findtext("link") == "https://lantern.example.org/"
    (self_link,) = channel.findall(f"{ATOM}link[@rel='self']")
    assert self_link.get("href") == "https://lantern.example.org/rss.xml"
    guids = channel.findall("item/guid")
    assert all(g.get("isPermaLink") == "false" for g in guids)


def test_json_feed(demo_config: Config) -> None:
    document = json.loads((demo_config.output / "feed.json").read_text(encoding="utf-8"))
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert document["feed_url"] == "https://lantern.example.org/feed.json"
    first = document["items"][0]
    assert {"id", "url", "title", "content_html", "date_published", "tags"} <= set(first)


def test_feed_dates_come_from_content_not_the_clock(demo_config: Config) -> None:
    text = (demo_config.output / "rss.xml").read_text(encoding="utf-8")
    assert "2026-11-27" not in text and "27 Nov 2026" not in text


def test_section_feed_has_only_its_section(demo_config: Config) -> None:
    parsed = feedparser.parse((demo_config.output / "sections/sport/rss.xml").read_bytes())
    assert {entry.tags[0].term for entry in parsed.entries} == {"Sport"}
    assert parsed.feed.title == "The Saltmere Lantern: Sport"
