"""The console script, ``foundry-conformance``: the signal handlers first, then the command.

A Ctrl-C while the modules of the command line load (the first tenth of a second) would
otherwise be Python's own ``KeyboardInterrupt`` traceback; this module imports nothing of the
harness but its signal handling (``plugin.stopping``) and its guard of the output (``output``),
the standard library only, before it installs the handlers. What comes before this module's
first line (the interpreter's own start-up, some 10 to 30 ms) has Python's defaults: a signal
then ends the process as it would any Python program's, before anything was sent or written.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import NoReturn

from ..plugin.stopping import StopSignals
from .output import flush_for_exit


def console() -> NoReturn:
    """``main``, then exit with its status.

    No signal cuts the exit short. A thread still alive then (a check left behind after a second
    Ctrl-C, whose request cannot be interrupted; an import that never ended) is not waited for:
    the report is written by then, so the process ends at once, its output flushed.
    """
    stops = StopSignals().install()
    try:
        from .main import main

        code = main(stops=stops)
    except KeyboardInterrupt:  # a signal in the instant between the command's end and this line
        code = stops.exit_status
    with stops.shielded():
        flush_for_exit()
        stops.hold()
        others = [t for t in threading.enumerate() if t is not threading.main_thread()]
        if any(t.is_alive() for t in others):
            os._exit(code)
        sys.exit(code)
