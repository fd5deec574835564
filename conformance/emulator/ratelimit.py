"""The gateway's request-rate limit: a fixed window per (identity, deployment)."""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable


class FixedWindowLimiter:
    """``limit`` requests per ``window_s`` seconds per key; a window opens at a key's first request.

    Not thread-safe on its own: the emulator calls it under its lock.
    """

    def __init__(self, limit: int, window_s: float, clock: Callable[[], float]) -> None:
        if limit < 1 or window_s <= 0:
            raise ValueError(
                f"a rate limit needs limit >= 1 and window > 0, got {limit} per {window_s}s"
            )
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._windows: dict[Hashable, tuple[float, int]] = {}

    def _window(self, key: Hashable) -> tuple[float, int]:
        now = self._clock()
        start, count = self._windows.get(key, (now, 0))
        if now >= start + self.window_s:
            start, count = now, 0
        self._windows[key] = (start, count)
        return start, count

    def wait_hint(self, key: Hashable) -> int:
        """Whole seconds (at least 1) until the current window of ``key`` ends."""
        start, _ = self._window(key)
        return max(1, math.ceil(start + self.window_s - self._clock()))

    def acquire(self, key: Hashable) -> int | None:
        """Count a request: ``None`` if it is allowed, else the seconds to wait."""
        start, count = self._window(key)
        if count >= self.limit:
            return self.wait_hint(key)
        self._windows[key] = (start, count + 1)
        return None
