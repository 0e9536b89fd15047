"""The issue history seen from the command line, across days (each run with its own --now)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli import cli
from digest.state import STATE_FILE
from tests.conftest import ArticleWriter

DRAFT_LINE = "draft: true  # delete this line to publish\n"


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception  # a traceback is a bug
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(autouse=True)
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run away from the repository's digest.toml, so the defaults apply."""
    monkeypatch.chdir(tmp_path)


def build_at(articles: Path, out: Path, now: str, *extra: str) -> tuple[int, str, str]:
    return run("build", str(articles), "--out", str(out), "--now", now, "--since", "last", *extra)


def issue_ids(out: Path) -> list[list[str]]:
    return [issue["ids"] for issue in json.loads((out / STATE_FILE).read_text())["issues"]]


def test_a_story_that_goes_live_after_its_date_joins_the_next_issue(
    write_article: ArticleWriter, articles_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "o"
    write_article("monday", date="2026-11-23T05:00:00Z")
    assert build_at(articles_dir, out, "2026-11-23T06:00:00Z")[0] == 0
    code, draft_path, _ = run(
        "new", "Tram plan", "--section", "Local", "--dir", str(articles_dir),
        "--now", "2026-11-23T09:00:00Z",
    )  # fmt: skip
    draft = Path(draft_path.strip())
    write_article("tuesday", date="2026-11-24T05:00:00Z")
    broken = write_article("harbour", date="2026-11-24T04:00:00Z")
    broken.write_text(broken.read_text().replace("section: World", "section: [World"))
    code, stdout, stderr = build_at(articles_dir, out, "2026-11-24T06:00:00Z")
    assert code == 0 and "harbour.md:5: bad YAML" in stderr
    assert "(issue 2);" in stdout

    # Tuesday, after the issue: the draft is published (still dated Monday), the file fixed.
    draft.write_text(draft.read_text().replace(DRAFT_LINE, ""))
    write_article("harbour", date="2026-11-24T04:00:00Z")
    code, stdout, stderr = build_at(articles_dir, out, "2026-11-25T06:00:00Z")
    assert (code, stderr) == (0, "")
    assert stdout.splitlines()[-1].startswith(
        "digest: read 4 articles (0 skipped); 4 published, 2 in the digest (issue 3), "
        "2 older stories not sent before join this issue; "
    )
    assert issue_ids(out)[-1] == ["2026-11-23-tram-plan", "harbour"]  # Local, then World
    assert "Tram plan" in (out / "digest.txt").read_text()

    code, stdout, _ = build_at(articles_dir, out, "2026-11-26T06:00:00Z")
    assert code == 0
    assert stdout.startswith("digest: nothing new in the digest window")
    assert len(issue_ids(out)) == 3


def test_one_older_story_and_the_horizon(
    write_article: ArticleWriter, articles_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "o"
    write_article("first", date="2026-11-23T05:00:00Z")
    build_at(articles_dir, out, "2026-11-23T06:00:00Z")
    write_article("late", date="2026-11-22T05:00:00Z")  # in the first issue's window, unsent
    write_article("ancient", date="2026-11-10T05:00:00Z")  # before the horizon (7 days)
    write_article("fresh", date="2026-11-24T05:00:00Z")
    code, stdout, _ = build_at(articles_dir, out, "2026-11-24T06:00:00Z")
    assert code == 0
    assert "2 in the digest (issue 2), 1 older story not sent before joins this issue;" in stdout
    assert issue_ids(out)[-1] == ["fresh", "late"]

    config = tmp_path / "digest.toml"
    config.write_text('[digest]\nsince_last_horizon = "30d"\n')
    code, stdout, _ = build_at(articles_dir, out, "2026-11-25T06:00:00Z", "--config", str(config))
    assert code == 0
    assert "1 in the digest (issue 3), 1 older story not sent before joins this issue;" in stdout
    assert issue_ids(out)[-1] == ["ancient"]

    config.write_text('[digest]\nsince_last_horizon = "soon"\n')
    code, _, stderr = build_at(articles_dir, out, "2026-11-26T06:00:00Z", "--config", str(config))
    assert code == 2
    assert "'digest.since_last_horizon' not a duration: 'soon'" in stderr


def test_a_build_dated_ahead_does_not_stop_the_feeds(
    write_article: ArticleWriter, articles_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "o"
    state = out / STATE_FILE
    write_article("thursday", date="2026-11-26T09:00:00Z")
    assert build_at(articles_dir, out, "2026-11-27T06:00:00Z")[0] == 0
    write_article("friday", date="2026-11-27T09:00:00Z")
    week_ahead = {"SOURCE_DATE_EPOCH": "1796018400"}  # 2026-11-30T06:00:00Z
    code, stdout, _ = run(
        "build", str(articles_dir), "--out", str(out), "--since", "last", env=week_ahead
    )
    assert code == 0 and "(issue 2)" in stdout

    write_article("saturday", date="2026-11-28T09:00:00Z")
    kept = (state.read_bytes(), (out / "digest.html").read_bytes())
    code, stdout, stderr = build_at(articles_dir, out, "2026-11-28T10:00:00Z", "--quiet")
    assert (code, stdout) == (0, "")
    assert stderr.startswith(
        f"{state}:1: warning: issue 2 is dated 2026-11-30, after this build's date 2026-11-28 "
    )
    assert "the feeds are published, but no digest issue is made" in stderr
    assert "remove the issues dated after 2026-11-28 from this file" in stderr
    assert "Headline saturday" in (out / "rss.xml").read_text()
    assert (state.read_bytes(), (out / "digest.html").read_bytes()) == kept
    code, stdout, stderr = build_at(articles_dir, out, "2026-11-28T10:00:00Z")  # replayed
    assert code == 0 and "nothing new" not in stdout  # the warning says why, not this
    assert "3 published, no digest issue (see the warning);" in stdout
    assert "warning: issue 2 is dated 2026-11-30" in stderr

    document = json.loads(state.read_text())  # the recovery the warning advises
    document["issues"] = [i for i in document["issues"] if i["date"] <= "2026-11-28"]
    state.write_text(json.dumps(document))
    code, stdout, stderr = build_at(articles_dir, out, "2026-11-28T11:00:00Z")
    assert (code, stderr) == (0, "")
    assert "2 in the digest (issue 2);" in stdout
    assert issue_ids(out) == [["thursday"], ["saturday", "friday"]]


STATE_PROBLEMS = [
    ("[" * 100_000 + "]" * 100_000, "JSON nested too deeply"),
    ("[]", "not a JSON object"),
    ('{"format": 1, "issues": {"a": 1}}', "'issues' must be a list of objects"),
    ('{"format": 1, "issues": ["x"]}', "'issues' must be a list of objects"),
    ('{"format": 1, "issues": [{"number": 1, "date": 20261127}]}', "'date' must be a date"),
    ('{"format": 1, "issues": [{"number": 1, "date": "0001-01-01"}]}', "out of range"),
]
TIMES = [
    ("0001-01-01T00:00:00+00:00", "out of range: years 1000 to 9998"),
    ("9999-12-31T23:59:59+00:00", "out of range: years 1000 to 9998"),
    (17, "time 17 is not text"),
]
for _sent_at, _reason in TIMES:
    _issue = {"number": 1, "date": "2026-11-26", "sent_at": _sent_at}
    _issue |= {"since": "2026-11-19T06:00:00+00:00", "ids": ["thursday"]}
    STATE_PROBLEMS.append((json.dumps({"format": 1, "issues": [_issue]}), _reason))


@pytest.mark.parametrize(("text", "reason"), STATE_PROBLEMS)
def test_a_misshapen_state_file_is_reported_not_a_traceback(
    write_article: ArticleWriter, articles_dir: Path, tmp_path: Path, text: str, reason: str
) -> None:
    write_article("thursday", date="2026-11-26T09:00:00Z")
    state = tmp_path / "o" / STATE_FILE
    state.parent.mkdir(parents=True)
    state.write_text(text)
    code, _, stderr = build_at(articles_dir, tmp_path / "o", "2026-11-27T06:00:00Z")
    assert code == 1
    assert stderr.startswith(f"digest: error: {state}: not a digest state file (")
    assert reason in stderr
    assert f"delete {state.parent} to start over" in stderr
    assert "Traceback" not in stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--now", "0001-01-01T00:00:00Z"], "'0001-01-01T00:00:00Z' is out of range"),
        (["--now", "9999-12-31T23:59:59Z"], "'9999-12-31T23:59:59Z' is out of range"),
        (["--now", "9999-12-31T23:59:59"], "use a year from 1000 to 9998"),
        (["--since", "0001-01-01T00:00:00Z"], "Invalid value for --since"),
        (["--since", "99999999999d"], "duration '99999999999d' is too long"),
        (["--since", "999999999d"], "at most 36500d (100 years)"),
        (["--since", "9" * 5000 + "s"], "is too long: at most 36500d"),
    ],
)
def test_times_out_of_range_are_usage_errors(
    write_article: ArticleWriter, articles_dir: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    write_article("thursday", date="2026-11-26T09:00:00Z")
    arguments = ["build", str(articles_dir), "--out", str(tmp_path / "o")]
    if "--now" not in args:
        arguments += ["--now", "2026-11-27T06:00:00Z"]
    code, _, stderr = run(*arguments, *args)
    assert code == 2
    assert message in stderr
    assert not (tmp_path / "o").exists()


def test_the_longest_window_reaches_every_article(
    write_article: ArticleWriter, articles_dir: Path, tmp_path: Path
) -> None:
    write_article("old", date="1000-01-02T00:00:00Z")
    code, stdout, _ = run(
        "build", str(articles_dir), "--out", str(tmp_path / "o"),
        "--now", "1001-01-01T00:00:00Z", "--since", "36500d",
    )  # fmt: skip
    assert code == 0 and "1 published, 1 in the digest (issue 1);" in stdout


@pytest.mark.parametrize("epoch", ["999999999999999", "9" * 5000, "253402300800"])
def test_source_date_epoch_out_of_range_is_a_usage_error(
    write_article: ArticleWriter, articles_dir: Path, tmp_path: Path, epoch: str
) -> None:
    write_article("thursday")
    env = {"SOURCE_DATE_EPOCH": epoch}
    code, _, stderr = run("build", str(articles_dir), "--out", str(tmp_path / "o"), env=env)
    assert code == 2
    assert "SOURCE_DATE_EPOCH=" in stderr and "is out of range" in stderr


@pytest.mark.parametrize("command", [["new", "Tram plan", "--section", "Local"], ["init"]])
def test_new_and_init_refuse_a_now_out_of_range(tmp_path: Path, command: list[str]) -> None:
    code, _, stderr = run(*command, "--now", "9999-12-31T23:59:59+14:00")
    assert code == 2
    assert "is out of range: use a year from 1000 to 9998" in stderr
    assert list(tmp_path.iterdir()) == []


def test_a_missing_key_is_named(articles_dir: Path, tmp_path: Path) -> None:
    state = tmp_path / "o" / STATE_FILE
    state.parent.mkdir(parents=True)
    issue = {"number": 1, "date": "2026-11-26", "ids": [], "sent_at": "2026-11-26T06:00:00Z"}
    state.write_text(json.dumps({"format": 1, "issues": [issue]}))
    code, _, stderr = build_at(articles_dir, tmp_path / "o", "2026-11-27T06:00:00Z")
    assert code == 1
    assert f"{state}: not a digest state file (no 'since'); delete" in stderr
