"""``StopSignals``: what each signal does at each moment of a command (real signals, sent to
this process, with the command's handlers installed for the time of each test)."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator

import pytest

from conformance.plugin.stopping import StopSignals


@pytest.fixture
def stops() -> Iterator[StopSignals]:
    installed = StopSignals().install()
    try:
        yield installed
    finally:
        installed.restore()


def _send(signum: int = signal.SIGINT) -> None:
    signal.raise_signal(signum)  # the handler runs before this returns


def test_signals_during_the_start_up_are_noted_and_honoured_once_armed(
    stops: StopSignals,
) -> None:
    for _ in range(5):
        _send()  # a storm while the modules load: nothing raised in the middle of an import
    assert stops.requested and len(stops.received) == 5
    with pytest.raises(KeyboardInterrupt):
        stops.arm()  # the session starts: the stop is carried out now
    _send()  # and the next one does not interrupt the report of what finished
    assert stops.exit_status == 130


def test_once_armed_the_first_signal_stops_and_later_ones_only_cut_a_wait_short(
    stops: StopSignals,
) -> None:
    stops.arm()
    with pytest.raises(KeyboardInterrupt):
        _send()
    _send()
    _send()  # a storm: noted, not raised, outside a wait
    with pytest.raises(KeyboardInterrupt), stops.interruptible():
        _send()  # "Ctrl-C again to stop waiting"
    assert len(stops.received) == 4


def test_nothing_cuts_the_report_short_and_nothing_raises_once_it_is_written(
    stops: StopSignals,
) -> None:
    stops.arm()
    with stops.shielded():
        _send()  # while the report is written: noted only
        with stops.interruptible():
            _send()
    assert stops.requested
    stops.acknowledge()
    _send()
    stops.disarm()
    _send(signal.SIGTERM)
    stops.arm()  # disarmed for good: arming again raises nothing
    assert stops.terminated and stops.exit_status == 143


def test_a_stop_that_was_lost_is_raised_again_at_the_next_safe_point(stops: StopSignals) -> None:
    stops.arm()
    with contextlib.suppress(KeyboardInterrupt):
        _send()  # as if it were dropped (raised in a finalizer, say)
    with pytest.raises(KeyboardInterrupt):
        stops.check()
    stops.acknowledge()
    stops.check()  # carried out: nothing more


def test_sigterm_in_the_start_up_makes_the_exit_status_143(stops: StopSignals) -> None:
    _send(signal.SIGTERM)
    _send(signal.SIGINT)
    assert stops.terminated and stops.exit_status == 143


def test_restore_gives_the_signals_back() -> None:
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    stops = StopSignals().install()
    assert signal.getsignal(signal.SIGINT) != before[0]
    stops.restore()
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before
