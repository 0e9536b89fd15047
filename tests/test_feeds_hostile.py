"""Feeds of tests/hostile_articles/: control characters, markup, `]]>`, odd titles and ids.

The set's digest.toml gives the site a hostile title and tagline, a base URL with a path, an
email-address id authority, and turns tag feeds on. Every feed must stay valid, say every
title exactly, and carry nothing unsafe.
"""

from __future__ import annotations

import html
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser
import jsonschema
import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from digest.config import Config, load_config
from digest.feeds.model import uri, xml_text
from digest.feeds.render import render_feeds
from digest.models import Article, BuildResult, Image, LeadQuote, RelatedLink, Story
from digest.pipeline import build
from digest.sources.articles import collect_articles
from digest.sources.base import Location
from digest.sources.folder import MarkdownFolder
from digest.templates import environment
from tests.conftest import NOW
from tests.test_feeds import ATOM, NS, SCHEMA, check_feeds, feed_folders

HOSTILE = Path(__file__).parent / "hostile_articles"
BASE = "https://hostile.example.org/news/"
SITE_TITLE = "Hostile Times <&> ]]> --"
MARKUP_TITLE = "<script>alert('x')</script> & <b>bold</b> ]]> -- <!-- not a comment --> &amp; &lt;"
ENV = environment()
UNSAFE_TAGS = {"script", "style", "iframe", "form", "input", "object", "embed"}


@pytest.fixture(scope="module")
def hostile_config(tmp_path_factory: pytest.TempPathFactory) -> Config:
    config = load_config(HOSTILE / "digest.toml")
    return replace(config, output=tmp_path_factory.mktemp("hostile") / "public")


@pytest.fixture(scope="module")
def hostile_build(hostile_config: Config) -> BuildResult:
    return build(hostile_config, now=NOW)


def site_json(config: Config, folder: str = "") -> dict[str, Any]:
    return json.loads((config.output / folder / "feed.json").read_bytes())


def item(config: Config, slug: str, folder: str = "") -> dict[str, Any]:
    (found,) = [i for i in site_json(config, folder)["items"] if f"/{slug}/" in i["url"]]
    return found


def test_every_hostile_feed_is_valid(hostile_build: BuildResult, hostile_config: Config) -> None:
    assert not hostile_build.collection.problems
    ids = check_feeds(hostile_config.output, hostile_build.files, hostile_config)
    assert sorted(ids) == sorted(
        [
            "",
            "sections/business/",
            "sections/media-culture/",
            "sections/world/",
            "sections/ثقافة/",
            "tags/emigre/",
            "tags/ports/",
            "tags/trade/",
            "tags/日本/",
        ]
    )
    assert len(ids[""]) == hostile_build.live == 8


def test_unpublished_never_appear(hostile_build: BuildResult, hostile_config: Config) -> None:
    for name in hostile_build.files:
        text = (hostile_config.output / name).read_text("utf-8")
        assert "must never appear" not in text, name


def test_site_strings_from_config_are_cleaned_and_escaped(hostile_config: Config) -> None:
    for name in ("rss.xml", "atom.xml"):
        parsed = feedparser.parse((hostile_config.output / name).read_bytes())
        assert parsed.feed.title == SITE_TITLE
        assert parsed.feed.subtitle == "Escapes & <b>tags</b> ]]> --"
    assert site_json(hostile_config)["title"] == SITE_TITLE
    rss = (hostile_config.output / "rss.xml").read_bytes()
    assert b"<title>Hostile Times &lt;&amp;&gt; ]]&gt; --</title>" in rss


def test_titles_come_through_exactly(hostile_build: BuildResult, hostile_config: Config) -> None:
    titles = {uri(a.url): a.title for a in hostile_build.collection.articles}
    assert MARKUP_TITLE in titles.values()
    assert "Bell and escape in a headline that XML forbids" in titles.values()
    long_title = max(titles.values(), key=len)
    assert len(long_title) > 500 and "\u202eevil\u202c" in long_title and "👩‍👩‍👧‍👦" in long_title
    for folder in feed_folders(hostile_build.files):
        for name in ("rss.xml", "atom.xml"):
            data = (hostile_config.output / folder / name).read_bytes()
            for entry in feedparser.parse(data).entries:
                assert entry.title == titles[entry.link], (folder, name)
        for entry in site_json(hostile_config, folder)["items"]:
            assert entry["title"] == titles[entry["url"]]
    atom = etree.fromstring((hostile_config.output / "atom.xml").read_bytes())
    assert MARKUP_TITLE in [t.text for t in atom.iterfind("atom:entry/atom:title", NS)]


def test_cdata_end_and_double_hyphen_cannot_break_the_document(hostile_config: Config) -> None:
    markup = item(hostile_config, "markup-breakers")
    text = lxml.html.fromstring(markup["content_html"]).text_content()
    assert "literal CDATA end ]]> and a double hyphen -- and a lone & and <." in text
    assert "“A quote with ]]> and -- and <tags> & ampersands inside it”" in text
    assert "— Someone <important> & co" in text
    for name in ("rss.xml", "atom.xml"):
        data = (hostile_config.output / name).read_bytes()
        assert b"<![CDATA[" not in data and b"<!--" not in data
        (entry,) = [e for e in feedparser.parse(data).entries if e.id == markup["id"]]
        assert "]]&gt;" in entry.content[0].value
    assert [
        category["term"]
        for category in feedparser.parse((hostile_config.output / "atom.xml").read_bytes())
        .entries[3]
        .tags
    ] == ["Media & Culture", "]]>", "--", "<&>", "Trade"]


def test_unsafe_html_is_gone_and_every_url_absolute(
    hostile_build: BuildResult, hostile_config: Config
) -> None:
    for entry in site_json(hostile_config)["items"]:
        content = lxml.html.fragment_fromstring(entry["content_html"], create_parent="div")
        assert not {element.tag for element in content.iter()} & UNSAFE_TAGS
        for element in content.iter():
            assert not [a for a in element.attrib if a.startswith("on") or a in ("style", "srcset")]
        for url in [*content.xpath("//a/@href"), *content.xpath("//img/@src")]:
            assert url.startswith(("https://", "http://", "mailto:")), url
    markup = item(hostile_config, "markup-breakers")["content_html"]
    for relative, absolute in [
        ("/relative/page", "https://hostile.example.org/relative/page"),
        ("../other/", f"{BASE}media-culture/other/"),
        ("pics/p.png", f"{BASE}media-culture/markup-breakers/pics/p.png"),
        ("//cdn.example.org/x", "https://cdn.example.org/x"),
        ("#notes", f"{BASE}media-culture/markup-breakers/#notes"),
        ("mailto:desk@example.org", "mailto:desk@example.org"),
    ]:
        assert f'="{absolute}"' in markup, relative
    assert "javascript" not in markup.lower() and "vbscript" not in markup and "data:" not in markup


def test_control_characters_are_removed_everywhere(
    hostile_build: BuildResult, hostile_config: Config
) -> None:
    control = item(hostile_config, "control-characters")
    assert control["title"] == "Bell and escape in a headline that XML forbids"
    assert control["tags"] == ["World", "Trade", "Ports"]
    assert control["authors"] == [{"name": "Ann Author"}]
    assert control["_digest"]["image"] == {
        "url": f"{BASE}images/control.jpg",
        "alt": "Alt text",
        "credit": "Credit, Agency",
    }
    text = lxml.html.fromstring(control["content_html"]).text_content()
    assert "Body with raw control characters  here  and  there, entities  and" in text
    assert (
        "“This statement is long enough to count as a real quotation for sure”"
        in control["summary"]
    )


def test_non_ascii_folders_have_percent_encoded_urls(hostile_config: Config) -> None:
    folder = "sections/ثقافة/"
    encoded = f"{BASE}sections/%D8%AB%D9%82%D8%A7%D9%81%D8%A9/"
    rss = etree.fromstring((hostile_config.output / folder / "rss.xml").read_bytes())
    assert rss.find("channel/atom:link[@rel='self']", NS).get("href") == encoded + "rss.xml"
    assert site_json(hostile_config, folder)["feed_url"] == encoded + "feed.json"
    assert site_json(hostile_config, folder)["title"] == f"{SITE_TITLE}: ثقافة"
    assert (
        site_json(hostile_config, "tags/日本/")["feed_url"]
        == f"{BASE}tags/%E6%97%A5%E6%9C%AC/feed.json"
    )
    odd = item(hostile_config, "long-odd", folder)
    assert odd["image"] == "https://cdn.example.org/photos/a%20b/%C3%BC.jpg?size=large&crop=1"
    assert odd["_digest"]["image"]["credit"] == "Photo: 写真家 & <Agency>"
    assert odd["authors"] == [{"name": "فاطمة الزهراء"}, {"name": "山田 太郎"}]
    assert odd["_digest"]["lead_quote"]["speaker"] == "la ministre"


def test_tag_feeds_skip_tags_without_letters(hostile_build: BuildResult) -> None:
    tags = {name.split("/")[1] for name in hostile_build.files if name.startswith("tags/")}
    assert tags == {"trade", "ports", "emigre", "日本"}


def test_explicit_id_is_a_valid_tag_uri(hostile_config: Config) -> None:
    explicit = item(hostile_config, "explicit")
    assert explicit["id"] == (
        "tag:newsroom@hostile.example.org,2026-11:"
        "Legacy%2FID%20with%20spaces%20&%20%C3%BCn%C3%AFcode%23frag%3Fx=1"
    )
    assert explicit["date_modified"] == "2026-11-23T04:30:30+00:00"  # from +05:45, µs dropped
    atom = etree.fromstring((hostile_config.output / "atom.xml").read_bytes())
    assert explicit["id"] in [e.text for e in atom.iterfind(f"{{{ATOM}}}entry/{{{ATOM}}}id")]
    assert atom.findtext(f"{{{ATOM}}}id") == "tag:newsroom@hostile.example.org,2026-11:feeds/"


def test_related_external_url_is_escaped(hostile_config: Config) -> None:
    related = item(hostile_config, "markup-breakers")["_digest"]["related"]
    assert [(link["url"], link["reason"]) for link in related] == [
        (f"{BASE}world/control-characters/", "Chosen by the editor"),
        ("https://example.com/a%20b?q=1&r=%3C2%3E", "External link"),
    ]
    atom = (hostile_config.output / "atom.xml").read_text("utf-8")
    assert 'href="https://example.com/a%20b?q=1&amp;r=%3C2%3E"' in atom


def test_ties_are_ordered_by_slug(hostile_config: Config) -> None:
    titles = [i["title"] for i in site_json(hostile_config, "sections/business/")["items"]]
    assert titles[:2] == ["Tie alpha", "Tie beta"]


def test_missing_fields_get_sensible_stand_ins(hostile_config: Config) -> None:
    bare = item(hostile_config, "no-extras")
    assert bare["authors"] == [{"name": SITE_TITLE}]
    assert bare["summary"] == "Only a heading and a list item"
    assert bare["tags"] == ["World"]
    assert "image" not in bare and bare["_digest"]["image"] is None
    empty = item(hostile_config, "title-only")
    assert empty["content_html"] == "<p>Only a title, and an empty body</p>"
    assert empty["summary"] == "Only a title, and an empty body"


def test_articles_are_read_as_the_tests_expect(hostile_config: Config) -> None:
    collection = collect_articles(MarkdownFolder(HOSTILE), config=hostile_config)
    assert len(collection.articles) == 10 and not collection.problems


def test_stylesheet_href_follows_the_base_path(hostile_config: Config) -> None:
    data = (hostile_config.output / "sections/ثقافة/atom.xml").read_bytes()
    assert b'<?xml-stylesheet type="text/xsl" href="/news/feed.xsl"?>' in data


def _story(title: str, author: str, tag: str, standfirst: str, body_text: str) -> Story:
    published = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    article = Article(
        location=Location(Path("generated.md"), 5),
        slug="generated",
        id="generated",
        title=title,
        published=published,
        updated=published,
        section="World",
        section_slug="world",
        url="https://news.example.org/world/generated/",
        body=body_text,
        authors=(author,),
        tags=(tag,),
        image=Image("https://news.example.org/a.jpg", alt=title, credit=author),
    )
    body = f"<p>{html.escape(body_text)}</p>"
    quote = LeadQuote(body_text, speaker=author)
    related = (RelatedLink(title, "https://news.example.org/x/", "World", tag),)
    return Story(article, body, standfirst, quote, related)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=st.text(min_size=1), author=st.text(min_size=1), tag=st.text(), text=st.text())
def test_any_text_comes_through_exactly_or_cleaned(
    title: str, author: str, tag: str, text: str
) -> None:
    """Whatever the strings, every feed parses and says them exactly, minus what XML bars."""
    config = Config(title=title, tagline=text, base_url="https://news.example.org/")
    files = render_feeds([_story(title, author, tag, text, text)], config=config, env=ENV)
    expected = xml_text(title).strip() or "generated"  # the slug stands in for a blank title
    site = xml_text(title).strip() or "news.example.org"  # the host for a blank site title
    by = xml_text(author).strip() or site
    rss = etree.fromstring(files["rss.xml"])
    atom = etree.fromstring(files["atom.xml"])
    document = json.loads(files["feed.json"])
    assert rss.findtext("channel/item/title") == expected
    assert atom.findtext("atom:entry/atom:title", namespaces=NS) == expected
    assert document["items"][0]["title"] == expected
    assert rss.findtext("channel/title") == document["title"] == site
    assert rss.findtext("channel/item/dc:creator", namespaces=NS) == by
    assert atom.findtext("atom:entry/atom:author/atom:name", namespaces=NS) == by
    assert document["items"][0]["authors"] == [{"name": by}]
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
    for data in (files["rss.xml"], files["atom.xml"]):
        assert not feedparser.parse(data).bozo
