"""The per-client limit on sign-ups: a sliding window of times per client, in memory.

Kept in the process (one `digest serve`, or each worker of a WSGI server): a client that
posts too often gets a 429 page until its oldest sign-up leaves the window. The per-address
limit is in the subscribers file instead (history.asked_since), where every worker sees it.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

MAX_CLIENTS = 10_000
"""Clients remembered at most; beyond that the idlest are forgotten (memory stays bounded)."""


class Window:
    """At most `limit` events per client in any `seconds`."""

    def __init__(
        self, limit: int, seconds: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.seconds = seconds
        self._clock = clock
        self._times: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        """Count one event for `client`; False (not counted) when it is over the limit."""
        with self._lock:
            now = self._clock()
            times = self._times.pop(client, None) or deque()
            while times and times[0] <= now - self.seconds:
                times.popleft()
            allowed = len(times) < self.limit
            if allowed:
                times.append(now)
            self._times[client] = times  # re-inserted: the dict is oldest-used first
            while len(self._times) > MAX_CLIENTS:
                del self._times[next(iter(self._times))]
            return allowed
