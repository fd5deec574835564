"""Catalog entries about the answers: throttling, drift, correlation IDs, shapes and faults."""

from __future__ import annotations

from ..core.links import CLAUDE_ERRORS, CLAUDE_STREAMING, MS_TROUBLESHOOT, PLATFORM_GUIDE, slug
from .info import DiagnosisInfo, Variant

_GUIDE_IDS = "Correlation request IDs"
_IDS_URL = f"{PLATFORM_GUIDE}#{slug(_GUIDE_IDS)}"

PROTOCOL_ENTRIES: tuple[DiagnosisInfo, ...] = (
    DiagnosisInfo(
        code="rate-limited",
        title="The deployment's rate limit was exceeded",
        severity="warning",
        cause="The request was throttled with 429 (`RateLimitReached`, or `rate_limit_error`). "
        "Foundry meters Claude per model at subscription level: every deployment of the same "
        "model and version in the subscription shares one pool (${pooling}), counted as "
        "requests, uncached input tokens and output tokens per minute (pay-as-you-go default: "
        "${payg}), so other callers of the same model use the same quota. Foundry sends no "
        "anthropic-ratelimit-* headers: the wait, when given, is in the message ('Please wait "
        "N seconds') and perhaps in a retry-after header.",
        remedy="Wait at least the advertised time (in the details) before retrying, with "
        "exponential backoff and jitter; the SDK's default retries (about 0.5 s, then 1 s) are "
        "shorter than Azure's waits. The counter the message names (in the details) tells "
        "which limit was hit. For sustained load, request more quota for the model in the "
        "Azure portal (Quotas), or pace requests below the pool's limit; more deployments of "
        "the same model do not add quota.",
        guide_section="Troubleshooting › Rate limits › 429 Too Many Requests",
        doc_url=MS_TROUBLESHOOT,
    ),
    DiagnosisInfo(
        code="feature-not-available",
        title="The feature is not offered on this deployment's hosting option",
        severity="warning",
        cause="The request used a feature this deployment refused with 400 (one of the field's "
        "three wordings: '… not supported in your workspace', '… features are not available "
        "for Azure AI Foundry workspaces: …', '… is not available in this environment'); the "
        "details name the feature and what the platform profile says of it on each hosting "
        "option. The sources conflict on several features for Hosted on Azure: Microsoft's "
        "Sep-2026 matrix lists structured outputs, strict tools, web search, tool search and "
        "the MCP connector as supported there, while Claude's docs and field reports show "
        "these refusals; the Files API and Agent Skills are documented as Hosted on Anthropic "
        "only.",
        remedy="Leave the feature out of requests to this deployment (Claude Code strips it and "
        "retries), or deploy the model's version Hosted on Anthropic infrastructure (a separate "
        "version in the portal) where you need it. Where the profile documents the feature as "
        "supported on this hosting option, open a ticket with the request IDs.",
        guide_section="Supported features",
        doc_url=PLATFORM_GUIDE,
    ),
    DiagnosisInfo(
        code="rate-limit-headers-present",
        title="Anthropic rate-limit headers appear although Foundry documents them as absent",
        severity="info",
        cause="A response carried anthropic-ratelimit-* headers, which the guide says Foundry "
        "does not send: Foundry has changed and the documentation is out of date, or a gateway "
        "in front adds them.",
        remedy="Do not build throttling on them; manage limits with Azure Monitor and the 429 "
        "wait hint. Report it with the request IDs so the documentation can be corrected.",
        guide_section="Troubleshooting › Rate limits › Rate limit headers",
        doc_url=PLATFORM_GUIDE,
    ),
    DiagnosisInfo(
        code="unsupported-endpoint-served",
        title="An endpoint documented as unsupported answered successfully",
        severity="info",
        cause="An API the guide lists as unsupported on Foundry (Models /v1/models, Message "
        "Batches /v1/messages/batches, Admin /v1/organizations/…) answered 2xx: Foundry now "
        "serves it and the documentation is out of date, or a gateway in front answers it.",
        remedy="Do not depend on it until it is documented. Report it with the request IDs so "
        "the documentation can be updated; if a gateway sits in front, check what answers.",
        guide_section="Supported features › Unsupported features",
        doc_url=PLATFORM_GUIDE,
    ),
    DiagnosisInfo(
        code="missing-request-id",
        title="Anthropic's request-id header is missing",
        severity="warning",
        cause="A response produced by the Anthropic layer (a success or an Anthropic-shaped "
        "error) lacked `request-id`, which support needs, with `apim-request-id`, to find the "
        "request on Anthropic's side. A gateway or proxy in front may strip response headers.",
        remedy="Make sure no proxy or API Management policy removes response headers, and log "
        "both IDs in your client (the Python SDK exposes `_request_id`). If Foundry itself "
        "omits it, report it.",
        guide_section=_GUIDE_IDS,
        doc_url=_IDS_URL,
    ),
    DiagnosisInfo(
        code="missing-apim-request-id",
        title="Azure's apim-request-id header is missing",
        severity="warning",
        cause="A response lacked `apim-request-id`, the ID equal to the CorrelationId in Azure's "
        "logs; without it Azure support cannot find the request. A proxy in front may strip "
        "it, or the answer did not come from Foundry at all.",
        remedy="Check that the base URL is the Foundry resource itself and that no proxy removes "
        "response headers; otherwise report it with the UTC time and the request-id.",
        guide_section=_GUIDE_IDS,
        doc_url=_IDS_URL,
    ),
    DiagnosisInfo(
        code="malformed-response",
        title="The response body is not the documented JSON",
        severity="blocker",
        cause="A body the API documents as JSON (a Messages object, a token count, an error) was "
        "HTML, empty or unparseable: usually a proxy, captive portal or gateway answering "
        "instead of Foundry.",
        remedy="Read the body excerpt in the evidence: an HTML sign-in or proxy page means the "
        "request never reached Foundry (check proxy settings and the base URL). Otherwise "
        "report it with both request IDs.",
        guide_section="API responses",
        doc_url=CLAUDE_ERRORS,
    ),
    DiagnosisInfo(
        code="stream-protocol-violation",
        title="The event stream breaks Anthropic's SSE grammar",
        severity="blocker",
        cause="The stream does not follow message_start … message_stop: a `data: [DONE]` frame, "
        "no message_stop, events out of order, or frames that are not JSON. Foundry itself "
        "sends Anthropic's grammar; a [DONE] is the mark of an API Management gateway or other "
        "proxy rewriting the stream, and it breaks strict SDK parsers.",
        remedy="Call Foundry directly, or configure the gateway to pass the event stream through "
        "untouched (no buffering, no OpenAI-style terminator).",
        guide_section="API responses",
        doc_url=CLAUDE_STREAMING,
    ),
    DiagnosisInfo(
        code="server-error",
        title="The service failed with a server error",
        severity="warning",
        cause="A 5xx answer, or an `api_error` / `timeout_error` event inside a stream: a fault "
        "on Azure's or Anthropic's side, not in the request. An HTML page in place of a JSON "
        "error comes from a gateway or proxy in front that got no answer from behind it.",
        remedy="Retry with exponential backoff (the SDK retries 5xx twice by default). If it "
        "lasts for minutes, open a support ticket with the request-id, apim-request-id and UTC "
        "time of the failing requests (see this report's ticket block).",
        guide_section=_GUIDE_IDS,
        doc_url=CLAUDE_ERRORS,
        variants=(
            Variant(
                "persistent",
                title="A server or gateway fault fails every request on its routes",
                severity="blocker",
                cause="Every request to the routes named in the details answered 5xx and none "
                "succeeded in this run: no passing blip. An HTML page in place of a JSON error "
                "(such as '502 Bad Gateway' from an Application Gateway or proxy, quoted in the "
                "evidence) means a gateway in front of the resource gets no answer from behind "
                "it; a JSON `api_error` means the service itself fails.",
                remedy="Do not wait it out with retries: they fail the same way. For a gateway's "
                "HTML page, check what sits in front of the resource (an Application Gateway or "
                "API Management backend and its health probe, a proxy), that the base URL is "
                "the resource's own endpoint, and the resource's health (portal › Resource "
                "health, Azure status). For the service's own JSON error, open a support ticket "
                "now with the request-id, apim-request-id and UTC time of the failing requests "
                "(see this report's ticket block).",
            ),
        ),
    ),
    DiagnosisInfo(
        code="overloaded",
        title="The model is temporarily overloaded",
        severity="warning",
        cause="Anthropic's backend answered 529 or `overloaded_error`, possibly as an "
        "`event: error` inside a 200 stream: capacity is short right now; the request is fine.",
        remedy="Retry after a pause with exponential backoff; a stream that ends in "
        "overloaded_error must be retried as a whole. If it lasts, try another deployment or "
        "region and open a ticket with the request IDs.",
        guide_section=_GUIDE_IDS,
        doc_url=CLAUDE_ERRORS,
    ),
    DiagnosisInfo(
        code="unexpected-status",
        title="The endpoint answered in a way no documented behaviour explains",
        severity="warning",
        cause="An answer no other diagnosis accounts for: an error on a request expected to "
        "succeed (such as 400 invalid_request_error on a documented request), or a success or "
        "redirect where a refusal was expected.",
        remedy="Read the message in the evidence; if the request is valid for the Messages API, "
        "report it with both request IDs, since Foundry may have diverged from Anthropic's API.",
        guide_section="API responses",
        doc_url=CLAUDE_ERRORS,
    ),
    DiagnosisInfo(
        code="check-error",
        title="The harness failed while running a check",
        severity="warning",
        cause="A check stopped on an error that says nothing about the endpoint (a harness bug, "
        "an unexpected exception, a request it could not build), so its verdict is unknown.",
        remedy="Re-run with `-x -vv` to see the traceback and report it to the "
        "foundry-conformance maintainers with the details; the endpoint may well be fine.",
        guide_section=None,
        doc_url=None,
    ),
)
