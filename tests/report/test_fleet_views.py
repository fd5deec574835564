"""What the fleet index page, the footprint table and the "since the baseline" lines say, from
literal summaries (the view-models, and the rendered page where escaping matters)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from conformance.core.platform_load import builtin_profile
from conformance.core.quota import Ceilings
from conformance.report.changes_text import change_line, comparison_lines
from conformance.report.fleet_html import build_fleet_view, render_fleet_html
from conformance.report.pacing_view import pacing_lines, pacing_view, since_lines
from conformance.report.terminal import verdict_block
from conformance.summary.changes import REGRESSION, Change, Comparison
from conformance.summary.fleet import CONFIGURATION_ERROR, TargetRecord, build_index
from conformance.summary.footprint import PacingFacts, footprint
from tests.diagnosis.helpers import ix
from tests.report.factory import check, diagnosis, summary


def paced(times: list[float], rpm: int = 40, waits: int = 0) -> object:
    interactions = [
        replace(
            ix(status=200, seq=i + 1),
            deployment="claude-sonnet-5-5",
            started_at=t,
            input_tokens=10,
            output_tokens=2,
        )
        for i, t in enumerate(times)
    ]
    facts = PacingFacts(
        Ceilings(rpm, 40_000, 8_000),
        "prod",
        "the pay-as-you-go default",
        waits={"prod/claude-sonnet-5-5": (waits, 61.0)} if waits else {},
    )
    return footprint(interactions, facts, builtin_profile())


def test_the_index_page_shows_each_verdict_links_each_cell_and_escapes_what_came_from_runs() -> (
    None
):
    failing = summary(
        [check("MSG-BASIC"), check("AUTH-API-KEY", "failed", params={"auth": "api-key"})],
        [diagnosis("api-key-header-rejected", "warning")],
        verdict="nonconformant",
    )
    index = build_index(
        [
            TargetRecord(
                "prod-eastus",
                0,
                "prod-eastus",
                summary([check("MSG-BASIC"), check("AUTH-API-KEY")]),
            ),
            TargetRecord("prod-west", 1, "prod-west", failing),
            TargetRecord(
                "staging",
                2,
                "",
                None,
                CONFIGURATION_ERROR,
                "api_key_env names <KEY>, which is not set",
                2,
            ),
        ]
    )
    view = build_fleet_view(index)
    assert [(t.name, t.verdict, t.tone) for t in view.targets] == [
        ("prod-eastus", "conformant", "good"),
        ("prod-west", "nonconformant", "bad"),
        ("staging", CONFIGURATION_ERROR, "bad"),
    ]
    assert view.targets[1].diagnoses == [
        (
            "api-key-header-rejected",
            "warning",
            "prod-west/diagnosis.html#diag-api-key-header-rejected",
        )
    ]
    auth = next(row for row in view.checks if row.label == "AUTH-API-KEY")
    assert [(c.text, c.href) for c in auth.cells] == [
        ("✔", "prod-eastus/diagnosis.html#check-AUTH-API-KEY"),
        ("✘", "prod-west/diagnosis.html#check-AUTH-API-KEY"),
        ("", ""),
    ]
    # A failing endpoint (1) ranks above a target whose configuration is wrong (2).
    assert view.exit_line == "Exit status 1: the worst verdict."
    page = render_fleet_html(index)
    assert "api_key_env names &lt;KEY&gt;, which is not set" in page
    assert "<KEY>" not in page
    assert "Content-Security-Policy" in page


def test_a_target_shows_its_busiest_pools_beside_their_ceilings() -> None:
    run = summary(pacing=paced([0.0, 1.0, 2.0]))
    index = build_index([TargetRecord("a", 0, "a", run)])
    (row,) = build_fleet_view(index).targets
    assert row.pools == ["claude-sonnet-5-5: 3 requests, peak 3 of 40 per minute"]


def test_the_report_shows_the_footprint_beside_the_ceilings_and_the_waits() -> None:
    run = summary(pacing=paced([0.0, 1.0, 2.0, 70.0], rpm=3, waits=1))
    view = pacing_view(run)
    assert view.sentence.startswith(
        "Paced under 3 requests, 40000 uncached input and 8000 output tokens per minute per pool"
    )
    (row,) = view.rows
    assert (row.name, row.requests, row.peak_rpm, row.peak_otpm, row.waited, row.over) == (
        "prod/claude-sonnet-5-5",
        4,
        "3 / 3",
        "6 / 8000",
        "1 waited 61 s",
        False,
    )
    assert pacing_lines(run) == [
        "  quota: peak 3 requests per minute in prod/claude-sonnet-5-5 (ceiling 3); 1 requests waited 61 s for their pool"
    ]
    # A peak above its ceiling is the pacer's failure: shown as such.
    over = summary(pacing=paced([0.0, 1.0, 2.0, 3.0], rpm=3))
    assert pacing_view(over).rows[0].over is True


def test_since_the_baseline_in_the_terminal() -> None:
    change = Change(
        "check", "AUTH-API-KEY[api-key]", "passed", "failed", REGRESSION, request_ids=["apim-1"]
    )
    assert (
        change_line(change)
        == "✘ regression  check AUTH-API-KEY[api-key]: passed → failed (request IDs: apim-1)"
    )
    comparison = Comparison(
        "yesterday/summary.json", "2026-06-01T12:00:00+00:00", "conformant", [change], ["MSG-TOOLS"]
    )
    run = summary(since_baseline=comparison)
    assert since_lines(run) == comparison_lines(comparison)
    assert comparison_lines(comparison)[0] == (
        "  since the baseline (yesterday/summary.json, 2026-06-01T12:00:00+00:00): "
        "1 regression, 0 improvements, 0 drift, 0 other changes"
    )
    block = "\n".join(verdict_block(run, Path("reports")))
    assert "known failures, unchanged: MSG-TOOLS" in block
