"""The Anthropic layer follows the platform profile: versions, betas and each model's own rules."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from conformance.core.jwt_claims import mint_test_token
from conformance.core.platform_load import builtin_profile
from conformance.emulator import bodies, parse_profiles
from conformance.emulator.logic import Emulator
from conformance.emulator.wire import EmulatorRequest, Reply

from .conftest import COUNT_TOKENS, DEPLOYMENT, MESSAGES, FakeClock, message_body, request

PROFILE = builtin_profile()
TOKEN = {"authorization": f"Bearer {mint_test_token()}"}
MIDCONV = [
    {"role": "user", "content": "Hello."},
    {"role": "assistant", "content": "Hello."},
    {"role": "system", "content": "Answer in one word."},
    {"role": "user", "content": "Why?"},
]


def refusal(reply: Reply, status: int = 400, error_type: str = "invalid_request_error") -> str:
    """The message of an Anthropic-shaped error (with its request-id), after checking the shape."""
    assert reply.status == status, reply.body
    body = reply.json()
    assert body["type"] == "error"
    assert body["error"]["type"] == error_type
    assert body["request_id"] == reply.header("request-id")
    return str(body["error"]["message"])


def served(*names: str, day: datetime | None = None) -> Emulator:
    """An emulator serving ``names``, on the wall clock ``day`` (default 2026-12-01, so that the
    lifecycles judged do not move with the day the tests run)."""
    when = day or datetime(2026, 12, 1, tzinfo=UTC)
    return Emulator(parse_profiles("", deployments=names), FakeClock(), wall_clock=lambda: when)


def body_for(name: str, **overrides: Any) -> dict[str, Any]:
    return message_body(model=name, **overrides)


# -- anthropic-version ------------------------------------------------------------------------


@pytest.mark.parametrize("version", PROFILE.accepted_versions)
def test_every_accepted_version_is_served(emulator: Emulator, version: str) -> None:
    assert emulator.handle(request(headers={"anthropic-version": version})).status == 200


@pytest.mark.parametrize("version", ["1999-01-01", "not-a-date", "2023-06-01x", ""])
def test_an_unknown_or_malformed_version_is_a_400(emulator: Emulator, version: str) -> None:
    for path, body in (
        (MESSAGES, message_body()),
        (COUNT_TOKENS, {"model": DEPLOYMENT, "messages": MIDCONV}),
    ):
        reply = emulator.handle(request(path, body, headers={"anthropic-version": version}))
        assert refusal(reply) == PROFILE.text("unknown_version", version=version)


def test_a_missing_version_keeps_its_own_400(emulator: Emulator) -> None:
    assert refusal(emulator.handle(request(version=False))) == bodies.MISSING_VERSION


# -- anthropic-beta ---------------------------------------------------------------------------


def test_known_beta_values_are_accepted_comma_separated(emulator: Emulator) -> None:
    betas = ", ".join(PROFILE.clients["claude_code"].betas)
    assert emulator.handle(request(headers={"anthropic-beta": betas})).status == 200


def test_unknown_beta_values_are_a_400_naming_them(emulator: Emulator) -> None:
    known = PROFILE.clients["claude_code"].betas[0]
    reply = emulator.handle(
        request(headers={"anthropic-beta": f"{known},made-up-2099-01-01,other-beta"})
    )
    assert refusal(reply) == PROFILE.text("unknown_beta", values="made-up-2099-01-01,other-beta")


@pytest.mark.parametrize(
    "field",
    [
        {"mcp_servers": [{"type": "url", "url": "https://example.com/sse", "name": "docs"}]},
        {"context_management": {"edits": [{"type": "clear_tool_uses_20250919"}]}},
    ],
)
def test_beta_fields_are_keyed_on_the_header_and_the_query_is_tolerated(
    emulator: Emulator, field: dict[str, Any]
) -> None:
    body = message_body(**field)
    beta = {"anthropic-beta": "mcp-client-2025-11-20,context-management-2025-06-27"}
    assert emulator.handle(request(body=body, headers=beta)).status == 200
    assert emulator.handle(request(body=body, query="beta=true")).status == 200
    assert refusal(emulator.handle(request(body=body))).endswith("Extra inputs are not permitted")


# -- each deployment is its model -------------------------------------------------------------


def test_max_tokens_above_the_models_maximum_is_a_400_naming_the_model() -> None:
    emulator = served("claude-haiku-4-5", "claude-sonnet-5-5")
    for name in ("claude-haiku-4-5", "claude-sonnet-5-5"):
        model = PROFILE.model(name)
        assert model is not None
        over = emulator.handle(request(body=body_for(name, max_tokens=model.max_output + 1)))
        assert refusal(over) == PROFILE.text(
            "max_tokens", requested=model.max_output + 1, maximum=model.max_output, model=model.id
        )
        assert model.id in refusal(over)
        assert (
            emulator.handle(request(body=body_for(name, max_tokens=model.max_output))).status == 200
        )


@pytest.mark.parametrize(
    ("name", "thinking", "effort", "allowed"),
    [
        ("claude-opus-5-5", {"type": "enabled", "budget_tokens": 1024}, None, False),
        ("claude-opus-5-5", {"type": "adaptive"}, None, True),
        ("claude-opus-5-5", {"type": "disabled"}, "high", True),
        ("claude-opus-5-5", {"type": "disabled"}, "max", False),
        ("claude-opus-5-5", {"type": "disabled"}, None, True),
        ("claude-sonnet-5-5", {"type": "enabled", "budget_tokens": 1024}, None, True),
        ("claude-sonnet-5-5", {"type": "disabled"}, "max", True),
        ("claude-mythos-5", {"type": "disabled"}, None, False),
    ],
)
def test_thinking_types_follow_the_model(
    name: str, thinking: dict[str, Any], effort: str | None, allowed: bool
) -> None:
    emulator = served(name)
    model = PROFILE.model(name)
    assert model is not None and model.allows_thinking(thinking["type"], effort) is allowed
    extra: dict[str, Any] = {"thinking": thinking, "max_tokens": 2048}
    if effort is not None:
        extra["output_config"] = {"effort": effort}
    reply = emulator.handle(request(body=body_for(name, **extra), auth=TOKEN))
    if allowed:
        assert reply.status == 200, reply.body
        return
    permitted = [t for t in model.thinking if model.allows_thinking(t, effort)]
    assert refusal(reply) == PROFILE.text(
        "thinking_type", type=thinking["type"], model=model.id, allowed=", ".join(permitted)
    )


def test_effort_levels_follow_the_model() -> None:
    emulator = served("claude-opus-4-6", "claude-opus-4-7")
    refused = emulator.handle(
        request(body=body_for("claude-opus-4-6", output_config={"effort": "xhigh"}))
    )
    model = PROFILE.model("claude-opus-4-6")
    assert model is not None
    assert refusal(refused) == PROFILE.text(
        "effort", effort="xhigh", model=model.id, allowed=", ".join(model.effort)
    )
    ok = body_for("claude-opus-4-7", output_config={"effort": "xhigh"})
    assert emulator.handle(request(body=ok)).status == 200


def test_a_mid_conversation_system_message_follows_the_model() -> None:
    emulator = served("claude-sonnet-5-5", "claude-opus-4-8")
    assert (
        emulator.handle(request(body=body_for("claude-sonnet-5-5", messages=MIDCONV))).status == 200
    )
    older = emulator.handle(request(body=body_for("claude-opus-4-8", messages=MIDCONV)))
    assert refusal(older) == PROFILE.text("system_role")


def test_count_tokens_is_judged_by_the_same_rules_but_max_tokens() -> None:
    emulator = served("claude-opus-5-5", "claude-opus-4-8")
    thinking = {
        "model": "claude-opus-5-5",
        "messages": MIDCONV[:1],
        "thinking": {"type": "enabled", "budget_tokens": 1024},
    }
    assert emulator.handle(request(COUNT_TOKENS, thinking)).status == 400
    system = {"model": "claude-opus-4-8", "messages": MIDCONV}
    assert refusal(emulator.handle(request(COUNT_TOKENS, system))) == PROFILE.text("system_role")


def test_a_name_the_profile_does_not_know_is_an_unrestricted_current_model() -> None:
    emulator = served("team-claude-prod")
    body = body_for(
        "team-claude-prod",
        max_tokens=10_000_000,
        thinking={"type": "enabled", "budget_tokens": 1024},
        output_config={"effort": "max"},
        messages=MIDCONV,
    )
    assert emulator.handle(request(body=body)).status == 200


def test_malformed_thinking_and_effort_are_400s(emulator: Emulator) -> None:
    bad = [
        message_body(thinking={"type": "sometimes"}),
        message_body(thinking="on"),
        message_body(thinking={"type": "enabled"}),
        message_body(output_config="high"),
        message_body(output_config={"effort": 3}),
    ]
    for body in bad:
        assert emulator.handle(request(body=body)).status == 400


# -- lifecycle and identity --------------------------------------------------------------------


def test_a_retired_model_is_a_deployment_that_no_longer_exists() -> None:
    retired = served("claude-opus-4-1")
    reply = retired.handle(request(body=body_for("claude-opus-4-1")))
    assert (reply.status, reply.json()) == (404, bodies.deployment_not_found())
    assert reply.header("request-id") is None
    before = served("claude-sonnet-4-5", day=datetime(2026, 11, 29, tzinfo=UTC))
    after = served("claude-sonnet-4-5", day=datetime(2026, 11, 30, tzinfo=UTC))
    assert before.handle(request(body=body_for("claude-sonnet-4-5"))).status == 200
    assert after.handle(request(body=body_for("claude-sonnet-4-5"))).status == 404


def test_an_entra_only_model_refuses_keys_at_the_gateway() -> None:
    emulator = served("claude-mythos-5")
    for headers in ({"x-api-key": emulator.config.api_key}, {"api-key": emulator.config.api_key}):
        reply = emulator.handle(request(body=body_for("claude-mythos-5"), auth=headers))
        assert (reply.status, reply.json()) == (401, bodies.entra_only(PROFILE, "claude-mythos-5"))
        assert reply.header("request-id") is None
    assert emulator.handle(request(body=body_for("claude-mythos-5"), auth=TOKEN)).status == 200


# -- the body-size limit -----------------------------------------------------------------------


def test_a_body_over_the_limit_is_a_413_without_being_read(emulator: Emulator) -> None:
    base = request()
    oversized = EmulatorRequest(base.method, base.path, "", base.headers, b"", too_large=True)
    assert refusal(emulator.handle(oversized), 413, "request_too_large") == PROFILE.text(
        "request_too_large"
    )
    unauthenticated = EmulatorRequest(base.method, base.path, "", {}, b"", too_large=True)
    assert emulator.handle(unauthenticated).status == 401
