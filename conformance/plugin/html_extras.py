"""pytest-html (v4) extras: a "Check" column, and each check case's request/response transcript.

Registered by the plugin only when pytest-html is active. The transcript (method, URL, redacted
request headers and body excerpt; status, redacted response headers, body excerpt, timings) comes
from what the recorder stashed on the item (``keys.CaseEvidence``), which the seam has already
redacted. It travels as pytest-html documents: ``report.extras`` set in
``pytest_runtest_makereport``, cells added in the ``pytest_html_results_table_header`` / ``_row``
hooks. Cells are markup that pytest-html inserts as
given, so every value is escaped by ``markupsafe`` on the way in.
"""

from __future__ import annotations

from collections.abc import Generator

import pytest
from markupsafe import Markup

from ..report.transcript import request_ids, transcript
from .keys import CASE_EVIDENCE_KEY, LABEL_ATTRIBUTE

# The report attribute pytest-html reads extras from (TestReport does not declare it).
EXTRAS = "extras"
TRANSCRIPT = Markup(
    '<div class="foundry-transcript"><p><strong>{}</strong> (redacted)</p>'
    '<pre style="white-space: pre-wrap; overflow-wrap: anywhere;">{}</pre></div>'
)


class HtmlExtras:
    """The hooks."""

    @pytest.hookimpl(wrapper=True, tryfirst=True)  # outermost: sees what the recorder stashed
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        """Attach the case's transcript to the report of its main phase."""
        report = yield
        label = getattr(report, LABEL_ATTRIBUTE, None)  # stamped by the plugin on every check
        if label is None:
            return report
        main_phase = report.when == "call" or (report.when == "setup" and not report.passed)
        if not main_phase:
            return report
        evidence = item.stash.get(CASE_EVIDENCE_KEY, None)
        if evidence is None or not evidence.interactions:
            return report
        interactions, judged = list(evidence.interactions), evidence.judged
        from pytest_html import extras  # type: ignore[import-untyped]

        if judged:
            extra = TRANSCRIPT.format("Requests this check judged", request_ids(interactions, True))
        else:
            extra = TRANSCRIPT.format(f"Requests of {label}", transcript(interactions))
        attached = [*getattr(report, EXTRAS, []), extras.html(str(extra))]
        setattr(report, EXTRAS, attached)
        return report

    def pytest_html_results_table_header(self, cells: list[str]) -> None:
        """A sortable Check column after Result."""
        cells.insert(1, Markup('<th class="sortable" data-column-type="check">Check</th>'))

    def pytest_html_results_table_row(self, report: pytest.TestReport, cells: list[str]) -> None:
        """The case's check ID (with its parameters) in the Check column."""
        label = getattr(report, LABEL_ATTRIBUTE, "") or ""
        cells.insert(1, Markup('<td class="col-check">{}</td>').format(label))


def register(config: pytest.Config) -> None:
    """Register the hooks (the plugin calls this when pytest-html is active), if --html is given."""
    if config.getoption("htmlpath", None):
        config.pluginmanager.register(HtmlExtras(), "foundry-conformance-html")
