"""The processes of a fleet run: one per target, each running the very ``foundry-conformance run``
the command line runs for one endpoint, and one that keeps the quota book the targets share.

Targets run in processes of their own so that nothing one of them does (a crash, a hang, a
Ctrl-C) reaches another, and so that each is the CLI's run unchanged: its own pytest session,
report directory, exit status and terminal output (in ``run.log`` of its report directory).
Where the platform allows (``forkserver``), they are forked from a server that has imported
pytest, the plugin, the SDK and the templates once (``fleet_warm``), so that a target starts in
milliseconds instead of seconds. Each target runs in a process group of its own: a terminal's
Ctrl-C reaches the fleet, which tells each target once (a second Ctrl-C: twice).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
from collections.abc import Iterator, Mapping, Sequence
from multiprocessing.context import BaseContext
from multiprocessing.managers import BaseManager
from pathlib import Path

from ..core.quota import BOOK_TYPE, QuotaBook
from .main import main

# What the fork server imports before it forks a target (see fleet_warm).
PRELOAD = ["conformance.cli.fleet_warm"]

_BOOK: QuotaBook | None = None


def context() -> BaseContext:
    """``forkserver`` with the run's modules imported once, where the platform has it."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")


def _the_book() -> QuotaBook:
    """The one book of the book's process (every target's proxy reaches this object)."""
    global _BOOK
    if _BOOK is None:
        _BOOK = QuotaBook()
    return _BOOK


class _BookServer(BaseManager):
    """Serves the fleet's quota book to its targets' processes."""


_BookServer.register(BOOK_TYPE, callable=_the_book)


def _ignore_interrupts() -> None:
    # The book outlives the targets' own Ctrl-C handling: they still settle their answers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def served_book(ctx: BaseContext) -> Iterator[str]:
    """Serve a quota book for the fleet's targets; yields its address."""
    server = _BookServer(ctx=ctx)
    server.start(initializer=_ignore_interrupts)
    try:
        yield str(server.address)
    finally:
        server.shutdown()


def run_target(argv: Sequence[str], env: Mapping[str, str], log: str) -> None:
    """A target's process: ``foundry-conformance ARGV`` in ``env``, its terminal in ``log``;
    exits with the run's status."""
    if hasattr(os, "setpgrp"):
        os.setpgrp()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    os.environ.clear()
    os.environ.update(env)
    code = 1
    try:
        code = main(list(argv))
    except KeyboardInterrupt:
        code = 130
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        # Like the console script after a second Ctrl-C: threads still in flight are left.
        os._exit(code)


def report_dir_of(root: Path, name: str) -> Path:
    """Where a target's report directory is, under the fleet's ``--report-dir``."""
    return root / name
