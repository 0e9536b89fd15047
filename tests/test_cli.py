"""The command line, driven with CliRunner: output and exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from digest import __version__
from digest.cli import cli
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
    assert summary.startswith("digest: read 30 articles (0 skipped); 27 published, ")
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
    code, stdout, stderr = run("build", str(articles_dir), "--out", str(tmp_path / "o"), "--now", NOW_TEXT)
    assert code == 0
    assert f"{articles_dir}/bad.md:4: 'date' is not a date: 'May 1st'" in stderr
    assert "(1 skipped); 1 published" in stdout


def test_strict_fails_and_writes_nothing(
    write_article: ArticleWriter, articles_dir: Path, tmp_path: Path
) -> None:
    write_article("good")
    (articles_dir / "bad.md").write_text("---\ntitle: T\n---\n")
    out = tmp_path / "o"
    code, _, stderr = run("build", str(articles_dir), "--out", str(out), "--now", NOW_TEXT, "--strict")
    assert code == 1
    assert "bad.md:1: missing required field" in stderr
    assert not out.exists()


def test_quiet_prints_only_problems(write_article: ArticleWriter, articles_dir: Path, tmp_path: Path) -> None:
    write_article("good")
    code, stdout, stderr = run("build", str(articles_dir), "--out", str(tmp_path / "o"), "--now", NOW_TEXT, "-q")
    assert code == 0
    assert stdout == "" and stderr == ""


def test_nothing_new_keeps_the_previous_digest(
    write_article: ArticleWriter, articles_dir: Path, tmp_path: Path
) -> None:
    write_article("old", date="2026-10-01T09:00:00Z")
    code, stdout, _ = run("build", str(articles_dir), "--out", str(tmp_path / "o"), "--now", NOW_TEXT)
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
