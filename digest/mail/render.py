"""The email digest: Jinja render → premailer inline → HTML under budget, text twin, MIME.

`render_digest` renders `digest.html` (CSS inlined, trimmed to `digest.max_html_bytes`),
`digest.txt`, `digest.eml`, and the issue's web copy with the archive index. The HTML is
never cut: when it is over budget, whole parts are left out in a fixed order — images,
then standfirsts, then each section's overflow becomes an "N more in SECTION" link to
the web copy — and a warning says what was left out. Inlining is costly, so only pages
that may fit are inlined; the warning then gives the full page's size as an estimate.

Templates (any of them can be overridden by name from `build.templates`) see: `config`,
`direction` ('ltr' or 'rtl'), `issue` (IssueRecord; `issue.number` is None until issues
are numbered), `subject`,
`date_text`, `count`, `sections` (SectionPart: `.section`, `.stories` shown, `.more`),
`top_story`, `preheader`, `web` (true in the web copy), `web_url`, `index_url`, `reason`,
`show_images`, `show_standfirsts`, `image_width`, `image_height`, and the helpers
`track(url)` (adds the UTM parameters; identity in the web copy),
`byline(authors)`, `credit(text)`, `standfirst(story)` (the one sentence shown under the
headline, above the quote) and `wrap(text, indent, subsequent)`.
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

from digest.config import Config
from digest.incremental.fingerprints import digest
from digest.incremental.memo import NO_MEMO, Memo
from digest.mail.archive import (
    DATE_STYLE,
    INDEX_PATH,
    archive_entries,
    index_url,
    issue_path,
    issue_url,
)
from digest.mail.mime import build_message, subject_line
from digest.mail.sentences import standfirst_line
from digest.models import IssueRecord, LeadQuote, Section, Story, author_parts
from digest.templates import render_template
from digest.terminal import plural

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


PRESENTATIONAL_ATTRIBUTES = {
    "align": frozenset(
        {"caption", "col", "div", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "img", "p"}
        | {"table", "tbody", "td", "tfoot", "th", "thead", "tr"}
    ),
    "bgcolor": frozenset({"body", "table", "td", "th", "tr"}),
    "valign": frozenset({"col", "tbody", "td", "tfoot", "th", "thead", "tr"}),
}
"""The old presentational attributes premailer mirrors from CSS, and the elements HTML knows
them on (obsolete there, but what Outlook reads); on any other element they are invalid."""


def inline_css(html: str, *, base_url: str) -> str:
    """Inline the CSS with premailer, offline and quietly; keep media queries and !important.

    Style blocks marked ``data-premailer="ignore"`` are kept as written. Width and height
    stay as the template sets them (premailer would otherwise turn ``height: auto`` into an
    attribute Outlook cannot use). `text-align`, `vertical-align` and `background-color` are
    mirrored as `align`, `valign` and `bgcolor` only where HTML has those attributes
    (`PRESENTATIONAL_ATTRIBUTES`): a table cell keeps its colour in Outlook, an image gets
    no `bgcolor`.
    """
    return str(
        _premailer()(
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


@functools.cache
def _premailer() -> type:
    """Premailer, mirroring CSS as HTML attributes only onto elements that have them.

    Imported on first use: premailer costs a fifth of a second to load.
    """
    from premailer import Premailer

    class ValidPremailer(Premailer):  # type: ignore[misc]
        def _style_to_basic_html_attributes(
            self, element: Any, style_content: str, force: bool = False
        ) -> None:
            before = set(element.attrib)
            super()._style_to_basic_html_attributes(element, style_content, force)
            for name in set(element.attrib) - before:
                if element.tag not in PRESENTATIONAL_ATTRIBUTES.get(name, frozenset()):
                    del element.attrib[name]

    return ValidPremailer


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
    inlined: Memo = NO_MEMO,
) -> RenderedDigest:
    """digest.html, digest.txt, digest.eml, archive/<date>.html and archive/index.html.

    `issue` is this digest; `archive` the issues before it, in any order. Only this issue's
    web copy is returned: earlier ones are on disk already. Each page is inlined once for
    the `inlined` memo (its key: the page and the base URL).
    """
    context = digest_context(sections, config=config, issue=issue)
    subject, text, html, warnings = email_parts(
        sections, config=config, env=env, context=context, inlined=inlined
    )
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


def email_parts(
    sections: Sequence[Section],
    *,
    config: Config,
    env: jinja2.Environment,
    context: Mapping[str, Any],
    inlined: Memo = NO_MEMO,
) -> tuple[str, str, str, list[str]]:
    """The email's subject, plain text and HTML (inlined, within budget), and the warnings
    of its trimming; `context` is `digest_context`'s for these sections."""
    pages = EmailPages(
        sections, env=env, context=context, base_url=config.base_url, inlined=inlined
    )
    html, trim, warnings = fit_budget(
        pages.inlined,
        sections,
        budget=config.max_html_bytes,
        template_size=pages.template_size,
    )
    text = render_template(env, "digest.txt", context, sections=trim.parts(sections))
    return str(context["subject"]), text, html, warnings


def digest_context(
    sections: Sequence[Section], *, config: Config, issue: IssueRecord
) -> dict[str, Any]:
    """What the digest's templates see (module docstring), for the email's page."""
    stories = [story for section in sections for story in section.stories]
    if not stories:
        raise ValueError("render_digest needs at least one story")
    utm = {key: value.format(date=issue.date) for key, value in config.utm.items()}
    return {
        "config": config,
        "direction": text_direction(config.language),
        "issue": issue,
        "subject": subject_line(config, sections, issue),
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
        # A link is tracked once however many pages the budget's search renders.
        "track": functools.cache(lambda url: with_utm(url, utm)),
        "byline": byline,
        "credit": credit_line,
        "standfirst": standfirst_line,
        "wrap": wrap,
    }


class EmailPages:
    """The email's page for any trim: as the template writes it, and with its CSS inlined."""

    def __init__(
        self,
        sections: Sequence[Section],
        *,
        env: jinja2.Environment,
        context: Mapping[str, Any],
        base_url: str,
        inlined: Memo = NO_MEMO,
    ) -> None:
        self._sections = sections
        self._env = env
        self._context = context
        self._base_url = base_url
        self._templated: dict[Trim, str] = {}
        self._inlined = inlined

    def templated(self, trim: Trim) -> str:
        """The page before inlining (cheap; kept, as the budget's search asks again)."""
        if trim not in self._templated:
            self._templated[trim] = render_template(
                self._env,
                "digest.html",
                self._context,
                sections=trim.parts(self._sections),
                show_images=trim.images,
                show_standfirsts=trim.standfirsts,
            )
        return self._templated[trim]

    def template_size(self, trim: Trim) -> int:
        """Bytes of the page before inlining."""
        return _size(self.templated(trim))

    def inlined(self, trim: Trim) -> str:
        """The page with its CSS inlined by premailer (the costly step)."""
        page = self.templated(trim)
        key = digest(f"{self._base_url}\n{page}".encode())
        html: str | None = self._inlined.get(key)
        if html is None:
            html = inline_css(page, base_url=self._base_url).rstrip("\n") + "\n"
            self._inlined.put(key, html)
        return html


ROUGH_MARGIN = 0.25
"""How far over the budget a page's estimate must be to take the page as too big unrendered,
when the estimate comes from pages unlike it (say, with images for one without): such a page
may still fit, and one that fits must never be trimmed."""
CLOSE_MARGIN = 0.05
"""The same, when two measured pages like it (showing the same parts) draw its estimate."""
LINE_SPREAD = 0.05
"""Two measured pages draw a line only when their template sizes differ by this much."""


def trim_candidates(sections: Sequence[Section]) -> list[Trim]:
    """Every trim in the order the budget tries them: each shows less than the one before.

    Nothing left out, then no images, then no standfirsts either, then every section shows
    its first N stories, N from one less than the longest section down to one.
    """
    longest = max(len(section.stories) for section in sections)
    bare = Trim(images=False, standfirsts=False)
    return [
        Trim(),
        Trim(images=False),
        bare,
        *(replace(bare, per_section=count) for count in range(longest - 1, 0, -1)),
    ]


def fit_budget(
    render: Callable[[Trim], str],
    sections: Sequence[Section],
    *,
    budget: int,
    template_size: Callable[[Trim], int] | None = None,
) -> tuple[str, Trim, list[str]]:
    """Render with the least trimming that fits `budget` bytes; warn with the numbers.

    Sizes only shrink along `trim_candidates`, so the first that fits is searched for.
    `render` (premailer) is the costly step: with `template_size` (the page's size before
    inlining, cheap) the search estimates each candidate's rendered size from the pages
    rendered so far and renders only the likely answer and what the estimates cannot
    settle, so a page far over budget is never rendered. Without it, every size is real.
    """
    candidates = trim_candidates(sections)
    sizes = _Sizes(render, candidates, template_size)
    if template_size is None or template_size(candidates[0]) <= budget:
        sizes.render(0)  # it likely fits; if not, it is the first page measured
    else:
        sizes.render(len(candidates) - 1)  # the cheapest page to learn the growth from
        if not sizes.clearly_over(0, budget):
            sizes.render(0)
    if 0 in sizes.html and sizes.fits(0, budget):
        return sizes.html[0], candidates[0], []
    over, fits = 0, len(candidates)  # candidates[over] is too big; candidates[fits] fits
    for index in sizes.html:
        if sizes.fits(index, budget):
            fits = min(fits, index)
        else:
            over = max(over, index)
    while fits - over > 1:
        probe = sizes.first_under(budget, low=over + 1, high=fits - 1)
        if sizes.fits(probe, budget):
            fits = probe
        else:
            over = probe
        if fits - 1 > over and sizes.clearly_over(fits - 1, budget):
            over = fits - 1
    full = sizes.html.get(0)
    full_size = (
        f"{_size(full):,}" if full is not None else f"about {_round(sizes.estimate(0)[0]):,}"
    )
    if fits < len(candidates):
        trim, html = candidates[fits], sizes.html[fits]
        return html, trim, [_trim_warning(full_size, html, trim, sections, budget)]
    trim = candidates[-1]
    html = sizes.html[len(candidates) - 1]
    warnings = [_trim_warning(full_size, html, trim, sections, budget)]
    warnings.append(
        f"digest.html is still {_size(html):,} bytes with one story per section, over the "
        f"{budget:,}-byte budget; Gmail clips messages over about 102 KB"
    )
    return html, trim, warnings


class _Sizes:
    """Rendered sizes of the budget's candidates: measured when rendered, else estimated.

    Inlining adds about the same bytes per template byte to pages showing the same parts,
    give or take a fixed amount (the style block goes, inline styles come): a page's estimate
    is the line through the two measured pages like it nearest in template size; failing
    that, through any two, or the nearest one scaled.
    """

    def __init__(
        self,
        render: Callable[[Trim], str],
        candidates: Sequence[Trim],
        template_size: Callable[[Trim], int] | None,
    ) -> None:
        self._render = render
        self._candidates = candidates
        self._template_size = template_size
        self.html: dict[int, str] = {}

    def render(self, index: int) -> int:
        """Render a candidate for real and return its size."""
        if index not in self.html:
            self.html[index] = self._render(self._candidates[index])
        return _size(self.html[index])

    def estimate(self, index: int) -> tuple[float, float]:
        """The candidate's rendered size, and by what fraction that may be too large.

        Measured when rendered, or when there is no template size to estimate from.
        """
        if index in self.html or self._template_size is None:
            return self.render(index), 0.0
        trim = self._candidates[index]
        size = self._template_size(trim)
        measured = [
            (self._template_size(self._candidates[i]), _size(html), self._candidates[i])
            for i, html in self.html.items()
        ]
        alike = [
            (template, rendered) for template, rendered, other in measured if _alike(other, trim)
        ]
        close = _line(size, alike)
        if close is not None:
            return close, CLOSE_MARGIN
        pairs = [(template, rendered) for template, rendered, _ in measured]
        rough = _line(size, pairs)
        if rough is None:
            template, rendered = min(pairs, key=lambda pair: abs(pair[0] - size))
            rough = rendered * size / template
        return rough, ROUGH_MARGIN

    def fits(self, index: int, budget: int) -> bool:
        """Whether the candidate really fits (rendering it if need be)."""
        return self.render(index) <= budget

    def clearly_over(self, index: int, budget: int) -> bool:
        """Too big for certain, or by an estimate with its margin to spare."""
        size, margin = self.estimate(index)
        return size > budget * (1 + margin)

    def first_under(self, budget: int, *, low: int, high: int) -> int:
        """The first candidate in low..high estimated to fit (`high` if none is).

        Estimates shrink along the candidates; the search gallops from the small end, so the
        templates it renders are at most about twice the size of the answer's.
        """
        step, upper = 1, high
        while upper - step >= low and self.estimate(upper - step)[0] <= budget:
            upper, step = upper - step, step * 2
        lower = max(low, upper - step)  # estimated over (or `low`); `upper` fits or is `high`
        while lower < upper:
            middle = (lower + upper) // 2
            if self.estimate(middle)[0] <= budget:
                upper = middle
            else:
                lower = middle + 1
        return upper


def _alike(one: Trim, other: Trim) -> bool:
    """Whether two trims show the same parts of a story (so inlining grows them alike)."""
    return (one.images, one.standfirsts) == (other.images, other.standfirsts)


def _line(size: int, measured: Sequence[tuple[int, int]]) -> float | None:
    """The rendered size of a page of template `size`, on a line through measured pages.

    The line runs through the two (template, rendered) sizes nearest `size`; None without
    two far enough apart on a rising line.
    """
    nearest = sorted(measured, key=lambda pair: abs(pair[0] - size))[:2]
    if len(nearest) < 2:
        return None
    (template, rendered), (other_template, other_rendered) = nearest
    if abs(template - other_template) < LINE_SPREAD * max(template, other_template):
        return None
    slope = (other_rendered - rendered) / (other_template - template)
    return rendered + slope * (size - template) if slope > 0 else None


def _round(size: float) -> int:
    """A size to two significant figures, for an estimate: 2,764,101 → 2,800,000."""
    digits = len(str(int(size)))
    return int(round(size, 2 - digits))


def _size(html: str) -> int:
    return len(html.encode("utf-8"))


def _trim_warning(
    full_size: str, html: str, trim: Trim, sections: Sequence[Section], budget: int
) -> str:
    """What a trim left out, in numbers."""
    shown = [story for part in trim.parts(sections) for story in part.stories]
    total = sum(len(section.stories) for section in sections)
    left_out = []
    images = sum(1 for story in shown if story.article.image)
    if not trim.images and images:
        left_out.append(f"no images ({images} left out)")
    standfirsts = sum(1 for story in shown if standfirst_line(story))
    if not trim.standfirsts and standfirsts:
        left_out.append(f"no standfirsts ({standfirsts} left out)")
    if trim.per_section is not None:
        left_out.append(
            f"{plural(trim.per_section, 'story')} per section, "
            f"{total - len(shown)} of {total} stories linked as 'N more in SECTION' "
            "to the web copy"
        )
    return (
        f"digest.html would be {full_size} bytes, over the {budget:,}-byte budget "
        f"(digest.max_html_bytes); trimmed to {_size(html):,} bytes: " + ", ".join(left_out)
    )


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
    authors = [author_parts(author)[0] for author in authors]  # never an address
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
