from __future__ import annotations

import os
from pathlib import Path

import pytest

from digest.errors import PublishError
from digest.publish import publish, safe_target


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
