"""SMTP: connecting as `[send]` says, one transaction's outcome, and a shared rate.

`transmit` sorts every way a transaction can end into four outcomes: the server took the
message (`sent`), refused it for now (`temporary`, a 4xx reply: try again later), refused
it for good (`permanent`, 5xx: recorded with the reply), or the connection was lost or
timed out before it answered (`dropped`: reconnect and try again). A refused sender or a
failed login is no subscriber's fault: `ServerRefused` stops the send.
"""

from __future__ import annotations

import os
import smtplib
import ssl
import threading
import time
from dataclasses import dataclass
from email.utils import parseaddr

from digest.config import Config
from digest.errors import ConfigError, DigestError

PASSWORD_VARIABLE = "DIGEST_SMTP_PASSWORD"


class ServerRefused(DigestError):
    """The server refused the login or the sender: no message can go through it."""


@dataclass(frozen=True)
class Server:
    """Where and how to connect; `password` comes from the environment only."""

    host: str
    port: int
    security: str
    user: str
    password: str
    timeout: float
    sender: str  # the envelope sender (MAIL FROM)

    def __repr__(self) -> str:  # never print the password
        return f"Server({self.host}:{self.port}, {self.security}, user={self.user!r})"


def server_from(config: Config) -> Server:
    """The `[send]` server; ConfigError (exit 2) when a login has no password to use."""
    password = os.environ.get(PASSWORD_VARIABLE, "")
    if config.smtp_user and not password:
        raise ConfigError(
            [
                f"send.smtp_user is {config.smtp_user!r} but {PASSWORD_VARIABLE} is not set: "
                "put the SMTP password in that environment variable (never in digest.toml)"
            ]
        )
    sender = parseaddr(config.sender)[1]
    if "@" not in sender:
        raise ConfigError(
            [f"email.sender {config.sender!r} has no address to send from, e.g. 'Name <a@b.org>'"]
        )
    return Server(
        config.smtp_host,
        config.smtp_port,
        config.smtp_security,
        config.smtp_user,
        password,
        config.smtp_timeout or 86_400.0,  # 0: as long as it takes (a day)
        sender,
    )


def connect(server: Server) -> smtplib.SMTP:
    """An open, logged-in connection. Raises OSError or smtplib.SMTPException when the
    server cannot be reached, ServerRefused when it refuses the login."""
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if server.security == "tls":
        smtp = smtplib.SMTP_SSL(server.host, server.port, timeout=server.timeout, context=context)
    else:
        smtp = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
    try:
        smtp.ehlo()
        if server.security == "starttls":
            smtp.starttls(context=context)
            smtp.ehlo()
        if server.user:
            smtp.login(server.user, server.password)
    except smtplib.SMTPAuthenticationError as error:
        close(smtp)
        reply = _reply(error.smtp_code, error.smtp_error)
        raise ServerRefused(f"{server.host}:{server.port} refused the login: {reply}") from None
    except BaseException:
        close(smtp)
        raise
    return smtp


def close(smtp: smtplib.SMTP | None) -> None:
    """Say goodbye if the connection still listens; drop it either way."""
    if smtp is None:
        return
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


@dataclass(frozen=True)
class Outcome:
    """How one transaction ended: 'sent', 'temporary', 'permanent' or 'dropped'."""

    kind: str
    reply: str = ""


def _reply(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
    return f"{code} {' '.join(text.split())}"


def _answer(code: int, message: bytes | str) -> Outcome:
    kind = "temporary" if 400 <= code < 500 else "permanent"
    return Outcome(kind, _reply(code, message))


def transmit(smtp: smtplib.SMTP, server: Server, recipient: str, message: bytes) -> Outcome:
    """Send `message` to `recipient` in one SMTP transaction and say how it ended."""
    try:
        smtp.sendmail(server.sender, [recipient], message)
    except smtplib.SMTPRecipientsRefused as error:
        code, text = next(iter(error.recipients.values()))
        return _answer(code, text)
    except smtplib.SMTPSenderRefused as error:
        if 400 <= error.smtp_code < 500:
            return _answer(error.smtp_code, error.smtp_error)
        raise ServerRefused(
            f"{server.host}:{server.port} refused the sender {server.sender}: "
            f"{_reply(error.smtp_code, error.smtp_error)}"
        ) from None
    except smtplib.SMTPResponseException as error:  # DATA refused, or refused after it
        if error.smtp_code < 400:  # e.g. -1: a reply that is no reply
            return Outcome("dropped", _reply(error.smtp_code, error.smtp_error))
        return _answer(error.smtp_code, error.smtp_error)
    except (smtplib.SMTPException, OSError) as error:  # disconnected, timed out, reset
        return Outcome("dropped", f"connection lost: {error or type(error).__name__}")
    return Outcome("sent")


def send_one(server: Server, recipient: str, message: bytes) -> Outcome:
    """Send one message on a connection of its own. Raises as `connect` does."""
    smtp = connect(server)
    try:
        return transmit(smtp, server, recipient, message)
    finally:
        close(smtp)


class Rate:
    """At most `per_second` messages a second over every thread that shares it; 0: no limit."""

    def __init__(self, per_second: float) -> None:
        self._gap = 1.0 / per_second if per_second > 0 else 0.0
        self._next = time.monotonic()
        self._lock = threading.Lock()

    def wait(self) -> None:
        """Block until this thread's message may go."""
        if not self._gap:
            return
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next)
            self._next = slot + self._gap
        time.sleep(max(0.0, slot - now))
