"""RSS 2.0 and Atom 1.0 documents from the feed model, via feedgen.

feedgen is wrapped here and only here, and none of its defaults reach the output: feed
dates are set from the items (feedgen stamps the clock), items keep our order (feedgen
prepends), the RSS channel `<link>` is the site (feedgen takes the last link added), and
content is escaped text, never CDATA (a `]]>` in an article would break CDATA).
"""

from __future__ import annotations

import html
import re
from typing import Any, Literal

from feedgen.feed import FeedGenerator

from digest import __version__
from digest.feeds.links import EntryLinksEntryExtension, EntryLinksExtension
from digest.feeds.media import MediaEntryExtension, MediaExtension, MediaImage
from digest.feeds.model import GENERATOR_NAME, GENERATOR_URI, Feed, FeedItem

Kind = Literal["rss", "atom"]
MEDIA_TYPES: dict[Kind, str] = {"rss": "application/rss+xml", "atom": "application/atom+xml"}


def rss_document(feed: Feed, *, stylesheet: str = "") -> bytes:
    """`rss.xml`: RSS 2.0 with content:encoded, dc:creator, media:content and atom links."""
    document = _hex_references(_generator(feed, "rss").rss_str(pretty=True))
    return _with_stylesheet(document, stylesheet)


def atom_document(feed: Feed, *, stylesheet: str = "") -> bytes:
    """`atom.xml`: Atom 1.0 (RFC 4287) with html content and media:content."""
    return _with_stylesheet(_generator(feed, "atom").atom_str(pretty=True), stylesheet)


TITLE_TEXT = re.compile(rb'(<title>|title=")([^<"]*)')
LOOKS_LIKE_MARKUP = re.compile(rb"&lt;(?=[/A-Za-z])|&amp;(?=#[x0-9])")


def _hex_references(document: bytes) -> bytes:
    """RSS titles where text would look like markup (a `<` before a letter or `/`, a `&#`)
    with that `<` or `&` written as a hex reference (`&#x3C;`, `&#x26;`), as the RSS Profile
    asks: a reader that takes a title for HTML still shows the text (a headline from a feed
    may say "<b>")."""

    def escaped(match: re.Match[bytes]) -> bytes:
        text = LOOKS_LIKE_MARKUP.sub(
            lambda m: b"&#x3C;" if m[0] == b"&lt;" else b"&#x26;", match[2]
        )
        return match[1] + text

    return TITLE_TEXT.sub(escaped, document)


def _with_stylesheet(document: bytes, stylesheet: str) -> bytes:
    """The `xml-stylesheet` instruction (if any) put after the XML declaration."""
    declaration, _, rest = document.partition(b"\n")
    if not stylesheet:
        return document
    instruction = f'<?xml-stylesheet type="text/xsl" href="{html.escape(stylesheet)}"?>'
    return b"\n".join((declaration, instruction.encode("utf-8"), rest))


def _generator(feed: Feed, kind: Kind) -> Any:
    rss = kind == "rss"
    generator = FeedGenerator()
    generator.load_extension("dc", atom=False, rss=True)
    generator.register_extension("media", MediaExtension, MediaEntryExtension)
    generator.register_extension("links", EntryLinksExtension, EntryLinksEntryExtension)
    generator.id(feed.id)
    generator.title(feed.title)
    if rss:
        generator.description(feed.subtitle or feed.title)  # required in RSS
    elif feed.subtitle:
        generator.subtitle(feed.subtitle)
    generator.link(href=feed.url(f"{kind}.xml"), rel="self", type=MEDIA_TYPES[kind])
    generator.link(href=feed.home_url, rel="alternate", type="text/html")  # last: RSS <link>
    generator.language(feed.language)
    if rss:
        generator.generator(f"{GENERATOR_NAME} {__version__}")
    else:
        generator.generator(GENERATOR_NAME, __version__, GENERATOR_URI)
    if feed.icon and rss:
        generator.image(url=feed.icon, title=feed.title, link=feed.home_url)
    elif feed.icon:
        generator.icon(feed.icon)
    generator.updated(feed.updated)  # Atom <updated> and RSS <lastBuildDate>
    if rss and feed.items:
        generator.pubDate(feed.published)
    for item in feed.items:
        _entry(generator.add_entry(order="append"), item, rss=rss)
    return generator


def _entry(entry: Any, item: FeedItem, *, rss: bool) -> None:
    entry.id(item.id)  # also the RSS <guid isPermaLink="false">
    entry.title(item.title)
    if rss:
        entry.link(href=item.url)  # the item's <link>; Atom links come from the extension
    entry.published(item.published)
    entry.updated(item.updated)
    for name, address in item.authors:
        if rss:
            entry.dc.dc_creator(name)  # a name: the validator warns of an address in it
        else:
            entry.author(name=name, email=address or None)
    if item.categories:  # one call: feedgen rebuilds its whole list on every call
        entry.category([{"term": c.term, "scheme": c.scheme} for c in item.categories])
    # An RSS description is HTML: escape the plain-text summary once more.
    entry.summary(html.escape(item.summary, quote=False) if rss else item.summary)
    entry.content(item.content_html, type="html")
    if item.image:
        entry.media.image(MediaImage(item.image.url, item.image.alt, item.image.credit))
    entry.links.set(url=item.url, updated=item.updated, related=item.related)
