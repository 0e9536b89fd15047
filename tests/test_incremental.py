"""A build that reuses the cache in its output folder writes exactly what a cold build writes.

Each test changes the demo newsroom one way, builds it twice -- into an output folder that
holds the previous build's cache (warm) and into an empty one (cold) -- and compares every
file and every reported problem. Article files are given modification times in the past:
a file changed a moment ago is never cached (see scan.settled).
"""

from __future__ import annotations

import io
import json
import os
import pickle
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import digest.enrich.stories
import digest.errors
import digest.feeds.render
import digest.incremental.cache
import digest.incremental.fingerprints
import digest.incremental.safe_pickle
import digest.incremental.workers
import digest.mail.render
import digest.models
import digest.sources.articles
import digest.sources.scan
import digest.stages
from digest.config import DEFAULT_TEMPLATES, Config
from digest.incremental.cache import CACHE_FILE, load_cache, write_cache
from digest.incremental.fingerprints import cache_key
from digest.incremental.replay import REPLAY_FILE
from digest.models import BuildResult
from digest.pipeline import build
from digest.sources.articles import collect_articles
from digest.sources.base import RECORDED_FIELDS
from digest.sources.folder import MarkdownFolder
from tests.conftest import NOW, NOW_TEXT, ROOT

HOUR = 3600


@pytest.fixture(autouse=True)
def instant_clock_ticks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Take files as settled as soon as they are written (one test puts the tick back)."""
    monkeypatch.setattr(digest.sources.scan, "FINE_TICK_NS", -1)
    monkeypatch.setattr(digest.sources.scan, "COARSE_TICK_NS", -1)


@pytest.fixture
def newsroom(tmp_path: Path, demo_config: Config) -> Config:
    """A copy of the demo newsroom whose files were last changed a day ago."""
    articles = tmp_path / "articles"
    shutil.copytree(ROOT / "sample_articles", articles)
    for path in articles.rglob("*.md"):
        _age(path, hours=24)
    return replace(demo_config, articles=articles, output=tmp_path / "warm")


def _age(path: Path, *, hours: float) -> None:
    """Set a file's modification time `hours` into the past."""
    moment = time.time() - hours * HOUR
    os.utime(path, (moment, moment))


def _write(path: Path, text: str, *, hours: float = 1) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    _age(path, hours=hours)


def _outputs(folder: Path) -> dict[str, bytes]:
    """Every file a build left, but its caches."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.relative_to(folder).as_posix().startswith(".digest/cache/")
    }


def _newest(config: Config) -> Path:
    """The file of the newest published article: it is in every feed and the digest."""
    articles = collect_articles(MarkdownFolder(config.articles), config=config).articles
    newest = max((a for a in articles if a.published <= NOW), key=lambda a: a.published)
    return Path(newest.location.where)


def _report(result: BuildResult) -> tuple[Any, ...]:
    collection = result.collection
    return (
        [str(p) for p in collection.problems],
        [str(p) for p in result.warnings],
        collection.files_read,
        result.live,
        result.in_digest,
        result.files,
    )


def _assert_warm_equals_cold(config: Config, tmp_path: Path, *, now: datetime = NOW) -> BuildResult:
    """Build into `config.output` with its cache (warm) and into a copy without (cold).

    The copy keeps everything else the output folder holds (earlier digests, the issue
    history), so both builds must give the same result and leave the same files.
    """
    cold_folder = tmp_path / "cold"
    shutil.rmtree(cold_folder, ignore_errors=True)
    if config.output.exists():
        shutil.copytree(config.output, cold_folder)
        shutil.rmtree(cold_folder / ".digest" / "cache", ignore_errors=True)
    warm = build(config, now=now)
    cold = build(replace(config, output=cold_folder), now=now)
    assert _report(warm) == _report(cold)
    assert _outputs(config.output) == _outputs(cold_folder)
    return warm


class _Calls:
    """Counts calls of module functions while the test runs."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.counts: dict[str, int] = {}
        self._monkeypatch = monkeypatch

    def watch(self, module: Any, name: str) -> None:
        original = getattr(module, name)
        self.counts[name] = 0

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.counts[name] += 1
            return original(*args, **kwargs)

        self._monkeypatch.setattr(module, name, counted)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> _Calls:
    watcher = _Calls(monkeypatch)
    watcher.watch(digest.sources.articles, "_read_text")
    watcher.watch(digest.enrich.stories, "related_links")
    watcher.watch(digest.mail.render, "inline_css")
    watcher.watch(digest.feeds.render, "render_feed")
    watcher.watch(digest.stages, "render_digest")
    return watcher


def test_an_unchanged_newsroom_is_not_built_again(
    newsroom: Config, tmp_path: Path, calls: _Calls
) -> None:
    first = build(newsroom, now=NOW)
    assert (newsroom.output / CACHE_FILE).is_file()
    cache_written = (newsroom.output / CACHE_FILE).stat().st_mtime_ns
    calls.counts = dict.fromkeys(calls.counts, 0)
    second = build(newsroom, now=NOW)
    assert second.replayed and not first.replayed
    assert set(calls.counts.values()) == {0}
    assert second.published is not None and second.published.written == ()
    assert _report(second) == _report(first)
    assert second.collection.articles == ()
    assert (newsroom.output / CACHE_FILE).stat().st_mtime_ns == cache_written
    _assert_warm_equals_cold(newsroom, tmp_path)


HEAVY_MODULES = {"jinja2", "markdown_it", "nh3", "yaml", "feedgen", "lxml", "premailer", "cssutils"}
"""The rendering stack: a build with nothing to do must not import any of it."""

BUILD_AND_LIST_MODULES = """
import json, sys
import digest.sources.scan
from digest.cli import cli
digest.sources.scan.FINE_TICK_NS = digest.sources.scan.COARSE_TICK_NS = -1  # instant ticks
try:
    cli(sys.argv[1:], prog_name="digest")
except SystemExit as end:
    assert not end.code, end.code
print(json.dumps(sorted(sys.modules)))
"""


def test_a_build_with_nothing_to_do_imports_no_rendering_library(
    newsroom: Config, tmp_path: Path
) -> None:
    command = ["build", str(newsroom.articles), "--out", str(newsroom.output), "--now", NOW_TEXT]
    run = [sys.executable, "-c", BUILD_AND_LIST_MODULES, *command]
    cold = subprocess.run(run, cwd=tmp_path, capture_output=True, text=True, check=True)
    warm = subprocess.run(run, cwd=tmp_path, capture_output=True, text=True, check=True)
    cold_modules = set(json.loads(cold.stdout.splitlines()[-1]))
    warm_modules = set(json.loads(warm.stdout.splitlines()[-1]))
    assert {name.partition(".")[0] for name in cold_modules} >= HEAVY_MODULES
    assert " 0 files written" in warm.stdout
    assert not HEAVY_MODULES & {name.partition(".")[0] for name in warm_modules}
    assert (
        not {
            "digest.stages",
            "digest.sources.articles",
            "digest.sources.remote",
            "digest.incremental.cache",
        }
        & warm_modules
    )


def test_a_later_build_reads_no_unchanged_article_and_renders_only_the_digest(
    newsroom: Config, tmp_path: Path, calls: _Calls
) -> None:
    build(newsroom, now=NOW)
    calls.counts = dict.fromkeys(calls.counts, 0)
    later = build(newsroom, now=NOW + timedelta(minutes=5))
    assert not later.replayed
    assert calls.counts == {
        "_read_text": 0,
        "related_links": 0,
        "render_feed": 0,
        "render_digest": 1,  # it shows the time it was made
        "inline_css": 0,  # in its headers: the email's pages are the same
    }
    _assert_warm_equals_cold(newsroom, tmp_path, now=NOW + timedelta(minutes=5))


def test_a_build_right_after_an_edit_is_never_replayed(
    newsroom: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(newsroom, now=NOW)
    monkeypatch.setattr(digest.sources.scan, "FINE_TICK_NS", 60_000_000_000)
    story = _newest(newsroom)
    story.write_text(story.read_text(encoding="utf-8") + "\nA line added just now.\n")
    build(newsroom, now=NOW)
    again = _assert_warm_equals_cold(newsroom, tmp_path)
    assert not again.replayed


def test_an_edited_body_is_read_again_and_only_it(
    newsroom: Config, tmp_path: Path, calls: _Calls
) -> None:
    build(newsroom, now=NOW)
    story = _newest(newsroom)
    text = story.read_text(encoding="utf-8")
    _write(story, text + "\n“We will not be caught out again,” said the mayor.\n")
    calls.counts = dict.fromkeys(calls.counts, 0)
    build(newsroom, now=NOW)
    assert calls.counts["_read_text"] == 2  # its front matter, then its body to render
    assert calls.counts["render_feed"] == 2  # the site's feed and its section's, not the rest
    _assert_warm_equals_cold(newsroom, tmp_path)


def test_an_edit_past_the_lead_keeps_related_links_and_a_retitle_chooses_again(
    newsroom: Config, tmp_path: Path, calls: _Calls
) -> None:
    build(newsroom, now=NOW)
    story = _newest(newsroom)
    text = story.read_text(encoding="utf-8")
    _write(story, text + "\n" + "A correction far below the lead. " * 40 + "\n")
    calls.counts = dict.fromkeys(calls.counts, 0)
    build(newsroom, now=NOW)
    assert calls.counts["related_links"] == 0
    assert calls.counts["inline_css"] == 0  # the email's pages did not change
    _assert_warm_equals_cold(newsroom, tmp_path)
    title = next(line for line in text.splitlines() if line.startswith("title:"))
    _write(story, text.replace(title, "title: Harbour ferry strike ends", 1), hours=0.5)
    calls.counts = dict.fromkeys(calls.counts, 0)
    warm = _assert_warm_equals_cold(newsroom, tmp_path)
    assert calls.counts["related_links"] == 2  # the warm build, then the cold one
    assert calls.counts["inline_css"] >= 2
    assert "Harbour ferry strike ends" in {a.title for a in warm.collection.articles}


def test_edited_front_matter_of_an_old_story(newsroom: Config, tmp_path: Path) -> None:
    build(newsroom, now=NOW)
    oldest = min(
        collect_articles(MarkdownFolder(newsroom.articles), config=newsroom).articles,
        key=lambda a: a.published,
    )
    where = Path(oldest.location.where)
    text = where.read_text(encoding="utf-8")
    _write(where, text.replace(f"title: {oldest.title}", "title: A retitled story", 1))
    warm = _assert_warm_equals_cold(newsroom, tmp_path)
    assert "A retitled story" in {a.title for a in warm.collection.articles}


def test_added_deleted_and_renamed_articles(newsroom: Config, tmp_path: Path) -> None:
    build(newsroom, now=NOW)
    _write(
        newsroom.articles / "world" / "late-story.md",
        "---\ntitle: Ferry talks resume\ndate: 2026-11-27T05:00:00Z\nsection: World\n"
        "tags: [Harbour]\n---\n“Talks resume at dawn,” said the harbour master.\n",
    )
    _assert_warm_equals_cold(newsroom, tmp_path)
    victim = sorted(newsroom.articles.rglob("*.md"))[0]
    victim.unlink()
    _assert_warm_equals_cold(newsroom, tmp_path)
    moved = sorted(newsroom.articles.rglob("*.md"))[0]
    moved.rename(moved.with_name("renamed-" + moved.name))
    _assert_warm_equals_cold(newsroom, tmp_path)


def test_same_size_edit_with_the_old_modification_time_is_seen(
    newsroom: Config, tmp_path: Path
) -> None:
    build(newsroom, now=NOW)
    story = _newest(newsroom)
    before = story.stat()
    text = story.read_text(encoding="utf-8")
    story.write_text(text.replace("e", "a", 1), encoding="utf-8")
    os.utime(story, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert story.stat().st_size == before.st_size
    _assert_warm_equals_cold(newsroom, tmp_path)


def test_problems_and_warnings_are_reported_on_every_build(
    newsroom: Config, tmp_path: Path
) -> None:
    _write(newsroom.articles / "broken.md", "---\ntitle: [unclosed\nsection: S\n---\n")
    _write(
        newsroom.articles / "typo.md",
        "---\ntitle: T\nsection: S\ndate: 2026-11-01\ntitel: x\n---\n",
    )
    first = build(newsroom, now=NOW)
    second = _assert_warm_equals_cold(newsroom, tmp_path)
    assert _report(second) == _report(first)
    assert any("broken.md:3: bad YAML" in str(p) for p in second.collection.problems)
    assert any("typo.md:5: unknown front-matter key" in str(p) for p in second.warnings)


def test_a_configuration_change_starts_afresh(newsroom: Config, tmp_path: Path) -> None:
    build(newsroom, now=NOW)
    changed = replace(newsroom, base_url="https://elsewhere.example.net/", title="Other Times")
    assert cache_key(changed) != cache_key(newsroom)
    assert load_cache(changed).articles == {}
    _assert_warm_equals_cold(changed, tmp_path)


def test_a_template_change_is_rendered(newsroom: Config, tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    shutil.copy(DEFAULT_TEMPLATES / "feed_item.html", templates / "feed_item.html")
    themed = replace(newsroom, templates=templates)
    build(themed, now=NOW)
    item = templates / "feed_item.html"
    item.write_text("<p>Read more on our site.</p>\n" + item.read_text(encoding="utf-8"))
    _assert_warm_equals_cold(themed, tmp_path)
    assert b"Read more on our site." in (themed.output / "rss.xml").read_bytes()


@pytest.mark.parametrize("hours", [1, 20, 24 * 3, 24 * 8, 24 * 40])
def test_time_moving_on_changes_what_is_live_and_in_the_window(
    newsroom: Config, tmp_path: Path, hours: int
) -> None:
    _write(
        newsroom.articles / "embargoed.md",
        "---\ntitle: Embargoed report\ndate: 2026-11-27T12:00:00Z\nsection: World\n---\nLater.\n",
    )
    _write(
        newsroom.articles / "expiring.md",
        "---\ntitle: Short-lived notice\ndate: 2026-11-26T12:00:00Z\nsection: World\n"
        "expires: 2026-11-28\n---\nSoon gone.\n",
    )
    build(newsroom, now=NOW)
    _assert_warm_equals_cold(newsroom, tmp_path, now=NOW + timedelta(hours=hours))


def test_damaged_or_removed_outputs_are_rendered_again(newsroom: Config, tmp_path: Path) -> None:
    build(newsroom, now=NOW)
    (newsroom.output / "rss.xml").write_bytes(b"tampered")
    (newsroom.output / "digest.txt").unlink()
    _assert_warm_equals_cold(newsroom, tmp_path)


@pytest.mark.parametrize(
    "damage",
    [
        lambda path: path.write_bytes(b"not a pickle"),
        lambda path: path.write_bytes(path.read_bytes()[: path.stat().st_size // 2]),
        lambda path: path.write_bytes(pickle.dumps(os.getpid)),
    ],
)
def test_an_unusable_cache_only_makes_the_build_cold(
    newsroom: Config, tmp_path: Path, damage: Callable[[Path], object]
) -> None:
    build(newsroom, now=NOW)
    damage(newsroom.output / CACHE_FILE)
    assert load_cache(newsroom).articles == {}
    _assert_warm_equals_cold(newsroom, tmp_path)


def test_a_cache_that_would_run_code_is_refused(newsroom: Config, tmp_path: Path) -> None:
    marker = tmp_path / "ran"

    class Exploit:
        def __reduce__(self) -> tuple[Any, ...]:
            return (os.mkdir, (str(marker),))

    build(newsroom, now=NOW)
    path = newsroom.output / CACHE_FILE
    header = pickle.dumps((digest.incremental.fingerprints.FORMAT, cache_key(newsroom), 1))
    path.write_bytes(header + pickle.dumps(Exploit()))
    assert load_cache(newsroom).articles == {}
    assert not marker.exists()


def test_a_cache_value_out_of_range_only_makes_the_build_cold(
    newsroom: Config, tmp_path: Path
) -> None:
    build(newsroom, now=NOW)
    header = pickle.dumps((digest.incremental.fingerprints.FORMAT, cache_key(newsroom), 1))
    too_long = b"cdatetime\ntimedelta\n(I9999999999\ntR."  # timedelta(days=9999999999)
    (newsroom.output / CACHE_FILE).write_bytes(header + too_long)
    (newsroom.output / REPLAY_FILE).write_bytes(too_long)
    assert load_cache(newsroom).articles == {}
    _assert_warm_equals_cold(newsroom, tmp_path)


def _field(name: str, value: Any) -> Callable[[Any], Any]:
    """A record whose article field `name` holds `value` instead."""
    index = 1 + RECORDED_FIELDS.index(name)  # after the body line

    def change(record: Any) -> Any:
        signature, (fields, *rest), since = record
        fields = (*fields[:index], value, *fields[index + 1 :])
        return signature, (fields, *rest), since

    return change


def _naive(record: Any) -> Any:
    signature, (fields, *rest), since = record
    published = fields[4].replace(tzinfo=None)
    return signature, ((*fields[:4], published, *fields[5:]), *rest), since


RECORD_CHANGES: dict[str, Callable[[Any], Any]] = {
    "entry without the revision its reading dates from": lambda record: record[:2],
    "record too short": lambda record: (record[0], record[1][:2], record[2]),
    "signature of strings": lambda record: (tuple(map(str, record[0])), *record[1:]),
    "fields too short": lambda record: (record[0], (record[1][0][:-1], *record[1][1:]), record[2]),
    "a number for a title": _field("title", 42),
    "a list of tags": _field("tags", ["harbour"]),
    "a number among the authors": _field("authors", ("Ann", 7)),
    "an image of numbers": _field("image", digest.models.Image(1, 2, 3)),  # type: ignore[arg-type]
    "key lines of strings": _field("key_lines", {"title": "two"}),
    "a naive date": _naive,
    "a year out of range": _field("updated", datetime(9999, 12, 31, tzinfo=UTC)),
    "words with a number": lambda record: (
        record[0],
        (record[1][0], (*record[1][1], 3), ()),
        record[2],
    ),
    "messages turned round": lambda record: (
        record[0],
        (*record[1][:2], (("text", 1),)),
        record[2],
    ),
}


@pytest.mark.parametrize("change", RECORD_CHANGES.values(), ids=RECORD_CHANGES)
def test_cached_records_of_other_shapes_only_make_the_build_cold(
    newsroom: Config, tmp_path: Path, change: Callable[[Any], Any]
) -> None:
    """A cache file with a valid header whose records are not what a build writes."""
    build(newsroom, now=NOW)
    cache = load_cache(newsroom)
    newest = _newest(newsroom).relative_to(newsroom.articles).as_posix()
    cache.articles[newest] = change(cache.articles[newest])
    with (newsroom.output / CACHE_FILE).open("wb") as stream:
        write_cache(cache, stream)
    assert load_cache(newsroom).articles == {}
    (newsroom.output / REPLAY_FILE).unlink()
    _assert_warm_equals_cold(newsroom, tmp_path)


PART_CHANGES: dict[str, Callable[[digest.incremental.cache.BuildCache], None]] = {
    "a body of bytes": lambda cache: cache.memos["stories"].update(
        {key: (b"<p>", *rest) for key, (_, *rest) in cache.memos["stories"].items()}
    ),
    "related links of strings": lambda cache: cache.memos["related links"].update(
        {
            key: ({slug: ("a link",) for slug in links}, warnings)
            for key, (links, warnings) in cache.memos["related links"].items()
        }
    ),
    "a related memo without warnings": lambda cache: cache.memos["related links"].update(
        {key: (links,) for key, (links, _) in cache.memos["related links"].items()}
    ),
    "an output outside the folder": lambda cache: cache.memos["feeds"].update(
        {key: {"../elsewhere.xml": "0"} for key in cache.memos["feeds"]}
    ),
    "inlined pages of numbers": lambda cache: cache.memos["inlined pages"].update(
        dict.fromkeys(cache.memos["inlined pages"], 1)
    ),
}


@pytest.mark.parametrize("change", PART_CHANGES.values(), ids=PART_CHANGES)
def test_cache_parts_of_other_shapes_only_make_the_build_cold(
    newsroom: Config, tmp_path: Path, change: Callable[[digest.incremental.cache.BuildCache], None]
) -> None:
    build(newsroom, now=NOW)
    cache = load_cache(newsroom)
    memos = cache.memos
    assert memos["stories"] and memos["related links"] and memos["inlined pages"]
    change(cache)
    with (newsroom.output / CACHE_FILE).open("wb") as stream:
        write_cache(cache, stream)
    (newsroom.output / REPLAY_FILE).unlink()
    _assert_warm_equals_cold(newsroom, tmp_path)


RESULT_CHANGES: dict[str, Callable[[BuildResult], Any]] = {
    "files a number": lambda result: replace(result, files=5),  # type: ignore[arg-type]
    "issue ids a list": lambda result: replace(
        result,
        issue=replace(result.issue, ids=["a"]) if result.issue else None,  # type: ignore[arg-type]
    ),
    "a problem's path a number": lambda result: replace(
        result,
        warnings=(digest.errors.Problem(5, 1, "w"),),  # type: ignore[arg-type]
    ),
    "no collection": lambda result: replace(result, collection=None),  # type: ignore[arg-type]
}


@pytest.mark.parametrize("change", RESULT_CHANGES.values(), ids=RESULT_CHANGES)
def test_a_replay_record_of_other_shapes_is_not_replayed(
    newsroom: Config, tmp_path: Path, change: Callable[[BuildResult], Any]
) -> None:
    first = build(newsroom, now=NOW)
    path = newsroom.output / REPLAY_FILE
    record = digest.incremental.safe_pickle.ReplayUnpickler(io.BytesIO(path.read_bytes())).load()
    path.write_bytes(pickle.dumps(replace(record, result=change(record.result))))
    again = _assert_warm_equals_cold(newsroom, tmp_path)
    assert not again.replayed
    assert _report(again) == _report(first)


BUILD_WATCHING_IMPORTS = """
import json, sys
from digest.cli import cli
seen = []
sys.addaudithook(lambda event, args: seen.append(args[0] if event == "import" else event))
try:
    cli(sys.argv[1:], prog_name="digest")
except SystemExit as end:
    print(json.dumps([end.code, seen]))
"""


@pytest.mark.parametrize(
    ("module", "name"),
    [("digest.__main__", "main"), ("digest.cli", "cli"), ("os", "system"), ("builtins", "exec")],
)
def test_a_record_naming_code_is_a_miss_that_imports_and_runs_nothing(
    newsroom: Config, tmp_path: Path, module: str, name: str
) -> None:
    """Importing a module runs it (`digest.__main__` would run a second build inside the
    first): a name in a cache or replay record is checked before anything is imported."""
    marker = tmp_path / "ran"
    call = f"c{module}\n{name}\n(S'touch {marker}'\ntR.".encode()  # module.name("touch …")

    def build_into(out: Path) -> subprocess.CompletedProcess[str]:
        command = ["build", str(newsroom.articles), "--out", str(out), "--now", NOW_TEXT]
        run = [sys.executable, "-c", BUILD_WATCHING_IMPORTS, *command]
        return subprocess.run(run, cwd=tmp_path, capture_output=True, text=True)

    assert build_into(newsroom.output).returncode == 0
    cold_folder = tmp_path / "cold"
    shutil.copytree(newsroom.output, cold_folder, ignore=shutil.ignore_patterns("cache"))
    (newsroom.output / REPLAY_FILE).write_bytes(call)
    header = pickle.dumps((digest.incremental.fingerprints.FORMAT, cache_key(newsroom), 1))
    (newsroom.output / CACHE_FILE).write_bytes(header + call)
    poisoned = build_into(newsroom.output)
    assert poisoned.stderr == ""
    *report, last = poisoned.stdout.splitlines()
    code, seen = json.loads(last)
    assert code in (0, None)
    assert [line for line in report if line.startswith("digest: read ")] == [report[-1]]
    assert "0 files written" in report[-1]  # built anew, the same bytes as before
    assert "digest.__main__" not in seen and module not in seen
    assert not {"os.system", "subprocess.Popen"} & set(seen)
    assert not marker.exists()
    assert build_into(cold_folder).returncode == 0
    assert _outputs(newsroom.output) == _outputs(cold_folder)


def test_importing_the_main_module_runs_nothing(tmp_path: Path) -> None:
    run = [sys.executable, "-c", "import digest.__main__", "--version"]
    imported = subprocess.run(run, cwd=tmp_path, capture_output=True, text=True)
    assert (imported.returncode, imported.stdout, imported.stderr) == (0, "", "")


def test_a_replayed_result_after_an_edit_keeps_its_problems(
    newsroom: Config, tmp_path: Path
) -> None:
    """The replay record's names are listed one by one: every kind it holds must be there."""
    (newsroom.articles / "broken.md").write_text("---\ntitle: [unclosed\n---\nBody.\n")
    build(newsroom, now=NOW)
    story = _newest(newsroom)
    _write(story, story.read_text(encoding="utf-8") + "\nA line added.\n")
    edited = build(newsroom, now=NOW)
    assert edited.collection.problems and not edited.replayed
    again = build(newsroom, now=NOW)
    assert again.replayed
    assert again.collection.problems == edited.collection.problems
    assert _report(again) == _report(edited)
    assert again.issue == edited.issue


def test_an_edit_rewrites_only_the_cache_chunk_that_holds_it(
    newsroom: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(digest.incremental.cache, "CHUNK", 4)
    build(newsroom, now=NOW)
    before, old = load_cache(newsroom), (newsroom.output / CACHE_FILE).read_bytes()
    story = _newest(newsroom)
    _write(story, story.read_text(encoding="utf-8") + "\nA line added.\n")
    build(newsroom, now=NOW)
    after, new = load_cache(newsroom), (newsroom.output / CACHE_FILE).read_bytes()
    assert len(after.chunks) == len(before.chunks) > 5
    spans = zip(before.chunks, after.chunks, strict=True)
    copied = [old[was.start : was.end] == new[now.start : now.end] for was, now in spans]
    assert copied.count(False) == 1
    cold = replace(newsroom, output=tmp_path / "cold")
    build(cold, now=NOW)
    cold_articles = load_cache(cold).articles
    assert {name: entry[:2] for name, entry in after.articles.items()} == {
        name: entry[:2] for name, entry in cold_articles.items()
    }
    # The line added below the lead changed the file, not what reading it gives.
    name = story.relative_to(newsroom.articles).as_posix()
    assert after.articles[name][2] == before.articles[name][0] != after.articles[name][0]
    assert cold_articles[name][2] == cold_articles[name][0]


def test_cache_chunks_are_copied_only_from_the_file_they_were_read_from(
    newsroom: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(digest.incremental.cache, "CHUNK", 4)
    build(newsroom, now=NOW)
    cache = load_cache(newsroom)
    path = newsroom.output / CACHE_FILE
    path.write_bytes(path.read_bytes()[::-1])  # another file, of the same size
    rewritten = io.BytesIO()
    write_cache(cache, rewritten)
    path.write_bytes(rewritten.getvalue())
    assert len(cache.articles) > 20
    assert load_cache(newsroom).articles == cache.articles


def test_a_dry_run_writes_no_cache(newsroom: Config) -> None:
    build(newsroom, now=NOW, dry_run=True)
    assert not (newsroom.output / CACHE_FILE).exists()


def test_a_file_changed_within_a_clock_tick_is_not_settled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.undo()  # the real ticks
    second = 1_000_000_000
    fine = (1, 0, 5 * second + 123, 1)  # size, modified, changed (ns), inode
    coarse = (1, 0, 5 * second, 1)
    assert digest.sources.scan.settled(fine, 5 * second + 123 + second)
    assert not digest.sources.scan.settled(fine, 5 * second + 123 + second // 20)
    assert not digest.sources.scan.settled(coarse, 6 * second)
    assert digest.sources.scan.settled(coarse, 8 * second)
    assert not digest.sources.scan.settled(None, 8 * second)


@pytest.fixture
def many_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Sixty small articles, and a parallel threshold low enough to fork for them."""
    folder = tmp_path / "many"
    for number in range(60):
        section = ("World", "Sport", "Business")[number % 3]
        _write(
            folder / f"{section.lower()}/story-{number:02d}.md",
            f"---\ntitle: Story number {number}\ndate: 2026-11-{1 + number % 26:02d}\n"
            f"section: {section}\ntags: [Tag{number % 7}]\n---\nBody of story {number}.\n",
            hours=24,
        )
    _write(folder / "bad.md", "---\ntitle: [\n---\n", hours=24)
    monkeypatch.setattr(digest.sources.articles, "PARALLEL_MIN_FILES", 10)
    yield folder


def test_parsing_in_worker_processes_gives_what_one_process_gives(
    many_files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = Config(articles=many_files)
    forks = []
    fork = digest.incremental.workers.fork

    def counted(*args: Any) -> Any:
        forks.append(1)
        return fork(*args)

    monkeypatch.setattr(digest.incremental.workers, "fork", counted)
    parallel = collect_articles(MarkdownFolder(many_files), config=config)
    assert forks, "no worker process was started"
    monkeypatch.setattr(digest.sources.articles, "PARALLEL_MIN_FILES", 10_000)
    serial = collect_articles(MarkdownFolder(many_files), config=config)
    assert parallel == serial
    assert len(parallel.articles) == 60 and len(parallel.problems) == 1


def test_a_failed_worker_costs_time_not_articles(
    many_files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = Config(articles=many_files)
    monkeypatch.setattr(digest.incremental.workers, "fork", lambda *args: None)
    assert len(collect_articles(MarkdownFolder(many_files), config=config).articles) == 60


def test_stories_and_feeds_rendered_in_worker_processes_match_one_process(
    newsroom: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    forks = []
    fork = digest.incremental.workers.fork

    def counted(*args: Any) -> Any:
        forks.append(1)
        return fork(*args)

    monkeypatch.setattr(digest.incremental.workers, "fork", counted)
    monkeypatch.setattr(digest.enrich.stories, "PARALLEL_MIN_STORIES", 4)
    monkeypatch.setattr(digest.feeds.render, "PARALLEL_MIN_FEEDS", 2)
    build(newsroom, now=NOW)
    assert len(forks) == 2, "one worker for the stories, one for the feeds"
    monkeypatch.setattr(digest.enrich.stories, "PARALLEL_MIN_STORIES", 10_000)
    monkeypatch.setattr(digest.feeds.render, "PARALLEL_MIN_FEEDS", 10_000)
    serial = build(replace(newsroom, output=tmp_path / "serial"), now=NOW)
    assert serial.files
    assert _outputs(newsroom.output) == _outputs(tmp_path / "serial")


def test_an_article_read_since_its_revision_shares_one_tuple_for_both(
    articles_dir: Path, write_article: Callable[..., Path]
) -> None:
    for name in ("one", "two"):
        os.utime(write_article(name), ns=(time.time_ns() - 10**10,) * 2)  # settled
    config = Config(articles=articles_dir)
    articles = collect_articles(MarkdownFolder(articles_dir), config=config, cache={}).articles
    assert [a.revision is not None and a.read_since is a.revision for a in articles] == [True] * 2
