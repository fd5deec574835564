"""The quota: one pool per model, metered per window in requests, uncached input tokens and
output tokens, as Foundry meters Claude (at subscription level, not per caller).

A pool's window opens at its first request and lasts the quota model's window. A request is
admitted while every counter of its pool is below its limit (and counts as one request); the
tokens an answer used are charged once it is known, so a pool may overrun its token limits by
one answer, and the next request waits for the window to end. Not thread-safe on its own: the
emulator calls it under its lock.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from ..core.platform import Quota

# The counters, in the order they are judged; the names key the profile's ``quota.counters``.
COUNTERS = ("requests", "input_tokens", "output_tokens")


@dataclass
class _Window:
    start: float
    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0


@dataclass(frozen=True)
class Throttled:
    """A refused request: which counter is spent, its limit, and whole seconds to wait."""

    counter: str
    limit: int
    wait_s: int


class QuotaPools:
    """Fixed windows of ``window_s`` seconds, one per pool."""

    def __init__(self, window_s: float, clock: Callable[[], float]) -> None:
        if window_s <= 0:
            raise ValueError(f"a quota window must be longer than 0 s, got {window_s}")
        self.window_s = window_s
        self._clock = clock
        self._windows: dict[Hashable, _Window] = {}

    def _window(self, pool: Hashable) -> _Window:
        now = self._clock()
        window = self._windows.get(pool)
        if window is None or now >= window.start + self.window_s:
            window = self._windows[pool] = _Window(now)
        return window

    def wait_hint(self, pool: Hashable) -> int:
        """Whole seconds (at least 1) until the current window of ``pool`` ends."""
        window = self._window(pool)
        return max(1, math.ceil(window.start + self.window_s - self._clock()))

    def usage(self, pool: Hashable) -> dict[str, int]:
        """What ``pool`` has used in its current window, per counter."""
        window = self._window(pool)
        return {name: getattr(window, name) for name in COUNTERS}

    def admit(self, pool: Hashable, limits: Quota) -> Throttled | None:
        """Count one request of ``pool``: ``None`` if it is admitted, else why it is not."""
        window = self._window(pool)
        for name, limit in zip(COUNTERS, (limits.rpm, limits.itpm, limits.otpm), strict=True):
            if getattr(window, name) >= limit:
                return Throttled(name, limit, self.wait_hint(pool))
        window.requests += 1
        return None

    def charge(self, pool: Hashable, input_tokens: int, output_tokens: int) -> None:
        """Charge the tokens an admitted request used to ``pool``'s current window."""
        window = self._window(pool)
        window.input_tokens += input_tokens
        window.output_tokens += output_tokens
