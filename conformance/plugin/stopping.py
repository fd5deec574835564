"""Stopping a run on a signal (Ctrl-C's SIGINT, SIGTERM) at any moment, and only once.

Python's own handler raises ``KeyboardInterrupt`` on every SIGINT, wherever the main thread is:
inside an import, inside the writing of the report, inside pytest's handling of the previous
one. ``StopSignals`` replaces it for the time of one command (``foundry-conformance`` installs it
first thing):

- until the run is **armed** (pytest's session has started), a signal is only noted, however
  many come: the start-up (imports, the configuration) is short and sends nothing, and an
  exception raised in the middle of an import can leave the module's lock held for good; the
  run then starts no check and writes the report of a run stopped before it began;
- once armed, the first signal raises ``KeyboardInterrupt``: pytest stops and the plugin writes
  the report of what finished (``incomplete: true``);
- every later signal is noted and does nothing, except inside ``interruptible()`` (the wait for
  the requests in flight, which a second Ctrl-C cuts short); once the stop is carried out
  (``acknowledge``) or the report written (``disarm``), none raises any more, and the writing of
  the report is ``shielded()`` besides;
- if the first ``KeyboardInterrupt`` was lost (raised where Python drops exceptions, such as a
  finalizer), ``check()`` raises it again at the next safe point.

SIGTERM (a cancelled CI job, ``timeout``, ``docker stop``) is handled the same way; the run then
exits 143 instead of 130. Signals blocked when the process started are unblocked once the
handlers are in place, so that one sent before that is honoured too.

The standard library only: the console script installs it before it imports anything else. The
plugin finds the command's instance in the session's stash (``keys.stops_of``).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class StopSignals:
    """The signals that asked one command to stop, and what each may still interrupt."""

    def __init__(self) -> None:
        self.received: list[int] = []
        self.acknowledged = False  # the stop is being carried out (the report is on its way)
        self._armed = False
        self._raised = False
        self._done = False
        self._interruptible = 0
        self._shielded = 0
        self._previous: dict[int, Any] = {}

    @property
    def requested(self) -> bool:
        """Whether any signal asked the command to stop."""
        return bool(self.received)

    @property
    def terminated(self) -> bool:
        """Whether SIGTERM was among them (the exit status is then 143)."""
        return signal.SIGTERM in self.received

    @property
    def how(self) -> str:
        """How the command was stopped, in the summary's words."""
        return "terminated (SIGTERM)" if self.terminated else "interrupted (Ctrl-C)"

    @property
    def exit_status(self) -> int:
        """The exit status of a command the signals stopped: 128 + the signal, as shells report
        it (130 for Ctrl-C; 143 once SIGTERM came)."""
        return 128 + (signal.SIGTERM if self.terminated else signal.SIGINT)

    # -- installing ------------------------------------------------------------------------

    def install(self) -> StopSignals:
        """Take over SIGINT and SIGTERM (in the main thread only: elsewhere, leave them be)."""
        if threading.current_thread() is not threading.main_thread():
            return self
        for signum in SIGNALS:
            self._previous[signum] = signal.signal(signum, self._handle)
        if hasattr(signal, "pthread_sigmask"):
            signal.pthread_sigmask(signal.SIG_UNBLOCK, SIGNALS)
        return self

    def restore(self) -> None:
        """Give the signals back to whoever had them."""
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)
        self._previous.clear()

    def hold(self) -> None:
        """The process is about to exit: block the signals from now on, so that one that comes
        during Python's own finalization (which gives them back to the system's default, death)
        does not replace the command's exit status."""
        if (
            hasattr(signal, "pthread_sigmask")
            and threading.current_thread() is threading.main_thread()
        ):
            signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)

    # -- the moments of a run --------------------------------------------------------------

    def arm(self) -> None:
        """From now on the first signal raises ``KeyboardInterrupt`` (one noted already: now)."""
        if self._done:
            return
        self._armed = True
        if self.received and not self._raised:
            self._raise()

    def acknowledge(self) -> None:
        """The stop is being carried out: later signals no longer raise (``check``)."""
        if self.requested:
            self.acknowledged = True

    def disarm(self) -> None:
        """The report is written: from now on a signal is only noted."""
        self._armed = False
        self._done = True

    def check(self) -> None:
        """At a safe point: raise the stop again if a signal came and nobody carried it out."""
        if self._armed and self.requested and not (self.acknowledged or self._shielded):
            self._raised = True
            raise KeyboardInterrupt

    @contextlib.contextmanager
    def interruptible(self) -> Iterator[None]:
        """A wait that any further signal cuts short (``KeyboardInterrupt``)."""
        self._interruptible += 1
        try:
            yield
        finally:
            self._interruptible -= 1

    @contextlib.contextmanager
    def shielded(self) -> Iterator[None]:
        """Work that no signal may cut short (the report): signals are only noted meanwhile."""
        self._shielded += 1
        try:
            yield
        finally:
            self._shielded -= 1

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.received.append(signum)
        if self._shielded:
            return
        if self._interruptible:
            self._raise()  # a wait that the user asks once more to cut short
        if not self._armed or self._done or self.acknowledged or self._raised:
            return  # the start-up, or a stop under way: it is noted, and honoured (``arm``)
        self._raise()

    def _raise(self) -> None:
        self._raised = True
        raise KeyboardInterrupt
