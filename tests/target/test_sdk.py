"""The official SDK goes through the recording seam, retries off."""

from __future__ import annotations

import httpx
import pytest
from anthropic import APIConnectionError, AuthenticationError

from conformance.core.interactions import tagged
from conformance.core.redaction import Redactor
from conformance.target.log import InteractionLog
from conformance.target.sdk import foundry_sdk_client
from conformance.target.seam import FoundryClient

CANARY_KEY = "canary-key-DO-NOT-LEAK-0123456789abcdef"
MESSAGE = {
    "id": "msg_01",
    "type": "message",
    "role": "assistant",
    "content": [{"type": "text", "text": "hi"}],
    "model": "claude-sonnet-5-5",
    "stop_reason": "end_turn",
    "stop_sequence": None,
    "usage": {"input_tokens": 3, "output_tokens": 1},
}


def _seam(handler) -> FoundryClient:  # type: ignore[no-untyped-def]
    log = InteractionLog(Redactor([CANARY_KEY]))
    return FoundryClient(
        "https://r.services.ai.azure.com/anthropic/",
        log,
        transport=httpx.MockTransport(handler),
        anthropic_version="2023-06-01",
    )


def test_sdk_request_is_recorded_with_both_key_headers_redacted() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=MESSAGE, headers={"request-id": "req_011Cabc"})

    seam = _seam(handler)
    sdk = foundry_sdk_client(seam, api_key=CANARY_KEY)
    with tagged(check_id="SDK-FOUNDRY", auth="sdk-key"):
        message = sdk.messages.create(
            model="claude-sonnet-5-5", max_tokens=1, messages=[{"role": "user", "content": "hi"}]
        )
    assert message.usage.output_tokens == 1
    assert seen[0].headers["x-api-key"] == CANARY_KEY
    [ix] = seam.log.snapshot()
    assert ix.check_id == "SDK-FOUNDRY"
    assert ix.request_id == "req_011Cabc"
    assert ix.request_headers["x-api-key"] == "[REDACTED]"
    assert ix.path == "/anthropic/v1/messages"


def test_sdk_errors_are_not_retried() -> None:
    seam = _seam(
        lambda request: httpx.Response(401, json={"error": {"code": "401", "message": "no"}})
    )
    sdk = foundry_sdk_client(seam, api_key=CANARY_KEY)
    with pytest.raises(AuthenticationError):
        sdk.messages.create(model="m", max_tokens=1, messages=[{"role": "user", "content": "hi"}])
    assert len(seam.log) == 1


def test_sdk_sees_transport_errors_as_connection_errors() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    sdk = foundry_sdk_client(_seam(refuse), token_provider=lambda: "t" * 20)
    with pytest.raises(APIConnectionError):
        sdk.messages.create(model="m", max_tokens=1, messages=[{"role": "user", "content": "hi"}])
