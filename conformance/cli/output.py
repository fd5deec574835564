"""Standard output and error that cannot kill the run.

``foundry-conformance run | head`` closes the pipe after ten lines: every write after that raises
``BrokenPipeError`` wherever it happens (pytest's progress, the verdict block), and Python's own
flush at exit raises it once more. ``SurvivingStream`` wraps ``sys.stdout`` and ``sys.stderr``
for the time of a command: the first write or flush that fails (a closed pipe, a full disk, a
terminal gone) makes it drop what follows, and points its file descriptor at the null device so
that no later flush (pytest's, Python's at exit) fails either. The run goes on, writes its report
and ends with the exit status of its verdict; ``lost()`` says which stream was cut short, for the
summary's notes.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TextIO, cast


class SurvivingStream:
    """A text stream whose failures to write are noted, never raised."""

    def __init__(self, inner: TextIO, name: str) -> None:
        self._inner = inner
        self.name = name
        self.error: OSError | None = None

    @classmethod
    def standard(cls, name: str) -> SurvivingStream:
        """``sys.stdout`` or ``sys.stderr`` (``name``), wrapped. One whose descriptor was closed
        when the process started (``foundry-conformance run >&-``; Python then has None) is
        the null device, noted as lost: its descriptor is taken by the null device too, so that
        no file the run opens gets it (and with it what is written to the stream)."""
        stream = getattr(sys, name)
        if stream is not None:
            return cls(stream, name)
        fd = 1 if name == "stdout" else 2
        with contextlib.suppress(OSError):
            os.fstat(fd)
            fd = -1  # open: something else has it now; leave it be
        if fd >= 0:
            _point_at_devnull(fd)
        wrapped = cls(open(os.devnull, "w", encoding="utf-8"), name)  # noqa: SIM115
        wrapped.error = OSError(errno.EBADF, "closed")
        return wrapped

    def write(self, text: str) -> int:
        if self.error is None:
            try:
                self._inner.write(text)
            except (OSError, ValueError) as exc:  # ValueError: a stream someone closed
                self._lose(exc)
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        try:
            self._inner.flush()
        except (OSError, ValueError) as exc:
            if self.error is None:
                self._lose(exc)

    def _lose(self, exc: OSError | ValueError) -> None:
        self.error = exc if isinstance(exc, OSError) else OSError(errno.EBADF, str(exc))
        with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
            _point_at_devnull(self._inner.fileno())  # what is buffered, and every later write
        with contextlib.suppress(OSError, ValueError):
            self._inner.flush()

    def __getattr__(self, name: str) -> Any:
        # isatty, fileno, encoding, errors, buffer…: as the stream it wraps.
        return getattr(self._inner, name)


def _point_at_devnull(fd: int) -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        if devnull != fd:
            os.dup2(devnull, fd)
    finally:
        if devnull != fd:
            os.close(devnull)


@contextlib.contextmanager
def surviving_output() -> Iterator[tuple[SurvivingStream, SurvivingStream]]:
    """``sys.stdout`` and ``sys.stderr`` as ``SurvivingStream`` inside the block (a stream that
    was closed from the start stays the null device after it, for Python's flush at exit)."""
    previous = sys.stdout, sys.stderr
    out, err = SurvivingStream.standard("stdout"), SurvivingStream.standard("stderr")
    wrapped = cast(TextIO, out), cast(TextIO, err)
    sys.stdout, sys.stderr = wrapped
    try:
        yield out, err
    finally:
        out.flush()
        err.flush()
        for name, before, inside, stream in (
            ("stdout", previous[0], wrapped[0], out),
            ("stderr", previous[1], wrapped[1], err),
        ):
            if getattr(sys, name) is inside:
                setattr(sys, name, before if before is not None else stream._inner)


def flush_for_exit() -> None:
    """Flush ``sys.stdout`` and ``sys.stderr`` before the process exits; one that cannot be
    flushed any more (its reader is gone) is pointed at the null device, so that Python's own
    flush at exit neither complains nor turns the exit status into 120."""
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            SurvivingStream(stream, "").flush()


def lost(streams: Iterable[SurvivingStream]) -> str | None:
    """A note for the summary if any of ``streams`` was cut short, else None."""
    gone = [f"{s.name} ({s.error.strerror or s.error})" for s in streams if s.error is not None]
    if not gone:
        return None
    return f"the output to {' and '.join(gone)} was cut short; the run went on regardless"
