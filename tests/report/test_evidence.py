"""Reading the evidence: which requests failed, times, bodies, region, distinct shapes."""

from __future__ import annotations

from dataclasses import dataclass

from conformance.report.evidence import (
    NOT_REPORTED,
    RequestShape,
    body_excerpt,
    distinct_shapes,
    failing_requests,
    iso_utc,
    region_of,
    utc_time,
)
from conformance.summary.model import Evidence

from .factory import STARTED, check, diagnosis, evidence, failing_summary, summary


def test_failing_requests_are_the_errors_of_checks_that_did_not_pass() -> None:
    seqs = [e.seq for e in failing_requests(failing_summary())]
    # AUTH-API-KEY's 401 and MSG-STREAM's 429; not AUTH-MISSING's expected 401, not EP-REACH's.
    assert seqs == [5, 9]


def test_a_run_wide_checks_borrowed_evidence_does_not_count_as_its_failure() -> None:
    borrowed = evidence(1, 401, check="AUTH-MISSING")
    run = summary(
        [
            check("AUTH-MISSING", evidence=[borrowed]),
            check("RL-HEADERS-ABSENT", "failed", evidence=[borrowed]),
        ]
    )
    assert failing_requests(run) == []


def test_an_error_of_the_harness_cited_by_a_diagnosis_counts() -> None:
    preflight = evidence(2, 401, check=None, auth="api-key")
    run = summary([check("MSG-BASIC")], [diagnosis("invalid-api-key", evidence=[preflight])])
    assert [e.seq for e in failing_requests(run)] == [2]


def test_transport_errors_count_as_failing() -> None:
    reset = evidence(4, None, check="MSG-BASIC", error_class="RemoteProtocolError")
    run = summary([check("MSG-BASIC", "error", evidence=[reset])])
    assert failing_requests(run) == [reset]


def test_utc_time_with_and_without_date() -> None:
    moment = STARTED.timestamp() + 1.25
    assert utc_time(moment) == "2026-06-01 12:00:01.250 UTC"
    assert utc_time(moment, date=False) == "12:00:01.250"
    assert utc_time(0.0) == "—"
    # Out of the platform's range (a summary broken by hand): unknown, not a crash.
    assert utc_time(1e300) == "—"
    assert utc_time(-1e18) == "—"


def test_iso_utc_reads_offsets_and_keeps_what_it_cannot_read() -> None:
    assert iso_utc("2026-06-01T14:00:00+02:00") == "2026-06-01 12:00:00 UTC"
    assert iso_utc("yesterday") == "yesterday"


def test_body_excerpt_pretty_prints_json_and_cuts_long_bodies() -> None:
    assert body_excerpt('{"error":{"code":"401"}}') == '{\n  "error": {\n    "code": "401"\n  }\n}'
    assert body_excerpt("<html>bad gateway</html>") == "<html>bad gateway</html>"
    long = body_excerpt("x" * 5000, limit=100)
    assert long.startswith("x" * 100) and long.endswith("[4900 more characters]")
    assert body_excerpt(None) == ""


def test_region_is_not_guessed() -> None:
    assert region_of(failing_summary()) == NOT_REPORTED


def test_region_is_read_from_evidence_that_carries_it() -> None:
    @dataclass
    class RegionalEvidence(Evidence):
        region: str | None = None

    plain = evidence(1)
    regional = RegionalEvidence(**{**plain.__dict__, "region": "swedencentral"})
    assert region_of(summary([check("MSG-BASIC", evidence=[regional])])) == "swedencentral"


def test_distinct_shapes_keep_first_appearance_order() -> None:
    rows = [
        evidence(1, 401, auth="api-key"),
        evidence(2, 401, auth="api-key"),
        evidence(3, 404, auth="x-api-key", deployment="nope"),
    ]
    assert distinct_shapes(rows) == [
        RequestShape("POST", "/anthropic/v1/messages", "api-key", "claude-sonnet-4-5"),
        RequestShape("POST", "/anthropic/v1/messages", "x-api-key", "nope"),
    ]
