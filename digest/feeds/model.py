"""The one model every feed format is written from: `Feed` and its `FeedItem`s.

RSS, Atom and JSON Feed are rendered from these objects only, so the three formats cannot
drift apart. Building them is where every string is made XML-safe (the characters XML
forbids or discourages are removed, also from config and template output), every URL is
made a valid URI and every date is put in UTC without fractions of a second.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import quote, urlsplit, urlunsplit

import jinja2

from digest.config import Config
from digest.enrich.stories import plain_text, shorten
from digest.models import Image, LeadQuote, RelatedLink, Story, author_parts
from digest.sources.articles import CONTROL_CHARACTERS

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
GENERATOR_NAME = "digest"
GENERATOR_URI = "https://pypi.org/project/newsroom-digest/"
# What XML 1.0 (§2.2) discourages: C1 controls and noncharacters; and U+FFFD, which is what
# an HTML parser makes of a broken character reference such as "&#0;". Readers show these
# as boxes and the W3C validator flags them, so feeds drop them like forbidden ones.
XML_DISCOURAGED = re.compile(
    "[\x7f-\x9f\ufdd0-\ufdef\ufffd"
    + "".join(chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF) for plane in range(1, 17))
    + "]"
)
# What RFC 3986 lets each part of a URI hold as it is, besides letters, digits and "-._~"
# (which `quote` always keeps) and "%XX" escapes: sub-delims, ":" and "@" everywhere; "/"
# in a path (§3.3), "/" and "?" in a query or fragment (§3.4, §3.5); "[" and "]" only
# around an IPv6 host. Anything else, "#", "[", "]", a stray "%", a space, is encoded.
SUB_DELIMS = "!$&'()*+,;="
PATH_SAFE = SUB_DELIMS + ":@/"
QUERY_SAFE = PATH_SAFE + "?"
AUTHORITY_SAFE = SUB_DELIMS + ":@[]"
ESCAPE = re.compile(r"(%[0-9A-Fa-f]{2})")
# An item id keeps RFC 3986 "pchar"s but "%" and "/": "/" is left for feed ids.
ID_SAFE = "!$&'()*+,;=:@~"


@dataclass(frozen=True)
class Category:
    """A section or a tag; `scheme` tells which (`…/sections/` or `…/tags/`)."""

    term: str
    scheme: str


@dataclass(frozen=True)
class FeedItem:
    """One article as every feed format shows it."""

    id: str  # tag: URI; depends only on the configured authority, id_date and article id
    url: str
    title: str
    published: datetime  # UTC
    updated: datetime  # UTC
    authors: tuple[tuple[str, str], ...]
    """Each author's name and email address ('' if none); never empty: the site's name
    stands in for a missing byline."""
    categories: tuple[Category, ...]  # the section first, then the tags
    summary: str  # plain text: standfirst, then lead quote; else the body's text; else title
    content_html: str  # full content: image with credit, lead quote, body, related links
    image: Image | None
    lead_quote: LeadQuote | None
    related: tuple[RelatedLink, ...]
    section: str


@dataclass(frozen=True)
class Feed:
    """One feed: its metadata and its items, newest first."""

    folder: str  # "" for the site, "sections/world/", "tags/trade/"
    id: str  # tag: URI of the feed (Atom feed id)
    title: str
    subtitle: str  # the site's tagline, may be ""
    home_url: str  # the site
    folder_url: str  # absolute URL of `folder`
    language: str
    icon: str  # "" when none is configured
    items: tuple[FeedItem, ...]

    def url(self, name: str) -> str:
        """The absolute URL of file `name` of this feed, e.g. its `rss.xml`."""
        return self.folder_url + name

    @property
    def updated(self) -> datetime:
        """The newest `updated` of the items (never the clock); the epoch when empty."""
        return max((item.updated for item in self.items), default=EPOCH)

    @property
    def published(self) -> datetime:
        """The newest `published` of the items; the epoch when empty."""
        return max((item.published for item in self.items), default=EPOCH)


def xml_text(text: str) -> str:
    """`text` without the characters XML forbids or discourages."""
    return _NOT_IN_FEEDS.sub("", text)


_NOT_IN_FEEDS = re.compile(
    f"[{CONTROL_CHARACTERS.pattern[1:-1]}{XML_DISCOURAGED.pattern[1:-1]}]"
)  # what `clean_text` removes and what XML discourages, in one pass


@lru_cache(maxsize=4096)  # a feed names the site's, sections' and related stories' URLs often
def uri(url: str) -> str:
    """`url` as a valid URI (RFC 3986): each character its part may not hold is percent-
    encoded (spaces, non-ASCII, "[" in a query…), escapes already there are kept, and a
    non-ASCII host is spelt in IDNA ("xn--…")."""
    parts = urlsplit(url)
    return urlunsplit(
        parts._replace(
            netloc=_authority(parts.netloc),
            path=_encoded(parts.path, PATH_SAFE),
            query=_encoded(parts.query, QUERY_SAFE),
            fragment=_encoded(parts.fragment, QUERY_SAFE),
        )
    )


def _encoded(text: str, safe: str) -> str:
    """`text` percent-encoded but for the `safe` characters and its "%XX" escapes."""
    if "%" not in text:
        return quote(text, safe=safe)
    pieces = ESCAPE.split(text)  # text, escape, text, …
    return "".join(p if n % 2 else quote(p, safe=safe) for n, p in enumerate(pieces))


def _authority(netloc: str) -> str:
    """The URI's `[userinfo@]host[:port]`, its host in IDNA if it is not ASCII."""
    if not netloc.isascii():
        userinfo, at, host = netloc.rpartition("@")
        with suppress(UnicodeError):  # not a name IDNA spells: percent-encoded, still valid
            host = host.encode("idna").decode("ascii")
        netloc = userinfo + at + host
    return _encoded(netloc, AUTHORITY_SAFE)


def utc(moment: datetime) -> datetime:
    """`moment` in UTC, to the second: one spelling of a time in every format."""
    return moment.astimezone(UTC).replace(microsecond=0)


def item_id(article_id: str, config: Config) -> str:
    """A tag: URI (RFC 4151) of the configured authority, id date and the article's id.

    Nothing else goes in, so a new title, date, section, body or URL layout keeps the id.
    """
    return f"tag:{config.authority},{config.id_date}:{quote(article_id, safe=ID_SAFE)}"


def feed_id(folder: str, config: Config) -> str:
    """The Atom id of the feed in `folder`; its "/" keeps it apart from every item id."""
    return f"tag:{config.authority},{config.id_date}:feeds/{quote(folder, safe='/')}"


def summary(standfirst: str, lead_quote: LeadQuote | None) -> str:
    """Standfirst, then the lead quote with its speaker, as plain text."""
    parts = [standfirst] if standfirst else []
    if lead_quote:
        by = lead_quote.attribution
        parts.append(f"“{lead_quote.text}”" + (f" — {by}" if by else ""))
    return " ".join(parts)


def _optional_text(text: str | None) -> str | None:
    return (xml_text(text).strip() or None) if text else None


def _image(image: Image | None) -> Image | None:
    if image is None:
        return None
    return Image(uri(image.url), xml_text(image.alt), xml_text(image.credit))


def _lead_quote(lead_quote: LeadQuote | None) -> LeadQuote | None:
    text = xml_text(lead_quote.text).strip() if lead_quote else ""
    if not lead_quote or not text:
        return None
    return LeadQuote(text, _optional_text(lead_quote.speaker), _optional_text(lead_quote.source))


def _texts(values: Iterable[str]) -> tuple[str, ...]:
    """Cleaned, non-blank, each once."""
    return tuple(dict.fromkeys(text for text in (xml_text(v).strip() for v in values) if text))


def _related(link: RelatedLink) -> RelatedLink:
    return RelatedLink(
        xml_text(link.title), uri(link.url), xml_text(link.section), xml_text(link.reason)
    )


def feed_item(story: Story, *, config: Config, template: jinja2.Template) -> FeedItem:
    """Everything the feeds say about one story, rendered and cleaned once."""
    article = story.article
    image = _image(article.image)
    lead_quote = _lead_quote(story.lead_quote)
    related = tuple(_related(link) for link in story.related)
    content = template.render(
        story=story,
        image=image,
        lead_quote=lead_quote,
        attribution=lead_quote.attribution if lead_quote else "",
        related=related,
    )
    section = xml_text(article.section).strip() or article.section_slug
    title = xml_text(article.title).strip() or article.slug
    return FeedItem(
        id=item_id(article.id, config),
        url=uri(article.url),
        title=title,
        published=utc(article.published),
        updated=utc(article.updated),
        authors=tuple(map(author_parts, _texts(article.authors))) or ((site_title(config), ""),),
        categories=(
            Category(section, uri(config.base_url + "sections/")),
            *(Category(tag, uri(config.base_url + "tags/")) for tag in _texts(article.tags)),
        ),
        summary=xml_text(
            summary(story.standfirst, lead_quote) or shorten(plain_text(story.body_html))
        )
        or title,
        # An empty article still gets content: feed readers show a blank item otherwise.
        content_html=xml_text(content).strip() or f"<p>{html.escape(title)}</p>",
        image=image,
        lead_quote=lead_quote,
        related=related,
        section=section,
    )


def site_title(config: Config) -> str:
    """The site's name as feeds show it; its host when the configured name is blank."""
    return xml_text(config.title).strip() or urlsplit(config.base_url).hostname or "feed"


def make_feed(folder: str, label: str, items: Sequence[FeedItem], *, config: Config) -> Feed:
    """The feed in `folder` ("" or ending in "/") holding `items`; `label`: section or tag."""
    name = xml_text(label).strip()
    return Feed(
        folder=folder,
        id=feed_id(folder, config),
        title=f"{site_title(config)}: {name}" if name else site_title(config),
        subtitle=xml_text(config.tagline).strip(),
        home_url=uri(config.base_url),
        folder_url=uri(config.base_url + folder),
        language=xml_text(config.language),
        icon=uri(config.icon) if config.icon else "",
        items=tuple(items),
    )
