"""Front matter read fast: the plain subset of YAML parsed directly, PyYAML for the rest.

Newsroom front matter is nearly always one ``key: value`` per line, where a value is a plain,
single- or double-quoted scalar, a one-line ``[flow, list]`` or a block list of ``- item``
lines. For exactly that subset :func:`load_simple` builds the same Python values PyYAML
would, about ten times faster: every scalar is typed by the loader's own implicit resolvers
and built by its own constructors, so ``2026-11-26``, ``yes`` or ``~`` mean what they mean
to PyYAML. Anything else -- an indented continuation, an anchor, a tab, a character YAML
forbids, a value PyYAML would reject -- returns None, and the caller hands the text to
PyYAML, which then also produces the exact error message.
"""

from __future__ import annotations

import re
from typing import Any

from yaml import YAMLError
from yaml.nodes import ScalarNode

__all__ = ["load_simple"]

_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*) *:(?: +|$)")
_ITEM = re.compile(r"( *)-(?: +|$)")
# Characters YAML does not allow in a stream, and those it reads as line breaks or
# whitespace in ways this reader does not follow (tab, CR, NEL, LS, PS, BOM).
_UNSUPPORTED = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
_PLAIN_START_REFUSED = frozenset("-?:,[]{}#&*!|>'\"%@`")
_FLOW_ITEM_END = re.compile(r"[,\]]")
_FLOW_PLAIN_REFUSED = re.compile(r"[\[{}#?]|:(?:[ ,\]]|$)")
_ESCAPES = {
    "0": "\0", "a": "\x07", "b": "\x08", "t": "\t", "n": "\n", "v": "\x0b", "f": "\x0c",
    "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85",
    "_": "\xa0", "L": "\u2028", "P": "\u2029",
}  # fmt: skip
_ESCAPE_DIGITS = {"x": 2, "u": 4, "U": 8}
_DOUBLE_QUOTED_STOP = re.compile(r'["\\]')  # the closing quote, or an escape
_SPACES = re.compile(" *")
_STR_TAG = "tag:yaml.org,2002:str"


class _Unsupported(Exception):
    """The text leaves the subset; PyYAML must read it."""


def load_simple(front: str, loader: Any) -> tuple[dict[Any, Any], dict[str, int]] | None:
    """The mapping PyYAML's ``loader`` would build from ``front``, and each key's line.

    ``loader`` is a PyYAML loader instance (its resolver types the scalars, its
    constructors build them). Lines are numbered from 2, the line after the opening
    ``---``. Returns None when ``front`` is not in the subset this reader handles.
    """
    if _UNSUPPORTED.search(front):
        return None
    try:
        return _Reader(loader).mapping(front.split("\n"))
    except _Unsupported:
        return None


class _Reader:
    """One pass over the lines of a front-matter block."""

    def __init__(self, loader: Any) -> None:
        self.loader = loader
        self.resolvers: dict[Any, Any] = loader.yaml_implicit_resolvers
        if None in self.resolvers or getattr(loader, "yaml_path_resolvers", None):
            raise _Unsupported  # a wildcard or path resolver could type anything

    def mapping(self, lines: list[str]) -> tuple[dict[Any, Any], dict[str, int]]:
        meta: dict[Any, Any] = {}
        key_lines: dict[str, int] = {}
        index, count = 0, len(lines)
        while index < count:
            line = lines[index]
            index += 1
            if not line or line[0] == "#" or line.isspace() or line.lstrip()[0] == "#":
                continue
            match = _KEY.match(line)
            if match is None:
                raise _Unsupported
            key = match[1]
            if self._tag(key) != _STR_TAG:
                raise _Unsupported
            key_lines.setdefault(key, index + 1)
            rest = line[match.end() :]
            if rest and rest[0] != "#":
                meta[key] = self.value(rest)
                continue
            items, index = self.block_list(lines, index)
            meta[key] = items
        if not meta:
            raise _Unsupported
        return meta, key_lines

    def block_list(self, lines: list[str], index: int) -> tuple[list[Any] | None, int]:
        """``- item`` lines after a key with no value; None (null) when there are none."""
        items: list[Any] = []
        indent: int | None = None
        while index < len(lines):
            line = lines[index]
            if not line or line.isspace() or line.lstrip()[0] == "#":
                index += 1
                continue
            match = _ITEM.match(line)
            if match is None:
                if line[0] == " ":
                    raise _Unsupported  # a continuation or nested block
                break
            if indent is None:
                indent = len(match[1])
            elif len(match[1]) != indent:
                raise _Unsupported
            rest = line[match.end() :]
            items.append(self.value(rest) if rest and rest[0] != "#" else None)
            index += 1
        return (items if indent is not None else None), index

    def value(self, text: str) -> Any:
        """A one-line value: quoted, a flow list, or plain; comments allowed after it."""
        first = text[0]
        if first == "[":
            return self.flow_list(text)
        if first not in "\"'":
            return self.plain(_plain_text(text))
        value, end = _quoted(text, 0)
        _expect_end(text, end)
        return value

    def flow_list(self, text: str) -> list[Any]:
        """A one-line ``[a, 'b', "c"]``, read by offset: no item copies the rest of the line."""
        items: list[Any] = []
        position = 1
        while True:
            position = _skip_spaces(text, position)
            if position >= len(text):
                raise _Unsupported  # the list goes on to the next line
            char = text[position]
            if char == "]":
                _expect_end(text, position + 1)
                return items
            if char == ",":
                raise _Unsupported  # an empty entry is a YAML error
            if char in "\"'":
                value, position = _quoted(text, position)
                items.append(value)
            else:
                end = _FLOW_ITEM_END.search(text, position)
                if end is None:
                    raise _Unsupported
                raw = text[position : end.start()].rstrip(" ")
                if char in _PLAIN_START_REFUSED or _FLOW_PLAIN_REFUSED.search(raw):
                    raise _Unsupported
                items.append(self.plain(raw))
                position = end.start()
            position = _skip_spaces(text, position)
            if position < len(text) and text[position] == ",":
                position += 1
            elif position >= len(text) or text[position] != "]":
                raise _Unsupported

    def plain(self, raw: str) -> Any:
        """A plain scalar, typed and built as PyYAML's loader would."""
        tag = self._tag(raw)
        if tag == _STR_TAG:
            return raw
        constructor = self.loader.yaml_constructors.get(tag)
        if constructor is None:
            raise _Unsupported
        try:
            return constructor(self.loader, ScalarNode(tag, raw))
        except (ValueError, OverflowError, YAMLError):
            raise _Unsupported from None  # PyYAML reports it, with the line

    def _tag(self, raw: str) -> str:
        """The tag PyYAML's resolver gives a plain scalar (its `resolve`, inlined)."""
        for tag, pattern in self.resolvers.get(raw[0] if raw else "", ()):
            if pattern.match(raw):
                return str(tag)
        return _STR_TAG


def _plain_text(text: str) -> str:
    """The plain scalar at the start of ``text`` (block context), comment removed."""
    if text[0] in _PLAIN_START_REFUSED:
        raise _Unsupported
    comment = text.find(" #")
    if comment >= 0:
        text = text[:comment]
    text = text.rstrip(" ")
    if ": " in text or text.endswith(":"):
        raise _Unsupported  # a nested mapping, or a YAML error
    return text


def _quoted(text: str, start: int) -> tuple[str, int]:
    """The quoted scalar opening at ``text[start]``, and the offset just past it."""
    if text[start] == '"':
        return _double_quoted(text, start + 1)
    return _single_quoted(text, start + 1)


def _double_quoted(text: str, position: int) -> tuple[str, int]:
    """The double-quoted scalar whose text starts at ``position``; the offset past its end."""
    parts: list[str] = []
    while True:
        stop = _DOUBLE_QUOTED_STOP.search(text, position)
        if stop is None:
            raise _Unsupported  # goes on to the next line
        index = stop.start()
        parts.append(text[position:index])
        if text[index] == '"':
            return "".join(parts), index + 1
        escape, position = _escape(text, index + 1)
        parts.append(escape)


def _escape(text: str, position: int) -> tuple[str, int]:
    """The character an escape stands for (its code at ``position``); the offset past it."""
    code = text[position : position + 1]
    if code in _ESCAPES:
        return _ESCAPES[code], position + 1
    if code not in _ESCAPE_DIGITS:
        raise _Unsupported
    digits = text[position + 1 : position + 1 + _ESCAPE_DIGITS[code]]
    if len(digits) != _ESCAPE_DIGITS[code] or not _is_hex(digits):
        raise _Unsupported
    point = int(digits, 16)
    if 0xD800 <= point <= 0xDFFF or point > 0x10FFFF:
        raise _Unsupported  # loaders disagree on these
    return chr(point), position + 1 + len(digits)


def _single_quoted(text: str, position: int) -> tuple[str, int]:
    """The single-quoted scalar whose text starts at ``position``; the offset past its end."""
    parts: list[str] = []
    while True:
        quote = text.find("'", position)
        if quote < 0:
            raise _Unsupported
        parts.append(text[position:quote])
        if text[quote + 1 : quote + 2] != "'":
            return "".join(parts), quote + 1
        parts.append("'")
        position = quote + 2


def _expect_end(text: str, position: int) -> None:
    """Only spaces, then perhaps a comment, may follow a complete value at ``position``."""
    after = _skip_spaces(text, position)
    if after < len(text) and not (text[after] == "#" and after > position):
        raise _Unsupported


def _skip_spaces(text: str, position: int) -> int:
    """The offset of the first character from ``position`` on that is not a space."""
    match = _SPACES.match(text, position)
    return match.end() if match else position


def _is_hex(digits: str) -> bool:
    return all(c in "0123456789abcdefABCDEF" for c in digits)
