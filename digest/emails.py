"""The email digest: Jinja render → premailer inline → HTML, plus the plain-text twin."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import jinja2
from premailer import Premailer

from .config import Config
from .models import Section


def with_utm(url: str, params: Mapping[str, str]) -> str:
    """Add tracking parameters to an http(s) URL, keeping its own query and fragment."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not params:
        return url
    query = parse_qsl(parts.query, keep_blank_values=True)
    present = {key for key, _ in query}
    query += [(key, value) for key, value in params.items() if key not in present]
    return urlunsplit(parts._replace(query=urlencode(query)))


def inline_css(html: str, *, base_url: str) -> str:
    """Inline the CSS with premailer, offline, keeping media queries and !important."""
    return str(
        Premailer(
            html,
            base_url=base_url,
            allow_network=False,
            strip_important=False,
            keep_style_tags=True,
            disable_validation=True,
            cssutils_logging_level=logging.CRITICAL,
        ).transform()
    )


def render_digest(
    sections: Sequence[Section],
    *,
    config: Config,
    env: jinja2.Environment,
    now: datetime,
    since: datetime,
) -> dict[str, bytes]:
    """digest.html (CSS inlined) and digest.txt for the stories in `sections`."""
    local_now = now.astimezone(config.zone)
    utm = {key: value.format(date=local_now.strftime("%Y-%m-%d")) for key, value in config.utm.items()}
    context = {
        "config": config,
        "now": local_now,
        "since": since.astimezone(config.zone),
        "sections": sections,
        "count": sum(len(section.stories) for section in sections),
        "track": lambda url: with_utm(url, utm),
    }
    html = inline_css(env.get_template("digest.html").render(context), base_url=config.base_url)
    text = env.get_template("digest.txt").render(context)
    return {"digest.html": html.encode("utf-8"), "digest.txt": text.encode("utf-8")}
