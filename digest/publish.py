"""Atomic, write-if-changed output: the only module that writes files."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import PublishError


@dataclass(frozen=True)
class Published:
    """Which output files were written and which already had the same bytes."""

    written: tuple[str, ...]
    unchanged: tuple[str, ...]


def safe_target(out_dir: Path, name: str) -> Path:
    """`out_dir / name`, refusing any name that would land outside `out_dir`."""
    relative = PurePosixPath(name)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise PublishError(f"refusing to write {name!r}: it is outside the output folder")
    return out_dir.joinpath(*relative.parts)


def _stage(target: Path, content: bytes) -> Path:
    """Write `content` to a synced temporary file beside `target`; return its path."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def unchanged(target: Path, content: bytes) -> bool:
    """True when `target` already holds exactly `content`."""
    try:
        return target.stat().st_size == len(content) and target.read_bytes() == content
    except OSError:
        return False


def publish(files: Mapping[str, bytes], out_dir: Path) -> Published:
    """Write every changed file atomically; leave identical files (and their mtimes) alone.

    All new contents are staged to temporary files first; only when every one is on disk
    are they renamed into place, so a failure leaves the previous outputs untouched.
    """
    targets = {name: safe_target(out_dir, name) for name in sorted(files)}
    changed = {name: t for name, t in targets.items() if not unchanged(t, files[name])}
    staged: dict[str, Path] = {}
    try:
        for name, target in changed.items():
            staged[name] = _stage(target, files[name])
    except OSError as error:
        for temporary in staged.values():
            temporary.unlink(missing_ok=True)
        raise PublishError(
            f"cannot write {changed[name]}: {error.strerror or error}; "
            "nothing was replaced, the previous outputs are intact"
        ) from error
    for name, temporary in staged.items():
        os.replace(temporary, changed[name])
    return Published(tuple(changed), tuple(n for n in targets if n not in changed))
