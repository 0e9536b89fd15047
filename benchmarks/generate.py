#!/usr/bin/env python3
"""Write a deterministic synthetic newsroom for benchmarking ``digest build``.

    python benchmarks/generate.py N OUTDIR [--seed S] [--force]

N articles spread over the two years ending 2026-11-26 (so a build with
``--now 2026-11-27T06:00:00Z`` sees almost all of them), plus a few drafts and a
few stories dated after that "now". Some sections live in folders
(``world/2026/<slug>.md``), the others are flat files at the top level; every
file names its section in its front matter. Bodies are 300-600 words of
Markdown built from seeded sentence templates, with direct quotations in the
styles the spec recognises and their attributions, scare quotes, links, lists
and sub-headings. About 80% of articles have an image with alt text and credit,
tags come from a Zipf-like vocabulary, and about 30% name 1-3 earlier slugs in
``related``.

The same N and seed always give a byte-identical tree (file names and
contents; modification times are whatever the file system says). Only the
standard library is used; 100,000 articles take a few seconds.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import os
import random
import shutil
import sys
from datetime import UTC, datetime, timedelta, timezone

GENERATOR_VERSION = "1"  # bump when the output for a given (N, seed) changes

END = datetime(2026, 11, 26, 21, 0, tzinfo=UTC)  # newest regular story
SPAN = timedelta(days=730)
START = END - SPAN
FUTURE_FROM = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)

# (name, slug, stored in a folder?, relative weight)
SECTIONS = [
    ("World", "world", True, 18),
    ("Politics", "politics", True, 14),
    ("Business", "business", True, 12),
    ("Economy", "economy", False, 7),
    ("Science & Technology", "science-technology", True, 8),
    ("Health", "health", False, 6),
    ("Media & Culture", "media-culture", False, 7),
    ("Sport", "sport", True, 10),
    ("Opinion", "opinion", False, 6),
    ("Climate", "climate", False, 5),
    ("Local", "local", True, 5),
    ("Education", "education", False, 2),
]

FIRST = [
    "Anna",
    "Olga",
    "Maria",
    "Elena",
    "Sofia",
    "Irina",
    "Lena",
    "Marta",
    "Nadia",
    "Paula",
    "Rosa",
    "Tamar",
    "Ines",
    "Chloe",
    "Amara",
    "Yuki",
    "Mei",
    "Priya",
    "Fatima",
    "Leila",
    "Hana",
    "Eva",
    "Clara",
    "Zofia",
    "Daria",
    "Ivan",
    "Pavel",
    "Sergei",
    "Andrei",
    "Mikhail",
    "Tomas",
    "Lukas",
    "Jonas",
    "Marco",
    "Luca",
    "Pablo",
    "Diego",
    "Omar",
    "Karim",
    "Yusuf",
    "Arjun",
    "Ravi",
    "Kenji",
    "Hiroshi",
    "Chen",
    "Wei",
    "Samuel",
    "David",
    "Daniel",
    "Peter",
    "John",
    "James",
    "Thomas",
    "Michael",
    "Robert",
    "Ahmed",
    "Kwame",
    "Kofi",
    "Tunde",
    "Nikolai",
    "Viktor",
    "Aleksander",
    "Stefan",
    "Henrik",
    "Magnus",
    "Olaf",
    "Emil",
    "Felix",
    "Oskar",
]
LAST = [
    "Ivanova",
    "Petrov",
    "Kowalski",
    "Novak",
    "Horvat",
    "Schmidt",
    "Muller",
    "Rossi",
    "Bianchi",
    "Garcia",
    "Lopez",
    "Martinez",
    "Silva",
    "Santos",
    "Costa",
    "Dubois",
    "Martin",
    "Bernard",
    "Jensen",
    "Hansen",
    "Nielsen",
    "Larsen",
    "Berg",
    "Lindqvist",
    "Tanaka",
    "Sato",
    "Suzuki",
    "Wang",
    "Li",
    "Zhang",
    "Kumar",
    "Sharma",
    "Patel",
    "Khan",
    "Hassan",
    "Ali",
    "Mensah",
    "Okafor",
    "Adeyemi",
    "Nakamura",
    "Kim",
    "Park",
    "Choi",
    "Nguyen",
    "Tran",
    "Levi",
    "Cohen",
    "Friedman",
    "O'Brien",
    "Murphy",
    "Walsh",
    "Kelly",
    "Byrne",
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Wilson",
    "Evans",
    "Thompson",
    "Wright",
    "Walker",
    "Hughes",
    "Edwards",
    "Green",
    "Hall",
    "Lukashenko-Smith",
    "Morozov",
    "Volkov",
    "Sokolov",
    "Lebedev",
    "Kozlov",
    "Novikov",
    "Orlov",
    "Zaitsev",
]
AGENCIES = [
    "Reuters",
    "AFP",
    "AP",
    "TASS",
    "EPA",
    "Getty Images",
    "dpa",
    "ANP",
    "Xinhua",
    "Kyodo",
    "PAP",
    "Staff photographer",
    "Pool",
    "Handout",
]
ROLES = [
    "the president",
    "the prime minister",
    "the foreign minister",
    "a government spokesman",
    "the finance minister",
    "the central bank governor",
    "the mayor",
    "a senior diplomat",
    "the company's chief executive",
    "a union leader",
    "the opposition leader",
    "a spokeswoman for the ministry",
    "the health minister",
    "the coach",
    "the team captain",
    "an industry analyst",
    "a local resident",
    "the head of the agency",
    "the defence minister",
    "a senior official",
    "the chairman",
    "the researcher who led the study",
    "the court",
]
REPORTERS = [
    "reported a news agency",
    "reported TASS",
    "according to Reuters",
    "told journalists",
    "told reporters",
    "said in a statement",
]
PLACES = [
    "Minsk",
    "Moscow",
    "Kyiv",
    "Warsaw",
    "Vilnius",
    "Riga",
    "Tallinn",
    "Berlin",
    "Paris",
    "London",
    "Madrid",
    "Rome",
    "Vienna",
    "Prague",
    "Budapest",
    "Bucharest",
    "Sofia",
    "Athens",
    "Ankara",
    "Tbilisi",
    "Yerevan",
    "Baku",
    "Astana",
    "Tashkent",
    "Beijing",
    "Tokyo",
    "Seoul",
    "Delhi",
    "Dhaka",
    "Jakarta",
    "Manila",
    "Cairo",
    "Lagos",
    "Nairobi",
    "Accra",
    "Johannesburg",
    "Brasilia",
    "Lima",
    "Bogota",
    "Santiago",
    "Mexico",
    "Washington",
    "Ottawa",
    "Canberra",
    "Geneva",
    "Brussels",
    "Helsinki",
    "Stockholm",
    "Oslo",
    "Copenhagen",
    "Dublin",
    "Lisbon",
]
ORGS = [
    "the government",
    "parliament",
    "the central bank",
    "the ministry of trade",
    "the European Commission",
    "the United Nations",
    "the IMF",
    "the World Bank",
    "the electoral commission",
    "the state energy company",
    "the football federation",
    "the national airline",
    "the teachers' union",
    "the health ministry",
    "the city council",
    "the supreme court",
    "the stock exchange",
    "the space agency",
    "the railway operator",
    "the broadcasting regulator",
    "a consortium of lenders",
    "the port authority",
]
TOPICS = [
    "trade",
    "energy prices",
    "the budget",
    "inflation",
    "the election",
    "border controls",
    "grain exports",
    "the pension reform",
    "the new stadium",
    "vaccination",
    "the drought",
    "the heatwave",
    "flooding",
    "the railway link",
    "the nuclear plant",
    "press freedom",
    "the film festival",
    "the strike",
    "interest rates",
    "the merger",
    "tariffs",
    "migration",
    "the peace talks",
    "the sanctions",
    "school funding",
    "the housing shortage",
    "the data breach",
    "the satellite launch",
    "the championship",
    "the museum reopening",
    "wildfires",
    "the gas pipeline",
    "the wheat harvest",
    "the currency",
    "corruption charges",
]
VERBS = [
    "approves",
    "rejects",
    "delays",
    "backs",
    "warns over",
    "weighs",
    "announces",
    "cuts",
    "raises",
    "extends",
    "suspends",
    "signs deal on",
    "opens inquiry into",
    "promises action on",
    "doubles down on",
    "eases",
    "tightens",
    "unveils plan for",
]
ADJ = [
    "sharp",
    "modest",
    "sudden",
    "long-awaited",
    "controversial",
    "unexpected",
    "cautious",
    "bold",
    "gradual",
    "fragile",
    "steady",
    "record",
    "historic",
    "temporary",
    "limited",
    "broad",
]
NOUNS = [
    "talks",
    "agreement",
    "plan",
    "proposal",
    "decision",
    "ruling",
    "forecast",
    "deal",
    "measure",
    "package",
    "report",
    "vote",
    "review",
    "protest",
    "investment",
    "shortfall",
    "recovery",
    "outlook",
    "crackdown",
    "reform",
]

# Tag vocabulary: ranked, drawn with Zipf-like weights.
TAG_WORDS = [
    "Belarus",
    "Trade",
    "Ukraine",
    "Russia",
    "EU",
    "China",
    "Energy",
    "Inflation",
    "Elections",
    "Football",
    "Climate",
    "Health",
    "Technology",
    "AI",
    "Markets",
    "Oil",
    "Gas",
    "Banking",
    "Migration",
    "Education",
    "Housing",
    "Transport",
    "Media",
    "Film",
    "Music",
    "Books",
    "Tennis",
    "Olympics",
    "Space",
    "Science",
    "Courts",
    "Crime",
    "Security",
    "Defence",
    "NATO",
    "UN",
    "Diplomacy",
    "Agriculture",
    "Wheat",
    "Tourism",
    "Aviation",
    "Railways",
    "Shipping",
    "Labour",
    "Strikes",
    "Pensions",
    "Taxes",
    "Budget",
    "Currency",
    "Startups",
    "Cybersecurity",
    "Privacy",
    "Vaccines",
    "Hospitals",
    "Wildfires",
    "Floods",
    "Drought",
    "Weather",
    "Archaeology",
    "Museums",
    "Theatre",
    "Fashion",
    "Food",
    "Wine",
    "Cycling",
    "Athletics",
    "Hockey",
    "Basketball",
    "Chess",
    "Religion",
    "Human-rights",
    "Press-freedom",
    "Protests",
    "Parliament",
    "Constitution",
    "Water",
    "Forests",
    "Oceans",
    "Biodiversity",
    "Automotive",
    "Steel",
    "Mining",
    "Semiconductors",
    "Telecoms",
    "Retail",
    "Real-estate",
    "Insurance",
    "Pharma",
    "Universities",
    "Schools",
    "Children",
    "Elderly",
    "Refugees",
    "Borders",
    "Sanctions",
    "Tariffs",
    "Exports",
    "Imports",
    "Startups-Europe",
]
TAGS = (
    TAG_WORDS
    + [f"{a} {b}" for a, b in zip(TAG_WORDS[::3], TAG_WORDS[1::3], strict=False)]
    + [f"Topic {i}" for i in range(1, 201)]
)
TAG_CUM = list(itertools.accumulate(1.0 / (r**1.07) for r in range(1, len(TAGS) + 1)))

# Sentence templates; {p} place, {o} org, {t} topic, {n} number, {y} year, {a} adjective,
# {m} noun. Filled once per article with article-specific values.
PLAIN = [
    "Officials in {p} said on Tuesday that {o} would announce its decision on {t} within weeks.",
    "The {a} {m} follows months of negotiations between {o} and business groups in {p}.",
    "Analysts said the move could affect as many as {n} households across the region.",
    "{O} has faced growing pressure over {t} since the start of {y}.",
    "In {p}, the reaction was mixed, with some welcoming the {m} and others calling it premature.",
    "The figures, published on Monday, show a {a} change compared with the same period last year.",
    "Critics argue that the {m} does little to address the underlying causes of the problem.",
    "The debate over {t} has divided lawmakers, with several members abstaining in the vote.",
    "Under the proposal, {o} would set aside about {n} million for the first phase.",
    "A similar {m} was shelved in {y} after opposition from regional authorities.",
    "Several thousand people gathered in the centre of {p} on Saturday.",
    "The decision is expected to be reviewed again before the end of the year.",
    "Economists expect the impact on prices to be {a} but noticeable in the coming months.",
    "Talks are due to resume next week in {p}, according to people familiar with the matter.",
    "{O} declined to comment on the details of the {m}.",
    "Local media reported long queues outside government offices in {p}.",
    "The last comparable episode, in {y}, lasted nearly three months.",
    "Shares in the largest companies affected fell by as much as {pc} percent in early trading.",
    "Residents interviewed by this newspaper described the situation as tense but calm.",
    "The ministry said it had received more than {n} applications since the scheme opened.",
    "The opposition has called for an independent inquiry into {t}.",
    "Observers from neighbouring countries are expected to attend the meeting in {p}.",
    "No date has yet been set for a final vote on the {m}.",
    "The plan includes measures on {t} and a review of existing rules.",
    "It is the {a} step of its kind since {o} took office.",
    "Organisers said attendance had been higher than in any previous year.",
    "Independent experts cautioned that the data for {y} were still incomplete.",
    "The agreement still needs to be ratified by parliament in {p}.",
    "A spokesperson for {o} confirmed that the meeting had taken place.",
    "The so-called \u201creform\u201d has been criticised by teachers and parents alike.",
    "What officials describe as a \u201ctemporary\u201d measure has now been in place for a year.",
    "The report runs to more than {n} pages and includes recommendations on {t}.",
    "Traffic in central {p} was disrupted for several hours on Thursday.",
    "The {m} was first proposed by a cross-party group in {y}.",
    "Prices for basic goods have risen by roughly {pc} percent over the past twelve months.",
    "The team's coach described the result as a \u2018turning point\u2019 for the season.",
    "Turnout in {p} was estimated at {pc} percent higher than at the previous vote.",
    "The central figure in the dispute, a former adviser to {o}, has denied any wrongdoing.",
    "Officials in {p} expect the work to be finished by the spring.",
    "The {m} was welcomed by neighbouring governments, which had pressed for a solution on {t}.",
    "Some {n} workers are employed in the sector, most of them outside {p}.",
    "Rating agencies have so far left their outlook unchanged.",
    "The announcement came hours after a meeting between ministers and regional leaders.",
    "Environmental groups said the {m} did not go far enough.",
    "Police said the protest had been largely peaceful, with {n} people briefly detained.",
    "The company said it would appeal against the ruling.",
    "Schools in {p} will remain closed until at least Wednesday.",
    "Diplomats said a compromise on {t} was within reach but not yet agreed.",
    "The average household will pay around {n} more a year under the new rules.",
    "Ticket sales for the event have already passed {n} thousand.",
    "The previous government had promised a similar {m} but never delivered it.",
]
QUOTE_LINES = [
    "We will not accept any {m} that puts the interests of ordinary people at risk",
    "This is a {a} moment for {p} and for the whole region",
    "Nobody should be surprised by what happened, we warned about {t} for years",
    "The door to dialogue remains open, but patience is not unlimited",
    "Our priority is to make sure that families can pay their bills this winter",
    "We are ready to discuss {t} with anyone who comes to the table in good faith",
    "The numbers speak for themselves, and they are not good",
    "I have never seen anything like it in thirty years of work",
    "This agreement shows that cooperation is still possible",
    "We expect the first results before the end of {y}",
    "There is no plan B, and everybody in {p} knows it",
    "It is too early to say what the long-term consequences will be",
    "We have done everything we could, and we will keep doing it",
    "The decision was taken after careful consultation with our partners",
    "People are tired, but they have not lost hope",
]
# (open, close) pairs for the quotation styles the spec recognises.
QUOTE_STYLES = [
    ("\u201c", "\u201d"),
    ("\u201c", "\u201d"),
    ("\u201c", "\u201d"),
    ('"', '"'),
    ('"', '"'),
    ("\u2018", "\u2019"),
    ("\u00ab", "\u00bb"),
    ("\u00ab\u00a0", "\u00a0\u00bb"),
    ("\u201e", "\u201c"),
    ("\u00bb", "\u00ab"),
]
HEADLINES = [
    "{O2} {v} {t}",
    "{P}: {o} {v} {t}",
    "{A2} {m} on {t} as {p} waits",
    "Why {t} matters for {p}",
    "{O2} {v} {t} after {a} {m}",
    "\u201c{q}\u201d: {r2} on {t}",
    "In {p}, {t} tests {o}",
    "{P} {m} on {t} draws {a} response",
    "What we know about the {m} on {t}",
    "{O2} and {p} reach {m} on {t}",
    "Live: {t} \u2014 {o} {v} new rules",
    "Analysis: the {a} politics of {t}",
]
SHORT_QUOTES = ["Not now", "We will see", "Enough is enough", "A new chapter", "No comment"]
SUBHEADS = [
    "What happens next",
    "Background",
    "Reaction",
    "The numbers",
    "Why it matters",
    "A long dispute",
    "What they said",
]
EXTRA_SENTENCE = "Update: this story has been updated with additional reporting."


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _q(s: str) -> str:
    """A YAML double-quoted scalar (a JSON string is one)."""
    return json.dumps(s, ensure_ascii=False)


def _slugify(title: str) -> str:
    out = []
    dash = False
    for ch in title.lower():
        if ch.isascii() and ch.isalnum():
            out.append(ch)
            dash = False
        elif not dash and out:
            out.append("-")
            dash = True
    s = "".join(out).strip("-")
    return s[:60].rstrip("-") or "story"


class Newsroom:
    def __init__(self, n: int, seed: int) -> None:
        self.n = n
        self.rng = random.Random(f"digest-bench:{seed}")
        self.slugs: set[str] = set()
        self.published: list[str] = []  # slugs that a related list may name
        self.people = [f"{first} {last}" for first in FIRST for last in LAST]
        self.sec_cum = list(itertools.accumulate(w for *_, w in SECTIONS))

    # ----------------------------------------------------------------- pieces
    def person(self) -> str:
        return self.rng.choice(self.people)

    def tags(self) -> list[str]:
        rng = self.rng
        k = rng.choice((0, 1, 2, 2, 3, 3, 3, 4, 5))
        total = TAG_CUM[-1]
        seen: list[str] = []
        for _ in range(k):
            t = TAGS[bisect.bisect_left(TAG_CUM, rng.random() * total)]
            if t not in seen:
                seen.append(t)
        return seen

    def fill(self) -> dict[str, str]:
        rng = self.rng
        org = rng.choice(ORGS)
        return {
            "p": rng.choice(PLACES),
            "o": org,
            "O": _cap(org),
            "t": rng.choice(TOPICS),
            "n": str(rng.randint(2, 950)),
            "pc": str(rng.randint(1, 40)),
            "y": str(rng.randint(2015, 2025)),
            "a": rng.choice(ADJ),
            "m": rng.choice(NOUNS),
        }

    def quote_paragraph(self, f: dict[str, str], speaker: str) -> str:
        rng = self.rng
        op, cl = rng.choice(QUOTE_STYLES)
        text = rng.choice(QUOTE_LINES).format_map(f)
        form = rng.randrange(6)
        if form == 0:
            return f"{op}{text},{cl} said {speaker}, {rng.choice(REPORTERS)}."
        if form == 1:
            return f"{_cap(speaker)} said: {op}{text}.{cl}"
        if form == 2:
            return f"{op}{text},{cl} {speaker} said."
        if form == 3:
            return f"According to {speaker}, {op}{text.lower()[:1] + text[1:]}.{cl}"
        if form == 4:
            return f"{op}{text}.{cl}"  # unattributed
        return f"{op}{text},{cl} {speaker} told reporters in {f['p']}. " + rng.choice(
            PLAIN
        ).format_map(f)

    def body(self, f: dict[str, str], quoted: bool) -> str:
        rng = self.rng
        target = rng.randint(270, 540)
        words = 0
        paras: list[str] = []
        named = self.person()
        role = rng.choice(ROLES)
        quotes_left = rng.choice((1, 2, 2, 3, 4)) if quoted else 0
        first_quote_at = rng.choice((0, 1, 1, 2))
        plain = rng.sample(PLAIN, len(PLAIN))  # this article's order, so no sentence repeats
        pos = 0
        heads = rng.sample(SUBHEADS, len(SUBHEADS))
        last_was_head = True
        while words < target:
            i = len(paras)
            r = rng.random()
            if quotes_left and i >= first_quote_at and r < 0.4:
                speaker = role if rng.random() < 0.5 else named
                para = self.quote_paragraph(f, speaker)
                quotes_left -= 1
            elif i > 2 and not last_was_head and r < 0.48:
                paras.append("## " + heads[i % len(heads)])
                last_was_head = True
                continue
            elif i > 1 and r < 0.53:
                items = rng.sample(PLAIN, 3)
                para = "\n".join("- " + s.format_map(f) for s in items)
            elif i > 1 and r < 0.56:
                para = "> " + rng.choice(PLAIN).format_map(f)
            else:
                k = rng.randint(2, 5)
                if pos + k > len(plain):
                    pos = 0
                sents = []
                for s in plain[pos : pos + k]:
                    f["n"] = str(rng.randint(2, 950))
                    f["pc"] = str(rng.randint(1, 40))
                    sents.append(s.format_map(f))
                pos += k
                para = " ".join(sents)
                if rng.random() < 0.12:
                    para += (
                        f" Read the [full report](https://example.org/reports/"
                        f"{rng.randint(1000, 99999)}) or *see our earlier coverage*."
                    )
                if rng.random() < 0.05:
                    para += f" The minister called it \u201c{rng.choice(SHORT_QUOTES)}\u201d."
            last_was_head = False
            paras.append(para)
            words += para.count(" ") + 1
        return "\n\n".join(paras) + "\n"

    def headline(self, f: dict[str, str]) -> str:
        rng = self.rng
        g = dict(f)
        g["v"] = rng.choice(VERBS)
        g["O2"] = _cap(f["o"].removeprefix("the "))
        g["P"] = f["p"]
        g["A2"] = _cap(f["a"])
        g["q"] = rng.choice(SHORT_QUOTES)
        g["r2"] = _cap(rng.choice(ROLES))
        return rng.choice(HEADLINES).format_map(g)

    def date_text(self, when: datetime) -> str:
        rng = self.rng
        form = rng.randrange(10)
        if form < 4:  # RFC 3339 with an offset
            off = rng.choice((3, 2, 1, -5, 9))
            local = when.astimezone(timezone(timedelta(hours=off)))
            return local.isoformat(timespec="seconds")
        if form < 7:  # UTC, Z
            return when.strftime("%Y-%m-%dT%H:%M:%SZ")
        if form < 9:  # naive: site time zone
            return when.strftime("%Y-%m-%dT%H:%M:%S")
        return when.strftime("%Y-%m-%d")  # a date only

    # ---------------------------------------------------------------- article
    def article(self, i: int, when: datetime, kind: str) -> tuple[str, str, str]:
        """Return (relative path, slug, file text) for article number ``i``."""
        rng = self.rng
        f = self.fill()
        title = self.headline(f)
        slug = base = _slugify(title)
        k = 2
        while slug in self.slugs:
            slug = f"{base}-{k}"
            k += 1
        self.slugs.add(slug)
        sec_name, sec_slug, foldered, _ = SECTIONS[
            bisect.bisect_left(self.sec_cum, rng.random() * self.sec_cum[-1])
        ]

        fm = ["---", f"title: {_q(title)}", f"date: {self.date_text(when)}"]
        fm.append(f"section: {sec_name}" if "&" not in sec_name else f"section: {_q(sec_name)}")
        r = rng.random()
        if r < 0.1:
            fm.append(f"author: [{self.person()}, {self.person()}]")
        elif r < 0.9:
            fm.append(f"author: {self.person()}")
        if rng.random() < 0.7:
            fm.append("summary: " + _q(rng.choice(PLAIN).format_map(f)))
        if rng.random() < 0.15:
            upd = when + timedelta(minutes=rng.randint(20, 3000))
            fm.append("updated: " + upd.strftime("%Y-%m-%dT%H:%M:%SZ"))
        if rng.random() < 0.8:
            ym = when.strftime("%Y/%m")
            if rng.random() < 0.7:
                fm.append(f"image: https://cdn.example.org/photos/{ym}/{slug[:40]}.jpg")
            else:
                fm.append(f"image: /images/{ym}/{i:06d}.jpg")
            fm.append("image_alt: " + _q(f"{_cap(rng.choice(ROLES))} speaks in {f['p']}"))
            fm.append("image_credit: " + _q(f"{self.person()}, {rng.choice(AGENCIES)}"))
        tags = self.tags()
        if tags:
            fm.append("tags: [" + ", ".join(_q(t) if " " in t else t for t in tags) + "]")
        if self.published and rng.random() < 0.3:
            recent = self.published[-400:]
            picks = []
            for _ in range(rng.randint(1, 3)):
                pool = recent if rng.random() < 0.8 else self.published
                s = rng.choice(pool)
                if s not in picks:
                    picks.append(s)
            if rng.random() < 0.05:
                picks.append(f"https://partner.example.com/news/{rng.randint(1, 99999)}")
            fm.append("related: [" + ", ".join(picks) + "]")
        if rng.random() < 0.03:
            fm.append("lead_quote: " + _q(rng.choice(QUOTE_LINES).format_map(f)))
            fm.append(f"lead_quote_by: {rng.choice(ROLES)}")
        if rng.random() < 0.04:
            fm.append(f"id: urn:newsroom:{i:07d}")
        explicit_slug = rng.random() < 0.03
        if explicit_slug:
            fm.append(f"slug: {slug}")
        if kind == "draft":
            fm.append("draft: true")
        expiring = rng.random() < 0.01
        if expiring:
            exp = when + timedelta(days=rng.choice((7, 30, 90, 1000)))
            fm.append("expires: " + exp.strftime("%Y-%m-%d"))
        fm.append("---")
        text = "\n".join(fm) + "\n" + self.body(f, quoted=rng.random() < 0.9)

        fname = f"{when:%Y%m%d}-{i:06d}.md" if explicit_slug else f"{slug}.md"
        rel = f"{sec_slug}/{when:%Y}/{fname}" if foldered else fname
        if kind == "regular" and not expiring:  # only stories sure to be published
            self.published.append(slug)
        return rel, slug, text


def generate(n: int, outdir: str, seed: int = 1) -> int:
    """Write ``n`` articles into ``outdir`` (which must not hold files); return bytes written."""
    room = Newsroom(n, seed)
    rng = room.rng
    n_drafts = max(1, n // 400) if n >= 20 else 0
    n_future = max(1, n // 500) if n >= 20 else 0
    n_regular = n - n_drafts - n_future
    kinds = ["regular"] * n_regular
    # scatter drafts among the regular stories, keeping the sequence reproducible
    for _ in range(n_drafts):
        kinds.insert(rng.randrange(len(kinds) + 1), "draft")
    span_s = SPAN.total_seconds()
    made_dirs: set[str] = set()
    total = 0
    os.makedirs(outdir, exist_ok=True)
    for i, kind in enumerate(kinds):
        frac = (i + rng.random()) / len(kinds)
        when = START + timedelta(seconds=int(frac * span_s))
        total += _write(room, outdir, made_dirs, i, when, kind)
    for j in range(n_future):
        when = FUTURE_FROM + timedelta(days=rng.randint(0, 60), minutes=rng.randint(0, 1200))
        total += _write(room, outdir, made_dirs, len(kinds) + j, when, "future")
    return total


def _write(room: Newsroom, outdir: str, made: set[str], i: int, when: datetime, kind: str) -> int:
    rel, _slug, text = room.article(i, when, kind)
    path = os.path.join(outdir, rel)
    d = os.path.dirname(path)
    if d not in made:
        os.makedirs(d, exist_ok=True)
        made.add(d)
    data = text.encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    return len(data)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int, help="number of articles")
    ap.add_argument("outdir", help="folder to write (must be empty or absent)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--force", action="store_true", help="delete OUTDIR first if it exists")
    args = ap.parse_args(argv)
    if args.n < 1:
        ap.error("N must be at least 1")
    if os.path.exists(args.outdir) and os.listdir(args.outdir):
        if not args.force:
            ap.error(f"{args.outdir} is not empty (use --force to replace it)")
        shutil.rmtree(args.outdir)
    total = generate(args.n, args.outdir, args.seed)
    print(f"wrote {args.n} articles ({total / 1e6:.1f} MB) to {args.outdir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
