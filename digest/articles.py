"""Front matter + Markdown files → `Article`; `collect_articles` is the only reader."""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

import yaml

from .config import Config
from .errors import Problem
from .models import Article, Image, LeadQuote

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


for _tag in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
    YamlLoader.add_constructor(_tag, _guarded(SafeLoader.yaml_constructors[_tag]))

# Characters XML 1.0 forbids (C0 controls but tab/LF/CR, surrogates, U+FFFE/U+FFFF), and
# the ones it discourages and YAML refuses (DEL, the C1 controls but NEL, a line break).
CONTROL_CHARACTERS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]"
)
YAML_LINE_BREAKS = re.compile("[\x85\u2028\u2029]")
LINE_BREAKS = re.compile("[ \t]*[\r\n\x0b\x0c\x85\u2028\u2029]+[ \t]*")
FENCE = re.compile(r"^(---|\.\.\.)[ \t]*$")
KEY_LINE = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
KNOWN_KEYS = (
    "title date section author summary updated image image_alt image_credit tags related "
    "lead_quote lead_quote_by slug id draft expires"
).split()
REQUIRED_KEYS = ("title", "date", "section")
MIN_YEAR, MAX_YEAR = 1000, 9998  # every date survives time-zone shifts and RFC 822
MAX_ARTICLE_BYTES = 5_000_000
_SIZE_LIMIT = f"articles may be {MAX_ARTICLE_BYTES // 1_000_000} MB"


def clean_text(text: str) -> str:
    """Remove control characters (all XML forbids, and DEL and C1); keep the rest as written."""
    return CONTROL_CHARACTERS.sub("", text)


def one_line(text: str) -> str:
    """`clean_text`, with every line break made a space: front-matter values are one line.

    A headline must never carry a CR or LF into an email header or a feed title.
    """
    return LINE_BREAKS.sub(" ", clean_text(text)).strip()


def slugify(text: str) -> str:
    """A lower-case, hyphenated, path-safe slug: "Media & Culture" → "media-culture"."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", "-", stripped.lower()).strip("-")


class FieldError(ValueError):
    """A front-matter value is wrong; `key` says which, for the line number."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class Collection:
    """What reading an articles folder gave: articles, problems and warnings."""

    articles: tuple[Article, ...]
    problems: tuple[Problem, ...]  # files skipped
    warnings: tuple[Problem, ...]  # files used, with something to fix
    files_read: int


def parse_time(value: Any, key: str, zone: ZoneInfo, *, end_of_day: bool = False) -> datetime:
    """RFC 3339, a date, or a naive time (in the site timezone) → aware datetime."""
    if isinstance(value, str):
        text = value.strip()
        try:
            value = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
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


def _strings(meta: dict[str, Any], key: str) -> tuple[str, ...]:
    value = meta.get(key)
    if value is None:
        return ()
    items = [value] if isinstance(value, (str, int, float)) else value
    if not isinstance(items, list) or not all(isinstance(i, (str, int, float)) for i in items):
        raise FieldError(key, f"'{key}' must be text or a list of text")
    cleaned = (one_line(str(item)) for item in items)
    return tuple(dict.fromkeys(item for item in cleaned if item))


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


def _image(meta: dict[str, Any], config: Config) -> Image | None:
    url = _string(meta, "image")
    if not url:
        return None
    absolute = urljoin(config.base_url, url)
    if urlsplit(absolute).scheme not in ("http", "https"):
        raise FieldError("image", f"'image' must be an http(s) URL or a path, got {url!r}")
    return Image(absolute, _string(meta, "image_alt"), _string(meta, "image_credit"))


def _front_matter(text: str) -> tuple[str, int]:
    """Split off the YAML block; return it and the 1-based line where the body starts."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        raise FieldError("", "no front matter: the file must start with a '---' line")
    for number, line in enumerate(lines[1:], start=1):
        if FENCE.match(line):
            return "\n".join(lines[1:number]), number + 2
    raise FieldError("", "front matter is not closed: add a '---' line after it")


def _key_lines(front: str) -> dict[str, int]:
    lines: dict[str, int] = {}
    for number, line in enumerate(front.split("\n"), start=2):
        match = KEY_LINE.match(line)
        if match:
            lines.setdefault(match[1], number)
    return lines


def _load_yaml(front: str) -> Any:
    """Safe-load the front matter, refusing aliases.

    Control characters are dropped and the line breaks only YAML knows (NEL, U+2028,
    U+2029) become spaces, so YAML's line numbers stay ours.
    """
    front = YAML_LINE_BREAKS.sub(" ", clean_text(front))
    if "&" in front and any(
        isinstance(event, yaml.AliasEvent) for event in yaml.parse(front, Loader=YamlLoader)
    ):
        raise FieldError("", "YAML anchors and aliases are not allowed in front matter")
    return yaml.load(front, Loader=YamlLoader)  # noqa: S506 - a safe loader


def parse_article(
    text: str, *, path: Path, config: Config
) -> tuple[Article | None, list[Problem]]:
    """Parse one file's text. Returns the article (or None) and its problems/warnings.

    When the article is None the first problem is the reason it was skipped.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    key_lines: dict[str, int] = {}
    try:
        front, body_line = _front_matter(text)
        key_lines = _key_lines(front)
        try:
            meta = _load_yaml(front)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line = mark.line + 2 if mark else 1
            return None, [Problem(path, line, f"bad YAML in front matter: {error.problem}")]
        except yaml.YAMLError as error:
            return None, [Problem(path, 1, f"bad YAML in front matter: {error}")]
        if not isinstance(meta, dict):
            raise FieldError("", "front matter must be a mapping of 'key: value' lines")
        article = _build_article(meta, text, path, body_line, key_lines, config)
    except FieldError as error:
        return None, [Problem(path, key_lines.get(error.key, 1), str(error))]
    warnings = [
        Problem(path, key_lines.get(str(key), 1), f"unknown front-matter key '{key}' (ignored)")
        for key in meta
        if key not in KNOWN_KEYS
    ]
    return article, warnings


def _build_article(
    meta: dict[str, Any],
    text: str,
    path: Path,
    body_line: int,
    key_lines: dict[str, int],
    config: Config,
) -> Article:
    zone = config.zone
    for key in REQUIRED_KEYS:
        if meta.get(key) is None:
            raise FieldError(key, f"missing required field '{key}'")
    title = _string(meta, "title", required=True)
    section = _string(meta, "section", required=True)
    section_slug = slugify(section)
    if not section_slug:
        raise FieldError("section", f"'section' has no letters or digits: {section!r}")
    published = parse_time(meta["date"], "date", zone)
    updated = parse_time(meta["updated"], "updated", zone) if meta.get("updated") else published
    if updated < published:
        raise FieldError("updated", "'updated' is before 'date'; check both")
    slug = _string(meta, "slug") or slugify(path.stem)
    if not SLUG.match(slug):
        raise FieldError(
            "slug", f"'slug' must be lower-case letters, digits and hyphens, e.g. {slugify(slug)!r}"
        )
    quote_text = _string(meta, "lead_quote")
    quote = LeadQuote(quote_text, _string(meta, "lead_quote_by") or None) if quote_text else None
    expires = meta.get("expires")
    body = clean_text(text.split("\n", body_line - 1)[-1] if body_line > 1 else "")
    return Article(
        source=path,
        body_line=body_line,
        slug=slug,
        id=_string(meta, "id") or slug,
        title=title,
        published=published,
        updated=updated,
        section=section,
        section_slug=section_slug,
        url=article_url(config, slug=slug, section_slug=section_slug, published=published),
        body=body,
        authors=_strings(meta, "author"),
        summary=_string(meta, "summary"),
        image=_image(meta, config),
        tags=_strings(meta, "tags"),
        related=_strings(meta, "related"),
        quote_override=quote,
        draft=_flag(meta, "draft"),
        expires=parse_time(expires, "expires", zone, end_of_day=True) if expires else None,
        key_lines=key_lines,
    )


def read_article(path: Path, *, config: Config) -> tuple[Article | None, list[Problem]]:
    """Read and parse one file; unreadable files become a problem, never an exception."""
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
    return parse_article(text, path=path, config=config)


class _Refused(Exception):
    """A file refused unread: too big, or not a regular file at all."""


def _read_limited(path: Path) -> bytes:
    """The file's bytes, refusing before reading anything that is not a small regular file.

    Opened without blocking, so a named pipe cannot hang the build, and read no further
    than the limit, so neither a file that grows nor a device such as /dev/zero can fill
    memory.
    """
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(descriptor, "rb") as stream:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise _Refused("not a regular file (a pipe, device or socket); remove it")
        if info.st_size > MAX_ARTICLE_BYTES:
            raise _Refused(f"file is {info.st_size:,} bytes; {_SIZE_LIMIT}")
        raw = stream.read(MAX_ARTICLE_BYTES + 1)
    if len(raw) > MAX_ARTICLE_BYTES:
        raise _Refused(f"file grew while being read; {_SIZE_LIMIT}")
    return raw


def article_files(folder: Path) -> Iterator[Path]:
    """Every `*.md` file under `folder`, sorted, following no symlinked folders twice."""
    seen: set[tuple[int, int]] = set()
    for root, dirs, files in os.walk(folder, followlinks=True):
        info = os.stat(root)
        if (info.st_dev, info.st_ino) in seen:
            dirs[:] = []
            continue
        seen.add((info.st_dev, info.st_ino))
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.endswith(".md") and not name.startswith("."):
                yield Path(root) / name


def collect_articles(
    folder: Path, *, config: Config, progress: Callable[[int, int], None] | None = None
) -> Collection:
    """Read every article under `folder`; skip and report the ones that cannot be used.

    `progress`, if given, is called with (files read, files in all) after each file.
    """
    articles: list[Article] = []
    problems: list[Problem] = []
    warnings: list[Problem] = []
    owners: dict[str, Path] = {}
    id_owners: dict[str, Path] = {}
    files = sorted(article_files(folder))
    for done, path in enumerate(files, start=1):
        article, found = read_article(path, config=config)
        if progress:
            progress(done, len(files))
        if article is None:
            problems.extend(found)
            continue
        warnings.extend(found)
        if article.slug in owners:
            line = article.key_lines.get("slug", 1)
            problems.append(
                Problem(
                    path,
                    line,
                    f"duplicate slug '{article.slug}' (also {owners[article.slug]}); "
                    "set a unique 'slug:'",
                )
            )
            continue
        if article.id in id_owners:
            line = article.key_lines.get("id", 1)
            message = (
                f"duplicate id '{article.id}' (also {id_owners[article.id]}); set a unique 'id:'"
            )
            problems.append(Problem(path, line, message))
            continue
        owners[article.slug] = path
        id_owners[article.id] = path
        articles.append(article)
    return Collection(tuple(articles), tuple(problems), tuple(warnings), len(files))
