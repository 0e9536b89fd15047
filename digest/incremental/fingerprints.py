"""Digests of what a build's results depend on: code, libraries, configuration, files.

Both caches (cache.py, replay.py) are keyed by them. Libraries are found, not imported,
so computing a key costs no more than reading our own source.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import fields
from functools import cache
from pathlib import Path
from typing import Any

from digest import __version__
from digest.config import DEFAULT_TEMPLATES, Config
from digest.errors import ConfigError

FORMAT = 8
"""Version of what the caches hold: bump it when a record's layout changes."""
LIBRARIES = ("markdown_it", "nh3", "yaml", "jinja2", "feedgen", "lxml", "premailer", "cssutils")
"""Libraries whose output lands in ours: a new version of any starts a fresh cache."""


def cache_key(config: Config) -> str:
    """A digest of the code, the libraries and the configuration a cache is valid for."""
    settings = {f.name: getattr(config, f.name) for f in fields(config) if f.name != "output"}
    parts = [FORMAT, __version__, sys.version, repr(settings), _code_digest()]
    parts += [_installed(name) for name in LIBRARIES]
    return digest(repr(parts).encode())


def _installed(package: str) -> tuple[Any, ...]:
    """Which copy of a library is installed (found, not imported): its entry file's stat."""
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        return (package,)
    info = os.stat(spec.origin)
    return package, spec.origin, info.st_size, info.st_mtime_ns


@cache  # the code a process runs does not change under it; a build asks twice
def _code_digest() -> str:
    """Our own source and default templates: any edit is a new version of the code."""
    return files_digest([Path(__file__).parent.parent, DEFAULT_TEMPLATES])


MAX_FOLDER_ENTRIES = 10_000
MAX_FOLDER_BYTES = 64 * 2**20
"""Bounds of a folder whose files are digested: far above any template folder, far below
a home folder (or `/`) named by mistake, which is refused before it is walked through."""


class UnusableFolder(ValueError):
    """A folder to digest holds a file that cannot be read, or more than we read."""


def files_digest(folders: Iterable[Path]) -> str:
    """A digest of the names and contents of every file under `folders` (missing ones: none).

    Raises UnusableFolder for a file that cannot be read, or past MAX_FOLDER_ENTRIES
    entries or MAX_FOLDER_BYTES bytes of files in a folder.
    """
    hashed = hashlib.blake2b(digest_size=16)
    for folder in folders:
        for relative, content in _folder_files(folder):
            hashed.update(f"{relative}\0{len(content)}\0".encode())
            hashed.update(content)
    return hashed.hexdigest()


def _folder_files(folder: Path) -> Iterator[tuple[Path, bytes]]:
    """Each file under `folder` (not in symlinked folders), sorted: its relative path, its bytes."""
    entries = []
    for path in folder.rglob("*") if folder.is_dir() else ():
        entries.append(path)
        if len(entries) > MAX_FOLDER_ENTRIES:
            raise UnusableFolder(f"it holds more than {MAX_FOLDER_ENTRIES} files and folders")
    size = 0
    for path in sorted(entries):
        if not path.is_file() or "__pycache__" in path.parts or path.suffix == ".pyc":
            continue
        try:
            fits = size + path.stat().st_size <= MAX_FOLDER_BYTES
            content = path.read_bytes() if fits else b""
        except OSError as error:
            raise UnusableFolder(f"cannot read {path}: {error.strerror or error}") from None
        size += len(content)
        if not fits or size > MAX_FOLDER_BYTES:
            raise UnusableFolder(f"its files hold more than {MAX_FOLDER_BYTES // 2**20} MiB")
        yield path.relative_to(folder), content


def templates_digest(config: Config) -> str:
    """A digest of the configured template folder's files ("" with none configured).

    Raises ConfigError if it is not a folder, or not one of templates (see `files_digest`):
    the build would use templates other than the ones meant, or never get to read them.
    """
    folder = config.templates
    if folder is None:
        return ""
    where = f"{config.source}: " if config.source else ""
    try:
        if not folder.is_dir():
            raise UnusableFolder("there is no such folder")
        return files_digest([folder])
    except UnusableFolder as error:
        raise ConfigError(
            [
                f"{where}'build.templates' {folder} is not a folder of templates: {error}; "
                "name the folder that holds your templates (see digest init --templates)"
            ]
        ) from None


def digest(data: bytes) -> str:
    """A short hex digest of `data`."""
    return hashlib.blake2b(data, digest_size=20).hexdigest()
