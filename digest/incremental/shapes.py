"""Whether a value read from a cache has the shape its type hint describes.

The unpicklers (safe_pickle.py) let a cache file build only plain values and a few of our
dataclasses, but in any arrangement: a record could be a tuple of the wrong length, or
hold a number where a title belongs. A build must never trust that: a cache whose values
are not what the code would have written is no cache (see `cache.load_cache`).

`shape(hint)` compiles a hint into a function telling whether a value has that shape.
Hints may be plain types, `X | None`, `tuple[X, Y]`, `tuple[X, ...]`, `list[X]`,
`dict[K, V]`, `Mapping[K, V]`, `Any`, `datetime` (aware, in a year that any time zone
shift keeps in range), dataclasses (exactly that class, each field by its own hint) and
other classes (any instance). The function is written out as Python source, one test
after another with no calls between them, since an archive's records are checked on
every edited build: a tuple's items are unpacked into names, items of a plain type are
told by `set(map(type, …))` (strings by `''.join`) at C speed, and only values that hold
more are looped over. Nor is anything checked twice: a dict that many values share (the
key lines of every article with one front-matter layout) is checked once per hint, and
an item of a tuple that is the very object of an earlier item of the same hint (an
article's `updated`, mostly its `published`) is not checked again.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping, Sequence
from dataclasses import fields, is_dataclass
from datetime import datetime
from functools import cache
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
_STRINGS = _PLAIN[str]


def fields_hint(cls: type, names: Sequence[str]) -> Any:
    """The hint of a tuple of the values of `cls`'s fields `names` (a dataclass as plain values)."""
    hints = get_type_hints(cls)
    return tuple[tuple(hints[name] for name in names)]  # type: ignore[misc]


def shape(hint: Any) -> Check:
    """A function telling whether a value has the shape `hint` describes."""
    return _compiled(hint)


@cache
def _compiled(hint: Any) -> Check:
    writer = _Writer()
    lines = writer.check(hint, "value")
    source = "\n".join(
        [
            "def check(value):",
            *[f"    {name} = set()" for name in writer.seen.values()],
            "    try:",
            *_indented(_indented(lines or ["pass"])),
            "    except AttributeError:  # a dataclass field never set",
            "        return False",
            "    return True",
        ]
    )
    namespace = dict(writer.constants)
    exec(compile(source, f"<shape {hint!r}>", "exec"), namespace)
    check: Check = namespace["check"]
    return check


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
def _exact(hint: Any) -> frozenset[type] | None:
    """The exact types of `hint`'s values when they alone tell one (`str | None`), else None."""
    if get_origin(hint) in (Union, types.UnionType):
        return _top(hint) if all(map(_exact, get_args(hint))) else None
    return _PLAIN.get(hint)


class _Writer:
    """Writes the lines of a check: each `return False` when the value is not of its shape."""

    def __init__(self) -> None:
        self.constants: dict[str, Any] = {}
        self.seen: dict[Any, str] = {}  # dict hint → the set of the ids of its dicts checked
        self._names = 0

    def name(self) -> str:
        """A fresh local name."""
        self._names += 1
        return f"v{self._names}"

    def constant(self, value: Any) -> str:
        """The name the check reads `value` by."""
        name = f"c{len(self.constants)}"
        self.constants[name] = value
        return name

    def check(self, hint: Any, var: str) -> list[str]:
        """Lines returning False unless `var` has the shape `hint`."""
        top = _top(hint)
        if top is None:
            return self.deeper(hint, var)
        return [f"if {self.is_of(top, var)}: return False", *self.deeper(hint, var)]

    def is_of(self, kinds: frozenset[type], var: str) -> str:
        """The test that `var`'s exact type is not one of `kinds`."""
        if len(kinds) == 1:
            return f"type({var}) is not {self.constant(next(iter(kinds)))}"
        return f"type({var}) not in {self.constant(kinds)}"

    def deeper(self, hint: Any, var: str) -> list[str]:
        """What to check of `var` beyond its exact type."""
        origin, args = get_origin(hint), get_args(hint)
        if _exact(hint) or hint is Any:
            return []
        if origin in (Union, types.UnionType):
            return self.union(args, var)
        if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
            return self.fixed(args, var)
        if origin in (tuple, list):
            return self.items(args[0], var)
        if origin in (dict, Mapping):  # checked once, however many values share it
            keys, values = (
                self.items(args[0], f"{var}.keys()"),
                self.items(args[1], f"{var}.values()"),
            )
            seen = self.seen.setdefault(hint, f"seen{len(self.seen)}")
            first = [f"if id({var}) not in {seen}:", f"    {seen}.add(id({var}))"]
            return [*first, *_indented(keys + values)] if keys or values else []
        if hint is datetime:
            return [f"if {var}.tzinfo is None or not 1 < {var}.year < 9999: return False"]
        if isinstance(hint, type) and is_dataclass(hint):
            hints = get_type_hints(hint)
            names = [field.name for field in fields(hint)]
            values = [self.name() for _ in names]
            unpack = ", ".join(f"{var}.{name}" for name in names)
            return [f"{', '.join(values)}, = {unpack},", *self.each(hints, names, values)]
        if isinstance(hint, type):
            return [f"if not isinstance({var}, {self.constant(hint)}): return False"]
        raise TypeError(f"no shape check for {hint!r}")

    def fixed(self, args: tuple[Any, ...], var: str) -> list[str]:
        """`tuple[X, Y, …]`: its length, then each item unpacked and checked."""
        values = [self.name() for _ in args]
        lines = [f"if len({var}) != {len(args)}: return False", f"{', '.join(values)}, = {var}"]
        return lines + self.each(dict(enumerate(args)), list(range(len(args))), values)

    def each(self, hints: Mapping[Any, Any], keys: Sequence[Any], values: list[str]) -> list[str]:
        """The checks of several values, those told by their exact types in one line."""
        plain = [
            self.is_of(kinds, value)
            for key, value in zip(keys, values, strict=True)
            if (kinds := _exact(hints[key]))
        ]
        lines = [f"if {' or '.join(plain)}: return False"] if plain else []
        checked: dict[Any, str] = {}  # hint → the first value checked of it
        for key, value in zip(keys, values, strict=True):
            hint = hints[key]
            if _exact(hint):
                continue
            inner = self.check(hint, value)
            if hint in checked:  # often the very same object (`updated` is `published`)
                inner = [f"if {value} is not {checked[hint]}:", *_indented(inner)]
            checked.setdefault(hint, value)
            lines += inner
        return lines

    def items(self, hint: Any, var: str) -> list[str]:
        """Every item of the collection `var` is of `hint`."""
        kinds = _exact(hint)
        if kinds == _STRINGS:  # a tenth of the time the line below takes: `join` takes only
            # str (or a subclass, which no cache unpickler builds); related-story terms are many
            return ["try:", f"    ''.join({var})", "except TypeError:", "    return False"]
        if kinds:
            return [f"if not set(map(type, {var})) <= {self.constant(kinds)}: return False"]
        item = self.name()
        lines = self.check(hint, item)
        return [f"for {item} in {var}:", *_indented(lines)] if lines else []

    def union(self, args: tuple[Any, ...], var: str) -> list[str]:
        """`X | Y`: checked as the member its exact type belongs to, when the members' exact
        types tell them apart (`Image | None`); else as any member it fits."""
        tops = [_top(arg) for arg in args]
        known = [top for top in tops if top is not None]
        if len(known) == len(args) and len(frozenset().union(*known)) == sum(map(len, known)):
            kind = self.name()
            lines = [f"{kind} = type({var})"]
            for arg, top in zip(args, known, strict=True):
                inner = self.deeper(arg, var)
                if inner:
                    lines += [f"if {kind} in {self.constant(top)}:", *_indented(inner)]
            return lines
        members = ", ".join(self.constant(shape(arg)) for arg in args)
        return [f"if not any(member({var}) for member in ({members},)): return False"]


def _indented(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]
