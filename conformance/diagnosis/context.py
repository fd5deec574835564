"""What the rules need beyond the interactions: the platform profile, the Entra scope, the tokens'
claims, the time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from conformance.core.jwt_claims import TokenClaims, normalize_audience
from conformance.core.platform import PlatformProfile
from conformance.core.platform_load import builtin_profile


@dataclass(frozen=True)
class DiagnosisContext:
    """The run's configuration as the rules see it; built once per run by the caller."""

    # The configured scope ("": the platform profile's default).
    entra_scope: str = ""
    # Claims of the token each Entra-authenticated interaction used, keyed by its ``auth`` label
    # ("entra", "entra-alt-scope", "sdk-entra", "rbac-probe"): read locally, never verified.
    token_claims: Mapping[str, TokenClaims] = field(default_factory=dict)
    # The instant expiry is judged at; given by the caller so that the judgement is reproducible.
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    base_url: str = ""
    profile: PlatformProfile = field(default_factory=builtin_profile)

    @property
    def scope(self) -> str:
        """The Entra scope the run's tokens were requested for."""
        return self.entra_scope or self.profile.default_scope

    @property
    def alternative_scope(self) -> str:
        """The other documented Entra scope, which AUTH-ENTRA-ALT-SCOPE requests tokens for."""
        configured = normalize_audience(self.scope)
        scopes = self.profile.accepted_scopes
        return next((s for s in scopes if normalize_audience(s) != configured), scopes[0])

    def scope_for(self, auth: str | None) -> str:
        """The scope the token of an interaction labelled ``auth`` was requested for."""
        return self.alternative_scope if auth == "entra-alt-scope" else self.scope
