"""Every catalogued code is reachable: one realistic run per code, diagnosed end to end."""

from __future__ import annotations

from datetime import timedelta

import pytest

from conformance.core.interactions import Interaction
from conformance.core.jwt_claims import AI_AZURE_AUDIENCE
from conformance.diagnosis import ALL_CODES, DeclaredFinding, DiagnosisContext, diagnose

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
}


def test_there_is_a_scenario_for_every_code() -> None:
    assert sorted(SCENARIOS) == sorted(ALL_CODES)


@pytest.mark.parametrize("code", ALL_CODES)
def test_the_scenario_is_diagnosed_as_its_code(code: str) -> None:
    interactions, declared, ctx = SCENARIOS[code]
    findings = diagnose(interactions, ctx, declared)
    assert [f.code for f in findings] == [code]
