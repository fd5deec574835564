"""The capability matrix in every writer, from a literal run (``tests.summary.runs``): the HTML
table (icon and word per cell, what is documented, drift and findings marked, the evidence one
click away), one terminal line per deployment, and the ticket's cells that support must see."""

from __future__ import annotations

from pathlib import Path

from conformance.report import render_html, render_ticket
from conformance.report.matrix import matrix_view, terminal_lines, ticket_lines
from conformance.report.terminal import verdict_block
from tests.diagnosis import bodies
from tests.platform_facts import PROFILE
from tests.summary.runs import CUSTOM, SONNET_5_5, built_summary, capability_run

PROFILE_TEXT = f"{PROFILE.version} of {PROFILE.date} (built-in)"


def test_the_view_has_a_row_per_capability_and_a_column_per_deployment() -> None:
    view = matrix_view(capability_run())
    assert view is not None and view.profile == PROFILE_TEXT
    assert [c.name for c in view.columns] == [SONNET_5_5, CUSTOM]
    assert view.columns[1].model == "a model the profile does not know"
    assert [r.id for r in view.rows] == [
        "CAP-STREAMING",
        "CAP-TOOLS",
        "CAP-STRUCTURED-OUTPUT",
        "CAP-CITATIONS",
        "CAP-CACHING-5M",
        "CAP-WEB-SEARCH",
    ]
    streaming = view.rows[0]
    assert [c.deployment for c in streaming.cells] == [SONNET_5_5, CUSTOM]
    assert [len(r.cells) for r in view.rows[1:]] == [1] * 5  # only where a case ran


def test_each_cell_is_an_icon_a_word_and_what_is_documented() -> None:
    view = matrix_view(capability_run())
    assert view is not None
    cells = {row.id: row.cells[0] for row in view.rows}
    shown = {k: (c.icon, c.word, c.expected, c.drift) for k, c in cells.items()}
    assert shown == {
        "CAP-STREAMING": ("✓", "supported", "documented: supported", ""),
        "CAP-TOOLS": (
            "✕",
            "refused",
            "documented: supported",
            "off the docs: documented as supported",
        ),
        "CAP-STRUCTURED-OUTPUT": (
            "✕",
            "refused",
            "documented: azure sources conflict, anthropic supported",
            "",
        ),
        "CAP-CITATIONS": ("⚠", "not honoured", "documented: supported", ""),
        "CAP-CACHING-5M": ("✓", "supported", "documented: supported", ""),
        "CAP-WEB-SEARCH": (
            "–",
            "not judged",
            "documented: azure sources conflict, anthropic supported",
            "",
        ),
    }
    assert [k for k, c in cells.items() if c.finding] == ["CAP-TOOLS", "CAP-CITATIONS"]
    assert [r.id for r in view.rows if r.finding] == ["CAP-TOOLS", "CAP-CITATIONS"]
    assert cells["CAP-STRUCTURED-OUTPUT"].conflicts[0].startswith("Hosted on Azure: Microsoft")
    assert [e.request_id for e in cells["CAP-STRUCTURED-OUTPUT"].evidence] == [bodies.REQUEST_ID]


def test_the_terminal_shows_one_line_per_deployment_with_its_cost_and_what_is_off() -> None:
    assert terminal_lines(capability_run()) == [
        f"  capabilities of {SONNET_5_5}: 2 supported, 2 refused, 1 not honoured, 1 not judged "
        "(5 requests, 37 tokens, 0 written to the prompt cache, 1414 read from it); off the "
        "docs: CAP-TOOLS refused, CAP-CITATIONS not honoured",
        f"  capabilities of {CUSTOM}: 1 supported, 0 refused, 0 not honoured, 0 not judged "
        "(1 request, 9 tokens)",
    ]
    block = verdict_block(capability_run(), Path("reports"))
    assert terminal_lines(capability_run())[0] in block
    assert not terminal_lines(built_summary())


def test_the_ticket_lists_the_cells_support_must_see_with_their_request_ids() -> None:
    lines = ticket_lines(capability_run())
    assert lines[0] == "## Capabilities that do not work as documented"
    rows = [line for line in lines if line.startswith(f"| {SONNET_5_5} |")]
    assert len(rows) == 2
    tools, citations = rows
    assert "| CAP-TOOLS | documented as supported, refused here |" in tools
    assert f"| {bodies.REQUEST_ID} |" in tools
    assert "Extra inputs are not permitted" in tools and "\n" not in tools
    assert "| CAP-CITATIONS | accepted, but not honoured |" in citations
    assert f"Expectations: platform profile {PROFILE_TEXT}." in lines
    assert "\n".join(lines) in render_ticket(capability_run())
    # Refused as one option documents, or not judged: nothing for support.
    assert "CAP-STRUCTURED-OUTPUT" not in "\n".join(lines)
    assert ticket_lines(built_summary()) == []


def test_the_page_has_the_matrix_with_each_cell_s_evidence_one_click_away() -> None:
    page = render_html(capability_run())
    assert '<a href="#capabilities">Capability matrix</a>' in page
    assert '<h2 id="capabilities">Capability matrix</h2>' in page
    assert f"held against what platform profile {PROFILE_TEXT} documents" in page
    assert '<tr id="cap-CAP-TOOLS" class="has-finding">' in page
    assert '<tr id="cap-CAP-STREAMING">' in page
    assert f'<td class="m-cell is-finding" data-label="{SONNET_5_5}">' in page
    assert '<details class="cap cap--refused cap--drift">' in page
    assert '<span class="cap__drift">off the docs: documented as supported</span>' in page
    assert (
        '<a href="#diag-documented-feature-refused"><code>documented-feature-refused</code></a>'
        in page
    )
    assert f'request-id <span class="mono">{bodies.REQUEST_ID}</span>' in page
    # A cell nothing was sent for says why; one with requests offers its evidence.
    assert '<span class="cap__open">why</span>' in page
    assert '<span class="cap__open">evidence</span>' in page
    assert "its probes cost 5 requests, 37 tokens, 0 written to the prompt cache" in page


def test_a_run_without_capability_cases_has_no_matrix_section() -> None:
    page = render_html(built_summary())
    assert 'id="capabilities"' not in page and "#capabilities" not in page
