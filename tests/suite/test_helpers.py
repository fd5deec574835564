"""The checks' shared helpers, against a mock transport (no socket, no DNS)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx

from conformance.config import RawOptions, resolve_settings
from conformance.suite.helpers import message_body, stream_message, timing_of
from conformance.target.run import FoundryRun

BASE = "https://example.services.ai.azure.com/anthropic/"
SSE = [
    b'event: message_start\ndata: {"type":"message_start"}\n\n',
    b'event: content_block_delta\ndata: {"type":"content_block_delta"}\n\n',
    b'event: message_stop\ndata: {"type":"message_stop"}\n\n',
]


class _Trickle(httpx.SyncByteStream):
    def __iter__(self) -> Iterator[bytes]:
        for chunk in SSE:
            time.sleep(0.01)
            yield chunk


class _SlowToken(httpx.Auth):
    """A token fetched while the caller waits: time before the request leaves."""

    def auth_flow(self, request: httpx.Request):  # type: ignore[no-untyped-def]
        time.sleep(0.2)
        request.headers["authorization"] = "Bearer x"
        yield request


def _run() -> FoundryRun:
    settings = resolve_settings(
        RawOptions(base_url=BASE, deployments=["claude-sonnet-5-5"]),
        {"ANTHROPIC_FOUNDRY_API_KEY": "k" * 32},
    )
    streaming = httpx.MockTransport(
        lambda request: httpx.Response(
            200, headers={"content-type": "text/event-stream"}, stream=_Trickle()
        )
    )
    return FoundryRun(settings, env={}, transport=streaming).start()


def test_stream_message_reports_the_seam_s_time_to_first_token_within_the_total() -> None:
    run = _run()
    try:
        response, raw, ttft_ms = stream_message(
            run, message_body("claude-sonnet-5-5", 4), label="entra", auth=_SlowToken()
        )
        interaction = timing_of(run, response)
    finally:
        run.close()
    assert raw == b"".join(SSE)
    assert ttft_ms is not None and ttft_ms == interaction.ttft_ms
    assert interaction.elapsed_ms is not None
    # The token fetch (200 ms) is before the request left: in neither figure.
    assert 10 <= ttft_ms <= interaction.elapsed_ms < 200
