"""Ctrl-C: the run stops promptly, keeps the report of what finished, and exits 130.

The real console script runs in a subprocess against a slow emulator (each answer takes a
second), and gets SIGINT once the first checks have finished.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from conformance.cli import run as cli_run
from conformance.cli.run import EXIT_INTERRUPTED, EXIT_TERMINATED
from conformance.core.platform_load import builtin_profile

from .conftest import Cli
from .helpers import TRACEBACK_MARKERS, no_traceback

SCRIPT = Path(sys.executable).with_name("foundry-conformance")
# Named, so that the run starts without taking the inventory of the default names (which waits
# out the slow emulator fifteen times before the first check).
NAMED = builtin_profile().emulator_deployments[0]
STOP_WITHIN_S = 10.0  # after SIGINT: the run finishes its report and exits (measured: ~3 s)
PROGRESS_WITHIN_S = 60.0  # start-up, and the first checks against the slow emulator


class Output:
    """A stream read on a thread, so that the test can wait for a line without blocking."""

    def __init__(self, stream: object) -> None:
        self.text = ""
        self._stream = stream
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        for chunk in iter(lambda: self._stream.read(1), ""):  # type: ignore[attr-defined]
            self.text += chunk

    def wait_for(self, marker: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while marker not in self.text:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def finish(self) -> str:
        self._thread.join(timeout=5)
        return self.text


@contextmanager
def sigint_honoured() -> Iterator[None]:
    """A child inherits an *ignored* SIGINT (as from a CI step started in the background), and
    Python then never raises KeyboardInterrupt: make sure it is not ignored when the child starts."""
    previous = signal.getsignal(signal.SIGINT)
    if previous == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        if previous == signal.SIG_IGN:
            signal.signal(signal.SIGINT, previous)


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "FOUNDRY_"))}
    env["PYTHONUNBUFFERED"] = "1"  # progress reaches the pipe as pytest writes it
    return env


@dataclass
class Interrupted:
    """How an interrupted run ended."""

    code: int
    stopped_after: float
    out: str
    err: str


def run_and_interrupt(
    command: list[str],
    cwd: Path,
    markers: tuple[str, ...],
    *,
    group: bool = False,
    sig: int = signal.SIGINT,
    again_after: str | None = None,
) -> Interrupted:
    """Start ``command``, wait for each of ``markers`` on stdout, then send ``sig`` (SIGINT);
    with ``again_after``, send it once more when that appears.

    ``group`` sends it to the whole process group, as a terminal's Ctrl-C does (pytest-xdist
    workers included); otherwise to the command alone.
    """
    with sigint_honoured():
        child = subprocess.Popen(
            command,
            cwd=cwd,
            env=_environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=group,
        )
    stdout, stderr = Output(child.stdout), Output(child.stderr)
    try:
        for marker in markers:
            assert stdout.wait_for(marker, PROGRESS_WITHIN_S), stdout.text[-2000:]
        time.sleep(0.5)  # inside a request of the next check
        if group:
            os.killpg(child.pid, sig)
        else:
            child.send_signal(sig)
        interrupted = time.monotonic()
        if again_after is not None:
            assert stdout.wait_for(again_after, STOP_WITHIN_S), stdout.text[-2000:]
            child.send_signal(sig)
        code = child.wait(timeout=STOP_WITHIN_S + 20)
        stopped_after = time.monotonic() - interrupted
    finally:
        if child.poll() is None:
            if group:
                os.killpg(child.pid, signal.SIGKILL)
            else:
                child.kill()
            child.wait()
        out, err = stdout.finish(), stderr.finish()
        for pipe in (child.stdout, child.stderr):
            if pipe is not None:
                pipe.close()
    return Interrupted(code, stopped_after, out, err)


def test_ctrl_c_stops_promptly_keeps_the_report_and_exits_130(tmp_path: Path) -> None:
    report_dir = tmp_path / "reports"
    command = [
        *(str(SCRIPT), "run", "--emulator", "slow=1", "--jobs", "1", "--deployment", NAMED),
        *("--report-dir", str(report_dir)),
    ]
    # The endpoint checks are done once pytest reports the auth file (each answer takes 1 s).
    ended = run_and_interrupt(command, tmp_path, ("test_auth.py",))
    code, stopped_after, out, err = ended.code, ended.stopped_after, ended.out, ended.err

    assert stopped_after < STOP_WITHIN_S, f"took {stopped_after:.1f} s to stop"
    assert code == EXIT_INTERRUPTED, (code, err[-2000:])
    for marker in TRACEBACK_MARKERS:
        assert marker not in err, err[-3000:]
        assert marker not in out, out[-3000:]
    where = report_dir / "diagnosis.html"
    assert err.endswith(
        f"foundry-conformance: interrupted; the report of the checks that finished is {where}\n"
    ), err
    assert where.is_file()
    summary = json.loads((report_dir / "summary.json").read_text("utf-8"))
    assert summary["incomplete"] is True
    (cause,) = summary["cut_short"]
    assert cause["cause"] == "interrupted"
    assert cause["summary"].startswith("The run was interrupted (Ctrl-C) before every check")
    statuses = {c["id"]: (c["status"], c["reason"]) for c in summary["checks"]}
    assert statuses["EP-REACH"][0] == "passed"
    assert statuses["EP-BASE-PATH"][0] == "passed"
    # The check that was running says so, and is not counted as a pass, nor as a failure.
    unfinished = [c for c in summary["checks"] if c["reason"].startswith("not finished")]
    assert [(c["status"], c["cut_short"]) for c in unfinished] == [("error", "interrupted")]
    assert cause["checks"] == [c["id"] for c in unfinished]
    # Nothing that finished failed: the run is incomplete (the exit status is still 130).
    assert summary["verdict"] == "incomplete"
    assert "! foundry-conformance: INCOMPLETE" in out
    assert "cut short (1 not judged): The run was interrupted (Ctrl-C)" in out


def test_ctrl_c_under_jobs_waits_for_the_checks_in_flight_and_keeps_them(tmp_path: Path) -> None:
    """Under --jobs, Ctrl-C starts nothing new, lets the checks in flight finish, and reports
    every check that finished, even those pytest had not reported yet."""
    report_dir = tmp_path / "reports"
    command = [
        *(str(SCRIPT), "run", "--emulator", "slow=1", "--jobs", "4", "--deployment", NAMED),
        *("--report-dir", str(report_dir)),
    ]
    # The first four checks (both endpoint checks among them) are reported before the auth file.
    ended = run_and_interrupt(command, tmp_path, ("4 requests in flight", "test_auth.py"))
    code, stopped_after, out, err = ended.code, ended.stopped_after, ended.out, ended.err

    assert stopped_after < STOP_WITHIN_S, f"took {stopped_after:.1f} s to stop"
    assert code == EXIT_INTERRUPTED, (code, err[-2000:])
    for marker in TRACEBACK_MARKERS:
        assert marker not in err, err[-3000:]
        assert marker not in out, out[-3000:]
    assert "waiting for the 4 requests in flight" in out
    summary = json.loads((report_dir / "summary.json").read_text("utf-8"))
    assert summary["incomplete"] is True
    passed = [c for c in summary["checks"] if c["status"] == "passed"]
    # Four checks had finished when Ctrl-C came; the four in flight finished and count too.
    assert len(passed) >= 6, summary["checks"]
    # The run stopped sending: the checks waiting for a slot stopped before their next request
    # (the checks of a whole run send 40; the run's own inventory and auth probes not counted).
    by_checks = sum(row["requests"] for row in summary["usage"]["by_check"].values())
    assert by_checks < 20, summary["usage"]
    # (DEP-LIFECYCLE judges a deployment named after its model without a request.)
    assert all(c["evidence"] for c in passed if c["id"] not in ("DEP-INVENTORY", "DEP-LIFECYCLE"))
    assert summary["usage"]["requests"] >= len(passed)
    assert summary["verdict"] != "conformant"


def test_ctrl_c_twice_under_jobs_stops_waiting_for_the_requests_in_flight(
    tmp_path: Path,
) -> None:
    """The second Ctrl-C: the report of what finished is written at once, and the process ends
    without waiting for answers that take 8 s."""
    report_dir = tmp_path / "reports"
    command = [
        *(str(SCRIPT), "run", "--emulator", "slow=8", "--jobs", "4", "--deployment", NAMED),
        *("--report-dir", str(report_dir)),
    ]
    ended = run_and_interrupt(
        command, tmp_path, ("test_endpoint.py .",), again_after="Ctrl-C again to stop waiting"
    )
    assert ended.stopped_after < 6.0, f"took {ended.stopped_after:.1f} s: it waited"
    assert ended.code == EXIT_INTERRUPTED, (ended.code, ended.err[-2000:])
    no_traceback(ended.out + ended.err)
    summary = json.loads((report_dir / "summary.json").read_text("utf-8"))
    assert summary["incomplete"] is True
    assert {c["id"]: c["status"] for c in summary["checks"]}["EP-REACH"] == "passed"


def test_sigterm_ends_the_run_like_ctrl_c_with_the_report_and_exit_143(tmp_path: Path) -> None:
    """A CI job cancelled, `timeout`, `docker stop`: SIGTERM keeps what was measured too."""
    report_dir = tmp_path / "reports"
    command = [
        *(str(SCRIPT), "run", "--emulator", "slow=1", "--jobs", "1", "--deployment", NAMED),
        *("--report-dir", str(report_dir)),
    ]
    ended = run_and_interrupt(command, tmp_path, ("test_auth.py",), sig=signal.SIGTERM)

    assert ended.stopped_after < STOP_WITHIN_S, f"took {ended.stopped_after:.1f} s to stop"
    assert ended.code == EXIT_TERMINATED == 143, (ended.code, ended.err[-2000:])
    no_traceback(ended.out + ended.err)
    where = report_dir / "diagnosis.html"
    assert ended.err.endswith(
        f"foundry-conformance: terminated (SIGTERM); the report of the checks that finished is "
        f"{where}\n"
    ), ended.err
    summary = json.loads((report_dir / "summary.json").read_text("utf-8"))
    assert summary["incomplete"] is True
    assert summary["cut_short"][0]["summary"].startswith("The run was terminated (SIGTERM)")
    assert {c["id"]: c["status"] for c in summary["checks"]}["EP-REACH"] == "passed"


def test_an_interrupt_before_any_check_finished_says_no_report_was_written(
    cli: Callable[..., Cli], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Ctrl-C during pytest's start-up: nothing finished, and the last line says so."""
    monkeypatch.setattr(cli_run.pytest, "main", lambda *a, **k: pytest.ExitCode.INTERRUPTED)
    result = cli("run", "--emulator", "--report-dir", str(tmp_path / "r"))
    assert result.exit_code == EXIT_INTERRUPTED
    assert result.err == (
        "foundry-conformance: interrupted; no check had finished, so no report was written\n"
    )


def test_an_interrupt_while_the_command_loads_is_one_line_not_a_traceback(
    cli: Callable[..., Cli], monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_run, "resolve_settings", interrupted)
    result = cli("run", "--emulator")
    assert (result.exit_code, result.err) == (130, "foundry-conformance: interrupted\n")
