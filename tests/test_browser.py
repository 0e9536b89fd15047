"""The demo digest in a real browser: Playwright driving Debian's chromium, offline.

Pages load from file://; every other request is refused, except that remote images are
answered with a local placeholder PNG so the layout is measured with images in place.
Screenshots go to test-artifacts/ (not committed) for a human to look at.

Without chromium (or the playwright package) these tests skip, unless the environment sets
DIGEST_REQUIRE_BROWSER=1 (as .ci/run does): then they fail.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from digest.config import Config
from digest.models import BuildResult, RelatedLink
from tests.conftest import ROOT
from tests.test_emails import render, section, story

ARTIFACTS = ROOT / "test-artifacts"

COLOURS = """
  const rgba = (css) => {
    const v = css.match(/rgba?\\(([^)]+)\\)/)[1].split(",").map(Number);
    return { r: v[0], g: v[1], b: v[2], a: v.length > 3 ? v[3] : 1 };
  };
  const channel = (x) => {
    x /= 255;
    return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
  };
  const luminance = (c) => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c.a > 0) return c;
    }
    return { r: 255, g: 255, b: 255, a: 1 };
  };
  const contrast = (el) => {
    const fg = luminance(rgba(getComputedStyle(el).color));
    const bg = luminance(background(el));
    return (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
  };
"""
"""Colour helpers for the page scripts below: WCAG luminance and contrast of an element."""

CONTRAST = (
    "() => {"
    + COLOURS
    + """
  const poor = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || !el.getClientRects().length) continue;
    const ratio = contrast(el);
    if (ratio < 4.5) poor.push(`${node.textContent.trim().slice(0, 40)}: ${ratio.toFixed(2)}`);
  }
  return poor;
}"""
)

STANDFIRSTS = (
    "() => {"
    + COLOURS
    + """
  return [...document.querySelectorAll(".standfirst")].map((el) => {
    const box = el.getBoundingClientRect();
    const quote = el.parentElement.querySelector(".quote");
    return {
      text: el.textContent.trim(),
      shown: box.width > 0 && box.height > 0 && getComputedStyle(el).visibility === "visible",
      inside: box.left >= 0 && box.right <= innerWidth,
      size: parseFloat(getComputedStyle(el).fontSize),
      contrast: contrast(el),
      aboveQuote: !quote || box.bottom <= quote.getBoundingClientRect().top,
    };
  });
}"""
)
"""Each standfirst as the reader sees it: shown, inside the screen, size, contrast, place."""

LUMINANCE = """(property) => {
  const v = getComputedStyle(document.body)[property].match(/rgba?\\(([^)]+)\\)/)[1].split(",");
  const channel = (x) => {
    x /= 255;
    return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(+v[0]) + 0.7152 * channel(+v[1]) + 0.0722 * channel(+v[2]);
}"""


def placeholder_png(width: int = 300, height: int = 200) -> bytes:
    """A gradient PNG, made here so no image is ever fetched."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(
        b"\x00" + b"".join(bytes((60 + x // 3, 90 + y // 3, 110)) for x in range(width))
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    """Open a local file at a width and colour scheme; record what it tried to fetch."""
    pages: list[Any] = []
    image = placeholder_png()

    def open_at(path: Path, *, width: int, scheme: str = "light", images: bool = True) -> Any:
        page = browser.new_page(viewport={"width": width, "height": 800})
        page.refused = []

        def route(request_route: Any) -> None:
            request = request_route.request
            if request.url.startswith(("file:", "http://127.0.0.1")):
                request_route.continue_()
            elif request.resource_type == "image" and images:
                request_route.fulfill(body=image, content_type="image/png")
            elif request.resource_type == "image":
                request_route.abort()  # as a client that blocks images
            else:
                page.refused.append(request.url)
                request_route.abort()

        page.route("**/*", route)
        page.emulate_media(color_scheme=scheme)
        page.goto(path.as_uri())
        pages.append(page)
        return page

    yield open_at
    for page in pages:
        page.close()


def screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


@pytest.mark.parametrize("width", [320, 375, 600, 800])
def test_digest_fits_every_width_with_alt_text_and_absolute_links(
    open_page: Any, demo_build: BuildResult, demo_config: Config, width: int
) -> None:
    page = open_page(demo_config.output / "digest.html", width=width)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width
    paper = page.evaluate(
        "(() => { const r = document.querySelector('table.paper').getBoundingClientRect();"
        " return [r.left, r.width, innerWidth - r.right]; })()"
    )
    assert paper[1] == min(width, 600) and paper[0] == paper[2]  # 600 px, centred
    images = page.evaluate(
        "[...document.images].map(i => [i.alt, i.naturalWidth, i.getBoundingClientRect().width])"
    )
    assert len(images) == demo_build.in_digest == 9  # every demo story has a photo
    for alt, natural, shown in images:
        assert alt.strip() and natural > 0 and shown <= min(width, 600) - 32
    hrefs = page.evaluate("[...document.links].map(a => a.href)")
    assert hrefs and all(href.startswith(("https://", "http://", "mailto:")) for href in hrefs)
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.standfirst')).fontSize") == "17px"
    )
    assert page.evaluate("document.querySelector('.preheader').getClientRects().length") == 0
    assert page.evaluate(CONTRAST) == []
    assert page.refused == []
    screenshot(page, f"digest-{width}.png")


@pytest.mark.parametrize("width", [375, 600])
def test_dark_mode_is_dark_and_legible(
    open_page: Any, demo_build: BuildResult, demo_config: Config, width: int
) -> None:
    page = open_page(demo_config.output / "digest.html", width=width, scheme="dark")
    assert page.evaluate(LUMINANCE, "backgroundColor") < 0.05
    assert page.evaluate(LUMINANCE, "color") > 0.7
    assert page.evaluate(CONTRAST) == []
    screenshot(page, f"digest-{width}-dark.png")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_standfirsts_are_legible_above_the_quote_on_a_phone(
    open_page: Any, demo_build: BuildResult, demo_config: Config, scheme: str
) -> None:
    page = open_page(demo_config.output / "digest.html", width=375, scheme=scheme)
    standfirsts = page.evaluate(STANDFIRSTS)
    assert len(standfirsts) == demo_build.in_digest == 9  # every demo story has one
    for standfirst in standfirsts:
        assert standfirst["text"].endswith((".", "?", "!", "…")), standfirst
        assert standfirst["shown"] and standfirst["inside"], standfirst
        assert standfirst["size"] >= 16 and standfirst["contrast"] >= 7, standfirst
        assert standfirst["aboveQuote"], standfirst
    screenshot(page, f"standfirst-375-{scheme}.png")


def test_web_copy_and_index_fit_a_phone(
    open_page: Any, demo_build: BuildResult, demo_config: Config
) -> None:
    for name in ("archive/2026-11-27.html", "archive/index.html"):
        page = open_page(demo_config.output / name, width=375)
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 375, name
        assert page.evaluate(CONTRAST) == [], name
        assert page.refused == [], name
        screenshot(page, name.replace("/", "-").replace(".html", ".png"))


def test_long_words_and_blocked_images_fit_a_phone(open_page: Any, tmp_path: Path) -> None:
    url = "https://elsewhere.example/" + "averyverylongpathsegment" * 6
    long_story = story(
        "long",
        title="Supercalifragilisticexpialidocious-and-yet-more-words-without-spaces headline",
        related=(RelatedLink(url, url, "", "External link"),),
        image=True,
    )
    files = render((section("World", long_story),)).files
    for name in ("digest.html", "archive/2026-11-27.html"):
        path = tmp_path / name.replace("/", "-")
        path.write_bytes(files[name])
        page = open_page(path, width=320, images=False)
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 320, name
        assert page.evaluate(CONTRAST) == [], name
    screenshot(page, "long-words-320.png")
