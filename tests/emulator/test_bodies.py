"""The error bodies are the ones captured in the field, byte for byte (foundry-facts.md, part B)."""

from __future__ import annotations

import json

from conformance.emulator import bodies


def test_invalid_subscription_key_is_verbatim() -> None:
    assert bodies.json_bytes(bodies.invalid_subscription_key()) == (
        b'{"error":{"code":"401","message":"Access denied due to invalid subscription key or wrong '
        b"API endpoint. Make sure to provide a valid key for an active subscription and use a "
        b'correct regional API endpoint for your resource."}}'
    )


def test_invalid_token_is_verbatim_and_has_no_error_object() -> None:
    assert bodies.invalid_token() == {
        "statusCode": 401,
        "message": "Unauthorized. Access token is missing, invalid, audience is incorrect "
        "(https://cognitiveservices.azure.com), or have expired.",
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


def test_rate_limit_reached_has_the_field_shape_and_a_wait_hint() -> None:
    assert bodies.rate_limit_reached(60, 10.0, 7) == {
        "error": {
            "code": "RateLimitReached",
            "message": "Rate limit of 60 per 10s exceeded for UserByModelByMinuteRequests. "
            "Please wait 7 seconds before retrying.",
        }
    }


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
    assert json.loads(bodies.json_bytes(bodies.invalid_token())) == bodies.invalid_token()


def test_the_bad_gateway_page_is_html() -> None:
    page = bodies.bad_gateway_page()
    assert page.startswith(b"<html>")
    assert b"502 Bad Gateway" in page
