"""The error bodies the emulator answers with, copied from the field (``foundry-facts.md``, part B).

Two layers, as on the platform: the **Azure gateway** answers auth, routing and throttling with
Azure-shaped bodies (no ``error.type``, no ``request-id``); whatever reaches Claude answers in
Anthropic's shape ``{"type": "error", "error": {"type": ..., "message": ...}, "request_id": ...}``.
The texts are verbatim where a real capture exists; where it does not, a comment says so.
"""

from __future__ import annotations

import json
from typing import Any

JsonObject = dict[str, Any]

INVALID_SUBSCRIPTION_KEY = (
    "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide "
    "a valid key for an active subscription and use a correct regional API endpoint for your "
    "resource."
)
INVALID_TOKEN = (
    "Unauthorized. Access token is missing, invalid, audience is incorrect "
    "(https://cognitiveservices.azure.com), or have expired."
)
KEY_AUTH_DISABLED = "Key based authentication is disabled for this resource."
API_NOT_SUPPORTED = "Requested API is currently not supported"
RESOURCE_NOT_FOUND = "Resource not found"
DEPLOYMENT_NOT_FOUND = (
    "The API deployment for this resource does not exist. If you created the deployment within the "
    "last 5 minutes, please wait a moment and try again."
)
# The exact data action Azure names for /anthropic is not known (wire facts §7.1); this one follows
# the documented `Microsoft.CognitiveServices/accounts/...` pattern of the captured AOAI message.
CLAUDE_DATA_ACTION = "Microsoft.CognitiveServices/accounts/providers/anthropic/messages/action"

MISSING_VERSION = "anthropic-version: header is required"
OVERLOADED = "Overloaded"
# First-party wording of a 500; Foundry's own text for it has not been captured.
INTERNAL_ERROR = "Internal server error"


def json_bytes(body: object) -> bytes:
    """A body serialised compactly, as the platform sends it."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


# --- Azure gateway layer -------------------------------------------------------------------------


def invalid_subscription_key() -> JsonObject:
    """401 for a missing or wrong key, or a key sent as ``Authorization: Bearer``."""
    return {"error": {"code": "401", "message": INVALID_SUBSCRIPTION_KEY}}


def invalid_token() -> JsonObject:
    """401 for an unreadable, expired or wrong-audience bearer token (note: no ``error`` object)."""
    return {"statusCode": 401, "message": INVALID_TOKEN}


def permission_denied(object_id: str, method: str, path: str) -> JsonObject:
    """401 (not 403) for a token whose principal holds no data-plane role."""
    message = (
        f"The principal `{object_id}` lacks the required data action `{CLAUDE_DATA_ACTION}` "
        f"to perform `{method} {path}` operation."
    )
    return {"error": {"code": "PermissionDenied", "message": message}}


def authentication_type_disabled() -> JsonObject:
    """403 for any key when the resource allows Entra ID only."""
    return {"error": {"code": "AuthenticationTypeDisabled", "message": KEY_AUTH_DISABLED}}


def api_not_supported() -> JsonObject:
    """404 for a route Foundry does not serve for Claude (models, batches, admin, OpenAI routes)."""
    return {"error": {"code": "api_not_supported", "message": API_NOT_SUPPORTED}}


def resource_not_found() -> JsonObject:
    """404 for a path outside every API, e.g. a base URL without ``/anthropic``."""
    return {"error": {"code": "404", "message": RESOURCE_NOT_FOUND}}


def deployment_not_found() -> JsonObject:
    """404 for an unknown deployment name (captured on a model-inference route; wire facts §7.1)."""
    return {
        "error": {
            "type": "invalid_request_error",
            "code": "DeploymentNotFound",
            "message": DEPLOYMENT_NOT_FOUND,
        }
    }


def rate_limit_message(limit: int, window_s: float, wait_s: int) -> str:
    """The throttling sentence, with the counter the emulator limits (requests, not tokens)."""
    return (
        f"Rate limit of {limit} per {window_s:g}s exceeded for UserByModelByMinuteRequests. "
        f"Please wait {wait_s} seconds before retrying."
    )


def rate_limit_reached(limit: int, window_s: float, wait_s: int) -> JsonObject:
    """429 from the gateway's per-deployment quota, with its wait hint."""
    return {
        "error": {
            "code": "RateLimitReached",
            "message": rate_limit_message(limit, window_s, wait_s),
        }
    }


def bad_gateway_page() -> bytes:
    """The HTML page an Azure Application Gateway serves when its backend fails (``text/html``)."""
    return (
        b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
        b"<center><h1>502 Bad Gateway</h1></center>\r\n"
        b"<hr><center>Microsoft-Azure-Application-Gateway/v2</center>\r\n</body>\r\n</html>\r\n"
    )


# --- Anthropic layer -----------------------------------------------------------------------------


def anthropic_error(error_type: str, message: str, request_id: str | None) -> JsonObject:
    """The Anthropic error envelope; ``request_id`` is left out when the header is left out too."""
    body: JsonObject = {"type": "error", "error": {"type": error_type, "message": message}}
    if request_id is not None:
        body["request_id"] = request_id
    return body


def invalid_request(message: str, request_id: str | None) -> JsonObject:
    """400 ``invalid_request_error`` (missing header, bad body, extra inputs…)."""
    return anthropic_error("invalid_request_error", message, request_id)


def model_not_found(model: str, request_id: str | None) -> JsonObject:
    """404 ``not_found_error`` for an unknown model, in first-party wording (``model: <name>``)."""
    return anthropic_error("not_found_error", f"model: {model}", request_id)


def overloaded(request_id: str | None) -> JsonObject:
    """529 ``overloaded_error``."""
    return anthropic_error("overloaded_error", OVERLOADED, request_id)


def api_error(request_id: str | None) -> JsonObject:
    """500 ``api_error``."""
    return anthropic_error("api_error", INTERNAL_ERROR, request_id)
