"""digest.eml parsed back with the email package: structure, headers, safety, determinism."""

from __future__ import annotations

import email
import email.parser
import email.policy
import re
from email.message import EmailMessage
from email.utils import parsedate_to_datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import html as lxml_html

from digest.config import Config, parse_config
from digest.errors import ConfigError
from digest.mail.mime import build_message, header_text
from digest.models import BuildResult
from tests.conftest import NOW
from tests.test_emails import config, issue, render, section, story

EXPECTED_HEADERS = [
    "Subject",
    "From",
    "To",
    "Date",
    "Message-ID",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "MIME-Version",
    "Content-Type",
]


def parse(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_demo_message_structure_and_headers(demo_build: BuildResult, demo_config: Config) -> None:
    raw = (demo_config.output / "digest.eml").read_bytes()
    message = parse(raw)
    assert message.get_content_type() == "multipart/alternative"
    assert message.keys() == EXPECTED_HEADERS
    text_part, html_part = message.iter_parts()
    assert text_part.get_content_type() == "text/plain"  # text first, HTML last (RFC 2046)
    assert html_part.get_content_type() == "text/html"
    for part in (text_part, html_part):
        assert part.get_content_charset() == "utf-8"
        assert part["Content-Transfer-Encoding"] == "quoted-printable"
    for part, name in ((text_part, "digest.txt"), (html_part, "digest.html")):
        decoded = part.get_content().replace("\r\n", "\n")  # CRLF on the wire
        assert decoded.encode() == (demo_config.output / name).read_bytes()
    assert message["Subject"] == "The Saltmere Lantern: 9 stories — 27 November 2026"
    assert message["From"] == "The Saltmere Lantern <digest@lantern.example.org>"
    assert message["To"] == "Subscriber <subscriber@example.org>"
    assert message["Date"] == "Fri, 27 Nov 2026 06:00:00 +0000"
    assert parsedate_to_datetime(message["Date"]) == NOW
    assert re.fullmatch(
        r"<digest\.2026-11-27\.[0-9a-f]{24}@lantern\.example\.org>", message["Message-ID"]
    )
    assert message["List-Unsubscribe"] == "<https://lantern.example.org/unsubscribe>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_both_parts_carry_the_same_story_list(demo_build: BuildResult, demo_config: Config) -> None:
    message = parse((demo_config.output / "digest.eml").read_bytes())
    text_part, html_part = message.iter_parts()
    doc = lxml_html.document_fromstring(html_part.get_content())
    headlines = [" ".join(a.text_content().split()) for a in doc.xpath("//h3/a")]
    links = doc.xpath("//h3/a/@href")
    assert len(headlines) == demo_build.in_digest == 9
    text = text_part.get_content()
    assert [line[6:] for line in text.splitlines() if line.startswith("Read: ")] == links
    flowing = " ".join(text.split())
    positions = [flowing.find(headline) for headline in headlines]
    assert -1 not in positions and positions == sorted(positions)


def test_wire_format_is_crlf_ascii_and_short_lines(
    demo_build: BuildResult, demo_config: Config
) -> None:
    raw = (demo_config.output / "digest.eml").read_bytes()
    assert raw.isascii()
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert max(len(line) for line in raw.split(b"\r\n")) <= 78  # RFC 5322 SHOULD; MUST is 998


def small_message(subject: str = "Subject", text: str = "Text", **changes: object) -> bytes:
    return build_message(
        text=text, html="<p>HTML</p>", subject=subject, config=config(**changes), issue=issue()
    )


def test_message_id_and_boundary_come_from_the_content() -> None:
    first, again = small_message(), small_message()
    assert first == again
    other = small_message(text="Other text")
    assert parse(first)["Message-ID"] != parse(other)["Message-ID"]
    assert parse(first).get_boundary() != parse(other).get_boundary()
    assert re.fullmatch(r"=_digest_[0-9a-f]{32}", parse(first).get_boundary() or "")


def test_a_headline_cannot_break_or_inject_headers() -> None:
    hostile = story("storm", title="Storm\r\nBcc: victim@example.org\r\n\r\nZürich — “quoted” ✓")
    files = render((section("World", hostile),), cfg=config(subject="{headline} ({count})")).files
    raw = files["digest.eml"]
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert not re.search(rb"^Bcc:", head, re.MULTILINE)
    message = parse(raw)
    assert message.keys() == EXPECTED_HEADERS
    assert message["Subject"] == "Storm Bcc: victim@example.org Zürich — “quoted” ✓ (1)"
    assert message.defects == []


def test_non_ascii_sender_and_recipient_are_encoded() -> None:
    raw = small_message(
        sender="Zeitung Süd <digest@süd.example>", recipient="Léa\n<lea@example.org>"
    )
    message = parse(raw)
    assert message["From"] == "Zeitung Süd <digest@süd.example>"
    assert message["To"] == "Léa <lea@example.org>"
    assert raw.isascii()


@given(st.text(max_size=300))
def test_any_subject_survives_the_round_trip_as_one_header(subject: str) -> None:
    message = parse(small_message(subject=subject))
    assert message.keys() == EXPECTED_HEADERS
    assert message["Subject"] == header_text(subject)
    assert "\n" not in message["Subject"] and "\r" not in message["Subject"]


@pytest.mark.parametrize(
    ("changes", "unsubscribe", "post"),
    [
        (
            {"unsubscribe_mailto": "leave@news.example.org"},
            "<https://news.example.org/unsubscribe?list=daily>, "
            "<mailto:leave@news.example.org?subject=unsubscribe>",
            "List-Unsubscribe=One-Click",
        ),
        (
            {"unsubscribe_url": "http://news.example.org/leave"},
            "<http://news.example.org/leave>",
            None,
        ),
        (
            {"unsubscribe_url": "", "unsubscribe_mailto": "leave@news.example.org"},
            "<mailto:leave@news.example.org?subject=unsubscribe>",
            None,
        ),
        ({"unsubscribe_url": ""}, None, None),
    ],
)
def test_list_unsubscribe_headers(
    changes: dict[str, str], unsubscribe: str | None, post: str | None
) -> None:
    message = parse(small_message(**changes))
    assert message["List-Unsubscribe"] == unsubscribe
    assert message["List-Unsubscribe-Post"] == post  # RFC 8058 needs an https URL


@pytest.mark.parametrize("mailto", ["leave@news.example.org", ""])
def test_a_long_unsubscribe_url_is_never_encoded(mailto: str) -> None:
    """Mail providers look for `<https://…>` in List-Unsubscribe to POST to: an encoded
    word (which the email package makes of a header it cannot fold) hides it."""
    url = "https://news.example.org/unsubscribe?list=daily&t=" + "0123456789" * 25
    assert len(url) == 300
    cfg = config(unsubscribe_url=url, unsubscribe_mailto=mailto)
    raw = render((section("World", story("storm")),), cfg=cfg).files["digest.eml"]
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert all(len(line) <= 998 for line in head.split(b"\r\n"))  # RFC 5322's hard limit
    message = email.parser.BytesParser(policy=email.policy.compat32).parsebytes(raw)
    unfolded = re.sub(r"\r?\n", "", message["List-Unsubscribe"])
    expected = f"<{url}>, <mailto:{mailto}?subject=unsubscribe>" if mailto else f"<{url}>"
    assert unfolded == expected
    assert "=?" not in unfolded
    assert parse(raw)["List-Unsubscribe"] == expected
    assert parse(raw)["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_unsubscribe_urls_are_ascii_in_the_header() -> None:
    url = "https://news.example.org/abmelden/zürich?<x>"
    raw = small_message(unsubscribe_url=url, unsubscribe_mailto="léa@news.example.org")
    assert parse(raw)["List-Unsubscribe"] == (
        "<https://news.example.org/abmelden/z%C3%BCrich?%3Cx%3E>, "
        "<mailto:l%C3%A9a@news.example.org?subject=unsubscribe>"
    )
    assert b"=?" not in raw.split(b"\r\n\r\n", 1)[0].split(b"List-Unsubscribe:")[1]


def test_unsubscribe_mailto_must_be_an_address() -> None:
    with pytest.raises(
        ConfigError, match=r"'email\.unsubscribe_mailto' must be a bare email address"
    ):
        parse_config({"email": {"unsubscribe_mailto": "Leave <leave@example.org>"}})
    assert parse_config({"email": {"unsubscribe_mailto": "leave@example.org"}}).unsubscribe_mailto


def test_a_space_where_a_long_subject_folds_is_kept() -> None:
    # The standard library's folder turned this space into folding whitespace and lost it.
    subject = "0¡¡¡¡¡¡¡¡¡ ¡¡0¡0¡00¡¡0¡ a0¡0¡¡0¡00¡¡00¡0¡¡0¡0a¡a¡ a0a00a00¡¡¡0¡0¡¡000¡¡0¡ ¡0¡¡¡¡¡¡0¡000¡¡¡¡¡¡¡¡00¡¡a ¡00¡0¡0 00¡0¡0 ¡0 00¡00 00¡¡0¡00¡¡a00¡a¡ ¡"  # noqa: E501
    raw = small_message(subject=subject)
    assert parse(raw)["Subject"] == subject
    assert max(len(line) for line in raw.split(b"\r\n")) <= 78
