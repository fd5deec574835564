"""The quota model: one pool per model (not per caller), three counters named as in the field."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from conformance.core.jwt_claims import mint_test_token
from conformance.core.platform_load import builtin_profile
from conformance.emulator import bodies, parse_profiles
from conformance.emulator.logic import Emulator
from conformance.emulator.ratelimit import Throttled

from .conftest import COUNT_TOKENS, DEPLOYMENT, FakeClock, message_body, request

PROFILE = builtin_profile()
WINDOW = PROFILE.quota.window_s
Make = Callable[..., Emulator]


def test_a_pool_allows_its_models_requests_per_minute_then_429s(
    make_emulator: Make, clock: FakeClock
) -> None:
    emulator = make_emulator()
    rpm = PROFILE.quota_of(PROFILE.model(DEPLOYMENT)).rpm
    statuses = [emulator.handle(request()).status for _ in range(rpm)]
    assert statuses == [200] * rpm
    clock.advance(3.2)
    reply = emulator.handle(request())
    assert reply.status == 429
    assert reply.json() == bodies.rate_limit_reached(
        PROFILE, Throttled("requests", rpm, WINDOW - 3), WINDOW
    )
    assert PROFILE.quota.counters["requests"] in reply.json()["error"]["message"]
    assert reply.header("request-id") is None and reply.header("retry-after") is None
    clock.advance(WINDOW - 3.2)
    assert emulator.handle(request()).status == 200


def test_the_pool_is_the_models_not_the_callers(make_emulator: Make) -> None:
    emulator = make_emulator(rate_limit=2)
    token = {"authorization": f"Bearer {mint_test_token()}"}
    assert emulator.handle(request()).status == 200
    assert emulator.handle(request(auth=token)).status == 200
    assert emulator.handle(request()).status == 429
    assert emulator.handle(request(auth=token)).status == 429
    # count_tokens is free of tokens but is a request of the same pool.
    counted = {"model": DEPLOYMENT, "messages": [{"role": "user", "content": "x"}]}
    assert emulator.handle(request(COUNT_TOKENS, counted)).status == 429
    other = emulator.config.deployments[1]
    assert emulator.handle(request(body=message_body(model=other))).status == 200


def test_deployments_of_one_model_share_its_pool_and_unknown_names_have_their_own(
    make_emulator: Make,
) -> None:
    dated = f"{DEPLOYMENT}-20260901"
    emulator = make_emulator(deployments=(DEPLOYMENT, dated, "team-a", "team-b"), rate_limit=1)
    assert emulator.handle(request()).status == 200
    assert emulator.handle(request(body=message_body(model=dated))).status == 429
    assert emulator.handle(request(body=message_body(model="team-a"))).status == 200
    assert emulator.handle(request(body=message_body(model="team-b"))).status == 200
    assert emulator.handle(request(body=message_body(model="team-a"))).status == 429


def test_answers_charge_uncached_input_and_output_tokens(make_emulator: Make) -> None:
    emulator = make_emulator()
    message = emulator.handle(request()).json()
    counted = {"model": DEPLOYMENT, "messages": [{"role": "user", "content": "x"}]}
    assert emulator.handle(request(COUNT_TOKENS, counted)).status == 200
    assert emulator.handle(request(body=message_body(max_tokens=10**9))).status == 400
    assert emulator.usage(DEPLOYMENT) == {
        "requests": 3,  # the 400 reached the pool too: the gateway counts before Claude judges
        "input_tokens": message["usage"]["input_tokens"],
        "output_tokens": message["usage"]["output_tokens"],
    }


def test_a_spent_token_counter_is_named_in_the_429(make_emulator: Make) -> None:
    config = parse_profiles("")
    quota = PROFILE.quota_of(PROFILE.model(DEPLOYMENT))
    small = replace(
        config,
        profile=replace(
            PROFILE,
            models=tuple(
                replace(m, quota=replace(quota, otpm=5)) if m.id == DEPLOYMENT else m
                for m in PROFILE.models
            ),
        ),
    )
    emulator = Emulator(small, FakeClock())
    assert emulator.handle(request()).status == 200  # the answer overruns 5 output tokens
    reply = emulator.handle(request())
    assert reply.status == 429
    assert PROFILE.quota.counters["output_tokens"] in reply.json()["error"]["message"]
    assert "Rate limit of 5 per" in reply.json()["error"]["message"]


def test_a_models_own_quota_is_its_pools(make_emulator: Make) -> None:
    name = "claude-haiku-4-5"
    model = PROFILE.model(name)
    assert model is not None and model.quota is not None
    assert model.quota.rpm != PROFILE.quota.payg.rpm
    emulator = make_emulator(deployments=(name,))
    statuses = [
        emulator.handle(request(body=message_body(model=name, max_tokens=1))).status
        for _ in range(model.quota.rpm + 1)
    ]
    assert statuses == [200] * model.quota.rpm + [429]


def test_a_model_with_no_quota_gets_the_zero_quota_answer(make_emulator: Make) -> None:
    name = next(m.id for m in PROFILE.models if m.quota is not None and m.quota.rpm == 0)
    reply = make_emulator(deployments=(name,)).handle(request(body=message_body(model=name)))
    assert reply.status == 429
    assert reply.json()["error"]["message"].startswith("Rate limit of 0 per")


def test_a_huge_body_fault_charges_what_was_generated(make_emulator: Make) -> None:
    emulator = make_emulator("huge-body")
    assert len(emulator.handle(request()).body) > 5_000_000
    assert emulator.usage(DEPLOYMENT)["output_tokens"] < 100
    assert emulator.handle(request()).status == 200


def test_retry_after_carries_the_wait(make_emulator: Make, clock: FakeClock) -> None:
    emulator = make_emulator("retry-after", rate_limit=1)
    emulator.handle(request())
    clock.advance(10)
    reply = emulator.handle(request())
    assert reply.header("retry-after") == str(WINDOW - 10)
