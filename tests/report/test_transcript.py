"""Per-case transcripts and request-ID lines, as pytest-html and JUnit carry them."""

from __future__ import annotations

from conformance.core.interactions import Interaction
from conformance.report.transcript import (
    TRANSCRIPT_BODY_LIMIT,
    case_label,
    exchange,
    request_id_line,
    request_ids,
    transcript,
)

from .factory import STARTED


def interaction(seq: int = 5, status: int | None = 401, **changes: object) -> Interaction:
    ix = Interaction(
        seq=seq,
        method="POST",
        url="https://contoso-ai.services.ai.azure.com/anthropic/v1/messages",
        path="/anthropic/v1/messages",
        request_headers={
            "api-key": "[REDACTED]",
            "anthropic-version": "2023-06-01",
            "x-ms-client-request-id": "11111111-0000-4000-8000-000000000005",
        },
        request_body='{"model":"claude-sonnet-4-5","max_tokens":1}',
        started_at=STARTED.timestamp(),
        status=status,
        response_headers={"apim-request-id": "00000000-0000-4000-8000-000000000005"},
        response_body='{"error":{"code":"401"}}',
        elapsed_ms=12.0,
        ttfb_ms=9.5,
        auth="api-key",
        deployment="claude-sonnet-4-5",
    )
    for name, value in changes.items():
        setattr(ix, name, value)
    return ix


def test_case_label() -> None:
    assert case_label("AUTH-BAD-KEY", "api-key") == "AUTH-BAD-KEY[api-key]"
    assert case_label("MSG-BASIC") == "MSG-BASIC"


def test_an_exchange_reads_like_curl_verbose() -> None:
    text = exchange(interaction())
    assert text.splitlines()[0] == (
        "#5 POST https://contoso-ai.services.ai.azure.com/anthropic/v1/messages"
        "   (auth: api-key, deployment: claude-sonnet-4-5)"
    )
    assert "> api-key: [REDACTED]" in text
    assert '> {"model":"claude-sonnet-4-5","max_tokens":1}' in text
    assert "< HTTP 401   (first byte 9.5 ms, total 12.0 ms)" in text
    assert "< apim-request-id: 00000000-0000-4000-8000-000000000005" in text
    assert "  sent 2026-06-01 12:00:00.000 UTC" in text


def test_a_transport_failure_says_what_replaced_the_answer() -> None:
    text = exchange(interaction(status=None, error_class="ConnectError", error_message="refused"))
    assert "< no answer: ConnectError: refused" in text


def test_long_bodies_are_cut() -> None:
    text = exchange(interaction(response_body="x" * (TRANSCRIPT_BODY_LIMIT + 10)))
    assert "< … [10 more characters]" in text


def test_a_transcript_separates_exchanges() -> None:
    text = transcript([interaction(1), interaction(2)])
    assert text.count("─" * 72) == 1


def test_request_id_lines_name_every_correlation_id() -> None:
    line = request_id_line(interaction())
    assert line.startswith("#5 POST /anthropic/v1/messages → 401  request-id: —  ")
    assert "apim-request-id: 00000000-0000-4000-8000-000000000005" in line
    assert "x-ms-client-request-id: 11111111-0000-4000-8000-000000000005" in line
    assert request_ids([interaction()]).startswith("requests of this case (1):\n#5 ")
    assert request_ids([interaction()], judged=True).startswith(
        "requests of other checks that this check judged (1):"
    )
    assert request_ids([]) == ""


def test_a_stream_s_first_token_is_timed_between_its_first_byte_and_its_total() -> None:
    text = exchange(interaction(status=200, streamed=True, ttft_ms=10.25))
    assert "< HTTP 200   (first byte 9.5 ms, first token 10.2 ms, total 12.0 ms, streamed)" in text
