"""The pacer at the seam: which pool a request draws from, what is not paced, what an answer is
charged, and that the ceilings hold under ``--jobs`` (threads through the real seam and gate,
on a clock the test turns: a minute is sixty of its seconds)."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from conformance.core.errors import RunStopped
from conformance.core.interactions import Interaction, RequestTag, tagged
from conformance.core.platform_load import builtin_profile
from conformance.core.quota import WINDOW_S, Admission, Ceilings, QuotaBook
from conformance.core.redaction import Redactor
from conformance.summary.footprint import peaks
from conformance.target.limits import InFlight
from conformance.target.pacing import Pacer
from conformance.target.seam import FoundryClient, InteractionLog

PROFILE = builtin_profile()
MODEL = PROFILE.emulator_deployments[0]


class Clock:
    """A clock that only moves when a waiting request sleeps (thread-safe)."""

    def __init__(self) -> None:
        self.now = 5000.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds


class RecordingBook(QuotaBook):
    """The real book, keeping the time of every admission."""

    def __init__(self, clock: Clock) -> None:
        super().__init__(clock)
        self.admitted: list[tuple[str, float]] = []
        self._clock_of = clock

    def admit(
        self, pool: str, ceilings: Ceilings, input_estimate: int = 0, output_estimate: int = 0
    ) -> Admission:
        answer = super().admit(pool, ceilings, input_estimate, output_estimate)
        if answer.ticket is not None:
            self.admitted.append((pool, self._clock_of()))
        return answer


def message(model: str = MODEL, max_tokens: int = 16) -> httpx.Request:
    body = {
        "model": model,
        "max_tokens": max_tokens,
        "messages": [{"role": "user", "content": "ok"}],
    }
    return httpx.Request("POST", "http://127.0.0.1/anthropic/v1/messages", json=body)


def pacer(book: QuotaBook, ceilings: Ceilings, clock: Clock, subscription: str = "sub") -> Pacer:
    return Pacer(
        book, ceilings, subscription=subscription, profile=PROFILE, clock=clock, sleep=clock.sleep
    )


def test_a_deployment_draws_from_its_models_pool_at_the_subscription() -> None:
    clock = Clock()
    paced = pacer(QuotaBook(clock), Ceilings(rpm=40), clock, subscription="prod")
    model = PROFILE.model(MODEL)
    assert model is not None
    assert paced.pool_of(MODEL) == f"prod/{model.id}"
    # A name the profile does not know is a pool of its own.
    assert paced.pool_of("my-own-deployment") == "prod/my-own-deployment"


def test_what_names_no_model_and_the_rate_limit_probe_are_not_paced() -> None:
    clock = Clock()
    paced = pacer(QuotaBook(clock), Ceilings(rpm=1), clock)
    listing = httpx.Request("GET", "http://127.0.0.1/anthropic/v1/models")
    assert paced.enter(listing, RequestTag(check_id="UNS-MODELS")) is None
    assert paced.enter(message(), RequestTag(check_id="RL-429")) is None
    assert paced.enter(message(), RequestTag(check_id="MSG-BASIC")) is not None


def test_a_request_waits_for_its_pool_and_the_wait_is_counted() -> None:
    clock = Clock()
    paced = pacer(QuotaBook(clock), Ceilings(rpm=2), clock)
    tag = RequestTag(check_id="MSG-BASIC")
    for _ in range(3):
        assert paced.enter(message(), tag) is not None
    (pool,) = paced.waits
    assert paced.waits[pool].requests == 1
    assert paced.waits[pool].seconds == pytest.approx(WINDOW_S + 1.0, abs=0.3)
    assert paced.waits[pool].counters == {"requests"}


def test_a_waiting_request_stops_when_the_run_stops() -> None:
    clock = Clock()
    paced = pacer(QuotaBook(clock), Ceilings(rpm=1), clock)
    tag = RequestTag(check_id="MSG-BASIC")
    assert paced.enter(message(), tag) is not None
    with pytest.raises(RunStopped):
        paced.enter(message(), tag, stopped=lambda: True)
    paced.close()
    with pytest.raises(RunStopped):
        paced.enter(message(), tag)


def test_an_answer_is_charged_what_it_used_and_no_answer_nothing() -> None:
    clock = Clock()
    book = QuotaBook(clock)
    paced = pacer(book, Ceilings(rpm=10, otpm=100), clock)
    tag = RequestTag(check_id="MSG-BASIC")
    answered = paced.enter(message(max_tokens=90), tag)
    assert answered is not None
    ix = Interaction(1, "POST", "u", "/", {}, "", 0.0, status=200, input_tokens=11, output_tokens=3)
    paced.settle(answered, ix)
    refused = paced.enter(message(), tag)
    paced.settle(refused, Interaction(2, "POST", "u", "/", {}, "", 0.0, status=None))
    pool = paced.pool_of(MODEL)
    assert book.usage(pool) == {
        "requests": 1,
        "input_tokens": 11,
        "output_tokens": 3,
        "in_flight": 0,
    }


def test_a_request_held_by_its_runs_answers_in_flight_goes_when_one_settles() -> None:
    """It waits for the settlement, not asking the book again and again meanwhile (in a fleet
    each ask is a call to another process)."""
    clock = Clock()
    asked: list[Admission] = []

    class CountingBook(QuotaBook):
        def admit(
            self, pool: str, ceilings: Ceilings, input_estimate: int = 0, output_estimate: int = 0
        ) -> Admission:
            answer = super().admit(pool, ceilings, input_estimate, output_estimate)
            asked.append(answer)
            return answer

    paced = pacer(CountingBook(clock), Ceilings(rpm=10, otpm=100), clock)
    tag = RequestTag(check_id="MSG-BASIC")
    flying = paced.enter(message(max_tokens=100), tag)  # its estimate fills the pool
    assert flying is not None
    second: list[object] = []
    waiter = threading.Thread(target=lambda: second.append(paced.enter(message(), tag)))
    waiter.start()
    for _ in range(5000):  # until the second is held back by the first's estimate
        if any(a.in_flight for a in asked):
            break
        threading.Event().wait(0.001)
    assert [a.counter for a in asked[1:]] == ["output_tokens"]
    threading.Event().wait(0.05)  # a poll of the book would have asked again by now
    ix = Interaction(1, "POST", "u", "/", {}, "", 0.0, status=200, input_tokens=5, output_tokens=3)
    paced.settle(flying, ix)
    waiter.join(timeout=5)
    assert second and second[0] is not None
    assert len(asked) == 3  # the first, the second held back, the second after the settlement
    assert clock.now == 5000.0  # it never slept on the clock: the settlement woke it


def test_the_ceilings_hold_under_jobs_through_the_seam() -> None:
    """Eight threads, four requests in flight at once (the pool's gate), 120 requests on one
    pool and a few on another: no minute of admissions holds more than the ceiling, and every
    request was answered."""
    clock = Clock()
    book = RecordingBook(clock)
    paced = pacer(book, Ceilings(rpm=30), clock)

    def answer(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        usage = {"input_tokens": 11, "output_tokens": 2}
        return httpx.Response(200, json={"type": "message", "model": body["model"], "usage": usage})

    log = InteractionLog(Redactor([]))
    client = FoundryClient(
        "http://127.0.0.1/anthropic/",
        log,
        transport=httpx.MockTransport(answer),
        anthropic_version=PROFILE.documented_version,
    )
    gate = InFlight(4)
    client.transport.admit_through(gate)
    client.transport.pace_with(paced)
    other = PROFILE.emulator_deployments[1]

    def check(index: int) -> int:
        with tagged(check_id="MSG-BASIC", case=f"case-{index}"):
            request = client.build(
                "POST",
                "v1/messages",
                json=json.loads(message(MODEL if index % 10 else other).content),
            )
            return client.send(request).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(check, range(132)))
    assert statuses == [200] * 132
    by_pool: dict[str, list[list[float]]] = {}
    for name, at in book.admitted:
        by_pool.setdefault(name, []).append([at, 0, 0])
    main = by_pool[paced.pool_of(MODEL)]
    assert len(main) == 118
    assert peaks(main, WINDOW_S)[0] == 30
    # The other pool never waited for the first one's ceiling beyond the slots of the gate.
    assert len(by_pool[paced.pool_of(other)]) == 14
    assert peaks(by_pool[paced.pool_of(other)], WINDOW_S)[0] <= 14
    assert len(log) == 132
