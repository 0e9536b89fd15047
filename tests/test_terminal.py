"""Terminal output: progress bar, grouped problems, summary, and when colour is allowed."""

from __future__ import annotations

import io
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from digest.errors import Problem
from digest.terminal import Terminal, wants_colour
from tests.conftest import NOW_TEXT, ArticleWriter

ESC = "\x1b["
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class FakeTerminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_without_quiet_or_no_color(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert wants_colour(FakeTerminal())
    assert not wants_colour(io.StringIO())
    assert not wants_colour(FakeTerminal(), quiet=True)
    monkeypatch.setenv("NO_COLOR", "1")
    assert not wants_colour(FakeTerminal())
    monkeypatch.setenv("NO_COLOR", "")  # the convention: only a non-empty value counts
    assert wants_colour(FakeTerminal())


def test_problems_grouped_by_file_and_counted() -> None:
    err = io.StringIO()
    terminal = Terminal(io.StringIO(), err)
    terminal.problems(
        [Problem(Path("b.md"), 4, "'date' is not a date")],
        [
            Problem(Path("c.md"), 9, "related: unknown article 'x'"),
            Problem(Path("a.md"), 7, "unknown front-matter key 'colour'"),
            Problem(Path("c.md"), 2, "unknown front-matter key 'mood'"),
        ],
    )
    assert err.getvalue().splitlines() == [
        "a.md:7: warning: unknown front-matter key 'colour'",
        "b.md:4: 'date' is not a date (file skipped)",
        "c.md:2: warning: unknown front-matter key 'mood'",
        "c.md:9: warning: related: unknown article 'x'",
        "digest: 3 warnings, 1 file skipped (in 3 files)",
    ]


def test_no_problems_print_nothing() -> None:
    err = io.StringIO()
    Terminal(io.StringIO(), err).problems([], [])
    assert err.getvalue() == ""


def test_colours_appear_only_when_allowed() -> None:
    plain, coloured = io.StringIO(), FakeTerminal()
    Terminal(plain, plain).info("digest: done", fg="green")
    Terminal(coloured, coloured, colour_out=True).info("digest: done", fg="green")
    assert plain.getvalue() == "digest: done\n"
    assert coloured.getvalue() == f"{ESC}32mdigest: done{ESC}0m\n"


def test_quiet_keeps_warnings_and_drops_the_rest() -> None:
    out, err = io.StringIO(), io.StringIO()
    terminal = Terminal(out, err, quiet=True)
    terminal.info("digest: done")
    terminal.problems([], [Problem(Path("a.md"), 1, "odd")])
    assert out.getvalue() == ""
    assert err.getvalue() == "a.md:1: warning: odd\ndigest: 1 warning (in 1 file)\n"


def test_progress_bar_only_for_a_large_archive_on_a_terminal() -> None:
    err = FakeTerminal()
    with Terminal(io.StringIO(), err).progress("Reading articles", minimum=3) as advance:
        for done in range(1, 5):
            advance(done, 4)
    drawn = err.getvalue()
    assert "Reading articles" in drawn and "100%" in drawn and drawn.endswith("\n")
    for terminal, total in [
        (Terminal(io.StringIO(), FakeTerminal()), 2),  # too small to bother
        (Terminal(io.StringIO(), io.StringIO()), 4),  # not a terminal
        (Terminal(io.StringIO(), FakeTerminal(), quiet=True), 4),  # --quiet
    ]:
        with terminal.progress("Reading articles", minimum=3) as advance:
            for done in range(1, total + 1):
                advance(done, total)
        assert terminal.err.getvalue() == ""  # type: ignore[attr-defined]


def run_on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    """Run `digest` with stdout and stderr on a pseudo-terminal; return what it showed."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "digest", *args],
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
        env={**os.environ, "COLUMNS": "100", **env},
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the program ended
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert process.wait(timeout=60) == 0
    return shown.decode("utf-8")


@pytest.fixture
def large_archive(write_article: ArticleWriter, articles_dir: Path) -> Path:
    for number in range(200):
        write_article(f"story-{number:03d}", date=f"2026-10-{1 + number % 26:02d}T09:00:00Z")
    write_article("odd", colour="red")
    return articles_dir


def test_a_real_terminal_gets_progress_colour_and_summary(
    large_archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    args = ["build", str(large_archive), "--out", str(tmp_path / "o"), "--now", NOW_TEXT]
    shown = run_on_a_terminal(args, {})
    assert "Reading articles" in shown and "100%" in shown
    assert f"{ESC}33m" in shown  # yellow: a warning, and the summary after it
    text = ANSI.sub("", shown)
    assert "odd.md:5: warning: unknown front-matter key 'colour' (ignored)" in text
    assert "digest: 1 warning (in 1 file)" in text
    assert "read 201 articles (0 skipped); 201 published, 1 in the digest" in text

    plain = run_on_a_terminal(args, {"NO_COLOR": "1"})
    assert ESC + "3" not in plain and "Reading articles" in plain
    fresh = ["build", str(large_archive), "--out", str(tmp_path / "q"), "--now", NOW_TEXT]
    quiet = run_on_a_terminal([*fresh, "--quiet"], {})  # a new output folder: a new key
    assert ESC not in quiet and "Reading articles" not in quiet
    assert quiet.splitlines()[-1] == "digest: 1 warning (in 1 file)"
