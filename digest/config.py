"""`digest.toml` → a frozen `Config`; every problem is reported at once.

Each setting is declared once, as a `setting(...)` field of `Config`: its table, default,
parser and meaning. `SETTINGS` lists them; the loader, `digest init`'s file and the README's
reference are derived from it.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field, fields, replace
from datetime import date, timedelta
from pathlib import Path
from string import Formatter
from typing import Any, TypeVar, overload
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from digest.errors import ConfigError
from digest.sources.keys import KNOWN_KEYS

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


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a string")
    return value


def _section_name(value: Any) -> str:
    text = _text(value).strip()
    if not any(character.isalnum() for character in text):
        raise ValueError(f"must name a section (letters or digits), got {text!r}")
    return text


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


MAX_FORMAT_WIDTH = 200
_NUMBER = re.compile(r"\d+")


def _format_string(text: str, fields_only: str, **sample: Any) -> str:
    """`text`, if it formats with the fields of `sample` alone (else ValueError saying
    `fields_only`), asks for no width or precision over MAX_FORMAT_WIDTH (a build would
    spend minutes and gigabytes making such a string) and nests no field."""
    try:
        specs = [(name, spec) for _, name, spec, _ in Formatter().parse(text) if spec]
    except ValueError:
        specs = []  # not a format string: formatting it below says so
    for name, spec in specs:
        shown = f"{{{name}:{spec}}}"
        if "{" in spec:
            raise ValueError(f"may not put a field inside another's format, got {shown!r}")
        if any(
            len(number) > 3 or int(number) > MAX_FORMAT_WIDTH for number in _NUMBER.findall(spec)
        ):
            raise ValueError(
                f"may use widths and precisions of at most {MAX_FORMAT_WIDTH}, got {shown!r}"
            )
    try:
        text.format(**sample)
    except (KeyError, IndexError, ValueError):
        raise ValueError(fields_only) from None
    return text


def _article_path(value: Any) -> str:
    text = _format_string(
        _text(value),
        "may use only {slug}, {section}, {year}, {month} and {day}",
        slug="s",
        section="s",
        year="2026",
        month="01",
        day="01",
    )
    if "{slug}" not in text:
        raise ValueError("must contain {slug}, e.g. '{section}/{slug}/'")
    return text.lstrip("/")


def _subject(value: Any) -> str:
    return _format_string(
        _text(value),
        "may use only {title}, {date}, {count}, {stories}, {headline} and {issue}",
        title="t",
        date="d",
        count=1,
        stories="1 story",
        headline="h",
        issue=1,
    )


def _utm(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ValueError('must be a table of strings, e.g. { utm_source = "digest" }')
    for text in value.values():
        _format_string(text, "values may use only {date}", date="2026-01-01")
    return dict(value)


class EntryError(ValueError):
    """One entry of a table-wide setting is wrong; `key` names it, for its line."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


def _field_names(value: Any) -> dict[str, tuple[str, ...]]:
    """`[fields]`: each front-matter field digest reads → the other names it is read from."""
    if not isinstance(value, dict):
        raise ValueError('must be a table, e.g. [fields] with section = ["department"]')
    mapped: dict[str, tuple[str, ...]] = {}
    owners: dict[str, str] = {}
    for field_name, names in value.items():
        if field_name not in KNOWN_KEYS:
            raise EntryError(
                field_name,
                f"{field_name!r} is not a front-matter field digest reads; map names to one "
                f"of: {', '.join(KNOWN_KEYS)}",
            )
        listed = [names] if isinstance(names, str) else names
        if not isinstance(listed, list) or not all(isinstance(n, str) and n for n in listed):
            raise EntryError(
                field_name, f'must be a name or a list of names, e.g. {field_name} = ["other"]'
            )
        for name in listed:
            if name in KNOWN_KEYS:
                raise EntryError(field_name, f"{name!r} is a field digest reads already")
            if owners.setdefault(name, field_name) != field_name:
                raise EntryError(field_name, f"{name!r} is mapped to {owners[name]!r} already")
        mapped[field_name] = tuple(dict.fromkeys(listed))
    return mapped


SECURITY = ("starttls", "tls", "none")


def _security(value: Any) -> str:
    text = _text(value)
    if text not in SECURITY:
        raise ValueError(f"must be one of {', '.join(SECURITY)}, got {text!r}")
    return text


def _port(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise ValueError(f"must be a port number from 1 to 65535, got {value!r}")
    return value


def _rate(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError(f"must be a number of messages per second, 0 for no limit, got {value!r}")
    return float(value)


def _token_url(value: Any) -> str:
    if value == "":
        return ""
    text = _format_string(_url(value), "may use only {token}", token="t")
    if "{token}" not in text:
        raise ValueError(
            "must contain {token}, e.g. 'https://example.org/unsubscribe?token={token}'"
        )
    return text


def _list_id(value: Any) -> str:
    text = _text(value)
    if text and not TAG_AUTHORITY.match(text):
        raise ValueError(f"must be a domain-like name such as 'news.example.org', got {text!r}")
    return text


def _public_url(value: Any) -> str:
    return "" if value == "" else _base_url(value)


def _path(value: Any) -> Path:
    return Path(_text(value))


@dataclass(frozen=True)
class Setting:
    """One `digest.toml` key: its table, how it is read, its default and what it means."""

    table: str
    key: str  # as written in digest.toml
    attribute: str  # the `Config` attribute that holds it
    default: Any  # None: unset
    parse: Callable[[Any], Any]  # TOML value → attribute value; ValueError says what is wrong
    meaning: str  # one line for the README and `digest init`'s file
    example: Any = None  # shown in `digest init`'s file in place of an unset or derived default
    derived: str = ""  # a default worked out from another setting, in words

    @property
    def name(self) -> str:
        """`table.key`, as the README and error messages spell it; `[table]` for a setting
        that is a whole table (see `WHOLE_TABLE`)."""
        return f"[{self.table}]" if self.key == WHOLE_TABLE else f"{self.table}.{self.key}"


WHOLE_TABLE = "*"
"""The key of a setting whose value is its whole table, any keys (`[fields]`); its `parse`
raises `EntryError` to name the key at fault."""


_T = TypeVar("_T")


@overload
def setting(
    table: str,
    meaning: str,
    *,
    default: _T,
    parse: Callable[[Any], _T],
    key: str = "",
    example: Any = None,
    derived: str = "",
) -> _T: ...
@overload
def setting(
    table: str,
    meaning: str,
    *,
    default_factory: Callable[[], _T],
    parse: Callable[[Any], _T],
    key: str = "",
    example: Any = None,
    derived: str = "",
) -> _T: ...
def setting(
    table: str,
    meaning: str,
    *,
    default: Any = MISSING,
    default_factory: Any = MISSING,
    parse: Callable[[Any], Any],
    key: str = "",
    example: Any = None,
    derived: str = "",
) -> Any:
    """A `Config` field that is also a `digest.toml` setting: `[table] key` (the field's
    name unless `key` is given), read by `parse`, documented by `meaning`.

    Like `dataclasses.field`, it is typed as the value it holds, so mypy checks that the
    default and what `parse` returns fit the field's annotation.
    """
    # `declared_settings` fills in the field's name and default once the class is made.
    declared = Setting(table, key, "", None, parse, meaning, example, derived)
    return field(default=default, default_factory=default_factory, metadata={"setting": declared})


@dataclass(frozen=True)
class Config:
    """Every setting, declared once, in the order the README and `digest init` list them.

    Each `setting(...)` names its TOML table, default, parser and meaning; loading,
    validation, `digest init`'s commented file and the README's reference derive from
    these declarations (see `SETTINGS`), so a new setting is one new field here.
    """

    title: str = setting(
        "site", "site name, used in feeds and the masthead", default="Digest", parse=_text
    )
    tagline: str = setting(
        "site", "shown under the name; the feeds' subtitle", default="", parse=_text
    )
    base_url: str = setting(
        "site",
        "absolute URL of the site; every link is made absolute with it",
        default="https://example.org/",
        parse=_base_url,
    )
    language: str = setting("site", "language of feeds and the email", default="en", parse=_text)
    timezone: str = setting(
        "site",
        "IANA timezone for naive dates and the digest's dateline",
        default="UTC",
        parse=_timezone,
    )
    article_path: str = setting(
        "site",
        "article URL under `base_url`; may use `{slug}`, `{section}`, `{year}`, `{month}`, `{day}`",
        default="{section}/{slug}/",
        parse=_article_path,
    )
    icon: str = setting("site", "absolute URL of the site's icon", default="", parse=_optional_url)

    articles: Path = setting(
        "build",
        "folder of `*.md` and `*.markdown` articles, searched recursively",
        default=Path("sample_articles"),
        parse=_path,
    )
    output: Path = setting("build", "output folder", default=Path("public"), parse=_path)
    default_section: str = setting(
        "build",
        "section of an article that names none (nor `categories`, nor a Hugo section folder)",
        default="News",
        parse=_section_name,
    )
    templates: Path | None = setting(
        "build",
        "folder whose templates override ours by file name",
        default=None,
        parse=_path,
        example="templates",
    )
    lock_timeout: float = setting(
        "build",
        "seconds a build waits for another build on the same output folder",
        default=30.0,
        parse=_seconds,
    )

    field_names: Mapping[str, tuple[str, ...]] = setting(
        "fields",
        "other front-matter names read as digest's fields, e.g. "
        '`section = ["department"]`, `summary = ["deck"]`; a field\'s own name wins',
        key=WHOLE_TABLE,
        default_factory=dict,
        parse=_field_names,
        example={"section": ["department"], "summary": ["deck"]},
    )

    fetch_timeout: float = setting(
        "fetch",
        "seconds a feed's fetch may take in all",
        key="timeout",
        default=30.0,
        parse=_seconds,
    )
    fetch_max_bytes: int = setting(
        "fetch",
        "bytes a feed may hold (after gzip is undone)",
        key="max_bytes",
        default=20_000_000,
        parse=_positive,
    )
    fetch_failing_limit: timedelta = setting(
        "fetch",
        "how long a feed may fail (its last good copy used) before that is an error, "
        "which `--strict` makes fatal",
        key="failing_limit",
        default=timedelta(days=3),
        parse=_window,
    )

    feed_limit: int = setting("feeds", "items per feed", key="limit", default=50, parse=_positive)
    tag_feeds: bool = setting("feeds", "also write feeds per tag", default=False, parse=_flag)
    max_tags: int = setting(
        "feeds",
        "tags kept per article (its first ones; feeds' categories, tag feeds, related links); "
        "the rest are dropped with a warning",
        default=50,
        parse=_positive,
    )
    id_authority: str = setting(
        "feeds",
        "authority of the `tag:` item ids; never change it once published",
        default="",
        parse=_authority,
        example="example.org",
        derived="base URL's host",
    )
    id_date: str = setting(
        "feeds",
        "date of the `tag:` item ids (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`, when you held the "
        "authority); set once: changing it changes every id",
        default="2026",
        parse=_id_date,
    )

    window: timedelta = setting(
        "digest",
        "default digest window (`s`, `m`, `h`, `d`, `w`)",
        default=timedelta(days=7),
        parse=_window,
    )
    since_last_horizon: timedelta | None = setting(
        "digest",
        "how far back `--since last` also takes stories no issue has carried yet, e.g. a "
        "draft published days after its date",
        default=None,
        parse=_window,
        example="14d",
        derived="digest window",
    )
    section_order: tuple[str, ...] = setting(
        "digest",
        "sections first, in this order (by name or slug); the rest follow alphabetically",
        default=(),
        parse=_names,
    )
    related_limit: int = setting(
        "digest",
        "related links chosen per article when it names none",
        default=3,
        parse=_positive,
    )
    related_newer: bool = setting(
        "digest",
        "also choose related stories published after the article (default: only older ones)",
        default=False,
        parse=_flag,
    )
    max_html_bytes: int = setting(
        "digest", "size budget of `digest.html`", default=100_000, parse=_positive
    )

    subscribers: Path = setting(
        "send",
        "SQLite file of subscribers and the sending journal; created on first use",
        default=Path("subscribers.db"),
        parse=_path,
    )
    smtp_host: str = setting(
        "send", "SMTP server to send through", default="localhost", parse=_text
    )
    smtp_port: int = setting("send", "its port", default=587, parse=_port)
    smtp_security: str = setting(
        "send",
        "`starttls`, `tls` (from the first byte) or `none`",
        default="starttls",
        parse=_security,
    )
    smtp_user: str = setting(
        "send",
        "login name; the password only from `DIGEST_SMTP_PASSWORD`; empty: no login",
        default="",
        parse=_text,
    )
    smtp_timeout: float = setting(
        "send",
        "seconds to wait for the SMTP server's answer",
        key="timeout",
        default=60.0,
        parse=_seconds,
    )
    connections: int = setting(
        "send", "SMTP connections used in parallel", default=2, parse=_positive
    )
    rate: float = setting(
        "send",
        "messages per second over all connections; 0 = no limit",
        default=0.0,
        parse=_rate,
    )
    send_unsubscribe_url: str = setting(
        "send",
        "each subscriber's unsubscribe link; `{token}` is their token, signed with `DIGEST_SECRET`",
        key="unsubscribe_url",
        default="",
        parse=_token_url,
        example="https://example.org/unsubscribe?token={token}",
        derived="from `web.public_url` when set (its `unsubscribe?token={token}`), else from "
        "`email.unsubscribe_url`, with `token={token}` added to its query",
    )
    list_id: str = setting(
        "send",
        "the list's name in `List-Id` and in every token; never change it once sent",
        default="",
        parse=_list_id,
        example="digest.example.org",
        derived="the base URL's host after `digest.`",
    )

    public_url: str = setting(
        "web",
        "where readers reach the subscriber pages of `digest serve` (behind your proxy); "
        "empty: only on this machine",
        default="",
        parse=_public_url,
        example="https://news.example.org/digest/",
    )
    confirm_expiry: timedelta = setting(
        "web",
        "how long a sign-up's confirmation link works",
        default=timedelta(hours=48),
        parse=_window,
    )
    signups_per_address: int = setting(
        "web",
        "confirmation emails one address may be sent in 24 hours",
        default=3,
        parse=_positive,
    )
    signups_per_client: int = setting(
        "web",
        "sign-ups one client (IP address) may make in an hour",
        default=20,
        parse=_positive,
    )

    sender: str = setting(
        "email", "`From:` of the message", default="Digest <digest@example.org>", parse=_text
    )
    recipient: str = setting(
        "email",
        "`To:` placeholder",
        default="Subscriber <subscriber@example.org>",
        parse=_text,
    )
    subject: str = setting(
        "email",
        'subject; may use `{title}`, `{date}`, `{count}`, `{stories}` ("1 story", '
        '"9 stories"), `{headline}`, `{issue}`',
        default="{title}: {stories} — {date}",
        parse=_subject,
    )
    unsubscribe_url: str = setting(
        "email",
        "unsubscribe link in the footer and `List-Unsubscribe`; an `https` URL also gets "
        "one-click `List-Unsubscribe-Post` (RFC 8058)",
        default="",
        parse=_optional_url,
    )
    postal_address: str = setting(
        "email", "postal address line in the footer", default="", parse=_text
    )
    unsubscribe_mailto: str = setting(
        "email",
        "address for unsubscribing by mail, added to `List-Unsubscribe`",
        default="",
        parse=_mailbox,
    )
    reason: str = setting(
        "email",
        'why the reader gets the email (footer); default: "You are receiving this email '
        'because you subscribed to the digest from TITLE."',
        default="",
        parse=_text,
    )
    utm: Mapping[str, str] = setting(
        "email",
        "parameters added to links in the email (not the feeds or the web copy); "
        "values may use `{date}`",
        default_factory=lambda: {
            "utm_source": "digest",
            "utm_medium": "email",
            "utm_campaign": "{date}",
        },
        parse=_utm,
    )

    source: Path | None = None  # the file this came from, if any: not a setting
    sources: tuple[SourceSpec, ...] = ()  # `[[sources]]` (see `SourceSpec`)

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

    @property
    def token_url(self) -> str:
        """The unsubscribe link with `{token}` to fill in, or "" when none is configured."""
        if self.send_unsubscribe_url:
            return self.send_unsubscribe_url
        if self.public_url:  # the subscriber pages of `digest serve`
            return f"{self.public_url}unsubscribe?token={{token}}"
        if not self.unsubscribe_url:
            return ""
        joiner = "&" if urlsplit(self.unsubscribe_url).query else "?"
        return f"{self.unsubscribe_url}{joiner}token={{token}}"

    @property
    def list_name(self) -> str:
        """The list's id: `send.list_id`, else `digest.` and the base URL's host."""
        return self.list_id or f"digest.{urlsplit(self.base_url).hostname or 'localhost'}"


def declared_settings(schema: type[Any]) -> tuple[Setting, ...]:
    """The settings of a `Config`-like dataclass, completed with their field names and
    defaults, in declaration order; raises TypeError if a table's settings are not
    declared together (the README and `digest init` list them table by table)."""
    found: list[Setting] = []
    for item in fields(schema):
        declared = item.metadata.get("setting")
        if not isinstance(declared, Setting):
            continue
        if item.default_factory is not MISSING:
            default = item.default_factory()
        else:
            default = None if item.default is MISSING else item.default
        found.append(
            replace(declared, key=declared.key or item.name, attribute=item.name, default=default)
        )
    tables: list[str] = []
    for table in (declared.table for declared in found):
        if tables and tables[-1] == table:
            continue
        if table in tables:
            raise TypeError(f"the settings of [{table}] are not declared together")
        tables.append(table)
    return tuple(found)


SETTINGS = declared_settings(Config)
"""Every setting, table by table, in the order they are declared and documented."""

TABLES: dict[str, dict[str, Setting]] = {
    table: {declared.key: declared for declared in SETTINGS if declared.table == table}
    for table in dict.fromkeys(declared.table for declared in SETTINGS)
}
"""TOML table → key → its setting: `SETTINGS` looked up the way `digest.toml` is read."""


# --- [[sources]] ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceSpec:
    """One source of articles: a Markdown folder or a feed's URL."""

    folder: Path | None = setting(
        "sources",
        "a folder of Markdown articles (this or `feed`)",
        default=None,
        parse=_path,
        example="content/posts",
    )
    feed: str = setting(
        "sources",
        "an `http(s)` URL of an RSS, Atom or JSON feed (this or `folder`)",
        default="",
        parse=_url,
        example="https://column3.example/feed/",
    )
    name: str = setting(
        "sources", "the source's name in messages", default="", parse=_text, derived="its URL"
    )
    section: str = setting(
        "sources",
        "section of the source's articles that name none (a feed's item categories win)",
        default="",
        parse=_section_name,
        derived="`build.default_section`",
    )
    refresh: timedelta = setting(
        "sources",
        "a feed is fetched again no sooner than this (`digest build --refresh` does)",
        default=timedelta(minutes=15),
        parse=_window,
    )


SOURCE_SETTINGS = declared_settings(SourceSpec)
"""Every `[[sources]]` key, in the order the README lists them."""
_KEYS = {declared.key: declared for declared in SOURCE_SETTINGS}


def parse_sources(
    value: Any, *, where: str, base: Path
) -> tuple[tuple[SourceSpec, ...], list[str]]:
    """The `[[sources]]` array read, and its problems (each naming the table and key).

    A relative `folder` is taken relative to `base` (the configuration file's folder).
    """
    if not isinstance(value, list) or not all(isinstance(table, dict) for table in value):
        return (), [f"{where}'sources' must be tables, each written [[sources]]"]
    specs: list[SourceSpec] = []
    problems: list[str] = []
    for number, table in enumerate(value, start=1):
        label = f"{where}[[sources]] number {number}: "
        values: dict[str, Any] = {}
        for key, raw in table.items():
            declared = _KEYS.get(key)
            if declared is None:
                problems.append(f"{label}unknown key '{key}' (allowed: {', '.join(_KEYS)})")
                continue
            try:
                values[declared.attribute] = declared.parse(raw)
            except ValueError as error:
                problems.append(f"{label}'{key}' {error}")
        if ("folder" in values) == ("feed" in values) and not any(
            key not in _KEYS for key in table
        ):
            problems.append(f"{label}give either 'folder' or 'feed' (one of them)")
            continue
        folder = values.get("folder")
        if isinstance(folder, Path) and not folder.is_absolute():
            values["folder"] = base / folder
        specs.append(SourceSpec(**values))
    return tuple(specs), problems


def feed_spec(url: str) -> SourceSpec:
    """The source `digest build URL` reads."""
    return SourceSpec(feed=url)


def parse_config(data: Mapping[str, Any], *, source: Path | None = None, text: str = "") -> Config:
    """Validate a parsed TOML document; raise ConfigError listing every problem.

    `text` is the document's source, for the lines of entries of a whole-table setting.
    """
    where = f"{source}: " if source else ""
    problems: list[str] = []
    values: dict[str, Any] = {}
    sources: tuple[SourceSpec, ...] = ()
    for table, content in data.items():
        if table == "sources":  # [[sources]]: an array of tables (see `SourceSpec`)
            base = source.parent if source else Path()
            sources, found = parse_sources(content, where=where, base=base)
            problems += found
            continue
        if table not in TABLES:
            problems.append(f"{where}unknown table [{table}] (allowed: {', '.join(TABLES)})")
            continue
        if not isinstance(content, dict):
            problems.append(f"{where}'{table}' must be a table, e.g. [{table}]")
            continue
        whole = TABLES[table].get(WHOLE_TABLE)
        if whole is not None:
            try:
                values[whole.attribute] = whole.parse(content)
            except EntryError as error:
                line = _entry_line(text, table, error.key)
                at = f"{source}:{line}: " if source and line else where
                problems.append(f"{at}'{table}.{error.key}' {error}")
            except ValueError as error:
                problems.append(f"{where}[{table}] {error}")
            continue
        for key, raw in content.items():
            declared = TABLES[table].get(key)
            if declared is None:
                allowed = ", ".join(TABLES[table])
                problems.append(f"{where}unknown key '{table}.{key}' (allowed: {allowed})")
                continue
            try:
                values[declared.attribute] = declared.parse(raw)
            except ValueError as error:
                problems.append(f"{where}'{table}.{key}' {error}")
    if problems:
        raise ConfigError(problems)
    base = source.parent if source else Path()  # a path in the file is relative to it
    values = {
        name: base / value if isinstance(value, Path) and not value.is_absolute() else value
        for name, value in values.items()
    }
    if sources and "articles" in values:
        problems = [f"{where}give either 'build.articles' or [[sources]], not both"]
        raise ConfigError(problems)
    return Config(**values, source=source, sources=sources)


def load_config(path: Path | None = None, *, cwd: Path | None = None) -> Config:
    """Read `path`, else `digest.toml` in `cwd` if there is one, else the defaults."""
    if path is None:
        candidate = (cwd or Path()) / CONFIG_NAME
        if not candidate.is_file():
            return Config()
        path = candidate
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except FileNotFoundError:
        raise ConfigError([f"{path}: no such file; check --config"]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError([f"{path}: cannot read: {error}"]) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError([f"{path}: not valid TOML: {error}"]) from None
    return parse_config(data, source=path, text=text)


def _entry_line(text: str, table: str, key: str) -> int | None:
    """The line of `key = …` under `[table]` in a TOML `text`, if it can be told."""
    current = ""
    entry = re.compile(rf"""\s*(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')\s*=""")
    for number, line in enumerate(text.splitlines(), start=1):
        header = re.match(r"\s*\[\s*([^\]\s]+)\s*\]", line)
        if header:
            current = header[1]
        elif current == table and entry.match(line):
            return number
    return None


def override(config: Config, **changes: Any) -> Config:
    """Apply command-line options that were given (None means 'not given')."""
    given = {name: value for name, value in changes.items() if value is not None}
    known = {f.name for f in fields(Config)}
    unknown = set(given) - known
    if unknown:
        raise TypeError(f"not config fields: {sorted(unknown)}")
    return replace(config, **given)
