"""`digest serve`: the subscriber pages on waitress, a production WSGI server.

waitress is pure Python (nothing to compile on the newsroom's server), has no
dependencies of its own, is maintained under the Pylons project and runs on every
platform digest does; it buffers each request before the app sees it and caps headers
and bodies, so a slow or oversized client ties up no worker thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from digest.commandline import CONFIG
from digest.commandline import fail as _fail
from digest.commandline import load as _config
from digest.errors import DigestError

THREADS = 4
"""Worker threads: SQLite takes one writer at a time, so more would only queue."""


def listen(application: Any, host: str, port: int) -> Any:
    """A waitress server for `application` on host:port (0: any free port), not yet run:
    `.run()` serves until interrupted, `.effective_port` is the port, `.close()` stops."""
    import waitress

    from digest.web.app import MAX_BODY

    return waitress.create_server(
        application,
        host=host,
        port=port,
        threads=THREADS,
        ident="digest",
        max_request_body_size=4 * MAX_BODY,  # bigger bodies are refused before they are read
        max_request_header_size=32_768,
    )


@click.command("serve", epilog="Example: digest serve --host 127.0.0.1 --port 8080")
@CONFIG
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="Port (0: any)."
)
def serve(config_file: Path | None, host: str, port: int) -> None:
    """Serve the subscriber pages: sign up, confirm, sections, unsubscribe (RFC 8058).

    Run it behind the newsroom's web server, which forwards web.public_url to it.
    DIGEST_SECRET signs the links, as for `digest send`; confirmation emails go out
    through the [send] SMTP settings. Ctrl-C stops it.
    """
    from digest.send.tokens import secret_from_env
    from digest.web.app import App

    config = _config(config_file)
    try:
        application = App(config, secret=secret_from_env())
        application.store()  # a subscribers file that cannot be opened fails here, not later
    except DigestError as error:
        _fail(error)
    try:
        server = listen(application, host, port)
    except OSError as error:
        raise click.UsageError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    where = f"http://{host}:{server.effective_port}/"
    click.echo(f"digest: subscriber pages at {where}  (Ctrl-C to stop)")
    if not config.public_url:
        click.echo(
            "digest: warning: web.public_url is not set: the pages answer only to "
            "localhost, and links in emails point here",
            err=True,
        )
    server.run()  # until Ctrl-C, which waitress takes as the signal to stop
    click.echo("digest: stopped", err=True)
