"""Read an error answer: which layer wrote it, its code or type, its message and its wait hint.

Foundry answers from two layers. Azure's gateway (auth, routing, throttling) writes
``{"error": {"code": ..., "message": ...}}`` or ``{"statusCode": 401, "message": ...}``, without
``error.type``; whatever reaches Claude answers in Anthropic's envelope
``{"type": "error", "error": {"type": ..., "message": ...}, "request_id": ...}``. Anything else (an
HTML page from a proxy, an empty body, text) is a layer of its own, and worth a diagnosis.

Every function here takes whatever came over the wire and never raises.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, Literal

from ..core.untrusted import UntrustedJSONError, parse_json

Layer = Literal["azure-gateway", "anthropic", "html", "empty", "unparseable"]

# The marker ``conformance.interactions.excerpt`` appends when it cuts a long body.
_EXCERPT_MARKER = re.compile(r"… \[\d+ more characters\]\Z")
# "Please wait 33 seconds before retrying." (Foundry); "Please retry after 43 seconds." (AOAI)
_WAIT_HINT = re.compile(
    r"\b(?:wait|retry after|try again in)\s+(\d{1,9}(?:\.\d+)?)\s*(?:seconds?|secs?|s)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ErrorSignature:
    """What an error answer says about itself, whichever layer wrote it."""

    status: int
    layer: Layer
    # Azure's ``error.code`` (or ``statusCode``): "401", "PermissionDenied", "RateLimitReached"…
    code: str | None = None
    # Anthropic's ``error.type``, e.g. "invalid_request_error", "overloaded_error".
    type: str | None = None
    message: str | None = None
    # The wait the message text asks for, and the one the headers ask for, kept apart because
    # which of them Foundry sends is not known (research §6) and clients honour only the headers.
    wait_seconds: float | None = None
    retry_after_seconds: float | None = None
    request_id_in_body: str | None = None
    # The body was cut to an excerpt before it reached the diagnosis, so it may not parse.
    truncated: bool = False

    @property
    def advised_wait_seconds(self) -> float | None:
        """The longest wait either the message or the headers ask for."""
        waits = [w for w in (self.wait_seconds, self.retry_after_seconds) if w is not None]
        return max(waits) if waits else None

    def describe(self) -> str:
        """``code/type: message`` in one line, for a finding's details."""
        label = " / ".join(part for part in (self.code, self.type) if part) or self.layer
        return f"{label}: {self.message}" if self.message else label


def split_excerpt(body: str) -> tuple[str, bool]:
    """``body`` without the excerpt marker, and whether the marker was there."""
    match = _EXCERPT_MARKER.search(body)
    return (body[: match.start()], True) if match else (body, False)


def json_object(text: str) -> dict[str, Any] | None:
    """``text`` parsed as a JSON object, or None if it is not one."""
    try:
        data = parse_json(text, source="the body")
    except UntrustedJSONError:  # not JSON, or beyond the bounds of a body (too deep, too large)
        return None
    return data if isinstance(data, dict) else None


def wait_hint(message: str | None) -> float | None:
    """The seconds a 'Please wait N seconds' style message asks for."""
    if not message:
        return None
    match = _WAIT_HINT.search(message)
    return _finite(match.group(1)) if match else None


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds from ``retry-after-ms``, else ``retry-after``, in the official SDK's order."""
    lowered = {str(k).lower(): str(v) for k, v in headers.items()}
    millis = _finite(lowered.get("retry-after-ms"))
    if millis is not None:
        return millis / 1000
    raw = lowered.get("retry-after")
    seconds = _finite(raw)
    if seconds is not None or raw is None:
        return seconds
    # An HTTP-date needs a clock: measure it against the response's own Date header, if any.
    try:
        target = parsedate_to_datetime(raw)
        sent = parsedate_to_datetime(lowered["date"])
        return max(0.0, (target - sent).total_seconds())
    except (KeyError, TypeError, ValueError, IndexError, OverflowError):
        return None


def classify_error_body(status: int, headers: Mapping[str, str], body: str) -> ErrorSignature:
    """The signature of an error answer: layer, code or type, message, waits, body request ID."""
    text, truncated = split_excerpt(body)
    header_wait = retry_after(headers)
    stripped = text.strip()
    if not stripped:
        return ErrorSignature(status, "empty", retry_after_seconds=header_wait, truncated=truncated)
    data = json_object(stripped)
    if data is None:
        content_type = next((str(v) for k, v in headers.items() if k.lower() == "content-type"), "")
        html = stripped.startswith("<") or "html" in content_type.lower()
        return ErrorSignature(
            status,
            "html" if html else "unparseable",
            wait_seconds=wait_hint(stripped),
            retry_after_seconds=header_wait,
            truncated=truncated,
        )
    return signature_of(status, data, retry_after_seconds=header_wait, truncated=truncated)


def signature_of(
    status: int,
    data: Mapping[str, Any],
    *,
    retry_after_seconds: float | None = None,
    truncated: bool = False,
) -> ErrorSignature:
    """The signature of an already-parsed JSON error object."""
    error = data.get("error")
    inner: Mapping[str, Any] = error if isinstance(error, Mapping) else {}
    error_type = _text(inner.get("type"))
    code = _text(inner.get("code"))
    if code is None:
        code = _text(data.get("statusCode"))
    message = _text(inner.get("message")) or _text(data.get("message")) or _text(error)
    if data.get("type") == "error" or (error_type is not None and code is None):
        layer: Layer = "anthropic"
    elif inner or code is not None or message is not None:
        layer = "azure-gateway"
    else:
        layer = "unparseable"  # JSON, but no error shape either layer writes
    return ErrorSignature(
        status,
        layer,
        code=code,
        type=error_type,
        message=message,
        wait_seconds=wait_hint(message),
        retry_after_seconds=retry_after_seconds,
        request_id_in_body=_text(data.get("request_id")),
        truncated=truncated,
    )


def stream_errors(body: str) -> tuple[ErrorSignature, ...]:
    """The ``error`` events of an SSE body (Anthropic may send one after a 200 has begun)."""
    found = []
    for line in body.splitlines():
        if not line.startswith("data:"):
            continue
        data = json_object(line[5:].strip())
        if data is not None and data.get("type") == "error":
            found.append(signature_of(200, data))
    return tuple(found)


def _text(value: object) -> str | None:
    if isinstance(value, str):
        return value or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _finite(raw: str | None) -> float | None:
    if raw is None:
        return None
    try:
        value = float(raw.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None
