"""JUnit extras: each check case is named by its check ID, and carries its request IDs in system-out.

Registered by the plugin only when ``--junitxml`` is given. A CI system then lists
``AUTH-BAD-KEY[api-key]`` rather than ``test_wrong_key_is_refused_with_correlation_ids[api-key]``,
and a failing case's output holds the ``request-id`` / ``apim-request-id`` that support asks for.

The name: pytest's ``record_xml_attribute`` fixture documents that an attribute recorded for a
test overrides the one junitxml computes, and does it through the node reporter that junitxml keeps
under its stash key. A fixture runs only for tests whose setup runs, so a check skipped before its
fixtures (an opt-in probe) would keep its function name; the same call is made here from
``pytest_runtest_logreport`` instead, which sees every case.

The request IDs travel as a report section named ``Captured stdout …``: junitxml writes a case's
captured stdout into ``<system-out>`` when ``junit_logging`` is ``system-out`` (or ``out-err`` or
``all``), a setting of the suite's ``pytest.ini``; with pytest's default (``no``) it writes none.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest

from .interactions import Interaction
from .plugin import RECORDER_KEY, check_id_of
from .report.transcript import case_label, request_ids

XML_KEY: pytest.StashKey[Any] | None
try:  # The stash key of junitxml's LogXML: what record_xml_attribute itself uses.
    from _pytest.junitxml import xml_key as XML_KEY
except ImportError:  # pragma: no cover - a pytest without it keeps its own test names
    XML_KEY = None

LABEL_ATTRIBUTE = "foundry_case"
SECTION = "Captured stdout foundry requests"


def label_of(item: pytest.Item) -> str | None:
    """``AUTH-BAD-KEY[api-key]`` for a check case; None for a test that is not a check."""
    check_id = check_id_of(item)
    if check_id is None:
        return None
    callspec = getattr(item, "callspec", None)
    return case_label(check_id, callspec.id if callspec is not None else None)


def case_interactions(item: pytest.Item) -> tuple[list[Interaction], bool]:
    """The case's own exchanges, or (for a run-wide check, which sends nothing) those it judged.

    The second value says which: True when the exchanges belong to other checks.
    """
    recorder = item.config.stash.get(RECORDER_KEY, None)
    if recorder is None or recorder.run is None:
        return [], False
    log = recorder.run.log
    own = log.for_case(item.nodeid)
    if own:
        return own, False
    judged = {
        int(seq)
        for name, value in item.user_properties
        if name == "evidence" and isinstance(value, list)
        for seq in value
    }
    return [ix for ix in log.snapshot() if ix.seq in judged], True


class JunitExtras:
    """The hooks, bound to the session's config."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        """Stamp the case's label on each report; at teardown, add its request IDs."""
        report = yield
        label = label_of(item)
        if label is None:
            return report
        setattr(report, LABEL_ATTRIBUTE, label)
        # junitxml writes a case's output from its teardown report, once every request is made.
        if report.when == "teardown":
            interactions, judged = case_interactions(item)
            text = request_ids(interactions, judged)
            if text:
                report.sections.append((SECTION, text + "\n"))
        return report

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Name the testcase by its check before junitxml records the report."""
        label = getattr(report, LABEL_ATTRIBUTE, None)
        xml: Any = self.config.stash.get(XML_KEY, None) if XML_KEY is not None else None
        if label and xml is not None:
            xml.node_reporter(report).add_attribute("name", label)


def register(config: pytest.Config) -> None:
    """Register the hooks (the plugin calls this when ``--junitxml`` is given)."""
    config.pluginmanager.register(JunitExtras(config), "foundry-conformance-junit")
