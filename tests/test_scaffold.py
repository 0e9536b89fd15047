"""`digest init` and `digest new`: what they write, that it builds, that they never overwrite."""

from __future__ import annotations

import re
import tomllib
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli import cli
from digest.config import (
    DEFAULT_TEMPLATES,
    SETTINGS,
    WHOLE_TABLE,
    Config,
    load_config,
    parse_config,
)
from digest.reference import toml_value
from digest.scaffold import article_slug, config_text, draft_text
from digest.sources.articles import parse_article
from tests.conftest import NOW_TEXT, ArticleWriter

LATER = "2026-11-27T07:00:00Z"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_config_text_lists_every_setting_and_uncommented_gives_the_defaults() -> None:
    text = config_text({"site.title": "Gazette"})
    for setting in SETTINGS:
        keys = list(setting.example) if setting.key == WHOLE_TABLE else [setting.key]
        for key in keys:  # a whole table's example: a line per entry
            assert re.search(rf"^#? ?{key} = ", text, re.MULTILINE), setting.name
        assert f"# {setting.meaning.replace('`', chr(39))}" in text
    set_values = {table: keys for table, keys in tomllib.loads(text).items() if keys}
    assert set_values == {"site": {"title": "Gazette"}}
    uncommented = re.sub(r"^# (\w+ = )", r"\1", text, flags=re.MULTILINE)
    for setting in SETTINGS:  # those with an example show it, not the default
        if setting.key == WHOLE_TABLE:
            for key, value in setting.example.items():
                uncommented = uncommented.replace(f"{key} = {toml_value(value)}", "")
        elif setting.example is not None:
            uncommented = uncommented.replace(f"{setting.key} = {toml_value(setting.example)}", "")
    config = parse_config(tomllib.loads(uncommented))
    assert config == Config(title="Gazette")


def test_init_writes_a_newsroom_that_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = run("init", "gazette", "--now", NOW_TEXT)
    assert code == 0
    assert out.splitlines() == [
        "Created a newsroom in gazette/:",
        "  gazette/digest.toml",
        "  gazette/articles/library-winter-hours.md",
        "Next:",
        "  cd gazette",
        '  digest new "Your first headline" --section Local',
        "  digest preview",
    ]
    config = load_config(tmp_path / "gazette" / "digest.toml")
    assert (config.title, config.articles.name, config.templates) == ("Gazette", "articles", None)
    monkeypatch.chdir(tmp_path / "gazette")
    code, out, err = run("build", "--now", LATER)
    assert code == 0, err
    assert err == ""
    assert "read 1 articles (0 skipped); 1 published, 1 in the digest" in out
    digest = (tmp_path / "gazette" / "public" / "digest.html").read_text(encoding="utf-8")
    assert "Town library stays open late through the winter" in digest
    assert "a library matters most" in digest  # the lead quote


def test_init_with_templates_copies_ours_and_uses_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = run("init", "--templates", "--now", NOW_TEXT)
    assert code == 0
    assert "  cd " not in out
    ours = sorted(p.name for p in DEFAULT_TEMPLATES.iterdir() if p.is_file())
    assert sorted(p.name for p in (tmp_path / "templates").iterdir()) == ours
    for name in ours:
        assert (tmp_path / "templates" / name).read_bytes() == (
            DEFAULT_TEMPLATES / name
        ).read_bytes()
    assert load_config(tmp_path / "digest.toml").templates == tmp_path / "templates"
    text = tmp_path / "templates" / "digest.txt"
    text.write_text("Our own footer\n" + text.read_text(encoding="utf-8"), encoding="utf-8")
    assert run("build", "--now", LATER)[0] == 0
    assert (
        (tmp_path / "public" / "digest.txt")
        .read_text(encoding="utf-8")
        .startswith("Our own footer")
    )


def test_init_refuses_to_overwrite_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "library-winter-hours.md").write_text("mine")
    code, out, err = run("init", str(tmp_path), "--templates")
    assert code == 1
    assert out == ""
    assert err == (
        f"digest: error: {tmp_path}/articles/library-winter-hours.md already exists; "
        "digest never overwrites files: move them away or pick another folder\n"
    )
    assert (tmp_path / "articles" / "library-winter-hours.md").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["articles"]


@pytest.fixture
def tokyo(tmp_path: Path) -> Path:
    """A newsroom in Tokyo time, so 'now in the site timezone' is visible."""
    config = tmp_path / "digest.toml"
    config.write_text('[site]\ntimezone = "Asia/Tokyo"\n[build]\narticles = "articles"\n')
    return config


def test_new_writes_a_draft_with_front_matter(tokyo: Path, tmp_path: Path) -> None:
    code, out, err = run(
        "new", "Bridge: it's back, and \"wider\"", "--section", "Media & Culture",
        "--config", str(tokyo), "--now", NOW_TEXT,
    )  # fmt: skip
    path = tmp_path / "articles" / "bridge-it-s-back-and-wider.md"
    assert code == 0
    assert out == f"{path}\n"
    assert "delete its 'draft: true' line" in err
    text = path.read_text(encoding="utf-8")
    assert "\ndate: 2026-11-27T15:00:00+09:00\n" in text
    assert "\nid: 2026-11-27-bridge-it-s-back-and-wider\n" in text
    article, problems = parse_article(text, path=path, config=load_config(tokyo))
    assert problems == []
    assert article is not None
    assert article.title == 'Bridge: it\'s back, and "wider"'
    assert article.section == "Media & Culture"
    assert article.published == datetime.fromisoformat(NOW_TEXT)
    assert article.id == "2026-11-27-bridge-it-s-back-and-wider"
    assert article.draft


def test_new_article_is_published_once_the_draft_line_goes(
    tokyo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = run("new", "Ferry fares frozen", "--section", "Business", "--now", NOW_TEXT)
    assert code == 0
    path = Path(out.strip())
    code, out, _ = run("build", "--now", LATER)
    assert "0 published" in out
    path.write_text(path.read_text().replace("draft: true  # delete this line to publish\n", ""))
    code, out, _ = run("build", "--now", LATER)
    assert code == 0 and "1 published, 1 in the digest" in out
    feed = (tmp_path / "public" / "atom.xml").read_text(encoding="utf-8")
    assert "<id>tag:example.org,2026:2026-11-27-ferry-fares-frozen</id>" in feed


def test_new_refuses_to_overwrite_or_reuse_a_slug(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    (folder / "world").mkdir(parents=True)
    (folder / "world" / "floods.md").write_text("mine")
    code, out, err = run("new", "Floods", "--section", "World", "--dir", str(folder))
    assert code == 1 and out == ""
    assert f"{folder}/world/floods.md already has the slug 'floods'" in err
    assert (folder / "world" / "floods.md").read_text() == "mine"
    code, out, _ = run(
        "new", "Floods", "--section", "World", "--dir", str(folder), "--slug", "floods-2"
    )
    assert code == 0 and out.strip() == f"{folder}/floods-2.md"


@pytest.mark.parametrize(
    ("headline", "section", "message"),
    [
        ("Минск", "World", "cannot make a file name from 'Минск'"),
        ("   ", "World", "the headline is empty"),
        ("Fine", "!!", "the section '!!' has no letters or digits"),
    ],
)
def test_new_explains_what_it_cannot_use(
    tmp_path: Path, headline: str, section: str, message: str
) -> None:
    code, _, err = run("new", headline, "--section", section, "--dir", str(tmp_path))
    assert code == 1
    assert message in err
    assert list(tmp_path.iterdir()) == []


def test_long_headlines_are_cut_at_a_word() -> None:
    slug = article_slug("Council " + "very " * 20 + "long vote")
    assert len(slug) <= 60 and slug.startswith("council-very-") and not slug.endswith("-")
    assert article_slug("x", slug="given-slug") == "given-slug"


def test_new_checks_slugs_and_ids_as_a_build_reads_them(
    write_article: ArticleWriter, articles_dir: Path
) -> None:
    write_article("tram_plan", title="Tram plan")  # published; its slug is tram-plan
    write_article("buses", slug="bus-lanes")
    write_article("ferry", id="2026-11-27-ferry-fares")
    (articles_dir / "tram-plan-2.md").write_text("not an article yet")  # claims its file name
    folder = ["--dir", str(articles_dir), "--now", NOW_TEXT]
    code, out, err = run("new", "Tram plan", "--section", "Local", *folder)
    assert (code, out) == (1, "")
    assert err == (
        f"digest: error: {articles_dir}/tram_plan.md already has the slug 'tram-plan'; "
        "pick another headline or --slug (e.g. --slug tram-plan-3)\n"
    )
    code, _, err = run("new", "Bus lanes", "--section", "Local", *folder)
    assert code == 1 and f"{articles_dir}/buses.md already has the slug 'bus-lanes'" in err
    code, _, err = run("new", "Ferry fares", "--section", "Local", *folder)
    assert code == 1
    assert f"{articles_dir}/ferry.md already has the id '2026-11-27-ferry-fares'" in err
    code, _, err = run("new", "Tram plan", "--section", "Local", *folder, "--slug", "tram-plan-")
    assert code == 1 and "--slug 'tram-plan-' cannot be used" in err and "'tram-plan'" in err
    assert sorted(p.name for p in articles_dir.iterdir()) == [
        "buses.md", "ferry.md", "tram-plan-2.md", "tram_plan.md",
    ]  # fmt: skip
    code, out, _ = run("new", "Tram plan", "--section", "Local", *folder, "--slug", "tram-plan-3")
    assert code == 0 and out == f"{articles_dir}/tram-plan-3.md\n"


def test_a_draft_with_a_live_storys_slug_never_takes_it_offline(
    write_article: ArticleWriter, articles_dir: Path, tmp_path: Path
) -> None:
    published = write_article("tram_plan", title="Tram plan", section="Local")  # one URL
    draft = articles_dir / "tram-plan.md"  # what `digest new "Tram plan"` used to write
    draft.write_text(
        draft_text(
            title="Tram plan", section="Local", published=datetime.fromisoformat(LATER),
            slug="tram-plan",
        )
    )  # fmt: skip
    out = tmp_path / "public"
    code, stdout, stderr = run("build", str(articles_dir), "--out", str(out), "--now", LATER)
    assert code == 0
    assert "1 published, 1 in the digest" in stdout
    assert f"{draft}:1: duplicate slug 'tram-plan' (also {published}:1, published" in stderr
    assert "<title>Tram plan</title>" in (out / "rss.xml").read_text()
