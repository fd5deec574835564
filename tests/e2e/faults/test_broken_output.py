"""A terminal that goes away never costs the run: ``run | head -1``, a pipe whose reader is gone,
a full disk, a closed descriptor.

The real console script in a subprocess, its stdout (and in one case its stderr too) given to
each; the run must end with its verdict's exit status, every artifact written, no traceback on
what is left of its output, and the summary's notes saying the output was cut short.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import pytest

from conformance.core.platform_load import builtin_profile

from .helpers import no_traceback

SCRIPT = Path(sys.executable).with_name("foundry-conformance")
NAMED = builtin_profile().emulator_deployments[0]
ARTIFACTS = ("summary.json", "diagnosis.html", "support-ticket.md", "junit.xml")
BOUND_S = 120.0


def _environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "FOUNDRY_"))}


@contextmanager
def _stdout_of(kind: str) -> Iterator[dict[str, Any]]:
    """The ``subprocess`` arguments that give the run a stdout (and stderr) of ``kind``."""
    if kind == "dead pipe":  # the reader is gone before the first line: EPIPE on every write
        read, write = os.pipe()
        os.close(read)
        try:
            yield {"stdout": write, "stderr": subprocess.PIPE}
        finally:
            os.close(write)
    elif kind == "dead pipe, stderr too":
        read, write = os.pipe()
        os.close(read)
        try:
            yield {"stdout": write, "stderr": write}
        finally:
            os.close(write)
    elif kind == "full disk":
        with open("/dev/full", "wb") as full:
            yield {"stdout": full, "stderr": subprocess.PIPE}
    elif kind == "closed":  # ``>&-``: Python starts with sys.stdout None
        yield {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "close_stdout": True}
    else:
        raise AssertionError(kind)


def _closing_stdout() -> None:  # pragma: no cover - runs in the child, between fork and exec
    os.close(1)


def _run(report_dir: Path, kind: str) -> tuple[int, str]:
    command = [
        *(str(SCRIPT), "run", "--emulator", "--deployment", NAMED),
        *("--report-dir", str(report_dir)),
    ]
    with _stdout_of(kind) as streams:
        close_stdout = streams.pop("close_stdout", False)
        done = subprocess.run(
            command,
            cwd=report_dir.parent,
            env=_environment(),
            stdin=subprocess.DEVNULL,
            timeout=BOUND_S,
            preexec_fn=_closing_stdout if close_stdout else None,
            check=False,
            **streams,
        )
    err = done.stderr.decode("utf-8", "replace") if isinstance(done.stderr, bytes) else ""
    return done.returncode, err


@pytest.mark.parametrize("kind", ["dead pipe", "dead pipe, stderr too", "full disk", "closed"])
def test_a_stdout_that_cannot_be_written_costs_nothing_but_the_output(
    tmp_path: Path, kind: str
) -> None:
    if kind == "full disk" and not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    report_dir = tmp_path / "reports"
    code, err = _run(report_dir, kind)

    no_traceback(err)
    assert "Exception ignored" not in err, err
    for name in ARTIFACTS:
        assert (report_dir / name).is_file(), f"{name} was not written"
    summary = json.loads((report_dir / "summary.json").read_text("utf-8"))
    assert (summary["verdict"], code) == ("conformant", 0), err[-2000:]
    assert summary["incomplete"] is False
    cut = [note for note in summary["notes"] if "was cut short" in note]
    assert cut, summary["notes"]
    assert "stdout" in cut[0]  # (stderr too, had the run had anything to say there)
    # The page says it as well, among the run's notes.
    assert "was cut short" in (report_dir / "diagnosis.html").read_text("utf-8")


def test_run_piped_into_head_ends_with_its_verdict_and_its_report(tmp_path: Path) -> None:
    """``foundry-conformance run | head -1``: the reader takes one line and leaves."""
    report_dir = tmp_path / "reports"
    command = [
        *(str(SCRIPT), "run", "--emulator", "--deployment", NAMED),
        *("--report-dir", str(report_dir)),
    ]
    child = subprocess.Popen(
        command,
        cwd=tmp_path,
        env=_environment(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    stdout: IO[bytes] | None = child.stdout
    assert stdout is not None
    first = stdout.readline()
    stdout.close()  # as head does after its line
    try:
        _, err_bytes = child.communicate(timeout=BOUND_S)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    err = err_bytes.decode("utf-8", "replace")
    assert first.startswith(b"="), first  # pytest's first line
    no_traceback(err)
    assert child.returncode == 0, err[-2000:]
    summary = json.loads((report_dir / "summary.json").read_text("utf-8"))
    assert summary["verdict"] == "conformant"
    assert any("stdout (Broken pipe)" in note for note in summary["notes"]), summary["notes"]
    for name in ARTIFACTS:
        assert (report_dir / name).is_file(), f"{name} was not written"


@pytest.mark.parametrize("command", [["ticket"], ["report", "--out", "again.html"]])
def test_report_and_ticket_into_a_dead_pipe_say_nothing_and_do_not_crash(
    tmp_path: Path, command: list[str]
) -> None:
    """The commands that read a summary: their output lost, never a traceback."""
    report_dir = tmp_path / "reports"
    code, _ = _run(report_dir, "dead pipe")
    assert code == 0
    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run(
            [str(SCRIPT), *command[:1], str(report_dir / "summary.json"), *command[1:]],
            cwd=tmp_path,
            env=_environment(),
            stdin=subprocess.DEVNULL,
            stdout=write,
            stderr=subprocess.PIPE,
            timeout=BOUND_S,
            check=False,
        )
    finally:
        os.close(write)
    err = done.stderr.decode("utf-8", "replace")
    no_traceback(err)
    assert "Exception ignored" not in err, err
    assert done.returncode == 0, err
    if command[0] == "report":
        assert (tmp_path / "again.html").is_file()
