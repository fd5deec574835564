"""Endpoint: the network path reaches Foundry, and the base URL reaches the Anthropic routes."""

from __future__ import annotations

import httpx
import pytest

from ..core.errors import CheckFailure
from ..diagnosis import classify_error_body, classify_transport_error
from ..target.run import FoundryRun
from .helpers import describe, send, send_primary

check = pytest.mark.foundry_check


@check("EP-REACH")
def test_endpoint_is_reachable(foundry_run: FoundryRun) -> None:
    """DNS, TLS and TCP reach the endpoint: any HTTP answer will do (nothing is billed)."""
    try:  # any HTTP answer, whatever its status, is a reached endpoint
        send(
            foundry_run,
            "POST",
            "v1/messages",
            auth=None,
            label="none",
            body={},
            expects_error=True,
        )
    except httpx.HTTPError as exc:
        code = classify_transport_error(type(exc).__name__, str(exc))
        message = foundry_run.redactor.text(str(exc)) or type(exc).__name__
        raise CheckFailure(
            f"no HTTP answer from {foundry_run.settings.base_url}: {code} "
            f"({type(exc).__name__}: {message})",
            (code,),
        ) from None


@check("EP-BASE-PATH")
def test_base_url_reaches_the_anthropic_route(
    foundry_run: FoundryRun, primary_deployment: str
) -> None:
    """The base URL reaches `.../anthropic/v1/*`, not Azure's generic "Resource not found" 404."""
    body = {"model": primary_deployment, "messages": [{"role": "user", "content": "ok"}]}
    response = send_primary(foundry_run, "POST", "v1/messages/count_tokens", body)
    if response.status_code != 404:
        return
    signature = classify_error_body(404, dict(response.headers), response.text)
    if signature.code == "404":
        base = foundry_run.settings.base_url or ""
        raise CheckFailure(
            f"{base}v1/messages/count_tokens answered Azure's generic 404, so the base URL does "
            f"not lead to the Anthropic routes: {describe(foundry_run, response)}",
            ("wrong-base-path",),
        )
