"""Polite, bounded HTTP GET of a feed: conditional, time-limited, size-capped.

One function, `fetch`, asks for a URL at most once per call and either returns what the
server said (new bytes, or "not modified") or raises `FetchError` with a reason fit for
a warning. Every bound holds whatever the server does: a total deadline (a watchdog shuts
the socket down, so a trickle of bytes or headers cannot stretch it), a size cap applied
to the bytes after gzip is undone, at most `MAX_REDIRECTS` redirects and only to http(s).
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import urljoin, urlsplit

from digest import __version__

MAX_REDIRECTS = 5
USER_AGENT = f"digest/{__version__} (newsroom digest; feed reader)"
CHUNK = 64 * 1024


class FetchError(Exception):
    """A fetch that gave no usable answer; the message says why, for a warning."""


@dataclass(frozen=True)
class Fetched:
    """A server's answer: `body` None means "not modified" (HTTP 304)."""

    body: bytes | None
    etag: str = ""
    last_modified: str = ""
    url: str = ""  # where the answer came from, after redirects


@dataclass(frozen=True)
class Limits:
    """How long a fetch may take in all (seconds) and how many bytes it may give."""

    timeout: float = 30.0
    max_bytes: int = 20_000_000


def fetch(url: str, *, etag: str = "", last_modified: str = "", limits: Limits) -> Fetched:
    """GET `url` with `If-None-Match`/`If-Modified-Since` from an earlier answer."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise FetchError(f"not an http(s) URL: {url}")
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip", "Accept": ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = _Deadline(limits.timeout)
    opener = urllib.request.build_opener(
        _Redirects(),
        _Http(deadline),
        _Https(deadline),
    )
    request = urllib.request.Request(url, headers=headers)
    try:
        with deadline:
            try:
                response = opener.open(request, timeout=limits.timeout)
            except urllib.error.HTTPError as error:
                error.close()
                if error.code == 304 and (etag or last_modified):
                    return Fetched(None, etag, last_modified, url)
                if error.code == 304:
                    raise FetchError(
                        "the server answered 304 Not Modified to a first request"
                    ) from None
                raise FetchError(f"the server answered HTTP {error.code} {error.reason}") from None
            with response:
                body = _read(response, limits.max_bytes, deadline)
                answered = response.headers
                return Fetched(
                    body,
                    answered.get("ETag", ""),
                    answered.get("Last-Modified", ""),
                    response.geturl(),
                )
    except FetchError:
        raise
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as error:
        if deadline.expired:
            raise FetchError(f"no complete answer within {limits.timeout:g} s") from None
        raise FetchError(_reason(error)) from None


ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/rdf+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
)


def _reason(error: BaseException) -> str:
    """A short reason for a failed fetch, from urllib's or the socket's error."""
    reason: Any = getattr(error, "reason", None) or error
    if isinstance(reason, socket.timeout | TimeoutError):
        return "the server did not answer in time"
    text = getattr(reason, "strerror", None) or str(reason) or type(reason).__name__
    return f"cannot fetch: {text}"


def _read(response: Any, max_bytes: int, deadline: _Deadline) -> bytes:
    """The response body, gzip undone, refused past `max_bytes` either way."""
    gzipped = response.headers.get("Content-Encoding", "").strip().lower() in ("gzip", "x-gzip")
    length = response.headers.get("Content-Length", "")
    if length.isdigit() and not gzipped and int(length) > max_bytes:
        raise FetchError(f"the feed is larger than {_megabytes(max_bytes)} ({length} bytes)")
    inflate = zlib.decompressobj(wbits=47) if gzipped else None  # 47: gzip or zlib header
    parts: list[bytes] = []
    size = 0
    while True:
        raw = response.read1(CHUNK) if hasattr(response, "read1") else response.read(CHUNK)
        if deadline.expired:
            raise FetchError(f"no complete answer within {deadline.seconds:g} s")
        if not raw:
            break
        if inflate is None:
            size += len(raw)
            parts.append(raw)
        else:
            size = _inflate(inflate, raw, parts, size, max_bytes)
        if size > max_bytes:
            raise FetchError(f"the feed is larger than {_megabytes(max_bytes)}")
    if inflate is not None:
        parts.append(inflate.flush())
    return b"".join(parts)


def _inflate(inflate: Any, raw: bytes, parts: list[bytes], size: int, max_bytes: int) -> int:
    """Undo gzip on `raw` into `parts`, never holding more than the cap allows; new size."""
    data = raw
    while data:
        try:
            out = inflate.decompress(data, max_bytes + 1 - size)
        except zlib.error:
            raise FetchError("the gzip-compressed answer is corrupt") from None
        size += len(out)
        parts.append(out)
        if size > max_bytes:
            return size
        data = inflate.unconsumed_tail
    return size


def _megabytes(count: int) -> str:
    return f"{count / 1_000_000:g} MB"


class _Deadline:
    """A watchdog that shuts down every socket of a fetch when its time is up."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._started = time.monotonic()

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()

    def remaining(self) -> float:
        """Seconds left, at least a little (a socket timeout of 0 means non-blocking)."""
        return max(0.01, self.seconds - (time.monotonic() - self._started))

    def watch(self, sock: socket.socket | None) -> None:
        """Shut `sock` down when the deadline passes (at once if it has)."""
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
            if not self.expired:
                return
        self._shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            self._shut(sock)

    @staticmethod
    def _shut(sock: socket.socket) -> None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _watched(base: type[http.client.HTTPConnection], deadline: _Deadline) -> Callable[..., Any]:
    """A connection class like `base` whose socket the deadline watches."""

    def watched_connection(*args: Any, **kwargs: Any) -> socket.socket:
        sock = socket.create_connection(*args, **kwargs)
        deadline.watch(sock)  # the TCP socket: watched before a TLS handshake can stall
        return sock

    class Watched(base):  # type: ignore[valid-type,misc]
        def connect(self) -> None:
            self.timeout = deadline.remaining()
            self._create_connection = watched_connection
            super().connect()

    return Watched


class _Http(urllib.request.HTTPHandler):
    """http:// connections watched by a deadline."""

    def __init__(self, deadline: _Deadline) -> None:
        super().__init__()
        self._deadline = deadline

    def http_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(_watched(http.client.HTTPConnection, self._deadline), req)


class _Https(urllib.request.HTTPSHandler):
    """https:// connections watched by a deadline."""

    def __init__(self, deadline: _Deadline) -> None:
        super().__init__()
        self._deadline = deadline

    def https_open(self, req: urllib.request.Request) -> Any:
        watched = _watched(http.client.HTTPSConnection, self._deadline)
        context = self._context  # type: ignore[attr-defined]
        return self.do_open(partial(watched, context=context), req)


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Redirects followed only to http(s), at most `MAX_REDIRECTS` of them, never in a loop."""

    max_redirections = MAX_REDIRECTS
    max_repeats = 1

    def http_error_302(
        self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any
    ) -> Any:
        """Refuse a redirect to anything but http(s) before urllib looks at it."""
        target = headers.get("Location") or headers.get("URI") or ""
        if target and urlsplit(urljoin(req.full_url, target)).scheme not in ("http", "https"):
            fp.close()
            raise FetchError(f"redirected to {target[:100]}, which is not an http(s) URL")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        target = urljoin(req.full_url, newurl)
        if urlsplit(target).scheme not in ("http", "https"):
            raise FetchError(f"redirected to {target[:100]}, which is not an http(s) URL")
        visited = getattr(req, "redirect_dict", {})
        if target in visited:
            raise FetchError(f"redirected in a loop (back to {target[:100]})")
        if len(visited) >= MAX_REDIRECTS:
            raise FetchError(f"redirected more than {MAX_REDIRECTS} times")
        return super().redirect_request(req, fp, code, msg, headers, newurl)
