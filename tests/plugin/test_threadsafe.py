"""Loggers created on threads while pytest's logging plugin walks the registry, as under --jobs."""

from __future__ import annotations

import logging
import threading

from conformance.plugin.threadsafe import thread_safe_logger_registry


def test_the_registry_can_be_walked_while_threads_create_loggers() -> None:
    thread_safe_logger_registry()
    thread_safe_logger_registry()  # once is enough; twice changes nothing
    registry = logging.Logger.manager.loggerDict
    stop = threading.Event()

    def create() -> None:
        for i in range(20_000):
            if stop.is_set():
                return
            logging.getLogger(f"foundry-conformance-test.threadsafe.{i}")

    thread = threading.Thread(target=create)
    thread.start()
    try:
        walked = 0
        while thread.is_alive():
            for logger in registry.values():  # as pytest's catching_logs does
                walked += isinstance(logger, logging.Logger)
    finally:
        stop.set()
        thread.join()
    assert walked > 0
    assert "foundry-conformance-test.threadsafe.1" in logging.Logger.manager.loggerDict
