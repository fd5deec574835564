"""The gateway's authentication decision: which credential a request presents, and its fate.

Azure answers every refusal here itself, in Azure-shaped bodies and without ``request-id``. Order:
key headers first (``x-api-key``, then ``api-key``), then ``Authorization: Bearer``. The emulator
reads a token's claims without verifying any signature, as its test tokens are unsigned.

A token is accepted when its audience is one the platform profile accepts and it is in date. Azure
RBAC assignments never appear in a token (its ``roles`` claim holds app roles), so the emulator
plays a resource where every principal holds the data-plane role but one,
``EMULATOR_UNPRIVILEGED_PRINCIPAL`` (the AUTH-RBAC probe's); ``rbac-missing`` refuses them all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from ..core.constants import EMULATOR_UNPRIVILEGED_PRINCIPAL
from ..core.errors import TokenFormatError
from ..core.jwt_claims import read_claims
from . import bodies
from .bodies import JsonObject
from .profiles import EmulatorConfig

KEY_HEADERS = ("x-api-key", "api-key")
# PermissionDenied names the principal; a token without `oid` still gets a well-formed sentence.
UNKNOWN_PRINCIPAL = "00000000-0000-0000-0000-000000000000"


@dataclass(frozen=True)
class Identity:
    """An accepted caller: how it authenticated, and who it is for the rate limiter."""

    variant: str  # "x-api-key", "api-key" or "bearer"
    principal: str

    @property
    def by_key(self) -> bool:
        """Whether the caller authenticated with a key (not an Entra ID token)."""
        return self.variant != "bearer"


@dataclass(frozen=True)
class Refusal:
    """A gateway refusal: status and Azure-shaped body."""

    status: int
    body: JsonObject


def auth_variant(headers: Mapping[str, str]) -> str:
    """Which credential headers a request carries (part of its identity, never the values)."""
    names = [name for name in (*KEY_HEADERS, "authorization") if headers.get(name)]
    return "+".join(names) or "none"


def presented_credential(headers: Mapping[str, str]) -> str | None:
    """The secret a request presents (what the ``echo-key`` fault leaks back)."""
    for name in KEY_HEADERS:
        if headers.get(name):
            return headers[name]
    scheme, _, value = headers.get("authorization", "").partition(" ")
    return value.strip() or scheme.strip() or None


def authenticate(
    headers: Mapping[str, str],
    config: EmulatorConfig,
    *,
    method: str,
    path: str,
    now: datetime,
) -> Identity | Refusal:
    """Accept the caller, or refuse it as the Azure gateway would."""
    faults = config.faults
    invalid_token = Refusal(401, bodies.invalid_token(config.profile))
    keys = [(name, headers[name]) for name in KEY_HEADERS if headers.get(name)]
    if keys:
        if faults.key_auth_disabled:
            return Refusal(403, bodies.authentication_type_disabled())
        for name, value in keys:
            if value == config.api_key and not (name == "api-key" and faults.api_key_rejected):
                return Identity(name, "key")
        return Refusal(401, bodies.invalid_subscription_key())
    authorization = headers.get("authorization", "").strip()
    if not authorization:
        return Refusal(401, bodies.invalid_subscription_key())
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return invalid_token
    if token == config.api_key:
        # The key where a token belongs: the gateway judges it as a (missing) subscription key.
        return Refusal(401, bodies.invalid_subscription_key())
    try:
        claims = read_claims(token)
    except TokenFormatError:
        return invalid_token
    not_yet_valid = claims.not_before is not None and claims.not_before > now
    audiences = config.profile.accepted_audiences
    right_audience = any(claims.has_audience(audience) for audience in audiences)
    if claims.is_expired(now) or not_yet_valid or not right_audience:
        return invalid_token
    principal = claims.object_id or UNKNOWN_PRINCIPAL
    if faults.rbac_missing or principal == EMULATOR_UNPRIVILEGED_PRINCIPAL:
        return Refusal(401, bodies.permission_denied(principal, method, path))
    return Identity("bearer", f"oid:{principal}")
