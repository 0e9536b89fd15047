"""The sign-up's confirmation email, sent through the `[send]` SMTP server.

Plain text, from the `confirm_email.txt` template. The name and address reach the headers
only through the email package's policy, after `header_text` made them one line: neither
can add a header. A failure is logged (without the address) and not shown to the visitor,
who gets the same answer either way.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from urllib.parse import urlsplit

import jinja2

from digest.config import Config
from digest.errors import DigestError
from digest.mail.mime import header_text
from digest.send.smtp import close, connect, server_from, transmit


def confirmation(
    config: Config, env: jinja2.Environment, address: str, name: str, link: str
) -> bytes:
    """The confirmation message for `address`, as CRLF bytes."""
    host = urlsplit(config.base_url).hostname or "localhost"
    message = EmailMessage()
    message["Subject"] = header_text(f"Confirm your subscription to {config.title}")
    message["From"] = header_text(config.sender)
    local, _, domain = address.rpartition("@")
    message["To"] = Address(display_name=header_text(name), username=local, domain=domain)
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid("confirm", domain=host)
    message["Auto-Submitted"] = "auto-generated"
    text = env.get_template("confirm_email.txt").render(site=config, link=link, name=name)
    message.set_content(text, charset="utf-8", cte="quoted-printable")
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


def send_confirmation(
    config: Config,
    env: jinja2.Environment,
    address: str,
    name: str,
    link: str,
    log: Callable[[str], None],
) -> bool:
    """Send the confirmation; False (and a line in the log) when it could not go."""
    try:
        server = server_from(config)
        message = confirmation(config, env, address, name, link)
        smtp = connect(server)
    except (DigestError, OSError, smtplib.SMTPException) as error:
        log(f"digest serve: a confirmation email was not sent: {error}")
        return False
    try:
        outcome = transmit(smtp, server, address, message)
    finally:
        close(smtp)
    if outcome.kind != "sent":
        log(f"digest serve: a confirmation email was not sent: {outcome.reply}")
    return outcome.kind == "sent"
