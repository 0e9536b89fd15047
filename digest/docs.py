"""Generate the README's reference sections from the code: `python -m digest.docs`.

Three sections sit between markers such as `<!-- commands:start -->` and
`<!-- commands:end -->`: every command's `--help`, the configuration table, and the
front-matter reference. `python -m digest.docs` rewrites them in place;
`python -m digest.docs --check` exits 1 when README.md has drifted from the code.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from pathlib import Path

import click

from digest.cli import cli
from digest.config import SETTINGS, SOURCE_SETTINGS
from digest.reference import default_text, front_matter_lines

HELP_WIDTH = 88
README = Path(__file__).resolve().parent.parent / "README.md"


def command_help(name: str | None = None) -> str:
    """`digest [name] --help` as printed on an 88-column terminal."""
    root = click.Context(
        cli,
        info_name="digest",
        terminal_width=HELP_WIDTH,
        max_content_width=HELP_WIDTH,
        **cli.context_settings,
    )
    if name is None:
        return cli.get_help(root)
    command = cli.commands[name]
    context = click.Context(command, info_name=name, parent=root, **command.context_settings)
    return command.get_help(context)


def command_reference() -> str:
    """One `text` block per command, in the order the commands are declared."""
    blocks = [f"```text\n$ digest --help\n{command_help()}\n```"]
    for name in cli.commands:
        blocks.append(f"### `digest {name}`\n\n```text\n{command_help(name)}\n```")
    return "\n\n".join(blocks)


def config_reference() -> str:
    """The `digest.toml` table: every key, its default and what it means."""
    rows = ["| key | default | meaning |", "|---|---|---|"]
    named = [(setting.name, setting) for setting in SETTINGS]
    named += [(f"[[sources]] {setting.key}", setting) for setting in SOURCE_SETTINGS]
    for name, setting in named:
        in_words = setting.default is None or setting.derived
        default = default_text(setting) if in_words else f"`{default_text(setting)}`"
        cells = (f"`{name}`", default, setting.meaning)
        rows.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(rows)


def front_matter_reference() -> str:
    """A YAML block naming every front-matter key, with an example value and a note."""
    lines = [(f"{key}: {example}", note) for key, example, note in front_matter_lines()]
    width = max(len(text) for text, _ in lines) + 2
    body = "\n".join(f"{text.ljust(width)}# {note}" for text, note in lines)
    return f"```yaml\n---\n{body}\n---\nMarkdown body…\n```"


SECTIONS: dict[str, Callable[[], str]] = {
    "commands": command_reference,
    "config": config_reference,
    "front-matter": front_matter_reference,
}


class MissingMarkers(ValueError):
    """The README lacks the markers around a generated section."""


def render_readme(text: str) -> str:
    """`text` with every generated section replaced by what the code says now."""
    for name, render in SECTIONS.items():
        pattern = re.compile(rf"<!-- {name}:start -->\n.*?(?=<!-- {name}:end -->)", re.DOTALL)
        match = pattern.search(text)
        if not match:
            raise MissingMarkers(f"no <!-- {name}:start --> … <!-- {name}:end --> markers")
        start = f"<!-- {name}:start -->\n"
        text = text[: match.start()] + start + render() + "\n" + text[match.end() :]
    return text


def main(argv: list[str] | None = None) -> int:
    """Rewrite README.md's generated sections, or with --check report whether they drifted."""
    parser = argparse.ArgumentParser(prog="python -m digest.docs", description=main.__doc__)
    parser.add_argument("readme", nargs="?", type=Path, default=README)
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 on drift")
    options = parser.parse_args(argv)
    current = options.readme.read_text(encoding="utf-8")
    try:
        wanted = render_readme(current)
    except MissingMarkers as error:
        print(f"{options.readme}: {error}; put them where the section belongs", file=sys.stderr)
        return 2
    if current == wanted:
        print(f"{options.readme}: up to date")
        return 0
    if options.check:
        print(f"{options.readme}: out of date; run python -m digest.docs", file=sys.stderr)
        return 1
    options.readme.write_text(wanted, encoding="utf-8")
    print(f"{options.readme}: rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
