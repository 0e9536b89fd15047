"""RSS 2.0 and Atom 1.0 (via feedgen) and JSON Feed 1.1; returns {path: bytes}."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

import jinja2
from feedgen.feed import FeedGenerator

from . import __version__
from .config import Config
from .models import Story

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
GENERATOR_URI = "https://pypi.org/project/digest/"


@dataclass(frozen=True)
class Feed:
    """One feed to write: where, what it is called, and its stories (newest first)."""

    folder: str  # "" for the site, "sections/world/" for a section
    title: str
    stories: tuple[Story, ...]


def item_id(story: Story, config: Config) -> str:
    """A tag: URI (RFC 4151) that depends only on the authority and the article's id."""
    return f"tag:{config.authority},2026:{story.article.id}"


def feed_date(stories: Sequence[Story]) -> datetime:
    """The newest `updated` among the items; never the clock."""
    return max((s.article.updated for s in stories), default=EPOCH)


def summary(story: Story) -> str:
    """Standfirst, then the lead quote with its speaker."""
    parts = [story.standfirst] if story.standfirst else []
    if story.lead_quote:
        quote = f"“{story.lead_quote.text}”"
        if story.lead_quote.speaker:
            quote += f" — {story.lead_quote.speaker}"
        parts.append(quote)
    return " ".join(parts)


def _feedgen(feed: Feed, config: Config, env: jinja2.Environment, name: str) -> FeedGenerator:
    base = config.base_url + feed.folder
    generator = FeedGenerator()
    generator.load_extension("dc", atom=False, rss=True)
    generator.id(base + "atom.xml")
    generator.title(feed.title)
    generator.subtitle(config.tagline or feed.title)
    generator.link(href=base + name, rel="self")
    generator.link(href=config.base_url, rel="alternate")
    generator.language(config.language)
    generator.generator("digest", __version__, GENERATOR_URI)
    generator.updated(feed_date(feed.stories))
    content = env.get_template("feed_item.html")
    for story in feed.stories:
        article = story.article
        entry = generator.add_entry(order="append")
        entry.id(item_id(story, config))
        entry.guid(item_id(story, config), permalink=False)
        entry.title(article.title)
        entry.link(href=article.url, rel="alternate")
        entry.published(article.published)
        entry.updated(article.updated)
        for author in article.authors:
            entry.author(name=author)
            entry.dc.dc_creator(author)
        entry.category(term=article.section, label=article.section)
        for tag in article.tags:
            entry.category(term=tag, label=tag)
        entry.summary(summary(story))
        entry.content(content.render(story=story), type="CDATA")
    return generator


def _json_feed(feed: Feed, config: Config, env: jinja2.Environment) -> bytes:
    content = env.get_template("feed_item.html")
    items = []
    for story in feed.stories:
        article = story.article
        item: dict[str, object] = {
            "id": item_id(story, config),
            "url": article.url,
            "title": article.title,
            "content_html": content.render(story=story),
            "summary": summary(story),
            "date_published": article.published.isoformat(),
            "date_modified": article.updated.isoformat(),
            "tags": [article.section, *article.tags],
        }
        if article.authors:
            item["authors"] = [{"name": name} for name in article.authors]
        if article.image:
            item["image"] = article.image.url
        item["_digest"] = {
            "about": "https://pypi.org/project/digest/",
            "section": article.section,
            "lead_quote": story.lead_quote.text if story.lead_quote else None,
            "lead_quote_by": story.lead_quote.speaker if story.lead_quote else None,
            "related": [{"title": r.title, "url": r.url} for r in story.related],
        }
        items.append(item)
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed.title,
        "home_page_url": config.base_url,
        "feed_url": config.base_url + feed.folder + "feed.json",
        "description": config.tagline,
        "language": config.language,
        "items": items,
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def render_feeds(
    stories: Sequence[Story], *, config: Config, env: jinja2.Environment
) -> dict[str, bytes]:
    """Site-wide and per-section feeds in three formats; `stories` newest first."""
    limit = config.feed_limit
    feeds = [Feed("", config.title, tuple(stories[:limit]))]
    sections: dict[str, list[Story]] = {}
    for story in stories:
        sections.setdefault(story.article.section_slug, []).append(story)
    for slug, members in sorted(sections.items()):
        title = f"{config.title}: {members[0].article.section}"
        feeds.append(Feed(f"sections/{slug}/", title, tuple(members[:limit])))
    files = {}
    for feed in feeds:
        atom = _feedgen(feed, config, env, "atom.xml")
        files[feed.folder + "atom.xml"] = atom.atom_str(pretty=True)
        files[feed.folder + "rss.xml"] = _feedgen(feed, config, env, "rss.xml").rss_str(pretty=True)
        files[feed.folder + "feed.json"] = _json_feed(feed, config, env)
    return files
