"""A Message as the exact SSE events that stream it: ``message_start``, each content block (text
deltas, ``citations_delta`` before the text they cite, ``thinking_delta`` then
``signature_delta``, ``input_json_delta`` for a tool's input, server-tool results whole in their
``content_block_start``), ``message_delta`` with the stop reason and the final usage, then
``message_stop``. ``streams`` bends them with the stream faults.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from .bodies import JsonObject, json_bytes

# Output is streamed word by word; each piece keeps its trailing whitespace so pieces concatenate.
WORD_PATTERN = re.compile(r"\S+\s*")
JSON_DELTA_SIZE = 16
DONE_FRAME = b"data: [DONE]\n\n"
CALLS = ("tool_use", "server_tool_use")

Event = tuple[str, JsonObject]


def _start(index: int, block: JsonObject) -> Event:
    return (
        "content_block_start",
        {"type": "content_block_start", "index": index, "content_block": block},
    )


def _deltas(block: JsonObject) -> tuple[JsonObject, list[JsonObject]]:
    """The block as ``content_block_start`` shows it, and its deltas."""
    kind = block["type"]
    if kind in CALLS:
        raw = json.dumps(block["input"], separators=(",", ":"))
        parts = [""] + [raw[i : i + JSON_DELTA_SIZE] for i in range(0, len(raw), JSON_DELTA_SIZE)]
        return {**block, "input": {}}, [
            {"type": "input_json_delta", "partial_json": p} for p in parts
        ]
    if kind == "thinking":
        words = WORD_PATTERN.findall(block["thinking"])
        deltas: list[JsonObject] = [{"type": "thinking_delta", "thinking": w} for w in words]
        deltas.append({"type": "signature_delta", "signature": block["signature"]})
        return {"type": "thinking", "thinking": "", "signature": ""}, deltas
    if kind == "text":
        cites = [{"type": "citations_delta", "citation": c} for c in block.get("citations") or ()]
        texts = [{"type": "text_delta", "text": w} for w in WORD_PATTERN.findall(block["text"])]
        return {"type": "text", "text": ""}, [*cites, *texts]
    return block, []  # a server tool's result arrives whole


def _block_events(index: int, block: JsonObject) -> Iterator[Event]:
    shown, deltas = _deltas(block)
    yield _start(index, shown)
    if index == 0:
        yield "ping", {"type": "ping"}
    for delta in deltas:
        yield "content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}
    yield "content_block_stop", {"type": "content_block_stop", "index": index}


def stream_events(message: JsonObject) -> list[Event]:
    """The exact SSE events that stream ``message``, from message_start to message_stop."""
    usage = message["usage"]
    start = {
        **{k: v for k, v in message.items() if k != "stop_details"},
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
    if message.get("stop_details") is not None:
        delta["stop_details"] = message["stop_details"]
    events.append(
        ("message_delta", {"type": "message_delta", "delta": delta, "usage": final_usage})
    )
    events.append(("message_stop", {"type": "message_stop"}))
    return events


def sse_frame(event: str, data: JsonObject) -> bytes:
    """One SSE frame: ``event:`` line, ``data:`` line, blank line."""
    return b"event: " + event.encode() + b"\ndata: " + json_bytes(data) + b"\n\n"
