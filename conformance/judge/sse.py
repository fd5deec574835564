"""Server-sent events: parsing the raw bytes and judging the Messages stream grammar.

The SDK hides some faults (it silently skips a ``data: [DONE]`` frame, tolerates a missing
``message_stop``), so the harness reads the bytes itself, as the wire carries them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..core.untrusted import UntrustedJSONError, parse_json
from .shapes import anthropic_error_problems

DONE_SENTINEL = "[DONE]"


@dataclass(frozen=True)
class SseEvent:
    """One event: its ``event:`` name (or None), its joined ``data:`` lines, decoded if JSON."""

    event: str | None
    data: str
    json: Any = None


def parse_sse(raw: bytes | str) -> list[SseEvent]:
    """Split an SSE body into events (comments and ``retry:``/``id:`` lines ignored)."""
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    events: list[SseEvent] = []
    for block in text.split("\n\n"):
        name: str | None = None
        data_lines: list[str] = []
        for line in block.split("\n"):
            if not line or line.startswith(":"):
                continue
            key, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if key == "event":
                name = value
            elif key == "data":
                data_lines.append(value)
        if name is None and not data_lines:
            continue
        data = "\n".join(data_lines)
        try:
            wanted = data and data != DONE_SENTINEL
            decoded = parse_json(data, source="an SSE event") if wanted else None
        except UntrustedJSONError:  # not JSON, or beyond the bounds of a body
            decoded = None
        events.append(SseEvent(name, data, decoded))
    return events


@dataclass
class StreamVerdict:
    """What a Messages stream said, and every way it broke the grammar."""

    problems: list[str] = field(default_factory=list)
    text: str = ""
    tool_json: dict[int, str] = field(default_factory=dict)
    start_usage: dict[str, Any] = field(default_factory=dict)
    final_usage: dict[str, Any] = field(default_factory=dict)
    stop_reason: str | None = None
    # The ``error`` object of an ``error`` event, which ends the stream (well-formed or not).
    error: dict[str, Any] | None = None
    # Whether that event has Anthropic's error shape (``error.type`` and ``error.message``).
    error_is_anthropic: bool = False
    done_sentinel: bool = False
    event_types: list[str] = field(default_factory=list)

    @property
    def model_error(self) -> str | None:
        """The ``error.type`` of a well-formed error event that ended the stream (the model's
        answer, such as ``overloaded_error``), else None."""
        return str((self.error or {}).get("type")) if self.error_is_anthropic else None

    def describe_error(self) -> str:
        """``overloaded_error: Overloaded``: the error event's type and message."""
        return _describe_error(self.error)


def judge_message_stream(events: list[SseEvent]) -> StreamVerdict:
    """Check ``message_start`` … ``message_stop`` order, block bookkeeping and cumulative usage."""
    verdict = StreamVerdict()
    open_blocks: set[int] = set()
    seen_blocks: set[int] = set()
    state = "before-start"
    for index, ev in enumerate(events):
        if ev.data.strip() == DONE_SENTINEL:
            verdict.done_sentinel = True
            verdict.problems.append(
                f"event {index + 1} is `data: [DONE]`, which Anthropic's stream never sends "
                "(an API Management gateway in front adds it)"
            )
            continue
        payload = ev.json if isinstance(ev.json, dict) else None
        if payload is None:
            verdict.problems.append(f"event {index + 1} carries data that is not a JSON object")
            continue
        kind = str(payload.get("type"))
        verdict.event_types.append(kind)
        if ev.event is not None and ev.event != kind:
            verdict.problems.append(
                f"event {index + 1} is named `{ev.event}` but its data says type `{kind}`"
            )
        if kind == "ping":
            continue
        if kind == "error":
            error = payload.get("error")
            verdict.error = error if isinstance(error, dict) else {"message": str(error)}
            # Anthropic documents error events inside a 200 stream: a well-formed one is the
            # model's answer (overloaded, say), which ends the stream; only a broken one is a
            # fault of the stream itself.
            verdict.error_is_anthropic = not anthropic_error_problems(payload)
            if not verdict.error_is_anthropic:
                verdict.problems.append(
                    "the stream carried an `error` event after HTTP 200 that is not Anthropic's "
                    f"error shape: {_describe_error(verdict.error)}"
                )
            state = "ended"
            continue
        if state == "ended":
            verdict.problems.append(f"`{kind}` arrived after the stream had ended")
            continue
        if kind == "message_start":
            if state != "before-start":
                verdict.problems.append("a second `message_start` arrived")
            state = "in-message"
            message = _object(payload, "message", verdict, index)
            verdict.start_usage = _object(message, "usage", verdict, index)
            continue
        if state == "before-start":
            verdict.problems.append(f"`{kind}` arrived before `message_start`")
            state = "in-message"
        _judge_block_event(kind, payload, verdict, open_blocks, seen_blocks)
        if kind == "message_delta":
            delta = _object(payload, "delta", verdict, index)
            verdict.stop_reason = delta.get("stop_reason")
            verdict.final_usage = _object(payload, "usage", verdict, index)
        elif kind == "message_stop":
            state = "ended"
    if state != "ended" and verdict.error is None:
        verdict.problems.append("the stream ended without `message_stop`")
    if open_blocks and verdict.error is None:  # an error event cuts the blocks short
        verdict.problems.append(f"content blocks {sorted(open_blocks)} were never stopped")
    _judge_usage(verdict)
    return verdict


def _judge_block_event(
    kind: str,
    payload: dict[str, Any],
    verdict: StreamVerdict,
    open_blocks: set[int],
    seen_blocks: set[int],
) -> None:
    index = payload.get("index")
    if kind == "content_block_start":
        if index in seen_blocks:
            verdict.problems.append(f"content block {index} started twice")
        if isinstance(index, int):
            open_blocks.add(index)
            seen_blocks.add(index)
    elif kind == "content_block_delta":
        if index not in open_blocks:
            verdict.problems.append(f"a delta for content block {index}, which is not open")
        delta = payload.get("delta")
        if not isinstance(delta, dict):
            verdict.problems.append(f"a delta for content block {index} is not an object")
            delta = {}
        if delta.get("type") == "text_delta":
            verdict.text += str(delta.get("text", ""))
        elif delta.get("type") == "input_json_delta" and isinstance(index, int):
            verdict.tool_json[index] = verdict.tool_json.get(index, "") + str(
                delta.get("partial_json", "")
            )
    elif kind == "content_block_stop":
        if index not in open_blocks:
            verdict.problems.append(f"content block {index} stopped but was not open")
        open_blocks.discard(index if isinstance(index, int) else -1)
    elif kind == "message_delta" and open_blocks:
        verdict.problems.append(
            f"`message_delta` arrived while blocks {sorted(open_blocks)} were open"
        )


def _object(
    payload: dict[str, Any], name: str, verdict: StreamVerdict, index: int
) -> dict[str, Any]:
    """``payload[name]`` when it is an object (or absent); anything else is a problem of the
    stream, never a crash of its judge."""
    value = payload.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        kind = str(payload.get("type"))
        verdict.problems.append(
            f"event {index + 1} (`{kind}`) has a `{name}` that is a JSON "
            f"{type(value).__name__}, not an object"
        )
        return {}
    return dict(value)


def _judge_usage(verdict: StreamVerdict) -> None:
    start = verdict.start_usage.get("output_tokens")
    final = verdict.final_usage.get("output_tokens")
    if verdict.error is not None or "ended without" in " ".join(verdict.problems):
        return
    if not isinstance(final, int):
        verdict.problems.append("`message_delta` did not report `usage.output_tokens`")
    elif isinstance(start, int) and final < start:
        verdict.problems.append(
            f"usage is not cumulative: `message_delta` says {final} output tokens, "
            f"fewer than the {start} of `message_start`"
        )


def _describe_error(error: dict[str, Any] | None) -> str:
    if not error:
        return "(no detail)"
    return f"{error.get('type', 'error')}: {error.get('message', '')}".strip()
