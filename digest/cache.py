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
import hashlib
import importlib.util
import os
import pickle
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

import jinja2

from . import __version__
from .articles import Record, Signature, settled
from .config import Config
from .publish import safe_target
from .stories import StoryCache
from .templates import DEFAULT_TEMPLATES
from .workers import parallel_map

CACHE_FILE = ".digest/cache/build.pickle"
PARALLEL_MIN_CALLS = 8
"""Fewer renders than this are done in this process: forking would not pay."""
FORMAT = 1
LIBRARIES = ("markdown_it", "nh3", "yaml", "jinja2", "feedgen", "lxml", "premailer", "cssutils")
"""Libraries whose output lands in ours: a new version of any starts a fresh cache."""

_SAFE_GLOBALS = {
    ("datetime", "datetime"),
    ("datetime", "date"),
    ("datetime", "timedelta"),
    ("datetime", "timezone"),
    ("zoneinfo", "ZoneInfo"),
    ("digest.models", "Image"),
    ("digest.models", "LeadQuote"),
    ("digest.models", "RelatedLink"),
}


@dataclass
class BuildCache:
    """The cache of one output folder; the stages read and update its parts."""

    key: str = ""  # code, libraries and configuration it belongs to
    articles: dict[str, tuple[Signature, Record]] = field(default_factory=dict)
    stories: StoryCache = field(default_factory=StoryCache)
    outputs: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)
    folder: Path = Path()  # the output folder
    loaded: tuple[dict[Any, Any], ...] = ()  # copies of the parts as read, to tell changes
    used: set[str] = field(default_factory=set)  # outputs `reuse` was asked for this build

    def changed(self) -> bool:
        """Whether the stages changed anything since the cache was read."""
        return self.loaded != self._parts()

    def _parts(self) -> tuple[dict[Any, Any], ...]:
        outputs = {name: value for name, value in self.outputs.items() if name in self.used}
        return self.articles, self.stories.rendered, self.stories.related, outputs

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
            key = _digest(inputs.encode("utf-8", "surrogatepass"))
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
            self.outputs[name] = (keys[name], {path: _digest(data) for path, data in made.items()})
            files |= made
        return files

    def _read_back(self, digests: dict[str, str]) -> dict[str, bytes] | None:
        files = {}
        for name, expected in digests.items():
            try:
                content = safe_target(self.folder, name).read_bytes()
            except OSError:
                return None
            if _digest(content) != expected:
                return None
            files[name] = content
        return files


def load_cache(config: Config) -> BuildCache:
    """The output folder's cache if it belongs to this code and configuration, else an empty one.

    A missing, stale or unreadable cache is never an error: the build just does all the work.
    """
    key = cache_key(config)
    empty = BuildCache(key=key, folder=config.output)
    try:
        with (config.output / CACHE_FILE).open("rb") as stream:
            header = _SafeUnpickler(stream).load()
            if not (isinstance(header, tuple) and header[:2] == (FORMAT, key)):
                return empty
            articles: dict[str, Any] = {}
            for _ in range(int(header[2])):
                articles.update(_SafeUnpickler(stream).load())
            parts = (articles, *_SafeUnpickler(stream).load())
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError,
            IndexError, KeyError, ImportError, MemoryError, RecursionError):  # fmt: skip
        return empty
    if not (isinstance(parts, tuple) and len(parts) == 4):
        return empty
    if not all(isinstance(part, dict) for part in parts):
        return empty
    articles, rendered, related, outputs = parts
    copies = tuple(dict(part) for part in parts)
    stories = StoryCache(rendered, related)
    return BuildCache(key, articles, stories, outputs, folder=config.output, loaded=copies)


def write_cache(cache: BuildCache, stream: BinaryIO) -> None:
    """Write the cache as the file `load_cache` reads: a header, then the parts.

    The article records go in chunks, each pickled on its own: a pickler remembers every
    object it wrote, which for a whole archive would cost more memory than the archive.
    """
    pickler = pickle.Pickler(stream, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {**copyreg.dispatch_table, ZoneInfo: _zone_by_key}
    names = list(cache.articles)
    chunks = [names[start : start + CHUNK] for start in range(0, len(names), CHUNK)]
    pickler.dump((FORMAT, cache.key, len(chunks)))
    for chunk in chunks:
        pickler.clear_memo()  # each chunk is read on its own
        pickler.dump({name: cache.articles[name] for name in chunk})
    pickler.clear_memo()
    pickler.dump(cache._parts()[1:])


CHUNK = 10_000
"""Article records pickled together: enough to share their tags and words on reading."""


def _zone_by_key(zone: ZoneInfo) -> tuple[type[ZoneInfo], tuple[str]]:
    """Time zones travel as their key, rebuilt by `ZoneInfo(key)` (no helper to allow)."""
    if zone.key is None:
        raise pickle.PicklingError("a time zone without a key cannot be cached")
    return ZoneInfo, (zone.key,)


def cache_key(config: Config) -> str:
    """A digest of the code, the libraries and the configuration a cache is valid for."""
    settings = {f.name: getattr(config, f.name) for f in fields(config) if f.name != "output"}
    parts = [FORMAT, __version__, sys.version, repr(settings), _code_digest()]
    parts += [_installed(name) for name in LIBRARIES]
    return _digest(repr(parts).encode())


def _installed(package: str) -> tuple[Any, ...]:
    """Which copy of a library is installed (found, not imported): its entry file's stat."""
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        return (package,)
    info = os.stat(spec.origin)
    return package, spec.origin, info.st_size, info.st_mtime_ns


def _code_digest() -> str:
    """Our own source and default templates: any edit is a new version of the code."""
    return _files_digest([Path(__file__).parent, DEFAULT_TEMPLATES])


def _files_digest(folders: Iterable[Path]) -> str:
    """A digest of the names and contents of every file under `folders`."""
    digest = hashlib.blake2b(digest_size=16)
    for folder in folders:
        for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                digest.update(f"{path.relative_to(folder)}\0{path.stat().st_size}\0".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _comparable(value: Any) -> Any:
    """An argument as compared between builds: its repr, an environment by its templates."""
    if isinstance(value, jinja2.Environment):
        loader = value.loader
        folders = [Path(p) for p in getattr(loader, "searchpath", ())]
        if folders:
            return ("templates", [str(folder) for folder in folders], _files_digest(folders))
    return value


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=20).hexdigest()


class _SafeUnpickler(pickle.Unpickler):
    """Builds only plain values and dates: a tampered cache cannot run code."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _SAFE_GLOBALS:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")
        return super().find_class(module, name)


REPLAY_FILE = ".digest/cache/last-build.pickle"
_REPLAYABLE_MODULES = ("digest.",)


@dataclass(frozen=True)
class Unchanged:
    """What the last build saw and left, to tell whether a new build would change anything.

    The build's inputs are its arguments, the code, libraries and configuration (see
    `cache_key`), every article file's `stat` signature and the templates' contents; its
    outputs, the signature of every file it produced. `result` is what it returned,
    without the articles.
    """

    key: str
    outputs: dict[str, Signature | None]
    result: Any


def inputs_key(
    config: Config, arguments: dict[str, Any], files: Sequence[tuple[str, Signature | None]]
) -> str | None:
    """A digest of every input of a build with these `arguments` and article `files`.

    None if a file cannot be told apart from its next version (see `articles.settled`)
    or has no signature: such a build is never taken as unchanged.
    """
    now = time.time_ns()
    if not all(settled(signature, now) for _, signature in files):
        return None
    templates = _files_digest([config.templates]) if config.templates else ""
    settings = repr(sorted((name, repr(value)) for name, value in arguments.items()))
    listing = _digest(pickle.dumps(files, protocol=pickle.HIGHEST_PROTOCOL))
    return _digest(f"{cache_key(config)}\0{settings}\0{templates}\0{listing}".encode())


def unchanged_result(config: Config, key: str | None) -> Any | None:
    """The last build's result if its inputs had this `key` and its outputs are untouched.

    A build is deterministic, and rebuilding over its own outputs (and state) writes the
    same bytes again: the result is then that of the last build, and nothing need be read.
    """
    if key is None:
        return None
    try:
        with (config.output / REPLAY_FILE).open("rb") as stream:
            record = _ReplayUnpickler(stream).load()
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError,
            IndexError, KeyError, ImportError, MemoryError, RecursionError):  # fmt: skip
        return None
    if not isinstance(record, Unchanged) or record.key != key:
        return None
    for name, signature in record.outputs.items():
        if _file_signature(safe_target(config.output, name)) != signature:
            return None
    return record.result


def unchanged_bytes(
    config: Config, key: str | None, files: Iterable[str], result: Any
) -> bytes | None:
    """The record `unchanged_result` reads, for a build that just published `files`.

    `files` may name files that do not exist (a state file not written yet): they must
    still not exist for the build to be taken as unchanged.
    """
    if key is None:
        return None
    outputs = {name: _file_signature(safe_target(config.output, name)) for name in files}
    return pickle.dumps(Unchanged(key, outputs, result), protocol=pickle.HIGHEST_PROTOCOL)


def _file_signature(path: Path) -> Signature | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino


class _ReplayUnpickler(_SafeUnpickler):
    """Also builds our own dataclasses (results, problems) and paths; still no code runs."""

    def find_class(self, module: str, name: str) -> Any:
        if module == "pathlib" and name in ("PosixPath", "WindowsPath", "PurePosixPath"):
            return super(_SafeUnpickler, self).find_class(module, name)
        if module.startswith(_REPLAYABLE_MODULES) and "." not in name:
            found = super(_SafeUnpickler, self).find_class(module, name)
            if is_dataclass(found) and isinstance(found, type):
                return found
        return super().find_class(module, name)
