"""A feed's entries → article records, as a local file's front matter gives them.

The item's link stays the article's URL (the story is the publisher's); its GUID (else its
link) gives a stable id, kept apart from every other source's by the feed's URL; its
categories give the section (a CMS's "Uncategorized" is none: the source's default is
used) and the tags; its content, cleaned and sanitised (feed_html.py), is the body.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from digest.models import Article, Image, Location
from digest.sanitise import html_to_text
from digest.sources.articles import _fields, clean_text, name_slug, one_line, slugify
from digest.sources.base import Record
from digest.sources.feed import Entry, Feed, Media
from digest.sources.feed_html import clean_content, clean_summary
from digest.terms import article_terms

if TYPE_CHECKING:
    from digest.config import Config, SourceSpec

NO_SECTION = frozenset(
    {"uncategorized", "uncategorised", "unkategorisiert", "non classé", "sin categoría",
     "senza categoria", "geen categorie", "sem categoria", "bez kategorii"}
)  # fmt: skip
"""The default category of WordPress and other CMSs in a few languages: no section."""
FirstSeen = Callable[[str], datetime]
"""When the item of this name was first seen (see `read_items`)."""
MAX_SLUG_WORDS = 60
NO_LINES = {key: 0 for key in ("slug", "url", "id", "section", "tags", "related")}
"""An item's fields have no lines: messages about them name the item alone (line 0)."""


@dataclass(frozen=True)
class Item:
    """One entry read: its name in the source, record, Markdown body and where it is."""

    name: str
    revision: str
    where: str
    record: Record
    body: str


def feed_prefix(url: str) -> str:
    """What keeps a feed's ids apart from every other source's: its host and path."""
    parts = urlsplit(url)
    return f"{parts.netloc.lower()}{parts.path}"


def read_items(
    feed: Feed, spec: SourceSpec, config: Config, first_seen: FirstSeen | None = None
) -> list[Item]:
    """Each entry of `feed` as an item; two entries with one GUID get distinct names (the
    second is then reported as a duplicate id, as two files would be).

    An entry that gives no date is dated when it was first seen (`first_seen` of its name,
    kept with the feed's copy: RSS 0.91 items have no date); without `first_seen`, the
    feed's own date, if it has one."""
    items: list[Item] = []
    seen: dict[str, int] = {}
    links = {
        _page(alias): entry.link
        for entry in feed.entries
        for alias in (entry.link, *entry.aliases)
        if alias and entry.link
    }
    for entry in feed.entries:
        count = seen[entry.key] = seen.get(entry.key, 0) + 1
        name = entry.key if count == 1 else f"{entry.key}#{count}"
        undated = entry.published is None and entry.updated is None
        seen_at = first_seen(name) if first_seen and undated else feed.updated
        record, body = entry_record(entry, spec, config, links, seen_at, feed.link or spec.feed)
        # The revision digests what reading gave, so it changes exactly when that does
        # (an item's record may depend on the rest of the feed: its date, related links);
        # not the terms, which follow from the rest, in an order each process sets anew.
        fields, _, messages, notes = record
        seen_now = repr((fields, messages, notes, body)).encode()
        revision = hashlib.blake2b(seen_now, digest_size=16).hexdigest()
        items.append(Item(name, revision, entry.link or spec.feed, record, body))
    return items


def entry_record(
    entry: Entry,
    spec: SourceSpec,
    config: Config,
    links: dict[str, str],
    seen_at: datetime | None,
    home: str,
) -> tuple[Record, str]:
    """The record a local file with the entry's fields would give, and its Markdown body.

    `links` map the pages of the feed's items (by any URL the feed gives them) to their
    links: a "Related posts" block names the editor's related links only where it links to
    them. `seen_at` dates an entry that gives no date;
    one without a link is linked to the feed's `home` page, at an anchor of its id.
    """
    if not entry.key:
        return (None, (), ((0, "item has neither a GUID/id nor a link; skipped"),), ()), ""
    html_text = entry.content_html or entry.summary_html
    content = clean_content(html_text, entry.base, title=entry.title)
    title = one_line(entry.title) or _title_from(content.markdown)
    if not title:
        return (None, (), ((0, "item has no title and no text; skipped"),), ()), ""
    published = entry.published or entry.updated or seen_at
    if published is None:
        return (None, (), ((0, "item has no date, nor has its feed; skipped"),), ()), ""
    published = published.astimezone(config.zone)
    updated = max(entry.updated.astimezone(config.zone), published) if entry.updated else published
    section, tags = _section_and_tags(entry.categories, spec, config)
    summary = clean_summary(entry.summary_html, entry.base) if entry.content_html else ""
    messages: list[tuple[int, str]] = []
    if entry.unread_date:
        reason = f"date {entry.unread_date!r} is no RFC 822 or RFC 3339 time"
        messages.append((0, f"{reason}; the item is dated when it was first seen"))
    if len(tags) > config.max_tags:
        messages.append((0, f"{len(tags)} tags; the first {config.max_tags} are kept"))
        tags = tags[: config.max_tags]
    article = Article(
        location=Location(entry.link or spec.feed, 0),
        slug=_slug(entry, spec),
        id=f"{feed_prefix(spec.feed)}#{entry.key}",
        title=title,
        published=published,
        updated=updated,
        section=section,
        section_slug=name_slug(section),
        url=entry.link or (entry.key if _is_web(entry.key) else f"{home}#{quote(entry.key)}"),
        authors=tuple(one_line(a) for a in entry.authors if one_line(a)),
        summary=one_line(summary),
        image=_image(entry, content.image),
        tags=tags,
        related=tuple(links[_page(url)] for url in content.related if _page(url) in links),
        key_lines=NO_LINES,  # messages name the item's URL alone
    )
    body = clean_text(content.markdown)
    # The words of the text, not of its markup: every item's inline links and images would
    # otherwise share "href", "src" and the site's own host name with every other item.
    terms = article_terms(title, article.summary, html_to_text(body))
    return (_fields(article), terms, tuple(messages), ()), body


def _section_and_tags(
    categories: tuple[str, ...], spec: SourceSpec, config: Config
) -> tuple[str, tuple[str, ...]]:
    """The first real category as section (else the source's default), the rest as tags."""
    names = [one_line(c) for c in categories]
    real = [n for n in dict.fromkeys(names) if n and n.casefold() not in NO_SECTION]
    real = [n for n in real if name_slug(n)]
    if real:
        return real[0], tuple(real[1:])
    return spec.section or config.default_section, ()


def _image(entry: Entry, found: Media | None) -> Image | None:
    """The feed's own image of the item (media, enclosure), else the content's first."""
    for media in (*entry.images, *([found] if found else [])):
        if _is_web(media.url):
            alt = one_line(html_to_text(media.alt))
            return Image(media.url, alt, one_line(html_to_text(media.credit)))
    return None


def _page(url: str) -> str:
    """What tells two links to one page apart from links elsewhere: host and path."""
    parts = urlsplit(url)
    return f"{parts.netloc.lower()}{parts.path.rstrip('/')}?{parts.query}"


def _is_web(url: str) -> bool:
    return urlsplit(url).scheme in ("http", "https")


def _title_from(markdown: str) -> str:
    """A title for an item without one (a micro-post): the start of its text."""
    text = html_to_text(markdown.split("\n\n", 1)[0]).replace("\\", "")
    words = text.split()
    return " ".join(words[:12]) + ("…" if len(words) > 12 else "")


def _slug(entry: Entry, spec: SourceSpec) -> str:
    """A slug that says where the item is from and what it is, made unique by its id."""
    source = slugify(spec.name or urlsplit(spec.feed).netloc)[:30].strip("-") or "feed"
    path = urlsplit(entry.link).path.rstrip("/").rpartition("/")[2] if entry.link else ""
    words = slugify(path.rsplit(".", 1)[0])[:MAX_SLUG_WORDS].strip("-")
    mark = hashlib.blake2b(f"{feed_prefix(spec.feed)}#{entry.key}".encode(), digest_size=3)
    return "-".join(part for part in (source, words, mark.hexdigest()) if part)
