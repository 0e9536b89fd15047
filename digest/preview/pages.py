"""The preview server's own pages: the index and a readable view of each feed.

These pages are rendered per request and never written into the output folder. Feeds
are read back from the built files (RSS, Atom or JSON Feed), so the view shows what a
feed reader would get.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import jinja2
import nh3
from lxml import etree
from markupsafe import Markup

FEED_NAMES = {"rss.xml": "RSS", "atom.xml": "Atom", "feed.json": "JSON Feed"}
ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
STATUS_PATH = "/__digest__/status"
FEED_VIEW_PATH = "/__digest__/feed/"


class FeedReadError(ValueError):
    """A built feed could not be read back for display."""


@dataclass(frozen=True)
class FeedItem:
    """One entry of a feed, as the feed view shows it."""

    title: str
    link: str
    published: str
    categories: tuple[str, ...]
    summary: str
    content_html: str  # cleaned with nh3


@dataclass(frozen=True)
class FeedView:
    """A feed read back from the output folder."""

    path: str
    kind: str
    title: str
    subtitle: str
    items: tuple[FeedItem, ...]


@dataclass(frozen=True)
class FeedLinks:
    """The feeds of one scope (the whole site, a section, a tag), by kind."""

    scope: str
    feeds: tuple[tuple[str, str], ...]  # (kind, path)


@dataclass(frozen=True)
class IndexPage:
    """Everything the index page shows."""

    site_title: str
    generation: int
    built_at: str
    error: str
    summary: str
    problems: tuple[str, ...]
    not_shown: tuple[str, ...]  # drafts, embargoed and expired articles
    has_digest: bool
    extras: tuple[tuple[str, str], ...]  # (label, path) of other outputs that exist
    feeds: tuple[FeedLinks, ...]


def _text(element: etree._Element | None) -> str:
    return "" if element is None else "".join(element.itertext()).strip()


def _clean(html: str) -> str:
    return nh3.clean(html)


def _summary_text(html: str) -> str:
    """A summary that may hold markup, as plain text."""
    if "<" not in html:
        return html.strip()
    return " ".join(nh3.clean(html, tags=set()).split())


def _rss(root: etree._Element, path: str) -> FeedView:
    channel = root.find("channel")
    if channel is None:
        raise FeedReadError("an RSS file with no <channel>")
    items = tuple(
        FeedItem(
            title=_text(item.find("title")),
            link=_text(item.find("link")),
            published=_text(item.find("pubDate")),
            categories=tuple(_text(c) for c in item.findall("category")),
            summary=_summary_text(_text(item.find("description"))),
            content_html=_clean(_text(item.find(CONTENT))),
        )
        for item in channel.findall("item")
    )
    return FeedView(
        path, "RSS", _text(channel.find("title")), _text(channel.find("description")), items
    )


def _atom_link(entry: etree._Element) -> str:
    for link in entry.findall(f"{ATOM}link"):
        if link.get("rel", "alternate") == "alternate":
            return str(link.get("href", ""))
    return ""


def _atom(root: etree._Element, path: str) -> FeedView:
    items = tuple(
        FeedItem(
            title=_text(entry.find(f"{ATOM}title")),
            link=_atom_link(entry),
            published=_text(entry.find(f"{ATOM}published")) or _text(entry.find(f"{ATOM}updated")),
            categories=tuple(c.get("term", "") for c in entry.findall(f"{ATOM}category")),
            summary=_summary_text(_text(entry.find(f"{ATOM}summary"))),
            content_html=_clean(_text(entry.find(f"{ATOM}content"))),
        )
        for entry in root.findall(f"{ATOM}entry")
    )
    return FeedView(
        path, "Atom", _text(root.find(f"{ATOM}title")), _text(root.find(f"{ATOM}subtitle")), items
    )


def _json_feed(data: object, path: str) -> FeedView:
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise FeedReadError("a JSON file that is not a JSON Feed (no 'items' list)")
    items = tuple(
        FeedItem(
            title=str(item.get("title", "")),
            link=str(item.get("url", "")),
            published=str(item.get("date_published", "")),
            categories=tuple(str(tag) for tag in item.get("tags", [])),
            summary=_summary_text(str(item.get("summary", ""))),
            content_html=_clean(str(item.get("content_html", ""))),
        )
        for item in data["items"]
        if isinstance(item, dict)
    )
    title, subtitle = str(data.get("title", "")), str(data.get("description", ""))
    return FeedView(path, "JSON Feed", title, subtitle, items)


def read_feed(content: bytes, path: str) -> FeedView:
    """Parse a built feed (RSS 2.0, Atom 1.0 or JSON Feed) for the feed view."""
    if path.endswith(".json"):
        try:
            return _json_feed(json.loads(content), path)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise FeedReadError(f"not valid JSON: {error}") from None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as error:
        raise FeedReadError(f"not well-formed XML: {error}") from None
    if root.tag == "rss":
        return _rss(root, path)
    if root.tag == f"{ATOM}feed":
        return _atom(root, path)
    raise FeedReadError(f"neither RSS nor Atom: the root element is <{root.tag}>")


def find_feeds(out: Path) -> tuple[FeedLinks, ...]:
    """Every feed in the output folder, grouped by scope: the whole site first."""
    scopes: dict[str, list[tuple[str, str]]] = {}
    for path in sorted(out.rglob("*")):
        if path.name in FEED_NAMES and path.is_file():
            relative = PurePosixPath(path.relative_to(out).as_posix())
            if any(part.startswith(".") for part in relative.parts):
                continue
            scope = (
                "All sections" if relative.parent == PurePosixPath(".") else str(relative.parent)
            )
            scopes.setdefault(scope, []).append((FEED_NAMES[path.name], str(relative)))
    order = sorted(scopes, key=lambda scope: (scope != "All sections", scope))
    return tuple(FeedLinks(scope, tuple(sorted(scopes[scope]))) for scope in order)


STYLE = """
:root { color-scheme: light dark; --line: #8884; --muted: #777; }
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 24px 40px; }
header { display: flex; flex-wrap: wrap; gap: 8px 24px; align-items: baseline;
         border-bottom: 1px solid var(--line); padding: 12px 0; }
header h1 { font-size: 18px; margin: 0; }
nav a { margin-right: 14px; }
.muted { color: var(--muted); }
.alert { background: #b3261e; color: #fff; padding: 10px 14px; border-radius: 6px;
         white-space: pre-wrap; font-family: ui-monospace, monospace; margin: 12px 0; }
.views { display: flex; gap: 24px; align-items: flex-start; margin-top: 16px; overflow-x: auto; }
.views figure { margin: 0; }
.views figcaption { font-size: 13px; color: var(--muted); margin-bottom: 4px; }
iframe { border: 1px solid var(--line); border-radius: 6px; background: #fff; height: 80vh; }
#desktop { width: 600px; } #phone { width: 375px; }
.side { min-width: 220px; max-width: 320px; }
.side h2 { font-size: 14px; margin: 0 0 6px; text-transform: uppercase; letter-spacing: .04em; }
.side ul { list-style: none; padding: 0; margin: 0 0 18px; }
.side li { margin: 4px 0; }
pre.problems { font-size: 12px; white-space: pre-wrap; }
article.item { border-top: 1px solid var(--line); padding: 10px 0; max-width: 760px; }
article.item h2 { font-size: 17px; margin: 0 0 2px; }
.content img { max-width: 100%; height: auto; }
"""

INDEX = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Preview: {{ page.site_title }}</title><style>{{ style }}</style></head>
<body data-generation="{{ page.generation }}">
<header>
  <h1>{{ page.site_title }} <span class="muted">preview</span></h1>
  <span id="status" class="muted">build {{ page.generation }} at {{ page.built_at }}
    {%- if page.summary %} · {{ page.summary }}{% endif %}</span>
  <nav>
    {% if page.has_digest %}<a href="/digest.html">Digest (HTML)</a>{% endif %}
    {% for label, path in page.extras %}<a href="/{{ path }}">{{ label }}</a>{% endfor %}
  </nav>
</header>
{% if page.error %}<div class="alert" role="alert" id="error">{{ page.error }}</div>{% endif %}
<div class="views">
  {% if page.has_digest %}
  <figure><figcaption>Desktop · 600 px</figcaption>
    <iframe id="desktop" src="/digest.html" title="The digest at desktop width"></iframe></figure>
  <figure><figcaption>Phone · 375 px</figcaption>
    <iframe id="phone" src="/digest.html" title="The digest at phone width"></iframe></figure>
  {% else %}
  <p id="no-digest">No digest yet: nothing was published in the digest window.
    The feeds below still hold the newest stories.</p>
  {% endif %}
  <div class="side">
    <h2>Feeds</h2>
    {% for group in page.feeds %}
    <ul><li><strong>{{ group.scope }}</strong></li>
      {% for kind, path in group.feeds %}
      <li><a href="{{ feed_view }}{{ path }}">{{ kind }}</a>
        <span class="muted">(<a href="/{{ path }}">raw</a>)</span></li>
      {% endfor %}
    </ul>
    {% else %}<p class="muted">No feeds were built.</p>
    {% endfor %}
    {% if page.not_shown %}
    <h2>Not published</h2>
    <ul>{% for line in page.not_shown %}<li class="muted">{{ line }}</li>{% endfor %}</ul>
    {% endif %}
    {% if page.problems %}
    <h2>{{ page.problems | length }} problem{{ "s" if page.problems | length != 1 }}</h2>
    <pre class="problems">{{ page.problems | join("\n") }}</pre>
    {% endif %}
  </div>
</div>
<script>
(() => {
  const shown = document.body.dataset.generation;
  const keep = (id) => {
    const frame = document.getElementById(id);
    if (!frame) return;
    const key = "digest-scroll-" + id;
    frame.addEventListener("load", () => {
      const view = frame.contentWindow;
      view.scrollTo(0, Number(sessionStorage.getItem(key) || 0));
      view.addEventListener("scroll", () => sessionStorage.setItem(key, view.scrollY));
    });
  };
  keep("desktop"); keep("phone");
  const poll = async () => {
    try {
      const status = await (await fetch("{{ status_path }}", {cache: "no-store"})).json();
      if (String(status.generation) !== shown) { location.reload(); return; }
    } catch (error) {
      document.getElementById("status").textContent = "preview server stopped";
    }
    setTimeout(poll, {{ poll_ms }});
  };
  setTimeout(poll, {{ poll_ms }});
})();
</script>
</body></html>
"""

FEED = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ feed.kind }}: {{ feed.title }}</title><style>{{ style }}</style></head>
<body>
<header>
  <h1>{{ feed.title }} <span class="muted">{{ feed.kind }} · {{ feed.path }}</span></h1>
  <nav><a href="/">← Preview</a><a href="/{{ feed.path }}">Raw file</a></nav>
</header>
{% if feed.subtitle %}<p class="muted">{{ feed.subtitle }}</p>{% endif %}
<p>{{ feed.items | length }} item{{ "s" if feed.items | length != 1 }},
  as a feed reader gets them.</p>
{% for item in feed.items %}
<article class="item">
  <h2><a href="{{ item.link }}">{{ item.title }}</a></h2>
  <div class="muted">{{ item.published }}
    {%- if item.categories %} · {{ item.categories | join(", ") }}{% endif %}</div>
  {% if item.summary %}<p>{{ item.summary }}</p>{% endif %}
  {% if item.content_html %}
  <details><summary>Full content</summary>
    <div class="content">{{ item.content_html | safe }}</div></details>
  {% endif %}
</article>
{% endfor %}
</body></html>
"""

PAGES = jinja2.Environment(
    loader=jinja2.DictLoader({"index.html": INDEX, "feed.html": FEED}),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_index(page: IndexPage, *, poll_ms: int) -> str:
    """The preview's index page; it polls the status and reloads after each build."""
    return PAGES.get_template("index.html").render(
        page=page,
        style=Markup(STYLE),
        status_path=STATUS_PATH,
        feed_view=FEED_VIEW_PATH,
        poll_ms=poll_ms,
    )


def render_feed(feed: FeedView) -> str:
    """A feed as a readable page."""
    return PAGES.get_template("feed.html").render(feed=feed, style=Markup(STYLE))


def extras(out: Path) -> tuple[tuple[str, str], ...]:
    """The other outputs worth a link, where they exist."""
    candidates: Sequence[tuple[str, str]] = (
        ("Plain text", "digest.txt"),
        ("Email message (.eml)", "digest.eml"),
        ("Archive", "archive/index.html"),
    )
    return tuple((label, path) for label, path in candidates if (out / path).is_file())
