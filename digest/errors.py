"""One small exception hierarchy, and the exit codes in one place."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

EXIT_OK = 0
EXIT_BUILD_FAILED = 1
EXIT_USAGE = 2


@dataclass(frozen=True)
class Problem:
    """Something wrong with one input file, reported like a compiler message."""

    path: Path | str  # a file, or a feed's or item's URL
    line: int  # 0: the input has no lines to name (a feed, a feed's item)
    message: str

    def __str__(self) -> str:
        if not self.line:
            return f"{self.path}: {self.message}"
        return f"{self.path}:{self.line}: {self.message}"


class DigestError(Exception):
    """Base class for every error a user can cause; never a bug."""

    exit_code = EXIT_BUILD_FAILED


class ConfigError(DigestError):
    """The configuration file or a command-line option is wrong."""

    exit_code = EXIT_USAGE

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class ArticleError(DigestError):
    """Articles could not be used: under --strict, or when not one of them could."""

    def __init__(self, problems: list[Problem], conclusion: str = "") -> None:
        self.problems = problems
        super().__init__("\n".join([*map(str, problems), *([conclusion] if conclusion else [])]))


class RenderError(DigestError):
    """A template or an output could not be rendered."""


class PublishError(DigestError):
    """Outputs could not be written; previous outputs are untouched."""
