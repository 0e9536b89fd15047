"""The digest on the web: the issue's page (archive/<date>.html) and the index of issues."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from digest.models import IssueRecord
from tests.conftest import NOW
from tests.test_emails import BASE, config, demo_sections, issue, render, text_of, tree


def test_only_this_issue_page_and_the_index_are_returned() -> None:
    earlier = replace(issue(number=11, date="2026-11-20"), sent_at=NOW - timedelta(days=7))
    files = render(demo_sections(), this_issue=issue(number=12), archive=[earlier]).files
    assert sorted(files) == [
        "archive/2026-11-27.html",
        "archive/index.html",
        "digest.eml",
        "digest.html",
        "digest.txt",
    ]


def test_web_copy_is_the_whole_digest_as_a_page_with_feed_autodiscovery() -> None:
    cfg = config(max_html_bytes=4000)  # the email must fold stories; the web copy never does
    rendered = render(demo_sections(), cfg=cfg)
    assert rendered.warnings
    page = tree(rendered.files["archive/2026-11-27.html"])
    feeds = {link.get("type"): link.get("href") for link in page.xpath("//link[@rel='alternate']")}
    assert feeds == {
        "application/rss+xml": f"{BASE}rss.xml",
        "application/atom+xml": f"{BASE}atom.xml",
        "application/feed+json": f"{BASE}feed.json",
    }
    assert page.xpath("//link[@rel='canonical']/@href") == [f"{BASE}archive/2026-11-27.html"]
    assert [text_of(a) for a in page.xpath("//h3/a")] == [
        "Headline of quoted",
        "Headline of plain",
        "Headline of match",
    ]
    assert len(page.xpath("//img")) == 1
    assert page.xpath("//table[contains(@class, 'toc')]//a/@href") == ["#world", "#sport"]
    hrefs = page.xpath("//a/@href")
    assert not [href for href in hrefs if "utm_" in href]
    footer = text_of(page.xpath("//td[contains(@class, 'footer')]")[0])
    assert "All issues of Test Times" in footer and "View this issue in your browser" not in footer
    assert not page.xpath("//*[contains(@class, 'preheader')]")


def test_index_lists_every_issue_newest_first() -> None:
    def record(number: int, days_ago: int, subject: str) -> IssueRecord:
        moment = NOW - timedelta(days=days_ago)
        return IssueRecord(number, moment.date().isoformat(), moment, moment, ("a", "b"), subject)

    archive = [record(10, 14, "Tenth"), record(11, 7, "Eleventh"), record(9, 21, "Ninth")]
    same_day_earlier = replace(
        issue(number=None), sent_at=NOW - timedelta(hours=2), subject="Replaced"
    )
    files = render(
        demo_sections(), this_issue=issue(number=12), archive=[*archive, same_day_earlier]
    ).files
    index = tree(files["archive/index.html"])
    entries = [
        (
            text_of(item.xpath(".//p")[0]),
            text_of(item.xpath(".//a")[0]),
            item.xpath(".//a/@href")[0],
        )
        for item in index.xpath("//td[contains(@class, 'story')]")
    ]
    assert entries == [
        (
            "Friday 27 November 2026 · No. 12 · 1 story",
            "Test Times: 3 stories — 27 November 2026",
            f"{BASE}archive/2026-11-27.html",
        ),
        (
            "Friday 20 November 2026 · No. 11 · 2 stories",
            "Eleventh",
            f"{BASE}archive/2026-11-20.html",
        ),
        ("Friday 13 November 2026 · No. 10 · 2 stories", "Tenth", f"{BASE}archive/2026-11-13.html"),
        ("Friday 6 November 2026 · No. 9 · 2 stories", "Ninth", f"{BASE}archive/2026-11-06.html"),
    ]
    assert text_of(index.xpath("//td[contains(@class, 'masthead')]")[0]).endswith("4 issues")
    assert len(index.xpath("//link[@rel='alternate']")) == 3


def test_view_in_browser_points_at_the_web_copy() -> None:
    files = render(demo_sections()).files
    link = tree(files["digest.html"]).xpath("//a[.='View this issue in your browser']/@href")[0]
    assert link.startswith(f"{BASE}archive/2026-11-27.html?utm_source=digest")
    assert "archive/2026-11-27.html" in files
