"""Related links: the editor's ``related`` entries, else stories chosen from the archive.

An article that names related stories gets exactly those, in the editor's order. One that
names none gets up to ``limit`` stories picked from the archive by a score that combines
shared tags (weighted by how rare the tag is), a same-section bonus, text similarity of
headline, standfirst and the lead of the body, and closeness in time.

Everything the score needs is computed once per call from the archive. Candidates are
found through inverted indexes (tag → articles, term → articles, section → articles), so
the work grows with targets times candidates, never with all pairs of the archive.
"""

from __future__ import annotations

import heapq
import math
import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Sequence
from itertools import chain
from operator import attrgetter
from urllib.parse import urlsplit

from digest.errors import Problem
from digest.models import Article, RelatedLink
from digest.terms import article_terms, terms_of

__all__ = [
    "EDITOR_REASON",
    "EXTERNAL_REASON",
    "SIMILAR_REASON",
    "related_links",
]

EDITOR_REASON = "Chosen by the editor"
EXTERNAL_REASON = "External link"
SIMILAR_REASON = "Similar story"

SECTION_BONUS = 0.15
"""Added for a story in the same section: enough to rank it, less than a rare shared tag."""

MIN_RELEVANCE = 0.1
"""Below this (before the time decay) a story is not related at all: one very common tag
or a couple of shared words are coincidence, and no link beats a misleading one."""

HALF_LIFE_DAYS = 30.0
DECAY_FLOOR = 0.5
"""Closeness in time scales relevance from 1.0 (same day) down towards DECAY_FLOOR: a
year-old story with the same rare tag still qualifies, at half weight."""

HEADLINE_BOOST = 2.0
"""A word of the target's headline or standfirst weighs this much more than a body word."""

QUERY_TERMS = 32
"""Each target is compared on its rarest shared words only: they carry nearly all of the
TF-IDF weight, and they keep the posting lists walked per target short."""

TEXT_DF_FLOOR = 20
TEXT_DF_SHARE = 50
"""A word on more than max(TEXT_DF_FLOOR, N / TEXT_DF_SHARE) articles is too common to
find candidates by; it still counts in the target's total weight."""

TEXT_NOISE = 0.02
"""Text similarity below this (about one shared uncommon word) is coincidence: zero."""

SAMPLE_SIZE = 1000
"""Articles sampled to tell which of the targets' words are common."""

TAG_DF_CAP = 256
"""A tag on more articles than this is not walked in full: its nearest stories in time
join the candidates, and the tag still scores for every candidate found."""

POOL_PER_LINK = 4
"""Nearest-in-time stories taken per common tag and per section, for each link wanted."""

BOUND_MARGIN = 1e-6
"""Added to an upper bound on a score before comparing: far above float rounding error."""

MAX_REASON_TAGS = 3
"""A reason names at most this many shared tags, and never one too common to relate two
stories on its own (under MIN_RELEVANCE): "Also about News" would explain nothing."""


def related_links(
    targets: Sequence[Article],
    archive: Sequence[Article],
    *,
    limit: int = 3,
    allow_newer: bool = False,
    unpublished: Collection[str] = frozenset(),
) -> tuple[dict[str, tuple[RelatedLink, ...]], list[Problem]]:
    """Related links for each target article (keyed by id), and warnings.

    ``archive`` holds every published article; ``targets`` must be among them. Named
    entries resolve in order (unknown slugs are warned about and dropped; slugs in
    ``unpublished`` — drafts, embargoed, expired — are dropped quietly); an article
    that names none, or whose named entries all drop, gets up to ``limit`` chosen ones,
    by default only from stories published before it. The editor's list is never cut.
    Articles are compared by their `terms` (worked out while reading), or by their body's
    when reading left them out.
    """
    index = _ArchiveIndex(archive)
    links: dict[str, tuple[RelatedLink, ...]] = {}
    problems: list[Problem] = []
    to_choose: list[int] = []
    for target in targets:
        if target.id in links:
            continue
        position = index.position(target)
        named, warnings = _named_links(target, index, unpublished)
        problems.extend(warnings)
        links[target.id] = tuple(named)
        if not named and limit > 0:
            to_choose.append(position)
    if to_choose:
        text = _TextIndex(index, to_choose)
        for position in to_choose:
            chosen = _choose(position, index, text, limit=limit, allow_newer=allow_newer)
            links[index.articles[position].id] = chosen
    return links, problems


class _ArchiveIndex:
    """The archive in a canonical order, with lookups and tag/section indexes."""

    def __init__(self, archive: Sequence[Article]) -> None:
        # Sorting makes every result independent of the caller's order; posting lists
        # built in this order are sorted by time, which the nearest-in-time pools rely on.
        self.articles = sorted(archive, key=attrgetter("published", "slug", "id"))
        self.times = [article.published.timestamp() for article in self.articles]
        self.sections = [article.section_slug for article in self.articles]
        self.by_slug: dict[str, int] = {}
        self.by_id: dict[str, int] = {}
        self.tag_keys: list[frozenset[str]] = []
        self.tag_postings: defaultdict[str, list[int]] = defaultdict(list)
        self.section_postings: defaultdict[str, list[int]] = defaultdict(list)
        tag_keys: dict[str, str] = {}  # the same few tags recur on thousands of articles
        key_sets: dict[tuple[str, ...], frozenset[str]] = {}
        for position, article in enumerate(self.articles):
            self.by_slug.setdefault(article.slug, position)
            self.by_id[article.id] = position
            keys = key_sets.get(article.tags)
            if keys is None:
                for tag in article.tags:
                    if tag not in tag_keys:
                        tag_keys[tag] = _tag_key(tag)
                keys = frozenset(tag_keys[tag] for tag in article.tags) - {""}
                key_sets[article.tags] = keys
            self.tag_keys.append(keys)
            for key in keys:
                self.tag_postings[key].append(position)
            self.section_postings[article.section_slug].append(position)
        size = len(self.articles)
        scale = math.log(size + 1)
        self.tag_weight = {
            key: (math.log((size + 1) / len(postings)) / scale) ** 2
            for key, postings in self.tag_postings.items()
        }
        self._by_folded_slug: dict[str, int] | None = None
        self._by_url: dict[str, int] | None = None

    def position(self, article: Article) -> int:
        """Where a target sits in the archive; a target outside it is a caller's bug."""
        position = self.by_id.get(article.id)
        if position is None:
            raise ValueError(f"target {article.id!r} is not in the archive")
        return position

    def find_slug(self, slug: str) -> int | None:
        """The article with this slug, matched exactly, else ignoring case."""
        position = self.by_slug.get(slug)
        if position is None:
            if self._by_folded_slug is None:  # built on first use: most builds never need it
                self._by_folded_slug = {}
                for candidate, found in self.by_slug.items():
                    self._by_folded_slug.setdefault(candidate.casefold(), found)
            position = self._by_folded_slug.get(slug.casefold())
        return position

    def find_url(self, url_key: str) -> int | None:
        """The article whose URL has this :func:`_url_key`."""
        if self._by_url is None:  # built on first use: most builds never need it
            self._by_url = {}
            for position, article in enumerate(self.articles):
                key = _url_key(article.url)
                if key is not None:
                    self._by_url.setdefault(key, position)
        return self._by_url.get(url_key)

    def nearest(
        self, postings: list[int], moment: float, count: int, *, both_ways: bool
    ) -> list[int]:
        """Return the ``count`` stories of a time-sorted posting list nearest ``moment``.

        Only stories before it, unless ``both_ways``.
        """
        cut = bisect_left(postings, moment, key=self.times.__getitem__)
        before = postings[max(0, cut - count) : cut]
        return before + postings[cut : cut + count + 1] if both_ways else before


class _TextIndex:
    """Word statistics for the articles that need chosen links, and where their words occur.

    Similarity is TF-IDF with binary term frequency over the headline, standfirst and
    body lead: the share of the target's total weight (sum of idf squared, headline words
    boosted) that the candidate also contains. With every text capped to the same lead
    this is a cosine under equal norms, and it needs document frequencies only for the
    targets' own words, never for the archive's whole vocabulary.

    Words are counted exactly, except those a strided sample shows to be common: their
    document frequency is estimated from the sample (they weigh little either way), which
    keeps the one pass over the archive short.
    """

    def __init__(self, index: _ArchiveIndex, targets: Sequence[int]) -> None:
        size = len(index.articles)
        doc_terms = [
            article.terms if article.terms is not None else _article_terms(article)
            for article in index.articles
        ]
        own_terms = {target: frozenset(doc_terms[target]) for target in targets}
        vocabulary = frozenset[str]().union(*own_terms.values())
        common_at = max(TEXT_DF_FLOOR, size / TEXT_DF_SHARE)
        sample = doc_terms[:: max(1, size // SAMPLE_SIZE)]
        scale = size / len(sample)
        sample_freq = Counter(chain.from_iterable(vocabulary.intersection(t) for t in sample))
        estimated = {
            term: count * scale for term, count in sample_freq.items() if count * scale > common_at
        }
        counted = vocabulary.difference(estimated)
        self._postings: defaultdict[str, list[int]] = defaultdict(list)
        for position, words in enumerate(doc_terms):
            for term in counted.intersection(words):
                self._postings[term].append(position)
        doc_freq = {term: float(len(postings)) for term, postings in self._postings.items()}
        doc_freq.update(estimated)

        self._queries: dict[int, list[tuple[str, float]]] = {}
        self._totals: dict[int, float] = {}
        for target in targets:
            article = index.articles[target]
            headline = terms_of(f"{article.title}\n{article.summary}")
            weights = {
                term: math.log((size + 1) / doc_freq[term]) ** 2
                * (HEADLINE_BOOST if term in headline else 1.0)
                for term in own_terms[target]
            }
            self._totals[target] = math.fsum(weights.values())
            shared = [term for term in weights if 1 < doc_freq[term] <= common_at]
            rarest = heapq.nsmallest(QUERY_TERMS, shared, key=lambda term: (doc_freq[term], term))
            self._queries[target] = [(term, weights[term]) for term in rarest]

    def similar(self, target: int) -> dict[int, float]:
        """Text similarity in [0, 1] of the articles sharing enough words with ``target``."""
        total = self._totals[target]
        if total <= 0.0:
            return {}
        found: dict[int, float] = {}
        for term, weight in self._queries[target]:
            for position in self._postings[term]:
                found[position] = found.get(position, 0.0) + weight
        floor = TEXT_NOISE * total
        return {position: shared / total for position, shared in found.items() if shared >= floor}


def _named_links(
    target: Article, index: _ArchiveIndex, unpublished: Collection[str]
) -> tuple[list[RelatedLink], list[Problem]]:
    """Resolve the editor's ``related`` entries in order; warn about unknown slugs."""
    links: list[RelatedLink] = []
    problems: list[Problem] = []
    seen = {_url_key(target.url) or target.url}
    warned: set[str] = set()
    for raw in target.related:
        entry = raw.strip()
        if not entry:
            continue
        url_key = _url_key(entry)
        if url_key is not None:
            position = index.find_url(url_key)
        else:
            position = index.find_slug(entry)
            if position is None:
                if entry not in warned and entry not in unpublished:
                    warned.add(entry)
                    message = f"related: unknown article {entry!r} (dropped); check the slug"
                    line = target.key_lines.get("related", 1)
                    problems.append(Problem(target.location.where, line, message))
                continue
        if position is None:
            link = RelatedLink(title=entry, url=entry, section="", reason=EXTERNAL_REASON)
        else:
            other = index.articles[position]
            link = RelatedLink(other.title, other.url, other.section, EDITOR_REASON)
        key = _url_key(link.url) or link.url
        if key not in seen:
            seen.add(key)
            links.append(link)
    return links, problems


def _choose(
    target: int,
    index: _ArchiveIndex,
    text: _TextIndex,
    *,
    limit: int,
    allow_newer: bool,
) -> tuple[RelatedLink, ...]:
    """Up to ``limit`` archive stories for ``target``, best first, each with its reason.

    Candidates are the stories sharing a tag (for a very common tag, the nearest in
    time), the nearest in the same section, and those similar in text. In a large archive
    the last are thousands, nearly all far below the best few: once the stories found by
    tag and section set the bar, a story found only by text is scored only if its text
    similarity, plus every bonus it could still get, can reach it. The result is the
    same as scoring every candidate.
    """
    article = index.articles[target]
    moment = index.times[target]
    pool = POOL_PER_LINK * limit
    target_tags = _ordered_tags(article.tags)
    found: set[int] = set()
    reachable_tags = 0.0  # weight of the tags a story found only by text may still share
    for key, _ in target_tags:
        postings = index.tag_postings[key]
        if len(postings) <= TAG_DF_CAP:
            found.update(postings)
        else:
            found.update(index.nearest(postings, moment, pool, both_ways=allow_newer))
            reachable_tags += index.tag_weight[key]
    section = index.section_postings[article.section_slug]
    found.update(index.nearest(section, moment, pool, both_ways=allow_newer))
    found.discard(target)
    text_scores = text.similar(target)
    # A story found only by text scores at most its text similarity plus the tags it may
    # still share and, in the same section, the section bonus (time only lowers it).
    mine = article.section_slug
    times, tag_keys, sections = index.times, index.tag_keys, index.sections
    other_room = reachable_tags + BOUND_MARGIN
    same_room = other_room + SECTION_BONUS
    weighted = [(key, index.tag_weight[key]) for key, _ in target_tags]
    own_keys = frozenset(key for key, _ in target_tags)
    ranked: list[tuple[float, float, str, int]] = []
    best: list[float] = []  # the `limit` best scores so far, smallest first
    by_text: list[tuple[float, int]] = []
    for stage in (0, 1):
        if stage == 1:
            bar = max(MIN_RELEVANCE, best[0] if len(best) == limit else 0.0)
            by_text = sorted(
                ((similarity, position) for position, similarity in text_scores.items()
                 if similarity + (same_room if sections[position] == mine else other_room) >= bar
                 and position not in found and position != target),
                reverse=True,
            )  # fmt: skip
        for position in found if stage == 0 else (position for _, position in by_text):
            when = times[position]
            if when >= moment and not allow_newer:
                continue
            same_section = sections[position] == mine
            similarity = text_scores.get(position, 0.0)
            days = abs(moment - when) / 86_400
            decay = DECAY_FLOOR + (1.0 - DECAY_FLOOR) * 0.5 ** (days / HALF_LIFE_DAYS)
            if stage == 1 and len(best) == limit:
                room = same_room if same_section else other_room
                if (similarity + room) * decay + BOUND_MARGIN < best[0]:
                    continue
            other_keys = tag_keys[position]
            relevance = 0.0
            if not own_keys.isdisjoint(other_keys):
                for key, weight in weighted:  # in the target's order: the same sum every time
                    if key in other_keys:
                        relevance += weight
            if same_section:
                relevance += SECTION_BONUS
            relevance += similarity
            if relevance < MIN_RELEVANCE:
                continue
            value = round(relevance * decay, 9)
            if len(best) < limit:
                heapq.heappush(best, value)
            elif value >= best[0]:  # equal may still win on time or slug
                heapq.heappushpop(best, value)
            else:
                continue  # below the `limit` best: can never be chosen
            ranked.append((-value, -when, index.articles[position].slug, position))
    chosen = []
    for *_, position in heapq.nsmallest(limit, ranked):
        other = index.articles[position]
        shared = [
            tag
            for key, tag in target_tags
            if key in index.tag_keys[position] and index.tag_weight[key] >= MIN_RELEVANCE
        ]
        same_section = other.section_slug == article.section_slug
        reason = _reason(shared, article.section if same_section else "")
        chosen.append(RelatedLink(other.title, other.url, other.section, reason))
    return tuple(chosen)


def _reason(shared_tags: Sequence[str], same_section: str) -> str:
    """A short line a template can show under a chosen link."""
    if shared_tags:
        return "Also about " + ", ".join(shared_tags[:MAX_REASON_TAGS])
    if same_section:
        return f"More in {same_section}"
    return SIMILAR_REASON


def _ordered_tags(tags: Iterable[str]) -> list[tuple[str, str]]:
    """(key, tag as written) for each distinct tag, in the article's order."""
    seen: set[str] = set()
    ordered: list[tuple[str, str]] = []
    for tag in tags:
        key = _tag_key(tag)
        if key and key not in seen:
            seen.add(key)
            ordered.append((key, tag.strip()))
    return ordered


def _tag_key(tag: str) -> str:
    """Tags match regardless of case and surrounding spaces."""
    return " ".join(tag.split()).casefold()


def _article_terms(article: Article) -> tuple[str, ...]:
    return article_terms(article.title, article.summary, article.body or "")


def _url_key(url: str) -> str | None:
    """A comparison key for an absolute http(s) URL, or None if ``url`` is not one.

    Scheme, host case, a trailing slash and the fragment do not make a different page.
    """
    simple = _SIMPLE_URL.match(url)
    if simple is not None:  # what urlsplit would find, without its generality
        host, path, query = simple.group("host", "path", "query")
        key = host.lower() + path.rstrip("/")
        return f"{key}?{query}" if query else key
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # e.g. an unclosed IPv6 bracket: not a usable URL
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    key = parts.netloc.lower() + parts.path.rstrip("/")
    return f"{key}?{parts.query}" if parts.query else key


_SIMPLE_URL = re.compile(
    r"(?i:https?)://(?P<host>[A-Za-z0-9.-]+(?::[0-9]*)?)"
    r"(?P<path>(?:/[!$-;=@-Z_a-z~]*)?)(?:\?(?P<query>[!$-;=?-Z_a-z~]*))?(?:#[!-~]*)?\Z"
)
"""An ASCII http(s) URL with a plain host and nothing urlsplit would strip or refuse."""
