from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digest.config import Config
from digest.sources.articles import (
    clean_text,
    collect_articles,
    load_bodies,
    one_line,
    parse_article,
    slugify,
)
from digest.sources.base import Location
from digest.sources.folder import MarkdownFolder
from tests.conftest import ArticleWriter


def parse(text: str, config: Config | None = None):  # type: ignore[no-untyped-def]
    return parse_article(text, path=Path("a.md"), config=config or Config())


def test_every_field(write_article: ArticleWriter, config: Config) -> None:
    path = write_article(
        "flood",
        "Rain fell.\n",
        title="River bursts its banks",
        date="2026-11-26T09:30:00+03:00",
        section="Media & Culture",
        author=["Ann Lee", "Bo Chan"],
        summary="The river rose overnight.",
        updated="2026-11-26T12:00:00Z",
        image="images/river.jpg",
        image_alt="A flooded street",
        image_credit="Ann Lee, Agency",
        tags="Weather",
        related=["other", "https://x.example/y"],
        lead_quote="We were ready",
        lead_quote_by="the mayor",
        id="flood-2026",
        expires="2026-12-31",
    )
    (article,) = collect_articles(MarkdownFolder(config.articles), config=config).articles
    assert article.slug == "flood"
    assert article.id == "flood-2026"
    assert article.published == datetime(2026, 11, 26, 6, 30, tzinfo=UTC)
    assert article.updated == datetime(2026, 11, 26, 12, tzinfo=UTC)
    assert article.section_slug == "media-culture"
    assert article.url == "https://news.example.org/media-culture/flood/"
    assert article.authors == ("Ann Lee", "Bo Chan")
    assert article.tags == ("Weather",)
    assert article.related == ("other", "https://x.example/y")
    assert article.image is not None
    assert article.image.url == "https://news.example.org/images/river.jpg"
    assert article.image.credit == "Ann Lee, Agency"
    assert article.quote_override is not None
    assert article.quote_override.speaker == "the mayor"
    assert article.expires == datetime(2027, 1, 1, tzinfo=ZoneInfo("UTC"))
    assert article.body is None
    (loaded,) = load_bodies([article], MarkdownFolder(config.articles))
    assert loaded.body == "Rain fell.\n"
    assert loaded == parse_article(path.read_text(), path=path, config=config)[0]
    assert path.read_text().splitlines()[article.location.line - 1] == "Rain fell."


def test_date_forms_use_the_site_timezone() -> None:
    config = Config(timezone="Europe/Minsk")
    text = "---\ntitle: T\nsection: S\ndate: {}\n---\n"
    naive, _ = parse(text.format("2026-11-18 14:00"), config)
    day, _ = parse(text.format("2026-11-20"), config)
    zulu, _ = parse(text.format("2026-11-20T10:00:00Z"), config)
    assert naive and day and zulu
    assert naive.published.utcoffset() == timedelta(hours=3)
    assert naive.published.hour == 14
    assert day.published == datetime(2026, 11, 20, tzinfo=ZoneInfo("Europe/Minsk"))
    assert zulu.published == datetime(2026, 11, 20, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("---\ntitle: T\nsection: S\ndate: May 1st\n---\n", 4, "'date' is not a date: 'May 1st'"),
        ("---\nsection: S\ndate: 2026-11-01\n---\n", 1, "missing required field 'title'"),
        ("---\ntitle: [unclosed\nsection: S\n---\n", 3, "bad YAML in front matter"),
        ("no front matter\n", 1, "no front matter"),
        ("---\ntitle: T\n", 1, "front matter is not closed"),
        ("---\n- a list\n---\n", 1, "front matter must be a mapping"),
        ("---\ntitle: T\nsection: S\ndate: 2026-11-01\ndraft: maybe\n---\n", 5, "'draft' must be"),
        ("---\ntitle: T\nsection: S\ndate: 2026-11-01\nslug: ../../etc\n---\n", 5, "'slug' must"),
        ("---\ntitle: T\nsection: '&&'\ndate: 2026-11-01\n---\n", 3, "no letters or digits"),
    ],
)
def test_problems_name_the_line(text: str, line: int, message: str) -> None:
    article, problems = parse(text)
    assert article is None
    assert problems[0].line == line
    assert message in problems[0].message
    assert str(problems[0]).startswith(f"a.md:{line}: ")


def test_alias_bomb_is_refused_without_expanding() -> None:
    bomb = (
        "---\na: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n"
        "title: T\nsection: S\ndate: 2026-11-01\n---\n"
    )
    article, problems = parse(bomb)
    assert article is None
    assert "anchors and aliases are not allowed" in problems[0].message


def test_python_tags_are_not_executed() -> None:
    text = (
        "---\ntitle: !!python/object/apply:os.system ['echo hi']\n"
        "section: S\ndate: 2026-11-01\n---\n"
    )
    article, problems = parse(text)
    assert article is None
    assert problems[0].line == 2


def test_unknown_key_is_a_warning_not_a_skip() -> None:
    article, problems = parse("---\ntitle: T\nsection: S\ndate: 2026-11-01\ntitel: x\n---\n")
    assert article is not None
    assert [str(p) for p in problems] == ["a.md:5: unknown front-matter key 'titel' (ignored)"]


def test_bad_files_are_skipped_and_the_rest_kept(
    write_article: ArticleWriter, articles_dir: Path, config: Config
) -> None:
    write_article("good")
    write_article("sub/also-good")
    (articles_dir / "latin1.md").write_bytes("---\ntitle: Caf\xe9\n".encode("latin-1"))
    (articles_dir / "binary.md").write_bytes(b"\x89PNG\r\n\x1a\n\0\0")
    write_article("zz-dupe", slug="good")
    collection = collect_articles(MarkdownFolder(articles_dir), config=config)
    assert sorted(a.slug for a in collection.articles) == ["also-good", "good"]
    messages = {Path(p.path).name: (p.line, p.message) for p in collection.problems}
    assert messages["latin1.md"] == (2, "not UTF-8 text; save the file as UTF-8")
    assert "binary file" in messages["binary.md"][1]
    assert messages["zz-dupe.md"][1].startswith("duplicate slug 'good'")
    assert collection.files_read == 5


def test_symlink_loop_is_walked_once(
    write_article: ArticleWriter, articles_dir: Path, config: Config
) -> None:
    write_article("inner/story")
    (articles_dir / "inner" / "loop").symlink_to(articles_dir, target_is_directory=True)
    collection = collect_articles(MarkdownFolder(articles_dir), config=config)
    assert [a.slug for a in collection.articles] == ["story"]


def test_control_characters_are_removed() -> None:
    article, _ = parse(
        '---\ntitle: "Bad\\x01 title\\x0b"\nsection: S\ndate: 2026-11-01\n---\nA\x00B\n'
    )
    assert article is not None
    assert article.title == "Bad title"
    assert article.body == "AB\n"


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Media & Culture", "media-culture"),
        ("Science & Health", "science-health"),
        ("Économie  Mondiale", "economie-mondiale"),
        ("  --World--  ", "world"),
        ("Мир", "мир"),
        ("../../etc", "etc"),
    ],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


@given(st.text())
def test_slugs_are_always_path_safe(text: str) -> None:
    slug = slugify(text)
    assert "/" not in slug and "\\" not in slug and ".." not in slug
    assert slug == slug.strip("-")


@given(st.text())
def test_clean_text_leaves_only_xml_characters(text: str) -> None:
    cleaned = clean_text(text)
    assert all(c in "\t\n\r" or ord(c) >= 0x20 for c in cleaned)
    assert "\ufffe" not in cleaned and "\uffff" not in cleaned


@given(st.text())
def test_one_line_takes_printable_text_as_it_is(text: str) -> None:
    from digest.sources.articles import LINE_BREAKS, one_line

    assert one_line(text) == LINE_BREAKS.sub(" ", clean_text(text)).strip()


@pytest.mark.parametrize("draft_name", ["a-draft", "z-draft"])  # sorts before, then after
def test_a_draft_never_takes_a_published_storys_slug_or_id(
    write_article: ArticleWriter, articles_dir: Path, config: Config, draft_name: str
) -> None:
    published = write_article("tram_plan")
    draft = write_article(draft_name, slug="tram-plan", draft=True)
    write_article(f"{draft_name}-2", id="tram-plan", draft=True)  # its slug is free, its id not
    collection = collect_articles(MarkdownFolder(articles_dir), config=config)
    assert [(a.location.where, a.slug) for a in collection.articles] == [(published, "tram-plan")]
    assert sorted(str(problem) for problem in collection.problems) == sorted(
        [
            f"{draft}:5: duplicate slug 'tram-plan' (also {published}:1, published: a draft never "
            "takes its place); set a unique 'slug:'",
            f"{articles_dir}/{draft_name}-2.md:5: duplicate id 'tram-plan' (also {published}:1, "
            "published: a draft never takes its place); set a unique 'id:'",
        ]
    )


def test_of_two_published_stories_with_one_slug_the_first_file_stays(
    write_article: ArticleWriter, articles_dir: Path, config: Config
) -> None:
    first = write_article("b-first", slug="same")
    write_article("a-bad", title="Broken", date="someday")  # skipped: problems stay in order
    second = write_article("c-second", slug="same", draft=False)
    collection = collect_articles(MarkdownFolder(articles_dir), config=config)
    assert [a.location.where for a in collection.articles] == [first]
    assert [str(p) for p in collection.problems] == [
        f"{articles_dir}/a-bad.md:3: 'date' is not a date: 'someday' (use e.g. "
        "2026-11-26T09:30:00+02:00)",
        f"{second}:5: duplicate slug 'same' (also {first}:5); set a unique 'slug:'",
    ]


def test_a_folders_articles_share_its_path_and_make_their_own_when_asked(
    write_article: ArticleWriter, articles_dir: Path, config: Config
) -> None:
    paths = [write_article("world/2026/tram-plan"), write_article("local/ferry")]
    folder = MarkdownFolder(articles_dir)
    articles = sorted(collect_articles(folder, config=config).articles, key=lambda a: a.slug)
    assert [article.location.base for article in articles] == [folder.folder] * 2
    assert all(article.location.base is folder.folder for article in articles)
    assert [article.location.where for article in articles] == sorted(paths, key=str)
    assert [str(article.location) for article in articles] == [f"{paths[1]}:6", f"{paths[0]}:6"]
    built = Location(folder.folder, 5, "local/ferry.md")
    given = Location(articles_dir / "local" / "ferry.md", 5)
    assert built == given and hash(built) == hash(given) and built != Location(given.base, 6)


def test_one_line_reads_a_long_run_of_blanks_once() -> None:
    """A field of 300,000 tabs took minutes (each tab re-read the rest of the run)."""
    script = (
        "from digest.sources.articles import one_line\n"
        "tabs = '\\t' * 300_000\n"
        "assert one_line('a' + tabs + 'b\\n \\t\\n c') == 'a' + tabs + 'b c'\n"
    )
    done = subprocess.run([sys.executable, "-c", script], timeout=30, capture_output=True)
    assert done.returncode == 0, done.stderr


@given(st.text(alphabet=" \t\n\r\x0bab\u2028"))
def test_one_line_turns_each_run_of_blanks_with_a_break_into_one_space(text: str) -> None:
    def joined(run: re.Match[str]) -> str:
        return " " if BREAK.search(run[0]) else run[0]

    BREAK = re.compile("[\r\n\x0b\x0c\x85\u2028\u2029]")
    blanks = "[ \t\r\n\x0b\x0c\x85\u2028\u2029]+"
    assert one_line(text) == re.sub(blanks, joined, clean_text(text)).strip()
