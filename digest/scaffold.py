"""`digest init` and `digest new`: a new newsroom and a new article, never overwriting.

The `digest.toml` written by `init` is generated from the settings declared in `config.Config`
(`config.SETTINGS`), so it lists every setting and cannot drift from the code. Files are created
with exclusive-create mode: if one appears while we work, we stop rather than overwrite it.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from digest.config import CONFIG_NAME, DEFAULT_TEMPLATES, SETTINGS, WHOLE_TABLE, Config
from digest.errors import DigestError
from digest.incremental.cache import load_cache
from digest.reference import FRONT_MATTER, toml_value
from digest.sources.articles import SLUG, claimed_names, slugify
from digest.sources.folder import MarkdownFolder

ARTICLES_FOLDER = "articles"
TEMPLATES_FOLDER = "templates"
MAX_SLUG_LENGTH = 60
NEW_ARTICLE_HINTS = ("author", "summary", "tags", "image", "image_alt", "image_credit", "related")
"""Optional front-matter keys that `digest new` lists, commented, for the editor to fill in."""
NEW_ARTICLE_BODY = (
    "Write the story here. The first direct quotation with a speaker becomes the lead quote\n"
    "in the digest and the feeds.\n"
)

EXAMPLE_SLUG = "library-winter-hours"
EXAMPLE_ARTICLE = """\
---
# An example from `digest init`: edit it, or delete it once you have your own.
title: Town library stays open late through the winter
date: {date}
section: Local
id: {id}
author: Ana Okafor
summary: The central library will stay open until 9pm on weekdays from December.
tags: [Libraries, Winter]
---

The central library will stay open until 9pm on weekdays from the first of December, giving \
students and shift workers a warm, quiet place to read through the darkest months of the year.

"We heard from hundreds of readers who can only come in after work, and the evenings are when \
a library matters most," said the head librarian, Tomas Reyes.

The longer hours are paid for by closing the reading room on Monday mornings, which the \
library's own counts show to be its quietest time. The children's floor keeps its usual hours.

Volunteers will run a homework club on Tuesday and Thursday evenings, and the café on the \
ground floor will stay open until 8pm.
"""


class ScaffoldError(DigestError):
    """A file we were asked to create already exists, or a name cannot be used."""


@dataclass(frozen=True)
class Created:
    """The files a scaffold command wrote, in the order it wrote them."""

    root: Path
    files: tuple[Path, ...]


def _create(files: Mapping[Path, bytes]) -> tuple[Path, ...]:
    """Write new files only: refuse (writing nothing) if any of them already exists."""
    existing = [path for path in files if path.exists()]
    if existing:
        names = ", ".join(str(path) for path in existing)
        raise ScaffoldError(
            f"{names} already exist{'s' if len(existing) == 1 else ''}; "
            "digest never overwrites files: move them away or pick another folder"
        )
    for path, content in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with path.open("xb") as stream:
                stream.write(content)
        except FileExistsError:
            raise ScaffoldError(f"{path} appeared while writing; it was left as it is") from None
    return tuple(files)


def _title_from(folder: Path) -> str:
    words = slugify(folder.resolve().name).replace("-", " ")
    return words.title() if words else "Digest"


def config_text(values: Mapping[str, Any]) -> str:
    """A `digest.toml` listing every setting with its meaning; `values` are set, the rest commented.

    `values` maps `table.key` to a value; each other setting appears as a commented line
    holding its default, ready to uncomment.
    """
    lines = [
        "# digest.toml: the settings of `digest build`, `digest preview` and `digest new`.",
        "# Every setting is listed with its default; remove the '# ' before a line to change it.",
        "# Paths are relative to this file. `digest check` tells you about any mistake.",
    ]
    table = ""
    for setting in SETTINGS:
        if setting.table != table:
            table = setting.table
            lines += ["", f"[{table}]"]
        meaning = setting.meaning.replace("`", "'")
        if setting.derived:
            meaning += f" (default: the {setting.derived})"
        lines.append(f"# {meaning}")
        if setting.name in values:
            lines.append(f"{setting.key} = {toml_value(values[setting.name])}")
            continue
        shown = setting.default if setting.example is None else setting.example
        if setting.key == WHOLE_TABLE:  # a line per example entry
            lines += [f"# {key} = {toml_value(value)}" for key, value in shown.items()]
            continue
        lines.append(f"# {setting.key} = {'' if shown is None else toml_value(shown)}".rstrip())
    return "\n".join(lines) + "\n"


def _yaml_line(key: str, value: str) -> str:
    """`key: value`, quoted only where YAML needs it (a colon, a leading quote, …)."""
    return str(yaml.safe_dump({key: value}, allow_unicode=True, width=1_000))


def article_id(published: datetime, slug: str) -> str:
    """A feed id that stays the article's own even if its file or slug changes later."""
    return f"{published.date().isoformat()}-{slug}"


def draft_text(*, title: str, section: str, published: datetime, slug: str) -> str:
    """A new article: a draft whose front matter is filled in and whose `id` is fixed."""
    front = (
        _yaml_line("title", title)
        + f"date: {published.isoformat(timespec='seconds')}\n"
        + _yaml_line("section", section)
        + _yaml_line("id", article_id(published, slug))
        + "draft: true  # delete this line to publish\n"
    )
    hints = "".join(f"# {key}: {FRONT_MATTER[key][0]}\n" for key in NEW_ARTICLE_HINTS)
    return f"---\n{front}{hints}---\n\n{NEW_ARTICLE_BODY}"


def init_newsroom(folder: Path, *, now: datetime, templates: bool = False) -> Created:
    """A new newsroom in `folder`: digest.toml, one example article and, maybe, templates."""
    values: dict[str, Any] = {
        "site.title": _title_from(folder),
        "site.base_url": Config.base_url,
        "site.timezone": Config.timezone,
        "build.articles": ARTICLES_FOLDER,
        "build.output": Config.output,
    }
    if templates:
        values["build.templates"] = TEMPLATES_FOLDER
    example = EXAMPLE_ARTICLE.format(
        date=now.isoformat(timespec="seconds"), id=article_id(now, EXAMPLE_SLUG)
    )
    files = {
        folder / CONFIG_NAME: config_text(values).encode("utf-8"),
        folder / ARTICLES_FOLDER / f"{EXAMPLE_SLUG}.md": example.encode("utf-8"),
    }
    if templates:
        for source in sorted(DEFAULT_TEMPLATES.rglob("*")):
            relative = source.relative_to(DEFAULT_TEMPLATES)
            if source.is_file() and not _is_packaging(relative):
                files[folder / TEMPLATES_FOLDER / relative] = source.read_bytes()
    return Created(folder, _create(files))


def _is_packaging(relative: Path) -> bool:
    return relative.name == "__init__.py" or any(
        part.startswith((".", "__pycache__")) for part in relative.parts
    )


def article_slug(headline: str, *, slug: str | None = None) -> str:
    """The slug for a new article: `slug` if given, else the headline's, cut at a word.

    It is also the file name, so it must be the slug a build derives from that name.
    """
    if slug is not None:
        if not SLUG.match(slug) or slugify(slug) != slug:
            suggestion = f", e.g. {slugify(slug)!r}" if SLUG.match(slugify(slug)) else ""
            raise ScaffoldError(
                f"--slug {slug!r} cannot be used: slugs are lower-case a-z, 0-9 and single "
                f"hyphens between them{suggestion}"
            )
        return slug
    slug = slugify(headline)
    while len(slug) > MAX_SLUG_LENGTH and "-" in slug:
        slug = slug.rsplit("-", 1)[0]
    if not SLUG.match(slug):
        raise ScaffoldError(
            f"cannot make a file name from {headline!r}: slugs are lower-case a-z, 0-9 and "
            "hyphens; pass one with --slug"
        )
    return slug


def check_free(folder: Path, *, slug: str, published: datetime, config: Config) -> None:
    """Refuse a slug, or the id it gives, that an article under `folder` already has.

    Slugs and ids are those a build gives the files (see `articles.claimed_names`), drafts
    included, not file names: `tram_plan.md` has the slug `tram-plan`.
    """
    if not folder.is_dir():
        return
    reading = replace(config, articles=folder)
    articles = MarkdownFolder(folder)
    claims = claimed_names(articles, config=reading, cache=load_cache(reading).articles)
    new_id = article_id(published, slug)
    for path, taken_slug, taken_id in claims:
        if slug == taken_slug or new_id == taken_id:
            kind, value = ("slug", slug) if slug == taken_slug else ("id", new_id)
            free = _free_slug(folder, slug, published, claims)
            raise ScaffoldError(
                f"{path} already has the {kind} '{value}'; pick another headline or --slug "
                f"(e.g. --slug {free})"
            )


def _free_slug(
    folder: Path, slug: str, published: datetime, claims: list[tuple[Path | str, str, str | None]]
) -> str:
    """`slug-2`, `slug-3`, …: the first that no file under `folder` has or would have."""
    slugs = {taken_slug for _, taken_slug, _ in claims}
    ids = {taken_id for _, _, taken_id in claims}
    for number in itertools.count(2):
        candidate = f"{slug}-{number}"
        taken = candidate in slugs or article_id(published, candidate) in ids
        if not taken and not (folder / f"{candidate}.md").exists():
            return candidate
    raise AssertionError("unreachable")  # pragma: no cover


def new_article(
    folder: Path,
    headline: str,
    *,
    section: str,
    now: datetime,
    config: Config,
    slug: str | None = None,
) -> Path:
    """Write `folder/<slug>.md`, a draft dated `now` in the site timezone; return its path."""
    headline = headline.strip()
    if not headline:
        raise ScaffoldError('the headline is empty; write it in quotes, e.g. "Bridge reopens"')
    if not slugify(section):
        raise ScaffoldError(f"the section {section!r} has no letters or digits")
    slug = article_slug(headline, slug=slug)
    published = now.astimezone(config.zone)
    check_free(folder, slug=slug, published=published, config=config)
    text = draft_text(title=headline, section=section.strip(), published=published, slug=slug)
    path = folder / f"{slug}.md"
    _create({path: text.encode("utf-8")})
    return path
