# ruff: noqa: RUF001
"""Shapes found in real publishers' feeds (measured on saved feeds, #15), each reproduced
here in a fixture of our own words: FeedBurner's proxied links and "feedflare" buttons,
sharing widgets, JSON Feed 1.0's http:// version and escaped titles, unreadable dates."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from digest.config import Config, SourceSpec
from digest.models import Image
from digest.sources.base import RECORDED_FIELDS
from digest.sources.feed import parse_feed
from digest.sources.items import read_items
from tests.conftest import NOW

URL = "https://harbourlog.example/feeds/posts/default"


def _items(data: bytes, url: str = URL) -> list[tuple[dict[str, object], str, tuple[str, ...]]]:
    """Each item's recorded fields, body and messages."""
    feed = parse_feed(data, url)
    found = []
    for item in read_items(feed, SourceSpec(feed=url), Config(), lambda name: NOW):
        fields, _, messages, _ = item.record
        assert fields is not None, messages
        recorded = dict(zip(RECORDED_FIELDS, fields[1:], strict=True))
        found.append((recorded, item.body, tuple(text for _, text in messages)))
    return found


PROXY = "https://feedproxy.example/~r/harbourlog/~3"
FEEDBURNER_RSS = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0">
<channel><title>Harbour Log</title><link>https://harbourlog.example/</link>
<description>Notes from the quay</description>
<item><title>Crane repairs finish early</title>
<link>{PROXY}/aa11/crane-repairs.html</link>
<guid isPermaLink="false">tag:harbourlog.example,2026:post-11</guid>
<pubDate>Tue, 24 Nov 2026 09:00:00 +0000</pubDate>
<description><![CDATA[<p>The crane on berth four lifts again, a week ahead of plan.</p>
<h4>Related</h4><ul><li><a href="{PROXY}/bb22/new-pilot-boat.html">A new
pilot boat</a></li></ul>
<div class="feedflare">
<a href="https://feeds.example/~ff/harbourlog?a=x1"><img
 src="https://feeds.example/~ff/harbourlog?d=x1" border="0"></a>
<a href="https://feeds.example/~ff/harbourlog?a=x2"><img
 src="https://feeds.example/~ff/harbourlog?i=x2" border="0"></a>
</div><img src="https://feeds.example/~r/harbourlog/~4/aa11" height="1" width="1" alt=""/>
]]></description>
<feedburner:origLink>https://harbourlog.example/2026/11/crane-repairs.html</feedburner:origLink>
</item>
<item><title>A new pilot boat</title>
<link>{PROXY}/bb22/new-pilot-boat.html</link>
<guid isPermaLink="false">tag:harbourlog.example,2026:post-10</guid>
<pubDate>Mon, 23 Nov 2026 09:00:00 +0000</pubDate>
<description>&lt;p&gt;The pilots take delivery of a faster boat.&lt;/p&gt;</description>
<feedburner:origLink>https://harbourlog.example/2026/11/new-pilot-boat.html</feedburner:origLink>
</item></channel></rss>""".encode()


def test_a_proxied_item_keeps_the_publishers_url_and_its_related_links_follow() -> None:
    (crane, body, _), (pilot, _, _) = _items(FEEDBURNER_RSS)
    assert crane["url"] == "https://harbourlog.example/2026/11/crane-repairs.html"
    assert pilot["url"] == "https://harbourlog.example/2026/11/new-pilot-boat.html"
    # The "Related" block links to the other item through the proxy: the item it names.
    assert crane["related"] == ("https://harbourlog.example/2026/11/new-pilot-boat.html",)
    assert "feeds.example" not in body  # neither the buttons nor the 1x1 counter
    assert crane["image"] is None  # a share button is no picture of the story
    assert body == "The crane on berth four lifts again, a week ahead of plan."


def test_an_atom_entrys_orig_link_is_its_url() -> None:
    atom = f"""<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0">
<title>Harbour Log</title><id>tag:harbourlog.example,2026:blog</id>
<updated>2026-11-24T09:00:00Z</updated>
<entry><id>tag:harbourlog.example,2026:post-11</id><title>Crane repairs finish early</title>
<published>2026-11-24T09:00:00Z</published><updated>2026-11-24T09:00:00Z</updated>
<link rel="alternate" type="text/html" href="{PROXY}/aa11/crane-repairs.html"/>
<content type="html">&lt;p&gt;The crane lifts again.&lt;/p&gt;</content>
<feedburner:origLink>https://harbourlog.example/2026/11/crane-repairs.html</feedburner:origLink>
</entry></feed>""".encode()
    ((crane, _, _),) = _items(atom)
    assert crane["url"] == "https://harbourlog.example/2026/11/crane-repairs.html"
    assert str(crane["id"]).endswith("#tag:harbourlog.example,2026:post-11")  # unchanged


@pytest.mark.parametrize(
    "widget",
    [
        '<div class="sharedaddy sd-sharing-enabled"><h3>Share this:</h3><ul><li>'
        '<a href="https://harbourlog.example/?share=email">Email</a></li></ul></div>',
        '<div class="addtoany_share_save_container addtoany_content"><div class="a2a_kit">'
        '<a href="https://share.example/?u=1"><img src="https://share.example/b.png"></a>'
        "</div></div>",
        '<!-- sharing --><div class="feedflare"><a href="https://feeds.example/~ff/q?a=1">'
        '<img src="https://feeds.example/~ff/q?d=1"></a></div><!-- /sharing -->',
    ],
)
def test_a_sharing_widget_never_reaches_the_body(widget: str) -> None:
    content = f"<p>The quay lights are replaced.</p>{widget}<p>Work ends Friday.</p>"
    data = FEEDBURNER_RSS.replace(
        b"&lt;p&gt;The pilots take delivery of a faster boat.&lt;/p&gt;",
        content.replace("&", "&amp;").replace("<", "&lt;").encode(),
    )
    (_, (pilot, body, _)) = _items(data)
    assert body == "The quay lights are replaced.\n\nWork ends Friday."
    assert pilot["image"] is None


def test_json_feed_1_0_with_an_http_version_and_an_escaped_title() -> None:
    data = b"""{"version": "http://jsonfeed.org/version/1", "title": "Quay Notes",
    "items": [{"id": "https://quaynotes.example/?p=7", "url": "https://quaynotes.example/tides/",
    "title": "Tides &amp; times: the winter table &#8217;26",
    "content_html": "<p>The winter tide table is out.</p>",
    "date_published": "2026-11-20T08:00:00+00:00"}]}"""
    ((tides, _, _),) = _items(data, "https://quaynotes.example/feed/json/")
    assert tides["title"] == "Tides & times: the winter table ’26"


def test_a_date_that_cannot_be_read_is_a_warning_naming_it() -> None:
    data = FEEDBURNER_RSS.replace(b"Mon, 23 Nov 2026 09:00:00 +0000", b"2026/11/23 09:00:00")
    (_, _, quiet), (pilot, _, messages) = _items(data)
    assert not quiet
    assert messages == (
        "date '2026/11/23 09:00:00' is no RFC 822 or RFC 3339 time; "
        "the item is dated when it was first seen",
    )
    assert pilot["published"] == NOW


def test_an_atom_entry_without_an_author_has_the_feeds() -> None:
    atom = b"""<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Tide Notes</title>
<id>tag:tidenotes.example,2026:feed</id><updated>2026-11-24T09:00:00Z</updated>
<author><name>Ines Vallot</name></author>
<entry><id>tag:tidenotes.example,2026:1</id><title>Neap tides this week</title>
<updated>2026-11-24T09:00:00Z</updated><link href="https://tidenotes.example/neap/"/>
<content type="html">&lt;p&gt;The range is small.&lt;/p&gt;</content></entry>
<entry><id>tag:tidenotes.example,2026:2</id><title>Guest note</title>
<updated>2026-11-23T09:00:00Z</updated><link href="https://tidenotes.example/guest/"/>
<author><name>Oskar Lind</name></author>
<content type="html">&lt;p&gt;A word from the harbour master.&lt;/p&gt;</content></entry>
</feed>"""
    (neap, _, _), (guest, _, _) = _items(atom, "https://tidenotes.example/atom.xml")
    assert neap["authors"] == ("Ines Vallot",)
    assert guest["authors"] == ("Oskar Lind",)


def test_a_podcast_episode_names_its_host_by_itunes_author_alone() -> None:
    data = FEEDBURNER_RSS.replace(
        b"<rss version=", b'<rss xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" version='
    ).replace(
        b"<title>A new pilot boat</title>",
        b"<title>A new pilot boat</title><itunes:author>The Quay Show</itunes:author>",
    )
    (crane, _, _), (pilot, _, _) = _items(data)
    assert pilot["authors"] == ("The Quay Show",)
    assert crane["authors"] == ()


def test_a_titles_runs_of_spaces_show_as_one_and_a_no_break_space_stays() -> None:
    data = FEEDBURNER_RSS.replace(
        b"<title>Crane repairs finish early</title>",
        b"<title><![CDATA[Crane repairs  finish\n\t early "
        b"<span class='x'>\xe2\x82\xac</span>1m\xc2\xa0saved]]></title>",
    )
    (crane, _, _), _ = _items(data)
    assert crane["title"] == "Crane repairs finish early €1m\xa0saved"


def test_of_several_sizes_of_one_picture_the_widest_is_the_image() -> None:
    sizes = b"""<pubDate>Mon, 23 Nov 2026 09:00:00 +0000</pubDate>
<media:content width="160" url="https://img.example/boat.jpg?w=160">
<media:credit>Photo: R. Aalto</media:credit></media:content>
<media:content width="480" url="https://img.example/boat.jpg?w=480">
<media:credit>Photo: R. Aalto</media:credit></media:content>"""
    data = FEEDBURNER_RSS.replace(
        b"<rss version=", b'<rss xmlns:media="http://search.yahoo.com/mrss/" version='
    ).replace(b"<pubDate>Mon, 23 Nov 2026 09:00:00 +0000</pubDate>", sizes)
    _, (pilot, _, _) = _items(data)
    assert pilot["image"] == Image("https://img.example/boat.jpg?w=480", "", "Photo: R. Aalto")


def _revisions() -> list[str]:
    feed = parse_feed(FEEDBURNER_RSS, URL)
    return [item.revision for item in read_items(feed, SourceSpec(feed=URL), Config())]


def test_an_items_revision_is_the_same_in_every_process() -> None:
    """A revision is a digest of what reading gave, never of a set's order, which Python
    draws anew in each process: else every item of a feed would seem changed on each run."""
    code = "from tests.test_feed_publisher_shapes import _revisions; print(_revisions())"
    runs = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(runs) == 1


def test_an_items_terms_are_the_words_of_its_text_not_of_its_markup() -> None:
    linked = FEEDBURNER_RSS.replace(
        b"<p>The crane on berth four lifts again",
        b'<p><img src="https://harbourlog.example/img/crane.jpg" alt=""></p><p>The '
        b'<a href="https://harbourlog.example/berths/">crane on berth four</a> lifts again',
    )
    crane, _ = read_items(parse_feed(linked, URL), SourceSpec(feed=URL), Config())
    assert "href" in crane.body  # the body keeps its markup; its terms have none of it
    terms = set(crane.record[1])
    assert {"crane", "berth", "lifts"} <= terms
    assert not terms & {"href", "src", "feedproxy", "harbourlog", "https"}
