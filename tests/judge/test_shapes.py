"""Response shapes judged with the official SDK's ``anthropic.types``, fed literal JSON values."""

from __future__ import annotations

import json
from typing import Any

import pytest
from anthropic.types import Message, MessageTokensCount, TextBlock

from conformance.judge.shapes import (
    MESSAGE_FIELDS,
    anthropic_error_problems,
    message_problems,
    parse_json,
    stream_event_problems,
    token_count_problems,
)
from tests.diagnosis import bodies


def valid_message() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(bodies.MESSAGE_OK)
    return data


# -- parse_json -------------------------------------------------------------------------------


def test_a_json_body_is_decoded_without_a_problem() -> None:
    assert parse_json('{"input_tokens": 5}') == ({"input_tokens": 5}, None)
    assert parse_json("[1, 2]") == ([1, 2], None)


def test_a_body_that_is_not_json_says_why_and_where_and_quotes_its_start() -> None:
    assert parse_json("<html>\n502</html>") == (
        None,
        "the body is not JSON (Expecting value at position 0): '<html> 502</html>'",
    )


def test_a_broken_body_names_the_position_and_quotes_at_most_80_characters() -> None:
    body = '{"a": 1 "b": ' + "x" * 200
    data, problem = parse_json(body)
    assert data is None
    assert problem == f"the body is not JSON (Expecting ',' delimiter at position 8): {body[:80]!r}"


def test_a_truncated_string_is_described_without_a_doubled_word() -> None:
    _, problem = parse_json('{"text": "cut off')
    assert problem == (
        'the body is not JSON (Unterminated string starting at position 9): \'{"text": "cut off\''
    )


def test_an_empty_body_is_not_json() -> None:
    assert parse_json("") == (None, "the body is not JSON (Expecting value at position 0): ''")


# -- message_problems -------------------------------------------------------------------------


def test_a_valid_message_is_read_as_the_sdk_s_message() -> None:
    message, problems = message_problems(valid_message())
    assert problems == []
    assert isinstance(message, Message)
    assert isinstance(message.content[0], TextBlock) and message.content[0].text == "Hi"
    assert message.usage.input_tokens == 8 and message.usage.output_tokens == 2


def test_unknown_extra_fields_are_tolerated_as_the_sdk_tolerates_them() -> None:
    message, problems = message_problems({**valid_message(), "container": None, "future": 1})
    assert problems == [] and message is not None


@pytest.mark.parametrize("name", MESSAGE_FIELDS)
def test_each_required_field_missing_is_named_once(name: str) -> None:
    data = valid_message()
    del data[name]
    # Once: the SDK's own "Field required" for the same field is not repeated.
    assert message_problems(data) == (None, [f"`{name}` is missing"])


def test_several_missing_fields_are_named_in_the_documented_order() -> None:
    data = {"type": "message", "role": "assistant", "content": []}
    _, problems = message_problems(data)
    assert problems == [
        "`id` is missing",
        "`model` is missing",
        "`stop_reason` is missing",
        "`stop_sequence` is missing",
        "`usage` is missing",
    ]


def test_a_null_stop_reason_is_present_not_missing() -> None:
    message, problems = message_problems({**valid_message(), "stop_reason": None})
    assert problems == [] and message is not None and message.stop_reason is None


def test_a_wrong_type_is_named_with_the_sdk_s_reason() -> None:
    assert message_problems({**valid_message(), "type": "completion"}) == (
        None,
        ["`type` is 'completion', not 'message'", "`type`: Input should be 'message'"],
    )


def test_a_wrong_role_is_named_with_the_sdk_s_reason() -> None:
    assert message_problems({**valid_message(), "role": "user"}) == (
        None,
        ["`role` is 'user', not 'assistant'", "`role`: Input should be 'assistant'"],
    )


def test_a_field_of_the_wrong_type_is_named_by_its_path() -> None:
    assert message_problems({**valid_message(), "id": 5}) == (
        None,
        ["`id`: Input should be a valid string"],
    )
    assert message_problems({**valid_message(), "content": "Hi"}) == (
        None,
        ["`content`: Input should be a valid list"],
    )


def test_a_content_block_of_the_wrong_shape_is_named_by_its_path_and_capped_at_eight() -> None:
    message, problems = message_problems({**valid_message(), "content": [{"type": "text"}]})
    assert message is None
    assert problems[0] == "`content.0.TextBlock.text`: Field required"
    assert len(problems) == 8
    assert all(p.startswith("`content.0.") for p in problems)


def test_a_malformed_usage_is_named_by_its_nested_path() -> None:
    _, problems = message_problems({**valid_message(), "usage": {"input_tokens": 8}})
    assert problems == ["`usage.output_tokens`: Field required"]


@pytest.mark.parametrize(("data", "kind"), [([valid_message()], "list"), ("Hi", "str"), (5, "int")])
def test_a_body_that_is_not_an_object_is_not_a_message(data: Any, kind: str) -> None:
    assert message_problems(data) == (None, [f"the body is a JSON {kind}, not a Messages object"])


# -- token_count_problems ---------------------------------------------------------------------


def test_a_token_count_is_read_as_the_sdk_s_type() -> None:
    count, problems = token_count_problems({"input_tokens": 14})
    assert problems == []
    assert isinstance(count, MessageTokensCount) and count.input_tokens == 14


@pytest.mark.parametrize("value", ["14", 14.0], ids=["a-numeric-string", "a-float"])
def test_a_count_the_sdk_would_coerce_is_still_not_an_integer(value: Any) -> None:
    assert token_count_problems({"input_tokens": value}) == (
        None,
        ["`input_tokens` is not an integer"],
    )


def test_a_missing_count_is_named() -> None:
    assert token_count_problems({}) == (None, ["`input_tokens`: Field required"])
    assert token_count_problems({"tokens": 14}) == (None, ["`input_tokens`: Field required"])


def test_a_count_that_is_no_number_is_named_with_the_sdk_s_reason() -> None:
    assert token_count_problems({"input_tokens": "many"}) == (
        None,
        ["`input_tokens`: Input should be a valid integer, unable to parse string as an integer"],
    )


def test_a_token_count_that_is_not_an_object_is_named_at_the_body() -> None:
    assert token_count_problems([14]) == (
        None,
        ["`(body)`: Input should be a valid dictionary or instance of MessageTokensCount"],
    )


def test_a_boolean_count_is_not_an_integer() -> None:
    assert token_count_problems({"input_tokens": True}) == (
        None,
        ["`input_tokens` is not an integer"],
    )


# -- stream_event_problems --------------------------------------------------------------------

_MESSAGE = {**json.loads(bodies.MESSAGE_OK), "content": [], "stop_reason": None}

DOCUMENTED_EVENTS: dict[str, dict[str, Any]] = {
    "message_start": {"type": "message_start", "message": _MESSAGE},
    "content_block_start": {
        "type": "content_block_start",
        "index": 0,
        "content_block": {"type": "text", "text": ""},
    },
    "text_delta": {
        "type": "content_block_delta",
        "index": 0,
        "delta": {"type": "text_delta", "text": "Hi"},
    },
    "input_json_delta": {
        "type": "content_block_delta",
        "index": 1,
        "delta": {"type": "input_json_delta", "partial_json": '{"city": '},
    },
    "content_block_stop": {"type": "content_block_stop", "index": 0},
    "message_delta": {
        "type": "message_delta",
        "delta": {"stop_reason": "end_turn", "stop_sequence": None},
        "usage": {"output_tokens": 5},
    },
    "message_stop": {"type": "message_stop"},
}


@pytest.mark.parametrize("name", DOCUMENTED_EVENTS)
def test_each_documented_event_is_valid(name: str) -> None:
    assert stream_event_problems(DOCUMENTED_EVENTS[name]) == []


@pytest.mark.parametrize(
    ("data", "problems"),
    [
        ({"type": "message_start"}, ["event `message_start`: `message`: Field required"]),
        (
            {"type": "content_block_start", "content_block": {"type": "text", "text": ""}},
            ["event `content_block_start`: `index`: Field required"],
        ),
        (
            {
                "type": "content_block_delta",
                "index": "zero",
                "delta": {"type": "text_delta", "text": ""},
            },
            [
                "event `content_block_delta`: `index`: Input should be a valid integer, "
                "unable to parse string as an integer"
            ],
        ),
        ({"type": "content_block_stop"}, ["event `content_block_stop`: `index`: Field required"]),
        (
            {"type": "message_delta", "delta": {"stop_reason": "end_turn"}},
            ["event `message_delta`: `usage`: Field required"],
        ),
    ],
    ids=["message-start", "block-start", "block-delta-index", "block-stop", "message-delta"],
)
def test_a_documented_event_of_the_wrong_shape_names_its_field(
    data: dict[str, Any], problems: list[str]
) -> None:
    assert stream_event_problems(data) == problems


def test_an_unknown_delta_type_names_at_most_three_problems() -> None:
    data = {"type": "content_block_delta", "index": 0, "delta": {"type": "sparkle_delta"}}
    problems = stream_event_problems(data)
    assert len(problems) == 3
    assert problems[0] == "event `content_block_delta`: `delta.TextDelta.text`: Field required"


@pytest.mark.parametrize(
    "data",
    [
        {"type": "ping"},
        {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
        {"type": "error"},
        {"type": "thinking_summary", "anything": [1, 2]},
    ],
    ids=["ping", "error", "error-without-detail", "a-future-event"],
)
def test_ping_error_and_unknown_events_are_tolerated(data: dict[str, Any]) -> None:
    assert stream_event_problems(data) == []


@pytest.mark.parametrize(("data", "kind"), [([1], "list"), ("ping", "str"), (3, "int")])
def test_an_event_whose_data_is_not_an_object_is_a_problem(data: Any, kind: str) -> None:
    assert stream_event_problems(data) == [f"an event's data is a JSON {kind}, not an object"]


# -- anthropic_error_problems -----------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [bodies.AUTHENTICATION_ERROR, bodies.NOT_FOUND_MODEL, bodies.OVERLOADED, bodies.EXTRA_INPUTS],
)
def test_an_anthropic_shaped_error_has_no_problem(body: str) -> None:
    assert anthropic_error_problems(json.loads(body)) == []


def test_an_azure_shaped_error_is_named_as_such() -> None:
    assert anthropic_error_problems(json.loads(bodies.INVALID_SUBSCRIPTION_KEY)) == [
        "top-level `type` is None, not 'error'",
        "`error.type` is missing (an Azure-shaped body, not Anthropic's)",
    ]


def test_an_azure_error_with_a_type_but_no_envelope_names_only_the_envelope() -> None:
    # DeploymentNotFound carries error.type, but not the top-level "type": "error".
    assert anthropic_error_problems(json.loads(bodies.DEPLOYMENT_NOT_FOUND)) == [
        "top-level `type` is None, not 'error'"
    ]


def test_a_gateway_body_without_an_error_object_says_so() -> None:
    assert anthropic_error_problems(json.loads(bodies.TOKEN_UNAUTHORIZED)) == [
        "top-level `type` is None, not 'error'",
        "`error` is not an object",
    ]


def test_an_error_that_is_a_string_is_not_an_object() -> None:
    assert anthropic_error_problems({"type": "error", "error": "Overloaded"}) == [
        "`error` is not an object"
    ]


def test_a_missing_error_message_is_named() -> None:
    assert anthropic_error_problems({"type": "error", "error": {"type": "api_error"}}) == [
        "`error.message` is missing"
    ]


def test_a_wrong_top_level_type_is_quoted() -> None:
    body = {"type": "failure", "error": {"type": "api_error", "message": "Internal"}}
    assert anthropic_error_problems(body) == ["top-level `type` is 'failure', not 'error'"]


@pytest.mark.parametrize("data", [[1], "error", None, 401])
def test_an_error_body_that_is_not_an_object_is_one_problem(data: Any) -> None:
    assert anthropic_error_problems(data) == ["the error body is not a JSON object"]
