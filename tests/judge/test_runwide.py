"""The run-wide rules (RID-REQUEST-ID, RID-APIM-REQUEST-ID, RL-HEADERS-ABSENT) over literal runs."""

from __future__ import annotations

import pytest

from conformance.core.interactions import Interaction
from conformance.core.platform_load import builtin_profile
from conformance.judge.runwide import (
    RunWideVerdict,
    anthropic_layer_answered,
    judge_apim_request_ids,
    judge_ratelimit_headers,
    judge_request_ids,
)
from tests.diagnosis import bodies
from tests.diagnosis.helpers import MESSAGES, ix

RATE_LIMIT_HEADERS = builtin_profile().rate_limit_headers
PREFIX = builtin_profile().rate_limit_header_prefix

APIM_ONLY = {"apim-request-id": "3f2b1c8e-5d4a-4e6f-9a7b-1c2d3e4f5a6b"}
REQUEST_ID_ONLY = {"request-id": bodies.REQUEST_ID}


def ok(
    seq: int,
    *,
    method: str = "POST",
    path: str = MESSAGES,
    headers: dict[str, str] | None = None,
) -> Interaction:
    """A success of MSG-BASIC; unless ``headers`` is given, with both correlation IDs."""
    return ix(200, bodies.MESSAGE_OK, seq=seq, method=method, path=path, headers=headers)


def gateway_401(seq: int) -> Interaction:
    """The Azure gateway's refusal: apim-request-id only."""
    return ix(
        401, bodies.INVALID_SUBSCRIPTION_KEY, seq=seq, check_id="AUTH-BAD-KEY", auth="bad-key"
    )


def unreachable(seq: int) -> Interaction:
    return ix(None, seq=seq, error_class="ConnectError", error_message="connection refused")


# -- anthropic_layer_answered -----------------------------------------------------------------


def test_a_success_and_an_anthropic_shaped_error_came_from_the_anthropic_layer() -> None:
    assert anthropic_layer_answered(ok(1))
    assert anthropic_layer_answered(ix(204, "", seq=2))
    assert anthropic_layer_answered(ix(400, bodies.EXTRA_INPUTS, seq=3))
    assert anthropic_layer_answered(ix(529, bodies.OVERLOADED, seq=4))


@pytest.mark.parametrize(
    "body",
    [
        bodies.INVALID_SUBSCRIPTION_KEY,
        bodies.TOKEN_UNAUTHORIZED,
        bodies.DEPLOYMENT_NOT_FOUND,
        '{"type":"error","error":{"message":"no type inside"}}',
        '{"type":"error","error":"Overloaded"}',
        "<html>502 Bad Gateway</html>",
        "",
    ],
    ids=[
        "azure",
        "token",
        "deployment-not-found",
        "no-error-type",
        "error-string",
        "html",
        "empty",
    ],
)
def test_a_gateway_answer_did_not_come_from_the_anthropic_layer(body: str) -> None:
    assert not anthropic_layer_answered(ix(502, body, seq=1, headers=APIM_ONLY))


def test_a_transport_failure_is_no_answer_at_all() -> None:
    assert not anthropic_layer_answered(unreachable(1))


@pytest.mark.parametrize(
    "body", ["null", "[]", "502", '"Bad Gateway"'], ids=["null", "list", "number", "string"]
)
def test_an_error_body_that_is_json_but_not_an_object_is_a_gateway_answer(body: str) -> None:
    refused = ix(502, body, seq=2, headers=APIM_ONLY)
    assert not anthropic_layer_answered(refused)
    assert judge_request_ids([ok(1), refused]).status == "passed"


# -- RID-REQUEST-ID ---------------------------------------------------------------------------


def test_every_anthropic_answer_with_request_id_passes_without_a_note() -> None:
    assert judge_request_ids([ok(1), ok(2), ix(400, bodies.EXTRA_INPUTS, seq=3)]) == (
        RunWideVerdict("passed")
    )


def test_gateway_errors_without_request_id_pass_with_a_note_naming_apim_request_id() -> None:
    verdict = judge_request_ids([ok(1), gateway_401(2), gateway_401(3), unreachable(4)])
    assert verdict.status == "passed"
    assert verdict.note == (
        "2 Azure gateway answers (auth, routing, throttling) carry only apim-request-id, "
        "as in the field: quote that one for them"
    )
    assert verdict.evidence == () and verdict.codes == ()


def test_anthropic_answers_without_request_id_fail_with_their_sequence_numbers() -> None:
    run = [
        ok(1),
        ok(2, headers=APIM_ONLY),
        gateway_401(3),
        ix(400, bodies.EXTRA_INPUTS, seq=4, check_id=None, headers=APIM_ONLY),
        ok(5, method="GET", path="/anthropic/v1/models", headers={}),
    ]
    verdict = judge_request_ids(run)
    assert verdict.status == "failed"
    assert verdict.reason == (
        "3 of 4 Anthropic-layer answers lack request-id, e.g. "
        "POST /anthropic/v1/messages → 200 (check MSG-BASIC); "
        "POST /anthropic/v1/messages → 400 (check session); "
        "GET /anthropic/v1/models → 200 (check MSG-BASIC)"
    )
    assert verdict.codes == ("missing-request-id",)
    assert verdict.evidence == (2, 4, 5)
    assert verdict.note.startswith("1 Azure gateway answers")


def test_the_reason_quotes_three_examples_and_the_evidence_at_most_twenty() -> None:
    run = [ok(seq, headers=APIM_ONLY) for seq in range(1, 26)]
    verdict = judge_request_ids(run)
    assert verdict.reason.startswith("25 of 25 Anthropic-layer answers lack request-id, e.g. ")
    assert verdict.reason.count("→ 200") == 3
    assert verdict.evidence == tuple(range(1, 21))


def test_request_ids_cannot_be_judged_when_only_the_gateway_answered() -> None:
    assert judge_request_ids([gateway_401(1), gateway_401(2)]) == RunWideVerdict(
        "error", "could not judge: no response of this run came from the Anthropic layer"
    )


@pytest.mark.parametrize(
    "run", [[], [unreachable(1), unreachable(2)]], ids=["no-requests", "no-answers"]
)
def test_request_ids_cannot_be_judged_without_answers(run: list[Interaction]) -> None:
    verdict = judge_request_ids(run)
    assert verdict.status == "error"
    assert (
        verdict.reason == "could not judge: no response of this run came from the Anthropic layer"
    )


# -- RID-APIM-REQUEST-ID ----------------------------------------------------------------------


def test_every_answer_with_apim_request_id_passes_gateway_errors_included() -> None:
    run = [ok(1), gateway_401(2), ix(400, bodies.EXTRA_INPUTS, seq=3), unreachable(4)]
    assert judge_apim_request_ids(run) == RunWideVerdict("passed")


def test_answers_without_apim_request_id_fail_gateway_errors_included() -> None:
    run = [
        ok(1),
        ok(2, headers=REQUEST_ID_ONLY),
        ix(401, bodies.INVALID_SUBSCRIPTION_KEY, seq=3, check_id="AUTH-MISSING", headers={}),
        unreachable(4),
    ]
    verdict = judge_apim_request_ids(run)
    assert verdict.status == "failed"
    assert verdict.reason == (
        "2 of 3 answers lack apim-request-id, e.g. "
        "POST /anthropic/v1/messages → 200 (check MSG-BASIC); "
        "POST /anthropic/v1/messages → 401 (check AUTH-MISSING)"
    )
    assert verdict.codes == ("missing-apim-request-id",)
    assert verdict.evidence == (2, 3)
    assert verdict.note == ""


@pytest.mark.parametrize(
    "run", [[], [unreachable(1), unreachable(2)]], ids=["no-requests", "no-answers"]
)
def test_apim_request_ids_cannot_be_judged_without_answers(run: list[Interaction]) -> None:
    assert judge_apim_request_ids(run) == RunWideVerdict(
        "error", "could not judge: no request of this run got an HTTP answer"
    )


# -- RL-HEADERS-ABSENT ------------------------------------------------------------------------


def test_a_run_without_anthropic_ratelimit_headers_passes() -> None:
    azure_style = {**APIM_ONLY, "x-ratelimit-remaining-tokens": "7990", "retry-after": "7"}
    run = [ok(1), ix(429, bodies.RATE_LIMIT_REACHED, seq=2, headers=azure_style), unreachable(3)]
    assert judge_ratelimit_headers(run, PREFIX) == RunWideVerdict("passed")


def test_anthropic_ratelimit_headers_fail_with_each_name_once_in_order() -> None:
    leaking = {**APIM_ONLY, RATE_LIMIT_HEADERS[0]: "8000", RATE_LIMIT_HEADERS[4]: "100"}
    run = [
        ix(200, bodies.MESSAGE_OK, seq=1, headers=leaking),
        ok(2),
        ix(429, bodies.RATE_LIMIT_ERROR, seq=3, headers={RATE_LIMIT_HEADERS[0]: "8000"}),
    ]
    verdict = judge_ratelimit_headers(run, PREFIX)
    assert verdict.status == "failed"
    assert verdict.reason == (
        "2 of 3 responses carry anthropic-ratelimit-input-tokens-remaining, "
        "anthropic-ratelimit-tokens-limit: the documentation says Foundry sends none "
        "(documentation drift, or a proxy adds them)"
    )
    assert verdict.codes == ("rate-limit-headers-present",)
    assert verdict.evidence == (1, 3)


@pytest.mark.parametrize(
    "run", [[], [unreachable(1), unreachable(2)]], ids=["no-requests", "no-answers"]
)
def test_ratelimit_headers_cannot_be_judged_without_answers(run: list[Interaction]) -> None:
    assert judge_ratelimit_headers(run, PREFIX) == RunWideVerdict(
        "error", "could not judge: no request of this run got an HTTP answer"
    )
