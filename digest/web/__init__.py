"""The subscriber pages (`digest serve`, or `digest.web:app` under any WSGI server).

`digest.web:app` reads its configuration on the first request: the file named by
`DIGEST_CONFIG`, else `digest.toml` in the current folder; `DIGEST_SECRET` signs the links,
as for sending. Importing this package loads nothing else: `digest build` stays light.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "app":
        from digest.web.entry import FirstUse

        globals()["app"] = made = FirstUse()
        return made
    raise AttributeError(f"module 'digest.web' has no attribute {name!r}")
