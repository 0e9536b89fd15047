"""The email digest: Jinja render → premailer inline → HTML under budget, text twin, MIME.

`render_digest` renders `digest.html` (CSS inlined, trimmed to `digest.max_html_bytes`),
`digest.txt`, `digest.eml`, and the issue's web copy with the archive index. The HTML is
never cut: when it is over budget, whole parts are left out in a fixed order — images,
then standfirsts, then each section's overflow becomes an "N more in SECTION" link to
the web copy — and a warning says what was left out.

Templates (any of them can be overridden by name from `build.templates`) see: `config`,
`direction` ('ltr' or 'rtl'), `issue` (IssueRecord; `issue.number` is None until issues
are numbered), `subject`,
`date_text`, `count`, `sections` (SectionPart: `.section`, `.stories` shown, `.more`),
`top_story`, `preheader`, `web` (true in the web copy), `web_url`, `index_url`, `reason`,
`show_images`, `show_standfirsts`, `image_width`, `image_height`, and the helpers
`track(url)` (adds the UTM parameters; identity in the web copy),
`byline(authors)`, `credit(text)` and `wrap(text, indent, subsequent)`.
"""

from __future__ import annotations

import functools
import logging
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import jinja2

from .archive import DATE_STYLE, INDEX_PATH, archive_entries, index_url, issue_path, issue_url
from .config import Config
from .mime import build_message, subject_line
from .models import IssueRecord, LeadQuote, Section, Story
from .templates import render_template

IMAGE_WIDTH = 552
"""Images fill the 600 px sheet inside its 24 px margins."""
IMAGE_HEIGHT = 368
"""News photos are 3:2; clients that honour CSS keep each image's own ratio (height: auto)."""
TEXT_WIDTH = 72
DEFAULT_REASON = "You are receiving this email because you subscribed to the digest from"
RIGHT_TO_LEFT = frozenset({"ar", "arc", "ckb", "dv", "fa", "he", "ps", "sd", "ug", "ur", "yi"})
CREDIT_WORDS = ("photo", "image", "picture", "illustration", "graphic", "©")


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
    """Inline the CSS with premailer, offline and quietly; keep media queries and !important.

    Style blocks marked ``data-premailer="ignore"`` are kept as written. Width and height
    stay as the template sets them (premailer would otherwise turn ``height: auto`` into an
    attribute Outlook cannot use).
    """
    from premailer import Premailer  # imported here: it costs a fifth of a second to load

    return str(
        Premailer(
            html,
            base_url=base_url,
            allow_network=False,
            strip_important=False,
            keep_style_tags=False,
            preserve_internal_links=True,
            disable_basic_attributes=["width", "height"],
            disable_validation=True,
            cssutils_logging_level=logging.CRITICAL,
        ).transform(pretty_print=False)
    )


@dataclass(frozen=True)
class SectionPart:
    """A section as one rendering shows it: the stories shown, the rest folded away."""

    section: Section
    stories: tuple[Story, ...]

    @property
    def more(self) -> int:
        """How many of the section's stories are only in the web copy."""
        return len(self.section.stories) - len(self.stories)


@dataclass(frozen=True)
class Trim:
    """What the email leaves out to stay under its size budget."""

    images: bool = True
    standfirsts: bool = True
    per_section: int | None = None  # stories shown per section; None shows them all

    def parts(self, sections: Sequence[Section]) -> tuple[SectionPart, ...]:
        """Each section with the stories this trim shows."""
        return tuple(
            SectionPart(section, section.stories[: self.per_section]) for section in sections
        )


@dataclass(frozen=True)
class RenderedDigest:
    """The digest's files and what the reader should know about them (warnings)."""

    files: dict[str, bytes]
    warnings: tuple[str, ...]


def render_digest(
    sections: Sequence[Section],
    *,
    config: Config,
    env: jinja2.Environment,
    issue: IssueRecord,
    archive: Sequence[IssueRecord],
) -> RenderedDigest:
    """digest.html, digest.txt, digest.eml, archive/<date>.html and archive/index.html.

    `issue` is this digest; `archive` the issues before it, in any order. Only this issue's
    web copy is returned: earlier ones are on disk already.
    """
    stories = [story for section in sections for story in section.stories]
    if not stories:
        raise ValueError("render_digest needs at least one story")
    subject = subject_line(config, sections, issue)
    utm = {key: value.format(date=issue.date) for key, value in config.utm.items()}
    context: dict[str, Any] = {
        "config": config,
        "direction": text_direction(config.language),
        "issue": issue,
        "subject": subject,
        "date_text": issue.sent_at.astimezone(config.zone).strftime(DATE_STYLE),
        "count": len(stories),
        "top_story": stories[0],
        "preheader": stories[0].standfirst or _quote_text(stories[0].lead_quote),
        "web": False,
        "web_url": issue_url(config, issue.date),
        "index_url": index_url(config),
        "reason": config.reason or f"{DEFAULT_REASON} {config.title}.",
        "image_width": IMAGE_WIDTH,
        "image_height": IMAGE_HEIGHT,
        "track": lambda url: with_utm(url, utm),
        "byline": byline,
        "credit": credit_line,
        "wrap": wrap,
    }

    @functools.cache
    def page(trim: Trim) -> str:
        return render_template(
            env,
            "digest.html",
            context,
            sections=trim.parts(sections),
            show_images=trim.images,
            show_standfirsts=trim.standfirsts,
        )

    @functools.cache
    def email_html(trim: Trim) -> str:
        return inline_css(page(trim), base_url=config.base_url).rstrip("\n") + "\n"

    def estimate(trim: Trim) -> float:
        """Inlining grows a page by about the same factor whatever it shows."""
        growth = _size(email_html(Trim())) / _size(page(Trim()))
        return _size(page(trim)) * growth

    html, trim, warnings = fit_budget(
        email_html, sections, budget=config.max_html_bytes, estimate=estimate
    )
    text = render_template(env, "digest.txt", context, sections=trim.parts(sections))
    web_copy = render_template(
        env,
        "archive.html",
        context,
        web=True,
        track=lambda url: url,
        sections=Trim().parts(sections),
        show_images=True,
        show_standfirsts=True,
    )
    index = render_template(
        env,
        "archive_index.html",
        config=config,
        index_url=index_url(config),
        direction=text_direction(config.language),
        issues=archive_entries(replace(issue, subject=subject), archive, config=config),
    )
    eml = build_message(text=text, html=html, subject=subject, config=config, issue=issue)
    files = {
        "digest.html": html.encode("utf-8"),
        "digest.txt": text.encode("utf-8"),
        "digest.eml": eml,
        issue_path(issue.date): web_copy.encode("utf-8"),
        INDEX_PATH: index.encode("utf-8"),
    }
    return RenderedDigest(files, tuple(warnings))


def fit_budget(
    render: Callable[[Trim], str],
    sections: Sequence[Section],
    *,
    budget: int,
    estimate: Callable[[Trim], float] | None = None,
) -> tuple[str, Trim, list[str]]:
    """Render with the least trimming that fits `budget` bytes; warn with the numbers.

    Images go first, then standfirsts; then every section shows its first N stories, N as
    large as fits. Sizes only shrink along that list, so a binary search over it finds the
    first that fits by `estimate` (a cheap guess of the rendered size; default: render);
    the choice is then confirmed by rendering, stepping on while it is still too big.
    """
    html = render(Trim())
    full_size = _size(html)
    if full_size <= budget:
        return html, Trim(), []
    guess = estimate or (lambda trim: _size(render(trim)))
    longest = max(len(section.stories) for section in sections)
    bare = Trim(images=False, standfirsts=False)
    candidates = [Trim(images=False), bare]
    candidates += [replace(bare, per_section=count) for count in range(longest - 1, 0, -1)]
    low, high = 0, len(candidates) - 1
    while low < high:
        middle = (low + high) // 2
        if guess(candidates[middle]) <= budget:
            high = middle
        else:
            low = middle + 1
    for trim in candidates[low:]:
        html = render(trim)
        if _size(html) <= budget:
            return html, trim, [_trim_warning(full_size, _size(html), trim, sections, budget)]
    trim = candidates[-1]
    warnings = [_trim_warning(full_size, _size(html), trim, sections, budget)]
    warnings.append(
        f"digest.html is still {_size(html):,} bytes with one story per section, over the "
        f"{budget:,}-byte budget; Gmail clips messages over about 102 KB"
    )
    return html, trim, warnings


def _size(html: str) -> int:
    return len(html.encode("utf-8"))


def _trim_warning(
    full_size: int, size: int, trim: Trim, sections: Sequence[Section], budget: int
) -> str:
    """What a trim left out, in numbers."""
    shown = [story for part in trim.parts(sections) for story in part.stories]
    total = sum(len(section.stories) for section in sections)
    left_out = []
    images = sum(1 for story in shown if story.article.image)
    if not trim.images and images:
        left_out.append(f"no images ({images} left out)")
    standfirsts = sum(1 for story in shown if not story.lead_quote and story.standfirst)
    if not trim.standfirsts and standfirsts:
        left_out.append(f"no standfirsts ({standfirsts} left out)")
    if trim.per_section is not None:
        left_out.append(
            f"{trim.per_section} {_plural(trim.per_section, 'story')} per section, "
            f"{total - len(shown)} of {total} stories linked as 'N more in SECTION' "
            "to the web copy"
        )
    return (
        f"digest.html would be {full_size:,} bytes, over the {budget:,}-byte budget "
        f"(digest.max_html_bytes); trimmed to {size:,} bytes: " + ", ".join(left_out)
    )


def _plural(count: int, word: str) -> str:
    if count == 1:
        return word
    return word[:-1] + "ies" if word.endswith("y") else word + "s"


def _quote_text(quote: LeadQuote | None) -> str:
    return quote.text if quote else ""


def text_direction(language: str) -> str:
    """'rtl' for Arabic, Hebrew, Persian, Urdu…, else 'ltr' (from the primary language tag)."""
    primary = language.split("-")[0].split("_")[0].casefold()
    return "rtl" if primary in RIGHT_TO_LEFT else "ltr"


def byline(authors: Sequence[str]) -> str:
    """The byline: 'By Jane Doe', 'By Jane Doe and Omar Haddad'; '' with no author."""
    if not authors:
        return ""
    names = ", ".join(authors[:-1]) + " and " + authors[-1] if len(authors) > 1 else authors[0]
    return f"By {names}"


def credit_line(credit: str) -> str:
    """'Photo: Karel Stein, Agency', unless the credit already says what it is."""
    return credit if credit.casefold().startswith(CREDIT_WORDS) else f"Photo: {credit}"


def wrap(text: str, indent: str = "", subsequent: str | None = None) -> str:
    """Wrap plain text at 72 columns; never break a word or a URL."""
    return textwrap.fill(
        " ".join(text.split()),
        width=TEXT_WIDTH,
        initial_indent=indent,
        subsequent_indent=indent if subsequent is None else subsequent,
        break_long_words=False,
        break_on_hyphens=False,
    )
