"""What changed between two runs, from literal summaries: status changes and their direction,
diagnoses that came and went, capability cells, latency past both thresholds, drift with the
request IDs, and the known failures that are not changes at all."""

from __future__ import annotations

from dataclasses import replace

from conformance.summary.changes import CHANGE, DRIFT, IMPROVEMENT, REGRESSION
from conformance.summary.compare import (
    Thresholds,
    capability_cells,
    case_label,
    compare_runs,
    verdict_direction,
)
from conformance.summary.observed import Observed, Sighting, error_signature
from tests.report.factory import GATEWAY_401, check, diagnosis, evidence, summary


def changes_of(before, after, **kwargs):  # type: ignore[no-untyped-def]
    comparison = compare_runs(before, after, source="baseline/summary.json", **kwargs)
    return [(c.kind, c.subject, c.before, c.after, c.direction) for c in comparison.changes]


def test_a_run_against_itself_changes_nothing() -> None:
    run = summary([check("MSG-BASIC"), check("AUTH-API-KEY", "failed", params={"auth": "api-key"})])
    comparison = compare_runs(run, run, source="same")
    assert comparison.changes == []
    assert comparison.known_failures == ["AUTH-API-KEY[api-key]"]
    assert comparison.regressions == 0


def test_one_check_that_fails_now_is_a_regression_with_its_request_ids() -> None:
    refused = evidence(5, 401, check="AUTH-API-KEY", request_id=None, error_body=GATEWAY_401)
    before = summary([check("MSG-BASIC"), check("AUTH-API-KEY", params={"auth": "api-key"})])
    after = summary(
        [
            check("MSG-BASIC"),
            check("AUTH-API-KEY", "failed", params={"auth": "api-key"}, evidence=[refused]),
        ],
        [diagnosis("api-key-header-rejected", "warning", evidence=[refused])],
        verdict="nonconformant",
    )
    comparison = compare_runs(before, after, source="b")
    assert [(c.kind, c.subject, c.direction) for c in comparison.changes] == [
        ("verdict", "verdict", REGRESSION),
        ("check", "AUTH-API-KEY[api-key]", REGRESSION),
        ("diagnosis", "api-key-header-rejected", REGRESSION),
    ]
    # A gateway 401 carries only apim-request-id: that is the ID to quote.
    assert comparison.changes[1].request_ids == ["00000000-0000-4000-8000-000000000005"]
    assert comparison.changes[2].request_ids == ["00000000-0000-4000-8000-000000000005"]
    assert comparison.regressions == 3


def test_a_fixed_check_and_a_gone_diagnosis_are_improvements() -> None:
    before = summary(
        [check("MSG-STREAM", "error")],
        [diagnosis("stream-protocol-violation")],
        verdict="nonconformant",
    )
    after = summary([check("MSG-STREAM")])
    assert changes_of(before, after) == [
        ("verdict", "verdict", "nonconformant", "conformant", IMPROVEMENT),
        ("check", "MSG-STREAM", "error", "passed", IMPROVEMENT),
        ("diagnosis", "stream-protocol-violation", "present (blocker)", "gone", IMPROVEMENT),
    ]


def test_what_is_neither_better_nor_worse_is_a_plain_change() -> None:
    before = summary([check("MSG-BASIC"), check("AUTH-ENTRA"), check("MSG-TOOLS", "failed")])
    after = summary(
        [check("MSG-BASIC", "skipped"), check("MSG-TOOLS", "error"), check("SDK-FOUNDRY")],
        [diagnosis("rate-limit-headers-present", "info")],
    )
    assert changes_of(before, after) == [
        ("check", "MSG-BASIC", "passed", "skipped", CHANGE),
        ("check", "MSG-TOOLS", "failed", "error", CHANGE),
        ("check", "SDK-FOUNDRY", "not in the baseline", "passed", CHANGE),
        ("check", "AUTH-ENTRA", "passed", "not run", CHANGE),
        ("diagnosis", "rate-limit-headers-present", "absent", "present (info)", CHANGE),
    ]


def test_a_new_check_that_fails_is_a_regression_and_an_info_failure_is_not() -> None:
    before = summary([check("MSG-BASIC")])
    after = summary(
        [
            check("MSG-BASIC"),
            check("SDK-STREAM", "failed"),
            check("X-INFO", "failed", severity="info"),
        ]
    )
    directions = {c[1]: c[4] for c in changes_of(before, after)}
    assert directions == {"SDK-STREAM": REGRESSION, "X-INFO": CHANGE}


def test_verdicts_rank_from_conformant_to_unreachable() -> None:
    assert verdict_direction("conformant", "incomplete") == REGRESSION
    assert verdict_direction("incomplete", "nonconformant") == REGRESSION
    assert verdict_direction("unreachable", "misconfigured") == IMPROVEMENT
    assert verdict_direction("conformant", "conformant") == ""
    assert verdict_direction("conformant", "a-verdict-of-the-future") == CHANGE


def test_latency_counts_only_past_the_ratio_and_the_floor() -> None:
    def with_latency(median: float, worst: float, ttft: float) -> object:
        return summary(
            latency={
                "claude-sonnet-4-5": {
                    "requests": 12.0,
                    "median_ms": median,
                    "max_ms": worst,
                    "ttft_ms": ttft,
                }
            }
        )

    base = with_latency(400.0, 600.0, 300.0)
    # +50 ms on the median is 1.1x: no change; TTFT 1.5x and +150 ms. The worst request is one
    # request: not compared.
    after = with_latency(450.0, 1200.0, 450.0)
    changes = changes_of(base, after)
    assert changes == [
        ("latency", "time to first token on claude-sonnet-4-5", "300 ms", "450 ms", REGRESSION),
    ]
    assert changes_of(after, base) == [
        ("latency", "time to first token on claude-sonnet-4-5", "450 ms", "300 ms", IMPROVEMENT),
    ]
    # Loopback jitter: 3 ms to 9 ms is three times, but 6 ms is below the floor.
    assert changes_of(with_latency(3.0, 5.0, 2.0), with_latency(9.0, 15.0, 6.0)) == []
    # A deployment the run only probed (four requests) has no median worth comparing.
    few = {
        "claude-sonnet-4-5": {
            "requests": 4.0,
            "median_ms": 400.0,
            "max_ms": 600.0,
            "ttft_ms": 300.0,
        }
    }
    assert changes_of(summary(latency=few), with_latency(400.0, 600.0, 900.0)) == []
    # A stricter threshold catches the median too.
    strict = changes_of(base, after, thresholds=Thresholds(ratio=1.1, floor_ms=40))
    assert ("latency", "median on claude-sonnet-4-5", "400 ms", "450 ms", REGRESSION) in strict


def test_a_header_or_error_body_seen_for_the_first_time_is_drift_with_its_ids() -> None:
    seen = Observed(
        recorded=True,
        headers={"request-id": Sighting("req_1", "apim-1", "MSG-BASIC", 200, 3)},
        error_bodies={
            error_signature(401, GATEWAY_401): Sighting(None, "apim-2", "AUTH-BAD-KEY", 401, 1)
        },
    )
    leaked = replace(
        seen,
        headers={
            **seen.headers,
            "anthropic-ratelimit-requests-limit": Sighting("req_9", "apim-9", "MSG-STREAM", 200, 2),
        },
        error_bodies={
            **seen.error_bodies,
            error_signature(
                529, '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'
            ): Sighting("req_7", "apim-7", "MSG-TOOLS", 529, 1),
        },
    )
    comparison = compare_runs(summary(observed=seen), summary(observed=leaked), source="b")
    drift = [(c.kind, c.subject, c.request_ids, c.direction) for c in comparison.changes]
    assert drift == [
        ("header", "anthropic-ratelimit-requests-limit", ["req_9", "apim-9"], DRIFT),
        ("error-body", "529 overloaded_error: Overloaded", ["req_7", "apim-7"], DRIFT),
    ]


def test_an_older_summary_without_observations_tells_no_drift() -> None:
    seen = Observed(recorded=True, headers={"request-id": Sighting("req_1")})
    assert changes_of(summary(), summary(observed=seen)) == []


def test_error_signatures_mask_ids_and_numbers() -> None:
    body = '{"error":{"code":"RateLimitReached","message":"Rate limit of 40 per 60s exceeded. Please wait 17 seconds. RequestId = req_011CabcDEF"}}'
    assert error_signature(429, body) == (
        "429 RateLimitReached: Rate limit of # per #s exceeded. Please wait # seconds. RequestId = <id>"
    )
    assert (
        error_signature(502, "<html><body>Bad gateway</body></html>")
        == "502: <html><body>Bad gateway</body></html>"
    )


def test_capability_cells_changed_with_drift_and_tolerated_when_absent() -> None:
    def matrix(status: str, drift: str = "") -> dict[str, object]:
        cell = {
            "status": status,
            "expected": "supported",
            "drift": drift,
            "reason": "probe",
            "evidence": [{"request_id": "req_5"}],
        }
        return {"claude-sonnet-5-5": {"model": "claude-sonnet-5-5", "cells": {"CAP-STREAM": cell}}}

    before, after = summary(), summary()
    before.capabilities = matrix("supported")  # type: ignore[attr-defined]
    after.capabilities = matrix("refused", "documented-feature-refused")  # type: ignore[attr-defined]
    assert capability_cells(summary()) == {}
    comparison = compare_runs(before, after, source="b")
    assert [
        (c.subject, c.before, c.after, c.direction, c.request_ids) for c in comparison.changes
    ] == [
        (
            "CAP-STREAM on claude-sonnet-5-5",
            "supported",
            "refused (documented-feature-refused)",
            REGRESSION,
            ["req_5"],
        )
    ]


def test_a_case_is_named_by_its_check_and_its_parameters() -> None:
    assert case_label(check("MSG-BASIC")) == "MSG-BASIC"
    assert (
        case_label(check("DEP-SERVES", params={"deployment": "d1", "auth": "x-api-key"}))
        == "DEP-SERVES[x-api-key,d1]"
    )
