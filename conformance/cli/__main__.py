"""``python -m conformance.cli``: the console script."""

from __future__ import annotations

from .console import console

# Guarded: a fleet's target processes import the parent's main module under another name.
if __name__ == "__main__":
    console()
