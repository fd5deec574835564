"""The error bodies are the ones captured in the field, byte for byte (foundry-facts.md, part B)."""

from __future__ import annotations

import json
import re

from conformance.core.platform_load import builtin_profile
from conformance.emulator import bodies
from conformance.emulator.ratelimit import Throttled

PROFILE = builtin_profile()


def test_invalid_subscription_key_is_verbatim() -> None:
    assert bodies.json_bytes(bodies.invalid_subscription_key()) == (
        b'{"error":{"code":"401","message":"Access denied due to invalid subscription key or wrong '
        b"API endpoint. Make sure to provide a valid key for an active subscription and use a "
        b'correct regional API endpoint for your resource."}}'
    )


def test_invalid_token_is_the_field_wording_naming_both_audiences() -> None:
    assert bodies.invalid_token(PROFILE) == {
        "statusCode": 401,
        "message": "Unauthorized. Access token is missing, invalid, audience is incorrect "
        "(https://cognitiveservices.azure.com/ or https://ai.azure.com/), or have expired.",
    }


def test_entra_only_names_the_model() -> None:
    body = bodies.entra_only(PROFILE, "claude-mythos-5")
    assert body["error"]["message"] == PROFILE.text("entra_only", model="claude-mythos-5")
    assert "claude-mythos-5" in body["error"]["message"]
    assert body["error"]["code"] != "PermissionDenied"  # not a missing role


def test_backend_auth_failure_is_azure_shaped_and_quotes_the_request_id() -> None:
    status, body = bodies.backend_auth_failure(PROFILE, "req_011CabcDEF")
    wording = PROFILE.errors["backend_auth"]
    assert status == wording.status
    assert body == {
        "error": {
            "code": wording.code,
            "message": "Failed to authenticate to backend endpoint. RequestId = req_011CabcDEF",
        }
    }


def test_request_too_large_is_anthropic_shaped() -> None:
    assert bodies.request_too_large(PROFILE, "r") == {
        "type": "error",
        "error": {"type": "request_too_large", "message": PROFILE.text("request_too_large")},
        "request_id": "r",
    }


def test_permission_denied_names_principal_action_and_operation() -> None:
    body = bodies.permission_denied("oid-1", "POST", "/anthropic/v1/messages")
    assert body["error"]["code"] == "PermissionDenied"
    assert body["error"]["message"] == (
        "The principal `oid-1` lacks the required data action "
        f"`{bodies.CLAUDE_DATA_ACTION}` to perform `POST /anthropic/v1/messages` operation."
    )


def test_gateway_bodies_are_verbatim() -> None:
    assert bodies.authentication_type_disabled() == {
        "error": {
            "code": "AuthenticationTypeDisabled",
            "message": "Key based authentication is disabled for this resource.",
        }
    }
    assert bodies.api_not_supported() == {
        "error": {
            "code": "api_not_supported",
            "message": "Requested API is currently not supported",
        }
    }
    assert bodies.resource_not_found() == {
        "error": {"code": "404", "message": "Resource not found"}
    }
    assert bodies.deployment_not_found() == {
        "error": {
            "type": "invalid_request_error",
            "code": "DeploymentNotFound",
            "message": "The API deployment for this resource does not exist. If you created the "
            "deployment within the last 5 minutes, please wait a moment and try again.",
        }
    }


def test_rate_limit_reached_has_the_field_shape_and_names_the_counter() -> None:
    throttled = Throttled("output_tokens", 8000, 7)
    assert bodies.rate_limit_reached(PROFILE, throttled, 60.0) == {
        "error": {
            "code": "RateLimitReached",
            "message": "Rate limit of 8000 per 60s exceeded for UserByModelByMinuteOutputTokens. "
            "Please wait 7 seconds before retrying.",
        }
    }
    requests = bodies.rate_limit_message(PROFILE, Throttled("requests", 40, 3), 60.0)
    assert PROFILE.quota.counters["requests"] in requests


def test_a_zero_quota_has_its_own_wording() -> None:
    message = bodies.rate_limit_message(PROFILE, Throttled("requests", 0, 60), 60.0)
    assert message == PROFILE.text(
        "zero_quota", window="60", counter=PROFILE.quota.counters["requests"], wait=60
    )
    assert re.search(r"Please wait \d+ seconds", message)


def test_anthropic_errors_have_the_envelope() -> None:
    assert bodies.invalid_request("anthropic-version: header is required", "req_011CX") == {
        "type": "error",
        "error": {
            "type": "invalid_request_error",
            "message": "anthropic-version: header is required",
        },
        "request_id": "req_011CX",
    }
    assert bodies.overloaded(None) == {
        "type": "error",
        "error": {"type": "overloaded_error", "message": "Overloaded"},
    }
    assert bodies.model_not_found("nope", "r")["error"] == {
        "type": "not_found_error",
        "message": "model: nope",
    }
    assert bodies.api_error("r")["error"]["type"] == "api_error"


def test_json_bytes_is_compact_and_keeps_unicode() -> None:
    assert bodies.json_bytes({"a": "…"}) == '{"a":"…"}'.encode()
    body = bodies.invalid_token(PROFILE)
    assert json.loads(bodies.json_bytes(body)) == body


def test_the_bad_gateway_page_is_html() -> None:
    page = bodies.bad_gateway_page()
    assert page.startswith(b"<html>")
    assert b"502 Bad Gateway" in page
