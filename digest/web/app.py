"""The subscriber pages as a WSGI application: sign up, confirm, preferences, unsubscribe.

Every request goes through `App.__call__`: the Host header is checked against
`web.public_url`, the body is capped, the page answers, and every response carries the
security headers. Nothing a GET or HEAD does changes the subscribers file. A token is
checked before anything else a page does; a bad one gets a 400 page that names no
address. An error is logged (to `wsgi.errors`) and answered with a page that shows nothing
of it.
"""

from __future__ import annotations

import sqlite3
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, parse_qs, urlsplit

from digest.config import Config
from digest.send import history
from digest.send.subscribers import (
    Subscriber,
    connect,
    find,
    normal_address,
    now_text,
    transaction,
)
from digest.send.subscribers import save as save_subscriber
from digest.send.subscribers import unsubscribe as unsubscribe_address
from digest.send.tokens import UNSUBSCRIBE
from digest.templates import environment
from digest.terminal import plural
from digest.web import mailer
from digest.web.limits import Window
from digest.web.signed import CONFIRM, FORM, PREFERENCES, Signer

MAX_BODY = 16_384
"""Bytes a request body may have: the largest form is a few hundred."""
FORM_SECONDS = 24 * 3600
"""How long a page's form may be sent back."""
MAX_NAME = 100
LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")
SECURITY_HEADERS = (
    (
        "Content-Security-Policy",
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'",
    ),
    ("Referrer-Policy", "no-referrer"),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)
REASONS = {
    200: "OK",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Content Too Large",
    429: "Too Many Requests",
    500: "Internal Server Error",
}
StartResponse = Callable[[str, list[tuple[str, str]]], Any]


class Refused(Exception):
    """The request cannot be answered with the page it asked for: answer `page` instead."""

    def __init__(self, status: int, title: str, text: str) -> None:
        super().__init__(title)
        self.status, self.title, self.text = status, title, text


@dataclass
class Request:
    """What a page needs of one request."""

    method: str
    route: str
    query: Mapping[str, list[str]]
    host: str
    origin: str  # the Origin header, "" when absent
    fetch_site: str  # Sec-Fetch-Site, "" when absent
    client: str
    content_type: str
    errors: Callable[[str], None]  # writes a line to the server's log
    body: bytes = b""
    form: dict[str, list[str]] = field(default_factory=dict)

    def arg(self, name: str) -> str:
        """The first value of query parameter `name`, or ""."""
        return (self.query.get(name) or [""])[0]

    def field(self, name: str) -> str:
        """The first value of form field `name`, or ""."""
        return (self.form.get(name) or [""])[0]


@dataclass(frozen=True)
class Response:
    """A status, a page and the headers particular to it."""

    status: int
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    cache: str = "no-store"


class App:
    """The subscriber pages over `config`'s subscribers file, signing with `secret`."""

    def __init__(
        self, config: Config, *, secret: bytes, clock: Callable[[], float] = time.time
    ) -> None:
        self.config = config
        self.signer = Signer(secret, config.list_name)
        self.clock = clock
        self.env = environment(config.templates)
        self.clients = Window(config.signups_per_client, 3600.0)
        self.outbox = mailer.Outbox(config, self.env)
        self._local = threading.local()
        public = urlsplit(config.public_url)
        # the Host headers that name the public site ("" without one), and its Origin
        self.public_hosts = (public.netloc.lower(), default_port(public)) if public.netloc else ()
        self.public_origin = f"{public.scheme}://{public.netloc}".lower()
        self.prefix = public.path.rstrip("/")
        self._sections: tuple[float, tuple[str, ...]] = (-1.0, ())
        self.routes: dict[str, tuple[Callable[[Request], Response], ...]] = {
            "": (self.subscribe_page, self.subscribe),
            "subscribe": (self.subscribe_page, self.subscribe),
            "confirm": (self.confirm_page, self.confirm),
            "unsubscribe": (self.unsubscribe_page, self.unsubscribe),
            "preferences": (self.preferences_page, self.preferences),
            "page.css": (self.stylesheet,),
        }

    # -- the WSGI entry -------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            response = self.respond(environ)
        except Refused as refused:
            response = self.message(refused.status, refused.title, refused.text)
        except Exception:
            environ["wsgi.errors"].write(traceback.format_exc())
            response = self.message(
                500,
                "Something went wrong",
                "The page could not be shown. Please try again in a few minutes.",
            )
        headers = [
            ("Content-Type", response.content_type),
            ("Content-Length", str(len(response.body))),
            ("Cache-Control", response.cache),
            *SECURITY_HEADERS,
        ]
        if response.status == 405:
            headers.append(("Allow", "GET, HEAD, POST"))
        start_response(f"{response.status} {REASONS[response.status]}", headers)
        return [b""] if environ.get("REQUEST_METHOD") == "HEAD" else [response.body]

    def respond(self, environ: dict[str, Any]) -> Response:
        """The response to one request (raises Refused for the error pages)."""
        request = self.request(environ)
        handlers = self.routes.get(request.route)
        if handlers is None:
            raise Refused(404, "Page not found", "There is no page at this address.")
        if request.method in ("GET", "HEAD"):
            return handlers[0](request)
        if request.method != "POST" or len(handlers) < 2:
            return self.message(405, "Not allowed", "This page cannot be sent that way.")
        request.body = read_body(environ)
        return handlers[1](request)

    def request(self, environ: dict[str, Any]) -> Request:
        """The request's parts, once its Host is known to be ours."""
        host = str(environ.get("HTTP_HOST", "")).lower().rstrip(".")
        if not self.host_allowed(host):
            raise Refused(400, "Unknown site", "This server does not answer for that site.")
        path = str(environ.get("PATH_INFO", "")) or "/"
        if self.prefix and (path == self.prefix or path.startswith(self.prefix + "/")):
            path = path[len(self.prefix) :]
        return Request(
            method=str(environ.get("REQUEST_METHOD", "GET")).upper(),
            route=path.strip("/"),
            query=parse_qs(str(environ.get("QUERY_STRING", "")), max_num_fields=20),
            host=host,
            origin=str(environ.get("HTTP_ORIGIN", "")).lower(),
            fetch_site=str(environ.get("HTTP_SEC_FETCH_SITE", "")).lower(),
            client=str(environ.get("REMOTE_ADDR", "")),
            content_type=str(environ.get("CONTENT_TYPE", "")).split(";")[0].strip().lower(),
            errors=log_to(environ),
        )

    def host_allowed(self, host: str) -> bool:
        """Whether `host` (a Host header) names the configured public site; without one,
        only this machine's names (any port)."""
        if self.public_hosts:
            return host in self.public_hosts
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return name in LOCAL_HOSTS

    # -- pages ---------------------------------------------------------------------

    def subscribe_page(self, request: Request, *, error: str = "", status: int = 200) -> Response:
        """The sign-up form."""
        return self.page(
            "page_subscribe.html",
            status=status,
            form=self.form_token("subscribe", ""),
            sections=self.sections(),
            chosen=set(request.form.get("section", [])) if request.form else None,
            email=request.field("email"),
            name=request.field("name"),
            error=error,
        )

    def subscribe(self, request: Request) -> Response:
        """A sign-up: send a confirmation email, whatever is known of the address."""
        self.check_form(request, "subscribe", "")
        if request.field("website"):  # the honeypot: people never see it, robots fill it
            return self.asked()
        if not self.clients.allow(request.client):
            raise Refused(
                429,
                "Too many sign-ups",
                "Too many sign-ups came from your connection. Please try again in an hour.",
            )
        try:
            address = normal_address(request.field("email")[:320])
        except ValueError:
            return self.subscribe_page(
                request, error="Please enter a valid email address.", status=400
            )
        name = " ".join(request.field("name").split())[:MAX_NAME]
        sections = self.chosen(request.form.get("section", []))
        if sections is None:
            return self.subscribe_page(
                request, error="Please tick at least one section.", status=400
            )
        if self.note_sign_up(address, sections):
            expires = self.clock() + self.config.confirm_expiry.total_seconds()
            token = self.signer.sealed(
                {"a": address, "n": name, "s": list(sections)}, CONFIRM, expires=expires
            )
            link = f"{self.base(request)}confirm?token={token}"
            self.outbox.post(address, name, link, request.errors)
        return self.asked()

    def asked(self) -> Response:
        """The one answer every well-formed sign-up gets."""
        return self.message(
            200,
            "Check your inbox",
            "If this address can receive our email, a message with a link to confirm your "
            f"subscription is on its way. The link works for {hours(self.config)}.",
        )

    def note_sign_up(self, address: str, sections: tuple[str, ...]) -> bool:
        """Record a sign-up; False when the address had its share of emails today."""
        since = now_text(self.clock() - 24 * 3600)
        with transaction(self.store()) as db:
            if history.asked_since(db, address, since) >= self.config.signups_per_address:
                return False
            history.record(
                db,
                address,
                at=now_text(self.clock()),
                origin="sign-up",
                status=history.ASKED,
                sections=sections,
            )
        return True

    def confirm_page(self, request: Request) -> Response:
        """A sign-up's link: a button, because opening a link must change nothing."""
        fields, token = self.confirmation(request)
        return self.page(
            "page_confirm.html",
            form=self.form_token("confirm", token),
            token=token,
            email=fields["a"],
            sections=fields["s"],
        )

    def confirm(self, request: Request) -> Response:
        """Activate the address the link names, with the sections it names."""
        fields, token = self.confirmation(request)
        self.check_form(request, "confirm", token)
        with transaction(self.store()) as db:
            save_subscriber(
                db,
                fields["a"],
                name=fields["n"] or None,
                sections=tuple(fields["s"]),
                reactivate=True,
                origin="confirmation",
            )
        return self.page(
            "page_done.html",
            title="You are subscribed",
            text="Thank you: your subscription is confirmed.",
            preferences=self.signer.address_token(fields["a"], PREFERENCES),
        )

    def confirmation(self, request: Request) -> tuple[dict[str, Any], str]:
        """The fields of the request's confirmation token (Refused when it is no good)."""
        token = request.arg("token")
        fields = self.signer.opened(token, CONFIRM, now=self.clock())
        if fields is None or not isinstance(fields.get("a"), str):
            raise Refused(
                400,
                "This link does not work",
                "The confirmation link is not valid, or it has expired. Please sign up again.",
            )
        fields.setdefault("n", "")
        fields["s"] = [name for name in fields.get("s") or () if isinstance(name, str)]
        return fields, token

    def unsubscribe_page(self, request: Request) -> Response:
        """The link in every message: a button, since link scanners open every link."""
        token, address = self.token_address(request, UNSUBSCRIBE)
        return self.page(
            "page_unsubscribe.html",
            token=token,
            email=address,
            preferences=self.signer.address_token(address, PREFERENCES),
        )

    def unsubscribe(self, request: Request) -> Response:
        """RFC 8058 one-click, or the page's button: unsubscribe; the same answer again."""
        _, address = self.token_address(request, UNSUBSCRIBE)
        form = parse_form(request.body) if request.content_type == FORM_TYPE else {}
        origin = "unsubscribe page" if form.get("via") == ["page"] else "one-click"
        with transaction(self.store()) as db:
            unsubscribe_address(db, address, origin=origin)
        return self.page(
            "page_done.html",
            title="You are unsubscribed",
            text="You will get no more issues of the digest. You can sign up again at any time.",
            preferences="",
        )

    def preferences_page(self, request: Request, *, notice: str = "") -> Response:
        """The subscriber's sections, to change, and a way to leave."""
        token, address = self.token_address(request, PREFERENCES)
        found = find(self.store(), address)
        return self.page(
            "page_preferences.html",
            form=self.form_token("preferences", token),
            token=token,
            email=address,
            subscribed=found is not None and found.status == "active",
            sections=self.sections(found),
            chosen=set(found.sections) if found is not None and found.sections else None,
            notice=notice,
        )

    def preferences(self, request: Request) -> Response:
        """Save the sections ticked, or leave."""
        token, address = self.token_address(request, PREFERENCES)
        self.check_form(request, "preferences", token)
        if request.field("action") == "leave":
            with transaction(self.store()) as db:
                unsubscribe_address(db, address, origin="preferences")
            return self.preferences_page(request, notice="You are unsubscribed.")
        found = find(self.store(), address)
        chosen = self.chosen(request.form.get("section", []), found)
        if chosen is None:
            return self.preferences_page(
                request, notice="Please tick at least one section, or leave the list."
            )
        if found is not None and found.status == "active":
            with transaction(self.store()) as db:
                save_subscriber(db, address, name=None, sections=chosen, origin="preferences")
            return self.preferences_page(request, notice="Your sections are saved.")
        return self.preferences_page(request)

    def stylesheet(self, request: Request) -> Response:
        """The pages' one stylesheet (a template, so a newsroom can restyle the pages)."""
        css = self.env.get_template("page.css").render(site=self.config)
        return Response(200, css.encode("utf-8"), "text/css; charset=utf-8", "max-age=3600")

    # -- helpers ---------------------------------------------------------------------

    def token_address(self, request: Request, purpose: str) -> tuple[str, str]:
        """The request's token and the address it was made for (Refused when no good)."""
        token = request.arg("token")
        address = self.signer.address(token, purpose) if token else None
        if address is None:
            raise Refused(
                400,
                "This link does not work",
                "The link is not complete or not valid. Please use the link from your "
                "latest email, or copy all of it into the address bar.",
            )
        return token, address

    def form_token(self, page: str, key: str) -> str:
        """The hidden field that lets this page's form be sent back, from this site only."""
        expires = self.clock() + FORM_SECONDS
        return self.signer.sealed({"p": page, "k": key}, FORM, expires=expires)

    def check_form(self, request: Request, page: str, key: str) -> None:
        """Refuse a form sent from another site, without this page's field, or expired."""
        if request.content_type != FORM_TYPE:
            raise Refused(400, "Not a form", "This page takes its own form only.")
        request.form = parse_form(request.body)
        fields = self.signer.opened(request.field("csrf"), FORM, now=self.clock())
        foreign = request.fetch_site == "cross-site" or (
            request.origin not in ("", "null") and request.origin != self.origin(request)
        )
        if foreign or fields is None or (fields.get("p"), fields.get("k")) != (page, key):
            raise Refused(
                403,
                "Please try again",
                "This form was sent from another site, or the page was open too long. "
                "Please reload the page and send the form again.",
            )

    def origin(self, request: Request) -> str:
        """The scheme and host the pages are served at, as browsers send it in Origin."""
        return self.public_origin if self.public_hosts else f"http://{request.host}"

    def base(self, request: Request) -> str:
        """The pages' public URL, ending in /."""
        return self.config.public_url or f"http://{request.host}/"

    def sections(self, subscriber: Subscriber | None = None) -> tuple[str, ...]:
        """The sections to offer: the configured order, then those of the last build, then
        any the subscriber chose that neither has."""
        names = list(self.config.section_order) + list(self.built_sections())
        if subscriber is not None:
            names += subscriber.sections
        unique: dict[str, str] = {}
        for name in names:
            unique.setdefault(name.casefold(), name)
        return tuple(unique.values())

    def built_sections(self) -> tuple[str, ...]:
        """The sections of the last build's issue (read again when the build changes it)."""
        from digest.send.snapshot import ISSUE_FILE, IssueUnavailable, load_issue

        path = self.config.output / ISSUE_FILE
        try:
            stamp = path.stat().st_mtime
        except OSError:
            return ()
        if stamp != self._sections[0]:
            try:
                _, sections = load_issue(self.config.output)
            except IssueUnavailable:
                return ()
            self._sections = (stamp, tuple(section.name for section in sections))
        return self._sections[1]

    def chosen(
        self, ticked: list[str], subscriber: Subscriber | None = None
    ) -> tuple[str, ...] | None:
        """The sections ticked, among those offered: () when all are, None when none is."""
        offered = self.sections(subscriber)
        picked = tuple(name for name in offered if name in set(ticked))
        if not picked:
            return None if offered else ()
        return () if len(picked) == len(offered) else picked

    def store(self) -> sqlite3.Connection:
        """This thread's connection to the subscribers file."""
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = connect(self.config.subscribers)
            self._local.connection = connection
        return connection

    def page(self, template: str, *, status: int = 200, **context: Any) -> Response:
        """A page rendered from `template` with the site's settings."""
        html = self.env.get_template(template).render(site=self.config, **context)
        return Response(status, html.encode("utf-8"))

    def message(self, status: int, title: str, text: str) -> Response:
        """A page that says one thing (errors, and the answer to a sign-up)."""
        return self.page("page_message.html", status=status, title=title, text=text)


FORM_TYPE = "application/x-www-form-urlencoded"


def read_body(environ: dict[str, Any]) -> bytes:
    """The request body, at most MAX_BODY bytes (Refused with 413 beyond)."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise Refused(400, "Bad request", "The request could not be read.") from None
    if length > MAX_BODY:
        raise Refused(413, "Too large", "The form sent was too large.")
    body: bytes = environ["wsgi.input"].read(length) if length > 0 else b""
    return body


def parse_form(body: bytes) -> dict[str, list[str]]:
    """A urlencoded body's fields (Refused when it is not UTF-8)."""
    try:
        text = body.decode("utf-8")
        return parse_qs(text, keep_blank_values=True, max_num_fields=200)
    except (UnicodeDecodeError, ValueError):
        raise Refused(400, "Bad request", "The form could not be read.") from None


def default_port(parts: SplitResult) -> str:
    """The public URL's host with its scheme's default port written out."""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{(parts.hostname or '').lower()}:{port}"


def hours(config: Config) -> str:
    """The confirmation link's lifetime in words."""
    span = config.confirm_expiry
    if span >= timedelta(days=2) and span % timedelta(days=1) == timedelta(0):
        return f"{span.days} days"
    return plural(round(span.total_seconds() / 3600), "hour")


def log_to(environ: Mapping[str, Any]) -> Callable[[str], None]:
    """A function that writes one line to the server's error log."""
    stream = environ.get("wsgi.errors")
    return (lambda line: stream.write(line + "\n")) if stream is not None else (lambda _: None)


def app_for(config_file: Path | None) -> App:
    """The app for a configuration file (as `digest.web:app` builds it)."""
    from digest.config import load_config
    from digest.send.tokens import secret_from_env

    return App(load_config(config_file), secret=secret_from_env())
