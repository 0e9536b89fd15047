"""A real HTTP server on 127.0.0.1, in a thread, whose answers each test decides."""

from __future__ import annotations

import email.utils
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "feed_fixtures"
Answer = Callable[["Handler"], None]


@dataclass
class Seen:
    """A request the server answered: its path and headers."""

    path: str
    headers: dict[str, str] = field(default_factory=dict)


class Handler(BaseHTTPRequestHandler):
    """Answers GET with the route the test set for the path (404 otherwise)."""

    server: Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.server.seen.append(Seen(self.path, dict(self.headers.items())))
        answer = self.server.routes.get(self.path.split("?")[0])
        try:
            if answer is None:
                self.send(404, b"not here", "text/plain")
            else:
                answer(self)
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass  # the client gave up, as it should on a hostile answer

    def send(self, status: int, body: bytes, content_type: str, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    routes: dict[str, Answer]
    seen: list[Seen]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"


@contextmanager
def feed_server() -> Iterator[Server]:
    """A server on a free port of 127.0.0.1 for the length of the block."""
    server = Server(("127.0.0.1", 0), Handler)
    server.routes = {}
    server.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def feed_answer(body: bytes, content_type: str = "application/rss+xml", etag: str = "") -> Answer:
    """A feed with an ETag and Last-Modified, and 304 to a request that has them."""
    tag = etag or f'"{abs(hash(body))}"'
    modified = email.utils.formatdate(1_790_000_000, usegmt=True)

    def answer(handler: Handler) -> None:
        if handler.headers.get("If-None-Match") == tag:
            handler.send_response(304)
            handler.send_header("ETag", tag)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        handler.send(200, body, content_type, ETag=tag, Last_Modified=modified)

    return answer


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()
