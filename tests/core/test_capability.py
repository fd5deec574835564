"""The capability matrix's vocabulary: what the platform profile expects of each capability for a
model on the hosting options that offer it, and when what a probe saw drifts from it (either
way), with conflicting sources kept conflicting; and the profile's capability tables, checked
when a user's file changes them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from conformance.core.capability import (
    CAPABILITY_CHECKS,
    Expectation,
    OptionExpectation,
    compare,
    expectation_for,
)
from conformance.core.catalog import BY_ID
from conformance.core.platform_load import ProfileError, load_profile
from tests.platform_facts import PROFILE

SONNET = PROFILE.model("claude-sonnet-5-5")
OPUS = PROFILE.model("claude-opus-5-5")
ANTHROPIC_ONLY = PROFILE.model("claude-opus-4-7")  # offered on Hosted on Anthropic only
AZURE = PROFILE.hosting["azure"].name
ANTHROPIC = PROFILE.hosting["anthropic"].name


def _expect(capability: str, *statuses: tuple[str, str]) -> Expectation:
    """An expectation with the given (option id, status) pairs."""
    options = tuple(
        OptionExpectation(
            option, PROFILE.hosting[option].name, status, PROFILE.models[0].provenance
        )  # type: ignore[arg-type]
        for option, status in statuses
    )
    return Expectation(capability, "claude-sonnet-5-5", options)


def test_every_capability_check_is_in_the_catalog_and_the_profile() -> None:
    ids = [check_id for check_id, *_ in CAPABILITY_CHECKS]
    assert set(ids) == set(PROFILE.capabilities)
    assert all(BY_ID[i].area == "capabilities" for i in ids)
    for facts in PROFILE.capabilities.values():
        assert facts.feature is not None or facts.rule is not None, facts.id
        if facts.feature is not None:
            assert all(facts.feature in o.features for o in PROFILE.hosting.values()), facts.id
        if facts.tool_type is not None:  # a server tool the emulator recognises by its marker
            marker = PROFILE.markers[facts.feature or ""]
            assert any(facts.tool_type.startswith(prefix) for prefix in marker.tools), facts.id


def test_a_feature_documented_everywhere_is_settled() -> None:
    expectation = expectation_for(PROFILE, "CAP-STREAMING", SONNET)
    assert expectation.expected == "supported" and expectation.settled
    assert expectation.by_option() == {"azure": "supported", "anthropic": "supported"}
    assert expectation.describe() == f"{AZURE}: supported; {ANTHROPIC}: supported"


def test_conflicting_sources_stay_conflicting_with_both_sides_shown() -> None:
    expectation = expectation_for(PROFILE, "CAP-STRUCTURED-OUTPUT", SONNET)
    assert expectation.by_option() == {"azure": "conflicting", "anthropic": "supported"}
    assert expectation.expected == "varies" and not expectation.settled
    (conflict,) = expectation.conflicts()
    assert conflict.startswith(f"{AZURE}: Microsoft's Sep-2026 matrix: supported")
    assert "structured_outputs not supported in your workspace" in conflict


def test_the_model_s_own_rule_narrows_the_hosting_options_status() -> None:
    refused = expectation_for(PROFILE, "CAP-THINKING-ENABLED", OPUS)
    assert refused.by_option() == {"azure": "unsupported", "anthropic": "unsupported"}
    assert refused.rule_note == "claude-opus-5-5 refuses enabled thinking"
    taken = expectation_for(PROFILE, "CAP-THINKING-ENABLED", SONNET)
    assert taken.expected == "supported"
    assert taken.describe().startswith("claude-sonnet-5-5 takes enabled thinking — ")


def test_only_the_options_that_offer_the_model_set_the_expectation() -> None:
    assert ANTHROPIC_ONLY is not None and set(ANTHROPIC_ONLY.hosting) == {"anthropic"}
    expectation = expectation_for(PROFILE, "CAP-CODE-EXECUTION", ANTHROPIC_ONLY)
    assert expectation.by_option() == {"anthropic": "supported"} and expectation.settled


def test_a_model_the_profile_does_not_know_is_held_to_every_option_its_rules_unknown() -> None:
    expectation = expectation_for(PROFILE, "CAP-EFFORT", None)
    assert expectation.model is None
    assert expectation.by_option() == {"azure": "unknown", "anthropic": "unknown"}
    assert expectation.rule_note == "the profile does not know the model's rules"
    assert expectation_for(PROFILE, "CAP-STREAMING", None).expected == "supported"


def test_refused_where_every_option_documents_it_is_drift_for_support() -> None:
    comparison = compare(expectation_for(PROFILE, "CAP-STREAMING", SONNET), "refused")
    assert comparison.drift == "documented-feature-refused"
    assert comparison.consistent_with == ()
    assert comparison.text.startswith(
        f"documented as supported ({AZURE}: supported; {ANTHROPIC}: supported), but refused here"
    )


def test_accepted_where_every_option_documents_a_refusal_is_drift_of_the_docs() -> None:
    comparison = compare(expectation_for(PROFILE, "CAP-THINKING-ENABLED", OPUS), "supported")
    assert comparison.drift == "unsupported-feature-accepted"
    assert "documentation (and the platform profile) is out of date" in comparison.text


def test_an_answer_one_offering_option_documents_is_no_drift_and_names_that_option() -> None:
    expectation = expectation_for(PROFILE, "CAP-CODE-EXECUTION", SONNET)  # azure: unsupported
    refused = compare(expectation, "refused")
    assert (refused.drift, refused.consistent_with) == (None, (AZURE,))
    assert refused.text == f"refused, as documented for {AZURE}"
    supported = compare(expectation, "supported")
    assert (supported.drift, supported.consistent_with) == (None, (ANTHROPIC,))


def test_a_probe_settles_conflicting_sources_without_hiding_them() -> None:
    expectation = expectation_for(PROFILE, "CAP-WEB-SEARCH", SONNET)
    for seen in ("supported", "refused"):
        comparison = compare(expectation, seen)  # type: ignore[arg-type]
        assert comparison.drift is None
        assert comparison.text.startswith(f"{seen}: the sources conflict ({AZURE}: Microsoft")
        assert comparison.text.endswith("this deployment settles it")


def test_unknown_is_consistent_with_either_answer() -> None:
    expectation = _expect("CAP-OUTPUT-FORMAT", ("anthropic", "unknown"))
    for seen in ("supported", "refused"):
        comparison = compare(expectation, seen)  # type: ignore[arg-type]
        assert comparison.drift is None and comparison.consistent_with == (ANTHROPIC,)
        assert comparison.text == f"{seen}; documented: {ANTHROPIC}: unknown"


@pytest.mark.parametrize("seen", ["not-honoured", "not-judged"])
def test_not_honoured_and_not_judged_are_no_drift_and_say_what_is_documented(seen: str) -> None:
    comparison = compare(expectation_for(PROFILE, "CAP-STREAMING", SONNET), seen)  # type: ignore[arg-type]
    assert comparison.drift is None
    assert comparison.text == f"documented: {AZURE}: supported; {ANTHROPIC}: supported"


def test_no_offering_option_means_no_drift_either_way() -> None:
    expectation = replace(_expect("CAP-STREAMING"), options=())
    assert expectation.expected == "unknown" and not expectation.settled
    assert compare(expectation, "refused").drift is None
    assert compare(expectation, "supported").drift is None
    assert expectation.describe() == "no hosting option offers the model"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[capabilities.CAP-EFFORT]\nrule = "effort.max"\n', "CAP-EFFORT.rule is 'effort.max'"),
        ('[capabilities.CAP-NEW]\nfeature = "streaming"\n', "CAP-NEW is not a capability check"),
        (
            '[capabilities.CAP-WEB-SEARCH]\nfeature = "teleport"\n',
            "CAP-WEB-SEARCH.feature 'teleport' is no feature of a [hosting] option",
        ),
        (
            '[capabilities.CAP-FILES-API]\nbeta = "files-api-2099"\n',
            "CAP-FILES-API.beta 'files-api-2099' is not one of api.betas.values",
        ),
        (
            '[capabilities.CAP-FILES-API]\napi = "photos"\n',
            "CAP-FILES-API.api 'photos' is not an api of [[api.hosted]]",
        ),
        (
            '[capabilities.CAP-CACHING-5M]\nttl = "forever"\n',
            "CAP-CACHING-5M.ttl is 'forever'; use one of ('5m', '1h')",
        ),
        (
            '[capabilities.CAP-WEB-SEARCH]\ntool_typ = "x"\n',
            "CAP-WEB-SEARCH.tool_typ is not a field of a platform profile (a typo?)",
        ),
        ('[markers.teleport]\nfields = ["x"]\n', "markers.teleport is not a feature"),
        ("[markers.web_search]\ntools = []\n", "markers.web_search names no mark"),
        (
            '[[model]]\nid = "claude-opus-5-5"\ncache_min_tokens = -1\n',
            "cache_min_tokens is -1; a cacheable prefix is at least 1 token",
        ),
    ],
)
def test_every_mistake_in_the_capability_tables_names_the_file_and_the_field(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(text, "utf-8")
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    assert message in str(caught.value) and str(path) in str(caught.value)


def test_a_user_profile_changes_one_capability_fact_and_one_feature(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        '[capabilities.CAP-WEB-SEARCH]\ntool_type = "web_search_20260101"\n'
        '[hosting.azure.features]\nweb_search = { status = "supported" }\n',
        "utf-8",
    )
    profile = load_profile(path)
    facts = profile.capabilities["CAP-WEB-SEARCH"]
    assert (facts.tool_type, facts.tool_name, facts.feature) == (
        "web_search_20260101",
        "web_search",
        "web_search",
    )
    assert expectation_for(profile, "CAP-WEB-SEARCH", SONNET).settled
    assert not expectation_for(PROFILE, "CAP-WEB-SEARCH", SONNET).settled
