"""The official SDK imported in the background, once a run knows it needs it.

The SDK (`anthropic`, ≈ 2 s of CPU to import) is not imported at start-up: the plugin starts
importing it in the background once the suite is planned and its checks need it, so that the
import overlaps start-up and the first requests, and a run whose checks do not need it
(`--select auth`) does without it. One thread imports; the others wait for it, each for a bounded
time and only until the run stops: an import can hang (a Ctrl-C that reached the main thread in
the middle of an import of its own may leave a module's import lock held for good), and no
thread of a run may wait without end for another. The importing thread is a daemon: a process
that is done does not wait for it either.
"""

from __future__ import annotations

import contextlib
import threading

# Far past the import's ≈ 2 s on a busy machine; a check that waited this long imports the SDK
# itself (and reports what that import raises).
SDK_WAIT_S = 60.0

_loader: threading.Thread | None = None
_loaded = threading.Event()
_loader_lock = threading.Lock()


def start_loading_sdk() -> None:
    """Start importing the SDK on a background thread (once)."""
    global _loader
    with _loader_lock:
        if _loader is None:
            _loader = threading.Thread(target=_import_sdk, name="foundry-sdk-import", daemon=True)
            _loader.start()


def wait_for_sdk(
    timeout: float = SDK_WAIT_S, *, until: threading.Event | None = None, poll: float = 0.1
) -> bool:
    """Wait until the background import, if one was started, has ended; at most ``timeout``
    seconds, and no longer than ``until`` is clear. Whether it has ended (or none was started)."""
    with _loader_lock:
        started = _loader is not None
    if not started:
        return True
    waited = 0.0
    while not _loaded.wait(min(poll, timeout - waited)):
        waited += poll
        if waited >= timeout or (until is not None and until.is_set()):
            return False
    return True


def _import_sdk() -> None:
    # If it fails, the checks that need the SDK import it themselves and report the error.
    try:
        with contextlib.suppress(Exception):
            import anthropic  # noqa: F401
    finally:
        _loaded.set()
