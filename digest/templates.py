"""The Jinja environment: the user's template folder first, then ours."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2

from digest.config import DEFAULT_TEMPLATES
from digest.errors import RenderError
from digest.incremental.fingerprints import files_digest


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


def templates_fingerprint(env: jinja2.Environment) -> Any:
    """The environment's templates as compared between builds: its folders and a digest of
    their files; without folders, the environment itself (no faithful repr: never equal)."""
    folders = [Path(folder) for folder in getattr(env.loader, "searchpath", ())]
    if not folders:
        return env
    return ("templates", [str(folder) for folder in folders], files_digest(folders))


TEMPLATE_SUFFIXES = (".html", ".txt", ".xml", ".xsl")


@contextmanager
def template_errors(name: str = "") -> Iterator[None]:
    """Turn a template mistake into a RenderError naming `template:line`."""
    try:
        yield
    except jinja2.TemplateError as error:
        raise RenderError(describe_template_error(error, name)) from error


def describe_template_error(error: jinja2.TemplateError, name: str = "") -> str:
    """A template mistake as `file:line: message; fix the template` (`name`: the template
    being rendered, when the error does not say where it is)."""
    path, line = template_position(error, name)
    where = f"{path}:{line}" if line else path or "template error"
    message = error.message if isinstance(error, jinja2.TemplateSyntaxError) else str(error)
    return f"{where}: {message}; fix the template"


def template_position(error: jinja2.TemplateError, name: str = "") -> tuple[str, int]:
    """The template file and 1-based line of a mistake; line 0 when it is not known.

    A syntax error says where it is; for one raised while rendering, that is the innermost
    template frame of its traceback (Jinja maps those to template lines).
    """
    if isinstance(error, jinja2.TemplateSyntaxError):
        return error.filename or error.name or name, error.lineno
    where = (name, 0)
    trace = error.__traceback__
    while trace is not None:
        filename = trace.tb_frame.f_code.co_filename
        if filename.endswith(TEMPLATE_SUFFIXES):
            where = (filename, trace.tb_lineno)
        trace = trace.tb_next
    return where


def render_template(
    env: jinja2.Environment, name: str, *contexts: Mapping[str, Any], **values: Any
) -> str:
    """Render `name`; a template mistake becomes a RenderError naming file:line."""
    with template_errors(name):
        return env.get_template(name).render(*contexts, **values)
