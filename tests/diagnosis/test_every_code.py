"""Every catalogued code is reachable: one realistic run per code, diagnosed end to end."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from conformance.core.interactions import Interaction
from conformance.diagnosis import ALL_CODES, DeclaredFinding, DiagnosisContext, diagnose
from tests.platform_facts import AI_AZURE_AUDIENCE

from . import bodies
from .helpers import claims, context, ix

Scenario = tuple[list[Interaction], list[DeclaredFinding], DiagnosisContext]
OK = bodies.MESSAGE_OK
KEY_401 = bodies.INVALID_SUBSCRIPTION_KEY
TOKEN_401 = bodies.TOKEN_UNAUTHORIZED


def _run(*interactions: Interaction, **token_claims: object) -> Scenario:
    return list(interactions), [], context(**token_claims)


def _declared(code: str, check_id: str, detail: str) -> Scenario:
    return [], [DeclaredFinding(code, check_id, detail)], context()


def _transport(error_class: str, message: str) -> Scenario:
    return _run(ix(None, error_class=error_class, error_message=message, check_id="EP-REACH"))


LEAKY = {**bodies.GATEWAY_HEADERS, "request-id": bodies.REQUEST_ID}
LEAKY["anthropic-ratelimit-output-tokens-remaining"] = "7999"

SCENARIOS: dict[str, Scenario] = {
    "config-conflict": _declared("config-conflict", "EP-REACH", "both variables are set"),
    "config-missing": _declared("config-missing", "AUTH-ENTRA", "no Entra credential"),
    "dns-failure": _transport("ConnectError", "[Errno -2] Name or service not known"),
    "connection-failed": _transport("ConnectError", "[Errno 111] Connection refused"),
    "tls-error": _transport("ConnectError", "[SSL: WRONG_VERSION_NUMBER] wrong version number"),
    "timeout": _transport("ConnectTimeout", "timed out"),
    "wrong-base-path": _run(ix(404, bodies.RESOURCE_NOT_FOUND, path="/v1/messages")),
    "api-not-supported": _run(ix(404, bodies.API_NOT_SUPPORTED_DETAILS)),
    "invalid-api-key": _run(ix(401, KEY_401, auth="x-api-key")),
    "api-key-header-rejected": _run(
        ix(200, OK, seq=1, auth="x-api-key"), ix(401, KEY_401, seq=2, auth="api-key")
    ),
    "x-api-key-header-rejected": _run(
        ix(200, OK, seq=1, auth="api-key"), ix(401, KEY_401, seq=2, auth="x-api-key")
    ),
    "invalid-token": _run(ix(401, TOKEN_401, auth="entra"), entra=claims()),
    "expired-token": _run(
        ix(401, TOKEN_401, auth="entra"), entra=claims(expires_in=timedelta(hours=-2))
    ),
    "wrong-token-audience": _run(
        ix(401, TOKEN_401, auth="entra"), entra=claims(audience="https://management.azure.com")
    ),
    "alt-scope-refused": _run(
        ix(401, TOKEN_401, auth="entra-alt-scope"),
        entra_alt_scope=claims(audience=AI_AZURE_AUDIENCE),
    ),
    "missing-rbac-role": _run(ix(401, bodies.PERMISSION_DENIED, auth="entra"), entra=claims()),
    "key-auth-disabled": _run(ix(403, bodies.KEY_AUTH_DISABLED, auth="x-api-key")),
    "network-restricted": _run(
        ix(403, '{"error":{"code":"403","message":"Public access is disabled."}}')
    ),
    "auth-not-enforced": _run(ix(200, OK, auth="none", expects_error=True)),
    "deployment-not-found": _run(ix(404, bodies.DEPLOYMENT_NOT_FOUND)),
    "rate-limited": _run(ix(429, bodies.RATE_LIMIT_REACHED)),
    "feature-not-available": _run(ix(400, bodies.STRUCTURED_OUTPUTS_UNSUPPORTED)),
    "rate-limit-headers-present": _run(ix(200, OK, headers=LEAKY)),
    "unsupported-endpoint-served": _run(
        ix(200, '{"data":[]}', method="GET", path="/anthropic/v1/models", expects_error=True)
    ),
    "missing-request-id": _run(ix(200, OK, headers=dict(bodies.GATEWAY_HEADERS))),
    "missing-apim-request-id": _run(ix(200, OK, headers={"request-id": bodies.REQUEST_ID})),
    "malformed-response": _run(ix(200, "<html>proxy sign-in</html>")),
    "stream-protocol-violation": _declared(
        "stream-protocol-violation", "MSG-STREAM", "a data: [DONE] frame after message_stop"
    ),
    "server-error": _run(ix(502, "")),
    "overloaded": _run(ix(200, bodies.STREAM_OK + bodies.MID_STREAM_OVERLOADED, streamed=True)),
    "unexpected-status": _run(ix(400, bodies.EXTRA_INPUTS)),
    "check-error": _transport("KeyError", "'content'"),
    "model-deprecated": _declared("model-deprecated", "DEP-LIFECYCLE", "end of life 2027-01-22"),
    "model-retired": _run(
        ix(404, bodies.DEPLOYMENT_NOT_FOUND, request_body='{"model":"claude-opus-4-1"}')
    ),
    "no-deployment-found": _declared("no-deployment-found", "DEP-INVENTORY", "none answers"),
    "api-version-refused": _declared("api-version-refused", "API-VERSION", "2026-10-21"),
    "beta-header-refused": _declared("beta-header-refused", "API-BETA-HEADER", "a 400"),
    "hosting-option-mismatch": _declared("hosting-option-mismatch", "HOST-OPTION", "files"),
    "model-rule-mismatch": _declared("model-rule-mismatch", "RULE-THINKING", "enabled"),
    "backend-auth-failed": _run(ix(500, bodies.BACKEND_AUTH)),
    "zero-quota": _run(ix(429, bodies.ZERO_QUOTA)),
    "entra-only-model": _run(
        ix(401, bodies.ENTRA_ONLY, auth="x-api-key", request_body='{"model":"claude-mythos-5"}')
    ),
    "documented-feature-refused": _declared(
        "documented-feature-refused", "CAP-STREAMING", "documented as supported, refused here"
    ),
    "unsupported-feature-accepted": _declared(
        "unsupported-feature-accepted", "CAP-CODE-EXECUTION", "documented as unsupported"
    ),
    "feature-not-honoured": _declared(
        "feature-not-honoured", "CAP-THINKING-ENABLED", "no signed thinking block"
    ),
    "credential-echoed": _run(ix(200, OK, echoed=["the x-echo header", "the body"])),
}


def test_an_echoed_credential_says_where_and_never_what() -> None:
    [finding] = diagnose(*SCENARIOS["credential-echoed"][:1], SCENARIOS["credential-echoed"][2])
    assert finding.severity == "blocker"
    assert finding.details == (
        "#1 POST /anthropic/v1/messages [x-api-key] → 200: the credential it presented came back "
        "in the x-echo header, the body",
    )
    assert finding.evidence[0].request_id == bodies.REQUEST_ID


@pytest.mark.parametrize(
    "body",
    [
        bodies.STRUCTURED_OUTPUTS_UNSUPPORTED,
        bodies.FEATURES_NOT_AVAILABLE,
        bodies.WEB_SEARCH_UNAVAILABLE,
    ],
)
def test_each_of_the_three_refusal_wordings_is_a_feature_not_available(body: str) -> None:
    findings = diagnose([ix(400, body)], context())
    assert [f.code for f in findings] == ["feature-not-available"]
    assert "Hosted on Azure:" in findings[0].details[0]


def test_the_feature_refusal_names_the_features_and_what_the_profile_says() -> None:
    [finding] = diagnose([ix(400, bodies.FEATURES_NOT_AVAILABLE)], context())
    assert finding.details[0].endswith(
        "refused: web_search (Hosted on Azure: conflicting; Hosted on Anthropic infrastructure: "
        "supported), code_execution (Hosted on Azure: unsupported; Hosted on Anthropic "
        "infrastructure: supported)"
    )


def test_a_retired_model_s_404_is_its_retirement_not_a_typo() -> None:
    after_its_end = replace(context(), now=datetime(2026, 12, 1, tzinfo=UTC))
    [finding] = diagnose(
        [ix(404, bodies.DEPLOYMENT_NOT_FOUND, request_body='{"model":"claude-sonnet-4-5"}')],
        after_its_end,
    )
    assert finding.code == "model-retired"
    assert finding.details[0].endswith(
        "claude-sonnet-4-5 reached end of life on 2026-11-30; move to claude-sonnet-5-5"
    )


def test_every_entry_is_filled_from_the_platform_profile() -> None:
    for code in ALL_CODES:
        [finding] = diagnose(*SCENARIOS[code][:1], SCENARIOS[code][2], SCENARIOS[code][1]) or [None]
        assert finding is not None
        for text in (finding.info.title, finding.info.cause, finding.info.remedy):
            assert "${" not in text, (code, text)


def test_there_is_a_scenario_for_every_code() -> None:
    assert sorted(SCENARIOS) == sorted(ALL_CODES)


@pytest.mark.parametrize("code", ALL_CODES)
def test_the_scenario_is_diagnosed_as_its_code(code: str) -> None:
    interactions, declared, ctx = SCENARIOS[code]
    findings = diagnose(interactions, ctx, declared)
    assert [f.code for f in findings] == [code]


def test_a_credential_echoed_to_a_request_that_presented_none_is_the_runs() -> None:
    findings = diagnose([ix(401, OK, auth="none", echoed=["the body"])], context())
    [finding] = [f for f in findings if f.code == "credential-echoed"]
    assert finding.details == (
        "#1 POST /anthropic/v1/messages [none] → 401: a credential of the run came back in the body",
    )
