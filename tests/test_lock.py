"""One build per output folder: real processes holding, waiting for and dying with the lock."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from digest.lock import LOCK_FILE, LockTimeout, output_lock, read_holder
from tests.conftest import NOW_TEXT, ArticleWriter

HOLD = """
import sys, time
from pathlib import Path
from digest.lock import output_lock
with output_lock(Path(sys.argv[1]), timeout=5):
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def hold(out: Path, seconds: float) -> subprocess.Popen[str]:
    """Start a process that takes `out`'s lock and keeps it for `seconds`."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(out), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None
    assert holder.stdout.readline() == "locked\n"
    return holder


Holders = list[subprocess.Popen[str]]


@pytest.fixture
def holders() -> Iterator[Holders]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait()
        if process.stdout:
            process.stdout.close()


def run_build(articles: Path, out: Path, *, timeout: float) -> subprocess.CompletedProcess[str]:
    config = out.parent / f"lock-{timeout:g}.toml"
    config.write_text(f"[build]\nlock_timeout = {timeout}\n")
    command = [
        sys.executable, "-m", "digest", "build", str(articles), "--out", str(out),
        "--now", NOW_TEXT, "--config", str(config),
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=out.parent)


def test_a_second_build_gives_up_naming_the_holder(
    write_article: ArticleWriter, articles_dir: Path, tmp_path: Path, holders: Holders
) -> None:
    write_article("story")
    out = tmp_path / "public"
    holder = hold(out, 30)
    holders.append(holder)
    started = time.monotonic()
    result = run_build(articles_dir, out, timeout=1)
    waited = time.monotonic() - started
    assert result.returncode == 1
    assert 1 <= waited < 10
    message = result.stderr.strip()
    assert message.startswith(f"digest: error: {out / LOCK_FILE}: another build is using")
    assert f"(pid {holder.pid} on {socket.gethostname()}, since 20" in message
    assert "gave up after waiting 1 s. Nothing was written." in message
    assert sorted(p.name for p in out.iterdir()) == [".digest"]


def test_a_second_build_waits_for_the_first(
    write_article: ArticleWriter, articles_dir: Path, tmp_path: Path, holders: Holders
) -> None:
    write_article("story")
    out = tmp_path / "public"
    holders.append(hold(out, 1.5))
    started = time.monotonic()
    result = run_build(articles_dir, out, timeout=30)
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started >= 1.0
    assert (out / "digest.html").is_file()


def test_a_lock_left_by_a_killed_build_is_recovered(
    write_article: ArticleWriter, articles_dir: Path, tmp_path: Path, holders: Holders
) -> None:
    write_article("story")
    out = tmp_path / "public"
    holder = hold(out, 30)
    holders.append(holder)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    stale = read_holder(out / LOCK_FILE)
    assert stale is not None and stale.pid == holder.pid  # its note is still there...
    started = time.monotonic()
    result = run_build(articles_dir, out, timeout=0)  # ...but its flock died with it
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 10
    assert (out / "rss.xml").is_file()
    assert (out / LOCK_FILE).read_text() == ""  # released and cleared


def test_concurrent_builds_both_succeed_one_after_the_other(
    write_article: ArticleWriter, articles_dir: Path, tmp_path: Path
) -> None:
    for number in range(30):
        write_article(f"story-{number}", section=f"Section {number % 10}")
    out = tmp_path / "public"
    config = tmp_path / "lock.toml"
    config.write_text("[build]\nlock_timeout = 60\n")
    command = [
        sys.executable, "-m", "digest", "build", str(articles_dir), "--out", str(out),
        "--now", NOW_TEXT, "--config", str(config), "--since", "last",
    ]  # fmt: skip
    builds = [
        subprocess.Popen(command, stderr=subprocess.PIPE, text=True, cwd=tmp_path) for _ in range(3)
    ]
    for build in builds:
        _, stderr = build.communicate(timeout=120)
        assert build.returncode == 0, stderr
    issues = json.loads((out / ".digest/state.json").read_text())["issues"]
    assert [issue["number"] for issue in issues] == [1]
    assert len(issues[0]["ids"]) == 30
    assert not list(out.rglob("*.tmp"))


def test_in_process_timeout_and_release(tmp_path: Path) -> None:
    with output_lock(tmp_path, timeout=0) as lock:
        assert read_holder(lock.path) == lock.holder
        assert lock.holder.pid == os.getpid()
        with (
            pytest.raises(LockTimeout, match=f"pid {os.getpid()} on "),
            output_lock(tmp_path, timeout=0.2),
        ):
            pass  # a second descriptor in the same process is refused like another process
    assert read_holder(tmp_path / LOCK_FILE) is None
    with output_lock(tmp_path, timeout=0):
        pass
