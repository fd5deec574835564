"""Running a fleet's targets: each in a process of its own (``fleet_procs``), at most
``--parallel`` at once, sharing one quota book; Ctrl-C (or SIGTERM) passed on to each running
target once, and again on a second Ctrl-C."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TextIO

from ..config.fleet import TargetSpec
from ..core.constants import ENV_QUOTA_BOOK
from ..core.publish import staging_path
from ..plugin.stopping import StopSignals
from .fleet_procs import context, run_target, served_book

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
    subscription: str = ""  # the label its pools are counted under (when paced)
    secrets: tuple[str, ...] = ()
    process: BaseProcess | None = None
    exit_code: int | None = None
    started: float = 0.0
    log: Path | None = None  # the staging file of its terminal output, once it started


def run_all(
    plans: list[Planned],
    parallel: int,
    out: TextIO,
    stops: StopSignals,
    finished: Callable[[Planned], object] = lambda plan: None,
) -> bool:
    """Run the ready targets, at most ``--parallel`` at once; whether a signal stopped them.
    ``finished`` is told of each target that ended while the others still run (to read its
    summary meanwhile).

    ``stops`` is armed while the targets run: the first Ctrl-C (or SIGTERM) raises here, and is
    passed on to every running target; while they write what finished, a second one is passed on
    too (``interruptible``), and cuts their wait for the requests in flight short."""
    ready = [p for p in plans if not p.problem]
    for plan in ready:
        (plan.report_dir / "summary.json").unlink(missing_ok=True)  # never an earlier run's
    if not ready:
        return False
    parallel = min(parallel, len(ready))
    ctx = context()
    sharing = sharing_a_subscription(ready)
    book = served_book(ctx) if sharing else contextlib.nullcontext(None)
    try:
        with book as address:
            for plan in sharing:
                if address is not None:
                    plan.env[ENV_QUOTA_BOOK] = address
            try:
                stops.arm()
                _drive(ready, parallel, ctx, out, finished)
            except KeyboardInterrupt:
                # Inside the book's life: the targets still settle their answers with it.
                stops.acknowledge()
                _stop(ready, stops, out)
    except KeyboardInterrupt:  # while the book started or stopped: the targets are ended
        stops.acknowledge()
        _stop(ready, stops, out)
    return stops.requested


def sharing_a_subscription(plans: list[Planned]) -> list[Planned]:
    """The paced targets that share their subscription with another: they pace with the book the
    fleet serves. Every other target's pools are its own, and it paces with a book of its own
    (no call to another process for each of its requests)."""
    paced = [p for p in plans if p.paced]
    labels = Counter(p.subscription for p in paced)
    return [p for p in paced if labels[p.subscription] > 1]


def _drive(
    ready: list[Planned],
    parallel: int,
    ctx: object,
    out: TextIO,
    finished: Callable[[Planned], object],
) -> None:
    """Start targets as slots free up and report each as it ends (a signal: KeyboardInterrupt)."""
    waiting = list(ready)
    running: list[Planned] = []
    while waiting or running:
        while waiting and len(running) < parallel:
            plan = waiting.pop(0)
            plan.report_dir.mkdir(parents=True, exist_ok=True)
            plan.log = staging_path(plan.report_dir / LOG_FILE)
            plan.process = ctx.Process(  # type: ignore[attr-defined]
                target=run_target,
                args=(plan.argv, plan.env, str(plan.log)),
                name=f"target-{plan.spec.name}",
            )
            plan.started = time.monotonic()
            plan.process.start()
            running.append(plan)
        wait([p.process.sentinel for p in running if p.process is not None], timeout=1.0)
        for plan in [p for p in running if p.process is not None and not p.process.is_alive()]:
            running.remove(plan)
            _finished(plan, out)
            finished(plan)


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


def _stop(running: list[Planned], stops: StopSignals, out: TextIO) -> None:
    """Tell each running target to stop (once; a second Ctrl-C tells them again) and wait for
    them to write what finished."""
    sig = signal.SIGTERM if stops.terminated else signal.SIGINT
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
            with stops.interruptible():
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
