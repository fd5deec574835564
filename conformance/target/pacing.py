"""Quota-aware pacing: each request waits, before it is sent, until its quota pool is below the
run's ceilings (``core.quota``); the seam asks the ``Pacer`` and tells it what each answer used.

A pool is a model at a subscription: every deployment of a model in one subscription draws from
one pool (the model is the platform profile's for a known deployment name, else the name
itself). A request that names no deployment (a listing, an unsupported endpoint) draws from no
model's pool and is not paced; nor is the opt-in rate-limit probe, which exists to reach the
limit. The book is the run's own, or the one a fleet run serves its targets
(``connect_book``), so that targets sharing a pool share its ceiling.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.managers import BaseManager
from typing import Protocol, TypeVar

import httpx

from ..core.catalog import BY_ID
from ..core.errors import RunStopped
from ..core.interactions import Interaction, RequestTag
from ..core.platform import PlatformProfile
from ..core.quota import BOOK_TYPE, Admission, Ceilings, QuotaBook, pool_key

# How often a waiting request looks whether the run is stopping (Ctrl-C under --jobs).
STOP_POLL_S = 0.25
T = TypeVar("T")


class Book(Protocol):
    """A quota book: the run's own ``QuotaBook``, or a proxy of the one a fleet serves."""

    def admit(
        self, pool: str, ceilings: Ceilings, input_estimate: int = 0, output_estimate: int = 0
    ) -> Admission: ...

    def settle(self, ticket: int, input_tokens: int, output_tokens: int) -> None: ...

    def refund(self, ticket: int) -> None: ...


class _BookClient(BaseManager):
    """The connecting side of a fleet's book (``cli.fleet_book`` serves it)."""


_BookClient.register(BOOK_TYPE)


def connect_book(address: str) -> Book:
    """A proxy of the quota book a fleet run serves at ``address`` (``OSError`` if it is gone)."""
    client = _BookClient(address=address)
    client.connect()
    book: Book = getattr(client, BOOK_TYPE)()
    return book


def open_book(address: str | None) -> tuple[Book, bool, list[str]]:
    """The book a run paces with: the fleet's at ``address`` if it can be reached, else its own;
    whether it is shared, and a note if the fleet's could not be reached."""
    if address is None:
        return QuotaBook(), False, []
    try:
        return connect_book(address), True, []
    except (OSError, EOFError, ValueError) as exc:
        note = (
            f"the fleet's quota book could not be reached ({type(exc).__name__}): this target "
            "paced its requests alone"
        )
        return QuotaBook(), False, [note]


@dataclass(frozen=True)
class Pass:
    """An admitted request: its ticket, its pool, and what it was expected to use."""

    ticket: int
    pool: str
    input_estimate: int
    output_estimate: int


@dataclass
class PoolWaits:
    """How long the requests of one pool waited for it, and for which counter."""

    requests: int = 0
    seconds: float = 0.0
    counters: set[str] = field(default_factory=set)


class Pacer:
    """Paces the requests of one run under ``ceilings``, per pool."""

    def __init__(
        self,
        book: Book,
        ceilings: Ceilings,
        *,
        subscription: str,
        profile: PlatformProfile,
        clock: Callable[[], float] = time.monotonic,
        shared: bool = False,
        sleep: Callable[[float], object] | None = None,
    ) -> None:
        self.ceilings = ceilings
        self.subscription = subscription
        self.shared = shared  # the book is a fleet's, shared with other targets
        self._book = book
        self._profile = profile
        self._clock = clock
        self._closed = threading.Event()
        # Waits end early when the run stops (tests turn a clock instead).
        self._sleep = sleep or self._closed.wait
        self._lock = threading.Lock()
        # Answers of this run still in flight, per pool, and how many have settled so far: a
        # request held back by answers in flight waits for one of its run's to settle instead
        # of asking the book again and again (in a fleet, each ask is a call to another process).
        self._settled = threading.Condition(self._lock)
        self._settlements = 0
        self._flying: dict[str, int] = {}
        self.waits: dict[str, PoolWaits] = {}
        self.notes: list[str] = []

    def pool_of(self, deployment: str) -> str:
        """The pool a deployment draws from: ``subscription/model``."""
        model = self._profile.model(deployment)
        return pool_key(self.subscription, model.id if model is not None else deployment)

    def enter(
        self,
        request: httpx.Request,
        tag: RequestTag,
        stopped: Callable[[], bool] = lambda: False,
    ) -> Pass | None:
        """Wait until ``request`` may be sent; its pass (None: it draws from no pool, or it is
        the rate-limit probe's). ``RunStopped`` if the run stops while it waits."""
        if tag.check_id in BY_ID and BY_ID[tag.check_id].phase == "probe":
            return None
        body = _body_of(request)
        deployment = body.get("model")
        if not isinstance(deployment, str) or not deployment:
            return None
        pool = self.pool_of(deployment)
        estimate_in = len(request.content) // 3 + 1
        max_tokens = body.get("max_tokens")
        estimate_out = max_tokens if isinstance(max_tokens, int) and max_tokens > 0 else 0
        began: float | None = None
        held_by: set[str] = set()
        while True:
            settlements = self._settlements  # before asking: one after it ends the wait below
            admission = self._admit(pool, estimate_in, estimate_out)
            if admission.ticket is not None:
                with self._lock:
                    self._flying[pool] = self._flying.get(pool, 0) + 1
                if began is not None:
                    self._waited(pool, self._clock() - began, held_by)
                return Pass(admission.ticket, pool, estimate_in, estimate_out)
            if began is None:
                began = self._clock()
            held_by.add(admission.counter)
            if admission.in_flight and self._await_settlement(pool, settlements, stopped):
                continue
            # Asked again once the wait is over (not before: a fleet's book is another
            # process), looking meanwhile whether the run is stopping.
            until = self._clock() + max(admission.wait_s, 0.001)
            while True:
                if self._closed.is_set() or stopped():
                    raise RunStopped("the run is stopping: no new request is sent")
                left = until - self._clock()
                if left <= 0:
                    break
                self._sleep(min(left, STOP_POLL_S))

    def _await_settlement(self, pool: str, settlements: int, stopped: Callable[[], bool]) -> bool:
        """Wait until an answer of this run settles (``STOP_POLL_S`` at most: another target's
        may settle first); False, without waiting, when none of this run's is in flight in
        ``pool`` (the book is then asked again after its own short wait)."""
        with self._settled:
            if not self._flying.get(pool):
                return False
            self._settled.wait_for(
                lambda: self._settlements != settlements or self._closed.is_set(), STOP_POLL_S
            )
        if self._closed.is_set() or stopped():
            raise RunStopped("the run is stopping: no new request is sent")
        return True

    def _landed(self, granted: Pass) -> None:
        with self._settled:
            self._flying[granted.pool] = max(0, self._flying.get(granted.pool, 0) - 1)
            self._settlements += 1
            self._settled.notify_all()

    def settle(self, granted: Pass | None, interaction: Interaction) -> None:
        """``interaction`` is complete: charge what it used (nothing if it got no answer)."""
        if granted is None:
            return
        try:
            self._charge(granted, interaction)
        finally:
            self._landed(granted)

    def _charge(self, granted: Pass, interaction: Interaction) -> None:
        if interaction.status is None:
            self._call(lambda book: book.refund(granted.ticket))
            return
        answered = 200 <= interaction.status < 300
        used_in = interaction.input_tokens
        used_out = interaction.output_tokens
        # A refusal used no tokens; a success whose usage could not be read is charged as
        # expected.
        if used_in is None:
            used_in = granted.input_estimate if answered else 0
        if used_out is None:
            used_out = granted.output_estimate if answered else 0
        self._call(lambda book: book.settle(granted.ticket, used_in, used_out))

    def settling(
        self, leave: Callable[[], None], granted: Pass | None, interaction: Interaction
    ) -> Callable[[], None]:
        """``leave`` (the gate's slot), then charge what the complete answer used, once."""
        settled = False

        def finish() -> None:
            nonlocal settled
            try:
                leave()
            finally:
                if not settled:
                    settled = True
                    self.settle(granted, interaction)

        return finish

    def refund(self, granted: Pass | None) -> None:
        """``granted`` was never sent (the budget refused it)."""
        if granted is not None:
            try:
                self._call(lambda book: book.refund(granted.ticket))
            finally:
                self._landed(granted)

    def close(self) -> None:
        """Every waiting request stops (``RunStopped``)."""
        self._closed.set()
        with self._settled:
            self._settled.notify_all()

    def _waited(self, pool: str, seconds: float, counters: set[str]) -> None:
        with self._lock:
            waits = self.waits.setdefault(pool, PoolWaits())
            waits.requests += 1
            waits.seconds += seconds
            waits.counters |= counters

    def _admit(self, pool: str, estimate_in: int, estimate_out: int) -> Admission:
        return self._call(lambda book: book.admit(pool, self.ceilings, estimate_in, estimate_out))

    def _call(self, use: Callable[[Book], T]) -> T:
        """``use`` the book; if a fleet's book has gone (its run ended), pace alone from now on."""
        try:
            return use(self._book)
        except (OSError, EOFError):
            if not self.shared:
                raise
            with self._lock:
                if self.shared:
                    self.shared = False
                    self._book = QuotaBook(self._clock)
                    self.notes.append(
                        "the fleet's quota book could not be reached: this target paced its "
                        "requests alone from then on"
                    )
            return use(self._book)


def _body_of(request: httpx.Request) -> dict[str, object]:
    """The JSON object a request sends (empty if it sends none)."""
    try:
        content = request.content
    except httpx.RequestNotRead:
        return {}
    if not content:
        return {}
    try:
        body = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return {}
    return body if isinstance(body, dict) else {}
