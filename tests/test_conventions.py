"""Sites as newsrooms keep them (SPEC "Sources"): slugs with capitals, slugs shared by
posts at different URLs, blank lines before the front matter, other generators' field
names mapped in `[fields]`, unknown keys reported once per key, every file accounted for.

Each test writes a small site of our own and builds it.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli import cli
from digest.config import Config, load_config
from digest.errors import ConfigError
from digest.models import BuildResult, Collection
from digest.sources.articles import MAX_UNKNOWN_KEYS_LISTED, collect_articles
from digest.sources.folder import MarkdownFolder
from digest.sources.scan import settled, signature
from tests.conftest import NOW_TEXT
from tests.test_dialects import feed, page, run, site, titles


def links(result: BuildResult) -> dict[str, str]:
    """Each article's URL by its path in the site."""
    folder = result_folder(result)
    return {
        Path(article.location.where).relative_to(folder).as_posix(): article.url
        for article in result.collection.articles
    }


def result_folder(result: BuildResult) -> Path:
    return Path(next(iter(result.collection.articles)).location.where).parents[0]


def collect(config: Config) -> Collection:
    return collect_articles(MarkdownFolder(config.articles), config=config)


def problems(config: Config) -> list[str]:
    """The problems reading gives, as `file:line: message` with paths relative to the site."""
    return [
        f"{Path(p.path).relative_to(config.articles).as_posix()}:{p.line}: {p.message}"
        for p in collect(config).problems
    ]


def ids(config: Config) -> dict[str, str]:
    """Each feed item's id (less the tag: authority) by its link."""
    return {entry.link: entry.id.rpartition(":")[2] for entry in feed(config).entries}


def built_by_year(root: Path, files: dict[str, str]) -> tuple[Config, BuildResult]:
    """A site of `files` whose articles are at `{year}/{slug}/`, all in the feed, built
    without problems."""
    config = replace(site(root, files), article_path="{year}/{slug}/", feed_limit=10)
    result = run(config)
    assert not result.collection.problems
    return config, result


def test_a_capitalised_slug_is_kept_in_the_url_and_the_id_stays_lower_case(
    tmp_path: Path,
) -> None:
    config = site(
        tmp_path,
        {
            "named.md": page(title="Named", date="2026-11-25", slug="Harbour-Ferry"),
            "Tide-Tables.md": page(title="By file", date="2026-11-25"),
            "quay.md": page(title="Lower", date="2026-11-25"),
        },
    )
    assert not run(config).collection.problems
    assert ids(config) == {
        "https://harbour.example/news/Harbour-Ferry/": "harbour-ferry",
        "https://harbour.example/news/Tide-Tables/": "tide-tables",
        "https://harbour.example/news/quay/": "quay",
    }


def test_a_slug_keeps_dots_underscores_tildes_and_escapes_as_generators_do(tmp_path: Path) -> None:
    config = site(
        tmp_path,
        {
            "a.md": page(title="A", date="2026-11-25", slug="ferry-2.0-timetable"),
            "b.md": page(title="B", date="2026-11-25", slug="quay_notes_11"),
            "c.md": page(title="C", date="2026-11-25", slug="tide~low"),
            "d.md": page(title="D", date="2026-11-25", slug="'%e2%80%93-ferry-fares'"),
        },
    )
    assert not run(config).collection.problems
    assert set(ids(config)) == {
        "https://harbour.example/news/ferry-2.0-timetable/",
        "https://harbour.example/news/quay_notes_11/",
        "https://harbour.example/news/tide~low/",
        "https://harbour.example/news/%e2%80%93-ferry-fares/",
    }


def test_a_file_name_in_any_script_gives_a_slug_that_is_one_url_segment(tmp_path: Path) -> None:
    config = site(
        tmp_path,
        {
            "k\u0131y\u0131-a\u011flar\u0131-\u00dfe.md": page(title="A", date="2026-11-25"),
            "Ærø-færge.md": page(title="B", date="2026-11-25"),
            "渡轮-timetable.md": page(title="C", date="2026-11-25"),
        },
    )
    assert not run(config).collection.problems
    assert set(ids(config)) == {
        "https://harbour.example/news/kiyi-aglari-sse/",
        "https://harbour.example/news/AEro-faerge/",
        "https://harbour.example/news/%E6%B8%A1%E8%BD%AE-timetable/",
    }


@pytest.mark.parametrize(
    "slug", ["'Ferry Times'", "'.hidden'", "'a/b'", "'ferry?x=1'", "'50%-off'"]
)
def test_a_slug_that_is_not_one_path_segment_is_still_refused(tmp_path: Path, slug: str) -> None:
    config = site(tmp_path, {"a.md": page(title="A", date="2026-11-25", slug=slug)})
    [problem] = problems(config)
    assert problem.startswith("a.md:4: 'slug' must be letters, digits, '-', '.', '_' or '~', e.g.")


def test_an_articles_own_url_is_kept_and_lets_posts_share_a_slug(tmp_path: Path) -> None:
    config = site(
        tmp_path,
        {
            "a.md": page(title="A", date="2026-11-20", slug="weekly", url="/blog/2026/11/Weekly"),
            "b.md": page(title="B", date="2026-11-13", slug="weekly", url="blog/2026/11/Weekly_2"),
            "c.md": page(title="C", date="2026-11-06", permalink="/notes/low tide/"),
            "d.md": page(title="D", date="2026-11-01", url="https://elsewhere.example/d"),
        },
    )
    result = run(config)
    assert not result.collection.problems
    assert set(ids(config)) == {
        "https://harbour.example/blog/2026/11/Weekly",
        "https://harbour.example/blog/2026/11/Weekly_2",
        "https://harbour.example/notes/low%20tide/",
        "https://elsewhere.example/d",
    }


def test_a_permalink_pattern_is_a_warning_and_the_article_path_is_used(tmp_path: Path) -> None:
    config = site(
        tmp_path, {"a.md": page(title="A", date="2026-11-20", permalink="/:year/:title/")}
    )
    result = run(config)
    assert [w.message for w in result.collection.warnings] == [
        "'permalink' is a pattern or not a path; the article_path is used"
    ]
    assert set(ids(config)) == {"https://harbour.example/news/a/"}


def test_posts_may_share_a_slug_when_their_urls_differ(tmp_path: Path) -> None:
    config, _ = built_by_year(
        tmp_path,
        {
            "_posts/2024-03-01-weekly.md": page(title="Weekly, 2024"),
            "_posts/2025-03-07-weekly.md": page(title="Weekly, 2025"),
            "_posts/2026-11-20-weekly.md": page(title="Weekly, 2026"),
        },
    )
    assert ids(config) == {  # a Jekyll file's id holds its date already
        "https://harbour.example/2026/weekly/": "2026-11-20-weekly",
        "https://harbour.example/2025/weekly/": "2025-03-07-weekly",
        "https://harbour.example/2024/weekly/": "2024-03-01-weekly",
    }


def test_ids_of_posts_sharing_a_slug_come_from_their_paths(tmp_path: Path) -> None:
    config, result = built_by_year(
        tmp_path,
        {
            "2026/weekly.md": page(title="Weekly, 2026", date="2026-11-20"),
            "2025/weekly.md": page(title="Weekly, 2025", date="2025-03-07"),
            "2024/weekly.md": page(title="Weekly, 2024", date="2024-03-01", draft="true"),
            "old/weekly.md": page(title="Weekly, 2023", date="2023-03-01"),
        },
    )
    # The oldest published keeps the id it had when it stood alone: no story comes back
    # as new; the others (a draft too) take their paths', which no slug can give.
    assert ids(config) == {
        "https://harbour.example/2026/weekly/": "2026%2Fweekly",
        "https://harbour.example/2025/weekly/": "2025%2Fweekly",
        "https://harbour.example/2023/weekly/": "weekly",
    }
    drafts = [a.id for a in result.collection.articles if a.draft]
    assert drafts == ["2024/weekly"]


def test_ids_of_shared_slugs_are_kept_as_the_front_matter_gives_them(tmp_path: Path) -> None:
    config = site(
        tmp_path,
        {
            "a.md": page(title="A", date="2025-01-02", slug="notes"),
            "b.md": page(title="B", date="2026-01-02", slug="notes", id="notes-2026"),
            "c.md": page(title="C", date="2024-01-02", slug="notes", id="notes-2026"),
        },
    )
    config = replace(config, article_path="{year}/{slug}/")
    assert problems(config) == [
        f"c.md:5: duplicate id 'notes-2026' (also {config.articles / 'b.md'}:5); set a unique 'id:'"
    ]


def test_urls_that_collide_are_still_an_error_naming_both_files(tmp_path: Path) -> None:
    config = site(
        tmp_path,
        {
            "2025/weekly.md": page(title="Weekly, 2025", date="2025-03-07", section="Notes"),
            "2026/weekly.md": page(title="Weekly, 2026", date="2026-11-20", section="Notes"),
        },
    )
    assert problems(config) == [
        "2026/weekly.md:1: duplicate slug 'weekly' (also "
        f"{config.articles / '2025/weekly.md'}:1); set a unique 'slug:'"
    ]


def test_blank_lines_and_a_byte_order_mark_before_the_front_matter(tmp_path: Path) -> None:
    config = site(
        tmp_path,
        {
            "bom.md": "\ufeff" + page(title="Marked", date="2026-11-25"),
            "blank.md": "\n  \n" + page(title="Spaced", date="2026-11-25"),
            "both.md": "\ufeff\n\n" + page(title="Both", date="2026-11-25"),
            "late.md": "\n\n" + page(title="Wrong", date="2026-11-25", lastmod="yesterday"),
            "text.md": "Some words\n" + page(title="Not front matter", date="2026-11-25"),
        },
    )
    result = run(config)
    assert sorted(a.title for a in result.collection.articles) == ["Both", "Marked", "Spaced"]
    assert problems(config) == [
        "late.md:6: 'lastmod' is not a date: 'yesterday' (use e.g. 2026-11-26T09:30:00+02:00)",
        "text.md:1: no front matter: the file must start with a '---' (YAML) or '+++' (TOML) line",
    ]
    spaced = next(a for a in result.collection.articles if a.title == "Spaced")
    assert spaced.location.line == 7  # the body's line in the file


def test_a_day_written_with_the_months_name_is_read_as_jekyll_reads_it(tmp_path: Path) -> None:
    config = site(
        tmp_path,
        {
            "a.md": page(title="Whole name", date="November 3, 2026"),
            "b.md": page(title="Short name", date="Nov 4 2026"),
            "c.md": page(title="Day first", date="5 November 2026"),
            "d.md": page(title="Ordinal", date="'Sept. 6th, 2026'"),
            "e.md": page(title="Retired", date="2026-11-01", expires="November 20, 2026"),
            "f.md": page(title="Embargoed", date="December 24, 2026"),
            "g.md": page(title="No such day", date="April 31, 2026"),
            "h.md": page(title="No such month", date="Brumaire 3, 2026"),
        },
    )
    result = run(config)
    days = {a.title: a.published.date().isoformat() for a in result.collection.articles}
    assert days == {
        "Whole name": "2026-11-03",
        "Short name": "2026-11-04",
        "Day first": "2026-11-05",
        "Ordinal": "2026-09-06",
        "Retired": "2026-11-01",
        "Embargoed": "2026-12-24",
    }
    retired = next(a for a in result.collection.articles if a.title == "Retired")
    assert retired.expires == datetime(2026, 11, 21, tzinfo=UTC)  # the end of the day, as ISO
    assert sorted(titles(config)) == ["Day first", "Ordinal", "Short name", "Whole name"]
    assert problems(config) == [
        "g.md:3: 'date' is not a date: 'April 31, 2026' (use e.g. 2026-11-26T09:30:00+02:00)",
        "h.md:3: 'date' is not a date: 'Brumaire 3, 2026' (use e.g. 2026-11-26T09:30:00+02:00)",
    ]


NOT_A_DATE = "'date' is not a date: '{}' (use e.g. 2026-11-26T09:30:00+02:00)"
LOOSE_DAYS = {
    "a one-digit month or day": (
        {
            "a.md": page(title="Short month", date="2026-5-16"),
            "b.md": page(title="Short day", date="2026-11-3"),
            "c.md": page(title="Short both with a time", date="'2026-9-7 08:15:00'"),
            "d.md": page(title="Short day retired", date="2026-11-01", expires="2026-11-2"),
            "e.md": page(title="Month thirteen", date="2026-13-1"),
            "f.md": page(title="Three-digit day", date="2026-11-100"),
            "2026-11-4-ferry-notes.md": page(title="Short day in the name"),
        },
        {
            "Short month": "2026-05-16T00:00:00+00:00",
            "Short day": "2026-11-03T00:00:00+00:00",
            "Short both with a time": "2026-09-07T08:15:00+00:00",
            "Short day retired": "2026-11-01T00:00:00+00:00",
            "Short day in the name": "2026-11-04T00:00:00+00:00",
        },
        [
            "e.md:3: " + NOT_A_DATE.format("2026-13-1"),
            "f.md:3: " + NOT_A_DATE.format("2026-11-100"),
        ],
    ),
    "slashes": (
        {
            "a.md": page(title="Slashes", date="2026/11/20"),
            "b.md": page(title="Short slashes", date="2026/5/6"),
            "c.md": page(title="Slashes with a time", date="'2026/11/21 08:15:00'"),
            "d.md": page(title="Slashes retired", date="2026/11/01", expires="2026/11/2"),
            "e.md": page(title="Day thirty-one", date="2026/11/31"),
            "f.md": page(title="Mixed", date="2026/11-22"),
            "index.md": page(title="The blog"),
        },
        {
            "Slashes": "2026-11-20T00:00:00+00:00",
            "Short slashes": "2026-05-06T00:00:00+00:00",
            "Slashes with a time": "2026-11-21T08:15:00+00:00",
            "Slashes retired": "2026-11-01T00:00:00+00:00",
        },
        [
            "e.md:3: " + NOT_A_DATE.format("2026/11/31"),
            "f.md:3: " + NOT_A_DATE.format("2026/11-22"),
            "index.md:1: missing required field 'date'",
        ],
    ),
}


@pytest.mark.parametrize(("files", "days", "bad"), LOOSE_DAYS.values(), ids=LOOSE_DAYS.keys())
def test_a_day_written_loosely_is_read_as_jekyll_reads_it(
    tmp_path: Path, files: dict[str, str], days: dict[str, str], bad: list[str]
) -> None:
    config = site(tmp_path, files)
    result = run(config)
    assert {a.title: a.published.isoformat() for a in result.collection.articles} == days
    retired = next(a for a in result.collection.articles if a.title.endswith("retired"))
    assert retired.expires == datetime(2026, 11, 3, tzinfo=UTC)  # the end of the day, as ISO
    assert problems(config) == bad


def test_a_jekyll_file_name_with_a_one_digit_day_gives_no_date_to_the_slug(
    tmp_path: Path,
) -> None:
    config = site(tmp_path, {"2026-11-4-ferry-notes.md": page(title="Short day in the name")})
    run(config)
    assert "https://harbour.example/news/ferry-notes/" in ids(config)


def test_a_zola_path_is_the_articles_address_and_gives_a_post_without_a_date_its_day(
    tmp_path: Path,
) -> None:
    def zola(title: str, *lines: str) -> str:
        return "+++\n" + f"title = '{title}'\n" + "".join(f"{x}\n" for x in lines) + "+++\nBody.\n"

    config = site(
        tmp_path,
        {
            "fares.md": zola("Fares", "path = '2026/11/20/Ferry-1.0-fares'"),
            "pier-cam/index.md": zola("Bundle", "path = 'inside/2026/11/21/pier-cam/'"),
            "given.md": zola("Given", "date = 2026-11-19", "path = '2026/11/23/given'"),
            "2026-11-18-jekyll.md": zola("Jekyll", "path = '2026/11/24/jekyll'"),
            "own.md": zola("Own", "url = '/blog/2026/11/22/own/'"),
            "link.md": zola("Link", "permalink = '/notes/2026/11/25/link.html'"),
            "pattern.md": zola("Pattern", "permalink = '/2026/11/26/:title/'"),
            "no-day.md": zola("No day", "path = '2026/13/01/no-day'"),
            "at-end.md": zola("At end", "url = '/notes/2026/11/27'"),  # a day, not a folder
        },
    )
    result = run(config)
    found = {a.title: (a.published.date().isoformat(), a.url) for a in result.collection.articles}
    base = "https://harbour.example/"
    assert found == {
        "Fares": ("2026-11-20", base + "2026/11/20/Ferry-1.0-fares/"),
        "Bundle": ("2026-11-21", base + "inside/2026/11/21/pier-cam/"),
        "Given": ("2026-11-19", base + "2026/11/23/given/"),
        "Jekyll": ("2026-11-18", base + "2026/11/24/jekyll/"),
        "Own": ("2026-11-22", base + "blog/2026/11/22/own/"),
        "Link": ("2026-11-25", base + "notes/2026/11/25/link.html"),
    }
    assert not any(a.unknown_keys for a in result.collection.articles)
    assert problems(config) == [
        "at-end.md:1: missing required field 'date'",
        "no-day.md:1: missing required field 'date'",
        "pattern.md:1: missing required field 'date'",
    ]


def test_a_jekyll_post_without_a_title_takes_it_from_its_file_name(tmp_path: Path) -> None:
    config = site(
        tmp_path,
        {
            "_posts/2026-11-20-QuayCam-on-the-north-pier.md": page(author="Ana"),
            "_posts/2026-11-21-tide_tables-2.markdown": page(tags="[Tides]"),
            "_posts/2026-11-22-given.md": page(title="Its Own Title"),
            "_posts/2026-11-23-empty.md": page(title="''"),
            "news/no-date-in-name.md": page(date="2026-11-24"),
        },
    )
    result = run(config)
    assert sorted(titles(config)) == ["Its Own Title", "Quaycam On The North Pier", "Tide_tables 2"]
    pier = next(a for a in result.collection.articles if a.slug == "QuayCam-on-the-north-pier")
    assert pier.published.date().isoformat() == "2026-11-20"
    assert problems(config) == [
        "_posts/2026-11-23-empty.md:2: 'title' is empty",
        "news/no-date-in-name.md:1: missing required field 'title'",
    ]


def test_a_folder_named_for_a_day_gives_its_posts_their_date_as_hakyll_reads_it(
    tmp_path: Path,
) -> None:
    config = site(
        tmp_path,
        {
            "news/2026-11-20/ferry-fares.markdown": page(title="Fares"),
            "news/2026-11-21/ferry-fares.md": page(title="Fares Again"),
            "news/2026-11-22/pier-cam/index.md": page(title="Bundle"),
            "news/2026-11-23/given.md": page(title="Given", date="2026-11-19"),
            "news/2026-11-24/2026-11-18-jekyll-name.md": page(title="Jekyll Name"),
            "news/2026-13-01/not-a-day.md": page(title="No Day"),
            "news/2026-11-25-notes/plain.md": page(title="Not A Day Folder"),
            "news/2026-11-26/no-title.md": page(author="Ana"),
        },
    )
    config = replace(config, article_path="{year}/{month}/{day}/{slug}/")
    result = run(config)
    days = {a.title: a.published.date().isoformat() for a in result.collection.articles}
    assert days == {
        "Fares": "2026-11-20",
        "Fares Again": "2026-11-21",
        "Bundle": "2026-11-22",
        "Given": "2026-11-19",
        "Jekyll Name": "2026-11-18",
    }
    assert len({a.id for a in result.collection.articles}) == 5
    assert problems(config) == [
        "news/2026-11-25-notes/plain.md:1: missing required field 'date'",
        "news/2026-11-26/no-title.md:1: missing required field 'title'",
        "news/2026-13-01/not-a-day.md:1: missing required field 'date'",
    ]


def toml_site(root: Path, fields: str, files: dict[str, str]) -> Config:
    """`site`, configured by a digest.toml whose `[fields]` table holds `fields`."""
    config = site(root, files)
    path = root / "digest.toml"
    path.write_text(
        '[site]\nbase_url = "https://harbour.example/"\n\n'
        f'[build]\narticles = "site"\noutput = "public"\n\n[fields]\n{fields}',
        encoding="utf-8",
    )
    loaded = load_config(path)
    assert loaded.articles == config.articles
    return loaded


def test_fields_maps_other_names_to_ours(tmp_path: Path) -> None:
    config = toml_site(
        tmp_path,
        'section = ["department", "desk"]\nsummary = "deck"\n',
        {
            "a.md": page(title="A", date="2026-11-25", department="Harbour", deck="Ferries."),
            "b.md": page(title="B", date="2026-11-25", desk="Weather", department="Quay"),
            "c.md": page(title="C", date="2026-11-25", section="Own", department="Lost"),
        },
    )
    result = run(config)
    assert not result.warnings  # the mapped names are read, so none is unknown
    read = {a.title: (a.section, a.summary) for a in result.collection.articles}
    assert read == {"A": ("Harbour", "Ferries."), "B": ("Quay", ""), "C": ("Own", "")}


def test_fields_a_mapped_value_that_is_wrong_names_the_line(tmp_path: Path) -> None:
    config = toml_site(
        tmp_path,
        'expires = ["retire_on"]\n',
        {"a.md": page(title="A", date="2026-11-25", retire_on="soon")},
    )
    assert problems(config) == [
        "a.md:4: 'expires' is not a date: 'soon' (use e.g. 2026-11-26T09:30:00+02:00)",
    ]


def test_fields_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "digest.toml"
    path.write_text('[fields]\n\nsection = ["desk"]\nsektion = ["department"]\n')
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert error.value.problems == [
        f"{path}:4: 'fields.sektion' 'sektion' is not a front-matter field digest reads; map "
        "names to one of: title, date, section, author, summary, updated, image, image_alt, "
        "image_credit, tags, related, lead_quote, lead_quote_by, slug, id, draft, expires"
    ]
    path.write_text('[fields]\nauthor = ["byline", "title"]\n')
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert error.value.problems == [
        f"{path}:2: 'fields.author' 'title' is a field digest reads already"
    ]
    path.write_text('[fields]\nauthor = ["byline"]\nsummary = ["byline"]\n')
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert error.value.problems == [
        f"{path}:3: 'fields.summary' 'byline' is mapped to 'author' already"
    ]
    path.write_text("[fields]\nsummary = 3\n")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert "must be a name or a list of names" in error.value.problems[0]


def test_changing_fields_rebuilds_from_the_cache(tmp_path: Path) -> None:
    files = {"a.md": page(title="A", date="2026-11-25", department="Harbour")}
    config = toml_site(tmp_path, "", files)
    first = run(config)
    assert [a.section for a in first.collection.articles] == ["News"]
    config = toml_site(tmp_path, 'section = ["department"]\n', files)
    second = run(config)
    assert not second.replayed
    assert [a.section for a in second.collection.articles] == ["Harbour"]
    assert "harbour" in [p.name for p in (config.output / "sections").iterdir()]


def cli_build(site_folder: Path, out: Path, *extra: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        cli, ["build", str(site_folder), "--out", str(out), "--now", NOW_TEXT, *extra]
    )
    return result.exit_code, result.stdout, result.stderr


def unknown_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "unknown front-matter key" in line]


def test_an_unknown_key_is_reported_once_with_the_number_of_files(tmp_path: Path) -> None:
    files = {
        f"{name}.md": page(title=name, date="2026-11-25", topics="[ferries]")
        for name in ("b", "a", "c")
    }
    files["d.md"] = page(title="d", date="2026-11-25", mood="calm")
    config = site(tmp_path, files)
    warnings = [
        f"{Path(p.path).relative_to(config.articles)}:{p.line}: {p.message}"
        for p in collect(config).warnings
    ]
    assert warnings == [
        "a.md:4: unknown front-matter key 'topics' (ignored) in 3 files, this the first; "
        "to read it, map it to a field in digest.toml's [fields]",
        "d.md:4: unknown front-matter key 'mood' (ignored); to read it, map it to a field "
        "in digest.toml's [fields]",
    ]


def test_unknown_keys_past_the_cap_share_one_line(tmp_path: Path) -> None:
    keys = [f"extra_{number:02d}" for number in range(MAX_UNKNOWN_KEYS_LISTED + 12)]
    front = {key: "x" for key in keys}
    config = site(tmp_path, {"a.md": page(title="A", date="2026-11-25", **front)})
    reported = collect(config).unknown_keys
    assert len(reported) == MAX_UNKNOWN_KEYS_LISTED + 1
    rest, last = reported[-1]
    assert rest == tuple(keys[MAX_UNKNOWN_KEYS_LISTED:])
    assert last.line == 4 + MAX_UNKNOWN_KEYS_LISTED
    assert last.message.startswith(
        "12 more unknown front-matter keys (ignored): 'extra_20', 'extra_21', "
    )
    assert last.message.endswith("'extra_29', …; map any you want read in digest.toml's [fields]")


def test_quiet_names_only_unknown_keys_new_since_the_last_build(tmp_path: Path) -> None:
    config = site(tmp_path, {"a.md": page(title="A", date="2026-11-25", topics="x")})
    out = tmp_path / "public"
    code, _, stderr = cli_build(config.articles, out, "--quiet")
    assert code == 0 and len(unknown_lines(stderr)) == 1  # new: the first build knew none
    code, _, stderr = cli_build(config.articles, out)  # nothing changed: replayed
    assert code == 0 and len(unknown_lines(stderr)) == 1 and "1 warning" in stderr
    code, _, stderr = cli_build(config.articles, out, "--quiet")
    assert code == 0 and stderr == ""
    (config.articles / "b.md").write_text(page(title="B", date="2026-11-25", mood="calm"))
    code, _, stderr = cli_build(config.articles, out, "--quiet")
    assert code == 0
    assert [line.rpartition("/")[2] for line in unknown_lines(stderr)] == [
        "b.md:4: warning: unknown front-matter key 'mood' (ignored); to read it, map it to a "
        "field in digest.toml's [fields]"
    ]
    code, _, stderr = cli_build(config.articles, out, "--quiet")
    assert code == 0 and stderr == ""
    state = json.loads((out / ".digest" / "state.json").read_text())
    assert state["unknown_front_matter_keys"] == ["mood", "topics"]


def test_the_keys_known_are_remembered_by_a_build_that_makes_no_issue(tmp_path: Path) -> None:
    config = site(tmp_path, {"a.md": page(title="A", date="2020-01-01", topics="x")})
    out = tmp_path / "public"
    code, _, _ = cli_build(config.articles, out, "--quiet")
    assert code == 0 and not (out / "digest.html").exists()
    state = json.loads((out / ".digest" / "state.json").read_text())
    assert state == {"format": 1, "issues": [], "unknown_front_matter_keys": ["topics"]}
    (config.articles / "a.md").write_text(page(title="A2", date="2020-01-01", topics="y"))
    code, _, stderr = cli_build(config.articles, out, "--quiet")  # read again, not replayed
    assert code == 0 and stderr == ""


def test_every_file_not_read_is_counted_by_reason_in_the_summary(tmp_path: Path) -> None:
    config = site(
        tmp_path,
        {
            "news/ferry.md": page(title="Ferry", date="2026-11-25"),
            "news/_index.md": "---\ntitle: News\n---\n",
            "news/old.html": "<p>An old page</p>\n",
            "news/map.HTML": "<p>A map</p>\n",
            "news/notes": "no suffix\n",
            "_drafts/next.md": page(title="Next"),
            "_drafts/later/more.md": page(title="More"),
            ".hidden.md": page(title="Hidden", date="2026-11-25"),
            "bad.md": page(title="No date"),
        },
    )
    out = tmp_path / "public"
    code, stdout, _ = cli_build(config.articles, out)
    assert code == 0
    assert (
        "digest: read 2 articles (8 skipped: 1 with problems, 2 .html, 2 _drafts/, "
        "1 _index.md, 1 hidden, 1 no suffix); 1 published"
    ) in stdout
    (config.articles / "news" / "feed.xml").write_text("<rss/>\n")
    code, stdout, _ = cli_build(config.articles, out)  # a new file left out: not replayed
    assert code == 0 and "(9 skipped: 1 with problems, 2 .html, 1 .xml, 2 _drafts/, " in stdout


def _jekyll_post(title: str, body: str) -> str:
    return f"---\ntitle: {title}\n---\n{body}"


def _settle(*paths: Path) -> None:
    """Wait until a build may cache these files (see `scan.settled`)."""
    while not all(settled(signature(path.stat()), time.time_ns()) for path in paths):
        time.sleep(0.02)


def note_lines(stderr: str) -> list[str]:
    return [line.rpartition("/")[2] for line in stderr.splitlines() if "template tag" in line]


def test_quiet_notes_template_removal_only_for_files_new_or_changed(tmp_path: Path) -> None:
    posts = {
        "_posts/2026-11-24-ferry.markdown": _jekyll_post(
            "Ferry", "The timetable {% include notice.html %} changed.\n"
        ),
        "_posts/2026-11-25-quay.markdown": _jekyll_post(
            "Quay", "Read [the plan]({{ site.baseurl }}/plan/) for the quay.\n"
        ),
    }
    config = site(tmp_path, posts)
    ferry, quay = (config.articles / name for name in posts)
    out = tmp_path / "public"
    both = [
        "2026-11-24-ferry.markdown:4: warning: 1 template tag removed (Liquid); first at line "
        "4: digest cannot run them, and readers never see them",
        "2026-11-25-quay.markdown:4: warning: 1 template tag removed (Liquid); first at line "
        "4: digest cannot run them, and readers never see them",
    ]
    _settle(ferry, quay)
    code, _, stderr = cli_build(config.articles, out, "--quiet")
    assert code == 0 and note_lines(stderr) == both  # the first build: every file is new
    code, _, stderr = cli_build(config.articles, out, "--quiet")  # replayed
    assert code == 0 and stderr == ""
    (out / "rss.xml").unlink()  # no replay: a build that takes every file from the cache
    code, _, stderr = cli_build(config.articles, out, "--quiet")
    assert code == 0 and stderr == ""
    code, _, stderr = cli_build(config.articles, out)  # replayed, not quiet: all shown
    assert code == 0 and note_lines(stderr) == both
    assert "digest: 2 warnings (in 2 files)" in stderr
    quay.write_text(posts["_posts/2026-11-25-quay.markdown"] + "More {{ page.title }}.\n")
    _settle(quay)
    code, _, stderr = cli_build(config.articles, out, "--quiet")
    assert code == 0 and note_lines(stderr) == [
        "2026-11-25-quay.markdown:4: warning: 2 template tags removed (Liquid); first at line "
        "4: digest cannot run them, and readers never see them"
    ]
    assert stderr.splitlines()[-1] == (
        "digest: 1 warning (in 1 file); 1 earlier warning not repeated (build without --quiet)"
    )
    code, _, stderr = cli_build(config.articles, out, "--quiet")
    assert code == 0 and stderr == ""
    (out / "rss.xml").unlink()
    code, _, stderr = cli_build(config.articles, out)  # from the cache, not quiet: all shown
    assert code == 0 and len(note_lines(stderr)) == 2
    assert "digest: 2 warnings (in 2 files)" in stderr


def test_a_hugo_page_bundle_takes_its_slug_from_its_folder(tmp_path: Path) -> None:
    config, _ = built_by_year(
        tmp_path,
        {
            "2026/0317-ferry-fares/index.md": page(title="Fares", date="2026-11-20"),
            "2026/0317-quay-works/index.md": page(title="Works", date="2026-11-20"),
            "2026/0318-tide/index.markdown": page(title="Tide", date="2026-11-21", slug="Tide"),
        },
    )
    assert ids(config) == {
        "https://harbour.example/2026/0317-ferry-fares/": "0317-ferry-fares",
        "https://harbour.example/2026/0317-quay-works/": "0317-quay-works",
        "https://harbour.example/2026/Tide/": "tide",
    }


def test_authors_written_as_mappings_give_their_names(tmp_path: Path) -> None:
    front = (
        "---\ntitle: Fares\ndate: 2026-11-20\nauthors:\n"
        "  - name: Ada Quay\n    url: 'https://harbour.example/ada'\n"
        "  - name: Ben Tide\n    email: ben@harbour.example\n  - coxswain\n---\nBody.\n"
    )
    config = site(tmp_path, {"fares.md": front, "bad.md": front.replace("name: Ada", "nom: Ada")})
    result = run(config)
    assert [(p.line, p.message) for p in result.collection.problems] == [
        (4, "an author in 'authors' needs a 'name' (and may have an 'email')")
    ]
    [article] = result.collection.articles
    assert article.authors == ("Ada Quay", "Ben Tide <ben@harbour.example>", "coxswain")


def test_hugo_toml_front_matter_is_read_like_yaml(tmp_path: Path) -> None:
    toml = (
        "+++\ntitle = 'Ferry fares rise'\ndate = 2026-11-20T09:30:00+01:00\n"
        'tags = ["ferries", "fares"]\nsummary = "Tickets cost more from May."\n'
        "publishDate = 2026-11-21\n\n[params]\nlayout = 'wide'\n+++\n"
        "“We had no choice,” said Ada Quay, the operator's chief.\n"
    )
    late = "+++\ntitle = 'Later'\ndate = 2026-11-20\nexpiryDate = 2026-11-22\n+++\nGone soon.\n"
    config = site(
        tmp_path,
        {
            "news/fares.md": toml,
            "news/late.md": late,
            "news/bad.md": "+++\ntitle = 'Bad'\ndate = 2026-11-20\ndraft = maybe\n+++\nBody.\n",
            "news/open.md": "+++\ntitle = 'Open'\ndate = 2026-11-20\nBody with no closing.\n",
        },
    )
    result = run(config)
    assert problems(config) == [
        "news/bad.md:4: bad TOML in front matter: Invalid value",
        "news/open.md:1: front matter is not closed: add a '+++' line after it",
    ]
    fares = next(a for a in result.collection.articles if a.title == "Ferry fares rise")
    assert fares.section == "News" and fares.tags == ("ferries", "fares")
    assert fares.summary == "Tickets cost more from May."
    assert fares.published.isoformat() == "2026-11-21T00:00:00+00:00"  # the embargo
    assert fares.location.line == 11
    assert fares.unknown_keys == ("params",)
    assert fares.key_lines["tags"] == 4
    entry = feed(config).entries[0]
    assert entry.title == "Ferry fares rise"
    assert "Later" not in titles(config)  # expired on 2026-11-22, before the build


def test_an_image_given_as_a_mapping_is_read_and_an_early_lastmod_keeps_the_story(
    tmp_path: Path,
) -> None:
    config = site(
        tmp_path,
        {
            "a.md": "---\ntitle: A\ndate: 2026-11-20\nlastmod: 2026-11-02\nimage:\n"
            "  src: /img/quay.jpg\n  alt: The quay at dawn\n---\nBody.\n",
            "b.md": "---\ntitle: B\ndate: 2026-11-20\nimage:\n  caption: No address\n---\nBody.\n",
        },
    )
    result = run(config)
    assert not result.collection.problems
    assert sorted(str(w) for w in result.collection.warnings) == [
        f"{config.articles / 'a.md'}:4: 'lastmod' is before 'date'; the date is used",
        f"{config.articles / 'b.md'}:4: 'image' holds no image URL digest can read"
        " (the story has no photo)",
    ]
    a, b = sorted(result.collection.articles, key=lambda article: article.title)
    assert a.updated == a.published
    assert a.image and (a.image.url, a.image.alt) == (
        "https://harbour.example/img/quay.jpg",
        "The quay at dawn",
    )
    assert b.image is None
