"""``SurvivingStream``: a standard stream whose reader is gone drops the rest, never raises, and
says so for the summary."""

from __future__ import annotations

import io
import os
import sys

import pytest

from conformance.cli.output import SurvivingStream, flush_for_exit, lost, surviving_output


def test_a_dead_pipe_drops_what_follows_and_says_so() -> None:
    read, write = os.pipe()
    os.close(read)
    inner = io.TextIOWrapper(io.FileIO(write, "w"), encoding="utf-8", write_through=True)
    stream = SurvivingStream(inner, "stdout")
    assert lost([stream]) is None
    assert stream.write("a line\n") == len("a line\n")  # EPIPE: noted, not raised
    stream.write("another\n")
    stream.flush()
    assert isinstance(stream.error, BrokenPipeError)
    assert lost([stream]) == (
        "the output to stdout (Broken pipe) was cut short; the run went on regardless"
    )
    inner.write("Python's own flush at exit\n")
    inner.flush()  # the descriptor now points at the null device: no error any more
    inner.close()


def test_a_stream_someone_closed_is_lost_too() -> None:
    inner = io.StringIO()
    inner.close()
    stream = SurvivingStream(inner, "stderr")  # type: ignore[arg-type]
    stream.write("x")
    stream.flush()
    assert stream.error is not None


def test_a_closed_standard_stream_is_the_null_device(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdout", None)  # as Python has it for ``>&-``
    with surviving_output() as (out, _):
        print("nowhere")
        assert (
            lost([out]) == "the output to stdout (closed) was cut short; the run went on regardless"
        )
    left = sys.stdout  # stays, for Python's own flush at exit
    assert left is not None
    flush_for_exit()
    left.close()
