"""The emulator's whole decision: one request in, one ``Reply`` out, no sockets.

Layers, in the order the platform applies them:

1. routing at the gateway: an unknown path is 404 ``Resource not found`` before any auth;
2. authentication at the gateway (``auth.authenticate``), the body-size limit, then unsupported
   routes (404 ``api_not_supported``), unknown or retired deployments, keys on Entra-only models
   and the quota of the deployment's model pool (``ratelimit.QuotaPools``);
3. the Anthropic layer: ``anthropic-version`` and ``anthropic-beta``, body validation, the
   model's rules (``rules.py``), the hosting option's features (``features.py``), then the answer.

Every platform fact — models, versions, betas, wordings, quotas, hosting options — comes from the
config's ``PlatformProfile``. Gateway answers carry ``apim-request-id`` only; Anthropic-layer
answers add ``request-id``. Faults (``profiles.Faults``) bend exactly one of those steps each.
The server (``server.py``) only plays a ``Reply`` onto a socket: status, headers, timed chunks,
or a TCP reset.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import parse_qs

from ..core.errors import InvalidRequest
from ..core.platform import Model
from . import bodies, honour, messages
from .auth import Identity, Refusal, auth_variant, authenticate, presented_credential
from .bodies import JsonObject
from .caching import PromptCache
from .features import features_used, refusal_message
from .ids import IdSource, ids_for, request_key
from .profiles import EmulatorConfig
from .ratelimit import QuotaPools, Throttled
from .routes import ANTHROPIC, Route, classify, hosted_route, under
from .rules import beta_values, check_betas, check_model_rules, check_version, system_role_refusal
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


def _bad_request(error: InvalidRequest, request_id: str) -> _Draft:
    return _Draft(400, "anthropic", bodies.invalid_request(str(error), request_id))


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Emulator:
    """The emulated Foundry resource; its only state: the quota pools, the prompt cache and an
    occurrence counter."""

    def __init__(
        self,
        config: EmulatorConfig | None = None,
        clock: Callable[[], float] = time.monotonic,
        *,
        wall_clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.config = config or EmulatorConfig()
        # For token expiry and model lifecycles; `clock` only measures quota windows.
        self._wall_clock = wall_clock
        self._quota = QuotaPools(self.config.window_s, clock)
        self._cache = PromptCache(clock)
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

    def served_model(self, deployment: str) -> tuple[bool, Model | None]:
        """Whether ``deployment`` exists (served, and its model not retired), and its model."""
        model = self.config.model(deployment)
        retired = model is not None and model.lifecycle(self._wall_clock().date()) == "retired"
        return deployment in self.config.deployments and not retired, model

    def usage(self, deployment: str) -> dict[str, int]:
        """What the pool of ``deployment``'s model has used in its current window."""
        with self._lock:
            return self._quota.usage(_pool(deployment, self.config.model(deployment)))

    def _decide(self, request: EmulatorRequest, ids: IdSource) -> _Draft:
        faults = self.config.faults
        profile = self.config.profile
        route = classify(request.method, request.path, profile)
        if faults.garbage and under(request.path, ANTHROPIC):
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
        if request.too_large:
            return _Draft(413, "anthropic", bodies.request_too_large(profile, ids.request_id()))
        if route is Route.MODELS and faults.models_served:
            return _Draft(200, "anthropic", messages.models_list(self.config.deployments))
        if route is Route.HOSTED:
            return self._hosted(request, ids)
        if route in {Route.MODELS, Route.UNSUPPORTED}:
            return _gateway(404, bodies.api_not_supported())
        return self._model_call(request, route, auth, ids)

    def _hosted(self, request: EmulatorRequest, ids: IdSource) -> _Draft:
        """``/files`` or ``/skills``: served as an empty listing where the hosting option serves
        the API, else not supported."""
        hosted = hosted_route(request.path, self.config.profile)
        if hosted is None or not self.config.hosting.serves(hosted.name):
            return _gateway(404, bodies.api_not_supported())
        request_id = ids.request_id()
        try:
            check_version(request.headers, self.config.profile)
        except InvalidRequest as error:
            return _bad_request(error, request_id)
        listing = ANTHROPIC + hosted.path.strip("/")
        if (request.method, request.path) != (hosted.method, listing):
            # The emulator keeps no files or skills: only the listing exists.
            message = f"{request.method} {request.path}: not found"
            return _Draft(
                404, "anthropic", bodies.anthropic_error("not_found_error", message, request_id)
            )
        return _Draft(200, "anthropic", messages.empty_listing())

    def _admit(self, pool: str, model: Model | None) -> _Draft | None:
        """The 429 of a spent pool, or ``None`` (the request is counted)."""
        limits = self.config.limits(model)
        throttled: Throttled | None
        if self.config.faults.rate_limited:
            throttled = Throttled("requests", limits.rpm, self._quota.wait_hint(pool))
        else:
            throttled = self._quota.admit(pool, limits)
        if throttled is None:
            return None
        body = bodies.rate_limit_reached(self.config.profile, throttled, self.config.window_s)
        draft = _gateway(429, body)
        if self.config.faults.retry_after:
            draft.headers.append(("retry-after", str(throttled.wait_s)))
        return draft

    def _model_call(
        self, request: EmulatorRequest, route: Route, auth: Identity, ids: IdSource
    ) -> _Draft:
        faults = self.config.faults
        profile = self.config.profile
        name = _peek_model(request.body)
        exists, model = self.served_model(name) if name is not None else (True, None)
        if not exists and not faults.anthropic_not_found:
            return _gateway(404, bodies.deployment_not_found())
        if model is not None and model.entra_only and auth.by_key:
            return _gateway(401, bodies.entra_only(profile, model.id))
        pool = _pool(name or "", model)
        throttled = self._admit(pool, model)
        if throttled is not None:
            return throttled

        request_id = ids.request_id()
        try:
            check_version(request.headers, profile)
            check_betas(request.headers, profile)
        except InvalidRequest as error:
            return _bad_request(error, request_id)
        if faults.server_error:
            return _Draft(500, "anthropic", bodies.api_error(request_id))
        if faults.backend_auth_failure and route is Route.MESSAGES:
            return _gateway(*bodies.backend_auth_failure(profile, request_id))
        if faults.overloaded and route is Route.MESSAGES:
            return _Draft(529, "anthropic", bodies.overloaded(request_id))
        count_tokens = route is Route.COUNT_TOKENS
        # Beta fields are keyed on the header; `?beta=true` (Claude Code still adds it) is tolerated
        # (and, under the `beta-query-required` fault, needed).
        queried = "true" in parse_qs(request.query).get("beta", [])
        beta = queried or (bool(beta_values(request.headers)) and not faults.beta_query_required)
        try:
            body = validate_request(
                request.body,
                count_tokens=count_tokens,
                beta=beta,
                system_role=system_role_refusal(model, profile),
            )
            check_model_rules(body, model, profile, count_tokens=count_tokens)
            hosting = self.config.hosting
            used = features_used(body, profile)
            refused = [feature for feature in used if hosting.refuses(feature)]
            if refused:
                raise InvalidRequest(refusal_message(refused, profile))
        except InvalidRequest as error:
            return _bad_request(error, request_id)
        if not exists:
            return _Draft(404, "anthropic", bodies.model_not_found(body["model"], request_id))
        if faults.features_ignored:
            body = honour.ignored(body, count_tokens=count_tokens)
        if count_tokens:
            return _Draft(200, "anthropic", messages.count_tokens_body(body))
        minimum = profile.cache_minimum(model)
        cache = self._cache.use(pool, body, minimum, messages.count_block_tokens)
        refusals = model is not None and model.refusal_stop_reason
        message = messages.build_message(
            body, body["model"], ids, profile=profile, refusals=refusals, cache=cache
        )
        usage = message["usage"]
        # Cache reads do not count against the input-token quota; cache writes do.
        written = usage["cache_creation_input_tokens"]
        self._quota.charge(pool, usage["input_tokens"] + written, usage["output_tokens"])
        return self._answer(message, stream=bool(body.get("stream")))

    def _answer(self, message: JsonObject, *, stream: bool) -> _Draft:
        faults = self.config.faults
        if stream:
            chunks, reset = stream_chunks(message, faults)
            draft = _Draft(
                200, "anthropic", chunks=chunks, content_type=SSE_CONTENT_TYPE, reset=reset
            )
            draft.headers.append(("cache-control", "no-cache"))
            return draft
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
                (name, RATE_LIMIT_HEADER_VALUES.get(name.rsplit("-", 1)[1], "0"))
                for name in self.config.profile.rate_limit_headers
            ]
        if credential is not None:
            headers.append((ECHO_HEADER, credential))
        return Reply(draft.status, headers, chunks, delay_s, draft.reset)


def _pool(deployment: str, model: Model | None) -> str:
    """The quota pool a deployment draws from: its model's (every deployment of a model shares
    one), or its own for a name the profile does not know."""
    return model.id if model is not None else deployment


def _peek_model(raw: bytes) -> str | None:
    """The deployment a body names, as the gateway reads it to route; ``None`` if unreadable."""
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    model = body.get("model") if isinstance(body, dict) else None
    return model if isinstance(model, str) else None
