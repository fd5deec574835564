"""Routes, deployments, throttling, server faults, bodies and headers of one exchange."""

from __future__ import annotations

import pytest

from conformance.core.interactions import Interaction, excerpt
from conformance.diagnosis import DiagnosisContext, diagnose, explain_interaction
from tests.platform_facts import RATE_LIMIT_HEADERS

from . import bodies
from .helpers import HOST, MESSAGES, context, ix


def only(interaction: Interaction, ctx: DiagnosisContext | None = None) -> list[str]:
    """The codes of one interaction on its own."""
    return explain_interaction(interaction, ctx or context())


def detail_of(code: str, interaction: Interaction, ctx: DiagnosisContext | None = None) -> str:
    """The single detail the finding ``code`` gives for ``interaction``."""
    (finding,) = [f for f in diagnose([interaction], ctx or context()) if f.code == code]
    (detail,) = finding.details
    return detail


# --- transport ---


@pytest.mark.parametrize(
    ("error_class", "message", "code"),
    [
        ("ConnectError", "[Errno -2] Name or service not known", "dns-failure"),
        ("ConnectError", "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed", "tls-error"),
        ("ReadTimeout", "The read operation timed out", "timeout"),
        ("ConnectError", "[Errno 111] Connection refused", "connection-failed"),
        ("UnsupportedProtocol", "Request URL is missing an 'http://' protocol.", "wrong-base-path"),
        ("RuntimeError", "the recording seam serves synchronous clients only", "check-error"),
    ],
)
def test_a_request_without_an_answer_is_named_by_its_transport_error(
    error_class: str, message: str, code: str
) -> None:
    failed = ix(None, error_class=error_class, error_message=message, check_id="EP-REACH")
    # Nothing answered, so no header can be missing.
    assert only(failed) == [code]
    assert message in detail_of(code, failed)


def test_a_stream_cut_off_after_its_status_keeps_the_transport_cause() -> None:
    cut = ix(
        200,
        bodies.STREAM_OK,
        streamed=True,
        complete=False,
        error_class="ReadTimeout",
        error_message="The read operation timed out",
    )
    assert only(cut) == ["timeout"]


# --- routes and deployments ---


def test_azures_generic_404_on_messages_is_a_wrong_base_path() -> None:
    missing = ix(404, bodies.RESOURCE_NOT_FOUND, path="/v1/messages", check_id="EP-BASE-PATH")
    ctx = DiagnosisContext(base_url=HOST)
    assert only(missing, ctx) == ["wrong-base-path"]
    assert detail_of("wrong-base-path", missing, ctx).endswith(
        "use the base URL https://example-resource.services.ai.azure.com/anthropic/"
    )


def test_the_corrected_base_url_comes_from_the_request_when_no_base_url_is_known() -> None:
    missing = ix(404, bodies.RESOURCE_NOT_FOUND, path="/anthropic/v1/v1/messages/count_tokens")
    detail = detail_of("wrong-base-path", missing, DiagnosisContext())
    assert f"{HOST}/anthropic/" in detail


def test_a_generic_404_elsewhere_is_unexplained() -> None:
    assert only(ix(404, bodies.RESOURCE_NOT_FOUND, path="/anthropic/v2/other")) == [
        "unexpected-status"
    ]


@pytest.mark.parametrize("body", [bodies.API_NOT_SUPPORTED, bodies.API_NOT_SUPPORTED_DETAILS])
@pytest.mark.parametrize("path", [MESSAGES, "/anthropic/v1/messages/count_tokens?beta=true"])
def test_api_not_supported_on_a_route_that_must_work(body: str, path: str) -> None:
    assert only(ix(404, body, path=path)) == ["api-not-supported"]


@pytest.mark.parametrize("body", [bodies.API_NOT_SUPPORTED, bodies.API_NOT_SUPPORTED_DETAILS])
def test_api_not_supported_on_an_unsupported_route_is_the_documented_answer(body: str) -> None:
    models = ix(
        404,
        body,
        method="GET",
        path="/anthropic/v1/models",
        check_id="UNS-MODELS",
        expects_error=True,
    )
    assert only(models) == []


@pytest.mark.parametrize("body", [bodies.DEPLOYMENT_NOT_FOUND, bodies.NOT_FOUND_MODEL])
def test_an_unknown_deployment(body: str) -> None:
    missing = ix(404, body, check_id="DEP-SERVES")
    assert only(missing) == ["deployment-not-found"]
    assert "deployment name sent: 'claude-sonnet-4-5'" in detail_of("deployment-not-found", missing)


@pytest.mark.parametrize("body", [bodies.DEPLOYMENT_NOT_FOUND, bodies.NOT_FOUND_MODEL])
def test_the_deliberately_unknown_deployment_is_no_finding(body: str) -> None:
    assert only(ix(404, body, check_id="DEP-UNKNOWN", expects_error=True)) == []


# --- throttling, feature gates, other refusals ---


def test_a_429_with_a_wait_hint() -> None:
    for body in (bodies.RATE_LIMIT_REACHED, bodies.RATE_LIMIT_REACHED_DETAILS):
        limited = ix(429, body)
        assert only(limited) == ["rate-limited"]
        detail = detail_of("rate-limited", limited)
        assert "the message asks to wait 33 s; no retry-after header" in detail


def test_a_429_with_a_retry_after_header() -> None:
    headers = {**bodies.GATEWAY_HEADERS, "retry-after": "20"}
    detail = detail_of("rate-limited", ix(429, bodies.RATE_LIMIT_REACHED, headers=headers))
    assert "wait 33 s; retry-after asks for 20 s" in detail


@pytest.mark.parametrize("body", [bodies.RATE_LIMIT_REACHED_NO_HINT, bodies.RATE_LIMIT_ERROR])
def test_a_429_without_a_wait_says_to_back_off(body: str) -> None:
    assert "no wait advertised: back off exponentially" in detail_of("rate-limited", ix(429, body))


def test_the_provoked_429_is_no_finding() -> None:
    probe = ix(429, bodies.RATE_LIMIT_REACHED, check_id="RL-429", expects_error=True)
    assert only(probe) == []


def test_a_feature_refused_in_this_workspace() -> None:
    gated = ix(400, bodies.STRUCTURED_OUTPUTS_UNSUPPORTED, check_id="MSG-TOOLS")
    assert only(gated) == ["feature-not-available"]


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (400, bodies.VERSION_REQUIRED),
        (400, bodies.EXTRA_INPUTS),
        (413, bodies.REQUEST_TOO_LARGE),
        (409, '{"type":"error","error":{"type":"conflict_error","message":"Conflict"}}'),
    ],
)
def test_other_refusals_of_a_request_meant_to_work_are_unexplained(status: int, body: str) -> None:
    assert only(ix(status, body)) == ["unexpected-status"]


def test_the_refusal_an_invalid_request_asks_for_is_no_finding() -> None:
    assert (
        only(ix(400, bodies.VERSION_REQUIRED, check_id="MSG-NO-VERSION", expects_error=True)) == []
    )


def test_a_redirect_is_unexplained_and_says_where_to() -> None:
    headers = {**bodies.GATEWAY_HEADERS, "location": "https://login.example.com/"}
    redirected = ix(302, "", headers=headers)
    assert only(redirected) == ["unexpected-status"]
    assert detail_of("unexpected-status", redirected).endswith("to https://login.example.com/")


# --- server faults ---

API_ERROR = '{"type":"error","error":{"type":"api_error","message":"Internal server error"}}'
TIMEOUT_ERROR = '{"type":"error","error":{"type":"timeout_error","message":"Timeout"}}'


@pytest.mark.parametrize(
    ("status", "body", "code"),
    [
        (500, API_ERROR, "server-error"),
        (503, "<html><body>Service Unavailable</body></html>", "server-error"),
        (504, TIMEOUT_ERROR, "server-error"),
        (529, bodies.OVERLOADED, "overloaded"),
        (500, bodies.OVERLOADED, "overloaded"),
    ],
)
def test_server_faults(status: int, body: str, code: str) -> None:
    assert only(ix(status, body)) == [code]
    # A fault is a fault even on a request sent to be refused.
    assert only(ix(status, body, expects_error=True)) == [code]


@pytest.mark.parametrize(
    ("error_type", "code"),
    [
        ("overloaded_error", "overloaded"),
        ("api_error", "server-error"),
        ("rate_limit_error", "rate-limited"),
    ],
)
def test_an_error_event_inside_a_200_stream(error_type: str, code: str) -> None:
    body = bodies.STREAM_OK + bodies.MID_STREAM_OVERLOADED.replace("overloaded_error", error_type)
    streamed = ix(200, body, streamed=True, check_id="MSG-STREAM")
    assert only(streamed) == [code]
    assert "then a mid-stream error" in detail_of(code, streamed)


def test_the_verbatim_mid_stream_overload() -> None:
    body = bodies.STREAM_OK + bodies.MID_STREAM_OVERLOADED
    assert only(ix(200, body, streamed=True)) == ["overloaded"]


# --- bodies that are not the documented JSON ---

HTML = "<!DOCTYPE html><html><head><title>Sign in</title></head><body>…</body></html>"


def test_html_instead_of_a_messages_object() -> None:
    assert only(ix(200, HTML)) == ["malformed-response"]
    assert only(ix(200, "")) == ["malformed-response"]
    assert "Sign in" in detail_of("malformed-response", ix(200, HTML))


def test_an_unread_cut_or_bodiless_success_proves_nothing() -> None:
    assert only(ix(200, "", complete=False)) == []
    assert only(ix(200, excerpt(bodies.MESSAGE_OK * 100))) == []
    assert only(ix(204, "")) == []
    assert only(ix(200, "", method="HEAD")) == []
    assert only(ix(200, bodies.MESSAGE_OK)) == []


def test_an_html_refusal_is_explained_and_malformed() -> None:
    assert only(ix(401, HTML, auth="x-api-key")) == ["invalid-api-key", "malformed-response"]
    # With nothing else to say about it, an HTML 404 is only malformed.
    assert only(ix(404, HTML)) == ["malformed-response"]
    assert only(ix(401, "", auth="x-api-key")) == ["invalid-api-key", "malformed-response"]


def test_an_expected_refusal_may_be_empty_but_not_html() -> None:
    assert only(ix(404, "", path="/anthropic/v1/messages/batches", expects_error=True)) == []
    assert only(ix(404, HTML, path="/anthropic/v1/models", expects_error=True)) == [
        "malformed-response"
    ]


# --- unsupported routes served ---


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/anthropic/v1/models"),
        ("GET", "/anthropic/v1/models/claude-sonnet-4-5"),
        ("POST", "/anthropic/v1/messages/batches"),
        ("GET", "/anthropic/v1/messages/batches?limit=1"),
        ("GET", "/anthropic/v1/organizations/me"),
    ],
)
def test_an_unsupported_endpoint_that_answers_is_documentation_drift(
    method: str, path: str
) -> None:
    served = ix(200, '{"data":[]}', method=method, path=path, check_id="UNS", expects_error=True)
    assert only(served) == ["unsupported-endpoint-served"]


def test_a_success_where_a_refusal_may_come_is_left_to_the_check() -> None:
    # DEP-INVENTORY probes names that may or may not exist: a success is no finding.
    accepted = ix(200, bodies.MESSAGE_OK, check_id="DEP-INVENTORY", expects_error=True)
    assert only(accepted) == []


# --- headers ---


def test_rate_limit_headers_on_any_answer_are_listed() -> None:
    headers = {**bodies.GATEWAY_HEADERS, "request-id": bodies.REQUEST_ID}
    headers |= {RATE_LIMIT_HEADERS[0]: "8000", "anthropic-ratelimit-requests-limit": "50"}
    leaking = ix(200, bodies.MESSAGE_OK, headers=headers, check_id="RL-HEADERS-ABSENT")
    assert only(leaking) == ["rate-limit-headers-present"]
    detail = detail_of("rate-limit-headers-present", leaking)
    assert "anthropic-ratelimit-requests-limit, anthropic-ratelimit-tokens-limit" in detail
    refused = ix(401, bodies.INVALID_SUBSCRIPTION_KEY, headers=headers, expects_error=True)
    assert only(refused) == ["rate-limit-headers-present"]


def test_a_success_without_request_id() -> None:
    headers = dict(bodies.GATEWAY_HEADERS)
    assert only(ix(200, bodies.MESSAGE_OK, headers=headers)) == ["missing-request-id"]


def test_a_gateway_error_without_request_id_is_expected() -> None:
    gateway = ix(401, bodies.INVALID_SUBSCRIPTION_KEY, auth="bad-key", expects_error=True)
    assert "request-id" not in gateway.response_headers
    assert only(gateway) == []


def test_an_anthropic_error_without_request_id_points_to_the_one_in_its_body() -> None:
    refused = ix(
        401,
        bodies.AUTHENTICATION_ERROR,
        auth="bad-key",
        expects_error=True,
        headers=dict(bodies.GATEWAY_HEADERS),
    )
    assert only(refused) == ["missing-request-id"]
    assert "body carries request_id req_011CYhr1kdGzCrPHfrhibMen" in detail_of(
        "missing-request-id", refused
    )


def test_any_answer_without_apim_request_id() -> None:
    headers = {"request-id": bodies.REQUEST_ID, "content-type": "application/json"}
    assert only(ix(200, bodies.MESSAGE_OK, headers=headers)) == ["missing-apim-request-id"]
    refused = ix(
        401,
        bodies.INVALID_SUBSCRIPTION_KEY,
        auth="bad-key",
        expects_error=True,
        headers={"content-type": "application/json"},
    )
    assert only(refused) == ["missing-apim-request-id"]


def test_header_names_are_matched_whatever_their_case() -> None:
    headers = {"Request-Id": bodies.REQUEST_ID, "APIM-Request-Id": "3f2b1c8e"}
    assert only(ix(200, bodies.MESSAGE_OK, headers=headers)) == []
