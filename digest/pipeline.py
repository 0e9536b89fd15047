"""build(config, *, now): the one entry to a build, which replays the last one when it can.

A build first lists what its sources hold; if every input and output is as the last
build left them (see replay.py), it returns that build's result. Otherwise stages.py does
the work, and only then are the rendering libraries imported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from digest.config import Config
from digest.errors import ArticleError
from digest.incremental.replay import inputs_key, unchanged_result
from digest.models import BuildResult, Published
from digest.request import BuildRequest
from digest.sources.many import Sources, open_sources


def build(
    config: Config,
    *,
    now: datetime,
    since: datetime | None = None,
    since_last: bool = False,
    strict: bool = False,
    dry_run: bool = False,
    refresh: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> BuildResult:
    """Read the articles, render feeds and the digest, publish what changed.

    `since_last` starts the digest where the previous issue (in the output folder's state)
    ended and leaves out every article an earlier issue carried; with no earlier issue it
    falls back to the configured window. A build holds the output folder's lock from
    reading the state to the last rename; a dry run takes no lock and writes nothing.
    `progress` is called with (articles read, articles in all) while reading; `refresh`
    fetches every feed source, however recently it was fetched.

    The output folder's cache (cache.py) spares reading unchanged files and rendering what
    did not change; a build whose inputs and outputs are exactly as the previous build
    left them returns that build's result at once (`replayed`).
    """
    request = BuildRequest(
        now=now, since=since, since_last=since_last, strict=strict, dry_run=dry_run
    )
    return run(config, request, progress=progress, refresh=refresh)


def run(
    config: Config,
    request: BuildRequest,
    *,
    progress: Callable[[int, int], None] | None = None,
    refresh: bool = False,
) -> BuildResult:
    """`build` for a request made already: replay the last build, else build anew.

    The sources' own warnings (a feed that failed, whose last good copy is read) are
    reported by every build, replayed or not; under `--strict`, a feed failing for longer
    than allowed fails the build before anything is read.
    """
    source = open_sources(config, refresh=refresh, write=not request.dry_run)
    if request.strict and source.errors:
        raise ArticleError(source.errors)
    return _reported(_run(config, request, source, progress), source)


def _run(
    config: Config,
    request: BuildRequest,
    source: Sources,
    progress: Callable[[int, int], None] | None,
) -> BuildResult:
    items = source.items()
    key = inputs_key(config, request, source, items)
    previous = None if request.dry_run else unchanged_result(config, key, BuildResult)
    if previous is not None:
        if progress is not None:  # every article is as it was read last time
            progress(len(items), len(items))
        kept = Published(written=(), unchanged=previous.files)
        # The state the previous build wrote knows its unknown keys, and no file changed
        # since: no key and no note is new now.
        collection = replace(previous.collection, new_notes=())
        return replace(previous, collection=collection, published=kept, replayed=True, new_keys=())
    # Imported only now: a build with nothing to do never loads the rendering stack
    # (Markdown, sanitiser, YAML, templates, feeds, email), most of its start-up cost.
    from digest.stages import build_anew

    return build_anew(config, request, source, items=items, key=key, progress=progress)


def _reported(result: BuildResult, source: Sources) -> BuildResult:
    """`result` with the sources' warnings and errors first."""
    noted = (*source.errors, *source.warnings)
    return replace(result, warnings=(*noted, *result.warnings)) if noted else result
