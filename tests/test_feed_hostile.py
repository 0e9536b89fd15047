"""Hostile answers from a feed's server: each is a warning naming the source and the reason,
with no traceback, in bounded time and memory, and the last good copy is kept.

Each build runs as its own process (`python -m digest`), so that its time, its peak memory
and what it prints are its own.
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from digest.sources.fetch import FetchError, Limits, fetch
from digest.sources.remote import STORE
from tests.conftest import NOW_TEXT, ROOT
from tests.feed_server import Handler, Server, feed_answer, feed_server, fixture

TIMEOUT = 3.0  # fetch.timeout in these tests: a trickle is cut after it
MAX_SECONDS = 20.0
MAX_RSS_MB = 400


def _status(
    code: int, body: bytes = b"", content_type: str = "text/plain"
) -> Callable[[Handler], None]:
    return lambda handler: handler.send(code, body, content_type)


def _redirect(target: str) -> Callable[[Handler], None]:
    def answer(handler: Handler) -> None:
        handler.send_response(302)
        handler.send_header("Location", target)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return answer


def _trickle_body(handler: Handler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    handler.send_header("Content-Length", "100000")
    handler.end_headers()
    handler.wfile.write(b"<?xml version='1.0'?><rss><channel>")
    for _ in range(400):  # a byte each tenth of a second: 40 s if nobody gives up
        handler.wfile.write(b" ")
        handler.wfile.flush()
        time.sleep(0.1)


def _trickle_headers(handler: Handler) -> None:
    handler.wfile.write(b"HTTP/1.1 200 OK\r\n")
    for _ in range(400):
        handler.wfile.write(b"X-Slow: y\r\n")
        handler.wfile.flush()
        time.sleep(0.1)


def _huge(length: bool) -> Callable[[Handler], None]:
    def answer(handler: Handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        if length:
            handler.send_header("Content-Length", str(60_000_000))
        handler.end_headers()
        chunk = b"<!-- " + b"x" * (1_000_000 - 9) + b" -->"
        handler.wfile.write(b"<?xml version='1.0'?><rss><channel>")
        for _ in range(60):  # 60 MB
            handler.wfile.write(chunk)
        handler.close_connection = True

    return answer


def _gzip_bomb() -> bytes:
    """200 MB of zeros, gzip-compressed to about 200 kB (made without holding 200 MB)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1_000_000)
    parts = [packer.compress(b"<?xml version='1.0'?><rss><channel><title>")]
    parts += [packer.compress(zeros) for _ in range(200)]
    return b"".join([*parts, packer.flush()])


def _gzipped(body: bytes) -> Callable[[Handler], None]:
    def answer(handler: Handler) -> None:
        handler.send(200, body, "application/rss+xml", Content_Encoding="gzip")

    return answer


ENTITY_BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
<!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
]>
<rss version="2.0"><channel><title>&g;</title><item><title>&g;</title></item></channel></rss>
"""

HOSTILE: dict[str, tuple[Callable[[Server], Callable[[Handler], None]], str]] = {
    "HTTP 500": (lambda s: _status(500, b"boom"), "HTTP 500"),
    "HTTP 404": (lambda s: _status(404), "HTTP 404"),
    "slow trickle of the body": (lambda s: _trickle_body, f"within {TIMEOUT:g} s"),
    "slow trickle of headers": (lambda s: _trickle_headers, f"within {TIMEOUT:g} s"),
    "redirect to file://": (lambda s: _redirect("file:///etc/passwd"), "not an http(s) URL"),
    "redirect to ftp://": (lambda s: _redirect("ftp://127.0.0.1/feed"), "not an http(s) URL"),
    "redirect loop": (lambda s: _redirect("/feed.xml"), "loop"),
    "redirects past five": (lambda s: _redirect("/hop/1"), "more than 5 times"),
    "an HTML page": (
        lambda s: _status(200, b"<!DOCTYPE html><html><body>Log in</body></html>", "text/html"),
        "HTML page",
    ),
    "garbage": (
        lambda s: _status(200, bytes(range(256)) * 10, "application/octet-stream"),
        "not a feed",
    ),
    "an invalid JSON Feed": (
        lambda s: _status(200, b'{"version": "x"}', "application/json"),
        "JSON",
    ),
    "XML entity bomb": (lambda s: _status(200, ENTITY_BOMB, "application/rss+xml"), "entities"),
    "60 MB body with its length": (lambda s: _huge(length=True), "larger than 20 MB"),
    "60 MB body without a length": (lambda s: _huge(length=False), "larger than 20 MB"),
    "gzip bomb": (lambda s: _gzipped(_gzip_bomb()), "larger than 20 MB"),
    "corrupt gzip": (lambda s: _gzipped(b"\x1f\x8b\x08\x00garbage-not-deflate" * 10), "corrupt"),
}


@pytest.fixture
def server() -> Iterator[Server]:
    with feed_server() as running:
        running.routes["/feed.xml"] = feed_answer(fixture("wordpress.xml"))
        for hop in range(1, 8):
            running.routes[f"/hop/{hop}"] = _redirect(f"/hop/{hop + 1}")
        yield running


def _digest(*arguments: str) -> tuple[int, str, float, float]:
    """Run `digest` in its own process: exit code, stderr, seconds, peak memory (MB)."""
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "digest", *arguments],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert process.stderr is not None
    with process.stderr:
        errors = process.stderr.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, errors, time.monotonic() - started, usage.ru_maxrss / 1024


@pytest.mark.parametrize("case", HOSTILE, ids=list(HOSTILE))
def test_a_hostile_answer_is_a_warning_and_the_last_good_copy_is_kept(
    server: Server, tmp_path: Path, case: str
) -> None:
    url = server.url("/feed.xml")
    config = tmp_path / "digest.toml"
    out = tmp_path / "out"
    config.write_text(
        f'[build]\noutput = "{out}"\n[fetch]\ntimeout = {TIMEOUT}\n'
        f'[[sources]]\nfeed = "{url}"\nname = "Harbour Courier"\n'
    )
    code, errors, _, _ = _digest("build", "--config", str(config), "--now", NOW_TEXT)
    assert code == 0 and not errors, errors
    copies = sorted((out / STORE).glob("*.feed"))
    make, reason = HOSTILE[case]
    server.routes["/feed.xml"] = make(server)
    code, errors, seconds, megabytes = _digest(
        "build", "--config", str(config), "--now", NOW_TEXT, "--refresh"
    )
    assert code == 0, errors
    assert "Traceback" not in errors
    (warning,) = [line for line in errors.splitlines() if "Harbour Courier" in line]
    assert url in warning and reason in warning and "last good copy" in warning, warning
    assert seconds < MAX_SECONDS and megabytes < MAX_RSS_MB, (seconds, megabytes)
    assert sorted((out / STORE).glob("*.feed")) == copies
    assert "Ferry fares to rise" in (out / "rss.xml").read_text(encoding="utf-8")


def test_a_redirect_to_another_http_url_is_followed(server: Server, tmp_path: Path) -> None:
    server.routes["/moved"] = _redirect("/feed.xml")
    answer = fetch(server.url("/moved"), limits=Limits(TIMEOUT))
    assert answer.body == fixture("wordpress.xml") and answer.url == server.url("/feed.xml")


def test_a_gzipped_feed_is_read(server: Server) -> None:
    server.routes["/gz"] = _gzipped(gzip.compress(fixture("ghost.xml")))
    assert fetch(server.url("/gz"), limits=Limits(TIMEOUT)).body == fixture("ghost.xml")


def test_a_refused_connection_is_a_reason(tmp_path: Path) -> None:
    with feed_server() as closed:
        url = closed.url("/feed.xml")
    with pytest.raises(FetchError, match="cannot fetch"):
        fetch(url, limits=Limits(TIMEOUT))


def test_the_deadline_bounds_a_trickle_whatever_the_socket_timeout(server: Server) -> None:
    server.routes["/slow"] = _trickle_body
    started = time.monotonic()
    with pytest.raises(FetchError, match="within 1 s"):
        fetch(server.url("/slow"), limits=Limits(timeout=1.0))
    assert time.monotonic() - started < 3


def test_a_304_keeps_the_copy_and_says_nothing(server: Server, tmp_path: Path) -> None:
    config = tmp_path / "digest.toml"
    out = tmp_path / "out"
    config.write_text(
        f'[build]\noutput = "{out}"\n[[sources]]\nfeed = "{server.url("/feed.xml")}"\n'
    )
    assert _digest("build", "--config", str(config), "--now", NOW_TEXT)[:2] == (0, "")
    server.routes["/feed.xml"] = _status(304)
    code, errors, _, _ = _digest("build", "--config", str(config), "--now", NOW_TEXT, "--refresh")
    assert (code, errors) == (0, "")
    assert "Ferry fares to rise" in (out / "rss.xml").read_text(encoding="utf-8")


def test_a_304_to_a_first_request_is_a_reason() -> None:
    with feed_server() as running:
        running.routes["/feed.xml"] = _status(304)
        with pytest.raises(FetchError, match="304 Not Modified to a first request"):
            fetch(running.url("/feed.xml"), limits=Limits(TIMEOUT))


def test_a_server_that_never_answers_a_tls_handshake_is_cut_at_the_deadline() -> None:
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True).start()
    started = time.monotonic()
    try:
        with pytest.raises(FetchError):
            fetch(f"https://127.0.0.1:{listener.getsockname()[1]}/feed", limits=Limits(timeout=1.0))
        assert time.monotonic() - started < 3
    finally:
        for sock in accepted:
            sock.close()
        listener.close()
