"""Token usage read from a response body (JSON or SSE), for cost accounting (pure)."""

from __future__ import annotations

import json
from typing import Any

from ..core.untrusted import UntrustedJSONError, parse_json
from .sse import parse_sse


def _count(value: Any) -> int | None:
    # JSON's true and false are no token counts (though Python's bool is an int).
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _ints(usage: Any) -> tuple[int | None, int | None]:
    if not isinstance(usage, dict):
        return None, None
    return _count(usage.get("input_tokens")), _count(usage.get("output_tokens"))


def extract_usage(content_type: str, body: bytes) -> tuple[int | None, int | None]:
    """``(input_tokens, output_tokens)`` a response reports, or None where it reports none."""
    if "text/event-stream" in content_type:
        inp = out = None
        for event in parse_sse(body):
            data = event.json if isinstance(event.json, dict) else {}
            if data.get("type") == "message_start":
                message = data.get("message")
                inp, out = _ints(message.get("usage") if isinstance(message, dict) else None)
            elif data.get("type") == "message_delta":
                _, delta_out = _ints(data.get("usage"))
                out = delta_out if delta_out is not None else out
        return inp, out
    try:
        data = parse_json(body, source="the response body")
    except UntrustedJSONError:  # not JSON, or beyond the bounds of a body (too deep, too large)
        return None, None
    if not isinstance(data, dict):
        return None, None
    if "usage" in data:
        return _ints(data["usage"])
    return None, None


def _usage_object(content_type: str, body: bytes) -> dict[str, Any] | None:
    """The ``usage`` object of a JSON answer, or of a stream's ``message_start``."""
    if "text/event-stream" in content_type:
        for event in parse_sse(body):
            data = event.json if isinstance(event.json, dict) else {}
            message = data.get("message") if data.get("type") == "message_start" else None
            usage = message.get("usage") if isinstance(message, dict) else None
            if isinstance(usage, dict):
                return usage
        return None
    try:
        data = parse_json(body, source="the response body")
    except UntrustedJSONError:
        return None
    usage = data.get("usage") if isinstance(data, dict) else None
    return usage if isinstance(usage, dict) else None


def extract_cache_usage(content_type: str, body: bytes) -> tuple[int | None, int | None]:
    """``(cache_creation_input_tokens, cache_read_input_tokens)`` a response reports: prompt
    caching's writes and reads, which ``input_tokens`` leaves out."""
    usage = _usage_object(content_type, body)
    if usage is None:
        return None, None
    return _count(usage.get("cache_creation_input_tokens")), _count(
        usage.get("cache_read_input_tokens")
    )


def requested_model(body: bytes) -> str | None:
    """The ``model`` (deployment name) a request body names."""
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    model = data.get("model") if isinstance(data, dict) else None
    return model if isinstance(model, str) else None
