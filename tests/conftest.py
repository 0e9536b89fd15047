"""Shared fixtures: a pinned 'now', article files on disk, a demo build."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import settings

from digest.config import Config, load_config
from digest.models import BuildResult
from digest.pipeline import build

# No per-example deadline (a loaded 2-core CI machine is slow, not wrong); on CI the examples
# are derandomized so a landing never depends on luck — local runs keep exploring.
settings.register_profile("local", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "local")

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
NOW_TEXT = "2026-11-27T06:00:00Z"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        help="Rewrite tests/goldens/ from the current output instead of comparing.",
    )


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


ArticleWriter = Callable[..., Path]


@pytest.fixture
def articles_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    return folder


@pytest.fixture
def write_article(articles_dir: Path) -> ArticleWriter:
    """Write `name`.md with the given front matter (defaults filled in) and body."""

    def write(name: str, body: str = "Body text.\n", **front: Any) -> Path:
        meta: dict[str, Any] = {
            "title": f"Headline {name}",
            "date": "2026-11-26T09:00:00Z",
            "section": "World",
        }
        meta.update(front)
        meta = {key: value for key, value in meta.items() if value is not None}
        path = articles_dir / f"{name}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        text = "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n" + body
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def config(articles_dir: Path, tmp_path: Path) -> Config:
    return Config(
        title="Test Times",
        tagline="Tests • Daily",
        base_url="https://news.example.org/",
        articles=articles_dir,
        output=tmp_path / "public",
    )


@pytest.fixture(scope="session")
def demo_config(tmp_path_factory: pytest.TempPathFactory) -> Config:
    config = load_config(ROOT / "digest.toml")
    out = tmp_path_factory.mktemp("demo") / "public"
    return Config(**{**config.__dict__, "output": out})


@pytest.fixture(scope="session")
def demo_build(demo_config: Config) -> BuildResult:
    """The demo newsroom built once per session with the pinned 'now'."""
    return build(demo_config, now=NOW)


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def _browser_unavailable() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[test]')"
    if not CHROMIUM.is_file() and not shutil.which("chromium"):
        return f"chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Debian chromium per test module, with no background networking.

    Without chromium (or playwright) the browser tests skip, unless the environment sets
    DIGEST_REQUIRE_BROWSER=1 (as .ci/run does): then they fail.
    """
    reason = _browser_unavailable()
    if reason:
        if os.environ.get("DIGEST_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests required (DIGEST_REQUIRE_BROWSER=1) but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        executable = CHROMIUM if CHROMIUM.is_file() else Path(shutil.which("chromium") or "")
        launched = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()
