"""Property-based tests over the parser and every renderer.

For arbitrary titles, bodies and front-matter values a build either reports a clean
article problem (`path:line: message`) or publishes outputs that parse: well-formed XML,
valid JSON, a parseable MIME message when one is written, and HTML in which the text
came through escaped (it reads back exactly, and adds no element or handler).
"""

from __future__ import annotations

import email
import email.policy
import json
import tempfile
from dataclasses import replace
from datetime import UTC
from pathlib import Path
from typing import Any

import lxml.html
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree

from digest.config import Config
from digest.feeds.model import item_id, xml_text
from digest.models import Article
from digest.pipeline import build
from digest.sources.articles import parse_article
from tests.conftest import NOW

SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ATOM = "{http://www.w3.org/2005/Atom}"

# Pieces that matter to Markdown, HTML, XML, YAML, JSON, email and the quote finder.
TRICKY = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[a](javascript:alert(1))",
    "<a href='javascript:x'>", "]]>", "<![CDATA[", "<!--", "-->", "&amp;", "&", "<", ">",
    "\"", "'", "“", "”", "«", "»", "„", "\u2018", "\u2019", " said the mayor.", "\n\n", "\n",
    "\r\n", "\r", "\t", "\x00", "\x0b", "\x1b", "\x7f", "\x85", "\u2028", "\ufeff", "\ufffe", "---",
    "# ", "> ", "* ", "`", "```\n", "|", "{{ config }}", "{% raw %}", "%s", "=?utf-8?q?x?=",
    "Subject: x", "Bcc: a@b.c", "😀", "\u202e", "ـ", "\U0010fffd",
]  # fmt: skip

pieces = st.one_of(st.text(max_size=30), st.sampled_from(TRICKY))
texts = st.lists(pieces, max_size=8).map("".join)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    texts,
    st.dates(),
    st.datetimes(timezones=st.just(UTC)),
)
yaml_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=2)
    ),
    max_leaves=6,
)
TEXT_KEYS = [
    "author", "summary", "image", "image_alt", "image_credit", "tags", "related", "lead_quote",
    "lead_quote_by", "id", "unknown_key",
]  # fmt: skip
ANY_KEYS = [*TEXT_KEYS, "updated", "slug", "draft", "expires"]


def write(folder: Path, name: str, meta: dict[str, Any], body: str) -> None:
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
    (folder / f"{name}.md").write_bytes(f"---\n{front}---\n{body}".encode("utf-8", "surrogatepass"))


def read_back_html(fragment: str) -> lxml.html.HtmlElement:
    """Parse HTML and check it carries nothing that runs."""
    document = lxml.html.fromstring(f"<div>{fragment}</div>")
    for element in document.iter():
        if isinstance(element.tag, str):
            assert element.tag not in {"script", "iframe", "object", "embed"}
            assert not any(name.startswith("on") for name in element.attrib)
            for name in ("href", "src"):
                url = element.get(name)
                assert url is None or url.startswith(("http://", "https://", "mailto:"))
    return document


def check_outputs(out: Path, published: Article | None, *, in_digest: bool, config: Config) -> None:
    """Every output parses; the article's text reads back exactly where it appears."""
    files = {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    for name, content in files.items():
        if name.endswith(".xml"):
            etree.fromstring(content)
        elif name.endswith(".json"):
            json.loads(content)
        elif name.endswith(".eml"):
            message = email.message_from_bytes(content, policy=email.policy.default)
            assert not message.defects
            assert "\n" not in str(message["Subject"])
    digest_html = read_back_html(files["digest.html"].decode())
    if published is None:
        return
    title = xml_text(published.title)  # feeds also drop characters XML discourages
    feed = json.loads(files["feed.json"])
    (item,) = [i for i in feed["items"] if i["id"] == item_id(published.id, config)]
    assert item["title"] == title
    read_back_html(item["content_html"])
    atom = etree.fromstring(files["atom.xml"])
    assert title in [e.findtext(f"{ATOM}title") for e in atom.iter(f"{ATOM}entry")]
    rss = etree.fromstring(files["rss.xml"])
    assert title in [e.findtext("title") for e in rss.iter("item")]
    if in_digest:
        headlines = [a.text_content() for a in digest_html.cssselect(".headline a")]
        assert published.title in headlines


@SETTINGS
@given(
    title=st.one_of(texts, texts.map("Headline {}".format)),
    section=st.one_of(texts, texts.map("Section {}".format)),
    body=texts,
    text_values=st.dictionaries(st.sampled_from(TEXT_KEYS), texts, max_size=6),
    any_values=st.dictionaries(st.sampled_from(ANY_KEYS), yaml_values, max_size=1),
)
def test_any_article_is_published_intact_or_refused_cleanly(
    title: str,
    section: str,
    body: str,
    text_values: dict[str, str],
    any_values: dict[str, Any],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        articles = root / "articles"
        articles.mkdir()
        write(articles, "anchor", {"title": "Anchor", "date": "2026-11-26", "section": "A"}, "")
        meta = {"title": title, "date": "2026-11-26T09:00:00Z", "section": section}
        meta |= text_values | any_values
        write(articles, "probe", meta, body)
        config = replace(Config(), articles=articles, output=root / "out")
        result = build(config, now=NOW)
        for problem in (*result.collection.problems, *result.warnings):
            assert problem.line >= 1 and problem.message
            assert str(problem).startswith(f"{problem.path}:{problem.line}: ")
        probes = [
            a for a in result.collection.articles if Path(a.location.where).name == "probe.md"
        ]
        refused = [p for p in result.collection.problems if Path(p.path).name == "probe.md"]
        assert len(probes) + len(refused) == 1
        ids = {
            item["id"] for item in json.loads((config.output / "feed.json").read_text())["items"]
        }
        live = probes and item_id(probes[0].id, config) in ids
        published = probes[0] if live else None
        in_digest = bool(result.issue and published and published.id in result.issue.ids)
        check_outputs(config.output, published, in_digest=in_digest, config=config)


front_pieces = st.one_of(
    st.text(max_size=20),
    st.sampled_from([
        "title: ", "date: ", "section: ", "slug: ", "tags: ", "\n", "  ", "- ", ": ", "&a ",
        "*a", "<<: ", "!!python/object/apply:os.system ['true']", "!!binary ", "!!set ", "[",
        "]", "{", "}", "'", "\"", "#", "2026-13-45", "2026-11-26T09:00:00Z", "9" * 5000,
        "1e999", ".nan", "~", "---", "...", "\t", "\x00", "\x85", "%YAML 1.1", "? ",
    ]),
)  # fmt: skip


@settings(max_examples=100, deadline=None)
@given(front=st.lists(front_pieces, max_size=12).map("".join), body=texts)
@example(front="\r0:\r0", body="")  # old Mac line ends: the error is on line 5
def test_the_parser_never_crashes(front: str, body: str) -> None:
    text = f"---\n{front}\n---\n{body}"
    article, problems = parse_article(text, path=Path("a.md"), config=Config())
    lines = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    if article is None:
        assert problems
    for problem in problems:
        assert 1 <= problem.line <= lines and problem.message
