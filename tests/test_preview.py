"""`digest preview` against a running server: a real HTTP client, a real browser, Ctrl-C."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from markupsafe import escape

from digest.config import load_config
from digest.pipeline import build
from digest.preview.pages import FeedReadError, read_feed
from digest.preview.server import Preview, changed_paths, copy_output, snapshot
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
    page = fetch(start_preview(drafts=True).url)[2]
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


# Issue 12: what the preview serves, to whom, and for how long.


def raw_request(preview: Preview, request: bytes) -> tuple[str, list[str], bytes]:
    """Send `request` as is; the status line, header lines and body of the answer.

    An answer in HTTP/0.9 style (to a request line with no valid version) is all body.
    """
    port = int(preview.url.rsplit(":", 1)[1].strip("/"))
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    if not answer.startswith(b"HTTP/"):
        return "", [], answer
    head, _, body = answer.partition(b"\r\n\r\n")
    status, *headers = head.decode("latin-1").split("\r\n")
    return status, headers, body


def get(target: str, host: str = "127.0.0.1") -> bytes:
    return f"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode("latin-1")


STANDARD_HEADERS = {
    "Server",
    "Date",
    "Connection",
    "Content-Type",
    "Content-Length",
    "Cache-Control",
    "X-Content-Type-Options",
}


@pytest.mark.parametrize(
    "request_bytes",
    [
        get("/__digest__/feed/x%0D%0ASet-Cookie:%20a=b"),
        get("/__digest__/feed/x%0ASet-Cookie:%20a=b/rss.xml"),
        get("/x%0D%0ASet-Cookie:%20a=b%0D%0A%0D%0A<script>alert(1)</script>"),
        get("/__digest__/feed/<script>alert(1)</script>"),
        b"GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\nSet-Cookie: a=b\r\n\r\n",
        b"SET-COOKIE:a=b /x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        b"GET /x HTTP/9.9Set-Cookie:a=b\r\nHost: 127.0.0.1\r\n\r\n",
    ],
)
def test_nothing_of_the_request_reaches_a_header(
    start_preview: Callable[..., Preview], request_bytes: bytes
) -> None:
    status, headers, body = raw_request(start_preview(), request_bytes)
    assert status == "" or re.fullmatch(
        r"HTTP/1\.0 (400 Bad Request|404 Not Found|501 \w+ \w+)", status
    )
    assert {line.split(":", 1)[0] for line in headers} <= STANDARD_HEADERS
    assert b"<script>" not in body


def test_hidden_files_are_neither_served_nor_listed(
    start_preview: Callable[..., Preview], write_article: ArticleWriter
) -> None:
    write_article("merger", title="Secret merger talks", draft=True)
    preview = start_preview()
    assert (preview.out / ".digest" / "cache" / "build.pickle").is_file()
    for target in [
        "/.digest/cache/build.pickle",
        "/.digest/state.json",
        "/.digest/",
        "/%2Edigest/cache/build.pickle",
        "/archive/../.digest/state.json",
        "/archive/%2E%2E/.digest/state.json",
        "/./.digest/state.json",
        "/__digest__/feed/.digest/rss.xml",
        "/./",
        "/sections/",  # a folder with no index.html is not listed
    ]:
        status, _, body = raw_request(preview, get(target))
        assert status == "HTTP/1.0 404 Not Found", target
        assert b".digest" not in body and b"Secret" not in body, target
    assert ".digest" not in fetch(preview.url)[2]
    assert fetch(preview.url + "archive/")[0] == 200  # a folder's index.html is served
    assert fetch(preview.url + "sections/world/rss.xml")[0] == 200


@pytest.mark.parametrize(
    "host",
    ["evil.example", "evil.example:{port}", "127.0.0.1.evil.example", "localhost:1", "", None],
)
def test_only_requests_for_this_machine_are_answered(
    start_preview: Callable[..., Preview], host: str | None
) -> None:
    preview = start_preview()
    port = preview.url.rsplit(":", 1)[1].strip("/")
    # HTTP/1.0 allows no Host at all (None); a browser always sends one
    request = b"GET / HTTP/1.0\r\n\r\n" if host is None else get("/", host.format(port=port))
    status, headers, body = raw_request(preview, request)
    assert status == "HTTP/1.0 421 Misdirected Request"
    assert "Content-Length: 0" in headers and body == b""
    twice = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\n\r\n"
    assert raw_request(preview, twice)[0] == "HTTP/1.0 421 Misdirected Request"


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.1:{port}", "localhost", "LocalHost:{port}"])
def test_requests_for_localhost_are_answered(
    start_preview: Callable[..., Preview], host: str
) -> None:
    preview = start_preview()
    port = preview.url.rsplit(":", 1)[1].strip("/")
    status, _, body = raw_request(preview, get("/", host.format(port=port)))
    assert status == "HTTP/1.0 200 OK" and b"<title>Preview: Test Times</title>" in body


@pytest.mark.parametrize(
    "target",
    [
        "/x%00y",
        "/__digest__/feed/%00rss.xml",
        "/__digest__/feed/%E2%80%94",
        "/%C4%80",
        "/%FF",  # not UTF-8
        "/a\x00b",
        "/a\x85b",  # a C1 control character, sent as is
    ],
)
def test_a_bad_character_in_the_path_is_a_clean_400(
    start_preview: Callable[..., Preview], target: str, capfd: pytest.CaptureFixture[str]
) -> None:
    status, _, _ = raw_request(start_preview(), get(target))
    assert status == "HTTP/1.0 400 Bad Request"
    assert "Traceback" not in capfd.readouterr().err


def handler_threads() -> int:
    return sum("process_request_thread" in thread.name for thread in threading.enumerate())


def hung_up(connection: socket.socket) -> bool:
    """True when the server closed `connection` (its end of the stream, or a reset)."""
    try:
        return connection.recv(1024) == b""
    except ConnectionResetError:
        return True


def test_stalled_connections_are_dropped_and_bounded(
    start_preview: Callable[..., Preview], capfd: pytest.CaptureFixture[str]
) -> None:
    preview = start_preview(timeout=0.5, max_connections=4)
    port = int(preview.url.rsplit(":", 1)[1].strip("/"))
    threads_before = handler_threads()
    stalled = []
    for number in range(12):  # silent, half a request line, a head with no end
        connection = socket.create_connection(("127.0.0.1", port), timeout=10)
        connection.sendall([b"", b"GET / HT", b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"][number % 3])
        stalled.append(connection)
    time.sleep(0.2)
    assert handler_threads() - threads_before <= 4
    assert preview.connections() <= 4
    started = time.monotonic()
    for connection in stalled:
        assert hung_up(connection)
        connection.close()
    assert time.monotonic() - started < 5
    wait_for(lambda: preview.connections() == 0)
    assert fetch(preview.url)[0] == 200  # and the server still answers
    assert "Traceback" not in capfd.readouterr().err


def test_a_slow_request_head_is_dropped(start_preview: Callable[..., Preview]) -> None:
    preview = start_preview(timeout=0.5)
    port = int(preview.url.rsplit(":", 1)[1].strip("/"))
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        started = time.monotonic()
        with pytest.raises(OSError):  # a pipe broken or reset by the server's hang-up
            while time.monotonic() - started < 5:  # one header line every 0.1 s
                connection.sendall(b"X-Slow: 1\r\n")
                time.sleep(0.1)
        assert time.monotonic() - started < 3


def test_stop_does_not_wait_for_stalled_connections(start_preview: Callable[..., Preview]) -> None:
    preview = start_preview(timeout=60)
    port = int(preview.url.rsplit(":", 1)[1].strip("/"))
    stalled = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(3)]
    wait_for(lambda: preview.connections() == 3)
    started = time.monotonic()
    preview.stop()
    assert time.monotonic() - started < 3
    assert all(hung_up(connection) for connection in stalled)
    for connection in stalled:
        connection.close()


def test_drafts_are_shown_only_when_asked(
    start_preview: Callable[..., Preview], write_article: ArticleWriter
) -> None:
    write_article("merger-talks", title="Secret merger talks", draft=True, colour="red")
    write_article("royal-visit", title="Royal visit", date="2026-12-24T09:00:00Z")
    hidden = ("merger-talks", "royal-visit", "Secret merger", "Royal visit", "Not published")
    page = fetch(start_preview().url)[2]
    assert not [word for word in hidden if word in page]
    page = fetch(start_preview(drafts=True).url)[2]
    assert "merger-talks.md: draft" in page and "royal-visit.md: embargoed" in page
    assert "unknown front-matter key &#39;colour&#39;" in page


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_the_scratch_copy_never_writes_through_a_link(
    newsroom: Path, write_article: ArticleWriter, tmp_path: Path
) -> None:
    config = load_config(newsroom)
    build(config, now=NOW)  # what cron published
    published = config.output
    bigger_disk = tmp_path / "bigger-disk"
    bigger_disk.mkdir()
    (published / "archive").rename(bigger_disk / "archive")
    (published / "archive").symlink_to(bigger_disk / "archive", target_is_directory=True)
    (published / "digest.txt").rename(bigger_disk / "digest.txt")
    (published / "digest.txt").symlink_to(bigger_disk / "digest.txt")
    before = tree_bytes(bigger_disk)
    write_article("unpublished", title="Unpublished headline")
    preview = Preview(lambda: load_config(newsroom), config_path=newsroom, now=NOW)
    with preview:
        issues = (preview.out / "archive").glob("*.html")
        assert any("Unpublished headline" in issue.read_text() for issue in issues)
        assert "Unpublished headline" in fetch(preview.url + "digest.txt")[2]
        links = [p for p in preview.out.rglob("*") if p.is_symlink()]
    assert tree_bytes(bigger_disk) == before
    assert links == []
    assert (published / "archive").is_symlink() and (published / "digest.txt").is_symlink()


def test_copy_output_leaves_out_loops_and_dangling_links(tmp_path: Path) -> None:
    source = tmp_path / "public"
    (source / "sections" / "world").mkdir(parents=True)
    (source / "sections" / "world" / "rss.xml").write_text("feed")
    (source / "sections" / "world" / "up").symlink_to(source, target_is_directory=True)
    (source / "gone.txt").symlink_to(tmp_path / "missing.txt")
    (source / "build.lock").write_text("")
    copy_output(source, tmp_path / "copy")
    assert sorted(tree_bytes(tmp_path / "copy")) == ["sections/world/rss.xml"]
