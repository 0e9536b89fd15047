"""`digest.toml` → a frozen `Config`; every problem is reported at once."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta
from pathlib import Path
from string import Formatter
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ConfigError

CONFIG_NAME = "digest.toml"

DEFAULT_TEMPLATES = next(
    folder
    for folder in (
        Path(__file__).with_name("templates"),  # installed wheel
        Path(__file__).parent.parent / "templates",  # source checkout
    )
    if folder.is_dir()
)
"""Our templates; a configured `templates` folder overrides any of them by name."""

DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
# RFC 4151 tag: URI parts: a DNS name or an email address, and a date.
TAG_AUTHORITY = re.compile(
    r"^(?:[A-Za-z0-9._-]+@)?[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$"
)
TAG_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
MAILBOX = re.compile(r"^[^@\s<>,;:\"()\[\]]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
DURATION_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


MAX_DURATION = timedelta(days=36_500)
"""The longest window or horizon: 100 years reach back past any archive, and any time
digest takes in (see `models.MIN_YEAR`) minus this is still a time Python can hold."""


def parse_duration(text: str) -> timedelta:
    """`"24h"`, `"7d"`, `"2w"` → timedelta of at most 100 years; raises ValueError otherwise."""
    match = DURATION.match(text)
    if not match:
        raise ValueError(f"not a duration: {text!r} (use a number and s, m, h, d or w, e.g. '7d')")
    try:
        span = timedelta(**{DURATION_UNITS[match[2]]: int(match[1])})
    except (OverflowError, ValueError):  # more days than Python holds, or digits than it reads
        span = None
    if span is None or span > MAX_DURATION:
        shown = text.strip() if len(text.strip()) <= 20 else text.strip()[:20] + "…"
        raise ValueError(f"duration {shown!r} is too long: at most 36500d (100 years)")
    return span


@dataclass(frozen=True)
class Config:
    """Every setting, with the defaults a newsroom gets with no file at all."""

    # [site]
    title: str = "Digest"
    tagline: str = ""
    base_url: str = "https://example.org/"
    language: str = "en"
    timezone: str = "UTC"
    article_path: str = "{section}/{slug}/"
    icon: str = ""
    # [build]
    articles: Path = Path("sample_articles")
    output: Path = Path("public")
    templates: Path | None = None
    lock_timeout: float = 30  # seconds a build waits for another on the same output
    # [feeds]
    feed_limit: int = 50
    tag_feeds: bool = False
    max_tags: int = 50  # tags kept per article; the rest are dropped with a warning
    id_authority: str = ""  # default: the base URL's host
    id_date: str = "2026"  # the tag: URI date; set once, never change
    # [digest]
    window: timedelta = timedelta(days=7)
    since_last_horizon: timedelta | None = None  # default: `window`
    section_order: tuple[str, ...] = ()
    related_limit: int = 3
    related_newer: bool = False
    max_html_bytes: int = 100_000
    # [email]
    sender: str = "Digest <digest@example.org>"
    recipient: str = "Subscriber <subscriber@example.org>"
    subject: str = "{title}: {stories} — {date}"
    unsubscribe_url: str = ""
    postal_address: str = ""
    unsubscribe_mailto: str = ""
    reason: str = ""  # default: "You are receiving this email because you subscribed to …"
    utm: Mapping[str, str] = field(
        default_factory=lambda: {
            "utm_source": "digest",
            "utm_medium": "email",
            "utm_campaign": "{date}",
        }
    )
    source: Path | None = None  # the file this came from, if any

    @property
    def zone(self) -> ZoneInfo:
        """The site timezone."""
        return ZoneInfo(self.timezone)

    @property
    def authority(self) -> str:
        """The tag-URI authority for item ids."""
        return self.id_authority or (urlsplit(self.base_url).hostname or "localhost")

    @property
    def horizon(self) -> timedelta:
        """How far back `--since last` looks for stories no issue has carried yet."""
        return self.window if self.since_last_horizon is None else self.since_last_horizon


# TOML table → keys in that table, in the order they are documented.
TABLES: dict[str, tuple[str, ...]] = {
    "site": ("title", "tagline", "base_url", "language", "timezone", "article_path", "icon"),
    "build": ("articles", "output", "templates", "lock_timeout"),
    "feeds": ("limit", "tag_feeds", "max_tags", "id_authority", "id_date"),
    "digest": (
        "window",
        "since_last_horizon",
        "section_order",
        "related_limit",
        "related_newer",
        "max_html_bytes",
    ),
    "email": (
        "sender",
        "recipient",
        "subject",
        "unsubscribe_url",
        "postal_address",
        "unsubscribe_mailto",
        "reason",
        "utm",
    ),
}
# TOML key → Config field, where they differ.
FIELD_NAMES = {("feeds", "limit"): "feed_limit"}


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a string")
    return value


def _url(value: Any) -> str:
    text = _text(value)
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"must be an absolute http(s) URL, got {text!r}")
    return text


def _base_url(value: Any) -> str:
    text = _url(value)
    return text if text.endswith("/") else text + "/"


def _optional_url(value: Any) -> str:
    return "" if value == "" else _url(value)


def _authority(value: Any) -> str:
    text = _text(value)
    if not TAG_AUTHORITY.match(text):
        raise ValueError(
            f"must be a domain name or an email address you own, e.g. 'example.org', got {text!r}"
        )
    return text


def _id_date(value: Any) -> str:
    text = _text(value)
    if TAG_DATE.match(text):
        try:
            date.fromisoformat((text + "-01-01")[:10])  # "2026" → 2026-01-01
            return text
        except ValueError:
            pass
    raise ValueError(
        f"must be a date when you owned the id authority: YYYY, YYYY-MM or YYYY-MM-DD, got {text!r}"
    )


def _mailbox(value: Any) -> str:
    text = _text(value)
    if text and not MAILBOX.match(text):
        raise ValueError(f"must be a bare email address such as 'leave@example.org', got {text!r}")
    return text


def _timezone(value: Any) -> str:
    text = _text(value)
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown timezone {text!r} (use an IANA name such as 'Europe/Berlin')"
        ) from None
    return text


def _positive(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"must be a whole number of at least 1, got {value!r}")
    return value


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, got {value!r}")
    return value


def _seconds(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 86_400:
        raise ValueError(f"must be a number of seconds from 0 to 86400, got {value!r}")
    return float(value)


def _names(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("must be a list of strings")
    return tuple(value)


def _window(value: Any) -> timedelta:
    return parse_duration(_text(value))


def _article_path(value: Any) -> str:
    text = _bounded_format(_text(value))
    if "{slug}" not in text:
        raise ValueError("must contain {slug}, e.g. '{section}/{slug}/'")
    try:
        text.format(slug="s", section="s", year="2026", month="01", day="01")
    except (KeyError, IndexError, ValueError):
        raise ValueError("may use only {slug}, {section}, {year}, {month} and {day}") from None
    return text.lstrip("/")


MAX_FORMAT_WIDTH = 200
_NUMBER = re.compile(r"\d+")


def _bounded_format(text: str) -> str:
    """`text`, if no field in it asks for a width or precision over MAX_FORMAT_WIDTH (a
    build would spend minutes and gigabytes making such a string) or nests a field."""
    try:
        fields = [(name, spec) for _, name, spec, _ in Formatter().parse(text) if spec]
    except ValueError:
        return text  # not a format string: the caller says what it may hold
    for name, spec in fields:
        shown = f"{{{name}:{spec}}}"
        if "{" in spec:
            raise ValueError(f"may not put a field inside another's format, got {shown!r}")
        if any(
            len(number) > 3 or int(number) > MAX_FORMAT_WIDTH for number in _NUMBER.findall(spec)
        ):
            raise ValueError(
                f"may use widths and precisions of at most {MAX_FORMAT_WIDTH}, got {shown!r}"
            )
    return text


def _subject(value: Any) -> str:
    text = _bounded_format(_text(value))
    try:
        text.format(title="t", date="d", count=1, stories="1 story", headline="h", issue=1)
    except (KeyError, IndexError, ValueError):
        raise ValueError(
            "may use only {title}, {date}, {count}, {stories}, {headline} and {issue}"
        ) from None
    return text


def _utm(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ValueError('must be a table of strings, e.g. { utm_source = "digest" }')
    for text in value.values():
        _bounded_format(text)
    try:
        for text in value.values():
            text.format(date="2026-01-01")
    except (KeyError, IndexError, ValueError):
        raise ValueError("values may use only {date}") from None
    return dict(value)


PARSERS: dict[str, Callable[[Any], Any]] = {
    "title": _text,
    "tagline": _text,
    "base_url": _base_url,
    "language": _text,
    "timezone": _timezone,
    "article_path": _article_path,
    "icon": _optional_url,
    "articles": lambda v: Path(_text(v)),
    "output": lambda v: Path(_text(v)),
    "templates": lambda v: Path(_text(v)),
    "lock_timeout": _seconds,
    "feed_limit": _positive,
    "tag_feeds": _flag,
    "max_tags": _positive,
    "id_authority": _authority,
    "id_date": _id_date,
    "window": _window,
    "since_last_horizon": _window,
    "section_order": _names,
    "related_limit": _positive,
    "related_newer": _flag,
    "max_html_bytes": _positive,
    "sender": _text,
    "recipient": _text,
    "subject": _subject,
    "unsubscribe_url": _optional_url,
    "postal_address": _text,
    "unsubscribe_mailto": _mailbox,
    "reason": _text,
    "utm": _utm,
}
PATH_FIELDS = ("articles", "output", "templates")


def parse_config(data: Mapping[str, Any], *, source: Path | None = None) -> Config:
    """Validate a parsed TOML document; raise ConfigError listing every problem."""
    where = f"{source}: " if source else ""
    problems: list[str] = []
    values: dict[str, Any] = {}
    for table, content in data.items():
        if table not in TABLES:
            problems.append(f"{where}unknown table [{table}] (allowed: {', '.join(TABLES)})")
            continue
        if not isinstance(content, dict):
            problems.append(f"{where}'{table}' must be a table, e.g. [{table}]")
            continue
        for key, raw in content.items():
            if key not in TABLES[table]:
                allowed = ", ".join(TABLES[table])
                problems.append(f"{where}unknown key '{table}.{key}' (allowed: {allowed})")
                continue
            name: str = FIELD_NAMES.get((table, str(key)), str(key))
            try:
                values[name] = PARSERS[name](raw)
            except ValueError as error:
                problems.append(f"{where}'{table}.{key}' {error}")
    if problems:
        raise ConfigError(problems)
    base = source.parent if source else Path()
    for name in PATH_FIELDS:
        if name in values and not values[name].is_absolute():
            values[name] = base / values[name]
    return Config(**values, source=source)


def load_config(path: Path | None = None, *, cwd: Path | None = None) -> Config:
    """Read `path`, else `digest.toml` in `cwd` if there is one, else the defaults."""
    if path is None:
        candidate = (cwd or Path()) / CONFIG_NAME
        if not candidate.is_file():
            return Config()
        path = candidate
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError([f"{path}: no such file; check --config"]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError([f"{path}: cannot read: {error}"]) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError([f"{path}: not valid TOML: {error}"]) from None
    return parse_config(data, source=path)


def override(config: Config, **changes: Any) -> Config:
    """Apply command-line options that were given (None means 'not given')."""
    given = {name: value for name, value in changes.items() if value is not None}
    known = {f.name for f in fields(Config)}
    unknown = set(given) - known
    if unknown:
        raise TypeError(f"not config fields: {sorted(unknown)}")
    return replace(config, **given)
