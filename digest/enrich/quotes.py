# Typographic quotation marks and apostrophes are this module's subject, not typos.
# ruff: noqa: RUF001, RUF002, RUF003
"""Lead-quote extraction: the first real statement quoted in an article, and who said it.

The Markdown body is reduced to plain-text paragraphs (front matter, code, HTML, images, link
URLs and footnotes dropped; link text and emphasised text kept), then scanned for quotation
marks in document order. The first quotation that reads as a statement -- not a scare quote,
a nickname or a title -- and that the text gives to a person or a group is returned with its
speaker, and with the news agency when a credit such as "reported TASS" follows the
attribution.

Everything here is heuristic and deliberately conservative: when a quotation never closes, or
the speaker is unclear (a pronoun that stands for no one named), the answer is "no quote",
never a guess.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from digest.models import LeadQuote
from digest.sources.templating import without_templates

__all__ = ["extract_lead_quote", "plain_paragraphs"]


def extract_lead_quote(markdown: str, *, parsed: Parsed | None = None) -> LeadQuote | None:
    """The first direct quotation in the Markdown body that is a real statement, with its speaker.

    Returns None when the body quotes no statement; an unclosed quotation is skipped, never
    returned in part. A quotation of four words or fewer is kept only when no fuller
    statement follows. `parsed` is the body as a CommonMark parser (with any extensions)
    already tokenised it, and the environment it filled: its block structure is reused
    rather than parsed again, so what the reader sees as a table or a code block is that
    here too.
    """
    body = _Body(markdown, parsed)
    short: LeadQuote | None = None  # the first statement of four words or fewer
    for quotation in _quotations(body):
        found = _lead_quote(body, quotation)
        if found is None:
            continue
        if len(_WORD.findall(found.text)) > _SHORT_WORDS:
            return found
        short = short or found
    return short


_SHORT_WORDS = 4


def _lead_quote(body: _Body, quotation: _Quotation) -> LeadQuote | None:
    """``quotation`` as a lead quote, if it is a statement."""
    if _CODE_MARK in quotation.text:
        return None  # “How was `db-7` wired?”: never shown with its code cut out
    if quotation.pull is not None:
        if not _person_like(quotation.pull) or _whole_group(quotation.pull):
            return None  # “…” — Direction on Web Services §5.1; — Mastodon Toot: no person
        return LeadQuote(_clean_text(quotation.text), _clean_text(quotation.pull))
    words = _WORD.findall(quotation.text)
    if len(words) < 3 or _title_case(words) or _looks_like_code(body, quotation):
        return None  # a scare quote, a nickname, a title, a path or code: cheap to tell
    if _mostly_figures(words):
        return None  # “22:00 to 23:00”, “v2.1 or 2.2”: a time or a number, not a statement
    first_text = body.text(quotation.first) or ""
    if _CAPTION.match(first_text) or quotation.first >= body.transcript_from:
        return None  # Photo credit: Jane Doe, “A rusted door.”; ANN LEE: They say, ‘…’
    if body.headline(quotation):
        return None  # *‘Council signs plan’ ⏎ ‘Growers push for shed fund’*: titles, no one's
    if body.titled(quotation) or _TITLE_AFTER.match(body.text(quotation.last) or "", quotation.end):
        return None  # **“A Talk’s Title,”** [“A link’s text”](…), [Episode 9](…): “A Title”
    if _names_a_setting(body, quotation) or _nested(body, quotation):
        return None  # the ‘sort by date’ option; “… not just “We compost” …”: not a statement
    lead = _sentence_before(first_text, quotation.start)
    if _PLACE_LABEL.search(lead):
        return None  # [**Dayton, Ohio**](…)**:** “…”: a place heads a news story, no one speaks
    if _PHRASE_NAMED.search(lead) or _QUESTIONED.search(lead):
        return None  # the importance of “…”; Didn't Ann Lee say “…”?: no one's statement
    if _NAMED_THING.search(lead) and len(words) <= _SHORT_WORDS and words[0][:1].isupper():
        return None  # a run down of the “North Allotment group”: a name
    if _DOCUMENT_QUOTED.search(_PARENTHETICAL.sub(" ", lead)):
        return None  # As per our stability index: “…”: documentation, not speech
    if _NOUN_AFTER.match(_sentence_after(body.text(quotation.last) or "", quotation.end)):
        return None  # “How do I deploy?” is one of our most asked questions
    if _ASKED.search(lead):
        return None  # In response to “what did you like?”, one participant said: the answer
    hypothetical = _HYPOTHETICAL.search(lead) and not _WHAT_SAID.search(lead)  # not "had to say"
    if hypothetical or _EXAMPLE.search(lead or _previous_sentence(body, quotation)):
        return None  # what one might say, or an example: “It is a strength to say, “…”
    if _HABITUAL_SPEECH.search(lead):
        return None  # what people say as a habit: maintainers just say “…”
    if _NAME_WITH.search(lead):
        return None  # Ann Lee with “A Year of Night Buses” showed …: a talk's title
    statement = _is_statement(quotation, words, lead)
    if statement is False or _from_court_papers(body, quotation, lead):
        return None
    labelled = body.labelled(quotation)  # "_Reality view:_ “…”": a label, not a speaker
    attribution = _attribution(body, quotation, "" if labelled else lead, after_label=labelled)
    if attribution.speaker is None:
        return None  # no speaker, no lead quote: a slogan, a document's wording, “…,” they say
    if not _person_like(attribution.speaker) or _program_in(attribution.speaker, lead):
        return None  # “…” says conventional wisdom; “…” says the documentation; the OS tells us
    if _third_person(quotation.text, attribution.speaker):
        return None  # X says it “feels like a weight has gone from his back”: a paraphrase
    if not _whole_sentence(body, quotation) and not _spoken(body, quotation, lead):
        return None  # a fragment, unless a speech verb gives it to someone: said it was “…”
    if statement or attribution.direct:
        speaker = _clean_text(attribution.speaker)
        return LeadQuote(_clean_text(quotation.text), speaker, attribution.source)
    return None


# A place as a label before a quotation, "City, State:" or "Town, Country:": a news story's
# dateline, as in a list of local headlines, not anyone speaking.
_US_STATES = (
    "Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia|"
    "Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|"
    "Massachusetts|Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|"
    "New Hampshire|New Jersey|New Mexico|New York|North Carolina|North Dakota|Ohio|Oklahoma|"
    "Oregon|Pennsylvania|Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah|"
    "Vermont|Virginia|Washington|West Virginia|Wisconsin|Wyoming|D\\.C\\.|Puerto Rico"
)
_COUNTRIES = (
    "Canada|Mexico|Brazil|Argentina|Chile|Colombia|Peru|UK|England|Scotland|Wales|Ireland|"
    "France|Germany|Spain|Portugal|Italy|Netherlands|Belgium|Switzerland|Austria|Poland|"
    "Sweden|Norway|Denmark|Finland|Greece|Turkey|Ukraine|Russia|Israel|Egypt|Nigeria|Kenya|"
    "Ghana|South Africa|India|Pakistan|China|Japan|Korea|South Korea|Taiwan|Vietnam|"
    "Thailand|Indonesia|Philippines|Singapore|Malaysia|Australia|New Zealand|USA|U\\.S\\.A?\\.?"
)
_STATE_CODES = (  # not MD, which is also a doctor's title
    "AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|"
    "NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC"
)
_PLACE_LABEL = re.compile(
    r"(?:\A|[.!?]\s+)(?:[A-Z][\w.'’-]*\s+){0,3}?[A-Z][\w.'’-]*,\s+"
    rf"(?:{_US_STATES}|{_COUNTRIES}|{_STATE_CODES})\s*:\s*\Z"
)
# A fragment woven into the writer's sentence that refers back to its speaker in the third
# person and never speaks in the first: "says it “feels like a weight has gone from his
# back”": a paraphrase. "their" refers back only to a speaker not named (the growers), and
# "them" never does (Ann Lee thanked the volunteers, saying “… without them”).
_THIRD_PERSON = re.compile(r"\b(?:his|himself|her|herself)\b(?!\s*(?:or|/)\s*h)", re.IGNORECASE)
_THIRD_PERSON_PLURAL = re.compile(r"\b(?:their|themselves)\b", re.IGNORECASE)
_FIRST_PERSON = re.compile(
    r"\bI\b|\bI['’]|\b(?i:me|my|mine|myself|we|us|our|ours|ourselves)\b|\b(?i:we)['’]"
)


def _third_person(text: str, speaker: str) -> bool:
    """Whether a quoted fragment (it opens in lower case) speaks of its speaker only in the
    third person."""
    opening = text.lstrip(" …[.")
    if not opening[:1].islower() or _FIRST_PERSON.search(text):
        return False
    plural = not _has_name(speaker) and _THIRD_PERSON_PLURAL.search(text)
    return bool(_THIRD_PERSON.search(text) or plural)


# A quoted term that names a thing of a program or a page: the ‘sort by date’ option.
_SETTING_AFTER = re.compile(
    r"[*_]*\s+(?:option|flag|command|setting|field|button|tab|menu|parameter|switch|"
    r"argument|key|checkbox|toggle)s?\b",
    re.IGNORECASE,
)
# A line of a changelog, release notes or meeting notes: "- tools: ‘…’ option added
# ([pr#12](…), Ann Lee)", "- Help wanted: \"Crash on start\" [#412](…)" (an issue number
# ends the line).
_CHANGELOG_LINE = re.compile(r"[\[(](?:pr|issue|bug|gh)#\d|\s#\d{2,}[\])]?\s*\Z", re.IGNORECASE)
# A phrase the writer names rather than anyone's speech: "the importance of “…”".
_PHRASE_NAMED = re.compile(
    r"\b(?:importance|idea|notion|concept|value|spirit|principle)\s+of\s*\W{0,2}\Z",
    re.IGNORECASE,
)
# A question or a denial about what someone said: "Didn't Ann Lee once say “…”?".
_QUESTIONED = re.compile(
    r"(?:\A|[.!?]\s+)(?:Did|Does|Do|Didn['’]t|Doesn['’]t|Don['’]t|Wasn['’]t|Isn['’]t|"
    r"Was|Is|Has|Hasn['’]t|Wouldn['’]t|Would)\s+(?:[^\W\d]+\s+){1,5}"
    r"(?:say|said|tell|write|claim|ask)\b[^.!?]*\Z"
)
# A determiner or a noun that makes a short quoted name a noun: a run down of the “…”.
_NAMED_THING = re.compile(r"\b(?:the|a|an|our|their|its|his|her|my|your)\s*\Z", re.IGNORECASE)


def _names_a_setting(body: _Body, quotation: _Quotation) -> bool:
    """Whether a quotation names a setting ("the ‘sort by date’ option") or sits in a line
    of a changelog ("‘…’ option added ([pr#12](…), Ann Lee)"): a name, never speech."""
    last = body.text(quotation.last) or ""
    if _SETTING_AFTER.match(last, quotation.end):
        return True
    return bool(_CHANGELOG_LINE.search(_line_at(body.text(quotation.first) or "", quotation.start)))


def _line_at(text: str, position: int) -> str:
    """The line of ``text`` that holds ``position``."""
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    return text[start : end if end >= 0 else len(text)]


def _nested(body: _Body, quotation: _Quotation) -> bool:
    """Whether a quotation sits inside another of the same marks, still open before it in
    its paragraph ("As Lina posted, "… not just "We compost" and move on, …""), with no one
    named just after it: the outer speaker's retelling, not a statement of theirs."""
    text = body.text(quotation.first) or ""
    before = text[: quotation.start]
    if text[quotation.start] == '"':
        marks = list(_STRAIGHT_MARK.finditer(before))  # 6'2" is an inch mark; "" is one
        inside = len(marks) % 2 == 1 and _opens_quotation(before, marks[-1])
    else:
        inside = text[quotation.start] == "“" and before.count("“") > before.count("”")
    if not inside:
        return False
    tail = _sentence_after(body.text(quotation.last) or "", quotation.end)
    return _speaker_after(tail, ends_sentence=False) is None  # “… “…,” Ann wrote, …”


def _opens_quotation(text: str, mark: re.Match[str]) -> bool:
    """Whether a straight mark opens a quotation: after a space or the start, before a word."""
    after = text[mark.end() : mark.end() + 1]
    return (mark.start() == 0 or text[mark.start() - 1] in " \t\n([") and not after.isspace()


_STRAIGHT_MARK = re.compile(r'(?<!\d)"+')


def _mostly_figures(words: list[str]) -> bool:
    """Whether more of a quotation's words are figures than words of letters."""
    figures = sum(1 for word in words if not word[:1].isalpha())
    return figures > len(words) - figures


# Legal papers a phrase may be lifted from: "said in a court filing that it was “used to …”".
_COURT_PAPERS = re.compile(
    r"\b(?:(?:court|legal|charging)\s+(?:filings?|papers|documents?|records)|filings?|"
    r"indictments?|affidavits?|(?:search\s+)?warrants?|lawsuits?|subpoenas?|"
    r"(?:criminal|civil)\s+complaints?|court\s+(?:order|ruling|judgment|transcripts?))\b",
    re.IGNORECASE,
)


def _from_court_papers(body: _Body, quotation: _Quotation, lead: str) -> bool:
    """Whether a quotation is a phrase lifted from legal papers its sentence cites ("the FBI
    said in a court filing that the laptop was “used to …”"): the papers' wording, not
    anyone's speech. A whole sentence quoted from them still leads ("The filing states, “…”")."""
    if not quotation.text.lstrip(" …")[:1].islower():
        return False
    tail = _sentence_after(body.text(quotation.last) or "", quotation.end)
    return bool(_COURT_PAPERS.search(lead) or _COURT_PAPERS.search(tail))


# A turn of an interview transcript: "ANN LEE: …", "Q: …". Words quoted inside an answer
# are the speaker's retelling, not a statement to lead with.
_TRANSCRIPT_TURN = re.compile(
    r"\A(?:[A-Z][A-Z.'’-]+(?:\s+[A-Z][A-Z.'’-]+){0,3}|Q|A)\s*:[*_]*\s"  # "**ANN LEE:** …"
)
# A document quoted as if it spoke: "As per our stability index: “…”", "the glossary", "RFC
# 6962", "Appendix A to the Directive on Service", "Direction on Web Services §5.1" -- a
# text's wording, not speech.
_REFERENCE_WORDS = (
    r"(?:documentation|docs|manual|man\s+page|readme|spec|specification|stability\s+index|"
    r"api\s+reference|reference\s+guide|handbook|changelog|release\s+notes|faq|rfc|"
    r"docstring|help\s+text|error\s+message|glossary|directive|direction|appendix|annex|"
    r"section|chapter|clause|standards?|policy|guide|guidelines?|guidance|law|act|bill|"
    r"regulations?|statute|charter|treaty|code\s+of\s+conduct|licen[cs]e|dictionary|wiki|"
    r"wikipedia|definition|terms\s+of\s+service|encyclop(?:a)?edia|thesaurus|almanac|"
    r"living\s+standard|recommendations?|blurb|tagline|abstract|(?:code\s+)?repo(?:sitory)?|"
    r"website|homepage|home\s+page|executive\s+orders?|memo(?:randum)?|rules?)"
)
_REFERENCE_TITLES = (
    r"(?:dictionary|encyclop(?:a)?edia|thesaurus|wikipedia|handbook|specification|glossary|"
    r"living\s+standard|values|principles|manifesto)"  # the Acme Community Values
)
_DOCUMENT_QUOTED = re.compile(
    rf"\b(?:(?:as\s+)?per|according\s+to|in|from)\s+(?:the\s+|our\s+|its\s+|their\s+)?"
    rf"(?:[\w.-]+\s+){{0,3}}?{_REFERENCE_WORDS}\s*[:,]?\s*\Z",
    re.IGNORECASE,
)
_DOCUMENT_NAMED = re.compile(
    # the glossary, our new style guide, the Privacy Act, release notes (not "Jude Law")
    r"\A(?i:(?:the|a|an|our|this|that|its|their|his|her|my|your)\s+)(?:[\w.'’-]+\s+){0,3}?"
    rf"(?i:{_REFERENCE_WORDS})\Z|\A(?:[\w.'’-]+\s+){{0,3}}?{_REFERENCE_WORDS}\Z"
    # Oxford Learner's Dictionary, The Web Living Standard: a title no person bears
    rf"|\A(?:[\w.'’-]+\s+){{0,4}}?(?i:{_REFERENCE_TITLES})\Z"
    # the order, this new order: an order named by a determiner (not "Ann Order")
    r"|\A(?i:the|this|that|its|their)\s+(?:[\w'’-]+\s+){0,2}?(?i:order)\Z"
    # RFC 6962, Section 3.3, Appendix A to …, the Directive on Service, Guide to …
    rf"|\A(?:[Tt]he\s+)?(?i:{_REFERENCE_WORDS})\s+(?:\d|(?:to|of|on|for)\s)"
    r"|\A(?:[Tt]he\s+)?(?:Appendix|Annex|Section|Chapter|Clause|Article|Schedule|Part)\s+"
    r"[A-Z](?:\.?\d[\d.]*)?(?![\w'’.])"
    r"|§|\b[Ss]ection\s+\d",  # … §5.1, section 3
)
# People whose role names a document's subject: "Head of Policy", "the standards team lead".
_ROLE_WORDS = re.compile(
    r"\b(?:head|director|chief|officer|manager|lead|chair|minister|secretary|adviser|advisor|"
    r"analyst|editor|author|owner|member|team|committee|council|office|department|ministry|"
    r"agency|expert|specialist|counsel|lawyer)\b",
    re.IGNORECASE,
)


def _is_document(speaker: str) -> bool:
    """Whether a speaker is a document (a standard, a policy, a section of one, a report),
    not a person or a body that speaks."""
    name = speaker.split(",")[0].strip()
    parts = [part.strip() for part in _TITLE_PARTS.split(name)]  # Dyslexia - A Dictionary
    named = any(_DOCUMENT_NAMED.search(part) for part in parts if part)
    return (named and not _ROLE_WORDS.search(name)) or _headed_by_document(name)


# Documents named by their kind, last, after any title: "the latest State of the Garden
# report", "the Acme mission", "Lee's new study", "this year's survey results", and the
# papers of a court case: "the complaint", "her lawsuit", "the judge's ruling".
_DOCUMENT_HEAD = re.compile(
    r"(?:\A|\s)(?:report|study|paper|white\s?paper|survey(?:\s+results)?|findings|"
    r"mission(?:\s+statement)?|complaint|lawsuit|suit|filings?|indictment|affidavit|"
    r"ruling|opinion|brief|motion|judgm?ent|verdict|subpoena)\Z",
    re.IGNORECASE,
)


def _headed_by_document(name: str) -> bool:
    """Whether a phrase ends on a document's kind with no people named before it in lower
    case: "the State of the Garden report", not "the author of the report"."""
    head = _DOCUMENT_HEAD.search(name)
    if head is None:
        return False
    before = [word.strip(".,'’") for word in name[: head.start()].split()]
    return not any(
        word[:1].islower()
        and word not in _DETERMINER_WORDS  # "her lawsuit": "her" is no "-er" person
        and (
            word in _GROUP_HEADS
            or word.endswith(_PERSON_SUFFIXES)
            or _ROLE_WORDS.fullmatch(word)
            or _RELATIVE.fullmatch(word)
        )
        for word in before
    )


_TITLE_PARTS = re.compile(r"\s+[-–—|]\s+")


# A quotation used as a noun in the writer's sentence: “…” is one of our questions.
_NOUN_AFTER = re.compile(
    r"\s+(?:is|was|are|were|has\s+been|remains)\s+(?:one|a|an|the|our|my|their|its|his|her|"
    r"often|still|now|also|probably|perhaps|another|what|how)\b"
)


def _whole_sentence(body: _Body, quotation: _Quotation) -> bool:
    """Whether a quotation is a whole sentence, its terminal mark or handing-over comma
    inside or just after its closing mark: “We won,” she said; “We won”."""
    letters = [character for character in quotation.text if character.isalnum()]
    if not letters or not letters[0].isupper():
        return False
    after = (body.text(quotation.last) or "")[quotation.end : quotation.end + 1]
    return quotation.text.rstrip(" ’”»)\u00a0\u202f")[-1:] in ".!?…" or after == "."


def _spoken(body: _Body, quotation: _Quotation, lead: str) -> bool:
    """Whether a speech verb in the quotation's own sentence gives it to someone: "Ann said
    the plan was “a mess”", "“a mess,” she said" (not "such as “…”", "provides “…”")."""
    tail = _sentence_after(body.text(quotation.last) or "", quotation.end)
    return bool(
        quotation.interruption
        or _INVERTED_AFTER.match(tail)
        or _SUBJECT_AFTER.match(tail)
        or _QUOTED_AS.search(tail)
        or _QUOTED_AS.search(lead)
        or _SAYING.search(lead)
        or _ACCORDING_AFTER.match(tail)
        or _ACCORDING_BEFORE.search(lead)
        or _speech_verbs(_PARENTHETICAL.sub(" ", lead))
    )


# What hands over to a question put to someone: "In response to “…”, one participant said:".
_ASKED = re.compile(
    r"\b(?:in\s+(?:response|reply|answer)\s+to|(?:to|answering)\s+the\s+question)\s*[:,]?\s*\Z",
    re.IGNORECASE,
)


# What one might say or ask, not what was said: "to say, “…”", "you may be asking, “…”",
# "hard to go back and say “…”", "if they say “…”", "when the participant says, “…”"; and
# what someone is yet to say: "someone's going to find this and say “…”", "you'll say “…”",
# "one day people will ask, “…”" (a named speaker's "will say: “…”" quotes a speech's text).
_HYPOTHETICAL = re.compile(
    r"\b(?:(?:can|could|may|might|must|should|would|will|to|cannot)\s+(?:\w+\s+){0,3}"
    r"(?:say|ask|asking|saying|answer|tell|think|thinking)"
    r"|(?:if|when|whenever)\s+(?:\w+\s+){1,4}(?:says?|asks?|tells?\s+you)"
    r"|(?:often|always|frequently|regularly|usually|sometimes|constantly)\s+"
    r"(?:(?:get|gets|am|is|are|been|being)\s+)?(?:asked|told)"
    r"|(?:going\s+to|gonna|(?<=\w)['’]ll|(?:someone|somebody|anyone|anybody|everyone|people|"
    r"you|they|one\s+day|some\s+day|someday)\s+(?:[\w'’]+\s+){0,3}?(?:will|shall))"
    r"\s+(?:[\w'’]+\s+){0,6}?(?:say|ask|tell|answer|think|wonder))"
    r"\b[^“”„«»\"]{0,40}?[,:]?\s*\Z",
    re.IGNORECASE,
)
# What people say as a habit, no one in particular: "one of the first questions asked when a
# user complains:", "maintainers just say “…”" (a present-tense verb after "just", "usually").
_HABITUAL_SPEECH = re.compile(
    r"\bquestions\s+(?:(?:that|which)\s+)?(?:(?:people|users|we|you|they)\s+)?"
    r"(?:asked|ask|hear|heard|get)\b(?![^“”„«»\"]*\bby\s)[^“”„«»\"]{0,120}\Z"
    r"|\b(?:just|simply|usually|typically|generally|normally)\s+"
    r"(?:say|ask|tell\s+\w+|reply|answer|write)\b[^“”„«»\"]{0,40}\Z",
    re.IGNORECASE,
)
# A name, then "with" and a quotation: the title of what they presented ("Ann Lee with “…”
# showed"), unlike a speech verb's "replied with".
_NAME_WITH = re.compile(r"(?<![\w’'-])[A-Z][\w’'-]*\s+with\s*\Z")
# A label that makes the quotation an example, not a statement: "For example:", "Myth:",
# "a story like “…”".
_EXAMPLE = re.compile(
    r"(?:(?:\bexample|\be\.g\.|\bmyth|\bmisconception|\bsample|\btemplate|\bmeans|"
    r"\bstands\s+for|\btranslates\s+(?:to|as)|\bis\s+defined\s+as)\s*:"
    r"|\b(?:like|such\s+as))\s*\W{0,3}\Z",
    re.IGNORECASE,
)


def _previous_sentence(body: _Body, quotation: _Quotation) -> str:
    """The sentence just before the one holding ``quotation`` (across paragraphs)."""
    return next(_sentences_backwards(body, quotation.first, quotation.start), "")


def _looks_like_code(body: _Body, quotation: _Quotation) -> bool:
    """Whether a quotation is a path, a URL or a string in code: "/2015/05/a/", print("…")."""
    if " " not in quotation.text.strip():
        return True
    first = body.text(quotation.first) or ""
    if _COMMAND_LINE.search(_line_at(first, quotation.start)):
        return True  # $ gardend --listen="tcp port=9000" \\: a command, never a quote
    if first[quotation.start] != '"':
        return False
    last = body.text(quotation.last) or ""
    before = first[quotation.start - 1 : quotation.start]
    after = last[quotation.end : quotation.end + 1]
    return before in ("=", "(", "[", "{") or after in (")", "]", "}", "=", ":", ";")


# A command line: a shell prompt, a "--flag=", a line continued by a backslash.
_COMMAND_LINE = re.compile(
    r"\A\s*[$#%>]\s+[\w./-]+\s|(?:\A|\s)--?[\w-]+=|\s\\\s*\Z|(?:\A|\s)--[a-z][\w-]*\b"
)


def plain_paragraphs(markdown: str) -> list[str]:
    """The plain text of each body paragraph, exactly as the extractor reads it."""
    body = _Body(markdown)
    texts = (
        _plain((body.text(index) or "").replace(_CODE_MARK, " ")) for index in range(len(body))
    )
    return [text for text in texts if text]


def _words(text: str) -> frozenset[str]:
    """A set of words written as one string, for the word lists below."""
    return frozenset(text.split())


# --- Markdown to plain paragraphs -------------------------------------------------------------

_MARKDOWN = MarkdownIt("commonmark").disable("inline")  # inline parsing is done lazily, below

_FRONT_MATTER = re.compile(
    r"\A\ufeff?(---|\+\+\+)[ \t]*\r?\n"
    r"(?=[ \t]*(?:#|[\w\"'.-]+[ \t]*[:=]|\1|\.\.\.))"  # YAML or TOML keys, or empty
    r"(?:.*?\r?\n)??(?:\1|\.\.\.)[ \t]*(?:\r?\n|\Z)",
    re.DOTALL,
)
_FOOTNOTE_DEFINITION = re.compile(r"\[\^[^\]\s]+\]:")
# A footnote mark, [^1]: its label has no space and no "]". The match starts where the run of
# such characters holding the mark starts (the text before the mark is kept: group 1), and
# first checks that the run ends in "]": a run of "[^[^[^…" is then read once, not once for
# each "[^" in it.
_FOOTNOTE_REFERENCE = re.compile(r"(?<![^\]\s])(?=[^\]\s]*+\])([^\]\s]*?)\[\^[^\]\s]++\]")
_LINE_BREAK_TAG = re.compile(r"<br\b", re.IGNORECASE)
_CODE_ELEMENT = re.compile(r"<(/)?(?:code|kbd|samp|tt|var|pre|script|style)\b", re.IGNORECASE)
_BARE_URL = re.compile(r"\b(?:https?|ftp)://[^\s“”«»‘’„]*|\bwww\.[\w-]+\.[^\s“”«»‘’„]*")
# Collapses whitespace but keeps the no-break spaces of French typography ("fini !").
_SPACES = re.compile(r"[^\S\u00a0\u202f]+")
# A paragraph can only hold a quotation if it has an opening mark (or an entity for one).
_MAY_QUOTE = re.compile(r"[“„«»‹›\"‚”&\\]|(?<!\w)['‘]")


Parsed = tuple[list[Token], dict[str, Any]]
"""A Markdown body's tokens and the environment the parser filled (link references)."""


class _Body:
    """The paragraphs of a Markdown body; each is turned into plain text on first use.

    Template syntax is removed first (see templating.py; a parsed body had it removed when
    it was read). A blockquote signed with an attribution line, or an HTML <blockquote> with
    a <cite> or <footer>, becomes one pull quote in place of its paragraphs.
    """

    def __init__(self, markdown: str, parsed: Parsed | None = None) -> None:
        if parsed is None:
            self._env: dict[str, Any] = {}
            markdown = without_templates(_FRONT_MATTER.sub("", markdown, count=1))[0]
            tokens = _MARKDOWN.parse(markdown, self._env)
        else:
            tokens, self._env = parsed
        # One entry per paragraph (its Markdown); None marks anything
        # else (heading, code, HTML, list edge), which a quotation cannot run across.
        self._paragraphs: list[str | None] = []
        self._pulls: dict[int, tuple[str, str]] = {}  # entry -> pull quote text and speaker
        self._headings: dict[int, str] = {}  # break entry -> the heading it stands for
        turns: list[int] = []  # entries opening on a speaker's name: "ANN LEE: …"
        list_depth = 0
        quote_depth, quote_first = 0, 0  # Markdown blockquotes: depth, and first entry inside
        html_pull: list[str] | None = None  # the HTML of an open <blockquote>, when it spans
        html_first = 0
        for index, token in enumerate(tokens):
            kind = token.type
            if kind == "blockquote_open":
                quote_depth += 1
                if quote_depth == 1:
                    quote_first = len(self._paragraphs)
                continue
            if kind == "blockquote_close":
                quote_depth -= 1
                if not quote_depth and html_pull is None:
                    self._sign_blockquote(quote_first)
                continue
            if kind in ("paragraph_open", "paragraph_close"):
                continue
            if kind in ("bullet_list_open", "ordered_list_open"):
                list_depth += 1
            elif kind in ("bullet_list_close", "ordered_list_close"):
                list_depth -= 1
            content = token.content
            if html_pull is not None:
                html_pull.append(content)
                if "</blockquote" in content.lower() or len(html_pull) > _MAX_PULL_PIECES:
                    self._add_html_pull("\n".join(html_pull), html_first)
                    html_pull = None
                continue
            if kind == "html_block" and content:
                lowered = content.lower()
                opened = lowered.rfind("<blockquote")
                if opened >= 0 and lowered.find("</blockquote", opened) < 0:
                    html_pull, html_first = [content], len(self._paragraphs)
                elif opened >= 0:
                    self._add_html_pull(content, len(self._paragraphs))
            is_paragraph = (
                kind == "inline"
                and tokens[index - 1].type == "paragraph_open"
                and not _FOOTNOTE_DEFINITION.match(content)
            )
            if is_paragraph:
                content = _paragraph_prose(content)
            if is_paragraph and content.strip():
                if _TRANSCRIPT_TURN.match(content.lstrip("*_ ")):
                    turns.append(len(self._paragraphs))
                self._paragraphs.append(content)
                if (
                    not (quote_depth or list_depth)
                    and _OPENING_MARK.match(content.lstrip(" *_"))
                    and _BROKEN_SIGNATURE.search(content)
                ):
                    self._sign_blockquote(len(self._paragraphs) - 1)  # a paragraph, signed
            elif self._paragraphs and self._paragraphs[-1] is not None:
                self._paragraphs.append(None)
            if kind == "inline" and tokens[index - 1].type == "heading_open":
                if not self._paragraphs:
                    self._paragraphs.append(None)
                self._headings[len(self._paragraphs) - 1] = content
        if html_pull is not None:
            self._add_html_pull("\n".join(html_pull), html_first)
        # In a transcript (two turns or more), what follows the first turn is an answer.
        self.transcript_from = turns[0] if len(turns) > 1 else len(self._paragraphs)
        self._texts: dict[int, str | None] = {}
        self._closings: dict[tuple[int, str], _Closings] = {}
        self._sentence_ends: dict[int, int] = {}

    def _sign_blockquote(self, first: int) -> None:
        """Make the blockquote whose entries start at ``first`` a pull quote, if it is signed."""
        entries = self._paragraphs[first:]
        pieces = [entry for entry in entries if entry is not None]
        if not pieces or len(pieces) > _MAX_PULL_PIECES:
            return
        if any(_COMMAND_LINE.search(line) for piece in pieces for line in piece.splitlines()):
            return  # > $ gardend --listen="…" \ > --log-file=…: a command, not a signature
        signed = _SIGNATURE.search(pieces[-1]) or _AUTHOR_LINK.search(pieces[-1])
        if signed is None and _OPENING_MARK.match(pieces[0].lstrip(" *_")):
            signed = _BROKEN_SIGNATURE.search(pieces[-1])  # “…” <br> *Ann Lee*
        if signed:
            said = pieces[-1][: signed.start()].strip()
            if said.count('"') % 2:
                return  # "…", "… was "late" — but no one said why.": a dash inside a quotation
            who = _plain(self._inline(signed.group("who") or signed.groupdict().get("cite") or ""))
            inline = signed.start() > 0 and pieces[-1][signed.start()] != "\n"
            if (
                inline
                and said[-1:] in _QUOTE_CHARS
                and not _OPENING_MARK.match(pieces[0].lstrip(" *_"))
            ):
                return  # … which is "nicer" -- the grid is less scrolling: the prose goes on
        else:  # “…” then a paragraph of its own: _Ann Lee, mayor_ (or Ann Lee, mayor)
            signed = _EMPHASISED_SIGNATURE.match(pieces[-1]) or _PLAIN_SIGNATURE.match(pieces[-1])
            if not signed or len(pieces) < 2 or not _OPENING_MARK.match(pieces[0].lstrip()):
                return
            if not _CLOSED_PIECE.search(pieces[-2]):
                return  # the last paragraph of the quotation must close it
            said, who = "", _plain(self._inline(signed.group("who")))
            if not _capitalised_name(who) or not _personal_name(who.split(",")[0]):
                return
        text = " ".join(_plain(self._inline(piece)) for piece in [*pieces[:-1], said] if piece)
        pull = _pull_quote(text, who)
        if pull is not None:
            del self._paragraphs[first:]  # the pull quote takes their place
            self._add_pull(pull)

    def _add_html_pull(self, html: str, first: int) -> None:
        """Make the first <blockquote> of ``html`` a pull quote, if it credits its speaker."""
        pull = _html_pull_quote(html)
        if pull is not None:
            del self._paragraphs[first:]  # the pull quote takes their place
            self._add_pull(pull)

    def _add_pull(self, pull: tuple[str, str]) -> None:
        if self._paragraphs and self._paragraphs[-1] is not None:
            self._paragraphs.append(None)
        self._pulls[len(self._paragraphs)] = pull
        self._paragraphs.append(None)

    def _inline(self, content: str) -> str:
        children: list[Token] = []
        _MARKDOWN.inline.parse(content, _MARKDOWN, self._env, children)
        return _inline_text(children)

    def __len__(self) -> int:
        return len(self._paragraphs)

    def pull(self, index: int) -> tuple[str, str] | None:
        """The pull quote (text, speaker) at entry ``index``, if there is one."""
        return self._pulls.get(index)

    def _markdown_at(self, quotation: _Quotation) -> tuple[str, int, int] | None:
        """Where a quotation's opening mark and first words are in its paragraph's Markdown:
        the Markdown, and where the mark starts and the words end. Up to three marks or
        spaces may come between the mark and the words ("“**We"), any between two words."""
        content, text = self._paragraphs[quotation.first], self.text(quotation.first)
        words = _WORD.findall(quotation.text)[:3]
        if content is None or not text or not words:
            return None
        opener = text[quotation.start]
        start = content.find(opener)
        while start >= 0:
            end = _words_at(content, start + 1, words)
            if end is not None:
                return content, start, end
            start = content.find(opener, start + 1)
        return None

    def labelled(self, quotation: _Quotation) -> bool:
        """Whether an emphasised label introduces a quotation: "_Reality view:_ “…”"."""
        found = self._markdown_at(quotation)
        return found is not None and bool(_EMPHASISED_LABEL.search(found[0], 0, found[1]))

    def headline(self, quotation: _Quotation) -> bool:
        """Whether a quotation sits in a run of quoted headlines: a paragraph of two lines or
        more (hard breaks) that each open and close with a quotation mark ("*‘Council signs
        plan, says ‘…’’  ⏎ ‘Growers push for shed fund’*"). A headline is a title, and one
        headline never signs the next."""
        found = self._markdown_at(quotation)
        if found is None:
            return False
        content, start, _ = found
        lines = [_EMPHASIS_ENDS.sub("", line) for line in _HARD_BREAK.split(content)]
        quoted = [bool(_QUOTED_LINE.fullmatch(line)) for line in lines]
        line = len(_HARD_BREAK.findall(content, 0, start))
        return sum(quoted) >= _HEADLINE_RUN and quoted[line]

    def after_link(self, quotation: _Quotation) -> bool:
        """Whether a link's text ends right before a quotation: "[… in which he
        expressed](…) “…”"."""
        found = self._markdown_at(quotation)
        return found is not None and bool(_AFTER_LINK.search(found[0], 0, found[1]))

    def titled(self, quotation: _Quotation) -> bool:
        """Whether the Markdown sets a quotation as a title: bold or italic inside a
        sentence, the whole text of a link, or right after a link or a link's label with
        no one named after it ("[Episode 9](…): “A Title”", not "[Paper](…): “…,” said X")."""
        found = self._markdown_at(quotation)
        text = self.text(quotation.first) or ""
        if found is None:
            return False
        content, start, end = found
        before = content[:start]
        if before.endswith("[") and _LINK_TEXT_END.match(content, end):
            return True
        if _AFTER_LINK.search(before):
            outside = _LINK.sub(" ", before)  # the writer's words, without links' text
            lead = _sentence_before(outside, len(outside))
            if _speech_verbs(lead) or re.search(_ACCORDING, lead):
                return False  # As Ann Lee said at [the summit](…), “…”
            if _LINKED_VERB.search(before):
                return False  # as [Dara Moyo observes](…), “…”: the link's text attributes
            return not _speaker_after(_sentence_after(text, quotation.end), ends_sentence=False)
        return before.endswith(("*", "_")) and bool(text[: quotation.start].strip())

    def may_quote(self, index: int) -> bool:
        """Whether paragraph ``index`` could contain an opening quotation mark."""
        content = self._paragraphs[index]
        return content is not None and _MAY_QUOTE.search(content) is not None

    def headings_before(self, index: int) -> list[str]:
        """The plain text of the headings above paragraph ``index``, nearest first."""
        above = sorted((at for at in self._headings if at < index), reverse=True)
        return [self._inline(self._headings[at]) for at in above]

    def heading(self, index: int) -> str | None:
        """The plain text of the heading just above paragraph ``index``, if one is."""
        content = self._headings.get(index - 1)
        return None if content is None else self._inline(content)

    def text(self, index: int) -> str | None:
        """The plain text of paragraph ``index``; None for a break between paragraphs."""
        if index in self._texts:
            return self._texts[index]
        content = self._paragraphs[index]
        text = None if content is None else self._inline(content)
        self._texts[index] = text
        return text

    def closing(self, index: int, begin: int, opener: str) -> int | None:
        """Offset of the mark closing ``opener`` in paragraph ``index``, for text from ``begin``."""
        closings = self._closings.get((index, opener))
        if closings is None:
            closings = self._closings[index, opener] = _closings(self.text(index) or "", opener)
        return closings.after(begin)

    def sentence_end(self, index: int) -> int:
        """Offset of the mark ending the last sentence of paragraph ``index``, or -1."""
        if index not in self._sentence_ends:
            self._sentence_ends[index] = _sentence_end(self.text(index) or "")
        return self._sentence_ends[index]


# A site's own markup on a line of its own: "=ZOOM=A pull quote repeated=",
# "=IMAGE=tray.jpg=A caption=", "=TEXTBOX_START=A title=": a page's furniture, never prose.
_SITE_MARKUP_LINE = re.compile(r"^[ \t]*=[A-Z][A-Z_]*=(?:[^\n]*=)?[ \t]*(?:\n|\Z)", re.MULTILINE)
# A paragraph's own number or letter, as press releases write it: "4.&nbsp;&nbsp;", "(iv) ",
# "a.<TAB>"; a bare number only before a tab, no-break spaces, two spaces or emphasis ("5<TAB>",
# "8 **Ann Lee**"), never "12 growers came".
_NUMBERING = r"(?:\d{1,3}|[a-z]|[ivx]{1,5})"
_PARAGRAPH_GAP = r"(?:[ \t\u00a0]|&nbsp;|&#160;)"
_PARAGRAPH_NUMBER = re.compile(
    rf"\A(?:{_NUMBERING}[.)]|\({_NUMBERING}\)|\d{{1,3}}(?=[\t\u00a0]|&nbsp;|&#160;| [ *_]))"
    rf"{_PARAGRAPH_GAP}+"
)


def _paragraph_prose(content: str) -> str:
    """A paragraph's Markdown without a site's markup lines and its own number or letter
    (Kramdown attribute lists went with the template tags: see templating.py)."""
    content = _SITE_MARKUP_LINE.sub("", content)
    return _PARAGRAPH_NUMBER.sub("", content.lstrip(), count=1)


# A hard line break in Markdown, the emphasis marks around a line, a line quoted whole.
_HARD_BREAK = re.compile(r"(?: {2,}|\\)\n|<br\s*/?>\n?", re.IGNORECASE)
_EMPHASIS_ENDS = re.compile(r"\A[\s*_]+|[\s*_]+\Z")
_QUOTED_LINE = re.compile(r"[‘“\"].*[’”\"]", re.DOTALL)
_HEADLINE_RUN = 2  # quoted lines that make a list of headlines
# An emphasised label with its colon just before a quotation: "_Myth:_ “…”", "**Before**: “…”".
_EMPHASISED_LABEL = re.compile(r"(?:\A|\s)([*_]{1,3})[^*_\n]{1,60}(?::\1|\1:)\s*\Z")
# Where a link's text ends in a closing mark: the rest of ["…"](…).
_LINK_TEXT_END = re.compile(r"[^\[\]\n]*[”\"»’]\W{0,2}\]\(")
# A link, or a link label's definition, just before a quotation: "[Episode 9](…): “…”".
_AFTER_LINK = re.compile(r"(?:\]\([^()\s]*\)|(?:\A|\n)\s*\[[^\]\n]+\]:\s*\S+)\s*[:,]?\s*\Z")
_LINK = re.compile(r"\[[^\[\]\n]*\]\([^()\s]*\)")
_MAX_PULL_PIECES = 12  # paragraphs of a pull quote, at most
_MAX_PULL_CHARACTERS = 700
# The attribution line ending a blockquote: "— Name, role", "-- Name", "<cite>Name</cite>".
# A dash, as typed or as an HTML entity ("&mdash; From a designer")
# A dash, as typed or as an HTML entity ("&mdash; From a designer"), or the tilde some
# writers sign with ("~ Ann Lee").
_DASH = r"(?:[—–―~]|--|&[mn]dash;|&#821[12];)"
_GAP = r"(?:[ \t\u00a0]|&nbsp;)"  # spaces, as typed or as an entity
# Emphasis or a link's bracket wrapping a signature: "_~ Ann Lee_", "~ [*Ann Lee*](…)".
_WRAP = r"[_*\[]{0,3}"
_SIGNATURE = re.compile(
    rf"(?:(?:\A|\n)[ \t]*(?:{_WRAP}{_DASH}|-(?=[*_\[]))"
    rf"|(?<=[”\"»“’.!?]){_GAP}+{_WRAP}(?:{_DASH}|-(?!-)))"
    rf"{_GAP}*(?P<who>[^\n]{{1,400}})\Z"
    rf"|(?:\A|\n)[ \t]*{_DASH}?[ \t]*<cite>(?P<cite>[^\n<]{{1,120}})</cite>[ \t]*\Z",
    re.IGNORECASE,
)
# An emphasised signature after line breaks: “…” <br> <br> *Ann Lee, mayor* (or *– Ann Lee*).
_BROKEN_SIGNATURE = re.compile(
    rf"(?<=[”\"»“’.!?*_])(?:{_GAP}|\n)*(?:<br\s*/?>(?:{_GAP}|\n)*)+"
    rf"(?P<em>[*_]{{1,3}})(?:{_DASH}{_GAP}*)?(?P<who>[^*_\n<]{{1,200}}?)(?P=em)[ \t]*\Z",
    re.IGNORECASE,
)
# A last paragraph that is only an emphasised name signs a quotation: "_Ann Lee, mayor_".
_EMPHASISED_SIGNATURE = re.compile(
    r"\A[ \t]*(?P<em>[_*]{1,2})(?P<who>[^_*\n]{3,160})(?P=em)[ \t]*\Z"
)
# A last paragraph that is only a name, then any role: "Ann Lee, Engineer - Data at Acme".
_PLAIN_SIGNATURE = re.compile(
    r"\A[ \t]*(?P<who>(?:Dr|Prof|Mr|Mrs|Ms|Sir|Rev)?\.?[ \t]*[A-Z][\w'’-]+"
    r"(?:[ \t]+(?:[A-Z]\.|[A-Z][\w'’-]+)){1,3}(?:,[ \t]*[^\n“”\"«»]{1,160}?)?)[ \t]*\Z"
)
# A link to an author's page signing a quotation just after its closing mark, no dash:
# “…” [Ann Lee](/author/ann-lee/), [the forum](…)
_AUTHOR_LINK = re.compile(
    r"(?<=[”\"»’])[*_]*[ \t]+\[(?P<who>[^\[\]\n]{2,60})\]"
    r"\((?:[^()\s]*/)?(?:authors?|people|team|members?|users?|speakers?)/[^()\s]*\)"
    r"(?:\s*,\s*\[[^\[\]\n]*\]\([^()\s]*\))?[ \t.]*\Z"
)
# A paragraph whose quotation closes at its end: “… we ship.”
_CLOSED_PIECE = re.compile(r"[”\"»’][*_]*[ \t]*\Z")
# What a signature ends with that names no one: "(Source)", "(link)"; "(from Org)" names
# the speaker's organisation.
_SIGNED_LINK_WORD = re.compile(r"\s*\((?:source|link|tweet|video|post)\)\s*\Z", re.IGNORECASE)
_SIGNED_FROM = re.compile(r"\s*\(from\s+(?P<org>[^()]{1,80})\)\s*\Z", re.IGNORECASE)
_HTML_TAG = re.compile(r"<[^<>]*>")
_HTML_ATTRIBUTION = re.compile(
    r"<(?P<tag>footer|cite|figcaption)\b[^<>]*>(?P<who>.*?)</(?P=tag)\s*>",
    re.IGNORECASE | re.DOTALL,
)
_OUTER_MARKS = {"“": "”", "„": "“”", "«": "»", "»": "«»", '"': '"', "‘": "’", "‹": "›"}


def _plain(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


# The space a removed tag leaves before punctuation: "<cite>Ann Lee</cite>, CEO".
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+(?=[,.;:!?)](?:\s|\Z))")


def _words_at(content: str, position: int, words: list[str]) -> int | None:
    """Where ``words`` end when they follow ``position`` in ``content``: after at most three
    characters other than letters and digits ("**"), each word after at least one; None when
    they are not there."""
    for index, word in enumerate(words):
        start = position
        while position < len(content) and not content[position].isalnum():
            position += 1
        gap = position - start
        fits = gap <= _MAX_MARKS_BEFORE_WORDS if index == 0 else gap > 0
        if not fits or not content.startswith(word, position):
            return None
        position += len(word)
    return position


_MAX_MARKS_BEFORE_WORDS = 3


def _html_text(html: str) -> str:
    """The visible text of an HTML fragment."""
    return _SPACE_BEFORE_PUNCTUATION.sub("", _plain(unescape(_HTML_TAG.sub(" ", html))))


def _html_pull_quote(html: str) -> tuple[str, str] | None:
    """The quote and speaker of the first <blockquote> in ``html`` with <cite> or <footer>."""
    lowered = html.lower()
    start = lowered.find("<blockquote")
    opened = lowered.find(">", start) if start >= 0 else -1
    end = lowered.find("</blockquote", opened) if opened >= 0 else -1
    if end < 0:
        return None
    inner = html[opened + 1 : end]
    credits = list(_HTML_ATTRIBUTION.finditer(inner))
    if not credits:
        return None
    credit = next((found for found in credits if found.group("tag").lower() == "footer"), None)
    credit = credit or credits[-1]
    said = inner[: credit.start()] + inner[credit.end() :]
    if credit.group("tag").lower() == "cite" and _html_text(inner[credit.end() :]):
        return None  # a cited title inside the quotation, not its signature
    who = _html_text(credit.group("who"))
    if _LINK_ONLY.fullmatch(credit.group("who")) and not _linked_name(who):
        return None  # <cite><a href="…">The Map Standard, Section 2</a></cite>: a page cited
    return _pull_quote(_html_text(said), who)


# A credit that is only a link, maybe inside <cite>: <cite><a href="…">…</a></cite>.
_LINK_ONLY = re.compile(
    r"\s*(?:<cite\b[^<>]*>\s*)?<a\b[^<>]*>[^<>]*</a\s*>\s*(?:</cite\s*>\s*)?", re.IGNORECASE
)
_MAX_LINKED_NAME_WORDS = 4


def _linked_name(text: str) -> bool:
    """Whether a link's text signing a quotation is a name ("Ann Lee", "Ann Lee, Acme"), not
    a page's title ("Maps - The Open Atlas", "The Map Standard, Section 2")."""
    words = _TITLE_PARTS.split(text.split(",")[0])[0].split()  # Ann Lee - Acme: "Ann Lee"
    return (
        0 < len(words) <= _MAX_LINKED_NAME_WORDS
        and all(word in _NAME_JOINERS or _CAPITALISED.fullmatch(word) for word in words)
        and words[0].lower() not in _DETERMINER_WORDS
        and _personal_name(" ".join(words))
        and not _is_document(text)
    )


_CAPITALISED = re.compile(r"[A-Z][\w'’.-]*")


_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
# The date a signature ends with: "— Jane Doe, March 4, 2014", "— Daily Post, Oct. 2013".
_SIGNED_DATE = re.compile(
    rf"[,\s]+\(?(?:in\s+)?(?:(?:{_MONTH}\s+)?(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?(?:{_MONTH},?\s+)?)?"
    r"(?:1[89]|20)\d\d\)?[.\s]*\Z"
)
# Where a signed remark was posted: "— Ann Lee, via social media", "— Ann Lee via Chat".
_SIGNED_VIA = re.compile(r",?\s+via\s+[^,()]{1,40}\Z", re.IGNORECASE)
# A name and the work the remark is from: "— A.B. Lee in *Clean Rooms*".
_SIGNED_IN_WORK = re.compile(
    r"(?P<name>(?:[A-Z][\w.'’-]*\s+){0,3}[A-Z][\w.'’-]*)\s+in\s+[*_“\"‘]*[A-Z].*"
)
# A medium in brackets after a signature: "— Ann Lee (Garden Hour Podcast, Episode 12)".
_SIGNED_MEDIUM = re.compile(
    r"\s*\([^()]*\b(?:podcast|radio|episode|show|interview|video|tv|blog|newsletter|talk|"
    r"keynote|webinar|tweet|twitter|mastodon)\b[^()]*\)\s*\Z",
    re.IGNORECASE,
)
# What a signature may say before the speaker: "— Quote from a participant".
_SIGNED_AS = re.compile(
    r"\A(?:(?:(?:a\s+)?quot(?:e|ed|ation)|words|feedback|comments?)\s+(?:from|by|of)|from|by|"
    r"(?:as\s+)?attributed\s+to)\s+",
    re.I,
)


# A signature that credits a document, not a person: "- Borrowed from [A Guide](…)",
# "— Adapted from the handbook", "Source: …", "From the Acme docs".
_DOCUMENT_CREDIT = re.compile(
    r"[\s*_\[]*(?:(?:borrowed|adapted|taken|excerpted|reproduced|reprinted|copied|lifted|"
    r"abridged)\s+from\b|source\s*:"
    rf"|from\s+(?:(?:the|our|their|its|an?)\s+)?(?:[\w.'’-]+\s+){{0,4}}?{_REFERENCE_WORDS}\b)",
    re.IGNORECASE,
)
_MAX_SIGNER_WORDS = 12


def _pull_quote(text: str, who: str) -> tuple[str, str] | None:
    """A pull quote's text without its enclosing marks, and its speaker, if both hold up."""
    text = text.strip()
    closers = _OUTER_MARKS.get(text[:1])
    if closers and text[-1:] in closers and len(text) > 2:
        inner = text[1:-1].strip()
        if not any(mark in inner for mark in text[0] + closers):
            text = inner
    who = _signer(who)
    if _DOUBLE_MARK.search(_QUOTED_NAME.sub("", who)):
        return None  # — but did not say why.”: the end of a quotation, not a signature
    while len(who.split()) > _MAX_SIGNER_WORDS and "," in who:  # Name, role, a long gloss
        who = who.rsplit(",", 1)[0].rstrip()
    words = _WORD.findall(text)
    if len(who.split()) > _MAX_SIGNER_WORDS or len(text) > _MAX_PULL_CHARACTERS or len(words) < 2:
        return None
    return (text, who) if who[:1].isalpha() else None


def _signer(who: str) -> str:
    """The speaker a signature names: "— Ann Lee (Source)" -> "Ann Lee"; "~ Ann Lee (from
    Acme)" -> "Ann Lee, Acme"; "— Quote from Ann Lee, 2014" -> "Ann Lee"."""
    if _DOCUMENT_CREDIT.match(who):
        return ""  # — Adapted from the Allotment Handbook: a document's words, no one's
    who = _SIGNED_LINK_WORD.sub("", who.strip(" \u00a0—–―~-,.;:_*"))
    who = _SIGNED_VERB.sub("", who)  # <cite>said Ann Lee, CEO</cite>
    who = _SIGNED_FROM.sub(lambda found: ", " + found.group("org"), who)
    who = _SIGNED_DATE.sub("", _SIGNED_AS.sub("", who.strip(" \u00a0—–―~-,.;:_*")))
    who = _SIGNED_VIA.sub("", who)  # — Ann Lee, via social media -> Ann Lee
    who = _SIGNED_MEDIUM.sub("", who)  # — Ann Lee (Garden Hour Podcast, Episode 12) -> Ann Lee
    in_work = _SIGNED_IN_WORK.fullmatch(who)
    return in_work.group("name") if in_work else who  # — A.B. Lee in Clean Rooms -> A.B. Lee


def _inline_text(children: list[Token]) -> str:
    """Visible text of inline tokens: no code, images, HTML tags, URLs or footnote marks."""
    parts: list[str] = []
    hidden = 0  # depth inside inline HTML whose text is code: <code>, <kbd>, <script> …
    for index, child in enumerate(children):
        if _is_footnote_link(children, index):
            continue
        if child.type == "html_inline":
            element = _CODE_ELEMENT.match(child.content)
            if element:
                hidden = max(0, hidden + (-1 if element.group(1) else 1))
        if hidden:
            continue
        if child.type in ("text", "text_special"):
            parts.append(_BARE_URL.sub(" ", _INVISIBLE.sub("", child.content)))
        elif child.type == "code_inline":
            parts.append(_CODE_MARK)
        elif child.type in ("softbreak", "hardbreak") or (
            child.type == "html_inline" and _LINE_BREAK_TAG.match(child.content)
        ):
            parts.append(" ")
    text = _FOOTNOTE_REFERENCE.sub(r"\1", "".join(parts))
    return _SPACES.sub(" ", text).strip()


# Characters that only mark where a line may break or a word joins: never shown, never
# part of a name ("Ann Lee\u2060(opens in a new window)").
_INVISIBLE = re.compile("[\u00ad\u200b\u2060\ufeff]")
# Where inline code was: a quotation holding it is never shown without it ("How was `db-7`
# wired?" is not "How was wired?"), nor is a speaker.
_CODE_MARK = "\ufffc"


def _is_footnote_link(children: list[Token], index: int) -> bool:
    """Whether ``children[index]`` is the text of a footnote mark parsed as a link: [^1]."""
    return (
        0 < index < len(children) - 1
        and children[index - 1].type == "link_open"
        and children[index + 1].type == "link_close"
        and children[index].content.startswith("^")
    )


# --- Finding quotations -----------------------------------------------------------------------

# Each opening mark, and the marks that may close it.
_CLOSERS = {
    "“": "”",  # English
    "„": "“”",  # German, Polish, Czech ...
    "«": "»",  # French, Russian ...
    "»": "«»",  # German, Danish; Swedish and Finnish use »…»
    "”": "”",  # Swedish and Finnish
    "‹": "›",
    "›": "‹›",
    "‚": "‘’",
    '"': '"”',  # "…” : a typing slip writers make, closed as readers read it
    "‘": "’",
    "'": "'",
}
# Marks that open each continuation paragraph of a quotation that runs over several.
_CONTINUES = {"«": "«»", "„": "„", "“": "“"}
_OPENING_MARK = re.compile("[" + re.escape("".join(_CLOSERS)) + "]")
# Marks that close a quotation opened by another only before its attribution: “…," Ann said.
_SLIPPED_CLOSERS = {"“": '"'}
_CLOSING_SEARCH = {
    opener: re.compile("[" + re.escape(closers + opener + _SLIPPED_CLOSERS.get(opener, "")) + "]")
    for opener, closers in _CLOSERS.items()
}
# An opening single mark that is really an apostrophe of elision: ’90s, ’em, rock ’n’ roll.
_ELISION = re.compile(
    r"\d\ds\b|\d\d(?![\w'’])(?!\s+[a-z])|em\b|n['’]|[Tt](?:is|was)\b|til\b|cause\b|cos\b"
)
# 6'2" and 5'11": feet and inches, not a closing quotation mark.
_INCHES = re.compile(r"\d['’]\d{1,2}\Z")
# Words that follow a closing single mark but never a plural possessive (the Smiths’ house).
_AFTER_CLOSING = _words(
    "said says say told added asked he she they we i it and but or nor on in at to for by "
    "with from as is was were are which who that when while because after before then "
    "according"
)
_MAX_CONTINUATIONS = 12
_SENTENCE_END = ".!?…:;—–"  # what ends the last sentence of a paragraph ...
_AFTER_SENTENCE_END = "’”»)]"  # ... and what may follow it
_FIRST_LETTER = re.compile("[^ \u00a0\u202f…]")
_NEXT_WORD = re.compile(r"\s*(\S+)")
_INTERRUPTION_REACH = 200  # characters after a quotation searched for “…,” she said, “…”


@dataclass(frozen=True)
class _Quotation:
    """One closed quotation: its text and where it sits in the body."""

    text: str
    first: int  # paragraph holding the opening mark
    start: int  # offset of the opening mark in that paragraph
    last: int  # paragraph holding the closing mark
    end: int  # offset just past the closing mark
    interruption: str = ""  # attribution between two halves: “We won,” she said, “and …”
    pull: str | None = None  # the speaker of a pull quote (a signed blockquote)


def _quotations(body: _Body) -> Iterator[_Quotation]:
    """Every closed quotation of the body, outermost only, in document order."""
    index, position = 0, 0
    while index < len(body):
        pull = body.pull(index)
        if pull is not None:
            yield _Quotation(pull[0], index, 0, index, 0, pull=pull[1])
            index, position = index + 1, 0
            continue
        text = body.text(index) if position or body.may_quote(index) else None
        start = _next_opening(text, position) if text else -1
        if start < 0:
            index, position = index + 1, 0
            continue
        quotation = _closed_quotation(body, index, start)
        if quotation is None:
            position = start + 1
            continue
        yield quotation
        index, position = quotation.last, quotation.end


def _next_opening(text: str, position: int) -> int:
    """Offset of the first opening mark from ``position``, or -1."""
    for match in _OPENING_MARK.finditer(text, position):
        if _opens(text, match.start()):
            return match.start()
    return -1


def _opens(text: str, index: int) -> bool:
    """Whether the mark at ``index`` opens a quotation (rather than closing one, or eliding)."""
    mark = text[index]
    before = text[index - 1] if index else " "
    after = text[index + 1] if index + 1 < len(text) else ""
    if not after or before.isalnum():
        return False
    if after.isspace():
        return mark in "«‹"  # « Nous … » has a (no-break) space inside
    if mark == "”":
        return before.isspace() or not index
    if mark in "'‘":
        return _ELISION.match(text, index + 1) is None
    return True


def _closed_quotation(body: _Body, first: int, start: int) -> _Quotation | None:
    """The quotation opened at ``start`` of paragraph ``first``; None if it never closes.

    Follows the newspaper convention for a quotation over several paragraphs: each paragraph
    opens with a quotation mark and only the last one closes.
    """
    opener = (body.text(first) or "")[start]
    spans: list[tuple[int, int, int]] = []  # each piece of the text: paragraph, begin, end
    index, begin = first, start + 1
    for _ in range(_MAX_CONTINUATIONS):
        end = body.closing(index, begin, opener)
        if end is not None:
            spans.append((index, begin, end))
            text = " ".join((body.text(piece) or "")[left:right] for piece, left, right in spans)
            quotation = _Quotation(text, first, start, index, end + 1)
            return _joined_interruption(body, quotation, opener)
        if not _continues(body, index, begin, opener):
            return None
        if not spans and _starts_lower(body.text(first) or "", begin):
            return None  # a fragment of the writer's own sentence never runs on
        spans.append((index, begin, len(body.text(index) or "")))  # texts are stripped
        index, begin = index + 1, 1
    return None


def _starts_lower(text: str, begin: int) -> bool:
    """Whether the text from ``begin`` starts with a lower-case letter (spaces, … skipped)."""
    letter = _FIRST_LETTER.search(text, begin)
    return letter is not None and letter.group().islower()


def _continues(body: _Body, index: int, begin: int, opener: str) -> bool:
    """Whether a quotation unclosed in paragraph ``index`` goes on in the next one.

    Only a quotation of whole sentences does (the caller checks that it began with a
    capital): its paragraph ends a sentence, and the next one reopens the mark.
    """
    following = body.text(index + 1) if index + 1 < len(body) else None
    if not following:
        return False
    return (
        following[0] in _CONTINUES.get(opener, opener)
        and _opens(following, 0)
        and body.sentence_end(index) >= begin
    )


def _sentence_end(text: str) -> int:
    """Offset of the mark ending the last sentence of ``text`` (the "." of 'over.”'), or -1.

    Whether the text from some offset on ends a sentence is then one comparison, with no
    need to search that text again for each quotation opened in it.
    """
    last = len(text.rstrip(_AFTER_SENTENCE_END)) - 1  # texts have no trailing spaces
    return last if last >= 0 and text[last] in _SENTENCE_END else -1


@dataclass(frozen=True)
class _Closings:
    """Where a quotation opened by one kind of mark closes in one paragraph, from any offset.

    Built in one pass over the paragraph's marks: a quotation's closing mark is then found
    by a binary search, so that a paragraph of many unclosed opening marks is not scanned
    again for each of them.
    """

    positions: list[int]  # the marks that decide where a quotation closes, in order
    answers: list[int | None]  # for a quotation's text starting at positions[i]: its end

    def after(self, begin: int) -> int | None:
        """Offset of the mark closing a quotation whose text starts at ``begin``, if any."""
        first = bisect_left(self.positions, begin)
        return self.answers[first] if first < len(self.answers) else None


def _closings(text: str, opener: str) -> _Closings:
    """Where each quotation opened by ``opener`` in ``text`` closes (its text never at 0)."""
    if opener in "'‘":
        return _single_closings(text, opener)
    if opener == '"':
        return _straight_closings(text)
    return _nested_closings(text, opener)


def _straight_closings(text: str) -> _Closings:
    """For a straight double quote: the next one closes it, unless it opens a new quotation."""
    positions: list[int] = []
    answers: list[int | None] = []
    for match in _CLOSING_SEARCH['"'].finditer(text, 1):
        index = match.start()
        if _INCHES.search(text, max(0, index - 5), index):
            continue  # 6'2": not a quotation mark
        positions.append(index)
        reopens = text[index - 1].isspace() and _opens(text, index)
        answers.append(None if reopens else index)  # a new quotation: this one never closed
    return _Closings(positions, answers)


def _nested_closings(text: str, opener: str) -> _Closings:
    """For a mark that may nest (“He said “no” …”): the closing mark at the opening's depth.

    A scan from any offset closes at the first closing mark that brings the depth back to
    where it started, so each mark is labelled with the depth before it, and a backward pass
    notes, for each depth, the nearest closing mark ahead.
    """
    closers = _CLOSERS[opener]
    positions: list[int] = []
    depths: list[int] = []
    closes: list[bool] = []
    depth = 0
    for match in _CLOSING_SEARCH[opener].finditer(text, 1):
        index = match.start()
        mark = text[index]
        if mark not in closers and mark != opener and not _SLIPPED_CLOSE.match(text, index + 1):
            continue  # “We won," Ann said: a straight mark closes only before its attribution
        if mark == opener and mark not in closers:
            if _opens(text, index):  # the same style nested
                positions.append(index)
                depths.append(depth)
                closes.append(False)
                depth += 1
        elif mark not in closers or not (
            mark == "”" and text[index - 1].isspace() and _opens(text, index)
        ):
            positions.append(index)
            depths.append(depth)
            closes.append(True)
            depth -= 1
    answers: list[int | None] = [None] * len(positions)
    nearest: dict[int, int] = {}  # depth -> the nearest closing mark ahead at that depth
    for at in reversed(range(len(positions))):
        if closes[at]:
            nearest[depths[at]] = positions[at]
        answers[at] = nearest.get(depths[at])
    return _Closings(positions, answers)


def _single_closings(text: str, opener: str) -> _Closings:
    """For a single mark, told from apostrophes (it’s, 6'2, ’90s, the Smiths’ house).

    A mark between letters or after a space is an apostrophe. One after a plural "s" or a
    dropped "g" (the Smiths’ house, runnin’) may be either: it closes the quotation only if
    nothing better turns up -- the first such mark, or the last one before a new quotation
    opens. A clear closing mark ahead wins over both.
    """
    marks: list[tuple[int, str]] = []  # (offset, "close" | "maybe" | "reopen")
    closer = "’" if opener == "‘" else "'"
    for match in _CLOSING_SEARCH[opener].finditer(text, 1):
        index = match.start()
        before = text[index - 1]
        if (
            text[index] == closer
            and not before.isspace()
            and not text[index + 1 : index + 2].isalnum()
        ):
            if text[index - 2 : index] not in ("’n", "'n"):  # rock ’n’ roll
                marks.append((index, "maybe" if _possessive(text, index) else "close"))
        elif text[index] == opener and before.isspace() and _opens(text, index):
            marks.append((index, "reopen"))
    answers: list[int | None] = []
    stop: tuple[int, str] | None = None  # the nearest clear closing mark or reopening ahead
    last_maybe: int | None = None  # the last possible closing mark before `stop`
    for index, kind in reversed(marks):
        if kind != "maybe":  # a reopening with no possible closing mark before it is no stop
            answers.append(index if kind == "close" else (answers[-1] if answers else None))
            stop, last_maybe = (index, kind), None
            continue
        last_maybe = index if last_maybe is None else last_maybe
        if stop is None:
            answers.append(index)  # nothing better turns up: the first possible one
        elif stop[1] == "close":
            answers.append(stop[0])
        else:
            answers.append(last_maybe)  # a new quotation opens: the last possible one
    answers.reverse()
    return _Closings([index for index, _ in marks], answers)


def _possessive(text: str, index: int) -> bool:
    """Whether the single mark at ``index`` may be an apostrophe ending a word."""
    before = text[index - 1]
    if not before.isalpha() or not text[index + 1 : index + 2].isspace():
        return False
    if before not in "sSzZxX" and text[index - 2 : index] != "in":
        return False
    following = _NEXT_WORD.match(text, index + 1)
    word = following.group(1) if following else ""
    return not word or word.lower().strip(",.;:") not in _AFTER_CLOSING


def _joined_interruption(body: _Body, quotation: _Quotation, opener: str) -> _Quotation:
    """Rejoin a statement split by its attribution.

    Within a sentence: “We won,” she said, “and we will again.” Over two sentences, when the
    second quotation follows the attribution at once: “We won,” she said. “We will again.”
    """
    text = body.text(quotation.last) or ""
    reopeners = opener + ("“" if opener == '"' else "")  # "…,” she said, “…”: a slip
    if text[quotation.end - 1 : quotation.end] == '"' and opener != '"':
        reopeners += '"'  # “…," she said. "…": the slip made again
    ending = quotation.text.rstrip()[-1:]
    handed_over = ending == "," or text.startswith(",", quotation.end)
    if not (handed_over or ending in "?!") or not any(
        mark in text[quotation.end : quotation.end + 100] for mark in reopeners
    ):
        return quotation
    match = _INTERRUPTION.match(text, quotation.end, quotation.end + _INTERRUPTION_REACH)
    new_sentence = False
    if not match:
        match = _SENTENCE_INTERRUPTION.match(
            text, quotation.end, quotation.end + _INTERRUPTION_REACH
        )
        new_sentence = True
    elif not handed_over:
        return quotation
    if not match or len(match.group("clause").split()) > 8:
        return quotation
    start = match.end()
    if start >= len(text) or text[start] not in reopeners or not _opens(text, start):
        return quotation
    end = body.closing(quotation.last, start + 1, text[start])
    if end is None:
        return quotation
    second = text[start + 1 : end]
    first_letter = second.lstrip(" ….")[:1]
    if new_sentence != first_letter.isupper() or not first_letter.isalpha():
        return quotation  # a new sentence, not the rest of this one; or a fragment
    first = quotation.text
    if new_sentence and ending == ",":
        first = first.rstrip()[:-1] + "."  # “We won,” she said. “…” reads “We won. …”
    return _Quotation(
        f"{first} {second}",
        quotation.first,
        quotation.start,
        quotation.last,
        end + 1,
        match.group("clause"),
    )


# --- Is it a statement? -----------------------------------------------------------------------

_WORD = re.compile(r"[^\W_](?:[\w'’-]*[^\W_])?")
_SMALL_WORDS = _words(
    "a an the and but or nor for so yet at by in of on to up as from into with vs via "
    "de la le du des der die das und von"
)
# The word just before a quoted title: the book “…”, a song titled “…”.
_TITLE_CUES = _words(
    "book books novel memoir biography song songs single album track anthem hymn ballad film "
    "films movie documentary play musical opera poem series show sitcom programme program "
    "podcast episode article essay column headline title titled entitled named dubbed "
    "nicknamed slogan motto hashtag banner placard reading campaign exhibition painting game "
    "word words phrase term label caption operation called aka a.k.a. prompt question"
)
# A work named just before its quoted title, after a determiner: "shared the work “…”",
# "their paper “…”" (not "how I work: “…”", "her conference talk: “…”").
_WORK_BEFORE_TITLE = re.compile(
    r"\b(?:the|a|an|this|that|their|his|her|its|our|my|your)\s+(?:work|paper|study|publication|"
    r"thesis|chapter|talk|keynote|lecture|presentation)s?\s*\Z",
    re.IGNORECASE,
)


# A quoted phrase followed by the kind of work it names is that work's title: her “Burn
# the Forms” conference talk, the “Ten Small Things” blog post.
_WORKS = (
    r"(?:talk|keynote|article|book|post|paper|podcast|episode|video|song|film|movie|essay|"
    r"lecture|presentation|speech|webinar|newsletter|series|album|report|workshop)s?"
)
_WORK_AFTER = rf"\s+(?!(?:a|an|the|his|her|their|its|our|this|that)\s)(?:[\w-]+\s+)?{_WORKS}\b"
_TITLE_AFTER = re.compile(_WORK_AFTER)
_TITLE_IN_LEAD = re.compile(rf"[“\"‘][^“”\"‘’]{{1,100}}[”\"’]{_WORK_AFTER}")


def _is_statement(quotation: _Quotation, words: list[str], lead: str) -> bool | None:
    """Whether a quotation reads as something said, rather than a scare quote or a title.

    None means "only if its own sentence attributes it": a short quotation such as
    “We are ready,” the captain said.
    """
    word_before = _last_word(lead)
    if word_before in ("a", "an", "the"):  # a book called the “…”; aka a “…”
        word_before = _last_word(lead.rstrip(" ,:\u00a0\u202f")[: -len(word_before)])
    if word_before in _TITLE_CUES or _WORK_BEFORE_TITLE.search(lead):
        return False
    first_letter = next(character for character in quotation.text if character.isalnum())
    untitled = _TITLE_IN_LEAD.sub(" ", lead)  # her “Burn the Forms” talk: “we …” is no half
    if first_letter.islower() and any(mark in untitled for mark in _MARKS):
        return False  # the second half of a sentence split by its attribution
    embedded = lead.rstrip()[-1:].isalnum() and word_before not in _SPEECH_VERB_WORDS
    if embedded and first_letter.islower():
        return len(words) >= 6  # a partial quotation inside our own sentence
    if len(words) >= 4 or (quotation.text[-1] in ".!?…" and first_letter.isupper()):
        return True
    return None


def _clean_text(text: str) -> str:
    """A quotation or speaker without edge spaces, the comma that hands over to "said", or
    emphasis marks left unpaired at its edges (`)**: “**This week …`)."""
    text = _SPACES.sub(" ", text).strip().strip("*_").strip()
    return text.rstrip(",").rstrip().rstrip("*_").rstrip()


def _title_case(words: list[str]) -> bool:
    """Whether every significant word is capitalised, as in "The Old Man and the Sea"."""
    significant = [word for word in words if word.lower() not in _SMALL_WORDS]
    significant = [word for word in significant if not word[0].isdigit()]
    return len(significant) >= 2 and all(word[0].isupper() for word in significant)


def _last_word(text: str) -> str:
    """The last word of ``text``, lower-cased, ignoring trailing spaces, commas and colons."""
    words = text.rstrip(" ,:\u00a0\u202f").rsplit(maxsplit=1)
    return words[-1].lower() if words else ""


# Software and machines made to speak: "Windows tells us", "the compiler says".
_MACHINE_NAMES = frozenset(
    (
        *("windows", "macos", "linux", "android", "ios", "chrome", "chromium", "firefox"),
        *("safari", "system", "operating system", "build system", "type system", "file system"),
    )
)
_MACHINE_NOUNS = _words(
    "browser compiler api os kernel server app application tool cli terminal program "
    "computer machine software linter shell database interpreter runtime installer console "
    "debugger firmware device router script bot error log prompt"
)
# Machines named by two words whose last one alone may be a person: a reader, an assistant.
_MACHINE_PHRASES = ("screen reader", "screenreader", "voice assistant", "speech synthesizer")
_MAX_MACHINE_WORDS = 3  # "the build system", "our old CI server"


def _is_machine(speaker: str) -> bool:
    """Whether a speaker is software or a machine the writer makes speak ("Windows tells
    us", "the compiler says"), not a person: its output, no one's statement."""
    pieces = speaker.split(",")  # "Windows", or "Halfway through, Windows"
    return any(_machine_named(piece) for piece in {pieces[0], pieces[-1]})


def _machine_named(phrase: str) -> bool:
    """Whether ``phrase`` names software or a machine: "macOS", "our build system"."""
    words = phrase.split()
    if words and words[0].lower() in _DETERMINER_WORDS:
        words = words[1:]
    name = " ".join(words).lower()
    if name.endswith(_MACHINE_PHRASES):
        return True  # "the screen reader", "… and the voice assistant"
    if not words or len(words) > _MAX_MACHINE_WORDS:
        return False
    return name in _MACHINE_NAMES or words[-1].lower() in _MACHINE_NOUNS


def _program_in(speaker: str, lead: str) -> bool:
    """Whether the speaker is a program named in the writer's sentence: one word in lower
    case that is no pronoun and no word for people ("seedd tells the pump, “…”"). A handle
    signing after a quotation ("-- ravenq") is a person's."""
    return (
        bool(_PROGRAM_NAME.fullmatch(speaker))
        and speaker not in _HUMAN_WORDS
        and re.search(rf"(?<![\w-]){re.escape(speaker)}(?![\w-])", lead) is not None
    )


# A program's name: one word, lower case, letters and digits (not "police", "staff").
_PROGRAM_NAME = re.compile(r"[a-z][a-z0-9_-]*[a-z0-9]")


# --- Who said it ------------------------------------------------------------------------------

# Words in a speaker that make the quotation something other than speech: a saying, a slogan
# or a title, a slide, an imagined remark ("“…” says conventional wisdom").
_NOT_SAID = re.compile(
    r"\b(?:adage|proverb|maxim|aphorism|clich[eé]|saying\s+(?:that|goes)|the\s+saying|motto|"
    r"mantra|slogan|tagline|catchphrase|keynote|slide|imagine|imagined|imagining|pretend|"
    r"(?:conventional|common|received|folk|popular)\s+wisdom|"
    r"as\s+if|as\s+though|how\s+(?:many\s+times|often)|"
    r"(?:would|might|could|may)\s+(?:\w+\s+)?(?:say|ask|think|wonder)|hypothetical)\b",
    re.IGNORECASE,
)
_SPEECH_VERBS = sorted(
    _words(
        "said says say told tells added adds asked asks explained explains insisted insists warned "
        "warns noted replied replies continued continues recalled recalls admitted admits declared "
        "reiterated reiterates declares announced stressed stresses claimed argued argues remarked "
        "commented observed "
        "shouted whispered joked conceded concedes wrote writes tweeted agreed agrees acknowledged "
        "urged urges cautioned predicted promised vowed pleaded recounted suggested suggests "
        "answered responded retorted cried sighed laughed murmured reflected boasted complained "
        "complains maintained maintains emphasised emphasized stated mused quipped protested "
        "objected confirmed asserted asserts mentioned mentions posted states shared "
        "elaborated elaborates recapped recaps observes quips muses responds "
        # German, French, Russian, Spanish
        "sagte sagt erklärte erklärt betonte meinte "
        "déclare affirme ajoute estime explique souligne dit "
        "заявил заявила сказал сказала отметил отметила добавил добавила сообщил сообщила "
        "dijo afirmó añadió declaró "
        "sa sade sagde"  # Swedish, Norwegian, Danish
    ),
    key=lambda verb: (-len(verb), verb),  # the longest first: "says" before "say"
)
_SPEECH_VERB_WORDS = frozenset(_SPEECH_VERBS)
# Verbs that also attribute a quotation placed after them: He called it “a disgrace to us all”.
_LEAD_VERBS = ("called", "described", "branded", "labelled", "labeled")
_VERB_PATTERN = "|".join(_SPEECH_VERBS)
_FRENCH_COMPOUND = (
    r"a (?:déclaré|dit|affirmé|ajouté|expliqué|estimé|indiqué|souligné|conclu|raconté|répondu|"
    r"prévenu|assuré|insisté|rappelé)"
)
_ITALIAN_COMPOUND = r"ha (?:detto|dichiarato|aggiunto)"
_VERB = rf"(?:{_FRENCH_COMPOUND}|{_ITALIAN_COMPOUND}|{_VERB_PATTERN})"
# "según aseguró Ana López": the Spanish verb after "según" belongs to the credit, not the name.
_ACCORDING = (
    r"(?:[Aa]ccording to|[Ss]elon|[Ll]aut|[Пп]о словам|[Ss]egún"
    r"(?:\s+(?:aseguró|dijo|explicó|indicó|señaló|afirmó|declaró|comentó|contó|escribió))?)"
)
_ADVERBS = r"(?:(?:also|later|then|again|once|previously|further|simply|quietly|finally)\s+)"

_QUOTE_CHARS = '“”„«»‹›‚‘’"'
_MARKS = '“”„«»‹›"'  # quotation marks that never double as apostrophes
_DOUBLE_MARK = re.compile(r'[“”„«»]|(?<!\d)"')  # never part of a speaker's name
# A quotation mark, but not an apostrophe inside or at the end of a word (O’Brien, Smiths’).
_QUOTATION_MARK = re.compile(
    r"[“”„«»‹›‚‘]|(?<!\d)\"|(?<!\w)['’]|['’](?=[\s,.;:!?]|\Z)(?<![sS]['’])"
)
_MARK_OR_COLON = re.compile(rf"[‘{_MARKS}]|(?<!\d):|:(?!\d)")
# After the quotation, inverted: “…,” said the president.
_INVERTED_AFTER = re.compile(
    rf"[\s,]*(?:[—–]\s*)?{_ADVERBS}?(?!told\b|tells\b){_VERB}\s+(?P<who>.+)"
)
# After the quotation: “…,” the president said.
_SUBJECT_AFTER = re.compile(
    rf"[\s,]*(?:[—–]\s*)?(?P<who>[^\s,.!?;:{_MARKS}][^!?;:{_MARKS}]*?)"
    rf"\s+{_ADVERBS}*(?P<verb>{_VERB})\b(?P<rest>.*)"
)
# An attribution after a straight mark closing a curly one: “…," Ann Lee said. / said Ann.
_SLIPPED_NAME = r"(?:[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*){0,3})"
_SLIPPED_CLOSE = re.compile(
    rf"\s+(?:(?:(?:the\s+)?{_SLIPPED_NAME}|he|she|they|we|I)\s+{_VERB}"
    r"(?:[.,]|\s+(?:in|on|at|to|during|after|before|as)\s)"  # the NGB said in a notice
    rf"|{_VERB}\s+(?:the\s+)?{_SLIPPED_NAME}[.,])"
)
_ACCORDING_AFTER = re.compile(rf"[\s,]*{_ACCORDING}\s+(?P<who>.+)")
# After the quotation, a signature: "” – Ann Lee, CEO, Acme.", "” -- annl", "” ~Ann Lee".
_DASH_CREDIT = re.compile(r"(?:\s*(?:[—–―~]|--)|\s+-)\s*(?P<who>[^\W\d_][^.!?;:]{0,100}?)\.?\s*\Z")
_SIGNED_VERB = re.compile(rf"\A{_VERB}\s+(?=\S)")  # a signature that says so: "- said Ann Lee"


def _interruption(hand_back: str) -> re.Pattern[str]:
    """An attribution between two halves of a quotation, ending in ``hand_back``.

    The clause up to its first speech verb is atomic: when nothing hands back to the
    quotation after that verb, nothing does after a later one, so the later ones are not tried.
    """
    return re.compile(
        rf",?\s*(?P<clause>(?>[^.!?;:{_MARKS}]*?\b{_VERB}\b)[^.!?;:{_MARKS}]*?)"
        rf"{hand_back}(?=[{_MARKS}‘'‚])"
    )


_INTERRUPTION = _interruption(r",\s*")  # “We won,” she said, “and we will win again.”
_SENTENCE_INTERRUPTION = _interruption(r"\.\s+")  # “We won,” she said. “We will win again.”
# Anywhere before the quotation, in the same sentence.
_VERB_ANYWHERE = re.compile(rf"(?<![\w-])(?:{_VERB}|{'|'.join(_LEAD_VERBS)})(?!\w)")
# A link whose text ends in a speech verb, just before a quotation: "[Ann Lee observes](…), ".
_LINKED_VERB = re.compile(rf"\s(?:{_VERB_PATTERN})\]\([^()\s]*\)\s*[:,]?\s*\Z")
# A verb made passive by the words before it: "this order isn't always observed", "was noted".
_PASSIVE_BEFORE = re.compile(
    r"(?<![\w'’])(?:is|are|was|were|be|been|being|(?:is|are|was|were)n['’]t)"
    r"(?:\s+(?:not|never|always|often|rarely|seldom|also|still|widely|now|\w+ly))*\s+\Z",
    re.IGNORECASE,
)
_ACCORDING_BEFORE = re.compile(rf"{_ACCORDING}\s+(?P<who>[^,:;{_MARKS}]+)")
_COLON_SPEAKER = re.compile(rf"\s*(?P<who>[^\W\d_][^:;.!?{_MARKS}]{{0,60}}?)\s*:\s*\Z")
# The fire chief was blunt: “…”
_COPULA_COLON = re.compile(
    rf"(?P<who>[^\W\d_][^:;.!?{_MARKS}]{{0,60}}?)\s+"
    r"(?:was|is|were|are|remained|sounded|a été|était|war|ist)\s+\w+\s*:\s*\Z"
)
# An abstract noun as the subject before a colon ("The reason is simple:", "His answer was
# blunt:", "Lee’s reply:"): never a speaker itself, though its owner may be.
_ABSTRACT_NOUNS = (
    r"(?:reasons?|idea|point|answer|reply|response|result|problem|question|message|verdict|"
    r"lesson|advice|motto|rule|argument|explanation|conclusion)"
)
_ABSTRACT_COLON = re.compile(
    r"(?:(?:(?i:the|this|that|a|an)|(?P<owner>(?i:his|her|their)|[A-Z][\w.-]*(?:\s+[A-Z][\w.-]*){0,3}"
    rf"(?=['’]s?\s)))['’]?s?\s+)(?:[a-z]+\s+)?{_ABSTRACT_NOUNS}"
    r"(?:\s+(?:was|is|were|are)(?:\s+\w+){1,2})?\s*:",
    re.IGNORECASE,
)
_OWNER_PRONOUNS = {"his": "he", "her": "she", "their": "they"}
# "Reuters quoted the minister as saying", "The coach was quoted (by the Herald) as saying".
_QUOTED_AS = re.compile(
    rf"(?:(?P<src>[^,;:.!?{_MARKS}]{{1,60}}?)\s+quoted\s+(?!by\b)(?P<who>[^;:.!?{_MARKS}]{{1,100}}?)"
    rf"|(?P<subject>[^,;:.!?{_MARKS}]{{1,80}}?)\s+(?:was|were|is|has\s+been|had\s+been)\s+quoted"
    rf"(?:\s+by\s+(?P<by>[^;:.!?{_MARKS}]{{1,60}}?))?)\s+as\s+(?:saying|telling)\b"
)
_MODAL_END = re.compile(
    r"\b(?:can|could|may|might|must|should|shall|will|would|to|cannot|can’t|can't|won’t|"
    r"won't|wouldn’t|wouldn't|never|not)\s*\Z",
    re.IGNORECASE,
)
# A photo credit or caption: its quotations are titles.
_CAPTION = re.compile(
    r"\W{0,3}(?:(?:photo|image|picture|illustration|graphic|video|cover)s?\s*"
    r"(?:credit|courtesy|source|caption|by)?s?|credits?|caption|source|courtesy)\s*[:\-–—]",
    re.IGNORECASE,
)
# "To quote Ada Lovelace, “…”", "In the words of the coach: “…”"
_TO_QUOTE = re.compile(
    rf"(?:\b[Tt]o\s+quote|\b[Ii]n\s+the\s+words\s+of|\b[Qq]uoting)\s+"
    rf"(?P<who>[^,:;.!?{_MARKS}]{{1,80}}?)\s*[,:]?\s*\Z"
)
# …, saying: “…”
_SAYING = re.compile(r",\s*(?:saying|stating)\s*[,:]?\s*\Z")
_PAST_VERB = re.compile(
    r"(?<=\s)(?:[a-z]+ed|went|made|gave|took|spoke|wrote|met|left|sent|led|kept|held|rang|"
    r"came|sat|stood|broke|began|drew|fought|sought|thought|felt|won|lost|hit|cut|put|set|ran|"
    r"struck|threw|tore|wore|swore|spent|paid|laid|sold|bought|brought|caught|taught|told|said)\b"
)
# The ministry’s statement read: “…”
_DOCUMENT_NOUNS = (
    r"(?:statement|press\s+release|release|letter|note|report|post|message|notice|communiqué|"
    r"document|memo|email|e-mail|website|announcement|bulletin|tweet|publication|article|"
    r"editorial|op-ed|column)"
)
_DOCUMENT_READ = re.compile(
    rf"(?P<who>[^\W\d_][^:;.!?{_MARKS}]{{0,60}}?)['’]s?\s+(?:\w+\s+)?{_DOCUMENT_NOUNS}\s+"
    r"(?:read|reads|said|says|stated|states)\s*:?\s*\Z"
)
# "a statement from the ministry": the document, and who issued it.
_DOCUMENT = re.compile(
    rf"(?:a|an|the|its|his|her|their)\s+(?:[\w-]+\s+)?{_DOCUMENT_NOUNS}\b"
    r"(?:\s+(?:from|by|of|issued\s+by|released\s+by|signed\s+by)\s+(?P<author>.+))?",
    re.DOTALL,
)
# A phrase before the verb that is not its subject, in languages that invert after it:
# "Nach dem 3:0 sagte …", "Après le match a déclaré …".
_FRONTED = re.compile(
    r"(?:Nach|Vor|Bei|Beim|Am|Im|Um|Während|Gegenüber|Zum|Zur|Heute|Gestern|Dann|Danach|"
    r"Après|Avant|Lors|Dans|Hier|Tras|Durante|Después|Antes|Ayer|Hoy)\b"
)
# Words that go on with the writer's sentence after a quotation, never start a speaker.
_CONTINUATION = re.compile(
    r"[\s,]*(?:than|rather|and|but|or|nor|as|to|of|in|on|at|for|with|by|from|into|onto|over|"
    r"under|about|after|before|since|during|because|if|when|while|so|more|less|which|that|"
    r"like|instead|well|not|until|through|across|against|between|among|within|without|per)\b"
)
# After a terminal mark inside the quotation, "X said" must end there: “Why?” Smith asked.
_ATTRIBUTION_ENDS = re.compile(r"\s*(?:[,;]|\Z|(?:on|in|at|to|from|during|after|before|as)\b)")

_PRONOUNS = _words(
    "he she they i we you it him her them er sie es wir il elle ils elles on nous он она они мы "
    "someone somebody anyone anybody everyone everybody one"
)
_RESOLVABLE_PRONOUNS = _words("he she they")
_GROUP_NOUNS = _words(
    "police officials authorities ministry government council company committee army court "
    "critics residents experts analysts witnesses protesters party campaigners workers "
    "organisers organizers prosecutors investigators statement report"
)
_HUMAN_WORDS = (
    _PRONOUNS
    | _GROUP_NOUNS
    | _words(
        "staff people everyone everybody crowd audience team family public press media "
        "fans users members volunteers students participants attendees"
    )
)
# Adverbs that never name a speaker alone: the "Shortly" of "Shortly, (she asked)", the
# "Moreover" of "Moreover, Ann adds".
_LONE_ADVERBS = (
    "shortly soon later recently finally eventually suddenly immediately afterwards meanwhile "
    "then now today yesterday tomorrow moreover however additionally also still indeed "
    "instead likewise similarly furthermore nevertheless originally initially ultimately "
    "unfortunately fortunately luckily sadly interestingly importantly notably clearly "
    "obviously apparently basically essentially honestly frankly personally generally "
    "typically usually sometimes overall anyway besides otherwise lastly"
)
_ADVERB_CHOICES = "|".join([*_LONE_ADVERBS.split(), r"in\s+addition"])
_NOT_A_NAME = _words(
    "the a an this that these those his her their its our my your one some update note "
    "correction warning editor bottom translation question answer quote source"
) | _words(_LONE_ADVERBS)
_NOT_IN_A_NAME = _words("but or if because so than not no yes ok okay well needs need between")
_FINITE_VERBS = _words(
    "is are was were be been has have had will would can could must should do does did not "
    "here there it this that"
)
_SENTENCE_OPENERS = (
    r"(?:On|In|At|Asked|Last|Earlier|Later|After|Before|During|Since|Yesterday|Today|However|"
    r"Meanwhile|Still|Now|Then|Separately|Elsewhere|Afterwards|Outside|Inside|Also|But|And|So|"
    r"Yet|Speaking|Writing|Addressing|Responding|Answering|Talking|Commenting|Reacting|Standing|"
    r"Referring|Pointing|Interviewed|Explaining|Defending|Announcing|Visiting|Following|For|"
    r"Especially|Particularly|Notably|Specifically|Regarding|About|Besides|Indeed|This|That|"
    r"Despite|Even\s+so|Instead|Still|As\s+a\s+result|As\s+such|As\s+expected|As\s+usual|"
    r"Of\s+course"
    # any participle opening a phrase: "Reflecting on the year,", "Pressed about the cuts,"
    r"|(?!According\b|Quoting\b)[A-Z][a-z]+(?:ing|ed)(?=\s+[a-z]))"
)
# An opening phrase up to its comma, never across the speech verb: in "In “The Book” Ann Lee
# says that …, not …", the phrase is not "In … says that …,".
_LEADING_PHRASES = re.compile(
    rf"\A(?:{_SENTENCE_OPENERS}\b(?:(?!(?<![\w-])(?:{_VERB_PATTERN})(?!\w))[^,])*,\s*)+"
)
_LEADING_CONJUNCTIONS = re.compile(
    r"\A(?:(?:and|but|so|as|yet|then|while|because|later|earlier|meanwhile|however|still|now|"
    r"also)\s+)+",
    re.IGNORECASE,
)
# An aside between dashes or in brackets: the president — who rarely speaks — said …
_PARENTHETICAL = re.compile(r"\s+[—–][^—–]*[—–]\s+|\s*\([^()]*\)")
# A clause boundary inside what precedes the verb: … the plan that residents called “…”.
_CLAUSE_BREAK = re.compile(
    r".*(?:\b(?:that|which|because|although|though|while|whereas|since|when|where|if|"
    r"once(?=\s+\S)|until)\s+"  # "once he left", not the adverb of "As Ann once said"
    r"|,\s+(?:and|but|so|yet)\s+|[;—–(]|-{2,3}(?=\s*[^\W\d_])"  # "more time---as Ann says"
    r"|(?<!\d):|:(?!\d))",  # a label's colon: "Goodwill: Nothing says “…” like …"
    re.DOTALL,
)
_SOURCE_CLAUSE = re.compile(
    r",?\s+(?P<how>reported|reports|reporting|according to|(?:as\s+)?quoted by|cited by|via|told|"
    r"per|in\s+an\s+interview\s+with|speaking\s+to|interviewed\s+by)"
    r"\s+(?P<src>.+)",
    re.DOTALL,
)
# Where a statement was written or made: "in the email announcement", "at the keynote".
_MEDIA = (
    r"(?:announcements?|e-?mails?|posts?|blog|statements?|(?:press\s+)?releases?|interviews?|"
    r"threads?|forums?|(?:mailing\s+)?lists?|newsletters?|podcasts?|videos?|keynotes?|talks?|"
    r"presentations?|livestreams?|webinars?|episodes?|articles?|letters?|messages?|comments?|"
    r"chats?|calls?|meetings?|sessions?|notes|updates?|changelogs?|reports?|panels?)"
)
# Bodies named "X on Y" ("the Council on Environmental Quality", "the Committee on Finance"):
# after one of these words, "on" and a capitalised word continue the name.
_BODY_WORDS = ("Council", "Committee", "Commission", "Board", "Panel", "Conference", "Office")
_BODY_BEFORE_ON = "".join(f"(?<!{word})" for word in _BODY_WORDS)
_DAY_WORD = (
    r"(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs)?|Fri|Sat(?:ur)?|Sun)(?:day)?\b|"
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\b"
)
_SPEAKER_END = re.compile(
    r"(?:,\s*|\s+)(?:who|whom|whose|which|where|adding|speaking|referring|writing|before|after|while|"
    r"when|during|as|because|although|though|pointing|noting|insisting|saying|told|said|says)\b"
    r"|\s+with\s+(?:a|an)\s+(?:\w+\s+)?(?:smile|laugh|grin|shrug|sigh|nod|wink)\b"  # manner
    r"|\s+(?:am|last|this|earlier|later|yesterday|today|tonight|recently|shortly|"
    r"(?:at|in)\s+(?:a|an|his|her|their|its)|to\s+(?:reporters|journalists|the\s+press))\b"
    # "on Tuesday", "on the call"; but a body's name goes on: "Council on Environmental Quality"
    rf"|{_BODY_BEFORE_ON}\s+on\b|\s+on\s+(?={_DAY_WORD}|[^A-Z])"
    # where it was written or said: "… Ann Lee in the email announcement", "at the keynote"
    rf"|\s+(?:in|at|during|via|through)\s+the\s+(?:[\w'’-]+\s+){{0,3}}?{_MEDIA}\b"
    r"|,\s*(?:at|in|on|during|after|before|from|outside|inside|near|[a-z]+ing)\b"  # circumstance
    # German, French and Spanish: time, place and occasion; a relative clause
    r"|\s+(?:nach|vor|bei|beim|im|um|gegen|gegenüber|während|zum|zur|mit|après|avant|lors|"
    r"devant|dans|au|aux|tras|durante|ante|antes|después)\s"
    r"|,\s*(?:der|die|das|qui|que|quien|quienes)\s"
    r"|\s*(?:[;(—–]|(?<!\d):|:(?!\d))|\s+-\s+"
)
# "a estimé jeudi le président": a time word before an inverted speaker.
_LEADING_TIME = re.compile(
    r"\A(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|hier|matin|soir|"
    r"aujourd’hui|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|yesterday|today)"
    r"\s+)+"
)
_TRAILING_WORDS = re.compile(
    r"(?:\s+(?:also|later|then|previously|once|again|further|simply|quietly|finally|had|has|"
    r"have|would|will|was|were|is|did|does|do|not|never|earlier|recently|reportedly|"
    r"allegedly|both|all|each|himself|herself|themselves|even|just))+\s*\Z",
    re.IGNORECASE,
)
_AGENCIES = frozenset(
    {
        *_words(
            "tass reuters afp ap interfax interfax-ukraine ria ria-novosti xinhua bloomberg dpa "
            "ansa efe kyodo yonhap belta ukrinform unian pap anadolu ani pti irna sputnik bbc "
            "cnn nhk bns leta ctk mti hina tanjug upi aap"
        ),
        "associated press",
        "agence france-presse",
        "le monde",
        "al jazeera",
        "politico",
        "axios",
        "ria novosti",
        "press association",
        "pa media",
    }
)
_CREDIT = re.compile(
    r"\b(?P<how>reported|according to|quoted by|cited by|told|per|interview with|speaking to|"
    r"interviewed by)\s+(?P<src>[^,;:]+)"
    r"|,\s+(?P<outlet>(?:the\s+)?[A-Z][^,;:.!?]{0,40}?)\s+(?:reported|reports)\b",
    re.IGNORECASE,
)
_MEDIA_WORDS = re.compile(
    r"\b(?:News|Agency|Press|Wire|TV|Television|Radio|Times|Post|Journal|Gazette|Telegraph|"
    r"Herald|Tribune|Guardian|Broadcasting|Novosti|Sports?|Channel|Magazine|Daily|Weekly|"
    r"Chronicle|Observer|Independent|Courier|Monde|Zeitung|Spiegel|Figaro|Mail|Mirror|Express|"
    r"Standard|Globe|Bulletin|Review|Economist|Record|Network|Media|FM|Online)\b"
)
# A common noun after an outlet's name: "told the Northern Echo newspaper".
_OUTLET_NOUNS = _words(
    "newspaper paper daily weekly broadcaster channel station magazine website outlet tabloid "
    "agency television radio"
)
_NAME_JOINERS = _words("of de du la le del di von van für and")
_MAX_LOOKBACK_SENTENCES = 8
_COMMA_IN_NAME = re.compile(r",([’'”\"])\Z")
# A short quoted name inside a speaker: the boss of the “Silver Arrows” team.
_QUOTED_NAME = re.compile(r"[“\"‘](?:[A-Z][\w’'-]*,?\s?){1,4}[”\"’]")
# A sentence opening on a person's role: "The coach addressed …", "The chancellor’s answer …"
_ROLE_SUBJECT = re.compile(
    r"(?:The|the)\s+(?P<who>(?:[a-z-]+\s+){0,2}?(?:coach|manager|captain|mayor|minister|president|"
    r"chancellor|governor|premier|senator|chief|spokesman|spokeswoman|spokesperson|director|"
    r"chairman|chairwoman|chair|judge|teacher|doctor|officer|commander|general|ambassador|"
    r"secretary|leader|founder|owner|singer|author|player|farmer|witness|survivor|nurse|"
    r"surgeon|priest|bishop|king|queen|prince|princess|pope|prosecutor|defendant|lawyer))"
    r"(?:['’]s)?\b(?!['’-])"
)
_DETERMINERS = _words("The A An Le La Les Der Die Das El")
# A sentence opening on a person's name: "Jane Smith, the mayor, was defiant."
_NAMED_SUBJECT = re.compile(
    r"(?P<who>(?:(?:Mr|Mrs|Ms|Dr|Prof|Sir|Dame|Lord|Lady)\.?\s+[A-Z][\w’'-]+"
    r"|(?!(?:The|On|In|At|By|For|After|Before|When|While|But|And|This|That|It)\b)"
    r"[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)+)(?:,\s[^,]{1,60},)?)\s+[a-z]"
)


# Words naming things that never speak: documents, media, works, software, events.
_THING_WORDS = _words(
    "article articles report reports paper papers requirements requirement guide guides spec "
    "specs specification policy package packages website site page readme glossary book books "
    "chapter tweet tweets toot toots post posts thread threads blog newsletter linkedin mastodon "
    "twitter video videos podcast episode talk talks slides slide course lesson tutorial study "
    "studies survey document documents documentation docs issue issues commit release version "
    "library framework project tool tools feature features headline message email "
    "afternoon morning evening day week year session workshop conference meeting note notes "
    "approach approaches method methods rule rules principle principles strategy philosophy "
    "theory"  # the “1000 growers” approach suggests …: an idea, not a speaker
)
# In lower case, parts of a document and words for what is no one's statement: "the
# introduction of the survey", "here's a riddle: “…”" ("Example Collective" is a name).
_LOWER_THING_WORDS = _words(
    "introduction intro foreword preface abstract summary overview questionnaire faq "
    "riddle joke puzzle quiz question error warning prompt sign label caption slogan banner "
    "tip hint example greeting"
)
# Words that end a clause's fragment, never a speaker: the "often" of "I'm often (asked)".
_NOT_A_HEAD = _words("often always never sometimes usually also still just even")
_POSSESSIVE_END = re.compile(r"['’]s\Z")
_PERSON_SUFFIXES = ("er", "or", "ist", "ian", "ant", "ent", "ers", "ors", "ists", "ians")
_QUANTITY = re.compile(
    r"\A(?:(?:a|the)\s+)?(?:number|lot|couple|few|series|handful|pair|some|one|many|most)\s+of\s+",
    re.IGNORECASE,
)
# A share of people counted in a survey: "45% of all learners", "about 3 in 10 users".
_SHARE = re.compile(
    r"\A(?:(?:about|around|nearly|almost|over|under|some|only|just)\s+)?"
    r"\d[\d.,]*\s*(?:%|percent\b|per\s+cent\b|in\s+\d|out\s+of\s+\d)",
    re.IGNORECASE,
)
_GROUP_HEADS = _words(
    "team teams group groups community staff maintainers members folks people developers engineers "
    "contributors users crew core"
)
_ASIDE = re.compile(r"\s*\([^()]*\)")
_HEAD_END = re.compile(r"\s+(?:of|for|at|from|in|on|with|who|whose|behind|to|and)\s")


def _person_like(speaker: str) -> bool:
    """Whether a speaker is a person or a group of people: a name that is not a document,
    a medium, software or a title ("Ann Lee", "Acme"), or a description whose head noun
    names people ("one participant", "the core team", "a spokeswoman for the ministry")."""
    if _NOT_SAID.search(speaker) or _is_document(speaker) or _is_machine(speaker):
        return False
    if _SHARE.match(speaker):
        return False  # 45% of all gardeners mentioned …: a survey's figure, not a speaker
    if _page_title(speaker):
        return False  # Using the title attribute - Example Group: a page cited, not a person
    first, *rest = speaker.split(",")
    words = _head_phrase(first)
    if not words or _names_thing(words):
        return False  # My talk, Mastodon Toot, the potools package, a number of articles
    return _names_people(words) or (bool(rest) and _names_people(_head_phrase(rest[0])))


# A page's title and its site: "Writing good alt text - Example Collective".
_TITLE_AND_SITE = re.compile(rf"(?P<title>.+?){_TITLE_PARTS.pattern}\S.*")
_MIN_PAGE_TITLE_WORDS = 4  # "Using the title attribute - Site"; fewer may be a name and a role


def _names_thing(words: list[str]) -> bool:
    """Whether a speaker's words name a thing: a thing's word not followed by a noun for
    a person ("the potools package", not "release manager Ann Lee", "the project team")."""
    for index, word in enumerate(words):
        if word.lower() not in _THING_WORDS and word not in _LOWER_THING_WORDS:
            continue
        later = [word for word in words[index + 1 :] if word[:1].islower()]
        if not any(word in _GROUP_HEADS or word.endswith(_PERSON_SUFFIXES) for word in later):
            return True
    return False


def _page_title(speaker: str) -> bool:
    """Whether a speaker is a page's title and its site: the title, in words not all
    capitalised, opens with a verb's "-ing" form or runs to three words or more ("Ann Lee -
    Acme" is a person)."""
    match = _TITLE_AND_SITE.fullmatch(speaker.strip())
    if match is None:
        return False
    title = match.group("title")
    words = title.split()
    lowered = [word for word in words[1:] if word[:1].islower() and word not in _NAME_JOINERS]
    if "," in title or not lowered:
        return False  # Ann Lee, CTO - Acme; Sterling Archer - Acme; Dr Ann Marie Lee - Acme
    return len(words) >= _MIN_PAGE_TITLE_WORDS or words[0].lower().endswith("ing")


def _head_phrase(phrase: str) -> list[str]:
    """The words of a speaker up to what follows its head noun ("of the ministry"), less a
    bracketed aside ("Ann Lee (@annlee)")."""
    phrase = _ASIDE.sub(" ", phrase)
    head = _HEAD_END.split(_QUANTITY.sub("", phrase.strip()), maxsplit=1)[0]
    return [word for word in (word.strip(".:;!?()[]*_") for word in head.split()) if word]


def _names_people(words: list[str]) -> bool:
    """Whether a speaker's words are a name ("Ann Lee", "fire chief Dan Kerr", "the Acme
    team") or a description ending in a noun ("one participant"), not a clause's fragment."""
    if not words:
        return False
    named = [word for word in words if word[:1].isupper() and word not in _DETERMINERS]
    joined = all(word[:1].isupper() or word in _NAME_JOINERS for word in words)
    last = words[-1]
    if named and (joined or words[0].lower() in _DETERMINER_WORDS or last[:1].isupper()):
        return True  # Ann Lee, Acme, the Acme team, our CEO, fire chief Dan Kerr
    head = last.lower()
    if words[0][:1].isupper():
        return (
            head in _GROUP_HEADS or head in _GROUP_NOUNS or head.endswith(_PERSON_SUFFIXES)
        )  # the Acme team, not "Ann Lee provides", "I'm often"
    return head not in _NOT_A_HEAD and not head.endswith("ly")


@dataclass(frozen=True)
class _Attribution:
    """Who said a quotation, and which agency reported it."""

    speaker: str | None = None
    source: str | None = None
    direct: bool = False  # found in the quotation's own sentence


def _attribution(
    body: _Body, quotation: _Quotation, lead: str, *, after_label: bool = False
) -> _Attribution:
    """The speaker (and agency) of ``quotation``, from its sentence or the one before (not
    when a label introduces it)."""
    last_text = body.text(quotation.last) or ""
    tail = _sentence_after(last_text, quotation.end)
    ends_sentence = quotation.text.rstrip()[-1:] in ".!?…"
    found: str | None = None  # the speaker as written
    before = lead  # the words that name them, when before the quotation
    outlet: str | None = None  # the outlet that quoted them: "Reuters quoted X as saying"
    quoted = _QUOTED_AS.search(tail) or _QUOTED_AS.search(lead)
    if quoted:
        found = quoted.group("who") or quoted.group("subject")
        outlet = quoted.group("src") or quoted.group("by")
    if found is None and quotation.interruption:
        found = _speaker_after(quotation.interruption, ends_sentence=False)
    if found is None:
        found = _speaker_after(tail, ends_sentence=ends_sentence)
    if found is None and not last_text[quotation.end :].strip(_SIGNATURE_GAP):
        found = _signature_below(body, quotation.last)
    if found is None and ends_sentence and not lead.strip() and not after_label:
        found = _speaker_next(last_text[quotation.end :])
    if found is None:
        found = _speaker_before(lead)
    direct = found is not None
    if found is None and not (body.text(quotation.first) or "")[: quotation.start].strip():
        found = _speaker_in_heading(body.heading(quotation.first) or "")
    if found is None and not after_label and _leads_nowhere(lead):
        before = _previous_sentence(body, quotation)
        found = _speaker_before(before)
    speaker, source = _clean_speaker(found) if found else (None, None)
    if found and speaker is None and source is None:
        direct = False  # what was found was no speaker: the quote counts as unattributed
        pronoun = _last_word(_TRAILING_WORDS.sub("", found))
        if pronoun in ("he", "she"):
            speaker = pronoun  # One thing she said stayed with me: “…”; …, he simply answered
    if outlet:
        source = _agency(_LEADING_PHRASES.sub("", outlet.strip(), count=1), strict=True)
    source = source or _find_source(quotation.interruption, tail, lead)
    if found is not None and _generic(found, quotation.interruption, tail, before):
        speaker = None  # “…,” they say: nobody in particular
    elif speaker is not None and (as_pronoun := _pronoun(speaker)) is not None:
        speaker = _resolve_pronoun(body, quotation, as_pronoun)
        if speaker is not None and body.after_link(quotation) and not _has_name(speaker):
            speaker = None  # [They noted … in which he expressed](…) “…”: no one named
    elif speaker is not None and _BARE_NAME.fullmatch(speaker):
        speaker = _full_name(body, quotation, speaker) or speaker  # “…,” Kim said -> Lee Kim
    if speaker is not None and source is not None and speaker.lower().endswith(source.lower()):
        speaker = None  # “…,” according to Reuters: the agency reported it, nobody is named
    return _Attribution(speaker, source, direct)


def _leads_nowhere(lead: str) -> bool:
    """Whether the words before a quotation name no speaker of their own, so the sentence
    before may: none at all, a conjunction, or an ownerless "The reason is simple:"."""
    lead = lead.strip()
    abstract = _ABSTRACT_COLON.fullmatch(lead)
    return not _LEADING_CONJUNCTIONS.sub("", lead) or bool(abstract and not abstract["owner"])


# A speaker who is nobody in particular: "you", "everyone has the potential to become the
# person who says"; and "they", "people" or "someone" saying something as a habit, in the
# present ("“…,” they say"), where "they said" tells of one time, to someone the text knows.
_GENERIC_SUBJECT = re.compile(
    r"(?<![\w'’])(?:you|your|anyone|anybody|everyone|everybody|whoever)(?![\w'’])",
    re.IGNORECASE,
)
# A speaker who never said it: "no client ever", "nobody", "none of us", "Ann has never".
_NEGATED = re.compile(
    r"\A(?:no|nobody|nothing|none\s+of|never)(?![\w'’-])|(?<![\w'’-])(?:ever|never)\Z",
    re.IGNORECASE,
)
_ANY_PERSON = re.compile(r"\b(?:the|a)\s+(?:person|one|kind\s+of\s+person)\s+who\b", re.I)
_ANYONE = ("someone", "somebody")
_HABITUAL_SUBJECTS = ("they", "people", *_ANYONE)  # who says a thing as a habit, in the present
_HABITUAL = re.compile(
    rf"(?<![\w'’])(?:{'|'.join(_HABITUAL_SUBJECTS)})\s+(?:\w+\s+)?(?:say|says|ask|asks|tell|"
    r"tells|think|thinks)(?![\w'’])|(?<![\w'’])(?:say|says|ask|asks)\s+(?:they|people)(?![\w'’])"
    # "someone, often a new contributor, steps in and says": anyone, in the present
    rf"|(?<![\w'’])(?:{'|'.join(_ANYONE)})\b[^.!?“”\"]{{0,160}}?\b(?:says|asks|tells)(?![\w'’])",
    re.IGNORECASE,
)


# Someone indefinite who asks, in the present: "a new reader asks", "users wonder".
_ASKERS = r"(?:(?<![\w'’])an?\s+(?:[\w-]+\s+){0,2}?[\w-]+|users|readers|visitors|newcomers|people)"
_ANY_ASKER = re.compile(rf"{_ASKERS}\Z", re.IGNORECASE)
_ASKS_NOW = re.compile(
    rf"{_ASKERS}\s+(?:often\s+|might\s+|may\s+)?(?:ask|asks|wonder|wonders)(?![\w'’])",
    re.IGNORECASE,
)


def _generic(found: str, *contexts: str) -> bool:
    """Whether the speaker found for a quotation is nobody in particular (read up to any
    relative clause: "Ann Lee, whom you met," is someone)."""
    if _NEGATED.search(_LEADING_CONJUNCTIONS.sub("", found.strip(" ,"))):
        return True  # no client ever said “…”: a statement nobody made
    end = _SPEAKER_END.search(found)
    head = found[: end.start()] if end else found
    if head.strip(" ,").lower() == "one" or _GENERIC_SUBJECT.search(head):
        return True
    if _ANY_PERSON.search(found):
        return True
    asker = _ANY_ASKER.search(found.strip(" ,"))
    if asker and any(_ASKS_NOW.search(text) for text in contexts):
        return True  # the questions a new reader asks: “Why should I read this?” -- anyone's
    last = _last_word(found)
    first = (head.split() or [""])[0].strip(",").lower()
    habitual = last in _HABITUAL_SUBJECTS or first in _ANYONE
    return habitual and any(_HABITUAL.search(text) for text in contexts)


_SIGNATURE_GAP = " \u00a0\u202f"
# A paragraph that only signs the quotation above it: "~Ann Lee, CTO, Acme", "-- Ann Lee".
_SIGNATURE_PARAGRAPH = re.compile(r"\s*(?:[—–―~]|--?)\s*(?P<who>[^\W\d_][^.!?;:]{0,120}?)\.?\s*\Z")
_MAX_SIGNATURE_NAME_WORDS = 8  # "Ann Lee at the Spring Demo Day", before any comma


def _signature_below(body: _Body, index: int) -> str | None:
    """The speaker signing a quotation that ends paragraph ``index``, in the next paragraph."""
    following = body.text(index + 1) if index + 1 < len(body) else None
    signed = _SIGNATURE_PARAGRAPH.match(following or "")
    if signed is None:
        return None
    who = _signer(signed.group("who"))
    if not who and _DOCUMENT_CREDIT.match(signed.group("who")):
        return ""  # signed by a document: attributed, to no one
    name = who.split(",")[0].split()
    return who if 0 < len(name) <= _MAX_SIGNATURE_NAME_WORDS else None


def _speaker_after(tail: str, *, ends_sentence: bool) -> str | None:
    """The speaker as named just after a quotation."""
    match = _INVERTED_AFTER.match(tail)
    if match:  # … says a recent article by the Harbour Review: the Harbour Review
        return _document_author(_without_topic(match.group("who")))
    match = _SUBJECT_AFTER.match(tail)
    if match and _GOES_ON.match(match.group("verb") + match.group("rest")):
        match = None  # “…” Since then, the school has continued to grow: no one speaks
    if match and (not ends_sentence or _ATTRIBUTION_ENDS.match(match.group("rest"))):
        who = match.group("who")
        if _CONTINUATION.match(who):
            # “…” than expectations, the bank said: the words after the quotation go on with
            # the writer's sentence; the speaker is the subject after its last comma, if any.
            who = who.rsplit(",", 1)[1] if "," in who else ""
            if _CONTINUATION.match(who) or not who.strip():
                return None
        words = _PARENTHETICAL.sub(" ", who).split()  # "(R., Erie)" is no part of the count
        if not _LEADING_CONJUNCTIONS.match(who) and len(words) <= _MAX_SUBJECT_WORDS:
            return who
    match = _ACCORDING_AFTER.match(tail)
    if match:
        return _document_author(match.group("who"))
    match = _DASH_CREDIT.match(tail)
    if match is None or len(match.group("who").split(",")[0].split()) > _MAX_SIGNATURE_NAME_WORDS:
        return None  # “Build more” - Create features that …: a gloss, not a signature
    if _DOCUMENT_CREDIT.match(match.group("who")):
        return ""  # “…” - Borrowed from A Guide: a document's words, attributed to no one
    who = _SIGNED_VERB.sub("", match.group("who"))  # - said Ann Lee, Release Manager
    if who.split()[0].lower() in _NOT_A_SIGNATURE_START:
        return None  # “Oh no” – or perhaps “…”: the writer's sentence goes on
    if any(word in _SIGNATURE_CLAUSE_VERBS for word in who.split(",")[0].split()):
        return None  # “…”—The idea is, in itself, simple: a clause, not a signature
    return who


# Finite verbs that make the words after a dash a clause of the writer's, not a signature.
_SIGNATURE_CLAUSE_VERBS = _words(
    "is are was were has have had does did means seems will would can could must should might"
)


# "continued to" and a verb: going on with something, not speaking.
_GOES_ON = re.compile(r"continu(?:ed|es)\s+to\s+[a-z]")


# What an inverted attribution is about, after the name: the "of the project's progress" of
# "says Acme chief Ann Lee of the project's progress"; a body she belongs to stays ("of the
# local council", "of the University of Leeds", "of Acme").
_TOPIC_OF = re.compile(
    r"\b[A-Z][\w'’.-]*(?P<topic>\s+of\s+(?:the|a|an|its|his|her|their|this|that|these|those|"
    r"our|my|your)\s+(?=[a-z]))"
)
_ORGANISATION_WORDS = _words(
    "university college school institute department board agency office lab laboratory "
    "foundation society association union federation club project trust network company firm "
    "organisation organization centre center hospital church city town county state country"
)


def _without_topic(who: str) -> str:
    """An inverted speaker without the topic after the name ("… of the first announcement")."""
    topic = _TOPIC_OF.search(who)
    if topic is None:
        return who
    phrase = who[topic.end() :]
    end = _SPEAKER_END.search(phrase)
    head = _last_word((phrase[: end.start()] if end else phrase).rstrip(" .!?"))
    if head in _GROUP_NOUNS or head in _GROUP_HEADS or head in _ORGANISATION_WORDS:
        return who  # an affiliation: "Ann Lee of the local council"
    return who[: topic.start("topic")]


_MAX_NEXT_SUBJECT_WORDS = 6
_REPORTING = _words("said says added adds explained explains told tells noted notes wrote writes")


def _speaker_next(text: str) -> str | None:
    """The speaker of a quotation that is a sentence of its own, named as the subject that
    opens the next sentence with a speech verb: “…” The operator said repairs went well."""
    sentence = text.lstrip(_SIGNATURE_GAP)
    sentence = sentence[: next(_boundaries(sentence), len(sentence))]
    match = _SUBJECT_AFTER.match(sentence)
    if match is None or not sentence[:1].isupper() or match.group("verb") not in _REPORTING:
        return None
    who = match.group("who")
    return who if len(who.split()) <= _MAX_NEXT_SUBJECT_WORDS else None


def _document_author(who: str) -> str:
    """Who issued a document a quotation is credited to: "a statement from the ministry".

    Empty when the document names nobody ("a statement read on state television"): the
    quotation is attributed, to no speaker.
    """
    document = _DOCUMENT.match(who)
    if document is None:
        return who
    return document.group("author") or ""


# A label over a collection of texts, with no one named: "Supporting comments:", "Reader
# feedback:", "Selected reactions:" (not "Ann Lee's comments:").
_COLLECTED_TEXTS = re.compile(
    r"(?:\A|[.!?]\s+)(?P<before>(?:[^\W\d_][\w-]*\s+){0,3})(?:comments|quotes|quotations|feedback|"
    r"responses|answers|replies|testimonials|reviews|highlights|excerpts|examples|notes|"
    r"reactions|remarks|snippets)(?:\s+\([^()]*\))?\s*:\s*\Z",
    re.IGNORECASE,
)
# Words that open such a label and name no one: "Additional comments:", "Selected quotes:".
_LABEL_OPENERS = _words(
    "more other further additional sample key recent early final select anonymous community "
    "public student parent"
)


def _collected_texts(clause: str) -> bool:
    """Whether the words before a quotation are a label over a collection of texts
    ("Supporting comments:", "Reader feedback:"), not a name and its verb ("Dan comments:")."""
    label = _COLLECTED_TEXTS.search(clause)
    if label is None:
        return False
    words = label.group("before").split()
    if not words or words[0][:1].islower():
        return True
    first = words[0].lower()
    return (
        first in _DETERMINER_WORDS
        or first in _LABEL_OPENERS
        or first.endswith(("ing", "ed", *_PERSON_SUFFIXES))
    )


_MAX_SUBJECT_WORDS = 10  # "The Regional Water Board for the Upper Valley Towns cut …"


def _subject(clause: str) -> str | None:
    """The subject of a clause: the words before its first verb in the past tense."""
    clause = _LEADING_PHRASES.sub("", clause.strip(), count=1)
    verb = _PAST_VERB.search(clause)
    if verb is None or len(clause[: verb.start()].split()) > _MAX_SUBJECT_WORDS:
        return None
    subject = clause[: verb.start()].strip()
    return subject if subject[:1].isupper() else None


def _speaker_before(clause: str) -> str | None:
    """The speaker as named in the words before a quotation."""
    if _collected_texts(clause):
        return None  # Supporting comments: “…”: a label over what many wrote
    document = _IN_DOCUMENT.match(clause)
    if document and _document_title(document.group("title")):
        return document.group("title")  # In Keeping Clinics Open Through Winter, “…”
    cited = _TO_QUOTE.search(clause)
    if cited:  # To quote Ada Lovelace, “…”; In the words of the coach, “…”
        return cited.group("who")
    agent = _BY_AGENT.search(clause)
    if agent:  # As explained by Ann Lee in her recent post, “…”
        return agent.group("who")
    written = _AS_WRITTEN_IN.match(clause)
    if written:  # As set out in our charter: “…”; As noted in the report, Ann Lee said: “…”
        author = _WRITTEN_BY.search(written.group("where"))
        clause = clause[written.end() :]
        if not clause.strip():
            return author.group("who") if author else None  # … in the report by Ann Lee: her
    opened = _LEADING_PHRASES.sub("", clause.strip(), count=1)
    if _RELATIVE.match(opened):  # Then my friend, who I met at school, said: not "Then …,"
        opened = _LEADING_CONJUNCTIONS.sub("", clause.strip())
    clause = _PARENTHETICAL.sub(" ", opened)
    saying = _SAYING.search(clause)
    if saying:  # The minister defended the cuts, saying: “…”
        return _subject(clause[: saying.start()])
    document = _DOCUMENT_READ.search(clause)
    if document:  # The ministry’s statement read: “…”
        return document.group("who")
    announced = _WHAT_SAID.search(clause) or _VERB_COLON.match(clause)
    if announced:  # Here's what she has to say; Ann Lee expands: “…”
        return _announcer(announced)
    verbs = _speech_verbs(clause)
    aside = _SAID_ASIDE.search(clause)
    if aside and not any(word in _NOT_PERSON_WORDS for word in aside.group("who").split()):
        return aside.group("who")  # The incoming manager, Reyes said, had asked him: Reyes
    if verbs:
        verb = verbs[-1]
        subject = _after_quotation_marks(clause[: verb.start()])
        if _AND_BEFORE.search(subject):
            return _coordinated(subject)  # Ann Lee read the report, and concluded: “…”
        broken = _CLAUSE_BREAK.match(subject)
        if broken:
            subject = subject[broken.end() :]
        subject = _reporting_subject(subject)  # The fix is due soon, Lee wrote: "Lee"
        if _MODAL_END.search(subject):
            return None  # “now you can say ‘…’”: what one might say, not what was said
        if _INTERRUPTING.match(clause, verb.end()):
            subject = _after_interrupted_clause(subject)  # The way, Ann said, was “…”
        if subject.strip(" ,") and not _FRONTED.match(subject.strip()):
            return subject
        if broken:
            return None  # the verb's subject is in another clause
        inverted = _MARK_OR_COLON.split(clause[verb.end() :], maxsplit=1)[0]
        return inverted if inverted.strip(" ,.") else None
    match = _ACCORDING_BEFORE.search(clause)
    if match:
        return _document_author(match.group("who"))
    match = _WORDS_OF.search(clause)
    if match:  # a colleague brought up the writer Uri Lev’s advice: “…”
        return match.group("who")
    abstract = _ABSTRACT_COLON.fullmatch(clause.strip())
    if abstract:  # His answer was simple: “…” -> he; The reason is simple: “…” -> no one here
        owner = abstract.group("owner")
        return _OWNER_PRONOUNS.get(owner.lower(), owner) if owner else None
    match = _COPULA_COLON.match(clause)
    if match:
        return match.group("who")
    match = _COLON_SPEAKER.match(clause)
    return match.group("who") if match and _name_like(match.group("who")) else None


# A name and a speech verb set off by commas inside the writer's sentence, which goes on in
# lower case: "The incoming manager, Reyes said, had asked him …" is what Reyes said.
_SAID_ASIDE = re.compile(rf",\s+(?P<who>{_SLIPPED_NAME})\s+(?:{_VERB_PATTERN}),\s+(?=[a-z])")


def _reporting_subject(subject: str) -> str:
    """The subject of a speech verb that follows the writer's clause after a comma: the
    "Lee" of "upgrades need manual work, Lee wrote" (not "Ann Lee, the director, said")."""
    clause, comma, last = subject.rpartition(",")
    name = last.split()
    if not comma or not name or not clause.strip() or clause.strip()[:1].isupper():
        return subject
    if all(_BARE_NAME.fullmatch(word) for word in name) and len(name) <= 3:
        return last
    return subject


_RELATIVE = re.compile(r"(?:who|whom|whose|which)\b", re.IGNORECASE)
# A phrase of a past participle and where the words are found: "As stated in the charter:",
# "As manifested in the Acme mission,", "as written on the wall": a document or a place,
# never a speaker ("As explained by Ann Lee:" names one, see _BY_AGENT).
_AS_WRITTEN_IN = re.compile(
    r"\s*(?:[Aa]s|[Aa]nd\s+as)\s+(?:\w+ly\s+)?(?:[a-z]+ed|written|shown|given|seen|put|set\s+out|"
    r"laid\s+out|spelt\s+out|spelled\s+out|set\s+down|set\s+forth)\s+"
    rf"(?P<where>(?:in|on|at|within|under|throughout|across|inside)\s+[^,:;.!?{_MARKS}]*)"
    r"(?:[,:]\s*|\Z)"
)
# The author of the document a participle names: "As stated in the report by Ann Lee".
_WRITTEN_BY = re.compile(r"\sby\s+(?P<who>[^\W\d_].*?)\s*\Z", re.DOTALL)
# A speaker after "by": "As explained by Ann Lee in her post,", "as put by the mayor:".
_BY_AGENT = re.compile(
    rf"\b(?:{_VERB_PATTERN}|put|described)\s+by\s+(?P<who>[^\W\d_][^,:;.!?{_MARKS}]{{0,80}}?)"
    r"\s*[,:]?\s*\Z"
)
# Verbs that hand over to a quotation only before a colon: "Ann Lee expands: “…”" (not "the
# study concluded that “…”", a document's wording).
_COLON_VERBS = (
    r"expands|expanded|notes|remarks|answers|jokes|reflects|reflected|concludes|concluded|"
    r"comments|commented|"
    r"summari[sz]es|summari[sz]ed|sums\s+(?:it\s+)?up|summed\s+(?:it\s+)?up"
)
# "Here’s what she has to say", "This is what the team had to say about it", "Ann had this
# to say": the speaker announced before a quotation set apart.
_WHAT_SAID = re.compile(
    r"(?:\b(?:[Hh]ere['’]s|[Hh]ere\s+is|[Tt]his\s+is|[Tt]hat['’]s)\s+what\s+"
    r"(?P<who>[^,:;.!?]{1,80}?)\s+(?:has|had|have)\s+to\s+say"
    r"|\A\s*(?P<subject>[^,:;.!?]{1,80}?)\s+(?:has|had|have)\s+this\s+to\s+say)"
    r"(?:\s+about\s+[^:;.!?]{1,80}?)?\s*[:.]?\s*\Z"
)
# Verbs that introduce a quotation only before a colon: "Ann Lee expands:", "as Ann puts it:".
_VERB_COLON = re.compile(
    rf"\s*(?:[Aa]s\s+)?(?P<who>[^\W\d_][^:;.!?{_MARKS}]{{0,100}}?)\s+(?:\w+ly\s+)?"
    rf"(?P<verb>{_COLON_VERBS}|puts\s+it|put\s+it)"
    r"(?:\s+(?:on\s+(?:this|that|it)|further|again))?\s*:\s*\Z"
)
# A speech verb coordinated with an earlier verb of the same subject: "Ann Lee read the
# report and concluded:", "a guard waved and, to our delight, replied:".
_AND_BEFORE = re.compile(r"(?:,\s*|\s+)and\s*(?:,[^,]{1,60},\s*|\s+)?(?:\w+ly\s+)?\Z")
_ADVERB_END = re.compile(r"(?:\s+[a-z]+ly)+\s*\Z")
_MAX_COORDINATED_SUBJECT_WORDS = 6


# Colon verbs that are nouns too: "Release notes:", "Closing remarks:" name no one.
_NOUN_LIKE_VERBS = _words("notes remarks answers jokes")


def _announcer(announced: re.Match[str]) -> str | None:
    """Who a phrase handing over to a quotation names: "Ann Lee expands:", "Here's what she
    has to say", "Ann had this to say"; with a verb that is a noun too ("notes:"), only a
    full name or a pronoun ("Release notes:" is a heading)."""
    who = announced.group("who") or announced.groupdict().get("subject") or ""
    named = _name_like(who) or who.strip().lower() in _RESOLVABLE_PRONOUNS
    if announced.groupdict().get("verb") in _NOUN_LIKE_VERBS and not named:
        return None
    return _coordinated(who)


def _coordinated(who: str) -> str | None:
    """The speaker of a speech verb whose subject may govern an earlier verb too: "Ann Lee"
    of "Ann Lee read the report, and (concluded)"; ``who`` itself when no "and" joins verbs.
    None when that subject is not at hand ("when someone steps in and (says)")."""
    joined = _AND_BEFORE.search(who)
    if joined is None:
        return who if who.strip() else None
    clause = who[: joined.start()]
    broken = _CLAUSE_BREAK.match(clause)
    if broken:
        clause = clause[broken.end() :]
    opening, comma, rest = clause.partition(",")
    if comma and opening.split()[:1] and opening.split()[0].lower() in _OPENING_CLAUSE_WORDS:
        clause = rest  # in a bar far from the venue, a bartender waved -> a bartender waved
    clause = _LEADING_PHRASES.sub("", clause.strip(), count=1)
    verb = _PAST_VERB.search(clause)
    if verb is None:
        return None
    subject = _ADVERB_END.sub("", clause[: verb.start()]).strip(" ,")
    words = subject.split()
    if not words or len(words) > _MAX_COORDINATED_SUBJECT_WORDS:
        return None
    return subject if subject[:1].isupper() or words[0] in _DETERMINER_WORDS else None


def _speech_verbs(clause: str) -> list[re.Match[str]]:
    """The speech verbs in ``clause`` that attribute: not a passive participle ("this order
    isn't always observed, “…”" says nobody said it)."""
    return [
        verb
        for verb in _VERB_ANYWHERE.finditer(clause)
        if not _PASSIVE_BEFORE.search(clause, 0, verb.start())
        and not _GOES_ON_TO.match(clause, verb.start())
    ]


# "Continue to" and an infinitive: what someone keeps doing, not what they say ("she
# continues to “help new growers …”").
_GOES_ON_TO = re.compile(r"continu(?:e|es|ed|ing)\s+to\b", re.IGNORECASE)


# A named person's words, advice or reminder just before a quotation: "Uri Lev’s advice:".
_WORDS_OF = re.compile(
    r"(?<![\w'’-])(?P<who>(?:[A-Z][\w'’-]*\.?\s+){0,3}[A-Z][\w-]+)['’]s?\s+(?:[a-z]+\s+)?"
    r"(?:advice|words|remark|comment|reminder|warning|message|answer|reply|response|verdict|"
    r"question|point)\s*[:,]\s*\Z"
)
# "In <Title of a document>, “…”": the document says it.
_IN_DOCUMENT = re.compile(rf"\s*In\s+(?P<title>[^,:;.!?{_MARKS}]{{3,120}}?)\s*,\s*\Z")
# A heading that hands over to the quotation under it: "Tip from Dan Doe, role".
_WORDS_FROM = re.compile(
    r"\s*(?:(?:a|an|one|some|more)\s+)?(?:tips?|advice|words?|notes?|thoughts|lessons?|"
    r"insights?|quotes?|a\s+message)\s+from\s+(?P<who>[^.!?:;]{3,120}?)\s*[.:]?\s*\Z",
    re.IGNORECASE,
)
_MIN_TITLE_WORDS = 3  # "In New Harbour, “…”" is a place; a document's title is longer


def _speaker_in_heading(heading: str) -> str | None:
    """The person a heading hands the quotation under it to: "Tip from Dan Doe, role"."""
    words_from = _WORDS_FROM.match(heading)
    if words_from and _capitalised_name(words_from.group("who")):
        return words_from.group("who")
    return None


def _document_title(text: str) -> bool:
    """Whether ``text`` reads as the title of a document: three or more capitalised words."""
    words = _WORD.findall(text)
    significant = [word for word in words if word.lower() not in _SMALL_WORDS]
    return len(significant) >= _MIN_TITLE_WORDS and _title_case(words)


def _personal_name(name: str) -> bool:
    """Whether ``name`` may be a person's: none of its words names a thing or opens a
    sentence ("Read More About It", "Open Data Team")."""
    return not any(
        word.strip(".") in _NOT_PERSON_WORDS or word in _JOB_TITLES for word in name.split()
    )


def _capitalised_name(text: str) -> bool:
    """Whether ``text`` starts with a name of two or more capitalised words ("Dan Doe, …")."""
    name = text.split(",")[0].split()
    return 1 < len(name) <= 4 and all(word[:1].isupper() for word in name)


def _after_quotation_marks(text: str) -> str:
    """What follows the last quotation mark in ``text`` (apostrophes are not marks), reading
    a quoted name inside a phrase as words of it: "the “Blue Line” manager" is one phrase."""
    inside = [match.span() for match in _NAME_IN_PHRASE.finditer(text)]
    marks = [
        mark
        for mark in _QUOTATION_MARK.finditer(text)
        if not any(start <= mark.start() < end for start, end in inside)
    ]
    return text[marks[-1].end() :] if marks else text


# A short quoted name inside a noun phrase that goes on after it: "the “Blue Line” manager",
# "its self-styled ‘Iron Lady’ chair"; not "named it “Blue Line” and Ann Lee said".
_NAME_IN_PHRASE = re.compile(
    r"\b(?:[Tt]he|[Aa]n?|[Ii]ts|[Hh]is|[Hh]er|[Tt]heir|[Oo]ur)\s+(?:[\w-]+\s+)?"
    rf"{_QUOTED_NAME.pattern}(?=\s+[^\W\d_])"
)


def _name_like(text: str) -> bool:
    """Whether ``text`` could be a name before a colon ("Ms Smith, the minister:")."""
    words = [word.strip(",").lower() for word in text.split()]
    return (
        1 < len(words) <= 6  # "Better: “…”" labels an example; a speaker has a full name
        and words[0] not in _NOT_A_NAME
        and words[0] not in _PRONOUNS  # "We wondered: “…”" is a thought, with no name
        and not any(word in _FINITE_VERBS or word in _NOT_IN_A_NAME for word in words)
        and words[-1] not in _SMALL_WORDS
        and not words[0].endswith(("’s", "'s"))  # There’s a big difference between: “…”
        and words[1] not in _IMPERATIVE_OBJECTS  # Repeat after me: “…”; Say it with me: “…”
    )


# What follows the verb of an imperative, never the first word of a name: "Repeat after
# me", "Say it with me", "Consider the following", "Ask yourself".
_IMPERATIVE_OBJECTS = _words(
    "after with it this that the a an me us you your yourself yourselves these those"
)
_MAX_SPEAKER_WORDS = 12
# Words a clause fragment starts with, never a name or a description of a speaker: the
# "on a call where someone" of "I was once on a call where someone answered …".
_PREPOSITIONS = _words(
    "on in at from to for with by of about into onto over under after before during since until"
)
_NOT_A_SPEAKER_START = _PREPOSITIONS | _words(
    "when where whenever wherever while if because although though unless whether "
    "than that which what how why especially also even just only once"
)

# Words that go on with the writer's sentence after a dash, never open a signature.
_NOT_A_SIGNATURE_START = _NOT_A_SPEAKER_START | _words("or and but nor perhaps maybe not")


# In a speaker of several words, the sign of a clause: "one question we", "One thing she".
_SUBJECT_PRONOUNS = _words(
    "i we you he she they me us him them you'll you’ll we'll we’ll i'll i’ll"
)
# Words of a clause, never of a name or a description: "It’s performed with two goals".
_CLAUSE_WORDS = _words(
    "is are was were it’s it's that’s that's there’s there's here’s here's i’m i'm we’re we're "
    "you’re you're they’re they're we’ve we've i’ve i've you’ve you've they’ve they've"
)


# Modal verbs in lower case: "It will either (say)" is a clause; "Will Lee" is a name.
_MODALS = _words("will would can could shall should must might")


# Words opening a clause of the writer's before the speaker: "When asked about it, Ann said".
_SUBORDINATORS = _words("when whenever while once if although though because since as after before")
# Words opening a phrase or clause before a subject and its comma: "As the shopper paid, the
# clerk leaned over and asked" -- the clerk asked.
_OPENING_CLAUSE_WORDS = _PREPOSITIONS | _SUBORDINATORS
# A clause of time or condition opening the sentence, up to its comma, before the speaker:
# "Shortly before she died,", "Soon after the flood,", "Until last year,", "As the deadline
# is close," (not "As Ann Lee, the chair," -- a name opens that "as", the speaker's own).
_OPENING_CLAUSE = re.compile(
    rf"\A(?:(?:{_ADVERB_CHOICES})\s*,\s*)?"  # Finally, Ann Lee (said)
    r"(?:(?:shortly|soon|just|right|immediately|long|not\s+long|only|even|moments?|minutes?|"
    r"hours?|days?|weeks?|months?|years?)\s+)?"
    r"(?:before|after|while|until|till|once|when|whenever|as\s+soon\s+as|if|although|though|"
    r"because|since|as(?!\s+(?:soon|long|far|well|much|many)\s+as\b)(?=\s+(?-i:[a-z])))"
    r"\s[^,]{1,120},\s*(?=\S)"
    rf"|\A(?:{_ADVERB_CHOICES})\s*,\s*(?=\S)"
    # a participle's phrase: "Enthusing about the kit,", "Asked about the cuts,"
    r"|\A[A-Z][a-z]+(?:ing|ed)\s+(?:about|on|at|to|with|in|over|for|after|by)\s[^,]{1,80},\s*(?=\S)",
    re.IGNORECASE,
)
# A time phrase opening the sentence, before the speaker: "A few years back a few of us".
_LEADING_TIME_PHRASE = re.compile(
    r"\A(?:(?:a\s+few|some|many|several|a\s+couple\s+of|two|three|four|five|ten|\d+)\s+"
    r"(?:years?|months?|weeks?|days?|decades?)\s+(?:back|ago|later|earlier)"
    r"|(?:last|this|that|next)\s+(?:year|month|week|spring|summer|autumn|fall|winter)"
    r"|in\s+(?:19|20)\d\d|back\s+then|at\s+the\s+time|(?:years|months|long)\s+ago"
    r"|later(?:\s+on)?|then|soon\s+after|afterwards|(?:somewhere\s+)?along\s+the\s+way"
    r"|at\s+some\s+point|at\s+first|in\s+the\s+end|by\s+then)\s*,?\s+(?=\S)",
    re.IGNORECASE,
)
# Punctuation a speaker never ends on: the dash of "According to Ann Lee -" before a quotation
# set apart, in any of its shapes, and the stops and spaces around it.
_SPEAKER_TRAILING = " ,.;:-‐‑‒–—―~|/\u00a0\u202f"
# A speech verb left at the end of a speaker: the "expands" of "Ann Lee expands".
_TRAILING_VERB = re.compile(rf"(?<=\S)\s+(?:{_VERB_PATTERN}|{_COLON_VERBS})\s*\Z")
# A full name closing a phrase: the "Ann K. Lee" of "In her book Ann K. Lee".
_TRAILING_NAME = re.compile(r"(?<=\s)(?:[A-Z][\w'’-]*\.?\s+){1,3}[A-Z][\w'’-]+\Z")


# A paragraph's number opening a speaker: "4.  Ann Lee", "5 Mr Tom Reyes", "(b) Ann Lee".
_SPEAKER_NUMBERING = re.compile(rf"\A(?:{_NUMBERING}[.)]|\({_NUMBERING}\)|\d{{1,3}})\s+(?=[A-Z])")


def _clean_speaker(raw: str) -> tuple[str | None, str | None]:
    """A tidy speaker ("Ms Smith, the minister") and any agency credited after it."""
    text, source = raw.strip(), None
    if _CODE_MARK in text:
        return None, None  # `kubectl` said: a program's output, no speaker
    credit = _SOURCE_CLAUSE.search(text)
    if credit:
        source = _agency(credit.group("src"), strict=credit.group("how") != "reported")
        text = text[: credit.start()]
    text = _BRACKETED.sub("", text)  # SIG (Special Interest Group) chairs -> SIG chairs
    unverbed = _SIGNED_VERB.sub("", text[:1].lower() + text[1:])
    if unverbed[:1].isupper():
        text = unverbed  # Says Thompson: “…” -> Thompson
    text = " ".join(_SPEAKER_NUMBERING.sub("", text.strip()).split())  # 5 Mr  Lee -> Mr Lee
    opening = _OPENING_CLAUSE.match(text)
    if opening:  # Shortly before she died, Ann Lee (asked) -> Ann Lee
        text = text[opening.end() :]
        if _last_word(text.split()[0]) in _PRONOUNS:
            return None, source  # Soon after we met, they (said): not resolved
    end = _SPEAKER_END.search(text)
    if end:
        text = _whole_phrase(text[: end.start()])
    text = _without_addressee(text)
    text = _LEADING_PHRASES.sub("", text.strip(" ,"), count=1)
    text = _LEADING_CONJUNCTIONS.sub("", text)
    text = _LEADING_TIME.sub("", text)
    text = _LEADING_TIME_PHRASE.sub("", text)
    text = _TRAILING_WORDS.sub("", text).strip(" ,.;:\u00a0\u202f")
    text = _TRAILING_VERB.sub("", text)  # Ann Lee expands -> Ann Lee; never a verb at the end
    text = text.rstrip(_SPEAKER_TRAILING)  # According to Ann Lee - ⏎ “…”: not "Ann Lee -"
    if _AND_BEFORE.search(text):
        return None, source  # "Ann read it and" (concluded): the subject is elsewhere
    text = _COMMA_IN_NAME.sub(r"\1", text)  # the head of ‘Team Blue,’ -> ‘Team Blue’
    words = text.split()
    if words and words[0].lower() in _SUBORDINATORS and "," in text:
        text = text.rsplit(",", 1)[1].strip()  # When asked about it, Ann -> Ann
        words = text.split()
        if words and words[0].lower() in _PRONOUNS:
            return None, source  # When we showed them the map, they (said): not resolved
    if words and _opens_clause(text):
        named = _TRAILING_NAME.search(text)  # In her book Ann K. Lee (says) -> Ann K. Lee
        text = named.group() if named else _description_after_opening(words)
        words = text.split()
    if len(words) > _MAX_SPEAKER_WORDS:
        text = _named_in_apposition(text)  # the chair of …, Prof Ann Lee of … -> Prof Ann Lee …
        words = text.split()
    while len(words) > _MAX_SPEAKER_WORDS and "," in text:  # Name, role, organisation
        text = text.rsplit(",", 1)[0].rstrip()
        words = text.split()
    if (
        not words
        or not any(character.isalpha() for character in text)  # "-", "…": no one
        or len(words) > _MAX_SPEAKER_WORDS
        or _opens_clause(text)
        or any(word.lower() in _CLAUSE_WORDS or word in _MODALS for word in words)
        or (len(words) > 1 and any(word.lower() in _SUBJECT_PRONOUNS for word in words))
        or words[-1].lower() in _SMALL_WORDS
        or _DOUBLE_MARK.search(_QUOTED_NAME.sub("", text))
        or "=" in text  # =ZOOM=Ann said: a site's markup, never a name
        or (len(words) == 1 and words[0].lower() in _NOT_A_NAME)  # **Note:** …
        or _bare_common_noun(words)
    ):
        return None, source  # no speaker, rather than a fragment of the writer's clause
    if _capitalised_name(text) and _POSSESSIVE_END.search(text):
        text = _POSSESSIVE_END.sub("", text)  # Jenny Bryan’s (advice) -> Jenny Bryan
    described = _DESCRIBED_NAME.match(text)
    if described:
        return described.group("name"), source  # the brilliant Ann Lee -> Ann Lee
    if (
        words[0] in _POSSESSIVE_DETERMINERS
        and words[1][:1].isupper()
        and _capitalised_name(text.partition(",")[2].strip())
    ):
        text = text[len(words[0]) :].lstrip()  # Their CEO, Ann Lee -> CEO, Ann Lee
        words = text.split()
    if words[0] in _DETERMINERS and len(words) > 1 and not words[1][:1].isupper():
        text = words[0].lower() + text[len(words[0]) :]  # "The mayor said" -> "the mayor"
    return text, source


# A person's title, as it opens a name: "Ms", "Dr.", "Prof".
_COURTESY_TITLE = r"(?:Prof|Professor|Dr|Mr|Mrs|Ms|Mx|Sir|Dame|Rev|Madam)\b"
# A person's name, after any title, opening the words after a role's comma.
_NAME_OPENING = re.compile(
    rf"(?:{_COURTESY_TITLE}\.?\s+)?"
    r"(?P<name>[A-Z][\w'’-]+(?:\s+[A-Z]\.)?\s+[A-Z][\w'’.-]+)(?![\w'’])"
)


def _named_in_apposition(text: str) -> str:
    """From a long speaker that describes a role, then names its holder after a comma,
    the name and what follows it ("the Chair of the Group, Prof Ann Lee of Acme and the
    City University" -> "Prof Ann Lee of …"; a name with a title after any role); other
    speakers as they are."""
    titled = _TITLED_AFTER_COMMA.search(text)
    if titled:  # Minister for Culture, Community and Youth, Mr Ed Tong -> Mr Ed Tong
        role, rest = text[: titled.start()], text[titled.end() :]
    else:
        role, comma, rest = text.partition(",")
        if not comma or role.split()[0].lower() not in _DETERMINER_WORDS:
            return text
    named = _NAME_OPENING.match(rest.strip())
    return rest.strip() if named and _personal_name(named.group("name")) else text


_TITLED_AFTER_COMMA = re.compile(rf",\s+(?={_COURTESY_TITLE}\.?\s+[A-Z])")


# A joining word a cut leaves at the end of a speaker: the "&" of "Ann Lee, Steward & (Co-)Chair".
_DANGLING_JOINER = re.compile(r"\s*(?:&|\+|/|\band|\bor)\s*\Z", re.IGNORECASE)


def _whole_phrase(text: str) -> str:
    """A speaker cut short at an aside or a clause, back to its last whole phrase: "Ann Lee,
    Steward &" -> "Ann Lee, Steward"; "Ann Lee, head of" -> "Ann Lee"."""
    text = _DANGLING_JOINER.sub("", text.rstrip(" ,"))
    name, comma, role = text.rpartition(",")
    if comma and name.strip() and _last_word(role) in _SMALL_WORDS:
        return name
    return text


# Whom or where a statement went, after a name: "wrote the committee to the list", "said Ann
# Lee at the meeting"; a role keeps its own ("an adviser to the board", "engineer at the lab").
_ADDRESSEE = re.compile(r"\s+(?:to|via)\s+(?:the|a|an|our|his|her|their|its|this|all)\s")
_PLACE_AFTER_NAME = re.compile(r"\s+(?:at|in)\s+the\s")
_ADDRESSED_ROLES = _words(
    "adviser advisor aide assistant ambassador envoy secretary counsel consultant spokesperson "
    "spokesman spokeswoman successor heir deputy contributor liaison"
)


def _without_addressee(text: str) -> str:
    """A speaker without the addressee or place that follows the name, before any comma:
    "the committee to the list" -> "the committee"; "Ann Lee at the meeting" -> "Ann Lee"."""
    name = text.split(",", 1)[0]
    addressed = _ADDRESSEE.search(name)
    if addressed and _last_word(name[: addressed.start()]) not in _ADDRESSED_ROLES:
        return name[: addressed.start()]
    placed = _PLACE_AFTER_NAME.search(name)
    before = name[: placed.start()].split() if placed else []
    if placed and 0 < len(before) <= 4 and all(word[:1].isupper() for word in before):
        return name[: placed.start()]
    return text


# "the" and a word praising a person, then the name: "the brilliant Ann Lee" (a role stays:
# "the architect Ann Lee").
_PRAISE = (
    "brilliant late great legendary famous renowned inimitable wonderful talented amazing "
    "celebrated wise indomitable incomparable awesome fantastic esteemed venerable prolific "
    "influential iconic eminent distinguished inspiring fabulous excellent incredible "
    "remarkable beloved formidable fearless tireless indefatigable"
)
_DESCRIBED_NAME = re.compile(
    rf"[Tt]he\s+(?:{'|'.join(_PRAISE.split())})\s+"
    r"(?P<name>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’.-]+){1,3})\Z"
)
_POSSESSIVE_DETERMINERS = _words("Their His Her Our Its My Your")


_BRACKETED = re.compile(r"\s*\([^()]*\)(?=\s+\S)")
_DETERMINER_WORDS = _words(
    "the a an one some many several our his her their its my your this that these those "
    "another each every most both all no two three four five local le la les der die das el "
    "los las un une ein eine il lo gli"
)


def _whole_group(signer: str) -> bool:
    """Whether a signature credits a whole kind of people, not anyone in particular: a
    plural in lower case with no determiner ("— bus drivers in 2019", "— parents")."""
    words = _head_phrase(signer.split(",")[0])
    return (
        bool(words)
        and all(word[:1].islower() for word in words)
        and words[0] not in _DETERMINER_WORDS
        and words[-1].endswith("s")
        and not words[-1].endswith("ss")
    )


def _bare_common_noun(words: list[str]) -> bool:
    """Whether a speaker is a thing named by a bare lower-case noun phrase ("client pod
    says"): a person described has a determiner ("the mayor"), a group a plural."""
    lowered = all(word[:1].islower() for word in words)
    return (
        lowered
        and len(words) > 1
        and words[0] not in _DETERMINER_WORDS
        and (not words[-1].endswith("s"))
    )


# Verbs that make the words before a comma a clause of the writer's, never a name or a role.
_AUXILIARIES = _words(
    "is are was were be been has have had will would can could must should shall may might "
    "does did isn't isn’t wasn't wasn’t won't won’t wouldn't wouldn’t couldn't couldn’t"
)


# After an attribution, the writer's sentence going on: the ", was" of "…, Ann said, was “…”".
_INTERRUPTING = re.compile(r"\s*,\s*[^\W\d_]")


def _after_interrupted_clause(text: str) -> str:
    """What follows the writer's own clause when an attribution interrupts it: the "Ann Lee"
    of "The only way the plan would work, Ann Lee said, was …"; ``text`` unchanged when the
    words before its first comma hold no verb ("Ann Lee, the minister")."""
    head, comma, rest = text.partition(",")
    if comma and rest.strip() and any(word.lower() in _AUXILIARIES for word in head.split()):
        return rest.strip()
    return text


_ARTICLES = _words("the a an")
# A title that opens on a preposition: "Under Secretary for … Ann Lee" is no place phrase.
_UNDER_TITLE = re.compile(r"Under[\s-]+Secretary\b")


def _opens_clause(speaker: str) -> bool:
    """Whether a speaker opens on a word that starts a phrase or clause, never a name or a
    description ("In her book Ann Lee", "when someone"); a title such as "Under Secretary"
    is no such phrase."""
    first = speaker.split(maxsplit=1)[0].lower()
    return first in _NOT_A_SPEAKER_START and not _UNDER_TITLE.match(speaker)


def _description_after_opening(words: list[str]) -> str:
    """The description a place or time phrase leads to, as in "In Ohio the president" or "At
    the depot a guard": from the first article that follows a word other than a preposition
    or an article; all of ``words`` when there is none, or when a comma shows a clause."""
    if words[0].lower() not in _PREPOSITIONS or any(word.endswith(",") for word in words):
        return " ".join(words)  # "When we showed it to the class, one": a clause, not a place
    for index in range(2, len(words)):
        before = words[index - 1].lower()
        if (
            words[index].lower() in _ARTICLES
            and before not in _NOT_A_SPEAKER_START
            and before not in _ARTICLES
        ):
            return " ".join(words[index:])
    return " ".join(words)


def _find_source(*contexts: str) -> str | None:
    """An agency credited in the quotation's sentence: "…, reported TASS", "told Reuters"."""
    for context in contexts:
        for match in _CREDIT.finditer(context):
            how = (match.group("how") or "reported").lower()
            phrase = match.group("src") or match.group("outlet")
            source = _agency(phrase, strict=how not in ("reported", "interview with"))
            if source:
                return source
    return None


def _agency(phrase: str, *, strict: bool) -> str | None:
    """The news outlet named at the start of ``phrase``, if it clearly is one."""
    words = phrase.replace("\u00a0", " ").split()
    if words and words[0].lower() == "the":
        words = words[1:]
    if "agency" in words[:6]:
        at = words.index("agency")
        after = words[at + 1 :]
        # the state news agency BelTA; the Interfax agency
        words = after if after and after[0][:1].isupper() else words[:at]
    name: list[str] = []
    for word in words[:6]:
        bare = word.rstrip(".,;:)")
        if bare[:1].isupper() or bare[:1].isdigit() or (name and bare in _NAME_JOINERS):
            name.append(bare)
        else:
            break
        if bare != word:
            break
    while name and name[-1] in _NAME_JOINERS:
        name.pop()
    text = " ".join(name)
    if not text:
        return None
    known = text.lower() in _AGENCIES
    following = words[len(name)].strip(".,;:)").lower() if len(words) > len(name) else ""
    named_outlet = len(name) >= 2 and following in _OUTLET_NOUNS  # the Northern Echo newspaper
    if known or named_outlet or _MEDIA_WORDS.search(text) or (not strict and len(name) <= 5):
        return text
    return None


def _resolve_pronoun(body: _Body, quotation: _Quotation, pronoun: str) -> str | None:
    """The speaker a pronoun stands for: the nearest one named before, if it fits."""
    if pronoun not in _RESOLVABLE_PRONOUNS:
        return None
    own = _subject_of_own_sentence(body, quotation, pronoun) if pronoun != "they" else None
    if own is not None:
        return own  # Ivo put it well in his post, when he said “…”
    sentences = _sentences_backwards(body, quotation.first, quotation.start, narrated=True)
    for distance, sentence in enumerate(sentences):
        found = _speaker_before(sentence)
        speaker = _clean_speaker(found)[0] if found else None
        if speaker is None and pronoun != "they" and distance < 2:
            speaker = _person_opening(sentence)
            if speaker is not None and _others_named(sentence, speaker):
                return None  # “…,” she said, after "Lee Kim met Ana Ruiz": which one is unknown
        if speaker is None or speaker.lower() in _PRONOUNS:
            continue
        if speaker[:1].islower() and not _names_someone(speaker):
            continue  # "certainly", "later": an adverb the clause opened on, no one
        if _POSSESSIVE.search(speaker.split(",")[0]):
            return None  # “…,” he said, after "Dave’s pitch called for …": a thing, not him
        head = (speaker.split(",")[0].split() or [""])[-1].lower()
        plural = head.endswith("s") and not head.endswith("ss") and speaker[0].islower()
        if pronoun != "they" and (head in _GROUP_NOUNS or plural):
            return None
        return _full_form(body, quotation, speaker) or speaker
    return _person_named_before(body, quotation)


# A pronoun contracted with its verb: "he’d (say)", "she'll", "they’ve".
_CONTRACTED = re.compile(r"(?P<pronoun>\w+)['’](?:d|s|ll|ve|re|m)", re.IGNORECASE)


def _pronoun(speaker: str) -> str | None:
    """The pronoun a speaker is, in lower case, contracted with a verb or not ("he’d" is
    "he"); None for a name."""
    contracted = _CONTRACTED.fullmatch(speaker)
    word = (contracted.group("pronoun") if contracted else speaker).lower()
    return word if word in _PRONOUNS else None


def _has_name(speaker: str) -> bool:
    """Whether a speaker's first part holds a capitalised name ("the chair, Ann Lee"), not
    only a description ("the participants took stock of …")."""
    words = speaker.split(",")[0].split()
    return any(_BARE_NAME.fullmatch(word) and word not in _NOT_PERSON_WORDS for word in words)


def _names_someone(speaker: str) -> bool:
    """Whether a speaker in lower case names someone: "the director", "release manager
    Ann Lee" (not "certainly", an adverb a clause opened on)."""
    words = speaker.split(",")[0].split()
    return words[0] in _DETERMINER_WORDS or any(_BARE_NAME.fullmatch(word) for word in words)


def _subject_of_own_sentence(body: _Body, quotation: _Quotation, pronoun: str) -> str | None:
    """The one person the quotation's own sentence names, as its subject, before the
    pronoun that said it: the "Ivo" of "Ivo put it well, when he said “…”" (not the "Acme"
    of "She described Acme’s aim: “…”")."""
    lead = _sentence_before(body.text(quotation.first) or "", quotation.start)
    opening = _OPENING_CLAUSE.match(lead)
    if opening:
        lead = lead[opening.end() :]  # Raving about the kit, he said: "Raving" is no one
    said = [found.start() for found in re.finditer(rf"\b{pronoun}\b", lead, re.IGNORECASE)]
    if not said:
        return None
    lead = lead[: said[-1]]
    named = _people(lead, subjects=False)
    subjects = _people(lead)
    if len(named) != 1 or len(subjects) != 1 or _POSSESSIVE.search(subjects[0]):
        return None
    return _full_form(body, quotation, subjects[0]) or subjects[0]


_POSSESSIVE = re.compile(r"\w['’]s\b")


# --- People named earlier ---------------------------------------------------------------------

# A person's name as the subject of a clause: two or three capitalised words (or initials),
# its apposition if any, then a lower-case word that is not a preposition: "Lee Kim, the
# director, leads …", "my colleague Ana Ruiz asked …", "Ana R. applied …". A single word is
# a name only as a short form of a full name (see _full_name).
_NAME_WORD = r"(?:[A-Z][a-z]+(?:['’-][A-Z]?[a-z]+)*|[A-Z]\.)"
# A university named with its campus, whose comma does not end a role: "a professor at the
# University of California, Santa Cruz, said".
_CAPITALISED_WORDS = r"[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+){0,2}"
_CAMPUS = rf"(?:\bUniversity\s+of\s+{_CAPITALISED_WORDS},\s+{_CAPITALISED_WORDS})"
# A courtesy title opens a name, never continues one: "the Environment Ms Ann Lee" names
# "Ms Ann Lee" (not "Environment Ms Ann", then "Lee").
_PERSON = re.compile(
    rf"(?<![\w’'.-])(?P<name>(?:{_COURTESY_TITLE}\.\s+)?"  # Mr. Tom Reyes
    rf"{_NAME_WORD}(?:\s+(?!{_COURTESY_TITLE}){_NAME_WORD}){{0,2}})"
    r"(?![\w’'-])"
    r"(?P<role>,\s+(?:(?:a|an|the|our|his|her|their)\s|[a-z])[^,;:.!?“”\"()]{1,100}?"
    rf"{_CAMPUS}?,)?"
    r"(?P<subject>(?=\s+(?!(?:of|in|on|at|to|for|and|or|with|from|by|as|are|the|a|an)\b)"
    r"[a-z]))?"
)
_BARE_NAME = re.compile(r"[A-Z][a-z]+(?:['’-][A-Z]?[a-z]+)*")
# Capitalised words that start a sentence or name a thing, never part of a person's name.
_NOT_PERSON_WORDS = _words(
    "The A An This That These Those It Its We Our I You He She They His Her Their My Your "
    "In On At By For From To Of And But Or So As If When While After Before Since During "
    "Then Now Today Yesterday However Meanwhile Also Still Yet Here There What Why How Who "
    "Most Many Some Each Every All Both Any Other Such One Two Three First Last Next "
    "Office Department Agency Administration Service Services Government Federal National "
    "State States United City County University College School Center Centre Council Program "
    "Programme Project Team Group Lab Labs Institute Foundation Bureau Board Committee "
    "Commission Court House Senate Congress Library Museum Company Inc Corporation "
    "Digital Data Design Standards Web Open Public Security Social Health Human Internal "
    "Revenue General Innovation Technology Technologies Information Management Personnel "
    "Ruby Rails Python Java Linux Windows Google Microsoft Apple Amazon GitHub Twitter "
    "January February March April May June July August September October November December "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday Day Week Month Year "
    # gerunds opening a sentence: "Having Kane at the nursery means …"
    "Having Being Getting Making Taking Keeping Seeing Knowing Giving Finding Bringing Holding "
    "Leaving Moving Living Raising Adding Asking Using Looking Feeling Starting Trying Becoming "
    "Working Running Putting Letting Watching Writing Building Helping Spending Paying Losing"
)
# Capitalised job titles: before a name they are its title ("President Ann Lee" is Ann Lee);
# alone they name a role, no person ("joined as OSS Support Engineer").
_JOB_TITLES = _words(
    "Engineer Engineering Developer Manager Director Officer Architect Advocate Maintainer "
    "Analyst Consultant Designer Scientist Specialist Lead Head Chief President Support "
    "Leader Attorney Secretary Senator Governor Mayor Commissioner Superintendent Chairman "
    "Chairwoman Chair Treasurer Spokesperson Spokesman Spokeswoman"
)
# A person described, not named: "One woman in the town …", "a nurse told us …".
_DESCRIBED_PERSON = re.compile(
    r"\b(?:[Aa]|[Aa]n|[Oo]ne|[Aa]nother|[Tt]he|[Tt]his|[Tt]hat|[Oo]ur)\s+(?:[\w-]+\s+){0,2}?"
    r"(?:woman|man|girl|boy|mother|father|mom|dad|parent|daughter|son|wife|husband|"
    r"resident|user|participant|respondent|interviewee|person|customer|veteran|applicant|"
    r"student|teacher|nurse|doctor|worker|employee|official|officer|volunteer|owner|"
    r"farmer|neighbo(?:u)?r|friend|colleague|member|visitor|patient|caller|reader|client|"
    r"surgeon|lawyer|attorney|physician|pastor|professor|researcher|scientist|activist|"
    r"engineer|developer|manager|grower)\b"
    r"(?![\w’'-])"
)
_LOOKBACK_PARAGRAPHS = 3  # paragraphs before the quotation's own searched for a person


def _people(sentence: str, *, subjects: bool = True) -> list[str]:
    """The people a sentence names, with their apposition: as subjects, or (``subjects``
    false) anywhere but after a preposition of place."""
    found: list[str] = []
    for match in _PERSON.finditer(sentence):
        words = match.group("name").split()
        if len(words) > 1 and words[0].lower() in _NAME_OPENERS:
            words.pop(0)  # "When Sam Okafor lost his post": Sam Okafor
        while words and words[0] in _JOB_TITLES:
            words.pop(0)
        if not words or any(word in _NOT_PERSON_WORDS or word in _JOB_TITLES for word in words):
            continue
        if _last_word(sentence[: match.start()]) in _ARTICLES:
            continue  # "in an Azure Cloud setup": a thing's name, not a person

        if subjects and match.group("subject") is None:
            continue
        before = sentence[: match.start()]
        if (
            _last_word(before) in _PLACE_WORDS
            and not _ACCORDING_END.search(before)  # "according to Ann Lee" names a person
        ) or (not subjects and _last_word(before) == "as"):
            continue  # "a meetup in San Francisco", "a job in Western Ohio because": a place
        role = _RELATIVE_CLAUSE.sub("", (match.group("role") or "").rstrip(","))
        found.append(" ".join(words) + role)
    return found


# An apposition that is a relative clause, never part of how a person is named: "Ann Lee, who
# will work with our editor Bo Kim," is Ann Lee ("Ann Lee, a carpenter who …," keeps its role).
_RELATIVE_CLAUSE = re.compile(r",\s*(?:who|whom|whose|which)\b.*", re.DOTALL)


_ACCORDING_END = re.compile(rf"{_ACCORDING}\s*\Z")
# Words before capitalised words that name a place or a role, not a second person: "a meetup
# in San Francisco", "joined the team as Support Engineer".
_PLACE_PREPOSITIONS = _words("in at from near across into around outside inside of to as")
_PLACE_WORDS = _PLACE_PREPOSITIONS - {"as"}  # "as" leads to a place only after a subject
# Subordinators that may open a sentence on a name: "When Sam Okafor lost his post".
_NAME_OPENERS = _SUBORDINATORS - {"as"}


def _others_named(sentence: str, person: str) -> bool:
    """Whether ``sentence`` names a person by full name other than ``person``."""
    name = person.split(",")[0]
    return any(
        " " in other and other not in name
        for other in (found.split(",")[0] for found in _people(sentence, subjects=False))
    )


def _earlier_sentences(
    body: _Body, quotation: _Quotation, paragraphs: int = _LOOKBACK_PARAGRAPHS
) -> Iterator[str]:
    """Sentences before the quotation's own, nearest first: its paragraph and ``paragraphs``
    before it, across headings and HTML between them."""
    index, end = quotation.first, quotation.start
    pieces = _sentences((body.text(index) or "")[:end])
    pieces.pop()  # the quotation's own sentence
    while True:
        yield from (piece.strip() for piece in reversed(pieces) if piece.strip())
        index -= 1
        while index >= 0 and body.text(index) is None:
            index -= 1
        paragraphs -= 1
        if index < 0 or paragraphs < 0:
            return
        pieces = _sentences(body.text(index) or "")


def _person_named_before(body: _Body, quotation: _Quotation) -> str | None:
    """The one person named in the nearest earlier sentence that names anyone as a subject:
    "Ana Ruiz applied twice. Her claim was refused. “…,” she said." Two people: no speaker."""
    for sentence in _earlier_sentences(body, quotation):
        subjects = [
            full
            for person in _people(sentence)
            if (full := _full_form(body, quotation, person) or _described_name(person))
        ]
        if not subjects and _DESCRIBED_PERSON.search(sentence):
            return None  # "One woman in Kansas City …": the pronoun stands for her, unnamed
        if not subjects:
            continue
        if _POSSESSIVE.search(subjects[0]):
            return None  # "… at Acme Company’s plant": a thing's owner, not the one who spoke
        return None if _others_named(sentence, subjects[0]) else subjects[0]
    return None


def _described_name(person: str) -> str | None:
    """A single name whose apposition describes a person, without it: the "Okafor" of
    "Okafor, a surgeon," (not "Acme, a firm,")."""
    name, _, role = person.partition(",")
    described = _DESCRIBED_PERSON.match(role.strip())
    return name if " " not in name and described else None


def _full_form(body: _Body, quotation: _Quotation, person: str) -> str | None:
    """A person as named in full: itself when it has two words, else its full name before."""
    if len(person.split(",")[0].split()) > 1:
        return _AGE.sub("", person)
    return _full_name(body, quotation, person.split(",")[0])  # "Okafor, a surgeon": Okafor


# An age shared by several people named together: the ", both 15" of "Ann Lee and Tom
# Reyes, both 15" -- not the one named (one's own age stays: "Jane Okafor, 34").
_AGE = re.compile(r",\s*(?:both|all|each)\s+(?:aged\s+)?\d{1,3}(?=\s*(?:,|\Z))")


def _full_name(body: _Body, quotation: _Quotation, short: str) -> str | None:
    """The full name (and apposition) that a first or last name alone stands for: the
    nearest person named earlier in the body whose name holds it, if only one such is."""
    matches: list[str] = []
    for sentence in _earlier_sentences(body, quotation, paragraphs=len(body)):
        matches.extend(_named_in(sentence, short))
    if not matches:  # ### Ann Lee, Engineer ⏎ … Ann said, “…”
        for heading in body.headings_before(quotation.first):
            matches.extend(_named_in(heading, short))
    names = {person.split(",")[0] for person in matches}
    return _AGE.sub("", matches[0]) if len(names) == 1 else None


def _named_in(sentence: str, short: str) -> list[str]:
    """The people ``sentence`` names in full whose first or last name is ``short``."""
    found: list[str] = []
    for person in _people(sentence, subjects=False):
        words = person.split(",")[0].split()
        if len(words) > 1 and short in (words[0], words[-1]):
            found.append(person)
    return found


def _person_opening(sentence: str) -> str | None:
    """The person a sentence opens on: "Jane Smith, 34, lost …", "The coach addressed …"."""
    opening = _LEADING_PHRASES.sub("", sentence, count=1)
    named = _NAMED_SUBJECT.match(opening)
    if named and named.group("who").split()[0] not in _NOT_PERSON_WORDS:  # not "Having Kane"
        # never with a relative clause: "Ann Lee, who joined in May," is Ann Lee
        return _RELATIVE_CLAUSE.sub("", named.group("who").rstrip(","))
    role = _ROLE_SUBJECT.match(opening)
    return f"the {role.group('who')}" if role else None


# --- Sentences --------------------------------------------------------------------------------

_CONTEXT = 400  # characters either side of a quotation searched for its attribution
# Starts only at the first of a run of full stops ("......x" is read once, not from each).
_BOUNDARY = re.compile(r"(?<![.!?…])[.!?…]+[”’\"»«)\]]*\s+")
_ABBREVIATIONS = _words(
    "mr mrs ms dr prof st gen sen rep gov lt col capt sgt maj jr sr mt no vs etc inc ltd co "
    "corp jan feb mar apr jun jul aug sep sept oct nov dec rev hon pres supt insp cllr approx "
    "fig ft ave"
)


def _boundaries(text: str) -> Iterator[int]:
    """Offsets where a new sentence starts in ``text``."""
    for match in _BOUNDARY.finditer(text):
        following = text[match.end() : match.end() + 1]
        if not (following.isupper() or following.isdigit() or following in _QUOTE_CHARS):
            continue
        if text[match.start()] == ".":
            bare = text[_word_start(text, match.start()) : match.start()].lstrip("(\"'“‘«")
            initial = len(bare) == 1 and bare != _CODE_MARK  # "J. Doe", not "`x`. Then"
            if bare.lower() in _ABBREVIATIONS or initial or "." in bare:
                continue
        yield match.end()


def _word_start(text: str, end: int) -> int:
    """Offset where the word ending at ``end`` starts."""
    start = end
    while start and not text[start - 1].isspace():
        start -= 1
    return start


def _sentence_before(text: str, start: int) -> str:
    """The part of the sentence before offset ``start``."""
    before = text[max(0, start - _CONTEXT) : start]
    return before[max(_boundaries(before), default=0) :]


_NEXT_OPENING = re.compile(r"[“„«»‹›\"‘]")


def _sentence_after(text: str, end: int) -> str:
    """The rest of the sentence after offset ``end``, up to any next quotation."""
    after = text[end : end + _CONTEXT]
    for cut in _NEXT_OPENING.finditer(after):
        if not _QUOTED_NAME.match(after, cut.start()):
            after = after[: cut.start()]
            break
    return after[: next(_boundaries(after), len(after))]


def _sentences_backwards(
    body: _Body, index: int, start: int, *, narrated: bool = False
) -> Iterator[str]:
    """Sentences before the one holding ``start``, nearest first, across whole paragraphs;
    with ``narrated``, only the writer's, none inside a quotation ("… Smile, say hi. …")."""
    pieces = _sentences((body.text(index) or "")[max(0, start - 4 * _CONTEXT) : start])
    pieces.pop()  # the quotation's own sentence
    yielded = 0
    while True:
        quoted = _inside_quotation(pieces) if narrated else [False] * len(pieces)
        for piece, inside in zip(reversed(pieces), reversed(quoted), strict=True):
            if piece.strip() and not inside:
                yield piece.strip()
                yielded += 1
                if yielded >= _MAX_LOOKBACK_SENTENCES:
                    return
        index -= 1
        previous = body.text(index) if index >= 0 else None
        if previous is None:
            return
        pieces = _sentences(previous[-4 * _CONTEXT :])


_DOUBLE_CLOSERS = {"“": "”", "„": "“", "«": "»", '"': '"'}


def _inside_quotation(pieces: list[str]) -> list[bool]:
    """For each of a paragraph's sentences, whether it starts inside a quotation that an
    earlier sentence opened (double marks only: a single one may be an apostrophe)."""
    inside: list[bool] = []
    closer = ""  # the mark that closes the quotation open, if any
    for piece in pieces:
        inside.append(bool(closer) and piece.lstrip()[:1] not in _DOUBLE_CLOSERS)
        for character in piece:
            if closer and character == closer:
                closer = ""
            elif not closer and character in _DOUBLE_CLOSERS:
                closer = _DOUBLE_CLOSERS[character]
    return inside


def _sentences(text: str) -> list[str]:
    """``text`` cut into sentences; never an empty list."""
    cuts = [0, *_boundaries(text)]
    return [text[begin:end] for begin, end in zip(cuts, [*cuts[1:], len(text)], strict=True)]
