"""The emulator's seam: the request it reads and the reply it plays, as plain data."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Reset = Literal["before-headers", "mid-body"]


@dataclass(frozen=True)
class EmulatorRequest:
    """One HTTP request as the emulator sees it; header names are lower-case."""

    method: str
    path: str
    query: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    # The body is larger than the platform accepts; the server did not read it (``body`` is empty).
    too_large: bool = False

    @classmethod
    def from_http(
        cls,
        method: str,
        target: str,
        headers: Iterable[tuple[str, str]],
        body: bytes = b"",
        *,
        too_large: bool = False,
    ) -> EmulatorRequest:
        """Build from a request line target (``/path?query``) and raw header pairs."""
        path, _, query = target.partition("?")
        lowered = {k.lower(): v for k, v in headers}
        return cls(method.upper(), path, query, lowered, body, too_large)


@dataclass(frozen=True)
class Chunk:
    """A piece of the body, sent after waiting ``delay_s`` seconds."""

    data: bytes
    delay_s: float = 0.0


@dataclass(frozen=True)
class Reply:
    """What to play onto the socket. ``status`` is 0 when the connection resets before headers."""

    status: int
    headers: list[tuple[str, str]]
    chunks: list[Chunk]
    delay_s: float = 0.0
    reset: Reset | None = None

    @property
    def body(self) -> bytes:
        """The whole body, delays ignored."""
        return b"".join(chunk.data for chunk in self.chunks)

    @property
    def streamed(self) -> bool:
        """Whether this is an SSE stream (sent chunked, flushed event by event)."""
        return (self.header("content-type") or "").startswith("text/event-stream")

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), or ``None``."""
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)
