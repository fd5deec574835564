"""What current clients send, through the real ``anthropic`` 2.14 SDK over loopback: accepted for
the models that accept it, and the per-model refusals as ``BadRequestError`` in Anthropic's shape."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import anthropic
import httpx
import pytest
from anthropic.types import MessageParam, SystemMessageParam

from conformance.core.jwt_claims import mint_test_token, read_payload
from conformance.core.platform_load import builtin_profile
from conformance.emulator import parse_profiles
from conformance.emulator.server import AccessLogEntry, EmulatorServer

PROFILE = builtin_profile()
SONNET = "claude-sonnet-5-5"
OPUS = "claude-opus-5-5"
PROMPT: list[MessageParam] = [{"role": "user", "content": "Hello from the SDK"}]
MCP_BETA = "mcp-client-2025-04-04"


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[EmulatorServer, list[AccessLogEntry]]]:
    """A default emulator that remembers the request line of everything it served."""
    seen: list[AccessLogEntry] = []
    with EmulatorServer(parse_profiles(""), access_log=seen.append) as live:
        yield live, seen


@pytest.fixture(scope="module")
def live(served: tuple[EmulatorServer, list[AccessLogEntry]]) -> EmulatorServer:
    return served[0]


@pytest.fixture(scope="module")
def sdk(live: EmulatorServer) -> Iterator[anthropic.AnthropicFoundry]:
    with anthropic.AnthropicFoundry(
        base_url=live.base_url, api_key=live.api_key, max_retries=0
    ) as client:
        yield client


def test_the_default_deployments_are_current_models(live: EmulatorServer) -> None:
    assert SONNET in live.config.deployments and OPUS in live.config.deployments
    for name in live.config.deployments:
        model = PROFILE.model(name)
        assert model is not None and model.lifecycle(dt.date.today()) == "current"


def test_a_beta_call_with_mcp_servers_succeeds_on_the_header_alone(
    sdk: anthropic.AnthropicFoundry, served: tuple[EmulatorServer, list[AccessLogEntry]]
) -> None:
    assert MCP_BETA in PROFILE.beta_values
    message = sdk.beta.messages.create(
        model=SONNET,
        max_tokens=64,
        messages=[{"role": "user", "content": "Which docs do you have?"}],
        mcp_servers=[{"type": "url", "url": "https://example.com/sse", "name": "docs"}],
        betas=[MCP_BETA],
    )
    assert message.model == SONNET
    assert message.stop_reason == "end_turn"
    # anthropic 2.14 no longer adds ?beta=true: acceptance is keyed on the header.
    assert served[1][-1].target == "/anthropic/v1/messages"


def test_a_mid_conversation_system_message_succeeds_on_a_5x_model(
    sdk: anthropic.AnthropicFoundry,
) -> None:
    system: SystemMessageParam = {"role": "system", "content": "From now on, answer in one word."}
    message = sdk.messages.create(
        model=SONNET,
        max_tokens=64,
        messages=[
            {"role": "user", "content": "Hello."},
            {"role": "assistant", "content": "Hello!"},
            system,
            {"role": "user", "content": "How are you?"},
        ],
    )
    assert message.content[0].type == "text"
    assert message.content[0].text.endswith("You said: How are you?")


def test_a_role_less_realistic_entra_token_succeeds(live: EmulatorServer) -> None:
    token = mint_test_token()
    claims = read_payload(token)
    assert {"aud", "exp", "oid", "tid"} <= set(claims) and not claims.get("roles")
    with anthropic.AnthropicFoundry(
        base_url=live.base_url, azure_ad_token_provider=mint_test_token, max_retries=0
    ) as client:
        message = client.messages.create(model=SONNET, max_tokens=5, messages=PROMPT)
    assert message.stop_reason == "max_tokens"


@pytest.mark.parametrize("audience", PROFILE.accepted_audiences)
def test_tokens_for_either_accepted_audience_succeed(live: EmulatorServer, audience: str) -> None:
    with anthropic.AnthropicFoundry(
        base_url=live.base_url,
        azure_ad_token_provider=lambda: mint_test_token(audience=audience),
        max_retries=0,
    ) as client:
        assert client.messages.count_tokens(model=SONNET, messages=PROMPT).input_tokens > 0


def claude_code_request(deployment: str) -> dict[str, Any]:
    """A request shaped like Claude Code's (the profile's ``clients.claude_code``)."""
    client = PROFILE.clients["claude_code"]
    assert client.max_tokens is not None
    body: dict[str, Any] = {
        "model": deployment,
        "max_tokens": client.max_tokens,
        "stream": True,
        "thinking": {"type": "adaptive"},
        "context_management": {"edits": [{"type": "clear_thinking_20251015", "keep": "all"}]},
        "metadata": {"user_id": "user_0123_account__session_4567"},
        "system": [
            {
                "type": "text",
                "text": "You are Claude Code, Anthropic's official CLI for Claude.",
                "cache_control": {"type": "ephemeral"},
            }
        ],
        "tools": [
            {
                "name": "Bash",
                "description": "Run a shell command.",
                "input_schema": {
                    "type": "object",
                    "properties": {"command": {"type": "string"}},
                    "required": ["command"],
                },
            }
        ],
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "List the files."}]},
            {"role": "assistant", "content": [{"type": "text", "text": "Sure."}]},
            {"role": "system", "content": "The working directory changed to /tmp."},
            {"role": "user", "content": [{"type": "text", "text": "Go on."}]},
        ],
    }
    return body


def claude_code_headers(live: EmulatorServer) -> dict[str, str]:
    client = PROFILE.clients["claude_code"]
    return {
        "x-api-key": live.api_key,
        "anthropic-version": client.anthropic_version,
        "anthropic-beta": ",".join(client.betas),
        "x-app": "cli",
    }


def test_a_request_shaped_like_claude_codes_succeeds(live: EmulatorServer) -> None:
    client = PROFILE.clients["claude_code"]
    assert client.beta_query
    deployment = client.deployments[0]
    assert deployment in live.config.deployments
    response = httpx.post(
        live.base_url + "v1/messages?beta=true",
        json=claude_code_request(deployment),
        headers=claude_code_headers(live),
        timeout=5,
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    assert b"event: message_stop" in response.content


def test_claude_codes_request_through_the_sdk_succeeds(sdk: anthropic.AnthropicFoundry) -> None:
    client = PROFILE.clients["claude_code"]
    body = claude_code_request(SONNET)
    with sdk.beta.messages.stream(
        model=SONNET,
        max_tokens=body["max_tokens"],
        thinking=body["thinking"],
        context_management=body["context_management"],
        system=body["system"],
        tools=body["tools"],
        messages=body["messages"],
        metadata=body["metadata"],
        betas=list(client.betas),
        extra_query={"beta": "true"},
        extra_headers={"anthropic-version": client.anthropic_version},
    ) as stream:
        final = stream.get_final_message()
    assert final.stop_reason == "end_turn"


def test_claude_codes_mid_conversation_system_is_refused_by_an_older_model() -> None:
    with EmulatorServer(parse_profiles("", deployments=["claude-opus-4-8"])) as live:
        response = httpx.post(
            live.base_url + "v1/messages?beta=true",
            json=claude_code_request("claude-opus-4-8"),
            headers=claude_code_headers(live),
            timeout=5,
        )
    assert response.status_code == 400
    assert response.json()["error"]["message"] == PROFILE.text("system_role")


def _assert_anthropic_400(error: anthropic.BadRequestError, message: str) -> None:
    body = error.response.json()
    assert error.status_code == 400
    assert body["type"] == "error"
    assert body["error"] == {"type": "invalid_request_error", "message": message}
    assert error.request_id == body["request_id"] == error.response.headers["request-id"]


def test_manual_thinking_on_opus_5_5_is_a_bad_request(sdk: anthropic.AnthropicFoundry) -> None:
    model = PROFILE.model(OPUS)
    assert model is not None
    with pytest.raises(anthropic.BadRequestError) as caught:
        sdk.messages.create(
            model=OPUS,
            max_tokens=2048,
            messages=PROMPT,
            thinking={"type": "enabled", "budget_tokens": 1024},
        )
    _assert_anthropic_400(
        caught.value,
        PROFILE.text(
            "thinking_type", type="enabled", model=OPUS, allowed=", ".join(model.thinking)
        ),
    )


def test_adaptive_thinking_on_opus_5_5_succeeds(sdk: anthropic.AnthropicFoundry) -> None:
    message = sdk.messages.create(
        model=OPUS, max_tokens=16, messages=PROMPT, thinking={"type": "adaptive"}
    )
    assert message.model == OPUS


@pytest.mark.parametrize("version", ["1999-01-01", "not-a-date"])
def test_an_unknown_anthropic_version_is_a_bad_request(live: EmulatorServer, version: str) -> None:
    with (
        anthropic.AnthropicFoundry(
            base_url=live.base_url,
            api_key=live.api_key,
            max_retries=0,
            default_headers={"anthropic-version": version},
        ) as client,
        pytest.raises(anthropic.BadRequestError) as caught,
    ):
        client.messages.create(model=SONNET, max_tokens=5, messages=PROMPT)
    _assert_anthropic_400(caught.value, PROFILE.text("unknown_version", version=version))


def test_the_sdks_own_version_is_accepted(sdk: anthropic.AnthropicFoundry) -> None:
    from anthropic._constants import ANTHROPIC_API_VERSION

    assert ANTHROPIC_API_VERSION in PROFILE.accepted_versions
    response = sdk.messages.with_raw_response.create(model=SONNET, max_tokens=5, messages=PROMPT)
    assert response.http_request.headers["anthropic-version"] == ANTHROPIC_API_VERSION


def test_max_tokens_above_the_cap_is_a_bad_request(sdk: anthropic.AnthropicFoundry) -> None:
    model = PROFILE.model(SONNET)
    assert model is not None
    with pytest.raises(anthropic.BadRequestError) as caught:
        # An explicit timeout: the SDK refuses a non-streamed call this long before sending it.
        sdk.messages.create(
            model=SONNET, max_tokens=model.max_output + 1, messages=PROMPT, timeout=10
        )
    _assert_anthropic_400(
        caught.value,
        PROFILE.text(
            "max_tokens", requested=model.max_output + 1, maximum=model.max_output, model=SONNET
        ),
    )


def test_an_unknown_beta_is_a_bad_request(sdk: anthropic.AnthropicFoundry) -> None:
    with pytest.raises(anthropic.BadRequestError) as caught:
        sdk.beta.messages.create(
            model=SONNET, max_tokens=5, messages=PROMPT, betas=["made-up-2099-01-01"]
        )
    _assert_anthropic_400(caught.value, PROFILE.text("unknown_beta", values="made-up-2099-01-01"))


def test_a_key_on_an_entra_only_model_is_refused_and_a_token_works() -> None:
    today = dt.date.today()
    name = next(m.id for m in PROFILE.models if m.entra_only and m.lifecycle(today) == "current")
    with EmulatorServer(parse_profiles("", deployments=[name])) as live:
        keyed = anthropic.AnthropicFoundry(
            base_url=live.base_url, api_key=live.api_key, max_retries=0
        )
        with pytest.raises(anthropic.AuthenticationError) as caught:
            keyed.messages.create(model=name, max_tokens=5, messages=PROMPT)
        assert caught.value.response.json()["error"]["message"] == PROFILE.text(
            "entra_only", model=name
        )
        entra = anthropic.AnthropicFoundry(
            base_url=live.base_url, azure_ad_token_provider=mint_test_token, max_retries=0
        )
        assert entra.messages.create(model=name, max_tokens=5, messages=PROMPT).id
