"""The official SDK (``AnthropicFoundry``) works against the emulator and reads its faults."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import anthropic
import pytest
from anthropic.types import MessageParam, ToolParam

from conformance.core.jwt_claims import mint_test_token
from conformance.emulator import parse_profiles
from conformance.emulator.server import EmulatorServer

from .conftest import DEPLOYMENT, serving

PROMPT: list[MessageParam] = [{"role": "user", "content": "Hello from the SDK"}]


@pytest.fixture(scope="module")
def foundry(server: EmulatorServer) -> Iterator[anthropic.AnthropicFoundry]:
    """An SDK client with the emulator's key (it sends both x-api-key and api-key)."""
    with anthropic.AnthropicFoundry(
        base_url=server.base_url, api_key=server.api_key, max_retries=0
    ) as client:
        yield client


@pytest.fixture(scope="module")
def foundry_entra(server: EmulatorServer) -> Iterator[anthropic.AnthropicFoundry]:
    """An SDK client authenticating with an (unsigned test) Entra token."""
    with anthropic.AnthropicFoundry(
        base_url=server.base_url, azure_ad_token_provider=lambda: mint_test_token(), max_retries=0
    ) as client:
        yield client


def test_messages_create(foundry: anthropic.AnthropicFoundry) -> None:
    message = foundry.messages.create(model=DEPLOYMENT, max_tokens=100, messages=PROMPT)
    assert message.model == DEPLOYMENT
    assert message.stop_reason == "end_turn"
    assert message.content[0].type == "text"
    assert message.content[0].text.endswith("You said: Hello from the SDK")
    assert message._request_id and message._request_id.startswith("req_011C")


def test_messages_create_with_entra(foundry_entra: anthropic.AnthropicFoundry) -> None:
    message = foundry_entra.messages.create(model=DEPLOYMENT, max_tokens=1, messages=PROMPT)
    assert message.stop_reason == "max_tokens"


def test_messages_stream_text_and_final_message(foundry: anthropic.AnthropicFoundry) -> None:
    with foundry.messages.stream(model=DEPLOYMENT, max_tokens=100, messages=PROMPT) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert final.content[0].type == "text"
    assert text == final.content[0].text
    assert final.stop_reason == "end_turn"
    assert final.usage.output_tokens == len(text.split())


def test_messages_stream_with_entra(foundry_entra: anthropic.AnthropicFoundry) -> None:
    with foundry_entra.messages.stream(model=DEPLOYMENT, max_tokens=4, messages=PROMPT) as stream:
        final = stream.get_final_message()
    assert final.stop_reason == "max_tokens"
    assert final.usage.output_tokens == 4


def test_forced_tool_use_through_the_sdk(foundry: anthropic.AnthropicFoundry) -> None:
    tool: ToolParam = {
        "name": "lookup",
        "input_schema": {
            "type": "object",
            "properties": {"q": {"type": "string"}},
            "required": ["q"],
        },
    }
    with foundry.messages.stream(
        model=DEPLOYMENT,
        max_tokens=100,
        messages=PROMPT,
        tools=[tool],
        tool_choice={"type": "tool", "name": "lookup"},
    ) as stream:
        final = stream.get_final_message()
    assert final.stop_reason == "tool_use"
    assert final.content[0].type == "tool_use"
    assert final.content[0].input == {"q": "example"}


def test_count_tokens_and_beta_count_tokens(foundry: anthropic.AnthropicFoundry) -> None:
    plain = foundry.messages.count_tokens(model=DEPLOYMENT, messages=PROMPT)
    beta = foundry.beta.messages.count_tokens(
        model=DEPLOYMENT, messages=[{"role": "user", "content": "Hello from the SDK"}]
    )
    created = foundry.messages.create(model=DEPLOYMENT, max_tokens=5, messages=PROMPT)
    assert plain.input_tokens == beta.input_tokens == created.usage.input_tokens


def test_errors_map_to_sdk_exceptions(server: EmulatorServer) -> None:
    wrong = anthropic.AnthropicFoundry(
        base_url=server.base_url, api_key="not-the-key", max_retries=0
    )
    with pytest.raises(anthropic.AuthenticationError) as caught:
        wrong.messages.create(model=DEPLOYMENT, max_tokens=5, messages=PROMPT)
    assert caught.value.response.headers.get("request-id") is None
    assert caught.value.response.headers["apim-request-id"]
    right = anthropic.AnthropicFoundry(
        base_url=server.base_url, api_key=server.api_key, max_retries=0
    )
    with pytest.raises(anthropic.NotFoundError):
        right.messages.create(model="no-such-deployment", max_tokens=5, messages=PROMPT)


def test_the_sdk_raises_on_a_midstream_overload() -> None:
    with serving("overloaded-midstream") as live:
        client = anthropic.AnthropicFoundry(
            base_url=live.base_url, api_key=live.api_key, max_retries=0
        )
        with (
            pytest.raises(anthropic.APIStatusError, match="Overloaded"),
            client.messages.stream(model=DEPLOYMENT, max_tokens=50, messages=PROMPT) as stream,
        ):
            stream.get_final_message()


def test_the_sdk_silently_skips_an_apim_done_frame() -> None:
    # Why the harness inspects raw bytes: the SDK hides this fault.
    with serving("done-sentinel") as live:
        client = anthropic.AnthropicFoundry(
            base_url=live.base_url, api_key=live.api_key, max_retries=0
        )
        with client.messages.stream(model=DEPLOYMENT, max_tokens=5, messages=PROMPT) as stream:
            assert stream.get_final_message().stop_reason == "max_tokens"


def test_the_sdk_honours_retry_after_and_recovers() -> None:
    config = replace(parse_profiles("retry-after"), rate_limit=1, rate_window_s=0.5)
    with EmulatorServer(config) as live:
        client = anthropic.AnthropicFoundry(
            base_url=live.base_url, api_key=live.api_key, max_retries=2
        )
        client.messages.create(model=DEPLOYMENT, max_tokens=5, messages=PROMPT)
        response = client.messages.with_raw_response.create(
            model=DEPLOYMENT, max_tokens=5, messages=PROMPT
        )
        assert response.http_response.status_code == 200
        assert response.retries_taken >= 1


def test_a_custom_deployment_name_is_served() -> None:
    config = parse_profiles("", deployments=["team-claude-prod"])
    with EmulatorServer(config) as live:
        client = anthropic.AnthropicFoundry(
            base_url=live.base_url, api_key=live.api_key, max_retries=0
        )
        message = client.messages.create(model="team-claude-prod", max_tokens=5, messages=PROMPT)
    assert message.model == "team-claude-prod"


def test_the_sdk_survives_api_key_rejected_because_it_sends_x_api_key() -> None:
    with serving("api-key-rejected") as live:
        client = anthropic.AnthropicFoundry(
            base_url=live.base_url, api_key=live.api_key, max_retries=0
        )
        assert client.messages.create(model=DEPLOYMENT, max_tokens=5, messages=PROMPT).id


def test_key_auth_disabled_is_a_permission_error_for_keys_only() -> None:
    with serving("key-auth-disabled") as live:
        keyed = anthropic.AnthropicFoundry(
            base_url=live.base_url, api_key=live.api_key, max_retries=0
        )
        with pytest.raises(anthropic.PermissionDeniedError):
            keyed.messages.create(model=DEPLOYMENT, max_tokens=5, messages=PROMPT)
        entra = anthropic.AnthropicFoundry(
            base_url=live.base_url, azure_ad_token_provider=mint_test_token, max_retries=0
        )
        assert entra.messages.create(model=DEPLOYMENT, max_tokens=5, messages=PROMPT).id
