"""What the commands share, in cli.py and digest/send/commands.py alike: the `--config`
option, loading the configuration, and failing with a clean message and exit code."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from digest.config import Config, load_config, override
from digest.errors import ConfigError, DigestError

CONFIG = click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Configuration file (default: ./digest.toml if present).",
)


def fail(error: DigestError) -> NoReturn:
    """Print `error` as `digest: error: …` lines on stderr and exit with its code."""
    label = "configuration error" if isinstance(error, ConfigError) else "error"
    for line in str(error).splitlines():
        click.echo(f"digest: {label}: {line}", err=True)
    sys.exit(error.exit_code)


def load(config_file: Path | None, **changes: object) -> Config:
    """The configuration with the options given; a wrong one fails the command (exit 2)."""
    try:
        return override(load_config(config_file), **changes)
    except ConfigError as error:
        fail(error)
