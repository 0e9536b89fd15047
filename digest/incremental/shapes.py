"""Whether a value read from a cache has the shape its type hint describes.

The unpicklers (safe_pickle.py) let a cache file build only plain values and a few of our
dataclasses, but in any arrangement: a record could be a tuple of the wrong length, or
hold a number where a title belongs. A build must never trust that: a cache whose values
are not what the code would have written is no cache (see `cache.load_cache`).

`shape(hint)` compiles a hint into a function telling whether a value has that shape.
Hints may be plain types, `X | None`, `tuple[X, Y]`, `tuple[X, ...]`, `list[X]`,
`dict[K, V]`, `Mapping[K, V]`, `Any`, `datetime` (aware, in a year that any time zone
shift keeps in range), dataclasses (exactly that class, each field by its own hint) and
other classes (any instance). An archive's worth of records is checked in a fraction of
the time reading them takes: the exact types of a tuple's items are looked up at once
(`tuple(map(type, value))`), and only items that hold more are looked into.
"""

from __future__ import annotations

import itertools
import types
from collections.abc import Callable, Mapping, Sequence
from dataclasses import fields, is_dataclass
from datetime import datetime
from functools import cache
from operator import attrgetter
from typing import Any, Union, get_args, get_origin, get_type_hints

Check = Callable[[Any], bool]

_PLAIN: dict[Any, frozenset[type]] = {
    str: frozenset({str}),
    int: frozenset({int}),
    bool: frozenset({bool}),
    float: frozenset({float, int}),
    bytes: frozenset({bytes}),
    None: frozenset({type(None)}),
    type(None): frozenset({type(None)}),
}
"""Hints whose values are told by their exact type alone (a bool is no int here)."""


def fields_hint(cls: type, names: Sequence[str]) -> Any:
    """The hint of a tuple of the values of `cls`'s fields `names` (a dataclass as plain values)."""
    hints = get_type_hints(cls)
    return tuple[tuple(hints[name] for name in names)]  # type: ignore[misc]


def shape(hint: Any) -> Check:
    """A function telling whether a value has the shape `hint` describes."""
    return _shape(hint)


@cache
def _shape(hint: Any) -> Check:
    types_allowed, deeper = _top(hint), _deeper(hint)
    if deeper is None:
        if types_allowed is None:
            return lambda value: True
        return lambda value: type(value) in types_allowed
    if types_allowed is None:
        return deeper
    return lambda value: type(value) in types_allowed and deeper(value)


@cache
def _top(hint: Any) -> frozenset[type] | None:
    """The exact types a value of `hint` may have; None: any (or classes with subclasses)."""
    origin = get_origin(hint)
    if hint in _PLAIN:
        return _PLAIN[hint]
    if origin in (Union, types.UnionType):
        parts = [_top(arg) for arg in get_args(hint)]
        known = [part for part in parts if part is not None]
        return frozenset().union(*known) if len(known) == len(parts) else None
    if origin in (tuple, list, dict):
        return frozenset({origin})
    if origin is Mapping:
        return frozenset({dict})
    if hint is datetime or (isinstance(hint, type) and is_dataclass(hint)):
        return frozenset({hint})
    return None


@cache
def _deeper(hint: Any) -> Check | None:
    """What to check of a value of `hint` beyond its exact type; None: nothing."""
    origin, args = get_origin(hint), get_args(hint)
    if hint in _PLAIN:
        return None
    if origin in (Union, types.UnionType):
        return _union(hint, args)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return _items(args[0])
        return _fixed(args)
    if origin is list:
        return _items(args[0])
    if origin in (dict, Mapping):
        return _entries(args[0], args[1])
    if hint is datetime:
        return _aware
    if isinstance(hint, type) and is_dataclass(hint):
        return _dataclass(hint)
    if hint is Any:
        return None
    if isinstance(hint, type):
        return lambda value: isinstance(value, hint)
    raise TypeError(f"no shape check for {hint!r}")


def _union(hint: Any, args: tuple[Any, ...]) -> Check | None:
    """`X | Y`: a value is checked as the member its exact type belongs to, when the members'
    types tell them apart (`Image | None`); else as any member it fits."""
    if all(_deeper(arg) is None for arg in args) and _top(hint) is not None:
        return None
    tops = [top for top in map(_top, args) if top is not None]
    if len(tops) == len(args):  # then the value's exact type is among `tops`, checked already
        members = {
            kind: _deeper(arg) or _always
            for arg, top in zip(args, tops, strict=True)
            for kind in top
        }
        if len(members) == sum(map(len, tops)):
            return lambda value: members.get(type(value), _never)(value)
    checks = [shape(arg) for arg in args]
    return lambda value: any(check(value) for check in checks)


def _fixed(args: tuple[Any, ...]) -> Check:
    """`tuple[X, Y, …]`: the items' exact types looked up at once, then what they hold."""
    tops = [top for top in map(_top, args) if top is not None]
    if len(tops) < len(args):
        checks = [shape(arg) for arg in args]
        return lambda value: (
            len(value) == len(checks)
            and all(check(item) for check, item in zip(checks, value, strict=True))
        )
    allowed = frozenset(itertools.product(*tops))
    first = [args.index(arg) for arg in args]  # where each item's hint first comes
    inner = [(i, first[i], deeper) for i, deeper in enumerate(map(_deeper, args)) if deeper]
    once = [(index, item) for index, earlier, item in inner if earlier == index]
    again = [entry for entry in inner if entry[1] != entry[0]]

    def check(value: tuple[Any, ...]) -> bool:
        if tuple(map(type, value)) not in allowed:
            return False
        for index, item in once:  # a loop: twice as fast as all() here
            if not item(value[index]):
                return False
        for index, earlier, item in again:  # the very value checked there passes here too
            if value[index] is not value[earlier] and not item(value[index]):
                return False
        return True

    return check


def _items(hint: Any) -> Check:
    """`tuple[X, ...]` or `list[X]`, beyond its own type: every item is an X."""
    top, deeper = _top(hint), _deeper(hint)
    if top is not None and deeper is None:
        return lambda value: set(map(type, value)) <= top
    check = shape(hint)
    return lambda value: all(map(check, value))


def _entries(key_hint: Any, item_hint: Any) -> Check:
    """`dict[K, V]` beyond its own type: every key a K, every value a V."""
    keys, items = _items(key_hint), _items(item_hint)
    return lambda value: keys(value.keys()) and items(value.values())


def _aware(value: datetime) -> bool:
    return value.tzinfo is not None and 1 < value.year < 9999


def _dataclass(cls: type) -> Check:
    """A dataclass beyond its own type: its fields' values, checked as a tuple of them."""
    hints = get_type_hints(cls)
    names = [field.name for field in fields(cls)]
    values = attrgetter(*names) if len(names) > 1 else (lambda value: (getattr(value, names[0]),))
    check_values = _fixed(tuple(hints[name] for name in names))  # `values` gives a tuple

    def check(value: Any) -> bool:
        try:
            return check_values(values(value))
        except AttributeError:  # a field never set
            return False

    return check


def _never(value: Any) -> bool:
    return False


def _always(value: Any) -> bool:
    return True
