"""The quota book: admissions under the ceilings per pool, on a clock the test turns.

A minute is a minute here (60 s of the fake clock): the tests drive hundreds of requests through
the book and hold every 60 s window of what it admitted against the ceiling, and they drive the
emulator's own quota meter (``emulator.ratelimit.QuotaPools``) with the same clock and the same
admissions, to show that a run paced by the book is never throttled by a pool of that size.
"""

from __future__ import annotations

import random

import pytest

from conformance.core.platform_load import builtin_profile
from conformance.core.quota import MARGIN_S, WINDOW_S, Admission, Ceilings, QuotaBook
from conformance.emulator.ratelimit import QuotaPools
from conformance.summary.footprint import peaks


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def send(book: QuotaBook, clock: Clock, pool: str, ceilings: Ceilings, **estimates: int) -> float:
    """Ask until admitted, letting the fake time pass as the book asks; the admission time."""
    while True:
        answer = book.admit(pool, ceilings, **estimates)
        if answer.ticket is not None:
            return clock.now
        assert answer.wait_s > 0
        clock.now += answer.wait_s


def test_a_pool_admits_its_ceiling_at_once_and_the_next_request_a_minute_later() -> None:
    clock = Clock()
    book = QuotaBook(clock)
    ceilings = Ceilings(rpm=40)
    times = [send(book, clock, "sub/claude-sonnet-5-5", ceilings) for _ in range(41)]
    assert times[:40] == [1000.0] * 40
    assert times[40] == pytest.approx(1000.0 + WINDOW_S + MARGIN_S)


def test_the_answer_says_which_counter_and_how_long() -> None:
    clock = Clock()
    book = QuotaBook(clock)
    ceilings = Ceilings(rpm=2)
    book.admit("p", ceilings)
    clock.now += 10
    book.admit("p", ceilings)
    refused = book.admit("p", ceilings)
    assert refused == Admission(None, pytest.approx(WINDOW_S + MARGIN_S - 10), "requests")


def test_pools_are_apart_and_a_pool_shared_by_two_callers_is_one() -> None:
    clock = Clock()
    book = QuotaBook(clock)
    ceilings = Ceilings(rpm=3)
    for _ in range(3):
        assert book.admit("sub-a/claude-sonnet-5-5", ceilings).ticket is not None
    assert book.admit("sub-b/claude-sonnet-5-5", ceilings).ticket is not None
    assert book.admit("sub-a/claude-opus-5-5", ceilings).ticket is not None
    # A second target of sub-a asks the same book for the same pool: it is full.
    assert book.admit("sub-a/claude-sonnet-5-5", ceilings).ticket is None


def test_a_refund_gives_the_request_back() -> None:
    clock = Clock()
    book = QuotaBook(clock)
    ceilings = Ceilings(rpm=1)
    ticket = book.admit("p", ceilings).ticket
    assert ticket is not None and book.admit("p", ceilings).ticket is None
    book.refund(ticket)
    assert book.admit("p", ceilings).ticket is not None


def test_tokens_are_charged_when_the_answer_reports_them() -> None:
    clock = Clock()
    book = QuotaBook(clock)
    ceilings = Ceilings(rpm=100, otpm=100)
    first = book.admit("p", ceilings, output_estimate=60).ticket
    assert first is not None
    # While the first is in flight its estimate is reserved: 60 < 100, the next may go.
    second = book.admit("p", ceilings, output_estimate=60).ticket
    assert second is not None
    # Now 120 are reserved: the pool is at its ceiling until the answers settle.
    held = book.admit("p", ceilings)
    assert held.ticket is None and held.counter == "output_tokens"
    book.settle(first, 0, 10)
    book.settle(second, 0, 10)
    assert book.admit("p", ceilings).ticket is not None
    assert book.usage("p")["output_tokens"] == 20


def test_charged_tokens_leave_the_window_a_minute_after_the_answer() -> None:
    clock = Clock()
    book = QuotaBook(clock)
    ceilings = Ceilings(itpm=100)
    ticket = book.admit("p", ceilings).ticket
    assert ticket is not None
    clock.now += 5
    book.settle(ticket, 150, 0)  # one answer may overrun the ceiling, as on the platform
    held = book.admit("p", ceilings)
    assert held.counter == "input_tokens"
    assert held.wait_s == pytest.approx(WINDOW_S + MARGIN_S)
    clock.now += held.wait_s
    assert book.admit("p", ceilings).ticket is not None


def test_a_large_request_goes_when_the_pool_is_below_its_ceiling() -> None:
    """The ceiling is on what the pool holds, not on one request: a probe asking for more output
    than a minute's ceiling is sent, and what it reserves holds the others back."""
    clock = Clock()
    book = QuotaBook(clock)
    ceilings = Ceilings(otpm=8000)
    big = book.admit("p", ceilings, output_estimate=128_001).ticket
    assert big is not None
    assert book.admit("p", ceilings).ticket is None
    book.settle(big, 0, 0)  # refused with a 400: it used nothing
    assert book.admit("p", ceilings).ticket is not None


@pytest.mark.parametrize("seed", range(5))
def test_no_minute_window_exceeds_the_ceiling_and_the_emulator_never_throttles(seed: int) -> None:
    """Three targets share one pool at a subscription, each sending in bursts with pauses; the
    book's admissions are replayed into the emulator's quota meter (PAYG: 40 requests a minute)
    as they happen, with the latency of a real answer between send and arrival."""
    rng = random.Random(seed)
    clock = Clock()
    book = QuotaBook(clock)
    quota = builtin_profile().quota.payg
    meter = QuotaPools(60.0, clock)
    ceilings = Ceilings(rpm=quota.rpm, itpm=quota.itpm, otpm=quota.otpm)
    admitted: list[list[float]] = []
    for _ in range(300):
        if rng.random() < 0.1:
            clock.now += rng.uniform(0, 20)  # a target pauses (a slow check, say)
        ticket = None
        while ticket is None:
            answer = book.admit("sub/claude-sonnet-5-5", ceilings, 30, 16)
            ticket = answer.ticket
            if ticket is None:
                clock.now += answer.wait_s
        sent = clock.now
        clock.now += rng.uniform(0.0, 0.4)  # the request reaches the platform a little later
        assert meter.admit("claude-sonnet-5-5", quota) is None, "the emulator throttled"
        used_in, used_out = rng.randint(5, 30), rng.randint(1, 16)
        meter.charge("claude-sonnet-5-5", used_in, used_out)
        book.settle(ticket, used_in, used_out)
        admitted.append([sent, used_in, used_out])
    rpm, _, _ = peaks(admitted, WINDOW_S)
    assert rpm <= quota.rpm
    # And the pacing costs little: 300 requests at 40 a minute take just over 7 minutes.
    span = admitted[-1][0] - admitted[0][0]
    assert span < (300 / quota.rpm) * (WINDOW_S + MARGIN_S) + 20 * 30
