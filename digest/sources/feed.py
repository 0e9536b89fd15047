"""A feed's bytes → its entries: RSS 0.9x/1.0/2.0 and Atom 1.0 (XML), JSON Feed 1.x.

XML is read with lxml, hardened: no DTD loaded, no entity substituted, no network, no huge
trees (libxml2 also refuses entity amplification), and a document that declares entities
of its own is refused outright: a feed never needs them. We map the elements ourselves
rather than through feedparser: feedparser (6.0) reads no JSON Feed, escapes a title's `&`
again (so "&amp;amp;" and "&" come out alike, and a title cannot be decoded exactly once),
and rewrites content with its own sanitiser before ours. JSON Feed is plain JSON.

Each `Entry` holds the item's fields as the feed gives them, URLs made absolute against
`xml:base` and the feed's own URL; `items.py` makes articles of them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html import escape
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree

from digest.sanitise import html_to_text
from digest.sources.articles import plain_text

NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "feedburner": "http://rssnamespace.org/feedburner/ext/1.0",
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "media": "http://search.yahoo.com/mrss/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rss1": "http://purl.org/rss/1.0/",
}
SPACES = re.compile(r"[ \t\r\n]+")
"""A run of the spaces HTML shows as one (not a no-break space, which is meant)."""
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"


class FeedError(ValueError):
    """The bytes are no feed we read; the message says why, for a warning."""


@dataclass(frozen=True)
class Media:
    """An image the feed names for an item, with what it says of it."""

    url: str
    alt: str = ""
    credit: str = ""


@dataclass(frozen=True)
class Entry:
    """One item of a feed, as the feed gives it."""

    key: str  # the GUID / id, else the link: what identifies the item
    link: str
    title: str  # plain text, entities decoded once
    published: datetime | None
    updated: datetime | None
    categories: tuple[str, ...]
    authors: tuple[str, ...]
    summary_html: str
    content_html: str
    base: str  # the URL relative links in the content resolve against
    images: tuple[Media, ...]  # media:content, media:thumbnail, image enclosures, in order
    aliases: tuple[str, ...] = ()  # other URLs the feed gives the item (a proxy's redirect)
    unread_date: str = ""  # a date the item gives that is no time we read


@dataclass(frozen=True)
class Feed:
    """A parsed feed: its title, its site's link, a fallback date, and its entries."""

    title: str
    link: str
    updated: datetime | None
    entries: tuple[Entry, ...]
    warnings: tuple[str, ...] = ()


def parse_feed(data: bytes, url: str) -> Feed:
    """The feed in `data`, fetched from `url`; raises FeedError if it is none."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head in (b"{", b"["):
        return _json_feed(data, url)
    if head != b"<":
        raise FeedError("the answer is not a feed (neither XML nor JSON)")
    return _xml_feed(data, url)


# --- XML ------------------------------------------------------------------------------------


def _parser(*, recover: bool) -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        recover=recover,
    )


def _xml_feed(data: bytes, url: str) -> Feed:
    warnings: list[str] = []
    try:
        root = etree.fromstring(data, _parser(recover=False), base_url=url)
    except etree.XMLSyntaxError as error:
        if "amplification" in str(error) or b"<!ENTITY" in data[:65536]:
            raise FeedError("the feed declares XML entities, which a feed never needs") from None
        root = _recovered(data, url)
        where = f"line {error.lineno}: " if error.lineno else ""
        reason = where + re.sub(r",? line \d+, column \d+.*", "", error.msg)
        warnings.append(f"the feed is not well-formed XML ({reason}); read what could be read")
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None and any(True for _ in docinfo.internalDTD.iterentities()):
        raise FeedError("the feed declares XML entities, which a feed never needs")
    name = etree.QName(root).localname.lower()
    if name == "rss":
        feed = _rss(root, url)
    elif name == "rdf":
        feed = _rdf(root, url)
    elif name == "feed" and etree.QName(root).namespace == NS["atom"]:
        feed = _atom(root, url)
    elif name == "html":
        raise FeedError("the answer is an HTML page, not a feed")
    else:
        raise FeedError(f"the answer is XML but not a feed (its root is <{name}>)")
    return Feed(feed.title, feed.link, feed.updated, feed.entries, tuple(warnings))


def _recovered(data: bytes, url: str) -> Any:
    """What a forgiving parse makes of malformed XML (a stray `&` is common), if a feed."""
    try:
        root = etree.fromstring(data, _parser(recover=True), base_url=url)
    except etree.XMLSyntaxError:
        root = None
    if root is None:
        raise FeedError("the answer is not well-formed XML") from None
    name = etree.QName(root).localname.lower()
    if name == "html" or name not in ("rss", "rdf", "feed"):
        raise FeedError("the answer is an HTML page, not a feed") from None
    return root


def _text(element: Any) -> str:
    """An element's text content (its own and its children's), or ""."""
    if element is None:
        return ""
    return "".join(element.itertext()).strip()


def _first(element: Any, *paths: str) -> Any:
    for path in paths:
        found = element.find(path, NS)
        if found is not None:
            return found
    return None


def _base(element: Any, fallback: str) -> str:
    """The URL an element's relative links resolve against: its `xml:base` chain, else the
    feed's URL."""
    return str(element.base) if element.base else fallback


def web_url(base: str, value: str) -> str:
    """`value` made absolute against `base`, if that gives an http(s) URL; else "" (a
    `javascript:` or `data:` link in a feed never becomes an article's or image's URL)."""
    value = value.strip()
    url = urljoin(base, value) if value else ""
    return url if urlsplit(url).scheme in ("http", "https") else ""


def _link(element: Any, value: str, fallback: str) -> str:
    return web_url(_base(element, fallback), value)


def _date(text: str) -> datetime | None:
    """An RFC 822 (RSS) or RFC 3339 / W3C-DTF (Atom, Dublin Core) time, in UTC; None if
    it is neither or names no offset we can read."""
    text = text.strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _proxied(item: Any, link: str, url: str) -> tuple[str, tuple[str, ...]]:
    """The item's own link and the other URLs it goes by: a feed proxy (FeedBurner) links
    each item through a redirect of its own and names the publisher's URL in `origLink`."""
    original = _link(item, _text(_first(item, "feedburner:origLink")), url)
    if original and original != link:
        return original, (link,) if link else ()
    return link, ()


def _unread(texts: Iterable[str], *dates: datetime | None) -> str:
    """The date an item gives, if it gives one and none of its dates could be read."""
    return "" if any(dates) else next((text for text in texts if text), "")


def _width(media: Any) -> int:
    """The width a media:content declares, 0 if none (or none that is a number)."""
    width = media.get("width", "").strip()
    return int(width) if width.isdigit() else 0


def _rss_images(item: Any, url: str) -> Iterator[Media]:
    """media:content (also in media:group; the widest first where several sizes of one
    picture are given, as The Guardian's are), media:thumbnail, then image enclosures."""
    contents = item.findall("media:content", NS) + item.findall("media:group/media:content", NS)
    for media in sorted(contents, key=_width, reverse=True):  # stable: ties keep their order
        kind = media.get("medium", "") or media.get("type", "").partition("/")[0]
        if media.get("url") and kind in ("image", ""):
            yield Media(
                _link(media, media.get("url", ""), url),
                _text(_first(media, "media:description", "media:title")),
                _text(_first(media, "media:credit")) or _text(_first(item, "media:credit")),
            )
    for thumbnail in item.findall("media:thumbnail", NS):
        if thumbnail.get("url"):
            credit = _text(_first(item, "media:credit"))
            yield Media(_link(thumbnail, thumbnail.get("url", ""), url), credit=credit)
    for enclosure in item.findall("enclosure"):
        if enclosure.get("type", "").startswith("image/") and enclosure.get("url"):
            yield Media(_link(enclosure, enclosure.get("url", ""), url))


def _title(text: str) -> str:
    """An RSS or JSON Feed title as the plain text it shows: markup gone, entities decoded
    once, runs of spaces one space, as HTML would show them."""
    return SPACES.sub(" ", plain_text(text)).strip()


def _rss_authors(item: Any) -> tuple[str, ...]:
    names = [_text(creator) for creator in item.findall("dc:creator", NS)]
    for author in item.findall("author"):  # "jane@example.org (Jane Doe)", or a bare name
        text = _text(author)
        if text.endswith(")") and "(" in text:
            text = text[text.index("(") + 1 : -1]
        names.append(text)
    if not any(names):  # a podcast's episodes name their host this way alone
        names = [_text(author) for author in item.findall("itunes:author", NS)]
    return tuple(dict.fromkeys(name for name in names if name))


def _rss_item(item: Any, url: str, *, rdf: bool = False) -> Entry:
    base = _base(item, url)
    link, aliases = _proxied(item, _link(item, _text(_first(item, "link", "rss1:link")), url), url)
    guid_element = item.find("guid")
    guid = _text(guid_element)
    if guid and guid_element.get("isPermaLink", "true").lower() == "true" and not link:
        link = _link(guid_element, guid, url)
    if rdf:
        guid = guid or item.get(f"{{{NS['rdf']}}}about", "")
    content = _first(item, "content:encoded")
    summary = _first(item, "description", "rss1:description")
    categories = [_text(c) for c in item.findall("category")]
    categories += [_text(s) for s in item.findall("dc:subject", NS)]
    date_text = _text(_first(item, "pubDate", "dc:date"))
    dated = _date(date_text)
    return Entry(
        key=guid or link,
        link=link,
        title=_title(_text(_first(item, "title", "rss1:title"))),
        published=dated,
        updated=None,
        categories=tuple(c for c in categories if c),
        authors=_rss_authors(item),
        summary_html=_text(summary),
        content_html=_text(content),
        base=_base(content, base) if content is not None else base,
        images=tuple(_rss_images(item, url)),
        aliases=aliases,
        unread_date=_unread((date_text,), dated),
    )


def _rss(root: Any, url: str) -> Feed:
    channel = root.find("channel")
    if channel is None:
        raise FeedError("the RSS feed has no <channel>")
    entries = tuple(_rss_item(item, url) for item in channel.findall("item"))
    return Feed(
        title=_text(channel.find("title")),
        link=_link(channel, _text(channel.find("link")), url),
        updated=_date(_text(_first(channel, "lastBuildDate", "pubDate", "dc:date"))),
        entries=entries,
    )


def _rdf(root: Any, url: str) -> Feed:
    channel = root.find("rss1:channel", NS)
    items = root.findall("rss1:item", NS)
    entries = tuple(_rss_item(item, url, rdf=True) for item in items)
    title = _text(_first(channel, "rss1:title")) if channel is not None else ""
    link = _link(channel, _text(_first(channel, "rss1:link")), url) if channel is not None else ""
    updated = _date(_text(_first(channel, "dc:date"))) if channel is not None else None
    return Feed(title, link, updated, entries)


def _atom_text(element: Any) -> str:
    """An Atom text construct as HTML: `html` as is, `xhtml` serialised, `text` escaped."""
    if element is None:
        return ""
    kind = element.get("type", "text").lower()
    if kind == "xhtml":
        div = element.find("{http://www.w3.org/1999/xhtml}div")
        holder = div if div is not None else element
        parts = [etree.tostring(child, encoding="unicode", method="html") for child in holder]
        html_text = (holder.text or "") + "".join(parts)
        etree.cleanup_namespaces(holder)
        return html_text.replace(' xmlns="http://www.w3.org/1999/xhtml"', "")
    text = "".join(element.itertext())
    if kind in ("html", "text/html"):
        return text
    return escape(text)


def _atom_plain(element: Any) -> str:
    """An Atom text construct as plain text (a title): markup gone, entities decoded once."""
    if element is None:
        return ""
    kind = element.get("type", "text").lower()
    if kind in ("html", "text/html", "xhtml"):
        return html_to_text(_atom_text(element))
    return " ".join("".join(element.itertext()).split())


def _atom_link(entry: Any, url: str, rel: str = "alternate") -> str:
    for link in entry.findall("atom:link", NS):
        if link.get("rel", "alternate") == rel and link.get("href"):
            return _link(link, link.get("href", ""), url)
    return ""


def _atom_authors(element: Any) -> tuple[str, ...]:
    names = (_text(a.find("atom:name", NS)) for a in element.findall("atom:author", NS))
    return tuple(name for name in names if name)


def _atom_entry(entry: Any, url: str, feed_authors: tuple[str, ...]) -> Entry:
    base = _base(entry, url)
    content = entry.find("atom:content", NS)
    categories = [c.get("label") or c.get("term", "") for c in entry.findall("atom:category", NS)]
    authors = _atom_authors(entry) or feed_authors  # the feed's, as RFC 4287 says
    images = list(_rss_images(entry, url))
    for link in entry.findall("atom:link", NS):
        if link.get("rel") == "enclosure" and link.get("type", "").startswith("image/"):
            images.append(Media(_link(link, link.get("href", ""), url)))
    link, aliases = _proxied(entry, _atom_link(entry, url), url)
    dates = [_text(entry.find(f"atom:{name}", NS)) for name in ("published", "updated")]
    published, updated = (_date(text) for text in dates)
    return Entry(
        key=_text(entry.find("atom:id", NS)) or link,
        link=link,
        title=_atom_plain(entry.find("atom:title", NS)),
        published=published,
        updated=updated,
        categories=tuple(c.strip() for c in categories if c.strip()),
        authors=authors,
        summary_html=_atom_text(entry.find("atom:summary", NS)),
        content_html=_atom_text(content),
        base=_base(content, base) if content is not None else base,
        images=tuple(images),
        aliases=aliases,
        unread_date=_unread(dates, published, updated),
    )


def _atom(root: Any, url: str) -> Feed:
    authors = _atom_authors(root)
    entries = tuple(_atom_entry(e, url, authors) for e in root.findall("atom:entry", NS))
    return Feed(
        title=_atom_plain(root.find("atom:title", NS)),
        link=_atom_link(root, url),
        updated=_date(_text(root.find("atom:updated", NS))),
        entries=entries,
    )


# --- JSON Feed ------------------------------------------------------------------------------


def _json_feed(data: bytes, url: str) -> Feed:
    try:
        document = json.loads(data)
    except (ValueError, RecursionError):
        raise FeedError("the answer is not valid JSON") from None
    version = str(document.get("version", "")) if isinstance(document, dict) else ""
    if not version.startswith(("https://jsonfeed.org/version/1", "http://jsonfeed.org/version/1")):
        raise FeedError("the answer is JSON but not a JSON Feed (no jsonfeed.org version)")
    base = _json_str(document, "feed_url") or url
    authors = _json_authors(document)
    items = document.get("items")
    if not isinstance(items, list):
        raise FeedError("the JSON Feed has no 'items' list")
    entries = tuple(
        _json_item(item, urljoin(url, base), authors) for item in items if isinstance(item, dict)
    )
    return Feed(
        title=_json_str(document, "title"),
        link=web_url(url, _json_str(document, "home_page_url")),
        updated=None,
        entries=entries,
    )


def _json_str(mapping: dict[str, Any], key: str) -> str:
    value = mapping.get(key)
    return value.strip() if isinstance(value, str) else ""


def _json_authors(mapping: dict[str, Any]) -> tuple[str, ...]:
    found = mapping.get("authors")
    if not isinstance(found, list):
        found = [mapping.get("author")]  # version 1.0
    names = (_json_str(a, "name") for a in found if isinstance(a, dict))
    return tuple(name for name in names if name)


def _json_item(item: dict[str, Any], base: str, feed_authors: tuple[str, ...]) -> Entry:
    link = web_url(base, _json_str(item, "url"))
    content = _json_str(item, "content_html")
    if not content and _json_str(item, "content_text"):
        paragraphs = _json_str(item, "content_text").split("\n\n")
        content = "".join(f"<p>{escape(p.strip())}</p>" for p in paragraphs if p.strip())
    images = [
        Media(web_url(base, _json_str(item, key)))
        for key in ("image", "banner_image")
        if _json_str(item, key)
    ]
    for attachment in item.get("attachments") or []:
        if isinstance(attachment, dict) and _json_str(attachment, "mime_type").startswith("image/"):
            images.append(Media(web_url(base, _json_str(attachment, "url"))))
    tags = item.get("tags")
    dates = [_json_str(item, key) for key in ("date_published", "date_modified")]
    published, updated = (_date(text) for text in dates)
    return Entry(
        key=str(item.get("id", "")).strip() or link,
        link=link,
        title=_title(_json_str(item, "title")),  # WordPress's plugins write "&amp;"
        published=published,
        updated=updated,
        categories=tuple(t.strip() for t in tags if isinstance(t, str) and t.strip())
        if isinstance(tags, list)
        else (),
        authors=_json_authors(item) or feed_authors,
        summary_html=_escaped(_json_str(item, "summary")),
        content_html=content,
        base=base,
        images=tuple(images),
        unread_date=_unread(dates, published, updated),
    )


def _escaped(text: str) -> str:
    return escape(text)
