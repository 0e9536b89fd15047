"""Digests of what a build's results depend on: code, libraries, configuration, files.

Both caches (cache.py, replay.py) are keyed by them. Libraries are found, not imported,
so computing a key costs no more than reading our own source.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
from collections.abc import Iterable
from dataclasses import fields
from pathlib import Path
from typing import Any

from . import __version__
from .config import DEFAULT_TEMPLATES, Config

FORMAT = 4
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


def _code_digest() -> str:
    """Our own source and default templates: any edit is a new version of the code."""
    return files_digest([Path(__file__).parent, DEFAULT_TEMPLATES])


def files_digest(folders: Iterable[Path]) -> str:
    """A digest of the names and contents of every file under `folders`."""
    hashed = hashlib.blake2b(digest_size=16)
    for folder in folders:
        for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                hashed.update(f"{path.relative_to(folder)}\0{path.stat().st_size}\0".encode())
                hashed.update(path.read_bytes())
    return hashed.hexdigest()


def digest(data: bytes) -> str:
    """A short hex digest of `data`."""
    return hashlib.blake2b(data, digest_size=20).hexdigest()
