#!/usr/bin/env python3
"""digest/workers.py against concurrent.futures.ProcessPoolExecutor (issue 13, item 6).

    python benchmarks/workers_executor.py [--sizes 10000,100000] [--repeat 3,2]

Times whole-process `digest build` (as benchmarks/run.py does: same corpora, scenarios
cold, warm, edited, added, same measuring of time and of peak memory counting forked
workers' private pages) twice per scenario: once as shipped, once with workers.py's
`shared`/`serving` (and so `parallel_map`) replaced by a drop-in built on a fork-context
ProcessPoolExecutor. The two take turns, in alternating order, on the same corpus state;
each repeat gives an executor/workers.py ratio, and the medians of those ratios are
printed per size and scenario, with the median seconds and MiB of each.

The drop-in, defined below and patched in before digest imports its callers:
- `serving()` keeps one executor (max_workers = the cores, up to workers.MAX_WORKERS,
  `gc.freeze` as initializer) for the build, created by the first job that wants
  workers, under the same conditions as workers.py forks its own (Linux, no other
  thread, this process no larger than MAX_FORKED_BYTES); it forks its workers then, at
  the first submit, as workers.py does.
- a job is `executor.map(work, items, chunksize=...)`, as many chunks as workers.py has
  batches; this process waits for the results (or, in `shared`, does its other work).
- work that does not pickle is done in this process (the executor must pickle it; it
  cannot fork a closure made after its workers were); a chunk that fails, or a pool
  broken by a dead worker (BrokenProcessPool), is done again here, and a broken pool
  serves no later job of the build.
"""

from __future__ import annotations

import gc
import os
import pickle
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

LAUNCH = "--run-digest-with-executor"


# --------------------------------------------------------------------------- the drop-in
def install_executor() -> None:
    """Replace workers.py's `shared`, `serving` and `parallel_map` (before their callers
    import them) with the ProcessPoolExecutor versions."""
    import digest.incremental.workers as w

    class Build:
        active = False
        executor: Any = None
        broken = False  # a worker died: the build's later jobs run here

    def processes() -> int:
        return min(w.cores(), w.MAX_WORKERS)

    @contextmanager
    def serving() -> Iterator[None]:
        if Build.active:
            yield
            return
        Build.active = True
        try:
            yield
        finally:
            if Build.executor is not None:
                Build.executor.shutdown(wait=True)
            Build.active, Build.executor, Build.broken = False, None, False

    class Pool:
        def __init__(self, work: Callable[[Any], Any], items: Sequence[Any], executor: Any):
            self.work, self.items, self.executor = work, items, executor
            self.chunk = max(1, len(items) // (processes() * w.BATCHES_PER_WORKER))
            self.iterator = executor.map(work, items, chunksize=self.chunk) if executor else None

        def results(self, progress: Callable[[int, int], None] | None = None) -> list[Any]:
            from concurrent.futures.process import BrokenProcessPool

            done: list[Any] = []
            if self.iterator is not None:
                try:
                    for result in self.iterator:
                        done.append(result)
                        if progress and len(done) % self.chunk == 0:
                            progress(len(done), len(self.items))
                except BrokenProcessPool:
                    Build.broken = True
                except Exception:  # done again below, where a real error raises
                    pass
                self.iterator = None
            done.extend(self.work(self.items[i]) for i in range(len(done), len(self.items)))
            return done

        def close(self) -> None:
            if self.iterator is not None:  # this process stopped early: let the chunks end
                with suppress(Exception):
                    for _ in self.iterator:
                        pass
            if self.executor is not None and self.executor is not Build.executor:
                self.executor.shutdown(wait=True)
            if Build.broken and Build.executor is not None:
                Build.executor.shutdown(wait=True)
                Build.executor = None

    @contextmanager
    def shared(
        work: Callable[[Any], Any], items: Sequence[Any], *, min_share: int
    ) -> Iterator[Pool]:
        wanted = min(processes(), len(items) // max(min_share, 1))
        executor = None
        if wanted > 1 and not Build.broken:
            try:
                pickle.dumps(work, protocol=pickle.HIGHEST_PROTOCOL)
                picklable = True
            except (pickle.PicklingError, AttributeError, TypeError):
                picklable = False
            if picklable and Build.executor is not None:
                executor = Build.executor
            elif picklable and w._can_fork() and w._resident_bytes() <= w.MAX_FORKED_BYTES:
                import multiprocessing  # only when wanted, as workers.py needs nothing
                from concurrent.futures import ProcessPoolExecutor

                executor = ProcessPoolExecutor(
                    max_workers=processes(),
                    mp_context=multiprocessing.get_context("fork"),
                    initializer=gc.freeze,  # as workers.py's workers do
                )
                if Build.active:
                    Build.executor = executor
        pool = Pool(work, items, executor)
        try:
            yield pool
        finally:
            pool.close()

    def parallel_map(work, items, *, min_share, progress=None):  # type: ignore[no-untyped-def]
        with shared(work, items, min_share=min_share) as pool:
            return pool.results(progress)

    w.shared, w.serving, w.parallel_map = shared, serving, parallel_map


def run_digest_with_executor(argv: list[str]) -> None:
    sys.path.insert(0, str(REPO))
    install_executor()
    from digest.cli import main

    sys.argv = ["digest", *argv]
    main()


# --------------------------------------------------------------------------- the comparison
def compare(n: int, repeat: int, run: Any, runner: Any, cache: Path, deadline: float) -> dict:
    import shutil
    import tempfile
    import time

    folder = run.corpus_for(n, 1, cache)
    marker = folder.with_name(folder.name + ".ok")
    corpus = run.Corpus(folder, marker, run.pick_edit_target(run.scan(folder)), None)
    work = Path(tempfile.mkdtemp(prefix=f"workers-n{n}-", dir=cache))
    cwd = work / "cwd"
    cwd.mkdir()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    tail = ["build", str(folder), "--now", run.NOW, "--quiet", "--out"]
    variants = {
        "workers": [sys.executable, "-m", "digest", *tail, str(work / "out-workers")],
        "executor": [
            sys.executable,
            str(Path(__file__).resolve()),
            LAUNCH,
            *tail,
            str(work / "out-executor"),
        ],
    }
    samples: dict[tuple[str, str], list[Any]] = {}
    try:
        for rep in range(repeat):
            if time.monotonic() > deadline:
                break
            for name in variants:
                shutil.rmtree(work / f"out-{name}", ignore_errors=True)
            order = list(variants) if rep % 2 == 0 else list(variants)[::-1]
            for scenario in run.SCENARIOS:
                if scenario == "edited":
                    corpus.append_sentence(f"w{rep}")
                elif scenario == "added":
                    corpus.add_article(f"w{rep}")
                for name in order:
                    s = runner.run(variants[name], cwd=cwd, env=env, timeout=900)
                    samples.setdefault((name, scenario), []).append(s)
                    shown = (
                        f"{s.seconds:.2f}s cpu {s.cpu or 0:.2f}s {s.mib:.0f} MiB"
                        if s.seconds
                        else s.error
                    )
                    run.log(f"N={n} {rep + 1}/{repeat} {name:8s} {scenario:6s} {shown}")
            corpus.restore()
    finally:
        if corpus.added or not marker.exists():
            corpus.restore()
        shutil.rmtree(work, ignore_errors=True)
    return samples


def report(n: int, samples: dict) -> str:
    import statistics

    head = (
        "| scenario | workers.py s | executor s | time ratio"
        " | workers.py MiB | executor MiB | mem ratio | cpu ratio |"
    )
    rows = [
        f"### N = {n:,} (ratios executor/workers.py: median over repeats of each repeat's ratio)",
        "",
        head,
        "|" + "---|" * 8,
    ]
    import run

    for sc in run.SCENARIOS:
        a, b = samples.get(("workers", sc), []), samples.get(("executor", sc), [])
        pairs = [(x, y) for x, y in zip(a, b, strict=False) if x.seconds and y.seconds]
        if not pairs:
            rows.append(f"| {sc} | — | — | — | — | — | — | — |")
            continue
        med = statistics.median
        tr = med(y.seconds / x.seconds for x, y in pairs)
        mr = med(y.mib / x.mib for x, y in pairs)
        cr = med((y.cpu or 0) / x.cpu for x, y in pairs if x.cpu)
        rows.append(
            f"| {sc} | {med(x.seconds for x, _ in pairs):.2f}"
            f" | {med(y.seconds for _, y in pairs):.2f}"
            f" | {tr:.2f} | {med(x.mib for x, _ in pairs):.0f} | {med(y.mib for _, y in pairs):.0f}"
            f" | {mr:.2f} | {cr:.2f} |"
        )
    rows.append(f"\n({len(pairs)} repeats)")
    return "\n".join(rows)


def main() -> int:
    import argparse
    import tempfile
    import time

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--repeat", default="3,2", help="repeats per size, comma-separated")
    ap.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "digest-bench"))
    ap.add_argument("--budget", type=float, default=3600)
    args = ap.parse_args()
    import run

    sizes = [int(s) for s in args.sizes.split(",")]
    repeats = [int(r) for r in args.repeat.split(",")]
    repeats += [repeats[-1]] * (len(sizes) - len(repeats))
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    runner = run.Runner(True, True)
    deadline = time.monotonic() + args.budget
    print(f"memory: {runner.describe()}; {os.cpu_count()} CPUs\n", flush=True)
    for n, repeat in zip(sizes, repeats, strict=False):
        load = os.getloadavg()[0]
        samples = compare(n, repeat, run, runner, cache, deadline)
        print(
            report(n, samples) + f"\n(load average {load:.1f} → {os.getloadavg()[0]:.1f})\n",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == LAUNCH:
        run_digest_with_executor(sys.argv[2:])
    else:
        sys.exit(main())
