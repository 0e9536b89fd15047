"""The build cache: what earlier builds into an output folder worked out, reused when it holds.

A build reads every article's front matter, renders the bodies of the few dozen stories
that reach an output, and renders feeds and the digest from them. Most of that is the
same as last time, so `<out>/.digest/cache/build.pickle` keeps:

- per article item (its name in the source), its revision and what parsing it gave;
- the stages' memos (see memo.py), each by name: a digest of a piece of work's inputs →
  its result. A memo of output files keeps a digest of each file and gives the files back
  only while they are in the output folder, byte for byte.

Everything is keyed so that a hit is exactly what the work would produce again: the whole
cache belongs to one version of the code and its libraries and one configuration (any
change starts afresh), an item is re-read when its revision changes, and a memo's key
digests every other input of the work. A memo keeps what the build found or stored in it,
so it never grows past one build's worth. Deleting the cache only makes the next build
slower. It is written by publish.py, like every other file, after the outputs.
"""

from __future__ import annotations

import copyreg
import os
import pickle
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, get_args
from zoneinfo import ZoneInfo

from digest.config import Config
from digest.errors import PublishError
from digest.incremental.fingerprints import FORMAT, cache_key, digest
from digest.incremental.gc_pause import gc_paused
from digest.incremental.memo import Memo
from digest.incremental.safe_pickle import READ_ERRORS, SafeUnpickler
from digest.incremental.shapes import Check, fields_hint, shape
from digest.models import Article, Image, LeadQuote
from digest.publish import safe_target
from digest.sources.base import RECORDED_FIELDS, Entry, Revision

CACHE_FILE = ".digest/cache/build.pickle"


@dataclass(frozen=True)
class Chunk:
    """Where one chunk of article records lies in the cache file read, and how many it holds."""

    count: int
    start: int
    end: int


@dataclass
class BuildCache:
    """The cache of one output folder: the article records, and the stages' memos."""

    key: str = ""  # code, libraries and configuration it belongs to
    articles: dict[str, Entry] = field(default_factory=dict)
    memos: dict[str, dict[str, Any]] = field(default_factory=dict)  # name → its entries, as read
    folder: Path = Path()  # the output folder
    loaded: tuple[Any, ...] = ()  # copies of the parts as read, to tell changes
    chunks: tuple[Chunk, ...] = ()  # the article records' chunks in the file read
    source: tuple[int, ...] = ()  # that file's identity, to copy unchanged chunks from it
    opened: dict[str, Kept] = field(default_factory=dict)  # the memos handed to stages

    def memo(self, name: str, hint: Any) -> Memo:
        """The memo `name`, whose values have the shape `hint` (one of another is a miss)."""
        return self._open(name, lambda entries: Kept(entries, shape(hint)))

    def files_memo(self, name: str) -> Memo:
        """The memo `name` of output files ({path: bytes}): it keeps their digests and gives
        them back read from the output folder, if each is still as it was written."""
        return self._open(name, lambda entries: OutputFiles(entries, self.folder))

    def _open(self, name: str, make: Callable[[dict[str, Any]], Kept]) -> Kept:
        if name not in self.opened:
            self.opened[name] = make(self.memos.get(name, {}))
        return self.opened[name]

    def changed(self) -> bool:
        """Whether the stages changed anything since the cache was read."""
        return self.loaded != self._parts()

    def _parts(self) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
        return self.articles, self._memo_parts()

    def _memo_parts(self) -> dict[str, dict[str, Any]]:
        """Each memo's entries to write: a memo consulted this build keeps only the entries
        found or stored; one not consulted keeps all it had."""
        kept = {name: memo.kept for name, memo in self.opened.items() if memo.kept is not None}
        return {**self.memos, **kept}


class Kept:
    """A memo over entries an earlier build kept; it keeps what this build finds or stores."""

    def __init__(self, entries: dict[str, Any], check: Check) -> None:
        self._entries = entries
        self._check = check
        self.kept: dict[str, Any] | None = None  # None until the memo is consulted

    def get(self, key: str) -> Any | None:
        """The value stored under `key`, if it has the shape the stage stores."""
        stored = (self.kept or {}).get(key, self._entries.get(key))
        value = None if stored is None or not self._check(stored) else self._given(stored)
        self._keep(key, value if value is None else stored)
        return value

    def put(self, key: str, value: Any) -> None:
        """Keep `value` under `key`."""
        self._keep(key, self._stored(value))

    def _keep(self, key: str, stored: Any) -> None:
        if self.kept is None:
            self.kept = {}
        if stored is not None:
            self.kept[key] = stored

    def _given(self, stored: Any) -> Any | None:
        """What the memo gives for a value it keeps (None: a miss after all)."""
        return stored

    def _stored(self, value: Any) -> Any:
        """What the memo keeps of a value stored."""
        return value


_DIGESTS = shape(dict[str, str])


class OutputFiles(Kept):
    """A memo of output files that keeps each file's digest, not its bytes."""

    def __init__(self, entries: dict[str, Any], folder: Path) -> None:
        super().__init__(entries, _DIGESTS)
        self._folder = folder

    def _stored(self, value: dict[str, bytes]) -> dict[str, str]:
        return {path: digest(data) for path, data in value.items()}

    def _given(self, stored: dict[str, str]) -> dict[str, bytes] | None:
        """The files read back from the output folder, if each still has its digest."""
        files = {}
        for name, expected in stored.items():
            try:
                content = safe_target(self._folder, name).read_bytes()
            except (OSError, PublishError):  # gone, or a name outside the folder: a miss
                return None
            if digest(content) != expected:
                return None
            files[name] = content
        return files


_HEADER = shape(tuple[int, str, int])  # format, key, chunks of article records
_FIELDS: Any = tuple[  # type: ignore[misc]
    (int, *get_args(fields_hint(Article, RECORDED_FIELDS)))
]  # the article's body line, then the fields reading gives
_RECORD: Any = tuple[
    _FIELDS | None,  # absent if the file was skipped
    tuple[str, ...],  # its related-story terms
    tuple[tuple[int, str], ...],  # its problems or warnings: line, message
    tuple[tuple[int, str], ...],  # its notes: line, message
]  # an `articles.Record`, to the letter
_ARTICLES = shape(dict[str, tuple[Revision, _RECORD, Revision]])  # a chunk of `Entry`s
_MEMOS = shape(dict[str, dict[str, Any]])


def load_cache(config: Config) -> BuildCache:
    """The output folder's cache if it belongs to this code and configuration, else an empty one.

    A missing, stale or unreadable cache is never an error: the build just does all the work.
    Nor is one holding values of other shapes than the build writes (see shapes.py).
    """
    key = cache_key(config)
    empty = BuildCache(key=key, folder=config.output)
    chunks = []
    try:
        with (config.output / CACHE_FILE).open("rb") as stream, gc_paused():
            header = SafeUnpickler(stream).load()
            if not _HEADER(header) or header[:2] != (FORMAT, key):
                return empty
            articles: dict[str, Any] = {}
            for _ in range(header[2]):
                start = stream.tell()
                chunk = SafeUnpickler(stream).load()
                if not _ARTICLES(chunk):
                    return empty
                articles.update(chunk)
                chunks.append(Chunk(len(chunk), start, stream.tell()))
            memos = SafeUnpickler(stream).load()
            source = _identity(os.fstat(stream.fileno()))
    except READ_ERRORS:
        return empty
    if not _MEMOS(memos):
        return empty
    if sum(chunk.count for chunk in chunks) != len(articles):  # a name twice: copy none
        chunks = []
    return BuildCache(
        key,
        articles,
        memos,
        folder=config.output,
        loaded=(dict(articles), {name: dict(entries) for name, entries in memos.items()}),
        chunks=tuple(chunks),
        source=source,
    )


def write_cache(cache: BuildCache, stream: BinaryIO) -> None:
    """Write the cache as the file `load_cache` reads: a header, then the parts.

    The article records go in chunks, each pickled on its own: a pickler remembers every
    object it wrote, which for a whole archive would cost more memory than the archive.
    A chunk that holds the very records it held when the cache was read is copied from
    the file read (if it is still there, unchanged) instead: after an edit, most are.
    """
    pickler = pickle.Pickler(stream, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {
        **copyreg.dispatch_table,
        ZoneInfo: _zone_by_key,
        Image: _image_by_fields,
        LeadQuote: _quote_by_fields,
    }
    names = list(cache.articles)
    chunks = [names[start : start + CHUNK] for start in range(0, len(names), CHUNK)]
    pickler.dump((FORMAT, cache.key, len(chunks)))
    unchanged = _unchanged_chunks(cache, chunks)
    with _file_read(cache) if unchanged else nullcontext() as previous:
        for index, chunk in enumerate(chunks):
            span = unchanged.get(index)
            if previous is not None and span is not None:
                previous.seek(span.start)
                stream.write(previous.read(span.end - span.start))
            else:
                pickler.clear_memo()  # each chunk is read on its own
                pickler.dump({name: cache.articles[name] for name in chunk})
    pickler.clear_memo()
    pickler.dump(cache._memo_parts())


def _unchanged_chunks(cache: BuildCache, chunks: Sequence[list[str]]) -> dict[int, Chunk]:
    """Chunk number → where it lies in the file read, for each chunk holding what it held.

    That is the same names in the same order, each with the very record object read.
    """
    if not cache.chunks:
        return {}
    read = cache.loaded[0]
    names_read = list(read)
    found = {}
    start = 0
    for index, (span, names) in enumerate(zip(cache.chunks, chunks, strict=False)):
        was = names_read[start : start + span.count]
        start += span.count
        if was == names and all(cache.articles[name] is read[name] for name in names):
            found[index] = span
    return found


@contextmanager
def _file_read(cache: BuildCache) -> Iterator[BinaryIO | None]:
    """The cache file the build read, open, or None if it is gone or was replaced since."""
    try:
        stream = (cache.folder / CACHE_FILE).open("rb")
    except OSError:
        yield None
        return
    with stream:
        yield stream if _identity(os.fstat(stream.fileno())) == cache.source else None


def _identity(info: os.stat_result) -> tuple[int, ...]:
    """Which file this is, and which version of it."""
    return info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns


CHUNK = 2_000
"""Article records pickled together: enough to share most of their tags and words on
reading, few enough that an edit re-pickles a small part of the archive."""


def _image_by_fields(image: Image) -> tuple[type[Image], tuple[str, str, str]]:
    """An image travels as its fields, rebuilt by `Image(...)`: a dataclass's own state
    is slower to write and read."""
    return Image, (image.url, image.alt, image.credit)


def _quote_by_fields(
    quote: LeadQuote,
) -> tuple[type[LeadQuote], tuple[str, str | None, str | None]]:
    """A lead quote travels as its fields, like an image."""
    return LeadQuote, (quote.text, quote.speaker, quote.source)


def _zone_by_key(zone: ZoneInfo) -> tuple[type[ZoneInfo], tuple[str]]:
    """Time zones travel as their key, rebuilt by `ZoneInfo(key)` (no helper to allow)."""
    if zone.key is None:
        raise pickle.PicklingError("a time zone without a key cannot be cached")
    return ZoneInfo, (zone.key,)
