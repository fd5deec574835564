"""What a run is configured to do: the options as given (``RawOptions``) and as resolved
(``Settings``, frozen; secrets kept out of ``repr``), with the defaults in one place.

Pure data: ``config.resolve`` fills it in from flags and the environment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..core.platform import PlatformProfile
from ..core.platform_load import builtin_profile
from .recording import Recording
from .types import AuthMode, EntraSource, Mode, Suite

DEFAULT_MAX_REQUESTS = 200
DEFAULT_MAX_TOKENS_BUDGET = 20_000
DEFAULT_TIMEOUT_S = 30.0
MAX_TIMEOUT_S = 600.0
# A latency threshold above ten minutes is a typo (the request timeout caps at MAX_TIMEOUT_S).
MAX_THRESHOLD_MS = MAX_TIMEOUT_S * 1000
DEFAULT_REPORT_DIR = "reports"
DEFAULT_CASSETTES_DIR = "cassettes"
DEFAULT_EMULATOR_PROFILE = "default"


@dataclass(frozen=True)
class RawOptions:
    """Every command-line / pytest option as given; ``None`` means "not given"."""

    resource: str | None = None
    base_url: str | None = None
    deployments: Sequence[str] | None = None
    auth: Sequence[str] | None = None
    entra_scope: str | None = None
    mode: str | None = None
    cassettes: str | Path | None = None
    # "" is ``--emulator`` without a profile, which means the profile "default".
    emulator: str | None = None
    suite: str | None = None
    select: Sequence[str] | None = None
    report_dir: str | Path | None = None
    max_requests: int | str | None = None
    max_tokens_budget: int | str | None = None
    probe_rate_limit: bool | None = None
    timeout: float | str | None = None
    redact_resource: bool | None = None
    max_cassette_age: int | str | None = None
    max_latency_ms: float | str | None = None
    max_ttft_ms: float | str | None = None
    # A number, or "auto" (the default): see ``parse_jobs``.
    jobs: int | str | None = None
    platform_profile: str | Path | None = None
    # --overwrite: a record run may write into a directory that holds files it did not record.
    overwrite: bool | None = None


@dataclass(frozen=True)
class Settings:
    """The resolved configuration of a run; secrets are kept out of ``repr`` and ``str``."""

    kind: Mode
    # None for the emulator until it is started (see ``with_base_url``), and for a replay whose
    # endpoint is taken from the cassettes.
    base_url: str | None
    resource: str | None
    endpoint_source: str
    deployments: tuple[str, ...]
    auth_modes: tuple[AuthMode, ...]
    auth_explicit: bool
    api_key: str | None = field(repr=False)
    api_key_source: str | None
    entra_token: str | None = field(repr=False)
    entra_source: EntraSource | None
    entra_scope: str
    emulator_profiles: str | None
    suite: Suite
    select: tuple[str, ...]
    report_dir: Path
    cassettes: Path | None
    max_requests: int
    max_tokens_budget: int
    probe_rate_limit: bool
    timeout: float
    redact_resource: bool
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    # Secrets present in the environment but not used by this run as its own credential (replay,
    # emulator; the AUTH-RBAC probe's token): still scrubbed and scanned for, since a library may
    # read the environment behind the harness's back.
    ignored_secrets: tuple[str, ...] = field(default=(), repr=False)
    # A replay's cassette set, as its metadata.json describes it.
    recording: Recording | None = field(default=None, repr=False)
    # PERF-LATENCY's thresholds for CI (None: report the figures, judge nothing).
    max_latency_ms: float | None = None
    max_ttft_ms: float | None = None
    # How many checks may wait on the endpoint at once (1: one after another).
    jobs: int = 1
    # What the platform is: the built-in profile, or extended by --platform-profile.
    profile: PlatformProfile = field(default_factory=builtin_profile, repr=False)
    # A record run into a directory with files it did not record (they are left as they are).
    overwrite: bool = False

    @property
    def discovers_deployments(self) -> bool:
        """No --deployment: the run probes the profile's default names and tests those found."""
        return not self.deployments

    def secrets(self) -> tuple[str, ...]:
        """Every credential value the run knows of, used or not, for redaction and the scan."""
        values = (self.api_key, self.entra_token, *self.ignored_secrets)
        return tuple(dict.fromkeys(s for s in values if s))

    def with_base_url(self, base_url: str) -> Settings:
        """A copy bound to ``base_url`` (the emulator's address once it listens)."""
        return replace(self, base_url=base_url if base_url.endswith("/") else base_url + "/")
