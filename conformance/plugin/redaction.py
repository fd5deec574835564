"""Redaction at the source for what logging and pytest show: every log record as it is made, and
every report before JUnit, pytest-html or the terminal reads it.

- **Logging.** ``RedactingFilter`` redacts a record in place — its message with its arguments
  merged in, the traceback and the stack it carries — and ``redacting_log_records`` applies it to
  every record the moment it is made (a log record factory, for the session), whichever logger
  made it: httpx, httpcore, the SDK's under ``ANTHROPIC_LOG=debug``, vcrpy, the emulator. So
  pytest's live log (``--log-cli-level``), its captured log sections (``--log-level``) and any
  other handler (the SDK's ``logging.basicConfig`` onto stderr) only ever see the redacted
  record.
- **Reports.** A test's report — its ``longrepr`` (the traceback, the arguments and the locals
  that ``--showlocals`` / ``-l`` add, the crash line, a skip's reason), its sections of captured
  output and logs, its user properties — and a collection's are redacted in
  ``pytest_runtest_logreport`` / ``pytest_collectreport`` ahead of every other implementation:
  junitxml, pytest-html and the terminal reporter read a report there or later, never before. An
  internal error's report is redacted before the terminal prints it, and a warning's message
  before the warnings summary shows it.
"""

from __future__ import annotations

import logging
import traceback
import warnings
from collections.abc import Callable
from typing import Any

import pytest
from _pytest._code.code import TerminalRepr

from ..core.redaction import Redactor, redact_tree


class RedactingFilter(logging.Filter):
    """Redacts a log record in place (and lets it through)."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        """The record's message, arguments merged in, its traceback and stack: redacted."""
        redact = self.redactor.text
        try:
            message = record.getMessage()
        except Exception:  # arguments that do not fit: a handler would print them with an error
            message = f"{record.msg!r} % {record.args!r}"
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            # What logging.Formatter.formatException gives; kept, so no formatter makes it again.
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def redacting_log_records(redactor: Redactor) -> Callable[[], None]:
    """Redact every log record as it is made, until the function returned is called."""
    previous = logging.getLogRecordFactory()
    redacting = RedactingFilter(redactor)

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        redacting.filter(record)
        return record

    logging.setLogRecordFactory(factory)

    def restore() -> None:
        if logging.getLogRecordFactory() is factory:
            logging.setLogRecordFactory(previous)

    return restore


def _is_terminal_repr(value: object) -> bool:
    return isinstance(value, TerminalRepr)


def redact_report(report: pytest.TestReport | pytest.CollectReport, redactor: Redactor) -> None:
    """Every text of ``report`` that a writer may show, redacted in place."""
    redact = redactor.text
    report.longrepr = redact_tree(report.longrepr, redact, walk=_is_terminal_repr)
    report.sections = [(redact(title), redact(content)) for title, content in report.sections]
    if isinstance(report, pytest.TestReport):
        report.user_properties = redact_tree(list(report.user_properties), redact)


def redact_terminal_repr(value: TerminalRepr, redactor: Redactor) -> None:
    """An internal error's (or any) terminal representation, redacted in place."""
    redact_tree(value, redactor.text, walk=_is_terminal_repr)


class RedactingReports:
    """The hooks that redact a session's reports, and its log records while it lasts
    (registered, with the run's redactor, once the session turns out to run checks)."""

    def __init__(self, redactor: Redactor) -> None:
        self.redactor = redactor
        self._restore = redacting_log_records(redactor)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """A check's report, before JUnit, pytest-html or the terminal reads it."""
        redact_report(report, self.redactor)

    @pytest.hookimpl(tryfirst=True)
    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        """A collection's report (an error while importing the suite, say)."""
        redact_report(report, self.redactor)

    @pytest.hookimpl(tryfirst=True)
    def pytest_warning_recorded(self, warning_message: warnings.WarningMessage) -> None:
        """A warning's message, before the terminal's warnings summary (or JUnit) shows it."""
        text = str(warning_message.message)
        redacted = self.redactor.text(text)
        if redacted == text:
            return
        category = type(warning_message.message)
        try:
            warning_message.message = category(redacted)
        except Exception:  # a warning class that takes other arguments
            warning_message.message = UserWarning(redacted)

    @pytest.hookimpl(tryfirst=True)
    def pytest_internalerror(self, excrepr: TerminalRepr, excinfo: Any) -> None:
        """An internal error's report, before the terminal prints it."""
        redact_terminal_repr(excrepr, self.redactor)

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        """Log records are left as they were before the session (a run inside another one)."""
        self._restore()


def register(config: pytest.Config, redactor: Redactor) -> None:
    """Redact the session's reports and log records from now on."""
    config.pluginmanager.register(RedactingReports(redactor), "foundry-conformance-redaction")
