"""The official SDK imported in the background, once a run knows it needs it.

The SDK (`anthropic`, ≈ 2 s of CPU to import) is not imported at start-up: the plugin starts
importing it in the background once the suite is planned and its checks need it, so that the
import overlaps start-up and the first requests, and a run whose checks do not need it
(`--select auth`) does without it. One thread imports; the others wait for it.
"""

from __future__ import annotations

import contextlib
import threading

_loader: threading.Thread | None = None
_loader_lock = threading.Lock()


def start_loading_sdk() -> None:
    """Start importing the SDK on a background thread (once)."""
    global _loader
    with _loader_lock:
        if _loader is None:
            _loader = threading.Thread(target=_import_sdk, name="foundry-sdk-import")
            _loader.start()


def wait_for_sdk() -> None:
    """Return once the background import, if one was started, has ended."""
    with _loader_lock:
        loader = _loader
    if loader is not None:
        loader.join()


def _import_sdk() -> None:
    # If it fails, the checks that need the SDK import it themselves and report the error.
    with contextlib.suppress(Exception):
        import anthropic  # noqa: F401
