"""Concurrency for network-bound checks (``--jobs N``): the checks run on threads, at most N
requests are in flight at once, and pytest reports the checks in order.

A live run spends its time waiting for answers. When the run loop starts, every check that needs
nothing but the run (the ``foundry_run`` and ``primary_deployment`` fixtures, ``record_property``
and its own parameters) starts on a thread of its own (``concurrent.futures``); the seam lets N of
their requests be in flight at once (``client.InFlight``), so a check that is busy elsewhere (it
waits for the SDK's first import, say) holds no slot. pytest then walks the items in their usual
order, as in a serial run; each item's call waits for its own check and re-raises what the check
raised, after the properties it recorded. So the terminal, JUnit, pytest-html and the summary see
the same outcomes, in the same order, as in a serial run; only the wall time and the interleaving
of the request log differ.

What stays serial, and starts only once every pooled check has finished: the rate-limit probe (it
exhausts the quota on purpose), the run-wide checks (they judge the whole run), PERF-LATENCY when
it judges thresholds (its figures must be the endpoint's, not the run's own load), and any check
that needs another fixture. A check that would start after the run's budget is spent does not start,
and is skipped as in a serial run.

One process: the emulator, the budget, the primary auth and the cassettes are the run's own, shared
by the threads (the seam, the redactor and the cassettes are thread-safe). The SDK is imported by
one thread, started at collection (``shapes.start_loading_sdk``); the checks that need it wait for
it without holding a request slot, while the others' requests are in flight.
"""

from __future__ import annotations

import contextlib
import inspect
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial

import pytest

from ..config import Settings
from ..core.catalog import BY_ID
from ..core.constants import POOL_THREAD_PREFIX
from ..core.errors import BudgetExceeded, RunStopped, Unavailable
from ..core.interactions import current_tag, tagged
from ..target.limits import InFlight
from ..target.run import FoundryRun
from ..target.sdk_loader import wait_for_sdk
from .keys import check_id_of, skip_as
from .recorder import NOT_RUN, RunRecorder

# Threads beyond this wait for a free one (a run with many deployments has many cases).
MAX_THREADS = 64
# The fixtures (and what they need) a pooled check may use; with any other, it runs in the loop.
RUN_FIXTURES = frozenset(
    {"foundry_run", "primary_deployment", "record_property", "_foundry_tag", "request"}
)


@dataclass
class Finished:
    """What a pooled check did: what it raised (None: it passed), what it recorded, how long it
    took; or, if it never started, why not."""

    error: BaseException | None = None
    properties: list[tuple[str, object]] = field(default_factory=list)
    duration_s: float = 0.0
    not_started: str | None = None


class CheckPool:
    """The pooled checks of one session, by node ID."""

    def __init__(self, jobs: int, recorder: RunRecorder) -> None:
        self.jobs = jobs
        self.recorder = recorder
        self._futures: dict[str, Future[Finished]] = {}
        self._reported: set[str] = set()
        self._executor: ThreadPoolExecutor | None = None
        self._setups_reported: set[str] = set()
        self._gate: InFlight | None = None
        # Ctrl-C twice: the requests still in flight are left behind (see ``cli_run``).
        self.abandoned = False

    # -- the pool's life -------------------------------------------------------------------

    def start(self, items: Sequence[pytest.Item]) -> int:
        """Start every check that may run concurrently; how many did (none: the loop runs them
        one by one, and meets and reports whatever kept the pool from starting)."""
        order: dict[str, int] = {}  # node ID → place in the plan: the gate's priority
        gate = InFlight(self.jobs, priority=lambda: order.get(current_tag().case or "", len(order)))
        try:
            run = self.recorder.start_run()
            calls = [
                (item, call)
                for item in items
                if (call := self._call_of(item, run, gate)) is not None
            ]
            if len(calls) < 2:
                return 0
            # Chosen once, before the checks that use it start together; if no credential is
            # available, each check meets the reason and is skipped with it.
            with contextlib.suppress(Unavailable):
                run.primary_auth()
        except BudgetExceeded as exc:
            self.recorder.budget_spent(str(exc))
            return 0
        except Exception:  # the target did not start, say: the run's fixture reports it per check
            return 0
        # The longest first: a check of three requests started last would end the run late.
        calls.sort(key=lambda pair: -(BY_ID[str(check_id_of(pair[0]))].requests or 1))
        order.update((item.nodeid, place) for place, (item, _) in enumerate(calls))
        self._gate = gate
        run.client.transport.admit_through(gate)
        self._executor = ThreadPoolExecutor(
            min(len(calls), MAX_THREADS), thread_name_prefix=POOL_THREAD_PREFIX
        )
        for item, call in calls:
            self._futures[item.nodeid] = self._executor.submit(call)
        return len(calls)

    def stop(self) -> None:
        """Send nothing more; wait for the requests in flight (each has its deadline), unless
        the user has asked twice to stop."""
        if self._gate is not None:
            self._gate.close()
        try:
            if self._executor is not None:
                self._executor.shutdown(wait=not self.abandoned, cancel_futures=True)
        finally:
            self._retire_gate()

    def _retire_gate(self) -> None:
        """The pooled checks are over: the serial ones send as they please, and a 429 they meet
        (the rate-limit probe's, on purpose) is not the pool's."""
        gate, self._gate = self._gate, None
        run = self.recorder.run
        if gate is None or run is None:
            return
        run.client.transport.admit_through(None)
        if gate.narrowed_from is not None:
            self.recorder.run_notes.append(
                f"the endpoint answered 429 while up to {gate.narrowed_from} requests were in "
                "flight (--jobs): the rest of the pooled checks sent one request at a time"
            )

    def settle_after_interrupt(self, session: pytest.Session) -> None:
        """Ctrl-C: start nothing new, let the checks in flight finish (a second Ctrl-C stops the
        wait), and report every check that finished."""
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        busy = self._gate.busy() if self._gate is not None else 0
        if busy and reporter is not None:
            reporter.write_line(
                f"foundry-conformance: stopping; waiting for the {busy} requests in flight "
                f"(at most {self.recorder.settings.timeout:g} s; Ctrl-C again to stop waiting)"
            )
        try:
            self.stop()
        except KeyboardInterrupt:
            self.abandoned = True  # a second Ctrl-C: report what finished, wait for nothing
        self.report_finished(session.items)

    def owns(self, item: pytest.Item) -> bool:
        """Whether ``item`` was started on the pool."""
        return item.nodeid in self._futures

    def barrier(self) -> None:
        """Wait until every pooled check has finished (before a serial check starts)."""
        for future in self._futures.values():
            if not future.cancelled():
                future.exception()
        self._retire_gate()

    # -- reporting, in pytest's order ------------------------------------------------------

    def replay(self, item: pytest.Function) -> None:
        """Wait for ``item``'s check; record what it recorded, raise what it raised."""
        finished = self._futures[item.nodeid].result()
        self._reported.add(item.nodeid)
        item.user_properties.extend(finished.properties)
        if finished.not_started is not None:
            self.recorder.budget_spent(finished.not_started)
            pytest.skip(NOT_RUN + finished.not_started)
        if isinstance(finished.error, Unavailable):
            skip_as(item, finished.error)
        if finished.error is not None:
            raise finished.error

    def reported(self, item: pytest.Item, report: pytest.TestReport) -> None:
        """A report of ``item`` was made: a pooled call takes the time the check itself took
        (the call only waited for it); a setup is remembered, so that it is never sent twice."""
        if report.when == "setup":
            self._setups_reported.add(item.nodeid)
        finished = self._finished(item) if report.when == "call" else None
        if finished is not None:
            report.duration = finished.duration_s

    def _finished(self, item: pytest.Item) -> Finished | None:
        """``item``'s result if its check has run to the end on the pool, else None."""
        future = self._futures.get(item.nodeid)
        if future is None or not future.done() or future.cancelled():
            return None
        return future.result() if future.exception() is None else None

    def report_finished(self, items: Sequence[pytest.Item]) -> None:
        """After Ctrl-C: report the pooled checks that have finished but were not reported yet
        (the one pytest was waiting for included), so that the partial report keeps them."""
        for item in items:
            finished = self._finished(item)
            if item.nodeid in self._reported or finished is None:
                continue
            if finished.not_started is not None or isinstance(finished.error, RunStopped):
                continue  # never started, or stopped half-way: not finished, as in a serial run
            assert isinstance(item, pytest.Function)
            # The one pytest was waiting for has reported its setup already.
            phases = ("call", "teardown") if item.nodeid in self._setups_reported else PHASES
            _report_outside_the_loop(item, partial(self.replay, item), phases)

    # -- one check -------------------------------------------------------------------------

    def _call_of(
        self, item: pytest.Item, run: FoundryRun, gate: InFlight
    ) -> Callable[[], Finished] | None:
        """The call that runs ``item``'s check on a thread, or None if it must run serially."""
        check_id = check_id_of(item)
        if not isinstance(item, pytest.Function) or check_id is None:
            return None
        if _runs_alone(check_id, self.recorder.settings):
            return None
        if any(item.get_closest_marker(name) for name in ("skip", "skipif", "xfail")):
            return None  # pytest decides in the loop whether it runs at all
        if self.recorder.skip_reason(check_id) is not None:
            return None
        callspec = getattr(item, "callspec", None)
        params = dict(callspec.params) if callspec is not None else {}
        if not set(item.fixturenames) <= RUN_FIXTURES | params.keys():
            return None
        values: dict[str, object] = {"foundry_run": run, **params}
        needs_sdk = BY_ID[check_id].needs_sdk
        names = list(inspect.signature(item.obj).parameters)
        if not set(names) <= values.keys() | {"primary_deployment", "record_property"}:
            return None

        def call() -> Finished:
            spent = run.log.spent()
            if spent is not None:
                return Finished(not_started=str(spent))
            if needs_sdk:
                wait_for_sdk()  # the background import, started at collection; no slot held
            finished = Finished()
            arguments = {name: values.get(name) for name in names}
            if "primary_deployment" in names:
                arguments["primary_deployment"] = run.primary_deployment
            if "record_property" in names:
                arguments["record_property"] = lambda n, v: finished.properties.append((n, v))
            started = time.perf_counter()
            try:
                with tagged(check_id=check_id, case=item.nodeid, auth=None, expects_error=False):
                    item.obj(**arguments)
            except BudgetExceeded as exc:
                if not run.log.for_case(item.nodeid):
                    return Finished(not_started=str(exc))  # refused before its first request
                finished.error = exc
            except BaseException as exc:  # pytest's skip and fail are BaseExceptions too
                finished.error = exc
            finally:
                gate.release_held()  # an answer the check left open
            finished.duration_s = time.perf_counter() - started
            return finished

        return call


POOL_KEY = pytest.StashKey[CheckPool]()


def _runs_alone(check_id: str, settings: Settings) -> bool:
    """The rate-limit probe and the run-wide checks; PERF-LATENCY too when it judges thresholds
    (``--max-latency-ms``): the figures it holds against them must not include the others' load."""
    if BY_ID[check_id].phase != "main":
        return True
    judges = settings.max_latency_ms is not None or settings.max_ttft_ms is not None
    return check_id == "PERF-LATENCY" and judges


PHASES = ("setup", "call", "teardown")


def _report_outside_the_loop(
    item: pytest.Item, call: Callable[[], None], phases: Sequence[str]
) -> None:
    """Report ``item`` through pytest's hooks without running it again (the check has run on the
    pool; its fixtures are not set up again)."""
    hook = item.ihook
    if "setup" in phases:
        hook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
    for when in phases:
        func = call if when == "call" else _nothing
        info = pytest.CallInfo.from_call(func, when=when)  # type: ignore[arg-type]
        report = hook.pytest_runtest_makereport(item=item, call=info)
        hook.pytest_runtest_logreport(report=report)
    hook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)


def _nothing() -> None:
    return None
