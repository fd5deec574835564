"""What a finding may say: a variant of its entry only when every exchange it rests on shows it."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from conformance.core.interactions import Interaction
from conformance.diagnosis import Finding, diagnose

from . import bodies
from .helpers import claims, context, ix

TOKEN_401 = bodies.TOKEN_UNAUTHORIZED
REFUSED = ("ConnectError", "[Errno 111] Connection refused")
GATEWAY_502 = "<html><head><title>502 Bad Gateway</title></head><body>502</body></html>"


def finding(code: str, run: list[Interaction], **token_claims: object) -> Finding:
    """The finding ``code`` of ``run``."""
    findings = {f.code: f for f in diagnose(run, context(**token_claims))}
    assert code in findings, sorted(findings)
    return findings[code]


def at(url: str, exchange: Interaction) -> Interaction:
    """``exchange`` as sent to ``url``."""
    return replace(exchange, url=url)


# --- a token refused: the claims are asserted only when they were read ---


def test_a_refused_token_whose_claims_were_not_read_asserts_nothing_about_them() -> None:
    refused = ix(401, TOKEN_401, auth="sdk-entra", check_id="SDK-ENTRA")
    found = finding("invalid-token", [refused])
    assert found.reading is None
    assert found.info.title == "The Entra ID token was refused"
    assert "look right" not in found.info.title + found.info.cause
    assert "whether it has expired or names another audience is unknown" in found.info.cause


def test_a_refused_token_whose_claims_look_right_says_so() -> None:
    found = finding("invalid-token", [ix(401, TOKEN_401, auth="entra")], entra=claims())
    assert found.reading == "claims-look-right"
    assert found.info.title == (
        "The Entra ID token was refused although its expiry and audience look right"
    )


def test_one_token_unread_among_the_refused_keeps_the_finding_neutral() -> None:
    run = [
        ix(401, TOKEN_401, seq=1, auth="entra", check_id="AUTH-ENTRA"),
        ix(401, TOKEN_401, seq=2, auth="sdk-entra", check_id="SDK-ENTRA"),
    ]
    found = finding("invalid-token", run, entra=claims())
    assert (found.reading, found.info.title) == (None, "The Entra ID token was refused")


def test_an_expired_token_read_for_the_sdk_too_is_one_finding() -> None:
    # Issue 14: the SDK's check carried the same expired token; with its claims read, the run
    # says "expired" once, never "expired" and "refused although its expiry looks right".
    expired = claims(expires_in=timedelta(hours=-2))
    run = [
        ix(401, TOKEN_401, seq=1, auth="entra", check_id="AUTH-ENTRA"),
        ix(401, TOKEN_401, seq=2, auth="sdk-entra", check_id="SDK-ENTRA"),
    ]
    [found] = diagnose(run, context(entra=expired, sdk_entra=expired))
    assert found.code == "expired-token" and found.checks == ("AUTH-ENTRA", "SDK-ENTRA")


# --- a transport failure on this machine: no proxy, no Azure egress ---


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/anthropic/v1/messages",
        "http://127.8.0.1:9/anthropic/v1/messages",
        "http://localhost:9/anthropic/v1/messages",
        "http://[::1]:9/anthropic/v1/messages",
    ],
)
def test_a_refused_connection_on_loopback_says_the_local_server_is_not_there(url: str) -> None:
    refused = at(url, ix(None, error_class=REFUSED[0], error_message=REFUSED[1]))
    found = finding("connection-failed", [refused])
    assert found.reading == "loopback-refused"
    assert found.info.title == "Nothing listens at the base URL's port on this machine"
    assert "`foundry-conformance emulator --port 9`" in found.info.remedy
    for elsewhere in ("HTTPS_PROXY", "egress", "services.ai.azure.com", "private-endpoint"):
        assert elsewhere not in found.info.remedy
    assert found.severity == "blocker"


def test_the_loopback_remedy_names_the_host_and_port_dialled() -> None:
    refused = at(
        "http://127.0.0.1:41583/anthropic/v1/messages",
        ix(None, error_class=REFUSED[0], error_message=REFUSED[1]),
    )
    info = finding("connection-failed", [refused]).info
    assert info.cause == (
        "The base URL's host is this machine (127.0.0.1:41583) and the connection was refused: "
        "no server listens on that port. No proxy, firewall or Azure network is on the path."
    )
    assert info.remedy.startswith(
        "Start the local server, e.g. `foundry-conformance emulator --port 41583`"
    )


def test_a_connection_the_local_server_reset_is_not_a_server_that_is_not_running() -> None:
    url = "http://127.0.0.1:8800/anthropic/v1/messages"
    reset = at(
        url,
        ix(
            None,
            seq=1,
            error_class="RemoteProtocolError",
            error_message="Server disconnected without sending a response.",
        ),
    )
    refused = at(url, ix(None, seq=2, error_class=REFUSED[0], error_message=REFUSED[1]))
    for run in ([reset], [reset, refused]):
        found = finding("connection-failed", run)
        assert found.reading == "loopback"
        assert found.info.title == (
            "The local server at the base URL refused or dropped the connection"
        )
        assert "connection-reset and reset-midstream fault profiles" in found.info.remedy
        assert "HTTPS_PROXY" not in found.info.remedy


def test_a_refused_connection_to_azure_keeps_the_network_remedy() -> None:
    found = finding(
        "connection-failed", [ix(None, error_class=REFUSED[0], error_message=REFUSED[1])]
    )
    assert found.reading is None and "HTTPS_PROXY" in found.info.remedy


def test_one_exchange_off_loopback_keeps_the_network_remedy() -> None:
    local = at(
        "http://127.0.0.1:9/anthropic/v1/messages",
        ix(None, seq=1, error_class=REFUSED[0], error_message=REFUSED[1]),
    )
    remote = ix(None, seq=2, error_class=REFUSED[0], error_message=REFUSED[1])
    assert finding("connection-failed", [local, remote]).reading is None


def test_tls_to_a_plain_http_local_server_says_to_use_http() -> None:
    failed = at(
        "https://127.0.0.1:8800/anthropic/v1/messages",
        ix(None, error_class="ConnectError", error_message="[SSL: WRONG_VERSION_NUMBER] wrong"),
    )
    info = finding("tls-error", [failed]).info
    assert info.title == "The local server at the base URL does not speak TLS"
    assert "http://127.0.0.1:8800/anthropic/" in info.remedy and "SSL_CERT_FILE" not in info.remedy


# --- server errors: transient or persistent, as the evidence shows ---


def test_a_gateway_page_on_every_request_is_persistent_not_retry_with_backoff() -> None:
    run = [ix(502, GATEWAY_502, seq=n, check_id="MSG-BASIC") for n in (1, 2, 3)]
    found = finding("server-error", run)
    assert found.reading == "persistent" and found.severity == "blocker"
    assert found.info.title == "A server or gateway fault fails every request on its routes"
    assert found.info.remedy.startswith("Do not wait it out with retries")
    assert "Retry with exponential backoff" not in found.info.remedy
    assert found.details[0] == (
        "all 3 server errors were on /anthropic/v1/messages, where no request of the run succeeded"
    )


def test_server_errors_beside_a_success_on_the_same_route_are_transient() -> None:
    run = [
        ix(502, GATEWAY_502, seq=1),
        ix(200, bodies.MESSAGE_OK, seq=2),
        ix(502, GATEWAY_502, seq=3),
    ]
    found = finding("server-error", run)
    assert (found.reading, found.severity) == (None, "warning")
    assert found.info.remedy.startswith("Retry with exponential backoff")


def test_one_server_error_proves_no_persistence() -> None:
    assert finding("server-error", [ix(500, "")]).reading is None


def test_a_success_on_another_route_does_not_make_the_failing_route_transient() -> None:
    counted = ix(200, '{"input_tokens":8}', seq=3, path="/anthropic/v1/messages/count_tokens")
    run = [ix(500, "", seq=1), ix(500, "", seq=2), counted]
    assert finding("server-error", run).reading == "persistent"


# --- a deployment name that differs only in case ---

MIXED_CASE = '{"model":"Claude-Sonnet-4-5","max_tokens":16,"messages":[]}'


def test_a_name_that_differs_only_in_case_is_pointed_at_the_name_found() -> None:
    found_by_inventory = ix(
        200,
        '{"input_tokens":8}',
        seq=1,
        path="/anthropic/v1/messages/count_tokens",
        check_id="DEP-INVENTORY",
        expects_error=True,
    )
    refused = ix(404, bodies.DEPLOYMENT_NOT_FOUND, seq=2, request_body=MIXED_CASE)
    found = finding("deployment-not-found", [found_by_inventory, refused])
    assert found.reading == "case-mismatch"
    assert found.info.title == "The deployment name differs from the resource's only in case"
    assert found.info.remedy.startswith(
        "Send the deployment name exactly as the resource spells it, case included: "
        "claude-sonnet-4-5 (not Claude-Sonnet-4-5);"
    )
    assert found.details[0].endswith(
        "deployment name sent: 'Claude-Sonnet-4-5'; 'claude-sonnet-4-5', the same name in "
        "another case, answered in this run: use 'claude-sonnet-4-5'"
    )


def test_a_mixed_case_model_id_nothing_answered_to_is_only_a_hint() -> None:
    found = finding(
        "deployment-not-found", [ix(404, bodies.DEPLOYMENT_NOT_FOUND, request_body=MIXED_CASE)]
    )
    assert found.reading is None
    assert found.info.title == "The deployment name does not exist on this resource"
    assert found.details[0].endswith(
        "the default deployment name of claude-sonnet-4-5 is 'claude-sonnet-4-5', in lower case"
    )


def test_a_name_not_found_in_any_case_gets_no_hint() -> None:
    typo = '{"model":"claude-sonet-4-5","max_tokens":16,"messages":[]}'
    found = finding(
        "deployment-not-found", [ix(404, bodies.DEPLOYMENT_NOT_FOUND, request_body=typo)]
    )
    assert found.reading is None
    assert found.details[0].endswith("deployment name sent: 'claude-sonet-4-5'")
