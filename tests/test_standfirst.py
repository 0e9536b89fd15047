"""The email's standfirst: one sentence under the headline, then the quote, in HTML and text."""

from __future__ import annotations

import pytest

from digest.mail.sentences import SENTENCE_LIMIT, first_sentence
from digest.models import LeadQuote
from tests.test_emails import config, render, section, story, text_of, tree

QUOTE = LeadQuote("We will rebuild the harbour wall before the winter storms", "Mayor Ines Roth")
TWO_SENTENCES = "The harbour wall will be rebuilt by March. Work starts on Monday."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (TWO_SENTENCES, "The harbour wall will be rebuilt by March."),
        (
            "The U.S. Senate backed the plan. It goes next to the House.",
            "The U.S. Senate backed the plan.",
        ),
        (
            "Dr. Ana Kovač, the city's engineer, spoke. Others did not.",
            "Dr. Ana Kovač, the city's engineer, spoke.",
        ),
        (
            "Mr. and Mrs. Okafor opened the shop in 1998. It closed this week.",
            "Mr. and Mrs. Okafor opened the shop in 1998.",
        ),
        (
            "Inflation eased to 3.5 per cent in May. Food rose 0.4 per cent.",
            "Inflation eased to 3.5 per cent in May.",
        ),
        (
            "Talks at No. 10 ended at 4 p.m. on Friday. More talks are planned.",
            "Talks at No. 10 ended at 4 p.m. on Friday.",
        ),
        ("J. R. Okoro won the seat. The count took all night.", "J. R. Okoro won the seat."),
        (
            "The vote is on Jan. 14 in the old hall. Doors open at six.",
            "The vote is on Jan. 14 in the old hall.",
        ),
        ("Is the ferry safe? Inspectors will say on Friday.", "Is the ferry safe?"),
        (
            "“Hold the line!” the captain shouted. The crew did.",
            "“Hold the line!” the captain shouted.",
        ),
        ("“We are ready,” she said. “Are you?”", "“We are ready,” she said."),
        ("The council met (again). Nothing was decided.", "The council met (again)."),
        ("  The club   said\nlittle.  It will say more.  ", "The club said little."),
        ("A summary without a full stop", "A summary without a full stop"),
        ("港口的墙将在三月前重建。周一开工。", "港口的墙将在三月前重建。"),
        ("", ""),
        ("   \n ", ""),
    ],
)
def test_first_sentence_is_cut_where_a_reader_would(text: str, expected: str) -> None:
    assert first_sentence(text) == expected


def test_a_long_first_sentence_is_cut_at_a_word_and_marked() -> None:
    words = [f"word{n}" for n in range(80)]
    text = " ".join(words) + ". Second sentence."
    cut = first_sentence(text)
    assert len(cut) <= SENTENCE_LIMIT and cut.endswith("…")
    assert cut[:-1].split() == words[: len(cut[:-1].split())]  # whole words only


def test_the_email_shows_one_sentence_under_the_headline_then_the_quote() -> None:
    sections = (section("World", story("wall", standfirst=TWO_SENTENCES, quote=QUOTE)),)
    files = render(sections).files
    cell = tree(files["digest.html"]).xpath("//td[contains(@class, 'story')]")[0]
    standfirst = cell.xpath(".//p[contains(@class, 'standfirst')]")[0]
    assert text_of(standfirst) == "The harbour wall will be rebuilt by March."
    assert standfirst.getnext().tag == "blockquote"
    assert "Work starts on Monday" not in text_of(cell)  # the preheader may say more
    text = files["digest.txt"].decode()
    assert (
        "Headline of wall\nBy Jane Doe\n\nThe harbour wall will be rebuilt by March.\n\n"
        "    “We will rebuild the harbour wall before the winter storms”\n"
        "    — Mayor Ines Roth\n\nRead: "
    ) in text
    web = tree(files["archive/2026-11-27.html"])
    assert text_of(web.xpath("//p[contains(@class, 'standfirst')]")[0]).endswith("by March.")


def test_no_standfirst_when_the_summary_is_empty_or_only_repeats_the_quote() -> None:
    empty = story("empty", standfirst="", quote=QUOTE)
    echo = story("echo", standfirst=f"“{QUOTE.text},” the mayor said. More.", quote=QUOTE)
    files = render((section("World", empty, echo),)).files
    assert not tree(files["digest.html"]).xpath("//*[contains(@class, 'standfirst')]")
    text = files["digest.txt"].decode()
    assert "By Jane Doe\n\n    “We will rebuild" in text
    assert "the mayor said" not in text


def test_the_budget_counts_the_standfirsts_of_quoted_stories_it_leaves_out() -> None:
    stories = [story(f"s{n}", standfirst=TWO_SENTENCES, quote=QUOTE) for n in range(3)]
    sections = (section("World", *stories),)
    full = len(render(sections).files["digest.html"])
    result = render(sections, cfg=config(max_html_bytes=full - 1))
    assert "no standfirsts (3 left out)" in result.warnings[0]
    assert not tree(result.files["digest.html"]).xpath("//*[contains(@class, 'standfirst')]")
    assert "rebuilt by March." in result.files["digest.txt"].decode()
