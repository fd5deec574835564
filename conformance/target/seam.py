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

import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import httpx

from .. import __version__
from ..core.echo import ECHO_EXTENSION, TRANSPORT_ERROR, recorded_places, where_echoed
from ..core.errors import (
    BudgetExceeded,
    CassetteMiss,
    RequestBudgetExceeded,
    TokenBudgetExceeded,
)
from ..core.interactions import (
    CLIENT_REQUEST_ID_HEADER,
    Interaction,
    RequestTag,
    current_tag,
    excerpt,
)
from ..core.redaction import Redactor
from ..judge.usage import extract_cache_usage, extract_usage, requested_model
from .limits import InFlight

USER_AGENT = f"foundry-conformance/{__version__}"
# The first content of a stream: time to first token is the time to the chunk that holds it.
CONTENT_DELTA = b"content_block_delta"
# ``anthropic_version`` of a request that sends the platform's documented version.
DOCUMENTED = "documented"


def _no_slot() -> None:
    return None


class InteractionLog:
    """The interactions of a run, in order; thread-safe; enforces the run's budget.

    Before a request is sent: at most ``max_requests`` requests, and none once the tokens the
    answers reported (``usage``: input, output and cache writes) reach ``max_tokens``.
    """

    def __init__(
        self,
        redactor: Redactor,
        max_requests: int | None = None,
        max_tokens: int | None = None,
    ) -> None:
        self.redactor = redactor
        self.max_requests = max_requests
        self.max_tokens = max_tokens
        self._lock = threading.Lock()
        self._items: list[Interaction] = []
        self._tokens = 0
        self._listeners: list[Callable[[Interaction], None]] = []

    def open(self, request: httpx.Request, tag: RequestTag) -> Interaction:
        """Reserve a sequence number for ``request`` (raising if over budget) and record it."""
        redact = self.redactor
        body = request.content.decode("utf-8", errors="replace") if _has_content(request) else ""
        with self._lock:
            self._check_tokens()
            if self.max_requests is not None and len(self._items) >= self.max_requests:
                raise RequestBudgetExceeded(self.max_requests)
            interaction = Interaction(
                seq=len(self._items) + 1,
                method=request.method,
                url=redact.url(str(request.url)),
                path=redact.text(request.url.path),
                request_headers=redact.headers(request.headers.multi_items()),
                request_body=excerpt(redact.text(body)),
                started_at=time.time(),
                auth=tag.auth,
                deployment=_redacted(redact, requested_model(request.content) if body else None),
                check_id=tag.check_id,
                case=tag.case,
                expects_error=tag.expects_error,
            )
            self._items.append(interaction)
        return interaction

    def tokens_used(self) -> int:
        """The tokens the run's answers have reported so far."""
        return self._tokens

    def spent(self) -> BudgetExceeded | None:
        """What stops the next request, if the budget is spent (nothing is reserved)."""
        try:
            with self._lock:
                self._check_tokens()
                requests = len(self._items)
        except BudgetExceeded as exc:
            return exc
        if self.max_requests is not None and requests >= self.max_requests:
            return RequestBudgetExceeded(self.max_requests)
        return None

    def _check_tokens(self) -> None:
        if self.max_tokens is None:
            return
        used = self.tokens_used()
        if used >= self.max_tokens:
            raise TokenBudgetExceeded(used, self.max_tokens)

    def closed(self, interaction: Interaction) -> None:
        """Count the tokens ``interaction`` used (a cache write is billed input); tell listeners
        that it is complete."""
        tokens = (interaction.input_tokens or 0) + (interaction.output_tokens or 0)
        tokens += interaction.cache_write_tokens or 0
        if tokens:
            with self._lock:
                self._tokens += tokens
        for listener in list(self._listeners):
            listener(interaction)

    def subscribe(self, listener: Callable[[Interaction], None]) -> None:
        """Call ``listener`` with every interaction once it is complete."""
        self._listeners.append(listener)

    def snapshot(self) -> list[Interaction]:
        """A copy of the interactions so far."""
        with self._lock:
            return list(self._items)

    def for_case(self, case: str) -> list[Interaction]:
        """The interactions one check case made."""
        return [ix for ix in self.snapshot() if ix.case == case]

    def of(self, request: httpx.Request) -> Interaction | None:
        """The interaction of ``request`` (by its ``x-ms-client-request-id``), once it was sent."""
        client_id = request.headers.get(CLIENT_REQUEST_ID_HEADER)
        if client_id is None:
            return None
        for ix in reversed(self.snapshot()):
            if ix.request_headers.get(CLIENT_REQUEST_ID_HEADER) == client_id:
                return ix
        return None

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


def _redacted(redactor: Redactor, value: str | None) -> str | None:
    """A value from the request as it may be kept (a deployment named like the key, say)."""
    return redactor.text(value) if value is not None else None


def _has_content(request: httpx.Request) -> bool:
    try:
        return bool(request.content)
    except httpx.RequestNotRead:
        return False


class _RecordingStream(httpx.SyncByteStream):
    """Passes the body through untouched while keeping a redacted excerpt and the timings."""

    def __init__(
        self,
        inner: httpx.SyncByteStream | httpx.AsyncByteStream,
        interaction: Interaction,
        log: InteractionLog,
        t0: float,
        *,
        deadline_s: float | None = None,
        on_finish: Callable[[], None] = _no_slot,
    ) -> None:
        self._deadline_s = deadline_s
        self._on_finish = on_finish
        self._inner = inner
        self._ix = interaction
        self._log = log
        self._t0 = t0
        self._buffer = bytearray()
        self._tail = b""  # the last bytes seen, so a marker split across two chunks is found
        self._finished = False

    def __iter__(self) -> Iterator[bytes]:
        if not isinstance(self._inner, httpx.SyncByteStream):
            raise TypeError("the recording seam serves synchronous clients only")
        try:
            for chunk in self._inner:
                if len(self._buffer) < 4 * 65536:
                    self._buffer.extend(chunk)
                self._see(chunk)
                yield chunk
                elapsed = time.perf_counter() - self._t0
                if self._deadline_s is not None and elapsed > self._deadline_s:
                    raise httpx.ReadTimeout(
                        f"the answer was still arriving after {elapsed:.1f} s, past the "
                        f"{self._deadline_s:g} s timeout for the whole request"
                    )
        except httpx.HTTPError as exc:
            self._finish(error=exc)
            raise
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
            self._ix.ttft_ms = round((time.perf_counter() - self._t0) * 1000, 2)
        self._tail = window[-(len(CONTENT_DELTA) - 1) :]

    def _finish(self, error: BaseException | None = None) -> None:
        if self._finished:
            return
        self._finished = True
        redact = self._log.redactor
        self._ix.elapsed_ms = round((time.perf_counter() - self._t0) * 1000, 2)
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
        self._inner = inner if inner is not None else httpx.HTTPTransport()
        # httpx's read timeout is per read: a body that trickles forever never trips it.
        self._deadline_s = deadline_s
        # While checks run concurrently (``--jobs``): the gate every request passes.
        self._gate: InFlight | None = None

    def admit_through(self, gate: InFlight | None) -> None:
        """Let requests through ``gate`` from now on (None: as they come)."""
        self._gate = gate

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``; record its answer, or the transport error that replaced it."""
        gate = self._gate
        leave = gate.enter() if gate is not None else _no_slot
        try:
            interaction = self._log.open(request, current_tag())
        except BaseException:
            leave()
            raise
        t0 = time.perf_counter()
        try:
            response = self._inner.handle_request(request)
        except (httpx.HTTPError, CassetteMiss) as exc:
            leave()
            redact = self._log.redactor
            interaction.elapsed_ms = round((time.perf_counter() - t0) * 1000, 2)
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
        interaction.ttfb_ms = round((time.perf_counter() - t0) * 1000, 2)
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
        recorder = _RecordingStream(
            response.stream,
            interaction,
            self._log,
            t0,
            deadline_s=self._deadline_s,
            on_finish=leave,
        )
        if response.is_closed:
            # Mock and replay transports hand back a response already read: record it as it is.
            recorder.finish_with(response.content)
        else:
            response.stream = recorder
        return response

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
