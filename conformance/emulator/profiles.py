"""What the emulator's fault profiles switch on, and the emulator's whole configuration.

The profiles themselves (names, summaries, which take seconds) are the catalog in
``core.faults``; here each becomes a ``Faults`` value with one flag set (or one delay, for
``slow=S`` and ``slow-stream=S``), and ``parse_profiles("a,b")`` combines them into an
``EmulatorConfig``. The platform itself — models, versions, wordings, quotas — is the
``PlatformProfile`` the config carries (the built-in one unless a user's file extends it).
Pure data: nothing here knows about sockets or HTTP.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from typing import Any

from ..core.constants import EMULATOR_DEV_API_KEY
from ..core.faults import BY_NAME, label, parse_fault_profiles
from ..core.platform import HostingOption, Model, PlatformProfile, Quota
from ..core.platform_load import builtin_profile

# ``tight-rate-limit``: a pool's requests per window, and the window, for fast tests (the
# harness's own fault, not a platform quota).
TIGHT_RATE_LIMIT = (5, 2.0)
# The hosting profiles: ``hosted-on-<option>`` plays the profile's hosting option <option>.
HOSTING_PREFIX = "hosted-on-"
# A deployment name: what Azure accepts (letters, digits, ``-``, ``_``, ``.``), at most 64.
DEPLOYMENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


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
    zero_quota: bool = False
    enterprise_quota: bool = False
    hosted_on_azure: bool = False
    hosted_on_anthropic: bool = False
    backend_auth_failure: bool = False
    beta_query_required: bool = False
    features_ignored: bool = False

    def combine(self, other: Faults) -> Faults:
        """Both fault sets at once: a flag on in either stays on, the longer delay wins."""
        merged: dict[str, Any] = {
            f.name: max(getattr(self, f.name), getattr(other, f.name)) for f in fields(self)
        }
        return Faults(**merged)

    def hosting_option(self) -> str | None:
        """The hosting option a ``hosted-on-*`` profile names (``None``: the default);
        ``ValueError`` for two at once."""
        prefix = HOSTING_PREFIX.replace("-", "_")
        named = [
            f.name.removeprefix(prefix)
            for f in fields(self)
            if f.name.startswith(prefix) and getattr(self, f.name)
        ]
        if len(named) > 1:
            raise ValueError(
                f"the emulator plays one hosting option at a time, not "
                f"{' and '.join(HOSTING_PREFIX + n for n in named)}"
            )
        return named[0] if named else None


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
class Hosting:
    """The hosting option the emulator plays, and how it reads the features the sources
    disagree on: as the field reports them (refused) under a ``hosted-on-*`` profile, as
    Microsoft documents them (accepted) by default."""

    option: HostingOption
    refuses_conflicting: bool

    def refuses(self, feature: str) -> bool:
        """Whether a request that uses ``feature`` is refused."""
        known = self.option.features.get(feature)
        if known is None:
            return False
        return known.status == "unsupported" or (
            self.refuses_conflicting and known.status == "conflicting"
        )

    def serves(self, api: str) -> bool:
        """Whether the option serves the API ``api`` (``files``, ``skills``…)."""
        return api in self.option.apis


@dataclass(frozen=True)
class EmulatorConfig:
    """Everything that decides the emulator's behaviour; the emulator keeps no other settings."""

    faults: Faults = field(default_factory=Faults)
    profiles: tuple[str, ...] = ()  # as given, for banners and reports ("slow=0.5")
    # The run's own key when ANTHROPIC_FOUNDRY_API_KEY is set: kept out of ``repr``.
    api_key: str = field(default=EMULATOR_DEV_API_KEY, repr=False)
    profile: PlatformProfile = field(default_factory=builtin_profile)
    # Empty: the profile's ``[deployments] emulator`` names.
    deployments: tuple[str, ...] = ()
    # None: the profile's quota (or 5 requests per 2 s under ``tight-rate-limit``); a value here
    # replaces every pool's request limit, or the window, for tests.
    rate_limit: int | None = None
    rate_window_s: float | None = None

    def __post_init__(self) -> None:
        if not self.deployments:
            object.__setattr__(self, "deployments", tuple(self.profile.emulator_deployments))

    @property
    def profile_label(self) -> str:
        """The profiles as one comma-separated string ("default" when none)."""
        return ",".join(self.profiles) or "default"

    @property
    def hosting(self) -> Hosting:
        """The hosting option played: a ``hosted-on-*`` profile's, else the profile's default."""
        named = self.faults.hosting_option()
        if named is None:
            return Hosting(self.profile.default_hosting, refuses_conflicting=False)
        return Hosting(self.profile.hosting[named], refuses_conflicting=True)

    @property
    def window_s(self) -> float:
        """The quota window in seconds."""
        if self.rate_window_s is not None:
            return self.rate_window_s
        if self.faults.tight_rate_limit:
            return TIGHT_RATE_LIMIT[1]
        return float(self.profile.quota.window_s)

    def model(self, deployment: str) -> Model | None:
        """The model a deployment behaves as (``None``: one the profile does not know, served
        as an unrestricted current model)."""
        return self.profile.model(deployment)

    def limits(self, model: Model | None) -> Quota:
        """Requests, uncached input tokens and output tokens per window of ``model``'s pool."""
        if self.faults.zero_quota:
            return Quota(0, 0, 0)
        quota = self.profile.quota_of(model)
        if self.faults.enterprise_quota:
            quota = self.profile.quota.enterprise
        if self.faults.tight_rate_limit:
            quota = replace(quota, rpm=TIGHT_RATE_LIMIT[0])
        if self.rate_limit is not None:
            quota = replace(quota, rpm=self.rate_limit)
        return quota


def parse_deployments(values: Iterable[str]) -> tuple[str, ...]:
    """Deployment names from ``--deployment`` values (repeatable, each possibly ``a,b``), in
    order and without repeats; ``ValueError`` names a name Azure would not accept."""
    names: list[str] = []
    for value in values:
        for name in (part.strip() for part in value.split(",")):
            if not name:
                continue
            if not DEPLOYMENT_NAME.fullmatch(name):
                raise ValueError(
                    f"{name!r} is not a deployment name (letters, digits, '-', '_' and '.', "
                    "at most 64 characters, starting with a letter or digit)"
                )
            if name not in names:
                names.append(name)
    return tuple(names)


def parse_profiles(
    spec: str | Iterable[str] | None,
    *,
    api_key: str | None = None,
    deployments: Iterable[str] | None = None,
    profile: PlatformProfile | None = None,
) -> EmulatorConfig:
    """An ``EmulatorConfig`` from ``"name[,name=S]"``; ``ValueError`` lists the valid profiles.

    ``deployments`` (default: the platform profile's emulator names) are served, each as its
    model in ``profile`` (default: the built-in one)."""
    labels: list[str] = []
    faults = Faults()
    for name, seconds in parse_fault_profiles(spec):
        faults = faults.combine(faults_of(name, seconds))
        if name != "default" and label(name, seconds) not in labels:
            labels.append(label(name, seconds))
    faults.hosting_option()  # two hosting options at once: ValueError, before anything runs
    config = EmulatorConfig(
        faults=faults, profiles=tuple(labels), profile=profile or builtin_profile()
    )
    if api_key:
        config = replace(config, api_key=api_key)
    if deployments is not None:
        names = parse_deployments(deployments)
        if not names:
            raise ValueError("the emulator needs at least one deployment name")
        config = replace(config, deployments=names)
    return config
