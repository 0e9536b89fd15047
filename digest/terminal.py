"""What a person sees: a progress bar, problems grouped by file and counted, a summary.

Colours and the progress bar appear only on a terminal, and never under `--quiet` or when
`NO_COLOR` is set (https://no-color.org). Messages go to stderr, the summary to stdout.
The library never prints; it hands `Terminal.progress` a callback and returns problems.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

import click

from digest.errors import Problem

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar

    from digest.preview.server import Outcome

PROGRESS_MIN_FILES = 200
"""Archives smaller than this read too fast for a progress bar to help."""

Progress = Callable[[int, int], None]


def wants_colour(stream: TextIO, *, quiet: bool = False) -> bool:
    """Colour only on a terminal, never under --quiet or NO_COLOR."""
    if quiet or os.environ.get("NO_COLOR"):
        return False
    return stream.isatty()


def plural(count: int, noun: str) -> str:
    """`1 warning`, `3 warnings`, `2 stories`."""
    if count == 1:
        return f"{count} {noun}"
    if noun.endswith("y") and noun[-2:-1] not in ("a", "e", "o", "u"):
        return f"{count} {noun[:-1]}ies"
    return f"{count} {noun}s"


def counts(skipped: Sequence[Problem], warnings: Sequence[Problem], repeats: int = 0) -> str:
    """`digest: 3 warnings, 1 file skipped (in 2 files)`, then `; 5 earlier warnings not
    repeated` when `repeats` warnings were left out (under --quiet)."""
    files = {str(p.path) for p in [*skipped, *warnings]}
    parts = []
    if warnings:
        parts.append(click.style(plural(len(warnings), "warning"), fg="yellow", bold=True))
    if skipped:
        parts.append(click.style(f"{plural(len(skipped), 'file')} skipped", fg="red", bold=True))
    line = f"digest: {', '.join(parts)} (in {plural(len(files), 'file')})"
    if repeats:
        line += f"; {plural(repeats, 'earlier warning')} not repeated (build without --quiet)"
    return line


@dataclass(frozen=True)
class Terminal:
    """Where and how to print: the streams, and whether each may be coloured."""

    out: TextIO
    err: TextIO
    quiet: bool = False
    colour_out: bool = False
    colour_err: bool = False

    @classmethod
    def detect(cls, *, quiet: bool = False) -> Terminal:
        """The process's stdout and stderr, coloured where they are terminals."""
        out, err = sys.stdout, sys.stderr
        return cls(
            out,
            err,
            quiet=quiet,
            colour_out=wants_colour(out, quiet=quiet),
            colour_err=wants_colour(err, quiet=quiet),
        )

    def info(self, message: str, *, fg: str | None = None, bold: bool | None = None) -> None:
        """A progress note on stdout; silent under --quiet."""
        if not self.quiet:
            self._echo(self.out, self.colour_out, click.style(message, fg=fg, bold=bold))

    def warn(self, message: str) -> None:
        """A line on stderr, shown even under --quiet."""
        self._echo(self.err, self.colour_err, message)

    @contextmanager
    def progress(self, label: str, *, minimum: int = PROGRESS_MIN_FILES) -> Iterator[Progress]:
        """A callback `(done, total)` drawing a bar on stderr once `total` reaches `minimum`.

        Nothing is drawn when stderr is not a terminal or under --quiet.
        """
        stack = ExitStack()
        bar: list[ProgressBar[int]] = []
        show = not self.quiet and self.err.isatty()

        def advance(done: int, total: int) -> None:
            if not show or total < minimum:
                return
            if not bar:
                bar.append(
                    stack.enter_context(
                        click.progressbar(
                            length=total,
                            label=label,
                            file=self.err,
                            color=self.colour_err,
                            update_min_steps=max(1, total // 100),
                        )
                    )
                )
            bar[0].update(done - bar[0].pos)

        with stack:
            yield advance

    def problems(
        self, skipped: Sequence[Problem], warnings: Sequence[Problem], *, repeats: int = 0
    ) -> None:
        """Every problem as `path:line: message`, grouped by file, then one line of counts
        (naming the `repeats`: earlier warnings left out)."""
        entries = [(p, True) for p in skipped] + [(p, False) for p in warnings]
        if not entries:
            return
        entries.sort(key=lambda entry: (str(entry[0].path), entry[0].line))
        for problem, is_skip in entries:
            place = f"{problem.path}:{problem.line}:" if problem.line else f"{problem.path}:"
            where = click.style(place, bold=True)  # line 0: a feed or its item, no lines
            if is_skip:
                note = click.style("(file skipped)", fg="red", bold=True)
                self.warn(f"{where} {problem.message} {note}")
            else:
                kind = click.style("warning:", fg="yellow", bold=True)
                self.warn(f"{where} {kind} {problem.message}")
        self.warn(counts(skipped, warnings, repeats))

    def _echo(self, stream: TextIO, colour: bool, message: str) -> None:
        click.echo(message, file=stream, color=colour)


class PreviewReport:
    """Prints each preview build: what changed, then the counts, new problems or the error.

    Problems are listed in full only when they differ from the previous build's, so an
    editor saving the same file again sees one line, not the same warnings again.
    """

    def __init__(self, terminal: Terminal) -> None:
        self.terminal = terminal
        self._listed: tuple[Problem, ...] = ()

    def report(self, outcome: Outcome) -> None:
        """Print one build's outcome."""
        label = f"digest: build {outcome.generation}"
        if outcome.changed:
            shown = ", ".join(outcome.changed[:3])
            more = len(outcome.changed) - 3
            label += f" ({shown}{f' and {more} more' if more > 0 else ''} changed)"
        if outcome.error or outcome.result is None:
            self.terminal.warn(click.style(f"{label} failed:", fg="red", bold=True))
            for line in outcome.error.splitlines():
                self.terminal.warn(f"  {line}")
            self.terminal.warn("digest: the page shows this too; save a fix to rebuild")
            return
        result = outcome.result
        skipped, warnings = result.collection.problems, result.warnings
        if (*skipped, *warnings) != self._listed:
            self.terminal.problems(skipped, warnings)
            self._listed = (*skipped, *warnings)
        issues = f", {plural(len(warnings), 'warning')}" if warnings else ""
        issues += f", {plural(len(skipped), 'file')} skipped" if skipped else ""
        self.terminal.info(
            f"{label}: {result.live} published, {result.in_digest} in the digest{issues}",
            fg="yellow" if issues else "green",
        )
