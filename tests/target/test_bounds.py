"""What the harness reads of a body: at most 32 MiB decoded, at most 4 MiB of one stream event;
counted as the bytes come, before httpx (or the SDK's httpx2) decodes them."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator

import httpx2
import pytest

from conformance.core.redaction import Redactor
from conformance.target.bounds import MAX_DECODED_BODY, MAX_STREAM_EVENT, BodyBounds
from conformance.target.log import InteractionLog
from conformance.target.seam import FoundryClient
from conformance.target.wire import ResponseOverLimit
from tests.hostile import gzip_bomb, gzip_bombing, hostile_server, huge_event

MiB = 1024 * 1024


def _chunks(data: bytes, size: int = 65536) -> Iterator[bytes]:
    for at in range(0, len(data), size):
        yield data[at : at + size]


def test_a_gzip_bomb_is_stopped_once_it_decodes_past_the_limit() -> None:
    bounds = BodyBounds(["gzip"], event_stream=False)
    with pytest.raises(ResponseOverLimit, match="decodes to more than 32 MiB"):
        for chunk in _chunks(gzip_bomb(64)):
            bounds.feed(chunk)
    # It stopped within one step of the limit, not at the end of the bomb.
    assert MAX_DECODED_BODY < bounds.decoded <= MAX_DECODED_BODY + 2 * MiB


def test_bodies_within_the_limit_pass_in_every_coding_httpx_decodes() -> None:
    text = b"x" * (3 * MiB)
    raw_deflate = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    cases = {
        ("gzip",): gzip.compress(text),
        ("x-gzip",): gzip.compress(text),
        ("deflate",): zlib.compress(text),
        ("deflate ",): raw_deflate.compress(text) + raw_deflate.flush(),  # raw, as httpx reads it
        ("gzip", "gzip"): gzip.compress(gzip.compress(text)),
        ("identity",): text,
        (): text,
    }
    for codings, body in cases.items():
        bounds = BodyBounds(codings, event_stream=False)
        for chunk in _chunks(body):
            bounds.feed(chunk)
        assert bounds.decoded == len(text), codings


def test_a_body_that_is_not_what_its_coding_says_is_left_to_httpx() -> None:
    bounds = BodyBounds(["gzip"], event_stream=False)
    bounds.feed(b"not gzip at all")  # httpx raises its own DecodingError when it decodes it
    assert bounds.decoded == len(b"not gzip at all")


def test_a_plain_body_past_the_limit_is_stopped_too() -> None:
    bounds = BodyBounds([], event_stream=False)
    with pytest.raises(ResponseOverLimit):
        for _ in range(MAX_DECODED_BODY // MiB + 1):
            bounds.feed(bytes(MiB))


@pytest.mark.parametrize("end", [b"\n\n", b"\r\n\r\n", b"\r\r"])
def test_stream_events_are_measured_one_by_one(end: bytes) -> None:
    bounds = BodyBounds([], event_stream=True)
    event = b"event: content_block_delta\ndata: " + b"x" * (MiB - 50) + end
    for _ in range(8):  # 8 MiB of events of 1 MiB each: no event is too large
        for chunk in _chunks(event, 65537):
            bounds.feed(chunk)
    with pytest.raises(ResponseOverLimit, match="an event of the stream is larger than 4 MiB"):
        bounds.feed(b"data: " + b"x" * MAX_STREAM_EVENT)


def test_a_blank_line_split_across_chunks_still_ends_an_event() -> None:
    bounds = BodyBounds([], event_stream=True)
    for _ in range(6):
        bounds.feed(b"data: " + b"x" * (MAX_STREAM_EVENT - 100) + b"\r\n\r")
        bounds.feed(b"\n")


def test_the_seam_stops_reading_a_gzip_bomb_and_records_why() -> None:
    log = InteractionLog(Redactor([]))
    with (
        hostile_server(gzip_bombing(256)) as server,
        FoundryClient(server.base_url, log, anthropic_version="2023-06-01") as client,
        pytest.raises(ResponseOverLimit),
    ):
        client.send(client.build("POST", "v1/messages", json={}))
    [ix] = log.snapshot()
    assert (ix.status, ix.error_class, ix.complete) == (200, "ResponseOverLimit", False)


def test_the_seam_stops_reading_a_50_mib_event_for_the_sdk_too() -> None:
    from anthropic import APIConnectionError

    from conformance.target.sdk import foundry_sdk_client

    log = InteractionLog(Redactor([]))
    with (
        hostile_server(huge_event(50)) as server,
        FoundryClient(server.base_url, log, anthropic_version="2023-06-01") as client,
    ):
        sdk = foundry_sdk_client(client, api_key="k")
        messages = [{"role": "user", "content": "ok"}]
        with (
            # As the SDK meets a connection that breaks mid-stream: httpx2's own error.
            pytest.raises((APIConnectionError, httpx2.RemoteProtocolError), match="4 MiB"),
            sdk.messages.stream(model="m", max_tokens=1, messages=messages) as stream,  # type: ignore[arg-type]
        ):
            for _ in stream:
                pass
    [ix] = log.snapshot()
    assert ix.error_class == "ResponseOverLimit"
