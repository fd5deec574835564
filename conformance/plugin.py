"""The foundry-conformance pytest plugin (registered once, by its ``pytest11`` entry point).

Reads like a table of contents: the marker → the options, in one group → the hooks → the fixtures,
from broad to narrow scope → small helpers. The plugin stays inert in a session that collects no
check (such as the harness's own tests); it wakes up when it sees the ``foundry_check`` marker.

Precedence where values merge: ``--foundry-*`` option > environment variable > default (as the
``foundry-conformance`` command line, which passes its flags through as these options).
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from .catalog import BY_ID
from .client import tagged
from .config import ConfigError, RawOptions, Settings, resolve_settings
from .limits import BudgetExceeded
from .outcomes import RunRecorder
from .parallel import CheckPool
from .session import FoundryRun, Unavailable
from .shapes import start_loading_sdk, wait_for_sdk

MARKER = "foundry_check"
RECORDER_KEY = pytest.StashKey[RunRecorder]()
SETTINGS_KEY = pytest.StashKey[Settings]()
POOL_KEY = pytest.StashKey[CheckPool]()
HARNESS_DIR = Path(__file__).resolve().parent
NO_XDIST = (
    "foundry-conformance does not run under pytest-xdist's -n: its checks share one target, one "
    "request budget and one summary. Use --foundry-jobs N (the CLI's --jobs N) to run them "
    "concurrently, on threads of one process."
)

# -- options ---------------------------------------------------------------------------------

_OPTIONS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("--foundry-resource", {"help": "Foundry resource name (or ANTHROPIC_FOUNDRY_RESOURCE)"}),
    (
        "--foundry-base-url",
        {"help": "base URL ending in /anthropic/ (or ANTHROPIC_FOUNDRY_BASE_URL)"},
    ),
    ("--foundry-deployment", {"action": "append", "help": "deployment name (repeatable)"}),
    ("--foundry-auth", {"action": "append", "help": "api-key, x-api-key or entra (repeatable)"}),
    ("--foundry-entra-scope", {"help": "Entra ID scope (default cognitiveservices)"}),
    ("--foundry-mode", {"help": "live, record or replay"}),
    ("--foundry-cassettes", {"help": "cassette directory for record/replay"}),
    (
        "--foundry-max-cassette-age",
        {"help": "replay warns about cassettes older than DAYS (default 30)"},
    ),
    (
        "--foundry-emulator",
        {
            "nargs": "?",
            "const": "",
            "help": "run against the embedded emulator "
            "with PROFILE[,PROFILE] (default profile: default)",
        },
    ),
    ("--foundry-suite", {"help": "smoke, standard (default) or full"}),
    ("--foundry-select", {"action": "append", "help": "check ID, ID prefix or area (repeatable)"}),
    ("--foundry-report-dir", {"help": "where the artifacts go (default reports/)"}),
    ("--foundry-max-requests", {"help": "stop the run before it sends more requests than this"}),
    ("--foundry-max-tokens", {"help": "stop the run once it has used this many tokens"}),
    (
        "--foundry-probe-rate-limit",
        {"action": "store_true", "default": None, "help": "enable the opt-in RL-429 probe"},
    ),
    ("--foundry-timeout", {"help": "per-request timeout in seconds"}),
    (
        "--foundry-jobs",
        {"help": "requests in flight at once, the checks on threads: N or auto (4; replay: 1)"},
    ),
    ("--foundry-max-latency-ms", {"help": "PERF-LATENCY fails above this total latency"}),
    ("--foundry-max-ttft-ms", {"help": "PERF-LATENCY fails above this time to first token"}),
    (
        "--foundry-redact-resource",
        {"action": "store_true", "default": None, "help": "scrub the resource host from cassettes"},
    ),
)


def pytest_addoption(parser: pytest.Parser) -> None:
    """The options, in one group, mirroring the command line."""
    group = parser.getgroup("foundry-conformance", "Claude in Microsoft Foundry conformance")
    for name, kwargs in _OPTIONS:
        group.addoption(name, dest=name.removeprefix("--").replace("-", "_"), **kwargs)


def pytest_configure(config: pytest.Config) -> None:
    """Declare the marker; add the JUnit and pytest-html extras when those reports are written."""
    config.addinivalue_line(
        "markers", f"{MARKER}(id): ties a test to a check ID of the foundry-conformance catalog"
    )
    # Deployment names default to model IDs; the SDK's deprecation notice for them is not a finding.
    config.addinivalue_line(
        "filterwarnings", "ignore:The model .* is deprecated:DeprecationWarning"
    )
    from . import junit_extras, pytest_html_extras  # they import this module: late

    if getattr(config.option, "xmlpath", None):
        junit_extras.register(config)
    if config.pluginmanager.hasplugin("html"):
        pytest_html_extras.register(config)
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


def raw_options(config: pytest.Config) -> RawOptions:
    """The ``--foundry-*`` options as given (None where not given)."""

    def get(name: str) -> Any:
        return config.getoption(name, default=None)

    return RawOptions(
        resource=get("foundry_resource"),
        base_url=get("foundry_base_url"),
        deployments=get("foundry_deployment"),
        auth=get("foundry_auth"),
        entra_scope=get("foundry_entra_scope"),
        mode=get("foundry_mode"),
        cassettes=get("foundry_cassettes"),
        emulator=get("foundry_emulator"),
        suite=get("foundry_suite"),
        select=get("foundry_select"),
        report_dir=get("foundry_report_dir"),
        max_requests=get("foundry_max_requests"),
        max_tokens_budget=get("foundry_max_tokens"),
        probe_rate_limit=get("foundry_probe_rate_limit"),
        timeout=get("foundry_timeout"),
        redact_resource=get("foundry_redact_resource"),
        max_cassette_age=get("foundry_max_cassette_age"),
        max_latency_ms=get("foundry_max_latency_ms"),
        max_ttft_ms=get("foundry_max_ttft_ms"),
        jobs=get("foundry_jobs"),
    )


# -- hooks -----------------------------------------------------------------------------------


def check_id_of(item: pytest.Item) -> str | None:
    """The check ID a test verifies, from its marker."""
    marker = item.get_closest_marker(MARKER)
    return str(marker.args[0]) if marker and marker.args else None


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Resolve the configuration, keep the checks of the suite, order them, mark opt-ins."""
    if not any(check_id_of(item) for item in items):
        return
    if hasattr(config, "workerinput"):
        raise pytest.UsageError(NO_XDIST)  # -n given in a way ``_asks_for_xdist`` did not see
    try:
        settings = resolve_settings(raw_options(config), os.environ)
    except ConfigError as exc:
        raise pytest.UsageError(str(exc)) from None
    config.stash[SETTINGS_KEY] = settings
    recorder = RunRecorder(settings)
    config.stash[RECORDER_KEY] = recorder
    try:
        kept, deselected = recorder.plan(items, check_id_of)
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None
    if deselected:
        config.hook.pytest_deselected(items=deselected)
    items[:] = kept
    if any(BY_ID[str(check_id_of(item))].needs_sdk for item in kept):
        start_loading_sdk()


@pytest.hookimpl(wrapper=True)
def pytest_runtestloop(session: pytest.Session) -> Generator[None, object, object]:
    """With ``--jobs N``, start the checks that need only the run on threads first (N requests
    in flight at most); the loop then reports each in order (see ``parallel``)."""
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


def _pool_for(session: pytest.Session) -> CheckPool | None:
    """The session's pool, if checks are to run concurrently (kept where the hooks find it)."""
    config, option = session.config, session.config.option
    recorder = config.stash.get(RECORDER_KEY, None)
    if recorder is None or recorder.settings.jobs < 2:
        return None
    if option.collectonly or option.setuponly or option.setupplan:
        return None  # nothing is to be sent
    if session.testsfailed and not option.continue_on_collection_errors:
        return None  # pytest stops at the collection error before any check runs
    pool = CheckPool(recorder.settings.jobs, recorder, check_id_of)
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
    if reason:
        pytest.skip(reason)


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
        pytest.skip(str(exc))


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(
    fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest
) -> Generator[None, object, object]:
    """The same for fixtures that need a credential."""
    try:
        return (yield)
    except Unavailable as exc:
        pytest.skip(str(exc))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Record each check case's outcome (and attach its request IDs for JUnit)."""
    report = yield
    pool = item.config.stash.get(POOL_KEY, None)
    if pool is not None:
        pool.reported(item, report)
    recorder = item.config.stash.get(RECORDER_KEY, None)
    check_id = check_id_of(item)
    if check_id is not None:
        _point_harness_skips_at_the_check(item, report)
    if recorder is not None and check_id is not None:
        recorder.record(item, check_id, call, report)
        if call.excinfo is not None and call.excinfo.errisinstance(BudgetExceeded):
            recorder.budget_spent(str(call.excinfo.value))
    return report


def _point_harness_skips_at_the_check(item: pytest.Item, report: pytest.TestReport) -> None:
    """A skip the harness raised for a check (opt-in, budget, credential) is listed at the
    check's own line, as a skip marker's would be, not at the line of this plugin that raised it."""
    longrepr = report.longrepr
    if not (report.skipped and isinstance(longrepr, tuple) and len(longrepr) == 3):
        return
    if Path(str(longrepr[0])).resolve().parent == HARNESS_DIR:
        path, line, _ = item.reportinfo()
        report.longrepr = (str(path), (line or 0) + 1, longrepr[2])


@pytest.hookimpl(wrapper=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> Generator[None, None, None]:
    """Turn the run into its summary and artifacts, once JUnit and pytest-html have written theirs
    (so that the secret scan reads them too)."""
    result = yield
    recorder = session.config.stash.get(RECORDER_KEY, None)
    if recorder is not None and recorder.run is not None:
        recorder.finish(interrupted=exitstatus == pytest.ExitCode.INTERRUPTED)
    return result


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """The verdict block, last thing on screen."""
    recorder = config.stash.get(RECORDER_KEY, None)
    if recorder is None or recorder.summary is None:
        return
    for line in recorder.verdict_lines():
        terminalreporter.write_line(line)


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
    """``deployment`` runs a check once per configured deployment."""
    if "deployment" not in metafunc.fixturenames:
        return
    settings = metafunc.config.stash.get(SETTINGS_KEY, None)
    if settings is None:
        try:
            settings = resolve_settings(raw_options(metafunc.config), os.environ)
        except ConfigError as exc:
            raise pytest.UsageError(str(exc)) from None
        metafunc.config.stash[SETTINGS_KEY] = settings
    metafunc.parametrize("deployment", list(settings.deployments), ids=list(settings.deployments))


@pytest.fixture(autouse=True)
def _foundry_tag(request: pytest.FixtureRequest) -> Iterator[None]:
    """Tag every request a check makes with its check ID and case."""
    check_id = check_id_of(request.node) if isinstance(request.node, pytest.Item) else None
    if check_id is None:
        yield
        return
    with tagged(check_id=check_id, case=request.node.nodeid, auth=None, expects_error=False):
        yield
