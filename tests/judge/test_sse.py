"""The SSE parser and the Messages stream grammar, fed with literal streams as the wire carries them."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conformance.judge.sse import SseEvent, StreamVerdict, judge_message_stream, parse_sse
from tests.diagnosis.bodies import MID_STREAM_OVERLOADED

_AUTO = "auto"


def frame(payload: dict[str, Any] | str, event: str | None = _AUTO) -> str:
    """One SSE event: ``event:`` named after the data's type unless given (None: no name)."""
    data = payload if isinstance(payload, str) else json.dumps(payload)
    if event == _AUTO:
        event = payload["type"] if isinstance(payload, dict) else None
    name = f"event: {event}\n" if event is not None else ""
    return f"{name}data: {data}\n\n"


def message_start(output_tokens: int = 1) -> dict[str, Any]:
    return {
        "type": "message_start",
        "message": {
            "id": "msg_01",
            "type": "message",
            "role": "assistant",
            "content": [],
            "model": "claude-sonnet-4-5",
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {"input_tokens": 8, "output_tokens": output_tokens},
        },
    }


def block_start(index: int = 0, kind: str = "text") -> dict[str, Any]:
    block: dict[str, Any] = (
        {"type": "text", "text": ""}
        if kind == "text"
        else {"type": "tool_use", "id": "toolu_01", "name": "get_weather", "input": {}}
    )
    return {"type": "content_block_start", "index": index, "content_block": block}


def text_delta(text: str, index: int = 0) -> dict[str, Any]:
    return {
        "type": "content_block_delta",
        "index": index,
        "delta": {"type": "text_delta", "text": text},
    }


def json_delta(partial: str, index: int) -> dict[str, Any]:
    return {
        "type": "content_block_delta",
        "index": index,
        "delta": {"type": "input_json_delta", "partial_json": partial},
    }


def block_stop(index: int = 0) -> dict[str, Any]:
    return {"type": "content_block_stop", "index": index}


def message_delta(
    usage: dict[str, Any] | None = None, stop_reason: str = "end_turn"
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "message_delta",
        "delta": {"stop_reason": stop_reason, "stop_sequence": None},
    }
    event["usage"] = {"output_tokens": 5} if usage is None else usage
    return event


MESSAGE_STOP: dict[str, Any] = {"type": "message_stop"}
PING: dict[str, Any] = {"type": "ping"}


def stream(*payloads: dict[str, Any] | str) -> str:
    return "".join(frame(p) for p in payloads)


def judge(raw: bytes | str) -> StreamVerdict:
    return judge_message_stream(parse_sse(raw))


WELL_FORMED = stream(
    message_start(),
    block_start(0),
    PING,
    text_delta("Hel"),
    text_delta("lo"),
    block_stop(0),
    message_delta(),
    MESSAGE_STOP,
)


# -- parse_sse --------------------------------------------------------------------------------


def test_each_event_keeps_its_name_its_data_and_the_decoded_json() -> None:
    events = parse_sse('event: ping\ndata: {"type": "ping"}\n\n')
    assert events == [SseEvent("ping", '{"type": "ping"}', {"type": "ping"})]


def test_crlf_and_lone_cr_line_endings_split_events_like_lf() -> None:
    lf = 'event: ping\ndata: {"type":"ping"}\n\ndata: {"n":2}\n\n'
    crlf = lf.replace("\n", "\r\n")
    cr = lf.replace("\n", "\r")
    assert parse_sse(crlf) == parse_sse(lf) == parse_sse(cr)
    assert [e.json for e in parse_sse(crlf)] == [{"type": "ping"}, {"n": 2}]


def test_comments_and_id_and_retry_lines_are_ignored() -> None:
    raw = ': keep-alive\nid: 7\nretry: 3000\nevent: ping\ndata: {"type":"ping"}\n\n'
    assert parse_sse(raw) == [SseEvent("ping", '{"type":"ping"}', {"type": "ping"})]


def test_a_block_of_only_comments_or_ids_is_no_event() -> None:
    assert parse_sse(": just a comment\n\nid: 9\n\nretry: 10\n\n") == []


def test_multi_line_data_is_joined_with_newlines_before_decoding() -> None:
    (event,) = parse_sse('event: ping\ndata: {"type":\ndata:  "ping"}\n\n')
    assert event.data == '{"type":\n "ping"}'
    assert event.json == {"type": "ping"}


def test_one_space_after_the_colon_is_dropped_and_no_space_is_fine() -> None:
    assert parse_sse("data:{}\n\n")[0].data == "{}"
    assert parse_sse("data:  x\n\n")[0].data == " x"


def test_data_that_is_not_json_is_kept_as_text_without_json() -> None:
    assert parse_sse("data: not json\n\n") == [SseEvent(None, "not json", None)]


def test_the_done_sentinel_is_kept_as_text_and_not_decoded() -> None:
    assert parse_sse("data: [DONE]\n\n") == [SseEvent(None, "[DONE]", None)]


def test_bytes_and_str_of_the_same_stream_parse_alike() -> None:
    assert parse_sse(WELL_FORMED.encode()) == parse_sse(WELL_FORMED)
    assert len(parse_sse(WELL_FORMED)) == 8


def test_invalid_utf8_bytes_become_replacement_characters_not_an_exception() -> None:
    (inside,) = parse_sse(b'data: {"text": "caf\xff"}\n\n')
    assert inside.json == {"text": "caf\ufffd"}
    (instead,) = parse_sse(b"data: \xff\xfe\n\n")
    assert instead.data == "\ufffd\ufffd" and instead.json is None


def test_empty_input_has_no_events() -> None:
    assert parse_sse("") == []
    assert parse_sse(b"") == []
    assert parse_sse("\n\n\n\n") == []


# -- judge_message_stream: the well-formed stream ---------------------------------------------


def test_a_well_formed_stream_has_no_problems_and_its_text_deltas_concatenate() -> None:
    verdict = judge(WELL_FORMED)
    assert verdict.problems == []
    assert verdict.text == "Hello"
    assert verdict.stop_reason == "end_turn"
    assert verdict.start_usage == {"input_tokens": 8, "output_tokens": 1}
    assert verdict.final_usage == {"output_tokens": 5}
    assert verdict.error is None and verdict.done_sentinel is False
    assert verdict.tool_json == {}
    assert verdict.event_types == [
        "message_start",
        "content_block_start",
        "ping",
        "content_block_delta",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]


def test_the_same_stream_judges_alike_as_bytes_with_crlf_line_endings() -> None:
    verdict = judge(WELL_FORMED.replace("\n", "\r\n").encode())
    assert verdict.problems == [] and verdict.text == "Hello"


def test_pings_are_allowed_before_between_and_after_the_message() -> None:
    raw = stream(
        PING, message_start(), PING, block_start(0), text_delta("Hi"), PING, block_stop(0)
    ) + stream(message_delta(), MESSAGE_STOP, PING)
    verdict = judge(raw)
    assert verdict.problems == []
    assert verdict.event_types.count("ping") == 4


def test_unnamed_data_only_events_are_judged_by_their_data_type() -> None:
    raw = "".join(
        frame(p, event=None)
        for p in (message_start(), block_start(0), text_delta("Hi"), block_stop(0))
    ) + "".join(frame(p, event=None) for p in (message_delta(), MESSAGE_STOP))
    verdict = judge(raw)
    assert verdict.problems == [] and verdict.text == "Hi"


def test_the_stop_reason_is_read_from_message_delta() -> None:
    raw = stream(message_start(), message_delta(stop_reason="max_tokens"), MESSAGE_STOP)
    assert judge(raw).stop_reason == "max_tokens"


def test_usage_that_stays_equal_is_cumulative() -> None:
    raw = stream(message_start(output_tokens=5), message_delta({"output_tokens": 5}), MESSAGE_STOP)
    assert judge(raw).problems == []


def test_input_json_deltas_accumulate_per_block_into_tool_json() -> None:
    raw = stream(
        message_start(),
        block_start(0),
        text_delta("Let me check."),
        block_stop(0),
        block_start(1, kind="tool_use"),
        json_delta("", 1),
        json_delta('{"city": ', 1),
        json_delta('"Paris"}', 1),
        block_stop(1),
        message_delta(stop_reason="tool_use"),
        MESSAGE_STOP,
    )
    verdict = judge(raw)
    assert verdict.problems == []
    assert verdict.tool_json == {1: '{"city": "Paris"}'}
    assert json.loads(verdict.tool_json[1]) == {"city": "Paris"}
    assert verdict.text == "Let me check."
    assert verdict.stop_reason == "tool_use"


# -- judge_message_stream: broken grammar -----------------------------------------------------


def test_a_done_sentinel_is_a_problem_the_sdk_would_hide() -> None:
    verdict = judge(WELL_FORMED + "data: [DONE]\n\n")
    assert verdict.done_sentinel is True
    assert verdict.problems == [
        "event 9 is `data: [DONE]`, which Anthropic's stream never sends "
        "(an API Management gateway in front adds it)"
    ]
    assert verdict.text == "Hello"
    assert "[DONE]" not in verdict.event_types


def test_a_stream_without_message_stop_is_a_problem_and_its_usage_is_not_judged() -> None:
    raw = stream(message_start(), block_start(0), text_delta("Hi"), block_stop(0))
    verdict = judge(raw)
    assert verdict.problems == ["the stream ended without `message_stop`"]


def test_an_empty_stream_ended_without_message_stop() -> None:
    for raw in ("", b""):
        verdict = judge(raw)
        assert verdict.problems == ["the stream ended without `message_stop`"]
        assert verdict.event_types == [] and verdict.text == ""


def test_events_before_message_start_are_a_problem() -> None:
    raw = stream(block_start(0), message_start(), text_delta("Hi"), block_stop(0))
    raw += stream(message_delta(), MESSAGE_STOP)
    verdict = judge(raw)
    assert verdict.problems[0] == "`content_block_start` arrived before `message_start`"
    # The message_start that follows is then a second one.
    assert verdict.problems[1] == "a second `message_start` arrived"


def test_a_second_message_start_is_a_problem_and_its_usage_replaces_the_first() -> None:
    raw = stream(message_start(output_tokens=1), message_start(output_tokens=2))
    raw += stream(message_delta(), MESSAGE_STOP)
    verdict = judge(raw)
    assert verdict.problems == ["a second `message_start` arrived"]
    assert verdict.start_usage == {"input_tokens": 8, "output_tokens": 2}


def test_an_event_after_message_stop_is_a_problem() -> None:
    verdict = judge(WELL_FORMED + frame(text_delta("more")))
    assert verdict.problems == ["`content_block_delta` arrived after the stream had ended"]
    assert verdict.text == "Hello"


def test_a_delta_for_a_block_that_is_not_open_is_a_problem() -> None:
    raw = stream(message_start(), block_start(0), text_delta("Hi", index=1), block_stop(0))
    raw += stream(message_delta(), MESSAGE_STOP)
    verdict = judge(raw)
    assert verdict.problems == ["a delta for content block 1, which is not open"]
    assert verdict.text == "Hi"  # the text is still read, as the SDK would


def test_a_delta_after_its_block_stopped_is_a_problem() -> None:
    raw = stream(message_start(), block_start(0), block_stop(0), text_delta("late"))
    raw += stream(message_delta(), MESSAGE_STOP)
    assert judge(raw).problems == ["a delta for content block 0, which is not open"]


def test_a_block_started_twice_is_a_problem_even_after_it_stopped() -> None:
    raw = stream(message_start(), block_start(0), block_stop(0), block_start(0), block_stop(0))
    raw += stream(message_delta(), MESSAGE_STOP)
    assert judge(raw).problems == ["content block 0 started twice"]


def test_a_block_stopped_but_never_started_is_a_problem() -> None:
    raw = stream(message_start(), block_stop(2), message_delta(), MESSAGE_STOP)
    assert judge(raw).problems == ["content block 2 stopped but was not open"]


def test_blocks_never_stopped_are_named_in_order() -> None:
    raw = stream(message_start(), block_start(1), block_start(0), text_delta("Hi"), MESSAGE_STOP)
    verdict = judge(raw)
    assert verdict.problems == [
        "content blocks [0, 1] were never stopped",
        "`message_delta` did not report `usage.output_tokens`",
    ]


def test_message_delta_while_a_block_is_open_is_a_problem() -> None:
    raw = stream(message_start(), block_start(0), text_delta("Hi"), message_delta(), block_stop(0))
    raw += frame(MESSAGE_STOP)
    verdict = judge(raw)
    assert verdict.problems == ["`message_delta` arrived while blocks [0] were open"]
    assert verdict.stop_reason == "end_turn"


def test_an_event_name_that_differs_from_its_data_type_is_a_problem() -> None:
    raw = stream(message_start()) + frame(PING, event="message_stop")
    raw += stream(message_delta(), MESSAGE_STOP)
    verdict = judge(raw)
    assert verdict.problems == ["event 2 is named `message_stop` but its data says type `ping`"]
    assert verdict.event_types[1] == "ping"


def test_data_that_is_not_a_json_object_is_a_problem() -> None:
    raw = stream(message_start()) + "event: ping\ndata: {not json\n\n" + "data: [1, 2]\n\n"
    raw += stream(message_delta(), MESSAGE_STOP)
    verdict = judge(raw)
    assert verdict.problems == [
        "event 2 carries data that is not a JSON object",
        "event 3 carries data that is not a JSON object",
    ]
    assert verdict.event_types == ["message_start", "message_delta", "message_stop"]


def test_invalid_utf8_in_a_text_delta_is_read_with_a_replacement_character() -> None:
    raw = (
        stream(message_start(), block_start(0)).encode()
        + b'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,'
        b'"delta":{"type":"text_delta","text":"caf\xc3"}}\n\n'
        + stream(block_stop(0), message_delta(), MESSAGE_STOP).encode()
    )
    verdict = judge(raw)
    assert verdict.problems == []
    assert verdict.text == "caf\ufffd"


def test_an_error_event_after_http_200_is_the_model_s_answer_not_a_broken_grammar() -> None:
    raw = stream(message_start(), block_start(0), text_delta("Hi"), block_stop(0))
    verdict = judge(raw + MID_STREAM_OVERLOADED)
    assert verdict.error == {"type": "overloaded_error", "message": "Overloaded"}
    assert verdict.model_error == "overloaded_error"
    assert verdict.describe_error() == "overloaded_error: Overloaded"
    # No "ended without message_stop", and no usage judgement: the error explains both.
    assert verdict.problems == []
    assert verdict.text == "Hi"


def test_an_error_event_that_cuts_a_block_short_leaves_no_problem() -> None:
    # As Anthropic (and the emulator's overloaded-midstream) send it: right after a delta.
    raw = stream(message_start(), block_start(0), text_delta("Hi")) + MID_STREAM_OVERLOADED
    verdict = judge(raw)
    assert (verdict.model_error, verdict.problems) == ("overloaded_error", [])


def test_open_blocks_without_an_error_event_are_still_a_problem() -> None:
    raw = stream(message_start(), block_start(0), text_delta("Hi"), message_delta(), MESSAGE_STOP)
    assert "content blocks [0] were never stopped" in judge(raw).problems


def test_events_after_an_error_event_are_a_problem() -> None:
    raw = stream(message_start()) + MID_STREAM_OVERLOADED + stream(MESSAGE_STOP)
    verdict = judge(raw)
    assert verdict.problems[-1] == "`message_stop` arrived after the stream had ended"


def test_an_error_event_whose_error_is_not_an_object_is_still_reported() -> None:
    verdict = judge(stream(message_start(), {"type": "error", "error": "boom"}))
    assert verdict.error == {"message": "boom"} and verdict.model_error is None
    assert verdict.problems == [
        "the stream carried an `error` event after HTTP 200 that is not Anthropic's error shape: "
        "error: boom"
    ]


def test_an_error_event_without_detail_says_so() -> None:
    verdict = judge(stream(message_start(), {"type": "error", "error": {}}))
    assert verdict.error == {} and verdict.model_error is None
    assert verdict.problems == [
        "the stream carried an `error` event after HTTP 200 that is not Anthropic's error shape: "
        "(no detail)"
    ]


def test_output_tokens_that_shrink_are_not_cumulative_usage() -> None:
    raw = stream(message_start(output_tokens=10), message_delta({"output_tokens": 3}), MESSAGE_STOP)
    assert judge(raw).problems == [
        "usage is not cumulative: `message_delta` says 3 output tokens, "
        "fewer than the 10 of `message_start`"
    ]


@pytest.mark.parametrize(
    "usage",
    [{"input_tokens": 8}, {}, {"output_tokens": "5"}, {"output_tokens": None}],
    ids=["other-field-only", "empty", "a-string", "null"],
)
def test_a_message_delta_without_integral_output_tokens_is_a_problem(
    usage: dict[str, Any],
) -> None:
    raw = stream(message_start(), message_delta(usage), MESSAGE_STOP)
    assert judge(raw).problems == ["`message_delta` did not report `usage.output_tokens`"]


def test_a_stream_without_any_message_delta_reports_no_output_tokens() -> None:
    raw = stream(message_start(), MESSAGE_STOP)
    assert judge(raw).problems == ["`message_delta` did not report `usage.output_tokens`"]


@pytest.mark.parametrize(
    "events",
    [
        [{"type": "message_start", "message": "not an object"}, message_delta(), MESSAGE_STOP],
        [
            message_start(),
            {"type": "message_delta", "delta": "not an object", "usage": {"output_tokens": 5}},
            MESSAGE_STOP,
        ],
        [
            message_start(),
            {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": "lots"},
            MESSAGE_STOP,
        ],
        [
            message_start(),
            {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": [5]},
            MESSAGE_STOP,
        ],
        [
            message_start(),
            block_start(0),
            {"type": "content_block_delta", "index": 0, "delta": "not an object"},
            block_stop(0),
            message_delta(),
            MESSAGE_STOP,
        ],
    ],
    ids=["message", "message-delta", "usage-string", "usage-list", "block-delta"],
)
def test_a_field_that_should_be_an_object_but_is_not_is_a_problem_not_a_crash(
    events: list[dict[str, Any]],
) -> None:
    verdict = judge(stream(*events))
    assert verdict.problems
