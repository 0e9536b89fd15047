# ruff: noqa: RUF001
"""Feeds as sources: parsing the publishers' shapes, items as articles, `[[sources]]`,
`digest build URL`, the last good copy, conditional GET, and deterministic outputs."""

from __future__ import annotations

import json
import os
import pickle
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from digest.cli import cli
from digest.config import Config, SourceSpec, parse_config
from digest.errors import ConfigError
from digest.models import Image
from digest.pipeline import build
from digest.sources.base import RECORDED_FIELDS
from digest.sources.feed import FeedError, parse_feed
from digest.sources.items import read_items
from digest.sources.many import open_sources
from digest.sources.remote import STORE
from tests.conftest import NOW, NOW_TEXT
from tests.feed_server import Server, feed_answer, feed_server, fixture

SHAPES = {
    "wordpress.xml": "https://courier.example/feed/",
    "ghost.xml": "https://ledger.example/rss/",
    "substack.xml": "https://columnthree.example/feed",
    "medium.xml": "https://medium.example/@adaquill/feed",
    "atom.xml": "https://notes.example/blog/atom.xml",
    "jsonfeed.json": "https://nightdesk.example/feed.json",
}


def _articles(name: str, **spec: str) -> list[dict[str, object]]:
    url = SHAPES[name]
    feed = parse_feed(fixture(name), url)
    items = read_items(feed, SourceSpec(feed=url, **spec), Config())  # type: ignore[arg-type]
    found = []
    for item in items:
        fields = item.record[0]
        assert fields is not None, item.record[2]
        found.append({**dict(zip(RECORDED_FIELDS, fields[1:], strict=True)), "body": item.body})
    return found


# --- parsing the shapes publishers write ------------------------------------------------------


def test_wordpress_item_becomes_an_article_as_a_local_file_would() -> None:
    ferry, school = _articles("wordpress.xml")
    assert ferry["title"] == "Ferry fares to rise ‘modestly’ in spring, Q&A with the board"
    assert ferry["url"] == "https://courier.example/2026/11/26/ferry-fares-to-rise/"
    assert ferry["id"] == "courier.example/feed/#https://courier.example/?p=1412"
    assert ferry["section"] == "Transport"
    assert ferry["tags"] == ("ferries", "harbour board")
    assert ferry["authors"] == ("Mara Lindqvist",)  # dc:creator
    assert ferry["summary"] == (
        "The harbour board will raise ferry fares by a few percent from March, its chair "
        "told the council on Wednesday."
    )  # no "[…]", no "The post … appeared first on …"
    assert ferry["image"] == Image(
        "https://courier.example/wp-content/uploads/2026/11/ferry.jpg",
        "The morning ferry leaving the harbour",
        "Photo: Jonas Berg",
    )
    body = str(ferry["body"])
    for gone in ("script", "iframe", "form", "pixel.wp.com", "appeared first on", "Related"):
        assert gone not in body
    # The "Related posts" block links to another item of the feed, and elsewhere: only the
    # item is kept, as the editor's related link.
    assert ferry["related"] == ("https://courier.example/2026/11/20/island-school-reopens/",)
    assert school["section"] == "News"  # "Uncategorized" is no section: the default is used
    assert "Read More" not in str(school["body"])
    assert "https://courier.example/wp-content/uploads/2026/11/school.jpg" in str(school["body"])


def test_a_sources_default_section_is_used_for_items_without_a_real_category() -> None:
    _, school = _articles("wordpress.xml", section="Islands")
    assert school["section"] == "Islands"


def test_ghost_substack_and_medium_shapes() -> None:
    mill, bridge = _articles("ghost.xml")
    assert mill["image"] == Image("https://ledger.example/content/images/2026/11/mill.jpg")
    assert mill["section"] == "Economy" and mill["tags"] == ("Labour",)
    assert "<cite>Dario Costa, union steward</cite>" in str(mill["body"])  # a pull quote's credit
    assert bridge["authors"] == ("Priya Nair", "Sam Ortiz")
    (budget,) = _articles("substack.xml")
    assert budget["image"] == Image("https://substackcdn.example/image/fetch/w_1200/budget.jpg")
    assert budget["summary"] == "What the 400 pages say about buses, parks and the pension fund"
    assert "Subscribe now" not in str(budget["body"]) and "<form" not in str(budget["body"])
    (library,) = _articles("medium.xml")
    assert library["title"] == "Why our library kept its late fees & what happened next"
    assert library["tags"] == ("local-government",) and library["section"] == "libraries"
    body = str(library["body"])
    assert "_/stat" not in body  # the 1x1 counter
    assert not body.startswith("<h3>")  # the title, repeated as the first heading
    assert library["image"] == Image(
        "https://cdn-images.medium.example/max/1024/1*shelves.jpeg",
        "",
        "Shelves at the branch library",
    )


def test_atom_relative_urls_resolve_against_xml_base_and_titles_decode_once() -> None:
    salt, plain = _articles("atom.xml")
    assert salt["url"] == "https://notes.example/blog/posts/2026/salt-and-pepper/"
    assert salt["title"] == "Salt & pepper: two markets merge"  # type="html": markup gone
    assert plain["title"] == "Plain <b> is text"  # type="text": as written
    body = str(salt["body"])
    assert 'src="https://notes.example/blog/posts/2026/img/square.jpg"' in body
    assert 'href="https://notes.example/blog/about/"' in body
    assert salt["section"] == "Markets" and salt["tags"] == ("food",)
    assert 'href="https://notes.example/blog/rel/"' in str(plain["body"])


def test_rss_title_entities_are_decoded_exactly_once() -> None:
    """An RSS title is HTML text (WordPress writes "Q&#038;A", Medium "&amp;" in CDATA):
    after XML, its entities are decoded once, and what that gives is never decoded again."""
    feed = fixture("wordpress.xml").replace(
        b"Island school reopens after the storm</title>",
        b"Fish &amp;amp; chips, I &amp;lt;3 &amp;amp;lt;b&amp;amp;gt;</title>",
        1,
    )
    parsed = parse_feed(feed, SHAPES["wordpress.xml"])
    assert parsed.entries[1].title == "Fish & chips, I <3 &lt;b&gt;"


def test_json_feed() -> None:
    power, trains = _articles("jsonfeed.json")
    assert power["section"] == "Utilities" and power["tags"] == ("east side",)
    assert power["authors"] == ("Rui Tanaka",)
    assert power["image"] == Image("https://nightdesk.example/img/substation.jpg")
    assert str(power["published"]) == "2026-11-25 04:50:00+00:00"
    assert trains["url"] == "https://nightdesk.example/2026/11/23/late-trains/"
    assert trains["authors"] == ("Night Desk staff",)  # the feed's authors
    assert trains["body"] == "Signal work caused most of the delays.\n\nIt ends on Sunday."


def test_rss_1_0() -> None:
    rdf = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
 <channel rdf:about="https://old.example/"><title>Old Site</title><link>https://old.example/</link>
  <description>d</description></channel>
 <item rdf:about="https://old.example/a"><title>An RDF story</title>
  <link>https://old.example/a</link><description>Told in RSS 1.0.</description>
  <dc:date>2026-11-20T10:00:00Z</dc:date><dc:subject>History</dc:subject>
  <dc:creator>Eve Stone</dc:creator></item>
</rdf:RDF>"""
    (entry,) = parse_feed(rdf, "https://old.example/index.rdf").entries
    assert (entry.key, entry.title, entry.categories, entry.authors) == (
        "https://old.example/a",
        "An RDF story",
        ("History",),
        ("Eve Stone",),
    )


def test_a_retitled_or_redated_item_keeps_its_id_and_an_item_without_guid_gets_one() -> None:
    url = SHAPES["wordpress.xml"]
    first = read_items(parse_feed(fixture("wordpress.xml"), url), SourceSpec(feed=url), Config())
    changed = (
        fixture("wordpress.xml")
        .replace(b"Island school reopens after the storm</title>", b"School reopens</title>")
        .replace(b"Fri, 20 Nov 2026 15:05:00", b"Sat, 21 Nov 2026 08:00:00")
        .replace(b'<guid isPermaLink="false">https://courier.example/?p=1412</guid>', b"")
    )
    again = read_items(parse_feed(changed, url), SourceSpec(feed=url), Config())
    ids = [item.record[0][2] for item in again if item.record[0]]
    assert ids[1] == first[1].record[0][2]
    assert first[1].revision != again[1].revision
    assert ids[0] == f"courier.example/feed/#{again[0].where}"  # from its link


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<!DOCTYPE html><html><body><p>Hello</p></body></html>", "HTML page"),
        (b"<html><head><title>x</title></head><body>Hi &nbsp; there<br></body></html>", "HTML"),
        (b"just some text", "not a feed"),
        (b'{"hello": "world"}', "not a JSON Feed"),
        (b"<catalog><book/></catalog>", "not a feed"),
        (
            b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<rss><channel><title>&x;</title></channel></rss>",
            "entities",
        ),
    ],
)
def test_what_is_not_a_feed_is_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(FeedError, match=reason):
        parse_feed(data, "https://x.example/feed")


def test_an_item_without_a_date_is_skipped_with_a_reason_the_others_kept() -> None:
    feed = fixture("ghost.xml").replace(b"<pubDate>Tue, 24 Nov 2026 08:00:00 GMT</pubDate>", b"")
    feed = feed.replace(b"<lastBuildDate>Wed, 25 Nov 2026 18:00:00 GMT</lastBuildDate>", b"")
    url = SHAPES["ghost.xml"]
    mill, bridge = read_items(parse_feed(feed, url), SourceSpec(feed=url), Config())
    assert mill.record[0] is not None
    assert bridge.record[0] is None and "no date" in bridge.record[2][0][1]


# --- building from feeds ------------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[Server]:
    with feed_server() as running:
        for name in SHAPES:
            running.routes[f"/{name}"] = feed_answer(fixture(name))
        yield running


def _config(tmp_path: Path, *urls: str, folder: Path | None = None, **fetch: object) -> Config:
    tables: list[dict[str, object]] = [{"feed": url} for url in urls]
    if folder is not None:
        tables.append({"folder": str(folder)})
    data: dict[str, object] = {"sources": tables, "site": {"base_url": "https://digest.example/"}}
    data["build"] = {"output": str(tmp_path / "out")}
    if fetch:
        data["fetch"] = fetch
    return parse_config(data)


def _outputs(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and ".digest" not in path.parts
    }


def test_digest_build_url_builds_from_a_feed(server: Server, tmp_path: Path) -> None:
    out = tmp_path / "out"
    url = server.url("/wordpress.xml")
    result = CliRunner().invoke(cli, ["build", url, "--out", str(out), "--now", NOW_TEXT])
    assert result.exit_code == 0, result.output
    digest_html = (out / "digest.html").read_text(encoding="utf-8")
    assert "Ferry fares to rise ‘modestly’ in spring" in digest_html
    assert "https://courier.example/2026/11/26/ferry-fares-to-rise/" in digest_html
    # The lead quote is found in the feed's content as in a local body, with its speaker.
    assert "We have held prices for three winters" in digest_html
    assert "Ines Okafor" in digest_html
    for never in ("pixel.wp.com", "appeared first on", "<script", "<iframe", "<form", "Read More"):
        for name in ("digest.html", "rss.xml", "atom.xml", "feed.json"):
            assert never not in (out / name).read_text(encoding="utf-8"), (never, name)
    assert server.seen[0].headers["User-Agent"].startswith("digest/")


def test_feeds_and_a_folder_together_ids_never_collide(
    server: Server, tmp_path: Path, articles_dir: Path, write_article: object
) -> None:
    write_article("local-story", title="A local story", date="2026-11-26T08:00:00Z")  # type: ignore[operator]
    same = server.url("/wordpress.xml")
    copy = fixture("wordpress.xml").replace(b"<link>https://courier.", b"<link>https://copy.")
    server.routes["/copy.xml"] = feed_answer(copy)  # the same GUIDs again, other pages
    config = _config(
        tmp_path, same, server.url("/copy.xml"), server.url("/atom.xml"), folder=articles_dir
    )
    result = build(config, now=NOW)
    assert not result.collection.problems
    ids = [article.id for article in result.collection.articles]
    assert len(ids) == len(set(ids)) == 2 + 2 + 2 + 1
    assert "local-story" in ids


def test_a_failing_source_keeps_its_last_good_copy_and_never_loses_anothers(
    server: Server, tmp_path: Path
) -> None:
    wordpress, ghost = server.url("/wordpress.xml"), server.url("/ghost.xml")
    config = _config(tmp_path, wordpress, ghost)
    first = build(config, now=NOW)
    assert len(first.collection.articles) == 4
    store = sorted((config.output / STORE).iterdir())

    def broken(handler: object) -> None:
        handler.send(500, b"oops", "text/plain")  # type: ignore[attr-defined]

    server.routes["/wordpress.xml"] = broken
    again = build(config, now=NOW, refresh=True)
    warnings = [str(w) for w in again.warnings]
    assert any(
        w.startswith(wordpress) and "HTTP 500" in w and "last good copy" in w for w in warnings
    )
    assert again.replayed  # the same copy: the same build
    assert "Ferry fares" in (config.output / "digest.html").read_text(encoding="utf-8")
    copies = [p for p in sorted((config.output / STORE).iterdir()) if p.suffix == ".feed"]
    assert copies == [p for p in store if p.suffix == ".feed"]


def test_a_feed_with_no_copy_yet_that_fails_leaves_the_others(
    server: Server, tmp_path: Path
) -> None:
    config = _config(tmp_path, server.url("/missing.xml"), server.url("/ghost.xml"))
    result = build(config, now=NOW)
    assert len(result.collection.articles) == 2
    (warning,) = [str(w) for w in result.warnings if "missing.xml" in str(w)]
    assert "HTTP 404" in warning and "no copy of it yet" in warning


def test_a_304_or_the_same_bytes_changes_and_rewrites_nothing(
    server: Server, tmp_path: Path
) -> None:
    url = server.url("/wordpress.xml")
    config = _config(tmp_path, url)
    build(config, now=NOW)
    before = {
        p: (p.read_bytes(), p.stat().st_mtime_ns) for p in config.output.rglob("*") if p.is_file()
    }
    state = next((config.output / STORE).glob("*.json"))
    again = build(config, now=NOW, refresh=True)
    assert server.seen[-1].headers.get("If-None-Match")  # asked conditionally: 304
    assert again.replayed
    after = {
        p: (p.read_bytes(), p.stat().st_mtime_ns) for p in config.output.rglob("*") if p.is_file()
    }
    assert {p: v for p, v in after.items() if p != state} == {
        p: v for p, v in before.items() if p != state
    }
    assert after[state][0] == before[state][0]  # the state is touched (the time of the check)
    server.routes["/wordpress.xml"] = feed_answer(fixture("wordpress.xml"), etag='"other"')
    third = build(config, now=NOW, refresh=True)  # a 200 with the very same bytes
    assert third.replayed
    assert sorted(p.name for p in (config.output / STORE).iterdir()) == sorted(
        p.name for p in before if STORE in str(p)
    )


def test_a_feed_is_fetched_at_most_once_per_refresh(server: Server, tmp_path: Path) -> None:
    config = _config(tmp_path, server.url("/ghost.xml"))
    build(config, now=NOW)
    build(config, now=NOW)
    assert len(server.seen) == 1
    build(config, now=NOW, refresh=True)
    assert len(server.seen) == 2
    state = next((config.output / STORE).glob("*.json"))
    old = time.time() - 16 * 60
    os.utime(state, (old, old))  # checked 16 minutes ago: the 15 minutes are past
    build(config, now=NOW)
    assert len(server.seen) == 3


def test_a_new_item_in_the_feed_is_built(server: Server, tmp_path: Path) -> None:
    config = _config(tmp_path, server.url("/ghost.xml"))
    build(config, now=NOW)
    newer = fixture("ghost.xml").replace(
        b"Bridge closes for two nights of repairs", b"Bridge reopens early"
    )
    server.routes["/ghost.xml"] = feed_answer(newer)
    result = build(config, now=NOW, refresh=True)
    assert not result.replayed
    assert "Bridge reopens early" in (config.output / "rss.xml").read_text(encoding="utf-8")
    assert len(list((config.output / STORE).glob("*.feed"))) == 1  # the old copy is gone


def test_two_builds_of_the_same_fetched_content_are_byte_identical(
    server: Server, tmp_path: Path
) -> None:
    urls = [server.url(f"/{name}") for name in SHAPES]
    one = _config(tmp_path / "one", *urls)
    two = _config(tmp_path / "two", *urls)
    build(one, now=NOW)
    build(two, now=NOW)
    assert _outputs(one.output) == _outputs(two.output)
    (one.output / ".digest" / "cache" / "last-build.pickle").unlink()
    build(one, now=NOW, refresh=True)  # warm: the cache, every feed answering 304
    assert _outputs(one.output) == _outputs(two.output)


def test_failing_longer_than_the_limit_is_an_error_strict_makes_fatal(
    server: Server, tmp_path: Path
) -> None:
    url = server.url("/ghost.xml")
    config = _config(tmp_path, url)
    build(config, now=NOW)
    server.routes["/ghost.xml"] = lambda handler: handler.send(503, b"", "text/plain")
    build(config, now=NOW, refresh=True)
    state_path = next((config.output / STORE).glob("*.json"))
    state = json.loads(state_path.read_text())
    state["failing_since"] -= 4 * 86_400
    state_path.write_text(json.dumps(state))
    relaxed = build(config, now=NOW, refresh=True)
    assert any("longer than fetch.failing_limit (3d)" in str(w) for w in relaxed.warnings)
    toml = tmp_path / "digest.toml"
    toml.write_text(f'[build]\noutput = "{config.output}"\n[[sources]]\nfeed = "{url}"\n')
    strict = CliRunner().invoke(
        cli, ["build", "--config", str(toml), "--now", NOW_TEXT, "--strict"]
    )
    assert strict.exit_code == 1
    assert "longer than fetch.failing_limit" in strict.output
    assert "Traceback" not in strict.output


def test_a_dry_run_fetches_but_keeps_nothing(server: Server, tmp_path: Path) -> None:
    config = _config(tmp_path, server.url("/ghost.xml"))
    result = build(config, now=NOW, dry_run=True)
    assert len(result.collection.articles) == 2
    assert not (config.output / STORE).exists()


def test_digest_check_reads_feeds_too(server: Server) -> None:
    result = CliRunner().invoke(cli, ["check", server.url("/substack.xml")])
    assert result.exit_code == 0, result.output
    assert "checked 1 articles" in result.output


def test_sources_open_as_one_source_with_the_folders_own_names_when_alone(
    articles_dir: Path, write_article: object
) -> None:
    write_article("only")  # type: ignore[operator]
    alone = open_sources(Config(articles=articles_dir))
    assert [name for name, _ in alone.items()] == ["only.md"]  # the cache's names as before


def test_sources_pickle_for_workers_without_their_listing(
    articles_dir: Path, write_article: object
) -> None:
    for number in range(50):
        write_article(f"a{number}")  # type: ignore[operator]
    config = Config(articles=articles_dir)
    source = open_sources(config)
    unlisted = len(pickle.dumps(source.read))
    assert len(source.items()) == 50
    assert len(pickle.dumps(source.read)) == unlisted  # the listing stays in this process
    copy = pickle.loads(pickle.dumps(source.read))
    assert copy("a7.md", config) == source.read("a7.md", config)
    assert len(source.items()) == 50  # and this process still has it


# --- configuration -------------------------------------------------------------------------


def test_sources_tables_are_read_and_checked() -> None:
    config = parse_config(
        {
            "sources": [
                {"folder": "posts", "section": "News"},
                {"feed": "https://c.example/feed/", "name": "C", "refresh": "1h"},
            ]
        }
    )
    folder, feed = config.sources
    assert folder.folder == Path("posts") and folder.section == "News"
    assert feed.name == "C" and feed.refresh.total_seconds() == 3600
    with pytest.raises(ConfigError) as raised:
        parse_config(
            {
                "sources": [
                    {"feed": "ftp://c.example/feed/"},
                    {"folder": "a", "feed": "https://c.example/"},
                    {"name": "nothing"},
                    {"feed": "https://c.example/", "colour": "red"},
                ]
            }
        )
    text = str(raised.value)
    assert "[[sources]] number 1: 'feed' must be an absolute http(s) URL" in text
    assert "[[sources]] number 2: give either 'folder' or 'feed'" in text
    assert "[[sources]] number 3: give either 'folder' or 'feed'" in text
    assert "[[sources]] number 4: unknown key 'colour'" in text
    with pytest.raises(ConfigError, match=re.escape("either 'build.articles' or [[sources]]")):
        parse_config({"build": {"articles": "a"}, "sources": [{"folder": "b"}]})


def test_a_feed_articles_slug_says_where_it_is_from() -> None:
    (budget,) = _articles("substack.xml")
    assert re.fullmatch(
        r"columnthree-example-the-budget-nobody-read-[0-9a-f]{6}", str(budget["slug"])
    )


def test_a_lost_copy_is_fetched_again(server: Server, tmp_path: Path) -> None:
    config = _config(tmp_path, server.url("/ghost.xml"))
    build(config, now=NOW)
    for copy in (config.output / STORE).glob("*.feed"):
        copy.unlink()
    result = build(config, now=NOW)  # within `refresh`, but there is nothing to read
    assert len(server.seen) == 2 and result.live == 2
    assert len(list((config.output / STORE).glob("*.feed"))) == 1


def test_an_items_revision_follows_what_reading_it_gives() -> None:
    """A "Related posts" link counts only to an item of the feed: when that item leaves the
    feed, the linking item reads differently, and its revision says so."""
    url = SHAPES["wordpress.xml"]
    both = read_items(parse_feed(fixture("wordpress.xml"), url), SourceSpec(feed=url), Config())
    text = fixture("wordpress.xml")
    alone = text[: text.index(b"\t<item>", text.index(b"</item>"))] + b"</channel></rss>"
    (ferry,) = read_items(parse_feed(alone, url), SourceSpec(feed=url), Config())
    assert ferry.record[0] is not None and both[0].record[0] is not None
    assert ferry.record[0][1 + RECORDED_FIELDS.index("related")] == ()
    assert ferry.revision != both[0].revision


def test_related_links_point_across_sources(
    server: Server, tmp_path: Path, articles_dir: Path, write_article: object
) -> None:
    write_article(  # type: ignore[operator]
        "fares-debate",
        title="Islanders debate the ferry fares",
        date="2026-11-26T12:00:00Z",
        section="Transport",
        tags=["ferries", "harbour board"],
        body="The harbour board and the ferry fares were debated by islanders.\n",
    )
    config = _config(tmp_path, server.url("/wordpress.xml"), folder=articles_dir)
    build(config, now=NOW)
    rss = (config.output / "rss.xml").read_text(encoding="utf-8")
    local = rss[rss.index("<title>Islanders debate the ferry fares</title>") :]
    local = local[: local.index("</item>")]
    assert 'href="https://courier.example/2026/11/26/ferry-fares-to-rise/"' in local


def test_an_rss_title_that_looks_like_markup_is_written_with_hex_references(
    server: Server, tmp_path: Path
) -> None:
    config = _config(tmp_path, server.url("/atom.xml"))
    build(config, now=NOW)
    rss = (config.output / "rss.xml").read_text(encoding="utf-8")
    assert "<title>Plain &#x3C;b&gt; is text</title>" in rss
    assert "&lt;b&gt;" not in rss.split("<content:encoded>")[0]


def _rendered(content: str) -> str:
    from datetime import UTC, datetime

    from digest.enrich.stories import body_html
    from digest.models import Article, Location
    from digest.sources.feed_html import clean_content

    moment = datetime(2026, 11, 26, tzinfo=UTC)
    article = Article(
        location=Location("https://x.example/a/", 0),
        slug="a",
        id="a",
        title="A",
        published=moment,
        updated=moment,
        section="News",
        section_slug="news",
        url="https://x.example/a/",
        body=clean_content(content, "https://x.example/a/").markdown,
    )
    return body_html(article)


def test_a_feed_body_renders_as_its_sanitised_html() -> None:
    """The Markdown written for an item's content renders to the content, sanitised:
    what Markdown would read as its own syntax in the text is escaped."""
    content = (
        "<p>Stars *and* _underscores_, [brackets](x), `ticks`, a \\ and &amp; &lt;tag&gt;.</p>"
        "<p># not a heading</p><p>12. not a list</p><p>- nor this</p><p>&gt; nor a quote</p>"
        "<pre>line one\n\nline three *not em*</pre><ul><li>One</li><li>Two <em>em</em></li></ul>"
        'loose <strong>text</strong> and <a href="/rel">a link</a><p>Line<br>break</p>'
    )
    assert _rendered(content) == (
        "<p>Stars *and* _underscores_, [brackets](x), `ticks`, a \\ and &amp; &lt;tag&gt;.</p>\n"
        "<p># not a heading</p>\n<p>12. not a list</p>\n<p>- nor this</p>\n"
        "<p>&gt; nor a quote</p>\n<pre>line one\n\nline three *not em*</pre>\n"
        "<ul><li>One</li><li>Two <em>em</em></li></ul>\n"
        '<p>loose <strong>text</strong> and <a href="https://x.example/rel" rel="noopener">'
        "a link</a></p>\n<p>Line<br>break</p>"
    )


@given(st.text(alphabet="ab #*_`[]()!<>&\\-+=.1|~:\n", min_size=1, max_size=40))
def test_any_paragraph_text_survives_as_text(text: str) -> None:
    import html

    from digest.enrich.stories import plain_text

    shown = plain_text(_rendered(f"<p>{html.escape(text)}</p>"))
    assert shown == " ".join(text.split())


def test_an_item_given_twice_is_reported_by_its_url_alone(server: Server, tmp_path: Path) -> None:
    text = fixture("ghost.xml")
    start, end = text.index(b"<item>"), text.index(b"</item>") + len(b"</item>")
    server.routes["/twice.xml"] = feed_answer(text[:end] + text[start:end] + text[end:])
    result = build(_config(tmp_path, server.url("/twice.xml")), now=NOW)
    (problem,) = result.collection.problems
    assert str(problem).startswith("https://ledger.example/mill-workers-vote/: duplicate ")
    assert str(problem).endswith(
        "(also https://ledger.example/mill-workers-vote/); the first is kept"
    )
    assert len(result.collection.articles) == 2


RSS_091 = b"""<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
 "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Old News</title><link>https://old.example/</link>
<description>An old feed</description><language>en</language>
ITEMS</channel></rss>"""
CAFE = b"""<item><title>Caf\xe9 opens&nbsp;today</title><link>https://old.example/cafe</link>
<description>The caf\xe9 on the quay opens its doors.</description></item>"""
MILL = b"""<item><title>Mill sold</title><link>https://old.example/mill</link>
<description>The old mill has a new owner.</description></item>"""


def test_rss_0_91_items_without_dates_are_dated_when_first_seen(
    server: Server, tmp_path: Path
) -> None:
    server.routes["/old.rss"] = feed_answer(RSS_091.replace(b"ITEMS", CAFE))
    config = _config(tmp_path, server.url("/old.rss"))
    started = time.time()
    (cafe,) = build(config, now=NOW).collection.articles
    assert cafe.title == "Café opens\xa0today"
    assert started - 1 <= cafe.published.timestamp() <= time.time() + 1
    server.routes["/old.rss"] = feed_answer(RSS_091.replace(b"ITEMS", MILL + CAFE))
    time.sleep(1.1)
    again = build(config, now=NOW, refresh=True).collection.articles
    dates = {article.title: article.published for article in again}
    assert dates["Café opens\xa0today"] == cafe.published  # the first sighting stands
    assert dates["Mill sold"] > cafe.published


def test_a_feed_that_is_not_well_formed_is_read_as_far_as_it_goes(
    server: Server, tmp_path: Path
) -> None:
    title = b"<title><![CDATA[Bridge closes for two nights of repairs]]></title>"
    broken = fixture("ghost.xml").replace(title, b"<title>Bridge & tunnel close</title>")
    server.routes["/broken.xml"] = feed_answer(broken)
    result = build(_config(tmp_path, server.url("/broken.xml")), now=NOW)
    assert len(result.collection.articles) == 2
    (warning,) = [str(w) for w in result.warnings if "well-formed" in str(w)]
    assert warning == (
        f"{server.url('/broken.xml')}: the feed is not well-formed "
        "XML (line 1: xmlParseEntityRef: no name); read what could be read"
    )


def test_a_link_that_is_not_http_never_becomes_a_url() -> None:
    hostile = (
        fixture("ghost.xml")
        .replace(
            b"<link>https://ledger.example/mill-workers-vote/</link>",
            b"<link>javascript:alert(1)</link>",
        )
        .replace(
            b'url="https://ledger.example/content/images/2026/11/mill.jpg"',
            b'url="data:image/png;base64,AA"',
        )
    )
    url = SHAPES["ghost.xml"]
    mill = read_items(parse_feed(hostile, url), SourceSpec(feed=url), Config())[0]
    assert mill.record[0] is not None
    fields = dict(zip(RECORDED_FIELDS, mill.record[0][1:], strict=True))
    assert fields["url"] == "https://ledger.example/#6745a1f0c2d3e4f5a6b7c8d9"  # the site's
    assert mill.where == url
    assert fields["image"] == Image(
        "https://ledger.example/content/images/2026/11/mill.jpg", "Workers outside the mill gate"
    )  # the content's image: the media:content one was no http(s) URL
