"""`digest preview` against a running server: a real HTTP client, a real browser, Ctrl-C."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from markupsafe import escape

from digest.config import load_config
from digest.preview import Preview, changed_paths, snapshot
from digest.preview_pages import FeedReadError, read_feed
from tests.conftest import NOW, NOW_TEXT, ROOT, ArticleWriter

CONFIG = """\
[site]
title = "Test Times"
base_url = "https://news.example.org/"

[build]
articles = "articles"
output = "public"
"""


def fetch(url: str) -> tuple[int, str, str]:
    """Status, content type and text of a GET; HTTP errors are returned, not raised."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


def wait_for(condition: Callable[[], bool], *, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the preview")
        time.sleep(0.02)


@pytest.fixture
def newsroom(tmp_path: Path, write_article: ArticleWriter) -> Path:
    """A config file next to an articles folder with two stories."""
    config = tmp_path / "digest.toml"
    config.write_text(CONFIG, encoding="utf-8")
    write_article("harbour", title="Harbour bridge reopens", body='"It is open," said the mayor.\n')
    write_article("market", title="Fish market moves indoors", section="Business")
    return config


@pytest.fixture
def start_preview(newsroom: Path) -> Iterator[Callable[..., Preview]]:
    started: list[Preview] = []

    def start(**options: Any) -> Preview:
        options.setdefault("out", newsroom.parent / "public")
        preview = Preview(
            lambda: load_config(newsroom), config_path=newsroom, now=NOW, interval=0.05, **options
        )
        preview.start()
        started.append(preview)
        return preview

    yield start
    for preview in started:
        preview.stop()


def generation(preview: Preview) -> int:
    outcome = preview.outcome
    return outcome.generation if outcome else 0


def test_serves_the_build_on_localhost_with_an_index(start_preview: Callable[..., Preview]) -> None:
    preview = start_preview()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", preview.url)
    status, kind, page = fetch(preview.url)
    assert status == 200 and kind == "text/html; charset=utf-8"
    assert "<title>Preview: Test Times</title>" in page
    assert page.count('src="/digest.html"') == 2  # desktop and phone views
    assert 'id="desktop"' in page and 'id="phone"' in page
    assert 'href="/digest.txt"' in page
    for feed in ("rss.xml", "atom.xml", "feed.json", "sections/business/rss.xml"):
        assert f'href="/__digest__/feed/{feed}"' in page
    assert 'href="/archive/index.html">Archive</a>' in page
    status, kind, text = fetch(preview.url + "digest.txt")
    assert status == 200 and kind == "text/plain; charset=utf-8"
    assert "Harbour bridge reopens" in text
    assert fetch(preview.url + "archive/index.html")[0] == 200
    assert not (preview.out / "index.html").exists()  # the index is never written


def test_says_so_when_there_is_no_digest(
    start_preview: Callable[..., Preview], write_article: ArticleWriter
) -> None:
    write_article("harbour", date="2026-10-01T09:00:00Z")
    write_article("market", date="2026-10-02T09:00:00Z")
    page = fetch(start_preview().url)[2]
    assert '<p id="no-digest">No digest yet' in page
    assert 'src="/digest.html"' not in page
    assert 'href="/__digest__/feed/rss.xml"' in page  # the feeds still hold them


@pytest.mark.parametrize("feed", ["rss.xml", "atom.xml", "feed.json", "sections/world/atom.xml"])
def test_feeds_render_readably(start_preview: Callable[..., Preview], feed: str) -> None:
    preview = start_preview()
    status, kind, page = fetch(preview.url + "__digest__/feed/" + feed)
    assert status == 200 and kind == "text/html; charset=utf-8"
    assert '<a href="https://news.example.org/world/harbour/">Harbour bridge reopens</a>' in page
    assert ("Fish market moves indoors" in page) == (not feed.startswith("sections/"))
    assert "<summary>Full content</summary>" in page


@pytest.mark.parametrize(
    "name", ["nothing.xml", "digest.html", "../digest.toml", "%2e%2e/x/rss.xml"]
)
def test_feed_view_refuses_what_is_not_a_feed(
    start_preview: Callable[..., Preview], name: str
) -> None:
    assert fetch(start_preview().url + "__digest__/feed/" + name)[0] == 404


def test_read_feed_rejects_what_it_cannot_show() -> None:
    with pytest.raises(FeedReadError, match="neither RSS nor Atom"):
        read_feed(b"<html/>", "rss.xml")
    with pytest.raises(FeedReadError, match="not well-formed"):
        read_feed(b"<rss>", "rss.xml")
    with pytest.raises(FeedReadError, match="not a JSON Feed"):
        read_feed(b"[]", "feed.json")


def test_rebuilds_after_an_article_is_edited(
    start_preview: Callable[..., Preview], write_article: ArticleWriter
) -> None:
    preview = start_preview()
    assert json.loads(fetch(preview.url + "__digest__/status")[2]) == {
        "generation": 1,
        "error": "",
    }
    write_article("harbour", title="Harbour bridge reopens to lorries")
    wait_for(lambda: generation(preview) == 2)
    outcome = preview.outcome
    assert outcome is not None and outcome.changed[0].endswith("articles/harbour.md")
    assert json.loads(fetch(preview.url + "__digest__/status")[2])["generation"] == 2
    assert "Harbour bridge reopens to lorries" in fetch(preview.url + "digest.html")[2]
    assert "Harbour bridge reopens to lorries" in fetch(preview.url + "__digest__/feed/rss.xml")[2]


@pytest.mark.parametrize("template", ["digest.html", "feed_item.html"])
def test_a_build_error_is_shown_and_the_server_keeps_serving(
    start_preview: Callable[..., Preview], newsroom: Path, template: str
) -> None:
    preview = start_preview()
    templates = newsroom.parent / "mine"
    templates.mkdir()
    (templates / template).write_text("{% if %}\n", encoding="utf-8")
    newsroom.write_text(CONFIG + 'templates = "mine"\n', encoding="utf-8")
    wait_for(lambda: generation(preview) == 2)
    error = json.loads(fetch(preview.url + "__digest__/status")[2])["error"]
    assert error.startswith(f"{templates / template}:1: ")
    assert error.endswith("; fix the template")
    page = fetch(preview.url)[2]
    assert '<div class="alert" role="alert" id="error">' in page
    assert "Harbour bridge reopens" in fetch(preview.url + "digest.html")[2]  # last good build
    (templates / template).unlink()  # now the watched templates folder changes
    wait_for(lambda: generation(preview) == 3)
    assert json.loads(fetch(preview.url + "__digest__/status")[2])["error"] == ""
    assert 'role="alert"' not in fetch(preview.url)[2]


def test_a_config_mistake_is_shown_not_fatal(
    start_preview: Callable[..., Preview], newsroom: Path
) -> None:
    preview = start_preview()
    newsroom.write_text(CONFIG.replace("[build]", "[build]\ncolour = 1"), encoding="utf-8")
    wait_for(lambda: generation(preview) == 2)
    assert (
        "unknown key 'build.colour'"
        in json.loads(fetch(preview.url + "__digest__/status")[2])["error"]
    )
    assert fetch(preview.url + "digest.txt")[0] == 200


def test_drafts_and_problems_are_listed(
    start_preview: Callable[..., Preview], write_article: ArticleWriter, articles_dir: Path
) -> None:
    write_article("later", draft=True)
    (articles_dir / "broken.md").write_text("---\ntitle: T\n---\n", encoding="utf-8")
    page = fetch(start_preview().url)[2]
    assert (
        '<li class="muted">later.md: draft (delete &#39;draft: true&#39; to publish)</li>' in page
    )
    skipped = f"{articles_dir / 'broken.md'}:1: missing required field 'date' (file skipped)"
    assert str(escape(skipped)) in page


def test_by_default_it_builds_into_a_scratch_copy(
    start_preview: Callable[..., Preview], tmp_path: Path
) -> None:
    published = tmp_path / "public"
    published.mkdir()
    (published / "kept.txt").write_text("from cron", encoding="utf-8")
    preview = start_preview(out=None)
    assert preview.out != published
    assert fetch(preview.url + "kept.txt")[2] == "from cron"  # the archive and state come along
    assert sorted(p.name for p in published.iterdir()) == ["kept.txt"]  # nothing written here
    preview.stop()
    assert not preview.out.exists()


def test_snapshot_sees_edits_additions_and_removals(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("a")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "x.md").write_text("x")
    before = snapshot((tmp_path, tmp_path / "missing.toml"))
    assert list(before) == [str(tmp_path / "a.md")]
    (tmp_path / "a.md").write_text("longer")
    (tmp_path / "b.md").write_text("b")
    assert changed_paths(before, snapshot((tmp_path,))) == (
        str(tmp_path / "a.md"),
        str(tmp_path / "b.md"),
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run_preview(*args: str, cwd: Path) -> subprocess.Popen[str]:
    """`digest preview` in a child process that takes Ctrl-C as a terminal would deliver it."""
    return subprocess.Popen(
        [sys.executable, "-m", "digest", "preview", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def wait_for_url(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    for line in process.stdout:
        found = re.search(r"preview at (http://127\.0\.0\.1:\d+/)", line)
        if found:
            return found[1]
    raise AssertionError(f"no URL printed; stderr: {process.communicate()[1]}")


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_command_stops_cleanly(tmp_path: Path, stop: signal.Signals) -> None:
    config = tmp_path / "digest.toml"
    demo = (ROOT / "digest.toml").read_text(encoding="utf-8")
    config.write_text(demo.replace('"sample_articles"', json.dumps(str(ROOT / "sample_articles"))))
    port = _free_port()
    process = run_preview("--port", str(port), "--now", NOW_TEXT, cwd=tmp_path)
    try:
        url = wait_for_url(process)
        assert url == f"http://127.0.0.1:{port}/"
        assert "The Saltmere Lantern" in fetch(url)[2]
    finally:
        process.send_signal(stop)
        stdout, stderr = process.communicate(timeout=20)
    assert process.returncode == 0
    assert "Traceback" not in stderr
    if stop == signal.SIGINT:
        assert stdout.endswith("digest: preview stopped\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["digest.toml"]  # public/ untouched


def test_command_reports_a_busy_port(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "digest", "preview", "--config", str(ROOT / "digest.toml"),
             "--port", str(port)],
            cwd=tmp_path, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    opened = context.new_page()
    # Only the preview server: the digest's images point at the newsroom's real site.
    opened.route(re.compile(r"^(?!http://127\.0\.0\.1:).*"), lambda route: route.abort())
    yield opened
    context.close()


def test_browser_reloads_after_an_edit(
    start_preview: Callable[..., Preview], write_article: ArticleWriter, page: Any
) -> None:
    preview = start_preview()
    page.goto(preview.url)
    phone = page.frame_locator("#phone")
    assert phone.locator("body").inner_text().count("Harbour bridge reopens") >= 1
    assert page.locator("#phone").bounding_box()["width"] == pytest.approx(375, abs=2)
    assert page.locator("#desktop").bounding_box()["width"] == pytest.approx(600, abs=2)
    write_article("harbour", title="Harbour bridge reopens to lorries")
    page.wait_for_function("document.body.dataset.generation === '2'", timeout=10_000)
    assert "Harbour bridge reopens to lorries" in phone.locator("body").inner_text()
    assert (
        "Harbour bridge reopens to lorries"
        in page.frame_locator("#desktop").locator("body").inner_text()
    )


def test_browser_shows_a_build_error_then_recovers(
    start_preview: Callable[..., Preview], newsroom: Path, page: Any
) -> None:
    preview = start_preview()
    page.goto(preview.url)
    assert page.locator("#error").count() == 0
    templates = newsroom.parent / "mine"
    templates.mkdir()
    (templates / "digest.html").write_text("{{ missing_variable }}\n", encoding="utf-8")
    newsroom.write_text(CONFIG + 'templates = "mine"\n', encoding="utf-8")
    page.wait_for_selector("#error", timeout=10_000)
    assert "'missing_variable' is undefined" in page.locator("#error").inner_text()
    (templates / "digest.html").unlink()
    page.wait_for_function("document.body.dataset.generation === '3'", timeout=10_000)
    assert page.locator("#error").count() == 0


def test_browser_feed_view_and_screenshot(
    start_preview: Callable[..., Preview], page: Any, tmp_path: Path
) -> None:
    preview = start_preview()
    page.goto(preview.url)
    page.get_by_role("link", name="Atom").first.click()
    page.wait_for_url("**/__digest__/feed/atom.xml")
    assert page.locator("article.item h2").all_inner_texts() == [
        "Harbour bridge reopens",
        "Fish market moves indoors",
    ]
    page.goto(preview.url)
    shot = tmp_path / "preview.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    assert shot.read_bytes().startswith(b"\x89PNG")
