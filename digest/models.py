"""The data that flows through a build: frozen dataclasses, no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from digest.errors import Problem

MIN_YEAR, MAX_YEAR = 1000, 9998
"""Every time digest takes in (article dates, --now, --since, the issue history) lies in
these years, so it survives time-zone shifts, digest windows and RFC 822 dates."""


Revision = tuple[int, ...] | str
"""Which version of an item a source holds: a file's `stat` signature (see scan.py), or a
string (an ETag, a Last-Modified time, a content digest); equal revisions promise equal
content."""


@dataclass(frozen=True, slots=True, eq=False)
class Location:
    """Where an article comes from, and the 1-based line there where its body starts.

    A file in a folder is kept as the folder and the file's '/'-separated `name` in it,
    and its path is made when asked for: a `Path` for each of an archive's 100,000
    articles would cost a build 30 MB and a third of a second.
    """

    base: Path | str
    """A file's path (its folder, when `name` is given), or an item's URL (a feed's)."""
    line: int = 1  # 0: the item has no lines
    name: str = ""

    @property
    def where(self) -> Path | str:
        """The file's path, or the item's URL."""
        if self.name and isinstance(self.base, Path):
            return self.base / self.name
        return self.base

    def __eq__(self, other: object) -> bool:
        """Locations are equal when they name the same line of the same file or URL."""
        if not isinstance(other, Location):
            return NotImplemented
        return (self.where, self.line) == (other.where, other.line)

    def __hash__(self) -> int:
        return hash((self.where, self.line))

    def __str__(self) -> str:
        return f"{self.where}:{self.line}" if self.line else str(self.where)


@dataclass(frozen=True, slots=True)
class LeadQuote:
    """A direct quotation chosen to represent an article."""

    text: str
    speaker: str | None = None
    source: str | None = None  # e.g. the agency that reported it ("TASS")

    @property
    def attribution(self) -> str:
        """Who said it and who reported it: "the minister, via TASS"; "" when unknown."""
        if self.source and not self.speaker:
            return f"as reported by {self.source}"
        if self.source and self.speaker and self.source not in self.speaker:
            return f"{self.speaker}, via {self.source}"
        return self.speaker or ""


@dataclass(frozen=True, slots=True)
class Image:
    """An article's lead image; ``url`` is absolute."""

    url: str
    alt: str = ""
    credit: str = ""


@dataclass(frozen=True, slots=True)
class Article:
    """One parsed article file, before any rendering."""

    location: Location  # the file or URL it came from, and the line its body starts at
    slug: str
    id: str  # stable item id (front matter `id`, else the slug)
    title: str
    published: datetime  # timezone-aware
    updated: datetime  # timezone-aware; equals `published` when not given
    section: str
    section_slug: str
    url: str  # absolute URL of the article page
    body: str | None = None
    """Markdown source, front matter removed; None until read: `collect_articles` leaves
    bodies out (an archive's would fill memory) and `load_bodies` reads the few needed."""
    authors: tuple[str, ...] = ()
    summary: str = ""  # front-matter standfirst, "" when absent
    image: Image | None = None
    tags: tuple[str, ...] = ()
    related: tuple[str, ...] = ()  # raw `related` entries: slugs or absolute URLs
    quote_override: LeadQuote | None = None
    draft: bool = False
    expires: datetime | None = None
    unknown_keys: tuple[str, ...] = ()  # front-matter keys digest does not read, as written
    key_lines: dict[str, int] = field(default_factory=dict, compare=False, hash=False)
    """1-based file line of each front-matter key, for messages."""
    revision: tuple[str, Revision] | None = field(default=None, compare=False, hash=False)
    """The source's item name and revision it was read from, for caches keyed by it; None
    for an item changed too recently to be told apart from its next change."""
    terms: tuple[str, ...] | None = field(default=None, compare=False, hash=False, repr=False)
    """The words related links compare (`terms.article_terms`), worked out while reading so
    that an archive's bodies need not be read again; None: worked out from `body`."""
    read_since: tuple[str, Revision] | None = field(
        default=None, compare=False, hash=False, repr=False
    )
    """The item name and the revision since which reading it has given this article (an
    edit below the lead leaves it); None where `revision` is. What depends only on what
    reading gives, such as related links, is keyed by it."""


@dataclass(frozen=True)
class RelatedLink:
    """A link from one story to another, with why it was chosen."""

    title: str
    url: str
    section: str = ""
    reason: str = ""  # e.g. "Named by the editor", "Also about Belarus, Trade"


@dataclass(frozen=True)
class Story:
    """An article made ready for output: HTML body, standfirst, quote, related links."""

    article: Article
    body_html: str  # sanitised HTML, absolute URLs
    standfirst: str
    lead_quote: LeadQuote | None
    related: tuple[RelatedLink, ...] = ()


@dataclass(frozen=True)
class Section:
    """A named group of stories, newest first."""

    name: str
    slug: str
    stories: tuple[Story, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class IssueRecord:
    """One digest issue as remembered in the output folder's state."""

    number: int | None  # None until the state store numbers issues
    date: str  # local date of the issue, YYYY-MM-DD: names archive/<date>.html
    sent_at: datetime  # the build's `now`
    since: datetime  # start of the window it covered
    ids: tuple[str, ...]  # ids of the articles it contained
    subject: str = ""


@dataclass(frozen=True)
class Collection:
    """What reading an articles folder gave: articles, problems and warnings."""

    articles: tuple[Article, ...]  # bodies not loaded: see `load_bodies`
    problems: tuple[Problem, ...]  # files skipped
    warnings: tuple[Problem, ...]  # files used, with something to fix
    files_read: int
    left_out: tuple[tuple[str, int], ...] = ()
    """Files not read as articles, counted by reason (".html", "_index.md", "_drafts/")."""
    unknown_keys: tuple[tuple[tuple[str, ...], Problem], ...] = ()
    """The warnings (also in `warnings`) that report unknown front-matter keys, one per key
    or, past a cap, one for the rest, each with the keys it reports."""
    notes: tuple[Problem, ...] = ()
    """The warnings (also in `warnings`) that report a convention digest handled in a file
    (template syntax removed): worth reading once, not on every build."""
    new_notes: tuple[Problem, ...] = ()
    """Of `notes`, those of files read this build: new or changed since the last build
    (or not in its cache), the only ones `--quiet` prints."""


@dataclass(frozen=True)
class Published:
    """Which output files were (or, on a dry run, would be) written, and which were the same."""

    written: tuple[str, ...]
    unchanged: tuple[str, ...]


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
    new_keys: tuple[str, ...] = ()
    """Unknown front-matter keys the state did not know: the last build had none of them."""


_NAME_AND_ADDRESS = re.compile(r"(?P<name>[^<>]*?)\s*<(?P<address>[^<>\s@]+@[^<>\s@]+)>")


def author_parts(author: str) -> tuple[str, str]:
    """An author as written, split into a name and an email address: 'Jane Doe
    <jane@example.org>' gives both, any other text is a name alone (address '')."""
    match = _NAME_AND_ADDRESS.fullmatch(author.strip())
    if match is None:
        return author, ""
    return match["name"] or match["address"], match["address"]
