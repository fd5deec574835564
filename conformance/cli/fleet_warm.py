"""Imported by a fleet's fork server before it forks any target: everything a run imports and
compiles, once, so that each target's process starts warm (see ``fleet_procs``)."""

from __future__ import annotations

import contextlib
import gc

import _pytest.config  # noqa: F401
import pytest  # noqa: F401
import pytest_html  # type: ignore[import-untyped]  # noqa: F401

from ..plugin import hooks  # noqa: F401
from ..report.html import TEMPLATE, environment
from . import run  # noqa: F401

with contextlib.suppress(Exception):
    import anthropic  # noqa: F401  # the SDK, which the Messages and SDK checks need

environment().get_template(TEMPLATE)
environment().get_template("fleet.html.j2")
# Everything imported so far lives as long as the server: out of the collector's sight, so that
# no target's process walks (and so copies) the pages it shares with the server.
gc.freeze()
