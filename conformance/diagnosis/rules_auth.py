"""The rules for refused credentials (401/403): which key header, which token claim, which role.

A refusal is read with what the run knows beyond the one exchange: whether the same key worked in
another header (``facts.RunFacts``) and the claims of the token that was sent (``DiagnosisContext``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from conformance.core.interactions import Interaction
from conformance.core.jwt_claims import TokenClaims, normalize_audience

from ..judge.errors import ErrorSignature
from .context import DiagnosisContext
from .facts import KEY_LABELS, RunFacts
from .info import DiagnosisCode

ENTRA_LABELS = frozenset({"entra", "entra-alt-scope", "sdk-entra", "bad-token", "rbac-probe"})
# Which credential headers a label stands for, when the recorded request does not show them.
_LABEL_HEADERS = {
    "x-api-key": frozenset({"x-api-key"}),
    "api-key": frozenset({"api-key"}),
    "sdk-key": frozenset({"x-api-key", "api-key"}),
    "key-as-bearer": frozenset({"authorization"}),
}
_CREDENTIAL_HEADERS = ("x-api-key", "api-key", "authorization")

_RBAC_MARKERS = (
    "lacks the required data action",
    "does not have access to api/operation",
    "does not have authorization",
    "authorizationfailed",
)
_NETWORK_MARKERS = (
    "public access is disabled",
    "public network access",
    "approved private endpoint",
    "private endpoint",
    "virtual network",
    "firewall",
    "ip address",
)
_PRINCIPAL = re.compile(r"principal\s+[`'\"]?([0-9A-Za-z-]{8,})")


@dataclass(frozen=True)
class Observation:
    """One code that one interaction supports, with the sentence that says why."""

    code: DiagnosisCode
    detail: str


def where(ix: Interaction) -> str:
    """``#seq METHOD path [auth]``: which exchange a detail is about."""
    label = f" [{ix.auth}]" if ix.auth else ""
    return f"#{ix.seq} {ix.method} {ix.path}{label}"


def unauthorized(
    ix: Interaction, sig: ErrorSignature, ctx: DiagnosisContext, facts: RunFacts
) -> list[Observation] | None:
    """A 401 that is not ``PermissionDenied``: a key refused, or a token refused."""
    if ix.auth in ENTRA_LABELS:
        return [_token_refusal(ix, sig, ctx)]
    if ix.auth in KEY_LABELS:
        return _key_refusal(ix, sig, facts)
    # Untagged requests: what went on the wire decides.
    sent = _credential_headers(ix)
    if "authorization" in sent:
        return [_token_refusal(ix, sig, ctx)]
    if sent:
        return _key_refusal(ix, sig, facts)
    return [] if ix.auth in (None, "none") else None  # no credential: 401 is the documented answer


def forbidden(ix: Interaction, sig: ErrorSignature, ctx: DiagnosisContext) -> list[Observation]:
    """A 403 that is not ``PermissionDenied``: keys switched off, a role, or the network rules."""
    seen = f"{where(ix)} → 403 {sig.describe()}"
    message = (sig.message or "").lower()
    if sig.code == "AuthenticationTypeDisabled":
        return [Observation("key-auth-disabled", seen)]
    if sig.type == "permission_error" or any(marker in message for marker in _RBAC_MARKERS):
        return [missing_role(ix, sig, ctx)]
    if any(marker in message for marker in _NETWORK_MARKERS):
        return [Observation("network-restricted", seen)]
    return [
        Observation(
            "network-restricted",
            f"{seen}; the body names no cause, and network rules are the usual one",
        )
    ]


def missing_role(ix: Interaction, sig: ErrorSignature, ctx: DiagnosisContext) -> Observation:
    """``PermissionDenied``: name the principal, from the refusal or else the token's ``oid``."""
    match = _PRINCIPAL.search(sig.message or "")
    claims = ctx.token_claims.get(ix.auth or "")
    principal = match.group(1) if match else claims.object_id if claims else None
    who = f"principal {principal}" if principal else "the token's principal (oid unknown)"
    return Observation(
        "missing-rbac-role",
        f"{where(ix)} → {ix.status} {sig.describe()}; assign the role to {who}",
    )


def _key_refusal(ix: Interaction, sig: ErrorSignature, facts: RunFacts) -> list[Observation] | None:
    seen = f"{where(ix)} → 401 {sig.describe()}"
    others = facts.accepted_key_labels - {ix.auth}
    if not others:
        why = (
            "the same variant was accepted at another time: was the key regenerated during the run?"
            if facts.accepted_key_labels
            else "no key variant was accepted in this run"
        )
        return [Observation("invalid-api-key", f"{seen}; {why}")]
    # The key itself is good (another variant got through), so the headers carrying it are not.
    accepted = ", ".join(sorted(others))
    sent = _credential_headers(ix)
    if sent == {"api-key"}:
        sdk = " (as the anthropic SDK 0.107.0 does)" if ix.auth == "sdk-key" else ""
        detail = f"{seen}; the key was sent only in api-key{sdk} and accepted as {accepted}"
        return [Observation("api-key-header-rejected", detail)]
    if sent == {"x-api-key"}:
        detail = f"{seen}; the same key was accepted as {accepted}"
        return [Observation("x-api-key-header-rejected", detail)]
    if sent == {"authorization"}:
        return []  # a key is not a bearer token; AUTH-KEY-AS-BEARER reports this for information
    return None


def _credential_headers(ix: Interaction) -> set[str]:
    names = {name.lower() for name in ix.request_headers}
    sent = {header for header in _CREDENTIAL_HEADERS if header in names}
    return sent or set(_LABEL_HEADERS.get(ix.auth or "", frozenset()))


def _token_refusal(ix: Interaction, sig: ErrorSignature, ctx: DiagnosisContext) -> Observation:
    seen = f"{where(ix)} → 401 {sig.describe()}"
    claims = ctx.token_claims.get(ix.auth or "")
    if claims is None:
        detail = f"{seen}; the token's claims could not be read, so expiry and audience are unknown"
        return Observation("invalid-token", detail)
    if claims.is_expired(ctx.now) and claims.expires_at is not None:
        ago = _minutes(ctx.now, claims.expires_at)
        return Observation(
            "expired-token", f"{seen}; exp {claims.expires_at.isoformat()}, {ago} min before now"
        )
    scope = ctx.scope_for(ix.auth)
    if not claims.has_audience(scope):
        aud = ", ".join(claims.audience) or "none"
        detail = f"{seen}; aud {aud}, expected {normalize_audience(scope)} (scope {scope})"
        return Observation("wrong-token-audience", detail)
    if ix.auth == "entra-alt-scope":
        detail = f"{seen}; aud {normalize_audience(scope)} refused; request {ctx.scope}"
        return Observation("alt-scope-refused", detail)
    detail = f"{seen}; {_claims_summary(claims, ctx.now)}"
    if "subscription key" in (sig.message or "").lower():
        # claude-code#91842: a private-endpoint-only resource reached through its public host
        # answers a good token with the gateway's key error.
        detail += "; the gateway answered a token with its key error, as it does for a "
        detail += "private-endpoint-only resource reached through a public host"
    return Observation("invalid-token", detail)


def _claims_summary(claims: TokenClaims, now: datetime) -> str:
    parts = [f"aud {', '.join(claims.audience)}", f"tid {claims.tenant_id or 'unknown'}"]
    if claims.expires_at is not None:
        parts.append(f"exp in {-_minutes(now, claims.expires_at)} min")
    if claims.not_before is not None and claims.not_before > now:
        parts.append(f"not valid before {claims.not_before.isoformat()} (clock skew?)")
    return "claims read locally: " + ", ".join(parts)


def _minutes(now: datetime, then: datetime) -> int:
    return int((now - then).total_seconds() // 60)
