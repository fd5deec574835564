"""Loopback-free stand-ins for timing tests: an SSE body that trickles, an auth flow that waits."""

from __future__ import annotations

import time
from collections.abc import Generator, Iterator, Sequence

import httpx

DELTA = b'event: content_block_delta\ndata: {"type":"content_block_delta"}\n\n'
STOP = b'event: message_stop\ndata: {"type":"message_stop"}\n\n'


class Trickle(httpx.SyncByteStream):
    """An SSE body in chunks, each after its pause (seconds)."""

    def __init__(self, chunks: Sequence[tuple[float, bytes]]) -> None:
        self.chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        for pause, chunk in self.chunks:
            time.sleep(pause)
            yield chunk


def streaming(chunks: Sequence[tuple[float, bytes]]) -> httpx.MockTransport:
    """A transport that answers every request with ``chunks`` as an event stream."""
    return httpx.MockTransport(
        lambda request: httpx.Response(
            200, headers={"content-type": "text/event-stream"}, stream=Trickle(chunks)
        )
    )


class SlowToken(httpx.Auth):
    """An auth flow that takes ``seconds`` before the request leaves (a token being fetched)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        time.sleep(self.seconds)
        request.headers["authorization"] = "Bearer x"
        yield request
