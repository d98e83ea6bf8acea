"""In-memory sliding-window rate limits for the parent look-up.

A limit is a number of attempts per key (client IP, or application number) within a window of
seconds. The clock is an argument so tests are exact; one process holds the counts (a
deployment with several workers keeps them per worker, which only makes the limit looser by
the number of workers).
"""

from __future__ import annotations

import threading
from collections import deque

from api.errors import RateLimited

__all__ = ["SlidingWindowLimiter"]


class SlidingWindowLimiter:
    """At most `limit` hits per key in any `window` seconds."""

    def __init__(self, *, limit: int, window: float, what: tuple[str, str]) -> None:
        self._limit = limit
        self._window = window
        self._what = what
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, *, now: float) -> None:
        """Count one attempt for `key`; raise `RateLimited` if it is over the limit."""
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self._window:
                hits.popleft()
            if len(hits) >= self._limit:
                raise RateLimited(
                    f"{self._what[0]}查询过于频繁, 请稍后再试",
                    f"too many look-ups {self._what[1]}; try again later",
                )
            hits.append(now)
            if len(self._hits) > 100_000:
                self._forget_idle(now)

    def _forget_idle(self, now: float) -> None:
        idle = [k for k, h in self._hits.items() if not h or h[-1] <= now - self._window]
        for key in idle:
            del self._hits[key]
