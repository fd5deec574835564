"""Error bodies exactly as the sources report them (foundry-facts.md, research §7), verbatim.

Placeholders such as ``<oid>`` and ``req_...`` are the sources' own. Bodies marked CONSTRUCTED
wrap a reported message in the documented envelope because no source quotes the whole body.
"""

from __future__ import annotations

# --- Azure gateway layer (foundry-facts.md, part B; research §7.1) ---
INVALID_SUBSCRIPTION_KEY = (
    '{"error":{"code":"401","message":"Access denied due to invalid subscription key or wrong API '
    "endpoint. Make sure to provide a valid key for an active subscription and use a correct "
    'regional API endpoint for your resource."}}'
)
TOKEN_UNAUTHORIZED = (
    '{"statusCode": 401, "message": "Unauthorized. Access token is missing, invalid, audience is '
    'incorrect (https://cognitiveservices.azure.com), or have expired."}'
)
TOKEN_UNAUTHORIZED_PROJECT = (
    '{"message":"Unauthorized. Access token is missing, invalid, audience is incorrect '
    '(https://ai.azure.com), or have expired."}'
)
PERMISSION_DENIED = (
    '{"error":{"code":"PermissionDenied","message":"The principal `<oid>` lacks the required data '
    'action `...` to perform `POST ...` operation."}}'
)
PERMISSION_DENIED_AOAI = (
    '{"error":{"code":"PermissionDenied","message":"The principal `<object-id>` lacks the required '
    "data action `Microsoft.CognitiveServices/accounts/OpenAI/deployments/chat/completions/action` "
    'to perform `POST /openai/deployments/{deployment-id}/chat/completions` operation."}}'
)
PERMISSION_DENIED_SHORT = (
    '{"error":{"code":"PermissionDenied","message":"Principal does not have access to '
    'API/Operation."}}'
)
KEY_AUTH_DISABLED = (
    '{"error":{"code":"AuthenticationTypeDisabled","message":"Key based authentication is disabled '
    'for this resource."}}'
)
API_NOT_SUPPORTED = (
    '{"error":{"code":"api_not_supported","message":"Requested API is currently not supported"}}'
)
API_NOT_SUPPORTED_DETAILS = (
    '{"error":{"code":"api_not_supported","message":"Requested API is currently not supported",'
    '"details":"Requested API is currently not supported"}}'
)
RESOURCE_NOT_FOUND = '{"error":{"code":"404","message":"Resource not found"}}'
RATE_LIMIT_REACHED = (
    '{"error":{"code":"RateLimitReached","message":"Rate limit of 8000 per 60s exceeded for '
    'UserByModelByMinuteOutputTokens. Please wait 33 seconds before retrying."}}'
)
RATE_LIMIT_REACHED_DETAILS = (
    '{"error":{"code":"RateLimitReached","message":"Rate limit of 8000 per 60s exceeded for '
    'UserByModelByMinuteOutputTokens. Please wait 33 seconds before retrying.","details":"Rate '
    "limit of 8000 per 60s exceeded for UserByModelByMinuteOutputTokens. Please wait 33 seconds "
    'before retrying."}}'
)
RATE_LIMIT_REACHED_NO_HINT = (
    '{"error":{"code":"RateLimitReached","message":"Rate limit of 2000 per 60s exceeded for '
    'UserByModelByMinuteOutputTokens."}}'
)
DEPLOYMENT_NOT_FOUND = (
    '{"error":{"type":"invalid_request_error","code":"DeploymentNotFound","message":"The API '
    "deployment for this resource does not exist. If you created the deployment within the last 5 "
    'minutes, please wait a moment and try again."}}'
)

# --- Anthropic layer (research §7.2 and §7.3) ---
STRUCTURED_OUTPUTS_UNSUPPORTED = (
    '{"type":"error","error":{"type":"invalid_request_error","message":"structured_outputs not '
    'supported in your workspace."}}'
)
AUTHENTICATION_ERROR = (
    '{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"},'
    '"request_id":"req_011CYhr1kdGzCrPHfrhibMen"}'
)
NOT_FOUND_MODEL = (
    '{"type":"error","error":{"type":"not_found_error","message":"model: opus-4"},'
    '"request_id":"req_011CSJdwJdRY4cgapH1mAuMS"}'
)
RATE_LIMIT_ERROR = (
    '{"type":"error","error":{"type":"rate_limit_error","message":"This request would exceed your '
    'account\'s rate limit. Please try again later."},"request_id":"req_..."}'
)
REQUEST_TOO_LARGE = (
    '{"type":"error","error":{"type":"request_too_large","message":"Request exceeds the maximum '
    'allowed number of bytes."}}'
)
OVERLOADED = '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'
MID_STREAM_OVERLOADED = (
    "event: error\n"
    'data: {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}\n\n'
)
# CONSTRUCTED: the reported messages in Anthropic's documented envelope.
VERSION_REQUIRED = (
    '{"type":"error","error":{"type":"invalid_request_error",'
    '"message":"anthropic-version: header is required"}}'
)
EXTRA_INPUTS = (
    '{"type":"error","error":{"type":"invalid_request_error",'
    '"message":"Extra inputs are not permitted"}}'
)

# The headers of the field capture of a gateway 401 (microsoft/foundry-dev-tools#148).
GATEWAY_HEADERS = {
    "apim-request-id": "3f2b1c8e-5d4a-4e6f-9a7b-1c2d3e4f5a6b",
    "content-type": "application/json",
    "strict-transport-security": "max-age=31536000; includeSubDomains; preload",
    "x-content-type-options": "nosniff",
    "x-ms-client-request-id": "Not-Set",
}
REQUEST_ID = "req_011CeoTSFcdKekJHEddwsoBv"

MESSAGE_OK = (
    '{"id":"msg_01","type":"message","role":"assistant","content":[{"type":"text","text":"Hi"}],'
    '"model":"claude-sonnet-4-5","stop_reason":"end_turn","stop_sequence":null,'
    '"usage":{"input_tokens":8,"output_tokens":2}}'
)
STREAM_OK = (
    "event: message_start\n"
    'data: {"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant",'
    '"content":[],"model":"claude-sonnet-4-5","stop_reason":null,"stop_sequence":null,'
    '"usage":{"input_tokens":8,"output_tokens":1}}}\n\n'
    "event: ping\n"
    'data: {"type":"ping"}\n\n'
)

ZERO_QUOTA = (
    '{"error":{"code":"RateLimitReached","message":"Rate limit of 0 per 60s exceeded for '
    'UserByModelByMinuteRequests. Please wait 60 seconds before retrying."}}'
)
BACKEND_AUTH = (
    '{"error":{"code":"invalid_model_endpoint_authentication","message":"Failed to authenticate '
    'to backend endpoint. RequestId = req_011CabcdEFGHijklMNOPqrst","details":""}}'
)
FEATURES_NOT_AVAILABLE = (
    '{"type":"error","error":{"type":"invalid_request_error","message":"The following '
    'features are not available for Azure AI Foundry workspaces: web_search, code_execution"}}'
)
WEB_SEARCH_UNAVAILABLE = (
    '{"type":"error","error":{"type":"invalid_request_error","message":"server-side web search '
    'is not available in this environment"}}'
)
ENTRA_ONLY = (
    '{"error":{"code":"401","message":"Key-based authentication is not supported for the model '
    'claude-mythos-5: use Microsoft Entra ID."}}'
)
