"""Deterministic Anthropic-shaped answers: Messages, token counts and exact SSE streams.

The emulator does not think: its reply is a fixed sentence that echoes the last user turn, one
output token per word, so that checks can predict ``usage``, ``max_tokens`` cuts and
``stop_sequences``. Every object here validates against the official SDK's ``anthropic.types``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .bodies import JsonObject, json_bytes
from .ids import IdSource
from .schemas import example_for_schema

# A crude but stable tokenizer: words and punctuation marks, each one token.
TOKEN_PATTERN = re.compile(r"\w+|[^\w\s]")
# Output is generated word by word; each piece keeps its trailing whitespace so pieces concatenate.
WORD_PATTERN = re.compile(r"\S+\s*")
BASE_INPUT_TOKENS = 3
PER_MESSAGE_TOKENS = 4  # role markers around each turn, as real chat templates add
IMAGE_TOKENS = 85
TOOL_CALL_TOKENS = 10  # the tool_use wrapper itself, before its input
ECHO_WORD_LIMIT = 50
HUGE_BODY_BYTES = 5 * 1024 * 1024
JSON_DELTA_SIZE = 16

Event = tuple[str, JsonObject]


def _block_texts(content: object) -> Iterator[str]:
    if isinstance(content, str):
        yield content
        return
    if not isinstance(content, list):
        return
    for block in content:
        if not isinstance(block, Mapping):
            continue
        kind = block.get("type")
        if kind == "text" and isinstance(block.get("text"), str):
            yield block["text"]
        elif kind == "tool_use":
            yield str(block.get("name", ""))
            yield json.dumps(block.get("input", {}), sort_keys=True)
        elif kind == "tool_result":
            yield from _block_texts(block.get("content", ""))
        elif kind in {"image", "document"}:
            yield "media " * IMAGE_TOKENS  # a fixed cost, not the base64 payload
        else:
            yield json.dumps(block, sort_keys=True)


def _messages(body: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    messages = body.get("messages")
    return [m for m in messages if isinstance(m, Mapping)] if isinstance(messages, list) else []


def count_input_tokens(body: Mapping[str, Any]) -> int:
    """Input tokens of a request: equal for /messages and /count_tokens given the same content."""
    pieces = list(_block_texts(body.get("system", "")))
    messages = _messages(body)
    for message in messages:
        pieces.extend(_block_texts(message.get("content", "")))
    if body.get("tools"):
        pieces.append(json.dumps(body["tools"], sort_keys=True))
    tokens = sum(len(TOKEN_PATTERN.findall(piece)) for piece in pieces)
    return BASE_INPUT_TOKENS + PER_MESSAGE_TOKENS * len(messages) + tokens


def count_tokens_body(body: Mapping[str, Any]) -> JsonObject:
    """The /count_tokens answer."""
    return {"input_tokens": count_input_tokens(body)}


def reply_text(model: str, body: Mapping[str, Any]) -> str:
    """The full sentence the emulator would say, before ``max_tokens`` or stop sequences cut it."""
    last_user = next((m for m in reversed(_messages(body)) if m.get("role") == "user"), None)
    said = " ".join(" ".join(_block_texts(last_user.get("content"))).split()) if last_user else ""
    text = f"Hello from the Foundry emulator, deployment {model}."
    if said:
        words = said.split(" ")
        echo = " ".join(words[:ECHO_WORD_LIMIT]) + (" …" if len(words) > ECHO_WORD_LIMIT else "")
        text += f" You said: {echo}"
    return text


@dataclass(frozen=True)
class Generation:
    """What the emulated model produced: content blocks, why it stopped, and its cost."""

    content: tuple[JsonObject, ...]
    stop_reason: str
    stop_sequence: str | None
    output_tokens: int


def _forced_tool(body: Mapping[str, Any]) -> Mapping[str, Any] | None:
    choice = body.get("tool_choice")
    tools = [t for t in body.get("tools") or () if isinstance(t, Mapping)]
    if not isinstance(choice, Mapping) or not tools:
        return None
    if choice.get("type") == "any":
        return tools[0]
    if choice.get("type") == "tool":
        return next((t for t in tools if t.get("name") == choice.get("name")), None)
    return None


def _text_generation(text: str, max_tokens: int, stop_sequences: Sequence[str]) -> Generation:
    words = WORD_PATTERN.findall(text)
    stop_reason = "end_turn"
    if len(words) > max_tokens:
        text, stop_reason = "".join(words[:max_tokens]).rstrip(), "max_tokens"
    # Whichever comes first stops generation: max_tokens, or the earliest stop sequence before it.
    found = [(text.find(s), s) for s in stop_sequences if s and s in text]
    stop_sequence = None
    if found:
        at, stop_sequence = min(found)
        text, stop_reason = text[:at], "stop_sequence"
    tokens = len(text.split()) + (1 if stop_sequence else 0)
    output_tokens = max(1, min(tokens, max_tokens))
    return Generation(({"type": "text", "text": text},), stop_reason, stop_sequence, output_tokens)


def generate(body: Mapping[str, Any], model: str, ids: IdSource) -> Generation:
    """The deterministic answer to a validated Messages request."""
    max_tokens = int(body["max_tokens"])
    tool = _forced_tool(body)
    if tool is None:
        stops = [s for s in body.get("stop_sequences") or () if isinstance(s, str)]
        return _text_generation(reply_text(model, body), max_tokens, stops)
    tool_input = example_for_schema(tool.get("input_schema", {}))
    block = {
        "type": "tool_use",
        "id": ids.tool_use_id(0),
        "name": tool["name"],
        "input": tool_input,
    }
    tokens = TOOL_CALL_TOKENS + len(TOKEN_PATTERN.findall(json.dumps(tool_input)))
    stop_reason = "max_tokens" if tokens > max_tokens else "tool_use"
    return Generation((block,), stop_reason, None, min(tokens, max_tokens))


def _usage(input_tokens: int, output_tokens: int) -> JsonObject:
    return {
        "input_tokens": input_tokens,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "output_tokens": output_tokens,
        "service_tier": "standard",
    }


def build_message(body: Mapping[str, Any], model: str, ids: IdSource) -> JsonObject:
    """A complete ``Message`` for a validated request; ``model`` echoes the deployment name."""
    generation = generate(body, model, ids)
    return {
        "id": ids.message_id(),
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": list(generation.content),
        "stop_reason": generation.stop_reason,
        "stop_sequence": generation.stop_sequence,
        "usage": _usage(count_input_tokens(body), generation.output_tokens),
    }


def huge_message(message: JsonObject) -> JsonObject:
    """``message`` padded with text to about 5 MB (still a valid Message)."""
    words = HUGE_BODY_BYTES // len("emulated ")
    text = "emulated " * words
    usage = {**message["usage"], "output_tokens": words}
    return {**message, "content": [{"type": "text", "text": text}], "usage": usage}


def wrong_shape(message: JsonObject) -> JsonObject:
    """``message`` without ``content`` and ``usage``: JSON, but not a Message."""
    return {k: v for k, v in message.items() if k not in {"content", "usage"}}


def _block_events(index: int, block: JsonObject) -> Iterator[Event]:
    if block["type"] == "tool_use":
        yield (
            "content_block_start",
            {
                "type": "content_block_start",
                "index": index,
                "content_block": {**block, "input": {}},
            },
        )
        raw = json.dumps(block["input"], separators=(",", ":"))
        parts = [""] + [raw[i : i + JSON_DELTA_SIZE] for i in range(0, len(raw), JSON_DELTA_SIZE)]
        deltas: list[JsonObject] = [{"type": "input_json_delta", "partial_json": p} for p in parts]
    else:
        yield (
            "content_block_start",
            {
                "type": "content_block_start",
                "index": index,
                "content_block": {"type": "text", "text": ""},
            },
        )
        deltas = [{"type": "text_delta", "text": w} for w in WORD_PATTERN.findall(block["text"])]
    if index == 0:
        yield "ping", {"type": "ping"}
    for delta in deltas:
        yield "content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}
    yield "content_block_stop", {"type": "content_block_stop", "index": index}


def stream_events(message: JsonObject) -> list[Event]:
    """The exact SSE events that stream ``message``, from message_start to message_stop."""
    usage = message["usage"]
    start = {
        **message,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {**usage, "output_tokens": 1},
    }
    events: list[Event] = [("message_start", {"type": "message_start", "message": start})]
    for index, block in enumerate(message["content"]):
        events.extend(_block_events(index, block))
    final_usage = {k: v for k, v in usage.items() if k != "service_tier"}
    delta = {"stop_reason": message["stop_reason"], "stop_sequence": message["stop_sequence"]}
    events.append(
        ("message_delta", {"type": "message_delta", "delta": delta, "usage": final_usage})
    )
    events.append(("message_stop", {"type": "message_stop"}))
    return events


def sse_frame(event: str, data: JsonObject) -> bytes:
    """One SSE frame: ``event:`` line, ``data:`` line, blank line."""
    return b"event: " + event.encode() + b"\ndata: " + json_bytes(data) + b"\n\n"


DONE_FRAME = b"data: [DONE]\n\n"


def models_list(deployments: Sequence[str]) -> JsonObject:
    """A /v1/models page listing the deployments (only the ``models-served`` fault serves it)."""
    data = [
        {
            "type": "model",
            "id": name,
            "display_name": name,
            "created_at": "2025-01-01T00:00:00Z",
            "lifecycle": "active",
        }
        for name in deployments
    ]
    return {
        "data": data,
        "has_more": False,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
    }


def empty_listing() -> JsonObject:
    """An empty page of a listing API (``/files``, ``/skills`` on Hosted on Anthropic)."""
    return {"data": [], "has_more": False, "first_id": None, "last_id": None}
