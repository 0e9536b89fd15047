"""Measures of work that do not depend on the machine, for tests that a parser stays linear.

Wall time is never asserted: it varies with the machine and its load. These count what the
code does instead, so a test can check that doubling a hostile input about doubles the count
(a quadratic scan would make it four times as large).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import FrameType
from typing import Any, SupportsIndex


def calls(function: Callable[[], object]) -> int:
    """How many Python and built-in functions ``function()`` calls, itself included."""
    count = 0

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        nonlocal count
        count += event in ("call", "c_call")

    sys.setprofile(profile)
    try:
        function()
    finally:
        sys.setprofile(None)
    return count


class ReadCountingStr(str):
    """A string that counts the characters copied by its slices and scanned by its find().

    Regular expressions reading it are not counted: a search from an offset that stops at
    its first match reads no more than a loop would.
    """

    read: int

    def __new__(cls, text: str) -> ReadCountingStr:
        string = super().__new__(cls, text)
        string.read = 0
        return string

    def __getitem__(self, key: SupportsIndex | slice) -> str:
        if isinstance(key, slice):
            start, stop, _ = key.indices(len(self))
            self.read += max(0, stop - start)
        else:
            self.read += 1
        return str.__getitem__(self, key)

    def find(
        self, sub: str, start: SupportsIndex | None = None, end: SupportsIndex | None = None
    ) -> int:
        found = str.find(self, sub, start, end)
        first, last, _ = slice(start, end).indices(len(self))
        self.read += max(0, (found + len(sub) if found >= 0 else last) - first)
        return found
