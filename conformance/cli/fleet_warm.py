"""Imported by a fleet's fork server before it forks any target: everything a run imports and
compiles, once, so that each target's process starts warm (see ``fleet_procs``).

The suite's own modules are imported here too, so that no target parses and compiles them
again: pytest collects the modules it finds imported. A run rewrites no asserts anyway
(``--assert=plain``, ``run.pytest_args``): the suite has none (``tests/suite/test_no_asserts.py``).
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import pkgutil

import _pytest.config  # noqa: F401
import pytest  # noqa: F401
import pytest_html  # type: ignore[import-untyped]  # noqa: F401

from .. import suite
from ..plugin import hooks  # noqa: F401
from ..report.html import TEMPLATE, environment
from ..target.wire import tls_context
from . import run  # noqa: F401

# What a run imports on its way (pytest's plugins, the client's HTTP/1.1 stack, the SDK's bridge),
# each at most a few milliseconds, twenty targets over.
LATER = (
    "anthropic",
    "_pytest.faulthandler",
    "_pytest.helpconfig",
    "_pytest.pastebin",
    "_pytest.setuponly",
    "_pytest.setupplan",
    "_pytest.skipping",
    "_pytest.threadexception",
    "_pytest.tracemalloc",
    "_pytest.unittest",
    "_pytest.warnings",
    "pytest_html.plugin",
    "pytest_metadata.plugin",
    "anyio.pytest_plugin",  # an entry point of pytest's: it imports asyncio's backend
    "anyio._backends._asyncio",
    "httpcore",
    "h11",
    "certifi",
    "encodings.idna",
    "conformance.target.sdk",
    "conformance.judge.runwide",
    "conformance.judge.schema",
    "conformance.judge.shapes",
    "conformance.judge.capabilities",
    "pytest_html.hooks",
    "pytest_metadata.hooks",
    "xdist.plugin",  # where pytest-xdist is installed (development), its entry point loads
    "pdb",  # pytest's debugging plugin
    "faulthandler",
    "opentelemetry.propagate",  # the SDK's client, where OpenTelemetry is installed
    "encodings.utf_8_sig",
)
for name in LATER:
    with contextlib.suppress(Exception):  # a run imports what it needs and reports a failure
        importlib.import_module(name)

# The SDK's models that a run's answers and stream events are parsed into: pydantic builds each
# one's validator on first use (≈25 ms of every target's CPU, done once here instead).
_SDK_MODELS = (
    ("anthropic.types", ("Message", "MessageTokensCount", "TextBlock", "Usage", "ParsedMessage")),
    ("anthropic.types.parsed_message", ("ParsedTextBlock",)),
    (
        "anthropic.types",
        (
            "RawMessageStartEvent",
            "RawMessageDeltaEvent",
            "RawMessageStopEvent",
            "RawContentBlockStartEvent",
            "RawContentBlockDeltaEvent",
            "RawContentBlockStopEvent",
        ),
    ),
    (
        "anthropic.lib.streaming._types",
        ("ParsedContentBlockStopEvent", "ParsedMessageStopEvent", "TextEvent"),
    ),
)
for found in pkgutil.iter_modules(suite.__path__, f"{suite.__name__}."):
    importlib.import_module(found.name)

for module, names in _SDK_MODELS:
    with contextlib.suppress(Exception):  # another SDK release: a run builds what it uses
        for name in names:
            getattr(importlib.import_module(module), name).model_rebuild()

tls_context()  # the CA bundle, loaded once

for template in (TEMPLATE, "pacing.html.j2", "since.html.j2", "fleet.html.j2"):
    environment().get_template(template)
# Everything imported so far lives as long as the server: out of the collector's sight, so that
# no target's process walks (and so copies) the pages it shares with the server.
gc.freeze()
