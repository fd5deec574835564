"""Every branch of the gateway's authentication decision."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from conformance.core.constants import EMULATOR_DEV_API_KEY, EMULATOR_UNPRIVILEGED_PRINCIPAL
from conformance.core.jwt_claims import mint_test_token, read_payload
from conformance.core.platform_load import builtin_profile
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
PROFILE = builtin_profile()


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


def test_a_realistic_token_carries_no_roles_claim() -> None:
    payload = read_payload(mint_test_token())
    assert {"aud", "exp", "oid", "tid"} <= set(payload)
    assert not payload.get("roles")


@pytest.mark.parametrize("audience", PROFILE.accepted_audiences)
def test_a_role_less_token_is_accepted_for_every_accepted_audience(audience: str) -> None:
    for spelled in (audience, audience + "/", audience + "/.default"):
        token = mint_test_token(audience=spelled, object_id=OID)
        assert decide(bearer(token)) == Identity("bearer", f"oid:{OID}")


def test_an_audience_the_profile_does_not_accept_is_refused() -> None:
    refused_audiences = [s.audience for s in PROFILE.scopes if not s.accepted]
    assert refused_audiences
    for audience in refused_audiences:
        assert refused(bearer(mint_test_token(audience=audience))).status == 401


def test_roles_in_a_token_change_nothing() -> None:
    # App roles are not RBAC assignments: neither a data-plane name nor another one matters.
    for roles in (["Cognitive Services User"], ["Cognitive Services OpenAI User"], []):
        token = mint_test_token(roles=roles, object_id=OID)
        assert decide(bearer(token)) == Identity("bearer", f"oid:{OID}")


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
    assert refused({"authorization": authorization}) == Refusal(401, bodies.invalid_token(PROFILE))


def test_the_token_401_names_both_accepted_audiences() -> None:
    message = bodies.invalid_token(PROFILE)["message"]
    assert message == PROFILE.text(
        "wrong_audience", audiences="https://cognitiveservices.azure.com/ or https://ai.azure.com/"
    )
    assert all(audience in message for audience in PROFILE.accepted_audiences)


def test_the_unprivileged_principal_is_permission_denied_naming_the_oid() -> None:
    token = mint_test_token(object_id=EMULATOR_UNPRIVILEGED_PRINCIPAL)
    assert refused(bearer(token)) == Refusal(
        401,
        bodies.permission_denied(EMULATOR_UNPRIVILEGED_PRINCIPAL, "POST", "/anthropic/v1/messages"),
    )
    with_role = mint_test_token(object_id=EMULATOR_UNPRIVILEGED_PRINCIPAL, roles=["Foundry User"])
    assert refused(bearer(with_role)).body["error"]["code"] == "PermissionDenied"


def test_rbac_missing_refuses_every_valid_token() -> None:
    refusal = refused(bearer(mint_test_token(object_id=OID)), "rbac-missing")
    assert refusal.body["error"]["code"] == "PermissionDenied"
    assert OID in refusal.body["error"]["message"]


def test_a_token_without_oid_still_gets_a_sentence() -> None:
    token = mint_test_token(extra={"oid": None})
    refusal = refused(bearer(token), "rbac-missing")
    assert "00000000-0000-0000-0000-000000000000" in refusal.body["error"]["message"]


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
