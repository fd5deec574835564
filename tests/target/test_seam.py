"""The recording seam: every exchange becomes a redacted interaction."""

from __future__ import annotations

import json

import httpx
import pytest

from conformance.core.errors import RequestBudgetExceeded
from conformance.core.interactions import Interaction, tagged
from conformance.core.redaction import Redactor
from conformance.target.seam import FoundryClient, InteractionLog

from .streams import DELTA, STOP, SlowToken, streaming

CANARY_KEY = "canary-key-DO-NOT-LEAK-0123456789abcdef"
BASE = "https://example.services.ai.azure.com/anthropic/"


def _echo_handler(request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        401,
        headers={"apim-request-id": "11111111-2222-4333-8444-555555555555", "x-echo": CANARY_KEY},
        json={"error": {"code": "401", "message": f"bad key {CANARY_KEY}"}},
    )


def _client(handler, max_requests=None) -> FoundryClient:  # type: ignore[no-untyped-def]
    log = InteractionLog(Redactor([CANARY_KEY]), max_requests=max_requests)
    return FoundryClient(
        BASE, log, transport=httpx.MockTransport(handler), anthropic_version="2023-06-01"
    )


def test_interaction_is_recorded_redacted_with_correlation_ids_and_tag() -> None:
    client = _client(_echo_handler)
    request = client.build(
        "POST", "v1/messages", json={"model": "m"}, headers={"x-api-key": CANARY_KEY}
    )
    with tagged(check_id="AUTH-X-API-KEY", auth="x-api-key"):
        response = client.send(request)
    assert response.status_code == 401
    assert CANARY_KEY in response.text  # the caller still sees the real answer
    [ix] = client.log.snapshot()
    assert ix.check_id == "AUTH-X-API-KEY"
    assert ix.auth == "x-api-key"
    assert ix.status == 401
    assert ix.path == "/anthropic/v1/messages"
    assert ix.apim_request_id == "11111111-2222-4333-8444-555555555555"
    assert ix.request_id is None
    assert ix.elapsed_ms is not None and ix.ttfb_ms is not None
    assert ix.request_headers["anthropic-version"] == "2023-06-01"
    assert CANARY_KEY not in json.dumps(ix.to_dict())


def test_transport_failure_is_recorded_with_its_class() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    client = _client(refuse)
    with pytest.raises(httpx.ConnectError):
        client.send(client.build("POST", "v1/messages", json={}))
    [ix] = client.log.snapshot()
    assert ix.status is None
    assert ix.error_class == "ConnectError"
    assert "refused" in (ix.error_message or "")


def test_request_budget_stops_before_sending() -> None:
    sent: list[httpx.Request] = []

    def ok(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={})

    client = _client(ok, max_requests=2)
    client.send(client.build("GET", "v1/models"))
    client.send(client.build("GET", "v1/models"))
    with pytest.raises(RequestBudgetExceeded, match="budget of 2 requests"):
        client.send(client.build("GET", "v1/models"))
    assert len(sent) == 2


def test_streamed_body_is_passed_through_and_kept_as_excerpt() -> None:
    sse = b'event: message_stop\ndata: {"type":"message_stop"}\n\n'

    def stream(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=sse)

    client = _client(stream)
    response = client.send(client.build("POST", "v1/messages", json={}), stream=True)
    try:
        assert b"".join(response.iter_bytes()) == sse
    finally:
        response.close()
    [ix] = client.log.snapshot()
    assert ix.streamed and ix.complete
    assert "message_stop" in ix.response_body


def test_listeners_see_completed_interactions() -> None:
    client = _client(lambda request: httpx.Response(200, json={}))
    seen: list[int] = []
    client.log.subscribe(lambda ix: seen.append(ix.seq))
    client.send(client.build("GET", "v1/models"))
    assert seen == [1]


# -- time to first token: measured on the clock of the request's total ------------------------


def _streaming(chunks: list[tuple[float, bytes]]) -> FoundryClient:
    log = InteractionLog(Redactor([CANARY_KEY]))
    return FoundryClient(BASE, log, transport=streaming(chunks), anthropic_version="2023-06-01")


def _read_stream(client: FoundryClient, auth: httpx.Auth | None = None) -> Interaction:
    request = client.build("POST", "v1/messages", json={"stream": True})
    response = client.send(request, auth=auth, stream=True)
    try:
        b"".join(response.iter_bytes())
    finally:
        response.close()
    interaction = client.log.of(request)
    assert interaction is not None
    return interaction


def test_time_to_first_token_is_the_first_content_delta_and_never_above_the_total() -> None:
    start = b"event: message_start\ndata: {}\n\n"
    ix = _read_stream(_streaming([(0.0, start), (0.03, DELTA), (0.03, STOP)]))
    assert ix.ttft_ms is not None and ix.elapsed_ms is not None and ix.ttfb_ms is not None
    assert ix.ttfb_ms <= ix.ttft_ms <= ix.elapsed_ms
    assert ix.ttft_ms >= 30  # the delta came after the first pause
    assert ix.elapsed_ms - ix.ttft_ms >= 25  # ...and the stream went on after it


def test_a_content_delta_split_across_two_chunks_is_still_timed() -> None:
    ix = _read_stream(_streaming([(0.0, DELTA[:20]), (0.02, DELTA[20:]), (0.0, STOP)]))
    assert ix.ttft_ms is not None and ix.elapsed_ms is not None
    assert 20 <= ix.ttft_ms <= ix.elapsed_ms


def test_a_stream_without_content_has_no_time_to_first_token() -> None:
    ix = _read_stream(_streaming([(0.0, STOP)]))
    assert ix.ttft_ms is None and ix.elapsed_ms is not None


def test_time_spent_before_the_request_leaves_counts_in_neither_figure() -> None:
    # A caller's stopwatch started before send() counted the token fetch (and, under --jobs, the
    # wait for a slot) in its time to first token but the seam not in the total: TTFT > total.
    ix = _read_stream(_streaming([(0.0, DELTA), (0.0, STOP)]), auth=SlowToken(0.5))
    assert ix.ttft_ms is not None and ix.elapsed_ms is not None
    assert ix.ttft_ms <= ix.elapsed_ms < 500


def test_the_log_finds_the_interaction_of_a_request_by_its_client_request_id() -> None:
    client = _client(lambda request: httpx.Response(200, json={}))
    first = client.build("GET", "v1/models")
    second = client.build("GET", "v1/models")
    client.send(first)
    assert client.log.of(second) is None  # not sent yet
    client.send(second)
    found = client.log.of(second)
    assert found is not None and found.seq == 2
