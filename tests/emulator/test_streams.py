"""Stream faults applied to the documented event sequence."""

from __future__ import annotations

import pytest

from conformance.emulator import messages, parse_profiles
from conformance.emulator.ids import IdSource
from conformance.emulator.streams import stream_chunks, stream_events

from .conftest import DEPLOYMENT, message_body

IDS = IdSource(b"s")


def names(profiles: str, **body: object) -> list[str]:
    message = messages.build_message(message_body(**body), DEPLOYMENT, IDS)
    return [name for name, _ in stream_events(message, parse_profiles(profiles).faults)[0]]


def test_no_fault_is_the_documented_sequence() -> None:
    assert names("", max_tokens=2) == [
        "message_start",
        "content_block_start",
        "ping",
        "content_block_delta",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        ("overloaded-midstream", ["message_start", "content_block_start", "ping", "error"]),
        ("truncated-stream", ["message_start", "content_block_start", "ping"]),
    ],
)
def test_faults_on_an_empty_reply_cut_where_the_deltas_would_be(
    profile: str, expected: list[str]
) -> None:
    # A stop sequence at the very start leaves no text, hence no delta to cut after.
    body = {"messages": [{"role": "user", "content": "x"}], "stop_sequences": ["Hello"]}
    assert names(profile, **body) == expected


def test_truncation_keeps_every_delta() -> None:
    assert names("truncated-stream", max_tokens=3)[-3:] == ["content_block_delta"] * 3


def test_reset_wins_over_the_done_sentinel() -> None:
    message = messages.build_message(message_body(), DEPLOYMENT, IDS)
    chunks, reset = stream_chunks(message, parse_profiles("reset-midstream,done-sentinel").faults)
    assert reset == "mid-body"
    assert all(b"[DONE]" not in chunk.data for chunk in chunks)
