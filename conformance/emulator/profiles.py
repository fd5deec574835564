"""What the emulator's fault profiles switch on, and the emulator's whole configuration.

The profiles themselves (names, summaries, which take seconds) are the catalog in
``core.faults``; here each becomes a ``Faults`` value with one flag set (or one delay, for
``slow=S`` and ``slow-stream=S``), and ``parse_profiles("a,b")`` combines them into an
``EmulatorConfig``. Pure data: nothing here knows about sockets or HTTP.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from typing import Any

from ..core.constants import DEFAULT_DEPLOYMENT_NAMES, EMULATOR_DEV_API_KEY
from ..core.faults import BY_NAME, label, parse_fault_profiles

DEFAULT_RATE_LIMIT = (60, 10.0)
TIGHT_RATE_LIMIT = (5, 2.0)


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


# The profiles that take seconds set this field of ``Faults``; every other profile but "default"
# switches on the flag of its own name (``api-key-rejected`` → ``api_key_rejected``).
DELAY_FIELDS = {"slow": "slow_s", "slow-stream": "slow_stream_s"}


def faults_of(name: str, seconds: float | None = None) -> Faults:
    """The faults the profile ``name`` of the catalog switches on."""
    if name == "default":
        return Faults()
    profile = BY_NAME[name]
    changes: dict[str, Any] = {name.replace("-", "_"): True}
    if profile.takes_seconds:
        changes = {DELAY_FIELDS[name]: profile.default_seconds if seconds is None else seconds}
    return Faults(**changes)


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


def parse_profiles(
    spec: str | Iterable[str] | None,
    *,
    api_key: str | None = None,
    deployments: Iterable[str] | None = None,
) -> EmulatorConfig:
    """An ``EmulatorConfig`` from ``"name[,name=S]"``; ``ValueError`` lists the valid profiles."""
    labels: list[str] = []
    faults = Faults()
    for name, seconds in parse_fault_profiles(spec):
        faults = faults.combine(faults_of(name, seconds))
        if name != "default" and label(name, seconds) not in labels:
            labels.append(label(name, seconds))
    config = EmulatorConfig(faults=faults, profiles=tuple(labels))
    if api_key:
        config = replace(config, api_key=api_key)
    if deployments is not None:
        names = tuple(deployments)
        if not names:
            raise ValueError("the emulator needs at least one deployment name")
        config = replace(config, deployments=names)
    return config
