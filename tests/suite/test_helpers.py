"""The checks' shared helpers, against a mock transport (no socket, no DNS)."""

from __future__ import annotations

from conformance.config import RawOptions, resolve_settings
from conformance.suite.helpers import message_body, stream_message, timing_of
from conformance.target.run import FoundryRun
from tests.target.streams import DELTA, STOP, SlowToken, streaming

BASE = "https://example.services.ai.azure.com/anthropic/"
START = b'event: message_start\ndata: {"type":"message_start"}\n\n'


def test_stream_message_reports_the_seam_s_time_to_first_token_within_the_total() -> None:
    settings = resolve_settings(
        RawOptions(base_url=BASE, deployments=["claude-sonnet-5-5"]),
        {"ANTHROPIC_FOUNDRY_API_KEY": "k" * 32},
    )
    chunks = [(0.01, START), (0.01, DELTA), (0.01, STOP)]
    run = FoundryRun(settings, env={}, transport=streaming(chunks)).start()
    try:
        response, raw, ttft_ms = stream_message(
            run, message_body("claude-sonnet-5-5", 4), label="entra", auth=SlowToken(0.5)
        )
        interaction = timing_of(run, response)
    finally:
        run.close()
    assert raw == START + DELTA + STOP
    assert ttft_ms is not None and ttft_ms == interaction.ttft_ms
    assert interaction.elapsed_ms is not None
    # The token fetch (500 ms) is before the request left: in neither figure.
    assert 10 <= ttft_ms <= interaction.elapsed_ms < 500
