"""digest.eml: a deterministic multipart/alternative message, safe against header injection.

Text first, HTML last, both UTF-8 in quoted-printable (lines stay under 78 characters). The
Message-ID and the MIME boundary are derived from the content, so the same digest gives the
same bytes. Every header value passes through `header_text`, and `email.policy.SMTP` encodes
non-ASCII as RFC 2047 words: a headline cannot add or break a header.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from email.header import Header
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime
from urllib.parse import urlsplit

from digest.config import Config
from digest.feeds.model import uri
from digest.models import IssueRecord, Section

_SPACE = re.compile(r"\s+")


class _Policy(EmailPolicy):
    """SMTP policy that folds the Subject and List-Unsubscribe headers its own way.

    The modern folder can drop a space that falls where it splits a long non-ASCII
    subject into encoded words (the space ends up as folding whitespace, which decoders
    discard); `Header` encodes the spaces inside the words, so the text survives exactly.
    And it encodes any header it cannot fold at a space within the line length, which
    would hide a long unsubscribe URL from the mail providers that act on it.
    """

    def fold(self, name: str, value: str) -> str:
        folder = _FOLDERS.get(name.lower())
        return str(super().fold(name, value)) if folder is None else folder(self, name, value)

    def fold_binary(self, name: str, value: str) -> bytes:
        if name.lower() not in _FOLDERS:
            return super().fold_binary(name, value)
        return self.fold(name, value).encode("ascii")


def _fold_subject(policy: EmailPolicy, name: str, value: str) -> str:
    """The Subject, encoded by `email.header.Header` when it needs to be."""
    encoded = Header(str(value), "utf-8", header_name=name).encode(linesep=policy.linesep)
    return f"{name}: {encoded}{policy.linesep}"


_ENTRY = re.compile(r"<[^<>]*>")


def _fold_url_list(policy: EmailPolicy, name: str, value: str) -> str:
    """An RFC 2369 list of `<URL>`s (ASCII, see `_header_url`), never encoded: folded only
    between entries, each kept whole on its line however long it is."""
    entries = _ENTRY.findall(str(value))
    limit = policy.max_line_length
    lines = [f"{name}: {entries[0]}"]
    for entry in entries[1:]:
        lines[-1] += ","
        if limit is None or len(lines[-1]) + 1 + len(entry) <= limit:
            lines[-1] += f" {entry}"
        else:
            lines.append(f" {entry}")
    return policy.linesep.join(lines) + policy.linesep


_FOLDERS = {"subject": _fold_subject, "list-unsubscribe": _fold_url_list}
_SMTP = _Policy(linesep="\r\n")  # email.policy.SMTP, with those two headers folded our way


def header_text(value: str) -> str:
    """One line of text fit for a header: control characters and line breaks become spaces."""
    cleaned = "".join(_header_char(char) for char in value)
    return _SPACE.sub(" ", cleaned).strip()


def _header_char(char: str) -> str:
    """Spaces and control characters (CR, LF, tab, U+2028…) → a space; invisible format
    characters (soft hyphen, bidi marks), private-use and unassigned ones → nothing."""
    category = unicodedata.category(char)
    if category == "Cc" or category[0] == "Z":
        return " "
    return "" if category[0] == "C" else char


def subject_line(config: Config, sections: Sequence[Section], issue: IssueRecord) -> str:
    """The configured subject with {title} {date} {count} {stories} {headline} {issue} filled in.

    `{stories}` is the count with its noun: "1 story", "9 stories".
    """
    stories = [story for section in sections for story in section.stories]
    local = issue.sent_at.astimezone(config.zone)
    return header_text(
        config.subject.format(
            title=config.title,
            date=local.strftime("%-d %B %Y"),
            count=len(stories),
            stories=f"{len(stories)} {'story' if len(stories) == 1 else 'stories'}",
            headline=stories[0].article.title if stories else "",
            issue="" if issue.number is None else issue.number,
        )
    )


def build_message(
    *, text: str, html: str, subject: str, config: Config, issue: IssueRecord
) -> bytes:
    """The whole message as CRLF bytes, ready for an MTA."""
    host = urlsplit(config.base_url).hostname or "localhost"
    date = format_datetime(issue.sent_at.astimezone(config.zone))
    fingerprint = hashlib.sha256(
        "\0".join((subject, date, host, text, html)).encode("utf-8")
    ).hexdigest()
    message = EmailMessage(policy=_SMTP)
    message["Subject"] = header_text(subject)
    message["From"] = header_text(config.sender)
    message["To"] = header_text(config.recipient)
    message["Date"] = date
    message["Message-ID"] = f"<digest.{issue.date}.{fingerprint[:24]}@{host}>"
    unsubscribe = _unsubscribe_targets(config)
    if unsubscribe:
        message["List-Unsubscribe"] = ", ".join(f"<{target}>" for target in unsubscribe)
    if config.unsubscribe_url.startswith("https://"):
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    message.set_boundary(f"=_digest_{fingerprint[24:56]}")
    return message.as_bytes()


def header_lines(fields: Sequence[tuple[str, object]]) -> bytes:
    """Header fields as CRLF lines, folded and encoded as `build_message` does its own:
    a value (a display name, say) can never add or break a header."""
    message = EmailMessage(policy=_SMTP)
    for name, value in fields:
        message[name] = value
    return message.as_bytes()[: -len(b"\r\n")]  # without the blank line after the headers


def _unsubscribe_targets(config: Config) -> list[str]:
    """The one-click URL (RFC 8058 wants https) and the mailto, when configured."""
    targets = []
    if config.unsubscribe_url:
        targets.append(_header_url(config.unsubscribe_url))
    if config.unsubscribe_mailto:
        targets.append(f"mailto:{_header_url(config.unsubscribe_mailto)}?subject=unsubscribe")
    return targets


def _header_url(url: str) -> str:
    """`url` as a URI (see `feeds.model.uri`): printable ASCII with no angle brackets, so
    the header needs no encoding to carry it."""
    return uri(header_text(url))
