"""The replay record: what the last build saw and left, to tell that a new one would change nothing.

A build whose inputs (arguments, code, libraries, configuration, article files,
templates) and outputs are exactly as the last build left them would write the same
bytes again; it returns the last build's result instead. Telling that takes a scan of
the articles folder and a `stat` of each output, and nothing here imports the rendering
stack, so such a build starts and ends quickly.
"""

from __future__ import annotations

import marshal
import pickle
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from digest.config import Config
from digest.errors import PublishError
from digest.incremental.fingerprints import cache_key, digest, templates_digest
from digest.incremental.safe_pickle import READ_ERRORS, ReplayUnpickler
from digest.incremental.shapes import shape
from digest.publish import safe_target
from digest.request import BuildRequest
from digest.sources.base import Revision, Source
from digest.sources.scan import Signature, signature

REPLAY_FILE = ".digest/cache/last-build.pickle"
T = TypeVar("T")


@dataclass(frozen=True)
class Unchanged:
    """What the last build saw and left, to tell whether a new build would change anything.

    The build's inputs are its arguments, the code, libraries and configuration (see
    `fingerprints.cache_key`), every article file's `stat` signature and the templates'
    contents; its outputs, the signature of every file it produced. `result` is what it
    returned, without the articles.
    """

    key: str
    outputs: dict[str, Signature | None]
    result: Any


def inputs_key(
    config: Config,
    request: BuildRequest,
    source: Source,
    items: Sequence[tuple[str, Revision | None]],
) -> str | None:
    """A digest of every input of a build of this `request` over `source`'s `items`.

    None if an item cannot be told apart from its next version (see `Source.settled`)
    or has no revision: such a build is never taken as unchanged. Raises ConfigError if
    the configured template folder is not one (see `fingerprints.templates_digest`).
    """
    templates = templates_digest(config)  # first: an unusable folder is an error either way
    now = time.time_ns()
    if not all(source.settled(revision, now) for _, revision in items):
        return None
    settings = request.key()
    passed_over = sorted(source.left_out().items())  # reported in the summary: an input too
    listing = digest(marshal.dumps([list(items), passed_over], 2))  # 2: by value, not sharing
    return digest(f"{cache_key(config)}\0{settings}\0{templates}\0{listing}".encode())


def unchanged_result(config: Config, key: str | None, kind: type[T]) -> T | None:
    """The last build's result if its inputs had this `key` and its outputs are untouched.

    A build is deterministic, and rebuilding over its own outputs (and state) writes the
    same bytes again: the result is then that of the last build, and nothing need be read.
    The result is a `kind` (a dataclass), each of its values of the type its hint names
    (see shapes.py); a record that says otherwise is no record.
    """
    if key is None:
        return None
    try:
        with (config.output / REPLAY_FILE).open("rb") as stream:
            record = ReplayUnpickler(stream).load()
    except READ_ERRORS:
        return None
    if not shape(Unchanged)(record) or record.key != key or not shape(kind)(record.result):
        return None
    for name, recorded in record.outputs.items():
        try:
            if _file_signature(safe_target(config.output, name)) != recorded:
                return None
        except PublishError:  # a name outside the output folder
            return None
    result: T = record.result
    return result


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
        return signature(path.stat())
    except OSError:
        return None
