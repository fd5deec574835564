"""Token usage read from literal response bodies (JSON and SSE), and the model a request names."""

from __future__ import annotations

import pytest

from conformance.judge.usage import extract_cache_usage, extract_usage, requested_model
from tests.diagnosis.bodies import MESSAGE_OK, STREAM_OK

JSON = "application/json"
SSE = "text/event-stream; charset=utf-8"

MESSAGE_DELTA = (
    "event: message_delta\n"
    'data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},'
    '"usage":{"output_tokens":12}}\n\n'
)
MESSAGE_STOP = 'event: message_stop\ndata: {"type":"message_stop"}\n\n'


def test_a_json_message_reports_its_input_and_output_tokens() -> None:
    assert extract_usage(JSON, MESSAGE_OK.encode()) == (8, 2)


def test_a_count_tokens_answer_reports_input_tokens_only() -> None:
    assert extract_usage(JSON, b'{"usage": {"input_tokens": 31}}') == (31, None)


def test_a_stream_takes_input_from_message_start_and_output_from_message_delta() -> None:
    body = (STREAM_OK + MESSAGE_DELTA + MESSAGE_STOP).encode()
    assert extract_usage(SSE, body) == (8, 12)


def test_a_stream_without_message_delta_keeps_the_output_of_message_start() -> None:
    assert extract_usage(SSE, (STREAM_OK + MESSAGE_STOP).encode()) == (8, 1)


def test_a_message_delta_without_output_tokens_does_not_erase_the_start_count() -> None:
    delta = 'data: {"type":"message_delta","delta":{},"usage":{}}\n\n'
    assert extract_usage(SSE, (STREAM_OK + delta).encode()) == (8, 1)


def test_a_stream_without_message_start_reports_only_the_delta_output() -> None:
    assert extract_usage(SSE, MESSAGE_DELTA.encode()) == (None, 12)


def test_the_content_type_decides_how_the_body_is_read() -> None:
    # An SSE body labelled as JSON is not JSON: no usage, and no exception.
    assert extract_usage(JSON, (STREAM_OK + MESSAGE_DELTA).encode()) == (None, None)


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        (JSON, b'{"id": "msg_01", "type": "message"}'),
        (JSON, b'{"usage": null}'),
        (JSON, b'{"usage": "lots"}'),
        (SSE, b'event: ping\ndata: {"type":"ping"}\n\n'),
        (SSE, b""),
    ],
    ids=[
        "json-without-usage",
        "usage-null",
        "usage-not-an-object",
        "sse-without-usage",
        "sse-empty",
    ],
)
def test_a_body_without_usage_reports_none(content_type: str, body: bytes) -> None:
    assert extract_usage(content_type, body) == (None, None)


def test_values_that_are_not_integers_are_not_counted() -> None:
    body = b'{"usage": {"input_tokens": "8", "output_tokens": 2.0}}'
    assert extract_usage(JSON, body) == (None, None)
    assert extract_usage(JSON, b'{"usage": {"input_tokens": 8, "output_tokens": null}}') == (
        8,
        None,
    )


def test_non_integer_values_in_a_stream_are_not_counted() -> None:
    start = (
        'data: {"type":"message_start","message":{"usage":{"input_tokens":"8",'
        '"output_tokens":1.5}}}\n\n'
    )
    assert extract_usage(SSE, start.encode()) == (None, None)


@pytest.mark.parametrize(
    "body",
    [b"<html><body>502 Bad Gateway</body></html>", b"", b'{"usage": {"input_tokens": 8'],
    ids=["html", "empty", "truncated"],
)
def test_a_body_that_is_not_json_reports_none(body: bytes) -> None:
    assert extract_usage(JSON, body) == (None, None)


def test_a_json_list_reports_none() -> None:
    assert extract_usage(JSON, b'[{"usage": {"input_tokens": 8, "output_tokens": 2}}]') == (
        None,
        None,
    )


def test_invalid_utf8_reports_none_instead_of_raising() -> None:
    assert extract_usage(JSON, b'{"usage": {"input_tokens": 8}}\xff\xfe') == (None, None)
    assert extract_usage(JSON, b"\xff\xfe\xfd") == (None, None)


def test_json_booleans_are_not_token_counts() -> None:
    body = b'{"usage": {"input_tokens": true, "output_tokens": false}}'
    assert extract_usage(JSON, body) == (None, None)


def test_a_message_start_whose_message_is_not_an_object_reports_none() -> None:
    body = b'event: message_start\ndata: {"type":"message_start","message":"oops"}\n\n'
    assert extract_usage(SSE, body) == (None, None)


# -- requested_model --------------------------------------------------------------------------


def test_the_requested_model_is_the_body_s_model() -> None:
    assert requested_model(b'{"model": "claude-sonnet-4-5", "max_tokens": 16}') == (
        "claude-sonnet-4-5"
    )


@pytest.mark.parametrize(
    "body",
    [
        b'{"model": 5}',
        b'{"model": null}',
        b'{"model": ["claude-sonnet-4-5"]}',
        b'{"max_tokens": 16}',
        b'["claude-sonnet-4-5"]',
        b"not json",
        b"",
        b'{"model": "claude\xff"}',
    ],
    ids=["int", "null", "list", "absent", "json-list", "not-json", "empty", "invalid-utf8"],
)
def test_a_body_without_a_string_model_names_none(body: bytes) -> None:
    assert requested_model(body) is None


CACHED = (
    '{"type":"message","usage":{"input_tokens":4,"output_tokens":1,'
    '"cache_creation_input_tokens":1414,"cache_read_input_tokens":0}}'
)


def test_cache_writes_and_reads_are_read_apart_from_the_input() -> None:
    assert extract_cache_usage(JSON, CACHED.encode()) == (1414, 0)
    assert extract_cache_usage(JSON, MESSAGE_OK.encode())[1] in (0, None)
    start = (
        "event: message_start\n"
        'data: {"type":"message_start","message":{"usage":{"input_tokens":4,'
        '"cache_creation_input_tokens":0,"cache_read_input_tokens":1414}}}\n\n'
    )
    assert extract_cache_usage(SSE, (start + MESSAGE_STOP).encode()) == (0, 1414)


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b"[1]", b'{"usage": 3}', b'{"usage":{"cache_read_input_tokens":true}}'],
)
def test_no_cache_usage_without_counts(body: bytes) -> None:
    assert extract_cache_usage(JSON, body) == (None, None)
