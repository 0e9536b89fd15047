"""`[[sources]]` in digest.toml: each table a folder or a feed, its keys declared once.

A `SourceSpec`'s fields are declared with `setting(...)` like `Config`'s, so reading,
checking and the README's reference derive from them (see `SOURCE_SETTINGS`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from digest.config import (
    _path,
    _section_name,
    _text,
    _url,
    _window,
    declared_settings,
    setting,
)


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

    @property
    def label(self) -> str:
        """How messages name the source."""
        return self.name or self.feed or str(self.folder)


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


def with_folder(spec: SourceSpec, folder: Path) -> SourceSpec:
    """`spec` reading `folder` instead."""
    return replace(spec, folder=folder)


assert [f.name for f in fields(SourceSpec)] == [s.attribute for s in SOURCE_SETTINGS]
