"""The fixed-window request limiter, on a fake clock."""

from __future__ import annotations

import pytest

from conformance.emulator.ratelimit import FixedWindowLimiter

from .conftest import FakeClock


def test_allows_the_limit_then_refuses_with_the_seconds_left(clock: FakeClock) -> None:
    limiter = FixedWindowLimiter(3, 10.0, clock)
    assert [limiter.acquire("k") for _ in range(3)] == [None, None, None]
    assert limiter.acquire("k") == 10
    clock.advance(2.5)
    assert limiter.acquire("k") == 8  # 7.5 s left, rounded up


def test_the_wait_is_at_least_one_second(clock: FakeClock) -> None:
    limiter = FixedWindowLimiter(1, 10.0, clock)
    limiter.acquire("k")
    clock.advance(9.99)
    assert limiter.acquire("k") == 1


def test_a_new_window_opens_after_the_old_one(clock: FakeClock) -> None:
    limiter = FixedWindowLimiter(1, 2.0, clock)
    assert limiter.acquire("k") is None
    assert limiter.acquire("k") == 2
    clock.advance(2.0)
    assert limiter.acquire("k") is None


def test_keys_are_limited_separately(clock: FakeClock) -> None:
    limiter = FixedWindowLimiter(1, 10.0, clock)
    assert limiter.acquire(("key", "a")) is None
    assert limiter.acquire(("key", "b")) is None
    assert limiter.acquire(("key", "a")) == 10


def test_wait_hint_does_not_count(clock: FakeClock) -> None:
    limiter = FixedWindowLimiter(1, 10.0, clock)
    assert limiter.wait_hint("k") == 10
    assert limiter.acquire("k") is None


@pytest.mark.parametrize(("limit", "window"), [(0, 1.0), (1, 0.0)])
def test_a_meaningless_limit_is_refused(limit: int, window: float, clock: FakeClock) -> None:
    with pytest.raises(ValueError, match="limit >= 1"):
        FixedWindowLimiter(limit, window, clock)
