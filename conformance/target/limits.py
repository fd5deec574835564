"""What a run may send: its budget (``--max-requests``, ``--max-tokens``), and how many requests
may be in flight at once (``--jobs``).

The recording seam (``client``) enforces both: ``InteractionLog`` refuses a request over the
budget, ``RecordingTransport`` waits for a slot of ``InFlight`` before it sends.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Callable

from ..core.errors import RunStopped


class InFlight:
    """At most ``limit`` requests in flight at once, across the threads of a run (``--jobs``).

    Free slots go to the waiting request of the highest priority (the lowest ``priority()``,
    which the pool derives from the check's place in its plan): the checks start in the plan's
    order, and a check's next request goes before the first of a check planned later. A thread's
    slot is taken by its first request and given back when its last open answer is complete: a
    thread that already has a request in flight (a stream not closed yet) is let through, so that
    a check never waits for itself. ``release_held`` gives back what a finished check left open;
    ``close`` refuses every further request (``RunStopped``).
    """

    def __init__(self, limit: int, priority: Callable[[], int] = lambda: 0) -> None:
        self.limit = limit
        self.narrowed_from: int | None = None  # set once a 429 has narrowed it to one
        self._priority = priority
        self._free = limit
        self._closed = False
        self._lock = threading.Lock()
        self._waiting: list[tuple[int, int]] = []  # a heap of (priority, arrival)
        # Each waiting thread's own condition (on the one lock): a free slot wakes the thread
        # next in line only, not every thread of the pool (dozens under --jobs, on every answer).
        self._wakers: dict[tuple[int, int], threading.Condition] = {}
        self._arrivals = itertools.count()
        # thread → (open requests, the slot's identity)
        self._held: dict[int, tuple[int, object]] = {}

    def enter(self) -> Callable[[], None]:
        """Wait for a slot; returns the function that gives it back (calling it twice is fine)."""
        me = threading.get_ident()
        with self._lock:
            if self._closed:
                raise RunStopped("the run is stopping: no new request is sent")
            count, slot = self._held.get(me, (0, None))
            if slot is None:
                self._wait_for_slot()
                slot = object()
            self._held[me] = (count + 1, slot)
        left = False

        def leave() -> None:
            nonlocal left
            with self._lock:
                held = self._held.get(me)
                if left or held is None or held[1] is not slot:
                    return
                left = True
                if held[0] > 1:
                    self._held[me] = (held[0] - 1, slot)
                else:
                    del self._held[me]
                    self._give_back()

        return leave

    def _wait_for_slot(self) -> None:
        ticket = (self._priority(), next(self._arrivals))
        heapq.heappush(self._waiting, ticket)
        waker = self._wakers[ticket] = threading.Condition(self._lock)
        try:
            while not self._closed and (self._free <= 0 or self._waiting[0] != ticket):
                waker.wait()
            if self._closed:
                raise RunStopped("the run is stopping: no new request is sent")
        except BaseException:  # closed, or interrupted while it waited: out of the line
            self._waiting.remove(ticket)
            heapq.heapify(self._waiting)
            self._wake_next()
            raise
        finally:
            del self._wakers[ticket]
        heapq.heappop(self._waiting)
        self._free -= 1
        self._wake_next()  # the next in line may take another free slot

    def release_held(self) -> None:
        """Give back the slot the calling thread still holds (an answer left open)."""
        with self._lock:
            if self._held.pop(threading.get_ident(), None) is not None:
                self._give_back()

    def busy(self) -> int:
        """How many threads have a request in flight."""
        with self._lock:
            return len(self._held)

    def answered(self, status: int) -> None:
        """An answer came: a 429 narrows the gate (the run's own concurrency must not add to
        the endpoint's load once it throttles)."""
        if status == 429:
            self.narrow()

    def narrow(self) -> bool:
        """One request at a time from now on (the endpoint answered 429: concurrency must not
        add to its load); whether this call narrowed it."""
        with self._lock:
            if self.limit == 1:
                return False
            self._free -= self.limit - 1  # the slots in use drain; no new one opens until then
            self.narrowed_from, self.limit = self.limit, 1
            return True

    @property
    def closed(self) -> bool:
        """Whether the gate refuses every further request (the run is stopping)."""
        return self._closed

    def close(self) -> None:
        """Send nothing more: every waiting and every later request raises ``RunStopped``."""
        with self._lock:
            self._closed = True
            for waker in self._wakers.values():
                waker.notify()

    def _give_back(self) -> None:
        self._free += 1
        self._wake_next()

    def _wake_next(self) -> None:
        """Wake the thread next in line, if a slot is free for it (under the lock)."""
        if self._free > 0 and self._waiting:
            self._wakers[self._waiting[0]].notify()
