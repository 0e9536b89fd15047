"""Unpicklers for our own caches that build only values and dataclasses: no code runs.

A tampered cache file can make a build slower (it is then ignored), never make it run
anything: only the classes named here, or our own dataclasses for the replay record,
can be built.
"""

from __future__ import annotations

import pickle
from dataclasses import is_dataclass
from typing import Any

_SAFE_GLOBALS = {
    ("datetime", "datetime"),
    ("datetime", "date"),
    ("datetime", "timedelta"),
    ("datetime", "timezone"),
    ("zoneinfo", "ZoneInfo"),
    ("digest.models", "Image"),
    ("digest.models", "LeadQuote"),
    ("digest.models", "RelatedLink"),
}
_REPLAYABLE_MODULES = ("digest.",)
_PATHS = ("PosixPath", "WindowsPath", "PurePosixPath")

READ_ERRORS = (
    OSError,
    pickle.UnpicklingError,
    EOFError,
    ValueError,
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

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _SAFE_GLOBALS:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")
        return super().find_class(module, name)


class ReplayUnpickler(SafeUnpickler):
    """Also builds our own dataclasses (results, problems) and paths; still no code runs."""

    def find_class(self, module: str, name: str) -> Any:
        if module == "pathlib" and name in _PATHS:
            return pickle.Unpickler.find_class(self, module, name)
        if module.startswith(_REPLAYABLE_MODULES) and "." not in name:
            found = pickle.Unpickler.find_class(self, module, name)
            if is_dataclass(found) and isinstance(found, type):
                return found
        return super().find_class(module, name)
