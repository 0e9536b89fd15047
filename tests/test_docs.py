"""The README is generated from the code where it can be, and every example in it runs."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tomllib
import urllib.request
from pathlib import Path

import pytest

from digest.cli import cli
from digest.config import SETTINGS
from digest.docs import MissingMarkers, command_help, main, render_readme
from digest.reference import FRONT_MATTER, format_duration, toml_value
from digest.sources.articles import KNOWN_KEYS
from tests.conftest import ROOT

README = ROOT / "README.md"
SETUP_STEPS = ("python3 -m venv ", ". .venv/bin/activate", "pip install ", "python -m pytest")
"""Quick-start steps that set up a machine (a venv, pip, the test suite): not run here."""


def readme_text() -> str:
    return README.read_text(encoding="utf-8")


def test_readme_matches_the_code() -> None:
    assert render_readme(readme_text()) == readme_text(), "run: python -m digest.docs"


def test_docs_check_and_rewrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy = tmp_path / "README.md"
    copy.write_text(readme_text().replace("| `feeds.limit` | `50` |", "| `feeds.limit` | `5` |"))
    assert main([str(copy), "--check"]) == 1
    assert "out of date; run python -m digest.docs" in capsys.readouterr().err
    assert main([str(copy)]) == 0
    assert copy.read_text() == readme_text()
    assert main([str(copy), "--check"]) == 0


def test_docs_names_missing_markers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy = tmp_path / "README.md"
    copy.write_text(readme_text().replace("<!-- config:end -->", ""))
    assert main([str(copy), "--check"]) == 2
    assert "no <!-- config:start --> … <!-- config:end --> markers" in capsys.readouterr().err
    with pytest.raises(MissingMarkers):
        render_readme("# nothing here\n")


def test_every_command_and_option_is_in_the_readme() -> None:
    text = readme_text()
    for name, command in cli.commands.items():
        assert f"### `digest {name}`" in text
        assert command_help(name) in text
        for param in command.params:
            for opt in param.opts:
                if opt.startswith("-"):
                    assert opt in command_help(name), (name, opt)


def test_every_setting_and_front_matter_key_has_words() -> None:
    assert all(setting.meaning for setting in SETTINGS)
    assert list(FRONT_MATTER) == list(KNOWN_KEYS)


def test_config_table_lists_every_key_with_its_default() -> None:
    rows = dict(  # `table.key`, or `[table]` for a whole table (`[fields]`)
        re.findall(r"^\| `([a-z_]+\.[a-z_]+|\[[a-z_]+\])` \| (.+?) \|", readme_text(), re.MULTILINE)
    )
    assert list(rows) == [setting.name for setting in SETTINGS]
    assert rows["feeds.limit"] == "`50`"
    assert rows["digest.window"] == '`"7d"`'
    assert rows["build.templates"] == "unset"
    for setting in SETTINGS:
        if setting.default is not None and rows[setting.name].startswith("`"):
            value = tomllib.loads(f"v = {rows[setting.name].strip('`')}")["v"]
            assert value == tomllib.loads(f"v = {toml_value(setting.default)}")["v"]


def test_front_matter_reference_lists_every_key() -> None:
    block = readme_text().split("<!-- front-matter:start -->")[1].split("<!-- front-matter:end")[0]
    keys = re.findall(r"^([a-z_]+):", block, re.MULTILINE)
    assert keys == list(KNOWN_KEYS)
    assert re.search(r"^title: .*# required$", block, re.MULTILINE)
    assert re.search(r"^draft: true +# optional; never published$", block, re.MULTILINE)


def test_toml_values_and_durations() -> None:
    from datetime import timedelta

    assert format_duration(timedelta(days=7)) == "7d"
    assert format_duration(timedelta(hours=36)) == "36h"
    assert format_duration(timedelta(seconds=90)) == "90s"
    assert toml_value({"a": 'x"y'}) == '{a = "x\\"y"}'
    assert toml_value((Path("a b"), True, 3)) == '["a b", true, 3]'
    assert (toml_value(30.0), toml_value(0.5)) == ("30", "0.5")


def sh_blocks() -> list[list[str]]:
    """Each ```sh block of the README as its commands, setup steps left out."""
    blocks = re.findall(r"^```sh\n(.*?)^```", readme_text(), re.MULTILINE | re.DOTALL)
    commands = []
    for block in blocks:
        steps = [step.strip() for line in block.splitlines() for step in line.split("&&")]
        runnable = [step for step in steps if step and not step.startswith(SETUP_STEPS)]
        if runnable:
            commands.append(runnable)
    return commands


def example_lines() -> list[str]:
    """Every `Example:` line of the generated command reference."""
    return re.findall(r"^  Example: (digest .+)$", readme_text(), re.MULTILINE)


def test_the_readme_has_examples_to_run() -> None:
    assert len(sh_blocks()) >= 2
    assert {line.split()[1] for line in example_lines()} == set(cli.commands)


@pytest.fixture
def demo_copy(tmp_path: Path) -> Path:
    """A copy of the repository's demo newsroom, where README commands run."""
    shutil.copy(ROOT / "digest.toml", tmp_path / "digest.toml")
    shutil.copytree(ROOT / "sample_articles", tmp_path / "sample_articles")
    return tmp_path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run_preview(args: list[str], cwd: Path) -> None:
    """Start `digest preview` (or `serve`), load its page, press Ctrl-C; it must stop cleanly."""
    process = subprocess.Popen(
        [sys.executable, "-m", "digest", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        env={**os.environ, "DIGEST_SECRET": "docs-example-secret-0123456789"},
    )
    assert process.stdout is not None
    try:
        for line in process.stdout:
            found = re.search(r"(?:preview|pages) at (http://127\.0\.0\.1:\d+/)", line)
            if found:
                with urllib.request.urlopen(found[1], timeout=10) as response:
                    assert response.status == 200
                break
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=20)
    assert process.returncode == 0 and found, stderr


def run_command(command: str, cwd: Path) -> Path:
    """Run one README command in `cwd`; return the folder the next command runs in."""
    args = shlex.split(command)
    if args[0] == "cd":
        return cwd / args[1]
    assert args[0] == "digest", f"unexpected command in the README: {command}"
    if args[1] in ("preview", "serve"):
        if "--port" in args:  # any fixed port may be taken on this machine: use a free one
            args[args.index("--port") + 1] = str(_free_port())
        run_preview(args[1:], cwd)
        return cwd
    result = subprocess.run(
        [sys.executable, "-m", "digest", *args[1:]], cwd=cwd, capture_output=True, text=True
    )
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return cwd


@pytest.mark.parametrize("commands", sh_blocks(), ids=lambda commands: " && ".join(commands))
def test_readme_shell_blocks_run(commands: list[str], demo_copy: Path) -> None:
    cwd = demo_copy
    for command in commands:
        cwd = run_command(command, cwd)


@pytest.mark.parametrize("command", example_lines())
def test_command_examples_run(command: str, demo_copy: Path) -> None:
    run_command(command, demo_copy)


def test_the_readme_says_templates_are_code() -> None:
    """Templates run unsandboxed (an override of `digest.txt` can run programs): say so."""
    section = readme_text().split("### Your own templates\n", 1)[1].split("\n#", 1)[0]
    assert "`build.templates`" in section
    assert "**Templates are code.**" in section
    assert "Only use templates you trust" in section
