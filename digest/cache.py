"""The build cache: what earlier builds into an output folder worked out, reused when it holds.

A build reads every article's front matter, renders the bodies of the few dozen stories
that reach an output, and renders feeds and the digest from them. Most of that is the
same as last time, so `<out>/.digest/cache/build.pickle` keeps:

- per article file (relative path), its `stat` signature and what parsing it gave;
- per story, its file revision and what its body rendered to;
- per output group (feeds, digest), a digest of every input of the render call and a
  digest of each file it produced.

Everything is keyed so that a hit is exactly what the work would produce again: the whole
cache belongs to one version of the code and its libraries and one configuration (any
change starts afresh), a file is re-read when its signature changes, and an output group
is re-rendered unless the repr of every argument of the call is unchanged and the files it
wrote last time are still there, byte for byte. Deleting the cache only makes the next
build slower. It is written by publish.py, like every other file, after the outputs.
"""

from __future__ import annotations

import copyreg
import os
import pickle
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, BinaryIO, get_args
from zoneinfo import ZoneInfo

import jinja2

from .config import Config
from .errors import PublishError
from .fingerprints import FORMAT, cache_key, digest, files_digest
from .gc_pause import gc_paused
from .models import Article, Image, LeadQuote, RelatedLink
from .publish import safe_target
from .safe_pickle import READ_ERRORS, SafeUnpickler
from .shapes import fields_hint, shape
from .source import Record, Revision
from .stories import Rendered, StoryCache
from .workers import parallel_map

CACHE_FILE = ".digest/cache/build.pickle"
PARALLEL_MIN_CALLS = 8
"""Fewer renders than this are done in this process: forking would not pay."""


@dataclass(frozen=True)
class Chunk:
    """Where one chunk of article records lies in the cache file read, and how many it holds."""

    count: int
    start: int
    end: int


@dataclass
class BuildCache:
    """The cache of one output folder; the stages read and update its parts."""

    key: str = ""  # code, libraries and configuration it belongs to
    articles: dict[str, tuple[Revision, Record]] = field(default_factory=dict)
    stories: StoryCache = field(default_factory=StoryCache)
    outputs: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)
    folder: Path = Path()  # the output folder
    loaded: tuple[dict[Any, Any], ...] = ()  # copies of the parts as read, to tell changes
    used: set[str] = field(default_factory=set)  # outputs `reuse` was asked for this build
    inlined: dict[str, str] = field(default_factory=dict)  # the digest's pages, CSS inlined
    chunks: tuple[Chunk, ...] = ()  # the article records' chunks in the file read
    source: tuple[int, ...] = ()  # that file's identity, to copy unchanged chunks from it

    def changed(self) -> bool:
        """Whether the stages changed anything since the cache was read."""
        return self.loaded != self._parts()

    def _parts(self) -> tuple[dict[Any, Any], ...]:
        outputs = {name: value for name, value in self.outputs.items() if name in self.used}
        return self.articles, self.stories.rendered, self.stories.related, outputs, self.inlined

    def reuse(
        self,
        render: Callable[..., dict[str, bytes]],
        calls: Mapping[str, tuple[Any, ...]],
        **kwargs: Any,
    ) -> dict[str, bytes]:
        """`render(*args, **kwargs)` for each named call's `args`, all files merged.

        A call whose inputs are as they were last time gives the files it wrote then. The
        inputs are compared by repr (a Jinja environment by its templates' contents); an
        input without a faithful repr (one showing a memory address) is never taken as
        unchanged. The files are read back from the output folder and used only if each
        still has the digest recorded when it was rendered. The calls left to render are
        shared with worker processes when there are enough of them.
        """
        named = [(key, _comparable(value)) for key, value in sorted(kwargs.items())]
        files: dict[str, bytes] = {}
        keys = {}
        for name, args in calls.items():
            inputs = repr((name, [_comparable(value) for value in args], named))
            key = digest(inputs.encode("utf-8", "surrogatepass"))
            self.used.add(name)
            previous = self.outputs.get(name)
            if previous is not None and previous[0] == key and " at 0x" not in inputs:
                kept = self._read_back(previous[1])
                if kept is not None:
                    files |= kept
                    continue
            keys[name] = key
        names = list(keys)
        rendered = parallel_map(
            lambda name: render(*calls[name], **kwargs), names, min_share=PARALLEL_MIN_CALLS // 2
        )
        for name, made in zip(names, rendered, strict=True):
            self.outputs[name] = (keys[name], {path: digest(data) for path, data in made.items()})
            files |= made
        return files

    def _read_back(self, digests: dict[str, str]) -> dict[str, bytes] | None:
        files = {}
        for name, expected in digests.items():
            try:
                content = safe_target(self.folder, name).read_bytes()
            except (OSError, PublishError):  # gone, or a name outside the folder: a miss
                return None
            if digest(content) != expected:
                return None
            files[name] = content
        return files


_HEADER = shape(tuple[int, str, int])  # format, key, chunks of article records
_ARTICLE_FIELDS = [field.name for field in fields(Article)]
_FIELDS: Any = tuple[  # type: ignore[misc]
    (int, *get_args(fields_hint(Article, _ARTICLE_FIELDS[1:-1])))
]  # the article's body line, then its fields after `location` but `revision`
_RECORD: Any = tuple[
    _FIELDS | None,  # absent if the file was skipped
    tuple[str, ...],  # its related-story terms
    tuple[tuple[int, str], ...],  # its problems or warnings: line, message
]  # an `articles.Record`, to the letter
_ARTICLES = shape(dict[str, tuple[Revision, _RECORD]])  # a chunk of them
_PARTS = shape(
    tuple[
        dict[str, tuple[tuple[str, Revision], Rendered]],  # StoryCache.rendered
        dict[str, Any],  # StoryCache.related, checked by `_related_memo`
        dict[str, tuple[str, dict[str, str]]],  # outputs
        dict[str, str],  # inlined
    ]
)
_RELATED_MEMO = shape(tuple[str, dict[str, tuple[RelatedLink, ...]], list[tuple[str, int, str]]])


def _related_memo(memo: dict[str, Any]) -> bool:
    """Whether `memo` is what `stories._related` leaves: nothing, or its key, links and warnings."""
    return not memo or (
        memo.keys() == {"key", "links", "warnings"}
        and _RELATED_MEMO((memo["key"], memo["links"], memo["warnings"]))
    )


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
            parts = SafeUnpickler(stream).load()
            source = _identity(os.fstat(stream.fileno()))
    except READ_ERRORS:
        return empty
    if not _PARTS(parts) or not _related_memo(parts[1]):
        return empty
    rendered, related, outputs, inlined = parts
    parts = (articles, *parts)
    copies = tuple(dict(part) for part in parts)
    stories = StoryCache(rendered, related)
    if sum(chunk.count for chunk in chunks) != len(articles):  # a name twice: copy none
        chunks = []
    return BuildCache(
        key,
        articles,
        stories,
        outputs,
        folder=config.output,
        loaded=copies,
        inlined=inlined,
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
    pickler.dump(cache._parts()[1:])


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


def _comparable(value: Any) -> Any:
    """An argument as compared between builds: its repr, an environment by its templates."""
    if isinstance(value, jinja2.Environment):
        loader = value.loader
        folders = [Path(p) for p in getattr(loader, "searchpath", ())]
        if folders:
            return ("templates", [str(folder) for folder in folders], files_digest(folders))
    return value
