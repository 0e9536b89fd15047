"""The email digest: templates, layout, inlining, links, the size budget and the text twin.

The helpers at the top build stories in memory; test_emails_mime.py, test_emails_archive.py
and test_browser.py use them too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jinja2
import pytest
from click.testing import CliRunner
from lxml import html as lxml_html

import digest.mail.render
from digest.cli import cli
from digest.config import DEFAULT_TEMPLATES, Config, parse_config
from digest.errors import ConfigError, RenderError
from digest.mail.render import (
    ROUGH_MARGIN,
    EmailPages,
    RenderedDigest,
    Trim,
    digest_context,
    fit_budget,
    inline_css,
    render_digest,
    trim_candidates,
    with_utm,
    wrap,
)
from digest.models import (
    Article,
    BuildResult,
    Image,
    IssueRecord,
    LeadQuote,
    RelatedLink,
    Section,
    Story,
)
from digest.sources.base import Location
from digest.templates import environment
from tests.conftest import NOW, NOW_TEXT, ArticleWriter

BASE = "https://news.example.org/"


def story(
    slug: str,
    *,
    title: str | None = None,
    section: str = "World",
    quote: LeadQuote | None = None,
    standfirst: str = "A standfirst that says what happened.",
    image: bool = False,
    related: Sequence[RelatedLink] = (),
    authors: tuple[str, ...] = ("Jane Doe",),
) -> Story:
    """A Story as stories.py would prepare it."""
    section_slug = section.lower().replace(" ", "-")
    article = Article(
        location=Location(Path(f"{slug}.md"), 5),
        slug=slug,
        id=slug,
        title=title or f"Headline of {slug}",
        published=NOW - timedelta(hours=1),
        updated=NOW - timedelta(hours=1),
        section=section,
        section_slug=section_slug,
        url=f"{BASE}{section_slug}/{slug}/",
        body="Body.",
        authors=authors,
        image=Image(f"{BASE}images/{slug}.jpg", f"Photo of {slug}", "Ann Lens, Agency")
        if image
        else None,
    )
    return Story(article, "<p>Body.</p>", standfirst, quote, tuple(related))


def section(name: str, *stories: Story) -> Section:
    return Section(name, name.lower().replace(" ", "-"), tuple(stories))


def issue(number: int | None = None, date: str = "2026-11-27") -> IssueRecord:
    return IssueRecord(number, date, NOW, NOW - timedelta(days=7), ("a",))


def config(**changes: object) -> Config:
    values: dict[str, object] = {
        "title": "Test Times",
        "tagline": "Tests • Daily",
        "base_url": BASE,
        "unsubscribe_url": "https://news.example.org/unsubscribe?list=daily",
        "postal_address": "1 Test Street, Testville",
        **changes,
    }
    return Config(**values)  # type: ignore[arg-type]


def render(
    sections: Sequence[Section],
    *,
    cfg: Config | None = None,
    env: jinja2.Environment | None = None,
    this_issue: IssueRecord | None = None,
    archive: Sequence[IssueRecord] = (),
) -> RenderedDigest:
    cfg = cfg or config()
    return render_digest(
        sections,
        config=cfg,
        env=env or environment(cfg.templates),
        issue=this_issue or issue(),
        archive=archive,
    )


def tree(html: bytes) -> lxml_html.HtmlElement:
    return lxml_html.document_fromstring(html)


def text_of(element: lxml_html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def demo_sections() -> tuple[Section, ...]:
    """Two sections: a quoted story with an image and related links, and plain ones."""
    quoted = story(
        "quoted",
        quote=LeadQuote("The bridge was built for a different age", "Dana Kovalenko"),
        image=True,
        related=(
            RelatedLink("Older story", f"{BASE}world/older/?id=3#top", "World", "Also about Trade"),
        ),
    )
    plain = story("plain", standfirst="Ferries will run a reduced timetable.")
    sport = story("match", section="Sport", authors=("Ann One", "Bob Two"))
    return (section("World", quoted, plain), section("Sport", sport))


# --- Links -------------------------------------------------------------------------------

UTM = {"utm_source": "digest", "utm_medium": "email"}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://a.example/x/", "https://a.example/x/?utm_source=digest&utm_medium=email"),
        (
            "https://a.example/x?id=3#top",
            "https://a.example/x?id=3&utm_source=digest&utm_medium=email#top",
        ),
        ("https://a.example/?utm_source=rss", "https://a.example/?utm_source=rss&utm_medium=email"),
        (
            "https://a.example/?q=a+b&empty=",
            "https://a.example/?q=a+b&empty=&utm_source=digest&utm_medium=email",
        ),
        ("mailto:desk@a.example", "mailto:desk@a.example"),
    ],
)
def test_utm_merges_with_existing_query_and_fragment(url: str, expected: str) -> None:
    assert with_utm(url, UTM) == expected


def test_every_email_link_is_absolute_and_tagged_except_unsubscribe() -> None:
    files = render(demo_sections()).files
    hrefs = tree(files["digest.html"]).xpath("//a/@href")
    unsubscribe = "https://news.example.org/unsubscribe?list=daily"
    assert unsubscribe in hrefs
    tagged = [href for href in hrefs if href != unsubscribe]
    assert len(tagged) >= 6
    for href in tagged:
        assert href.startswith(BASE), href
        query = parse_qs(urlsplit(href).query)
        assert query["utm_source"] == ["digest"] and query["utm_campaign"] == ["2026-11-27"], href
    assert (
        f"{BASE}world/older/?id=3&utm_source=digest&utm_medium=email&utm_campaign=2026-11-27#top"
        in hrefs
    )
    text = files["digest.txt"].decode()
    assert f"{BASE}world/quoted/?utm_source=digest&utm_medium=email&utm_campaign=2026-11-27" in text


def test_configured_utm_parameters_are_used() -> None:
    cfg = config(utm={"utm_source": "lantern", "utm_campaign": "weekly-{date}"})
    html = render(demo_sections(), cfg=cfg).files["digest.html"].decode()
    assert "?utm_source=lantern&amp;utm_campaign=weekly-2026-11-27" in html
    assert "utm_medium" not in html


def test_utm_values_may_use_only_date() -> None:
    with pytest.raises(ConfigError, match=r"'email.utm' values may use only \{date\}"):
        parse_config({"email": {"utm": {"utm_campaign": "{week}"}}})


def test_feeds_are_not_tagged(demo_build: BuildResult, demo_config: Config) -> None:
    for name in ("rss.xml", "atom.xml", "feed.json"):
        assert b"utm_" not in (demo_config.output / name).read_bytes(), name
    assert b"utm_campaign=2026-11-27" in (demo_config.output / "digest.html").read_bytes()


# --- Templates ---------------------------------------------------------------------------


def test_a_user_template_overrides_ours_by_name(tmp_path: Path) -> None:
    (tmp_path / "_masthead.html").write_text(
        '<tr><td class="masthead"><h1 class="site">'
        "{{ config.title }} — our own masthead</h1></td></tr>\n"
    )
    cfg = config(templates=tmp_path)
    html = render(demo_sections(), cfg=cfg).files["digest.html"].decode()
    assert "Test Times — our own masthead" in html
    assert "Tests • Daily" not in html  # our masthead (with the tagline) was replaced
    assert "Headline of quoted" in html  # the rest is still ours


def test_a_typo_in_a_template_is_an_error_naming_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "_footer.html").write_text("<tr><td>\n{{ config.postal_adress }}\n</td></tr>\n")
    with pytest.raises(RenderError, match=r"_footer\.html:2: .*postal_adress"):
        render(demo_sections(), cfg=config(templates=tmp_path))


def test_a_template_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "digest.txt").write_text("{{ config.title }}\n{% for x in %}\n")
    with pytest.raises(RenderError, match=r"digest\.txt:2: "):
        render(demo_sections(), cfg=config(templates=tmp_path))


def test_article_text_is_escaped_in_html_and_plain_in_text() -> None:
    hostile = story(
        "x", title="<script>alert(1)</script> Tom & Jerry", standfirst="<b>bold</b> claim"
    )
    files = render((section("World", hostile),)).files
    html = files["digest.html"].decode()
    assert "<script" not in html and "<b>bold" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Tom &amp; Jerry" in html
    assert "<script>alert(1)</script> Tom & Jerry" in files["digest.txt"].decode()


# --- Layout ------------------------------------------------------------------------------


def test_email_is_table_based_client_proof_html() -> None:
    html = render(demo_sections()).files["digest.html"].decode()
    doc = tree(html.encode())
    assert (doc.get("lang"), doc.get("dir")) == ("en", "ltr")
    tables = doc.xpath("//table")
    assert tables and all(table.get("role") == "presentation" for table in tables)
    assert not doc.xpath(
        "//script | //div[contains(@style, 'flex')] | //*[contains(@style, 'grid')]"
    )
    assert "display:flex" not in html and "display: flex" not in html
    assert doc.xpath("//meta[@name='color-scheme']/@content") == ["light dark"]
    assert doc.xpath("//meta[@name='viewport']")
    assert '<!--[if mso]><table role="presentation" align="center" width="600"' in html
    assert "<!--[if mso]></td></tr></table><![endif]-->" in html
    paper = doc.xpath("//table[contains(@class, 'paper')]")[0]
    assert "max-width:600px" in paper.get("style").replace(" ", "")


def outlook_css(doc: lxml_html.HtmlElement) -> str:
    """The CSS in the page's Outlook-only conditional comments (`<!--[if mso]><style>`)."""
    comments = [str(c.text) for c in doc.xpath("//comment()")]
    return "\n".join(c for c in comments if c.startswith("[if mso]><style>"))


def test_outlook_only_css_and_settings_sit_in_comments_only_outlook_reads() -> None:
    """`mso-` CSS and Office's namespace stay out of what browsers and validators read."""
    html = render(demo_sections()).files["digest.html"].decode()
    doc = tree(html.encode())
    assert "mso-table-lspace: 0pt; mso-table-rspace: 0pt;" in outlook_css(doc)
    assert "mso-hide: all" in outlook_css(doc)
    assert not doc.xpath("//@style[contains(., 'mso-')]")  # premailer did not inline them
    assert all("mso-" not in str(style.text) for style in doc.xpath("//style"))
    assert "xmlns:o" not in html.split("<head>")[0]
    assert (
        '<xml xmlns:o="urn:schemas-microsoft-com:office:office"><o:OfficeDocumentSettings>' in html
    )
    assert "supported-color-schemes:" not in html  # a property no grammar has: the metas say it
    assert doc.xpath("//meta[@name='supported-color-schemes']/@content") == ["light dark"]
    assert ":root { color-scheme: light dark; }" in html


def test_right_to_left_languages_set_dir() -> None:
    files = render(demo_sections(), cfg=config(language="he-IL")).files
    for name in ("digest.html", "archive/2026-11-27.html", "archive/index.html"):
        assert (tree(files[name]).get("lang"), tree(files[name]).get("dir")) == ("he-IL", "rtl")


def test_css_is_inlined_and_media_queries_kept_in_a_style_block() -> None:
    doc = tree(render(demo_sections()).files["digest.html"])
    headline = doc.xpath("//h3[contains(@class, 'headline')]")[0]
    assert "font-family:Georgia" in headline.get("style")
    styles = "\n".join(style.text for style in doc.xpath("//style"))
    assert "@media (prefers-color-scheme: dark)" in styles
    assert "@media screen and (max-width: 480px)" in styles
    assert ".headline { font-size" not in styles.split("@media")[0]  # plain rules were inlined
    assert not doc.xpath("//@data-premailer")


def test_inlining_is_offline_and_quiet(capfd: pytest.CaptureFixture[str]) -> None:
    page = (
        "<html><head><style>p { color: red; mso-line-height-rule: exactly; bogus-thing: 1; }"
        "@media (prefers-color-scheme: dark) { p { color: white !important; } }"
        "</style><link rel='stylesheet' href='https://cdn.example/x.css'></head>"
        "<body><p>Hi</p><img src='a.png' width='10' height='10' style='height:auto'></body></html>"
    )
    out = inline_css(page, base_url="https://news.example.org/")
    assert '<p style="color:red; mso-line-height-rule:exactly; bogus-thing:1">Hi</p>' in out
    assert "color: white !important" in out
    assert 'src="https://news.example.org/a.png" width="10" height="10"' in out
    render(demo_sections())
    assert capfd.readouterr() == ("", "")


def test_inlining_mirrors_colour_and_alignment_only_onto_elements_that_have_them() -> None:
    page = (
        "<html><head><style>.c { background-color: #abc; text-align: right; "
        "vertical-align: top; }</style></head><body class='c'><table class='c'><tr>"
        "<td class='c'><img class='c' src='a.png'><p class='c'>x</p><a class='c'>y</a>"
        "</td></tr></table></body></html>"
    )
    doc = tree(inline_css(page, base_url=BASE).encode())
    attributes = {
        element.tag: sorted(set(element.attrib) - {"class", "style", "src"})
        for element in doc.iter("body", "table", "td", "img", "p", "a")
    }
    assert attributes == {
        "body": ["bgcolor"],
        "table": ["align", "bgcolor"],
        "td": ["align", "bgcolor", "valign"],
        "img": ["align"],
        "p": ["align"],
        "a": [],
    }
    assert doc.xpath("//td/@bgcolor") == ["#aabbcc"]  # Outlook's colour, six digits
    assert all("background-color:#abc" in e.get("style") for e in doc.iter("img", "a"))


def test_story_shows_image_standfirst_quote_with_speaker_byline_and_related_reason() -> None:
    doc = tree(render(demo_sections()).files["digest.html"])
    first = doc.xpath("//td[contains(@class, 'story')]")[0]
    image = first.xpath(".//img")[0]
    assert (image.get("width"), image.get("height")) == ("552", "368")
    assert image.get("alt") == "Photo of quoted"
    assert image.get("src") == f"{BASE}images/quoted.jpg"
    assert text_of(first.xpath(".//*[contains(@class, 'credit')]")[0]) == "Photo: Ann Lens, Agency"
    assert text_of(first.xpath(".//h3/a")[0]) == "Headline of quoted"
    assert (
        text_of(first.xpath(".//blockquote")[0])
        == "“The bridge was built for a different age” — Dana Kovalenko"
    )
    parts = [
        element.get("class").split()[0]
        for element in first.xpath("./h3 | ./p | ./blockquote")
        if element.get("class")
    ]
    assert parts == ["credit", "headline", "byline", "standfirst", "quote", "related"]
    standfirst = first.xpath(".//*[contains(@class, 'standfirst')]")[0]
    assert text_of(standfirst) == "A standfirst that says what happened."
    related = first.xpath(".//*[contains(@class, 'related')]")[0]
    assert text_of(related) == "\u203a Older story · Also about Trade"
    assert "top" in first.get("class")


def test_story_without_a_quote_shows_its_standfirst() -> None:
    doc = tree(render(demo_sections()).files["digest.html"])
    plain, match = doc.xpath("//td[contains(@class, 'story')]")[1:]
    assert (
        text_of(plain.xpath(".//*[contains(@class, 'standfirst')]")[0])
        == "Ferries will run a reduced timetable."
    )
    assert not plain.xpath(".//blockquote | .//img")
    assert text_of(match.xpath(".//*[contains(@class, 'byline')]")[0]) == "By Ann One and Bob Two"


@pytest.mark.parametrize(
    ("quote", "expected"),
    [
        (LeadQuote("Text", "the minister", "TASS"), "the minister, via TASS"),
        (LeadQuote("Text", None, "Reuters"), "as reported by Reuters"),
        (LeadQuote("Text", "Ana Kovač"), "Ana Kovač"),
        (LeadQuote("Text", "the TASS correspondent", "TASS"), "the TASS correspondent"),
        (LeadQuote("Text"), ""),
    ],
)
def test_attribution(quote: LeadQuote, expected: str) -> None:
    assert quote.attribution == expected


def test_preheader_is_the_top_story_lead_and_hidden() -> None:
    sections = (section("World", story("a", standfirst="The lead of the top story."), story("b")),)
    doc = tree(render(sections).files["digest.html"])
    preheader = doc.xpath("//div[contains(@class, 'preheader')]")[0]
    assert preheader.text_content().startswith("The lead of the top story.\u034f")
    assert "display:none" in preheader.get("style")
    assert ".preheader { mso-hide: all; }" in outlook_css(doc)  # Outlook ignores display:none
    assert doc.xpath("//body/*[1]")[0] is preheader


def test_masthead_and_contents() -> None:
    doc = tree(render(demo_sections(), this_issue=issue(number=12)).files["digest.html"])
    masthead = text_of(doc.xpath("//td[contains(@class, 'masthead')]")[0])
    assert (
        masthead == "Friday 27 November 2026 · No. 12 Test Times Tests • Daily 3 stories this issue"
    )
    contents = [text_of(row) for row in doc.xpath("//table[contains(@class, 'toc')]//tr")]
    assert contents == ["World 2 stories", "Sport 1 story"]
    unnumbered = tree(render(demo_sections()).files["digest.html"])
    assert "No." not in text_of(unnumbered.xpath("//td[contains(@class, 'masthead')]")[0])


def test_footer_view_in_browser_unsubscribe_address_and_reason() -> None:
    doc = tree(render(demo_sections()).files["digest.html"])
    footer = doc.xpath("//td[contains(@class, 'footer')]")[0]
    links = {text_of(a): a.get("href") for a in footer.xpath(".//a")}
    campaign = "utm_source=digest&utm_medium=email&utm_campaign=2026-11-27"
    assert links == {
        "View this issue in your browser": f"{BASE}archive/2026-11-27.html?{campaign}",
        "Past issues": f"{BASE}archive/index.html?{campaign}",
        "Unsubscribe": "https://news.example.org/unsubscribe?list=daily",
    }
    text = text_of(footer)
    assert (
        "You are receiving this email because you subscribed to the digest from Test Times." in text
    )
    assert "1 Test Street, Testville" in text
    custom = render(demo_sections(), cfg=config(reason="You asked for it at the fair.")).files
    assert b"You asked for it at the fair." in custom["digest.html"]
    assert b"You asked for it at the fair." in custom["digest.txt"]


# --- Plain-text twin ---------------------------------------------------------------------


def test_text_twin_has_the_same_stories_in_order_wrapped_with_links_on_their_own_lines() -> None:
    long_quote = LeadQuote("word " * 60 + "end", "a speaker with a long title")
    sections = (*demo_sections(), section("Arts", story("long", section="Arts", quote=long_quote)))
    files = render(sections).files
    text = files["digest.txt"].decode()
    html_links = tree(files["digest.html"]).xpath("//h3/a/@href")
    text_links = [
        line.removeprefix("Read: ") for line in text.splitlines() if line.startswith("Read: ")
    ]
    assert text_links == html_links and len(text_links) == 4
    for line in text.splitlines():
        if "://" not in line:
            assert len(line) <= 72, line
    assert "    “word word" in text and "\n    — a speaker with a long title\n" in text
    assert "Ferries will run a reduced timetable." in text
    assert "  - Older story (Also about Trade)\n    https://news.example.org/world/older/" in text
    assert (
        "View this issue in your browser:\nhttps://news.example.org/archive/2026-11-27.html?utm"
        in text
    )
    assert text.endswith(
        "Unsubscribe: https://news.example.org/unsubscribe?list=daily\n\n1 Test Street, Testville\n"
    )


def test_wrap_never_breaks_a_url() -> None:
    url = "https://news.example.org/" + "x" * 90
    assert wrap(f"see {url} now", indent="  ") == f"  see\n  {url}\n  now"


# --- Size budget -------------------------------------------------------------------------


def fake_renderer(sections: Sequence[Section]) -> Callable[[Trim], str]:
    """Sizes like the real thing: 100 bytes of frame, per story 50 + image 400 + standfirst 200."""

    def render_trim(trim: Trim) -> str:
        size = 100
        for part in trim.parts(sections):
            for shown in part.stories:
                size += 50
                size += 400 if trim.images and shown.article.image else 0
                size += 200 if trim.standfirsts and shown.standfirst else 0
            size += 30 if part.more else 0
        return "x" * size

    return render_trim


def budget_sections() -> tuple[Section, ...]:
    return (
        section("World", *(story(f"w{i}", image=True) for i in range(6))),
        section("Sport", *(story(f"s{i}", image=True) for i in range(3))),
    )


@pytest.mark.parametrize(
    ("budget", "expected", "warning"),
    [
        (5950, Trim(), None),
        (
            5949,
            Trim(images=False),
            "would be 5,950 bytes, over the 5,949-byte budget (digest.max_html_bytes); "
            "trimmed to 2,350 bytes: no images (9 left out)",
        ),
        (
            2349,
            Trim(images=False, standfirsts=False),
            "trimmed to 550 bytes: no images (9 left out), no standfirsts (9 left out)",
        ),
        (
            549,
            Trim(False, False, 5),
            "trimmed to 530 bytes: no images (8 left out), no standfirsts (8 left out), "
            "5 stories per section, 1 of 9 stories linked as 'N more in SECTION' to the web copy",
        ),
        (
            449,
            Trim(False, False, 3),
            "trimmed to 430 bytes: no images (6 left out), no standfirsts (6 left out), "
            "3 stories per section, 3 of 9 stories",
        ),
        (300, Trim(False, False, 1), "trimmed to 260 bytes"),
    ],
)
def test_budget_drops_images_then_standfirsts_then_folds_sections(
    budget: int, expected: Trim, warning: str | None
) -> None:
    sections = budget_sections()
    html, trim, warnings = fit_budget(fake_renderer(sections), sections, budget=budget)
    assert trim == expected
    if warning is None:
        assert warnings == [] and len(html) == 5950
    else:
        assert warning in warnings[0]
        assert len(html) <= budget or "still" in warnings[-1]


def test_budget_too_small_even_for_one_story_per_section_says_so() -> None:
    sections = budget_sections()
    html, trim, warnings = fit_budget(fake_renderer(sections), sections, budget=150)
    assert trim == Trim(False, False, 1) and len(html) == 260
    assert warnings[-1] == (
        "digest.html is still 260 bytes with one story per section, over the 150-byte budget; "
        "Gmail clips messages over about 102 KB"
    )


def test_a_300_story_digest_stays_under_budget_and_says_what_it_trimmed(
    write_article: ArticleWriter, articles_dir: Path, tmp_path: Path
) -> None:
    sections = ["World", "Politics", "Business", "Science & Health", "Media & Culture", "Sport"]
    for number in range(300):
        body = "Body text of the story. " * 20
        if number % 2:
            body += "\n\n“This quotation is long enough to be a real statement,” said the chair.\n"
        write_article(
            f"story-{number:03d}",
            body,
            title=f"Story {number:03d}: the harbour, the valley and the council",
            date=f"2026-11-{21 + number % 6:02d}T{number % 24:02d}:{number % 60:02d}:00Z",
            section=sections[number % 6],
            author="Jane Doe",
            image=f"images/{number}.jpg",
            image_alt=f"Photo {number}",
            summary="A standfirst that tells the reader what happened and why it matters.",
        )
    out = tmp_path / "public"
    settings = tmp_path / "digest.toml"
    settings.write_text(f'[site]\nbase_url = "{BASE}"\n')
    result = CliRunner().invoke(
        cli,
        [
            "build",
            str(articles_dir),
            "--config",
            str(settings),
            "--out",
            str(out),
            "--now",
            NOW_TEXT,
        ],
    )
    assert result.exit_code == 0, result.stderr
    html = (out / "digest.html").read_bytes()
    assert len(html) <= 100_000
    assert html.rstrip().endswith(b"</html>")
    warning = next(line for line in result.stderr.splitlines() if "digest.max_html_bytes" in line)
    # Far over budget, the full page is never inlined: its size is an estimate, said so.
    assert warning.startswith(f"{out}/digest.html:1: warning: digest.html would be about ")
    match = re.search(
        r"would be about ([\d,]+) bytes.*trimmed to ([\d,]+) bytes: no images \((\d+) left out\), "
        r"no standfirsts \(\d+ left out\), (\d+) stories per section, (\d+) of 300 stories",
        warning,
    )
    assert match, warning
    assert match[1].endswith(",000") and int(match[1].replace(",", "")) > 500_000
    assert int(match[2].replace(",", "")) == len(html)
    per_section, folded = int(match[4]), int(match[5])
    doc = tree(html)
    assert len(doc.xpath("//h3/a")) == 300 - folded == 6 * per_section
    assert not doc.xpath("//img")
    more = {text_of(a): a.get("href") for a in doc.xpath("//td[contains(@class, 'more')]/a")}
    assert len(more) == 6
    assert more[f"{50 - per_section} more in World \u203a"] == (
        f"{BASE}archive/2026-11-27.html"
        "?utm_source=digest&utm_medium=email&utm_campaign=2026-11-27#world"
    )
    web_copy = tree((out / "archive/2026-11-27.html").read_bytes())
    assert len(web_copy.xpath("//h3/a")) == 300 and len(web_copy.xpath("//img")) == 300
    text = (out / "digest.txt").read_text()
    text_links = [
        line.removeprefix("Read: ") for line in text.splitlines() if line.startswith("Read: ")
    ]
    assert text_links == doc.xpath("//h3/a/@href")


def varied_sections(sections: int, per_section: int) -> tuple[Section, ...]:
    """Stories as a newsroom mixes them: some with images, quotes, standfirsts, related links."""
    names = ["World", "Politics", "Business", "Science & Health", "Media & Culture", "Sport"]
    made = []
    for number in range(sections):
        name = names[number % len(names)] + (f" {number}" if number >= len(names) else "")
        stories = []
        for index in range(per_section):
            slug = f"s{number}-{index}"
            related = tuple(
                RelatedLink(f"Related {slug} {n}", f"{BASE}world/r{n}-{slug}/", "World", "Tag")
                for n in range(index % 4)
            )
            quote = LeadQuote(f"Quoted words of {slug} that matter", "the minister")
            stories.append(
                story(
                    slug,
                    title=f"Headline {slug}: " + "the valley and the council " * (index % 3),
                    section=name,
                    quote=quote if index % 3 == 0 else None,
                    standfirst="" if index % 5 == 4 else f"What happened in {slug}, and why.",
                    image=index % 2 == 0,
                    related=related,
                )
            )
        made.append(section(name, *stories))
    return tuple(made)


@pytest.fixture
def premailer_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """Every premailer run in the test, as (size in, size out), through the real inliner."""
    calls: list[tuple[int, int]] = []

    def counted(html: str, *, base_url: str) -> str:
        inlined = inline_css(html, base_url=base_url)
        calls.append((len(html.encode()), len(inlined.encode())))
        return inlined

    monkeypatch.setattr(digest.mail.render, "inline_css", counted)
    return calls


def test_a_digest_that_fits_exactly_is_not_trimmed_and_inlined_once(
    premailer_calls: list[tuple[int, int]],
) -> None:
    sections = varied_sections(3, 4)
    size = len(render(sections, cfg=config(max_html_bytes=10**7)).files["digest.html"])
    premailer_calls.clear()
    fits = render(sections, cfg=config(max_html_bytes=size))
    assert fits.warnings == () and len(fits.files["digest.html"]) == size
    assert len(premailer_calls) == 1
    over = render(sections, cfg=config(max_html_bytes=size - 1))
    assert over.warnings[0].startswith(f"digest.html would be {size:,} bytes, over the ")


def test_a_page_that_shrinks_when_inlined_is_not_trimmed_though_its_template_is_over(
    tmp_path: Path, premailer_calls: list[tuple[int, int]]
) -> None:
    unused = "".join(f".unused-{n} {{ color: #123456; padding: {n}px; }}\n" for n in range(400))
    styles = (DEFAULT_TEMPLATES / "_styles.html").read_text(encoding="utf-8")
    (tmp_path / "_styles.html").write_text(
        styles.replace("<style>", "<style>\n" + unused, 1), encoding="utf-8"
    )
    sections = varied_sections(3, 4)
    size = len(render(sections, cfg=config(templates=tmp_path)).files["digest.html"])
    premailer_calls.clear()
    fits = render(sections, cfg=config(templates=tmp_path, max_html_bytes=size))
    assert premailer_calls[-1][0] > size  # the template's page is over the budget…
    assert fits.warnings == () and len(fits.files["digest.html"]) == size  # …the email is not


def test_the_estimated_search_chooses_what_an_exact_search_over_every_trim_would() -> None:
    sections = varied_sections(4, 7)
    cfg = config()
    context = digest_context(sections, config=cfg, issue=issue())
    pages = EmailPages(sections, env=environment(), context=context, base_url=BASE)
    candidates = trim_candidates(sections)
    exact = [pages.inlined(trim) for trim in candidates]
    sizes = [len(html.encode()) for html in exact]
    assert sizes == sorted(sizes, reverse=True) and len(set(sizes)) == len(sizes)
    estimated = 0
    for size in sizes[1:]:
        for budget in (size, size - 1):
            chosen = next((i for i, s in enumerate(sizes) if s <= budget), len(sizes) - 1)
            result = render(sections, cfg=config(max_html_bytes=budget))
            assert result.files["digest.html"] == exact[chosen].encode(), (budget, chosen)
            said = re.match(r"digest.html would be (about )?([\d,]+) bytes", result.warnings[0])
            assert said, result.warnings[0]
            full = int(said[2].replace(",", ""))
            if said[1]:  # the full page was not inlined: its size is an honest estimate
                estimated += 1
                # (with nothing fitting, one tiny page is all it is estimated from)
                assert abs(full - sizes[0]) <= (0.1 if budget >= sizes[-1] else 0.5) * sizes[0]
            else:
                assert full == sizes[0]
    assert 4 <= estimated < 2 * (len(sizes) - 1)  # both ways of knowing the full size ran


def test_a_digest_far_over_budget_inlines_only_small_pages_a_few_times(
    premailer_calls: list[tuple[int, int]],
) -> None:
    sections = varied_sections(12, 50)
    result = render(sections, cfg=config(max_html_bytes=100_000))
    html = result.files["digest.html"]
    assert len(html) <= 100_000 and "stories per section" in result.warnings[0]
    assert result.warnings[0].startswith("digest.html would be about ")
    assert 1 <= len(premailer_calls) <= 3
    assert max(out for _, out in premailer_calls) <= 100_000 * (1 + ROUGH_MARGIN)
