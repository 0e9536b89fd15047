"""`digest.web:app`, for any WSGI server: the app made on the first request."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from digest.web.app import App, StartResponse, app_for

CONFIG_VARIABLE = "DIGEST_CONFIG"


class FirstUse:
    """The WSGI app, made from the configuration when the first request comes; a
    configuration error is raised (and logged by the server) until it is fixed."""

    def __init__(self) -> None:
        self._app: App | None = None
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        with self._lock:
            if self._app is None:
                named = os.environ.get(CONFIG_VARIABLE)
                self._app = app_for(Path(named) if named else None)
        return self._app(environ, start_response)
