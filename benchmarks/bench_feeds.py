#!/usr/bin/env python3
"""Benchmark builds from feeds: 20 local feeds of 50 items, cold and with every feed answering 304,
against a warm build of the same stories from a local Markdown folder.

    python benchmarks/bench_feeds.py [--feeds 20] [--items 50] [--repeat 5]

The stories are synthetic and deterministic (our own words). Each feed is RSS 2.0 in
WordPress's shape (content:encoded, dc:creator, categories, a GUID), served with an ETag by
a server on 127.0.0.1 that answers 304 to a request that has it; the same stories are also
written as Markdown files. Each build is its own `python -m digest build` process, timed
from start to end; the median of --repeat runs is printed:

  feeds cold      empty output folder: fetch, parse and build everything
  feeds all-304   `--refresh`: every feed is asked again and answers 304
  feeds not due   no fetch (inside `refresh`), nothing changed
  folder warm     the same stories from a folder, nothing changed

Issue 15's goal: "feeds all-304" within 1.5x "folder warm". Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

REPO = Path(__file__).resolve().parent.parent
NOW = "2026-11-27T06:00:00Z"
WORDS = (
    "harbour", "council", "ferry", "budget", "school", "bridge", "market", "river", "library",
    "mill", "union", "board", "winter", "fares", "vote", "plan", "road", "station", "clinic",
    "garden", "museum", "tram", "square", "festival", "storm", "roof", "repairs", "contract",
    "workers", "prices", "tickets", "island", "valley", "hills", "pension",
)  # fmt: skip
SECTIONS = ["News", "Economy", "Transport", "Culture", "Environment", "Sport"]
PEOPLE = ["Ines Okafor", "Tom Aalto", "Priya Nair", "Lena Havel", "Rui Tanaka", "Olu Bello"]


def story(rng: random.Random, feed: int, item: int) -> dict[str, object]:
    """One synthetic story: title, date, section, tags, author, paragraphs."""
    words = [rng.choice(WORDS) for _ in range(rng.randint(4, 9))]
    title = " ".join(words).capitalize()
    when = datetime(2026, 11, 26, 12, tzinfo=UTC) - timedelta(hours=feed * 50 + item * 3)
    paragraphs = [
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 60))).capitalize() + "."
        for _ in range(rng.randint(3, 8))
    ]
    speaker = rng.choice(PEOPLE)
    quote = " ".join(rng.choice(WORDS) for _ in range(12)).capitalize()
    paragraphs.insert(1, f"“{quote},” said {speaker}, who leads the {rng.choice(WORDS)} board.")
    return {
        "guid": f"https://site{feed}.example/?p={1000 + item}",
        "slug": f"s{feed}-{item}-{'-'.join(words[:4])}",
        "link": f"https://site{feed}.example/{when:%Y/%m/%d}/{'-'.join(words[:4])}-{item}/",
        "title": title,
        "date": when,
        "section": rng.choice(SECTIONS),
        "tags": sorted({rng.choice(WORDS) for _ in range(3)}),
        "author": rng.choice(PEOPLE),
        "paragraphs": paragraphs,
    }


def rss(feed: int, stories: list[dict[str, object]]) -> bytes:
    """The stories as a WordPress-shaped RSS 2.0 feed."""
    items = []
    for s in stories:
        body = "".join(f"<p>{escape(str(p))}</p>\n" for p in s["paragraphs"])  # type: ignore[attr-defined]
        categories = "".join(
            f"<category><![CDATA[{c}]]></category>"
            for c in [s["section"], *s["tags"]]  # type: ignore[list-item]
        )
        items.append(
            f"<item><title>{escape(str(s['title']))}</title><link>{s['link']}</link>"
            f"<dc:creator><![CDATA[{s['author']}]]></dc:creator>"
            f"<pubDate>{s['date']:%a, %d %b %Y %H:%M:%S +0000}</pubDate>{categories}"
            f'<guid isPermaLink="false">{s["guid"]}</guid>'
            f"<content:encoded><![CDATA[{body}]]></content:encoded></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        f"<title>Site {feed}</title><link>https://site{feed}.example/</link>"
        f"<description>Feed {feed}</description>{''.join(items)}</channel></rss>"
    ).encode()


def markdown(s: dict[str, object]) -> str:
    """The same story as a Markdown file with digest's front matter."""
    tags = ", ".join(str(t) for t in s["tags"])  # type: ignore[attr-defined]
    paragraphs = "\n\n".join(str(p) for p in s["paragraphs"])  # type: ignore[attr-defined]
    return (
        f'---\ntitle: "{s["title"]}"\ndate: {s["date"]:%Y-%m-%dT%H:%M:%SZ}\n'
        f"section: {s['section']}\nauthor: {s['author']}\ntags: [{tags}]\n---\n{paragraphs}\n"
    )


class Handler(BaseHTTPRequestHandler):
    feeds: ClassVar[dict[str, bytes]] = {}

    def do_GET(self) -> None:
        body = self.feeds.get(self.path)
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        tag = f'"{len(body)}-{hash(body) & 0xFFFFFFFF}"'
        if self.headers.get("If-None-Match") == tag:
            self.send_response(304)
            self.send_header("ETag", tag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", tag)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def timed(arguments: list[str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "digest", "build", *arguments, "--now", NOW, "--quiet"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"digest failed: {result.stderr}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=20)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args(argv)
    rng = random.Random(15)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    work = Path(tempfile.mkdtemp(prefix="digest-bench-feeds-"))
    try:
        folder = work / "articles"
        folder.mkdir()
        tables = []
        for feed in range(options.feeds):
            stories = [story(rng, feed, item) for item in range(options.items)]
            Handler.feeds[f"/feed{feed}.xml"] = rss(feed, stories)
            tables.append(f'[[sources]]\nfeed = "http://127.0.0.1:{port}/feed{feed}.xml"\n')
            for s in stories:
                (folder / f"{s['slug']}.md").write_text(markdown(s), encoding="utf-8")
        config = work / "feeds.toml"
        config.write_text(f'[build]\noutput = "{work / "out-feeds"}"\n' + "".join(tables))
        feeds = ["--config", str(config)]
        folder_build = [str(folder), "--out", str(work / "out-folder")]
        times: dict[str, list[float]] = {
            "feeds cold": [],
            "feeds all-304": [],
            "feeds not due": [],
            "folder warm": [],
        }
        timed(folder_build)  # the folder's cold build, once
        for _ in range(options.repeat):
            shutil.rmtree(work / "out-feeds", ignore_errors=True)
            times["feeds cold"].append(timed(feeds))
            times["feeds all-304"].append(timed([*feeds, "--refresh"]))
            times["feeds not due"].append(timed(feeds))
            times["folder warm"].append(timed(folder_build))
        medians = {name: statistics.median(values) for name, values in times.items()}
        total = options.feeds * options.items
        print(
            f"{options.feeds} feeds x {options.items} items ({total} stories), "
            f"median of {options.repeat}, whole process:\n"
        )
        print("| build | seconds |\n|---|---|")
        for name, value in medians.items():
            print(f"| {name} | {value:.2f} |")
        ratio = medians["feeds all-304"] / medians["folder warm"]
        print(f"\nall-304 / folder warm: {ratio:.2f}x (goal: at most 1.5x)")
    finally:
        server.shutdown()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
