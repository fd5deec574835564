"""How much of an answer's body the harness reads: what it decodes to, and its longest stream event.

httpx (and the SDK's httpx2) decode a ``content-encoding`` as they read: a few MB of gzip from a
hostile server decode to gigabytes, and ``response.read()`` keeps them all. A stream event is
kept whole until its blank line, by the harness's SSE parser and by the SDK's. ``BodyBounds``
sits under both, in the seam's recording stream: it decodes each raw chunk once more, in pieces
of at most ``_PIECE`` bytes, only to count, before the chunk is handed on; a chunk that would
take the decoded body past ``MAX_DECODED_BODY`` or an event past ``MAX_STREAM_EVENT`` is never
handed on, and the answer ends with ``ResponseOverLimit``, naming the limit.

It decodes what httpx decodes without optional packages (``gzip``, ``deflate``, ``identity``);
``br`` and ``zstd`` are decoded by httpx only when ``brotli`` or ``zstandard`` are installed, which
the harness does not depend on, and are counted here as they arrive.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence

from .wire import ResponseOverLimit

MiB = 1024 * 1024
# The largest Messages answer (128k output tokens) is a few MB as JSON and some 20 MB as a stream
# of deltas; the untrusted-JSON parser refuses a body past 16 MiB. Past 32 MiB decoded, an answer
# is not one this harness judges, and holding it (the body, its copies) costs hundreds of MB.
MAX_DECODED_BODY = 32 * MiB
# Anthropic's events are a delta or a block each: some bytes, or the KBs of a tool's result. An
# event is held whole by two SSE parsers (the harness's and the SDK's), several times over.
MAX_STREAM_EVENT = 4 * MiB
_PIECE = 1 * MiB  # the most one decompression step yields: what counting holds at once
# An empty line ends an event; lines end in LF, CRLF or CR (a lax match only makes it laxer).
_EVENT_END = re.compile(rb"\n\r?\n|\r\r")


class _Decoder:
    """One ``content-encoding``, undone in steps of at most ``_PIECE`` bytes of output."""

    def __init__(self, encoding: str) -> None:
        gzip = encoding in ("gzip", "x-gzip")
        self._obj = zlib.decompressobj(zlib.MAX_WBITS | 16 if gzip else zlib.MAX_WBITS)
        # httpx reads ``deflate`` with zlib's framing and, if the first chunk has none, raw.
        self._may_be_raw = not gzip

    def step(self, data: bytes) -> tuple[bytes, bytes] | None:
        """One piece of what ``data`` decodes to, and what is left of ``data``; None if zlib
        refuses it (httpx will then raise its own ``DecodingError``)."""
        if self._obj.eof:
            return b"", b""  # httpx too ignores what follows the end of the compressed data
        try:
            piece = self._obj.decompress(data, _PIECE)
        except zlib.error:
            if not self._may_be_raw:
                return None
            self._may_be_raw, self._obj = False, zlib.decompressobj(-zlib.MAX_WBITS)
            return self.step(data)
        self._may_be_raw = False
        return piece, self._obj.unconsumed_tail


class BodyBounds:
    """Counts what one answer's body decodes to and the length of its current stream event."""

    def __init__(self, content_encodings: Sequence[str], *, event_stream: bool) -> None:
        codings = [c.strip().lower() for c in content_encodings if c.strip()]
        # Undone last to first, as httpx does; the codings it does not decode are skipped.
        self._decoders = [_Decoder(c) for c in reversed(codings) if c in _DECODED]
        self._event_stream = event_stream
        self.decoded = 0
        self._event = 0  # bytes of the current event so far
        self._tail = b""  # the end of the last piece, where an event's blank line may start

    def feed(self, raw: bytes) -> None:
        """Count ``raw`` (the next chunk off the wire); ``ResponseOverLimit`` if it breaks a
        bound, before anyone decodes it."""
        self._through(0, raw)

    def _through(self, level: int, data: bytes) -> None:
        if level == len(self._decoders):
            self._count(data)
            return
        while data:
            step = self._decoders[level].step(data)
            if step is None:  # not what it says it is: httpx refuses it, not the bounds
                del self._decoders[level:]
                self._count(data)
                return
            piece, data = step
            self._through(level + 1, piece)

    def _count(self, piece: bytes) -> None:
        self.decoded += len(piece)
        if self.decoded > MAX_DECODED_BODY:
            raise ResponseOverLimit(
                f"the answer's body decodes to more than {MAX_DECODED_BODY // MiB} MiB, more than "
                "the harness reads"
            )
        if self._event_stream:
            self._count_event(piece)

    def _count_event(self, piece: bytes) -> None:
        window = self._tail + piece
        last_end = -1
        for match in _EVENT_END.finditer(window):
            last_end = match.end()
        if last_end >= 0:
            self._event = len(window) - last_end
        else:
            self._event += len(piece)
        self._tail = window[-3:]
        if self._event > MAX_STREAM_EVENT:
            raise ResponseOverLimit(
                f"an event of the stream is larger than {MAX_STREAM_EVENT // MiB} MiB, more than "
                "the harness reads of one event"
            )


_DECODED = frozenset({"gzip", "x-gzip", "deflate"})
