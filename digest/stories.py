"""Article → Story: safe HTML body, standfirst, lead quote and related links."""

from __future__ import annotations

import html
import re
from collections.abc import Collection, Sequence
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

import nh3
from markdown_it import MarkdownIt

from .errors import Problem
from .models import Article, Story
from .quotes import extract_lead_quote
from .related import related_links

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "figcaption",
    "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "li", "ol", "p", "pre", "q",
    "s", "small", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
URL_ATTRIBUTES = {("a", "href"), ("img", "src")}
FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)
STANDFIRST_LIMIT = 280


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")


def body_html(article: Article) -> str:
    """The Markdown body as sanitised HTML with every URL made absolute."""

    def absolute(tag: str, attribute: str, value: str) -> str | None:
        if (tag, attribute) not in URL_ATTRIBUTES:
            return value
        url = urljoin(article.url, value.strip())
        return url if urlsplit(url).scheme in ("http", "https", "mailto") else None

    rendered = _markdown().render(article.body)
    return nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        attribute_filter=absolute,
        link_rel="noopener",
    ).strip()


def plain_text(fragment: str) -> str:
    """HTML fragment → its text, whitespace collapsed."""
    text = html.unescape(nh3.clean(fragment, tags=set()))
    return " ".join(text.split())


def shorten(text: str, limit: int = STANDFIRST_LIMIT) -> str:
    """Cut at a word boundary and mark the cut with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:—–- ")
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
    related_limit: int,
    unpublished: Collection[str] = frozenset(),
) -> tuple[dict[str, Story], list[Problem]]:
    """Render each target article into a Story, keyed by slug; warnings alongside."""
    links, warnings = related_links(
        targets, archive, limit=related_limit, unpublished=unpublished
    )
    stories = {}
    for article in targets:
        rendered = body_html(article)
        stories[article.slug] = Story(
            article=article,
            body_html=rendered,
            standfirst=standfirst(article, rendered),
            lead_quote=article.quote_override or extract_lead_quote(article.body),
            related=links.get(article.slug, ()),
        )
    return stories, warnings
