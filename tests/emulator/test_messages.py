"""Messages, token counts and SSE streams: deterministic, and valid for the official SDK's types."""

from __future__ import annotations

import json
from typing import Any

import pytest
from anthropic.types import Message, MessageTokensCount, RawMessageStreamEvent
from pydantic import TypeAdapter

from conformance.emulator import messages
from conformance.emulator.ids import IdSource

from .conftest import DEPLOYMENT, message_body

IDS = IdSource(b"seed")
STREAM_EVENT = TypeAdapter(RawMessageStreamEvent)
WEATHER_TOOL = {
    "name": "get_weather",
    "description": "Weather for a city",
    "input_schema": {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "days": {"type": "integer", "minimum": 1},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            "verbose": {"type": "boolean"},
        },
        "required": ["city", "days", "unit"],
    },
}


def build(**overrides: Any) -> dict[str, Any]:
    return messages.build_message(message_body(**overrides), DEPLOYMENT, IDS)


def test_a_basic_message_validates_and_echoes_the_deployment() -> None:
    message = Message.model_validate(build())
    assert message.id.startswith("msg_01")
    assert message.model == DEPLOYMENT
    assert message.role == "assistant"
    assert message.stop_reason == "end_turn"
    assert message.stop_sequence is None
    text = message.content[0]
    assert text.type == "text"
    assert (
        text.text
        == f"Hello from the Foundry emulator, deployment {DEPLOYMENT}. You said: Hello there"
    )
    assert message.usage.output_tokens == len(text.text.split())
    assert message.usage.input_tokens == messages.count_input_tokens(message_body())


def test_input_tokens_grow_with_the_request_text() -> None:
    short = messages.count_input_tokens(message_body())
    longer = messages.count_input_tokens(
        message_body(messages=[{"role": "user", "content": "Hello there, how are you today?"}])
    )
    with_system = messages.count_input_tokens(message_body(system="Be brief."))
    assert 0 < short < longer
    assert with_system == short + 3


def test_count_tokens_equals_the_messages_input_tokens() -> None:
    body = message_body(system=[{"type": "text", "text": "Be brief."}], tools=[WEATHER_TOOL])
    counted = {k: v for k, v in body.items() if k != "max_tokens"}
    result = MessageTokensCount.model_validate(messages.count_tokens_body(counted))
    assert (
        result.input_tokens
        == messages.build_message(body, DEPLOYMENT, IDS)["usage"]["input_tokens"]
    )


def test_content_blocks_of_every_kind_are_counted() -> None:
    turns = [
        {"role": "user", "content": [{"type": "text", "text": "Weather?"}]},
        {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": "t", "name": "w", "input": {"a": 1}}],
        },
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": "t", "content": "sunny"}],
        },
        {
            "role": "user",
            "content": [{"type": "image", "source": {"type": "base64", "data": "x" * 9999}}],
        },
    ]
    tokens = messages.count_input_tokens(message_body(messages=turns))
    assert tokens > messages.IMAGE_TOKENS
    assert tokens < 200  # the base64 payload is not counted as text


def test_max_tokens_one_stops_for_max_tokens() -> None:
    message = Message.model_validate(build(max_tokens=1))
    assert message.stop_reason == "max_tokens"
    assert message.usage.output_tokens == 1
    assert message.content[0].type == "text"
    assert message.content[0].text == "Hello"


def test_max_tokens_cuts_word_by_word() -> None:
    message = build(max_tokens=3)
    assert message["content"][0]["text"] == "Hello from the"
    assert message["usage"]["output_tokens"] == 3


def test_a_stop_sequence_cuts_the_reply() -> None:
    body = message_body(
        messages=[{"role": "user", "content": "one two STOP three"}],
        stop_sequences=["STOP", "never"],
    )
    message = Message.model_validate(messages.build_message(body, DEPLOYMENT, IDS))
    assert message.stop_reason == "stop_sequence"
    assert message.stop_sequence == "STOP"
    assert message.content[0].type == "text"
    assert message.content[0].text.endswith("You said: one two ")
    assert "STOP" not in message.content[0].text


def test_the_earliest_stop_sequence_wins() -> None:
    generation = messages._text_generation("a b c d", 10, ["c", "b"])
    assert (generation.stop_sequence, generation.content[0]["text"]) == ("b", "a ")


def test_max_tokens_comes_before_a_later_stop_sequence() -> None:
    body = message_body(messages=[{"role": "user", "content": "x STOP"}], stop_sequences=["STOP"])
    message = messages.build_message({**body, "max_tokens": 2}, DEPLOYMENT, IDS)
    assert message["stop_reason"] == "max_tokens"


def test_multi_turn_echoes_the_last_user_turn() -> None:
    turns = [
        {"role": "user", "content": "first"},
        {"role": "assistant", "content": "reply"},
        {"role": "user", "content": [{"type": "text", "text": "second  turn"}]},
    ]
    message = build(messages=turns, system="You are terse.")
    assert message["content"][0]["text"].endswith("You said: second turn")


def test_a_long_user_turn_is_echoed_shortened() -> None:
    text = messages.reply_text(
        DEPLOYMENT, message_body(messages=[{"role": "user", "content": "w " * 500}])
    )
    assert text.endswith(" …")
    assert len(text.split()) < 70


@pytest.mark.parametrize("choice", [{"type": "tool", "name": "get_weather"}, {"type": "any"}])
def test_a_forced_tool_choice_returns_a_valid_tool_use(choice: dict[str, Any]) -> None:
    other = {"name": "other", "input_schema": {"type": "object", "properties": {}}}
    tools = [WEATHER_TOOL, other] if choice["type"] == "any" else [other, WEATHER_TOOL]
    message = Message.model_validate(build(tools=tools, tool_choice=choice))
    assert message.stop_reason == "tool_use"
    (block,) = message.content
    assert block.type == "tool_use"
    assert block.name == "get_weather"
    assert block.id.startswith("toolu_01")
    assert block.input == {"city": "example", "days": 1, "unit": "celsius"}


def test_auto_tool_choice_answers_in_text() -> None:
    message = build(tools=[WEATHER_TOOL], tool_choice={"type": "auto"})
    assert message["content"][0]["type"] == "text"


def test_a_tool_call_longer_than_max_tokens_stops_for_max_tokens() -> None:
    message = build(tools=[WEATHER_TOOL], tool_choice={"type": "any"}, max_tokens=2)
    assert message["stop_reason"] == "max_tokens"
    assert message["usage"]["output_tokens"] == 2


def _validated_stream(message: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    events = messages.stream_events(message)
    for name, data in events:
        assert data["type"] == name
        if name != "ping":
            STREAM_EVENT.validate_python(data)
    return events


def test_a_text_stream_follows_the_grammar() -> None:
    message = build()
    events = _validated_stream(message)
    names = [name for name, _ in events]
    assert names[:3] == ["message_start", "content_block_start", "ping"]
    assert names[-3:] == ["content_block_stop", "message_delta", "message_stop"]
    assert set(names[3:-3]) == {"content_block_delta"}
    text = "".join(data["delta"]["text"] for name, data in events if name == "content_block_delta")
    assert text == message["content"][0]["text"]
    start, delta = events[0][1], events[-2][1]
    assert start["message"]["stop_reason"] is None
    assert start["message"]["content"] == []
    assert delta["usage"]["output_tokens"] == message["usage"]["output_tokens"]
    assert delta["usage"]["input_tokens"] == message["usage"]["input_tokens"]
    assert delta["delta"] == {"stop_reason": "end_turn", "stop_sequence": None}


def test_a_tool_stream_sends_input_json_deltas() -> None:
    message = build(tools=[WEATHER_TOOL], tool_choice={"type": "any"})
    events = _validated_stream(message)
    start = next(data for name, data in events if name == "content_block_start")
    assert start["content_block"]["input"] == {}
    partial = "".join(
        data["delta"]["partial_json"] for name, data in events if name == "content_block_delta"
    )
    assert json.loads(partial) == message["content"][0]["input"]


def test_sse_frames_are_named_events_without_done() -> None:
    frame = messages.sse_frame("ping", {"type": "ping"})
    assert frame == b'event: ping\ndata: {"type":"ping"}\n\n'
    assert messages.DONE_FRAME == b"data: [DONE]\n\n"


def test_huge_message_is_about_five_megabytes_and_still_a_message() -> None:
    huge = messages.huge_message(build())
    size = len(json.dumps(huge))
    assert 5_000_000 < size < 6_000_000
    Message.model_validate(huge)


def test_wrong_shape_is_not_a_message() -> None:
    broken = messages.wrong_shape(build())
    assert "usage" not in broken
    assert "content" not in broken
    with pytest.raises(ValueError):
        Message.model_validate(broken)


def test_the_models_list_has_the_sdk_page_shape() -> None:
    from anthropic.types import ModelInfo

    page = messages.models_list(["a", "b"])
    assert [ModelInfo.model_validate(m).id for m in page["data"]] == ["a", "b"]
    assert (page["first_id"], page["last_id"], page["has_more"]) == ("a", "b", False)
