"""Memoised work: the one interface every stage that memoises uses the same way.

A stage that could skip work asks `memo.get(key)` first and, when it had to do the work,
`memo.put(key, value)` after. `key` is a digest of every input of that work (`plain_key`,
`repr_key`), so a value found is exactly what the work would give again. The default,
`NO_MEMO`, finds nothing and keeps nothing: a stage reads as if nothing were cached, and a
build passes the memos of its output folder's cache instead (see cache.py).
"""

from __future__ import annotations

import marshal
from typing import Any, Protocol

from digest.incremental.fingerprints import digest

__all__ = ["NO_MEMO", "Memo", "plain_key", "repr_key"]


class Memo(Protocol):
    """Results of earlier work, looked up by a digest of its inputs."""

    def get(self, key: str) -> Any | None:
        """The value stored under `key` (by this build or an earlier one), or None."""

    def put(self, key: str, value: Any) -> None:
        """Keep `value` as what the work keyed `key` gives."""


class _NoMemo:
    """A memo that finds nothing and keeps nothing: every stage's default."""

    def __repr__(self) -> str:
        return "NO_MEMO"

    def get(self, key: str) -> None:
        """Nothing, ever."""
        return None

    def put(self, key: str, value: Any) -> None:
        """Forget `value`."""


NO_MEMO: Memo = _NoMemo()


def plain_key(*values: Any) -> str:
    """A digest of plain values (str, int, tuples, lists and dicts of them: slugs, revisions).

    marshal's version 2 writes a value's bytes whatever objects it shares with others.
    """
    return digest(marshal.dumps(values, 2))


def repr_key(*values: Any) -> str | None:
    """A digest of values by their repr; None if one has no faithful repr (shows an address).

    None is no key: work whose inputs cannot be told equal is never taken as done before.
    """
    inputs = repr(values)
    if " at 0x" in inputs:
        return None
    return digest(inputs.encode("utf-8", "surrogatepass"))
