"""The subscriber pages in a real browser (Playwright + Debian chromium), served by waitress.

The whole flow, as a reader does it: sign up, get the confirmation email (aiosmtpd), confirm
with the button, choose sections, unsubscribe from the link — on a phone (375 px) and a
desktop (1280 px), light and dark. Every page: no request leaves 127.0.0.1, no script runs,
nothing is wider than the screen, every field has a label; screenshots go to
test-artifacts/ to be looked at.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from digest.config import Config
from digest.send.subscribers import connect, find
from digest.send.tokens import make_token
from digest.web.app import App
from tests.smtp_server import RunningServer, smtp_server
from tests.test_browser import ARTIFACTS
from tests.test_web import SECRET, SECTIONS, link_in, messages
from tests.web_server import Served, serving


@pytest.fixture(autouse=True)
def secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIGEST_SECRET", SECRET)


@pytest.fixture
def mail(tmp_path: Path) -> Iterator[RunningServer]:
    with smtp_server(tmp_path / "mail") as running:
        yield running


@pytest.fixture
def site(config: Config, tmp_path: Path, mail: RunningServer) -> Iterator[tuple[Served, Config]]:
    configured = replace(
        config,
        subscribers=tmp_path / "readers.db",
        section_order=SECTIONS,
        smtp_host="127.0.0.1",
        smtp_port=mail.port,
        smtp_security="none",
        sender="Test Times <digest@news.example.org>",
    )
    with serving(App(configured, secret=SECRET.encode())) as web:
        yield web, configured


def expect(locator: Any) -> Any:
    """Playwright's assertions, which wait for the page (imported late: may be missing)."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def open_page(browser: Any, width: int, scheme: str) -> Any:
    """A page that refuses any request off 127.0.0.1 and records what it tried."""
    context = browser.new_context(
        viewport={"width": width, "height": 800}, color_scheme=scheme, java_script_enabled=False
    )
    page = context.new_page()
    page.refused = []
    page.problems = []

    def route(request_route: Any) -> None:
        if request_route.request.url.startswith("http://127.0.0.1"):
            request_route.continue_()
        else:
            page.refused.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)

    def console(message: Any) -> None:  # a CSP violation: "Refused to apply inline style…"
        if "Refused" in message.text or "Content Security Policy" in message.text:
            page.problems.append(message.text)

    page.on("console", console)
    return page


def check(page: Any, name: str, scheme: str) -> None:
    """What every page must be; then a screenshot named `name`."""
    assert page.refused == [] and page.problems == []
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert fits, f"{name}: wider than the screen"
    unlabelled = page.evaluate(
        """[...document.querySelectorAll('input:not([type=hidden])')]
             .filter(i => !i.closest('[aria-hidden=true]') && i.labels.length === 0)
             .map(i => i.name)"""
    )
    assert unlabelled == []
    page.wait_for_load_state("load")  # after a form post, the stylesheet may still be coming
    page.wait_for_function(
        "getComputedStyle(document.body).backgroundColor !== 'rgba(0, 0, 0, 0)'", timeout=15_000
    )
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    red, green, blue = (int(part) for part in re.findall(r"\d+", background)[:3])
    dark = red + green + blue < 3 * 80
    assert dark == (scheme == "dark"), f"{name}: background {background} in {scheme} mode"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def wait_for_mail(mail: RunningServer, count: int) -> None:
    deadline = time.monotonic() + 30  # generous: a loaded CI machine
    while len(mail.messages()) < count and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [375, 1280])
def test_sign_up_confirm_choose_sections_unsubscribe(
    browser: Any, site: tuple[Served, Config], mail: RunningServer, width: int, scheme: str
) -> None:
    web, config = site
    page = open_page(browser, width, scheme)
    tag = f"{width}-{scheme}"
    page.goto(web.url + "subscribe")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "email"  # the first stop is the address
    check(page, f"web-subscribe-{tag}", scheme)
    page.get_by_label("Email address").fill("reader@example.org")
    page.get_by_label("Your name (optional)").fill("Rea Der")
    page.get_by_label("Culture").uncheck()
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    check(page, f"web-asked-{tag}", scheme)

    wait_for_mail(mail, 1)
    page.goto(web.url.rstrip("/") + link_in(messages(mail)[0]))
    expect(page.get_by_text("World, Sport")).to_be_visible()
    check(page, f"web-confirm-{tag}", scheme)
    page.get_by_role("button", name="Confirm my subscription").click()
    expect(page.get_by_role("heading", name="You are subscribed")).to_be_visible()
    check(page, f"web-subscribed-{tag}", scheme)

    page.get_by_role("link", name="Choose your sections").click()
    expect(page.get_by_label("World")).to_be_checked()
    expect(page.get_by_label("Culture")).not_to_be_checked()
    page.get_by_label("World").uncheck()
    page.get_by_role("button", name="Save my sections").click()
    expect(page.get_by_role("status")).to_have_text("Your sections are saved.")
    check(page, f"web-preferences-{tag}", scheme)
    found = find(connect(config.subscribers), "reader@example.org")
    assert found is not None and found.sections == ("Sport",) and found.name == "Rea Der"

    token = make_token("reader@example.org", secret=SECRET.encode(), list_id=config.list_name)
    page.goto(f"{web.url}unsubscribe?token={token}")
    check(page, f"web-unsubscribe-{tag}", scheme)
    assert found.status == "active"
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
    check(page, f"web-unsubscribed-{tag}", scheme)
    found = find(connect(config.subscribers), "reader@example.org")
    assert found is not None and found.status == "unsubscribed"

    page.goto(f"{web.url}unsubscribe?token={token[:-4]}")
    expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()
    check(page, f"web-bad-link-{tag}", scheme)
    page.context.close()
