"""The fleet file, read strictly: every key typed, every typo named; each target becomes the command
line and the environment of one run, with its own credential and nobody else's."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from conformance.cli.main import build_parser
from conformance.config.fleet import (
    FleetFileError,
    load_fleet,
    parse_fleet,
    target_argv,
    target_env,
)
from conformance.config.pacing import resolve_pacing
from conformance.config.types import Mode
from conformance.core.platform_load import builtin_profile
from conformance.core.quota import Ceilings

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "fleet.example.toml"
FILE = Path("/fleets/prod.toml")
CANARY = "canary-fleet-key-DO-NOT-LEAK-0000000000000000"


def fleet(text: str):  # type: ignore[no-untyped-def]
    return parse_fleet(tomllib.loads(text), FILE)


def refusal(text: str) -> str:
    with pytest.raises(FleetFileError) as caught:
        fleet(text)
    return str(caught.value)


def test_the_shipped_example_is_a_valid_fleet() -> None:
    spec = load_fleet(EXAMPLE)
    assert len(spec.targets) >= 3
    assert all(t.name for t in spec.targets)


def test_a_target_becomes_one_runs_command_line_with_the_defaults_filled_in() -> None:
    spec = fleet(
        """
        [defaults]
        suite = "smoke"
        auth = ["x-api-key"]
        max_rpm = 20

        [[target]]
        name = "prod-eastus"
        resource = "contoso-eastus"
        deployments = ["claude-sonnet-5-5", "claude-haiku-5-5"]
        api_key_env = "PROD_EASTUS_KEY"
        subscription = "prod"
        timeout = 12.5

        [[target]]
        name = "staging"
        base_url = "https://staging.services.ai.azure.com/anthropic/"
        suite = "standard"
        platform_profile = "profiles/preview.toml"
        """
    )
    first, second = spec.targets
    assert (first.name, first.position, second.position) == ("prod-eastus", 0, 1)
    args = build_parser().parse_args(["run", *target_argv(first)])
    assert (args.resource, args.deployment) == (
        "contoso-eastus",
        ["claude-sonnet-5-5", "claude-haiku-5-5"],
    )
    assert (args.suite, args.auth, args.max_rpm) == ("smoke", ["x-api-key"], "20")
    assert (args.subscription, args.timeout, args.base_url) == ("prod", "12.5", None)
    assert first.secret_env == {"ANTHROPIC_FOUNDRY_API_KEY": "PROD_EASTUS_KEY"}
    second_argv = target_argv(second)
    assert second_argv[second_argv.index("--suite") + 1] == "standard"
    # A path is relative to the fleet file's folder.
    assert "/fleets/profiles/preview.toml" in target_argv(second)
    # A flag of the fleet's own command line wins: the file's value is left out.
    assert "--suite" not in target_argv(first, frozenset({"--suite"}))


def test_the_embedded_emulator_is_a_target_too() -> None:
    (target,) = fleet('[[target]]\nname = "demo"\nemulator = "api-key-rejected"\n').targets
    assert target_argv(target) == ["--emulator=api-key-rejected"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[[target]]\nname = "a"\nbase_url = "https://x/anthropic/"\nregion = "eastus"\n',
            "target[0].region is not a field of a fleet file",
        ),
        (
            '[[target]]\nname = "a"\nresource = "r"\nbase_url = "https://x/anthropic/"\n',
            "sets both base_url and resource",
        ),
        ('[[target]]\nname = "a"\n', "names no endpoint"),
        ('[[target]]\nname = "../etc"\nresource = "r"\n', "is not a target name"),
        ('[[target]]\nname = "fleet.json"\nresource = "r"\n', "is not a target name"),
        (
            '[[target]]\nname = "a"\nresource = "r"\n[[target]]\nname = "a"\nresource = "s"\n',
            "two targets are named 'a'",
        ),
        (
            '[defaults]\nresource = "r"\n[[target]]\nname = "a"\nresource = "r"\n',
            "defaults.resource names one target's endpoint",
        ),
        (
            '[[target]]\nname = "a"\nresource = "r"\nmax_rpm = "forty"\n',
            "target[0].max_rpm has the wrong type",
        ),
        (
            '[[target]]\nname = "a"\nresource = "r"\napi_key_env = "sk-ant-secret value"\n',
            "is not the name of an environment variable",
        ),
        ('[[target]]\nname = "a"\nresource = "r"\ntimeout = true\n', "timeout has the wrong type"),
        ("title = 'prod'\n", "title is not a field"),
        ("[defaults]\nsuite = 'smoke'\n", "has no [[target]] table"),
    ],
)
def test_a_wrong_fleet_file_is_one_message_naming_the_key(text: str, expected: str) -> None:
    message = refusal(text)
    assert expected in message
    assert str(FILE) in message


def test_an_unreadable_or_broken_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(FleetFileError, match="cannot be read"):
        load_fleet(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[[target]\nname = 'a'\n")
    with pytest.raises(FleetFileError, match="is not valid TOML"):
        load_fleet(broken)
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(FleetFileError, match="is not UTF-8 text"):
        load_fleet(binary)
    huge = tmp_path / "huge.toml"
    huge.write_text("# " + "x" * (1 << 20))
    with pytest.raises(FleetFileError, match="bytes: it is not a fleet file"):
        load_fleet(huge)


def test_only_names_targets_of_the_file() -> None:
    spec = fleet('[[target]]\nname = "a"\nresource = "r"\n[[target]]\nname = "b"\nresource = "s"\n')
    assert [t.name for t in spec.named(["b"])] == ["b"]
    with pytest.raises(FleetFileError, match="has no target of that name"):
        spec.named(["c"])


def test_a_target_runs_with_its_own_credential_and_no_other() -> None:
    spec = fleet(
        '[[target]]\nname = "a"\nresource = "r"\napi_key_env = "A_KEY"\nentra_token_env = "A_TOKEN"\n'
        '[[target]]\nname = "b"\nresource = "s"\n'
    )
    env = {
        "A_KEY": CANARY,
        "A_TOKEN": "header.payload.signature",
        "ANTHROPIC_FOUNDRY_API_KEY": "the shell's own key",
        "PATH": "/usr/bin",
    }
    drop = ["ANTHROPIC_FOUNDRY_API_KEY"]
    a, b = spec.targets
    assert target_env(a, env, drop) == {
        **{k: v for k, v in env.items() if k not in drop},
        "ANTHROPIC_FOUNDRY_API_KEY": CANARY,
        "FOUNDRY_CONFORMANCE_ENTRA_TOKEN": "header.payload.signature",
    }
    # b names no key: it does not borrow the shell's.
    assert "ANTHROPIC_FOUNDRY_API_KEY" not in target_env(b, env, drop)


def test_a_named_variable_that_is_not_set_is_the_targets_error_without_the_value() -> None:
    (target,) = fleet('[[target]]\nname = "a"\nresource = "r"\napi_key_env = "A_KEY"\n').targets
    with pytest.raises(FleetFileError) as caught:
        target_env(target, {"A_KEY": "  "}, [])
    assert "api_key_env names A_KEY, which is not set" in str(caught.value)


def test_pacing_defaults_to_the_smallest_paid_quota_for_live_runs_only() -> None:
    profile = builtin_profile()
    payg = profile.quota.payg

    def pacing(kind: Mode, **flags: object):  # type: ignore[no-untyped-def]
        values = {
            "max_rpm": None,
            "max_itpm": None,
            "max_otpm": None,
            "subscription": None,
            **flags,
        }
        return resolve_pacing(kind=kind, profile=profile, env={}, **values)  # type: ignore[arg-type]

    assert (
        pacing(Mode.LIVE).ceilings
        == Ceilings(payg.rpm, payg.itpm, payg.otpm)
        == Ceilings(40, 40_000, 8_000)
    )
    assert pacing(Mode.RECORD).ceilings == Ceilings(40, 40_000, 8_000)
    assert pacing(Mode.EMULATOR).ceilings is None
    assert pacing(Mode.EMULATOR, max_rpm="10").ceilings == Ceilings(10, 40_000, 8_000)
    assert pacing(Mode.REPLAY, max_rpm="10").ceilings is None
    assert pacing(Mode.LIVE, max_otpm=100, subscription="prod").subscription == "prod"
    from conformance.core.errors import ConfigError

    with pytest.raises(ConfigError, match="--max-rpm"):
        pacing(Mode.LIVE, max_rpm="0")
    with pytest.raises(ConfigError, match="--subscription"):
        pacing(Mode.LIVE, subscription="my subscription")
