"""The Jinja environment: the user's template folder first, then ours."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import jinja2

DEFAULT_TEMPLATES = next(
    folder
    for folder in (
        Path(__file__).with_name("templates"),  # installed wheel
        Path(__file__).parent.parent / "templates",  # source checkout
    )
    if folder.is_dir()
)


def _date(moment: datetime, style: str = "%-d %B %Y") -> str:
    return moment.strftime(style)


FILTERS = {"date": _date}


def environment(user_folder: Path | None = None) -> jinja2.Environment:
    """A strict, autoescaping environment; a user's folder overrides any template by name."""
    folders = [str(user_folder)] if user_folder else []
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([*folders, str(DEFAULT_TEMPLATES)]),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(("html", "xml", "htm")),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env
