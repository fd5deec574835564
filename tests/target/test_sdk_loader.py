"""The SDK's background import: a check waits for it within a bound, and not once the run stops
(an import that hangs for good is left behind, never joined)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from conformance.target import sdk_loader


@pytest.fixture
def hanging_import(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """An import that has started and never ends (until the test lets it)."""
    release = threading.Event()
    monkeypatch.setattr(sdk_loader, "_loaded", threading.Event())
    monkeypatch.setattr(sdk_loader, "_loader", threading.Thread(target=release.wait, daemon=True))
    yield release
    release.set()


def test_a_hanging_import_is_waited_for_no_longer_than_the_bound(
    hanging_import: threading.Event,
) -> None:
    start = time.monotonic()
    assert sdk_loader.wait_for_sdk(0.3, poll=0.05) is False
    assert 0.25 < time.monotonic() - start < 2.0


def test_a_run_that_stops_stops_waiting_for_the_import(hanging_import: threading.Event) -> None:
    stopping = threading.Event()
    threading.Timer(0.2, stopping.set).start()
    start = time.monotonic()
    assert sdk_loader.wait_for_sdk(60, until=stopping, poll=0.05) is False
    assert time.monotonic() - start < 2.0


def test_an_import_that_ends_is_waited_for(monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = threading.Event()
    monkeypatch.setattr(sdk_loader, "_loaded", loaded)
    monkeypatch.setattr(sdk_loader, "_loader", threading.Thread(target=lambda: None))
    threading.Timer(0.1, loaded.set).start()
    assert sdk_loader.wait_for_sdk(5, poll=0.05) is True


def test_no_import_started_means_nothing_to_wait_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sdk_loader, "_loader", None)
    assert sdk_loader.wait_for_sdk(0.01) is True


def test_the_importing_thread_never_holds_the_process_up() -> None:
    sdk_loader.start_loading_sdk()
    loader = sdk_loader._loader
    assert loader is not None and loader.daemon
