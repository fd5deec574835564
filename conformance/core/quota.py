"""The harness's own quota book: what its requests have drawn from each quota pool in the last
minute, and whether the next one may go now (pure, with an injectable clock; thread-safe).

Foundry meters Claude per model pool at subscription level, per minute, in requests, uncached
input tokens and output tokens, and production traffic draws from the same pools. The harness
paces itself under ceilings for each (``Ceilings``): a request is admitted while every counter of
its pool is below its ceiling over the last ``window_s`` seconds, as the platform's meter admits
them. Requests are counted when they are admitted, so no window of ``window_s`` holds more than
the ceiling's requests; tokens are charged when the answer has reported them (a request in flight
reserves its estimate until then), so, as on the platform, a window may overrun a token ceiling
by the answers that were in flight when it was reached.

Admission also keeps a ``margin_s`` beyond the window, so that the platform, which sees each
request a little later than the harness sent it, never counts one more in its own window.

One book serves every thread of a run; a fleet shares one between its targets' processes (the
command line serves it to them). Times come from the book's own clock, so those processes need
not agree on one.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

WINDOW_S = 60.0
MARGIN_S = 1.0
# How long a request waits before asking again when only answers still in flight stand in its way
# (their tokens become known when they complete, not at a time the book can foresee); a caller
# that has answers of its own in flight waits for one of them instead (``Admission.in_flight``).
IN_FLIGHT_POLL_S = 0.05
# The name a fleet run serves its shared book under (``multiprocessing.managers``).
BOOK_TYPE = "quota_book"


@dataclass(frozen=True)
class Ceilings:
    """Requests, uncached input tokens and output tokens per window; None: that counter is not
    paced."""

    rpm: int | None = None
    itpm: int | None = None
    otpm: int | None = None

    def as_dict(self) -> dict[str, int | None]:
        return {"rpm": self.rpm, "itpm": self.itpm, "otpm": self.otpm}

    def scaled(self, share: float) -> Ceilings:
        """These ceilings times ``share`` (at least 1 each): one target's part of a pool that
        others outside this run draw from too."""

        def part(value: int | None) -> int | None:
            return None if value is None else max(1, int(value * share))

        return Ceilings(part(self.rpm), part(self.itpm), part(self.otpm))


@dataclass
class _Pool:
    sends: deque[float] = field(default_factory=deque)  # admission times
    tokens: deque[tuple[float, int, int]] = field(default_factory=deque)  # (answered, in, out)
    # ticket → (admitted at, input estimate, output estimate)
    in_flight: dict[int, tuple[float, int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Admission:
    """The book's answer: a ticket (the request may go now), or how long to wait first."""

    ticket: int | None
    wait_s: float = 0.0
    counter: str = ""  # what held it back: requests, input_tokens or output_tokens
    # Only answers still in flight hold it back: it may go once one of them settles.
    in_flight: bool = False


class QuotaBook:
    """The requests and tokens the harness drew from each pool over the last window."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        *,
        window_s: float = WINDOW_S,
        margin_s: float = MARGIN_S,
    ) -> None:
        self.window_s = window_s
        self.margin_s = margin_s
        self._clock = clock
        self._lock = threading.Lock()
        self._pools: dict[str, _Pool] = {}
        self._tickets = itertools.count(1)
        self._where: dict[int, str] = {}  # ticket → pool

    def admit(
        self,
        pool: str,
        ceilings: Ceilings,
        input_estimate: int = 0,
        output_estimate: int = 0,
    ) -> Admission:
        """Admit one request of ``pool`` now, or say how long to wait before asking again."""
        with self._lock:
            now = self._clock()
            state = self._pools.setdefault(pool, _Pool())
            self._expire(state, now)
            held = self._held_back(state, ceilings, now)
            if held is not None:
                return held
            ticket = next(self._tickets)
            state.sends.append(now)
            state.in_flight[ticket] = (now, max(0, input_estimate), max(0, output_estimate))
            self._where[ticket] = pool
            return Admission(ticket)

    def settle(self, ticket: int, input_tokens: int, output_tokens: int) -> None:
        """The answer to ``ticket`` is complete and used these tokens (charged as of now)."""
        with self._lock:
            state = self._release(ticket)
            if state is not None and (input_tokens or output_tokens):
                state.tokens.append((self._clock(), max(0, input_tokens), max(0, output_tokens)))

    def refund(self, ticket: int) -> None:
        """``ticket`` was never sent, or got no answer at all: it drew nothing from the pool."""
        with self._lock:
            pool = self._where.get(ticket)
            state = self._pools.get(pool) if pool is not None else None
            admitted = state.in_flight.get(ticket) if state is not None else None
            self._release(ticket)
            if state is not None and admitted is not None and admitted[0] in state.sends:
                state.sends.remove(admitted[0])  # equal times count alike: any one of them

    def usage(self, pool: str) -> dict[str, int]:
        """What ``pool`` holds now: requests and tokens in the window, answers in flight."""
        with self._lock:
            state = self._pools.get(pool, _Pool())
            self._expire(state, self._clock())
            return {
                "requests": len(state.sends),
                "input_tokens": sum(t[1] for t in state.tokens),
                "output_tokens": sum(t[2] for t in state.tokens),
                "in_flight": len(state.in_flight),
            }

    # -- inside the lock -------------------------------------------------------------------

    def _span(self) -> float:
        return self.window_s + self.margin_s

    def _expire(self, state: _Pool, now: float) -> None:
        # The same sum as the waits below, so that a request told to wait until then is in.
        span = self._span()
        while state.sends and state.sends[0] + span <= now:
            state.sends.popleft()
        while state.tokens and state.tokens[0][0] + span <= now:
            state.tokens.popleft()

    def _held_back(self, state: _Pool, ceilings: Ceilings, now: float) -> Admission | None:
        if ceilings.rpm is not None and len(state.sends) >= ceilings.rpm:
            # The oldest admissions must leave the window until one fewer than the ceiling stays.
            oldest = state.sends[len(state.sends) - ceilings.rpm]
            return Admission(None, max(0.0, oldest + self._span() - now), "requests")
        for index, (name, ceiling) in enumerate(
            (("input_tokens", ceilings.itpm), ("output_tokens", ceilings.otpm))
        ):
            if ceiling is None:
                continue
            answered = [int(t[1 + index]) for t in state.tokens]
            reserved = sum(int(est[1 + index]) for est in state.in_flight.values())
            if sum(answered) + reserved < ceiling:
                continue
            return self._token_wait(state, answered, reserved, ceiling, now, name)
        return None

    def _token_wait(
        self,
        state: _Pool,
        answered: list[int],
        reserved: int,
        ceiling: int,
        now: float,
        counter: str,
    ) -> Admission:
        """Until enough charged answers leave the window (or, when answers still in flight
        hold the pool at its ceiling, until one settles: they do when they complete)."""
        left = sum(answered) + reserved
        for (answered_at, *_), amount in zip(state.tokens, answered, strict=True):
            left -= amount
            if left < ceiling:
                return Admission(None, max(0.0, answered_at + self._span() - now), counter)
        return Admission(None, IN_FLIGHT_POLL_S, counter, in_flight=True)

    def _release(self, ticket: int) -> _Pool | None:
        pool = self._where.pop(ticket, None)
        state = self._pools.get(pool) if pool is not None else None
        if state is not None:
            state.in_flight.pop(ticket, None)
        return state


def pool_key(subscription: str, model: str) -> str:
    """A pool's name: a model (the profile's, or the deployment's own name) at a subscription."""
    return f"{subscription}/{model}"
