"""``foundry-conformance run``: resolve the configuration once (nothing is sent if it is wrong),
run the suite in-process with pytest, handing it the resolved ``Settings``, and map the run's
verdict to the exit status."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TextIO

import pytest

from ..config import RawOptions, Settings, resolve_settings
from ..config.outputs import JUNIT_FILE, PYTEST_HTML_FILE, output_places
from ..core.publish import Place, preflight
from ..plugin.options import GivenSettings
from ..plugin.recorder import RECORDER_KEY
from ..summary.verdict import EXIT_CONFIG_ERROR, EXIT_NONCONFORMANT

EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143  # 128 + SIGTERM, as shells report it
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


@contextlib.contextmanager
def _terminate_as_interrupt(outcome: _Outcome) -> Iterator[list[bool]]:
    """SIGTERM (a CI job cancelled, ``timeout``, ``docker stop``) ends the run as Ctrl-C does:
    the report of what finished is written, saying how the run ended. Yields a list that holds
    True once it came."""
    came: list[bool] = []
    if threading.current_thread() is not threading.main_thread():
        yield came  # signal handlers belong to the main thread; leave them be
        return

    def terminate(signum: int, frame: object) -> None:
        came.append(True)
        outcome.interrupted_as("terminated (SIGTERM)")
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield came
    finally:
        signal.signal(signal.SIGTERM, previous)


class _Outcome:
    """Keeps the session's config, to read the run's exit status once pytest has finished."""

    def __init__(self) -> None:
        self.config: pytest.Config | None = None

    def pytest_configure(self, config: pytest.Config) -> None:
        self.config = config

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        """Progress lines name the suite's files (``test_auth.py``), not a path from the
        caller's directory into wherever the package is installed."""
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.startpath = SUITE_DIR

    def interrupted_as(self, how: str) -> None:
        """Tell the run how it is being stopped, for the summary's words."""
        recorder = self.config.stash.get(RECORDER_KEY, None) if self.config else None
        if recorder is not None:
            recorder.interruption = how

    @property
    def reported(self) -> bool:
        """Whether the run's summary and reports were written."""
        recorder = self.config.stash.get(RECORDER_KEY, None) if self.config else None
        return recorder is not None and recorder.summary is not None

    @property
    def exit_code(self) -> int | None:
        recorder = self.config.stash.get(RECORDER_KEY, None) if self.config else None
        return recorder.exit_code if recorder is not None else None


def run_command(args: argparse.Namespace, *, env: Mapping[str, str], out: TextIO) -> int:
    """Run the suite; the exit status follows the verdict (SPEC)."""
    settings = resolve_settings(raw_options_from_args(args), env)  # ConfigError: nothing sent
    arguments = pytest_args(args, settings)
    check_output_places(settings, arguments)
    for note in (*settings.notes, *settings.warnings):
        out.write(f"foundry-conformance: {note}\n")
    outcome = _Outcome()
    with _terminate_as_interrupt(outcome) as terminated:
        status = pytest.main(arguments, plugins=[outcome, GivenSettings(settings)])
    if status == pytest.ExitCode.INTERRUPTED:
        # The report of what finished is written, marked incomplete; say where, or that none is.
        where = settings.report_dir / "diagnosis.html"
        said = (
            f"the report of the checks that finished is {where}"
            if outcome.reported
            else "no check had finished, so no report was written"
        )
        how = "terminated (SIGTERM)" if terminated else "interrupted"
        sys.stderr.write(f"foundry-conformance: {how}; {said}\n")
        return EXIT_TERMINATED if terminated else EXIT_INTERRUPTED
    if outcome.exit_code is not None:
        return outcome.exit_code
    if status == pytest.ExitCode.USAGE_ERROR:
        return EXIT_CONFIG_ERROR
    return EXIT_NONCONFORMANT
