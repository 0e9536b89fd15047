"""shapes.shape: whether a value read from a cache is what its type hint says."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from digest.incremental.shapes import fields_hint, shape
from digest.models import Image, LeadQuote

NOW = datetime(2026, 11, 27, 6, tzinfo=UTC)


@pytest.mark.parametrize(
    ("hint", "good", "bad"),
    [
        (str, ["", "a"], [b"a", 1, None]),
        (int, [0, -3], [True, 1.0, "1"]),  # a bool is no int in a cache
        (float, [1.5, 2], [True, "1.5"]),
        (str | None, ["a", None], [1]),
        (tuple[int, str], [(1, "a")], [(1,), (1, "a", 2), ("a", 1), [1, "a"]]),
        (tuple[str, ...], [(), ("a", "b")], [("a", 1), ["a"], "ab"]),
        (list[tuple[int, str]], [[], [(1, "a")]], [[(1, 2)], ((1, "a"),)]),
        (dict[str, int], [{}, {"a": 1}], [{"a": "1"}, {1: 1}, [("a", 1)]]),
        (Mapping[str, tuple[str, ...]], [{"a": ("b",)}], [{"a": ["b"]}]),
        (datetime, [NOW], [NOW.replace(tzinfo=None), datetime(9999, 12, 31, tzinfo=UTC)]),
        (Image, [Image("u", "a", "c")], [Image(1, "a", "c"), ("u", "a", "c")]),  # type: ignore[arg-type]
        (LeadQuote | None, [None, LeadQuote("t"), LeadQuote("t", "s")], [LeadQuote(None)]),  # type: ignore[arg-type]
        (Path, [Path("a")], ["a"]),
        (Any, [object(), None], []),
        (tuple[Any, int], [(object(), 1)], [(object(), "1"), (1,)]),
        (tuple[datetime, datetime], [(NOW, NOW)], [(NOW, NOW.replace(tzinfo=None))]),
        (tuple[int, ...] | str, [(1, 2), "x"], [(1, "a"), 1, [1]]),  # a `Revision`
        (Path | int, [Path("a"), 1], ["a", None]),  # members not told apart by exact type
        (
            dict[str, tuple[int | None, list[str]]],
            [{"a": (None, ["x"])}, {"a": (1, [])}],
            [{"a": (None, [1])}, {"a": ("1", [])}, {"a": (1, [], 2)}, {"a": (1,)}],
        ),
    ],
)
def test_values_of_the_hinted_shape_and_others(hint: Any, good: list[Any], bad: list[Any]) -> None:
    check = shape(hint)
    assert [check(value) for value in good] == [True] * len(good)
    assert [check(value) for value in bad] == [False] * len(bad)


def test_a_value_shared_by_several_places_is_checked_for_each_hint() -> None:
    lines, words = {"a": 1}, {"a": "b"}
    assert shape(list[dict[str, int]])([lines, lines, {}])
    assert not shape(list[dict[str, int]])([lines, words])
    assert not shape(tuple[dict[str, int], dict[str, str]])((lines, lines))
    assert shape(tuple[dict[str, int], dict[str, str]])((lines, words))
    assert shape(tuple[datetime, datetime])((NOW, NOW))
    assert not shape(tuple[datetime, datetime | None])((NOW, NOW.replace(tzinfo=None)))


def test_a_dataclass_as_its_field_values() -> None:
    check = shape(fields_hint(Image, ["url", "credit"]))
    assert check(("u", "c"))
    assert not check(("u", 3))


def test_a_slotted_dataclass_missing_a_field_is_not_one() -> None:
    image = Image.__new__(Image)
    object.__setattr__(image, "url", "u")
    assert not shape(Image)(image)


def test_an_unknown_hint_is_refused_at_once() -> None:
    with pytest.raises(TypeError, match="no shape check"):
        shape(set[int])
