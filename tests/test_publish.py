from __future__ import annotations

import email
import email.policy
import json
import os
import random
import resource
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree

from digest.config import Config
from digest.errors import PublishError
from digest.pipeline import build
from digest.publish import plan, publish, safe_target
from digest.state import STATE_FILE
from tests.conftest import NOW_TEXT, ArticleWriter


def test_writes_new_files_and_keeps_identical_ones(tmp_path: Path) -> None:
    first = publish({"rss.xml": b"one", "sections/world/rss.xml": b"two"}, tmp_path)
    assert first.written == ("rss.xml", "sections/world/rss.xml")
    assert (tmp_path / "sections/world/rss.xml").read_bytes() == b"two"
    os.utime(tmp_path / "rss.xml", (1_000_000, 1_000_000))
    second = publish({"rss.xml": b"one", "sections/world/rss.xml": b"changed"}, tmp_path)
    assert second.written == ("sections/world/rss.xml",)
    assert second.unchanged == ("rss.xml",)
    assert (tmp_path / "rss.xml").stat().st_mtime == 1_000_000
    assert not [p for p in tmp_path.rglob("*.tmp")]


@pytest.mark.parametrize("name", ["../escape.xml", "/etc/passwd", "a/../../b", ""])
def test_refuses_paths_outside_the_output(tmp_path: Path, name: str) -> None:
    with pytest.raises(PublishError, match="outside the output folder"):
        safe_target(tmp_path, name)


def test_a_failed_write_replaces_nothing(tmp_path: Path) -> None:
    publish({"a.xml": b"old a", "b/c.xml": b"old c"}, tmp_path)
    (tmp_path / "z").write_text("a file where a folder must go")
    with pytest.raises(PublishError, match="previous outputs are intact"):
        publish({"a.xml": b"new a", "b/c.xml": b"new c", "z/d.xml": b"d"}, tmp_path)
    assert (tmp_path / "a.xml").read_bytes() == b"old a"
    assert (tmp_path / "b/c.xml").read_bytes() == b"old c"
    assert not [p for p in tmp_path.rglob("*.tmp")]


def test_new_files_are_readable_by_the_web_server_and_modes_are_kept(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)
    try:
        publish({"rss.xml": b"one", "feed.json": b"{}"}, tmp_path)
        assert stat.S_IMODE((tmp_path / "rss.xml").stat().st_mode) == 0o644
        (tmp_path / "feed.json").chmod(0o640)
        publish({"rss.xml": b"two", "feed.json": b"[]"}, tmp_path)
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE((tmp_path / "feed.json").stat().st_mode) == 0o640


def test_plan_writes_nothing(tmp_path: Path) -> None:
    publish({"a.xml": b"a"}, tmp_path)
    before = sorted(tmp_path.rglob("*"))
    planned = plan({"a.xml": b"a", "b/c.xml": b"c"}, tmp_path)
    assert (planned.written, planned.unchanged) == (("b/c.xml",), ("a.xml",))
    assert sorted(tmp_path.rglob("*")) == before


def test_a_failed_rename_says_what_was_and_was_not_written(tmp_path: Path) -> None:
    publish(
        {"atom.xml": b"old", "digest.html": b"old", "rss.xml": b"old", "state": b"old"}, tmp_path
    )
    (tmp_path / "digest.html").unlink()
    (tmp_path / "digest.html").mkdir()  # a folder in the way: its rename fails
    (tmp_path / "digest.html" / "keep").write_text("x")
    files = {"atom.xml": b"new", "digest.html": b"new", "rss.xml": b"new", "state": b"new"}
    with pytest.raises(PublishError) as caught:
        publish(files, tmp_path, last=("state",))
    message = str(caught.value)
    assert f"cannot replace {tmp_path / 'digest.html'}: Is a directory" in message
    assert "written: atom.xml; not written (their previous versions are intact): " in message
    assert message.endswith("digest.html, rss.xml, state")
    assert (tmp_path / "atom.xml").read_bytes() == b"new"
    assert (tmp_path / "rss.xml").read_bytes() == b"old"
    assert (tmp_path / "state").read_bytes() == b"old"  # renamed last: never ahead
    assert not list(tmp_path.rglob("*.tmp"))


def test_state_is_renamed_last_and_folders_are_synced_after_renames(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[tuple[str, str]] = []
    real_replace, real_fsync = os.replace, os.fsync

    def spy_replace(source: str, target: Path) -> None:
        events.append(("rename", str(Path(target).relative_to(tmp_path))))
        real_replace(source, target)

    def spy_fsync(descriptor: int) -> None:
        path = Path(os.readlink(f"/proc/self/fd/{descriptor}"))
        if path.is_dir():
            events.append(("sync", str(path.relative_to(tmp_path.parent))))
        real_fsync(descriptor)

    monkeypatch.setattr(os, "replace", spy_replace)
    monkeypatch.setattr(os, "fsync", spy_fsync)
    out = tmp_path / "out"
    files = {".digest/state.json": b"{}", "rss.xml": b"r", "sections/world/rss.xml": b"w"}
    publish(files, out, last=(".digest/state.json",))
    assert events == [
        ("rename", "out/rss.xml"),
        ("rename", "out/sections/world/rss.xml"),
        ("sync", tmp_path.name),
        ("sync", f"{tmp_path.name}/out"),
        ("sync", f"{tmp_path.name}/out/sections"),
        ("sync", f"{tmp_path.name}/out/sections/world"),
        ("rename", "out/.digest/state.json"),
        ("sync", tmp_path.name),
        ("sync", f"{tmp_path.name}/out"),
        ("sync", f"{tmp_path.name}/out/.digest"),
    ]


def test_stale_temporary_files_are_removed_before_publishing(tmp_path: Path) -> None:
    files = {"rss.xml": b"r", "sections/world/rss.xml": b"w"}
    publish(files, tmp_path)
    stale = [
        tmp_path / ".digest-tmp-rss.xml.k2j4h1x_.tmp",
        tmp_path / "sections/world/.digest-tmp-rss.xml.abcdefgh.tmp",
    ]
    fresh = tmp_path / ".digest-tmp-atom.xml.zzzzzzzz.tmp"
    mine = tmp_path / "notes.tmp"  # not a name we give: never touched
    for path in [*stale, fresh, mine]:
        path.write_bytes(b"half a fi")
    for path in [*stale, mine]:
        os.utime(path, (1_000_000, 1_000_000))
    result = publish(files, tmp_path, stale_before=2_000_000)
    assert result.unchanged == ("rss.xml", "sections/world/rss.xml")
    assert [p.exists() for p in [*stale, fresh, mine]] == [False, False, True, True]


def test_a_build_removes_only_its_own_stale_temporary_files(
    write_article: ArticleWriter, articles_dir: Path, tmp_path: Path
) -> None:
    """An output folder shared with other programs (a web root): their temporary files,
    and anything in a folder digest does not write, are never ours to remove."""
    write_article("story", section="World")
    out = tmp_path / "public"
    command = [sys.executable, "-m", "digest", "build", str(articles_dir), "--out", str(out)]
    first = subprocess.run([*command, "--now", NOW_TEXT], capture_output=True, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert (out / "sections/world/atom.xml").is_file()
    foreign = [
        out / ".orders.db.0zhv0y53.tmp",  # another app's, shaped like the names we once gave
        out / ".rss.xml.k2j4h1x_.tmp",
        out / "shop/.digest-tmp-cart.json.abcdefgh.tmp",  # a folder digest does not write
    ]
    ours = [  # what a build killed while staging leaves
        out / ".digest-tmp-rss.xml.k2j4h1x_.tmp",
        out / "sections/world/.digest-tmp-atom.xml.a1b2c3d4.tmp",
        out / ".digest/.digest-tmp-state.json.zzzzzzzz.tmp",
        out / ".digest/cache/.digest-tmp-build.pickle.q_q_q_q_.tmp",
    ]
    for path in [*foreign, *ours]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half a fi")
        os.utime(path, (1_000_000, 1_000_000))
    later = ["--now", "2026-11-28T06:00:00Z"]  # not replayed: the digest changes
    rebuilt = subprocess.run([*command, *later], capture_output=True, text=True, cwd=tmp_path)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert [path.exists() for path in foreign] == [True] * len(foreign)
    assert [path.exists() for path in ours] == [False] * len(ours)


def test_a_full_disk_replaces_nothing(
    write_article: ArticleWriter, articles_dir: Path, tmp_path: Path
) -> None:
    """A real build whose writes fail part-way (a file-size limit, like a full disk)."""
    for number in range(6):
        write_article(f"story-{number}", section=f"Section {number}")
    out = tmp_path / "public"
    command = [sys.executable, "-m", "digest", "build", str(articles_dir), "--out", str(out)]
    first = subprocess.run(
        [*command, "--now", NOW_TEXT], capture_output=True, text=True, cwd=tmp_path
    )
    assert first.returncode == 0, first.stderr
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    for number in range(6):
        write_article(f"story-{number}", "Longer body. " * 400, section=f"Section {number}")

    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a killed process
        limit = max(len(b) for b in before.values()) + 100
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    full = subprocess.run(
        [*command, "--now", NOW_TEXT],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        preexec_fn=small_files,
    )
    assert full.returncode == 1
    assert full.stderr.startswith(f"digest: error: cannot write {out}/")
    assert "File too large; nothing was replaced, the previous outputs are intact" in full.stderr
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert not list(out.rglob("*.tmp"))


def write_round(folder: Path, round_number: int, now: datetime) -> None:
    """A corpus whose every output changes from one round to the next."""
    for number in range(KILL_ARTICLES):
        published = now - timedelta(hours=number + 1)
        (folder / f"story-{number:03d}.md").write_text(
            "---\n"
            f"title: Round {round_number} story {number}\n"
            f"date: {published.isoformat()}\n"
            f"section: Section {number % KILL_SECTIONS}\n"
            "---\n"
            f"“A quotation long enough to lead story {number} of round {round_number},” said X.\n"
        )


KILL_ARTICLES, KILL_SECTIONS, KILL_ROUNDS = 40, 12, 20


def snapshot(out: Path) -> dict[str, bytes]:
    """Every output file's bytes (the state included; the lock, temporary files and the
    build cache not: the cache is written after the outputs, and only ever describes
    files as they are)."""
    return {
        str(path.relative_to(out)): path.read_bytes()
        for path in sorted(out.rglob("*"))
        if path.is_file()
        and path.name != "lock"
        and not path.name.endswith(".tmp")
        and ".digest/cache/" not in path.relative_to(out).as_posix()
    }


def expected_after(out: Path, articles: Path, now: datetime, scratch: Path) -> dict[str, bytes]:
    """What a build that is not killed writes: the same build, in-process, on a copy."""
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(out, scratch)
    build(Config(articles=articles, output=scratch), now=now)
    return snapshot(scratch)


def parses(name: str, content: bytes) -> None:
    if name.endswith(".xml"):
        etree.fromstring(content)
    elif name.endswith(".json"):
        json.loads(content)
    elif name.endswith(".eml"):
        assert not email.message_from_bytes(content, policy=email.policy.default).defects
    elif name.endswith(".html"):
        assert content.rstrip().endswith(b"</html>"), name


def test_a_build_killed_while_publishing_leaves_every_file_old_or_new(tmp_path: Path) -> None:
    """SIGKILL real builds at random points of publishing; then check every output.

    Odd rounds are killed once a random number of files are staged, even rounds once a
    random output has been renamed into place (renames go in name order). Each file must
    then be byte for byte what it was before, or what an unkilled build writes.
    """
    articles, out, scratch = tmp_path / "articles", tmp_path / "public", tmp_path / "scratch"
    articles.mkdir()
    start = datetime(2026, 11, 1, 6, tzinfo=UTC)
    chooser = random.Random(6)
    outcomes: Counter[str] = Counter()

    def run_until(now: datetime, reached: Callable[[], bool]) -> subprocess.Popen[bytes]:
        command = [
            sys.executable, "-m", "digest", "build", str(articles), "--out", str(out),
            "--now", now.isoformat(), "--quiet",
        ]  # fmt: skip
        process = subprocess.Popen(command, cwd=tmp_path)
        while process.poll() is None and not reached():
            time.sleep(0.001)
        return process

    write_round(articles, 0, start)
    assert run_until(start, lambda: False).wait() == 0
    for round_number in range(1, KILL_ROUNDS + 1):
        now = start + timedelta(days=round_number)
        write_round(articles, round_number, now)
        before = snapshot(out)
        expected = expected_after(out, articles, now, scratch)
        changed = sorted(name for name in before if expected[name] != before[name])
        if round_number % 2:
            process = run_until(now, staged(out, chooser.randint(1, len(changed))))
        else:
            target = chooser.choice([name for name in changed if name != STATE_FILE])
            process = run_until(now, replaced(out / target))
        process.send_signal(signal.SIGKILL)
        killed = process.wait() == -signal.SIGKILL
        after = snapshot(out)
        assert before.keys() <= after.keys() <= expected.keys()
        for name, content in after.items():
            parses(name, content)
            assert content in (before.get(name), expected[name]), name
        new = {name for name, content in after.items() if content == expected[name]}
        if after[STATE_FILE] == expected[STATE_FILE]:  # the state is renamed last
            assert new == expected.keys()
        assert len(list(out.rglob(".*.tmp"))) <= len(expected)  # stale ones do not pile up
        outcomes[
            "finished before the kill" if not killed
            else "killed, all new" if new == expected.keys()
            else "killed, all old" if not new - before.keys() and all(
                after[name] == before[name] for name in before)
            else "killed, old and new mixed"
        ] += 1  # fmt: skip
    assert outcomes["killed, all old"] >= 5, outcomes
    assert outcomes["killed, old and new mixed"] >= 5, outcomes

    now = start + timedelta(days=KILL_ROUNDS + 1)
    write_round(articles, KILL_ROUNDS + 1, now)
    expected = expected_after(out, articles, now, scratch)
    assert run_until(now, lambda: False).wait() == 0
    assert not list(out.rglob("*.tmp"))
    assert snapshot(out) == expected
    print(dict(outcomes))


def staged(out: Path, count: int) -> Callable[[], bool]:
    """True once `count` temporary files exist under `out`."""
    return lambda: len(list(out.rglob(".*.tmp"))) >= count


def replaced(target: Path) -> Callable[[], bool]:
    """True once `target` has been renamed over (it has a new inode)."""
    inode = target.stat().st_ino
    return lambda: target.stat().st_ino != inode
