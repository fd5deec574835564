"""Work every run repeats that a process starting many runs (a fleet's fork server,
``cli/fleet_warm``) does once for all of them, before it forks them."""

from __future__ import annotations

import contextlib
import importlib

from ..target.wire import tls_context

# The SDK's models that a run's answers and stream events are parsed into: pydantic builds each
# one's validator on first use (≈25 ms of every run's CPU).
SDK_MODELS = (
    (
        "anthropic.types",
        (
            "Message",
            "MessageTokensCount",
            "TextBlock",
            "Usage",
            "ParsedMessage",
            "RawMessageStartEvent",
            "RawMessageDeltaEvent",
            "RawMessageStopEvent",
            "RawContentBlockStartEvent",
            "RawContentBlockDeltaEvent",
            "RawContentBlockStopEvent",
        ),
    ),
    ("anthropic.types.parsed_message", ("ParsedTextBlock",)),
    (
        "anthropic.lib.streaming._types",
        ("ParsedContentBlockStopEvent", "ParsedMessageStopEvent", "TextEvent"),
    ),
)


def prepare_runs() -> None:
    """Build the SDK's models a run uses and load the CA bundle of its TLS context (≈30 ms)."""
    for module, names in SDK_MODELS:
        with contextlib.suppress(Exception):  # another SDK release: a run builds what it uses
            for name in names:
                getattr(importlib.import_module(module), name).model_rebuild()
    tls_context()
