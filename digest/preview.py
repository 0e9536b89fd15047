"""`digest preview`: build, serve the output on 127.0.0.1, rebuild when a source changes.

A `Preview` runs two threads: an HTTP server (standard library `ThreadingHTTPServer`)
that serves the output folder plus its own index and feed pages, and a watcher that polls
the modification times of the articles, the templates and the configuration file. A
change triggers a rebuild; the index page polls `/__digest__/status` and reloads when the
build number moves. A failed build is reported (page and callback) and the last good
output stays served.

Polling, not inotify: it needs no dependency, works on every file system (network
shares and containers included), and reading a few thousand `stat` results a second is
cheap next to a build.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jinja2

from .config import Config
from .errors import DigestError
from .pipeline import BuildResult, build
from .preview_pages import (
    FEED_NAMES,
    FEED_VIEW_PATH,
    STATUS_PATH,
    FeedReadError,
    IndexPage,
    extras,
    find_feeds,
    read_feed,
    render_feed,
    render_index,
)
from .publish import safe_target
from .sections import is_live

HOST = "127.0.0.1"
POLL_SECONDS = 1.0
PAGE_POLL_MS = 1000
SETTLE_SECONDS = 0.1
"""After a change is seen, wait this long for the editor to finish saving."""
COPY_IGNORE = shutil.ignore_patterns("*.lock", "*.tmp", ".*.tmp")

TEXT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".eml": "text/plain; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".xsl": "application/xml; charset=utf-8",
    ".json": "application/json; charset=utf-8",
}
"""Media types of the outputs; `.eml` as text so the browser shows the message."""

Snapshot = dict[str, tuple[int, int]]
ConfigLoader = Callable[[], Config]


@dataclass(frozen=True)
class Outcome:
    """One build attempt: its number, what changed, and the result or the error."""

    generation: int
    changed: tuple[str, ...]  # sources that triggered it; empty for the first build
    result: BuildResult | None
    error: str  # "" when the build succeeded
    now: datetime  # the build's "now"
    finished: datetime


def describe_template_error(error: jinja2.TemplateError) -> str:
    """A template mistake as `file:line: message`, like the email renderer's."""
    if isinstance(error, jinja2.TemplateSyntaxError):
        where = f"{error.filename or error.name}:{error.lineno}"
        return f"{where}: {error.message}; fix the template"
    return f"template error: {error}; fix the template"


def snapshot(roots: tuple[Path, ...]) -> Snapshot:
    """Modification time and size of every non-hidden file under `roots` (files or folders)."""
    seen: Snapshot = {}
    for root in roots:
        if root.is_file():
            paths = [root]
        elif root.is_dir():
            paths = [
                path
                for path in root.rglob("*")
                if not any(part.startswith(".") for part in path.relative_to(root).parts)
            ]
        else:
            paths = []
        for path in paths:
            try:
                info = path.stat()
            except OSError:
                continue
            if not path.is_dir():
                seen[str(path)] = (info.st_mtime_ns, info.st_size)
    return seen


def changed_paths(before: Snapshot, after: Snapshot) -> tuple[str, ...]:
    """Files added, removed or modified between two snapshots."""
    return tuple(sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k)))


class Preview:
    """Build once, then serve the output on 127.0.0.1 and rebuild on every change."""

    def __init__(
        self,
        load: ConfigLoader,
        *,
        config_path: Path | None,
        out: Path | None = None,
        port: int = 0,
        now: datetime | None = None,
        interval: float = POLL_SECONDS,
        on_build: Callable[[Outcome], None] | None = None,
    ) -> None:
        """`load` reads the configuration afresh for each build (None for `out`: a scratch copy)."""
        self._load = load
        self._config_path = config_path
        self._now = now
        self._interval = interval
        self._on_build = on_build
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        config = load()
        if out is None:
            self._scratch = tempfile.TemporaryDirectory(prefix="digest-preview-")
            out = Path(self._scratch.name) / "public"
            if config.output.is_dir():
                shutil.copytree(config.output, out, symlinks=True, ignore=COPY_IGNORE)
        self.out = out
        self._config = replace(config, output=out)
        self._outcome: Outcome | None = None
        self._threads: list[threading.Thread] = []
        handler = partial(_Handler, directory=str(out), preview=self)
        try:
            self._server = ThreadingHTTPServer((HOST, port), handler)
        except OSError:
            if self._scratch is not None:
                self._scratch.cleanup()
            raise
        self._server.daemon_threads = True

    @property
    def url(self) -> str:
        """Where the index page is served."""
        return f"http://{HOST}:{self._server.server_address[1]}/"

    @property
    def outcome(self) -> Outcome | None:
        """The latest build attempt."""
        with self._lock:
            return self._outcome

    @property
    def config(self) -> Config:
        """The configuration of the latest build attempt that could read it."""
        with self._lock:
            return self._config

    def start(self) -> None:
        """Build, then serve and watch in background threads.

        The sources are read before the first build, so an edit made while it runs
        still triggers the next one.
        """
        roots = self.watched()
        before = snapshot(roots)
        self.rebuild(())
        serve = threading.Thread(target=self._serve, name="digest-preview-http", daemon=True)
        watch = threading.Thread(
            target=self._watch, args=(roots, before), name="digest-preview-watch", daemon=True
        )
        for thread in (serve, watch):
            thread.start()
            self._threads.append(thread)

    def __enter__(self) -> Preview:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def wait(self) -> None:
        """Block until `stop` is called (Ctrl-C interrupts it)."""
        while not self._stop.wait(0.5):
            pass

    def stop(self) -> None:
        """Stop serving and watching; remove the scratch output folder if we made one."""
        self._stop.set()
        if self._threads:  # shutdown() waits for serve_forever(), so only once it runs
            self._server.shutdown()
        self._server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        if self._scratch is not None:
            self._scratch.cleanup()

    def rebuild(self, changed: tuple[str, ...]) -> Outcome:
        """Build now; a failure is recorded and reported, never raised."""
        result: BuildResult | None = None
        error = ""
        now = self._now or datetime.now(UTC)
        try:
            config = replace(self._load(), output=self.out)
            with self._lock:
                self._config = config
            result = build(config, now=now)
        except DigestError as failure:
            error = str(failure)
        except jinja2.TemplateError as failure:
            error = describe_template_error(failure)
        with self._lock:
            generation = self._outcome.generation + 1 if self._outcome else 1
            finished = datetime.now(UTC)
            outcome = Outcome(generation, changed, result, error, now, finished)
            self._outcome = outcome
        if self._on_build:
            self._on_build(outcome)
        return outcome

    def watched(self) -> tuple[Path, ...]:
        """The sources whose change triggers a rebuild."""
        config = self.config
        roots = [config.articles]
        if config.templates:
            roots.append(config.templates)
        if self._config_path:
            roots.append(self._config_path)
        return tuple(roots)

    def _serve(self) -> None:
        self._server.serve_forever(poll_interval=0.2)

    def _watch(self, roots: tuple[Path, ...], before: Snapshot) -> None:
        while not self._stop.wait(self._interval):
            after = snapshot(roots)
            if after == before:
                continue
            if self._stop.wait(SETTLE_SECONDS):
                return
            after = snapshot(roots)
            changed = changed_paths(before, after)
            self.rebuild(changed)
            before = after
            if self.watched() != roots:
                roots = self.watched()
                before = snapshot(roots)

    def index_page(self) -> IndexPage:
        """What the index page shows about the latest build."""
        outcome, config = self.outcome, self.config
        problems: tuple[str, ...] = ()
        summary, not_shown = "", tuple[str, ...]()
        if outcome and outcome.result:
            result = outcome.result
            skipped = tuple(f"{problem} (file skipped)" for problem in result.collection.problems)
            problems = (*skipped, *(str(warning) for warning in result.warnings))
            summary = f"{result.live} published, {result.in_digest} in the digest"
            not_shown = tuple(
                f"{_relative(article.source, config.articles)}: "
                + _why_hidden(article.draft, article.published > outcome.now)
                for article in result.collection.articles
                if not is_live(article, outcome.now)
            )
        return IndexPage(
            site_title=config.title,
            generation=outcome.generation if outcome else 0,
            built_at=outcome.finished.astimezone().strftime("%H:%M:%S") if outcome else "",
            error=outcome.error if outcome else "",
            summary=summary,
            problems=problems,
            not_shown=not_shown,
            has_digest=(self.out / "digest.html").is_file(),
            extras=extras(self.out),
            feeds=find_feeds(self.out),
        )

    def status(self) -> dict[str, Any]:
        """The build number and error, for the page's reload poll."""
        outcome = self.outcome
        return {
            "generation": outcome.generation if outcome else 0,
            "error": outcome.error if outcome else "",
        }


def _relative(path: Path, folder: Path) -> str:
    return str(path.relative_to(folder)) if path.is_relative_to(folder) else str(path)


def _why_hidden(draft: bool, future: bool) -> str:
    if draft:
        return "draft (delete 'draft: true' to publish)"
    return "embargoed until its date" if future else "expired"


class _Handler(SimpleHTTPRequestHandler):
    """The output folder as files, plus the preview's index, status and feed pages."""

    def guess_type(self, path: str | os.PathLike[str]) -> str:
        """Text types carry their charset, so `•` and `—` show as written."""
        kind = TEXT_TYPES.get(Path(path).suffix.lower())
        return kind or super().guess_type(path)

    def __init__(self, *args: Any, directory: str, preview: Preview) -> None:
        self.preview = preview
        super().__init__(*args, directory=directory)

    def do_GET(self) -> None:
        """Our pages by path; anything else is a file from the output folder."""
        path = unquote(urlsplit(self.path).path)
        if path in ("/", "/index.html"):
            page = render_index(self.preview.index_page(), poll_ms=PAGE_POLL_MS)
            self._send(HTTPStatus.OK, "text/html; charset=utf-8", page.encode("utf-8"))
        elif path == STATUS_PATH:
            body = json.dumps(self.preview.status()).encode("utf-8")
            self._send(HTTPStatus.OK, "application/json", body)
        elif path.startswith(FEED_VIEW_PATH):
            self._feed(path.removeprefix(FEED_VIEW_PATH))
        else:
            super().do_GET()

    def _feed(self, name: str) -> None:
        try:
            target = safe_target(self.preview.out, name)
        except DigestError:
            target = None
        if target is None or target.name not in FEED_NAMES or not target.is_file():
            self.send_error(HTTPStatus.NOT_FOUND, f"no feed at {name}")
            return
        try:
            page = render_feed(read_feed(target.read_bytes(), name))
        except FeedReadError as error:
            self.send_error(HTTPStatus.INTERNAL_SERVER_ERROR, f"cannot show {name}: {error}")
            return
        self._send(HTTPStatus.OK, "text/html; charset=utf-8", page.encode("utf-8"))

    def _send(self, status: HTTPStatus, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def end_headers(self) -> None:
        """Never cached: every reload shows the latest build."""
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the terminal shows builds, not every request."""
