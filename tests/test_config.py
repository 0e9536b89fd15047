from __future__ import annotations

import importlib
import pkgutil
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import timedelta
from pathlib import Path

import pytest

import digest
from digest import config as config_module
from digest import reference
from digest.config import (
    SETTINGS,
    TABLES,
    WHOLE_TABLE,
    Config,
    Setting,
    declared_settings,
    load_config,
    override,
    parse_config,
    parse_duration,
    setting,
)
from digest.docs import config_reference
from digest.errors import ConfigError
from digest.reference import toml_value
from digest.scaffold import config_text


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


def test_every_declared_setting_is_documented_scaffolded_and_read() -> None:
    """A setting declared on `Config` is, with nothing else to edit, a README row, a
    commented line under its table in `digest init`'s file, and a key the loader reads."""
    not_settings = ("source", "sources")  # the file read; the [[sources]] tables (spec.py)
    assert [s.attribute for s in SETTINGS] == [
        f.name for f in fields(Config) if f.name not in not_settings
    ]
    readme = config_reference()
    init = config_text({})
    for declared in SETTINGS:
        assert declared.meaning, declared.name
        assert f"| `{declared.name}` | " in readme
        shown = declared.default if declared.example is None else declared.example
        assert shown is not None, f"{declared.name}: an unset default needs an example"
        table_text = init.split(f"\n[{declared.table}]\n")[1].split("\n[")[0]
        if declared.key == WHOLE_TABLE:  # the table is the setting: a line per entry
            lines = [f"{key} = {toml_value(value)}" for key, value in shown.items()]
            for line in lines:
                assert f"\n# {line}\n" in f"\n{table_text}", declared.name
            raw = tomllib.loads("\n".join(lines))
            loaded = parse_config({declared.table: raw})
            assert getattr(loaded, declared.attribute) == declared.parse(raw)
            assert getattr(Config(), declared.attribute) == declared.default
            continue
        line = f"{declared.key} = {toml_value(shown)}"
        assert f"\n# {line}\n" in f"\n{table_text}", declared.name
        raw = tomllib.loads(line)[declared.key]
        loaded = parse_config({declared.table: {declared.key: raw}})
        assert getattr(loaded, declared.attribute) == declared.parse(raw)
        assert getattr(Config(), declared.attribute) == declared.default


def test_there_is_no_second_list_of_settings() -> None:
    """The per-setting tables that each needed an edit for a new setting are gone, what is
    left is derived from `SETTINGS`, and no module keeps its own list of `table.key` names."""
    for gone in ("PARSERS", "FIELD_NAMES", "PATH_FIELDS"):
        assert not hasattr(config_module, gone)
    for gone in ("SETTINGS", "DERIVED_DEFAULTS", "EXAMPLES", "settings"):
        assert not hasattr(reference, gone)
    assert list(TABLES) == list(dict.fromkeys(s.table for s in SETTINGS))
    assert [s for keys in TABLES.values() for s in keys.values()] == list(SETTINGS)
    assert all(key == s.key for keys in TABLES.values() for key, s in keys.items())
    names = {s.name for s in SETTINGS} | {s.attribute for s in SETTINGS}
    for module_info in pkgutil.walk_packages(digest.__path__, "digest."):
        module = importlib.import_module(module_info.name)
        for variable, value in vars(module).items():
            if isinstance(value, (Mapping, list, tuple, set, frozenset)) and not isinstance(
                value, str
            ):
                listed = names.intersection(item for item in value if isinstance(item, str))
                assert len(listed) < 2, f"{module_info.name}.{variable} lists settings"


def test_a_new_setting_is_one_declaration() -> None:
    @dataclass(frozen=True)
    class Extended(Config):
        colour: str = setting("email", "accent colour of the email", default="navy", parse=str)

    added = declared_settings(Extended)[-1]
    assert added == Setting("email", "colour", "colour", "navy", str, "accent colour of the email")
    assert added.name == "email.colour"
    assert declared_settings(Extended)[:-1] == SETTINGS


def test_a_table_is_declared_in_one_run() -> None:
    """`digest init` writes each table once, so its settings must be declared together."""

    @dataclass(frozen=True)
    class Scattered(Config):
        colour: str = setting("site", "accent colour", default="navy", parse=str)

    with pytest.raises(TypeError, match=re.escape("the settings of [site] are not declared")):
        declared_settings(Scattered)
