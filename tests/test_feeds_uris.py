"""Every URL a feed holds is a valid URI (RFC 3986), whatever the front matter wrote."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import feedparser
import lxml.html
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from digest.config import Config
from digest.feeds.model import uri
from digest.pipeline import build
from tests.conftest import NOW
from tests.test_feeds import check_feeds

_ESCAPE = "%[0-9A-Fa-f]{2}"
_PCHAR = rf"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|{_ESCAPE})"
_HOST = rf"(?:\[[0-9A-Fa-f:.]+\]|(?:[A-Za-z0-9\-._~!$&'()*+,;=]|{_ESCAPE})*)"
_USERINFO = rf"(?:[A-Za-z0-9\-._~!$&'()*+,;=:]|{_ESCAPE})*"
URI = re.compile(
    rf"[A-Za-z][A-Za-z0-9+.\-]*:"
    rf"(?://(?:{_USERINFO}@)?{_HOST}(?::[0-9]*)?(?:/{_PCHAR}*)*|{_PCHAR}+(?:/{_PCHAR}*)*)"
    rf"(?:\?(?:{_PCHAR}|[/?])*)?(?:#(?:{_PCHAR}|[/?])*)?"
)
"""RFC 3986 §3's URI, part by part (an absolute http URL, or a `tag:` id)."""

IMAGE = "https://cdn.example.org/a.jpg?size[w]=600&crop[]=1"
ODD = "https://Example.org/a%20b/100%/c d?ids[]=1&q=%5Bx%5D#top#[1]"
RELATED = "https://bücher.example/x[1]/y"


def test_uri_encodes_what_rfc_3986_forbids_and_keeps_escapes() -> None:
    assert uri(IMAGE) == "https://cdn.example.org/a.jpg?size%5Bw%5D=600&crop%5B%5D=1"
    assert uri(ODD) == (
        "https://Example.org/a%20b/100%25/c%20d?ids%5B%5D=1&q=%5Bx%5D#top%23%5B1%5D"
    )
    assert uri(RELATED) == "https://xn--bcher-kva.example/x%5B1%5D/y"
    assert uri("https://[2001:db8::1]:8080/a") == "https://[2001:db8::1]:8080/a"
    assert uri("https://example.org/sections/world/") == "https://example.org/sections/world/"


@given(st.text(), st.text(), st.text())
def test_uri_gives_a_valid_uri_and_never_encodes_twice(path: str, query: str, tail: str) -> None:
    url = uri(f"https://example.org/{path}?{query}#{tail}")
    assert URI.fullmatch(url), url
    assert uri(url) == url


def _urls(out: Path, folder: str) -> Iterator[str]:
    """Every URL in a folder's RSS, Atom and JSON feeds, and in their items' content."""
    for name in ("rss.xml", "atom.xml"):
        root = etree.fromstring((out / folder / name).read_bytes())
        for element in root.iter():
            for attribute in ("href", "url", "domain", "scheme"):
                if element.get(attribute):
                    yield element.get(attribute)
            if etree.QName(element).localname in ("link", "guid", "id") and element.text:
                yield element.text.strip()
            if etree.QName(element).localname in ("encoded", "content") and element.text:
                html = lxml.html.fragment_fromstring(element.text, create_parent="div")
                yield from html.xpath("//@href | //@src")
    document = json.loads((out / folder / "feed.json").read_bytes())
    yield from (document["home_page_url"], document["feed_url"])
    for item in document["items"]:
        yield from (item["id"], item["url"], item["image"], item["_digest"]["image"]["url"])
        yield from (link["url"] for link in item["_digest"]["related"])


def test_feeds_hold_only_valid_uris(config: Config, write_article: Any) -> None:
    write_article(
        "odd",
        section="C#",
        tags=["C++"],
        image=IMAGE,
        related=[ODD, RELATED],
        summary="Standfirst.",
    )
    config = replace(config, tag_feeds=True)
    result = build(config, now=NOW)
    check_feeds(config.output, result.files, config)
    folders = ("", "sections/c-sharp/", "tags/c-plus-plus/")
    for folder in folders:
        urls = list(_urls(config.output, folder))
        assert len(urls) > 20
        assert [url for url in urls if not URI.fullmatch(url)] == [], folder
        assert uri(IMAGE) in urls and uri(ODD) in urls and uri(RELATED) in urls
    (entry,) = feedparser.parse((config.output / "rss.xml").read_bytes()).entries
    assert entry.media_content[0]["url"] == uri(IMAGE)
    assert [link.href for link in entry.links if link.rel == "related"] == [
        uri(ODD),
        uri(RELATED),
    ]
