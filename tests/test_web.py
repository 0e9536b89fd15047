"""The subscriber pages, served by waitress on 127.0.0.1, driven over real HTTP.

RFC 8058 one-click exactly as mail providers post it; GET and HEAD that never change
anything; tokens scoped by purpose; the Host, CSRF, body-size and rate limits; sign-up with
a confirmation email through a real SMTP server (aiosmtpd); the history of every change.
"""

from __future__ import annotations

import email
import email.policy
import re
import time
from collections.abc import Iterator
from dataclasses import replace
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

import pytest
from click.testing import CliRunner

from digest.cli import cli
from digest.config import Config, load_config
from digest.pipeline import build
from digest.send.history import events
from digest.send.subscribers import Subscriber, connect, find, save, transaction
from digest.send.tokens import make_token
from digest.web.app import App
from digest.web.signed import CONFIRM, PREFERENCES, Signer
from tests.conftest import NOW, ArticleWriter
from tests.smtp_server import RunningServer, smtp_server
from tests.web_server import Answer, Served, serving

SECRET = "web-tests-secret-0123456789abcdef"
SECTIONS = ("World", "Sport", "Culture")
ONE_CLICK = "List-Unsubscribe=One-Click"


class Clock:
    """A clock the tests move."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIGEST_SECRET", SECRET)
    monkeypatch.delenv("DIGEST_SMTP_PASSWORD", raising=False)


@pytest.fixture
def site(config: Config, tmp_path: Path) -> Config:
    return replace(
        config,
        subscribers=tmp_path / "readers.db",
        section_order=SECTIONS,
        smtp_host="127.0.0.1",
        smtp_port=1,  # nothing listens: tests that send mail start a server
        smtp_security="none",
        smtp_timeout=10.0,
        sender="Test Times <digest@news.example.org>",
    )


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def web(site: Config, clock: Clock) -> Iterator[Served]:
    with serving(App(site, secret=SECRET.encode(), clock=clock)) as served:
        yield served


@pytest.fixture
def mail(tmp_path: Path) -> Iterator[RunningServer]:
    with smtp_server(tmp_path / "mail") as running:
        yield running


def signer(config: Config) -> Signer:
    return Signer(SECRET.encode(), config.list_name)


def add(
    config: Config, address: str, sections: tuple[str, ...] = (), status: str = "active"
) -> Subscriber:
    with transaction(connect(config.subscribers)) as db:
        return save(db, address, name="", sections=sections, status=status).subscriber


def status_of(config: Config, address: str) -> str | None:
    found = find(connect(config.subscribers), address)
    return None if found is None else found.status


def token(config: Config, address: str, purpose: str = "unsubscribe") -> str:
    return make_token(address, secret=SECRET.encode(), list_id=config.list_name, purpose=purpose)


def origins(config: Config, address: str) -> list[tuple[str, str]]:
    return [(event.origin, event.status) for event in events(connect(config.subscribers), address)]


def assert_safe(answer: Answer) -> None:
    """The security headers every answer carries."""
    policy = answer.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "script-src" not in policy and "unsafe-inline" not in policy
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["x-frame-options"] == "DENY"
    assert "<script" not in answer.text.lower()


# -- unsubscribing ----------------------------------------------------------------------


def test_one_click_post_as_mail_providers_send_it_unsubscribes_idempotently(
    web: Served, site: Config
) -> None:
    add(site, "jane@example.org")
    target = f"/unsubscribe?token={token(site, 'jane@example.org')}"
    for _ in range(2):
        answer = web.call("POST", target, ONE_CLICK)  # no cookie, no Origin, no CSRF field
        assert answer.status == 200 and "location" not in answer.headers
        assert "You are unsubscribed" in answer.text
        assert_safe(answer)
    assert status_of(site, "jane@example.org") == "unsubscribed"
    assert origins(site, "jane@example.org") == [("cli", "active"), ("one-click", "unsubscribed")]


def test_one_click_as_multipart_form_data_also_unsubscribes(web: Served, site: Config) -> None:
    add(site, "jane@example.org")
    body = (
        '--b\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\n'
        "One-Click\r\n--b--\r\n"
    )
    answer = web.call(
        "POST",
        f"/unsubscribe?token={token(site, 'jane@example.org')}",
        body,
        {"Content-Type": "multipart/form-data; boundary=b"},
    )
    assert answer.status == 200
    assert status_of(site, "jane@example.org") == "unsubscribed"


def test_get_and_head_never_unsubscribe(web: Served, site: Config) -> None:
    add(site, "jane@example.org")
    target = f"/unsubscribe?token={token(site, 'jane@example.org')}"
    page = web.call("GET", target)
    head = web.call("HEAD", target)
    assert page.status == head.status == 200
    assert head.text == "" and head.headers["content-length"] == page.headers["content-length"]
    assert re.search(r'<form method="post" action="unsubscribe\?token=[^"]+">', page.text)
    assert '<button type="submit">Unsubscribe</button>' in page.text
    assert status_of(site, "jane@example.org") == "active"
    button = web.call("POST", target, f"{ONE_CLICK}&via=page")  # what the button sends
    assert button.status == 200
    assert origins(site, "jane@example.org")[-1] == ("unsubscribe page", "unsubscribed")


def test_an_unknown_address_gets_the_same_answer(web: Served, site: Config) -> None:
    add(site, "jane@example.org")
    known = web.call("POST", f"/unsubscribe?token={token(site, 'jane@example.org')}", ONE_CLICK)
    unknown = web.call("POST", f"/unsubscribe?token={token(site, 'nobody@example.org')}", ONE_CLICK)
    assert (known.status, known.text) == (unknown.status, unknown.text)
    assert find(connect(site.subscribers), "nobody@example.org") is None


@pytest.mark.parametrize("kind", ["tampered", "another purpose", "another list", "missing", "junk"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_bad_token_gets_a_400_page_that_names_no_address(
    web: Served, site: Config, kind: str, method: str
) -> None:
    add(site, "jane@example.org")
    good = token(site, "jane@example.org")
    bad = {
        "tampered": good[:-2] + ("AA" if not good.endswith("AA") else "BB"),
        "another purpose": token(site, "jane@example.org", PREFERENCES),
        "another list": make_token(
            "jane@example.org", secret=SECRET.encode(), list_id="other.example.org"
        ),
        "missing": "",
        "junk": "%00%ff..<script>",
    }[kind]
    answer = web.call(method, f"/unsubscribe?token={bad}", ONE_CLICK if method == "POST" else "")
    assert answer.status == 400
    assert "This link does not work" in answer.text
    assert "jane" not in answer.text and "Traceback" not in answer.text
    assert_safe(answer)
    assert status_of(site, "jane@example.org") == "active"


def test_a_confirmation_token_does_not_unsubscribe_and_an_unsubscribe_token_does_not_confirm(
    web: Served, site: Config, clock: Clock
) -> None:
    add(site, "jane@example.org")
    sealed = signer(site).sealed(
        {"a": "jane@example.org", "n": "", "s": []}, CONFIRM, expires=clock.now + 60
    )
    assert web.call("POST", f"/unsubscribe?token={sealed}", ONE_CLICK).status == 400
    assert status_of(site, "jane@example.org") == "active"
    plain = token(site, "jane@example.org")
    assert web.call("GET", f"/confirm?token={plain}").status == 400


# -- what every request meets ------------------------------------------------------------


def test_security_headers_on_every_kind_of_answer(web: Served, site: Config) -> None:
    for method, target in [
        ("GET", "/subscribe"),
        ("GET", "/page.css"),
        ("GET", "/nowhere"),
        ("DELETE", "/unsubscribe"),
        ("GET", "/unsubscribe?token=x"),
    ]:
        answer = web.call(method, target)
        assert_safe(answer)
    assert web.call("GET", "/nowhere").status == 404
    refused = web.call("DELETE", "/unsubscribe")
    assert refused.status == 405 and refused.headers["allow"] == "GET, HEAD, POST"
    assert web.call("GET", "/page.css").headers["content-type"].startswith("text/css")


def test_a_foreign_host_is_refused(web: Served, site: Config) -> None:
    add(site, "jane@example.org")
    target = f"/unsubscribe?token={token(site, 'jane@example.org')}"
    for host in ["evil.example", "127.0.0.1.evil.example", ""]:
        answer = web.call("POST", target, ONE_CLICK, {"Host": host})
        assert answer.status == 400 and "Unknown site" in answer.text
    assert status_of(site, "jane@example.org") == "active"


def test_with_a_public_url_only_its_host_is_served_and_under_its_path(
    site: Config, clock: Clock
) -> None:
    config = replace(site, public_url="https://news.example.org/digest/")
    add(config, "jane@example.org")
    with serving(App(config, secret=SECRET.encode(), clock=clock)) as web:
        target = f"/digest/unsubscribe?token={token(config, 'jane@example.org')}"
        assert web.call("GET", target).status == 400  # Host 127.0.0.1 is not ours
        for host in ["news.example.org", "NEWS.example.org", "news.example.org:443"]:
            assert web.call("GET", target, headers={"Host": host}).status == 200
        assert web.call("GET", target, headers={"Host": "news.example.org:8443"}).status == 400
    assert config.token_url == "https://news.example.org/digest/unsubscribe?token={token}"


def test_a_one_megabyte_body_is_refused_and_changes_nothing(web: Served, site: Config) -> None:
    add(site, "jane@example.org")
    target = f"/unsubscribe?token={token(site, 'jane@example.org')}"
    answer = web.call("POST", target, ONE_CLICK + "&x=" + "a" * 1_000_000)
    assert answer.status == 413
    assert status_of(site, "jane@example.org") == "active"
    medium = web.call("POST", target, ONE_CLICK + "&x=" + "a" * 20_000)  # past the app's cap
    assert medium.status == 413 and "Too large" in medium.text
    assert_safe(medium)
    assert status_of(site, "jane@example.org") == "active"


def test_an_error_shows_nothing_of_itself(site: Config, tmp_path: Path, clock: Clock) -> None:
    (tmp_path / "broken.db").mkdir()  # a folder where the subscribers file should be
    config = replace(site, subscribers=tmp_path / "broken.db")
    with serving(App(config, secret=SECRET.encode(), clock=clock)) as web:
        answer = web.call("POST", f"/unsubscribe?token={token(config, 'jane@example.org')}")
    assert answer.status == 500
    assert "Something went wrong" in answer.text
    for leak in ("Traceback", "broken.db", "jane", "sqlite", str(tmp_path)):
        assert leak not in answer.text
    assert_safe(answer)


# -- preferences -------------------------------------------------------------------------


def preferences(web: Served, config: Config, address: str) -> tuple[str, Answer]:
    target = f"/preferences?token={token(config, address, PREFERENCES)}"
    return target, web.call("GET", target)


def test_preferences_show_the_sections_and_save_a_choice(web: Served, site: Config) -> None:
    add(site, "jane@example.org", ("Sport",))
    target, page = preferences(web, site, "jane@example.org")
    assert page.status == 200
    assert re.search(r'value="Sport" id="section-2"[^>]*checked', page.text)
    assert not re.search(r'value="World" id="section-1"[^>]*checked', page.text)
    for number, name in enumerate(SECTIONS, 1):
        assert f'<label for="section-{number}">{name}</label>' in page.text
    form = urlencode({"csrf": page.field("csrf"), "section": "World", "action": "save"})
    saved = web.call("POST", target, form + "&section=Culture&section=Nonsense")
    assert saved.status == 200 and "Your sections are saved." in saved.text
    found = find(connect(site.subscribers), "jane@example.org")
    assert found is not None and found.sections == ("World", "Culture")
    every = "&".join(f"section={name}" for name in SECTIONS)
    web.call("POST", target, f"csrf={quote(page.field('csrf'))}&action=save&{every}")
    found = find(connect(site.subscribers), "jane@example.org")
    assert found is not None and found.sections == ()  # all ticked: all, and any new one
    assert origins(site, "jane@example.org")[-1] == ("preferences", "active")


def test_preferences_leave(web: Served, site: Config) -> None:
    add(site, "jane@example.org")
    target, page = preferences(web, site, "jane@example.org")
    left = web.call("POST", target, urlencode({"csrf": page.field("csrf"), "action": "leave"}))
    assert left.status == 200 and "You are unsubscribed." in left.text
    assert status_of(site, "jane@example.org") == "unsubscribed"
    assert origins(site, "jane@example.org")[-1] == ("preferences", "unsubscribed")
    _, again = preferences(web, site, "jane@example.org")
    assert "does not get the digest now" in again.text and "<form" not in again.text


def test_preferences_offer_the_last_builds_sections(
    web: Served, site: Config, write_article: ArticleWriter
) -> None:
    write_article("science", section="Science")
    build(site, now=NOW)
    add(site, "jane@example.org", ("Gardening",))
    _, page = preferences(web, site, "jane@example.org")
    labels = re.findall(r'<label for="section-\d+">([^<]+)</label>', page.text)
    assert labels == [*SECTIONS, "Science", "Gardening"]


@pytest.mark.parametrize(
    "forgery",
    ["no field", "another origin", "cross-site fetch", "another page's field", "expired"],
)
def test_a_forged_preferences_post_changes_nothing(
    web: Served, site: Config, clock: Clock, forgery: str
) -> None:
    add(site, "jane@example.org", ("Sport",))
    target, page = preferences(web, site, "jane@example.org")
    field = page.field("csrf")
    headers: dict[str, str] = {}
    if forgery == "no field":
        field = ""
    elif forgery == "another origin":
        headers["Origin"] = "https://evil.example"
    elif forgery == "cross-site fetch":
        headers["Sec-Fetch-Site"] = "cross-site"
    elif forgery == "another page's field":
        field = web.call("GET", "/subscribe").field("csrf")
    else:
        clock.now += 2 * 24 * 3600
    body = urlencode({"csrf": field, "action": "leave"})
    answer = web.call("POST", target, body, headers)
    assert answer.status == 403 and "Please try again" in answer.text
    assert status_of(site, "jane@example.org") == "active"
    same_site = web.call(
        "POST",
        target,
        urlencode({"csrf": web.call("GET", target).field("csrf"), "action": "leave"}),
        {"Origin": web.url.rstrip("/"), "Sec-Fetch-Site": "same-origin"},
    )
    assert same_site.status == 200
    assert status_of(site, "jane@example.org") == "unsubscribed"


# -- signing up --------------------------------------------------------------------------


def sign_up(web: Served, address: str, *sections: str, **fields: str) -> Answer:
    page = web.call("GET", "/subscribe")
    form = [("csrf", page.field("csrf")), ("email", address)]
    form += [("section", name) for name in sections] + list(fields.items())
    return web.call("POST", "/subscribe", urlencode(form))


def messages(running: RunningServer) -> list[EmailMessage]:
    found = []
    for raw in running.messages():
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        found.append(message)
    return found


def link_in(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    found = re.search(r"http://\S+/confirm\?token=\S+", body.get_content())
    assert found, body.get_content()
    parts = urlsplit(found[0])
    return f"{parts.path}?{parts.query}"


@pytest.fixture
def mailing(site: Config, mail: RunningServer, clock: Clock) -> Iterator[tuple[Served, Config]]:
    config = replace(site, smtp_port=mail.port)
    with serving(App(config, secret=SECRET.encode(), clock=clock)) as web:
        yield web, config


def test_sign_up_confirm_by_button(mailing: tuple[Served, Config], mail: RunningServer) -> None:
    web, config = mailing
    answer = sign_up(web, "New.Reader@Example.org", "World", "Culture", name="New Reader")
    assert answer.status == 200 and "Check your inbox" in answer.text
    assert find(connect(config.subscribers), "New.Reader@example.org") is None
    [message] = messages(mail)
    assert message["To"].addresses[0].addr_spec == "New.Reader@example.org"
    assert message["To"].addresses[0].display_name == "New Reader"
    assert "Confirm your subscription to Test Times" in message["Subject"]
    link = link_in(message)
    page = web.call("GET", link)
    head = web.call("HEAD", link)
    assert page.status == head.status == 200 and "World, Culture" in page.text
    assert find(connect(config.subscribers), "New.Reader@example.org") is None  # GET: nothing
    done = web.call("POST", link, urlencode({"csrf": page.field("csrf")}))
    assert done.status == 200 and "You are subscribed" in done.text
    found = find(connect(config.subscribers), "New.Reader@example.org")
    assert found is not None and found.status == "active"
    assert found.sections == ("World", "Culture") and found.name == "New Reader"
    assert origins(config, "New.Reader@example.org") == [
        ("sign-up", "asked"),
        ("confirmation", "active"),
    ]


def test_the_answer_is_the_same_whether_or_not_the_address_is_known(
    mailing: tuple[Served, Config], mail: RunningServer
) -> None:
    web, config = mailing
    add(config, "active@example.org")
    add(config, "left@example.org", status="unsubscribed")
    answers = {
        (answer.status, answer.text)
        for address in ("active@example.org", "left@example.org", "new@example.org")
        for answer in [sign_up(web, address, "World")]
    }
    assert len(answers) == 1 and "Check your inbox" in answers.pop()[1]
    assert len(messages(mail)) == 3
    assert status_of(config, "left@example.org") == "unsubscribed"  # only a confirmation…
    [left] = [m for m in messages(mail) if "left@" in str(m["To"])]
    link = link_in(left)
    web.call("POST", link, urlencode({"csrf": web.call("GET", link).field("csrf")}))
    assert status_of(config, "left@example.org") == "active"  # …brings them back


def test_a_confirmation_link_expires(
    mailing: tuple[Served, Config], mail: RunningServer, clock: Clock
) -> None:
    web, config = mailing
    sign_up(web, "late@example.org", "World")
    link = link_in(messages(mail)[0])
    clock.now += 47 * 3600
    page = web.call("GET", link)
    assert page.status == 200
    clock.now += 2 * 3600  # 49 hours after the sign-up
    for method in ("GET", "POST"):
        answer = web.call(method, link, urlencode({"csrf": page.field("csrf")}))
        assert answer.status == 400 and "expired" in answer.text
    assert find(connect(config.subscribers), "late@example.org") is None


def test_a_tampered_confirmation_link_is_refused(
    mailing: tuple[Served, Config], mail: RunningServer
) -> None:
    web, config = mailing
    sign_up(web, "me@example.org", "Sport")
    link = link_in(messages(mail)[0])
    forged = signer(config).sealed(
        {"a": "victim@example.org", "n": "", "s": []}, CONFIRM, expires=time.time() + 99
    )
    payload, mac = link.split("token=")[1].split(".")
    swapped = forged.split(".")[0] + "." + mac  # another payload under a real MAC
    assert web.call("GET", f"/confirm?token={swapped}").status == 400
    assert web.call("GET", f"/confirm?token={payload}.{mac[:-3]}xyz").status == 400


def test_the_honeypot_gets_the_same_answer_and_no_email(
    mailing: tuple[Served, Config], mail: RunningServer
) -> None:
    web, _ = mailing
    answer = sign_up(web, "bot@example.org", "World", website="http://spam.example")
    assert answer.status == 200 and "Check your inbox" in answer.text
    assert messages(mail) == []


def test_a_bad_address_or_no_section_shows_the_form_again(mailing: tuple[Served, Config]) -> None:
    web, _ = mailing
    bad = sign_up(web, "not an address", "World")
    assert bad.status == 400 and "Please enter a valid email address." in bad.text
    assert 'value="not an address"' in bad.text
    none = web.call(
        "POST",
        "/subscribe",
        urlencode({"csrf": web.call("GET", "/subscribe").field("csrf"), "email": "a@example.org"}),
    )
    assert none.status == 400 and "Please tick at least one section." in none.text


def test_a_thousand_sign_ups_for_one_address_send_three_emails(
    site: Config, mail: RunningServer, clock: Clock
) -> None:
    config = replace(site, smtp_port=mail.port, signups_per_client=10_000)
    with serving(App(config, secret=SECRET.encode(), clock=clock)) as web:
        csrf = web.call("GET", "/subscribe").field("csrf")
        body = urlencode({"csrf": csrf, "email": "target@example.org", "section": "World"})
        answers = {web.call("POST", "/subscribe", body).status for _ in range(1000)}
        assert answers == {200}
        assert len(messages(mail)) == 3
        clock.now += 24 * 3600 + 1  # a day later the address may be asked again
        csrf = web.call("GET", "/subscribe").field("csrf")
        body = urlencode({"csrf": csrf, "email": "target@example.org", "section": "World"})
        assert web.call("POST", "/subscribe", body).status == 200
    assert len(messages(mail)) == 4


def test_one_client_may_sign_up_twenty_times_an_hour(
    mailing: tuple[Served, Config], mail: RunningServer
) -> None:
    web, _ = mailing
    csrf = web.call("GET", "/subscribe").field("csrf")
    statuses = [
        web.call(
            "POST",
            "/subscribe",
            urlencode({"csrf": csrf, "email": f"r{n}@example.org", "section": "World"}),
        ).status
        for n in range(21)
    ]
    assert statuses == [200] * 20 + [429]
    assert len(messages(mail)) == 20


def test_a_subscribe_post_from_another_site_is_refused(
    mailing: tuple[Served, Config], mail: RunningServer
) -> None:
    web, _ = mailing
    csrf = web.call("GET", "/subscribe").field("csrf")
    body = urlencode({"csrf": csrf, "email": "victim@example.org", "section": "World"})
    answer = web.call("POST", "/subscribe", body, {"Origin": "https://evil.example"})
    assert answer.status == 403
    assert messages(mail) == []


@pytest.mark.parametrize(
    "address, name",
    [
        ("victim@example.org\r\nBcc: many@example.org", "Eve"),
        ("victim@example.org", "Eve\r\nBcc: many@example.org"),
        ("victim@example.org", "Eve\nSubject: win\r\n\r\nbody"),
        ("victim@example.org>, <many@example.org", "Eve"),
    ],
)
def test_no_header_can_be_injected_through_the_address_or_name(
    mailing: tuple[Served, Config], mail: RunningServer, address: str, name: str
) -> None:
    web, _ = mailing
    sign_up(web, address, "World", name=name)
    for message in messages(mail):
        assert message["Bcc"] is None
        assert "win" not in str(message["Subject"])
        [to] = message["To"].addresses
        assert to.addr_spec == "victim@example.org"
        assert "\n" not in to.display_name and "\r" not in to.display_name


# -- history and sending -----------------------------------------------------------------


def test_history_lists_every_change_with_its_origin(
    web: Served, site: Config, tmp_path: Path
) -> None:
    toml = tmp_path / "digest.toml"
    toml.write_text(f'[send]\nsubscribers = "{site.subscribers}"\n', encoding="utf-8")
    runner = CliRunner()
    assert (
        runner.invoke(
            cli, ["subscribers", "add", "jane@example.org", "--config", str(toml)]
        ).exit_code
        == 0
    )
    csv = tmp_path / "readers.csv"
    csv.write_text("email,sections\njane@example.org,Sport\n", encoding="utf-8")
    runner.invoke(cli, ["subscribers", "import", str(csv), "--config", str(toml)])
    config = replace(site, list_id="")
    web.call("POST", f"/unsubscribe?token={token(config, 'jane@example.org')}", ONE_CLICK)
    with transaction(connect(site.subscribers)) as db:  # three issues in a row refused: bounced
        db.execute(
            "UPDATE subscribers SET status = 'bounced', updated = 'T' WHERE address = ?",
            ("jane@example.org",),
        )
    result = runner.invoke(
        cli, ["subscribers", "list", "--history", "jane@EXAMPLE.org", "--config", str(toml)]
    )
    assert result.exit_code == 0, result.output
    lines = [line.split("\t")[1:] for line in result.output.splitlines()]
    assert lines == [
        ["cli", "active", "all"],
        ["import", "active", "Sport"],
        ["one-click", "unsubscribed", "Sport"],
        ["bounce", "bounced", "Sport"],
    ]
    none = runner.invoke(
        cli, ["subscribers", "list", "--history", "x@example.org", "--config", str(toml)]
    )
    assert none.exit_code == 1 and "no changes recorded" in none.output


# -- the ways to run it ------------------------------------------------------------------


def test_a_newsroom_template_replaces_ours(site: Config, tmp_path: Path, clock: Clock) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "page.css").write_text("body { background: #0af; }\n", encoding="utf-8")
    (folder / "page_message.html").write_text(
        '{% extends "page.html" %}{% block content %}<h1>Ours: {{ title }}</h1>{% endblock %}',
        encoding="utf-8",
    )
    config = replace(site, templates=folder)
    with serving(App(config, secret=SECRET.encode(), clock=clock)) as web:
        assert web.call("GET", "/page.css").text == "body { background: #0af; }\n"
        assert "<h1>Ours: Page not found</h1>" in web.call("GET", "/nowhere").text
        assert "Get the digest by email" in web.call("GET", "/subscribe").text


def test_digest_web_app_reads_the_file_named_by_digest_config(
    site: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import digest.web

    toml = tmp_path / "elsewhere.toml"
    toml.write_text(
        f'[site]\ntitle = "Named Times"\n[send]\nsubscribers = "{site.subscribers}"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("DIGEST_CONFIG", str(toml))
    monkeypatch.delattr(digest.web, "app", raising=False)  # made again for this test
    add(site, "jane@example.org")
    with serving(digest.web.app) as web:
        assert "Named Times" in web.call("GET", "/subscribe").text
        list_id = load_config(toml).list_name
        jane = make_token("jane@example.org", secret=SECRET.encode(), list_id=list_id)
        assert web.call("POST", f"/unsubscribe?token={jane}", ONE_CLICK).status == 200
    assert status_of(site, "jane@example.org") == "unsubscribed"


def test_serve_without_a_secret_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("DIGEST_SECRET")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["serve", "--port", "0"])
    assert result.exit_code == 2
    assert "DIGEST_SECRET is not set" in result.output and "Traceback" not in result.output


def test_the_client_window_slides_and_forgets_the_idlest_clients(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from digest.web import limits

    clock = Clock()
    window = limits.Window(2, 60.0, clock=clock)
    assert [window.allow("a") for _ in range(3)] == [True, True, False]
    clock.now += 30
    assert window.allow("b") and not window.allow("a")
    clock.now += 31  # a's first two have left the window
    assert window.allow("a")
    monkeypatch.setattr(limits, "MAX_CLIENTS", 3)
    for client in ("c", "d", "e"):
        window.allow(client)
    assert set(window._times) == {"c", "d", "e"}


def test_the_confirmation_link_is_under_the_public_url(
    site: Config, mail: RunningServer, clock: Clock
) -> None:
    config = replace(site, smtp_port=mail.port, public_url="https://news.example.org/digest/")
    with serving(App(config, secret=SECRET.encode(), clock=clock)) as web:
        host = {"Host": "news.example.org"}
        page = web.call("GET", "/digest/subscribe", headers=host)
        form = urlencode({"csrf": page.field("csrf"), "email": "a@example.org", "section": "World"})
        origin = {**host, "Origin": "https://news.example.org"}
        assert web.call("POST", "/digest/subscribe", form, origin).status == 200
    [message] = messages(mail)
    body = message.get_body(("plain",))
    assert body is not None
    assert "https://news.example.org/digest/confirm?token=" in body.get_content()


def test_a_slow_smtp_server_does_not_hold_the_sign_up_answer(
    site: Config, tmp_path: Path, clock: Clock
) -> None:
    import http.client

    with smtp_server(tmp_path / "slow-mail", "--slow", "2") as slow:
        config = replace(site, smtp_port=slow.port)
        app = App(config, secret=SECRET.encode(), clock=clock)
        with serving(app) as web:
            csrf = web.call("GET", "/subscribe").field("csrf")
            form = urlencode({"csrf": csrf, "email": "a@example.org", "section": "World"})
            connection = http.client.HTTPConnection("127.0.0.1", web.port, timeout=30)
            started = time.monotonic()
            connection.request(
                "POST",
                "/subscribe",
                form,
                {"Content-Type": "application/x-www-form-urlencoded"},
            )
            response = connection.getresponse()
            response.read()
            answered = time.monotonic() - started
            connection.close()
            assert response.status == 200 and answered < 1.0
            app.outbox.join()
        assert len(messages(slow)) == 1
