"""`digest preview`: build, serve the output on 127.0.0.1, rebuild when a source changes.

A `Preview` runs two threads: an HTTP server (preview_http: local requests only, a few
at a time) that serves the output folder's files, never its hidden ones, plus its own
index and feed pages; and a watcher that polls the modification times of the articles,
the templates and the configuration file. A change triggers a rebuild; the index page
polls `/__digest__/status` and reloads when the build number moves. A failed build is
reported (page and callback) and the last good output stays served.

Polling, not inotify: it needs no dependency, works on every file system (network
shares and containers included), and reading a few thousand `stat` results a second is
cheap next to a build.
"""

from __future__ import annotations

import fnmatch
import json
import mimetypes
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from http import HTTPStatus
from pathlib import Path
from typing import Any

import jinja2

from digest.config import Config
from digest.errors import DigestError
from digest.models import BuildResult
from digest.pipeline import build
from digest.preview.http import MAX_CONNECTIONS, TIMEOUT_SECONDS, LocalHandler, LocalServer
from digest.preview.pages import (
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
from digest.publish import safe_target
from digest.sections import is_live
from digest.templates import describe_template_error

HOST = "127.0.0.1"
POLL_SECONDS = 1.0
PAGE_POLL_MS = 1000
SETTLE_SECONDS = 0.1
"""After a change is seen, wait this long for the editor to finish saving."""
COPY_IGNORE = ("*.lock", "*.tmp", ".*.tmp")

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


def copy_output(source: Path, target: Path) -> None:
    """Copy the output folder `source` to `target`, with no link in the copy.

    A link is replaced by a copy of what it points to, so nothing written into `target`
    can land outside it (a published `archive/` linked to another disk stays untouched).
    A link to nothing, or to a folder it sits in, is left out; so are lock and temporary
    files.
    """
    _copy_folder(source, target, inside=frozenset({source.resolve()}))


def _copy_folder(source: Path, target: Path, *, inside: frozenset[Path]) -> None:
    target.mkdir(parents=True, exist_ok=True)
    with os.scandir(source) as entries:
        for entry in sorted(entries, key=lambda entry: entry.name):
            if any(fnmatch.fnmatch(entry.name, pattern) for pattern in COPY_IGNORE):
                continue
            path, copy = Path(entry.path), target / entry.name
            if entry.is_dir():  # a link to a folder included
                real = path.resolve()
                if real not in inside:
                    _copy_folder(path, copy, inside=inside | {real})
            elif entry.is_file():
                shutil.copy2(path, copy)


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
        drafts: bool = False,
        timeout: float = TIMEOUT_SECONDS,
        max_connections: int = MAX_CONNECTIONS,
    ) -> None:
        """`load` reads the configuration afresh for each build (None for `out`: a scratch copy).

        `drafts` lists drafts and embargoed articles on the index page; `timeout` and
        `max_connections` bound what a connection may hold (see preview_http).
        """
        self._load = load
        self.drafts = drafts
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
                copy_output(config.output, out)
        self.out = out
        self._config = replace(config, output=out)
        self._outcome: Outcome | None = None
        self._threads: list[threading.Thread] = []
        handler = partial(_Handler, preview=self)
        try:
            self._server = LocalServer(
                (HOST, port), handler, read_timeout=timeout, max_connections=max_connections
            )
        except OSError:
            if self._scratch is not None:
                self._scratch.cleanup()
            raise

    @property
    def url(self) -> str:
        """Where the index page is served."""
        return f"http://{HOST}:{self._server.server_address[1]}/"

    def connections(self) -> int:
        """How many connections the server holds open (one thread each)."""
        return self._server.connections()

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
        self._server.close_connections()
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
        """What the index page shows about the latest build.

        Nothing of an unpublished article (not even its warnings) unless `drafts`.
        """
        outcome, config = self.outcome, self.config
        problems: tuple[str, ...] = ()
        summary, not_shown = "", tuple[str, ...]()
        if outcome and outcome.result:
            result = outcome.result
            unpublished = [a for a in result.collection.articles if not is_live(a, outcome.now)]
            if self.drafts:
                not_shown = tuple(
                    f"{_relative(article.location.where, config.articles)}: "
                    + _why_hidden(article.draft, article.published > outcome.now)
                    for article in unpublished
                )
            hidden = set() if self.drafts else {article.location.where for article in unpublished}
            skipped = tuple(f"{problem} (file skipped)" for problem in result.collection.problems)
            warnings = (str(warning) for warning in result.warnings if warning.path not in hidden)
            problems = (*skipped, *warnings)
            summary = f"{result.live} published, {result.in_digest} in the digest"
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


def _relative(path: Path | str, folder: Path) -> str:
    if isinstance(path, str):  # a feed item's URL
        return path
    return str(path.relative_to(folder)) if path.is_relative_to(folder) else str(path)


def _why_hidden(draft: bool, future: bool) -> str:
    if draft:
        return "draft (delete 'draft: true' to publish)"
    return "embargoed until its date" if future else "expired"


class _Handler(LocalHandler):
    """The preview's index, status and feed pages, and the output folder's files.

    A name starting with a dot (`.digest/` with its cache and state) is never served, and
    a folder only through its `index.html`: nothing is listed.
    """

    def __init__(self, *args: Any, preview: Preview) -> None:
        self.preview = preview
        super().__init__(*args)

    def do_GET(self) -> None:
        self._answer(body=True)

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def _answer(self, *, body: bool) -> None:
        """Our pages by path; anything else is a file from the output folder."""
        path = self.request_path
        if any(part.startswith(".") for part in path.split("/")):
            self.send_error(HTTPStatus.NOT_FOUND)
        elif path in ("/", "/index.html"):
            page = render_index(self.preview.index_page(), poll_ms=PAGE_POLL_MS)
            self._send(HTTPStatus.OK, "text/html; charset=utf-8", page.encode("utf-8"), body)
        elif path == STATUS_PATH:
            status = json.dumps(self.preview.status()).encode("utf-8")
            self._send(HTTPStatus.OK, "application/json", status, body)
        elif path.startswith(FEED_VIEW_PATH):
            self._feed(path.removeprefix(FEED_VIEW_PATH), body)
        else:
            self._file(path, body)

    def _feed(self, name: str, body: bool) -> None:
        try:
            target = safe_target(self.preview.out, name)
        except DigestError:
            target = None
        if target is None or target.name not in FEED_NAMES or not target.is_file():
            self.send_error(HTTPStatus.NOT_FOUND, "no such feed")
            return
        try:
            page = render_feed(read_feed(target.read_bytes(), name))
        except FeedReadError as error:
            self.send_error(HTTPStatus.INTERNAL_SERVER_ERROR, f"cannot show {name}: {error}")
            return
        self._send(HTTPStatus.OK, "text/html; charset=utf-8", page.encode("utf-8"), body)

    def _file(self, path: str, body: bool) -> None:
        """A file of the output folder; a path ending in `/` is its folder's `index.html`."""
        parts = [part for part in path.split("/") if part]
        target = self.preview.out.joinpath(*parts)
        if path.endswith("/"):
            target = target / "index.html"
        try:
            content = target.read_bytes() if target.is_file() else None
        except OSError:
            content = None
        if content is None:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        self._send(HTTPStatus.OK, _media_type(target), content, body)

    def _send(self, status: HTTPStatus, content_type: str, content: bytes, body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if body:
            self.wfile.write(content)


def _media_type(path: Path) -> str:
    """Text types carry their charset, so `•` and `—` show as written."""
    suffix = path.suffix.lower()
    return (
        TEXT_TYPES.get(suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    )
