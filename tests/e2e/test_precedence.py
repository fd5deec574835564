"""One cause per evidence set, through the real CLI: each instance of issue 14 on loopback.

Each test stages what the issue measured (an expired token, an error event in a 200 stream, a
closed local port, a deployment name in the wrong case, a gateway page on every request) and
asserts what the user reads: the diagnoses of ``summary.json``, the check's own codes and the
terminal's key lines — the right cause once, never beside the one it contradicts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from conformance.core.jwt_claims import mint_test_token
from conformance.core.platform_load import builtin_profile
from conformance.emulator import parse_profiles
from conformance.emulator.server import EmulatorServer

from .conftest import CliRun
from .faults.helpers import closed_port

KEY = "canary-key-DO-NOT-LEAK-precedence-000000000000000000000"
DEPLOYMENT = builtin_profile().emulator_deployments[0]
# The same name with each word capitalised (claude-sonnet-5-5 → Claude-Sonnet-5-5).
MIS_CASED = "-".join(part.capitalize() for part in DEPLOYMENT.split("-"))


def _diagnosis(result: CliRun, code: str) -> dict[str, object]:
    return next(d for d in result.summary["diagnoses"] if d["code"] == code)


def test_an_expired_token_is_expired_for_the_sdk_checks_too(
    run_cli: Callable[..., CliRun], clean_env: pytest.MonkeyPatch
) -> None:
    expired = mint_test_token(expires_at=datetime.now(UTC) - timedelta(hours=2))
    clean_env.setenv("ANTHROPIC_FOUNDRY_API_KEY", KEY)
    clean_env.setenv("FOUNDRY_CONFORMANCE_ENTRA_TOKEN", expired)
    with EmulatorServer(config=parse_profiles("default"), api_key=KEY) as server:
        result = run_cli("--base-url", server.base_url)
    assert "expired-token" in result.codes() and "invalid-token" not in result.codes()
    assert set(_diagnosis(result, "expired-token")["checks"]) >= {"AUTH-ENTRA", "SDK-ENTRA"}
    assert result.check("SDK-ENTRA")["diagnoses"] == ["expired-token"]
    # The SDK's token was read as the one it sent, not assumed to be AUTH-ENTRA's.
    assert set(result.summary["token_claims"]) >= {"entra", "sdk-entra"}
    assert "look right" not in result.output


def test_an_overloaded_error_event_in_a_200_stream_is_overloaded_not_a_broken_stream(
    run_cli: Callable[..., CliRun],
) -> None:
    result = run_cli("--emulator", "overloaded-midstream")
    assert "overloaded" in result.codes()
    assert "stream-protocol-violation" not in result.codes()
    stream = result.check("MSG-STREAM")
    assert (stream["status"], stream["diagnoses"]) == ("failed", ["overloaded"])
    assert stream["reason"] == (
        "the stream carried an `error` event after HTTP 200: overloaded_error: Overloaded"
    )
    assert "[warning] overloaded: The model is temporarily overloaded" in result.output
    assert "configure the gateway" not in result.output


def test_a_refused_loopback_port_is_a_local_server_that_is_not_running(
    run_cli: Callable[..., CliRun], clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("ANTHROPIC_FOUNDRY_API_KEY", KEY)
    with closed_port() as port:
        result = run_cli("--base-url", f"http://127.0.0.1:{port}/anthropic/", "--suite", "smoke")
    assert (result.summary["verdict"], result.exit_code) == ("unreachable", 3)
    assert (
        "[blocker] connection-failed: Nothing listens at the base URL's port on this machine"
        in result.output
    )
    assert f"→ Start the local server, e.g. `foundry-conformance emulator --port {port}`" in (
        result.output
    )
    for elsewhere in ("HTTPS_PROXY", "egress", "private-endpoint"):
        assert elsewhere not in result.output


def test_a_deployment_name_in_the_wrong_case_is_pointed_at_the_name_found(
    run_cli: Callable[..., CliRun], clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("ANTHROPIC_FOUNDRY_API_KEY", KEY)
    with EmulatorServer(config=parse_profiles("default"), api_key=KEY) as server:
        result = run_cli("--base-url", server.base_url, "--deployment", MIS_CASED)
    # The API-VERSION-MALFORMED probe met the same 404: one cause, not "unexplained" beside it.
    assert "deployment-not-found" in result.codes()
    assert "unexpected-status" not in result.codes()
    assert result.check("API-VERSION-MALFORMED")["diagnoses"] == ["deployment-not-found"]
    found = _diagnosis(result, "deployment-not-found")
    assert found["title"] == "The deployment name differs from the resource's only in case"
    assert f"{DEPLOYMENT} (not {MIS_CASED})" in str(found["remedy"])
    assert f"use '{DEPLOYMENT}'" in str(found["details"])
    assert f"[blocker] deployment-not-found: {found['title']}" in result.output


def test_a_gateway_page_on_every_request_is_persistent_not_retry_with_backoff(
    run_cli: Callable[..., CliRun],
) -> None:
    result = run_cli("--emulator", "garbage")
    assert result.codes() == {"server-error"}
    found = _diagnosis(result, "server-error")
    assert found["severity"] == "blocker"
    assert str(found["details"]).startswith("['all ")
    assert (
        "[blocker] server-error: A server or gateway fault fails every request on its routes"
        in result.output
    )
    assert "→ Do not wait it out with retries" in result.output
    assert "Retry with exponential backoff" not in result.output
    assert result.check("API-VERSION-MALFORMED")["diagnoses"] == ["server-error"]


def test_a_token_for_azure_resource_manager_is_diagnosed_with_the_az_command(
    run_cli: Callable[..., CliRun], clean_env: pytest.MonkeyPatch
) -> None:
    """`az account get-access-token` without --resource: the commonest Entra mistake is a
    diagnosis with the command that fixes it, not a skipped AUTH-ENTRA and a note."""
    clean_env.setenv("ANTHROPIC_FOUNDRY_API_KEY", KEY)
    arm = mint_test_token(audience="https://management.azure.com")
    clean_env.setenv("FOUNDRY_CONFORMANCE_ENTRA_TOKEN", arm)
    with EmulatorServer(config=parse_profiles("default"), api_key=KEY) as server:
        result = run_cli("--base-url", server.base_url)
    assert result.check("AUTH-ENTRA")["status"] == "failed"
    assert result.check("AUTH-ENTRA")["diagnoses"] == ["wrong-token-audience"]
    remedy = str(_diagnosis(result, "wrong-token-audience")["remedy"])
    command = "az account get-access-token --resource https://cognitiveservices.azure.com"
    assert command in remedy and command in result.output
    assert result.summary["verdict"] == "nonconformant"  # the key modes still pass
