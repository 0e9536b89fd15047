"""The cycle collector is paused and frozen only inside the blocks that ask, then restored."""

from __future__ import annotations

import gc
from dataclasses import replace
from pathlib import Path

from digest.config import Config
from digest.incremental.gc_pause import gc_frozen, gc_paused
from digest.pipeline import build
from tests.conftest import NOW


def test_a_paused_block_runs_without_the_collector_and_restores_it() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # left as it was
    finally:
        gc.enable()


def test_what_a_paused_block_builds_inside_a_frozen_one_is_frozen_until_it_ends() -> None:
    assert gc.get_freeze_count() == 0
    with gc_frozen():
        frozen = gc.get_freeze_count()
        assert frozen > 0
        with gc_paused():
            built = [[number] for number in range(1000)]
        assert gc.get_freeze_count() >= frozen + len(built)
    assert gc.get_freeze_count() == 0


def test_a_frozen_block_leaves_someone_elses_freeze_alone() -> None:
    gc.freeze()
    try:
        before = gc.get_freeze_count()
        with gc_frozen(), gc_paused():
            assert gc.get_freeze_count() == before
        assert gc.get_freeze_count() == before
    finally:
        gc.unfreeze()


def test_a_build_leaves_the_collector_as_it_found_it(demo_config: Config, tmp_path: Path) -> None:
    build(replace(demo_config, output=tmp_path / "out"), now=NOW)
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
