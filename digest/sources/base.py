"""The seam between a build and what it reads: a `Source` of articles.

A source lists the items it holds, each with a revision that changes whenever the item
does (a file's `stat` signature; for a remote item, an ETag, Last-Modified or content
digest), reads one item into an article record, and reads an article's body when an
output needs it. Everything a build caches or replays is keyed by these revisions, so
any source can be cached correctly. The local Markdown folder (folder.py) is the first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from digest.models import Article, Location, Revision

if TYPE_CHECKING:
    from digest.config import Config

__all__ = ["Location", "Record", "Revision", "Source"]

Record = tuple[Any, tuple[str, ...], tuple[tuple[int, str], ...], tuple[tuple[int, str], ...]]
"""One item's parse result in plain values, as the build caches it: its body line and the
article's `RECORDED_FIELDS` (None if the item was skipped), its related-story terms, its
problems (if skipped) or warnings, and its notes (warnings that report a convention digest
handled, such as template syntax removed), each as (line, message)."""

Entry = tuple[Revision, Record, Revision]
"""One item as the build cache keeps it: the revision read, what reading it gave, and the
revision since which reading it has given that (an edit deep in a body changes the first,
not the last)."""

RECORDED_FIELDS = tuple(
    field.name
    for field in fields(Article)
    if field.name not in ("location", "revision", "terms", "read_since")
)
"""The fields of an article a `Record` holds, in order: what reading the item gave."""


class Source(Protocol):
    """A collection of article items, local or remote."""

    def items(self) -> Sequence[tuple[str, Revision | None]]:
        """Each item's name (unique in the source, in reading order) and revision.

        The revision is None when the source cannot tell it (reading says why).
        """

    def left_out(self) -> Mapping[str, int]:
        """What the last `items` passed over and why: reason (".html", "_index.md") → count.

        Nothing is passed over unseen: a build reports these in its summary.
        """

    def settled(self, revision: Revision | None, now_ns: int) -> bool:
        """Whether `revision`, seen at `now_ns`, tells this version of its item apart from
        every later one (a file changed within its clock's tick may not be)."""

    def where(self, name: str) -> Path | str:
        """The item's file path or URL, for messages."""

    def location(self, name: str, line: int) -> Location:
        """The item's `Location`, its body starting at `line`."""

    def read(self, name: str, config: Config) -> Record:
        """Read and parse one item (front matter and all) into its record."""

    def body(self, article: Article) -> str:
        """The article's body text (Markdown), read again; raises ArticleError when the
        item can no longer be read as it was."""
