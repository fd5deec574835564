"""The platform as data, end to end through the real CLI: deployments discovered instead of guessed,
current names by default, a model added only in a user's profile file, and each new diagnosis
code reached with its remedy — against the embedded emulator, or one started elsewhere (the live
path, when the run's profile and the emulator's must differ)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conformance.core.platform_load import builtin_profile
from conformance.emulator import parse_profiles
from conformance.emulator.server import EmulatorServer

from .conftest import CliRun

CANARY_KEY = "canary-key-DO-NOT-LEAK-platform-000000000000000000"
NEW_MODEL = """
[[model]]
id = "claude-sonnet-9"
family = "sonnet"
hosting = { azure = "ga", anthropic = "ga" }
context_window = 2000000
max_output = 200000
thinking = ["adaptive"]
effort = ["low", "high"]
mid_conversation_system = true

[deployments]
emulator = ["claude-sonnet-9"]
"""


@pytest.fixture
def live(clean_env: pytest.MonkeyPatch) -> Callable[..., EmulatorServer]:
    """An emulator started elsewhere (the run targets it with --base-url), and its key."""
    clean_env.setenv("ANTHROPIC_FOUNDRY_API_KEY", CANARY_KEY)
    servers: list[EmulatorServer] = []

    def start(profiles: str = "default", **options: object) -> EmulatorServer:
        server = EmulatorServer(config=parse_profiles(profiles, **options), api_key=CANARY_KEY)
        servers.append(server.__enter__())
        return server

    yield start  # type: ignore[misc]
    for server in servers:
        server.__exit__(None, None, None)


def _profile(tmp_path: Path, text: str) -> str:
    path = tmp_path / "profile.toml"
    path.write_text(text, "utf-8")
    return str(path)


def test_a_default_run_discovers_the_current_line_up_and_names_the_profile(
    run_cli: Callable[..., CliRun],
) -> None:
    result = run_cli("--emulator")
    assert result.exit_code == 0, result.output
    served = list(builtin_profile().emulator_deployments)
    inventory = result.check("DEP-INVENTORY")["details"]["inventory"]
    assert sorted(inventory["present"]) == sorted(served)
    assert sorted(result.summary["target"]["deployments"] or served) == sorted(served)
    cases = {
        c["params"].get("deployment") for c in result.summary["checks"] if c["id"] == "DEP-SERVES"
    }
    assert cases == set(served)
    assert result.summary["platform_profile"]["version"] == builtin_profile().version
    assert f"platform profile: {builtin_profile().version}" in result.output
    assert "DeprecationWarning" not in result.output  # no call names a deprecated model


def test_a_model_added_only_in_a_user_profile_is_discovered_served_and_judged(
    run_cli: Callable[..., CliRun], tmp_path: Path
) -> None:
    profile = _profile(tmp_path, NEW_MODEL)
    # The full suite sends more than a pay-as-you-go minute's requests to its one deployment.
    args = ("--emulator", "enterprise-quota", "--platform-profile", profile, "--suite", "full")
    result = run_cli(*args)
    inventory = result.check("DEP-INVENTORY")["details"]["inventory"]
    assert inventory["present"] == ["claude-sonnet-9"]
    statuses = result.statuses()
    assert statuses["DEP-SERVES[claude-sonnet-9]"] == "passed"
    # Judged by its own rules: 200,001 tokens is over its maximum; effort "max" is not its.
    assert statuses["RULE-MAX-OUTPUT"] == "passed", result.check("RULE-MAX-OUTPUT")
    assert statuses["RULE-EFFORT[max]"] == "passed"
    assert statuses["RULE-EFFORT[high]"] == "passed"
    assert result.summary["platform_profile"]["source"] == f"built-in + {profile}"


def test_a_deprecated_deployment_gets_its_date_and_successor(
    run_cli: Callable[..., CliRun],
) -> None:
    model = next(m for m in builtin_profile().models if m.end_of_life and not m.retired)
    result = run_cli("--emulator", "--deployment", model.id, "--select", "DEP-LIFECYCLE")
    [diagnosis] = [d for d in result.summary["diagnoses"] if d["code"] == "model-deprecated"]
    check = result.check("DEP-LIFECYCLE")
    assert str(model.end_of_life) in check["reason"] and str(model.successor) in check["reason"]
    assert "successor" in diagnosis["remedy"]


def test_a_retired_model_s_404_is_diagnosed_as_its_retirement(
    run_cli: Callable[..., CliRun],
) -> None:
    result = run_cli("--emulator", "--deployment", "claude-opus-4-1", "--select", "DEP-SERVES")
    assert "model-retired" in result.codes(), result.summary["diagnoses"]
    assert "deployment-not-found" not in result.codes()


def test_a_resource_without_any_default_name_says_so_and_how_to_name_one(
    run_cli: Callable[..., CliRun], live: Callable[..., EmulatorServer]
) -> None:
    server = live(deployments=["team-a-claude"])
    result = run_cli("--base-url", server.base_url, "--select", "deployments")
    assert "no-deployment-found" in result.codes()
    serves = result.check("DEP-SERVES")
    assert serves["status"] == "skipped"
    assert "name yours with --deployment NAME" in serves["reason"]


def test_an_api_version_clients_send_that_the_endpoint_refuses_is_diagnosed(
    run_cli: Callable[..., CliRun], live: Callable[..., EmulatorServer], tmp_path: Path
) -> None:
    """The run's profile says clients send 2099-01-01; the endpoint (built-in profile) refuses it."""
    profile = _profile(
        tmp_path,
        '[[api.version]]\nvalue = "2099-01-01"\nclients = ["a future SDK"]\naccepted = true\n',
    )
    server = live()
    result = run_cli(
        "--base-url", server.base_url, "--platform-profile", profile, "--select", "API-VERSION"
    )
    statuses = result.statuses()
    assert statuses["API-VERSION[2099-01-01]"] == "failed"
    assert statuses["API-VERSION[2023-06-01]"] == "passed"
    assert "api-version-refused" in result.codes()


def test_a_rule_the_endpoint_does_not_follow_is_a_mismatch(
    run_cli: Callable[..., CliRun], live: Callable[..., EmulatorServer], tmp_path: Path
) -> None:
    served = builtin_profile().emulator_deployments[0]
    profile = _profile(tmp_path, f'[[model]]\nid = "{served}"\nmax_output = 64000\n')
    server = live()
    result = run_cli(
        "--base-url", server.base_url, "--deployment", served, "--platform-profile", profile,
        "--select", "RULE-MAX-OUTPUT",
    )  # fmt: skip
    assert result.statuses()["RULE-MAX-OUTPUT"] == "failed"
    assert "model-rule-mismatch" in result.codes()


def test_a_model_offered_only_on_the_other_hosting_option_is_a_mismatch(
    run_cli: Callable[..., CliRun],
) -> None:
    profile = builtin_profile()
    anthropic_only = next(m.id for m in profile.models if set(m.hosting) == {"anthropic"})
    result = run_cli("--emulator", "--deployment", anthropic_only, "--select", "HOST-OPTION")
    assert result.statuses()["HOST-OPTION"] == "failed"
    assert "hosting-option-mismatch" in result.codes()


@pytest.mark.parametrize(
    ("profile", "served", "code"),
    [
        ("backend-auth-failure", None, "backend-auth-failed"),
        ("zero-quota", None, "zero-quota"),
        ("default", "claude-mythos-5", "entra-only-model"),
        ("beta-query-required", None, "beta-header-refused"),
    ],
)
def test_each_platform_fault_is_diagnosed_with_its_remedy(
    run_cli: Callable[..., CliRun], profile: str, served: str | None, code: str
) -> None:
    args = ["--emulator", profile, "--select", "MSG-BASIC", "--select", "AUTH-X-API-KEY"]
    args += ["--select", "API-BETA-HEADER"]
    if served:
        args += ["--deployment", served]
    result = run_cli(*args)
    [diagnosis] = [d for d in result.summary["diagnoses"] if d["code"] == code]
    assert diagnosis["remedy"] and "${" not in diagnosis["remedy"] + diagnosis["summary"]


def test_the_user_profile_file_is_validated_before_anything_is_sent(
    run_cli: Callable[..., CliRun], tmp_path: Path
) -> None:
    profile = _profile(tmp_path, '[[model]]\nid = "claude-opus-5-5"\nmax_ouput = 1\n')
    result = run_cli("--emulator", "--platform-profile", profile)
    assert result.exit_code == 2
    assert "model[2].max_ouput is not a field of a platform profile (a typo?)" in result.output
    assert not (result.report_dir / "summary.json").exists()
