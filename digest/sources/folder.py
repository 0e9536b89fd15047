"""The local Markdown folder: the first `Source` (see base.py).

Its items are the `*.md` files under the folder, named by their '/'-separated paths
relative to it, with their `stat` signatures as revisions. Listing them reads no file
and imports no parser, so a build that finds nothing changed (replay.py) stays light;
reading an item parses its YAML front matter (articles.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from digest.sources.base import Location, Record, Revision
from digest.sources.scan import Signature, scan_articles, settled

if TYPE_CHECKING:
    from digest.config import Config
    from digest.models import Article


class MarkdownFolder:
    """Markdown files with front matter, searched recursively under `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._folders: dict[str, Path] = {"": folder}  # a Path is costly: one per folder
        self._left_out: dict[str, int] = {}

    def __repr__(self) -> str:
        return f"MarkdownFolder({str(self.folder)!r})"

    def items(self) -> Sequence[tuple[str, Signature | None]]:
        """Each file's relative path and `stat` signature, as paths sort."""
        self._left_out = {}
        return scan_articles(self.folder, self._left_out)

    def left_out(self) -> dict[str, int]:
        """What the last `items` passed over, by reason (see `scan.left_out_reason`)."""
        return dict(sorted(self._left_out.items()))

    def settled(self, revision: Revision | None, now_ns: int) -> bool:
        """Whether the file changed long enough ago (see `scan.settled`)."""
        return isinstance(revision, tuple) and settled(revision, now_ns)

    def where(self, name: str) -> Path:
        """The file's path."""
        parent, _, file_name = name.rpartition("/")
        folder = self._folders.get(parent)
        if folder is None:
            folder = self._folders[parent] = self.folder / parent
        return folder / file_name

    def location(self, name: str, line: int) -> Location:
        """The folder and the file's name in it: its path is made only when asked for."""
        return Location(self.folder, line, name)

    def read(self, name: str, config: Config) -> Record:
        """The file read and its front matter parsed."""
        from digest.sources.articles import (
            read_record,  # the parser and YAML: only for a build that reads
        )

        return read_record(self.where(name), config, name)

    def body(self, article: Article) -> str:
        """The Markdown after the front matter, read from the file again."""
        from digest.sources.articles import read_body

        return read_body(Path(article.location.where))
