"""The subscriber pages on waitress on 127.0.0.1, in a thread, and a plain HTTP client.

Shared by tests/test_web.py, tests/test_web_browser.py and the benchmark: the app runs on
the server `digest serve` uses (digest.web.command.listen), so what the tests see is what a
newsroom's proxy sees.
"""

from __future__ import annotations

import contextlib
import http.client
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from digest.web.app import App
from digest.web.command import listen


@dataclass(frozen=True)
class Answer:
    """One HTTP response."""

    status: int
    headers: dict[str, str]  # names in lower case
    text: str

    def field(self, name: str) -> str:
        """The value of hidden input `name` in the page."""
        found = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', self.text)
        assert found, f"no field {name} in the page"
        return found[1]


@dataclass(frozen=True)
class Served:
    """A running server: its port, and requests to it."""

    port: int
    app: App

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def call(
        self,
        method: str,
        target: str,
        body: bytes | str = b"",
        headers: dict[str, str] | None = None,
    ) -> Answer:
        """One request on its own connection; `headers` may replace Host."""
        data = body.encode() if isinstance(body, str) else body
        sent = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if data and "Content-Type" not in sent:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
            for name, value in sent.items():
                connection.putheader(name, value)
            if data or method == "POST":
                connection.putheader("Content-Length", str(len(data)))
            # The server may answer (413) without reading all of a large body.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                connection.endheaders(data or None)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            headers_ = {name.lower(): value for name, value in response.getheaders()}
            outbox = getattr(self.app, "outbox", None)
            if outbox is not None:  # the confirmation emails this request queued are sent
                outbox.join()
            return Answer(response.status, headers_, text)
        finally:
            connection.close()


@contextmanager
def serving(app: Any) -> Iterator[Served]:
    """`app` on waitress on 127.0.0.1, a free port, until the block ends."""
    server = listen(app, "127.0.0.1", 0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield Served(int(server.effective_port), app)
    finally:
        server.task_dispatcher.shutdown()  # lets the requests in hand finish first
        try:
            server.trigger.pull_trigger(lambda: close_all(server))
        except OSError:  # the trigger's pipe is closed already (seen once in CI): close here
            close_all(server)
        thread.join(timeout=10)


def close_all(server: Any) -> None:
    """Close the server's socket and every connection, in the server's own thread (the
    one that selects on them): its loop then ends, having nothing left to watch."""
    for channel in list(server._map.values()):
        channel.close()
