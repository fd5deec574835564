"""Profiles: names, composition, parameters, and the errors a user sees for a bad name."""

from __future__ import annotations

import pytest

from conformance.core.constants import DEFAULT_DEPLOYMENT_NAMES, EMULATOR_DEV_API_KEY
from conformance.core.faults import FAULT_PROFILES as PROFILES
from conformance.emulator import PROFILE_NAMES, EmulatorConfig, parse_profiles
from conformance.emulator.profiles import Faults

EXPECTED_NAMES = {
    "default", "api-key-rejected", "ratelimit-headers", "models-served", "no-apim-request-id",
    "no-request-id", "done-sentinel", "overloaded", "overloaded-midstream", "slow", "slow-stream",
    "key-auth-disabled", "rbac-missing", "garbage", "connection-reset", "reset-midstream",
    "truncated-stream", "wrong-shape", "huge-body", "server-error", "rate-limited", "echo-key",
    "tight-rate-limit", "retry-after", "anthropic-not-found",
}  # fmt: skip


def test_the_catalogue_of_profiles_is_the_documented_one() -> None:
    assert set(PROFILE_NAMES) == EXPECTED_NAMES
    assert all(profile.summary for profile in PROFILES)


@pytest.mark.parametrize("name", sorted(EXPECTED_NAMES - {"default"}))
def test_every_fault_profile_switches_something_on(name: str) -> None:
    assert parse_profiles(name).faults != Faults()


def test_empty_and_default_mean_no_fault() -> None:
    for spec in ("", "default", " default , ", None):
        config = parse_profiles(spec)
        assert config.faults == Faults()
        assert config.profile_label == "default"


def test_defaults_of_a_config() -> None:
    config = EmulatorConfig()
    assert config.api_key == EMULATOR_DEV_API_KEY
    assert config.deployments == DEFAULT_DEPLOYMENT_NAMES
    assert config.request_limit == (60, 10.0)


def test_profiles_compose() -> None:
    config = parse_profiles("api-key-rejected, done-sentinel,slow=0.25")
    assert config.faults.api_key_rejected
    assert config.faults.done_sentinel
    assert config.faults.slow_s == 0.25
    assert not config.faults.garbage
    assert config.profiles == ("api-key-rejected", "done-sentinel", "slow=0.25")


def test_names_are_case_insensitive_and_deduplicated() -> None:
    assert parse_profiles("Garbage,garbage").profiles == ("garbage",)


def test_parameterised_profiles_have_defaults() -> None:
    config = parse_profiles("slow,slow-stream")
    assert config.faults.slow_s == 0.5
    assert config.faults.slow_stream_s == 0.2


def test_the_longer_delay_wins_when_a_profile_repeats() -> None:
    assert parse_profiles("slow=0.1,slow=0.3").faults.slow_s == 0.3


def test_tight_rate_limit_changes_the_window() -> None:
    assert parse_profiles("tight-rate-limit").request_limit == (5, 2.0)


def test_an_explicit_rate_limit_wins_over_the_profile() -> None:
    config = EmulatorConfig(faults=Faults(tight_rate_limit=True), rate_limit=7, rate_window_s=3.0)
    assert config.request_limit == (7, 3.0)


def test_key_and_deployments_can_be_given() -> None:
    config = parse_profiles("", api_key="my-own-key-123456", deployments=["prod-claude"])
    assert config.api_key == "my-own-key-123456"
    assert config.deployments == ("prod-claude",)


def test_an_empty_deployment_list_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one deployment"):
        parse_profiles("", deployments=[])


def test_an_unknown_name_lists_the_valid_ones() -> None:
    with pytest.raises(ValueError) as caught:
        parse_profiles("default,overload")
    message = str(caught.value)
    assert message.startswith("unknown emulator profile 'overload'; valid profiles: default, ")
    assert "slow[=S]" in message
    assert "overloaded-midstream" in message


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ("garbage=1", "takes no value"),
        ("slow=fast", "needs seconds"),
        ("slow=-1", "needs 0 to 600 seconds"),
        ("slow=nan", "needs 0 to 600 seconds"),
        ("slow-stream=9999", "needs 0 to 600 seconds"),
    ],
)
def test_bad_parameters_are_explained(spec: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        parse_profiles(spec)


def test_a_list_of_names_works_like_a_comma_string() -> None:
    assert parse_profiles(["overloaded", "slow=0.1"]) == parse_profiles("overloaded,slow=0.1")
