"""build(config, *, now): the one entry to a build, which replays the last one when it can.

A build first scans the articles folder; if every input and output is as the last build
left them (see replay.py), it returns that build's result. Otherwise stages.py does the
work, and only then are the rendering libraries imported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from .config import Config
from .errors import Problem
from .models import Collection, IssueRecord
from .publish import Published
from .replay import inputs_key, unchanged_result
from .scan import scan_articles


@dataclass(frozen=True)
class BuildResult:
    """What a build read, published and wrote (or, on a dry run, would write)."""

    collection: Collection
    warnings: tuple[Problem, ...]
    live: int  # articles published (not draft, embargoed or expired)
    in_digest: int  # stories in this digest's window
    since: datetime  # start of the digest window
    issue: IssueRecord | None  # the digest issue made, None when nothing was new
    files: tuple[str, ...]  # every output the build produced
    published: Published  # on a dry run: what would be written
    late: int = 0  # of `in_digest`: older stories no issue carried (see `state.new_since`)
    held: bool = False
    """No issue was made: the issue history is dated after this build (see the warnings)."""
    dry_run: bool = False
    replayed: bool = False
    """Inputs and outputs were exactly as the previous build left them, so nothing was read
    or written: the result is that build's, but `collection` holds no articles."""


def build(
    config: Config,
    *,
    now: datetime,
    since: datetime | None = None,
    since_last: bool = False,
    strict: bool = False,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> BuildResult:
    """Read the articles, render feeds and the digest, publish what changed.

    `since_last` starts the digest where the previous issue (in the output folder's state)
    ended and leaves out every article an earlier issue carried; with no earlier issue it
    falls back to the configured window. A build holds the output folder's lock from
    reading the state to the last rename; a dry run takes no lock and writes nothing.
    `progress` is called with (articles read, articles in all) while reading.

    The output folder's cache (cache.py) spares reading unchanged files and rendering what
    did not change; a build whose inputs and outputs are exactly as the previous build
    left them returns that build's result at once (`replayed`).
    """
    # Every argument but `progress` (which only reports) is an input of the build.
    arguments = {k: v for k, v in locals().items() if k not in ("config", "progress")}
    files_found = scan_articles(config.articles)
    key = inputs_key(config, arguments, files_found)
    previous = None if dry_run else unchanged_result(config, key, BuildResult)
    if previous is not None:
        if progress is not None:  # every article is as it was read last time
            progress(len(files_found), len(files_found))
        kept = Published(written=(), unchanged=previous.files)
        return replace(previous, published=kept, replayed=True)
    # Imported only now: a build with nothing to do never loads the rendering stack
    # (Markdown, sanitiser, YAML, templates, feeds, email), most of its start-up cost.
    from .stages import build_anew

    return build_anew(
        config,
        now=now,
        since=since,
        since_last=since_last,
        strict=strict,
        dry_run=dry_run,
        progress=progress,
        scanned=files_found,
        key=key,
    )
