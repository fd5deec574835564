"""pytest's logging plugin walks the registry of loggers at every phase of every test
(``root_logger.manager.loggerDict.values()``, without logging's lock), while a check on a thread
of the pool, or the SDK importing in the background, may create a logger: the walk then fails with
"dictionary changed size during iteration", and the check it was reporting with it. The registry
is made to hand out a copy of its values, taken in one step, for as long as the process runs."""

from __future__ import annotations

import contextlib
import logging
from typing import Any


class _Registry(dict):  # type: ignore[type-arg]
    """``logging``'s registry of loggers, whose ``values()`` is a copy made in one step."""

    def values(self) -> Any:
        return list(super().values())


def thread_safe_logger_registry() -> None:
    """Let pytest walk the loggers while threads create them (idempotent)."""
    manager = logging.Logger.manager
    lock = getattr(logging, "_lock", None)  # the module's lock, which getLogger takes
    with lock if lock is not None else contextlib.nullcontext():
        if not isinstance(manager.loggerDict, _Registry):
            manager.loggerDict = _Registry(manager.loggerDict)
