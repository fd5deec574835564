"""The run's log of interactions, and the budget it holds every request to.

Every request the seam sends is opened here first: the log refuses it once the run's request or
token budget is spent (``BudgetExceeded``), and keeps each ``Interaction`` in order for the
judges, the summary and the cassettes. Thread-safe: under ``--jobs`` the checks share one log.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import httpx

from ..core.errors import (
    BudgetExceeded,
    RequestBudgetExceeded,
    TokenBudgetExceeded,
)
from ..core.interactions import CLIENT_REQUEST_ID_HEADER, Interaction, RequestTag, excerpt
from ..core.redaction import Redactor
from ..judge.usage import requested_model


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
