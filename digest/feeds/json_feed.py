"""JSON Feed 1.1 documents from the feed model (https://www.jsonfeed.org/version/1.1/).

What JSON Feed has no field for (image alt text and credit, the lead quote, related links
and why they were chosen) goes in the `_digest` extension object of each item.
"""

from __future__ import annotations

import json
from typing import Any

from digest import __version__
from digest.feeds.model import GENERATOR_NAME, GENERATOR_URI, Feed, FeedItem

VERSION = "https://jsonfeed.org/version/1.1"


def json_document(feed: Feed) -> bytes:
    """`feed.json`: the feed as JSON Feed 1.1, compact UTF-8, keys in a fixed order."""
    document: dict[str, Any] = {
        "version": VERSION,
        "title": feed.title,
        "home_page_url": feed.home_url,
        "feed_url": feed.url("feed.json"),
    }
    if feed.subtitle:
        document["description"] = feed.subtitle
    if feed.icon:
        document["icon"] = feed.icon
        document["favicon"] = feed.icon
    document["language"] = feed.language
    document["_digest"] = {
        "about": GENERATOR_URI,
        "generator": f"{GENERATOR_NAME} {__version__}",
        "updated": feed.updated.isoformat(),
    }
    document["items"] = [_item(item) for item in feed.items]
    compact = json.dumps(document, ensure_ascii=False, separators=(",", ":"))  # C encoder
    return (compact + "\n").encode("utf-8")


def _item(item: FeedItem) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": item.id,
        "url": item.url,
        "title": item.title,
        "content_html": item.content_html,
        "summary": item.summary,
    }
    if item.image:
        entry["image"] = item.image.url
    entry["date_published"] = item.published.isoformat()
    entry["date_modified"] = item.updated.isoformat()
    entry["authors"] = [
        {"name": name, "url": f"mailto:{address}"} if address else {"name": name}
        for name, address in item.authors
    ]
    entry["tags"] = list(dict.fromkeys(category.term for category in item.categories))
    quote = item.lead_quote
    entry["_digest"] = {
        "about": GENERATOR_URI,
        "section": item.section,
        "image": {"url": item.image.url, "alt": item.image.alt, "credit": item.image.credit}
        if item.image
        else None,
        "lead_quote": {"text": quote.text, "speaker": quote.speaker, "source": quote.source}
        if quote
        else None,
        "related": [
            {"title": link.title, "url": link.url, "section": link.section, "reason": link.reason}
            for link in item.related
        ],
    }
    return entry
