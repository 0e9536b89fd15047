"""The preview's HTTP layer: it answers only this machine, a few connections at a time.

Any web page the editor visits can send requests to 127.0.0.1, and a page on a domain
that resolves to 127.0.0.1 (DNS rebinding) can even read the answers. So the server:

- answers only requests addressed to `127.0.0.1` or `localhost` (the `Host` header);
  others get an empty 421;
- never writes anything of the request into a header: the status line carries only the
  standard phrase, and error pages escape what they quote;
- refuses a path with a malformed escape, a control character (NUL included) or a
  character beyond Latin-1 with a 400;
- drops a connection that has not sent a whole request head within `read_timeout`
  seconds, and serves at most `max_connections` at once (one thread each): a connection
  beyond that is closed at once.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

TIMEOUT_SECONDS = 10.0
MAX_CONNECTIONS = 32
LOCAL_NAMES = ("127.0.0.1", "localhost")


def request_path(target: str) -> str | None:
    """The decoded path of a request target; None when we refuse it (a 400)."""
    try:
        path = unquote(urlsplit(target).path, errors="strict")
    except (UnicodeDecodeError, ValueError):
        return None
    if not path.startswith("/") or any(_refused(char) for char in path):
        return None
    return path


def _refused(char: str) -> bool:
    """Control characters (C0, DEL, C1) and anything beyond Latin-1."""
    return char < " " or "\x7f" <= char <= "\x9f" or char > "\xff"


class LocalServer(ThreadingHTTPServer):
    """A threading HTTP server with a bounded number of connections and a read deadline."""

    daemon_threads = True
    block_on_close = False  # `stop` closes the connections; nothing to wait for

    def __init__(
        self,
        address: tuple[str, int],
        handler: Any,
        *,
        read_timeout: float = TIMEOUT_SECONDS,
        max_connections: int = MAX_CONNECTIONS,
    ) -> None:
        self.read_timeout = read_timeout
        self.max_connections = max_connections
        self._open: dict[socket.socket, float | None] = {}  # connection → its deadline
        self._dropped: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, handler)
        port = self.server_address[1]
        self.hosts = frozenset(
            f"{name}{suffix}" for name in LOCAL_NAMES for suffix in ("", f":{port}")
        )

    def process_request(self, request: Any, client_address: Any) -> None:
        """Serve the connection in a thread of its own, or close it if all are taken."""
        with self._open_lock:
            full = len(self._open) >= self.max_connections
            if not full:
                self._open[request] = None
        if full:
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._forget(request)
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._forget(request)

    def awaiting_request(self, connection: socket.socket, waiting: bool) -> None:
        """Start (`waiting`) or stop the clock by which a request head must have arrived."""
        deadline = time.monotonic() + self.read_timeout if waiting else None
        with self._open_lock:
            if connection in self._open:
                self._open[connection] = deadline

    def service_actions(self) -> None:
        """Between polls of the listening socket: drop the connections past their deadline."""
        now = time.monotonic()
        with self._open_lock:
            late = [
                conn
                for conn, deadline in self._open.items()
                if deadline is not None and deadline < now
            ]
        for connection in late:
            self._drop(connection)

    def close_connections(self) -> None:
        """Hang up every open connection (their threads then end)."""
        with self._open_lock:
            connections = list(self._open)
        for connection in connections:
            self._drop(connection)

    def dropped(self, connection: socket.socket) -> bool:
        """True once `connection` was hung up on: what it sent is not a whole request."""
        with self._open_lock:
            return connection in self._dropped

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up or stalls is routine; anything else is a bug to print."""
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)

    def connections(self) -> int:
        """How many connections are being served (each holds one thread)."""
        with self._open_lock:
            return len(self._open)

    def _drop(self, connection: socket.socket) -> None:
        """Hang up: the thread blocked reading `connection` reads the end of the stream."""
        with self._open_lock:
            self._dropped.add(connection)
        with contextlib.suppress(OSError):  # already closed
            connection.shutdown(socket.SHUT_RDWR)

    def _forget(self, request: Any) -> None:
        with self._open_lock:
            self._open.pop(request, None)
            self._dropped.discard(request)


class LocalHandler(BaseHTTPRequestHandler):
    """Checks every request before a `do_*` method sees it; `request_path` is then set."""

    server: LocalServer
    request_path = "/"

    def setup(self) -> None:
        """Every read and write on the connection times out after `read_timeout`."""
        super().setup()
        self.connection.settimeout(self.server.read_timeout)

    def handle_one_request(self) -> None:
        self.server.awaiting_request(self.connection, True)
        super().handle_one_request()

    def parse_request(self) -> bool:
        """The request line and headers, then its host and path; False when refused."""
        if not super().parse_request() or self.server.dropped(self.connection):
            self.close_connection = True
            return False
        self.server.awaiting_request(self.connection, False)
        hosts = self.headers.get_all("Host", [])
        if len(hosts) != 1 or hosts[0].lower() not in self.server.hosts:
            self._refuse()
            return False
        path = request_path(self.path)
        if path is None:
            self.send_error(HTTPStatus.BAD_REQUEST, "malformed path")
            return False
        self.request_path = path
        return True

    def send_response(self, code: int, message: str | None = None) -> None:
        """The standard phrase only: a message may quote the request (the body escapes it)."""
        super().send_response(code)

    def end_headers(self) -> None:
        """Never cached (every reload shows the latest build), never sniffed."""
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def _refuse(self) -> None:
        """An empty 421 for a request addressed to another host."""
        self.close_connection = True
        self.send_response(HTTPStatus.MISDIRECTED_REQUEST)
        self.send_header("Content-Length", "0")
        self.send_header("Connection", "close")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the terminal shows builds, not every request."""
