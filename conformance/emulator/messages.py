"""Deterministic Anthropic-shaped answers: Messages and token counts (their SSE events are
``events``).

The emulator does not think: its reply is a fixed sentence that echoes the last user turn, one
output token per word, so that checks can predict ``usage``, ``max_tokens`` cuts and
``stop_sequences``. The capabilities a request asks for are honoured (``honour``): a thinking
block first, a server tool's call and canned result, JSON for a requested schema, a citation of
a source that enables them, cache tokens in ``usage`` (``caching``), a refusal. Every object
here validates against the official SDK's ``anthropic.types``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..core.platform import PlatformProfile
from . import honour
from .bodies import JsonObject
from .caching import NO_CACHE, CacheUsage
from .events import DONE_FRAME, WORD_PATTERN, Event, sse_frame, stream_events
from .ids import IdSource
from .schemas import example_for_schema

__all__ = ["DONE_FRAME", "Event", "sse_frame", "stream_events"]

# A crude but stable tokenizer: words and punctuation marks, each one token.
TOKEN_PATTERN = re.compile(r"\w+|[^\w\s]")
BASE_INPUT_TOKENS = 3
PER_MESSAGE_TOKENS = 4  # role markers around each turn, as real chat templates add
IMAGE_TOKENS = 85
TOOL_CALL_TOKENS = 10  # the tool_use wrapper itself, before its input
ECHO_WORD_LIMIT = 50
HUGE_BODY_BYTES = 5 * 1024 * 1024
CITING = "According to the source, "
REFUSAL_DETAILS: JsonObject = {"type": "refusal", "category": None, "explanation": None}
# The server tools whose calls ``usage.server_tool_use`` counts.
COUNTED_CALLS = {"web_search": "web_search_requests", "web_fetch": "web_fetch_requests"}


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


def count_block_tokens(blocks: Sequence[Any]) -> int:
    """Input tokens of some blocks of a request (a cached prefix: tools, system, content)."""
    pieces = [b for b in blocks if isinstance(b, str)]
    pieces += _block_texts([b for b in blocks if isinstance(b, Mapping)])
    return sum(len(TOKEN_PATTERN.findall(piece)) for piece in pieces)


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
    server_tool: str | None = None  # the feature of the server tool it called, if any


def _custom(tool: Mapping[str, Any]) -> bool:
    return tool.get("type") in (None, "custom")


def _forced_tool(body: Mapping[str, Any]) -> Mapping[str, Any] | None:
    choice = body.get("tool_choice")
    tools = [t for t in body.get("tools") or () if isinstance(t, Mapping) and _custom(t)]
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


def _tool_generation(tool: Mapping[str, Any], max_tokens: int, ids: IdSource) -> Generation:
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


def _cited(body: Mapping[str, Any], max_tokens: int) -> Generation | None:
    """An answer that cites the first source enabling citations (None: none does)."""
    citation = honour.citation(body)
    if citation is None:
        return None
    lead = _text_generation(CITING, max_tokens, ())
    if lead.stop_reason != "end_turn" or lead.output_tokens >= max_tokens:
        return lead
    cited = _text_generation(str(citation["cited_text"]), max_tokens - lead.output_tokens, ())
    block = {**cited.content[0], "citations": [citation]}
    tokens = lead.output_tokens + cited.output_tokens
    return Generation((*lead.content, block), cited.stop_reason, None, tokens)


def _answer(body: Mapping[str, Any], model: str, ids: IdSource, max_tokens: int) -> Generation:
    """The last part of an answer: a forced tool's call, JSON, a citation, or the sentence."""
    tool = _forced_tool(body)
    if tool is not None:
        return _tool_generation(tool, max_tokens, ids)
    schema = honour.output_schema(body)
    if schema is not None:
        return _text_generation(honour.structured_text(schema), max_tokens, ())
    cited = _cited(body, max_tokens)
    if cited is not None:
        return cited
    stops = [s for s in body.get("stop_sequences") or () if isinstance(s, str)]
    return _text_generation(reply_text(model, body), max_tokens, stops)


def generate(
    body: Mapping[str, Any],
    model: str,
    ids: IdSource,
    *,
    profile: PlatformProfile | None = None,
    refusals: bool = False,
) -> Generation:
    """The deterministic answer to a validated Messages request (``profile``: server tools are
    called by what marks them there; ``refusals``: the model may refuse)."""
    max_tokens = int(body["max_tokens"])
    if refusals and honour.refuses(body):
        return Generation((), "refusal", None, 1)
    lead: list[JsonObject] = []
    spent = 0
    if honour.thinks(body):
        block = honour.thinking_block(body)
        words = WORD_PATTERN.findall(block["thinking"])
        if len(words) >= max_tokens:
            cut = {**block, "thinking": "".join(words[:max_tokens]).rstrip()}
            return Generation((cut,), "max_tokens", None, max_tokens)
        lead.append(block)
        spent += len(words)
    server = honour.server_tool(body, profile) if profile is not None else None
    if server is not None:
        lead.extend(honour.server_tool_blocks(*server, body, ids))
        spent = min(max_tokens - 1, spent + TOOL_CALL_TOKENS)
    rest = _answer(body, model, ids, max_tokens - spent)
    return Generation(
        (*lead, *rest.content),
        rest.stop_reason,
        rest.stop_sequence,
        spent + rest.output_tokens,
        server[0] if server is not None else None,
    )


def _usage(
    input_tokens: int, output_tokens: int, cache: CacheUsage = NO_CACHE, server: str | None = None
) -> JsonObject:
    usage: JsonObject = {
        "input_tokens": input_tokens,
        "cache_creation_input_tokens": cache.written,
        "cache_read_input_tokens": cache.read,
        "output_tokens": output_tokens,
        "service_tier": "standard",
    }
    if cache.written:
        usage["cache_creation"] = cache.by_ttl
    if server in COUNTED_CALLS:
        usage["server_tool_use"] = {
            name: int(name == COUNTED_CALLS[server]) for name in COUNTED_CALLS.values()
        }
    return usage


def build_message(
    body: Mapping[str, Any],
    model: str,
    ids: IdSource,
    *,
    profile: PlatformProfile | None = None,
    refusals: bool = False,
    cache: CacheUsage = NO_CACHE,
) -> JsonObject:
    """A complete ``Message`` for a validated request; ``model`` echoes the deployment name;
    ``cache`` is what the request wrote to or read from the prompt cache."""
    generation = generate(body, model, ids, profile=profile, refusals=refusals)
    uncached = max(0, count_input_tokens(body) - cache.written - cache.read)
    message: JsonObject = {
        "id": ids.message_id(),
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": list(generation.content),
        "stop_reason": generation.stop_reason,
        "stop_sequence": generation.stop_sequence,
        "usage": _usage(uncached, generation.output_tokens, cache, generation.server_tool),
    }
    if generation.stop_reason == "refusal":
        message["stop_details"] = REFUSAL_DETAILS
    report = honour.context_report(body)
    if report is not None:
        message["context_management"] = report
    return message


def huge_message(message: JsonObject) -> JsonObject:
    """``message`` padded with text to about 5 MB (still a valid Message)."""
    words = HUGE_BODY_BYTES // len("emulated ")
    text = "emulated " * words
    usage = {**message["usage"], "output_tokens": words}
    return {**message, "content": [{"type": "text", "text": text}], "usage": usage}


def wrong_shape(message: JsonObject) -> JsonObject:
    """``message`` without ``content`` and ``usage``: JSON, but not a Message."""
    return {k: v for k, v in message.items() if k not in {"content", "usage"}}


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
