"""What a diagnosis is: a stable code, how bad it is, cause and remedy, and where it is documented.

The codes are a closed ``Literal`` so that a rule naming a code that the catalog lacks is a type
error, not a report with a hole in it. The documents an entry links are the public pages the
research notes cite (``research/foundry-wire-facts.md``), kept with what each is called in
``core.links``; its guide section is a heading of the platform guide (``seed/``), named in English,
one of ``core.links.GUIDE_SECTIONS``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from string import Template
from typing import Literal

from conformance.core.jwt_claims import normalize_audience
from conformance.core.platform import PlatformProfile

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
    "model-deprecated",
    "model-retired",
    "no-deployment-found",
    "api-version-refused",
    "beta-header-refused",
    "hosting-option-mismatch",
    "model-rule-mismatch",
    "backend-auth-failed",
    "zero-quota",
    "entra-only-model",
    "documented-feature-refused",
    "unsupported-feature-accepted",
    "feature-not-honoured",
    "credential-echoed",
]


@dataclass(frozen=True)
class Variant:
    """Another reading of the same cause, where the evidence or the target changes what it means
    or what to do (every request failed; the endpoint is this machine): what it gives replaces
    the entry's. It says more than the entry, so a finding reads so only when all its evidence
    shows it (``readings``)."""

    key: str
    title: str | None = None
    severity: Severity | None = None
    cause: str | None = None
    remedy: str | None = None


@dataclass(frozen=True)
class DiagnosisInfo:
    """A diagnosis as a report shows it: what is wrong, why, what to do, and where it is written."""

    code: DiagnosisCode
    title: str
    severity: Severity
    cause: str
    remedy: str
    # The section of the platform guide the remedy rests on (None: the guide does not cover it),
    # and the page it rests on beyond the guide (or an anchor on the guide itself).
    guide_section: str | None
    doc_url: str | None
    variants: tuple[Variant, ...] = ()

    def variant(self, key: str | None) -> DiagnosisInfo:
        """This entry as its variant ``key`` reads (None: as it is); ``KeyError`` names a key
        the entry lacks."""
        if key is None:
            return self
        found = next((v for v in self.variants if v.key == key), None)
        if found is None:
            raise KeyError(f"diagnosis {self.code!r} has no variant {key!r}")
        return replace(
            self,
            title=found.title or self.title,
            severity=found.severity or self.severity,
            cause=found.cause or self.cause,
            remedy=found.remedy or self.remedy,
            variants=(),
        )

    def filled(self, facts: Mapping[str, str]) -> DiagnosisInfo:
        """This entry with its ``${name}`` platform facts filled in (``KeyError``: a fact the
        entry names that ``facts`` lacks — a test fills every entry)."""
        return replace(
            self,
            title=Template(self.title).substitute(facts),
            cause=Template(self.cause).substitute(facts),
            remedy=Template(self.remedy).substitute(facts),
        )


def _quoted(names: list[str], joiner: str) -> str:
    quoted = [f'"{name}"' for name in names]
    return (
        f" {joiner} ".join(quoted)
        if len(quoted) < 3
        else ", ".join(quoted[:-1]) + f" {joiner} " + quoted[-1]
    )


def platform_facts(profile: PlatformProfile) -> dict[str, str]:
    """The platform facts the catalog's texts name, as the profile states them."""
    scopes = profile.accepted_scopes
    roles = [r.name for r in profile.data_plane_roles]
    former = [
        f'"{r.name}" (formerly "{r.formerly}")' if r.formerly else f'"{r.name}"'
        for r in profile.data_plane_roles
    ]
    payg = profile.quota.payg
    sdk = profile.clients.get("anthropic_python")
    return {
        "default_scope": profile.default_scope,
        "default_audience": normalize_audience(profile.default_scope),
        "other_scope": next((s for s in scopes if s != profile.default_scope), scopes[0]),
        "audiences": " or ".join(profile.accepted_audiences),
        "audiences_versus": " versus ".join(profile.accepted_audiences),
        "roles": _quoted(roles, "or"),
        "role": roles[0] if roles else "",
        "roles_with_former": " and ".join(former),
        "not_data_plane_roles": _quoted(list(profile.not_data_plane_roles), "and"),
        "documented_version": profile.documented_version,
        "sdk_version": sdk.anthropic_version if sdk else profile.documented_version,
        "python_sdk": sdk.version if sdk else "",
        "example_model": (*profile.emulator_deployments, *(m.id for m in profile.models))[0],
        "payg": f"{payg.rpm} requests, {payg.itpm:,} uncached input tokens and {payg.otpm:,} "
        "output tokens per minute",
        "pooling": profile.quota.pooling,
        "unsupported_subscriptions": ", ".join(profile.quota.unsupported_subscriptions),
        "backend_auth_code": profile.errors["backend_auth"].code or "",
    }
