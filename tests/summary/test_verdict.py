"""The run's verdict, its meaning and the exit status, from literal checks and interactions."""

from __future__ import annotations

import pytest

from conformance.core.interactions import Interaction
from conformance.summary.model import CheckResult
from conformance.summary.verdict import (
    EXIT_CONFORMANT,
    EXIT_INCOMPLETE,
    EXIT_NONCONFORMANT,
    EXIT_SECRET_LEAK,
    EXIT_UNREACHABLE,
    VERDICT_MEANING,
    count_statuses,
    decide_verdict,
    exit_status,
    verdict_meaning,
)
from tests.diagnosis import bodies
from tests.diagnosis.helpers import ix
from tests.report.factory import check, summary


def connect_error(seq: int) -> Interaction:
    return ix(None, seq=seq, error_class="ConnectError", error_message="connection refused")


def refused(seq: int, auth: str = "x-api-key") -> Interaction:
    return ix(401, bodies.INVALID_SUBSCRIPTION_KEY, seq=seq, auth=auth)


ANSWERED = [ix(200, bodies.MESSAGE_OK, seq=1)]
PASSED = [check("EP-REACH"), check("MSG-BASIC")]


# -- decide_verdict ---------------------------------------------------------------------------


def test_a_run_where_no_request_got_an_answer_is_unreachable() -> None:
    run = [connect_error(1), connect_error(2)]
    assert decide_verdict([check("EP-REACH", "failed")], run) == "unreachable"


def test_unreachable_outranks_checks_that_passed_without_sending() -> None:
    assert decide_verdict([check("RID-REQUEST-ID")], [connect_error(1)]) == "unreachable"


def test_a_run_where_every_authenticated_request_was_refused_is_misconfigured() -> None:
    run = [refused(1), refused(2, auth="api-key"), refused(3, auth="entra")]
    assert decide_verdict([check("AUTH-X-API-KEY", "failed")], run) == "misconfigured"


def test_only_requests_meant_to_authenticate_decide_misconfigured() -> None:
    unknown_deployment = ix(404, bodies.DEPLOYMENT_NOT_FOUND, seq=2, expects_error=True)
    run = [refused(1), unknown_deployment, ix(200, seq=3, auth=None), connect_error(4)]
    assert decide_verdict([check("AUTH-MISSING")], run) == "misconfigured"
    # The same 404 without the expected-refusal tag is an answer to an authenticated request.
    run[1] = ix(404, bodies.DEPLOYMENT_NOT_FOUND, seq=2)
    assert decide_verdict([check("AUTH-MISSING")], run) == "conformant"


def test_one_accepted_request_is_not_misconfigured() -> None:
    run = [refused(1, auth="api-key"), ix(200, bodies.MESSAGE_OK, seq=2)]
    checks = [check("AUTH-X-API-KEY"), check("AUTH-API-KEY", "failed")]
    assert decide_verdict(checks, run) == "nonconformant"


def test_a_failed_blocker_or_warning_check_is_nonconformant() -> None:
    assert decide_verdict([*PASSED, check("MSG-STREAM", "failed")], ANSWERED) == "nonconformant"
    assert decide_verdict([*PASSED, check("AUTH-API-KEY", "failed")], ANSWERED) == "nonconformant"


def test_a_check_that_could_not_judge_is_nonconformant_whatever_its_severity() -> None:
    assert decide_verdict([*PASSED, check("PERF-LATENCY", "error")], ANSWERED) == "nonconformant"


def test_a_failed_info_check_does_not_count_against_conformance() -> None:
    checks = [*PASSED, check("AUTH-KEY-AS-BEARER", "failed"), check("DEP-INVENTORY", "failed")]
    assert {c.severity for c in checks[2:]} == {"info"}
    assert decide_verdict(checks, ANSWERED) == "conformant"


def test_passed_checks_with_skips_are_conformant() -> None:
    assert decide_verdict([*PASSED, check("AUTH-ENTRA", "skipped")], ANSWERED) == "conformant"


@pytest.mark.parametrize(
    "checks",
    [[], [check("AUTH-ENTRA", "skipped")], [check("AUTH-KEY-AS-BEARER", "failed")]],
    ids=["no-checks", "all-skipped", "only-an-info-failure"],
)
def test_a_run_that_judged_nothing_is_never_conformant(checks: list[CheckResult]) -> None:
    assert decide_verdict(checks, ANSWERED) == "nonconformant"


def test_a_run_that_sent_nothing_is_judged_by_its_checks() -> None:
    assert decide_verdict([check("RID-REQUEST-ID")], []) == "conformant"


# -- count_statuses ---------------------------------------------------------------------------


def test_statuses_are_counted_with_spec_s_names() -> None:
    checks = [
        check("EP-REACH"),
        check("MSG-BASIC"),
        check("MSG-STREAM", "failed"),
        check("AUTH-ENTRA", "skipped"),
        check("MSG-TOOLS", "error"),
        check("MSG-USAGE", "error"),
    ]
    assert count_statuses(checks) == {"passed": 2, "failed": 1, "skipped": 1, "errors": 2}


def test_no_checks_count_zero_of_each() -> None:
    assert count_statuses([]) == {"passed": 0, "failed": 0, "skipped": 0, "errors": 0}


# -- exit_status ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("verdict", "status"),
    [
        ("conformant", EXIT_CONFORMANT),
        ("nonconformant", EXIT_NONCONFORMANT),
        ("misconfigured", EXIT_NONCONFORMANT),
        ("unreachable", EXIT_UNREACHABLE),
    ],
)
def test_each_verdict_has_its_exit_status(verdict: str, status: int) -> None:
    assert exit_status(verdict, secrets_clean=True) == status


def test_the_exit_statuses_are_spec_s_numbers() -> None:
    assert (EXIT_CONFORMANT, EXIT_NONCONFORMANT, EXIT_UNREACHABLE, EXIT_SECRET_LEAK) == (0, 1, 3, 4)


@pytest.mark.parametrize("verdict", ["conformant", "nonconformant", "misconfigured", "unreachable"])
def test_a_secret_leak_outranks_every_verdict(verdict: str) -> None:
    assert exit_status(verdict, secrets_clean=False) == EXIT_SECRET_LEAK


# -- verdict_meaning --------------------------------------------------------------------------


@pytest.mark.parametrize("verdict", ["conformant", "nonconformant", "misconfigured", "unreachable"])
def test_each_verdict_has_its_meaning(verdict: str) -> None:
    assert verdict_meaning(summary(verdict=verdict)) == VERDICT_MEANING[verdict]


def test_the_meanings_say_what_each_verdict_means() -> None:
    assert VERDICT_MEANING["unreachable"] == (
        "No request got an HTTP answer: the endpoint could not be reached."
    )
    assert VERDICT_MEANING["misconfigured"].startswith(
        "Every authenticated request was refused: the credentials or the endpoint configuration"
    )


def test_a_run_cut_short_whose_finished_checks_passed_is_incomplete() -> None:
    assert decide_verdict(PASSED, ANSWERED, cut_short=True) == "incomplete"
    assert exit_status("incomplete", secrets_clean=True) == EXIT_INCOMPLETE == 5


def test_a_run_cut_short_with_a_failure_is_nonconformant() -> None:
    checks = [check("MSG-BASIC"), check("MSG-STREAM", "failed")]
    assert decide_verdict(checks, ANSWERED, cut_short=True) == "nonconformant"


def test_a_run_cut_short_with_only_an_info_failure_is_incomplete() -> None:
    checks = [check("MSG-BASIC"), check("AUTH-KEY-AS-BEARER", "failed")]
    assert decide_verdict(checks, ANSWERED, cut_short=True) == "incomplete"


def test_a_case_cut_short_does_not_count_against_the_endpoint() -> None:
    unjudged = check("MSG-STREAM", "error")
    unjudged.cut_short = "unrecorded"
    assert decide_verdict([check("MSG-BASIC"), unjudged], ANSWERED, cut_short=True) == "incomplete"


def test_an_incomplete_run_means_the_rest_was_not_judged() -> None:
    assert verdict_meaning(summary(verdict="incomplete")) == VERDICT_MEANING["incomplete"]


def test_an_unknown_verdict_has_no_meaning() -> None:
    assert verdict_meaning(summary(verdict="green")) == ""


def test_a_credential_sent_back_is_nonconformant_even_when_the_run_was_cut_short() -> None:
    echoed = [ix(200, bodies.MESSAGE_OK, seq=1, echoed=["the body"])]
    assert decide_verdict(PASSED, echoed) == "nonconformant"
    assert decide_verdict(PASSED, echoed, cut_short=True) == "nonconformant"
