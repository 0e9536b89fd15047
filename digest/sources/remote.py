"""A feed as a `Source`, with its last good copy kept in the output folder's `.digest/`.

Opening a `FeedSource` fetches the feed if its `refresh` time has passed since the last
check (or `--refresh` asks): conditionally, with the ETag and Last-Modified of the copy
kept. A new, valid answer replaces the copy (written atomically, then the state that
names it); a 304 or the same bytes again rewrite nothing (the state file's time is
touched: it tells when the feed was last checked). Any failure — the network, the server,
an answer that is no feed — is a warning naming the source and the reason, and the last
good copy is read instead; a failure older than `fetch.failing_limit` is an error, which
`--strict` makes fatal.

The items are the copy's entries, named by GUID, with a digest of each entry as it is
spelt as revision; the state keeps that listing, so a build whose feeds are unchanged
lists them without parsing anything (see replay.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from digest.errors import ArticleError, Problem
from digest.models import Article, Location, Revision
from digest.publish import write_private
from digest.sources.base import Record
from digest.sources.fetch import FetchError, Limits, fetch

if TYPE_CHECKING:
    from digest.config import Config, SourceSpec
    from digest.sources.feed import Feed
    from digest.sources.items import Item

STORE = ".digest/feeds"
STATE_FORMAT = 1


@dataclass
class FeedState:
    """What the output folder remembers of a feed (`<STORE>/<key>.json`)."""

    url: str
    etag: str = ""
    last_modified: str = ""
    copy: str = ""  # the file under STORE holding the last good copy; "" for none yet
    fetched: float = 0.0  # when that copy was fetched (seconds since 1970)
    failing_since: float = 0.0  # when fetching it began to fail; 0: it does not
    reason: str = ""  # why it fails
    index_key: str = ""  # the code and configuration the listing was made with
    index: list[list[str]] = field(default_factory=list)  # [name, revision, where] each
    seen: dict[str, float] = field(default_factory=dict)  # undated items: first seen when

    @classmethod
    def load(cls, path: Path, url: str) -> FeedState:
        """The state kept at `path`, or a fresh one if there is none fit to use."""
        try:
            data = json.loads(path.read_bytes())
            state = cls(**{k: v for k, v in data.items() if k != "format"})
        except (OSError, ValueError, TypeError):
            return cls(url)
        if data.get("format") != STATE_FORMAT or state.url != url:
            return cls(url)
        return state

    def to_bytes(self) -> bytes:
        """The state as the file holds it."""
        data = {"format": STATE_FORMAT, **asdict(self)}
        return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False).encode() + b"\n"


class FeedSource:
    """One feed's items, from a fresh fetch or the last good copy."""

    def __init__(
        self,
        spec: SourceSpec,
        config: Config,
        *,
        refresh: bool = False,
        write: bool = True,
    ) -> None:
        self.spec = spec
        self.config = config
        self.write = write
        self.warnings: list[Problem] = []
        self.errors: list[Problem] = []
        self._now = time.time()  # fetching keeps real time; `--now` decides only the outputs
        key = hashlib.blake2b(spec.feed.encode(), digest_size=10).hexdigest()
        self._key = key
        self._state_path = config.output / STORE / f"{key}.json"
        self._items: dict[str, Item] | None = None  # the copy's, once parsed
        self.state = FeedState.load(self._state_path, spec.feed)
        if self.state.copy and not self._copy_path(self.state.copy).is_file():
            self.state = replace(self.state, copy="", index_key="", index=[])  # lost: none
        self._update(refresh)
        self._where = {name: where for name, _, where in self.state.index}
        self._by_id: dict[str, str] | None = None

    def __repr__(self) -> str:
        return f"FeedSource({self.spec.feed!r})"

    # --- the Source protocol ---------------------------------------------------------------

    def items(self) -> Sequence[tuple[str, Revision | None]]:
        """Each entry's name (its GUID) and revision, in the feed's order."""
        return [(name, revision) for name, revision, _ in self.state.index]

    def left_out(self) -> dict[str, int]:
        """Nothing: every entry of the feed is an item."""
        return {}

    def settled(self, revision: Revision | None, now_ns: int) -> bool:
        """Always, for a listed entry: its revision digests all of it."""
        return revision is not None

    def where(self, name: str) -> str:
        """The entry's link (the article's URL)."""
        return self._where.get(name, self.spec.feed)

    def location(self, name: str, line: int) -> Location:
        """The entry's link; an entry has no lines."""
        return Location(self.where(name), line)

    def read(self, name: str, config: Config) -> Record:
        """The entry's record (the copy is parsed once, on the first read)."""
        item = self._parsed().get(name)
        if item is None:
            return None, (), ((0, "the item is gone from the feed's copy"),), ()
        return item.record

    def body(self, article: Article) -> str:
        """The entry's Markdown body, from the copy."""
        items = self._parsed()
        if self._by_id is None:
            from digest.sources.items import feed_prefix

            prefix = feed_prefix(self.spec.feed)
            self._by_id = {f"{prefix}#{item.name}": item.name for item in items.values()}
        name = self._by_id.get(article.id)
        if name is None:
            message = "changed during the build: the item is gone from the feed's copy"
            raise ArticleError([Problem(article.location.where, 0, message)])
        return items[name].body

    # --- fetching --------------------------------------------------------------------------

    def _update(self, refresh: bool) -> None:
        """Fetch the feed if it is due, and make sure the listing fits this code."""
        checked = self._checked()
        due = self._now - checked >= self.spec.refresh.total_seconds()
        due = due or refresh or not self.state.copy
        if due:
            self._fetch()
        elif self.state.failing_since:
            self._report(self.state.reason)
        index_key = self._index_key()
        if self.state.copy and self.state.index_key != index_key:
            self._index_copy(index_key)

    def _checked(self) -> float:
        """When the feed was last checked: the state file's modification time."""
        try:
            return self._state_path.stat().st_mtime
        except OSError:
            return 0.0

    def _fetch(self) -> None:
        state = self.state
        limits = Limits(self.config.fetch_timeout, self.config.fetch_max_bytes)
        try:
            answer = fetch(
                self.spec.feed,
                etag=state.etag if state.copy else "",
                last_modified=state.last_modified if state.copy else "",
                limits=limits,
            )
        except FetchError as error:
            self._failed(str(error))
            return
        if answer.body is None:  # not modified
            self._unchanged()
            return
        copy = f"{self._key}-{hashlib.blake2b(answer.body, digest_size=16).hexdigest()}.feed"
        if copy == state.copy and self._copy_path(copy).is_file():
            self._unchanged(answer.etag, answer.last_modified)
            return
        from digest.sources.feed import FeedError, parse_feed

        try:
            feed = parse_feed(answer.body, self.spec.feed)
        except FeedError as error:
            self._failed(str(error))
            return
        for warning in feed.warnings:
            self.warnings.append(self._problem(warning))
        self._items = self._read(feed)  # parsed once: the copy is listed from these
        self._store(copy, answer.body, answer.etag, answer.last_modified)

    def _store(self, copy: str, body: bytes, etag: str, last_modified: str) -> None:
        """Keep `body` as the last good copy, then the state naming it; drop the old copy."""
        old = self.state.copy
        self.state = replace(
            self.state,
            etag=etag,
            last_modified=last_modified,
            copy=copy,
            fetched=self._now,
            failing_since=0.0,
            reason="",
            index_key="",
            index=[],
        )
        self._index_copy(self._index_key(), save=False)
        if self.write:
            write_private(self.config.output, f"{STORE}/{copy}", body)
            self._save()
            if old and old != copy:
                self._copy_path(old).unlink(missing_ok=True)

    def _unchanged(self, etag: str = "", last_modified: str = "") -> None:
        """A 304 or the same bytes: the copy stands; only the time of the check is kept."""
        state = self.state
        validators = (etag or state.etag, last_modified or state.last_modified)
        if state.failing_since or validators != (state.etag, state.last_modified):
            self.state = replace(
                state,
                etag=validators[0],
                last_modified=validators[1],
                failing_since=0.0,
                reason="",
            )
            self._save()
        else:
            self._touch()

    def _failed(self, reason: str) -> None:
        """Remember since when the feed fails (once), and say so."""
        if not self.state.failing_since or self.state.reason != reason:
            since = self.state.failing_since or self._now
            self.state = replace(self.state, failing_since=since, reason=reason)
            self._save()
        else:
            self._touch()
        self._report(reason)

    def _report(self, reason: str) -> None:
        state = self.state
        if state.copy:
            fetched = _when(state.fetched)
            kept = f"its last good copy (fetched {fetched}) is used"
        else:
            kept = "there is no copy of it yet, so it adds no stories"
        self.warnings.append(self._problem(f"{reason}; {kept}"))
        limit = self.config.fetch_failing_limit
        if self._now - state.failing_since > limit.total_seconds():
            self.errors.append(
                self._problem(
                    f"failing since {_when(state.failing_since)}, longer than "
                    f"fetch.failing_limit ({_span(limit.total_seconds())}): check its URL, "
                    "or take it out of [[sources]]"
                )
            )

    def _problem(self, message: str) -> Problem:
        """A message about the feed, named by its URL (and its name, if it has one)."""
        named = f"{self.spec.name}: {message}" if self.spec.name else message
        return Problem(self.spec.feed, 0, named)

    def _save(self) -> None:
        if self.write:
            write_private(self.config.output, f"{STORE}/{self._key}.json", self.state.to_bytes())

    def _touch(self) -> None:
        if self.write:
            try:
                os.utime(self._state_path)
            except OSError:
                self._save()

    # --- the copy ----------------------------------------------------------------------------

    def _copy_path(self, copy: str) -> Path:
        return self.config.output / STORE / copy

    def _index_key(self) -> str:
        from digest.incremental.fingerprints import cache_key

        return f"{cache_key(self.config)}:{self.spec!r}"

    def _index_copy(self, key: str, *, save: bool = True) -> None:
        """List the copy's entries into the state (and save it, if asked)."""
        items = self._parsed()
        index = [[item.name, item.revision, item.where] for item in items.values()]
        seen = {name: when for name, when in self.state.seen.items() if name in items}
        self.state = replace(self.state, index_key=key, index=index, seen=seen)
        self._where = {name: where for name, _, where in index}
        if save:
            self._save()

    def _parsed(self) -> dict[str, Item]:
        """The copy's entries as items, by name (parsed on the first call)."""
        if self._items is None:
            from digest.sources.feed import FeedError, parse_feed

            try:
                feed = parse_feed(self._copy_path(self.state.copy).read_bytes(), self.spec.feed)
            except (OSError, FeedError):
                feed = None
            self._items = {} if feed is None else self._read(feed)
        return self._items

    def _read(self, feed: Feed) -> dict[str, Item]:
        """The entries of `feed` as items, by name."""
        from digest.sources.items import read_items

        items = read_items(feed, self.spec, self.config, self._first_seen)
        return {item.name: item for item in items}

    def _first_seen(self, name: str) -> datetime:
        """When the undated item `name` was first seen: kept in the state from then on."""
        seen = self.state.seen.setdefault(name, self._now)
        return datetime.fromtimestamp(seen, UTC)


def _when(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _span(seconds: float) -> str:
    days, rest = divmod(int(seconds), 86_400)
    return f"{days}d" if not rest else f"{int(seconds) // 3600}h"
