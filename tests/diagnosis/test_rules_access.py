"""Refused credentials: which key header, which token claim, which role, which network rule."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from conformance.core.interactions import Interaction
from conformance.core.jwt_claims import TokenClaims
from conformance.diagnosis import all_refused, diagnose, explain_interaction
from tests.platform_facts import AI_AZURE_AUDIENCE

from . import bodies
from .helpers import NOW, claims, context, ix

KEY_401 = bodies.INVALID_SUBSCRIPTION_KEY
TOKEN_401 = bodies.TOKEN_UNAUTHORIZED
OK = bodies.MESSAGE_OK


def details(code: str, *interactions: Interaction, **token_claims: TokenClaims) -> tuple[str, ...]:
    """The details of the finding ``code`` of a run made of ``interactions``."""
    findings = {f.code: f for f in diagnose(list(interactions), context(**token_claims))}
    assert code in findings, sorted(findings)
    return findings[code].details


# --- keys ---


def test_an_expected_refusal_of_a_bad_key_is_no_finding() -> None:
    bad = ix(401, KEY_401, auth="bad-key", check_id="AUTH-BAD-KEY", expects_error=True)
    assert explain_interaction(bad, context()) == []


def test_api_key_refused_while_x_api_key_works_is_a_header_problem() -> None:
    works = ix(200, bodies.MESSAGE_OK, seq=1, auth="x-api-key", check_id="AUTH-X-API-KEY")
    refused = ix(401, KEY_401, seq=2, auth="api-key", check_id="AUTH-API-KEY")
    assert explain_interaction(refused, context(), run=[works, refused]) == [
        "api-key-header-rejected"
    ]
    (finding,) = diagnose([works, refused], context())
    assert finding.code == "api-key-header-rejected" and finding.checks == ("AUTH-API-KEY",)
    assert "accepted as x-api-key" in finding.details[0]


def test_without_the_rest_of_the_run_an_api_key_refusal_reads_as_a_bad_key() -> None:
    refused = ix(401, KEY_401, auth="api-key", check_id="AUTH-API-KEY")
    assert explain_interaction(refused, context()) == ["invalid-api-key"]


def test_a_key_refused_in_every_header_is_invalid() -> None:
    run = [
        ix(401, KEY_401, seq=1, auth="x-api-key", check_id="AUTH-X-API-KEY"),
        ix(401, KEY_401, seq=2, auth="api-key", check_id="AUTH-API-KEY"),
        ix(401, KEY_401, seq=3, auth="sdk-key", check_id="SDK-FOUNDRY"),
    ]
    (finding,) = diagnose(run, context())
    assert finding.code == "invalid-api-key"
    assert finding.checks == ("AUTH-X-API-KEY", "AUTH-API-KEY", "SDK-FOUNDRY")
    assert len(finding.evidence) == 3


def test_x_api_key_refused_while_api_key_works_is_the_opposite_header_problem() -> None:
    works = ix(200, bodies.MESSAGE_OK, seq=1, auth="api-key", check_id="AUTH-API-KEY")
    refused = ix(401, KEY_401, seq=2, auth="x-api-key", check_id="AUTH-X-API-KEY")
    assert "x-api-key-header-rejected" in [f.code for f in diagnose([works, refused], context())]


def test_an_sdk_that_sends_only_api_key_is_told_to_upgrade() -> None:
    works = ix(200, bodies.MESSAGE_OK, seq=1, auth="x-api-key", check_id="AUTH-X-API-KEY")
    sdk = ix(
        401,
        KEY_401,
        seq=2,
        auth="sdk-key",
        check_id="SDK-FOUNDRY",
        request_headers={"api-key": "[REDACTED]", "user-agent": "AnthropicFoundry/Python 0.107.0"},
    )
    (detail,) = details("api-key-header-rejected", works, sdk)
    assert "0.107.0" in detail


def test_an_anthropic_authentication_error_on_a_key_is_an_invalid_key() -> None:
    refused = ix(401, bodies.AUTHENTICATION_ERROR, auth="x-api-key")
    assert explain_interaction(refused, context()) == ["invalid-api-key"]


def test_a_key_sent_as_bearer_is_informational_either_way() -> None:
    works = ix(200, bodies.MESSAGE_OK, seq=1, auth="x-api-key")
    refused = ix(
        401,
        bodies.TOKEN_UNAUTHORIZED,
        seq=2,
        auth="key-as-bearer",
        check_id="AUTH-KEY-AS-BEARER",
        expects_error=True,
    )
    accepted = ix(
        200,
        bodies.MESSAGE_OK,
        seq=3,
        auth="key-as-bearer",
        check_id="AUTH-KEY-AS-BEARER",
        expects_error=True,
    )
    assert diagnose([works, refused, accepted], context()) == []
    # Even when it is not marked as a probe, a refused Bearer key is what the docs predict.
    unmarked = ix(401, bodies.TOKEN_UNAUTHORIZED, seq=4, auth="key-as-bearer")
    assert explain_interaction(unmarked, context(), run=[works]) == []


def test_a_refusal_of_a_request_without_credentials_is_no_finding() -> None:
    assert explain_interaction(ix(401, KEY_401, auth=None, check_id="EP-REACH"), context()) == []


def test_an_untagged_request_is_judged_by_the_credential_it_carried() -> None:
    bearer = ix(401, TOKEN_401, auth=None, request_headers={"Authorization": "[REDACTED-JWT]"})
    assert explain_interaction(bearer, context()) == ["invalid-token"]
    keyed = ix(401, KEY_401, auth=None, request_headers={"x-api-key": "[REDACTED]"})
    assert explain_interaction(keyed, context()) == ["invalid-api-key"]
    # A label the rules do not know, with no credential on the wire, is left unexplained.
    assert explain_interaction(ix(401, KEY_401, auth="sdk-new"), context()) == ["unexpected-status"]


def test_a_variant_accepted_earlier_and_refused_later_suggests_a_rotated_key() -> None:
    run = [ix(200, OK, seq=1, auth="x-api-key"), ix(401, KEY_401, seq=2, auth="x-api-key")]
    (detail,) = details("invalid-api-key", *run)
    assert "regenerated" in detail


# --- tokens ---

EXPIRED = timedelta(minutes=-5)


@pytest.mark.parametrize(
    ("token", "code"),
    [
        (claims(expires_in=EXPIRED), "expired-token"),
        # Expiry is checked first: an expired token of the wrong audience must be refreshed anyway.
        (claims(expires_in=EXPIRED, audience="https://management.azure.com"), "expired-token"),
        (claims(audience="https://management.azure.com"), "wrong-token-audience"),
        (claims(audience="https://graph.microsoft.com/"), "wrong-token-audience"),
        (claims(), "invalid-token"),
        # The scope's "/.default" and a trailing slash do not make an audience wrong.
        (claims(audience="https://cognitiveservices.azure.com/"), "invalid-token"),
    ],
)
def test_a_refused_token_is_explained_by_its_own_claims(token: TokenClaims, code: str) -> None:
    refused = ix(401, TOKEN_401, auth="entra", check_id="AUTH-ENTRA")
    assert explain_interaction(refused, context(entra=token)) == [code]


def test_the_details_show_the_claims_that_decided() -> None:
    refused = ix(401, TOKEN_401, auth="entra", check_id="AUTH-ENTRA")
    (expired,) = details("expired-token", refused, entra=claims(expires_in=EXPIRED))
    assert "exp 2026-06-01T11:55:00+00:00, 5 min before now" in expired
    (aud,) = details(
        "wrong-token-audience", refused, entra=claims(audience="https://management.azure.com")
    )
    assert "aud https://management.azure.com, expected https://cognitiveservices.azure.com" in aud


def test_a_token_whose_claims_are_unknown_is_invalid() -> None:
    refused = ix(401, TOKEN_401, auth="sdk-entra", check_id="SDK-ENTRA")
    (detail,) = details("invalid-token", refused)
    assert "could not be read" in detail


def test_any_401_on_an_entra_request_is_a_token_refusal() -> None:
    for body in (bodies.TOKEN_UNAUTHORIZED_PROJECT, KEY_401, ""):
        refused = ix(401, body, auth="entra")
        assert "invalid-token" in explain_interaction(refused, context(entra=claims()))


def test_the_key_error_on_a_token_hints_at_a_private_endpoint() -> None:
    refused = ix(401, KEY_401, auth="entra")
    (detail,) = details("invalid-token", refused, entra=claims())
    assert "private-endpoint-only" in detail


def test_a_token_not_yet_valid_mentions_clock_skew() -> None:
    early = replace(claims(), not_before=NOW + timedelta(minutes=10))
    (detail,) = details("invalid-token", ix(401, TOKEN_401, auth="entra"), entra=early)
    assert "clock skew" in detail


def test_the_alternative_scope_refused_is_its_own_finding() -> None:
    refused = ix(401, TOKEN_401, auth="entra-alt-scope", check_id="AUTH-ENTRA-ALT-SCOPE")
    alt = claims(audience=AI_AZURE_AUDIENCE)
    assert explain_interaction(refused, context(entra_alt_scope=alt)) == ["alt-scope-refused"]
    # A token for neither documented scope is a wrong audience, whichever check asked for it.
    other = claims(audience="https://management.azure.com")
    assert explain_interaction(refused, context(entra_alt_scope=other)) == ["wrong-token-audience"]


def test_a_deliberately_bad_token_refused_is_no_finding() -> None:
    bad = ix(401, TOKEN_401, auth="bad-token", check_id="AUTH-BAD-TOKEN", expects_error=True)
    assert explain_interaction(bad, context()) == []


# --- roles and network rules ---


@pytest.mark.parametrize("status", [401, 403])
@pytest.mark.parametrize(
    "body",
    [bodies.PERMISSION_DENIED, bodies.PERMISSION_DENIED_AOAI, bodies.PERMISSION_DENIED_SHORT],
)
def test_permission_denied_is_a_missing_role_as_401_or_403(status: int, body: str) -> None:
    refused = ix(status, body, auth="entra", check_id="AUTH-ENTRA")
    assert explain_interaction(refused, context(entra=claims())) == ["missing-rbac-role"]


def test_the_principal_is_named_from_the_refusal_or_else_the_token() -> None:
    oid = "8d6f3c2a-1b4e-4f7a-9c0d-2e5b6a7c8d9e"
    named = ix(401, bodies.PERMISSION_DENIED.replace("<oid>", oid), auth="entra")
    (detail,) = details("missing-rbac-role", named, entra=claims())
    assert f"principal {oid}" in detail
    unnamed = ix(401, bodies.PERMISSION_DENIED, auth="entra")
    (detail,) = details("missing-rbac-role", unnamed, entra=claims())
    assert "principal 00000000-0000-4000-8000-00000000c0de" in detail  # mint_test_token's oid
    (detail,) = details("missing-rbac-role", unnamed)
    assert "oid unknown" in detail


def test_an_anthropic_permission_error_is_a_missing_role() -> None:
    body = '{"type":"error","error":{"type":"permission_error","message":"Forbidden"}}'
    assert explain_interaction(ix(403, body, auth="entra"), context()) == ["missing-rbac-role"]


def test_the_rbac_probe_refused_as_it_should_be_is_no_finding() -> None:
    probe = ix(
        401, bodies.PERMISSION_DENIED, auth="rbac-probe", check_id="AUTH-RBAC", expects_error=True
    )
    assert explain_interaction(probe, context()) == []


def test_key_auth_disabled() -> None:
    refused = ix(403, bodies.KEY_AUTH_DISABLED, auth="x-api-key", check_id="AUTH-X-API-KEY")
    assert explain_interaction(refused, context()) == ["key-auth-disabled"]


@pytest.mark.parametrize(
    "message",
    [
        "Public access is disabled. Please configure private endpoint.",
        "Traffic is not from an approved private endpoint.",
        "Access denied due to Virtual Network/Firewall rules.",
    ],
)
def test_network_rules_refusing_the_client(message: str) -> None:
    body = json.dumps({"error": {"code": "403", "message": message}})
    assert explain_interaction(ix(403, body), context()) == ["network-restricted"]


def test_an_unexplained_403_is_put_down_to_network_rules() -> None:
    body = '{"error":{"code":"Forbidden","message":"Forbidden"}}'
    (detail,) = details("network-restricted", ix(403, body))
    assert "names no cause" in detail


# --- unauthenticated success and the run-level verdict ---


@pytest.mark.parametrize("auth", ["none", "bad-key", "bad-token", "rbac-probe"])
def test_a_probe_credential_that_is_served_means_auth_is_not_enforced(auth: str) -> None:
    served = ix(200, bodies.MESSAGE_OK, auth=auth, check_id="AUTH-MISSING", expects_error=True)
    assert explain_interaction(served, context()) == ["auth-not-enforced"]


def test_all_refused_when_every_authenticated_request_got_401_or_403() -> None:
    refused = [
        ix(401, KEY_401, seq=1, auth="x-api-key"),
        ix(403, bodies.KEY_AUTH_DISABLED, seq=2, auth="api-key"),
        ix(401, TOKEN_401, seq=3, auth="entra"),
        ix(401, KEY_401, seq=4, auth="bad-key", expects_error=True),  # not counted
        ix(None, error_class="ConnectTimeout", seq=5, auth="sdk-key"),  # not answered
        ix(404, bodies.API_NOT_SUPPORTED, seq=6, auth=None),  # not authenticated
    ]
    assert all_refused(refused)
    assert not all_refused([*refused, ix(200, bodies.MESSAGE_OK, seq=7, auth="sdk-entra")])
    assert not all_refused([ix(429, bodies.RATE_LIMIT_REACHED, auth="x-api-key")])
    assert not all_refused([])
