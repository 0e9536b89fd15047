"""The sign-up's confirmation email, sent through the `[send]` SMTP server.

Sent by one thread of its own (`Outbox`), never by the thread answering the request: a slow
or unreachable SMTP server cannot hold the pages' threads, which one-click unsubscribes
need, and the answer to a sign-up takes as long whether an email goes or not. At most
`QUEUE` emails wait; past that a sign-up is logged and dropped (the per-client and
per-address limits keep honest use far below it). Plain text, from the `confirm_email.txt`
template. The name and address reach the headers
only through the email package's policy, after `header_text` made them one line: neither
can add a header. A failure is logged (without the address) and not shown to the visitor,
who gets the same answer either way.
"""

from __future__ import annotations

import queue
import smtplib
import threading
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
from digest.send.smtp import send_one, server_from


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
        outcome = send_one(server, address, message)
    except (DigestError, OSError, smtplib.SMTPException) as error:
        log(f"digest serve: a confirmation email was not sent: {error}")
        return False
    if outcome.kind != "sent":
        log(f"digest serve: a confirmation email was not sent: {outcome.reply}")
    return outcome.kind == "sent"


QUEUE = 200


class Outbox:
    """Confirmation emails waiting for the one thread that sends them; the thread runs
    while there are some, and ends when the queue is empty."""

    def __init__(self, config: Config, env: jinja2.Environment) -> None:
        self.config = config
        self.env = env
        self._queue: queue.Queue[tuple[str, str, str, Callable[[str], None]]] = queue.Queue(QUEUE)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def post(self, address: str, name: str, link: str, log: Callable[[str], None]) -> bool:
        """Queue one confirmation; False (logged) when the queue is full."""
        with self._lock:
            try:
                self._queue.put_nowait((address, name, link, log))
            except queue.Full:
                log("digest serve: a confirmation email was dropped: too many are waiting")
                return False
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="outbox", daemon=True)
                self._thread.start()
        return True

    def join(self) -> None:
        """Wait until every queued email was sent or given up, and the thread has ended."""
        self._queue.join()
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join()

    def _work(self) -> None:
        while True:
            with self._lock:
                if self._queue.empty():
                    self._thread = None
                    return
                address, name, link, log = self._queue.get_nowait()
            try:
                send_confirmation(self.config, self.env, address, name, link, log)
            except Exception as error:  # a bug must not stop the thread: later ones still go
                log(f"digest serve: a confirmation email was not sent: {error!r}")
            finally:
                self._queue.task_done()
