"""Signals at any moment of start-up: every run ends, within a bound, with its summary.

Fifty runs of the real console script, each sent SIGINT (once, or a storm of them) or SIGTERM
(then SIGINTs) at a random moment of its first two seconds — while the command line's modules
load, while the configuration resolves, while pytest starts, collects and imports the SDK in the
background, during the inventory and the first checks, serial or under ``--jobs``. The delays
count from the moment the harness's handlers are in place (read from ``/proc``): before that the
interpreter itself is starting (some 10 to 30 ms), and a signal then ends it as it would any
Python program's (docs/faults.md). Five runs at a time, each bounded; a run that hangs is sent
SIGABRT first, so that its thread dump (``PYTHONFAULTHANDLER``) says where.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from conformance.core.platform_load import builtin_profile
from conformance.summary.verdict import EXIT_INTERRUPTED, EXIT_TERMINATED

from .helpers import TRACEBACK_MARKERS

SCRIPT = Path(sys.executable).with_name("foundry-conformance")
NAMED = builtin_profile().emulator_deployments[0]
RUNS = 50
AT_ONCE = 5
WITHIN_S = 2.0  # the signals come at a random moment of the first two seconds
STOP_WITHIN_S = 15.0  # after the first signal, the run has ended (measured: at most ~3 s)
HANDLERS_WITHIN_S = 10.0
SIGTERM_CAUGHT = 1 << (signal.SIGTERM - 1)  # Python itself does not catch SIGTERM: the harness does
# The signals a run is sent, by kind: one Ctrl-C, a storm of them, SIGTERM and then Ctrl-Cs.
PATTERNS: dict[str, tuple[signal.Signals, ...]] = {
    "sigint": (signal.SIGINT,),
    "storm": (signal.SIGINT,) * 8,
    "sigterm": (signal.SIGTERM, signal.SIGINT, signal.SIGINT, signal.SIGINT),
}
STORM_GAP_S = 0.02

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/status").is_file(), reason="reads the handlers from /proc (Linux)"
)


@dataclass
class Ended:
    """How one signalled run ended, and what is wrong with that (empty: nothing)."""

    index: int
    pattern: str
    jobs: int
    delay_s: float
    code: int | None
    stopped_after_s: float
    problems: list[str]

    def line(self) -> str:
        return (
            f"run {self.index} ({self.pattern}, --jobs {self.jobs}, at {self.delay_s:.2f} s): "
            f"exit {self.code}, ended {self.stopped_after_s:.1f} s later: {'; '.join(self.problems)}"
        )


def _caught(pid: int) -> int | None:
    """The signals ``pid`` catches (SigCgt), or None once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("SigCgt:"):
            return int(line.split()[1], 16)
    return 0


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "FOUNDRY_"))}
    env["PYTHONFAULTHANDLER"] = "1"  # SIGABRT on a hang: every thread's stack on stderr
    return env


def _one(index: int, pattern: str, jobs: int, delay_s: float, tmp: Path) -> Ended:
    report_dir = tmp / f"run-{index}"
    command = [
        *(str(SCRIPT), "run", "--emulator", "slow=0.2", "--deployment", NAMED),
        *("--jobs", str(jobs), "--report-dir", str(report_dir)),
    ]
    problems: list[str] = []
    child = subprocess.Popen(
        command,
        cwd=tmp,
        env=_environment(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out = err = b""
    stopped_after = 0.0
    try:
        waited = time.monotonic() + HANDLERS_WITHIN_S
        while not (_caught(child.pid) or 0) & SIGTERM_CAUGHT:
            if child.poll() is not None or time.monotonic() > waited:
                problems.append("the harness's signal handlers were never in place")
                break
            time.sleep(0.002)
        time.sleep(delay_s)
        first = time.monotonic()
        for sent, signum in enumerate(PATTERNS[pattern]):
            if sent:
                time.sleep(STORM_GAP_S)
            if child.poll() is None:
                child.send_signal(signum)
        try:
            out, err = child.communicate(timeout=STOP_WITHIN_S)
        except subprocess.TimeoutExpired:
            child.send_signal(signal.SIGABRT)  # the thread dump, for the failure's message
            out, err = child.communicate(timeout=10)
            problems.append(f"a hang: not ended {STOP_WITHIN_S:g} s after the signal")
        stopped_after = time.monotonic() - first
    finally:
        if child.poll() is None:
            child.kill()
            out, err = child.communicate()
    text = (out + err).decode("utf-8", "replace")
    problems.extend(
        _judged(pattern, child.returncode, text, err.decode("utf-8", "replace"), report_dir)
    )
    return Ended(index, pattern, jobs, delay_s, child.returncode, stopped_after, problems)


def _judged(pattern: str, code: int | None, text: str, err: str, report_dir: Path) -> list[str]:
    """What is wrong with how a signalled run ended."""
    problems = []
    expected = EXIT_TERMINATED if pattern == "sigterm" else EXIT_INTERRUPTED
    how = "terminated (SIGTERM)" if pattern == "sigterm" else "interrupted"
    if code != expected:
        problems.append(f"exit {code}, not {expected}")
    if any(marker in text for marker in TRACEBACK_MARKERS):
        problems.append("a traceback:\n" + text[-3000:])
    last = err.rstrip("\n").rpartition("\n")[2]
    if not last.startswith(f"foundry-conformance: {how}; "):
        problems.append(f"stderr ends with {last!r}")
    try:
        summary = json.loads((report_dir / "summary.json").read_text("utf-8"))
    except (OSError, ValueError) as exc:
        problems.append(f"no summary: {exc}")
        return problems
    if summary["incomplete"] is not True:
        problems.append("the summary says it is complete")
    # Nothing that finished failed against the emulator: the run is incomplete, not judged.
    if summary["verdict"] != "incomplete":
        problems.append(f"the verdict is {summary['verdict']!r}, not 'incomplete'")
    causes = {entry["cause"]: entry["summary"] for entry in summary["cut_short"]}
    words = "terminated (SIGTERM)" if pattern == "sigterm" else "interrupted (Ctrl-C)"
    if not causes.get("interrupted", "").startswith(f"The run was {words} "):
        problems.append(f"the summary does not say it was {words}: {causes}")
    if not (report_dir / "diagnosis.html").is_file():
        problems.append("no diagnosis.html")
    return problems


def test_signals_at_random_moments_of_start_up_each_leave_a_summary_within_seconds(
    tmp_path: Path,
) -> None:
    seed = random.randrange(1 << 32)
    chosen = random.Random(seed)
    runs = [
        (
            index,
            list(PATTERNS)[index % len(PATTERNS)],
            (1, 4)[index % 2],
            chosen.uniform(0, WITHIN_S),
        )
        for index in range(RUNS)
    ]
    with ThreadPoolExecutor(AT_ONCE) as pool:
        ended = list(pool.map(lambda run: _one(*run, tmp_path), runs))

    failed = [run.line() for run in ended if run.problems]
    assert not failed, f"seed {seed}: {len(failed)} of {RUNS} runs:\n" + "\n".join(failed)
    slowest = max(run.stopped_after_s for run in ended)
    assert slowest < STOP_WITHIN_S, slowest
