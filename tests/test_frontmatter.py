"""The fast front-matter reader builds exactly what PyYAML builds, or declines."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from digest.sources.articles import YamlLoader
from digest.sources.frontmatter import _Reader, load_simple
from tests.work import ReadCountingStr

LOADER = YamlLoader("")


def pyyaml(text: str) -> Any:
    return yaml.load(text, Loader=YamlLoader)  # a safe loader


def typed(value: Any) -> Any:
    """A value with every type made visible, so True never equals 1 nor a date a datetime."""
    if isinstance(value, dict):
        return {typed(k): typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [typed(v) for v in value]
    return (type(value).__name__, repr(value))


def agrees(text: str) -> bool:
    """Whether the fast reader took ``text``; fails the test if it disagrees with PyYAML."""
    fast = load_simple(text, LOADER)
    if fast is None:
        return False
    meta, _ = fast
    try:
        expected = pyyaml(text)
    except (yaml.YAMLError, ValueError) as error:
        pytest.fail(f"fast reader accepted {text!r}, PyYAML rejects it: {error}")
    assert typed(meta) == typed(expected), text
    assert list(meta) == list(expected), text
    return True


TAKEN = [
    "title: Plain headline\ndate: 2026-11-26T09:30:00+03:00\nsection: World",
    "title: \"Quoted: with colon\"\nsummary: 'It''s fine'",
    "tags: [Belarus, Trade, 'Media & Culture', \"x, y\"]",
    "tags: [a,b]\nempty: []\nspaced: [ ]\ntrailing: [a, b, ]",
    "related: [other-slug, https://x.org/y]",
    "tags:\n- a\n- b\nnext: 1",
    "tags:\n  - a\n  - 'b'  # comment\n\n  - c\ntitle: x",
    "draft: true\nflag: yes\nother: off\nnothing:\ntilde: ~\nnull_word: null",
    "a: x #comment\nb: x#not-a-comment\nc: 'q'   # c",
    "date: 2026-11-26\nwhen: 2026-11-26 09:30:00\nz: 2026-11-26t09:30:00Z",
    "n: 12\nneg: 0x1F\noct: 012\nf: 1.5\ninf: .inf\nsexa: 1:20\nsci: 1e5",
    'e: "\\u00e9\\x41\\t\\"\\\\ \\/ \\N \\_ \\L"',
    "title: x\ntitle: y",
    "title  : spaced key\n# a comment line\n   # indented comment\n",
    "a:   spaced   out  ",
    "t: Ñandú — “curly” «quotes» 🎉",
    "k: [1, yes, ~, 2026-01-01, '1']",
    "amp: Media & Culture\nstar: a * b\nbang: wow!",
]

DECLINED = [
    "",
    "# only a comment",
    "- a\n- b",
    "title: x: y",
    "title: x:",
    "title:\n  continued line",
    "a: &anchor x\nb: *anchor",
    "a: !!str 1",
    "a: |\n  block",
    "a: >\n  folded",
    "a: {x: 1}",
    "a: [x,\n  y]",
    'a: "unclosed',
    "a: 'unclosed",
    "a:\tb",
    "a: b\r",
    "a: x\x85y",
    "a: x\u2028y",
    "a: bad\x7f",
    "a: \x01",
    "yes: 1",
    "null: 1",
    "  indented: 1",
    "a: [,]",
    "a: [a, [b]]",
    "a: -5",
    "a: 2026-13-45",
    "a: =",
    "a: <<",
    '"quoted key": 1',
    "a:\n- x\n  - y",
    "a:\n- b: c",
    'a: "x"trailing',
    "a: [x]y",
    'a: "\\ud800"',
    'a: "\\q"',
]


@pytest.mark.parametrize("text", TAKEN)
def test_the_common_forms_are_read_exactly_as_pyyaml_reads_them(text: str) -> None:
    assert agrees(text)


@pytest.mark.parametrize("text", DECLINED)
def test_everything_else_is_left_to_pyyaml(text: str) -> None:
    assert load_simple(text, LOADER) is None


def test_key_lines_count_from_the_line_after_the_opening_fence() -> None:
    result = load_simple("# c\ntitle: x\n\ntags:\n- a\ntitle: again", LOADER)
    assert result is not None
    assert result[1] == {"title": 3, "tags": 5}


SCALAR_PIECES = st.sampled_from(
    [
        "a", "Zeta", "yes", "No", "on", "OFF", "true", "null", "~", "12", "0x1F", "012",
        "1_0", "1:20", "1.5", ".nan", "1e5", "2026-11-26", "2026-11-26T09:30:00Z",
        "2026-11-26 9:30:00 +3", "2026-02-30", "-", "-5", "?", ":", ": ", " :", "#", " #",
        "x #c", "&", "*", "!", "|", ">", "%", "@", "`", "'", "''", '"', '\\"', "\\", "\\n",
        "\\x41", "\\u00e9", "[", "]", "{", "}", ",", ", ", " ", "  ", "\t", "é", "—", "🎉",
        "\x7f", "\x85", "\u2028", "\ufeff", "https://x.org/y", "Media & Culture",
    ]
)  # fmt: skip
VALUES = st.lists(SCALAR_PIECES, max_size=5).map("".join)
LINES = st.one_of(
    st.tuples(st.sampled_from(["title", "tags", "yes", "a-b", "_k", "x"]), VALUES).map(
        lambda kv: f"{kv[0]}: {kv[1]}"
    ),
    st.tuples(st.sampled_from(["tags", "related"]), st.lists(VALUES, max_size=4)).map(
        lambda kv: f"{kv[0]}: [{', '.join(kv[1])}]"
    ),
    st.tuples(st.sampled_from(["", "  "]), VALUES).map(lambda iv: f"{iv[0]}- {iv[1]}"),
    st.sampled_from(["tags:", "", "# comment", "  # indented", "  continued", "key:value"]),
)


@settings(max_examples=1500, deadline=None)
@given(st.lists(LINES, min_size=1, max_size=6).map("\n".join))
@example('t: "a\\/b"')
@example("t: [a, 'b''c', \"d\\\"e\"]  # c")
def test_whenever_the_fast_reader_answers_pyyaml_agrees(text: str) -> None:
    agrees(text)


TIMESTAMP_PARTS = st.tuples(
    st.integers(1, 9999),
    st.integers(0, 13),
    st.integers(0, 32),
    st.sampled_from(["", "T", " ", "t"]),
    st.integers(0, 24),
    st.integers(0, 60),
    st.integers(0, 60),
    st.sampled_from(["", ".5", ".123456", ".1234567", ".000001"]),
    st.sampled_from(["", "Z", "z", "+00:00", "-05:30", "+09:00", "+9", "-14:00", " Z"]),
)


@settings(max_examples=400)
@given(TIMESTAMP_PARTS)
@example((2026, 11, 26, "T", 9, 30, 0, "", "+02:00"))
@example((2026, 11, 26, "", 0, 0, 0, "", ""))
def test_timestamps_build_what_pyyaml_builds(parts: tuple[Any, ...]) -> None:
    year, month, day, separator, hour, minute, second, fraction, zone = parts
    text = f"{year:04d}-{month:02d}-{day:02d}"
    if separator:
        text += f"{separator}{hour:02d}:{minute:02d}:{second:02d}{fraction}{zone}"
    tag = "tag:yaml.org,2002:timestamp"
    assume(LOADER.resolve(yaml.ScalarNode, text, (True, False)) == tag)  # type: ignore[no-untyped-call]
    node = yaml.ScalarNode(tag, text)
    original = yaml.SafeLoader.yaml_constructors["tag:yaml.org,2002:timestamp"]
    try:
        expected = typed(original(LOADER, node))
    except ValueError:
        with pytest.raises(yaml.constructor.ConstructorError):
            LOADER.yaml_constructors["tag:yaml.org,2002:timestamp"](LOADER, node)
        return
    built = LOADER.yaml_constructors["tag:yaml.org,2002:timestamp"](LOADER, node)
    assert typed(built) == expected
    assert getattr(built, "tzinfo", None) == getattr(original(LOADER, node), "tzinfo", None)


# --- Linear work on long lines --------------------------------------------------------------


def _flow_list(count: int, quote: str) -> str:
    return "[" + ", ".join(f"{quote}t{number}{quote}" for number in range(count)) + "]"


LONG_VALUES = {
    "double-quoted flow list": lambda count: _flow_list(count, '"'),
    "single-quoted flow list": lambda count: _flow_list(count, "'"),
    "plain flow list": lambda count: _flow_list(count, ""),
    "escapes": lambda count: '"' + "\\\\\\t\\u00e9" * count + '"',
    "doubled single quotes": lambda count: "'" + "''x" * count + "'",
}


@pytest.mark.parametrize("make", LONG_VALUES.values(), ids=LONG_VALUES.keys())
def test_a_long_value_is_read_in_linear_work(make: Any) -> None:
    """A 2.7 MB tag list once took a minute: each item copied the rest of the line."""

    def read(count: int) -> int:
        text = ReadCountingStr(make(count))
        _Reader(LOADER).value(text)
        return text.read

    assert read(4000) <= 2.5 * read(2000)
    assert agrees(f"tags: {make(300)}")
