"""The one seam every request of a run goes through.

``RecordingTransport`` wraps the real httpx transport (or, in record and replay runs, the
cassettes) and turns each exchange into a redacted ``Interaction`` in the run's
``InteractionLog``: timings (total, time to first byte and, for a stream, to its first content
delta, all on one clock), correlation IDs, a body excerpt, or the transport failure that
replaced the answer; it tags each with the request's ``RequestTag`` (``core.interactions``). It
is the one place that sees the raw answer, so it notes there where the answer spelled a
credential of the run (``Interaction.echoed``: a ``credential-echoed`` finding), before it
redacts it. ``FoundryClient`` is the small API the checks call. The official SDK is routed
through the same seam by ``target.sdk``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import httpx

from .. import __version__
from ..core.echo import ECHO_EXTENSION, TRANSPORT_ERROR, recorded_places, where_echoed
from ..core.errors import CassetteMiss
from ..core.interactions import (
    CLIENT_REQUEST_ID_HEADER,
    Interaction,
    current_tag,
    excerpt,
)
from ..judge.usage import extract_cache_usage, extract_usage
from .bounds import BodyBounds
from .limits import InFlight
from .log import InteractionLog
from .pacing import Pacer
from .wire import Window, guarded_transport, opened, over_limit, within_header_bounds

USER_AGENT = f"foundry-conformance/{__version__}"
# The first content of a stream: time to first token is the time to the chunk that holds it.
CONTENT_DELTA = b"content_block_delta"
# ``anthropic_version`` of a request that sends the platform's documented version.
DOCUMENTED = "documented"


def _no_slot() -> None:
    return None


class _RecordingStream(httpx.SyncByteStream):
    """Passes the body through untouched while keeping a redacted excerpt and the timings; reads
    it inside the request's window (its deadline holds for every read) and within its bounds."""

    def __init__(
        self,
        inner: httpx.SyncByteStream | httpx.AsyncByteStream,
        interaction: Interaction,
        log: InteractionLog,
        window: Window,
        bounds: BodyBounds,
        *,
        on_finish: Callable[[], None] = _no_slot,
    ) -> None:
        self._window = window
        self._bounds = bounds
        self._on_finish = on_finish
        self._inner = inner
        self._ix = interaction
        self._log = log
        self._buffer = bytearray()
        self._tail = b""  # the last bytes seen, so a marker split across two chunks is found
        self._finished = False

    def __iter__(self) -> Iterator[bytes]:
        if not isinstance(self._inner, httpx.SyncByteStream):
            raise TypeError("the recording seam serves synchronous clients only")
        chunks = iter(self._inner)
        try:
            while True:
                with opened(self._window):  # not across the yield: the caller's reads are its own
                    chunk = next(chunks, None)
                if chunk is None:
                    break
                self._bounds.feed(chunk)
                if len(self._buffer) < 4 * 65536:
                    self._buffer.extend(chunk)
                self._see(chunk)
                yield chunk
                # A transport that hands over chunks without reading (a cassette's) is held to
                # the deadline between them.
                if time.perf_counter() > self._window.deadline:
                    raise httpx.ReadTimeout(self._window.expired())
        except httpx.HTTPError as exc:
            limit = over_limit(exc)
            self._finish(error=limit or exc)
            if limit is None:
                raise
            raise limit from exc
        self._ix.complete = True
        self._finish()

    def close(self) -> None:
        try:
            if isinstance(self._inner, httpx.SyncByteStream):
                self._inner.close()
        finally:
            self._finish()

    def finish_with(self, body: bytes) -> None:
        """Record an already-read body as the complete answer."""
        self._buffer.extend(body)
        self._see(body)
        self._ix.complete = True
        self._finish()

    def _see(self, chunk: bytes) -> None:
        """Time the first content delta: measured here, on the clock of ``elapsed_ms`` (which
        is read later, when the stream ends), so that it can never exceed the total."""
        if self._ix.ttft_ms is not None:
            return
        window = self._tail + chunk
        if CONTENT_DELTA in window:
            self._ix.ttft_ms = round((time.perf_counter() - self._window.started) * 1000, 2)
        self._tail = window[-(len(CONTENT_DELTA) - 1) :]

    def _finish(self, error: BaseException | None = None) -> None:
        if self._finished:
            return
        self._finished = True
        redact = self._log.redactor
        self._ix.elapsed_ms = round((time.perf_counter() - self._window.started) * 1000, 2)
        if self._ix.status is not None and 200 <= self._ix.status < 300:
            content_type = self._ix.response_headers.get("content-type", "")
            self._ix.input_tokens, self._ix.output_tokens = extract_usage(
                content_type, bytes(self._buffer)
            )
            self._ix.cache_write_tokens, self._ix.cache_read_tokens = extract_cache_usage(
                content_type, bytes(self._buffer)
            )
        # The body scrubbed whole (a secret may straddle two chunks) and with its SSE deltas
        # reassembled (or two ``text_delta`` events), before the excerpt cuts it.
        text = self._buffer.decode("utf-8", errors="replace")
        places = where_echoed(redact, body=text, stream=self._ix.streamed)
        self._ix.response_body = excerpt(redact.stream(text))
        if error is not None:
            self._ix.error_class = type(error).__name__
            self._ix.error_message = redact.text(str(error))
            if redact.contains_secret(str(error)):
                places = (*places, TRANSPORT_ERROR)
        self._ix.echoed = list(dict.fromkeys([*self._ix.echoed, *places]))
        try:
            self._log.closed(self._ix)  # its tokens count before the next request may start
        finally:
            self._on_finish()


def _reason(response: httpx.Response) -> str:
    """The status line's reason phrase as it came (every byte of it)."""
    raw = response.extensions.get("reason_phrase", b"")
    return raw.decode("latin-1") if isinstance(raw, bytes) else str(raw)


class RecordingTransport(httpx.BaseTransport):
    """An httpx transport that records every exchange through ``inner`` into ``log``."""

    def __init__(
        self,
        log: InteractionLog,
        inner: httpx.BaseTransport | None = None,
        *,
        deadline_s: float | None = None,
    ) -> None:
        self._log = log
        # httpx's timeouts are per read: the guarded wire holds the deadline of the whole request.
        self._inner = inner if inner is not None else guarded_transport()
        self._deadline_s = deadline_s
        # While checks run concurrently (``--jobs``): the gate every request passes.
        self._gate: InFlight | None = None
        # Quota-aware pacing (--max-rpm…): each request waits for its pool before it is sent.
        self._pacer: Pacer | None = None

    def admit_through(self, gate: InFlight | None) -> None:
        """Let requests through ``gate`` from now on (None: as they come)."""
        self._gate = gate

    def pace_with(self, pacer: Pacer | None) -> None:
        """Let every request wait for its quota pool under ``pacer`` (None: unpaced)."""
        self._pacer = pacer

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``; record its answer, or the transport error that replaced it."""
        gate, pacer = self._gate, self._pacer
        # Its quota pool first (--max-rpm…), holding no slot of the gate while it waits.
        granted = None
        if pacer is not None:
            granted = pacer.enter(request, current_tag(), lambda: gate is not None and gate.closed)
        try:
            leave = gate.enter() if gate is not None else _no_slot
            try:
                interaction = self._log.open(request, current_tag())
            except BaseException:
                leave()
                raise
        except BaseException:
            if pacer is not None:
                pacer.refund(granted)  # never sent
            raise
        if pacer is not None:
            leave = pacer.settling(leave, granted, interaction)
        window = Window(self._deadline_s)
        try:
            response = self._answer(request, window)
        except (httpx.HTTPError, CassetteMiss) as exc:
            leave()
            redact = self._log.redactor
            interaction.elapsed_ms = round((time.perf_counter() - window.started) * 1000, 2)
            interaction.error_class = type(exc).__name__
            interaction.error_message = redact.text(str(exc) or type(exc).__name__)
            if redact.contains_secret(str(exc)):
                interaction.echoed.append(TRANSPORT_ERROR)
            if isinstance(exc, CassetteMiss):
                interaction.unrecorded = redact.text(exc.why)
            self._log.closed(interaction)
            raise
        except BaseException:
            leave()
            raise
        interaction.ttfb_ms = round((time.perf_counter() - window.started) * 1000, 2)
        interaction.status = response.status_code
        if gate is not None:
            gate.answered(response.status_code)
        redactor = self._log.redactor
        raw_headers = response.headers.multi_items()
        # Before anything is redacted: a credential sent back is a finding about the endpoint.
        interaction.echoed = list(
            dict.fromkeys(
                [
                    *where_echoed(redactor, reason=_reason(response), headers=raw_headers),
                    *recorded_places(response.extensions.get(ECHO_EXTENSION)),
                ]
            )
        )
        interaction.response_headers = redactor.headers(raw_headers)
        interaction.streamed = "text/event-stream" in response.headers.get("content-type", "")
        bounds = BodyBounds(
            response.headers.get_list("content-encoding", split_commas=True),
            event_stream=interaction.streamed,
        )
        recorder = _RecordingStream(
            response.stream, interaction, self._log, window, bounds, on_finish=leave
        )
        if response.is_closed:
            # Mock and replay transports hand back a response already read: record it as it is.
            recorder.finish_with(response.content)
        else:
            response.stream = recorder
        return response

    def _answer(self, request: httpx.Request, window: Window) -> httpx.Response:
        """The answer's status and headers, inside ``window``, within the bounds of ``wire``."""
        try:
            with opened(window):
                response = self._inner.handle_request(request)
        except httpx.HTTPError as exc:
            limit = over_limit(exc)
            if limit is None:
                raise
            raise limit from exc
        window.headers_done = True
        return within_header_bounds(response)

    def close(self) -> None:
        self._inner.close()


class FoundryClient:
    """What checks use to talk to the endpoint: Anthropic's headers set, every request recorded."""

    def __init__(
        self,
        base_url: str,
        log: InteractionLog,
        *,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        anthropic_version: str,
    ) -> None:
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        # The version a request sends unless it says otherwise (the platform's documented one).
        self.anthropic_version = anthropic_version
        self.log = log
        self.transport = RecordingTransport(log, transport, deadline_s=timeout)
        self.http = httpx.Client(
            transport=self.transport,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={"user-agent": USER_AGENT},
            follow_redirects=False,
        )

    def url(self, path: str) -> str:
        """``path`` (like ``v1/messages``) joined to the base URL."""
        return self.base_url + path.lstrip("/")

    def build(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        anthropic_version: str | None = DOCUMENTED,
    ) -> httpx.Request:
        """A request with the headers every Foundry call carries: ``anthropic-version`` is the
        documented one unless given (None: none at all)."""
        merged: dict[str, str] = {CLIENT_REQUEST_ID_HEADER: str(uuid.uuid4())}
        version = self.anthropic_version if anthropic_version == DOCUMENTED else anthropic_version
        if version is not None:
            merged["anthropic-version"] = version
        merged.update(headers or {})
        return self.http.build_request(method, self.url(path), json=json, headers=merged)

    def send(
        self,
        request: httpx.Request,
        *,
        auth: httpx.Auth | None = None,
        stream: bool = False,
    ) -> httpx.Response:
        """Send ``request``; the body is read unless ``stream`` (then the caller closes it)."""
        return self.http.send(request, auth=auth, stream=stream)

    def close(self) -> None:
        """Release connections."""
        self.http.close()

    def __enter__(self) -> FoundryClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
