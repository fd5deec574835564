"""The gateway's authentication decision: which credential a request presents, and its fate.

Azure answers every refusal here itself, in Azure-shaped bodies and without ``request-id``. Order:
key headers first (``x-api-key``, then ``api-key``), then ``Authorization: Bearer``. The emulator
reads a token's claims without verifying any signature, as its test tokens are unsigned.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from ..core.constants import DATA_PLANE_ROLES
from ..core.errors import TokenFormatError
from ..core.jwt_claims import AI_AZURE_AUDIENCE, COGNITIVE_SERVICES_AUDIENCE, read_claims
from . import bodies
from .bodies import JsonObject
from .profiles import EmulatorConfig

ACCEPTED_AUDIENCES = (COGNITIVE_SERVICES_AUDIENCE, AI_AZURE_AUDIENCE)
KEY_HEADERS = ("x-api-key", "api-key")
# PermissionDenied names the principal; a token without `oid` still gets a well-formed sentence.
UNKNOWN_PRINCIPAL = "00000000-0000-0000-0000-000000000000"


@dataclass(frozen=True)
class Identity:
    """An accepted caller: how it authenticated, and who it is for the rate limiter."""

    variant: str  # "x-api-key", "api-key" or "bearer"
    principal: str


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
        return Refusal(401, bodies.invalid_token())
    if token == config.api_key:
        # The key where a token belongs: the gateway judges it as a (missing) subscription key.
        return Refusal(401, bodies.invalid_subscription_key())
    try:
        claims = read_claims(token)
    except TokenFormatError:
        return Refusal(401, bodies.invalid_token())
    not_yet_valid = claims.not_before is not None and claims.not_before > now
    right_audience = any(claims.has_audience(aud) for aud in ACCEPTED_AUDIENCES)
    if claims.is_expired(now) or not_yet_valid or not right_audience:
        return Refusal(401, bodies.invalid_token())
    principal = claims.object_id or UNKNOWN_PRINCIPAL
    if faults.rbac_missing or not set(claims.roles) & set(DATA_PLANE_ROLES):
        return Refusal(401, bodies.permission_denied(principal, method, path))
    return Identity("bearer", f"oid:{principal}")
