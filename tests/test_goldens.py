"""The demo's outputs against reviewed copies in tests/goldens/.

Regenerate with `pytest tests/test_goldens.py --update-goldens` and review the diff like code.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from digest.config import Config
from digest.models import BuildResult
from digest.pipeline import build
from tests.conftest import NOW

GOLDENS = Path(__file__).parent / "goldens"


def test_demo_outputs_match_goldens(
    demo_build: BuildResult, demo_config: Config, update_goldens: bool
) -> None:
    if update_goldens:
        shutil.rmtree(GOLDENS, ignore_errors=True)
        for name in demo_build.files:
            target = GOLDENS / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes((demo_config.output / name).read_bytes())
    expected = sorted(str(p.relative_to(GOLDENS)) for p in GOLDENS.rglob("*") if p.is_file())
    assert sorted(demo_build.files) == expected
    for name in expected:
        actual = (demo_config.output / name).read_bytes()
        assert actual == (GOLDENS / name).read_bytes(), f"{name} differs from its golden"


def test_same_input_and_now_give_identical_bytes(demo_config: Config, tmp_path: Path) -> None:
    first = Config(**{**demo_config.__dict__, "output": tmp_path / "one"})
    second = Config(**{**demo_config.__dict__, "output": tmp_path / "two"})
    result = build(first, now=NOW)
    build(second, now=NOW)
    for name in result.files:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), (
            name
        )
