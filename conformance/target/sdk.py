"""The official ``anthropic`` SDK, routed through the harness's recording seam.

Recent ``anthropic`` releases speak ``httpx2`` (a fork of httpx). ``Httpx2Bridge`` is an httpx2
transport that hands each request to the harness's httpx ``FoundryClient``, so that SDK requests are
recorded, redacted, budgeted and (in replay) answered from cassettes exactly like the harness's own.
Retries are off: a conformance check must see the first failure, not hide it behind a retry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import httpx2
from anthropic import AnthropicFoundry

from .seam import FoundryClient


class _BridgedStream(httpx2.SyncByteStream):
    """The httpx response's raw bytes, as an httpx2 stream (decoding is left to httpx2)."""

    def __init__(self, response: httpx.Response, request: httpx2.Request) -> None:
        self._response = response
        self._request = request

    def __iter__(self) -> Iterator[bytes]:
        if self._response.is_stream_consumed:
            # Already read by a replay or mock transport: hand over the decoded body.
            yield self._response.content
            return
        try:
            yield from self._response.iter_raw()
        except httpx.HTTPError as exc:
            raise _to_httpx2_error(exc, self._request) from exc

    def close(self) -> None:
        self._response.close()


def _to_httpx2_error(exc: httpx.HTTPError, request: httpx2.Request) -> Exception:
    """The httpx2 exception of the same name (or of its nearest base class: the harness's own
    ``ResponseOverLimit`` is a ``RemoteProtocolError``), so the SDK classifies it as it would
    its own."""
    for klass in type(exc).__mro__:
        cls = getattr(httpx2, klass.__name__, None)
        if isinstance(cls, type) and issubclass(cls, httpx2.TransportError):
            return cls(str(exc), request=request)
    return httpx2.TransportError(str(exc), request=request)


class Httpx2Bridge(httpx2.BaseTransport):
    """An httpx2 transport that sends through a harness ``FoundryClient``."""

    def __init__(self, client: FoundryClient) -> None:
        self._client = client

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        """Translate, send through the recording seam, translate back."""
        outgoing = httpx.Request(
            request.method,
            str(request.url),
            headers=request.headers.multi_items(),
            content=request.read(),
            extensions={"timeout": request.extensions.get("timeout", {})},
        )
        try:
            response = self._client.send(outgoing, stream=True)
        except httpx.HTTPError as exc:
            raise _to_httpx2_error(exc, request) from exc
        headers = response.headers.multi_items()
        if response.is_stream_consumed:
            headers = [(k, v) for k, v in headers if k.lower() != "content-encoding"]
        return httpx2.Response(
            response.status_code,
            headers=headers,
            stream=_BridgedStream(response, request),
            request=request,
        )


def foundry_sdk_client(
    client: FoundryClient,
    *,
    api_key: str | None = None,
    token_provider: Callable[[], str] | None = None,
    timeout: float = 30.0,
) -> AnthropicFoundry:
    """``AnthropicFoundry`` on the harness's base URL and seam, with retries off."""
    return AnthropicFoundry(
        base_url=client.base_url,
        api_key=api_key,
        azure_ad_token_provider=token_provider,
        max_retries=0,
        timeout=timeout,
        http_client=httpx2.Client(transport=Httpx2Bridge(client), timeout=timeout),
    )
