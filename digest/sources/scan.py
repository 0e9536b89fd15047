"""Finding the article files and telling, by `stat` alone, whether one changed.

Nothing here reads a file: a build that finds every file as the last one left it (see
replay.py) needs only this.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TypeGuard

Signature = tuple[int, int, int, int]
"""What `stat` says about a file: size, modification and change times (ns), inode."""

Revision = tuple[str, Signature]
"""A file's path relative to the articles folder and its signature at collection."""


def scan_articles(folder: Path, left_out: dict[str, int]) -> list[tuple[str, Signature | None]]:
    """Each `*.md` and `*.markdown` file's path relative to `folder` ('/'-separated) and its
    signature; Hugo's `_index.md` (a section's page) and Jekyll's `_drafts/` are left out.

    Sorted as paths sort (by their parts); the signature is None when `stat` fails (a
    broken link): reading the file then reports why. `left_out` counts every entry passed
    over by its reason (see `left_out_reason`).
    """
    found: list[tuple[str, Signature | None]] = []
    seen: set[tuple[int, int]] = set()

    def leave(reason: str, count: int = 1) -> None:
        left_out[reason] = left_out.get(reason, 0) + count

    def walk(directory: str, prefix: str) -> None:
        try:
            info = os.stat(directory)
            if (info.st_dev, info.st_ino) in seen:
                return
            seen.add((info.st_dev, info.st_ino))
            # What each entry is, taken as it is listed: holding the entries themselves
            # (each with its stat) until a large folder is sorted costs far more memory.
            entries: list[tuple[str, bool, Signature | None]] = []
            with os.scandir(directory) as listing:
                for entry in listing:
                    name = entry.name
                    if name.startswith("."):
                        leave(HIDDEN)
                    elif _is_folder(entry):
                        if name != DRAFTS:
                            entries.append((name, True, None))
                        else:  # Jekyll's unpublished posts
                            leave(f"{DRAFTS}/", _files_under(entry.path))
                    elif name.endswith(ARTICLE_SUFFIXES) and name not in NOT_ARTICLES:
                        entries.append((name, False, _signature(entry)))
                    else:
                        leave(left_out_reason(name))
        except OSError:
            return
        entries.sort(key=lambda entry: entry[0])
        for name, is_folder, signature in entries:  # each folder in its place, as paths sort
            if is_folder:
                walk(os.path.join(directory, name), f"{prefix}{name}/")
            else:
                found.append((prefix + name, signature))

    walk(os.fspath(folder), "")
    return found


ARTICLE_SUFFIXES = (".md", ".markdown")
NOT_ARTICLES = frozenset({"_index.md", "_index.markdown"})
"""Hugo's list pages: a section's or the site's own text, never an article."""


HIDDEN = "hidden"
DRAFTS = "_drafts"


def left_out_reason(name: str) -> str:
    """Why a file is not read: its suffix (".html"), its name (Hugo's "_index.md"), or
    "no suffix"."""
    if name in NOT_ARTICLES:
        return name
    stem, dot, suffix = name.rpartition(".")
    return f".{suffix.lower()}" if dot and stem else "no suffix"


def _files_under(path: str) -> int:
    """How many files a folder holds, at any depth (symlinked folders not followed)."""
    return sum(len(files) for _, _, files in os.walk(path))


def _is_folder(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _signature(entry: os.DirEntry[str]) -> Signature | None:
    try:
        return signature(entry.stat())
    except OSError:
        return None


def signature(stat: os.stat_result) -> Signature:
    """The `Signature` of a file's `stat`."""
    return stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino


def settled(signature: tuple[int, ...] | None, now_ns: int) -> TypeGuard[Signature]:
    """Whether a file with this signature can be told apart from any later version.

    A file changed again within the same tick of the file system's clock keeps its
    signature (git's "racily clean" problem), so a file changed less than a tick before
    `now_ns` is never cached. The change time counts (no tool can set it), and the tick is
    taken as 100 ms where times have sub-microsecond digits, else as 2.5 s (FAT has 2 s).
    """
    if signature is None:
        return False
    changed = signature[2]
    tick = FINE_TICK_NS if changed % 1000 else COARSE_TICK_NS
    return changed < now_ns - tick


FINE_TICK_NS = 100_000_000
COARSE_TICK_NS = 2_500_000_000
