"""JUnit extras: each check case is named by its check ID, and carries its request IDs in system-out.

Registered by the plugin only when ``--junitxml`` is given. A CI system then lists
``AUTH-BAD-KEY[api-key]`` rather than ``test_wrong_key_is_refused_with_correlation_ids[api-key]``,
and a failing case's output holds the ``request-id`` / ``apim-request-id`` that support asks for.

The name: pytest's ``record_xml_attribute`` fixture documents that an attribute recorded for a
test overrides the one junitxml computes, and does it through the node reporter that junitxml keeps
under its stash key. A fixture runs only for tests whose setup runs, so a check skipped before its
fixtures (an opt-in probe) would keep its function name; the same call is made here from
``pytest_runtest_logreport`` instead, which sees every case.

A case that could not judge (the summary's ``error``) is written as an ``<error>``, as the
summary, the report and the terminal count it: junitxml writes every failed call as a
``<failure>``. The status travels on the report (``STATUS_ATTRIBUTE``); the case's node reporter,
the object ``record_xml_attribute`` also goes through, then writes that one call's outcome under
the other tag, with junitxml's own message.

The request IDs travel as a report section named ``Captured stdout …``: junitxml writes a case's
captured stdout into ``<system-out>`` when ``junit_logging`` is ``system-out`` (or ``out-err`` or
``all``), a setting of the suite's ``pytest.ini``; with pytest's default (``no``) it writes none.

What to do: the diagnoses exist only once the run's summary does, after junitxml has written the
file; the recorder then hands the summary to ``rewrite``, before it scans the artifacts for
secrets, and a failed case's ``<failure message>`` leads with its diagnosis codes and remedies
(``report.junit``).
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from ..report.junit import annotate_junit
from ..report.transcript import request_ids
from ..summary.model import RunSummary
from .keys import CASE_EVIDENCE_KEY, LABEL_ATTRIBUTE, STATUS_ATTRIBUTE
from .recorder import RECORDER_KEY

XML_KEY: pytest.StashKey[Any] | None
try:  # The stash key of junitxml's LogXML: what record_xml_attribute itself uses.
    from _pytest.junitxml import xml_key as XML_KEY
except ImportError:  # pragma: no cover - a pytest without it keeps its own test names
    XML_KEY = None

SECTION = "Captured stdout foundry requests"


class JunitExtras:
    """The hooks, bound to the session's config."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    @pytest.hookimpl(wrapper=True, tryfirst=True)  # outermost: sees what the recorder stashed
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        """At teardown, add the case's request IDs to its report."""
        report = yield
        label = getattr(report, LABEL_ATTRIBUTE, None)  # stamped by the plugin on every check
        if label is None:
            return report
        # junitxml writes a case's output from its teardown report, once every request is made.
        if report.when == "teardown":
            evidence = item.stash.get(CASE_EVIDENCE_KEY, None)
            text = request_ids(evidence.interactions, evidence.judged) if evidence else ""
            if text:
                report.sections.append((SECTION, text + "\n"))
        return report

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """Ask the recorder (there is one once checks are collected) for the summary, to rewrite
        the file before the artifacts are scanned."""
        recorder = self.config.stash.get(RECORDER_KEY, None)
        if recorder is not None and self.rewrite not in recorder.before_scan:
            recorder.before_scan.append(self.rewrite)

    def rewrite(self, summary: RunSummary) -> None:
        """The JUnit file junitxml wrote, with each failed check case saying what to do."""
        xml: Any = self.config.stash.get(XML_KEY, None) if XML_KEY is not None else None
        path = Path(getattr(xml, "logfile", None) or self.config.option.xmlpath)
        try:
            text = path.read_text("utf-8")
            path.write_text(annotate_junit(text, summary), "utf-8")
        except (OSError, UnicodeError):
            return  # the file as junitxml wrote it stays: it is still a valid report

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Name the testcase by its check, and file a call that could not judge as an error,
        before junitxml records the report."""
        label = getattr(report, LABEL_ATTRIBUTE, None)
        xml: Any = self.config.stash.get(XML_KEY, None) if XML_KEY is not None else None
        if not label or xml is None:
            return
        reporter = xml.node_reporter(report)
        reporter.add_attribute("name", label)
        could_not_judge = getattr(report, STATUS_ATTRIBUTE, None) == "error"
        if report.when == "call" and report.failed and could_not_judge:
            _file_failure_as_error(reporter)


def _file_failure_as_error(reporter: Any) -> None:
    """Make the next ``<failure>`` this node reporter writes an ``<error>`` (same message)."""
    append_failure = getattr(reporter, "append_failure", None)
    add_simple = getattr(reporter, "_add_simple", None)
    if append_failure is None or add_simple is None:  # pragma: no cover - another junitxml
        return

    def add_as_error(tag: str, message: str, data: str | None = None) -> None:
        add_simple("error" if tag == "failure" else tag, message, data)

    def append_as_error(report: pytest.TestReport) -> None:
        reporter._add_simple = add_as_error
        try:
            append_failure(report)
        finally:  # back to the class's own methods
            del reporter._add_simple
            del reporter.append_failure

    reporter.append_failure = append_as_error


def register(config: pytest.Config) -> None:
    """Register the hooks (the plugin calls this when ``--junitxml`` is given)."""
    config.pluginmanager.register(JunitExtras(config), "foundry-conformance-junit")
