"""The pure emulator: routes, layer order, headers, rate limit and determinism, without sockets."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest
from anthropic.types import Message, MessageTokensCount

from conformance.core.jwt_claims import mint_test_token
from conformance.emulator import bodies
from conformance.emulator.logic import Emulator, Route, classify
from conformance.emulator.wire import EmulatorRequest, Reply
from tests.platform_facts import RATE_LIMIT_HEADER_PREFIX

from .conftest import COUNT_TOKENS, DEPLOYMENT, FakeClock, message_body, request

GATEWAY_HEADERS = [
    "apim-request-id",
    "content-type",
    "strict-transport-security",
    "x-content-type-options",
    "x-ms-client-request-id",
]


def assert_gateway(reply: Reply, status: int, body: object) -> None:
    assert reply.status == status
    assert reply.json() == body
    assert [name for name, _ in reply.headers] == GATEWAY_HEADERS
    assert reply.header("request-id") is None


def assert_anthropic_error(reply: Reply, status: int, error_type: str, message: str) -> None:
    assert reply.status == status
    body = reply.json()
    assert body["type"] == "error"
    assert body["error"] == {"type": error_type, "message": message}
    assert body["request_id"] == reply.header("request-id")


@pytest.mark.parametrize(
    ("method", "path", "route"),
    [
        ("POST", "/anthropic/v1/messages", Route.MESSAGES),
        ("POST", "/anthropic/v1/messages/count_tokens", Route.COUNT_TOKENS),
        ("GET", "/anthropic/v1/models", Route.MODELS),
        ("GET", "/anthropic/v1/models/claude-haiku-4-5", Route.MODELS),
        ("POST", "/anthropic/v1/messages/batches", Route.UNSUPPORTED),
        ("GET", "/anthropic/v1/messages/batches/msgbatch_1", Route.UNSUPPORTED),
        ("GET", "/anthropic/v1/organizations/me", Route.UNSUPPORTED),
        ("GET", "/anthropic/v1/organizations/users", Route.UNSUPPORTED),
        ("GET", "/anthropic/v1/files", Route.HOSTED),
        ("GET", "/anthropic/v1/files/file_011", Route.HOSTED),
        ("POST", "/anthropic/v1/skills", Route.HOSTED),
        ("POST", "/openai/v1/chat/completions", Route.UNSUPPORTED),
        ("POST", "/models/chat/completions", Route.UNSUPPORTED),
        ("POST", "/v1/messages", Route.UNKNOWN),
        ("GET", "/anthropic/v1/messages", Route.UNKNOWN),
        ("POST", "/anthropic/v1/messages/", Route.UNKNOWN),
        ("POST", "/anthropic/v1/modelsx", Route.UNKNOWN),
        ("GET", "/", Route.UNKNOWN),
    ],
)
def test_routes(method: str, path: str, route: Route) -> None:
    assert classify(method, path) is route


def test_a_message_is_answered_by_the_anthropic_layer(emulator: Emulator) -> None:
    reply = emulator.handle(request())
    assert reply.status == 200
    message = Message.model_validate(reply.json())
    assert message.model == DEPLOYMENT
    assert [name for name, _ in reply.headers] == [
        "apim-request-id",
        "request-id",
        *GATEWAY_HEADERS[1:],
    ]
    assert re.fullmatch(r"req_011C[1-9A-HJ-NP-Za-km-z]{20}", reply.header("request-id") or "")
    assert uuid.UUID(reply.header("apim-request-id") or "")
    assert reply.header("content-type") == "application/json"
    assert (
        reply.header("strict-transport-security") == "max-age=31536000; includeSubDomains; preload"
    )
    assert reply.header("x-content-type-options") == "nosniff"
    assert reply.header("x-ms-client-request-id") == "Not-Set"
    assert (reply.delay_s, reply.reset, reply.streamed) == (0.0, None, False)


def test_the_client_request_id_is_echoed(emulator: Emulator) -> None:
    reply = emulator.handle(request(headers={"x-ms-client-request-id": "my-correlation"}))
    assert reply.header("x-ms-client-request-id") == "my-correlation"


@pytest.mark.parametrize("query", ["", "beta=true"])
def test_count_tokens_matches_the_messages_usage(emulator: Emulator, query: str) -> None:
    body = message_body(system="Be brief.")
    counted = {k: v for k, v in body.items() if k != "max_tokens"}
    reply = emulator.handle(request(COUNT_TOKENS, counted, query=query))
    assert reply.status == 200
    assert reply.header("request-id")
    tokens = MessageTokensCount.model_validate(reply.json()).input_tokens
    assert (
        tokens == emulator.handle(request(body=body, query=query)).json()["usage"]["input_tokens"]
    )


def test_beta_messages_accept_beta_fields(emulator: Emulator) -> None:
    body = message_body(context_management={"edits": []})
    assert emulator.handle(request(body=body, query="beta=true")).status == 200
    assert emulator.handle(request(body=body)).status == 400


def test_a_stream_is_sse(emulator: Emulator) -> None:
    reply = emulator.handle(request(body=message_body(stream=True)))
    assert reply.status == 200
    assert reply.streamed
    assert reply.header("content-type") == "text/event-stream; charset=utf-8"
    assert reply.header("cache-control") == "no-cache"
    assert len(reply.chunks) > 5
    assert reply.chunks[-1].data == b'event: message_stop\ndata: {"type":"message_stop"}\n\n'
    assert b"[DONE]" not in reply.body


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/anthropic/v1/models"),
        ("POST", "/anthropic/v1/messages/batches"),
        ("GET", "/anthropic/v1/messages/batches"),
        ("GET", "/anthropic/v1/organizations/api_keys"),
        ("POST", "/openai/v1/chat/completions"),
        ("POST", "/models/chat/completions"),
    ],
)
def test_unsupported_apis_are_api_not_supported(emulator: Emulator, method: str, path: str) -> None:
    assert_gateway(emulator.handle(request(path, method=method)), 404, bodies.api_not_supported())


def test_unsupported_apis_still_need_auth(emulator: Emulator) -> None:
    reply = emulator.handle(request("/anthropic/v1/models", method="GET", auth={}))
    assert_gateway(reply, 401, bodies.invalid_subscription_key())


@pytest.mark.parametrize("path", ["/v1/messages", "/anthropic/v2/messages", "/"])
def test_unknown_paths_are_resource_not_found_before_auth(emulator: Emulator, path: str) -> None:
    assert_gateway(emulator.handle(request(path, auth={})), 404, bodies.resource_not_found())


def test_auth_failures_are_gateway_answers(emulator: Emulator) -> None:
    assert_gateway(emulator.handle(request(auth={})), 401, bodies.invalid_subscription_key())
    reply = emulator.handle(request(auth={"authorization": "Bearer x.y.z"}))
    assert_gateway(reply, 401, bodies.invalid_token(emulator.config.profile))


def test_an_entra_token_is_served(emulator: Emulator) -> None:
    reply = emulator.handle(request(auth={"authorization": f"Bearer {mint_test_token()}"}))
    assert reply.status == 200


def test_token_expiry_follows_the_wall_clock(clock: FakeClock) -> None:
    from datetime import UTC, datetime

    token = mint_test_token(expires_at=datetime(2030, 1, 1, tzinfo=UTC))
    before = Emulator(clock=clock, wall_clock=lambda: datetime(2029, 1, 1, tzinfo=UTC))
    after = Emulator(clock=clock, wall_clock=lambda: datetime(2031, 1, 1, tzinfo=UTC))
    auth = {"authorization": f"Bearer {token}"}
    assert before.handle(request(auth=auth)).status == 200
    assert_gateway(
        after.handle(request(auth=auth)), 401, bodies.invalid_token(after.config.profile)
    )


def test_missing_version_is_an_anthropic_400(emulator: Emulator) -> None:
    reply = emulator.handle(request(version=False))
    assert_anthropic_error(
        reply, 400, "invalid_request_error", "anthropic-version: header is required"
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"nope", "The request body is not valid JSON."),
        (
            {"model": DEPLOYMENT, "messages": [{"role": "user", "content": "x"}]},
            "max_tokens: Field required",
        ),
        (
            message_body(stream_options={"include_usage": True}),
            "stream_options: Extra inputs are not permitted",
        ),
        (
            {"max_tokens": 5, "messages": [{"role": "user", "content": "x"}]},
            "model: Field required",
        ),
    ],
)
def test_invalid_bodies_are_anthropic_400s(emulator: Emulator, body: object, message: str) -> None:
    reply = emulator.handle(request(body=body))  # type: ignore[arg-type]
    assert reply.status == 400
    assert reply.json()["error"]["type"] == "invalid_request_error"
    assert reply.json()["error"]["message"].startswith(message)
    assert reply.header("request-id") == reply.json()["request_id"]


def test_an_unknown_deployment_is_azures_deployment_not_found(emulator: Emulator) -> None:
    reply = emulator.handle(request(body=message_body(model="claude-3-opus-20240229")))
    assert_gateway(reply, 404, bodies.deployment_not_found())
    counted = {"model": "nope", "messages": [{"role": "user", "content": "x"}]}
    assert_gateway(
        emulator.handle(request(COUNT_TOKENS, counted)), 404, bodies.deployment_not_found()
    )


def test_deployments_are_configurable(make_emulator: Callable[..., Emulator]) -> None:
    emulator = make_emulator(deployments=("prod-sonnet",))
    assert (
        emulator.handle(request(body=message_body(model="prod-sonnet"))).json()["model"]
        == "prod-sonnet"
    )
    assert emulator.handle(request()).status == 404


def test_refused_requests_do_not_use_the_budget(make_emulator: Callable[..., Emulator]) -> None:
    emulator = make_emulator(rate_limit=1)
    assert emulator.handle(request(auth={"x-api-key": "wrong"})).status == 401
    assert emulator.handle(request(body=message_body(model="nope"))).status == 404
    assert emulator.handle(request()).status == 200
    assert emulator.handle(request()).status == 429


def test_no_rate_limit_headers_by_default(emulator: Emulator) -> None:
    replies = [
        emulator.handle(request()),
        emulator.handle(request(auth={})),
        emulator.handle(request("/x")),
    ]
    for reply in replies:
        assert not [n for n, _ in reply.headers if n.startswith(RATE_LIMIT_HEADER_PREFIX)]


def test_a_fresh_emulator_answers_byte_for_byte_the_same(
    make_emulator: Callable[..., Emulator],
) -> None:
    sequence = [
        request(),
        request(),
        request(body=message_body(stream=True)),
        request(auth={}),
        request("/anthropic/v1/models", method="GET"),
        request(version=False),
    ]
    first, second = make_emulator(), make_emulator()
    replies = [first.handle(r) for r in sequence]
    assert replies == [second.handle(r) for r in sequence]
    assert replies[0].header("request-id") != replies[1].header("request-id")
    assert replies[0].json()["id"] != replies[1].json()["id"]


def test_ids_depend_on_the_auth_variant_not_the_secret(
    make_emulator: Callable[..., Emulator],
) -> None:
    by_x = make_emulator().handle(request(auth={"x-api-key": "wrong-1"}))
    by_x_other = make_emulator().handle(request(auth={"x-api-key": "wrong-2"}))
    by_api = make_emulator().handle(request(auth={"api-key": "wrong-1"}))
    assert by_x.header("apim-request-id") == by_x_other.header("apim-request-id")
    assert by_x.header("apim-request-id") != by_api.header("apim-request-id")


def test_from_http_splits_the_target_and_lowercases_headers() -> None:
    built = EmulatorRequest.from_http("post", "/a?beta=true", [("X-Api-Key", "k")], b"{}")
    assert built == EmulatorRequest("POST", "/a", "beta=true", {"x-api-key": "k"}, b"{}")
