"""The check catalog: every check's stable ID, area, the documented behaviour it verifies, its
severity and the suites it belongs to. The single source the suite, ``--select`` and the writers read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from .capability import CAPABILITY_CHECKS
from .errors import UnknownSelection

Severity = Literal["blocker", "warning", "info"]
# When a check runs: with the others ("main", concurrently under --jobs); alone after them
# ("probe": the rate-limit probe exhausts the quota on purpose); or last ("run-wide": it sends
# nothing and judges every exchange of the run).
Phase = Literal["main", "probe", "run-wide"]
PHASES: tuple[Phase, ...] = ("main", "probe", "run-wide")

AREAS = {
    "endpoint": "Endpoint",
    "auth": "Authentication",
    "messages": "Messages API",
    "correlation": "Correlation IDs",
    "rate-limits": "Rate limits",
    "unsupported": "Unsupported endpoints",
    "deployments": "Deployments",
    "api": "API versions and betas",
    "hosting": "Hosting option",
    "rules": "Per-model request rules",
    "capabilities": "Capability matrix",
    "sdk": "Official SDK",
    "health": "Health",
}
# The areas whose checks judge answers with `anthropic.types` or call the SDK.
SDK_AREAS = ("messages", "sdk")


@dataclass(frozen=True)
class CheckSpec:
    """One catalog entry."""

    id: str
    area: str
    title: str
    severity: Severity
    smoke: bool = False
    opt_in: bool = False
    # Requests one case sends to a conformant endpoint (None: as many as it takes): its cost,
    # and the order in which --jobs starts the checks (the longest first).
    requests: int | None = 1
    phase: Phase = "main"

    @property
    def needs_sdk(self) -> bool:
        """Whether the check reads answers with the SDK's types or calls the SDK itself."""
        return self.area in SDK_AREAS

    def in_suite(self, suite: str) -> bool:
        """Whether the check belongs to ``suite`` (opt-in probes only to ``full``)."""
        if suite == "smoke":
            return self.smoke
        if suite == "standard":
            return not self.opt_in
        return True


def _c(
    id: str,
    area: str,
    title: str,
    severity: Severity = "blocker",
    *,
    smoke: bool = False,
    opt_in: bool = False,
    requests: int | None = 1,
    phase: Phase = "main",
) -> CheckSpec:
    return CheckSpec(
        id, area, title, severity, smoke=smoke, opt_in=opt_in, requests=requests, phase=phase
    )


CHECKS: tuple[CheckSpec, ...] = (
    _c("EP-REACH", "endpoint", "DNS, TLS and TCP reach the endpoint", smoke=True),
    _c(
        "EP-BASE-PATH",
        "endpoint",
        "The base URL reaches the Anthropic route, not Azure's generic 404",
        smoke=True,
    ),
    _c("AUTH-X-API-KEY", "auth", "The key in `x-api-key` alone is accepted", smoke=True),
    _c("AUTH-API-KEY", "auth", "The key in `api-key` alone is accepted", "warning"),
    _c("AUTH-ENTRA", "auth", "An Entra ID bearer token for the configured scope is accepted"),
    _c(
        "AUTH-ENTRA-ALT-SCOPE",
        "auth",
        "A token for the other known Entra scope is accepted",
        "info",
    ),
    _c("AUTH-MISSING", "auth", "A request without credentials gives 401"),
    _c(
        "AUTH-BAD-KEY", "auth", "A wrong key gives 401 in each header variant, with correlation IDs"
    ),
    _c("AUTH-BAD-TOKEN", "auth", "A malformed bearer token gives 401"),
    _c(
        "AUTH-KEY-AS-BEARER",
        "auth",
        "The key sent as `Authorization: Bearer <key>` is rejected",
        "info",
    ),
    _c(
        "AUTH-RBAC",
        "auth",
        "A token of a principal without a data-plane role is refused (401/403 PermissionDenied)",
        opt_in=True,
    ),
    _c("MSG-BASIC", "messages", "A minimal request returns a valid Messages object", smoke=True),
    _c(
        "MSG-USAGE",
        "messages",
        "`usage.input_tokens` and `output_tokens` are present, integral, non-negative and plausible",
    ),
    _c("MSG-SYSTEM", "messages", "A system prompt and a multi-turn conversation are accepted"),
    _c("MSG-MAX-TOKENS", "messages", '`max_tokens: 1` ends with `stop_reason: "max_tokens"`'),
    _c(
        "MSG-STREAM",
        "messages",
        "SSE streaming follows the event grammar, deltas concatenate, usage is cumulative",
    ),
    _c(
        "MSG-TOOLS",
        "messages",
        "A forced tool choice returns a `tool_use` block whose input is valid for the schema",
    ),
    _c(
        "MSG-COUNT-TOKENS",
        "messages",
        '`POST /v1/messages/count_tokens` returns `{"input_tokens": n}`',
    ),
    _c(
        "MSG-INVALID",
        "messages",
        "An invalid request gives 400 `invalid_request_error` in the Anthropic error shape",
    ),
    _c("MSG-NO-VERSION", "messages", "A request without `anthropic-version` is rejected with 400"),
    _c(
        "RID-REQUEST-ID",
        "correlation",
        "Every response the Anthropic layer produced carries `request-id`",
        smoke=True,
        requests=0,
        phase="run-wide",
    ),
    _c(
        "RID-APIM-REQUEST-ID",
        "correlation",
        "Every response, gateway errors included, carries `apim-request-id`",
        smoke=True,
        requests=0,
        phase="run-wide",
    ),
    _c(
        "RL-HEADERS-ABSENT",
        "rate-limits",
        "No `anthropic-ratelimit-*` header appears on any response of the run",
        "warning",
        smoke=True,
        requests=0,
        phase="run-wide",
    ),
    _c(
        "RL-429",
        "rate-limits",
        "A provoked 429 carries a wait hint, and the harness backs off and recovers",
        "warning",
        opt_in=True,
        requests=None,
        phase="probe",
    ),
    _c("UNS-MODELS", "unsupported", "`GET /v1/models` is not served", "warning"),
    _c(
        "UNS-BATCHES",
        "unsupported",
        "`/v1/messages/batches` (create and list) is not served",
        "warning",
        requests=2,
    ),
    _c("UNS-ADMIN", "unsupported", "`/v1/organizations/*` (Admin API) is not served", "warning"),
    _c("DEP-SERVES", "deployments", "Every deployment under test answers"),
    _c(
        "DEP-UNKNOWN",
        "deployments",
        'An unknown deployment name gives 404 "model/deployment not found"',
    ),
    _c(
        "DEP-INVENTORY",
        "deployments",
        "Which of the platform profile's default deployment names exist on the resource",
        "info",
        requests=None,  # one free count_tokens request per name (none: the run took it already)
    ),
    _c(
        "DEP-LIFECYCLE",
        "deployments",
        "The deployment's model is neither deprecated nor retired",
        "warning",
        requests=None,  # none when the deployment is named after its model, else one
    ),
    _c(
        "API-VERSION",
        "api",
        "The `anthropic-version` values clients send are accepted (the documented and the SDKs')",
        "warning",
    ),
    _c(
        "API-VERSION-MALFORMED",
        "api",
        "A malformed `anthropic-version` is refused with 400",
        "warning",
    ),
    _c(
        "API-BETA-HEADER",
        "api",
        "A beta request works with the `anthropic-beta` header alone (no `?beta=true`)",
        "warning",
    ),
    _c(
        "HOST-OPTION",
        "hosting",
        "The hosting option the wire shows (`/files`, `/skills`) is one the profile offers the model",
        "info",
        requests=2,
    ),
    _c(
        "RULE-THINKING",
        "rules",
        "Each `thinking.type` is accepted or refused as the profile says for the model",
        "warning",
    ),
    _c(
        "RULE-EFFORT",
        "rules",
        "Each effort level is accepted or refused as the profile says for the model",
        "warning",
    ),
    _c(
        "RULE-SYSTEM-MIDCONV",
        "rules",
        "A mid-conversation `system` message is accepted or refused as the profile says",
        "warning",
    ),
    _c(
        "RULE-MAX-OUTPUT",
        "rules",
        "`max_tokens` above the model's maximum output is refused with 400",
        "warning",
        requests=None,  # one refusal; in the full suite its maximum too
    ),
    *(
        _c(check_id, "capabilities", title, "warning", opt_in=opt_in, requests=requests)
        for check_id, title, opt_in, requests in CAPABILITY_CHECKS
    ),
    _c(
        "SDK-FOUNDRY",
        "sdk",
        "The official SDK's `AnthropicFoundry` completes a request with the same configuration",
    ),
    _c("SDK-ENTRA", "sdk", "The same with `azure_ad_token_provider`"),
    _c("SDK-STREAM", "sdk", "SDK streaming works end to end"),
    _c(
        "PERF-LATENCY",
        "health",
        "Latency (total, and time to first token when streaming) per deployment",
        "info",
        requests=2,
    ),
)

BY_ID: dict[str, CheckSpec] = {check.id: check for check in CHECKS}
# The probe ``--probe-rate-limit`` enables (and asks for: it runs in any suite then).
RATE_LIMIT_PROBE = "RL-429"


def select(suite: str, selectors: Iterable[str] = ()) -> tuple[CheckSpec, ...]:
    """The checks of ``suite``, narrowed to ``selectors`` (IDs, ID prefixes like ``AUTH-``, or areas).

    A selector names checks outside the suite too: ``--select RL-429`` runs the opt-in probe
    (whose own enabling switch is still required).
    """
    wanted = [s.strip() for s in selectors if s.strip()]
    if not wanted:
        return tuple(c for c in CHECKS if c.in_suite(suite))
    chosen: list[CheckSpec] = []
    for selector in wanted:
        matched = [c for c in CHECKS if _matches(c, selector)]
        if not matched:
            raise UnknownSelection(
                f"--select {selector!r} names no check ID or area; IDs look like MSG-BASIC, "
                f"areas are {', '.join(AREAS)}"
            )
        chosen.extend(c for c in matched if c not in chosen)
    return tuple(c for c in CHECKS if c in chosen)


def named(check_id: str, selectors: Iterable[str]) -> bool:
    """Whether ``selectors`` (``--select``) name ``check_id``: its ID, a prefix or its area."""
    check = BY_ID[check_id]
    return any(_matches(check, s.strip()) for s in selectors if s.strip())


def _matches(check: CheckSpec, selector: str) -> bool:
    upper = selector.upper()
    if upper == check.id:
        return True
    if selector.lower() == check.area:
        return True
    return (upper.endswith("-") and check.id.startswith(upper)) or (
        upper.endswith("*") and check.id.startswith(upper[:-1])
    )
