"""Reading a token's claims locally, and minting test tokens."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from conformance.core.errors import TokenFormatError
from conformance.core.jwt_claims import (
    looks_like_jwt,
    mint_test_token,
    normalize_audience,
    read_claims,
)
from tests.platform_facts import AI_AZURE_AUDIENCE


def test_minted_token_round_trips_its_claims() -> None:
    token = mint_test_token(
        audience=AI_AZURE_AUDIENCE,
        expires_at=datetime(2030, 1, 1, tzinfo=UTC),
        roles=["Foundry User"],
        object_id="oid-1",
        tenant_id="tid-1",
        scopes=["user_impersonation"],
    )
    claims = read_claims(token)
    assert claims.audience == (AI_AZURE_AUDIENCE,)
    assert claims.expires_at == datetime(2030, 1, 1, tzinfo=UTC)
    assert claims.roles == ("Foundry User",)
    assert claims.object_id == "oid-1"
    assert claims.tenant_id == "tid-1"
    assert claims.scopes == ("user_impersonation",)
    assert looks_like_jwt(token)


def test_expiry_and_audience_are_judged_against_a_given_clock() -> None:
    claims = read_claims(mint_test_token(expires_at=datetime(2026, 1, 1, tzinfo=UTC)))
    assert claims.is_expired(datetime(2026, 6, 1, tzinfo=UTC))
    assert not claims.is_expired(datetime(2025, 6, 1, tzinfo=UTC))
    assert claims.has_audience("https://cognitiveservices.azure.com/.default")
    assert not claims.has_audience("https://ai.azure.com/.default")


def test_bearer_prefix_is_tolerated() -> None:
    assert read_claims("Bearer " + mint_test_token(object_id="oid-1")).object_id == "oid-1"


def test_minted_tokens_are_realistic_no_roles_claim() -> None:
    """RBAC assignments are checked by the service and never appear in a token."""
    claims = read_claims(mint_test_token())
    assert claims.roles == () and claims.object_id and claims.tenant_id and claims.audience


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("not-a-token", "3 dot-separated segments, this has 1"),
        ("a.b", "this has 2"),
        ("eyJ.!!!.x", "not base64url"),
        ("eyJhbGciOiJub25lIn0.bm90IGpzb24.", "not JSON"),
        ("eyJhbGciOiJub25lIn0.WzFd.", "not a JSON object"),
    ],
)
def test_unreadable_tokens_say_why(token: str, message: str) -> None:
    with pytest.raises(TokenFormatError, match=message):
        read_claims(token)


def test_public_view_holds_claims_never_the_token() -> None:
    token = mint_test_token()
    view = read_claims(token).public_view()
    assert token not in repr(view)
    assert view["roles"] == []


@pytest.mark.parametrize(
    "value",
    [
        "https://cognitiveservices.azure.com/.default",
        "https://cognitiveservices.azure.com/",
        "HTTPS://CognitiveServices.azure.com",
    ],
)
def test_audiences_are_normalised(value: str) -> None:
    assert normalize_audience(value) == "https://cognitiveservices.azure.com"
