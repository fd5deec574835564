"""The Anthropic layer's request validation: what turns a body into a 400 ``invalid_request_error``.

Messages follow the first-party API's ``<field path>: <problem>`` wording; where a Foundry capture
exists (``Extra inputs are not permitted``) it is used verbatim, and the wordings the platform
profile holds (the ``system`` role) come from it. The per-model rules are ``rules.py``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..core.errors import InvalidRequest
from .bodies import JsonObject

# The body fields of the official SDK's MessageCreateParams (the sampling knobs it no longer lists
# are still accepted by the API). Beta requests (an `anthropic-beta` header, or the `?beta=true`
# query older clients add) accept the beta params too.
MESSAGES_FIELDS = frozenset(
    {
        "cache_control", "container", "diagnostics", "inference_geo", "max_tokens", "messages",
        "metadata", "model", "output_config", "service_tier", "speed", "stop_sequences", "stream",
        "system", "thinking", "tool_choice", "tools", "user_profile_id", "workspace_id",
        "temperature", "top_k", "top_p",
    }
)  # fmt: skip
BETA_EXTRA_FIELDS = frozenset(
    {
        "billing_policy", "compaction", "context_management", "fallback_credit_token", "fallbacks",
        "mcp_servers", "thread", "output_format",
    }
)  # fmt: skip
COUNT_TOKENS_FIELDS = frozenset(
    {
        "cache_control", "messages", "model", "output_config", "speed", "system", "thinking",
        "tool_choice", "tools", "user_profile_id", "workspace_id",
    }
)  # fmt: skip


def known_fields(*, count_tokens: bool, beta: bool) -> frozenset[str]:
    """The top-level body fields a route accepts."""
    base = COUNT_TOKENS_FIELDS if count_tokens else MESSAGES_FIELDS
    return base | BETA_EXTRA_FIELDS if beta else base


def parse_body(raw: bytes) -> JsonObject:
    """The body as a JSON object, or ``InvalidRequest``."""
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        # The first-party wording of this error has not been captured; this one is plain.
        raise InvalidRequest("The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise InvalidRequest("The request body must be a JSON object.")
    return body


def validate_request(
    raw: bytes, *, count_tokens: bool, beta: bool, system_role: str | None = None
) -> JsonObject:
    """The parsed body of a valid Messages (or count_tokens) request, or ``InvalidRequest``.

    ``system_role``: ``None`` where ``role: "system"`` messages are accepted (a model that takes
    them mid-conversation), else the refusal's message."""
    body = parse_body(raw)
    extra = sorted(set(body) - known_fields(count_tokens=count_tokens, beta=beta))
    if extra:
        raise InvalidRequest(f"{extra[0]}: Extra inputs are not permitted")
    required = ("model", "messages") if count_tokens else ("max_tokens", "messages", "model")
    for name in required:
        if name not in body:
            raise InvalidRequest(f"{name}: Field required")
    if not isinstance(body["model"], str) or not body["model"]:
        raise InvalidRequest("model: Input should be a valid string")
    if not count_tokens:
        _check_max_tokens(body["max_tokens"])
        if "stream" in body and not isinstance(body["stream"], bool):
            raise InvalidRequest("stream: Input should be a valid boolean")
        _check_stop_sequences(body.get("stop_sequences"))
    _check_messages(body["messages"], system_role)
    if "system" in body and not isinstance(body["system"], str | list):
        raise InvalidRequest("system: Input should be a valid string or list")
    _check_tools(body.get("tools"), body.get("tool_choice"))
    return body


def _check_max_tokens(value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidRequest("max_tokens: Input should be a valid integer")
    if value < 1:
        raise InvalidRequest("max_tokens: Input should be greater than or equal to 1")


def _check_stop_sequences(value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise InvalidRequest("stop_sequences: Input should be a valid list of strings")


def _check_messages(messages: Any, system_role: str | None) -> None:
    if not isinstance(messages, list):
        raise InvalidRequest("messages: Input should be a valid list")
    if not messages:
        raise InvalidRequest("messages: at least one message is required")
    for index, message in enumerate(messages):
        if not isinstance(message, Mapping):
            raise InvalidRequest(f"messages.{index}: Input should be a valid dictionary")
        role = message.get("role")
        if role == "system" and system_role is not None:
            raise InvalidRequest(system_role)
        if role not in {"user", "assistant", "system"}:
            raise InvalidRequest(f"messages.{index}.role: Input should be 'user' or 'assistant'")
        if "content" not in message:
            raise InvalidRequest(f"messages.{index}.content: Field required")
        if not isinstance(message["content"], str | list):
            raise InvalidRequest(
                f"messages.{index}.content: Input should be a valid string or list"
            )


def _check_tools(tools: Any, choice: Any) -> None:
    if tools is not None:
        if not isinstance(tools, list):
            raise InvalidRequest("tools: Input should be a valid list")
        for index, tool in enumerate(tools):
            if not isinstance(tool, Mapping):
                raise InvalidRequest(f"tools.{index}: Input should be a valid dictionary")
            # An MCP toolset names its server, not a tool.
            if tool.get("type") != "mcp_toolset" and not isinstance(tool.get("name"), str):
                raise InvalidRequest(f"tools.{index}.name: Field required")
    if choice is None:
        return
    kind = choice.get("type") if isinstance(choice, Mapping) else None
    if kind not in {"auto", "any", "tool", "none"}:
        raise InvalidRequest(
            "tool_choice: Input tag does not match any of the expected tags: "
            "'auto', 'any', 'tool', 'none'"
        )
    names = {t.get("name") for t in tools or ()} - {None}
    if kind in {"any", "tool"} and not names:
        raise InvalidRequest(
            "tool_choice: tool_choice may only be specified while providing tools."
        )
    if kind == "tool" and choice.get("name") not in names:
        raise InvalidRequest(
            f"tool_choice: Tool '{choice.get('name')}' not found in provided tools."
        )
