"""``python -m conformance.cli``: the console script."""

from __future__ import annotations

from .console import console

console()
