"""The email's standfirst: the first sentence of a story's standfirst, cut where a reader would.

A full stop ends a sentence only before white space and a word that does not start in lower
case, and not after a title ("Dr.", "Mr."), an abbreviation written with dots ("U.S.",
"a.m."), an initial ("J. K.") or, before a number, a word such as "No." or "Jan.".
Decimals ("3.5") never end one: no space follows their point.
"""

from __future__ import annotations

import re

from digest.enrich.stories import shorten
from digest.models import Story

SENTENCE_LIMIT = 240
"""A first sentence longer than this is cut at a word and marked with an ellipsis."""
TITLES = frozenset({
    "mr", "mrs", "ms", "mx", "dr", "prof", "sir", "dame", "rev", "fr", "sr", "jr", "st", "mt",
    "ft", "gen", "lt", "col", "capt", "cmdr", "maj", "sgt", "adm", "gov", "sen", "rep", "pres",
    "supt", "insp", "det", "hon", "rt", "messrs", "mme", "mlle",
})  # fmt: skip
"""Words that abbreviate a title before a name: their full stop never ends a sentence."""
BEFORE_NUMBERS = frozenset({
    "no", "nos", "nr", "p", "pp", "vol", "vols", "fig", "figs", "art", "ch", "sec", "para",
    "approx", "ca", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
    "nov", "dec",
})  # fmt: skip
"""Abbreviations whose full stop does not end a sentence when a number follows."""
_CANDIDATE = re.compile(
    r"(?P<marks>[.!?…؟]+)[’”\"'»)\]]*(?=\s+(?P<next>\S))|[。！？]"  # noqa: RUF001
)
_OPENERS = "(“‘\"'«[¿¡"  # noqa: RUF001
_DOTTED = re.compile(r"(?:\w\.)+\w")  # U.S, a.m, e.g (the last dot is the mark)


def first_sentence(text: str) -> str:
    """The first sentence of `text`, whitespace collapsed; shortened past `SENTENCE_LIMIT`;
    '' if blank."""
    text = " ".join(text.split())
    for match in _CANDIDATE.finditer(text):
        if match.group("marks") is None or _ends_sentence(text, match):
            text = text[: match.end()]
            break
    return shorten(text, SENTENCE_LIMIT)


def _ends_sentence(text: str, match: re.Match[str]) -> bool:
    """Whether the marks at `match` end a sentence (see the module docstring)."""
    following = match.group("next")
    if following.islower():
        return False
    if match.group("marks") != ".":
        return True
    before = text[: match.start("marks")].rsplit(maxsplit=1)
    token = before[-1].lstrip(_OPENERS) if before else ""
    name = token.casefold()
    if name in TITLES or (len(token) == 1 and token.isupper()) or _DOTTED.fullmatch(token):
        return False
    return not (name in BEFORE_NUMBERS and following.isdigit())


def standfirst_line(story: Story) -> str:
    """What the email shows under the headline: the standfirst's first sentence.

    '' when there is none, or when it only repeats the lead quote shown below it.
    """
    sentence = first_sentence(story.standfirst)
    quote = story.lead_quote.text.strip(" .,") if story.lead_quote else ""
    if quote and quote.casefold() in sentence.casefold():
        return ""
    return sentence
