"""foundry-conformance: a conformance and diagnostics harness for Claude in Microsoft Foundry."""

from __future__ import annotations

from functools import cache

__all__ = ["__version__"]


def __getattr__(name: str) -> str:
    # ``__version__`` is read from the installed metadata on first use, not at import: importing
    # ``importlib.metadata`` costs a tenth of a second, before the console script can handle
    # Ctrl-C (``cli.console``).
    if name == "__version__":
        return _version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@cache
def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("foundry-conformance")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
        return "0.0.0+unknown"
