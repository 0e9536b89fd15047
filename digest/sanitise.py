"""The allow-list every body passes, local or fetched: the tags, attributes and URLs kept.

Stories are rendered through it (enrich/stories.py), and a feed item's content is cleaned
with it before it becomes a body (sources/feed_html.py): no script, iframe, form or style
reaches an output from either.
"""

from __future__ import annotations

from collections.abc import Set
from html import unescape
from urllib.parse import urljoin, urlsplit

import nh3

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
URL_SCHEMES = {"http", "https", "mailto"}


def clean(
    fragment: str, base: str, *, tags: Set[str] = ALLOWED_TAGS, link_rel: str | None = None
) -> str:
    """`fragment` through the allow-list (`tags` for its tags), every URL made absolute
    against `base` and any that is then not http(s) or mailto dropped."""

    def absolute(tag: str, attribute: str, value: str) -> str | None:
        if (tag, attribute) not in URL_ATTRIBUTES:
            return value
        url = urljoin(base, value.strip())
        return url if urlsplit(url).scheme in URL_SCHEMES else None

    return nh3.clean(
        fragment,
        tags=set(tags),
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        attribute_filter=absolute,
        link_rel=link_rel,
    )


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment: markup gone, entities decoded once, whitespace
    collapsed."""
    return " ".join(unescape(nh3.clean(fragment, tags=set())).split())
