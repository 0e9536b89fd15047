"""The words an article is compared by: what reading records and related links score.

Reading keeps each article's terms with its parse (an archive's bodies are not kept), and
related links compare them; both import them from here, so neither depends on the other.
"""

from __future__ import annotations

import re
import sys

BODY_LEAD_CHARS = 700
"""Only the lead of the body (about the first 100 words) is read for similarity. News is
written top-down, so the lead names the people, places and subject; reading further
costs time in proportion and adds mostly generic words."""

_WORD = re.compile(r"\w{3,}")

STOPWORDS = frozenset(
    """
    about above after again against all also among and another any are around because
    been before being below between both but can could did does doing down during each
    even every few for from further had has have having her here hers herself him himself
    his how however into its itself just last like made make many may more most much must
    new not now off once one only other our ours out over own said same says she should
    since some still such than that the their theirs them themselves then there these they
    this those three through too two under until very via was were what when where which
    while who whom whose why will with within without would year years yet you your
    http https www com org net html
    """.split()  # noqa: SIM905 - a word list reads best as words
)


def article_terms(title: str, summary: str, body: str) -> tuple[str, ...]:
    """The distinct words similarity compares: headline, standfirst and the body's lead.

    Stopwords are left out (they never count); each word is interned, so an archive's
    many copies of a word share one string.
    """
    lead = body[:BODY_LEAD_CHARS]
    if len(body) > BODY_LEAD_CHARS:
        whole_words = lead.rsplit(None, 1)  # never end on half a word
        lead = whole_words[0] if len(whole_words) > 1 else lead
    words = terms_of(f"{title}\n{summary}\n{lead}") - STOPWORDS
    return tuple(map(sys.intern, words))


def terms_of(text: str) -> frozenset[str]:
    """Distinct lower-case words of three letters or more (stopwords included)."""
    return frozenset(_WORD.findall(text.lower()))
