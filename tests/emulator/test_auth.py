"""Every branch of the gateway's authentication decision."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from conformance.core.constants import EMULATOR_DEV_API_KEY
from conformance.core.jwt_claims import mint_test_token
from conformance.emulator import bodies, parse_profiles
from conformance.emulator.auth import (
    Identity,
    Refusal,
    auth_variant,
    authenticate,
    presented_credential,
)

NOW = datetime(2026, 6, 1, tzinfo=UTC)
KEY = EMULATOR_DEV_API_KEY
OID = "11111111-2222-4333-8444-555555555555"


def decide(headers: dict[str, str], profiles: str = "") -> Identity | Refusal:
    return authenticate(
        headers, parse_profiles(profiles), method="POST", path="/anthropic/v1/messages", now=NOW
    )


def refused(headers: dict[str, str], profiles: str = "") -> Refusal:
    result = decide(headers, profiles)
    assert isinstance(result, Refusal), result
    return result


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


@pytest.mark.parametrize(
    ("headers", "variant"),
    [
        ({"x-api-key": KEY}, "x-api-key"),
        ({"api-key": KEY}, "api-key"),
        ({"x-api-key": KEY, "api-key": KEY}, "x-api-key"),
        ({"x-api-key": "wrong", "api-key": KEY}, "api-key"),
    ],
)
def test_the_key_is_accepted_in_either_header(headers: dict[str, str], variant: str) -> None:
    assert decide(headers) == Identity(variant, "key")


@pytest.mark.parametrize(
    "headers",
    [{}, {"x-api-key": "wrong"}, {"api-key": "wrong"}, {"x-api-key": ""}, bearer(KEY)],
    ids=["missing", "wrong-x-api-key", "wrong-api-key", "empty", "key-as-bearer"],
)
def test_a_missing_wrong_or_misplaced_key_is_an_invalid_subscription_key(
    headers: dict[str, str],
) -> None:
    assert refused(headers) == Refusal(401, bodies.invalid_subscription_key())


def test_a_configured_key_replaces_the_dev_key() -> None:
    config = parse_profiles("", api_key="users-own-key-0123456789")
    ok = authenticate(
        {"x-api-key": "users-own-key-0123456789"}, config, method="POST", path="/", now=NOW
    )
    dev = authenticate({"x-api-key": KEY}, config, method="POST", path="/", now=NOW)
    assert isinstance(ok, Identity)
    assert isinstance(dev, Refusal)


def test_api_key_rejected_refuses_api_key_alone_but_not_x_api_key() -> None:
    assert refused({"api-key": KEY}, "api-key-rejected").status == 401
    assert decide({"x-api-key": KEY, "api-key": KEY}, "api-key-rejected") == Identity(
        "x-api-key", "key"
    )


def test_key_auth_disabled_refuses_any_key_with_403() -> None:
    for key in (KEY, "wrong"):
        assert refused({"x-api-key": key}, "key-auth-disabled") == Refusal(
            403, bodies.authentication_type_disabled()
        )
    assert isinstance(decide(bearer(mint_test_token()), "key-auth-disabled"), Identity)


def test_a_valid_token_is_accepted_for_either_audience() -> None:
    for audience in ("https://cognitiveservices.azure.com", "https://ai.azure.com/.default"):
        token = mint_test_token(audience=audience, object_id=OID)
        assert decide(bearer(token)) == Identity("bearer", f"oid:{OID}")


@pytest.mark.parametrize("role", ["Cognitive Services User", "Foundry User", "Azure AI User"])
def test_each_data_plane_role_is_enough(role: str) -> None:
    assert isinstance(decide(bearer(mint_test_token(roles=[role]))), Identity)


@pytest.mark.parametrize(
    "authorization",
    [
        f"Bearer {mint_test_token(expires_at=datetime(2026, 1, 1, tzinfo=UTC))}",
        f"Bearer {mint_test_token(audience='https://management.azure.com')}",
        f"Bearer {mint_test_token(extra={'nbf': 4_000_000_000})}",
        "Bearer not-a-jwt",
        "Bearer a.b.c",
        "Bearer ",
        f"Basic {KEY}",
    ],
    ids=["expired", "wrong-audience", "not-yet-valid", "opaque", "bad-segments", "empty", "basic"],
)
def test_a_bad_token_is_the_generic_token_401(authorization: str) -> None:
    assert refused({"authorization": authorization}) == Refusal(401, bodies.invalid_token())


def test_a_token_without_a_data_plane_role_is_permission_denied_naming_the_oid() -> None:
    token = mint_test_token(roles=["Cognitive Services OpenAI User"], object_id=OID)
    refusal = refused(bearer(token))
    assert refusal == Refusal(401, bodies.permission_denied(OID, "POST", "/anthropic/v1/messages"))


def test_rbac_missing_refuses_every_valid_token() -> None:
    refusal = refused(bearer(mint_test_token(object_id=OID)), "rbac-missing")
    assert refusal.body["error"]["code"] == "PermissionDenied"
    assert OID in refusal.body["error"]["message"]


def test_a_token_without_oid_still_gets_a_sentence() -> None:
    token = mint_test_token(roles=[], extra={"oid": None})
    assert "00000000-0000-0000-0000-000000000000" in refused(bearer(token)).body["error"]["message"]


def test_keys_win_over_a_bearer_token() -> None:
    assert decide({"x-api-key": KEY, **bearer("junk")}) == Identity("x-api-key", "key")


def test_the_variant_names_headers_never_values() -> None:
    assert auth_variant({"x-api-key": KEY, "api-key": KEY}) == "x-api-key+api-key"
    assert auth_variant(bearer("t")) == "authorization"
    assert auth_variant({}) == "none"


def test_the_presented_credential() -> None:
    assert presented_credential({"api-key": "k1"}) == "k1"
    assert presented_credential(bearer("tok")) == "tok"
    assert presented_credential({}) is None
