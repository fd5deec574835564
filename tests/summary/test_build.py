"""Building the run summary from literal interactions and case outcomes (no run, no I/O)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from conformance import __version__
from conformance.core.interactions import Interaction
from conformance.core.redaction import REDACTED, Redactor
from conformance.diagnosis import lookup
from conformance.summary.build import (
    MAX_EVIDENCE_PER_CHECK,
    CaseOutcome,
    assemble_summary,
    error_code_of,
)
from conformance.summary.figures import latency_by_deployment, usage_totals
from conformance.summary.model import (
    RUN_ROW,
    CheckResult,
    CutShort,
    DiagnosisEntry,
    RunSummary,
    UsageTotals,
)
from conformance.summary.verdict import VERDICT_MEANING, verdict_meaning
from tests.diagnosis import bodies
from tests.diagnosis.helpers import NOW, claims, ix
from tests.platform_facts import COGNITIVE_SERVICES_SCOPE

from .runs import (
    CANARY,
    OPUS,
    SONNET,
    STARTED,
    TARGET,
    build,
    built_summary,
    case,
    exchange,
    small_run,
)


def check_of(summary: RunSummary, check_id: str) -> CheckResult:
    (found,) = [c for c in summary.checks if c.id == check_id]
    return found


def entry_of(summary: RunSummary, code: str) -> DiagnosisEntry:
    (found,) = [d for d in summary.diagnoses if d.code == code]
    return found


def passing_run() -> tuple[list[Interaction], list[CaseOutcome]]:
    interactions = [
        exchange(
            200, bodies.MESSAGE_OK, seq=1, check_id="MSG-BASIC", elapsed_ms=90.0, tokens=(8, 2)
        )
    ]
    return interactions, [CaseOutcome("MSG-BASIC", case("MSG-BASIC"), status="passed")]


# -- checks -----------------------------------------------------------------------------------


def test_checks_are_sorted_by_catalog_order_then_by_case() -> None:
    assert [(c.id, c.case.rpartition("::")[2]) for c in built_summary().checks] == [
        ("EP-REACH", "EP-REACH"),
        ("AUTH-API-KEY", "AUTH-API-KEY"),
        ("AUTH-ENTRA", "AUTH-ENTRA"),
        ("MSG-BASIC", "MSG-BASIC"),
        ("MSG-SYSTEM", "MSG-SYSTEM"),
        ("MSG-STREAM", "MSG-STREAM"),
        ("RID-REQUEST-ID", "RID-REQUEST-ID"),
        ("RID-APIM-REQUEST-ID", "RID-APIM-REQUEST-ID"),
        ("DEP-SERVES", f"DEP-SERVES[{OPUS}]"),
        ("DEP-SERVES", f"DEP-SERVES[{SONNET}]"),
    ]


def test_a_check_takes_title_area_and_severity_from_the_catalog() -> None:
    result = check_of(built_summary(), "AUTH-API-KEY")
    assert (result.title, result.area, result.severity) == (
        "The key in `api-key` alone is accepted",
        "auth",
        "warning",
    )
    assert result.status == "failed"
    assert result.duration_s == 0.123


def test_counts_and_verdict_follow_the_checks() -> None:
    summary = built_summary()
    assert summary.counts == {"passed": 5, "failed": 3, "skipped": 1, "errors": 1}
    assert summary.verdict == "nonconformant"


def test_a_check_s_evidence_is_its_own_exchanges_as_support_needs_them() -> None:
    (refused,) = check_of(built_summary(), "AUTH-API-KEY").evidence
    assert (refused.seq, refused.method, refused.path, refused.status) == (
        3,
        "POST",
        "/anthropic/v1/messages",
        401,
    )
    assert refused.request_id is None
    assert refused.apim_request_id == bodies.GATEWAY_HEADERS["apim-request-id"]
    assert refused.error_code == "401"
    assert refused.error_body == bodies.INVALID_SUBSCRIPTION_KEY
    assert (refused.auth, refused.check, refused.deployment) == ("api-key", "AUTH-API-KEY", SONNET)
    (answered,) = check_of(built_summary(), "MSG-BASIC").evidence
    assert answered.request_id == bodies.REQUEST_ID
    assert answered.error_body is None and answered.error_code is None


def test_a_run_wide_check_s_evidence_is_the_exchanges_it_judged() -> None:
    summary = built_summary()
    assert [e.seq for e in check_of(summary, "RID-REQUEST-ID").evidence] == [2]
    assert [e.seq for e in check_of(summary, "RID-APIM-REQUEST-ID").evidence] == [5]
    assert check_of(summary, "EP-REACH").evidence == []


def test_evidence_per_check_is_capped() -> None:
    interactions = [
        exchange(200, bodies.MESSAGE_OK, seq=seq, check_id="MSG-BASIC") for seq in range(1, 26)
    ]
    summary = build(interactions, [CaseOutcome("MSG-BASIC", case("MSG-BASIC"), status="passed")])
    evidence = check_of(summary, "MSG-BASIC").evidence
    assert len(evidence) == MAX_EVIDENCE_PER_CHECK
    assert [e.seq for e in evidence] == list(range(1, 21))


# -- diagnoses linked to checks ---------------------------------------------------------------


def test_a_failed_check_keeps_its_declared_codes() -> None:
    assert check_of(built_summary(), "AUTH-API-KEY").diagnoses == ["api-key-header-rejected"]
    assert check_of(built_summary(), "RID-REQUEST-ID").diagnoses == ["missing-request-id"]


def test_a_check_that_could_not_judge_gets_the_causes_of_its_own_exchanges() -> None:
    assert check_of(built_summary(), "MSG-SYSTEM").diagnoses == [
        "rate-limited",
        "missing-apim-request-id",
    ]


def test_a_failed_check_is_linked_to_every_finding_that_cites_its_evidence() -> None:
    # RID-APIM-REQUEST-ID declared only missing-apim-request-id; the 429 it judged is also
    # the evidence of rate-limited.
    assert check_of(built_summary(), "RID-APIM-REQUEST-ID").diagnoses == [
        "missing-apim-request-id",
        "rate-limited",
    ]


def test_a_check_lists_only_the_cause_that_prevails_on_its_exchanges() -> None:
    # API-VERSION-MALFORMED declared the 502 page it got unexplained; the server error wins,
    # in the check's codes as in the diagnoses.
    page = exchange(
        502, "<html><title>502 Bad Gateway</title></html>", seq=1, check_id="API-VERSION-MALFORMED"
    )
    failed = CaseOutcome(
        "API-VERSION-MALFORMED",
        case("API-VERSION-MALFORMED"),
        status="failed",
        reason="anthropic-version 'not-a-version' should be refused with 400, got HTTP 502",
        codes=["unexpected-status"],
    )
    summary = build([page], [failed])
    assert check_of(summary, "API-VERSION-MALFORMED").diagnoses == ["server-error"]
    assert [d.code for d in summary.diagnoses] == ["server-error"]


def test_a_passed_check_gets_no_diagnosis_even_when_a_finding_cites_its_exchange() -> None:
    summary = built_summary()
    assert check_of(summary, "MSG-STREAM").diagnoses == []
    assert entry_of(summary, "missing-request-id").checks == ["MSG-STREAM", "RID-REQUEST-ID"]


def test_a_passed_check_declares_no_finding() -> None:
    interactions, outcomes = passing_run()
    outcomes[0].codes = ["rate-limited"]
    assert build(interactions, outcomes).diagnoses == []


def test_each_finding_names_its_checks_evidence_and_details() -> None:
    summary = built_summary()
    assert [d.code for d in summary.diagnoses] == [
        "missing-request-id",
        "api-key-header-rejected",
        "rate-limited",
        "missing-apim-request-id",
    ]
    entry = entry_of(summary, "missing-apim-request-id")
    assert entry.checks == ["MSG-SYSTEM", "RID-APIM-REQUEST-ID"]
    assert [e.seq for e in entry.evidence] == [5]
    assert entry.details == [
        "#5 POST /anthropic/v1/messages [x-api-key] → 429 without apim-request-id",
        "1 of 6 answers lack apim-request-id",
    ]
    info = lookup("missing-apim-request-id")
    assert (entry.title, entry.severity, entry.summary, entry.remedy) == (
        info.title,
        info.severity,
        info.cause,
        info.remedy,
    )
    assert entry.guide_section == (info.guide_section or "")
    assert entry.doc_url == (info.doc_url or "")


# -- usage and latency ------------------------------------------------------------------------


def test_usage_is_totalled_per_deployment_and_per_check() -> None:
    assert built_summary().usage == UsageTotals(
        requests=6,
        input_tokens=32,
        output_tokens=10,
        by_deployment={
            SONNET: {"requests": 5, "input_tokens": 25, "output_tokens": 9},
            OPUS: {"requests": 1, "input_tokens": 7, "output_tokens": 1},
        },
        by_check={
            "MSG-BASIC": {"requests": 1, "input_tokens": 8, "output_tokens": 2},
            "MSG-STREAM": {"requests": 1, "input_tokens": 9, "output_tokens": 5},
            "AUTH-API-KEY": {"requests": 1, "input_tokens": 0, "output_tokens": 0},
            "DEP-SERVES": {"requests": 2, "input_tokens": 15, "output_tokens": 3},
            "MSG-SYSTEM": {"requests": 1, "input_tokens": 0, "output_tokens": 0},
        },
    )


def test_requests_no_check_sent_are_the_run_s_own_row_so_the_rows_add_up() -> None:
    anonymous = replace(ix(200, bodies.MESSAGE_OK, seq=1, check_id=None), input_tokens=4)
    failed = ix(None, seq=2, check_id=None, error_class="ConnectError")
    usage = usage_totals([anonymous, failed])
    assert usage == UsageTotals(
        requests=2,
        input_tokens=4,
        by_check={RUN_ROW: {"requests": 2, "input_tokens": 4, "output_tokens": 0}},
    )
    assert sum(row["requests"] for row in usage.by_check.values()) == usage.requests


def test_latency_per_deployment_is_the_median_and_worst_of_successes_with_the_best_ttft() -> None:
    assert built_summary().latency == {
        OPUS: {
            "requests": 1.0,
            "median_ms": 50.0,
            "max_ms": 50.0,
            "ttft_ms": None,
            "stream_ms": None,
        },
        SONNET: {
            "requests": 3.0,
            "median_ms": 200.0,
            "max_ms": 300.0,
            "ttft_ms": 120.0,
            "stream_ms": 300.0,
        },
    }


def test_latency_ignores_failures_and_unmeasured_calls_and_rounds_to_a_tenth() -> None:
    interactions = [
        exchange(200, seq=1, check_id="PERF-LATENCY", elapsed_ms=100.04),
        exchange(200, seq=2, check_id="PERF-LATENCY", elapsed_ms=201.06),
        exchange(500, seq=3, check_id="PERF-LATENCY", elapsed_ms=9000.0),
        exchange(None, seq=4, check_id="PERF-LATENCY", elapsed_ms=30000.0),
        exchange(200, seq=5, check_id="PERF-LATENCY", elapsed_ms=None),
        exchange(503, seq=6, check_id="DEP-SERVES", deployment=OPUS, elapsed_ms=12.0),
        exchange(200, seq=7, check_id="DEP-INVENTORY", deployment=None, elapsed_ms=1.0),
    ]
    assert latency_by_deployment(interactions) == {
        OPUS: {
            "requests": 0.0,
            "median_ms": None,
            "max_ms": None,
            "ttft_ms": None,
            "stream_ms": None,
        },
        SONNET: {
            "requests": 2.0,
            "median_ms": 150.6,
            "max_ms": 201.1,
            "ttft_ms": None,
            "stream_ms": None,
        },
    }


def test_time_to_first_token_is_the_quickest_stream_s_with_that_stream_s_own_total() -> None:
    streams = [
        exchange(200, seq=1, check_id="MSG-STREAM", elapsed_ms=90.0, streamed=True, ttft_ms=80.06),
        exchange(200, seq=2, check_id="SDK-STREAM", elapsed_ms=70.0, streamed=True, ttft_ms=64.98),
        exchange(500, seq=3, check_id="PERF-LATENCY", elapsed_ms=5.0, streamed=True, ttft_ms=1.0),
        exchange(200, seq=4, check_id="PERF-LATENCY", elapsed_ms=10.0),
    ]
    latency = latency_by_deployment(streams)[SONNET]
    assert (latency["ttft_ms"], latency["stream_ms"]) == (65.0, 70.0)
    assert (latency["median_ms"], latency["max_ms"]) == (70.0, 90.0)


def test_a_run_without_deployments_has_no_latency() -> None:
    assert latency_by_deployment([ix(200, seq=1)]) == {}


# -- the run's requests, once each -----------------------------------------------------------


def test_every_request_is_in_the_summary_by_seq_the_run_s_own_named_by_their_step() -> None:
    interactions, outcomes = small_run()
    preflight = replace(
        ix(200, bodies.MESSAGE_OK, seq=7, check_id=None), case="session::primary-auth"
    )
    summary = build([preflight, *interactions], outcomes)
    assert [e.seq for e in summary.requests] == [1, 2, 3, 4, 5, 6, 7]
    assert len(summary.requests) == summary.usage.requests
    (own,) = [e for e in summary.requests if e.check is None]
    assert (own.seq, own.run_step) == (7, "primary-auth")
    assert summary.usage.by_check[RUN_ROW]["requests"] == 1
    # No check cites the preflight: it is in the requests all the same.
    assert all(e.seq != 7 for c in summary.checks for e in c.evidence)


def test_a_case_counts_the_requests_it_sent_not_those_it_judged() -> None:
    summary = built_summary()
    counted = {c.case: c.requests for c in summary.checks}
    assert counted[case("DEP-SERVES", SONNET)] == 1
    assert counted[case("RID-REQUEST-ID")] == 0  # it judged seq 2, sent nothing
    assert check_of(summary, "RID-REQUEST-ID").evidence  # ...and cites it
    per_check: dict[str, int] = {}
    for check in summary.checks:
        per_check[check.id] = per_check.get(check.id, 0) + check.requests
    by_check = {k: v["requests"] for k, v in summary.usage.by_check.items()}
    assert {k: v for k, v in per_check.items() if v} == by_check


def test_the_recording_s_age_is_whole_days_to_the_end_of_the_run() -> None:
    interactions, outcomes = small_run()
    for recorded, days in (
        (NOW - timedelta(days=5, hours=14), 5),
        (NOW - timedelta(hours=23, minutes=59), 0),
        (NOW - timedelta(days=1), 1),
        (NOW + timedelta(hours=3), 0),  # a recording clock ahead of this one
    ):
        target = replace(TARGET, kind="replay", recorded_at=recorded.isoformat())
        summary = assemble_summary(
            target=target,
            interactions=interactions,
            outcomes=outcomes,
            token_claims={},
            entra_scope=COGNITIVE_SERVICES_SCOPE,
            redactor=Redactor(),
            started_at=STARTED,
            finished_at=NOW,
        )
        assert summary.target.recording_age_days == days, recorded
    assert built_summary().target.recording_age_days is None


# -- error_code_of ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "code"),
    [
        (200, bodies.MESSAGE_OK, None),
        (401, bodies.INVALID_SUBSCRIPTION_KEY, "401"),
        (429, bodies.RATE_LIMIT_REACHED, "RateLimitReached"),
        (404, bodies.DEPLOYMENT_NOT_FOUND, "DeploymentNotFound"),
        (400, bodies.EXTRA_INPUTS, "invalid_request_error"),
        (529, bodies.OVERLOADED, "overloaded_error"),
    ],
    ids=["success", "azure-401", "azure-429", "azure-code-beats-type", "anthropic", "overloaded"],
)
def test_the_error_code_is_azure_s_code_or_anthropic_s_type(
    status: int, body: str, code: str | None
) -> None:
    assert error_code_of(ix(status, body, seq=1)) == code


def test_a_transport_failure_has_no_error_code() -> None:
    assert error_code_of(ix(None, seq=1, error_class="ConnectError")) is None


# -- redaction --------------------------------------------------------------------------------


def test_a_secret_in_reasons_and_notes_never_reaches_the_serialised_summary() -> None:
    interactions, outcomes = small_run()
    outcomes.append(
        CaseOutcome("AUTH-ENTRA-ALT-SCOPE", case("AUTH-ENTRA-ALT-SCOPE"), reason=f"x {CANARY} y")
    )
    summary = build(interactions, outcomes, notes=[f"the key was {CANARY}"])
    serialised = json.dumps(summary.to_dict())
    assert CANARY not in serialised
    assert check_of(summary, "AUTH-API-KEY").reason == f"the key {REDACTED} was refused in api-key"
    assert check_of(summary, "AUTH-ENTRA-ALT-SCOPE").reason == f"x {REDACTED} y"
    assert summary.notes == [f"the key was {REDACTED}"]
    # The declared reason became a finding's detail: redacted there too.
    assert entry_of(summary, "api-key-header-rejected").details[-1] == (
        f"the key {REDACTED} was refused in api-key"
    )


def test_a_secret_echoed_in_an_error_body_is_redacted_in_the_finding_details() -> None:
    echoed = f'{{"error":{{"code":"401","message":"key {CANARY} is invalid"}}}}'
    interactions = [
        exchange(200, bodies.MESSAGE_OK, seq=1, check_id="MSG-BASIC"),
        exchange(401, echoed, seq=2, check_id="AUTH-API-KEY", auth="api-key"),
    ]
    outcomes = [CaseOutcome("AUTH-API-KEY", case("AUTH-API-KEY"), status="failed")]
    summary = build(interactions, outcomes, redactor=Redactor([CANARY]))
    details = " ".join(d for entry in summary.diagnoses for d in entry.details)
    assert CANARY not in details and f"key {REDACTED} is invalid" in details


def test_a_secret_echoed_in_an_error_body_never_reaches_the_serialised_summary() -> None:
    echoed = f'{{"error":{{"code":"401","message":"key {CANARY} is invalid"}}}}'
    interactions = [
        exchange(200, bodies.MESSAGE_OK, seq=1, check_id="MSG-BASIC"),
        exchange(401, echoed, seq=2, check_id="AUTH-API-KEY", auth="api-key"),
    ]
    outcomes = [CaseOutcome("AUTH-API-KEY", case("AUTH-API-KEY"), status="failed")]
    summary = build(interactions, outcomes, redactor=Redactor([CANARY]))
    assert CANARY not in json.dumps(summary.to_dict())


# -- the run as a whole -----------------------------------------------------------------------


def test_the_run_s_target_times_harness_and_claims_are_recorded() -> None:
    token = claims()
    summary = build(*passing_run(), token_claims={"entra": token}, sdk_version="2.14.0")
    assert summary.target == TARGET
    assert (summary.started_at, summary.finished_at, summary.duration_s) == (
        "2026-06-01T11:59:17+00:00",
        "2026-06-01T12:00:00+00:00",
        42.5,
    )
    assert summary.harness["foundry_conformance"] == __version__
    assert summary.harness["anthropic_sdk"] == "2.14.0"
    assert summary.token_claims == {"entra": token.public_view()}
    assert summary.incomplete is False


def test_a_complete_run_whose_checks_all_pass_is_conformant() -> None:
    summary = build(*passing_run())
    assert summary.verdict == "conformant"
    assert summary.counts == {"passed": 1, "failed": 0, "skipped": 0, "errors": 0}


BUDGET_SPENT = "the run's request budget of 1 requests is spent; raise --max-requests"


def test_a_run_cut_short_whose_checks_all_pass_is_incomplete_and_says_why() -> None:
    interactions, outcomes = passing_run()
    held_back = CaseOutcome(
        "MSG-STREAM", case("MSG-STREAM"), status="skipped", reason="not run: …", cut_short="budget"
    )
    summary = build(interactions, [*outcomes, held_back], stopped={"budget": BUDGET_SPENT})
    assert (summary.verdict, summary.incomplete) == ("incomplete", True)
    assert verdict_meaning(summary) == VERDICT_MEANING["incomplete"]
    assert summary.cut_short == [
        CutShort(
            "budget",
            "The run's request budget of 1 requests is spent; raise --max-requests.",
            ["MSG-STREAM"],
            remedy="Raise the budget that was spent, or run fewer checks within it (--suite smoke, "
            "--select ID).",
        )
    ]
    assert [c.cut_short for c in summary.checks] == [None, "budget"]


def test_a_run_that_finished_has_no_cause_of_being_cut_short() -> None:
    summary = build(*passing_run())
    assert (summary.verdict, summary.incomplete, summary.cut_short) == ("conformant", False, [])


def test_a_run_cut_short_keeps_a_verdict_worse_than_incomplete() -> None:
    unreachable = [
        replace(exchange(None, seq=1, check_id="EP-REACH", auth=None), error_class="ConnectError")
    ]
    outcomes = [CaseOutcome("EP-REACH", case("EP-REACH"), status="failed", reason="no answer")]
    assert build(unreachable, outcomes, stopped={"budget": "spent"}).verdict == "unreachable"
    failing = build(*small_run(), stopped={"interrupted": "the run was interrupted (Ctrl-C)"})
    assert (failing.verdict, failing.incomplete) == ("nonconformant", True)
    assert verdict_meaning(failing) == VERDICT_MEANING["nonconformant"]


def test_a_replay_request_the_recording_lacks_cuts_its_check_short_and_counts_as_nothing() -> None:
    interactions, outcomes = passing_run()
    miss = exchange(None, seq=2, check_id="MSG-STREAM")
    miss.error_class, miss.unrecorded = "CassetteMiss", "no such file: this case was not recorded"
    # The SDK turns the miss into its own connection error: the case errs, the interaction tells.
    errored = CaseOutcome(
        "MSG-STREAM",
        case("MSG-STREAM"),
        status="error",
        reason="could not judge: APIConnectionError",
    )
    summary = build(
        [*interactions, miss],
        [*outcomes, errored],
        stopped={"unrecorded": "this replay asks for --suite full (recorded: standard)"},
    )
    assert summary.verdict == "incomplete"
    assert [c.cut_short for c in summary.checks] == [None, "unrecorded"]
    assert summary.checks[1].diagnoses == []  # a request never sent explains nothing
    assert summary.diagnoses == []
    assert summary.usage.requests == 1  # it was never sent
    (entry,) = summary.cut_short
    assert entry.summary == (
        "1 request of this replay is not in the recording (nothing was sent), so 1 check could "
        "not be judged."
    )
    assert entry.details == [
        "This replay asks for --suite full (recorded: standard).",
        "MSG-STREAM: no such file: this case was not recorded",
    ]


def test_a_replay_whose_every_request_is_unrecorded_is_incomplete_not_unreachable() -> None:
    miss = exchange(None, seq=1, check_id="EP-REACH", auth=None)
    miss.error_class, miss.unrecorded = "CassetteMiss", "no such file: this case was not recorded"
    outcomes = [CaseOutcome("EP-REACH", case("EP-REACH"), status="error", cut_short="unrecorded")]
    assert build([miss], outcomes).verdict == "incomplete"
