"""Several sources read as one: `[[sources]]` in digest.toml, or the one folder or feed named.

Each source's item names get a prefix of their own (none when there is one source, so a
folder's cache is the same whether it is named by `build.articles` or alone in
`[[sources]]`), and every call goes to the source the name belongs to. The feeds' warnings
and errors (see remote.py) are gathered here for the build to report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from digest.errors import Problem
from digest.models import Article, Location, Revision
from digest.sources.base import Record, Source
from digest.sources.folder import MarkdownFolder
from digest.sources.scan import settled

if TYPE_CHECKING:
    from digest.config import Config, SourceSpec
    from digest.sources.remote import FeedSource


class Sources:
    """The sources a build reads, as one `Source`."""

    def __init__(self, parts: Sequence[tuple[Source, Config | None]]) -> None:
        """`parts`: each source, and the configuration it reads with (None: the build's)."""
        self.parts = list(parts)
        self.prefixes = [f"{number}:" if len(parts) > 1 else "" for number in range(len(parts))]
        self._listing: list[tuple[str, Revision | None]] | None = None

    def __repr__(self) -> str:
        return f"Sources({[source for source, _ in self.parts]!r})"

    def __getstate__(self) -> dict[str, Any]:
        """Pickled for the build's workers (`partial(source.read, ...)`) without the listing:
        reading needs none, and a copy in every worker costs tens of MB at 100,000 items."""
        return {**self.__dict__, "_listing": None}

    @property
    def feeds(self) -> list[FeedSource]:
        """The feed sources among the parts."""
        if all(isinstance(source, MarkdownFolder) for source, _ in self.parts):
            return []  # and the feed reader's modules stay unimported
        from digest.sources.remote import FeedSource

        return [source for source, _ in self.parts if isinstance(source, FeedSource)]

    @property
    def warnings(self) -> list[Problem]:
        """What fetching the feeds went wrong with; their last good copies are read."""
        return [warning for feed in self.feeds for warning in feed.warnings]

    @property
    def errors(self) -> list[Problem]:
        """Feeds failing for longer than allowed: errors that `--strict` makes fatal."""
        return [error for feed in self.feeds for error in feed.errors]

    def items(self) -> Sequence[tuple[str, Revision | None]]:
        """Every source's items, each name with its source's prefix, source by source."""
        if self._listing is None:
            self._listing = []
            for prefix, (source, _) in zip(self.prefixes, self.parts, strict=True):
                items = source.items()
                if prefix:
                    self._listing += [(prefix + name, revision) for name, revision in items]
                else:
                    self._listing += items
        return self._listing

    def left_out(self) -> dict[str, int]:
        """What the sources' last listings passed over, by reason, all sources together."""
        counts: dict[str, int] = {}
        for source, _ in self.parts:
            for reason, count in source.left_out().items():
                counts[reason] = counts.get(reason, 0) + count
        return dict(sorted(counts.items()))

    def settled(self, revision: Revision | None, now_ns: int) -> bool:
        """A feed entry's revision (a digest) always is; a file's, once its tick is past."""
        if isinstance(revision, str):
            return True
        return isinstance(revision, tuple) and settled(revision, now_ns)

    def where(self, name: str) -> Path | str:
        """The item's file, or URL."""
        source, _, inner = self._part(name)
        return source.where(inner)

    def location(self, name: str, line: int) -> Location:
        """The item's location, as its source gives it."""
        source, _, inner = self._part(name)
        return source.location(inner, line)

    def read(self, name: str, config: Config) -> Record:
        """The item read by its source, with that source's configuration."""
        source, own, inner = self._part(name)
        return source.read(inner, own or config)

    def body(self, article: Article) -> str:
        """The article's body, from the source it came from."""
        return self._owner(article).body(article)

    def _part(self, name: str) -> tuple[Source, Config | None, str]:
        if len(self.parts) == 1:
            source, own = self.parts[0]
            return source, own, name
        number, _, inner = name.partition(":")
        source, own = self.parts[int(number)]
        return source, own, inner

    def _owner(self, article: Article) -> Source:
        if len(self.parts) == 1:
            return self.parts[0][0]
        if article.revision is not None:
            return self._part(article.revision[0])[0]
        where = article.location.where
        for source, _ in self.parts:
            if (
                isinstance(source, MarkdownFolder)
                and isinstance(where, Path)
                and where.is_relative_to(source.folder)
            ):
                return source
        return self.parts[0][0]


def open_sources(config: Config, *, refresh: bool = False, write: bool = True) -> Sources:
    """The configured sources (`[[sources]]`, else `build.articles`), feeds fetched if due.

    `refresh` fetches every feed whatever its `refresh` time; without `write` (a dry run,
    `digest check`) nothing is kept in the output folder.
    """
    from digest.config import SourceSpec

    specs = config.sources or (SourceSpec(folder=config.articles),)
    return Sources([_open(spec, config, refresh=refresh, write=write) for spec in specs])


def _open(
    spec: SourceSpec, config: Config, *, refresh: bool, write: bool
) -> tuple[Source, Config | None]:
    own = replace(config, default_section=spec.section) if spec.section else None
    if spec.folder is not None:
        return MarkdownFolder(spec.folder), own
    from digest.sources.remote import FeedSource

    return FeedSource(spec, config, refresh=refresh, write=write), None
