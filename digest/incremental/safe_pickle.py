"""Unpicklers for our own caches that build only values and dataclasses: no code runs.

A tampered cache file can make a build slower (it is then ignored), never make it run
anything: only the classes named here can be built, and a name is checked against them
before anything is imported (importing a module runs it).
"""

from __future__ import annotations

import pickle
from typing import Any

_SAFE_GLOBALS = frozenset(
    {
        ("datetime", "datetime"),
        ("datetime", "date"),
        ("datetime", "timedelta"),
        ("datetime", "timezone"),
        ("zoneinfo", "ZoneInfo"),
        ("digest.models", "Image"),
        ("digest.models", "LeadQuote"),
        ("digest.models", "RelatedLink"),
    }
)
_REPLAY_GLOBALS = _SAFE_GLOBALS | frozenset(
    {
        ("pathlib", "PosixPath"),
        ("digest.errors", "Problem"),
        ("digest.models", "Article"),
        ("digest.models", "Collection"),
        ("digest.models", "BuildResult"),
        ("digest.models", "IssueRecord"),
        ("digest.models", "Location"),
        ("digest.models", "Published"),
        ("digest.incremental.replay", "Unchanged"),
    }
)
"""What the replay record holds: a build's result and the dataclasses in it."""

READ_ERRORS = (
    OSError,
    pickle.UnpicklingError,
    EOFError,
    ValueError,
    OverflowError,
    TypeError,
    AttributeError,
    IndexError,
    KeyError,
    ImportError,
    MemoryError,
    RecursionError,
)
"""What reading a damaged or foreign cache file can raise; each just means "no cache"."""


class SafeUnpickler(pickle.Unpickler):
    """Builds only plain values and dates: a tampered cache cannot run code."""

    allowed: frozenset[tuple[str, str]] = _SAFE_GLOBALS

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self.allowed:  # before importing `module`, which runs it
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")
        return super().find_class(module, name)


class ReplayUnpickler(SafeUnpickler):
    """Also builds the replay record's dataclasses (a result, its problems) and paths."""

    allowed = _REPLAY_GLOBALS


class IssueUnpickler(SafeUnpickler):
    """Also builds an issue's record and its sections of stories (`digest send`'s input)."""

    allowed = _SAFE_GLOBALS | frozenset(
        {
            ("pathlib", "PosixPath"),
            ("digest.models", "Article"),
            ("digest.models", "IssueRecord"),
            ("digest.models", "Location"),
            ("digest.models", "Section"),
            ("digest.models", "Story"),
        }
    )
