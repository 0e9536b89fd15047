"""Each subscriber's message, rendered once per distinct set of sections, then personalised.

An `Edition` is the digest for one set of sections, rendered by the build's own code
(`mail.render.email_parts`: templates, premailer, the size budget; `mail.mime.build_message`:
the MIME message) with a random marker where the unsubscribe token goes. Personalising it
for a subscriber touches no template and no HTML: the marker is replaced by their token
(base64url and dots, which need no escaping in HTML, a URL, a header or quoted-printable),
and `To:` and `Message-ID:` are put in front of the edition's headers. A name and address
of plain ASCII words are written into `To:` as they are; anything else goes through
`mail.mime.header_lines`, the policy that quotes and encodes the build's own headers. A
name or an address can therefore never add a header, and never reaches the HTML at all.

In the quoted-printable parts the encoder may have split the marker with soft line breaks
(`=` CRLF); the pattern allows for them, and the token goes in on lines of its own, so no
line grows past quoted-printable's 76 characters.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from email.headerregistry import Address
from urllib.parse import urlsplit

from digest.config import Config
from digest.mail.mime import build_message, header_lines, header_text
from digest.mail.render import digest_context, email_parts
from digest.models import IssueRecord, Section
from digest.sources.articles import name_slug
from digest.templates import environment

CACHED_EDITIONS = 16
"""Editions kept at once; subscribers are sent in order of their sections, so one or two
are in use at any time, and memory does not grow with the number of section sets."""
QP_LINE = 72
"""Characters of a token per quoted-printable line (the limit is 76 with the `=`)."""
PERSONAL_HEADERS = frozenset({b"to", b"message-id"})


@dataclass(frozen=True)
class Edition:
    """The digest for one set of sections, waiting for a subscriber's headers and token."""

    sections: tuple[str, ...]  # slugs of the sections it shows
    stories: int
    subject: str
    head: bytes  # the message's header lines but To and Message-ID; the marker in List-Unsubscribe
    body: bytes  # everything after the headers; the marker in both parts


@dataclass(frozen=True)
class Recipient:
    """Whom one message is for."""

    address: str
    name: str
    token: str


class Editions:
    """The editions of one issue, each rendered once, for any subscriber's choice of sections.

    Safe to share between threads: a second thread asking for an edition being rendered
    waits for it.
    """

    def __init__(self, sections: Sequence[Section], *, config: Config, issue: IssueRecord):
        self.issue = issue
        self.marker = "DIGESTTOKEN" + secrets.token_hex(12).upper()  # [A-Z0-9]: never encoded
        url = config.token_url.replace("{token}", self.marker)
        self._config = replace(config, unsubscribe_url=url)
        self._sections = tuple(sections)
        self._env = environment(config.templates)
        host = urlsplit(config.base_url).hostname or "localhost"
        self._host = host.encode("idna").decode("ascii")
        self.list_id = config.list_name
        self._lock = threading.Lock()
        self._cache: OrderedDict[tuple[str, ...], Edition] = OrderedDict()
        marker = self.marker.encode("ascii")
        self._in_body = re.compile(b"(?:=\r\n)?".join(re.escape(bytes([c])) for c in marker))

    def shown(self, chosen: Sequence[str]) -> tuple[Section, ...]:
        """The issue's sections a subscriber who chose `chosen` (names; none = all) gets."""
        if not chosen:
            return self._sections
        folded = {name.casefold() for name in chosen}
        slugs = {name_slug(name) for name in chosen}
        return tuple(
            section
            for section in self._sections
            if section.slug in slugs or section.name.casefold() in folded
        )

    def edition(self, chosen: Sequence[str]) -> Edition | None:
        """The edition for a subscriber's choice; None when none of their sections has news."""
        shown = self.shown(chosen)
        if not shown:
            return None
        key = tuple(section.slug for section in shown)
        with self._lock:
            found = self._cache.get(key)
            if found is None:
                found = self._render(shown)
                self._cache[key] = found
                while len(self._cache) > CACHED_EDITIONS:
                    self._cache.popitem(last=False)
            self._cache.move_to_end(key)
            return found

    def _render(self, shown: tuple[Section, ...]) -> Edition:
        context = digest_context(shown, config=self._config, issue=self.issue)
        subject, text, html, _ = email_parts(
            shown, config=self._config, env=self._env, context=context
        )
        whole = build_message(
            text=text, html=html, subject=subject, config=self._config, issue=self.issue
        )
        head, _, body = whole.partition(b"\r\n\r\n")
        fields = re.split(rb"\r\n(?=[^ \t])", head)
        kept = [f for f in fields if f.split(b":", 1)[0].strip().lower() not in PERSONAL_HEADERS]
        kept.append(
            header_lines([("List-Id", f"{header_text(self._config.title)} <{self.list_id}>")])
        )
        return Edition(
            sections=tuple(section.slug for section in shown),
            stories=sum(len(section.stories) for section in shown),
            subject=subject,
            head=b"\r\n".join(kept),
            body=body,
        )

    def message(self, edition: Edition, recipient: Recipient) -> bytes:
        """`edition` for one recipient: their headers and token, as CRLF bytes."""
        token = recipient.token.encode("ascii")
        if not _TOKEN.fullmatch(token):
            raise ValueError(f"not a token: {recipient.token!r}")
        identity = hashlib.sha256(f"{self.list_id}\0{recipient.address}".encode()).hexdigest()
        message_id = (
            f"<digest.{self.issue.date}.{self.issue.number or 0}.{identity[:24]}@{self._host}>"
        )
        personal = _to_line(recipient) + f"Message-ID: {message_id}\r\n".encode("ascii")
        head = edition.head.replace(self.marker.encode("ascii"), token)
        body = self._in_body.sub(lambda _: _qp_lines(token), edition.body)
        return personal + head + b"\r\n" + body


_TOKEN = re.compile(rb"[A-Za-z0-9_.-]+")
_ATOMS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]*")
"""A display name that needs neither quoting nor encoding: RFC 5322 atext and spaces."""
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9.-]+")
LINE_LIMIT = 78


def _to_line(recipient: Recipient) -> bytes:
    """The `To:` line. A plain ASCII name and address are written as they are (the common
    case, and a fast one); anything else goes through the email policy, which quotes and
    encodes it. Neither way can a line break or a bracket reach the header."""
    name = header_text(recipient.name)
    if _ATOMS.fullmatch(name) and _PLAIN_ADDRESS.fullmatch(recipient.address):
        line = f"To: {name} <{recipient.address}>" if name else f"To: {recipient.address}"
        if len(line) <= LINE_LIMIT:
            return line.encode("ascii") + b"\r\n"
    return header_lines([("To", Address(display_name=name, addr_spec=recipient.address))])


def _qp_lines(token: bytes) -> bytes:
    """`token` on lines of its own between soft line breaks (decoded, they vanish)."""
    chunks = [token[start : start + QP_LINE] for start in range(0, len(token), QP_LINE)]
    return b"=\r\n" + b"=\r\n".join(chunks) + b"=\r\n"
