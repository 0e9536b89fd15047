"""Atomic, write-if-changed output: the only module that writes files.

Every changed file is first written in full to a temporary file beside its target and
synced; only then are they renamed into place, each rename atomic, and the folders synced.
A reader, or a build killed at any moment, sees each file either old or new, never part
of one. Temporary files a killed build leaves behind are removed by the next publish:
only files named as ours (`.digest-tmp-…`), and only in the folders that build writes.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from collections.abc import Callable, Collection, Iterable, Mapping
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from digest.errors import PublishError
from digest.models import Published

TEMPORARY_PREFIX = ".digest-tmp-"
TEMPORARY = re.compile(rf"^{re.escape(TEMPORARY_PREFIX)}.+\.[a-z0-9_]{{8}}\.tmp$")
"""Names we give our temporary files (`.digest-tmp-rss.xml.k2j4h1x_.tmp`): no other
program's file is taken for one of ours."""


def safe_target(out_dir: Path, name: str) -> Path:
    """`out_dir / name`, refusing any name that would land outside `out_dir`."""
    relative = PurePosixPath(name)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise PublishError(f"refusing to write {name!r}: it is outside the output folder")
    return out_dir.joinpath(*relative.parts)


def unchanged(target: Path, content: bytes) -> bool:
    """True when `target` already holds exactly `content`."""
    try:
        return target.stat().st_size == len(content) and target.read_bytes() == content
    except OSError:
        return False


def plan(files: Mapping[str, bytes], out_dir: Path) -> Published:
    """What `publish` would write and leave alone; writes nothing."""
    targets = {name: safe_target(out_dir, name) for name in sorted(files)}
    changed = tuple(name for name, target in targets.items() if not unchanged(target, files[name]))
    return Published(changed, tuple(name for name in targets if name not in changed))


def publish(
    files: Mapping[str, bytes],
    out_dir: Path,
    *,
    last: Collection[str] = (),
    stale_before: float | None = None,
    private: Collection[str] = (),
) -> Published:
    """Write every changed file atomically; leave identical files (and their mtimes) alone.

    All new contents are staged to synced temporary files first; only when every one is on
    disk are they renamed into place, the names in `last` after all the others (so a state
    file never runs ahead of the outputs it describes). With `stale_before` (the time the
    caller took the output lock), our temporary files older than that are removed first
    from the folders of `files` and of the `private` files (caches, see `write_private`).
    """
    if stale_before is not None:
        remove_stale(out_dir, [*files, *private], before=stale_before)
    result = plan(files, out_dir)
    umask = os.umask(0o022)
    os.umask(umask)
    staged: dict[str, Path] = {}
    made: list[Path] = []  # folders staging creates: removed if it fails, synced if not
    try:
        for name in result.written:
            target = safe_target(out_dir, name)
            made += _missing(target.parent)
            staged[name] = _stage(target, files[name], mode=0o666 & ~umask)
    except OSError as error:
        _discard(staged.values())
        _remove_empty(made)
        raise PublishError(
            f"cannot write {target}: {error.strerror or error}; "
            "nothing was replaced, the previous outputs are intact"
        ) from error
    replaced: list[str] = []
    first = [name for name in result.written if name not in last]
    for group in (first, [name for name in result.written if name in last]):
        _replace(group, staged, out_dir, replaced=replaced)
        _sync_folders(out_dir, group, parent=out_dir in made)
    return result


def remove_stale(out_dir: Path, names: Iterable[str], *, before: float) -> None:
    """Delete our temporary files last modified before `before` in the folders of `names`.

    Only those folders are looked in, not their subfolders: nothing else in the output
    folder (a web root, say) is ours to look at, let alone remove.
    """
    for folder in sorted({safe_target(out_dir, name).parent for name in names}):
        try:
            with os.scandir(folder) as entries:
                stale = [Path(e.path) for e in entries if _stale(e, before)]
        except (FileNotFoundError, NotADirectoryError):
            continue
        for path in stale:
            path.unlink(missing_ok=True)


def _stale(entry: os.DirEntry[str], before: float) -> bool:
    """Whether `entry` is a temporary file of ours last modified before `before`."""
    try:
        return (
            TEMPORARY.match(entry.name) is not None
            and entry.is_file(follow_symlinks=False)
            and entry.stat(follow_symlinks=False).st_mtime < before
        )
    except FileNotFoundError:
        return False


def _stage(target: Path, content: bytes, *, mode: int) -> Path:
    """Write `content` to a synced temporary file beside `target`; return its path.

    The file gets `target`'s permissions if it exists, else `mode` (mkstemp's own 0600
    would hide a feed from the web server).
    """
    handle, temporary = _temporary(target)
    try:
        with contextlib.suppress(FileNotFoundError):
            mode = stat.S_IMODE(target.stat().st_mode)
        os.fchmod(handle, mode)
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def _temporary(target: Path) -> tuple[int, Path]:
    """A new temporary file of ours beside `target` (its folder made if need be): the open
    descriptor and the path. Its name matches `TEMPORARY`, so `remove_stale` finds it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(
        dir=target.parent, prefix=f"{TEMPORARY_PREFIX}{target.name}.", suffix=".tmp"
    )
    return handle, Path(name)


def _replace(
    names: list[str], staged: dict[str, Path], out_dir: Path, *, replaced: list[str]
) -> None:
    """Rename each staged file over its target; on failure, say what was and wasn't replaced."""
    for name in names:
        target = safe_target(out_dir, name)
        try:
            os.replace(staged[name], target)
        except OSError as error:
            _discard(staged[n] for n in staged if n not in replaced)
            written = ", ".join(replaced) or "none"
            kept = ", ".join(n for n in staged if n not in replaced)
            raise PublishError(
                f"cannot replace {target}: {error.strerror or error}; written: {written}; "
                f"not written (their previous versions are intact): {kept}"
            ) from error
        replaced.append(name)


def _discard(temporaries: Iterable[Path]) -> None:
    for temporary in temporaries:
        temporary.unlink(missing_ok=True)


def _missing(folder: Path) -> list[Path]:
    """`folder` and those of its parents that do not exist yet, outermost first."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing[::-1]


def _remove_empty(folders: list[Path]) -> None:
    """Remove `folders` (outermost first) that are empty, innermost first."""
    for folder in reversed(folders):
        with contextlib.suppress(OSError):
            folder.rmdir()


def _sync_folders(out_dir: Path, names: Iterable[str], *, parent: bool) -> None:
    """fsync every folder whose entries changed, so the renames survive a power cut."""
    names = list(names)
    if not names:
        return
    folders = {out_dir.parent} if parent else set()
    for name in names:
        folder = safe_target(out_dir, name).parent
        while folder != out_dir.parent and folder not in folders:
            folders.add(folder)
            folder = folder.parent
    for folder in sorted(folders):
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def write_private(out_dir: Path, name: str, content: bytes | Callable[[BinaryIO], object]) -> None:
    """Replace a file of the build's own (a cache) atomically, whether or not it changed.

    Unlike `publish`, this is no output: it is not compared first nor reported, and only
    its owner may read it. `content` is the bytes, or a function that writes them to the
    stream it is given (a large cache then never sits in memory twice).
    """
    target = safe_target(out_dir, name)
    handle, temporary = _temporary(target)
    try:
        with os.fdopen(handle, "wb") as stream:
            if isinstance(content, bytes):
                stream.write(content)
            else:
                content(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
