"""The platform profile: the built-in one reads, every fact cites a defined source, a user's file
extends it (a new model the day it ships), and every mistake in a user's file names the field."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from conformance.core.platform import CONFIDENCES
from conformance.core.platform_load import ProfileError, builtin_profile, load_profile

TODAY = date(2026, 12, 1)


def test_the_built_in_profile_has_a_version_a_date_and_the_late_2026_line_up() -> None:
    profile = builtin_profile()
    assert profile.summary_view() == {
        "version": "2026.12",
        "date": "2026-12-01",
        "source": "built-in",
    }
    assert profile.emulator_deployments == (
        "claude-sonnet-5-5",
        "claude-opus-5-5",
        "claude-haiku-5-5",
    )
    assert profile.default_hosting.name == "Hosted on Azure"
    assert profile.accepted_versions == ("2023-06-01", "2026-10-21")


def test_every_fact_cites_defined_sources_with_a_known_confidence() -> None:
    profile = builtin_profile()
    provenances = [m.provenance for m in profile.models] + [
        m.lifecycle_provenance for m in profile.models
    ]
    provenances += [f.provenance for h in profile.hosting.values() for f in h.features.values()]
    provenances += [v.provenance for v in profile.api_versions] + list(profile.facts.values())
    provenances += [w.provenance for w in profile.errors.values()]
    for provenance in provenances:
        assert provenance.confidence in CONFIDENCES
        assert provenance.sources, provenance
        assert set(provenance.sources) <= set(profile.sources)


@pytest.mark.parametrize(
    ("name", "lifecycle"),
    [
        ("claude-sonnet-5-5", "current"),
        ("claude-opus-4-5", "deprecated"),
        ("claude-opus-4-5-20251101", "deprecated"),
        ("claude-sonnet-4-5", "retired"),  # end of life 2026-11-30
        ("claude-opus-4-1", "retired"),
        ("claude-mythos-preview", "retired"),
    ],
)
def test_a_model_s_lifecycle_is_judged_as_of_a_day(name: str, lifecycle: str) -> None:
    model = builtin_profile().model(name)
    assert model is not None
    assert model.lifecycle(TODAY) == lifecycle


def test_discovery_probes_every_model_that_is_not_retired_in_the_profile_s_order() -> None:
    candidates = builtin_profile().discovery_candidates(TODAY)
    assert candidates[:3] == ("claude-sonnet-5-5", "claude-sonnet-5", "claude-opus-5-5")
    assert "claude-sonnet-4-5" not in candidates and "claude-opus-4-1" not in candidates
    assert "claude-opus-4-5" in candidates  # deprecated, still served


def test_per_model_rules() -> None:
    profile = builtin_profile()
    opus = profile.model("claude-opus-5-5")
    sonnet_4_6 = profile.model("claude-sonnet-4-6")
    assert opus is not None and sonnet_4_6 is not None
    assert not opus.allows_thinking("enabled")
    assert opus.allows_thinking("disabled", effort="high")
    assert not opus.allows_thinking("disabled", effort="xhigh")
    assert "xhigh" not in sonnet_4_6.effort and not sonnet_4_6.mid_conversation_system
    assert opus.mid_conversation_system


@pytest.mark.parametrize(
    ("message", "features"),
    [
        ("structured_outputs not supported in your workspace.", ("structured_outputs",)),
        (
            "The following features are not available for Azure AI Foundry workspaces: "
            "web_search, code_execution",
            ("web_search", "code_execution"),
        ),
        ("server-side web search is not available in this environment", ("web_search",)),
        ("max_tokens: Field required", None),
    ],
)
def test_the_three_wordings_of_a_feature_refusal_name_the_features(
    message: str, features: tuple[str, ...] | None
) -> None:
    assert builtin_profile().refused_features(message) == features


def test_a_user_profile_adds_a_model_the_day_it_ships(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        '[[model]]\nid = "claude-sonnet-6"\nfamily = "sonnet"\nhosting = { azure = "ga" }\n'
        'context_window = 2000000\nmax_output = 256000\nthinking = ["adaptive"]\n'
        'effort = ["low", "high"]\nmid_conversation_system = true\n'
        '[deployments]\nemulator = ["claude-sonnet-6"]\n'
        '[api.betas]\nvalues = ["brand-new-beta-2026-12-01"]\n'
    )
    profile = load_profile(path)
    model = profile.model("claude-sonnet-6")
    assert model is not None and model.max_output == 256000
    assert model.provenance.sources == ("user-profile",)
    assert model.provenance.confidence == "reported"
    assert profile.emulator_deployments == ("claude-sonnet-6",)
    assert "brand-new-beta-2026-12-01" in profile.beta_values
    assert "claude-code-20250219" in profile.beta_values  # the built-in values stay
    assert profile.origin == f"built-in + {path}"
    assert profile.model("claude-opus-5-5") is not None


def test_a_user_profile_overrides_a_built_in_model_field_by_field(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text('[[model]]\nid = "claude-opus-5-5"\nmax_output = 64000\n')
    model = load_profile(path).model("claude-opus-5-5")
    assert model is not None and model.max_output == 64000 and model.context_window == 1000000


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[model]\n", "is not valid TOML"),
        ('[[model]]\nid = "x"\n', "model[18].context_window is missing"),
        (
            '[[model]]\nid = "claude-opus-5-5"\nmax_output = "big"\n',
            "model[2].max_output has the wrong type ('big')",
        ),
        (
            '[[model]]\nid = "claude-opus-5-5"\nmax_ouput = 1\n',
            "model[2].max_ouput is not a field of a platform profile (a typo?)",
        ),
        (
            '[[model]]\nid = "claude-opus-5-5"\nconfidence = "sure"\n',
            "model[2].confidence is 'sure'",
        ),
        (
            '[[model]]\nid = "claude-opus-5-5"\nsource = ["nowhere"]\n',
            "cites 'nowhere', which [sources] does not define",
        ),
        (
            '[[model]]\nid = "claude-opus-5-5"\nhosting = { mars = "ga" }\n',
            "names the hosting option 'mars'",
        ),
        (
            '[deployments]\nemulator = ["claude-nope"]\n',
            "deployments.emulator names 'claude-nope', not a model",
        ),
        ('schema = "other/1"\n', "schema is 'other/1'"),
    ],
)
def test_every_mistake_in_a_user_profile_names_the_file_and_the_field(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    assert message in str(caught.value)
    assert str(path) in str(caught.value)


def test_a_profile_that_is_not_text_or_too_large_is_refused(tmp_path: Path) -> None:
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ProfileError, match="is not UTF-8 text"):
        load_profile(binary)
    huge = tmp_path / "huge.toml"
    huge.write_text("# " + "x" * (1 << 20))
    with pytest.raises(ProfileError, match="not a platform profile"):
        load_profile(huge)
    with pytest.raises(ProfileError, match="cannot be read"):
        load_profile(tmp_path / "missing.toml")
