"""The error bodies the emulator answers with, in the shapes of the field.

Two layers, as on the platform: the **Azure gateway** answers auth, routing and throttling with
Azure-shaped bodies (no ``error.type``, no ``request-id``); whatever reaches Claude answers in
Anthropic's shape ``{"type": "error", "error": {"type": ..., "message": ...}, "request_id": ...}``.
The wordings the platform profile knows (``profile.errors``) come from it; the others are
verbatim captures from ``foundry-facts.md`` (part B) that the profile does not hold yet
(``TODO(profile)``), and where no capture exists a comment says so.
"""

from __future__ import annotations

import json
from typing import Any

from ..core.platform import PlatformProfile
from .ratelimit import Throttled

JsonObject = dict[str, Any]

# TODO(profile): the gateway's wordings below are not in the platform profile's [errors] yet.
INVALID_SUBSCRIPTION_KEY = (
    "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide "
    "a valid key for an active subscription and use a correct regional API endpoint for your "
    "resource."
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

RATE_LIMIT_CODE = "RateLimitReached"  # TODO(profile): the 429's error code
# TODO(profile): the code of the refusal of a key on an Entra-only model (its body is unknown).
ENTRA_ONLY_CODE = "401"
MISSING_VERSION = "anthropic-version: header is required"  # TODO(profile)
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


def invalid_token(profile: PlatformProfile) -> JsonObject:
    """401 for an unreadable, expired or wrong-audience bearer token (note: no ``error`` object);
    it names every audience the platform accepts, as the field's answer does."""
    audiences = " or ".join(f"{audience}/" for audience in profile.accepted_audiences)
    return {"statusCode": 401, "message": profile.text("wrong_audience", audiences=audiences)}


def entra_only(profile: PlatformProfile, model: str) -> JsonObject:
    """401 for a key on a model that accepts Microsoft Entra ID only."""
    return {"error": {"code": ENTRA_ONLY_CODE, "message": profile.text("entra_only", model=model)}}


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


def rate_limit_message(profile: PlatformProfile, throttled: Throttled, window_s: float) -> str:
    """The throttling sentence, naming the spent counter as the field does (a zero quota has
    its own wording)."""
    counter = profile.quota.counters[throttled.counter]
    window = f"{window_s:g}"
    if throttled.limit == 0:
        return profile.text("zero_quota", window=window, counter=counter, wait=throttled.wait_s)
    return profile.text(
        "rate_limited", limit=throttled.limit, window=window, counter=counter, wait=throttled.wait_s
    )


def rate_limit_reached(
    profile: PlatformProfile, throttled: Throttled, window_s: float
) -> JsonObject:
    """429 from the quota of the deployment's model pool, with its wait hint."""
    message = rate_limit_message(profile, throttled, window_s)
    return {"error": {"code": RATE_LIMIT_CODE, "message": message}}


def backend_auth_failure(profile: PlatformProfile, request_id: str) -> tuple[int, JsonObject]:
    """The platform failing to authenticate to its backend: status and Azure-shaped body whose
    message quotes the Anthropic request id."""
    wording = profile.errors["backend_auth"]
    message = profile.text("backend_auth", request_id=request_id)
    return wording.status or 500, {"error": {"code": wording.code, "message": message}}


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


def request_too_large(profile: PlatformProfile, request_id: str | None) -> JsonObject:
    """413 ``request_too_large`` for a body over the platform's limit."""
    return anthropic_error("request_too_large", profile.text("request_too_large"), request_id)


def model_not_found(model: str, request_id: str | None) -> JsonObject:
    """404 ``not_found_error`` for an unknown model, in first-party wording (``model: <name>``)."""
    return anthropic_error("not_found_error", f"model: {model}", request_id)


def overloaded(request_id: str | None) -> JsonObject:
    """529 ``overloaded_error``."""
    return anthropic_error("overloaded_error", OVERLOADED, request_id)


def api_error(request_id: str | None) -> JsonObject:
    """500 ``api_error``."""
    return anthropic_error("api_error", INTERNAL_ERROR, request_id)
