"""Profiles: names, composition, parameters, and the errors a user sees for a bad name."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.core.constants import EMULATOR_DEV_API_KEY
from conformance.core.faults import FAULT_PROFILES as PROFILES
from conformance.core.platform import Quota
from conformance.core.platform_load import builtin_profile, load_profile
from conformance.emulator import PROFILE_NAMES, EmulatorConfig, parse_profiles
from conformance.emulator.profiles import Faults, parse_deployments

PROFILE = builtin_profile()

EXPECTED_NAMES = {
    "default", "api-key-rejected", "ratelimit-headers", "models-served", "no-apim-request-id",
    "no-request-id", "done-sentinel", "overloaded", "overloaded-midstream", "slow", "slow-stream",
    "key-auth-disabled", "rbac-missing", "garbage", "connection-reset", "reset-midstream",
    "truncated-stream", "wrong-shape", "huge-body", "server-error", "rate-limited", "echo-key",
    "tight-rate-limit", "retry-after", "anthropic-not-found", "zero-quota", "hosted-on-azure",
    "hosted-on-anthropic", "backend-auth-failure", "beta-query-required", "features-ignored",
    "enterprise-quota",
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


def test_defaults_of_a_config_come_from_the_platform_profile() -> None:
    config = EmulatorConfig()
    assert config.api_key == EMULATOR_DEV_API_KEY
    assert config.profile is PROFILE
    assert config.deployments == PROFILE.emulator_deployments
    assert config.window_s == PROFILE.quota.window_s
    for name in config.deployments:
        model = config.model(name)
        assert model is not None
        assert config.limits(model) == PROFILE.quota_of(model)
    assert config.limits(None) == PROFILE.quota.payg  # a name the profile does not know
    assert config.hosting.option == PROFILE.default_hosting
    assert not config.hosting.refuses_conflicting


def test_a_users_profile_and_its_deployments(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text('[deployments]\nemulator = ["claude-opus-4-8"]\n')
    profile = load_profile(path)
    assert parse_profiles("", profile=profile).deployments == ("claude-opus-4-8",)
    given = parse_profiles("", profile=profile, deployments=["team-x"])
    assert (given.profile, given.deployments) == (profile, ("team-x",))


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


def test_tight_rate_limit_narrows_the_requests_and_the_window() -> None:
    config = parse_profiles("tight-rate-limit")
    model = config.model(config.deployments[0])
    assert config.window_s == 2.0
    assert config.limits(model) == Quota(
        5, PROFILE.quota_of(model).itpm, PROFILE.quota_of(model).otpm
    )


def test_zero_quota_empties_every_pool() -> None:
    config = parse_profiles("zero-quota")
    assert {config.limits(config.model(n)) for n in (*config.deployments, "x")} == {Quota(0, 0, 0)}


def test_an_explicit_rate_limit_wins_over_the_profile() -> None:
    config = EmulatorConfig(faults=Faults(tight_rate_limit=True), rate_limit=7, rate_window_s=3.0)
    assert (config.limits(None).rpm, config.window_s) == (7, 3.0)


def test_a_hosting_profile_plays_its_option_as_the_field_reports_it() -> None:
    azure = parse_profiles("hosted-on-azure").hosting
    anthropic = parse_profiles("hosted-on-anthropic").hosting
    assert (azure.option.id, azure.refuses_conflicting) == ("azure", True)
    assert (anthropic.option.id, anthropic.refuses_conflicting) == ("anthropic", True)
    assert azure.refuses("structured_outputs") and not parse_profiles("").hosting.refuses(
        "structured_outputs"
    )
    assert not any(anthropic.refuses(f) for f in anthropic.option.features)
    assert anthropic.serves("files") and not azure.serves("files")


def test_two_hosting_options_at_once_are_refused() -> None:
    with pytest.raises(ValueError, match="one hosting option at a time"):
        parse_profiles("hosted-on-azure,hosted-on-anthropic")


def test_key_and_deployments_can_be_given() -> None:
    config = parse_profiles("", api_key="my-own-key-123456", deployments=["prod-claude"])
    assert config.api_key == "my-own-key-123456"
    assert config.deployments == ("prod-claude",)


def test_deployment_names_may_repeat_the_flag_or_be_comma_separated() -> None:
    assert parse_deployments(["a,b", " c ", "a", ","]) == ("a", "b", "c")
    with pytest.raises(ValueError, match="'two words' is not a deployment name"):
        parse_deployments(["two words"])
    with pytest.raises(ValueError, match="at least one deployment"):
        parse_profiles("", deployments=[" , "])


def test_an_empty_deployment_list_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one deployment"):
        parse_profiles("", deployments=[])


def test_an_unknown_name_lists_the_valid_ones() -> None:
    with pytest.raises(ValueError) as caught:
        parse_profiles("default,overload")
    message = str(caught.value)
    assert message.startswith(
        "unknown emulator profile 'overload'; did you mean overloaded? valid profiles: default, "
    )
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
