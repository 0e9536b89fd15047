"""Kill `digest send` with SIGKILL at random moments, resume it, and count what arrived.

Shared by tests/test_send_kill.py (a few hundred subscribers) and benchmarks/send_kill.py
(3,000). A newsroom of three stories in three sections is built, the subscribers are
added, and `digest send` runs as a subprocess against tests/smtp_server.py (slow, so that
kills land mid-send); after `kills` kills it runs to the end. Every message the server
accepted is then parsed: missed = eligible subscribers with no message (must be 0),
duplicates = messages beyond one per subscriber.
"""

from __future__ import annotations

import email
import email.policy
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from digest.config import load_config
from digest.pipeline import build
from digest.send.subscribers import connect, save, transaction
from tests.conftest import NOW
from tests.smtp_server import smtp_server

ROOT = Path(__file__).resolve().parent.parent
SECRET = "kill-test-secret-0123456789"
CHOICES: tuple[tuple[str, ...], ...] = ((), ("World",), ("Sport", "Culture"), ("Weather",))
"""Sections chosen, in turn: all, one, two, and one with no news (skipped)."""


@dataclass(frozen=True)
class KillResult:
    subscribers: int
    eligible: int
    kills: int
    delivered: int
    missed: int
    duplicates: int
    doubtful: int  # what the journal counted as possible duplicates
    seconds: float
    final_output: str

    @property
    def per_kill(self) -> float:
        return self.duplicates / self.kills if self.kills else 0.0


def newsroom(
    root: Path,
    *,
    subscribers: int,
    port: int,
    connections: int,
    choices: Sequence[tuple[str, ...]] = CHOICES,
) -> Path:
    """Articles, digest.toml, a built issue and the subscribers; returns digest.toml."""
    articles = root / "articles"
    articles.mkdir(parents=True)
    for section in ("World", "Sport", "Culture"):
        (articles / f"{section.lower()}.md").write_text(
            f"---\ntitle: The {section.lower()} story of the day\nsection: {section}\n"
            f"date: 2026-11-26T09:00:00Z\nsummary: What happened in {section.lower()}.\n"
            f"---\nA paragraph about {section.lower()}, written for this test.\n",
            encoding="utf-8",
        )
    toml = root / "digest.toml"
    toml.write_text(
        '[site]\ntitle = "Kill Test Times"\nbase_url = "https://news.example.org/"\n'
        '[build]\narticles = "articles"\noutput = "public"\n'
        '[email]\nsender = "Kill Test Times <digest@news.example.org>"\n'
        'unsubscribe_url = "https://news.example.org/unsubscribe"\n'
        f'[send]\nsubscribers = "readers.db"\nsmtp_host = "127.0.0.1"\nsmtp_port = {port}\n'
        f'smtp_security = "none"\nconnections = {connections}\n',
        encoding="utf-8",
    )
    config = load_config(toml)
    build(config, now=NOW)
    with closing(connect(config.subscribers)) as store, transaction(store):
        for number in range(subscribers):
            chosen = choices[number % len(choices)]
            save(store, f"reader{number:05d}@example.org", name="", sections=chosen)
    return toml


def eligible(subscribers: int) -> set[str]:
    return {
        f"reader{number:05d}@example.org"
        for number in range(subscribers)
        if CHOICES[number % len(CHOICES)] != ("Weather",)
    }


def _send(toml: Path, *options: str) -> subprocess.Popen[str]:
    env = {**os.environ, "DIGEST_SECRET": SECRET, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "digest", "send", "--config", str(toml), *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=toml.parent,
    )


def kill_and_resume(
    root: Path,
    *,
    subscribers: int,
    kills: int,
    slow: float,
    seed: int,
    window: tuple[float, float],
    connections: int = 2,
) -> KillResult:
    """Send, SIGKILL after a random time in `window` seconds, `kills` times; then finish."""
    chance = random.Random(seed)
    started = time.monotonic()
    with smtp_server(root / "mail", "--slow", str(slow)) as running:
        toml = newsroom(root / "newsroom", subscribers=subscribers, port=running.port,
                        connections=connections)  # fmt: skip
        for _ in range(kills):
            process = _send(toml, "--quiet")
            time.sleep(chance.uniform(*window))
            process.send_signal(signal.SIGKILL)
            process.communicate()
        process = _send(toml)
        output, _ = process.communicate(timeout=600)
        if process.returncode != 0:
            raise AssertionError(f"the last send exited {process.returncode}:\n{output}")
        counts = Counter(_recipient(raw) for raw in running.messages())
    with closing(connect(root / "newsroom" / "readers.db")) as store:
        (doubtful,) = store.execute("SELECT coalesce(sum(doubtful), 0) FROM deliveries").fetchone()
    wanted = eligible(subscribers)
    return KillResult(
        subscribers=subscribers,
        eligible=len(wanted),
        kills=kills,
        delivered=sum(counts.values()),
        missed=len(wanted - set(counts)),
        duplicates=sum(count - 1 for count in counts.values()),
        doubtful=int(doubtful),
        seconds=time.monotonic() - started,
        final_output=output,
    )


def _recipient(raw: bytes) -> str:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    return str(message["To"].addresses[0].addr_spec)
