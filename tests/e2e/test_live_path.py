"""The live path is real code: a live run against an emulator started elsewhere, over real HTTP."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conformance.emulator import parse_profiles
from conformance.emulator.server import EmulatorServer

from .conftest import CliRun

CANARY_KEY = "canary-key-DO-NOT-LEAK-live-path-00000000000000000000"


def test_live_run_against_a_foundry_over_http(
    run_cli: Callable[..., CliRun], clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("ANTHROPIC_FOUNDRY_API_KEY", CANARY_KEY)
    config = parse_profiles("default", deployments=["claude-haiku-4-5"])
    with EmulatorServer(config=config, api_key=CANARY_KEY) as server:
        result = run_cli("--base-url", server.base_url, "--deployment", "claude-haiku-4-5")
    summary = result.summary
    assert summary["target"]["kind"] == "live"
    assert summary["target"]["base_url"] == server.base_url
    assert summary["verdict"] == "conformant", result.output
    assert result.exit_code == 0
    entra = result.check("AUTH-ENTRA")
    assert entra["status"] == "skipped"
    assert "FOUNDRY_CONFORMANCE_ENTRA_TOKEN" in entra["reason"]
    assert summary["target"]["auth_modes"] == ["x-api-key", "api-key"] or set(
        summary["target"]["auth_modes"]
    ) == {"x-api-key", "api-key"}
    assert "proves nothing about Azure" not in result.output
    for path in result.report_dir.rglob("*"):
        if path.is_file():
            assert CANARY_KEY not in path.read_text("utf-8", errors="replace"), path


def test_live_run_with_a_wrong_key_is_misconfigured_never_green(
    run_cli: Callable[..., CliRun], clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("ANTHROPIC_FOUNDRY_API_KEY", "canary-key-wrong-0000000000000000000000")
    with EmulatorServer(config=parse_profiles("default"), api_key=CANARY_KEY) as server:
        result = run_cli("--base-url", server.base_url)
    assert result.summary["verdict"] == "misconfigured"
    assert result.exit_code == 1
    assert "invalid-api-key" in result.codes()
