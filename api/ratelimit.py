"""Wrong-guess counts for the parent look-up, that never lock a family out (issue 13).

Application numbers are public (on the 公示 list), so a limit on look-ups per application let
anyone lock any family out on results evening, and a limit on look-ups per address blocked
whole carrier-NAT and school networks. Now only WRONG guesses are counted (per client address,
per application number), and a look-up with the right receipt code is always answered,
whatever others guessed: the limit only turns the answer to a wrong guess from 404 into 429,
with `Retry-After`. Guessing itself is hopeless: a receipt code holds 80 random bits
(16 Crockford base-32 characters, protocol §4.3).

The clock is an argument so tests are exact; one process holds the counts (a deployment with
several workers keeps them per worker, which only makes the limit looser by the number of
workers).
"""

from __future__ import annotations

import math
import threading
from collections import deque

__all__ = ["WrongGuessCounter"]

_KEYS_KEPT = 100_000


class WrongGuessCounter:
    """Wrong guesses per key within the last `window` seconds; over `limit` is over the limit."""

    def __init__(self, *, limit: int, window: float) -> None:
        self._limit = limit
        self._window = window
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def count(self, key: str, *, now: float) -> int:
        """Count one wrong guess for `key`; the seconds to wait before the next is counted
        under the limit (0 while under it)."""
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self._window:
                hits.popleft()
            hits.append(now)
            if len(self._hits) > _KEYS_KEPT:
                self._forget_idle(now)
            if len(hits) <= self._limit:
                return 0
            # The guess that falls out of the window first frees a place under the limit.
            oldest_counted = hits[len(hits) - self._limit - 1]
            return max(1, math.ceil(oldest_counted + self._window - now))

    def _forget_idle(self, now: float) -> None:
        idle = [k for k, h in self._hits.items() if not h or h[-1] <= now - self._window]
        for key in idle:
            del self._hits[key]
