"""Site-wide, per-section and per-tag feeds in RSS 2.0, Atom 1.0 and JSON Feed 1.1.

`render_feeds` returns {path: bytes}. Each story is turned into one `FeedItem` (see
feed_model.py) and every feed it belongs to is written from that same item in all three
formats, so the formats cannot disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

import jinja2

from digest.config import Config
from digest.errors import RenderError
from digest.feeds.json_feed import json_document
from digest.feeds.model import feed_item, make_feed, uri
from digest.feeds.rss_atom import atom_document, rss_document
from digest.incremental.memo import NO_MEMO, Memo, repr_key
from digest.incremental.workers import parallel_map
from digest.models import Article, Story
from digest.sections import newest_first
from digest.sources.articles import name_slug
from digest.templates import templates_fingerprint

STYLESHEET = "feed.xsl"

PARALLEL_MIN_FEEDS = 8
"""Fewer feeds to render than this are rendered in this process: forking would not pay."""


def feed_folders(article: Article, *, tag_feeds: bool) -> dict[str, str]:
    """Folder → label of every feed `article` is in: the site's, its section's, its tags'.

    The site's label is ""; a tag whose name has no letters or digits has no feed.
    """
    folders = {"": "", f"sections/{article.section_slug}/": article.section}
    if tag_feeds:
        for tag in article.tags:
            slug = name_slug(tag)
            if slug:
                folders.setdefault(f"tags/{slug}/", tag)
    return folders


def feed_articles(live: Sequence[Article], *, config: Config) -> list[Article]:
    """The articles some feed shows: the newest `feeds.limit` of each feed, newest first.

    `live` is in `newest_first` order already (an archive is not sorted twice).
    """
    counts: dict[str, int] = {}
    chosen = []
    for article in live:
        shown = False
        for folder in feed_folders(article, tag_feeds=config.tag_feeds):
            if counts.get(folder, 0) < config.feed_limit:
                counts[folder] = counts.get(folder, 0) + 1
                shown = True
        if shown:
            chosen.append(article)
    return chosen


def stylesheet_href(config: Config) -> str:
    """Where feeds find `feed.xsl`: from the site's root path, so it works on any host."""
    return uri(urlsplit(config.base_url).path + STYLESHEET)


def render_feeds(
    stories: Sequence[Story],
    *,
    config: Config,
    env: jinja2.Environment,
    memo: Memo = NO_MEMO,
) -> dict[str, bytes]:
    """Every feed in three formats, plus `feed.xsl`; each feed newest first, ties by slug.

    Each feed is rendered once for `memo` (a memo of files) while its stories, the
    configuration and the templates stay the same.
    """
    ordered = newest_first(stories)
    members: dict[str, list[Story]] = {"": []}
    labels: dict[str, str] = {}
    for story in ordered:
        for folder, label in feed_folders(story.article, tag_feeds=config.tag_feeds).items():
            members.setdefault(folder, []).append(story)
            labels.setdefault(folder, label)
    calls = [
        (folder, labels.get(folder, ""), members[folder][: config.feed_limit])
        for folder in sorted(members)
    ]
    templates = templates_fingerprint(env)
    keys = [repr_key(*call, config, templates) for call in calls]
    files: dict[str, bytes] = {}
    missing = []
    for index, key in enumerate(keys):
        found = None if key is None else memo.get(key)
        if found is None:
            missing.append(index)
        else:
            files |= found
    env.get_template("feed_item.html")  # compiled once, before any worker process starts
    rendered = parallel_map(
        lambda index: render_feed(*calls[index], config=config, env=env),
        missing,
        min_share=PARALLEL_MIN_FEEDS // 2,
    )
    for index, made in zip(missing, rendered, strict=True):
        key = keys[index]
        if key is not None:
            memo.put(key, made)
        files |= made
    files[STYLESHEET] = _stylesheet(env)
    return files


def render_feed(
    folder: str, label: str, stories: Sequence[Story], *, config: Config, env: jinja2.Environment
) -> dict[str, bytes]:
    """One feed (the site's, a section's or a tag's) in RSS, Atom and JSON Feed."""
    template = env.get_template("feed_item.html")
    items = [feed_item(story, config=config, template=template) for story in stories]
    feed = make_feed(folder, label, items, config=config)
    href = stylesheet_href(config)
    return {
        folder + "rss.xml": rss_document(feed, stylesheet=href),
        folder + "atom.xml": atom_document(feed, stylesheet=href),
        folder + "feed.json": json_document(feed),
    }


def _stylesheet(env: jinja2.Environment) -> bytes:
    """`feed.xsl` as it is, not rendered: a template folder may replace it like any other."""
    if env.loader is None:
        raise RenderError(f"cannot find {STYLESHEET}: the template environment has no loader")
    source, _, _ = env.loader.get_source(env, STYLESHEET)
    return source.encode("utf-8")
