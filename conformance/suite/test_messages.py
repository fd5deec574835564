"""The Messages API: shape, usage, system prompts, max_tokens, streaming, tools, token counting."""

from __future__ import annotations

import json

import pytest

from ..core.errors import CheckFailure
from ..diagnosis import stream_error_code
from ..judge.schema import schema_problems
from ..judge.shapes import (
    anthropic_error_problems,
    message_problems,
    stream_event_problems,
    token_count_problems,
)
from ..judge.sse import judge_message_stream, parse_sse
from ..target.run import FoundryRun
from .helpers import (
    RecordProperty,
    describe,
    expect_refusal,
    expect_success,
    json_body,
    message_body,
    send_primary,
    stream_message,
)

check = pytest.mark.foundry_check

WEATHER_TOOL = {
    "name": "get_weather",
    "description": "Get the current weather for a city.",
    "input_schema": {
        "type": "object",
        "properties": {
            "city": {"type": "string", "description": "The city name"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        },
        "required": ["city", "unit"],
    },
}


def _message(run: FoundryRun, body: dict[str, object], what: str) -> dict[str, object]:
    response = send_primary(run, "POST", "v1/messages", body)
    expect_success(run, response, what)
    data = json_body(run, response)
    message, problems = message_problems(data)
    if problems or message is None or not isinstance(data, dict):
        raise CheckFailure(
            f"{what}: the answer is not a valid Messages object: {'; '.join(problems)}",
            ("malformed-response",),
        )
    return data


@check("MSG-BASIC")
def test_minimal_request_returns_a_message(
    foundry_run: FoundryRun, primary_deployment: str
) -> None:
    """A minimal request returns a valid Messages object (id, type, role, content, model, …)."""
    data = _message(foundry_run, message_body(primary_deployment, 4), "a minimal request")
    if not str(data["id"]).startswith("msg_"):
        raise CheckFailure(
            f"`id` is {data['id']!r}, not a message ID (msg_…)", ("malformed-response",)
        )


@check("MSG-USAGE")
def test_usage_is_reported_and_plausible(foundry_run: FoundryRun, primary_deployment: str) -> None:
    """`usage.input_tokens` and `output_tokens` are present, integral, non-negative and plausible."""
    max_tokens = 4
    data = _message(foundry_run, message_body(primary_deployment, max_tokens), "a minimal request")
    usage = data["usage"]
    if not isinstance(usage, dict):  # checked valid above: this narrows its type
        raise CheckFailure(f"`usage` is {usage!r}, not an object", ("malformed-response",))
    problems = []
    for name in ("input_tokens", "output_tokens"):
        value = usage.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            problems.append(f"`usage.{name}` is {value!r}, not a non-negative integer")
    inp, out = usage.get("input_tokens"), usage.get("output_tokens")
    if isinstance(inp, int) and inp == 0:
        problems.append("`usage.input_tokens` is 0 for a non-empty prompt")
    if isinstance(out, int) and out > max_tokens:
        problems.append(f"`usage.output_tokens` is {out}, more than max_tokens={max_tokens}")
    if problems:
        raise CheckFailure("; ".join(problems), ("malformed-response",))


@check("MSG-SYSTEM")
def test_system_prompt_and_multi_turn_are_accepted(
    foundry_run: FoundryRun, primary_deployment: str
) -> None:
    """A system prompt and a multi-turn conversation are accepted."""
    body = {
        "model": primary_deployment,
        "max_tokens": 2,
        "system": "You answer with one word.",
        "messages": [
            {"role": "user", "content": "Say ok."},
            {"role": "assistant", "content": "ok"},
            {"role": "user", "content": [{"type": "text", "text": "Again."}]},
        ],
    }
    _message(foundry_run, body, "a system prompt with three turns")


@check("MSG-MAX-TOKENS")
def test_max_tokens_one_stops_for_max_tokens(
    foundry_run: FoundryRun, primary_deployment: str
) -> None:
    """`max_tokens: 1` ends with `stop_reason: "max_tokens"`."""
    body = message_body(primary_deployment, 1)
    body["messages"] = [{"role": "user", "content": "Count from one to twenty in words."}]
    data = _message(foundry_run, body, "max_tokens 1")
    if data["stop_reason"] != "max_tokens":
        raise CheckFailure(
            f'stop_reason is {data["stop_reason"]!r}, not "max_tokens", for max_tokens=1',
            ("malformed-response",),
        )


@check("MSG-STREAM")
def test_stream_follows_the_event_grammar(
    foundry_run: FoundryRun, primary_deployment: str, record_property: RecordProperty
) -> None:
    """SSE follows message_start … message_stop (pings allowed, no [DONE]); usage is cumulative."""
    response, raw, ttft_ms = stream_message(foundry_run, message_body(primary_deployment, 8))
    expect_success(foundry_run, response, "a streaming request")
    content_type = response.headers.get("content-type", "")
    if "text/event-stream" not in content_type:
        raise CheckFailure(
            f"a streaming request was answered with content-type {content_type!r}, not "
            "text/event-stream",
            ("stream-protocol-violation",),
        )
    events = parse_sse(raw)
    verdict = judge_message_stream(events)
    problems = list(verdict.problems)
    for event in events:
        problems.extend(stream_event_problems(event.json) if event.json is not None else [])
    if ttft_ms is not None:
        record_property("ttft_ms", ttft_ms)
    broken = "the stream broke the grammar: " + "; ".join(problems[:6])
    if verdict.model_error is not None:
        # An error event is the model's answer (overloaded, say), not a fault of the stream:
        # the grammar is named only when the stream broke it besides.
        code = stream_error_code(verdict.model_error)
        said = f"the stream carried an `error` event after HTTP 200: {verdict.describe_error()}"
        if problems:
            raise CheckFailure(f"{said}; {broken}", (code, "stream-protocol-violation"))
        raise CheckFailure(said, (code,))
    if problems:
        raise CheckFailure(broken, ("stream-protocol-violation",))


@check("MSG-TOOLS")
def test_forced_tool_use_returns_valid_input(
    foundry_run: FoundryRun, primary_deployment: str
) -> None:
    """A forced tool choice returns a `tool_use` block whose input is valid for the schema."""
    body = message_body(
        primary_deployment,
        64,
        tools=[WEATHER_TOOL],
        tool_choice={"type": "tool", "name": "get_weather"},
    )
    body["messages"] = [{"role": "user", "content": "What is the weather in Paris, in celsius?"}]
    data = _message(foundry_run, body, "a forced tool choice")
    content = data["content"]
    if not isinstance(content, list):  # checked valid above: this narrows its type
        raise CheckFailure(f"`content` is {content!r}, not an array", ("malformed-response",))
    blocks = [b for b in content if isinstance(b, dict) and b.get("type") == "tool_use"]
    if not blocks:
        kinds = [b.get("type") for b in content if isinstance(b, dict)]
        raise CheckFailure(
            f"no tool_use block in the answer (blocks: {kinds})", ("malformed-response",)
        )
    block = blocks[0]
    if block.get("name") != "get_weather":
        raise CheckFailure(f"tool_use names {block.get('name')!r}, not the forced get_weather")
    if data["stop_reason"] != "tool_use":
        raise CheckFailure(f'stop_reason is {data["stop_reason"]!r}, not "tool_use"')
    problems = schema_problems(block.get("input"), WEATHER_TOOL["input_schema"])  # type: ignore[arg-type]
    if problems:
        raise CheckFailure(
            f"the tool input {json.dumps(block.get('input'))} breaks the schema: {'; '.join(problems)}",
            ("malformed-response",),
        )


@check("MSG-COUNT-TOKENS")
def test_count_tokens_returns_input_tokens(
    foundry_run: FoundryRun, primary_deployment: str
) -> None:
    """`POST /v1/messages/count_tokens` returns `{"input_tokens": n}`."""
    body = {"model": primary_deployment, "messages": [{"role": "user", "content": "Hello there"}]}
    response = send_primary(foundry_run, "POST", "v1/messages/count_tokens", body)
    expect_success(foundry_run, response, "count_tokens")
    count, problems = token_count_problems(json_body(foundry_run, response))
    if problems or count is None:
        raise CheckFailure(
            f"count_tokens answered {describe(foundry_run, response)}: {'; '.join(problems)}",
            ("malformed-response",),
        )
    if count.input_tokens <= 0:
        raise CheckFailure(f"count_tokens says {count.input_tokens} tokens for a non-empty prompt")


@check("MSG-INVALID")
def test_invalid_request_is_an_anthropic_400(
    foundry_run: FoundryRun, primary_deployment: str
) -> None:
    """An invalid request (no `max_tokens`) gives 400 `invalid_request_error` in Anthropic's shape."""
    body = message_body(primary_deployment)
    del body["max_tokens"]
    response = send_primary(foundry_run, "POST", "v1/messages", body, expects_error=True)
    expect_refusal(foundry_run, response, (400,), "a request without max_tokens")
    data = json_body(foundry_run, response)
    problems = anthropic_error_problems(data)
    if not problems and data["error"]["type"] != "invalid_request_error":
        problems.append(f"`error.type` is {data['error']['type']!r}, not invalid_request_error")
    if problems:
        raise CheckFailure(
            f"the 400 is not Anthropic's error shape: {'; '.join(problems)}: "
            f"{describe(foundry_run, response)}",
            ("malformed-response",),
        )


@check("MSG-NO-VERSION")
def test_request_without_anthropic_version_is_rejected(
    foundry_run: FoundryRun, primary_deployment: str
) -> None:
    """A request without the `anthropic-version` header is rejected with 400."""
    response = send_primary(
        foundry_run,
        "POST",
        "v1/messages",
        message_body(primary_deployment),
        expects_error=True,
        anthropic_version=None,
    )
    expect_refusal(foundry_run, response, (400,), "a request without anthropic-version")
