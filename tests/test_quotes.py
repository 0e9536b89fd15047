# Typographic quotation marks and apostrophes are this module's subject, not typos.
# ruff: noqa: RUF001, RUF002
"""Tests for digest.enrich.quotes: the labelled set, tricky behaviours, and properties."""

from __future__ import annotations

import functools
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import digest.enrich.quotes as quotes
import digest.enrich.stories
from digest.enrich.quotes import extract_lead_quote, plain_paragraphs
from digest.models import LeadQuote
from digest.sources.templating import without_templates
from tests.conftest import ROOT
from tests.work import ReadCountingStr, calls

CASES_FILE = Path(__file__).with_name("quote_cases.yaml")

# The levels reached on quote_cases.yaml; a change that drops below them is a regression.
QUOTE_ACCURACY_FLOOR = 1.0  # 626 of 626 cases: every case holds
SPEAKER_ACCURACY_FLOOR = 1.0  # 389 of 389 cases with a quote
SOURCE_ACCURACY_FLOOR = 1.0  # 389 of 389 cases with a quote

TYPICAL_ARTICLE_BUDGET_SECONDS = 0.005  # a guard against pathologies; measured ≈ 0.3 ms


@functools.cache
def _load_cases() -> list[dict[str, Any]]:
    """The labelled cases, read once per session (do not change them)."""
    cases: list[dict[str, Any]] = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))["cases"]
    return cases


def _squash(text: str) -> str:
    """Whitespace collapsed, as the accuracy measure compares quote texts."""
    return " ".join(text.split())


# --- The labelled set ---------------------------------------------------------------------------


def test_labelled_set_is_well_formed() -> None:
    cases = _load_cases()
    assert len(cases) >= 90
    ids = [case["id"] for case in cases]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    for case in cases:
        assert {"id", "body", "quote", "speaker"} <= case.keys(), case["id"]
        assert case["quote"] is not None or case["speaker"] is None, case["id"]


def test_labelled_set_accuracy() -> None:
    cases = _load_cases()
    quotes_right = speakers_right = sources_right = with_quote = 0
    misses: list[str] = []
    for case in cases:
        found = extract_lead_quote(case["body"])
        text = found.text if found else None
        quote_right = (text and _squash(text)) == (case["quote"] and _squash(case["quote"]))
        quotes_right += quote_right
        if case["quote"] is not None:
            with_quote += 1
            speaker_right = quote_right and found is not None and found.speaker == case["speaker"]
            source_right = found is not None and found.source == case.get("source")
            speakers_right += speaker_right
            sources_right += source_right
        if not quote_right or (case["quote"] is not None and not speaker_right):
            misses.append(f"  {case['id']}: got {found!r}")
    quote_accuracy = quotes_right / len(cases)
    speaker_accuracy = speakers_right / with_quote
    source_accuracy = sources_right / with_quote
    print(
        f"\nlead quotes: {quotes_right}/{len(cases)} = {quote_accuracy:.3f}; "
        f"speakers: {speakers_right}/{with_quote} = {speaker_accuracy:.3f}; "
        f"sources: {sources_right}/{with_quote} = {source_accuracy:.3f}"
    )
    print("misses:", *misses, sep="\n")
    assert quote_accuracy >= QUOTE_ACCURACY_FLOOR
    assert speaker_accuracy >= SPEAKER_ACCURACY_FLOOR
    assert source_accuracy >= SOURCE_ACCURACY_FLOOR


# --- Quote text -----------------------------------------------------------------------------------


def test_drops_the_comma_before_said_but_keeps_terminal_marks() -> None:
    assert extract_lead_quote("“We will rebuild,” said Ana Ruiz.") == LeadQuote(
        "We will rebuild", "Ana Ruiz"
    )
    found = extract_lead_quote("“Will we ever rebuild?” asked Ana Ruiz.")
    assert found is not None and found.text == "Will we ever rebuild?"


def test_no_quotation_is_none() -> None:
    assert extract_lead_quote("The council met on Tuesday and approved the budget.") is None
    assert extract_lead_quote("") is None


def test_strips_no_break_spaces_inside_guillemets() -> None:
    found = extract_lead_quote("«\u00a0Nous reconstruirons le pont\u00a0», a déclaré le maire.")
    assert found == LeadQuote("Nous reconstruirons le pont", "le maire")
    found = extract_lead_quote("«\u202fC’est fini pour nous\u202f!\u202f», a dit la ministre.")
    assert found is not None and found.text == "C’est fini pour nous\u202f!"


@pytest.mark.parametrize(
    "body",
    [
        "„Wir bauen die Brücke wieder auf“, sagte Eva Lund.",
        "»Wir bauen die Brücke wieder auf«, sagte Eva Lund.",
        "“Wir bauen die Brücke wieder auf”, sagte Eva Lund.",
        '"Wir bauen die Brücke wieder auf", sagte Eva Lund.',
        "‘Wir bauen die Brücke wieder auf’, sagte Eva Lund.",
        "« Wir bauen die Brücke wieder auf », sagte Eva Lund.",
        "«Wir bauen die Brücke wieder auf», sagte Eva Lund.",
    ],
)
def test_recognises_every_quotation_style(body: str) -> None:
    assert extract_lead_quote(body) == LeadQuote("Wir bauen die Brücke wieder auf", "Eva Lund")


def test_keeps_a_nested_quotation_of_another_style() -> None:
    found = extract_lead_quote("“He called it ‘a disgrace’ on Monday,” said Oleg Sorokin.")
    assert found == LeadQuote("He called it ‘a disgrace’ on Monday", "Oleg Sorokin")


def test_joins_a_quotation_over_several_paragraphs() -> None:
    body = "“We lost the house.\n\n“We lost the car.\n\n“We did not lose hope,” said Eva Lund."
    assert extract_lead_quote(body) == LeadQuote(
        "We lost the house. We lost the car. We did not lose hope", "Eva Lund"
    )


def test_rejoins_a_sentence_split_by_its_attribution() -> None:
    found = extract_lead_quote("“We won,” said Sara Holm, “and we will win again.”")
    assert found == LeadQuote("We won, and we will win again.", "Sara Holm")


def test_an_unclosed_quotation_yields_nothing_and_the_next_one_is_taken() -> None:
    assert extract_lead_quote("“We will never give up, she said, and left.") is None
    body = "He began “we regret the delay and\n\n“Flights resume on Friday,” said the airline."
    assert extract_lead_quote(body) == LeadQuote("Flights resume on Friday", "the airline")


@pytest.mark.parametrize(
    "body",
    [
        "It’s rock ’n’ roll in the Smiths’ bar, just like the ’90s.",
        "It's rock 'n' roll in the Smiths' bar, just like the '90s.",
        "Prices last rose this fast in the ‘90s, when the Joneses’ shop opened.",
        'The centre is 6\'2" and the screen is 55" wide.',
    ],
)
def test_apostrophes_and_inches_are_not_quotations(body: str) -> None:
    assert extract_lead_quote(body) is None


def test_apostrophes_inside_a_single_quoted_statement() -> None:
    found = extract_lead_quote("‘The workers’ union let us down in the ’90s,’ said Al Reid.")
    assert found == LeadQuote("The workers’ union let us down in the ’90s", "Al Reid")
    found = extract_lead_quote("'It's pure rock 'n' roll,' said Al Reid.")
    assert found == LeadQuote("It's pure rock 'n' roll", "Al Reid")


@pytest.mark.parametrize(
    "body",
    [
        "The government calls it a “temporary” measure.",
        "Officials blamed a “technical fault” on the line.",
        "Her novel “The Salt Road Home” sold well.",
        "They played ‘Don’t Look Back in Anger’ twice.",
        "Her new single “you never said goodbye to me” went to number one.",
        "Dwayne “The Rock” Johnson visited the base.",
    ],
)
def test_scare_quotes_titles_and_nicknames_are_not_statements(body: str) -> None:
    assert extract_lead_quote(body) is None


def test_a_short_quotation_counts_when_attributed_or_a_full_sentence() -> None:
    assert extract_lead_quote("“We are ready,” the captain said.") == LeadQuote(
        "We are ready", "the captain"
    )
    assert extract_lead_quote("“No,” she said.") is None


def test_no_speaker_no_lead_quote() -> None:
    """A quotation nobody is credited with, or a document, a medium or a clause's fragment
    is credited with, is no lead quote; nor is one credited to a pronoun that stands for
    nobody the text names, though one resolved to a person named before is."""
    assert extract_lead_quote("The room fell silent.\n\n“I have nothing.”") is None
    assert extract_lead_quote("“Three people were injured,” according to Reuters.") is None
    assert extract_lead_quote("> “We ship on Fridays now.”\n>\n> — Mastodon Toot") is None
    assert extract_lead_quote("My talk, “Friends help friends ship”, went well.") is None
    assert extract_lead_quote("The tool provides “Helpers for Tidy Data Frames”.") is None
    assert (
        extract_lead_quote("Some recent articles suggested we are in a “golden age of maps”.")
        is None
    )
    assert extract_lead_quote("“We will rebuild the bridge,” she said.") is None
    assert extract_lead_quote(
        "Ada Pell runs the ferry.\n\n“We will rebuild the bridge,” she said."
    ) == LeadQuote("We will rebuild the bridge", "Ada Pell")


def test_a_fragment_needs_a_speech_verb() -> None:
    assert extract_lead_quote("Ann Lee said the plan was “a mess from start to end”.") == (
        LeadQuote("a mess from start to end", "Ann Lee")
    )
    assert extract_lead_quote("Ann Lee’s advice: “keep the old plan for one more week”.") is None


def test_attribution_shapes_seen_on_real_sites() -> None:
    """A colon verb "comments", a speaker "by" a speech verb, a link to an author's page
    signing a blockquote, a possessive dropped from a name."""
    found = extract_lead_quote("Dan comments: “The labs made the difference for our team.”")
    assert found == LeadQuote("The labs made the difference for our team.", "Dan")
    found = extract_lead_quote(
        "As explained by Ann Lee in [her post](https://example.org/p), “Most of the work is"
        " in the review.”"
    )
    assert found is not None and found.speaker == "Ann Lee"
    found = extract_lead_quote(
        '> "Working in the open changed our lab." [Ann Lee](/author/ann-lee/), '
        "[the forum](https://example.org/t/1)"
    )
    assert found == LeadQuote("Working in the open changed our lab.", "Ann Lee")
    found = extract_lead_quote(
        'In response to "what was your favourite part of the course", one participant said: '
        "“The pairing sessions, by far.”"
    )
    assert found == LeadQuote("The pairing sessions, by far.", "one participant")


# --- Speaker and source -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "speaker"),
    [
        ("“We will rebuild,” said Ms Smith, the minister, on Monday.", "Ms Smith, the minister"),
        ("Ms Smith, the minister, said: “We will rebuild.”", "Ms Smith, the minister"),
        ("“We will rebuild,” the mayor told reporters in Leeds.", "the mayor"),
        ("“We will rebuild,” says Ana Ruiz, who runs the bakery.", "Ana Ruiz"),
        ("“We will rebuild,” added the mayor.", "the mayor"),
        ("“We will rebuild,” according to the mayor.", "the mayor"),
        ("Ana Ruiz: “We will rebuild.”", "Ana Ruiz"),
        ("The mayor said the town would recover. “We will rebuild.”", "the mayor"),
        ("Ana Ruiz lost her shop. “We will rebuild,” she said.", "Ana Ruiz"),
        ("5 Mr Tom Reyes said: “We will rebuild.”", "Mr Tom Reyes"),  # a paragraph's number
        ("“We will rebuild,” said [Ana Ruiz\u2060](/ana).", "Ana Ruiz"),  # an invisible joiner
        (
            "Ana Ruiz, a baker at the University of Texas, El Paso, spoke. “We will rebuild,” Ruiz"
            " said.",
            "Ana Ruiz, a baker at the University of Texas, El Paso",
        ),
    ],
)
def test_speaker(body: str, speaker: str) -> None:
    found = extract_lead_quote(body)
    assert found is not None and found.speaker == speaker


@pytest.mark.parametrize(
    "case",
    [case for case in _load_cases() if case["id"].startswith("i14-resolve-") and case["quote"]],
    ids=lambda case: case["id"],
)
def test_speaker_named_earlier(case: dict[str, Any]) -> None:
    """A pronoun, or a first or last name alone, stands for the one person named before it
    in full; with two people, an unnamed one or an organisation before it, no speaker."""
    found = extract_lead_quote(case["body"])
    assert found is not None and _squash(found.text) == _squash(case["quote"])
    assert found.speaker == case["speaker"]


@pytest.mark.parametrize(
    "case",
    [case for case in _load_cases() if case["id"].startswith("r3-")],
    ids=lambda case: case["id"],
)
def test_round_three_shapes(case: dict[str, Any]) -> None:
    """Each shape met on nine more real blogs, exactly: a speech verb never left in the
    speaker ("Ann Lee expands:"), the subject of coordinated verbs, signatures without a
    dash or with an honorific, "here's what she has to say", someone generic or software
    speaking, a time phrase before the speaker, and a report's highlights."""
    found = extract_lead_quote(case["body"])
    if case["quote"] is None:
        assert found is None
        return
    assert found is not None and _squash(found.text) == _squash(case["quote"])
    assert found.speaker == case["speaker"]


@pytest.mark.parametrize(
    ("body", "speaker", "source"),
    [
        ("“All is calm,” said the president, reported TASS.", "the president", "TASS"),
        ("“All is calm,” said the governor, according to Reuters.", "the governor", "Reuters"),
        ("“All is calm,” the governor told Reuters.", "the governor", "Reuters"),
        (
            "“All is calm,” the governor said, reported the state agency BelTA.",
            "the governor",
            "BelTA",
        ),
        ("“All is calm,” said the governor, according to his diary.", "the governor", None),
    ],
)
def test_agency_credit_is_the_source_not_the_speaker(
    body: str, speaker: str | None, source: str | None
) -> None:
    found = extract_lead_quote(body)
    assert found is not None and (found.speaker, found.source) == (speaker, source)


# --- Markdown -----------------------------------------------------------------------------------


def test_reads_through_markdown_and_ignores_code_html_urls_images_and_footnotes() -> None:
    body = (
        '---\ntitle: x\nlead_quote: "Not from the body, this front-matter line"\n---\n'
        '```\nprint("quoted text inside fenced code, long enough")\n```\n\n'
        '    "quoted text inside indented code, long enough"\n\n'
        '<div>"quoted text inside an HTML block, long enough"</div>\n\n'
        "![“quoted alt text of an image, long enough”](a.png)\n\n"
        'See `"quoted inline code, long enough to count"` and '
        '[the report](https://x.org/?q="a+quoted+url+long+enough").[^1]\n\n'
        "[^1]: “A quoted footnote, long enough to count,” said nobody.\n\n"
        "“The *new* [bridge](https://x.org/b) opens in May,” said **Ana Ruiz**.\n"
    )
    assert extract_lead_quote(body) == LeadQuote("The new bridge opens in May", "Ana Ruiz")


def test_a_template_tag_shown_in_fenced_code_hides_nothing_after_it() -> None:
    """A {% highlight %} written in a code fence is code, not the start of a block to drop."""
    body = (
        "To open a block, write:\n\n```\n{% highlight ruby %}\n```\n\n"
        "    {% raw %}\n\n"
        "“Most renewals now happen online,” said librarian Sofia Berg.\n"
    )
    assert extract_lead_quote(body) == LeadQuote(
        "Most renewals now happen online", "librarian Sofia Berg"
    )


def test_plain_paragraphs() -> None:
    body = "A *b* [c](https://x.org) `d`  \ne[^1]\n\n```\ncode\n```\n\n## Heading\n\n[^1]: note"
    assert plain_paragraphs(body) == ["A b c e"]


def test_plain_paragraphs_drop_attribute_lists_and_paragraph_numbers() -> None:
    body = (
        'Beds open on Monday.\n{: .note}\n\n{: .lead}\n\n{:start="4"}\n'
        "4.&nbsp;&nbsp; Ann Lee opened them.\n\n{:start=“5”}\n5. Tom Reyes watered them.\n\n"
        "6\tThe board met.\n\n(b)  The chair spoke.\n\n7 **Ann Lee** closed.\n\n"
        "12 growers came."
    )
    assert plain_paragraphs(body) == [
        "Beds open on Monday.",
        "Ann Lee opened them.",
        "Tom Reyes watered them.",
        "The board met.",
        "The chair spoke.",
        "Ann Lee closed.",
        "12 growers came.",
    ]


# --- Properties ---------------------------------------------------------------------------------

_MARKDOWN_ALPHABET = st.sampled_from(
    list("abcdeXYZ019 ,.!?:;-—\n\t*_`[]()<>#>|\\&^")
    + list("“”„«»‹›‚‘’\"'")
    + ["\u00a0", "\u202f", "said ", "told ", " he ", "’s ", "6'2\"", "```", "    ", "---\n"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_MARKDOWN_ALPHABET, max_size=120).map("".join))
def test_never_raises_and_only_returns_text_from_the_body(body: str) -> None:
    found = extract_lead_quote(body)
    if found is not None:
        assert found.text.strip()
        body_text = _strip_marks(" ".join(plain_paragraphs(body)))
        assert _strip_marks(found.text) in body_text
        assert found.speaker is None or found.speaker.strip()


_WORDS = st.sampled_from(
    ["water", "road", "bridge", "town", "people", "winter", "money", "school", "river", "bank"]
)
_NAMES = st.sampled_from(["Ana Ruiz", "Tom Barrow", "Greta Lind", "Dr Kofi Mensah"])


@given(st.lists(_WORDS, min_size=4, max_size=12), _NAMES, st.sampled_from(["“”", '""', "‘’", "«»"]))
def test_round_trip_of_a_plain_attributed_statement(
    words: list[str], name: str, marks: str
) -> None:
    sentence = "We " + " ".join(words)
    found = extract_lead_quote(f"{marks[0]}{sentence},{marks[1]} said {name}.")
    assert found == LeadQuote(sentence, name)


def _strip_marks(text: str) -> str:
    """Text without quotation marks, whitespace collapsed: how multi-paragraph joins compare."""
    return _squash(re.sub(r"[“”„«»‹›‚‘’\"']", " ", text))


# --- Speed --------------------------------------------------------------------------------------


def _typical_article() -> str:
    paragraphs = [
        "The river burst its banks overnight, flooding more than 200 homes in the valley, "
        "and the council said it was the worst flood since the ’90s.",
        "Residents spent the day clearing mud from their kitchens. Some had lost everything; "
        "others were still waiting for news of the insurance money they had been promised.",
        "The mayor, Anna Kovacs, visited the worst-hit streets on Monday morning with the "
        "head of the fire service and two engineers from the [county](https://x.org).",
        "“We will rebuild every house on this street, and we will do it before winter,” "
        "said Ms Kovacs, standing outside the flooded school.",
    ]
    filler = (
        "Engineers said the flood defences had held in most places, but a section of the "
        "wall near the old mill gave way shortly after midnight, sending water into the "
        "streets behind it and cutting the main road to the town for several hours."
    )
    return "\n\n".join(paragraphs + [filler] * 6)


def test_a_typical_article_is_fast() -> None:
    article = _typical_article()
    assert 350 <= len(article.split()) <= 450
    assert extract_lead_quote(article) is not None
    runs = 200
    started = time.perf_counter()
    for _ in range(runs):
        extract_lead_quote(article)
    assert (time.perf_counter() - started) / runs < TYPICAL_ARTICLE_BUDGET_SECONDS


def test_pathological_input_stays_fast() -> None:
    body = ("“a ‘b’ \"c ' « d » „e “ f ’ g said h, " * 400) + "\n\n" + ("x" * 20000)
    started = time.perf_counter()
    extract_lead_quote(body)
    assert time.perf_counter() - started < 2.0


def test_the_body_as_the_renderer_parsed_it_gives_the_same_quote() -> None:
    """The build hands over the tokens it rendered the body from, instead of a second parse
    (of the body as it was read: template syntax already removed)."""
    markdown = digest.enrich.stories._markdown()
    bodies = [case["body"] for case in _load_cases()] + [_typical_article()]
    found = 0
    for body in bodies:
        env: dict[str, Any] = {}
        parsed = (markdown.parse(without_templates(body)[0], env), env)
        alone = extract_lead_quote(body)
        assert extract_lead_quote(body, parsed=parsed) == alone, body
        found += alone is not None
    assert found > len(bodies) // 2


# --- Linear work on hostile input ---------------------------------------------------------------


def _unclosed(mark: str) -> Callable[[int], str]:
    return lambda count: (mark + "a ") * count


HOSTILE_BODIES: dict[str, Callable[[int], str]] = {
    # Opening marks that never close, each once checked against the rest of the paragraph.
    **{f"unclosed {mark}": _unclosed(mark) for mark in "“‘'«„‚”‹"},
    # Each opening mark of the first paragraph once read the whole second one.
    "unclosed over paragraphs": lambda count: "“A. " * count + "\n\n" + "“B " * count + ".\n\n“C",
    "closed": lambda count: "‘a bus’ “a b c” «x» " * count,
}


@pytest.mark.parametrize("make", HOSTILE_BODIES.values(), ids=HOSTILE_BODIES.keys())
def test_hostile_bodies_cost_linear_work(make: Any) -> None:
    """36 KB of unclosed “ once took 28 s: twice the text must be about twice the work."""
    small = calls(lambda: extract_lead_quote(make(400)))
    large = calls(lambda: extract_lead_quote(make(800)))
    assert large <= 2.5 * small


def test_a_possible_closing_apostrophe_reads_only_the_next_word() -> None:
    text = ReadCountingStr("‘the bus’ " + "x " * 10_000)
    assert quotes._possessive(text, text.index("’"))
    assert text.read < 100  # not a copy of the rest of the paragraph


def _finishes_within(seconds: float, code: str) -> bool:
    """Whether ``code`` runs to its end in a fresh interpreter within ``seconds``."""
    try:
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=seconds)
    except subprocess.TimeoutExpired:
        return False
    return True


def test_a_long_run_of_footnote_openings_is_read_once() -> None:
    """300 KB of "[^" took minutes: the footnote pattern read the run again from each "[^"."""
    code = (
        "from markdown_it.token import Token\n"
        "from digest.enrich.quotes import _inline_text\n"
        "_inline_text([Token('text', '', 0, content='[^' * 150_000)])\n"
    )
    assert _finishes_within(15, code)


def test_many_short_quotations_each_search_a_bounded_span_for_an_interruption() -> None:
    """16 KB of ‘a,’ said ‘b,’ … took minutes: each searched the rest for “…,” she said, “…”.

    256 KB takes a third of a second, and minutes if each search reads to the paragraph's end.
    """
    code = (
        "from digest.enrich.quotes import extract_lead_quote\n"
        "extract_lead_quote('‘a,’ said ‘b,’ said ' * 12_800)\n"
    )
    assert _finishes_within(15, code)


def test_a_long_run_of_full_stops_is_read_once_for_sentence_boundaries() -> None:
    """A run of "......" was read again from each full stop in it.

    A quotation's sentences are looked for in up to 1,600 characters before it: 400 full
    stops there cost 2 ms a quotation.
    """
    code = "from digest.enrich.quotes import _boundaries\nlist(_boundaries('.' * 200_000 + 'x'))\n"
    assert _finishes_within(15, code)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(list('.!?…”’"»«)] \u00a0xX')), max_size=30).map("".join))
def test_sentence_boundaries_are_the_ones_the_plain_pattern_finds(text: str) -> None:
    plain = re.compile(r"[.!?…]+[”’\"»«)\]]*\s+")
    found = [match.span() for match in quotes._BOUNDARY.finditer(text)]
    assert found == [match.span() for match in plain.finditer(text)]


# The scan the closing-mark tables replace, kept as their oracle: from ``begin`` on, the mark
# that closes a quotation opened by ``opener``.


def _scan_for_closing(text: str, begin: int, opener: str) -> int | None:
    if opener in "'‘":
        return _scan_for_single_closing(text, begin, opener)
    closers = quotes._CLOSERS[opener]
    depth = 0
    for match in quotes._CLOSING_SEARCH[opener].finditer(text, begin):
        index = match.start()
        mark = text[index]
        if opener == '"':
            if quotes._INCHES.search(text, max(0, index - 5), index):
                continue
            if text[index - 1].isspace() and quotes._opens(text, index):
                return None
            return index
        if mark == opener and mark not in closers:
            depth += quotes._opens(text, index)
        elif mark in closers and not (
            mark == "”" and text[index - 1].isspace() and quotes._opens(text, index)
        ):
            if not depth:
                return index
            depth -= 1
    return None


def _scan_for_single_closing(text: str, begin: int, opener: str) -> int | None:
    closer = "’" if opener == "‘" else "'"
    first_weak: int | None = None
    last_weak: int | None = None
    for match in quotes._CLOSING_SEARCH[opener].finditer(text, begin):
        index = match.start()
        before = text[index - 1]
        after = text[index + 1 : index + 2]
        if text[index] == closer and not before.isspace() and not after.isalnum():
            if text[index - 2 : index] in ("’n", "'n"):
                continue
            if not quotes._possessive(text, index):
                return index
            first_weak = index if first_weak is None else first_weak
            last_weak = index
            continue
        reopens = text[index] == opener and before.isspace() and quotes._opens(text, index)
        if reopens and last_weak is not None:
            return last_weak
    return first_weak


_MARKS_TWICE = "“”„«»‹›‚‘’\"'" * 2
_APOSTROPHES = ["s’ ", "s' ", "in’ ", "’n’", "6'2\""]  # may close a quotation, or not
_MARKED_TEXT = st.lists(
    st.sampled_from(
        [*_MARKS_TWICE, *"asn96 ,.!)", "\u00a0", "in", "em", "said", "the", *_APOSTROPHES]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=600, deadline=None)
@given(_MARKED_TEXT)
def test_the_closing_mark_found_is_the_one_a_scan_from_the_opening_finds(text: str) -> None:
    for opener in quotes._CLOSERS:
        closings = quotes._closings(text, opener)
        for begin in range(1, len(text) + 1):
            assert closings.after(begin) == _scan_for_closing(text, begin, opener), (opener, begin)


@settings(max_examples=300, deadline=None)
@given(_MARKED_TEXT.map(str.strip))
def test_whether_the_rest_of_a_paragraph_ends_a_sentence(text: str) -> None:
    ends_sentence = re.compile(r"[.!?…:;—–][’”»)\]]*\Z")
    end = quotes._sentence_end(text)
    for begin in range(1, len(text) + 1):
        expected = ends_sentence.search(text[begin:].rstrip()) is not None
        assert (end >= begin) == expected, begin


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(list("[^] a\n\u00a0x")), max_size=30).map("".join))
def test_footnote_marks_are_the_ones_the_plain_pattern_finds(text: str) -> None:
    plain = re.sub(r"\[\^[^\]\s]+\]", "", text)
    assert quotes._FOOTNOTE_REFERENCE.sub(r"\1", text) == plain


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from(["said", "told", "she", "Ana", ",", ", ", " ", ".", "“", "‘", "'", "x"]),
        max_size=30,
    ).map("".join)
)
def test_the_interruption_found_is_the_one_the_plain_pattern_finds(text: str) -> None:
    marks = quotes._MARKS
    plain = re.compile(
        rf",?\s*(?P<clause>[^.!?;:{marks}]*?\b{quotes._VERB}\b[^.!?;:{marks}]*?),\s*(?=[{marks}‘'‚])"
    )
    found = quotes._INTERRUPTION.match(text, 0, quotes._INTERRUPTION_REACH)
    expected = plain.match(text)
    assert (found and (found.span(), found["clause"])) == (
        expected and (expected.span(), expected["clause"])
    )
