"""``InFlight``: at most N requests at once, granted in priority order, stoppable; and the token
budget the seam enforces."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable

import httpx
import pytest

from conformance.core.errors import RunStopped, TokenBudgetExceeded
from conformance.core.redaction import Redactor
from conformance.target.limits import InFlight
from conformance.target.log import InteractionLog
from conformance.target.seam import FoundryClient

WAIT_S = 10.0  # a generous bound on waits between threads: only a deadlock reaches it


def _wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, "the gate never got there"
        time.sleep(0.002)


def _waiting(gate: InFlight) -> int:
    return len(gate._waiting)  # test-only peek: how many requests wait for a slot


def test_no_more_than_the_limit_are_in_flight_at_once() -> None:
    gate = InFlight(3)
    inside, most = 0, 0
    lock = threading.Lock()

    def request() -> None:
        nonlocal inside, most
        leave = gate.enter()
        with lock:
            inside += 1
            most = max(most, inside)
        time.sleep(0.02)
        with lock:
            inside -= 1
        leave()

    threads = [threading.Thread(target=request) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT_S)
    assert most == 3
    assert gate.busy() == 0


def test_free_slots_go_to_the_highest_priority_first() -> None:
    priorities = threading.local()
    gate = InFlight(1, priority=lambda: int(getattr(priorities, "value", 0)))
    leave_first = gate.enter()  # the only slot is taken: everyone else waits
    order: list[int] = []

    def request(priority: int) -> None:
        priorities.value = priority
        leave = gate.enter()
        order.append(priority)
        leave()

    threads = []
    for count, priority in enumerate((5, 1, 3), start=1):
        threads.append(threading.Thread(target=request, args=(priority,)))
        threads[-1].start()
        _wait_until(lambda count=count: _waiting(gate) == count)  # type: ignore[misc]
    leave_first()
    for thread in threads:
        thread.join(WAIT_S)
    assert order == [1, 3, 5]


def test_a_thread_with_a_request_in_flight_is_not_made_to_wait_for_itself() -> None:
    gate = InFlight(1)
    outer = gate.enter()
    inner = gate.enter()  # a second request while a stream is open: no deadlock
    assert gate.busy() == 1
    outer()
    inner()
    got: list[bool] = []
    thread = threading.Thread(target=lambda: got.append(bool(gate.enter())))
    thread.start()
    thread.join(WAIT_S)
    assert got == [True]  # the slot came back once, after both


def test_giving_back_twice_frees_one_slot_only() -> None:
    gate = InFlight(1)
    leave = gate.enter()
    leave()
    leave()
    gate.enter()
    entered = threading.Event()

    def second() -> None:
        with contextlib.suppress(RunStopped):
            gate.enter()
            entered.set()

    thread = threading.Thread(target=second)
    thread.start()
    assert not entered.wait(0.2)  # still one slot: the second thread waits
    gate.close()
    thread.join(WAIT_S)
    assert not entered.is_set()


def test_a_finished_check_s_open_answer_is_given_back() -> None:
    gate = InFlight(1)

    def forgetful_check() -> None:
        gate.enter()  # an answer never closed
        gate.release_held()  # what the pool does when the check ends

    thread = threading.Thread(target=forgetful_check)
    thread.start()
    thread.join(WAIT_S)
    assert gate.busy() == 0
    gate.enter()


def test_closing_stops_waiting_and_later_requests() -> None:
    gate = InFlight(1)
    gate.enter()
    stopped: list[BaseException] = []

    def request() -> None:
        try:
            gate.enter()
        except RunStopped as exc:
            stopped.append(exc)

    thread = threading.Thread(target=request)
    thread.start()
    _wait_until(lambda: _waiting(gate) == 1)
    gate.close()
    thread.join(WAIT_S)
    assert len(stopped) == 1
    with pytest.raises(RunStopped):
        gate.enter()
    assert not isinstance(stopped[0], Exception)  # passes a check's own `except Exception`


def test_a_request_interrupted_while_it_waits_leaves_the_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A Ctrl-C that reaches a thread while it waits for a slot must not leave its place at the
    # head of the line, where it would hold back every request after it.
    class Interruptible(threading.Condition):
        def wait(self, timeout: float | None = None) -> bool:
            if threading.current_thread().name == "interrupted":
                raise KeyboardInterrupt
            return super().wait(timeout)

    monkeypatch.setattr(threading, "Condition", Interruptible)  # the gate's waiters' conditions
    gate = InFlight(1)
    leave = gate.enter()
    interrupted: list[BaseException] = []

    def wait_and_be_interrupted() -> None:
        try:
            gate.enter()
        except KeyboardInterrupt as exc:
            interrupted.append(exc)

    first = threading.Thread(target=wait_and_be_interrupted, name="interrupted")
    first.start()
    first.join(WAIT_S)
    assert interrupted and _waiting(gate) == 0
    granted = threading.Event()

    def wait_for_the_slot() -> None:
        gate.enter()
        granted.set()

    second = threading.Thread(target=wait_for_the_slot)
    second.start()
    _wait_until(lambda: _waiting(gate) == 1)
    leave()
    assert granted.wait(WAIT_S)
    second.join(WAIT_S)


def test_no_request_is_sent_once_the_answers_have_used_the_token_budget() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        usage = {"input_tokens": 12, "output_tokens": 3}
        return httpx.Response(200, json={"type": "message", "usage": usage})

    log = InteractionLog(Redactor(), max_tokens=20)
    sent = []
    with FoundryClient(
        "http://127.0.0.1:9/anthropic/",
        log,
        transport=httpx.MockTransport(answer),
        anthropic_version="2023-06-01",
    ) as client:
        for _ in range(2):  # 15 tokens, then 30: over the budget only after the second answer
            sent.append(client.send(client.build("POST", "v1/messages", json={})).status_code)
        assert log.tokens_used() == 30
        assert isinstance(log.spent(), TokenBudgetExceeded)
        with pytest.raises(TokenBudgetExceeded, match="used 30 tokens, its budget is 20"):
            client.send(client.build("POST", "v1/messages", json={}))
    assert sent == [200, 200]
    assert len(log) == 2


def test_cache_writes_count_against_the_token_budget_and_reads_do_not() -> None:
    """A cache write is billed input (prompt caching's probes write over a thousand tokens)."""
    usage = {
        "input_tokens": 4,
        "output_tokens": 1,
        "cache_creation_input_tokens": 1414,
        "cache_read_input_tokens": 2000,
    }

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"type": "message", "usage": usage})

    log = InteractionLog(Redactor(), max_tokens=1000)
    with FoundryClient(
        "http://127.0.0.1:9/anthropic/",
        log,
        transport=httpx.MockTransport(answer),
        anthropic_version="2023-06-01",
    ) as client:
        client.send(client.build("POST", "v1/messages", json={}))
        assert log.tokens_used() == 4 + 1 + 1414
        (logged,) = log.snapshot()
        assert (logged.cache_write_tokens, logged.cache_read_tokens) == (1414, 2000)
        with pytest.raises(TokenBudgetExceeded):
            client.send(client.build("POST", "v1/messages", json={}))


def test_a_429_narrows_the_gate_to_one_request_once_those_in_flight_drain() -> None:
    gate = InFlight(3)
    holders = [threading.Event() for _ in range(3)]
    left = []

    def holder(release: threading.Event) -> None:
        leave = gate.enter()
        release.wait(WAIT_S)
        leave()
        left.append(1)

    threads = [threading.Thread(target=holder, args=(event,)) for event in holders]
    for thread in threads:
        thread.start()
    _wait_until(lambda: gate.busy() == 3)
    assert gate.narrow() is True
    assert gate.narrow() is False  # once
    assert gate.narrowed_from == 3
    entered = threading.Event()

    def newcomer() -> None:
        leave = gate.enter()
        entered.set()
        leave()

    waiting = threading.Thread(target=newcomer)
    waiting.start()
    for event in holders[:2]:
        event.set()
    _wait_until(lambda: len(left) == 2)
    assert not entered.wait(0.1)  # one request still in flight: that is the new limit
    holders[2].set()
    assert entered.wait(WAIT_S)
    for thread in [*threads, waiting]:
        thread.join(WAIT_S)
