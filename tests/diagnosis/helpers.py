"""Build the inputs of the diagnosis engine tersely: interactions, token claims and a context."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from conformance.core.interactions import Interaction
from conformance.core.jwt_claims import TokenClaims, mint_test_token, read_claims
from conformance.diagnosis import DiagnosisContext
from tests.platform_facts import COGNITIVE_SERVICES_AUDIENCE, COGNITIVE_SERVICES_SCOPE

from .bodies import GATEWAY_HEADERS, REQUEST_ID

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
HOST = "https://example-resource.services.ai.azure.com"
BASE_URL = f"{HOST}/anthropic/"
MESSAGES = "/anthropic/v1/messages"
REQUEST_BODY = (
    '{"model":"claude-sonnet-4-5","max_tokens":16,"messages":[{"role":"user","content":"Hi"}]}'
)
# Which credential header each key label puts on the wire (values already redacted, as logged).
_AUTH_HEADERS = {
    "x-api-key": {"x-api-key": "[REDACTED]"},
    "api-key": {"api-key": "[REDACTED]"},
    "sdk-key": {"x-api-key": "[REDACTED]", "api-key": "[REDACTED]"},
    "key-as-bearer": {"authorization": "[REDACTED]"},
    "bad-key": {"x-api-key": "[REDACTED]"},
}


def ix(
    status: int | None = 200,
    body: str = "",
    *,
    seq: int = 1,
    method: str = "POST",
    path: str = MESSAGES,
    auth: str | None = "x-api-key",
    check_id: str | None = "MSG-BASIC",
    expects_error: bool = False,
    headers: dict[str, str] | None = None,
    request_headers: dict[str, str] | None = None,
    request_body: str = REQUEST_BODY,
    error_class: str | None = None,
    error_message: str | None = None,
    streamed: bool = False,
    complete: bool = True,
    echoed: list[str] | None = None,
) -> Interaction:
    """An interaction as the client seam logs it; correlation headers as Foundry would send them.

    Unless ``headers`` is given: every answer carries ``apim-request-id``, and those the Anthropic
    layer wrote (successes, Anthropic-shaped errors) also carry ``request-id``.
    """
    if headers is None and status is not None:
        headers = dict(GATEWAY_HEADERS)
        if 200 <= status < 300 or '"type":"error"' in body.replace(" ", ""):
            headers["request-id"] = REQUEST_ID
    if request_headers is None:
        request_headers = {"anthropic-version": "2023-06-01", **_AUTH_HEADERS.get(auth or "", {})}
    return Interaction(
        seq=seq,
        method=method,
        url=f"{HOST}{path}",
        path=path,
        request_headers=request_headers,
        request_body=request_body,
        started_at=1_780_000_000.0 + seq,
        status=status,
        response_headers=headers or {},
        response_body=body,
        error_class=error_class,
        error_message=error_message,
        auth=auth,
        check_id=check_id,
        streamed=streamed,
        complete=complete,
        expects_error=expects_error,
        echoed=list(echoed or []),
    )


def claims(
    *, audience: str = COGNITIVE_SERVICES_AUDIENCE, expires_in: timedelta = timedelta(hours=1)
) -> TokenClaims:
    """The claims of an unsigned test token, read back the way the harness reads real ones."""
    return read_claims(mint_test_token(audience=audience, expires_at=NOW + expires_in))


def context(**token_claims: Any) -> DiagnosisContext:
    """A context at ``NOW``, default scope; keywords are auth labels with ``_`` for ``-``."""
    return DiagnosisContext(
        entra_scope=COGNITIVE_SERVICES_SCOPE,
        token_claims={label.replace("_", "-"): value for label, value in token_claims.items()},
        now=NOW,
        base_url=BASE_URL,
    )
