"""Article → Story: safe HTML body, standfirst, lead quote and related links."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt

from digest.enrich.quotes import Parsed, extract_lead_quote
from digest.enrich.related import related_links
from digest.errors import Problem
from digest.incremental.memo import NO_MEMO, Memo, plain_key
from digest.incremental.workers import shared
from digest.models import Article, LeadQuote, RelatedLink, Story
from digest.sanitise import clean, html_to_text
from digest.sources.articles import load_bodies
from digest.sources.base import Source

Rendered = tuple[str, str, tuple[str, str | None, str | None] | None]
"""What an article's own text yields, in plain values for a memo: body HTML, standfirst
and lead quote (text, speaker, source)."""
RelatedMemo = tuple[dict[str, tuple[RelatedLink, ...]], tuple[tuple[str, int, str], ...]]
"""What choosing related links gave, in values for a memo: links by id, and warnings
as (path, line, message)."""

FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)
STANDFIRST_LIMIT = 280
PARALLEL_MIN_STORIES = 100
"""Fewer stories to render than this are rendered in this process: forking would not pay."""


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")


def body_html(article: Article) -> str:
    """The Markdown body as sanitised HTML with every URL made absolute."""
    return _render(article)[0]


def _render(article: Article) -> tuple[str, Parsed]:
    """`body_html`, and the parsed body it was rendered from."""
    if article.body is None:
        raise ValueError(f"{article.slug}: body not loaded; see articles.load_bodies")
    markdown = _markdown()
    env: dict[str, Any] = {}
    tokens = markdown.parse(article.body, env)
    rendered = markdown.renderer.render(tokens, markdown.options, env)
    return _sanitised(rendered, article), (tokens, env)


def _sanitised(rendered: str, article: Article) -> str:
    """Rendered body HTML made safe, with every URL made absolute against the article's."""
    return clean(rendered, article.url, link_rel="noopener").strip()


plain_text = html_to_text  # HTML fragment → its text, whitespace collapsed


def shorten(text: str, limit: int = STANDFIRST_LIMIT) -> str:
    """Cut at a word boundary and mark the cut with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:—–- ")  # noqa: RUF001
    return cut + "…"


def standfirst(article: Article, rendered: str) -> str:
    """The front-matter summary, else the first paragraph of the body, shortened."""
    if article.summary:
        return article.summary
    for paragraph in FIRST_PARAGRAPH.findall(rendered):
        text = plain_text(paragraph)
        if text:
            return shorten(text)
    return ""


def prepare_stories(
    targets: Sequence[Article],
    archive: Sequence[Article],
    *,
    source: Source,
    related_limit: int,
    related_newer: bool = False,
    unpublished: Collection[str] = frozenset(),
    bodies_memo: Memo = NO_MEMO,
    links_memo: Memo = NO_MEMO,
) -> tuple[dict[str, Story], list[Problem]]:
    """Render each target article into a Story, keyed by id; warnings alongside.

    Bodies are read from `source` (`load_bodies`) only for targets that need rendering.
    A target whose item is unchanged (see `Article.revision`) is rendered once for
    `bodies_memo`, and related links are chosen once for `links_memo` while reading gives
    the same for every archive item (see `Article.read_since`).
    """
    keys = {a.id: plain_key(a.slug, a.revision) for a in targets if a.revision is not None}
    parts: dict[str, Rendered] = {}
    for id_, key in keys.items():
        found = bodies_memo.get(key)
        if found is not None:
            parts[id_] = found
    missing = [article for article in targets if article.id not in parts]
    render = partial(_load_and_render, source)
    with shared(render, missing, min_share=PARALLEL_MIN_STORIES // 2) as bodies:
        # While a worker starts on the bodies, related links are chosen here.
        links, warnings = _related(
            targets, archive, (related_limit, related_newer), unpublished, links_memo
        )
        rendered = bodies.results()
    for article, values in zip(missing, rendered, strict=True):
        parts[article.id] = values
        if article.id in keys:
            bodies_memo.put(keys[article.id], values)
    stories = {}
    for article in targets:
        html_body, standfirst_text, quote = parts[article.id]
        stories[article.id] = Story(
            article=article,
            body_html=html_body,
            standfirst=standfirst_text,
            lead_quote=LeadQuote(*quote) if quote else None,
            related=links.get(article.id, ()),
        )
    return stories, warnings


def _related(
    targets: Sequence[Article],
    archive: Sequence[Article],
    options: tuple[int, bool],
    unpublished: Collection[str],
    memo: Memo,
) -> tuple[dict[str, tuple[RelatedLink, ...]], list[Problem]]:
    """`related_links`, memoised by its options, targets and what reading gave each archive
    item (`Article.read_since`): an edit deep in a body keeps the links chosen before."""
    reads = [article.read_since for article in archive]
    key = None
    if all(read is not None for read in reads):
        call = (options, sorted(unpublished), [article.id for article in targets])
        key = plain_key(call, reads)
        found: RelatedMemo | None = memo.get(key)
        if found is not None:
            links, warned = found
            return links, [Problem(Path(path), line, text) for path, line, text in warned]
    limit, newer = options
    links, warnings = related_links(
        targets, archive, limit=limit, allow_newer=newer, unpublished=unpublished
    )
    if key is not None:
        memo.put(key, (links, tuple((str(p.path), p.line, p.message) for p in warnings)))
    return links, warnings


def _load_and_render(source: Source, article: Article) -> Rendered:
    return render_body(load_bodies([article], source)[0])


def render_body(article: Article) -> Rendered:
    """Body HTML, standfirst and lead quote of an article whose body is loaded."""
    html_body, parsed = _render(article)
    quote = article.quote_override or extract_lead_quote(article.body or "", parsed=parsed)
    quote_values = (quote.text, quote.speaker, quote.source) if quote else None
    return html_body, standfirst(article, html_body), quote_values
