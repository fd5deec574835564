"""Every writer formats the summary's one figure: the recording's age, the requests, per case."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from conformance.report import render_html, render_ticket
from conformance.report.terminal import verdict_block
from conformance.report.view import build_view
from conformance.summary.model import RUN_ROW, RunSummary, UsageTotals

from .factory import STARTED, check, evidence, summary

FINISHED = STARTED.replace(minute=1)
# Five days and fourteen hours: 5 whole days, though 5.6 rounds to 6.
RECORDED = (FINISHED - timedelta(days=5, hours=14)).isoformat(timespec="seconds")


def test_the_recording_s_age_reads_the_same_in_the_terminal_the_page_and_the_ticket() -> None:
    run = summary(kind="replay", recorded_at=RECORDED)
    assert run.target.recording_age_days == 5
    outputs = {
        "terminal": "\n".join(verdict_block(run, Path("reports"))),
        "html": render_html(run),
        "ticket": render_ticket(run),
    }
    for name, text in outputs.items():
        ages = set(re.findall(r"(\d+) days? before this replay", text))
        assert ages == {"5"}, (name, ages)


def test_a_summary_without_an_age_gives_none_rather_than_reckoning_its_own() -> None:
    run = summary(kind="replay", recorded_at=RECORDED)
    run = replace(run, target=replace(run.target, recording_age_days=None))
    assert "before this replay" not in "\n".join(verdict_block(run, Path("r")))
    assert "before this replay" not in render_ticket(run)


def _with_every_request() -> RunSummary:
    preflight = evidence(1, 200, check=None, deployment=None)
    preflight.run_step = "primary-auth"
    basic = evidence(2, check="MSG-BASIC")
    judged = check("RID-REQUEST-ID", evidence=[basic])  # cites, sends nothing
    return summary(
        [check("MSG-BASIC", evidence=[basic]), judged],
        requests=[preflight, basic],
        usage=UsageTotals(
            requests=2,
            by_check={
                RUN_ROW: {"requests": 1, "input_tokens": 0, "output_tokens": 0},
                "MSG-BASIC": {"requests": 1, "input_tokens": 0, "output_tokens": 0},
            },
        ),
    )


def test_the_correlation_ids_list_every_request_the_run_s_own_named_as_such() -> None:
    run = _with_every_request()
    view = build_view(run)
    assert [(row.seq, row.check) for row in view.correlation] == [
        (1, "run: auth choice"),
        (2, "MSG-BASIC"),
    ]
    page = render_html(run)
    assert "Correlation IDs (2)" in page
    ticket = render_ticket(run)
    assert "| 1 | run: auth choice | POST /anthropic/v1/messages | 200 |" in ticket
    assert view.usage_note.startswith(f"`{RUN_ROW}`: the requests the run sends itself")


def test_a_case_s_requests_are_those_it_sent_not_the_evidence_it_cites() -> None:
    basic = evidence(2, check="MSG-BASIC")
    cases = [
        replace(check("MSG-BASIC", evidence=[basic]), requests=1),
        replace(check("RID-REQUEST-ID", evidence=[basic]), requests=0),
    ]
    rows = {
        row.id: row.requests for area in build_view(summary(cases)).areas for row in area.checks
    }
    assert rows == {"MSG-BASIC": 1, "RID-REQUEST-ID": 0}


def test_a_stream_s_first_token_is_shown_within_that_stream_s_total() -> None:
    latency = {"claude-sonnet-4-5": {"requests": 3.0, "median_ms": 9.0, "max_ms": 30.0}}
    latency["claude-sonnet-4-5"].update({"ttft_ms": 12.0, "stream_ms": 15.3})
    (row,) = build_view(summary(latency=latency)).deployments
    assert (row.median_ms, row.ttft_ms) == ("9.0 ms", "12.0 ms of 15.3 ms")
