"""What a build is asked to do: the arguments that decide its outputs, in one value."""

from __future__ import annotations

from dataclasses import astuple, dataclass
from datetime import datetime


@dataclass(frozen=True)
class BuildRequest:
    """One build's own inputs, besides the configuration and the sources it reads.

    Every field decides what the build writes, so every field is in the replay key
    (see `replay.inputs_key`): a field added here is keyed without anything else to do.
    """

    now: datetime
    since: datetime | None = None  # start of the digest window; None: the configured one
    since_last: bool = False  # start where the previous issue ended (`--since last`)
    strict: bool = False  # any article problem fails the build
    dry_run: bool = False  # write nothing, take no lock

    def key(self) -> str:
        """The request as the replay key takes it: the repr of each field, in order."""
        return repr([repr(value) for value in astuple(self)])
