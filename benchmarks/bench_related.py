"""Time ``related_links`` on synthetic archives of 1,000 to 50,000 articles.

Run from the repository root::

    PYTHONPATH=. python benchmarks/bench_related.py [--sizes 1000 10000] [--targets 100]

The archive is built in memory from a seeded generator, so every run times the same data:
tags drawn from a Zipf-like vocabulary, skewed section sizes, three years of publishing,
and bodies of about 300 words mixing common language with a topic's own words. Targets
are the newest articles (a digest window) and all of them need chosen links, which is
the expensive path. Times are the best of ``--repeat`` whole calls.
"""

from __future__ import annotations

import argparse
import random
import string
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from digest.enrich.related import related_links
from digest.models import Article

SECTIONS = ("World", "Politics", "Business", "Science", "Sport", "Media & Culture", "Opinion")
SECTION_WEIGHTS = (30, 20, 15, 10, 10, 10, 5)
START = datetime(2024, 1, 1, tzinfo=UTC)
SPAN = timedelta(days=3 * 365)


class _Corpus:
    """Words, sentences, topics and tags, drawn once from one seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        words = sorted({_word(rng) for _ in range(30_000)})
        rng.shuffle(words)
        general, topical = words[:8_000], words[8_000:]
        zipf = [1.0 / rank for rank in range(1, len(general) + 1)]
        self.sentences = [
            " ".join(rng.choices(general, weights=zipf, k=rng.randint(8, 22))).capitalize() + "."
            for _ in range(4_000)
        ]
        self.topics = [rng.sample(topical, 40) for _ in range(1_500)]
        self.tags = [f"{_word(rng).capitalize()} {index}" for index in range(3_000)]
        self.tag_weights = [1.0 / rank**1.1 for rank in range(1, len(self.tags) + 1)]

    def article(self, number: int) -> Article:
        """One synthetic article; its number fixes its slug."""
        rng = self.rng
        topic = rng.choice(self.topics)
        sentences = rng.choices(self.sentences, k=18)
        for slot in range(0, len(sentences), 3):
            sentences[slot] += " " + " ".join(rng.sample(topic, 6)).capitalize() + "."
        section = rng.choices(SECTIONS, weights=SECTION_WEIGHTS)[0]
        slug = f"story-{number:06d}"
        published = START + SPAN * rng.random()
        tags = rng.choices(self.tags, weights=self.tag_weights, k=rng.randint(0, 4))
        return Article(
            source=Path(f"articles/{slug}.md"),
            body_line=9,
            slug=slug,
            id=slug,
            title=" ".join(rng.sample(topic, 4) + rng.choices(self.sentences[0].split(), k=3)),
            published=published,
            updated=published,
            section=section,
            section_slug=section.casefold().replace(" & ", "-"),
            url=f"https://news.example.org/{slug}/",
            body=" ".join(sentences),
            summary=rng.choice(self.sentences),
            tags=tuple(dict.fromkeys(tags)),
        )


def _word(rng: random.Random) -> str:
    return "".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 10)))


def build_archive(size: int, seed: int) -> list[Article]:
    """A deterministic archive of ``size`` articles."""
    corpus = _Corpus(random.Random(seed))
    return [corpus.article(number) for number in range(size)]


def time_call(archive: list[Article], targets: list[Article], repeat: int) -> float:
    """Best wall time in seconds of one whole ``related_links`` call."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        related_links(targets, archive)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    """Print N, seconds and milliseconds per target for each archive size."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 50_000])
    parser.add_argument("--targets", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    options = parser.parse_args()
    print(f"{'N':>8}  {'targets':>7}  {'seconds':>8}  {'ms/target':>9}")
    for size in options.sizes:
        archive = build_archive(size, options.seed)
        newest = sorted(archive, key=lambda article: (article.published, article.slug))
        targets = newest[-options.targets :]
        seconds = time_call(archive, targets, options.repeat)
        per_target = seconds * 1000 / max(1, len(targets))
        print(f"{size:>8}  {len(targets):>7}  {seconds:>8.3f}  {per_target:>9.2f}")


if __name__ == "__main__":
    main()
