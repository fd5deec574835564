"""An SSE stream as timed chunks, one per event, bent by the stream faults.

The documented grammar comes from ``messages.stream_events``; the faults here are what gateways
and overloaded backends do to it in the field: an APIM ``[DONE]``, a mid-stream ``event: error``,
a reset, a clean end without ``message_stop``, and slow events.
"""

from __future__ import annotations

from typing import Literal

from . import bodies, messages
from .bodies import JsonObject
from .profiles import Faults
from .wire import Chunk

# reset-midstream sends message_start, content_block_start and ping, then resets.
EVENTS_BEFORE_RESET = 3


def _deltas(events: list[messages.Event]) -> list[int]:
    """Where the content deltas are (or would be: an empty text block has none)."""
    found = [i for i, (event, _) in enumerate(events) if event == "content_block_delta"]
    return found or [next(i for i, (e, _) in enumerate(events) if e == "content_block_stop") - 1]


def stream_events(message: JsonObject, faults: Faults) -> tuple[list[messages.Event], bool]:
    """The events to send for ``message``, and whether the connection resets after them."""
    events = messages.stream_events(message)
    if faults.wrong_shape:
        start = events[0][1]["message"]
        events[0] = (
            "message_start",
            {"type": "message_start", "message": messages.wrong_shape(start)},
        )
    if faults.reset_midstream:
        return events[:EVENTS_BEFORE_RESET], True
    if faults.overloaded_midstream:
        error = bodies.anthropic_error("overloaded_error", bodies.OVERLOADED, None)
        events = [*events[: _deltas(events)[0] + 1], ("error", error)]
    elif faults.truncated_stream:
        events = events[: _deltas(events)[-1] + 1]
    return events, False


def stream_chunks(
    message: JsonObject, faults: Faults
) -> tuple[list[Chunk], Literal["mid-body"] | None]:
    """The chunks of the stream (slow-stream delays between events) and its reset, if any."""
    events, reset = stream_events(message, faults)
    frames = [messages.sse_frame(event, data) for event, data in events]
    if faults.done_sentinel and not reset:
        frames.append(messages.DONE_FRAME)
    chunks = [Chunk(frame, faults.slow_stream_s if i else 0.0) for i, frame in enumerate(frames)]
    return chunks, "mid-body" if reset else None
