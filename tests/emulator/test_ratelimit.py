"""The quota pools: requests, uncached input tokens and output tokens per window, on a fake clock."""

from __future__ import annotations

import pytest

from conformance.core.platform import Quota
from conformance.emulator.ratelimit import QuotaPools, Throttled

from .conftest import FakeClock

ROOMY = Quota(rpm=100, itpm=1000, otpm=1000)


def test_allows_the_requests_limit_then_refuses_with_the_seconds_left(clock: FakeClock) -> None:
    pools = QuotaPools(10.0, clock)
    limits = Quota(rpm=3, itpm=1000, otpm=1000)
    assert [pools.admit("p", limits) for _ in range(3)] == [None, None, None]
    assert pools.admit("p", limits) == Throttled("requests", 3, 10)
    clock.advance(2.5)
    assert pools.admit("p", limits) == Throttled("requests", 3, 8)  # 7.5 s left, rounded up


def test_tokens_are_charged_after_the_answer_and_spend_their_counter(clock: FakeClock) -> None:
    pools = QuotaPools(60.0, clock)
    limits = Quota(rpm=100, itpm=50, otpm=20)
    assert pools.admit("p", limits) is None
    pools.charge("p", input_tokens=30, output_tokens=25)  # one answer may overrun the limit
    assert pools.usage("p") == {"requests": 1, "input_tokens": 30, "output_tokens": 25}
    assert pools.admit("p", limits) == Throttled("output_tokens", 20, 60)
    assert pools.admit("p", Quota(rpm=100, itpm=30, otpm=1000)) == Throttled("input_tokens", 30, 60)


def test_the_counters_are_judged_in_order(clock: FakeClock) -> None:
    pools = QuotaPools(60.0, clock)
    assert pools.admit("p", Quota(0, 0, 0)) == Throttled("requests", 0, 60)
    assert pools.usage("p") == {"requests": 0, "input_tokens": 0, "output_tokens": 0}


def test_the_wait_is_at_least_one_second(clock: FakeClock) -> None:
    pools = QuotaPools(10.0, clock)
    pools.admit("p", Quota(1, 10, 10))
    clock.advance(9.99)
    assert pools.admit("p", Quota(1, 10, 10)) == Throttled("requests", 1, 1)


def test_a_new_window_opens_after_the_old_one_with_fresh_counters(clock: FakeClock) -> None:
    pools = QuotaPools(2.0, clock)
    pools.admit("p", ROOMY)
    pools.charge("p", 900, 900)
    clock.advance(2.0)
    assert pools.usage("p") == {"requests": 0, "input_tokens": 0, "output_tokens": 0}
    assert pools.admit("p", ROOMY) is None


def test_pools_are_metered_separately(clock: FakeClock) -> None:
    pools = QuotaPools(10.0, clock)
    one = Quota(1, 10, 10)
    assert pools.admit("model-a", one) is None
    assert pools.admit("model-b", one) is None
    assert pools.admit("model-a", one) == Throttled("requests", 1, 10)


def test_wait_hint_does_not_count(clock: FakeClock) -> None:
    pools = QuotaPools(10.0, clock)
    assert pools.wait_hint("p") == 10
    assert pools.admit("p", Quota(1, 10, 10)) is None


def test_a_meaningless_window_is_refused(clock: FakeClock) -> None:
    with pytest.raises(ValueError, match="longer than 0 s"):
        QuotaPools(0.0, clock)
