"""The wire under the seam: deadlines that hold for the whole request, and bounds on what comes
before an answer's body.

httpx's timeouts are per operation: each read may take up to ``--timeout``, so an answer whose
headers arrive one byte at a time, or an endless stream of interim (``1xx``) responses, which
httpcore reads and drops one after the other, never trips them. ``GuardedBackend`` is an httpcore
network backend whose every connect, write and read is capped by the time left before the
deadline of the request being served: the recording seam opens a ``Window`` for each request (a
context variable, so that each thread's request has its own) and keeps it open while the answer's
body is read. While an answer's headers have not come, the window also counts the interim
responses (``InterimCounter``); past ``MAX_INTERIM_RESPONSES`` the request fails with ``OverLimit``.
The size of a header block is bounded by h11 (``MAX_HEADER_BYTES``, as httpcore sets it), the
number of header fields by the seam (``MAX_HEADER_FIELDS``).

A connection opened outside a window (none is, through the seam) behaves as httpcore's own.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import ssl
import time
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import Any

import httpcore
import httpx

# An answer has a 100 Continue at most (or a 103 Early Hints or two): 16 is far past any server's
# and far short of a flood.
MAX_INTERIM_RESPONSES = 16
# The most bytes of one header block h11 buffers before it refuses it ("Receive buffer too
# long"): the value httpcore sets. Foundry's answers carry ~3 KB of headers.
MAX_HEADER_BYTES = 100 * 1024
# Foundry's answers carry ~30 header fields (APIM's, Anthropic's, the rate limits'); 256 leaves
# room for any gateway in between, and keeps what the seam redacts and records small.
MAX_HEADER_FIELDS = 256
_STATUS_LINE = re.compile(rb"HTTP/\d\.\d (\d{3})")
_MAX_STATUS_LINE = 8 * 1024


class OverLimit(httpcore.RemoteProtocolError):
    """An answer that breaks one of the bounds of this module (httpx re-raises it as a
    ``RemoteProtocolError`` caused by it; the seam names it ``ResponseOverLimit``)."""


class ResponseOverLimit(httpx.RemoteProtocolError):
    """An answer the harness stops reading: too many interim responses, too large or too many
    headers, a body or a stream event too large (``target.bounds``). Its class name is what the
    diagnosis reads (``malformed-response``)."""


class Window:
    """The time one request may take, from when it is sent to the end of its answer's body."""

    def __init__(self, timeout_s: float | None, *, started: float | None = None) -> None:
        self.timeout_s = timeout_s  # None: no deadline (the interim responses are still counted)
        self.started = time.perf_counter() if started is None else started
        self.deadline = self.started + (timeout_s if timeout_s is not None else float("inf"))
        self.interim = InterimCounter()
        self.headers_done = False  # set by the seam once the answer's headers are in

    def cap(
        self, timeout: float | None, exc: type[httpcore.TimeoutException]
    ) -> tuple[float, bool]:
        """``timeout`` (httpcore's, for one operation) shortened to the time left, and whether
        it was; ``exc`` with the window's own message if no time is left."""
        left = self.deadline - time.perf_counter()
        if left <= 0:
            raise exc(self.expired())
        if timeout is not None and timeout <= left:
            return timeout, False
        return left, True

    def expired(self) -> str:
        """Why the request ended: the phase it was in, and the deadline."""
        elapsed = time.perf_counter() - self.started
        phase = (
            "the answer was still arriving"
            if self.headers_done
            else "the answer's headers had not arrived"
        )
        return (
            f"{phase} after {elapsed:.1f} s, past the {self.timeout_s or 0:g} s timeout for the "
            "whole request"
        )


_WINDOW: ContextVar[Window | None] = ContextVar("foundry_request_window", default=None)


@contextlib.contextmanager
def opened(window: Window) -> Iterator[Window]:
    """Serve what this thread sends and reads inside the block under ``window``."""
    token = _WINDOW.set(window)
    try:
        yield window
    finally:
        _WINDOW.reset(token)


class InterimCounter:
    """Counts the interim (1xx, but 101) responses at the start of an answer, until its final
    status line; ``OverLimit`` past ``MAX_INTERIM_RESPONSES``. It reads only status lines and
    where header blocks end: h11 parses them, this only counts."""

    def __init__(self) -> None:
        self.count = 0
        self._line = bytearray()  # the status line so far
        self._in_block = False  # inside an interim response's header lines
        self._line_empty = True  # the header line so far holds nothing but a CR
        self._done = False

    def feed(self, data: bytes) -> None:
        """Take the next bytes of the connection."""
        at = 0
        while at < len(data) and not self._done:
            end = data.find(b"\n", at)
            piece = data[at:] if end < 0 else data[at:end]
            at = len(data) if end < 0 else end + 1
            if self._in_block:
                self._header_line(piece, complete=end >= 0)
            else:
                self._status_line(piece, complete=end >= 0)

    def _status_line(self, piece: bytes, *, complete: bool) -> None:
        self._line += piece
        if not complete:
            if len(self._line) > _MAX_STATUS_LINE:
                self._done = True  # no status line: h11 says what is wrong with it
            return
        match = _STATUS_LINE.match(bytes(self._line))
        self._line.clear()
        status = int(match.group(1)) if match else 0
        if not (100 <= status < 200) or status == 101:
            self._done = True  # the final answer (or an upgrade): h11 reads on alone
            return
        self.count += 1
        if self.count > MAX_INTERIM_RESPONSES:
            raise OverLimit(
                f"the server sent more than {MAX_INTERIM_RESPONSES} interim (1xx) responses "
                "before the answer's headers, more than the harness reads"
            )
        self._in_block, self._line_empty = True, True

    def _header_line(self, piece: bytes, *, complete: bool) -> None:
        if piece.strip(b"\r"):
            self._line_empty = False
        if complete:
            if self._line_empty:
                self._in_block = False  # the blank line: the next status line follows
            self._line_empty = True


class GuardedStream(httpcore.NetworkStream):
    """A connection whose operations end by the deadline of the request it serves."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        window = _WINDOW.get()
        if window is None:
            return self._inner.read(max_bytes, timeout)
        capped, by_deadline = window.cap(timeout, httpcore.ReadTimeout)
        try:
            data = self._inner.read(max_bytes, capped)
        except httpcore.ReadTimeout:
            if by_deadline:
                raise httpcore.ReadTimeout(window.expired()) from None
            raise
        if not window.headers_done:
            window.interim.feed(data)
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        window = _WINDOW.get()
        if window is None:
            self._inner.write(buffer, timeout)
            return
        capped, by_deadline = window.cap(timeout, httpcore.WriteTimeout)
        try:
            self._inner.write(buffer, capped)
        except httpcore.WriteTimeout:
            if by_deadline:
                raise httpcore.WriteTimeout(window.expired()) from None
            raise

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        window = _WINDOW.get()
        if window is not None:
            timeout, _ = window.cap(timeout, httpcore.ConnectTimeout)
        return GuardedStream(self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class GuardedBackend(httpcore.NetworkBackend):
    """httpcore's synchronous backend, its connections guarded (``GuardedStream``)."""

    def __init__(self, inner: httpcore.NetworkBackend | None = None) -> None:
        self._inner = inner if inner is not None else httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        window = _WINDOW.get()
        if window is not None:
            timeout, _ = window.cap(timeout, httpcore.ConnectTimeout)
        stream = self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        return GuardedStream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        window = _WINDOW.get()
        if window is not None:
            timeout, _ = window.cap(timeout, httpcore.ConnectTimeout)
        return GuardedStream(self._inner.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def tls_context() -> ssl.SSLContext:
    """httpx's default TLS context for the trust settings of the environment, built once per
    process and settings (loading a CA bundle costs ≈30 ms of CPU; a fleet's fork server builds
    it once for all its targets)."""
    return _tls_context(os.environ.get("SSL_CERT_FILE", ""), os.environ.get("SSL_CERT_DIR", ""))


@functools.lru_cache(maxsize=4)
def _tls_context(cert_file: str, cert_dir: str) -> ssl.SSLContext:
    # Keyed by what httpx reads from the environment to choose the CA bundle.
    return httpx.create_ssl_context()


def guarded_transport() -> httpx.HTTPTransport:
    """httpx's own transport, on a guarded backend.

    ``HTTPTransport`` takes no backend; it builds an ``httpcore.ConnectionPool``, whose backend
    this replaces before any connection is made (``tests/target/test_wire.py`` fails if an httpx
    release moves it).
    """
    transport = httpx.HTTPTransport(verify=tls_context())
    pool = transport._pool
    if not isinstance(pool, httpcore.ConnectionPool):  # pragma: no cover - a proxy from the env
        raise TypeError(f"httpx built a {type(pool).__name__}, not a ConnectionPool")
    pool._network_backend = GuardedBackend(pool._network_backend)
    return transport


def over_limit(exc: httpx.HTTPError) -> ResponseOverLimit | None:
    """``exc`` as the ``ResponseOverLimit`` it is, if it is one of the bounds of this module."""
    if isinstance(exc, ResponseOverLimit):
        return exc
    if isinstance(exc.__cause__, OverLimit):
        return ResponseOverLimit(str(exc))
    if isinstance(exc, httpx.RemoteProtocolError) and "Receive buffer too long" in str(exc):
        return ResponseOverLimit(
            f"the answer's header block is larger than {MAX_HEADER_BYTES // 1024} KiB, more than "
            "the harness reads"
        )
    return None


def within_header_bounds(response: httpx.Response) -> httpx.Response:
    """``response``, unless it has more header fields than the harness reads: then it is closed
    and the request ends (``ResponseOverLimit``)."""
    fields = len(response.headers.raw)
    if fields > MAX_HEADER_FIELDS:
        response.close()
        raise ResponseOverLimit(
            f"the answer has {fields} header fields, more than the {MAX_HEADER_FIELDS} the "
            "harness reads"
        )
    return response
