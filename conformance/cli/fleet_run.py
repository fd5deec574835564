"""Running a fleet's targets: each in a process of its own (``fleet_procs``), at most
``--parallel`` at once, sharing one quota book; Ctrl-C (or SIGTERM) passed on to each running
target once, and again on a second Ctrl-C."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TextIO

from ..config.fleet import TargetSpec
from ..core.constants import ENV_QUOTA_BOOK
from ..core.publish import staging_path
from .fleet_procs import context, run_target, served_book
from .run import _terminate_as_interrupt

STOP_WAIT_S = 60.0  # after Ctrl-C: how long the targets may take to write what finished
# A target's terminal output; written by its process to a staging file, which the fleet scans
# and publishes once the target has ended (``fleet_files.write_index``).
LOG_FILE = "run.log"


@dataclass
class Planned:
    """One target, ready to run (``argv``, ``env``) or refused before it ran (``problem``)."""

    spec: TargetSpec
    report_dir: Path
    argv: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    problem: str = ""
    paced: bool = False
    secrets: tuple[str, ...] = ()
    process: BaseProcess | None = None
    exit_code: int | None = None
    started: float = 0.0
    log: Path | None = None  # the staging file of its terminal output, once it started


class _Stopping:
    """What SIGTERM tells a fleet (each target's own run words its report)."""

    def interrupted_as(self, how: str) -> None:
        return None


def run_all(plans: list[Planned], parallel: int, out: TextIO) -> tuple[bool, bool]:
    """Run the ready targets, at most ``--parallel`` at once; whether Ctrl-C (or SIGTERM) came."""
    ready = [p for p in plans if not p.problem]
    for plan in ready:
        (plan.report_dir / "summary.json").unlink(missing_ok=True)  # never an earlier run's
    if not ready:
        return False, False
    parallel = min(parallel, len(ready))
    ctx = context()
    interrupted = False
    with _terminate_as_interrupt(_Stopping()) as terminated:  # type: ignore[arg-type]
        book = served_book(ctx) if any(p.paced for p in ready) else contextlib.nullcontext(None)
        try:
            with book as address:
                for plan in ready:
                    if address is not None:
                        plan.env[ENV_QUOTA_BOOK] = address
                interrupted = _drive(ready, parallel, ctx, out, terminated)
        except KeyboardInterrupt:
            interrupted = True
            _stop(ready, terminated=bool(terminated), out=out)
    return interrupted, bool(terminated)


def _drive(
    ready: list[Planned], parallel: int, ctx: object, out: TextIO, terminated: list[bool]
) -> bool:
    """Start targets as slots free up and report each as it ends; whether Ctrl-C came."""
    waiting = list(ready)
    running: list[Planned] = []
    try:
        while waiting or running:
            while waiting and len(running) < parallel:
                plan = waiting.pop(0)
                plan.report_dir.mkdir(parents=True, exist_ok=True)
                plan.log = staging_path(plan.report_dir / LOG_FILE)
                log = str(plan.log)
                plan.process = ctx.Process(  # type: ignore[attr-defined]
                    target=run_target,
                    args=(plan.argv, plan.env, log),
                    name=f"target-{plan.spec.name}",
                )
                plan.started = time.monotonic()
                plan.process.start()
                running.append(plan)
            wait([p.process.sentinel for p in running if p.process is not None], timeout=1.0)
            for plan in [p for p in running if p.process is not None and not p.process.is_alive()]:
                running.remove(plan)
                _finished(plan, out)
    except KeyboardInterrupt:
        _stop(running, terminated=bool(terminated), out=out)
        return True
    return False


def _finished(plan: Planned, out: TextIO) -> None:
    assert plan.process is not None
    plan.process.join()
    plan.exit_code = plan.process.exitcode
    took = time.monotonic() - plan.started
    out.write(
        f"foundry-conformance: {plan.spec.name} finished (exit {plan.exit_code}, {took:.1f} s): "
        f"{plan.report_dir / 'diagnosis.html'}\n"
    )
    out.flush()


def _stop(running: list[Planned], *, terminated: bool, out: TextIO) -> None:
    """Tell each running target to stop (once; a second Ctrl-C tells them again) and wait for
    them to write what finished."""
    sig = signal.SIGTERM if terminated else signal.SIGINT
    alive = [p for p in running if p.process is not None and p.process.is_alive()]
    if alive:
        out.write(
            f"foundry-conformance: stopping; {len(alive)} targets write the report of what "
            "finished (Ctrl-C again to stop them waiting for requests in flight)\n"
        )
        out.flush()
    _signal(alive, sig)
    deadline = time.monotonic() + STOP_WAIT_S
    while any(p.process is not None and p.process.is_alive() for p in alive):
        try:
            wait([p.process.sentinel for p in alive if p.process is not None], timeout=0.5)
        except KeyboardInterrupt:
            _signal(alive, sig)  # a second Ctrl-C: the targets stop waiting too
        if time.monotonic() > deadline:
            for plan in alive:
                if plan.process is not None and plan.process.is_alive():
                    plan.process.kill()
            break
    for plan in alive:
        if plan.process is not None:
            plan.process.join(timeout=5)
            plan.exit_code = plan.process.exitcode


def _signal(plans: list[Planned], sig: int) -> None:
    for plan in plans:
        if plan.process is not None and plan.process.pid is not None and plan.process.is_alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(plan.process.pid, sig)
