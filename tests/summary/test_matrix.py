"""The capability matrix of a run, built from literal case outcomes and interactions: a column per
deployment in the run's order, a cell per capability case (probed, or never started and so not
judged with the case's reason), the expectation recomputed from the profile for every cell, the
findings that cite a cell's requests, and the matrix's own cost; and its round trip through
``summary.json``."""

from __future__ import annotations

import json
from dataclasses import replace

from conformance.core.interactions import Interaction
from conformance.summary.load import summary_from_dict
from conformance.summary.matrix import build_matrix
from tests.diagnosis import bodies
from tests.platform_facts import PROFILE

from .runs import CUSTOM, built_summary, capability_run
from .runs import SONNET_5_5 as SONNET


def test_a_column_per_deployment_in_the_run_s_order_a_cell_per_capability_case() -> None:
    matrix = capability_run().capabilities
    assert list(matrix) == [SONNET, CUSTOM]
    assert list(matrix[SONNET].cells) == [
        "CAP-STREAMING",
        "CAP-TOOLS",
        "CAP-STRUCTURED-OUTPUT",
        "CAP-CITATIONS",
        "CAP-CACHING-5M",
        "CAP-WEB-SEARCH",
    ]
    assert list(matrix[CUSTOM].cells) == ["CAP-STREAMING"]
    assert list(capability_run((CUSTOM, SONNET)).capabilities) == [CUSTOM, SONNET]
    assert matrix[SONNET].model == SONNET and matrix[CUSTOM].model is None
    assert matrix[SONNET].profile == PROFILE.summary_view()


def test_a_probed_cell_keeps_what_its_probe_saw_and_the_profile_s_expectation() -> None:
    cell = capability_run().capabilities[SONNET].cells["CAP-STRUCTURED-OUTPUT"]
    assert (cell.status, cell.check_status) == ("refused", "passed")
    assert cell.reason == "refused: the sources conflict"
    assert cell.consistent_with == ["Hosted on Azure"]
    assert cell.expected == "varies"
    assert cell.expected_by_option == {"azure": "conflicting", "anthropic": "supported"}
    assert cell.conflicts and cell.conflicts[0].startswith("Hosted on Azure: Microsoft's")
    assert [(e.seq, e.status, e.request_id) for e in cell.evidence] == [(3, 400, bodies.REQUEST_ID)]


def test_a_refusal_in_the_field_s_wording_names_its_finding_though_its_case_passed() -> None:
    summary = capability_run()
    assert "feature-not-available" in {d.code for d in summary.diagnoses}
    cells = summary.capabilities[SONNET].cells
    assert cells["CAP-STRUCTURED-OUTPUT"].diagnoses == ["feature-not-available"]
    assert cells["CAP-STREAMING"].diagnoses == []
    # One cause per request: the drift explains the refusal (not "unexpected-status").
    assert cells["CAP-TOOLS"].diagnoses == ["documented-feature-refused"]
    assert cells["CAP-CITATIONS"].diagnoses == ["feature-not-honoured"]
    assert cells["CAP-TOOLS"].drift == "documented-feature-refused"


def test_a_case_that_never_started_is_not_judged_with_its_reason_and_still_documented() -> None:
    cell = capability_run().capabilities[SONNET].cells["CAP-WEB-SEARCH"]
    assert (cell.status, cell.check_status) == ("not-judged", "skipped")
    assert cell.reason == "not run: the run's budget of 4 requests is spent"
    assert cell.expected == "varies" and cell.evidence == []
    assert cell.documented.startswith("Hosted on Azure: conflicting")


def test_a_deployment_the_profile_does_not_know_is_held_to_every_hosting_option() -> None:
    cell = capability_run().capabilities[CUSTOM].cells["CAP-STREAMING"]
    assert cell.expected_by_option == {"azure": "supported", "anthropic": "supported"}


def test_the_matrix_counts_its_own_requests_and_tokens_cache_reads_apart() -> None:
    matrix = capability_run().capabilities
    assert matrix[SONNET].cost == {
        "requests": 5,
        "input_tokens": 32,
        "output_tokens": 5,
        "cache_write_tokens": 0,
        "cache_read_tokens": 1414,
    }
    assert matrix[CUSTOM].cost["requests"] == 1  # MSG-BASIC's request is not the matrix's


def test_a_recorded_state_that_is_no_cell_state_is_not_judged() -> None:
    summary = capability_run()
    bent = replace(summary.checks[1], details={"capability": "works-great"})
    assert bent.id == "CAP-STREAMING"
    matrix = build_matrix([bent], [], PROFILE, [SONNET])
    assert matrix[SONNET].cells["CAP-STREAMING"].status == "not-judged"


def test_no_capability_case_means_no_matrix() -> None:
    assert built_summary().capabilities == {}


def test_the_matrix_survives_the_round_trip_through_summary_json() -> None:
    summary = capability_run()
    data = json.loads(json.dumps(summary.to_dict()))
    cell = data["capabilities"][SONNET]["cells"]["CAP-STRUCTURED-OUTPUT"]
    assert {"status", "expected", "evidence", "diagnoses"} <= set(cell)  # SPEC's schema
    assert data["capabilities"][SONNET]["profile"]["version"] == PROFILE.version
    assert summary_from_dict(data) == summary


def test_a_replayed_request_no_cassette_answered_costs_the_matrix_nothing() -> None:
    summary = capability_run()
    column = summary.capabilities[SONNET]
    cases = {cell.case for cell in column.cells.values()}
    sent = Interaction(
        seq=99,
        method="POST",
        url="http://127.0.0.1/anthropic/v1/messages",
        path="/anthropic/v1/messages",
        request_headers={},
        request_body="",
        started_at=0.0,
        case=next(iter(cases)),
        input_tokens=50,
        unrecorded="no cassette recorded this request",
    )
    matrix = build_matrix(summary.checks, [sent], PROFILE, [SONNET])
    assert matrix[SONNET].cost["requests"] == 0 and matrix[SONNET].cost["input_tokens"] == 0


def test_a_cell_s_reason_is_redacted_and_spelled_like_every_text_of_the_summary() -> None:
    summary = capability_run()
    check = next(c for c in summary.checks if c.id == "CAP-STREAMING")
    leaky = replace(
        check,
        details={
            "capability": "not-judged",
            "capability_cell": {"reason": "echoed sk-canary-42 back; probe it in --suite full"},
        },
    )

    def said(text: str) -> str:
        return text.replace("sk-canary-42", "[REDACTED]").replace("--suite", "--foundry-suite")

    cell = build_matrix([leaky], [], PROFILE, [SONNET], said=said)[SONNET].cells["CAP-STREAMING"]
    assert cell.reason == "echoed [REDACTED] back; probe it in --foundry-suite full"
