"""The emulator's whole decision: one request in, one ``Reply`` out, no sockets.

Layers, in the order the platform applies them:

1. routing at the gateway: an unknown path is 404 ``Resource not found`` before any auth;
2. authentication at the gateway (``auth.authenticate``), then unsupported routes
   (404 ``api_not_supported``), unknown deployments and the request-rate limit;
3. the Anthropic layer: ``anthropic-version``, body validation, then the Messages answer.

Gateway answers carry ``apim-request-id`` only; Anthropic-layer answers add ``request-id``.
Faults (``profiles.Faults``) bend exactly one of those steps each. The server (``server.py``) only
plays a ``Reply`` onto a socket: status, headers, timed chunks, or a TCP reset.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from typing import Literal
from urllib.parse import parse_qs

from ..core.constants import RATE_LIMIT_HEADERS
from ..core.errors import InvalidRequest
from . import bodies, messages
from .auth import Identity, Refusal, auth_variant, authenticate, presented_credential
from .bodies import JsonObject
from .ids import IdSource, ids_for, request_key
from .profiles import EmulatorConfig
from .ratelimit import FixedWindowLimiter
from .streams import stream_chunks
from .validation import validate_request
from .wire import Chunk, EmulatorRequest, Reply, Reset

__all__ = ["Chunk", "Emulator", "EmulatorRequest", "Reply", "Route", "classify"]

Layer = Literal["gateway", "anthropic"]

SSE_CONTENT_TYPE = "text/event-stream; charset=utf-8"
HSTS = "max-age=31536000; includeSubDomains; preload"
ECHO_HEADER = "x-echoed-credential"
ECHO_FIELD = "presented_credential"
# Plausible values for the headers the `ratelimit-headers` fault leaks (the platform sends none).
RATE_LIMIT_HEADER_VALUES = {
    "limit": "400000",
    "remaining": "399000",
    "reset": "2026-01-01T00:01:00Z",
}


class Route(Enum):
    """What a method and path address on the resource."""

    MESSAGES = "messages"
    COUNT_TOKENS = "count_tokens"
    MODELS = "models"
    UNSUPPORTED = "unsupported"
    UNKNOWN = "unknown"


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


UNSUPPORTED_PREFIXES = (
    "/anthropic/v1/messages/batches",
    "/anthropic/v1/organizations",
    "/openai",
    "/models",
)


def classify(method: str, path: str) -> Route:
    """The route of a request; a wrong method on a known route is an unknown operation."""
    if path == "/anthropic/v1/messages":
        return Route.MESSAGES if method == "POST" else Route.UNKNOWN
    if path == "/anthropic/v1/messages/count_tokens":
        return Route.COUNT_TOKENS if method == "POST" else Route.UNKNOWN
    if _under(path, "/anthropic/v1/models"):
        return Route.MODELS
    if any(_under(path, prefix) for prefix in UNSUPPORTED_PREFIXES):
        return Route.UNSUPPORTED
    return Route.UNKNOWN


@dataclass
class _Draft:
    """A reply before the common headers and faults are applied."""

    status: int
    layer: Layer
    body: JsonObject | None = None
    chunks: list[Chunk] = field(default_factory=list)
    content_type: str = "application/json"
    headers: list[tuple[str, str]] = field(default_factory=list)
    reset: Reset | None = None


def _gateway(status: int, body: JsonObject) -> _Draft:
    return _Draft(status, "gateway", body)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Emulator:
    """The emulated Foundry resource; its only state: a rate limiter and an occurrence counter."""

    def __init__(
        self,
        config: EmulatorConfig | None = None,
        clock: Callable[[], float] = time.monotonic,
        *,
        wall_clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.config = config or EmulatorConfig()
        self._wall_clock = wall_clock  # for token expiry; `clock` only measures rate windows
        self._limiter = FixedWindowLimiter(*self.config.request_limit, clock)
        self._seen: Counter[bytes] = Counter()
        self._lock = threading.Lock()  # the server calls handle() from many threads

    def handle(self, request: EmulatorRequest) -> Reply:
        """The reply to ``request``."""
        target = f"{request.path}?{request.query}" if request.query else request.path
        key = request_key(request.method, target, request.body, auth_variant(request.headers))
        with self._lock:
            occurrence = self._seen[key]
            self._seen[key] += 1
            ids = ids_for(key, occurrence)
            draft = self._decide(request, ids)
        return self._finish(request, draft, ids)

    def _decide(self, request: EmulatorRequest, ids: IdSource) -> _Draft:
        faults = self.config.faults
        route = classify(request.method, request.path)
        if faults.garbage and _under(request.path, "/anthropic"):
            return _Draft(
                502, "gateway", chunks=[Chunk(bodies.bad_gateway_page())], content_type="text/html"
            )
        if route is Route.UNKNOWN:
            return _gateway(404, bodies.resource_not_found())
        if faults.connection_reset and route is Route.MESSAGES:
            return _Draft(0, "gateway", reset="before-headers")
        auth = authenticate(
            request.headers,
            self.config,
            method=request.method,
            path=request.path,
            now=self._wall_clock(),
        )
        if isinstance(auth, Refusal):
            return _gateway(auth.status, auth.body)
        if route is Route.MODELS and faults.models_served:
            return _Draft(200, "anthropic", messages.models_list(self.config.deployments))
        if route in {Route.MODELS, Route.UNSUPPORTED}:
            return _gateway(404, bodies.api_not_supported())
        return self._model_call(request, route, auth, ids)

    def _model_call(
        self, request: EmulatorRequest, route: Route, auth: Identity, ids: IdSource
    ) -> _Draft:
        faults = self.config.faults
        model = _peek_model(request.body)
        known = model is None or model in self.config.deployments
        if not known and not faults.anthropic_not_found:
            return _gateway(404, bodies.deployment_not_found())
        limit_key = (auth.principal, model or "")
        if faults.rate_limited:
            wait: int | None = self._limiter.wait_hint(limit_key)
        else:
            wait = self._limiter.acquire(limit_key)
        if wait is not None:
            limit, window_s = self.config.request_limit
            draft = _gateway(429, bodies.rate_limit_reached(limit, window_s, wait))
            if faults.retry_after:
                draft.headers.append(("retry-after", str(wait)))
            return draft

        request_id = ids.request_id()
        if "anthropic-version" not in request.headers:
            return _Draft(
                400, "anthropic", bodies.invalid_request(bodies.MISSING_VERSION, request_id)
            )
        if faults.server_error:
            return _Draft(500, "anthropic", bodies.api_error(request_id))
        if faults.overloaded and route is Route.MESSAGES:
            return _Draft(529, "anthropic", bodies.overloaded(request_id))
        count_tokens = route is Route.COUNT_TOKENS
        beta = "true" in parse_qs(request.query).get("beta", [])
        try:
            body = validate_request(request.body, count_tokens=count_tokens, beta=beta)
        except InvalidRequest as error:
            return _Draft(400, "anthropic", bodies.invalid_request(str(error), request_id))
        if body["model"] not in self.config.deployments:
            return _Draft(404, "anthropic", bodies.model_not_found(body["model"], request_id))
        if count_tokens:
            return _Draft(200, "anthropic", messages.count_tokens_body(body))
        message = messages.build_message(body, body["model"], ids)
        if body.get("stream"):
            chunks, reset = stream_chunks(message, faults)
            stream = _Draft(
                200, "anthropic", chunks=chunks, content_type=SSE_CONTENT_TYPE, reset=reset
            )
            stream.headers.append(("cache-control", "no-cache"))
            return stream
        if faults.wrong_shape:
            message = messages.wrong_shape(message)
        if faults.huge_body:
            message = messages.huge_message(message)
        return _Draft(200, "anthropic", message)

    def _finish(self, request: EmulatorRequest, draft: _Draft, ids: IdSource) -> Reply:
        faults = self.config.faults
        delay_s = faults.slow_s
        if draft.reset == "before-headers":
            return Reply(0, [], [], delay_s, "before-headers")
        credential = presented_credential(request.headers) if faults.echo_key else None
        chunks = draft.chunks
        if draft.body is not None:
            body = draft.body if credential is None else {**draft.body, ECHO_FIELD: credential}
            chunks = [Chunk(bodies.json_bytes(body))]
        headers: list[tuple[str, str]] = []
        if not faults.no_apim_request_id:
            headers.append(("apim-request-id", ids.apim_request_id()))
        if draft.layer == "anthropic" and not faults.no_request_id:
            headers.append(("request-id", ids.request_id()))
        headers += [
            ("content-type", draft.content_type),
            ("strict-transport-security", HSTS),
            ("x-content-type-options", "nosniff"),
            ("x-ms-client-request-id", request.headers.get("x-ms-client-request-id") or "Not-Set"),
            *draft.headers,
        ]
        if faults.ratelimit_headers:
            headers += [
                (name, RATE_LIMIT_HEADER_VALUES[name.rsplit("-", 1)[1]])
                for name in RATE_LIMIT_HEADERS
            ]
        if credential is not None:
            headers.append((ECHO_HEADER, credential))
        return Reply(draft.status, headers, chunks, delay_s, draft.reset)


def _peek_model(raw: bytes) -> str | None:
    """The deployment a body names, as the gateway reads it to route; ``None`` if unreadable."""
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    model = body.get("model") if isinstance(body, dict) else None
    return model if isinstance(model, str) else None
