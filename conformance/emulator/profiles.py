"""The emulator's named profiles: each switches on one realistic fault, and they compose.

A profile is a ``Faults`` value with one flag set (or one delay, for ``slow=S`` and
``slow-stream=S``); ``parse_profiles("a,b")`` combines them into an ``EmulatorConfig``. Pure data:
nothing here knows about sockets or HTTP.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from typing import Any

from ..constants import DEFAULT_DEPLOYMENT_NAMES, EMULATOR_DEV_API_KEY

DEFAULT_RATE_LIMIT = (60, 10.0)
TIGHT_RATE_LIMIT = (5, 2.0)
# A delay longer than this is a typo, not a test: nobody waits ten minutes per request.
MAX_DELAY_S = 600.0


@dataclass(frozen=True)
class Faults:
    """The faults switched on; all off is the documented platform behaviour."""

    api_key_rejected: bool = False
    ratelimit_headers: bool = False
    models_served: bool = False
    no_apim_request_id: bool = False
    no_request_id: bool = False
    done_sentinel: bool = False
    overloaded: bool = False
    overloaded_midstream: bool = False
    slow_s: float = 0.0
    slow_stream_s: float = 0.0
    key_auth_disabled: bool = False
    rbac_missing: bool = False
    garbage: bool = False
    connection_reset: bool = False
    reset_midstream: bool = False
    truncated_stream: bool = False
    wrong_shape: bool = False
    huge_body: bool = False
    server_error: bool = False
    rate_limited: bool = False
    echo_key: bool = False
    tight_rate_limit: bool = False
    retry_after: bool = False
    anthropic_not_found: bool = False

    def combine(self, other: Faults) -> Faults:
        """Both fault sets at once: a flag on in either stays on, the longer delay wins."""
        merged: dict[str, Any] = {
            f.name: max(getattr(self, f.name), getattr(other, f.name)) for f in fields(self)
        }
        return Faults(**merged)


@dataclass(frozen=True)
class Profile:
    """One named profile: the fault it switches on, and its parameter if it takes one."""

    name: str
    summary: str
    faults: Faults
    parameter: str | None = None  # the Faults field that ``name=S`` sets
    default: float | None = None

    def faults_for(self, value: float | None) -> Faults:
        """The faults of this profile, with ``value`` for a parameterised one."""
        if self.parameter is None:
            return self.faults
        changes: dict[str, Any] = {self.parameter: self.default if value is None else value}
        return replace(self.faults, **changes)


def _flag(name: str, summary: str, **flag: bool) -> Profile:
    return Profile(name, summary, Faults(**flag))


PROFILES: tuple[Profile, ...] = (
    Profile("default", "no fault: the platform as documented", Faults()),
    _flag(
        "api-key-rejected",
        "the key in `api-key` alone is refused with 401; `x-api-key` works",
        api_key_rejected=True,
    ),
    _flag(
        "ratelimit-headers",
        "the nine anthropic-ratelimit-* headers leak on every response",
        ratelimit_headers=True,
    ),
    _flag(
        "models-served",
        "GET /anthropic/v1/models answers 200 with a models list",
        models_served=True,
    ),
    _flag("no-apim-request-id", "no response carries apim-request-id", no_apim_request_id=True),
    _flag("no-request-id", "no response carries request-id", no_request_id=True),
    _flag("done-sentinel", "streams end with an APIM-style `data: [DONE]`", done_sentinel=True),
    _flag("overloaded", "POST /v1/messages answers 529 overloaded_error", overloaded=True),
    _flag(
        "overloaded-midstream",
        "streams answer 200, then an `event: error` overloaded_error mid-stream",
        overloaded_midstream=True,
    ),
    Profile("slow", "wait S seconds (default 0.5) before every response", Faults(), "slow_s", 0.5),
    Profile(
        "slow-stream",
        "wait S seconds (default 0.2) between SSE events",
        Faults(),
        "slow_stream_s",
        0.2,
    ),
    _flag(
        "key-auth-disabled",
        "any API key gets 403 AuthenticationTypeDisabled; Entra tokens still work",
        key_auth_disabled=True,
    ),
    _flag("rbac-missing", "every valid token gets 401 PermissionDenied", rbac_missing=True),
    _flag("garbage", "every /anthropic response is a 502 HTML gateway page", garbage=True),
    _flag(
        "connection-reset",
        "POST /anthropic/v1/messages: TCP reset before any header",
        connection_reset=True,
    ),
    _flag("reset-midstream", "streams are reset after the first events", reset_midstream=True),
    _flag(
        "truncated-stream",
        "streams end cleanly after the deltas, without message_stop",
        truncated_stream=True,
    ),
    _flag(
        "wrong-shape", "messages answer 200 JSON without `content` and `usage`", wrong_shape=True
    ),
    _flag("huge-body", "non-streamed messages answer a ~5 MB Message", huge_body=True),
    _flag("server-error", "messages and count_tokens answer 500 api_error", server_error=True),
    _flag(
        "rate-limited",
        "messages and count_tokens always answer 429 RateLimitReached",
        rate_limited=True,
    ),
    _flag(
        "echo-key",
        "the presented key or token comes back in a body field and a header",
        echo_key=True,
    ),
    _flag(
        "tight-rate-limit",
        "rate limit of 5 requests per 2 s instead of 60 per 10 s",
        tight_rate_limit=True,
    ),
    _flag("retry-after", "a 429 carries a `retry-after` header", retry_after=True),
    _flag(
        "anthropic-not-found",
        "an unknown deployment gets the Anthropic not_found_error, not Azure's DeploymentNotFound",
        anthropic_not_found=True,
    ),
)

PROFILES_BY_NAME = {profile.name: profile for profile in PROFILES}
PROFILE_NAMES: tuple[str, ...] = tuple(PROFILES_BY_NAME)


@dataclass(frozen=True)
class EmulatorConfig:
    """Everything that decides the emulator's behaviour; the emulator keeps no other settings."""

    faults: Faults = field(default_factory=Faults)
    profiles: tuple[str, ...] = ()  # as given, for banners and reports ("slow=0.5")
    api_key: str = EMULATOR_DEV_API_KEY
    deployments: tuple[str, ...] = DEFAULT_DEPLOYMENT_NAMES
    # None: 60 per 10 s, or 5 per 2 s under ``tight-rate-limit``; a value here wins over both.
    rate_limit: int | None = None
    rate_window_s: float | None = None

    @property
    def profile_label(self) -> str:
        """The profiles as one comma-separated string ("default" when none)."""
        return ",".join(self.profiles) or "default"

    @property
    def request_limit(self) -> tuple[int, float]:
        """Requests allowed per window, and the window in seconds."""
        limit, window = TIGHT_RATE_LIMIT if self.faults.tight_rate_limit else DEFAULT_RATE_LIMIT
        return (
            self.rate_limit if self.rate_limit is not None else limit,
            self.rate_window_s if self.rate_window_s is not None else window,
        )


def _usage() -> str:
    names = [f"{p.name}[=S]" if p.parameter else p.name for p in PROFILES]
    return "valid profiles: " + ", ".join(names)


def _parse_one(item: str) -> tuple[str, Faults]:
    name, has_value, raw_value = item.partition("=")
    name = name.strip().lower()
    profile = PROFILES_BY_NAME.get(name)
    if profile is None:
        raise ValueError(f"unknown emulator profile {name!r}; {_usage()}")
    if not has_value:
        return profile.name, profile.faults_for(None)
    if profile.parameter is None:
        raise ValueError(f"emulator profile {name!r} takes no value (got {item.strip()!r})")
    try:
        value = float(raw_value)
    except ValueError:
        raise ValueError(f"emulator profile {name!r} needs seconds, got {raw_value!r}") from None
    if not math.isfinite(value) or not 0 <= value <= MAX_DELAY_S:
        raise ValueError(
            f"emulator profile {name!r} needs 0 to {MAX_DELAY_S:g} seconds, got {value}"
        )
    return f"{profile.name}={value:g}", profile.faults_for(value)


def parse_profiles(
    spec: str | Iterable[str] | None,
    *,
    api_key: str | None = None,
    deployments: Iterable[str] | None = None,
) -> EmulatorConfig:
    """An ``EmulatorConfig`` from ``"name[,name=S]"``; ``ValueError`` lists the valid profiles."""
    items = spec.split(",") if isinstance(spec, str) else list(spec or ())
    labels: list[str] = []
    faults = Faults()
    for item in items:
        if not item.strip():
            continue
        label, more = _parse_one(item)
        faults = faults.combine(more)
        if label != "default" and label not in labels:
            labels.append(label)
    config = EmulatorConfig(faults=faults, profiles=tuple(labels))
    if api_key:
        config = replace(config, api_key=api_key)
    if deployments is not None:
        names = tuple(deployments)
        if not names:
            raise ValueError("the emulator needs at least one deployment name")
        config = replace(config, deployments=names)
    return config
