"""The email and its web copy in the Nu Html Checker (vnu.jar, from npm's vnu-jar), run once.

The jar is found at DIGEST_VNU_JAR (.ci/run installs a pinned vnu-jar and sets it). Without
java or the jar these tests skip, unless the environment sets DIGEST_REQUIRE_VNU=1 (as
.ci/run does): then they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from digest.config import Config
from digest.models import BuildResult
from tests.test_emails import demo_sections, render


def vnu_command() -> list[str]:
    """java -jar vnu.jar, or skip (fail under DIGEST_REQUIRE_VNU=1) naming what is missing."""
    jar = os.environ.get("DIGEST_VNU_JAR", "")
    java = shutil.which("java")
    if not java:
        reason = "java is not installed"
    elif not jar or not Path(jar).is_file():
        reason = "DIGEST_VNU_JAR does not name vnu.jar (npm install vnu-jar)"
    else:
        return [java, "-jar", jar]
    if os.environ.get("DIGEST_REQUIRE_VNU") == "1":
        pytest.fail(f"the Nu Html Checker is required (DIGEST_REQUIRE_VNU=1) but {reason}")
    pytest.skip(reason)


def check(paths: list[Path]) -> list[str]:
    """The checker's errors on `paths`, as 'file:line: message'; none is filtered out."""
    run = subprocess.run(
        [*vnu_command(), "--format", "json", "--errors-only", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    messages = json.loads(run.stderr)["messages"]
    return [
        f"{Path(message.get('url', '?')).name}:{message.get('lastLine', '?')}: {message['message']}"
        for message in messages
    ]


def test_the_email_and_web_copy_are_valid_html(
    demo_build: BuildResult, demo_config: Config, tmp_path: Path
) -> None:
    """The demo (every story with a photo, standfirst and quote) and a digest in memory."""
    out = demo_config.output
    files = render(demo_sections()).files
    (tmp_path / "digest.html").write_bytes(files["digest.html"])
    pages = [
        out / "digest.html",
        out / "archive/2026-11-27.html",
        out / "archive/index.html",
        tmp_path / "digest.html",
    ]
    assert check(pages) == []
