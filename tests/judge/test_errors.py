"""Reading error bodies: the layer, code, type, message and waits of every reported body."""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance.core.interactions import excerpt
from conformance.diagnosis import ErrorSignature, classify_error_body
from conformance.judge.errors import retry_after, stream_errors, wait_hint
from tests.diagnosis import bodies

LAYERS = {"azure-gateway", "anthropic", "html", "empty", "unparseable"}


@pytest.mark.parametrize(
    ("status", "body", "layer", "code", "error_type"),
    [
        (401, bodies.INVALID_SUBSCRIPTION_KEY, "azure-gateway", "401", None),
        (401, bodies.TOKEN_UNAUTHORIZED, "azure-gateway", "401", None),
        (401, bodies.TOKEN_UNAUTHORIZED_PROJECT, "azure-gateway", None, None),
        (401, bodies.PERMISSION_DENIED, "azure-gateway", "PermissionDenied", None),
        (403, bodies.KEY_AUTH_DISABLED, "azure-gateway", "AuthenticationTypeDisabled", None),
        (404, bodies.API_NOT_SUPPORTED, "azure-gateway", "api_not_supported", None),
        (404, bodies.API_NOT_SUPPORTED_DETAILS, "azure-gateway", "api_not_supported", None),
        (404, bodies.RESOURCE_NOT_FOUND, "azure-gateway", "404", None),
        (429, bodies.RATE_LIMIT_REACHED, "azure-gateway", "RateLimitReached", None),
        # Azure-shaped (no top-level "type": "error") even though it carries an error.type.
        (
            404,
            bodies.DEPLOYMENT_NOT_FOUND,
            "azure-gateway",
            "DeploymentNotFound",
            "invalid_request_error",
        ),
        (400, bodies.STRUCTURED_OUTPUTS_UNSUPPORTED, "anthropic", None, "invalid_request_error"),
        (401, bodies.AUTHENTICATION_ERROR, "anthropic", None, "authentication_error"),
        (404, bodies.NOT_FOUND_MODEL, "anthropic", None, "not_found_error"),
        (429, bodies.RATE_LIMIT_ERROR, "anthropic", None, "rate_limit_error"),
        (413, bodies.REQUEST_TOO_LARGE, "anthropic", None, "request_too_large"),
        (529, bodies.OVERLOADED, "anthropic", None, "overloaded_error"),
    ],
)
def test_reported_bodies_are_read_by_layer(
    status: int, body: str, layer: str, code: str | None, error_type: str | None
) -> None:
    sig = classify_error_body(status, bodies.GATEWAY_HEADERS, body)
    assert (sig.status, sig.layer, sig.code, sig.type) == (status, layer, code, error_type)
    data = json.loads(body)
    assert sig.message == (data["error"]["message"] if "error" in data else data["message"])


def test_the_wait_hint_of_a_429_is_read_from_its_message() -> None:
    for body in (bodies.RATE_LIMIT_REACHED, bodies.RATE_LIMIT_REACHED_DETAILS):
        sig = classify_error_body(429, {}, body)
        assert (sig.wait_seconds, sig.retry_after_seconds, sig.advised_wait_seconds) == (
            33,
            None,
            33,
        )


def test_a_429_without_hint_has_no_wait() -> None:
    sig = classify_error_body(429, {}, bodies.RATE_LIMIT_REACHED_NO_HINT)
    assert sig.wait_seconds is None and sig.advised_wait_seconds is None
    assert classify_error_body(429, {}, bodies.RATE_LIMIT_ERROR).wait_seconds is None


def test_the_header_wait_is_kept_apart_from_the_message_wait() -> None:
    sig = classify_error_body(429, {"Retry-After": "40"}, bodies.RATE_LIMIT_REACHED)
    assert (sig.wait_seconds, sig.retry_after_seconds, sig.advised_wait_seconds) == (33, 40, 40)


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"retry-after-ms": "1500", "retry-after": "9"}, 1.5),  # the SDK reads -ms first
        ({"retry-after": "12"}, 12),
        ({"retry-after": "0.5"}, 0.5),
        (
            {
                "retry-after": "Wed, 21 Oct 2026 07:28:30 GMT",
                "date": "Wed, 21 Oct 2026 07:28:00 GMT",
            },
            30,
        ),
        ({"retry-after": "Wed, 21 Oct 2026 07:28:30 GMT"}, None),  # no Date to measure against
        ({"retry-after": "soon"}, None),
        ({"retry-after": "-5"}, None),
        ({"retry-after": "nan"}, None),
        ({}, None),
    ],
)
def test_retry_after_headers(headers: dict[str, str], seconds: float | None) -> None:
    assert retry_after(headers) == seconds


def test_an_aoai_style_hint_is_read_too() -> None:
    message = "Please retry after 43 seconds. To increase your default rate limit, visit: …"
    assert wait_hint(message) == 43


def test_the_anthropic_request_id_in_the_body_is_kept() -> None:
    sig = classify_error_body(401, {}, bodies.AUTHENTICATION_ERROR)
    assert sig.request_id_in_body == "req_011CYhr1kdGzCrPHfrhibMen"
    assert classify_error_body(401, {}, bodies.INVALID_SUBSCRIPTION_KEY).request_id_in_body is None


@pytest.mark.parametrize(
    ("body", "headers", "layer"),
    [
        ("", {}, "empty"),
        ("  \n", {}, "empty"),
        ("<html><body><h1>403 Forbidden</h1></body></html>", {}, "html"),
        ("Forbidden", {"Content-Type": "text/html; charset=utf-8"}, "html"),
        ("upstream connect error or disconnect/reset before headers", {}, "unparseable"),
        ('{"detail": "Not Found"}', {}, "unparseable"),
        ("[1, 2]", {}, "unparseable"),
        ('{"error": "Unauthorized"}', {}, "azure-gateway"),
    ],
)
def test_bodies_that_are_not_documented_json(
    body: str, headers: dict[str, str], layer: str
) -> None:
    assert classify_error_body(502, headers, body).layer == layer


def test_a_cut_body_is_marked_truncated() -> None:
    sig = classify_error_body(500, {}, excerpt('{"error": "' + "x" * 5000 + '"}'))
    assert sig.truncated and sig.layer == "unparseable"


def test_describe_names_code_type_and_message() -> None:
    sig = classify_error_body(404, {}, bodies.DEPLOYMENT_NOT_FOUND)
    assert sig.describe().startswith(
        "DeploymentNotFound / invalid_request_error: The API deployment"
    )
    assert ErrorSignature(502, "empty").describe() == "empty"


def test_stream_errors_are_found_after_a_200() -> None:
    (sig,) = stream_errors(bodies.STREAM_OK + bodies.MID_STREAM_OVERLOADED)
    assert (sig.layer, sig.type, sig.message) == ("anthropic", "overloaded_error", "Overloaded")
    assert stream_errors(bodies.STREAM_OK) == ()


# --- robustness: whatever comes over the wire, reading it never raises ---

statuses = st.integers(min_value=-1000, max_value=100_000)
header_maps = st.dictionaries(
    st.sampled_from(["retry-after", "Retry-After", "retry-after-ms", "date", "content-type"])
    | st.text(max_size=20),
    st.text(max_size=40),
    max_size=6,
)
decoded_bytes = st.binary(max_size=500).flatmap(
    lambda raw: st.sampled_from(
        [raw.decode("utf-8", errors="replace"), raw.decode("latin-1"), raw.hex()]
    )
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["error", "type", "code", "message", "statusCode", "request_id"])
            | st.text(max_size=8),
            inner,
            max_size=5,
        )
    ),
    max_leaves=20,
)


def _check(sig: ErrorSignature) -> None:
    assert sig.layer in LAYERS
    for wait in (sig.wait_seconds, sig.retry_after_seconds):
        assert wait is None or wait >= 0
    sig.describe()


@given(statuses, header_maps, st.text(max_size=500) | decoded_bytes)
def test_any_text_is_classified_without_raising(
    status: int, headers: dict[str, str], body: str
) -> None:
    _check(classify_error_body(status, headers, body))


@given(statuses, header_maps, json_values)
def test_any_json_is_classified_without_raising(
    status: int, headers: dict[str, str], value: object
) -> None:
    _check(classify_error_body(status, headers, json.dumps(value)))


@given(st.text(alphabet=string.printable, max_size=300))
def test_any_sse_text_is_scanned_without_raising(body: str) -> None:
    for sig in stream_errors("data: " + body):
        _check(sig)


def test_pathological_json_does_not_raise() -> None:
    for body in ("[" * 100_000, "1" * 5000, '{"error": {"code": ' + "9" * 4000 + "}}"):
        _check(classify_error_body(500, {}, body))
