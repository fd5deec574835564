"""Response shapes judged by the official SDK's own types, as the SDK users call reads them.

Only ``anthropic.types`` (pydantic models) is used here, imported inside the functions that need
them (``target.sdk_loader`` imports the SDK in the background once a run knows it needs it); no
client, no network.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from ..core.untrusted import UntrustedJSONError
from ..core.untrusted import parse_json as parse_untrusted_json

if TYPE_CHECKING:
    from anthropic.types import Message, MessageTokensCount
    from pydantic import BaseModel, ValidationError

MESSAGE_FIELDS = ("id", "type", "role", "content", "model", "stop_reason", "stop_sequence", "usage")


@cache
def _stream_events() -> dict[str, type[BaseModel]]:
    from anthropic.types import (
        RawContentBlockDeltaEvent,
        RawContentBlockStartEvent,
        RawContentBlockStopEvent,
        RawMessageDeltaEvent,
        RawMessageStartEvent,
        RawMessageStopEvent,
    )

    return {
        "message_start": RawMessageStartEvent,
        "content_block_start": RawContentBlockStartEvent,
        "content_block_delta": RawContentBlockDeltaEvent,
        "content_block_stop": RawContentBlockStopEvent,
        "message_delta": RawMessageDeltaEvent,
        "message_stop": RawMessageStopEvent,
    }


def parse_json(body: str) -> tuple[Any, str | None]:
    """``body`` decoded, or None and why it could not be."""
    try:
        return parse_untrusted_json(body, source="the body"), None
    except UntrustedJSONError as exc:  # not JSON, or beyond the bounds of a body
        snippet = body[:80].replace("\n", " ")
        decode = exc.decode_error
        # json's own message may end in "at" already ("Unterminated string starting at").
        where = "position" if decode and decode.msg.endswith(" at") else "at position"
        why = f"{decode.msg} {where} {decode.pos}" if decode else f"{exc.path} {exc.problem}"
        return None, f"the body is not JSON ({why}): {snippet!r}"


def _errors(exc: ValidationError) -> list[str]:
    return [
        f"`{'.'.join(str(p) for p in err['loc']) or '(body)'}`: {err['msg']}"
        for err in exc.errors()
    ][:8]


def message_problems(data: Any) -> tuple[Message | None, list[str]]:
    """A ``Message`` if ``data`` is one, and every field that is missing or malformed."""
    from anthropic.types import Message
    from pydantic import ValidationError

    if not isinstance(data, dict):
        return None, [f"the body is a JSON {type(data).__name__}, not a Messages object"]
    problems = [f"`{name}` is missing" for name in MESSAGE_FIELDS if name not in data]
    if data.get("type") not in (None, "message"):
        problems.append(f"`type` is {data.get('type')!r}, not 'message'")
    if data.get("role") not in (None, "assistant"):
        problems.append(f"`role` is {data.get('role')!r}, not 'assistant'")
    try:
        message = Message.model_validate(data)
    except ValidationError as exc:
        missing = {name for name in MESSAGE_FIELDS if name not in data}
        extra = [
            p
            for err, p in zip(exc.errors(), _errors(exc), strict=False)
            if not (err["type"] == "missing" and err["loc"] and err["loc"][0] in missing)
        ]
        return None, problems + extra
    return (message if not problems else None), problems


def token_count_problems(data: Any) -> tuple[MessageTokensCount | None, list[str]]:
    """A ``MessageTokensCount`` if ``data`` is one (``{"input_tokens": n}``), else the problems."""
    from anthropic.types import MessageTokensCount
    from pydantic import ValidationError

    try:
        count = MessageTokensCount.model_validate(data)
    except ValidationError as exc:
        return None, _errors(exc)
    counted = data.get("input_tokens") if isinstance(data, dict) else None
    if isinstance(data, dict) and (not isinstance(counted, int) or isinstance(counted, bool)):
        return None, ["`input_tokens` is not an integer"]
    return count, []


def stream_event_problems(data: Any) -> list[str]:
    """Why ``data`` is not one of the documented stream events (empty if it is)."""
    from pydantic import ValidationError

    if not isinstance(data, dict):
        return [f"an event's data is a JSON {type(data).__name__}, not an object"]
    kind = data.get("type")
    model = _stream_events().get(str(kind))
    if model is None:
        return []  # ping, error and future event types are documented as tolerated
    try:
        model.model_validate(data)
    except ValidationError as exc:
        return [f"event `{kind}`: {p}" for p in _errors(exc)[:3]]
    return []


def anthropic_error_problems(data: Any) -> list[str]:
    """Why ``data`` is not ``{"type": "error", "error": {"type": …, "message": …}}``."""
    if not isinstance(data, dict):
        return ["the error body is not a JSON object"]
    problems = []
    if data.get("type") != "error":
        problems.append(f"top-level `type` is {data.get('type')!r}, not 'error'")
    error = data.get("error")
    if not isinstance(error, dict):
        return [*problems, "`error` is not an object"]
    if not isinstance(error.get("type"), str):
        problems.append("`error.type` is missing (an Azure-shaped body, not Anthropic's)")
    if not isinstance(error.get("message"), str):
        problems.append("`error.message` is missing")
    return problems
