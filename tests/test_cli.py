"""The command line, driven with CliRunner: output and exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import digest.incremental.fingerprints
from digest import __version__
from digest.cli import cli
from digest.config import DEFAULT_TEMPLATES
from tests.conftest import NOW_TEXT, ROOT, ArticleWriter


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_version() -> None:
    code, out, _ = run("--version")
    assert code == 0
    assert out.strip() == f"digest, version {__version__}"


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_help_and_an_example(command: str) -> None:
    code, out, _ = run(command, "--help")
    assert code == 0
    assert cli.commands[command].help
    assert "Example: digest " + command in out


def test_build_demo_summary_and_files(tmp_path: Path) -> None:
    out = tmp_path / "public"
    code, stdout, stderr = run(
        "build", str(ROOT / "sample_articles"), "--config", str(ROOT / "digest.toml"),
        "--out", str(out), "--now", NOW_TEXT,
    )  # fmt: skip
    assert code == 0, stderr
    summary = stdout.strip().splitlines()[-1]
    assert summary.startswith("digest: read 30 articles (1 skipped: 1 .txt); 27 published, ")
    assert summary.endswith(f"files written, 0 unchanged in {out}/")
    for name in ("rss.xml", "atom.xml", "feed.json", "digest.html", "digest.txt"):
        assert (out / name).is_file()
    code, stdout, _ = run(
        "build", str(ROOT / "sample_articles"), "--config", str(ROOT / "digest.toml"),
        "--out", str(out), "--now", NOW_TEXT,
    )  # fmt: skip
    assert code == 0
    assert " 0 files written, " in stdout


def test_bad_article_is_reported_and_skipped(
    write_article: ArticleWriter, articles_dir: Path, tmp_path: Path
) -> None:
    write_article("good")
    (articles_dir / "bad.md").write_text("---\ntitle: T\nsection: S\ndate: May 1st\n---\n")
    code, stdout, stderr = run(
        "build", str(articles_dir), "--out", str(tmp_path / "o"), "--now", NOW_TEXT
    )
    assert code == 0
    assert f"{articles_dir}/bad.md:4: 'date' is not a date: 'May 1st'" in stderr
    assert "(1 skipped); 1 published" in stdout


def test_strict_fails_and_writes_nothing(
    write_article: ArticleWriter, articles_dir: Path, tmp_path: Path
) -> None:
    write_article("good")
    (articles_dir / "bad.md").write_text("---\ntitle: T\n---\n")
    out = tmp_path / "o"
    code, _, stderr = run(
        "build", str(articles_dir), "--out", str(out), "--now", NOW_TEXT, "--strict"
    )
    assert code == 1
    assert "bad.md:1: missing required field" in stderr
    assert not out.exists()


def test_a_build_where_every_article_is_rejected_fails_and_keeps_the_outputs(
    write_article: ArticleWriter, articles_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "o"
    good = write_article("good")
    assert run("build", str(articles_dir), "--out", str(out), "--now", NOW_TEXT)[0] == 0
    before = {path: path.read_bytes() for path in out.rglob("*") if path.is_file()}
    good.write_text("---\ntitle: [unclosed\n---\nBody.\n")
    (articles_dir / "bad.md").write_text("---\ntitle: T\n---\n")
    code, _, stderr = run("build", str(articles_dir), "--out", str(out), "--now", NOW_TEXT)
    assert code == 1
    assert "bad.md:1: missing required field" in stderr
    assert "not one of the 2 articles could be used, so nothing was published" in stderr
    assert {path: path.read_bytes() for path in out.rglob("*") if path.is_file()} == before


def test_nothing_new_says_a_previous_digest_is_kept_only_when_there_is_one(
    write_article: ArticleWriter, articles_dir: Path, tmp_path: Path
) -> None:
    write_article("old", date="2026-10-01T09:00:00Z")
    out = tmp_path / "o"
    code, stdout, _ = run("build", str(articles_dir), "--out", str(out), "--now", NOW_TEXT)
    assert code == 0 and not (out / "digest.html").exists()
    assert stdout.splitlines()[0].endswith("; no digest was written")
    assert "previous digest" not in stdout


def test_quiet_prints_only_problems(
    write_article: ArticleWriter, articles_dir: Path, tmp_path: Path
) -> None:
    write_article("good")
    code, stdout, stderr = run(
        "build", str(articles_dir), "--out", str(tmp_path / "o"), "--now", NOW_TEXT, "-q"
    )
    assert code == 0
    assert stdout == "" and stderr == ""


def test_nothing_new_keeps_the_previous_digest(
    write_article: ArticleWriter, articles_dir: Path, tmp_path: Path
) -> None:
    write_article("old", date="2026-10-01T09:00:00Z")
    code, stdout, _ = run(
        "build", str(articles_dir), "--out", str(tmp_path / "o"), "--now", NOW_TEXT
    )
    assert code == 0
    assert "nothing new in the digest window" in stdout
    assert not (tmp_path / "o" / "digest.html").exists()
    assert (tmp_path / "o" / "rss.xml").exists()


def test_config_errors_exit_2_listing_every_problem(tmp_path: Path) -> None:
    config = tmp_path / "digest.toml"
    config.write_text('[site]\nbase_url = "nope"\ncolour = "red"\n')
    code, _, stderr = run("build", str(tmp_path), "--config", str(config))
    assert code == 2
    lines = stderr.strip().splitlines()
    assert len(lines) == 2
    assert all(line.startswith("digest: configuration error: ") for line in lines)


def test_bad_now_is_a_usage_error(articles_dir: Path) -> None:
    code, _, stderr = run("build", str(articles_dir), "--now", "tomorrow")
    assert code == 2
    assert "'tomorrow' is not a time" in stderr


def test_check_reports_and_exits_1(write_article: ArticleWriter, articles_dir: Path) -> None:
    write_article("good")
    (articles_dir / "bad.md").write_bytes(b"---\ntitle: \xff\n---\n")
    code, stdout, stderr = run("check", str(articles_dir))
    assert code == 1
    assert "bad.md:2: not UTF-8 text" in stderr
    assert "checked 2 articles, 1 with problems" in stdout


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run away from the repository's digest.toml, so the defaults apply."""
    monkeypatch.chdir(tmp_path)


def build_args(articles: Path, out: Path, now: str = NOW_TEXT, *extra: str) -> list[str]:
    return ["build", str(articles), "--out", str(out), "--now", now, *extra]


def test_since_last_from_the_command_line(
    elsewhere: None, write_article: ArticleWriter, articles_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "o"
    write_article("thursday", date="2026-11-26T09:00:00Z")
    code, stdout, _ = run(*build_args(articles_dir, out, NOW_TEXT, "--since", "last"))
    assert code == 0
    assert "1 published, 1 in the digest (issue 1);" in stdout
    digest = (out / "digest.html").read_bytes()

    code, stdout, stderr = run(
        *build_args(articles_dir, out, "2026-11-28T06:00:00Z", "--since", "last")
    )
    assert (code, stderr) == (0, "")
    assert stdout.splitlines()[0] == (
        "digest: nothing new in the digest window (since 2026-11-27 06:00 UTC); "
        "the previous digest is kept"
    )
    assert (out / "digest.html").read_bytes() == digest

    write_article("saturday", date="2026-11-29T05:00:00Z")
    code, stdout, _ = run(*build_args(articles_dir, out, "2026-11-29T06:00:00Z", "--since", "LAST"))
    assert code == 0
    assert "2 published, 1 in the digest (issue 2);" in stdout


def test_dry_run_lists_what_would_change_and_writes_nothing(
    elsewhere: None, write_article: ArticleWriter, articles_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "o"
    write_article("thursday", date="2026-11-26T09:00:00Z")
    run(*build_args(articles_dir, out))
    write_article("friday", date="2026-11-27T05:00:00Z")
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    code, stdout, _ = run(*build_args(articles_dir, out, NOW_TEXT, "--dry-run"))
    assert code == 0
    lines = stdout.splitlines()
    assert "would write: digest.html" in lines
    assert "would write: .digest/state.json" in lines
    assert "would write: rss.xml" in lines
    assert "unchanged:   feed.xsl" in lines  # the stylesheet does not depend on articles
    changed = sum(line.startswith("would write: ") for line in lines)
    kept = sum(line.startswith("unchanged:   ") for line in lines)
    assert lines[-1].endswith(
        f"dry run: {changed} files would be written, {kept} unchanged in {out}/"
    )
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before
    code, stdout, _ = run(*build_args(articles_dir, tmp_path / "new", NOW_TEXT, "--dry-run", "-q"))
    assert (code, stdout) == (0, "")
    assert not (tmp_path / "new").exists()


def test_quiet_prints_warnings_only(
    elsewhere: None, write_article: ArticleWriter, articles_dir: Path, tmp_path: Path
) -> None:
    write_article("good", related=["no-such-story"])
    code, stdout, stderr = run(*build_args(articles_dir, tmp_path / "o", NOW_TEXT, "--quiet"))
    assert (code, stdout) == (0, "")
    assert stderr == (
        f"{articles_dir}/good.md:5: warning: related: unknown article 'no-such-story' "
        "(dropped); check the slug\n"
        "digest: 1 warning (in 1 file)\n"
    )


def test_a_damaged_state_file_fails_the_build(
    elsewhere: None, write_article: ArticleWriter, articles_dir: Path, tmp_path: Path
) -> None:
    write_article("good")
    (tmp_path / "o/.digest").mkdir(parents=True)
    (tmp_path / "o/.digest/state.json").write_text("{")
    code, _, stderr = run(*build_args(articles_dir, tmp_path / "o", NOW_TEXT, "--since", "last"))
    assert code == 1
    assert stderr.startswith(f"digest: error: {tmp_path}/o/.digest/state.json: not a digest state")
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == [".digest"]


def test_a_template_mistake_fails_build_and_check_naming_the_line(
    elsewhere: None, write_article: ArticleWriter, articles_dir: Path, tmp_path: Path
) -> None:
    write_article("good")
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "digest.txt").write_text(
        "{{ config.title }}\n{% for s in sections %}\n{{ s.name }\n"
    )
    (templates / "digest.html").write_text(
        "<p>{{ config.title }}</p>\n<p>{{ no_such_thing }}</p>\n"
    )
    config = tmp_path / "digest.toml"
    config.write_text(f'[build]\ntemplates = "{templates}"\n')
    code, stdout, stderr = run("check", str(articles_dir), "--config", str(config))
    assert code == 1
    assert stderr == f"{templates}/digest.txt:3: template error: unexpected '}}'\n"
    shipped = sum(1 for path in DEFAULT_TEMPLATES.iterdir() if path.is_file())
    assert stdout == (
        f"digest: checked 1 articles, 0 with problems; {shipped} templates, 1 with errors; "
        "0 warnings\n"
    )
    (templates / "digest.txt").unlink()
    code, _, stderr = run(
        *build_args(articles_dir, tmp_path / "o", NOW_TEXT, "--config", str(config))
    )
    assert code == 1
    assert stderr == (
        f"digest: error: {templates}/digest.html:2: 'no_such_thing' is undefined; "
        "fix the template\n"
    )
    (templates / "digest.html").unlink()
    (templates / "feed_item.html").write_text("<p>{{ story.nope.deeper }}</p>\n")
    code, _, stderr = run(
        *build_args(articles_dir, tmp_path / "o", NOW_TEXT, "--config", str(config))
    )
    assert code == 1
    assert stderr == (
        f"digest: error: {templates}/feed_item.html:1: 'digest.models.Story object' has no "
        "attribute 'nope'; fix the template\n"
    )
    assert not (tmp_path / "o" / "rss.xml").exists()


def test_check_strict_counts_warnings(
    elsewhere: None, write_article: ArticleWriter, articles_dir: Path
) -> None:
    write_article("good", related=["no-such-story"], colour="red")
    code, stdout, stderr = run("check", str(articles_dir))
    assert code == 0
    assert "warning: related: unknown article 'no-such-story'" in stderr
    assert "good.md:7: warning: unknown front-matter key 'colour' (ignored)" in stderr
    assert stdout.endswith("; 2 warnings\n")
    code, _, _ = run("check", str(articles_dir), "--strict")
    assert code == 1


def test_check_reports_a_missing_template_folder_and_bad_config(
    elsewhere: None, articles_dir: Path, tmp_path: Path
) -> None:
    config = tmp_path / "digest.toml"
    config.write_text('[build]\ntemplates = "nowhere"\n')
    code, _, stderr = run("check", str(articles_dir), "--config", str(config))
    assert code == 1
    assert stderr == f"{tmp_path}/nowhere:1: no such template folder; check build.templates\n"
    config.write_text("[build]\nlock_timeout = -1\n")
    code, _, stderr = run("check", str(articles_dir), "--config", str(config))
    assert code == 2
    assert "'build.lock_timeout' must be a number of seconds from 0 to 86400, got -1" in stderr


@pytest.mark.parametrize(
    ("folder", "reason"),
    [
        ("/proc/self", "cannot read /proc/self/"),  # a file there cannot be read
        ("nowhere", "there is no such folder"),
        ("digest.toml", "there is no such folder"),  # a file
        ("many", "it holds more than 40 files and folders"),
        ("large", "its files hold more than 1 MiB"),
    ],
)
def test_a_template_folder_that_is_not_one_is_a_configuration_error(
    elsewhere: None,
    write_article: ArticleWriter,
    articles_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    folder: str,
    reason: str,
) -> None:
    if folder == "many":
        monkeypatch.setattr(digest.incremental.fingerprints, "MAX_FOLDER_ENTRIES", 40)
    if folder == "large":
        monkeypatch.setattr(digest.incremental.fingerprints, "MAX_FOLDER_BYTES", 2**20)
    write_article("good")
    (tmp_path / "many").mkdir()
    for number in range(41):
        (tmp_path / "many" / f"{number}.html").write_text("<p>{{ config.title }}</p>\n")
    (tmp_path / "large").mkdir()
    (tmp_path / "large" / "digest.txt").write_bytes(b"x" * (2**20 + 1))
    config = tmp_path / "digest.toml"
    config.write_text(f'[build]\ntemplates = "{folder}"\n')
    code, stdout, stderr = run(*build_args(articles_dir, tmp_path / "public"))
    assert code == 2
    assert stderr.startswith(
        f"digest: configuration error: digest.toml: 'build.templates' {folder} is not a folder "
        f"of templates: {reason}"
    )
    assert stderr.endswith(
        "; name the folder that holds your templates (see digest init --templates)\n"
    )
    assert stdout == ""
    assert not (tmp_path / "public").exists()
    code, _, stderr = run("check", str(articles_dir))
    assert code == 1
    assert stderr.startswith(f"{folder}:1: ")  # what `check` reports, not a traceback
    assert stderr.endswith("; check build.templates\n")


@pytest.mark.parametrize("window", ["999999999999d", "999999999d", "9" * 5000 + "s"])
def test_a_window_too_long_to_use_is_a_configuration_error(
    elsewhere: None, articles_dir: Path, tmp_path: Path, window: str
) -> None:
    (tmp_path / "digest.toml").write_text(f'[digest]\nwindow = "{window}"\n')
    code, stdout, stderr = run(*build_args(articles_dir, tmp_path / "public"))
    assert (code, stdout) == (2, "")
    assert stderr.startswith("digest: configuration error: digest.toml: 'digest.window' ")
    assert "too long" in stderr


def test_a_subject_width_too_large_is_a_configuration_error(
    elsewhere: None, write_article: ArticleWriter, articles_dir: Path, tmp_path: Path
) -> None:
    write_article("good")
    (tmp_path / "digest.toml").write_text('[email]\nsubject = "{count:>400000000}"\n')
    code, stdout, stderr = run(*build_args(articles_dir, tmp_path / "public"))
    assert (code, stdout) == (2, "")
    assert stderr == (
        "digest: configuration error: digest.toml: 'email.subject' may use widths and "
        "precisions of at most 200, got '{count:>400000000}'\n"
    )
