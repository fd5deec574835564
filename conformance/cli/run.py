"""``foundry-conformance run``: resolve the configuration once (nothing is sent if it is wrong),
run the suite in-process with pytest, handing it the resolved ``Settings``, and map the run's
verdict to the exit status."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TextIO

import pytest

from ..config import RawOptions, Settings, resolve_settings
from ..config.outputs import JUNIT_FILE, PYTEST_HTML_FILE, output_places
from ..core.publish import Place, preflight
from ..plugin.keys import STOPS_KEY
from ..plugin.options import GivenSettings
from ..plugin.recorder import RECORDER_KEY, RunRecorder
from ..plugin.stopping import StopSignals
from ..summary.baseline import load_baseline_summary
from ..summary.model import RunSummary
from ..summary.verdict import (
    EXIT_CONFIG_ERROR,
    EXIT_INTERRUPTED,
    EXIT_NONCONFORMANT,
    EXIT_TERMINATED,
)
from .output import SurvivingStream, lost

SUITE_DIR = Path(__file__).resolve().parent.parent / "suite"


def raw_options_from_args(args: argparse.Namespace) -> RawOptions:
    """The command line as the configuration layer's ``RawOptions``."""
    return RawOptions(
        resource=args.resource,
        base_url=args.base_url,
        deployments=args.deployment,
        auth=args.auth,
        entra_scope=args.entra_scope,
        mode=args.mode,
        cassettes=args.cassettes,
        emulator=args.emulator,
        suite=args.suite,
        select=args.select,
        report_dir=args.report_dir,
        max_requests=args.max_requests,
        max_tokens_budget=args.max_tokens,
        probe_rate_limit=args.probe_rate_limit,
        timeout=args.timeout,
        redact_resource=args.redact_resource,
        max_cassette_age=args.max_cassette_age,
        max_latency_ms=args.max_latency_ms,
        max_ttft_ms=args.max_ttft_ms,
        jobs=args.jobs,
        platform_profile=args.platform_profile,
        overwrite=args.overwrite,
        max_rpm=args.max_rpm,
        max_itpm=args.max_itpm,
        max_otpm=args.max_otpm,
        subscription=args.subscription,
        baseline=args.baseline,
        fail_on=args.fail_on,
    )


def pytest_args(args: argparse.Namespace, settings: Settings) -> list[str]:
    """The pytest command line that runs the suite (its configuration travels as an object)."""
    return [
        str(SUITE_DIR),
        "-c",
        str(SUITE_DIR / "pytest.ini"),
        "--rootdir",
        str(SUITE_DIR),
        "-p",
        "no:cacheprovider",
        # Hypothesis's plugin (present in development environments) has nothing to do in a run.
        "-p",
        "no:hypothesispytest",
        # Its end-of-session garbage collections (~0.4 s each in a process that holds the SDK)
        # would look for unraisable exceptions of the harness's own objects, not the endpoint's.
        "-p",
        "no:unraisableexception",
        # No check asserts (tests/suite/test_no_asserts.py): a check fails by raising what it
        # found. Rewriting asserts would cost every run a pass over the installed distributions
        # and each suite module's syntax tree, and warn of plugins imported before it started.
        "--assert=plain",
        "--tb=no",
        # No list of failures or skips from pytest: the verdict block names the failures by
        # check ID with their diagnoses, and folds the skips by reason above it.
        "-rN",
        f"--junitxml={settings.report_dir / JUNIT_FILE}",
        f"--html={settings.report_dir / PYTEST_HTML_FILE}",
        "--self-contained-html",
        *args.pytest_arg,
    ]


def check_output_places(settings: Settings, arguments: list[str] | None = None) -> None:
    """Before anything is sent, every artifact of the run can be written where it is to go (a
    directory where a file must go, a parent that is a file, no permission, no space: each a
    ``ConfigError``, exit 2), ``junit.xml`` and ``pytest-report.html`` where a ``--pytest-arg``
    moved them included. Nothing is created."""
    places = output_places(settings, pytest_reports=True)
    for option, path in _pytest_reports_asked(arguments or []).items():
        places.append(Place(path, option))
    preflight(places)


_REPORT_OPTIONS = {"--junitxml": "--junitxml", "--junit-xml": "--junitxml", "--html": "--html"}


def _pytest_reports_asked(arguments: list[str]) -> dict[str, Path]:
    """Where pytest's own reports go by ``arguments`` (the last of each option wins, as in
    pytest), in either spelling (``--html=FILE``, ``--html FILE``)."""
    asked: dict[str, Path] = {}
    for position, argument in enumerate(arguments):
        name, equals, value = argument.partition("=")
        option = _REPORT_OPTIONS.get(name)
        if option is None:
            continue
        if not equals:
            value = arguments[position + 1] if position + 1 < len(arguments) else ""
        if value:
            asked[option] = Path(value).expanduser()
    return asked


class _Outcome:
    """The command's side of the session: hands it the command's ``StopSignals`` (armed once the
    session starts) and the output's fate, and keeps its config to read the outcome."""

    def __init__(self, stops: StopSignals, streams: Sequence[SurvivingStream] = ()) -> None:
        self.config: pytest.Config | None = None
        self.stops = stops
        self.streams = streams
        self.fallback: RunRecorder | None = None  # the report the session never got to write

    def pytest_configure(self, config: pytest.Config) -> None:
        self.config = config
        config.stash[STOPS_KEY] = self.stops

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        """Progress lines name the suite's files (``test_auth.py``), not a path from the
        caller's directory into wherever the package is installed; from now on a signal stops
        the session (one that came during the start-up does so now)."""
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.startpath = SUITE_DIR
        self.stops.arm()

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Before the summary is assembled: say if the terminal's output was cut short."""
        note = lost(self.streams)
        recorder = session.config.stash.get(RECORDER_KEY, None)
        if note is not None and recorder is not None:
            recorder.run_notes.append(note)

    @property
    def recorder(self) -> RunRecorder | None:
        if self.fallback is not None:
            return self.fallback
        return self.config.stash.get(RECORDER_KEY, None) if self.config else None

    @property
    def summary(self) -> RunSummary | None:
        """The run's summary, once its report is written."""
        recorder = self.recorder
        return recorder.summary if recorder is not None else None

    @property
    def exit_code(self) -> int | None:
        recorder = self.recorder
        return recorder.exit_code if recorder is not None else None


def run_command(
    args: argparse.Namespace,
    *,
    env: Mapping[str, str],
    out: TextIO,
    stops: StopSignals | None = None,
    streams: Sequence[SurvivingStream] = (),
) -> int:
    """Run the suite; the exit status follows the verdict (SPEC), or says the run was stopped.

    ``stops`` holds the signals that came so far (noted, not acted on, until the session starts):
    whenever the run is stopped, from its start-up on, it leaves its summary, marked incomplete.
    """
    stops = stops or StopSignals()
    settings = resolve_settings(raw_options_from_args(args), env)  # ConfigError: nothing sent
    if settings.baseline is not None:
        load_baseline_summary(settings.baseline)  # SummaryError: exit 2, nothing sent
    arguments = pytest_args(args, settings)
    check_output_places(settings, arguments)
    for note in (*settings.notes, *settings.warnings):
        out.write(f"foundry-conformance: {note}\n")
    outcome = _Outcome(stops, streams)
    status: int | pytest.ExitCode = pytest.ExitCode.INTERRUPTED
    if not stops.requested:  # a signal during the start-up: nothing more is started
        try:
            status = pytest.main(arguments, plugins=[outcome, GivenSettings(settings)])
        except KeyboardInterrupt:  # in pytest's own start-up, before its session began
            status = pytest.ExitCode.INTERRUPTED
    summary = outcome.summary
    # Stopped by a signal; or interrupted with the report of what finished written (by a
    # KeyboardInterrupt the command's handlers did not see: ``main`` called off the main thread).
    # pytest's own stop at a collection error writes none, and is no interruption.
    interrupted = status == pytest.ExitCode.INTERRUPTED
    stopped = stops.requested or (interrupted and summary is not None and summary.incomplete)
    if stops.requested and summary is None:
        stops.acknowledge()
        with stops.shielded():
            outcome.fallback = RunRecorder(settings, interruption=stops.how)
            outcome.fallback.finish(interrupted=True)
        summary = outcome.summary
    if stopped and (summary is None or summary.incomplete):
        # The report of what finished is written, marked incomplete; say where.
        where = settings.report_dir / "diagnosis.html"
        if summary is None:
            said = "no report could be written"
        elif summary.checks:
            said = f"the report of the checks that finished is {where}"
        else:
            said = f"no check had finished; the report of the run is {where}"
        how = "terminated (SIGTERM)" if stops.terminated else "interrupted"
        sys.stderr.write(f"foundry-conformance: {how}; {said}\n")
        return EXIT_TERMINATED if stops.terminated else EXIT_INTERRUPTED
    if outcome.exit_code is not None:
        return outcome.exit_code
    if status in (pytest.ExitCode.USAGE_ERROR, pytest.ExitCode.INTERRUPTED):
        return EXIT_CONFIG_ERROR  # pytest said why (a usage error, a file it cannot collect)
    return EXIT_NONCONFORMANT
