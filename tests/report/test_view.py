"""The diagnosis report's view-model: banners, ordering, grouping, rows."""

from __future__ import annotations

from dataclasses import replace

import pytest

from conformance.core.catalog import AREAS
from conformance.report.sections import EVIDENCE_SHOWN
from conformance.report.view import (
    build_view,
    cases_by_check,
    recording_age,
    target_view,
    verdict_view,
)
from conformance.summary.model import CutShort, SecretScan
from conformance.summary.verdict import VERDICT_MEANING

from .factory import check, diagnosis, evidence, failing_summary, summary


@pytest.mark.parametrize(
    ("verdict", "word", "tone"),
    [
        ("conformant", "Conformant", "good"),
        ("nonconformant", "Non-conformant", "bad"),
        ("misconfigured", "Misconfigured", "bad"),
        ("unreachable", "Unreachable", "bad"),
        ("incomplete", "Incomplete", "warn"),
    ],
)
def test_verdict_banner_has_a_word_a_colour_and_the_meaning(
    verdict: str, word: str, tone: str
) -> None:
    view = verdict_view(summary(verdict=verdict))
    assert (view.word, view.tone, view.meaning) == (word, tone, VERDICT_MEANING[verdict])


def test_verdict_banner_counts_in_a_fixed_order() -> None:
    view = verdict_view(failing_summary())
    assert view.counts == [("passed", 5), ("failed", 2), ("errors", 1), ("skipped", 1)]


def test_emulator_target_is_loud_and_says_it_proves_nothing_about_azure() -> None:
    view = target_view(summary(kind="emulator"))
    assert view.loud
    assert "proves nothing about Azure" in view.headline
    assert ("Emulator profile", "api-key-rejected") in view.rows


def test_replay_target_is_loud_and_gives_the_recording_age() -> None:
    run = summary(kind="replay", recorded_at="2026-05-02T12:00:00+00:00")
    view = target_view(run)
    assert view.loud
    assert "no request reached Azure" in view.headline
    assert "30 days before this replay" in view.detail
    assert recording_age(replace(run, target=replace(run.target, recorded_at=None))) == (
        "recorded at an unknown time"
    )


def test_live_target_is_calm_and_names_the_resource() -> None:
    view = target_view(summary())
    assert not view.loud
    assert ("Resource", "contoso-ai") in view.rows


def test_diagnoses_are_ordered_blockers_first() -> None:
    view = build_view(failing_summary())
    assert [d.severity for d in view.diagnoses] == ["blocker", "warning", "info"]
    assert view.diagnoses[0].code == "api-key-header-rejected"


def test_a_diagnosis_shows_failing_requests_first_and_folds_the_rest() -> None:
    rows = [evidence(n, 200) for n in range(1, 10)] + [evidence(20, 401, error_body="{}")]
    view = build_view(summary([], [diagnosis("rate-limit-headers-present", "info", evidence=rows)]))
    shown = view.diagnoses[0]
    assert shown.shown[0].seq == 20 and shown.shown[0].failed
    assert len(shown.shown) == EVIDENCE_SHOWN
    assert len(shown.shown) + len(shown.folded) == 10


def test_identical_error_bodies_are_quoted_once_with_the_requests_that_got_them() -> None:
    rows = [evidence(2, 401, error_body='{"a":1}'), evidence(4, 401, error_body='{"a":1}')]
    view = build_view(summary([], [diagnosis("invalid-api-key", evidence=rows)]))
    assert view.diagnoses[0].bodies == [("#2 (401), #4 (401)", '{\n  "a": 1\n}')]


def test_checks_are_grouped_by_area_in_catalog_order() -> None:
    checks = [
        check("SDK-FOUNDRY"),
        check("EP-REACH"),
        check("CUSTOM-1", area="elsewhere"),
        check("AUTH-MISSING"),
    ]
    view = build_view(summary(checks))
    assert [a.key for a in view.areas] == ["endpoint", "auth", "sdk", "elsewhere"]
    assert view.areas[0].name == AREAS["endpoint"]


def test_skipped_checks_are_listed_with_why() -> None:
    view = build_view(failing_summary())
    (skipped,) = view.skipped
    assert skipped.id == "AUTH-ENTRA"
    assert "FOUNDRY_CONFORMANCE_ENTRA_TOKEN" in skipped.reason


def test_parametrised_cases_carry_their_parameters_and_one_anchor() -> None:
    view = build_view(failing_summary())
    deployments = next(a for a in view.areas if a.key == "deployments").checks
    assert [c.label for c in deployments] == [
        "DEP-SERVES[claude-sonnet-4-5]",
        "DEP-SERVES[claude-opus-4-5]",
    ]
    assert [c.anchor for c in deployments] == ["check-DEP-SERVES", ""]
    assert deployments[0].params == [("deployment", "claude-sonnet-4-5")]


def test_area_tally_counts_each_status() -> None:
    view = build_view(failing_summary())
    auth = next(a for a in view.areas if a.key == "auth")
    assert auth.tally == [("passed", 1), ("failed", 1), ("skipped", 1)]


def test_correlation_table_has_every_cited_request_once_in_run_order() -> None:
    view = build_view(failing_summary())
    seqs = [row.seq for row in view.correlation]
    assert seqs == sorted(set(seqs))
    assert seqs == [1, 3, 5, 7, 9, 11, 12]


def test_correlation_rows_spell_out_missing_ids_and_the_harness() -> None:
    run = summary([check("EP-REACH", evidence=[evidence(1, 401, check=None, request_id=None)])])
    (row,) = build_view(run).correlation
    assert (row.check, row.request_id, row.status) == ("run", "—", "401")
    assert row.apim_request_id == "00000000-0000-4000-8000-000000000001"


def test_times_omit_the_date_when_the_run_stayed_within_one_day() -> None:
    view = build_view(failing_summary())
    assert view.day == "2026-06-01"
    assert view.correlation[0].time_utc == "12:00:01.000"


def test_transport_errors_show_their_class_as_status() -> None:
    run = summary(
        [check("EP-REACH", "failed", evidence=[evidence(1, None, error_class="ConnectError")])]
    )
    (row,) = build_view(run).correlation
    assert (row.status, row.failed) == ("ConnectError", True)


def test_deployments_join_latency_and_token_usage() -> None:
    (row,) = build_view(summary()).deployments
    assert (row.name, row.requests, row.input_tokens, row.output_tokens) == (
        "claude-sonnet-4-5",
        3,
        40,
        5,
    )
    assert (row.median_ms, row.max_ms, row.ttft_ms) == ("410.2 ms", "655.0 ms", "301.5 ms")


@pytest.mark.parametrize(
    ("scan", "state"),
    [
        (SecretScan(clean=True, files_scanned=0), "pending"),
        (SecretScan(clean=True, files_scanned=4), "clean"),
        (SecretScan(clean=False, files_scanned=4, hits=["reports/junit.xml"]), "leak"),
    ],
)
def test_secret_scan_status(scan: SecretScan, state: str) -> None:
    view = build_view(summary(secret_scan=scan))
    assert view.secret_scan.state == state
    assert view.secret_scan.hits == scan.hits


def test_notes_and_incomplete_marker_are_kept() -> None:
    view = build_view(summary(notes=["the run stopped early"], incomplete=True))
    assert view.notes == ["the run stopped early"]
    assert view.incomplete and view.verdict.incomplete


def test_an_incomplete_run_says_so_and_carries_why() -> None:
    why = CutShort("budget", "The run's request budget of 5 requests is spent.", ["MSG-BASIC"])
    unfinished = verdict_view(summary(verdict="incomplete", incomplete=True, cut_short=[why]))
    assert (unfinished.word, unfinished.meaning) == ("Incomplete", VERDICT_MEANING["incomplete"])
    assert unfinished.cut_short == [why]
    # A failure that did happen is still the meaning, finished or not.
    failed = failing_summary()
    assert verdict_view(replace(failed, incomplete=True)).meaning == VERDICT_MEANING[failed.verdict]


def test_cases_not_judged_are_folded_by_check_in_order() -> None:
    cases = ["EP-BASE-PATH", "AUTH-BAD-KEY[api-key]", "AUTH-BAD-KEY[x-api-key]", "DEP-SERVES[h]"]
    assert cases_by_check(cases) == ["EP-BASE-PATH", "AUTH-BAD-KEY (2 cases)", "DEP-SERVES[h]"]
