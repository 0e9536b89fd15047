"""What every setting and front-matter field means: one source for the README and `digest init`.

The keys come from the code (`config.TABLES`, `Config`'s defaults, `articles.KNOWN_KEYS`); this
module only adds the words. `tests/test_docs.py` fails when a key has no words here, so a new
setting cannot go undocumented.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, fields
from datetime import timedelta
from pathlib import Path
from typing import Any

from .articles import KNOWN_KEYS, REQUIRED_KEYS
from .config import FIELD_NAMES, TABLES, Config

SETTINGS: dict[str, str] = {
    "site.title": "site name, used in feeds and the masthead",
    "site.tagline": "shown under the name; the feeds' subtitle",
    "site.base_url": "absolute URL of the site; every link is made absolute with it",
    "site.language": "language of feeds and the email",
    "site.timezone": "IANA timezone for naive dates and the digest's dateline",
    "site.article_path": (
        "article URL under `base_url`; may use `{slug}`, `{section}`, `{year}`, `{month}`, `{day}`"
    ),
    "site.icon": "absolute URL of the site's icon",
    "build.articles": "folder of `*.md` articles, searched recursively",
    "build.output": "output folder",
    "build.templates": "folder whose templates override ours by file name",
    "build.lock_timeout": "seconds a build waits for another build on the same output folder",
    "feeds.limit": "items per feed",
    "feeds.tag_feeds": "also write feeds per tag",
    "feeds.max_tags": (
        "tags kept per article (its first ones; feeds' categories, tag feeds, related links); "
        "the rest are dropped with a warning"
    ),
    "feeds.id_authority": "authority of the `tag:` item ids; never change it once published",
    "feeds.id_date": (
        "date of the `tag:` item ids (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`, when you held the "
        "authority); set once: changing it changes every id"
    ),
    "digest.window": "default digest window (`s`, `m`, `h`, `d`, `w`)",
    "digest.since_last_horizon": (
        "how far back `--since last` also takes stories no issue has carried yet, e.g. a "
        "draft published days after its date"
    ),
    "digest.section_order": (
        "sections first, in this order (by name or slug); the rest follow alphabetically"
    ),
    "digest.related_limit": "related links chosen per article when it names none",
    "digest.related_newer": (
        "also choose related stories published after the article (default: only older ones)"
    ),
    "digest.max_html_bytes": "size budget of `digest.html`",
    "email.sender": "`From:` of the message",
    "email.recipient": "`To:` placeholder",
    "email.subject": (
        'subject; may use `{title}`, `{date}`, `{count}`, `{stories}` ("1 story", '
        '"9 stories"), `{headline}`, `{issue}`'
    ),
    "email.unsubscribe_url": (
        "unsubscribe link in the footer and `List-Unsubscribe`; an `https` URL also gets "
        "one-click `List-Unsubscribe-Post` (RFC 8058)"
    ),
    "email.postal_address": "postal address line in the footer",
    "email.unsubscribe_mailto": "address for unsubscribing by mail, added to `List-Unsubscribe`",
    "email.reason": (
        'why the reader gets the email (footer); default: "You are receiving this email because '
        'you subscribed to the digest from TITLE."'
    ),
    "email.utm": (
        "parameters added to links in the email (not the feeds or the web copy); "
        "values may use `{date}`"
    ),
}
"""Meaning of each `table.key`, in words a newsroom reads."""

DERIVED_DEFAULTS: dict[str, str] = {
    "feeds.id_authority": "base URL's host",
    "digest.since_last_horizon": "digest window",
}
"""Settings whose default is worked out from another one: shown in words, not as a value."""

EXAMPLES: dict[str, Any] = {
    "build.templates": "templates",
    "feeds.id_authority": "example.org",
    "digest.since_last_horizon": "14d",
}
"""A value to show, commented, in `digest init`'s file for settings whose default is unset
or derived."""

FRONT_MATTER: dict[str, tuple[str, str]] = {
    "title": ("Headline of the story", ""),
    "date": ("2026-11-26T09:30:00+03:00", "RFC 3339, a date, or naive (site timezone)"),
    "section": ("World", 'free text, e.g. "Media & Culture"'),
    "author": ("Jane Doe", "text or list"),
    "summary": ("One-sentence standfirst.", "else the body's first paragraph"),
    "updated": ("2026-11-26T12:00:00Z", "a correction/update time"),
    "image": ("images/a.jpg", "absolute or relative to base_url"),
    "image_alt": ("Text describing the photo", "for readers who cannot see it"),
    "image_credit": ("Photographer, Agency", "who took the photo, for whom"),
    "tags": ("[Harbour, Transport]", "text or list"),
    "related": ("[other-slug, https://x.org/y]", "slugs of other articles or absolute URLs"),
    "lead_quote": ('"…"', "override of the extracted quote"),
    "lead_quote_by": ("the president", "speaker for the override"),
    "slug": ("custom-slug", "default from the file name"),
    "id": ("stable-id", "default the slug; never change it once published"),
    "draft": ("true", "never published"),
    "expires": ("2026-12-31", "dropped after this time (a date: after that day)"),
}
"""Front-matter key → (example value as YAML, what it is)."""


@dataclass(frozen=True)
class Setting:
    """One `digest.toml` key with its default and meaning."""

    table: str
    key: str
    default: Any  # None: no default
    meaning: str

    @property
    def name(self) -> str:
        """`table.key`, as the README and error messages spell it."""
        return f"{self.table}.{self.key}"

    @property
    def default_text(self) -> str:
        """The default as a reader sees it: a TOML value, or words when it is derived."""
        if self.name in DERIVED_DEFAULTS:
            return DERIVED_DEFAULTS[self.name]
        return "unset" if self.default is None else toml_value(self.default)


def _defaults() -> dict[str, Any]:
    values: dict[str, Any] = {}
    for item in fields(Config):
        if item.default is not MISSING:
            values[item.name] = item.default
        elif item.default_factory is not MISSING:
            values[item.name] = item.default_factory()
    return values


def settings() -> list[Setting]:
    """Every setting, table by table, in the order `config.TABLES` documents them."""
    defaults = _defaults()
    return [
        Setting(
            table,
            key,
            defaults[FIELD_NAMES.get((table, key), key)],
            SETTINGS.get(f"{table}.{key}", ""),
        )
        for table, keys in TABLES.items()
        for key in keys
    ]


def format_duration(span: timedelta) -> str:
    """The `digest.window` spelling of a duration in its largest whole unit: 7 days → "7d"."""
    seconds = int(span.total_seconds())
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def toml_value(value: Any) -> str:
    """A default as TOML source: strings quoted, durations spelt as in `digest.toml`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Path):
        return toml_value(value.as_posix())
    if isinstance(value, timedelta):
        return toml_value(format_duration(value))
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, Mapping):
        pairs = ", ".join(f"{key} = {toml_value(item)}" for key, item in value.items())
        return "{" + pairs + "}"
    raise TypeError(f"no TOML spelling for {value!r}")


def front_matter_lines() -> list[tuple[str, str, str]]:
    """(key, example, note) for every known front-matter key; notes say required/optional."""
    lines = []
    for key in KNOWN_KEYS:
        example, note = FRONT_MATTER.get(key, ("…", ""))
        kind = "required" if key in REQUIRED_KEYS else "optional"
        lines.append((key, example, f"{kind}; {note}" if note else kind))
    return lines
