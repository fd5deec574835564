"""Each profile really changes the pure emulator's answer, and composes with the others."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from anthropic.types import Message
from pydantic import ValidationError

from conformance.core.constants import EMULATOR_DEV_API_KEY
from conformance.core.jwt_claims import mint_test_token
from conformance.core.platform_load import builtin_profile
from conformance.emulator import PROFILE_NAMES, bodies
from conformance.emulator.logic import ECHO_FIELD, ECHO_HEADER, Emulator
from conformance.emulator.ratelimit import Throttled
from tests.platform_facts import RATE_LIMIT_HEADERS

from .conftest import COUNT_TOKENS, DEPLOYMENT, FakeClock, message_body, request, sse_events

Make = Callable[..., Emulator]
STREAM = message_body(stream=True)
PROFILE = builtin_profile()
STRUCTURED = message_body(
    output_config={"format": {"type": "json_schema", "schema": {"type": "object"}}}
)
FAULT_TESTS: dict[str, Callable[[Make, FakeClock], None]] = {}


def fault_test(
    name: str,
) -> Callable[[Callable[[Make, FakeClock], None]], Callable[[Make, FakeClock], None]]:
    def register(test: Callable[[Make, FakeClock], None]) -> Callable[[Make, FakeClock], None]:
        FAULT_TESTS[name] = test
        return test

    return register


def event_names(emulator: Emulator) -> list[str | None]:
    return [name for name, _ in sse_events(emulator.handle(request(body=STREAM)))]


@fault_test("default")
def _default(make: Make, clock: FakeClock) -> None:
    reply = make("default").handle(request())
    assert reply.status == 200
    assert reply == make("").handle(request())


@fault_test("api-key-rejected")
def _api_key_rejected(make: Make, clock: FakeClock) -> None:
    emulator = make("api-key-rejected")
    reply = emulator.handle(request(auth={"api-key": EMULATOR_DEV_API_KEY}))
    assert (reply.status, reply.json()) == (401, bodies.invalid_subscription_key())
    assert emulator.handle(request(auth={"x-api-key": EMULATOR_DEV_API_KEY})).status == 200


@fault_test("ratelimit-headers")
def _ratelimit_headers(make: Make, clock: FakeClock) -> None:
    emulator = make("ratelimit-headers")
    for reply in (
        emulator.handle(request()),
        emulator.handle(request(auth={})),
        emulator.handle(request("/x")),
    ):
        names = [name for name, _ in reply.headers]
        assert all(header in names for header in RATE_LIMIT_HEADERS)
    assert make().handle(request()).header(RATE_LIMIT_HEADERS[0]) is None


@fault_test("models-served")
def _models_served(make: Make, clock: FakeClock) -> None:
    reply = make("models-served").handle(request("/anthropic/v1/models", method="GET"))
    assert reply.status == 200
    assert [m["id"] for m in reply.json()["data"]] == list(make().config.deployments)
    assert reply.header("request-id")


@fault_test("no-apim-request-id")
def _no_apim_request_id(make: Make, clock: FakeClock) -> None:
    emulator = make("no-apim-request-id")
    for reply in (emulator.handle(request()), emulator.handle(request(auth={}))):
        assert reply.header("apim-request-id") is None
    assert emulator.handle(request()).header("request-id")


@fault_test("no-request-id")
def _no_request_id(make: Make, clock: FakeClock) -> None:
    emulator = make("no-request-id")
    assert emulator.handle(request()).header("request-id") is None
    assert emulator.handle(request(version=False)).header("request-id") is None
    assert emulator.handle(request()).header("apim-request-id")


@fault_test("done-sentinel")
def _done_sentinel(make: Make, clock: FakeClock) -> None:
    reply = make("done-sentinel").handle(request(body=STREAM))
    assert reply.body.endswith(
        b'event: message_stop\ndata: {"type":"message_stop"}\n\ndata: [DONE]\n\n'
    )


@fault_test("overloaded")
def _overloaded(make: Make, clock: FakeClock) -> None:
    emulator = make("overloaded")
    reply = emulator.handle(request())
    assert reply.status == 529
    assert reply.json()["error"] == {"type": "overloaded_error", "message": "Overloaded"}
    assert reply.header("request-id") == reply.json()["request_id"]
    counted = {"model": DEPLOYMENT, "messages": [{"role": "user", "content": "x"}]}
    assert emulator.handle(request(COUNT_TOKENS, counted)).status == 200


@fault_test("overloaded-midstream")
def _overloaded_midstream(make: Make, clock: FakeClock) -> None:
    reply = make("overloaded-midstream").handle(request(body=STREAM))
    assert reply.status == 200
    events = sse_events(reply)
    assert [name for name, _ in events] == [
        "message_start",
        "content_block_start",
        "ping",
        "content_block_delta",
        "error",
    ]
    assert json.loads(events[-1][1]) == bodies.overloaded(None)
    assert make("overloaded-midstream").handle(request()).status == 200  # non-streamed is fine


@fault_test("slow")
def _slow(make: Make, clock: FakeClock) -> None:
    assert make("slow").handle(request()).delay_s == 0.5
    assert make("slow=1.5").handle(request("/x")).delay_s == 1.5


@fault_test("slow-stream")
def _slow_stream(make: Make, clock: FakeClock) -> None:
    chunks = make("slow-stream=0.3").handle(request(body=STREAM)).chunks
    assert chunks[0].delay_s == 0
    assert {chunk.delay_s for chunk in chunks[1:]} == {0.3}
    assert make("slow-stream").handle(request(body=STREAM)).chunks[1].delay_s == 0.2


@fault_test("key-auth-disabled")
def _key_auth_disabled(make: Make, clock: FakeClock) -> None:
    emulator = make("key-auth-disabled")
    reply = emulator.handle(request())
    assert (reply.status, reply.json()) == (403, bodies.authentication_type_disabled())
    assert reply.header("request-id") is None
    assert (
        emulator.handle(request(auth={"authorization": f"Bearer {mint_test_token()}"})).status
        == 200
    )


@fault_test("rbac-missing")
def _rbac_missing(make: Make, clock: FakeClock) -> None:
    emulator = make("rbac-missing")
    token = mint_test_token(object_id="aaaaaaaa-0000-4000-8000-000000000001")
    reply = emulator.handle(request(auth={"authorization": f"Bearer {token}"}))
    assert reply.status == 401
    assert reply.json()["error"]["code"] == "PermissionDenied"
    assert "`aaaaaaaa-0000-4000-8000-000000000001`" in reply.json()["error"]["message"]
    assert emulator.handle(request()).status == 200  # keys are not subject to RBAC


@fault_test("garbage")
def _garbage(make: Make, clock: FakeClock) -> None:
    emulator = make("garbage")
    for req in (request(), request(auth={}), request("/anthropic/v1/models", method="GET")):
        reply = emulator.handle(req)
        assert reply.status == 502
        assert reply.header("content-type") == "text/html"
        assert reply.body == bodies.bad_gateway_page()
    assert emulator.handle(request("/v1/messages")).status == 404  # outside /anthropic


@fault_test("connection-reset")
def _connection_reset(make: Make, clock: FakeClock) -> None:
    emulator = make("connection-reset")
    reply = emulator.handle(request())
    assert (reply.status, reply.headers, reply.chunks, reply.reset) == (0, [], [], "before-headers")
    counted = {"model": DEPLOYMENT, "messages": [{"role": "user", "content": "x"}]}
    assert emulator.handle(request(COUNT_TOKENS, counted)).status == 200


@fault_test("reset-midstream")
def _reset_midstream(make: Make, clock: FakeClock) -> None:
    reply = make("reset-midstream,done-sentinel").handle(request(body=STREAM))
    assert (reply.status, reply.reset) == (200, "mid-body")
    assert [name for name, _ in sse_events(reply)] == [
        "message_start",
        "content_block_start",
        "ping",
    ]


@fault_test("truncated-stream")
def _truncated_stream(make: Make, clock: FakeClock) -> None:
    reply = make("truncated-stream").handle(request(body=STREAM))
    names = [name for name, _ in sse_events(reply)]
    assert reply.reset is None
    assert names[-1] == "content_block_delta"
    assert "message_stop" not in names


@fault_test("wrong-shape")
def _wrong_shape(make: Make, clock: FakeClock) -> None:
    emulator = make("wrong-shape")
    reply = emulator.handle(request())
    assert reply.status == 200
    with pytest.raises(ValidationError):
        Message.model_validate(reply.json())
    start = json.loads(sse_events(emulator.handle(request(body=STREAM)))[0][1])
    assert "usage" not in start["message"]


@fault_test("huge-body")
def _huge_body(make: Make, clock: FakeClock) -> None:
    reply = make("huge-body").handle(request())
    assert len(reply.body) > 5_000_000
    Message.model_validate(reply.json())


@fault_test("server-error")
def _server_error(make: Make, clock: FakeClock) -> None:
    emulator = make("server-error")
    counted = {"model": DEPLOYMENT, "messages": [{"role": "user", "content": "x"}]}
    for reply in (emulator.handle(request()), emulator.handle(request(COUNT_TOKENS, counted))):
        assert reply.status == 500
        assert reply.json()["error"] == {"type": "api_error", "message": "Internal server error"}


@fault_test("rate-limited")
def _rate_limited(make: Make, clock: FakeClock) -> None:
    emulator = make("rate-limited")
    first = emulator.handle(request())
    limit = PROFILE.quota_of(PROFILE.model(DEPLOYMENT)).rpm
    window = PROFILE.quota.window_s
    assert (first.status, first.json()) == (
        429,
        bodies.rate_limit_reached(PROFILE, Throttled("requests", limit, window), window),
    )
    clock.advance(4)
    assert (
        f"Please wait {window - 4} seconds" in emulator.handle(request()).json()["error"]["message"]
    )
    assert emulator.handle(request(auth={})).status == 401  # auth still comes first


@fault_test("echo-key")
def _echo_key(make: Make, clock: FakeClock) -> None:
    emulator = make("echo-key")
    ok = emulator.handle(request())
    assert ok.json()[ECHO_FIELD] == EMULATOR_DEV_API_KEY
    assert ok.header(ECHO_HEADER) == EMULATOR_DEV_API_KEY
    Message.model_validate(ok.json())
    refused = emulator.handle(request(auth={"api-key": "users-secret-key-123"}))
    assert refused.status == 401
    assert refused.json()[ECHO_FIELD] == "users-secret-key-123"
    assert refused.header(ECHO_HEADER) == "users-secret-key-123"
    token = mint_test_token()
    assert (
        emulator.handle(request(auth={"authorization": f"Bearer {token}"})).header(ECHO_HEADER)
        == token
    )


@fault_test("tight-rate-limit")
def _tight_rate_limit(make: Make, clock: FakeClock) -> None:
    emulator = make("tight-rate-limit")
    assert [emulator.handle(request()).status for _ in range(6)] == [200] * 5 + [429]
    assert "Rate limit of 5 per 2s" in emulator.handle(request()).json()["error"]["message"]
    clock.advance(2)
    assert emulator.handle(request()).status == 200


@fault_test("retry-after")
def _retry_after(make: Make, clock: FakeClock) -> None:
    emulator = make("retry-after,tight-rate-limit")
    replies = [emulator.handle(request()) for _ in range(6)]
    assert replies[-1].status == 429
    assert replies[-1].header("retry-after") == "2"
    assert replies[0].header("retry-after") is None


@fault_test("anthropic-not-found")
def _anthropic_not_found(make: Make, clock: FakeClock) -> None:
    reply = make("anthropic-not-found").handle(request(body=message_body(model="nope")))
    assert reply.status == 404
    assert reply.json()["error"] == {"type": "not_found_error", "message": "model: nope"}
    assert reply.header("request-id") == reply.json()["request_id"]


@fault_test("zero-quota")
def _zero_quota(make: Make, clock: FakeClock) -> None:
    emulator = make("zero-quota")
    counted = {"model": DEPLOYMENT, "messages": [{"role": "user", "content": "x"}]}
    for reply in (emulator.handle(request()), emulator.handle(request(COUNT_TOKENS, counted))):
        assert reply.status == 429
        assert reply.json()["error"]["code"] == "RateLimitReached"
        assert reply.json()["error"]["message"] == PROFILE.text(
            "zero_quota",
            window=PROFILE.quota.window_s,
            counter=PROFILE.quota.counters["requests"],
            wait=PROFILE.quota.window_s,
        )
        assert reply.header("request-id") is None  # the gateway's answer
    assert make().handle(request()).status == 200


@fault_test("hosted-on-azure")
def _hosted_on_azure(make: Make, clock: FakeClock) -> None:
    emulator = make("hosted-on-azure")
    refused = emulator.handle(request(body=STRUCTURED))
    assert refused.status == 400
    assert refused.json()["error"] == {
        "type": "invalid_request_error",
        "message": "structured_outputs not supported in your workspace.",
    }
    assert refused.header("request-id") == refused.json()["request_id"]
    assert emulator.handle(request()).status == 200
    files = emulator.handle(request("/anthropic/v1/files", method="GET"))
    assert (files.status, files.json()) == (404, bodies.api_not_supported())
    assert make().handle(request(body=STRUCTURED)).status == 200  # the default follows Microsoft


@fault_test("hosted-on-anthropic")
def _hosted_on_anthropic(make: Make, clock: FakeClock) -> None:
    emulator = make("hosted-on-anthropic")
    assert emulator.handle(request(body=STRUCTURED)).status == 200
    for path in ("/anthropic/v1/files", "/anthropic/v1/skills"):
        listing = emulator.handle(request(path, method="GET"))
        assert listing.status == 200
        assert listing.json() == {"data": [], "has_more": False, "first_id": None, "last_id": None}
        assert listing.header("request-id")
        assert make().handle(request(path, method="GET")).status == 404


@fault_test("backend-auth-failure")
def _backend_auth_failure(make: Make, clock: FakeClock) -> None:
    emulator = make("backend-auth-failure")
    reply = emulator.handle(request())
    wording = PROFILE.errors["backend_auth"]
    assert reply.status == wording.status
    error = reply.json()["error"]
    assert error["code"] == wording.code
    assert re.fullmatch(
        r"Failed to authenticate to backend endpoint\. RequestId = req_011C\w{20}", error["message"]
    )
    assert reply.header("request-id") is None
    counted = {"model": DEPLOYMENT, "messages": [{"role": "user", "content": "x"}]}
    assert emulator.handle(request(COUNT_TOKENS, counted)).status == 200


@fault_test("beta-query-required")
def _beta_query_required(make: Make, clock: FakeClock) -> None:
    emulator = make("beta-query-required")
    body = message_body(context_management={"edits": [{"type": "clear_tool_uses_20250919"}]})
    beta = {"anthropic-beta": "context-management-2025-06-27"}
    refused = emulator.handle(request(body=body, headers=beta))
    assert refused.status == 400
    assert (
        "context_management: Extra inputs are not permitted" in refused.json()["error"]["message"]
    )
    assert emulator.handle(request(body=body, headers=beta, query="beta=true")).status == 200
    assert make().handle(request(body=body, headers=beta)).status == 200


@fault_test("features-ignored")
def _features_ignored(make: Make, clock: FakeClock) -> None:
    emulator = make("features-ignored")
    thinking = message_body(thinking={"type": "enabled", "budget_tokens": 1024}, max_tokens=2000)
    for body in (STRUCTURED, thinking):
        reply = emulator.handle(request(body=body))
        assert reply.status == 200
        assert [b["type"] for b in reply.json()["content"]] == ["text"]
        assert not reply.json()["content"][0]["text"].startswith("{")
    streamed = emulator.handle(request(body=message_body(stream=True)))
    assert streamed.header("content-type") == "application/json"
    assert make().handle(request(body=thinking)).json()["content"][0]["type"] == "thinking"


@fault_test("enterprise-quota")
def _enterprise_quota(make: Make, clock: FakeClock) -> None:
    emulator = make("enterprise-quota")
    payg = PROFILE.quota.payg.rpm
    assert all(emulator.handle(request()).status == 200 for _ in range(payg + 5))
    default = make()
    assert [default.handle(request()).status for _ in range(payg + 1)][-1] == 429


def test_every_profile_has_a_test() -> None:
    assert set(FAULT_TESTS) == set(PROFILE_NAMES)


@pytest.mark.parametrize("name", sorted(FAULT_TESTS))
def test_profile(name: str, make_emulator: Make, clock: FakeClock) -> None:
    FAULT_TESTS[name](make_emulator, clock)


def test_faults_compose(make_emulator: Make) -> None:
    emulator = make_emulator("no-request-id,ratelimit-headers,slow=0.1,done-sentinel")
    reply = emulator.handle(request(body=STREAM))
    assert reply.header("request-id") is None
    assert reply.header(RATE_LIMIT_HEADERS[-1])
    assert reply.delay_s == 0.1
    assert reply.body.endswith(b"data: [DONE]\n\n")
