"""What a diagnosis is: a stable code, how bad it is, cause and remedy, and where it is documented.

The codes are a closed ``Literal`` so that a rule naming a code that the catalog lacks is a type
error, not a report with a hole in it. The documents linked here are the public pages the research
notes cite (``research/foundry-wire-facts.md``); the guide sections are those of the platform guide
(``seed/``), named in English.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["blocker", "warning", "info"]

# blocker: requests as a client would send them fail; warning: they work, but something deviates or
# will bite; info: worth knowing, nothing to fix on the deployment.
SEVERITY_ORDER: dict[Severity, int] = {"blocker": 0, "warning": 1, "info": 2}

DiagnosisCode = Literal[
    "config-conflict",
    "config-missing",
    "dns-failure",
    "connection-failed",
    "tls-error",
    "timeout",
    "wrong-base-path",
    "api-not-supported",
    "invalid-api-key",
    "api-key-header-rejected",
    "x-api-key-header-rejected",
    "invalid-token",
    "expired-token",
    "wrong-token-audience",
    "alt-scope-refused",
    "missing-rbac-role",
    "key-auth-disabled",
    "network-restricted",
    "auth-not-enforced",
    "deployment-not-found",
    "rate-limited",
    "feature-not-available",
    "rate-limit-headers-present",
    "unsupported-endpoint-served",
    "missing-request-id",
    "missing-apim-request-id",
    "malformed-response",
    "stream-protocol-violation",
    "server-error",
    "overloaded",
    "unexpected-status",
    "check-error",
]

# Public pages the remedies rest on.
CLAUDE_FOUNDRY_GUIDE = (
    "https://platform.claude.com/docs/en/build-with-claude/claude-in-microsoft-foundry"
)
CLAUDE_ERRORS = "https://docs.claude.com/en/api/errors"
CLAUDE_STREAMING = "https://docs.claude.com/en/api/messages-streaming"
MS_USE_CLAUDE = (
    "https://learn.microsoft.com/azure/foundry/foundry-models/how-to/use-foundry-models-claude"
)
MS_TROUBLESHOOT = "https://learn.microsoft.com/azure/foundry/openai/how-to/troubleshoot-errors"
MS_AUTHN_AUTHZ = (
    "https://learn.microsoft.com/azure/foundry/concepts/authentication-authorization-foundry"
)
MS_DISABLE_LOCAL_AUTH = "https://learn.microsoft.com/azure/ai-services/disable-local-auth"
MS_VIRTUAL_NETWORKS = (
    "https://learn.microsoft.com/azure/ai-services/cognitive-services-virtual-networks"
)
SDK_API_KEY_ISSUE = "https://github.com/anthropics/anthropic-sdk-python/issues/1661"


@dataclass(frozen=True)
class DiagnosisInfo:
    """A diagnosis as a report shows it: what is wrong, why, what to do, and where it is written."""

    code: DiagnosisCode
    title: str
    severity: Severity
    cause: str
    remedy: str
    # The section of the platform guide the remedy rests on (None: the guide does not cover it).
    guide_section: str | None
    doc_url: str | None
