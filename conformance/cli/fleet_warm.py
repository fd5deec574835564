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

from ..plugin import hooks  # noqa: F401
from ..plugin.warm import prepare_runs
from ..report.html import TEMPLATE, environment
from .run import SUITE_DIR

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

prepare_runs()  # the SDK's models built, the CA bundle loaded
# The suite's modules, under the names pytest gives them when it collects SUITE_DIR.
for found in pkgutil.iter_modules([str(SUITE_DIR)], "conformance.suite."):
    importlib.import_module(found.name)

for template in (TEMPLATE, "pacing.html.j2", "since.html.j2", "fleet.html.j2"):
    environment().get_template(template)
# Everything imported so far lives as long as the server: out of the collector's sight, so that
# no target's process walks (and so copies) the pages it shares with the server.
gc.freeze()
