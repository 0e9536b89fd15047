"""The demo's feeds, read back with feedparser, lxml and a JSON Feed 1.1 schema.

The `check_*` helpers are the structural contract of every feed and are reused by the
hostile-input tests (test_feeds_hostile.py).
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import feedparser
import jsonschema
import lxml.html
import pytest
from lxml import etree

from digest.config import Config
from digest.feeds.model import uri
from digest.models import BuildResult
from digest.pipeline import build
from digest.templates import environment
from tests.conftest import NOW

ATOM = "http://www.w3.org/2005/Atom"
NS = {
    "atom": ATOM,
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "media": "http://search.yahoo.com/mrss/",
}
FEED_NAMES = ("rss.xml", "atom.xml", "feed.json")
SCHEMA = json.loads((Path(__file__).parent / "jsonfeed-1.1.schema.json").read_text("utf-8"))
RFC3339_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$")
RFC822_UTC = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$"
)
# What XML forbids or discourages, and U+FFFD: none may reach a feed.
NOT_IN_FEEDS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffd-\uffff]"
)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def feed_folders(files: tuple[str, ...]) -> list[str]:
    """Every folder of the output holding a feed ("" is the site's)."""
    return sorted({name[: -len("rss.xml")] for name in files if name.endswith("rss.xml")})


def _rfc3339(text: str | None) -> datetime:
    assert text and RFC3339_UTC.match(text), text
    return datetime.fromisoformat(text)


def _rfc822(text: str | None) -> datetime:
    assert text and RFC822_UTC.match(text), text
    return parsedate_to_datetime(text)


def check_rss(data: bytes, *, self_url: str, home_url: str) -> list[str]:
    """RSS 2.0 structure; returns the guids in document order."""
    assert b"<![CDATA[" not in data
    root = etree.fromstring(data)
    assert root.tag == "rss" and root.get("version") == "2.0"
    assert {prefix: root.nsmap.get(prefix) for prefix in NS} == NS
    channel = root.find("channel")
    assert channel is not None
    assert channel.findtext("title") and channel.findtext("description")
    assert channel.findtext("link") == home_url
    (self_link,) = channel.findall("atom:link[@rel='self']", NS)
    assert self_link.get("href") == self_url
    assert self_link.get("type") == "application/rss+xml"
    assert channel.findtext("language")
    assert channel.findtext("generator", "").startswith("digest ")
    items = channel.findall("item")
    guids = [item.findtext("guid") for item in items]
    assert len(guids) == len(set(guids))
    published: list[datetime] = []
    updated: list[datetime] = []
    for item in items:
        guid = item.find("guid")
        assert guid is not None and guid.get("isPermaLink") == "false"
        assert guid.text and guid.text.startswith("tag:")
        assert item.findtext("title")
        (link,) = item.findall("link")
        assert link.text and link.text.startswith(("http://", "https://"))
        published.append(_rfc822(item.findtext("pubDate")))
        updated.append(_rfc3339(item.findtext("atom:updated", namespaces=NS)))
        assert updated[-1] >= published[-1]
        assert item.findall("dc:creator", NS) and all(
            c.text for c in item.findall("dc:creator", NS)
        )
        assert item.findall("category") and all(c.text for c in item.findall("category"))
        assert item.findtext("description") or item.findtext("content:encoded", namespaces=NS)
        for related in item.findall("atom:link", NS):
            assert related.get("rel") == "related" and related.get("href")
    assert published == sorted(published, reverse=True), "not newest first"
    assert _rfc822(channel.findtext("lastBuildDate")) == max(updated, default=EPOCH)
    if items:
        assert _rfc822(channel.findtext("pubDate")) == max(published)
    return [guid or "" for guid in guids]


def check_atom(data: bytes, *, self_url: str, home_url: str) -> list[str]:
    """Atom 1.0 (RFC 4287) structure; returns the entry ids in document order."""
    root = etree.fromstring(data)
    assert root.tag == f"{{{ATOM}}}feed" and root.nsmap[None] == ATOM
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang")
    a = f"{{{ATOM}}}"
    feed_id = root.findtext(f"{a}id")
    assert feed_id and feed_id.startswith("tag:")
    assert root.findtext(f"{a}title")
    (self_link,) = root.findall(f"{a}link[@rel='self']")
    assert self_link.get("href") == self_url
    assert self_link.get("type") == "application/atom+xml"
    (alternate,) = root.findall(f"{a}link[@rel='alternate']")
    assert alternate.get("href") == home_url
    assert root.find(f"{a}generator") is not None
    entries = root.findall(f"{a}entry")
    ids = [entry.findtext(f"{a}id") or "" for entry in entries]
    assert len(ids) == len(set(ids)) and feed_id not in ids
    published: list[datetime] = []
    updated: list[datetime] = []
    for entry in entries:
        assert ids[len(published)].startswith("tag:")
        assert entry.findtext(f"{a}title")
        links = entry.findall(f"{a}link")
        assert all(link.get("rel") in ("alternate", "related") for link in links)
        (page,) = [link for link in links if link.get("rel") == "alternate"]
        assert page.get("type") == "text/html" and page.get("href", "").startswith("http")
        published.append(_rfc3339(entry.findtext(f"{a}published")))
        updated.append(_rfc3339(entry.findtext(f"{a}updated")))
        assert updated[-1] >= published[-1]
        names = [author.findtext(f"{a}name") for author in entry.findall(f"{a}author")]
        assert names and all(names)
        assert entry.findall(f"{a}category")
        content = entry.find(f"{a}content")
        assert content is not None and content.get("type") == "html" and content.text
        if entry.find(f"{a}summary") is not None:
            assert entry.find(f"{a}summary").get("type") in (None, "text")
    assert published == sorted(published, reverse=True), "not newest first"
    assert _rfc3339(root.findtext(f"{a}updated")) == max(updated, default=EPOCH)
    return ids


def check_json(data: bytes, *, self_url: str, home_url: str) -> list[str]:
    """JSON Feed 1.1 against the schema in tests/; returns the item ids in order."""
    document = json.loads(data)
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
    assert document["feed_url"] == self_url
    assert document["home_page_url"] == home_url
    ids = [item["id"] for item in document["items"]]
    assert len(ids) == len(set(ids))
    published = [_rfc3339(item["date_published"]) for item in document["items"]]
    assert published == sorted(published, reverse=True), "not newest first"
    return ids


def check_parsed(data: bytes) -> Any:
    """feedparser reads the feed without complaint, and every item has every field."""
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title and parsed.feed.link
    for entry in parsed.entries:
        assert entry.title and entry.link.startswith("http") and entry.id.startswith("tag:")
        assert entry.published_parsed and entry.updated_parsed
        assert entry.author and entry.tags and entry.summary
        assert entry.content[0].value
    return parsed


def check_feeds(out: Path, files: tuple[str, ...], config: Config) -> dict[str, list[str]]:
    """Every feed in `out` is valid in all three formats, which hold the same items."""
    ids = {}
    for folder in feed_folders(files):
        urls = {name: uri(config.base_url + folder + name) for name in FEED_NAMES}
        home = uri(config.base_url)
        rss, atom, json_feed = ((out / folder / name).read_bytes() for name in FEED_NAMES)
        for data in (rss, atom, json_feed):
            assert not NOT_IN_FEEDS.search(data.decode("utf-8")), folder
        in_rss = check_rss(rss, self_url=urls["rss.xml"], home_url=home)
        in_atom = check_atom(atom, self_url=urls["atom.xml"], home_url=home)
        in_json = check_json(json_feed, self_url=urls["feed.json"], home_url=home)
        assert in_rss == in_atom == in_json, folder
        check_parsed(rss)
        check_parsed(atom)
        ids[folder] = in_rss
    return ids


def items_by_link(data: bytes) -> dict[str, Any]:
    """feedparser's entries of a feed, by link."""
    return {entry.link: entry for entry in feedparser.parse(data).entries}


def test_every_section_has_three_feeds(demo_build: BuildResult) -> None:
    sections = {f.split("/")[1] for f in demo_build.files if f.startswith("sections/")}
    assert sections == {"world", "politics", "business", "science-health", "media-culture", "sport"}
    for slug in sections:
        for name in FEED_NAMES:
            assert f"sections/{slug}/{name}" in demo_build.files
    assert not any(name.startswith("tags/") for name in demo_build.files)  # off by default


def test_every_demo_feed_is_valid_in_every_format(
    demo_build: BuildResult, demo_config: Config
) -> None:
    ids = check_feeds(demo_config.output, demo_build.files, demo_config)
    assert len(ids) == 7
    assert len(ids[""]) == demo_build.live == 27
    for folder, members in ids.items():
        assert set(members) <= set(ids[""]), folder


def test_site_feed_newest_first_without_unpublished(demo_config: Config) -> None:
    parsed = feedparser.parse((demo_config.output / "atom.xml").read_bytes())
    dates = [entry.published_parsed for entry in parsed.entries]
    assert dates == sorted(dates, reverse=True)
    links = " ".join(entry.link for entry in parsed.entries)
    for hidden in ("ward-boundary-review", "bay-warming-study", "ferry-timetable-strike"):
        assert hidden not in links


def test_items_carry_article_fields(demo_build: BuildResult, demo_config: Config) -> None:
    articles = {a.url: a for a in demo_build.collection.articles}
    for name in ("rss.xml", "atom.xml"):
        for link, entry in items_by_link((demo_config.output / name).read_bytes()).items():
            article = articles[link]
            assert entry.title == article.title
            assert entry.id == f"tag:lantern.example.org,2026:{article.id}"
            assert [tag.term for tag in entry.tags] == [article.section, *article.tags]
            assert datetime(*entry.published_parsed[:6]).replace(tzinfo=UTC) == article.published
            assert datetime(*entry.updated_parsed[:6]).replace(tzinfo=UTC) == article.updated
            assert {a.name for a in entry.authors} == set(article.authors), name
            if article.image:
                (media,) = entry.media_content
                assert media == {"url": article.image.url, "medium": "image"}
                assert entry.media_credit == [{"content": article.image.credit}]
                assert f"Image: {article.image.credit}" in entry.content[0].value


def test_lead_image_has_description_and_credit(demo_config: Config) -> None:
    for name in ("rss.xml", "atom.xml"):
        root = etree.fromstring((demo_config.output / name).read_bytes())
        contents = root.findall(".//media:content", NS)
        assert len(contents) > 20
        for content in contents:
            assert content.get("medium") == "image" and content.get("url", "").startswith(
                "https://"
            )
            assert content.findtext("media:description", namespaces=NS)
            assert content.find("media:description", NS).get("type") == "plain"
            assert content.findtext("media:credit", namespaces=NS)


def test_summary_is_standfirst_then_lead_quote_with_speaker(demo_config: Config) -> None:
    document = json.loads((demo_config.output / "feed.json").read_bytes())
    (item,) = [i for i in document["items"] if i["url"].endswith("/saltmere-fc-cup-semi-final/")]
    quote = item["_digest"]["lead_quote"]
    assert quote == {
        "text": "I have told him for two years to shoot more. Tonight, finally, he listened to me",
        "speaker": "the Saltmere manager, Dragan Petrov",
        "source": "Harbour Press Agency",
    }
    assert item["summary"] == (
        "Teenage substitute Adam Kral scored in the 94th minute to knock out Kessel Rovers in"
        " front of a sell-out crowd. “I have told him for two years to shoot more. Tonight,"
        " finally, he listened to me” — the Saltmere manager, Dragan Petrov, via Harbour"
        " Press Agency"
    )
    entry = items_by_link((demo_config.output / "atom.xml").read_bytes())[item["url"]]
    assert entry.summary == item["summary"]


def test_related_links_in_every_format(demo_config: Config) -> None:
    document = json.loads((demo_config.output / "feed.json").read_bytes())
    atom = etree.fromstring((demo_config.output / "atom.xml").read_bytes())
    rss = etree.fromstring((demo_config.output / "rss.xml").read_bytes())
    with_related = [item for item in document["items"] if item["_digest"]["related"]]
    assert len(with_related) > 10
    for item in with_related:
        related = item["_digest"]["related"]
        assert all(link["reason"] and link["title"] and link["url"] for link in related)
        expected = [(link["url"], link["title"]) for link in related]
        (entry,) = [
            e
            for e in atom.iterfind("atom:entry", NS)
            if e.findtext("atom:id", namespaces=NS) == item["id"]
        ]
        found = [
            (link.get("href"), link.get("title"))
            for link in entry.iterfind("atom:link[@rel='related']", NS)
        ]
        assert found == expected
        (rss_item,) = [i for i in rss.iterfind("channel/item") if i.findtext("guid") == item["id"]]
        found = [
            (link.get("href"), link.get("title"))
            for link in rss_item.iterfind("atom:link[@rel='related']", NS)
        ]
        assert found == expected
        content = lxml.html.fromstring(item["content_html"])
        anchors = content.xpath("//h4[.='Related']/following-sibling::ul[1]/li/a")
        assert [(a.get("href"), a.text_content(), a.get("title")) for a in anchors] == [
            (link["url"], link["title"], link["reason"]) for link in related
        ]


def test_content_urls_are_absolute(demo_config: Config) -> None:
    document = json.loads((demo_config.output / "feed.json").read_bytes())
    for item in document["items"]:
        content = lxml.html.fromstring(item["content_html"])
        urls = [*content.xpath("//a/@href"), *content.xpath("//img/@src")]
        assert urls and all(url.startswith(("https://", "http://", "mailto:")) for url in urls)


def test_feed_metadata(demo_config: Config) -> None:
    atom = feedparser.parse((demo_config.output / "sections/sport/atom.xml").read_bytes())
    rss = feedparser.parse((demo_config.output / "sections/sport/rss.xml").read_bytes())
    for parsed in (atom, rss):
        assert parsed.feed.title == "The Saltmere Lantern: Sport"
        assert parsed.feed.subtitle == "Clear • Fair • Unafraid"
        assert parsed.feed.link == "https://lantern.example.org/"
        assert parsed.feed.language == "en"
        assert parsed.feed.generator.startswith("digest")
        assert {tag.term for e in parsed.entries for tag in e.tags[:1]} == {"Sport"}
    assert atom.feed.id == "tag:lantern.example.org,2026:feeds/sections/sport/"
    json_feed = json.loads((demo_config.output / "sections/sport/feed.json").read_bytes())
    assert json_feed["title"] == "The Saltmere Lantern: Sport"
    assert json_feed["description"] == "Clear • Fair • Unafraid"
    assert json_feed["language"] == "en"


def test_feed_date_is_the_newest_update_not_the_clock(
    demo_build: BuildResult, demo_config: Config, tmp_path: Path
) -> None:
    later = replace(demo_config, output=tmp_path / "later")
    result = build(later, now=NOW + timedelta(hours=5))
    feeds = [name for name in result.files if name.endswith(FEED_NAMES)]
    assert len(feeds) == 21
    for name in feeds:
        assert (tmp_path / "later" / name).read_bytes() == (demo_config.output / name).read_bytes()
    atom = etree.fromstring((demo_config.output / "atom.xml").read_bytes())
    assert atom.findtext("atom:updated", namespaces=NS) == "2026-11-26T15:45:00+00:00"


def test_icon_when_configured(config: Config, write_article: Any) -> None:
    write_article("one", image="images/one.jpg", image_credit="Ann Lens")
    config = replace(config, icon="https://news.example.org/icon.png")
    build(config, now=NOW)
    atom = etree.fromstring((config.output / "atom.xml").read_bytes())
    assert atom.findtext("atom:icon", namespaces=NS) == "https://news.example.org/icon.png"
    image = etree.fromstring((config.output / "rss.xml").read_bytes()).find("channel/image")
    assert image is not None
    assert [image.findtext(n) for n in ("url", "title", "link")] == [
        "https://news.example.org/icon.png",
        "Test Times",
        "https://news.example.org/",
    ]
    document = json.loads((config.output / "feed.json").read_bytes())
    assert document["icon"] == document["favicon"] == "https://news.example.org/icon.png"
    check_feeds(config.output, ("rss.xml", "sections/world/rss.xml"), config)


def test_feed_without_tagline_or_items_is_still_valid(config: Config) -> None:
    config = replace(config, tagline="")
    result = build(config, now=NOW)
    assert sorted(n for n in result.files if n.endswith(FEED_NAMES)) == [
        "atom.xml",
        "feed.json",
        "rss.xml",
    ]
    check_feeds(config.output, result.files, config)
    rss = etree.fromstring((config.output / "rss.xml").read_bytes())
    assert rss.findtext("channel/description") == "Test Times"
    assert json.loads((config.output / "feed.json").read_bytes())["items"] == []


def test_stylesheet_makes_feeds_readable_in_a_browser(
    demo_build: BuildResult, demo_config: Config
) -> None:
    assert "feed.xsl" in demo_build.files
    transform = etree.XSLT(etree.parse(str(demo_config.output / "feed.xsl")))
    for name in ("rss.xml", "sections/sport/atom.xml"):
        data = (demo_config.output / name).read_bytes()
        assert data.split(b"\n")[1] == b'<?xml-stylesheet type="text/xsl" href="/feed.xsl"?>'
        page = lxml.html.fromstring(str(transform(etree.fromstring(data).getroottree())))
        titles = [e.title for e in feedparser.parse(data).entries]
        assert page.xpath("//article/h2/a/text()") == titles
        assert f"https://lantern.example.org/{name}" in page.text_content()
    assert not (demo_config.output / "feed.json").read_bytes().startswith(b"<")


def test_feed_links_partial(demo_config: Config) -> None:
    template = environment().from_string(
        '<html><head>{% include "_feed_links.html" %}</head><body></body></html>'
    )
    page = lxml.html.fromstring(template.render(config=demo_config))
    links = [
        (link.get("type"), link.get("href"), link.get("title"))
        for link in page.xpath("//link[@rel='alternate']")
    ]
    assert links == [
        (
            "application/rss+xml",
            "https://lantern.example.org/rss.xml",
            "The Saltmere Lantern (RSS)",
        ),
        (
            "application/atom+xml",
            "https://lantern.example.org/atom.xml",
            "The Saltmere Lantern (Atom)",
        ),
        (
            "application/feed+json",
            "https://lantern.example.org/feed.json",
            "The Saltmere Lantern (JSON Feed)",
        ),
    ]
    hostile = replace(demo_config, title='A "quoted" <Site> & co')
    page = lxml.html.fromstring(template.render(config=hostile))
    assert page.xpath("//link/@title")[0] == 'A "quoted" <Site> & co (RSS)'


@pytest.mark.parametrize(
    "breakage",
    [
        lambda d: d["items"][0].pop("id"),
        lambda d: d["items"][0].update(date_published="26 Nov 2026"),
        lambda d: d["items"][0].update(url="/relative/"),
        lambda d: d["items"][0].update(content_html=None, content_text=None),
        lambda d: d.update(version="https://jsonfeed.org/version/1"),
        lambda d: d["items"][0].update(authors=[{}]),
        lambda d: d.update(author={"name": "1.0 style"}),
    ],
)
def test_schema_rejects_what_the_spec_rejects(demo_config: Config, breakage: Any) -> None:
    document = json.loads((demo_config.output / "feed.json").read_bytes())
    breakage(document)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(SCHEMA).validate(document)
