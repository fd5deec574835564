"""The catalog of the embedded emulator's fault profiles: each switches on one realistic fault of
the platform, and they compose (``--emulator api-key-rejected,slow=0.5``).

Like the check catalog, this is vocabulary: the configuration validates ``--emulator`` against it,
the emulator implements each fault (``emulator.profiles``), the help and the reports name them.
Pure data.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from .suggest import did_you_mean

# A delay longer than this is a typo, not a test: nobody waits ten minutes per request.
MAX_DELAY_S = 600.0


@dataclass(frozen=True)
class FaultProfile:
    """One named profile: what it switches on, and the default of its ``=S`` seconds if it takes
    one."""

    name: str
    summary: str
    default_seconds: float | None = None

    @property
    def takes_seconds(self) -> bool:
        """Whether ``name=S`` is how it is given (a delay)."""
        return self.default_seconds is not None

    @property
    def usage_name(self) -> str:
        """How the help names it: ``slow[=S]``, ``api-key-rejected``."""
        return f"{self.name}[=S]" if self.takes_seconds else self.name


FAULT_PROFILES: tuple[FaultProfile, ...] = (
    FaultProfile("default", "no fault: the platform as documented"),
    FaultProfile(
        "api-key-rejected", "the key in `api-key` alone is refused with 401; `x-api-key` works"
    ),
    FaultProfile(
        "ratelimit-headers", "the nine anthropic-ratelimit-* headers leak on every response"
    ),
    FaultProfile("models-served", "GET /anthropic/v1/models answers 200 with a models list"),
    FaultProfile("no-apim-request-id", "no response carries apim-request-id"),
    FaultProfile("no-request-id", "no response carries request-id"),
    FaultProfile("done-sentinel", "streams end with an APIM-style `data: [DONE]`"),
    FaultProfile("overloaded", "POST /v1/messages answers 529 overloaded_error"),
    FaultProfile(
        "overloaded-midstream",
        "streams answer 200, then an `event: error` overloaded_error mid-stream",
    ),
    FaultProfile(
        "slow",
        "wait S seconds (default 0.5) before every response",
        default_seconds=0.5,
    ),
    FaultProfile(
        "slow-stream",
        "wait S seconds (default 0.2) between SSE events",
        default_seconds=0.2,
    ),
    FaultProfile(
        "key-auth-disabled",
        "any API key gets 403 AuthenticationTypeDisabled; Entra tokens still work",
    ),
    FaultProfile("rbac-missing", "every valid token gets 401 PermissionDenied"),
    FaultProfile("garbage", "every /anthropic response is a 502 HTML gateway page"),
    FaultProfile("connection-reset", "POST /anthropic/v1/messages: TCP reset before any header"),
    FaultProfile("reset-midstream", "streams are reset after the first events"),
    FaultProfile("truncated-stream", "streams end cleanly after the deltas, without message_stop"),
    FaultProfile("wrong-shape", "messages answer 200 JSON without `content` and `usage`"),
    FaultProfile("huge-body", "non-streamed messages answer a ~5 MB Message"),
    FaultProfile("server-error", "messages and count_tokens answer 500 api_error"),
    FaultProfile(
        "rate-limited",
        "messages and count_tokens always answer 429 RateLimitReached (the requests counter)",
    ),
    FaultProfile("echo-key", "the presented key or token comes back in a body field and a header"),
    FaultProfile(
        "tight-rate-limit",
        "5 requests per 2 s per model pool instead of the platform profile's quota (fast tests)",
    ),
    FaultProfile("retry-after", "a 429 carries a `retry-after` header"),
    FaultProfile(
        "anthropic-not-found",
        "an unknown deployment gets the Anthropic not_found_error, not Azure's DeploymentNotFound",
    ),
    FaultProfile(
        "zero-quota",
        "every model pool has a quota of 0 (a free-trial subscription): every request is a 429",
    ),
    FaultProfile(
        "enterprise-quota",
        "every model pool has the enterprise quota of the platform profile instead of "
        "pay-as-you-go (room for the full suite, which sends more than 40 requests to the first "
        "deployment)",
    ),
    FaultProfile(
        "hosted-on-azure",
        "Hosted on Azure as the field reports it: the features the sources disagree on are refused "
        "with the field's wordings; /files and /skills are not served",
    ),
    FaultProfile(
        "hosted-on-anthropic",
        "Hosted on Anthropic infrastructure: every feature is accepted; /files and /skills list",
    ),
    FaultProfile(
        "beta-query-required",
        "beta body fields are accepted only with ?beta=true, not with the anthropic-beta header "
        "alone (as the emulator, and older gateways, once answered anthropic 2.14)",
    ),
    FaultProfile(
        "features-ignored",
        "every capability a request asks for is accepted and silently ignored: no thinking "
        "block, no JSON for a schema, no citation, no cache tokens, no stream, no forced tool",
    ),
    FaultProfile(
        "backend-auth-failure",
        "messages answer the platform's failure to authenticate to its backend (Azure-shaped, "
        "quoting a request id)",
    ),
)

BY_NAME = {profile.name: profile for profile in FAULT_PROFILES}
NAMES: tuple[str, ...] = tuple(BY_NAME)


def usage() -> str:
    """``valid profiles: default, api-key-rejected, …, slow[=S], …``."""
    return "valid profiles: " + ", ".join(p.usage_name for p in FAULT_PROFILES)


def parse_fault_profiles(spec: str | Iterable[str] | None) -> tuple[tuple[str, float | None], ...]:
    """``"name[,name=S]"`` as ``(name, seconds)`` pairs (seconds None: not given), in order,
    without repeats; ``ValueError`` names what is wrong and lists the valid profiles."""
    items = spec.split(",") if isinstance(spec, str) else list(spec or ())
    parsed = (_parse_one(item) for item in items if item.strip())
    return tuple(dict.fromkeys(parsed))


def label(name: str, seconds: float | None) -> str:
    """How a parsed profile is shown: ``slow=0.5``, ``api-key-rejected``."""
    return name if seconds is None else f"{name}={seconds:g}"


def _parse_one(item: str) -> tuple[str, float | None]:
    name, has_value, raw_value = item.partition("=")
    name = name.strip().lower()
    profile = BY_NAME.get(name)
    if profile is None:
        hint = did_you_mean(name, NAMES)
        raise ValueError(
            f"unknown emulator profile {name!r}; {hint + ' ' if hint else ''}{usage()}"
        )
    if not has_value:
        return profile.name, None
    if not profile.takes_seconds:
        raise ValueError(f"emulator profile {name!r} takes no value (got {item.strip()!r})")
    try:
        value = float(raw_value)
    except ValueError:
        raise ValueError(f"emulator profile {name!r} needs seconds, got {raw_value!r}") from None
    if not math.isfinite(value) or not 0 <= value <= MAX_DELAY_S:
        raise ValueError(
            f"emulator profile {name!r} needs 0 to {MAX_DELAY_S:g} seconds, got {value}"
        )
    return profile.name, value
