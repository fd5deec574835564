"""The foundry-conformance pytest plugin (registered once, by its ``pytest11`` entry point).

Reads like a table of contents: the options, in one group (``options``) and the marker → the
hooks → the fixtures, from broad to narrow scope → small helpers. The plugin stays inert in a
session that collects no check (such as the harness's own tests); it wakes up when it sees the
``foundry_check`` marker. Its parts: ``keys`` (what they share), ``recorder`` (the plan, each
case's outcome, the summary and artifacts), ``pool`` (``--foundry-jobs``), and the JUnit and
pytest-html extras.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Generator, Iterator
from typing import Any

import pytest

from ..config.outputs import output_places
from ..core.catalog import BY_ID
from ..core.errors import BudgetExceeded, ConfigError, Unavailable
from ..core.interactions import tagged
from ..core.publish import preflight
from ..report.terminal import wrapped
from ..target.discovery import NO_DEPLOYMENT
from ..target.run import FoundryRun
from ..target.sdk_loader import start_loading_sdk, wait_for_sdk
from . import html_extras, junit_extras, redaction, selection
from .keys import (
    CASE_EVIDENCE_KEY,
    LABEL_ATTRIBUTE,
    MARKER,
    STATUS_ATTRIBUTE,
    check_id_of,
    hints_of,
    label_of,
    skip_as,
)
from .options import OPTIONS, settings_of
from .pool import POOL_KEY, CheckPool
from .recorder import RECORDER_KEY, RunRecorder

NO_XDIST = (
    "foundry-conformance does not run under pytest-xdist's -n: its checks share one target, one "
    "request budget and one summary. Use --foundry-jobs N (the CLI's --jobs N) to run them "
    "concurrently, on threads of one process."
)


def pytest_addoption(parser: pytest.Parser) -> None:
    """The options, in one group, mirroring the command line."""
    group = parser.getgroup("foundry-conformance", "Claude in Microsoft Foundry conformance")
    for name, kwargs in OPTIONS:
        group.addoption(name, dest=name.removeprefix("--").replace("-", "_"), **kwargs)


def pytest_configure(config: pytest.Config) -> None:
    """Declare the marker; add the JUnit and pytest-html extras when those reports are written."""
    config.addinivalue_line(
        "markers", f"{MARKER}(id): ties a test to a check ID of the foundry-conformance catalog"
    )
    if getattr(config.option, "xmlpath", None):
        junit_extras.register(config)
    if config.pluginmanager.hasplugin("html"):
        html_extras.register(config)
    if _asks_for_xdist(config):
        raise pytest.UsageError(NO_XDIST)


def _asks_for_xdist(config: pytest.Config) -> bool:
    """Whether ``-n`` (pytest-xdist) is given for a session that runs the suite."""
    if (getattr(config.option, "numprocesses", None) or 0) == 0:
        return False
    foundry_given = any(
        value is not None
        for name, value in vars(config.option).items()
        if name.startswith("foundry_")
    )
    args = " ".join(str(a) for a in config.args)
    return foundry_given or any(m in args for m in ("conformance.suite", "conformance/suite"))


# -- hooks -----------------------------------------------------------------------------------


def pytest_itemcollected(item: pytest.Item) -> None:
    """A check answers to its ID and area under ``-k`` (``-k MSG-BASIC``, ``-k AUTH-``)."""
    selection.answer_to_the_check_id(item)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Resolve the configuration, keep the checks of the suite, order them, mark opt-ins."""
    if not any(check_id_of(item) for item in items):
        selection.refuse_if_none_is_left(config, hints_of(config))
        return
    if hasattr(config, "workerinput"):
        raise pytest.UsageError(NO_XDIST)  # -n given in a way ``_asks_for_xdist`` did not see
    recorder = recorder_of(config)
    try:
        kept, deselected = recorder.plan(items)
    except ValueError as exc:
        raise pytest.UsageError(recorder.hints(str(exc))) from None
    selection.refuse_if_only_opt_ins_are_left(
        kept, recorder.outside_suite, recorder.settings.suite, recorder.hints
    )
    if not _sends_nothing(config):
        _check_the_output_places(config, recorder)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
    items[:] = kept
    if any(BY_ID[str(check_id_of(item))].needs_sdk for item in kept):
        start_loading_sdk()


def _check_the_output_places(config: pytest.Config, recorder: RunRecorder) -> None:
    """Before anything is sent: every artifact can be written where it is to go (a
    ``UsageError`` with the fix if not); pytest's own reports are then staged for the scan."""
    places = [*output_places(recorder.settings), *recorder.staged.destinations(config)]
    recorder.staged.redirect(config)
    try:
        preflight(places)
    except ConfigError as exc:
        # pytest's plugins still write at session finish: into the staging files, then dropped.
        recorder.staged.abandon()
        raise pytest.UsageError(recorder.hints(str(exc))) from None


@pytest.hookimpl(wrapper=True)
def pytest_runtestloop(session: pytest.Session) -> Generator[None, object, object]:
    """With ``--jobs N``, start the checks that need only the run on threads first (N requests
    in flight at most); the loop then reports each in order (see ``pool``)."""
    _start_the_target(session)
    pool = _pool_for(session)
    try:
        if pool is None or not _start_pool(session, pool):
            wait_for_sdk()  # before the first check, so that no check's time includes the import
        return (yield)
    except KeyboardInterrupt as exc:
        # pytest's own stop (a collection error, --stepwise) is not Ctrl-C: nothing more to report.
        if pool is not None and not isinstance(exc, session.Interrupted):
            pool.settle_after_interrupt(session)
        raise
    finally:
        if pool is not None:
            pool.stop()


def _start_the_target(session: pytest.Session) -> None:
    """Start the run (and take its inventory) before the first check decides whether it may
    start, so that what the inventory spent of the budget counts for every check alike."""
    recorder = session.config.stash.get(RECORDER_KEY, None)
    if recorder is None or not session.items or _sends_nothing(session.config):
        return
    if session.testsfailed and not session.config.option.continue_on_collection_errors:
        return
    with contextlib.suppress(Exception):  # the run's fixture meets the failure and reports it
        recorder.start_run()


def _pool_for(session: pytest.Session) -> CheckPool | None:
    """The session's pool, if checks are to run concurrently (kept where the hooks find it)."""
    config, option = session.config, session.config.option
    recorder = config.stash.get(RECORDER_KEY, None)
    if recorder is None or recorder.settings.jobs < 2:
        return None
    if _sends_nothing(config):
        return None
    if session.testsfailed and not option.continue_on_collection_errors:
        return None  # pytest stops at the collection error before any check runs
    pool = CheckPool(recorder.settings.jobs, recorder)
    config.stash[POOL_KEY] = pool
    return pool


def _start_pool(session: pytest.Session, pool: CheckPool) -> bool:
    started = pool.start(session.items)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if started and reporter is not None:
        reporter.write_line(
            f"foundry-conformance: {started} checks run concurrently, at most {pool.jobs} "
            f"requests in flight (--jobs {pool.jobs}); the rate-limit probe and the run-wide "
            "checks follow them"
        )
    return started > 0


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip what cannot run: opt-in probes not enabled, checks after the budget is spent."""
    recorder = item.config.stash.get(RECORDER_KEY, None)
    check_id = check_id_of(item)
    if recorder is None or check_id is None:
        return
    pool = item.config.stash.get(POOL_KEY, None)
    if pool is not None and pool.owns(item):
        return  # started already; its call reports what it did
    reason = recorder.skip_reason(check_id)
    if reason is None and pool is not None:
        pool.barrier()  # a serial check starts once the pooled ones have finished,
        reason = recorder.skip_reason(check_id)  # which may have spent the budget
    if reason is not None:
        skip_as(item, reason)


@pytest.hookimpl(tryfirst=True, specname="pytest_pyfunc_call")
def pytest_pyfunc_call_pooled(pyfuncitem: pytest.Function) -> bool | None:
    """A check started on the pool (``--jobs``) is not called again: its result is replayed."""
    pool = pyfuncitem.config.stash.get(POOL_KEY, None)
    if pool is None or not pool.owns(pyfuncitem):
        return None
    pool.replay(pyfuncitem)
    return True


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Generator[None, object, object]:
    """A check that lacks a credential is skipped with the reason, never failed or passed."""
    try:
        return (yield)
    except Unavailable as exc:
        skip_as(pyfuncitem, exc)


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(
    fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest
) -> Generator[None, object, object]:
    """The same for fixtures that need a credential."""
    try:
        return (yield)
    except Unavailable as exc:
        if isinstance(request.node, pytest.Item):
            skip_as(request.node, exc)
        pytest.skip(str(exc))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Record each check case's outcome; label its report and stash its exchanges for the JUnit
    and pytest-html extras."""
    report = yield
    pool = item.config.stash.get(POOL_KEY, None)
    if pool is not None:
        pool.reported(item, report)
    recorder = item.config.stash.get(RECORDER_KEY, None)
    check_id = check_id_of(item)
    if check_id is not None:
        setattr(report, LABEL_ATTRIBUTE, label_of(item))
        _point_harness_skips_at_the_check(item, report)
    if recorder is not None and check_id is not None:
        recorder.record(item, check_id, call, report)
        setattr(report, STATUS_ATTRIBUTE, recorder.outcomes[item.nodeid].status)
        item.stash[CASE_EVIDENCE_KEY] = recorder.case_evidence(item)
        if call.excinfo is not None and call.excinfo.errisinstance(BudgetExceeded):
            recorder.budget_spent(str(call.excinfo.value))
    return report


def _point_harness_skips_at_the_check(item: pytest.Item, report: pytest.TestReport) -> None:
    """A skip of a check (opt-in, budget, credential, a rule the profile exempts) is listed at
    the check's own line, as a skip marker's would be, not at the line of the plugin or the
    suite's helper that raised it."""
    longrepr = report.longrepr
    if report.skipped and isinstance(longrepr, tuple) and len(longrepr) == 3:
        path, line, _ = item.reportinfo()
        report.longrepr = (str(path), (line or 0) + 1, longrepr[2])


@pytest.hookimpl(wrapper=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> Generator[None, None, None]:
    """Turn the run into its summary and artifacts, once JUnit and pytest-html have written theirs
    (so that the secret scan reads them too)."""
    result = yield
    recorder = session.config.stash.get(RECORDER_KEY, None)
    if recorder is None:
        return result
    if exitstatus == pytest.ExitCode.USAGE_ERROR:
        # Refused after collection (no check selected, an output place taken): no verdict, and
        # no report of nothing, pytest's own included.
        recorder.staged.abandon()
        recorder.staged.publish(recorder.publisher)
        if recorder.run is not None:
            recorder.run.close()
        return result
    recorder.finish(interrupted=exitstatus == pytest.ExitCode.INTERRUPTED)
    return result


@pytest.hookimpl(wrapper=True, tryfirst=True, specname="pytest_sessionfinish")
def pytest_sessionfinish_verdict(session: pytest.Session) -> Generator[None, None, None]:
    """The skips folded by reason, then the verdict block: the last lines on screen, after
    pytest's own summary (this wrapper is the outermost, so it ends after the terminal's)."""
    result = yield
    recorder = session.config.stash.get(RECORDER_KEY, None)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if recorder is not None and reporter is not None:
        lines = recorder.verdict_lines()
        if sys.stdout.isatty():  # a log or a pipe keeps whole lines, for the viewer to wrap
            lines = wrapped(lines, getattr(getattr(reporter, "_tw", None), "fullwidth", 80))
        for line in lines:
            reporter.write_line(line)
    return result


def pytest_report_teststatus(
    report: pytest.TestReport, config: pytest.Config
) -> tuple[str, str, str] | None:
    """A check case that could not judge is counted as an error, as the verdict block counts
    it, not as a failure: pytest's summary line and the harness's agree."""
    recorder = config.stash.get(RECORDER_KEY, None)
    if recorder is None or report.when != "call" or not report.failed:
        return None
    outcome = recorder.outcomes.get(report.nodeid)
    if outcome is None or outcome.status != "error":
        return None
    return "error", "E", "ERROR"


# -- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def foundry_run(request: pytest.FixtureRequest) -> Iterator[FoundryRun]:
    """The run: target (live, replay or the emulator it starts), seam and credentials."""
    recorder = request.config.stash.get(RECORDER_KEY, None)
    if recorder is None:
        pytest.skip("foundry_run is only available to foundry_check tests")
    yield recorder.start_run()
    # Closed by the recorder at session finish, after the summary has read the log.


@pytest.fixture(scope="session")
def primary_deployment(foundry_run: FoundryRun) -> str:
    """The deployment single-deployment checks use (the first configured)."""
    return foundry_run.primary_deployment


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``deployment`` runs a check once per deployment: those configured, else those the
    inventory of the profile's default names finds (which starts the run's target);
    ``api_version`` once per version the platform profile lists as sent by clients."""
    config = metafunc.config
    if "api_version" in metafunc.fixturenames:
        versions = list(settings_of(config).profile.accepted_versions)
        metafunc.parametrize("api_version", versions, ids=versions)
    if "deployment" not in metafunc.fixturenames:
        return
    names = recorder_of(config).settings.deployments
    wanted = check_id_of(metafunc.definition) in recorder_of(config).wanted()
    if not names and wanted and not _sends_nothing(config):
        # A target that does not start is met, and reported, by every check's run fixture.
        with contextlib.suppress(Exception):
            names = recorder_of(config).start_run().deployments
    names = names or (NO_DEPLOYMENT,)
    redactor = recorder_of(config).redactor
    # A deployment named like the key must not carry it into node IDs, JUnit or file names.
    ids = [redactor.file_name(n) if redactor.contains_secret(n) else n for n in names]
    metafunc.parametrize("deployment", list(names), ids=ids)


def recorder_of(config: pytest.Config) -> RunRecorder:
    """The session's recorder, made on first use (collection or parametrisation); from then on
    every log record of the process is redacted with its redactor."""
    recorder = config.stash.get(RECORDER_KEY, None)
    if recorder is None:
        recorder = config.stash[RECORDER_KEY] = RunRecorder(settings_of(config), hints_of(config))
        redaction.register(config, recorder.redactor)
    return recorder


def _sends_nothing(config: pytest.Config) -> bool:
    option = config.option
    return bool(option.collectonly or option.setuponly or option.setupplan)


@pytest.fixture(autouse=True)
def _foundry_tag(request: pytest.FixtureRequest) -> Iterator[None]:
    """Tag every request a check makes with its check ID and case."""
    check_id = check_id_of(request.node) if isinstance(request.node, pytest.Item) else None
    if check_id is None:
        yield
        return
    with tagged(check_id=check_id, case=request.node.nodeid, auth=None, expects_error=False):
        yield
