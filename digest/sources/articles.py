"""Front matter + Markdown → `Article`; `collect_articles` reads a `Source` into a `Collection`."""

from __future__ import annotations

import hashlib
import html
import os
import re
import stat
import sys
import time as clock
import tomllib
import unicodedata
from collections.abc import Callable, Container, Mapping, MutableMapping, Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from functools import lru_cache, partial
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin, urlsplit
from zoneinfo import ZoneInfo

import yaml

from digest.config import Config
from digest.errors import ArticleError, Problem
from digest.incremental.gc_pause import gc_paused
from digest.incremental.workers import parallel_map
from digest.models import MAX_YEAR, MIN_YEAR, Article, Collection, Image, LeadQuote
from digest.sources.base import RECORDED_FIELDS, Entry, Location, Record, Revision, Source
from digest.sources.frontmatter import load_simple
from digest.sources.keys import KNOWN_KEYS as KNOWN_KEYS  # re-exported: the reference reads it
from digest.sources.keys import REQUIRED_KEYS as REQUIRED_KEYS
from digest.sources.templating import removal_warning, without_templates
from digest.terms import BODY_LEAD_CHARS, article_terms

try:
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader  # type: ignore[assignment]


class YamlLoader(SafeLoader):
    """The safe loader, where a value Python cannot hold is a YAML error, not a crash.

    `2026-13-45` matches YAML's timestamp pattern and a 5,000-digit number its integer
    pattern; the safe constructors raise ValueError on them, which would end the build.
    """


def _guarded(construct: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def guarded(loader: Any, node: Any) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, OverflowError) as error:
            value = str(node.value)
            shown = value if len(value) <= 40 else value[:40] + "…"
            raise yaml.constructor.ConstructorError(
                None, None, f"{shown!r} is not a usable value: {error}", node.start_mark
            ) from None

    return guarded


def _timestamp(loader: Any, node: Any) -> Any:
    """PyYAML's timestamp, built by `fromisoformat` when that gives the same value faster."""
    if _ISO_TIMESTAMP.match(node.value):
        return datetime.fromisoformat(node.value)
    if _ISO_DATE.match(node.value):
        return date.fromisoformat(node.value)
    return SafeLoader.yaml_constructors["tag:yaml.org,2002:timestamp"](loader, node)


_ISO_TIMESTAMP = re.compile(
    r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:Z|[+-]\d\d:\d\d)?\Z"
)
_ISO_DATE = re.compile(r"\d{4}-\d\d-\d\d\Z")
YamlLoader.add_constructor("tag:yaml.org,2002:timestamp", _guarded(_timestamp))
for _tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
    YamlLoader.add_constructor(_tag, _guarded(SafeLoader.yaml_constructors[_tag]))

# Characters XML 1.0 forbids (C0 controls but tab/LF/CR, surrogates, U+FFFE/U+FFFF), and
# the ones it discourages and YAML refuses (DEL, the C1 controls but NEL, a line break).
CONTROL_CHARACTERS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]"
)
YAML_LINE_BREAKS = re.compile("[\x85\u2028\u2029]")
# A run of blanks holding a line break, matched only from the run's start: a match tried from
# inside a long run of tabs would read the rest of the run again at each one.
LINE_BREAKS = re.compile(
    "(?<![ \t])[ \t]*[\r\n\x0b\x0c\x85\u2028\u2029][ \t\r\n\x0b\x0c\x85\u2028\u2029]*"
)
CLOSING_FENCES = {
    "---": re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE),
    "+++": re.compile(r"^\+\+\+[ \t]*$", re.MULTILINE),
}
"""Each opening fence read, and the line that closes its block: YAML's '---' (or '...'),
Hugo's TOML's '+++'."""
TOML_KEY_LINE = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*=")
TOML_TABLE = re.compile(r"^\s*\[", re.MULTILINE)
"""The first line that opens a `[table]`: the keys from there on are the table's."""
TOML_ERROR_AT = re.compile(r" \(at (?:line (\d+), column \d+|end of document)\)$")
KEY_LINE = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:")
SLUG = re.compile(r"^(?:[A-Za-z0-9]|%[0-9A-Fa-f]{2})(?:[A-Za-z0-9._~-]|%[0-9A-Fa-f]{2})*$")
"""A slug is one URL path segment: letters, digits and the other unreserved characters of
RFC 3986 (Hugo and Jekyll keep `kubernetes-1.20-…` and `hangout_11` as written), and
percent-escapes, as WordPress exports write them (`%e2%80%93-boot-faster`)."""
NOT_SLUG = re.compile(r"[\W_]+")
SECTION_KEYS = ("section", "categories", "category")
"""digest's section, else the first of Jekyll's categories (Hugo's: see `_folder_section`)."""
EMBARGO_KEYS = ("publishDate", "publish_date")
"""Hugo's and other generators' embargo: the article is published at this time, not before."""
EXPIRY_KEYS = ("expires", "expiryDate")
"""digest's and Hugo's retirement time."""
SUMMARY_KEYS = ("summary", "description", "excerpt", "subtitle")
"""digest's standfirst, else Hugo's, Jekyll's and others' names for it."""
AUTHOR_KEYS = ("author", "authors")
UPDATED_KEYS = ("updated", "lastmod", "last_modified_at")
"""digest's update time, else Hugo's and Jekyll's."""
URL_KEYS = ("url", "permalink", "path")
"""Hugo's, Jekyll's and Zola's page address, kept instead of `build.article_path` for this
article."""
IMAGE_KEYS = ("image", "images", "featured_image", "cover")
"""digest's lead image, else the first of Hugo's `images`, `featured_image`, `cover.image`."""
IMAGE_URL_NAMES = ("src", "url", "image", "path")
"""Where an image given as a mapping keeps its address (`image: {src: …, alt: …}`)."""
DIALECT_KEYS = frozenset(
    (
        *SECTION_KEYS,
        *EMBARGO_KEYS,
        *EXPIRY_KEYS,
        *SUMMARY_KEYS,
        *AUTHOR_KEYS,
        *UPDATED_KEYS,
        *IMAGE_KEYS,
        *URL_KEYS,
        "published",
    )
)
"""Keys of other generators' front matter that digest reads (see `KNOWN_KEYS` for its own)."""
READ_KEYS = frozenset((*KNOWN_KEYS, *DIALECT_KEYS))
CANONICAL = {key.lower(): key for key in READ_KEYS}
"""Each key digest reads, by its lower-case spelling (see `_canonical_keys`)."""
MAX_ARTICLE_BYTES = 5_000_000
_SIZE_LIMIT = f"articles may be {MAX_ARTICLE_BYTES // 1_000_000} MB"


INLINE_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def plain_text(text: str) -> str:
    """A title or standfirst written with inline HTML or entities, as the plain text it shows.

    Only what is clearly markup goes: a tag that starts with a letter ("x < y" stays) and an
    entity that ends in ";" ("AT&T" stays).
    """
    if "<" not in text and "&" not in text:
        return text
    text = INLINE_TAG.sub("", text)
    return one_line(ENTITY.sub(lambda entity: html.unescape(entity[0]), text)).strip()


def clean_text(text: str) -> str:
    """Remove control characters (all XML forbids, and DEL and C1); keep the rest as written."""
    return CONTROL_CHARACTERS.sub("", text)


def one_line(text: str) -> str:
    """`clean_text`, with every line break made a space: front-matter values are one line.

    A headline must never carry a CR or LF into an email header or a feed title.
    """
    if text.isprintable():  # no control character, no line break: nothing to replace
        return text.strip()
    return LINE_BREAKS.sub(" ", clean_text(text)).strip()


def slugify(text: str, *, keep_case: bool = False) -> str:
    """A lower-case, hyphenated, path-safe slug: "Media & Culture" → "media-culture";
    with `keep_case`, "Media-Culture" (URL paths are case-sensitive: a file named for its
    live URL keeps it)."""
    if not text.isascii():  # ASCII has nothing to decompose
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return NOT_SLUG.sub("-", text if keep_case else text.lower()).strip("-")


LATIN_LETTERS = str.maketrans(
    {
        "\u0131": "i",  # dotless i
        "ø": "o",
        "Ø": "O",
        "ß": "ss",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "þ": "th",
        "Þ": "Th",
        "ħ": "h",
        "Ħ": "H",
    }
)
"""Latin letters with no accent to strip, spelt in ASCII as slug makers (Eleventy's) spell them."""


def url_slug(text: str) -> str:
    """An article's slug from `text`: `slugify` with case kept, Latin letters spelt in ASCII
    and every other character (another script) percent-encoded, so that any file name
    gives one valid URL path segment ("Ærø-Straße" → "AEro-Strasse")."""
    return quote(slugify(text, keep_case=True).translate(LATIN_LETTERS), safe="-")


MAX_NAME_SLUG_BYTES = 80
"""A section's or tag's slug names a folder: at most this long in UTF-8 (a file name may be
255 bytes), so that no name in the front matter can stop a build."""
NAME_SYMBOLS = re.compile(r"(?<=[^\W_])[+#]+")
"""`+` and `#` right after a letter or digit are part of a name: C, C++ and C# differ."""


@lru_cache(maxsize=4096)
def name_slug(name: str) -> str:
    """The slug of a section or tag name: its folder (`sections/…/`, `tags/…/`) and URL part.

    `slugify`, with `+` and `#` after a letter or digit spelt out ("C++" → "c-plus-plus",
    "C#" → "c-sharp", "#MeToo" → "metoo"); one longer than `MAX_NAME_SLUG_BYTES` is cut at
    a hyphen (or a character) and ends in a hash of the whole slug, so two long names that
    begin alike stay apart. Both `check` and `build` get every slug from here; names recur
    on thousands of articles, so each is worked out once and kept as one (interned) copy.
    """
    if "+" in name or "#" in name:
        name = NAME_SYMBOLS.sub(_spelt_symbols, name)
    slug = slugify(name)
    if len(slug) * 4 > MAX_NAME_SLUG_BYTES and len(slug.encode()) > MAX_NAME_SLUG_BYTES:
        slug = _shortened(slug)
    return sys.intern(slug)


def _spelt_symbols(match: re.Match[str]) -> str:
    return "".join(" plus " if symbol == "+" else " sharp " for symbol in match[0])


def _shortened(slug: str) -> str:
    """`slug` cut to `MAX_NAME_SLUG_BYTES`, with a short hash of all of it at the end."""
    suffix = hashlib.blake2b(slug.encode(), digest_size=4).hexdigest()
    room = MAX_NAME_SLUG_BYTES - len(suffix) - 1
    head = slug.encode()[:room].decode("utf-8", "ignore")  # whole characters only
    if slug[len(head)] != "-":  # cut inside a word: cut before it, unless it is most of it
        word = head.rpartition("-")[0]
        head = word if len(word) >= len(head) // 2 else head
    return f"{head.rstrip('-')}-{suffix}"


class FieldError(ValueError):
    """A front-matter value is wrong; `key` says which, for the line number."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


LOOSE_TIME = re.compile(r"^(\d{4}-\d\d-\d\d[T ])(\d)(?=:)|(?<=:\d\d)\s*([+-])(\d)$")
"""What Hugo and Jekyll accept and ISO 8601 does not: a one-digit hour ('2011-11-28 8:32:24
-0400') or offset ('… 14:00:00 -4')."""


def _padded(match: re.Match[str]) -> str:
    if match[1]:
        return f"{match[1]}0{match[2]}"
    return f"{match[3]}0{match[4]}:00"


LOOSE_DAY = re.compile(r"^(\d{4})([-/])(\d\d?)\2(\d\d?)(?=$|[T ])")
"""What Jekyll (Ruby's `Time.parse`) and JavaScript generators accept and ISO 8601 does not:
a one-digit month or day ('2026-5-16', '2026-9-7 08:15:00'), and slashes ('2026/12/03')."""


def _padded_day(match: re.Match[str]) -> str:
    return f"{match[1]}-{match[3]:0>2}-{match[4]:0>2}"


MONTHS = [  # English, as Ruby reads them
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]

NAMED_DATE = re.compile(
    r"^(?:(?P<day>\d{1,2})\s+(?P<month>[a-z]{3,9})\.?|(?P<month2>[a-z]{3,9})\.?\s+"
    r"(?P<day2>\d{1,2})(?:st|nd|rd|th)?),?\s+(?P<year>\d{4})$",
    re.IGNORECASE,
)
"""A day written with the month's English name, as Jekyll (Ruby's `Time.parse`) reads it:
'April 28, 2020', 'Apr 28 2020', 'Sept. 3rd, 2021', '28 April 2020'."""


def _named_date(text: str) -> date | None:
    """The day `text` names with a month's name (whole, or its first three or more
    letters), or None when it is not written so."""
    match = NAMED_DATE.match(text)
    if not match:
        return None
    word = (match["month"] or match["month2"]).lower()
    month = next((n for n, name in enumerate(MONTHS, 1) if name.startswith(word)), 0)
    if not month:
        return None
    try:
        return date(int(match["year"]), month, int(match["day"] or match["day2"]))
    except ValueError:  # 31 April
        return None


def _day_or_time(text: str) -> date | datetime:
    """ISO 8601 (a day, or a time with or without an offset), or a day named in words."""
    named = _named_date(text)
    if named:
        return named
    return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)


def parse_time(value: Any, key: str, zone: ZoneInfo, *, end_of_day: bool = False) -> datetime:
    """RFC 3339, a date (ISO, or with the month in words), or a naive time (in the site
    timezone) → aware datetime."""
    if isinstance(value, str):
        text = LOOSE_TIME.sub(_padded, LOOSE_DAY.sub(_padded_day, value.strip()))
        try:
            value = _day_or_time(text)
        except ValueError:
            raise FieldError(
                key, f"'{key}' is not a date: {value!r} (use e.g. 2026-11-26T09:30:00+02:00)"
            ) from None
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=zone)
    elif isinstance(value, date):
        moment = datetime.combine(value, time(), tzinfo=zone)
        moment = moment + timedelta(days=1) if end_of_day and value.year < 9999 else moment
    else:
        raise FieldError(key, f"'{key}' is not a date: {value!r} (use e.g. 2026-11-26)")
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise FieldError(key, f"'{key}' is out of range: use a year from {MIN_YEAR} to {MAX_YEAR}")
    return moment


def _string(meta: dict[str, Any], key: str, *, required: bool = False) -> str:
    value = meta.get(key)
    if value is None:
        if required:
            raise FieldError(key, f"missing required field '{key}'")
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise FieldError(key, f"'{key}' must be text, got {type(value).__name__}")
    value = one_line(value)
    if required and not value:
        raise FieldError(key, f"'{key}' is empty")
    return value


def _authors(meta: dict[str, Any]) -> tuple[str, ...]:
    """The bylines: text, or a list of it; Docusaurus and some Hugo themes write an author
    as a mapping, whose `name` (and `email`, as `Name <email>`) is read."""
    key = _first_key(meta, AUTHOR_KEYS) or "author"
    people = meta.get(key)
    if isinstance(people, dict):
        people = [people]
    if isinstance(people, list) and any(isinstance(person, dict) for person in people):
        return _strings({key: [_author_text(person, key) for person in people]}, key)
    return _strings(meta, key)  # most: text, or a list of it


def _author_text(person: Any, key: str) -> Any:
    if not isinstance(person, dict):
        return person
    name, email = person.get("name"), person.get("email")
    if not isinstance(name, str) or not isinstance(email, (str, type(None))):
        raise FieldError(key, f"an author in '{key}' needs a 'name' (and may have an 'email')")
    return f"{name} <{email}>" if email else name


def _strings(meta: dict[str, Any], key: str) -> tuple[str, ...]:
    value = meta.get(key)
    if value is None:
        return ()
    items = [value] if isinstance(value, (str, int, float)) else value
    if not isinstance(items, list) or not all(isinstance(i, (str, int, float)) for i in items):
        raise FieldError(key, f"'{key}' must be text or a list of text")
    cleaned = (one_line(str(item)) for item in items)
    return tuple(dict.fromkeys(item for item in cleaned if item))


def _tags(meta: dict[str, Any], limit: int, notes: list[tuple[str, str]]) -> tuple[str, ...]:
    """The first `limit` tags: each tag may become a feed, so an article may not have 1,000."""
    tags = _strings(meta, "tags")
    if len(tags) > limit:
        notes.append(
            ("tags", f"{len(tags)} tags, only the first {limit} are kept (feeds.max_tags)")
        )
    return tags[:limit]


def _flag(meta: dict[str, Any], key: str) -> bool:
    value = meta.get(key, False)
    if not isinstance(value, bool):
        raise FieldError(key, f"'{key}' must be true or false, got {value!r}")
    return value


def article_url(config: Config, *, slug: str, section_slug: str, published: datetime) -> str:
    """The absolute URL of an article page, from the configured layout."""
    local = published.astimezone(config.zone)
    path = config.article_path.format(
        slug=slug,
        section=section_slug,
        year=f"{local.year:04d}",
        month=f"{local.month:02d}",
        day=f"{local.day:02d}",
    )
    return config.base_url + path


def _own_url(meta: dict[str, Any], config: Config, notes: list[tuple[str, str]]) -> str:
    """The article's own address (Hugo's `url`, Jekyll's `permalink`, Zola's `path`), under
    the site's `base_url` as Hugo and Zola place it, or "" for none; a pattern such as
    `/:year/:title/` is a site-wide setting digest does not read, so the configured
    `article_path` is kept. Zola ends every page's path with a slash."""
    key = _first_key(meta, URL_KEYS)
    value = _string(meta, key) if key else ""
    if not value:
        return ""
    if PLAIN_ABSOLUTE_URL.match(value):
        return value
    if ":" in value or "?" in value or "#" in value:
        notes.append((key, f"'{key}' is a pattern or not a path; the article_path is used"))
        return ""
    if key == "path" and not value.endswith("/"):
        value += "/"
    return config.base_url + quote(value.lstrip("/"), safe="/%!$&'()*+,;=@~")


def _image(meta: dict[str, Any], config: Config, notes: list[tuple[str, str]]) -> Image | None:
    """The lead image; one given in another generator's shape digest cannot read is a
    warning and no photo (themes shape `featured_image` as they like), never a lost story."""
    key = _first_key(meta, IMAGE_KEYS) or "image"
    value = meta.get(key)
    if value is None:  # most articles
        return None
    if key == "images" and isinstance(value, list):  # Hugo: the first is the lead image
        value = value[0]
    details = value if isinstance(value, dict) else {}
    if details:  # themes' `{src: …, alt: …}`, Hugo's `cover.image` and `cover.alt`
        value = next((details[name] for name in IMAGE_URL_NAMES if details.get(name)), None)
    if (key != "image" or details) and not isinstance(value, str):
        notes.append((key, f"'{key}' holds no image URL digest can read (the story has no photo)"))
        return None
    url = _string({key: value}, key)  # a problem names the key the editor wrote, and its line
    if not url:
        return None
    plain = PLAIN_ABSOLUTE_URL.match(url) is not None  # http(s) already, and kept as it is
    absolute = url if plain else urljoin(config.base_url, url)
    if not plain and urlsplit(absolute).scheme not in ("http", "https"):
        raise FieldError(key, f"'{key}' must be an http(s) URL or a path, got {url!r}")
    return Image(
        absolute, _image_detail(details, meta, "alt"), _image_detail(details, meta, "credit")
    )


def _image_detail(details: dict[Any, Any], meta: dict[str, Any], name: str) -> str:
    """The image's alt text or credit: from its own mapping, else `image_alt`/`image_credit`."""
    own = details.get(name)
    return one_line(own) if isinstance(own, str) else _string(meta, f"image_{name}")


PLAIN_ABSOLUTE_URL = re.compile(
    r"https?://[A-Za-z0-9.-]+(?::[0-9]*)?(?:/[!\"$-:<->@-~]*)?(?:\?[!\"$-~]+)?(?:#[!-~]+)?\Z"
)
"""An absolute http(s) URL that `urljoin` would give back unchanged: lower-case scheme,
plain host, printable ASCII, no `;` parameters, no empty query or fragment."""


def _front_matter(text: str) -> tuple[str, str, int, int]:
    """Split off the YAML or TOML block, which may follow a byte-order mark and blank lines.

    Returns its opening fence ('---' or '+++'), the block, the 1-based line where the body
    starts, and the body's offset in `text`.
    The block keeps a blank line for each one before the opening '---', so that its line
    numbers, counted from 2, stay the file's.
    """
    lead = LEADING_BLANKS.match(text)
    start = lead.end() if lead else 0
    blanks = text.count("\n", 0, start)
    first_end = text.find("\n", start)
    opening = (text[start:] if first_end < 0 else text[start:first_end]).rstrip()
    if opening not in CLOSING_FENCES:
        raise FieldError(
            "", "no front matter: the file must start with a '---' (YAML) or '+++' (TOML) line"
        )
    fence = CLOSING_FENCES[opening].search(text, first_end + 1) if first_end >= 0 else None
    if fence is None:
        raise FieldError("", f"front matter is not closed: add a '{opening}' line after it")
    front = "\n" * blanks + text[first_end + 1 : max(first_end + 1, fence.start() - 1)]
    body_start = text.find("\n", fence.end()) + 1 or len(text)
    return opening, front, text.count("\n", 0, fence.start()) + 2, body_start


LEADING_BLANKS = re.compile(r"\ufeff?(?:[ \t]*\n)*")
"""What may come before the opening '---': a byte-order mark, and blank lines."""


def _key_lines(front: str, key_line: re.Pattern[str] = KEY_LINE) -> dict[str, int]:
    """Each key's line in `front` (counted from 2: the opening fence is line 1)."""
    lines: dict[str, int] = {}
    for number, line in enumerate(front.split("\n"), start=2):
        match = key_line.match(line)
        if match:
            lines.setdefault(match[1], number)
    return lines


@lru_cache(maxsize=1)
def _fast_loader() -> Any:
    """One loader instance whose resolver and constructors `load_simple` borrows."""
    return YamlLoader("")


def _load_toml(front: str) -> tuple[dict[str, Any], dict[str, int]]:
    """Hugo's TOML front matter, read by the standard library; also each top-level key's
    line (counted from 2, as for YAML). Keys under a `[table]` belong to the table."""
    meta = tomllib.loads(clean_text(front))
    table = TOML_TABLE.search(front)
    return meta, _key_lines(front[: table.start() if table else None], TOML_KEY_LINE)


def _toml_problem(path: Path, error: tomllib.TOMLDecodeError) -> Problem:
    """A TOML error as `file:line: message`, the reader's "(at line N, column M)" made ours."""
    message = str(error)
    at = TOML_ERROR_AT.search(message)
    line = int(at[1]) + 1 if at and at[1] else 1
    return Problem(path, line, f"bad TOML in front matter: {message[: at.start() if at else None]}")


def _load_yaml(front: str) -> tuple[Any, dict[str, int]]:
    """Safe-load the front matter, refusing aliases; also return each key's line.

    Control characters are dropped and the line breaks only YAML knows (NEL, U+2028,
    U+2029) become spaces, so YAML's line numbers stay ours. The common subset, which
    holds none of those, is read without PyYAML (see frontmatter.py).
    """
    simple = load_simple(front, _fast_loader())
    if simple is not None:
        return simple
    key_lines = _key_lines(front)
    front = YAML_LINE_BREAKS.sub(" ", clean_text(front))
    if "&" in front and any(
        isinstance(event, yaml.AliasEvent) for event in yaml.parse(front, Loader=YamlLoader)
    ):
        raise FieldError("", "YAML anchors and aliases are not allowed in front matter")
    return yaml.load(front, Loader=YamlLoader), key_lines


def parse_article(
    text: str, *, path: Path, config: Config, name: str = ""
) -> tuple[Article | None, list[Problem]]:
    """Parse one file's text. Returns the article (or None) and its problems/warnings.

    `name` is the file's '/'-separated path in its source folder (for Hugo's section).
    When the article is None the first problem is the reason it was skipped.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    article, body_start, found = _parse(text, path=path, config=config, name=name)
    if article is None:
        return None, found
    unknown = [
        Problem(path, article.key_lines.get(key, 1), f"unknown front-matter key '{key}' (ignored)")
        for key in article.unknown_keys
    ]
    body, warning = _body(text[body_start:], article.location.line)
    removed = [Problem(path, *warning)] if warning else []
    return replace(article, body=body), [*unknown, *found, *removed]


def _body(text: str, line: int) -> tuple[str, tuple[int, str] | None]:
    """The body as every output reads it: control characters and template syntax removed
    (see templating.py); with the warning (line, message) reporting a removal, if any.
    `line` is the body's first line in the file."""
    cleaned = clean_text(text)
    body, removal = without_templates(cleaned)
    return body, removal_warning(removal, cleaned, line) if removal.count else None


def _parse(
    text: str, *, path: Path, config: Config, name: str = ""
) -> tuple[Article | None, int, list[Problem]]:
    """`parse_article` without the body: the article, where its body starts, problems.

    `text` has LF line ends only; `name` is the item's '/'-separated path in its source.
    """
    key_lines: dict[str, int] = {}
    try:
        opening, front, body_line, body_start = _front_matter(text)
        try:
            meta, key_lines = _load_toml(front) if opening == "+++" else _load_yaml(front)
        except tomllib.TOMLDecodeError as error:
            return None, 0, [_toml_problem(path, error)]
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line = mark.line + 2 if mark else 1
            return None, 0, [Problem(path, line, f"bad YAML in front matter: {error.problem}")]
        except yaml.YAMLError as error:
            return None, 0, [Problem(path, 1, f"bad YAML in front matter: {error}")]
        if not isinstance(meta, dict):
            raise FieldError("", "front matter must be a mapping of 'key: value' lines")
        meta = _canonical_keys(meta, key_lines)
        if config.field_names:
            meta = _mapped_fields(meta, key_lines, config.field_names)
        notes: list[tuple[str, str]] = []
        article = _build_article(meta, path, name, body_line, key_lines, config, notes)
    except FieldError as error:
        return None, 0, [Problem(path, key_lines.get(error.key, 1), str(error))]
    unknown = tuple(str(key) for key in meta if key not in READ_KEYS)
    if unknown:
        article = replace(article, unknown_keys=_interned(unknown))
    warnings = [Problem(path, key_lines.get(key, 1), message) for key, message in notes]
    return article, body_start, warnings


def _build_article(
    meta: dict[str, Any],
    path: Path,
    name: str,
    body_line: int,
    key_lines: dict[str, int],
    config: Config,
    notes: list[tuple[str, str]],
) -> Article:
    """The article the front matter describes; its body is read separately.

    What is used but has something to fix is added to `notes` as (key, warning).
    """
    zone = config.zone
    stem = page_stem(path)
    named_day, slug_name = _file_name(stem)
    own_url = _own_url(meta, config, notes)
    placed_day = (  # the day the post's address or folder names, when nothing else dates it
        None
        if named_day or meta.get("date") is not None
        else _address_day(own_url) or _folder_day(name)
    )
    for key in REQUIRED_KEYS:  # a Jekyll name gives both, a day's address or folder the date
        if meta.get(key) is None and not named_day and not (key == "date" and placed_day):
            raise FieldError(key, f"missing required field '{key}'")
    given = meta.get("title") is not None
    title = plain_text(_string(meta, "title") if given else _named_title(slug_name))
    if not title:
        raise FieldError("title", "'title' is empty")
    section_key, section = _section(meta, name, config)
    section = sys.intern(section)
    section_slug = name_slug(section)
    if not section_slug:
        raise FieldError(section_key, f"'{section_key}' has no letters or digits: {section!r}")
    dated = parse_time(
        meta["date"] if meta.get("date") is not None else named_day or placed_day, "date", zone
    )
    updated_key = _first_key(meta, UPDATED_KEYS)
    updated = parse_time(meta[updated_key], updated_key, zone) if updated_key else dated
    if updated < dated:  # often a date moved forward by hand: the story is kept
        notes.append((updated_key, f"'{updated_key}' is before 'date'; the date is used"))
        updated = dated
    embargo_key = _first_key(meta, EMBARGO_KEYS)
    if not embargo_key and meta.get("published") and meta["published"] is not True:
        embargo_key = "published"  # Hugo's other name for publishDate; Jekyll's is a flag
    embargo = parse_time(meta[embargo_key], embargo_key, zone) if embargo_key else None
    # An embargoed article is published when its embargo ends: no output shows it before,
    # and the first digest after carries it (its date is when readers could first see it).
    published = max(dated, embargo) if embargo else dated
    updated = max(updated, published)
    slug = _string(meta, "slug") or url_slug(slug_name)
    if not SLUG.match(slug):
        example = url_slug(slug)
        raise FieldError(
            "slug", f"'slug' must be letters, digits, '-', '.', '_' or '~', e.g. {example!r}"
        )
    quote_text = _string(meta, "lead_quote")
    quote = LeadQuote(quote_text, _string(meta, "lead_quote_by") or None) if quote_text else None
    expires_key = _first_key(meta, EXPIRY_KEYS)
    expires = meta[expires_key] if expires_key else None
    return Article(
        location=Location(path, body_line),
        slug=slug,
        id=_string(meta, "id") or _default_id(stem, slug, named_day, bool(meta.get("slug"))),
        title=title,
        published=published,
        updated=updated,
        section=section,
        section_slug=section_slug,
        url=own_url
        or article_url(config, slug=slug, section_slug=section_slug, published=published),
        body=None,
        authors=_interned(_authors(meta)),
        summary=plain_text(_string(meta, _first_key(meta, SUMMARY_KEYS) or "summary")),
        image=_image(meta, config, notes),
        tags=_interned(_tags(meta, config.max_tags, notes)),
        related=_strings(meta, "related"),
        quote_override=quote,
        draft=_flag(meta, "draft") or meta.get("published") is False,  # Jekyll's draft
        expires=parse_time(expires, expires_key, zone, end_of_day=True) if expires_key else None,
        key_lines=_shared(key_lines),
    )


def _default_id(stem: str, slug: str, named_day: date | None, named: bool) -> str:
    """The id of an article that names none: its slug in lower case, as slugs once all were,
    so that no story already published comes back as new when its slug keeps its case.

    A Jekyll-named file's id is the slug its whole name gave before the date prefix was
    left out of slugs, for the same reason.
    """
    if named_day and not named:
        return slugify(stem)
    return slug.lower()


def _section(meta: dict[str, Any], name: str, config: Config) -> tuple[str, str]:
    """The key the section comes from ("" if none) and the section.

    `section`, else the first of `categories` (a list, or Jekyll's space-separated text)
    or `category`, else Hugo's section (see `_folder_section`), else `default_section`.
    """
    key = _first_key(meta, SECTION_KEYS)
    if not key:
        return "", _folder_section(name) or config.default_section
    value = meta[key]
    if key == "categories" and isinstance(value, str):
        value = value.split()  # Jekyll's categories: words, space-separated
    if key != "section" and isinstance(value, list):
        names = _strings({key: value}, key)
        return key, names[0] if names else ""
    return key, _string(meta, key, required=True)


def _folder_section(name: str) -> str:
    """Hugo's section of the item `name` (its '/'-separated path in the source): the first
    folder, its first letter made upper-case as Hugo titles it; "" for a file at the top
    or under a folder that begins with "_" (Jekyll's `_posts`, say)."""
    folder, slash, _ = name.partition("/")
    if not slash or not folder or folder.startswith("_"):
        return ""
    return one_line(folder[:1].upper() + folder[1:])


JEKYLL_NAME = re.compile(r"(\d{4}-\d\d?-\d\d?)-(.*[^\W_].*)\Z")
"""Jekyll's post file name: its date, then its slug (`2026-11-20-ferry-fares`; Jekyll also
reads a one-digit month or day, `2026-12-1-ferry-fares`)."""


def _file_name(stem: str) -> tuple[date | None, str]:
    """The day a Jekyll file name gives (None if it gives none, or no real day), and the
    part of the name the slug comes from: the name less that date prefix."""
    jekyll = JEKYLL_NAME.match(stem)
    day = _real_day(jekyll[1]) if jekyll else None
    return (day, jekyll[2]) if jekyll and day else (None, stem)


DAY_FOLDER = re.compile(r"(\d{4}-\d\d-\d\d)/(?:[^/]+/index\.[^/.]+|[^/]+)\Z")
"""A post in a folder named for its day, as Hakyll dates it (`news/2026-11-20/fares.md`),
or a page bundle in one (`news/2026-11-20/fares/index.md`)."""


def _folder_day(name: str) -> date | None:
    """The day the folder holding the post `name` (its path in the source) is named for;
    None if it is named for none, or for no real day."""
    held = DAY_FOLDER.search(name)
    return _real_day(held[1]) if held else None


ADDRESS_DAY = re.compile(r"(?<![^/])(\d{4}/\d\d/\d\d)/")
"""A day in an article's own address, as Zola's `path`, Hugo's `url` or a Jekyll
`permalink` often holds it (`2026/11/20/ferry-fares`)."""


def _address_day(url: str) -> date | None:
    """The day the article's own address `url` holds; None if it holds none, or no real day."""
    held = ADDRESS_DAY.search(urlsplit(url).path)
    return _real_day(held[1]) if held else None


def _real_day(text: str) -> date | None:
    """The day `text` (YYYY-MM-DD or YYYY/MM/DD, or a one-digit month or day: see
    `LOOSE_DAY`) is, or None for no real day (2026-13-01)."""
    try:
        return date.fromisoformat(LOOSE_DAY.sub(_padded_day, text))
    except ValueError:
        return None


def _named_title(slug: str) -> str:
    """The title Jekyll gives a post that has none: its file name's slug, a word per
    hyphen, each capitalised as Ruby does ('KubeVirt-on-arm' → 'Kubevirt On Arm')."""
    return one_line(" ".join(word.capitalize() for word in slug.split("-")))


def page_stem(path: Path) -> str:
    """The name a file gives its page: its stem, or for a Hugo page bundle
    (`ferry-fares/index.md`, the page with its images) the bundle folder's name."""
    stem = path.stem
    return path.parent.name if stem == "index" and path.parent.name else stem


def file_slug(stem: str) -> str:
    """The slug a file name gives: slugified, less a Jekyll date prefix."""
    return url_slug(_file_name(stem)[1])


def _canonical_keys(meta: dict[str, Any], key_lines: dict[str, int]) -> dict[str, Any]:
    """`meta` with every key digest reads spelt as digest spells it.

    Hugo reads front-matter keys in any case: its sites write `expirydate` and
    `publishdate` as often as `expiryDate`, and an expiry missed keeps a retired story in
    every feed. A key already written in digest's spelling wins.
    """
    strays = [key for key in meta if key not in READ_KEYS and str(key).lower() in CANONICAL]
    if not strays:
        return meta
    meta = dict(meta)
    for key in strays:
        canonical = CANONICAL[str(key).lower()]
        value = meta.pop(key)
        if canonical not in meta:
            meta[canonical] = value
            if key in key_lines:
                key_lines[canonical] = key_lines[key]
    return meta


def _mapped_fields(
    meta: dict[str, Any], key_lines: dict[str, int], names: Mapping[str, Sequence[str]]
) -> dict[str, Any]:
    """`meta` with the names `[fields]` maps read as digest's fields.

    A field's own name wins; else the first mapped name the file gives a value. The
    names mapped are used, so none is reported as unknown.
    """
    if not any(name in meta for mapped in names.values() for name in mapped):
        return meta
    meta = dict(meta)
    for field_name, mapped in names.items():
        for name in mapped:
            if name not in meta:
                continue
            value = meta.pop(name)
            if meta.get(field_name) is None and value is not None:
                meta[field_name] = value
                if name in key_lines:
                    key_lines[field_name] = key_lines[name]
    return meta


def _first_key(meta: Mapping[str, Any], keys: Sequence[str]) -> str:
    """The first of `keys` that `meta` gives a value (not null or empty), or "" if none does."""
    for key in keys:
        if meta.get(key):
            return key
    return ""


def _interned(values: tuple[str, ...]) -> tuple[str, ...]:
    """Tags and authors recur across the archive: keep one copy of each in memory."""
    return tuple(sys.intern(value) for value in values)


_KEY_LAYOUTS: dict[tuple[tuple[str, int], ...], dict[str, int]] = {}


def _shared(key_lines: dict[str, int]) -> dict[str, int]:
    """One dict per front-matter layout; a newsroom's files share a handful. Never mutated."""
    return _KEY_LAYOUTS.setdefault(tuple(key_lines.items()), key_lines)


def _read_text(path: Path) -> tuple[str | None, list[Problem]]:
    """A file's text with every line end made LF, or None and why it cannot be used."""
    try:
        raw = _read_limited(path)
    except _Refused as error:
        return None, [Problem(path, 1, str(error))]
    except OSError as error:
        return None, [Problem(path, 1, f"cannot read: {error.strerror or error}")]
    if b"\0" in raw:
        return None, [Problem(path, 1, "binary file, not a Markdown article; remove or rename it")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        return None, [Problem(path, line, "not UTF-8 text; save the file as UTF-8")]
    return text.replace("\r\n", "\n").replace("\r", "\n"), []


class _Refused(Exception):
    """A file refused unread: too big, or not a regular file at all."""


def _read_limited(path: Path) -> bytes:
    """The file's bytes, refusing before reading anything that is not a small regular file.

    Opened without blocking, so a named pipe cannot hang the build, and read no further
    than the limit, so neither a file that grows nor a device such as /dev/zero can fill
    memory.
    """
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise _Refused("not a regular file (a pipe, device or socket); remove it")
        if info.st_size > MAX_ARTICLE_BYTES:
            raise _Refused(f"file is {info.st_size:,} bytes; {_SIZE_LIMIT}")
        parts: list[bytes] = []
        size, wanted = 0, info.st_size + 1  # not the limit: a buffer that size costs time
        while size < wanted:
            part = os.read(descriptor, wanted - size)
            if not part:
                break
            parts.append(part)
            size += len(part)
            if size > info.st_size:  # it grew: read on, as far as the limit
                wanted = MAX_ARTICLE_BYTES + 1
    finally:
        os.close(descriptor)
    if size > MAX_ARTICLE_BYTES:
        raise _Refused(f"file grew while being read; {_SIZE_LIMIT}")
    return parts[0] if len(parts) == 1 else b"".join(parts)


def claimed_names(
    source: Source,
    *,
    config: Config,
    cache: Mapping[str, Entry] | None = None,
) -> list[tuple[Path | str, str, str | None]]:
    """Each article item of `source` with the slug and id a build gives it.

    Every file is parsed as a build parses it (or its record taken from a build's `cache`,
    as `collect_articles` does), drafts too, and none is left out as a duplicate. A file a
    build skips claims the slug of its file name (what it gets once fixed, unless it
    names one) and no id.
    """
    entries = source.items()
    records, unread = _cached(entries, cache)
    records.update(_parse_files(source, unread, config))
    claims: list[tuple[Path | str, str, str | None]] = []
    for name, _ in entries:
        fields, words = records[name][:2]
        if fields is None:
            claims.append((source.where(name), file_slug(page_stem(Path(name))), None))
        else:
            article = _article(source.location(name, fields[0]), fields, words)
            claims.append((article.location.where, article.slug, article.id))
    return claims


def collect_articles(
    source: Source,
    *,
    config: Config,
    progress: Callable[[int, int], None] | None = None,
    cache: MutableMapping[str, Entry] | None = None,
    items: Sequence[tuple[str, Revision | None]] | None = None,
) -> Collection:
    """Read every article `source` holds; skip and report the ones that cannot be used.

    Articles come without their bodies (`load_bodies` reads those for the few that reach
    an output). With `cache` (item name → revision and parse record, from an earlier
    build with the same code and configuration), an item whose revision is unchanged is
    not read again; `cache` is then updated to describe this build's items. `items` is
    what `source.items()` just returned, if the caller has it. `progress`, if given, is
    called with (items read, items to read) as items are read.
    """
    started = clock.time_ns()
    entries = source.items() if items is None else items
    records, unread = _cached(entries, cache)
    if progress is not None and len(unread) < len(entries):  # the cached ones: read at once
        progress(len(entries) - len(unread), len(entries))
        progress = _offset(progress, len(entries) - len(unread), len(entries))
    records.update(_parse_files(source, unread, config, progress))
    revisions = _revisions(source, entries, records, cache, started)
    spellings = Spellings(tags=config.tag_feeds)
    return _collection(source, entries, records, revisions, set(unread), spellings)


def _cached(
    entries: Sequence[tuple[str, Revision | None]],
    cache: Mapping[str, Entry] | None,
) -> tuple[dict[str, Record], list[str]]:
    """The records `cache` holds for items whose revision is unchanged, and the items left
    to read."""
    records: dict[str, Record] = {}
    unread: list[str] = []
    for relative, signature in entries:
        hit = cache.get(relative) if cache is not None and signature is not None else None
        if hit is not None and hit[0] == signature:
            records[relative] = hit[1]
        else:
            unread.append(relative)
    return records, unread


Revisions = tuple[tuple[str, Revision], tuple[str, Revision]]
"""An article's `revision` and `read_since`: the item's name with each revision."""


@gc_paused()  # its tuples hold no cycles (see `_collection`)
def _revisions(
    source: Source,
    entries: Sequence[tuple[str, Revision | None]],
    records: Mapping[str, Record],
    cache: MutableMapping[str, Entry] | None,
    now_ns: int,
) -> dict[str, Revisions]:
    """The `Revisions` of each steady item (one whose revision, seen at `now_ns`, tells it
    apart from every later version: see `Source.settled`); `cache`, if any, is then made
    to describe the steady items.

    An item read again after an edit that changed nothing reading gives (a correction deep
    in the body) is read since the revision of its earlier read, as `cache` held it: what
    depends only on the reading, such as related links, is then known to be unchanged.
    One tuple serves as both revisions when they are the same (most are; at 100,000
    articles a second one costs 5 MB). Only the cache entries that changed are touched:
    the others keep their places and values, so the cache file's chunks that hold only
    them are copied as they are (see `cache.write_cache`). One pass does all this, since
    at 100,000 items each pass counts.
    """
    found: dict[str, Revisions] = {}
    changed: dict[str, Entry] = {}
    for name, revision in entries:
        if revision is None or not source.settled(revision, now_ns):
            continue
        hit = cache.get(name) if cache is not None else None
        if hit is not None and hit[0] == revision:  # not read again: the entry holds
            since = hit[2]
        else:
            record = records[name]
            since = hit[2] if hit is not None and _same_reading(hit[1], record) else revision
            changed[name] = (revision, record, since)
        current = (name, revision)
        found[name] = (current, current if since == revision else (name, since))
    if cache is not None:
        for name in [name for name in cache if name not in found]:
            del cache[name]
        cache.update(changed)
    return found


def _same_reading(one: Record, other: Record) -> bool:
    """Whether two reads of an item gave the same (terms compared as sets)."""
    return (one[0], sorted(one[1]), one[2:]) == (other[0], sorted(other[1]), other[2:])


@gc_paused()
def _collection(
    source: Source,
    entries: Sequence[tuple[str, Revision | None]],
    records: Mapping[str, Record],
    revisions: Mapping[str, Revisions],
    fresh: Container[str],
    spellings: Spellings,
) -> Collection:
    """The articles, problems and warnings the items' `records` give, in `entries` order.

    Each article read from a steady item carries its `revisions`; the notes of the items
    read this build (`fresh`, not taken from the cache) are new; `spellings` warns of
    names that differ but share a folder.

    Run without the cycle collector: an archive's articles and paths are many objects
    and hold no cycles (see gc_pause.py).
    """
    skipped: list[tuple[int, Problem]] = []  # (position in `entries`, why)
    warnings: list[Problem] = []
    notes: list[Problem] = []
    new_notes: list[Problem] = []
    read: list[tuple[int, Article]] = []
    for position, (name, _) in enumerate(entries):
        fields, words, messages, noted = records[name]
        if fields is None:
            where = source.where(name)
            skipped.extend((position, Problem(where, line, text)) for line, text in messages)
            continue
        location = source.location(name, fields[0])
        steady = revisions.get(name)
        article = (
            _article(location, fields, words)
            if steady is None
            else _article(location, fields, words, *steady)
        )
        if messages or noted:  # the path is made only for these
            where = location.where
            warnings.extend(Problem(where, line, message) for line, message in messages)
            found = [Problem(where, line, message) for line, message in noted]
            warnings.extend(found)
            notes.extend(found)
            new_notes.extend(found if name in fresh else ())
        read.append((position, article))
    _own_ids(read, entries)
    duplicates = _duplicates([article for _, article in read])
    articles: list[Article] = []
    for index, (position, article) in enumerate(read):
        if duplicates and index in duplicates:
            skipped.append((position, duplicates[index]))
            continue
        articles.append(article)
        warnings.extend(spellings.check(article))
    if duplicates:  # in item order, with the items skipped for other reasons
        skipped.sort(key=itemgetter(0))
    problems = [problem for _, problem in skipped]
    unknown = unknown_keys([article for _, article in read])
    warnings.extend(problem for _, problem in unknown)
    return Collection(
        tuple(articles),
        tuple(problems),
        tuple(warnings),
        len(entries),
        tuple(source.left_out().items()),
        tuple(unknown),
        tuple(notes),
        tuple(new_notes),
    )


MAX_UNKNOWN_KEYS_LISTED = 20
"""Unknown front-matter keys reported one by one; the rest share one line."""


def unknown_keys(articles: Sequence[Article]) -> list[tuple[tuple[str, ...], Problem]]:
    """One warning per front-matter key digest does not read, with the number of files
    that hold it, at the first of them; the most common first, and past
    `MAX_UNKNOWN_KEYS_LISTED` one warning for the rest. Each comes with its keys."""
    files: dict[str, int] = {}
    first: dict[str, Article] = {}
    for article in articles:
        for key in article.unknown_keys:
            files[key] = files.get(key, 0) + 1
            first.setdefault(key, article)
    ranked = sorted(files, key=lambda key: (-files[key], key))
    found: list[tuple[tuple[str, ...], Problem]] = []
    for key in ranked[:MAX_UNKNOWN_KEYS_LISTED]:
        count = files[key]
        spread = f" in {count} files, this the first" if count > 1 else ""
        message = (
            f"unknown front-matter key '{key}' (ignored){spread}; to read it, map it to "
            "a field in digest.toml's [fields]"
        )
        found.append(((key,), _at_key(first[key], key, message)))
    rest = ranked[MAX_UNKNOWN_KEYS_LISTED:]
    if rest:
        names = ", ".join(f"'{key}'" for key in rest[:10]) + (", …" if len(rest) > 10 else "")
        message = (
            f"{len(rest)} more unknown front-matter keys (ignored): {names}; map any you "
            "want read in digest.toml's [fields]"
        )
        found.append((tuple(rest), _at_key(first[rest[0]], rest[0], message)))
    return found


def _at_key(article: Article, key: str, message: str) -> Problem:
    return Problem(article.location.where, article.key_lines.get(key, 1), message)


def _article(
    location: Location,
    fields: tuple[Any, ...],
    terms: tuple[str, ...],
    revision: tuple[str, Revision] | None = None,
    read_since: tuple[str, Revision] | None = None,
) -> Article:
    """The article a record's `fields` and `terms` describe (see `_fields`), at `location`
    (whose line is `fields[0]`)."""
    return Article(*(location, *fields[1:], revision, terms, read_since))


def _own_ids(
    read: list[tuple[int, Article]], entries: Sequence[tuple[str, Revision | None]]
) -> None:
    """Give an id from its path to each article whose slug, and so its default id, another
    article shares under a different URL (`article_path` holds the date or the section).

    The first claimant keeps the id it has always had: a published article before a draft,
    then the earliest published, then the first in file order. An id the front matter
    gives is never changed; two such ids that collide are reported by `_duplicates`, and
    so are two articles whose URLs collide.
    """
    first_of: dict[str, int] = {}
    shared: dict[str, list[int]] = {}  # only the ids that more than one article has
    for index, (_, article) in enumerate(read):
        first = first_of.setdefault(article.id, index)
        if first != index:
            shared.setdefault(article.id, [first]).append(index)
    for indexes in shared.values():
        first = min(indexes, key=lambda i: (read[i][1].draft, read[i][1].published, i))
        keeper = read[first][1]
        for index in indexes:
            position, article = read[index]
            mine = "id" in article.key_lines  # an id the front matter gives is its own
            if article is not keeper and not mine and article.url != keeper.url:
                read[index] = (position, replace(article, id=path_id(entries[position][0])))


def path_id(name: str) -> str:
    """The id of an article named by its path in the source (less its suffix): its "/"
    keeps it apart from every id a slug gives."""
    stem, dot, suffix = name.rpartition(".")
    return stem if dot and "/" not in suffix else name


def _duplicates(articles: Sequence[Article]) -> dict[int, Problem]:
    """The articles (by index) that lose their URL or id to another, and why.

    Published articles claim theirs first, in file order, then drafts: a draft given a
    live story's URL or id never takes that story offline, whichever file sorts first.
    """
    urls: dict[str, Article] = {}
    ids: dict[str, Article] = {}
    lost: dict[int, Problem] = {}
    drafts = []
    for index, article in enumerate(articles):
        if article.draft:
            drafts.append(index)
        elif article.url in urls or article.id in ids:
            lost[index] = _duplicate(article, urls, ids)
        else:
            urls[article.url] = ids[article.id] = article
    for index in drafts:
        article = articles[index]
        if article.url in urls or article.id in ids:
            lost[index] = _duplicate(article, urls, ids)
        else:
            urls[article.url] = ids[article.id] = article
    return lost


def _duplicate(
    article: Article, urls: Mapping[str, Article], ids: Mapping[str, Article]
) -> Problem:
    """`article` skipped: another (file:line) has its URL (named by its slug when they share
    it), or else its id. A feed's item has no line to name nor field to edit (line 0)."""
    owner = urls.get(article.url) or ids[article.id]
    key = "id" if article.url not in urls else "slug" if owner.slug == article.slug else "url"
    where = str(Location(owner.location.where, owner.key_lines.get(key, 1)))
    if article.draft and not owner.draft:
        where += ", published: a draft never takes its place"
    line = article.key_lines.get(key, 1)
    fix = f"set a unique '{'slug' if key == 'url' else key}:'" if line else "the first is kept"
    shown = f"URL {article.url}" if key == "url" else f"{key} '{getattr(article, key)}'"
    return Problem(article.location.where, line, f"duplicate {shown} (also {where}); {fix}")


class Spellings:
    """Section names (and tag names, when tags have feeds) that differ but share a slug.

    "Media & Culture" and "media-culture" are one section, with one folder and one feed;
    each spelling after the first is a warning naming the first and its file, so that no
    two names share a feed unnoticed.
    """

    def __init__(self, *, tags: bool) -> None:
        self.tags = tags
        self.seen: dict[str, set[str]] = {"section": set(), "tag": set()}
        self.first: dict[str, tuple[str, Path | str]] = {}  # folder → first name, its file

    def check(self, article: Article) -> list[Problem]:
        """Warnings for the names `article` spells differently from an earlier article."""
        found = []
        if article.section not in self.seen["section"]:  # a spelling seen before is known
            found += self._name("section", article.section, article)
        if self.tags:
            tags = self.seen["tag"]
            for tag in article.tags:
                if tag not in tags:
                    found += self._name("tag", tag, article)
        return found

    def _name(self, kind: str, name: str, article: Article) -> list[Problem]:
        """A warning if `name`, new, has the folder of another spelling seen earlier."""
        self.seen[kind].add(name)
        slug = article.section_slug if kind == "section" else name_slug(name)
        if not slug:  # a tag without letters or digits has no folder
            return []
        folder = f"{kind}s/{slug}/"
        first, path = self.first.setdefault(folder, (name, article.location.where))
        if first == name:
            return []
        line = article.key_lines.get("section" if kind == "section" else "tags", 1)
        message = (
            f"{kind} {name!r} shares {folder} with {first!r} ({path}): spell them the same, "
            "or rename one to keep them apart"
        )
        return [Problem(article.location.where, line, message)]


def _offset(
    progress: Callable[[int, int], None], done: int, total: int
) -> Callable[[int, int], None]:
    """`progress` for the files still to read, counted after the `done` already known."""
    return lambda read, _: progress(done + read, total)


def read_record(path: Path, config: Config, name: str = "") -> Record:
    """Read and parse one file into its cacheable record; `name` is its '/'-separated path
    in the source folder (for Hugo's section)."""
    text, problems = _read_text(path)
    if text is None:
        return None, (), tuple((problem.line, problem.message) for problem in problems), ()
    article, body_start, problems = _parse(text, path=path, config=config, name=name)
    messages = tuple((problem.line, problem.message) for problem in problems)
    if article is None:
        return None, (), messages, ()
    notes: tuple[tuple[int, str], ...] = ()
    if text.find("{", body_start) >= 0:  # it may hold template syntax: read all of it
        lead, removal = _body(text[body_start:], article.location.line)
        notes = (removal,) if removal else ()
    else:
        lead = _clean_lead(text, body_start)
    terms = article_terms(article.title, article.summary, lead)
    return _fields(article), terms, messages, notes


def _clean_lead(text: str, start: int) -> str:
    """`clean_text(text[start:])`, cut once it is past what `article_terms` reads.

    Cleaning only removes characters, so a cleaned prefix longer than the lead `related`
    reads tells that lead and that the whole body is longer, as the full body would.
    """
    size = 2 * BODY_LEAD_CHARS
    while True:
        cleaned = clean_text(text[start : start + size])
        if len(cleaned) > BODY_LEAD_CHARS or start + size >= len(text):
            return cleaned
        size *= 4


def _fields(article: Article) -> tuple[Any, ...]:
    """The article's body line, then its fields after `location` but its revision, in
    order, as `_article` takes them."""
    return (article.location.line, *_FIELDS_AFTER_LOCATION(article))


_FIELDS_AFTER_LOCATION = attrgetter(*RECORDED_FIELDS)
PARALLEL_MIN_FILES = 1000
"""Fewer files than this are parsed in this process: forking would cost more than it saves."""


@gc_paused()  # records hold no cycles; a collector pass per 700 of them would walk them all
def _parse_files(
    source: Source,
    names: Sequence[str],
    config: Config,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Record]:
    """Read items, in forked worker processes too when there are many and cores to spare."""
    read = partial(source.read, config=config)
    records = parallel_map(read, names, min_share=PARALLEL_MIN_FILES // 2, progress=progress)
    return dict(zip(names, records, strict=True))


def load_bodies(articles: Sequence[Article], source: Source) -> list[Article]:
    """The articles with their Markdown bodies read from `source`.

    Raises ArticleError if an item can no longer be read or parsed: it changed while the
    build ran, and the next build will read it afresh.
    """
    return [replace(article, body=source.body(article)) for article in articles]


def read_body(path: Path) -> str:
    """The Markdown body of the file at `path`, front matter removed (see `load_bodies`)."""
    text, problems = _read_text(path)
    if text is not None:
        try:
            return _body(text[_front_matter(text)[3] :], 1)[0]
        except FieldError as error:
            problems = [Problem(path, 1, str(error))]
    raise ArticleError(
        [replace(p, message=f"changed during the build: {p.message}") for p in problems]
    )
