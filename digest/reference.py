"""How settings and front-matter fields are shown to a reader, in the README and `digest init`.

Settings are declared, with their meanings, in `config.Config` (see `config.SETTINGS`); this
module spells their defaults as TOML. Front-matter keys come from `articles.KNOWN_KEYS`; this
module adds their words, and `tests/test_docs.py` fails when a key has none.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from digest.config import Setting
from digest.sources.articles import KNOWN_KEYS, REQUIRED_KEYS

FRONT_MATTER: dict[str, tuple[str, str]] = {
    "title": ("Headline of the story", ""),
    "date": (
        "2026-11-26T09:30:00+03:00",
        "RFC 3339, a date (or 'April 28, 2026'), or naive (site timezone)",
    ),
    "section": (
        "World",
        'free text, e.g. "Media & Culture"; else `categories`, the folder, `default_section`',
    ),
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


def default_text(setting: Setting) -> str:
    """A setting's default as a reader sees it: a TOML value, or words when it is unset or
    worked out from another setting."""
    if setting.derived:
        return setting.derived
    return "unset" if setting.default is None else toml_value(setting.default)


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
    if isinstance(value, float):  # 30.0 → "30": a whole number of seconds reads as one
        return str(int(value)) if value.is_integer() else repr(value)
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
