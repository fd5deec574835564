"""The Anthropic layer's 400s, and that nothing the official SDK sends is refused."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conformance.core.errors import InvalidRequest
from conformance.core.platform_load import builtin_profile
from conformance.emulator.validation import (
    BETA_EXTRA_FIELDS,
    COUNT_TOKENS_FIELDS,
    MESSAGES_FIELDS,
    validate_request,
)

from .conftest import message_body

SYSTEM_ROLE_MESSAGE = builtin_profile().text("system_role")


def check(
    body: Any, *, count_tokens: bool = False, beta: bool = False, system: bool = False
) -> dict[str, Any]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    refusal = None if system else SYSTEM_ROLE_MESSAGE
    return validate_request(raw, count_tokens=count_tokens, beta=beta, system_role=refusal)


def refusal(body: Any, **kwargs: bool) -> str:
    with pytest.raises(InvalidRequest) as caught:
        check(body, **kwargs)
    return str(caught.value)


def without(name: str) -> dict[str, Any]:
    return {k: v for k, v in message_body().items() if k != name}


def test_a_valid_body_is_returned_parsed() -> None:
    assert check(message_body()) == message_body()


def test_system_prompt_and_multi_turn_are_valid() -> None:
    turns = [
        {"role": "user", "content": "a"},
        {"role": "assistant", "content": [{"type": "text", "text": "b"}]},
        {"role": "user", "content": "c"},
    ]
    check(message_body(system="Be brief.", messages=turns, stream=True, stop_sequences=["x"]))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "The request body is not valid JSON."),
        (b"\xff\xfe", "The request body is not valid JSON."),
        (b"[1, 2]", "The request body must be a JSON object."),
        (without("max_tokens"), "max_tokens: Field required"),
        (without("messages"), "messages: Field required"),
        (without("model"), "model: Field required"),
        (message_body(stream_options={}), "stream_options: Extra inputs are not permitted"),
        (
            message_body(max_completion_tokens=5),
            "max_completion_tokens: Extra inputs are not permitted",
        ),
        (message_body(model=5), "model: Input should be a valid string"),
        (message_body(max_tokens="5"), "max_tokens: Input should be a valid integer"),
        (message_body(max_tokens=True), "max_tokens: Input should be a valid integer"),
        (message_body(max_tokens=0), "max_tokens: Input should be greater than or equal to 1"),
        (message_body(stream="yes"), "stream: Input should be a valid boolean"),
        (
            message_body(stop_sequences="STOP"),
            "stop_sequences: Input should be a valid list of strings",
        ),
        (message_body(messages={}), "messages: Input should be a valid list"),
        (message_body(messages=[]), "messages: at least one message is required"),
        (message_body(messages=["hi"]), "messages.0: Input should be a valid dictionary"),
        (message_body(messages=[{"role": "system", "content": "x"}]), SYSTEM_ROLE_MESSAGE),
        (
            message_body(
                messages=[{"role": "user", "content": "a"}, {"role": "bot", "content": "b"}]
            ),
            "messages.1.role: Input should be 'user' or 'assistant'",
        ),
        (message_body(messages=[{"role": "user"}]), "messages.0.content: Field required"),
        (
            message_body(messages=[{"role": "user", "content": 3}]),
            "messages.0.content: Input should be a valid string or list",
        ),
        (message_body(system=3), "system: Input should be a valid string or list"),
        (message_body(tools={}), "tools: Input should be a valid list"),
        (message_body(tools=[{"description": "x"}]), "tools.0.name: Field required"),
        (message_body(tool_choice={"type": "sometimes"}), "tool_choice: Input tag does not match"),
        (
            message_body(tool_choice={"type": "any"}),
            "tool_choice: tool_choice may only be specified",
        ),
        (
            message_body(tools=[{"name": "a"}], tool_choice={"type": "tool", "name": "b"}),
            "tool_choice: Tool 'b' not found in provided tools.",
        ),
    ],
)
def test_invalid_bodies_are_refused_with_the_api_wording(body: Any, message: str) -> None:
    assert refusal(body).startswith(message)


def test_the_system_role_message_is_the_profiles_wording() -> None:
    assert SYSTEM_ROLE_MESSAGE.startswith('messages: Unexpected role "system".')


def test_a_system_message_passes_where_the_model_takes_them() -> None:
    turns = [
        {"role": "user", "content": "a"},
        {"role": "assistant", "content": "b"},
        {"role": "system", "content": "Answer in one word."},
        {"role": "user", "content": "c"},
    ]
    assert check(message_body(messages=turns), system=True)["messages"] == turns
    assert refusal(message_body(messages=turns)) == SYSTEM_ROLE_MESSAGE


def test_an_mcp_toolset_needs_no_name() -> None:
    toolset = {"type": "mcp_toolset", "mcp_server_name": "docs"}
    assert check(message_body(tools=[toolset]))["tools"] == [toolset]


def test_the_first_extra_field_is_named_in_order() -> None:
    assert refusal(message_body(zeta=1, alpha=2)) == "alpha: Extra inputs are not permitted"


def test_count_tokens_needs_no_max_tokens_and_refuses_stream() -> None:
    body = without("max_tokens")
    assert check(body, count_tokens=True) == body
    assert (
        refusal({**body, "stream": True}, count_tokens=True)
        == "stream: Extra inputs are not permitted"
    )
    assert refusal({"model": "m"}, count_tokens=True) == "messages: Field required"


def test_beta_fields_only_pass_with_beta() -> None:
    body = message_body(context_management={"edits": []})
    assert refusal(body) == "context_management: Extra inputs are not permitted"
    assert check(body, beta=True) == body


def _sdk_fields(module: Any, *names: str) -> set[str]:
    fields: set[str] = set()
    for name in names:
        for klass in getattr(module, name).__mro__:
            fields |= set(getattr(klass, "__annotations__", {}))
    return fields - {"betas"}  # the SDK sends betas as the anthropic-beta header


def test_every_field_the_sdk_can_send_is_known() -> None:
    from anthropic.types import message_count_tokens_params, message_create_params
    from anthropic.types.beta import message_count_tokens_params as beta_count
    from anthropic.types.beta import message_create_params as beta_create

    create = ("MessageCreateParamsNonStreaming", "MessageCreateParamsStreaming")
    assert _sdk_fields(message_create_params, *create) <= MESSAGES_FIELDS
    assert (
        _sdk_fields(message_count_tokens_params, "MessageCountTokensParams") <= COUNT_TOKENS_FIELDS
    )
    assert _sdk_fields(beta_create, *create) <= MESSAGES_FIELDS | BETA_EXTRA_FIELDS
    assert (
        _sdk_fields(beta_count, "MessageCountTokensParams")
        <= COUNT_TOKENS_FIELDS | BETA_EXTRA_FIELDS
    )
