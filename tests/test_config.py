from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from digest.config import Config, load_config, override, parse_config, parse_duration
from digest.errors import ConfigError


def test_defaults_without_a_file(tmp_path: Path) -> None:
    config = load_config(cwd=tmp_path)
    assert config == Config()
    assert config.window == timedelta(days=7)
    assert config.feed_limit == 50
    assert config.authority == "example.org"


def test_file_values_and_relative_paths(tmp_path: Path) -> None:
    path = tmp_path / "digest.toml"
    path.write_text(
        '[site]\ntitle = "Daily"\nbase_url = "https://news.example.com"\n'
        'timezone = "Europe/Minsk"\n'
        '[build]\narticles = "posts"\n[feeds]\nlimit = 20\n[digest]\nwindow = "24h"\n'
        'section_order = ["World"]\n',
        encoding="utf-8",
    )
    config = load_config(path)
    assert config.title == "Daily"
    assert config.base_url == "https://news.example.com/"
    assert config.articles == tmp_path / "posts"
    assert config.feed_limit == 20
    assert config.window == timedelta(hours=24)
    assert config.section_order == ("World",)
    assert config.zone.key == "Europe/Minsk"


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(
            {
                "site": {"titel": "x", "base_url": "example.org", "timezone": "Mars/Base"},
                "feeds": {"limit": 0},
                "digest": {"window": "a week"},
                "colors": {},
            }
        )
    problems = caught.value.problems
    assert len(problems) == 6
    text = "\n".join(problems)
    assert "unknown key 'site.titel' (allowed: title, tagline" in text
    assert "'site.base_url' must be an absolute http(s) URL" in text
    assert "unknown timezone 'Mars/Base'" in text
    assert "'feeds.limit' must be a whole number of at least 1" in text
    assert "'digest.window' not a duration" in text
    assert "unknown table [colors]" in text
    assert caught.value.exit_code == 2


def test_bad_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "digest.toml"
    path.write_text("[site\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"digest.toml: not valid TOML"):
        load_config(path)


def test_missing_config_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_config(tmp_path / "nope.toml")


def test_templates_in_subject_and_article_path_are_checked() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config({"site": {"article_path": "{section}/"}, "email": {"subject": "{oops}"}})
    assert len(caught.value.problems) == 2


def test_override_applies_only_given_options() -> None:
    config = Config(title="A")
    changed = override(config, output=Path("out"), articles=None)
    assert changed.output == Path("out")
    assert changed.articles == config.articles


@pytest.mark.parametrize(
    ("text", "expected"),
    [("24h", timedelta(hours=24)), ("7d", timedelta(days=7)), (" 2w ", timedelta(weeks=2))],
)
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


def test_bad_duration() -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration("soon")


@pytest.mark.parametrize("key", ["window", "since_last_horizon"])
def test_a_duration_python_cannot_hold_is_a_config_error(key: str) -> None:
    with pytest.raises(ConfigError, match=f"'digest.{key}' duration '99999999999d' is too long"):
        parse_config({"digest": {key: "99999999999d"}})


@pytest.mark.parametrize(
    ("table", "key", "text", "message"),
    [
        ("email", "subject", "{count:>400000000}", "widths and precisions of at most 200"),
        ("email", "subject", "{title:.999999999}", "widths and precisions of at most 200"),
        ("email", "subject", "{headline:^201}", "widths and precisions of at most 200"),
        ("email", "subject", "{count:{headline}}", "may not put a field inside another's"),
        ("site", "article_path", "{slug:>99999999}", "widths and precisions of at most 200"),
        ("email", "utm", {"utm_campaign": "{date:>300}"}, "widths and precisions of at most 200"),
    ],
)
def test_format_widths_are_bounded(table: str, key: str, text: object, message: str) -> None:
    """A width of 400 million would make every build spend minutes building the string."""
    with pytest.raises(ConfigError) as caught:
        parse_config({table: {key: text}})
    [problem] = caught.value.problems
    assert problem.startswith(f"'{table}.{key}' may ")
    assert message in problem


@pytest.mark.parametrize("subject", ["{count:>3} {title:.200}", "{count:03d}", "{issue:*^9}"])
def test_modest_format_widths_are_allowed(subject: str) -> None:
    assert parse_config({"email": {"subject": subject}}).subject == subject
