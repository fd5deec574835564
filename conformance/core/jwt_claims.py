"""Read an Entra ID token's claims locally, and mint unsigned test tokens.

The harness never verifies a token: it only reads the claims that explain a refusal
(``aud`` for a wrong scope, ``exp`` for an expired token, ``roles``/``scp`` for RBAC).
The signature is never inspected and the token itself is never shown; only its claims are.

``mint_test_token`` builds unsigned (``alg: none``) JWTs for the embedded emulator and the
tests. No real identity platform would accept them.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .errors import TokenFormatError
from .platform_load import builtin_profile

# Three base64url segments, the first two starting with '{"' encoded ("eyJ"). The signature may be
# empty (unsigned tokens end with a dot).
JWT_PATTERN = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")


@dataclass(frozen=True)
class TokenClaims:
    """The claims of a token that a diagnosis may rely on; everything else is dropped."""

    audience: tuple[str, ...] = ()
    expires_at: datetime | None = None
    not_before: datetime | None = None
    tenant_id: str | None = None
    object_id: str | None = None
    app_id: str | None = None
    roles: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)

    def is_expired(self, now: datetime) -> bool:
        """Whether ``exp`` lies before ``now`` (a token without ``exp`` never expires here)."""
        return self.expires_at is not None and self.expires_at <= now

    def has_audience(self, audience: str) -> bool:
        """Whether ``aud`` names ``audience``, ignoring a trailing slash and ``/.default``."""
        wanted = normalize_audience(audience)
        return any(normalize_audience(aud) == wanted for aud in self.audience)

    def public_view(self) -> dict[str, Any]:
        """The claims that may be shown in a report (never the token itself)."""
        return {
            "aud": list(self.audience),
            "exp": self.expires_at.isoformat() if self.expires_at else None,
            "tid": self.tenant_id,
            "oid": self.object_id,
            "roles": list(self.roles),
            "scp": list(self.scopes),
        }


def normalize_audience(value: str) -> str:
    """``https://x/.default`` and ``https://x/`` both name the audience ``https://x``."""
    value = value.strip()
    value = value.removesuffix("/.default")
    return value.rstrip("/").lower()


def scope_to_audience(scope: str) -> str:
    """The audience a token requested for ``scope`` carries."""
    return normalize_audience(scope)


def looks_like_jwt(value: str) -> bool:
    """Whether ``value`` is shaped like a JWT (cheap test, no decoding)."""
    return JWT_PATTERN.fullmatch(value.strip()) is not None


def _b64url_decode(segment: str) -> bytes:
    padded = segment + "=" * (-len(segment) % 4)
    try:
        return base64.b64decode(padded.encode("ascii"), altchars=b"-_", validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise TokenFormatError(f"a JWT segment is not base64url: {exc}") from None


def _b64url_encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _as_tuple(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(part for part in value.split() if part)
    if isinstance(value, Sequence):
        return tuple(str(item) for item in value)
    return (str(value),)


def _as_datetime(value: object) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def read_payload(token: str) -> dict[str, Any]:
    """Decode the payload of ``token`` without verifying anything."""
    token = token.strip().removeprefix("Bearer ").strip()
    parts = token.split(".")
    if len(parts) != 3:
        raise TokenFormatError(f"a JWT has 3 dot-separated segments, this has {len(parts)}")
    try:
        payload = json.loads(_b64url_decode(parts[1]))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise TokenFormatError("the JWT payload is not JSON") from None
    if not isinstance(payload, dict):
        raise TokenFormatError("the JWT payload is not a JSON object")
    return payload


def read_claims(token: str) -> TokenClaims:
    """The diagnosis-relevant claims of ``token``; raises ``TokenFormatError`` if unreadable."""
    payload = read_payload(token)
    known = {"aud", "exp", "nbf", "tid", "oid", "appid", "azp", "roles", "scp"}
    return TokenClaims(
        audience=_as_tuple(payload.get("aud")),
        expires_at=_as_datetime(payload.get("exp")),
        not_before=_as_datetime(payload.get("nbf")),
        tenant_id=_str_or_none(payload.get("tid")),
        object_id=_str_or_none(payload.get("oid")),
        app_id=_str_or_none(payload.get("appid") or payload.get("azp")),
        roles=_as_tuple(payload.get("roles")),
        scopes=_as_tuple(payload.get("scp")),
        extra={k: v for k, v in payload.items() if k not in known and k in {"iss", "iat", "ver"}},
    )


def _str_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def mint_test_token(
    *,
    audience: str | None = None,
    expires_at: datetime | int | None = None,
    roles: Sequence[str] = (),
    object_id: str = "00000000-0000-4000-8000-00000000c0de",
    tenant_id: str = "00000000-0000-4000-8000-0000000000e7",
    scopes: Sequence[str] = (),
    extra: Mapping[str, Any] | None = None,
) -> str:
    """An unsigned JWT (``alg: none``) for the emulator and tests; never valid on Azure.

    Realistic by default: ``aud``, ``exp``, ``oid``, ``tid`` and no ``roles`` claim, since Azure RBAC
    assignments are checked server-side and never appear in a token (``roles`` holds app roles).

    ``expires_at`` defaults to one hour after 2026-01-01 plus a century, so that test tokens do not
    expire while the suite runs; pass a past instant to mint an expired one.
    """
    if audience is None:  # the audience of the platform's default scope
        audience = normalize_audience(builtin_profile().default_scope)
    if expires_at is None:
        exp = 4_102_444_800  # 2100-01-01T00:00:00Z
    elif isinstance(expires_at, datetime):
        exp = int(expires_at.timestamp())
    else:
        exp = int(expires_at)
    payload: dict[str, Any] = {
        "aud": audience,
        "iss": f"https://sts.windows.net/{tenant_id}/",
        "exp": exp,
        "tid": tenant_id,
        "oid": object_id,
        "roles": list(roles),
    }
    if scopes:
        payload["scp"] = " ".join(scopes)
    if extra:
        payload.update(extra)
    header = {"alg": "none", "typ": "JWT"}
    return ".".join(
        (
            _b64url_encode(json.dumps(header, separators=(",", ":")).encode()),
            _b64url_encode(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()),
            "",
        )
    )
