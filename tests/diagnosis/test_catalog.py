"""The catalog: every code has a readable, actionable, sourced entry."""

from __future__ import annotations

import re

import pytest

from conformance.core.platform_load import builtin_profile
from conformance.diagnosis import ALL_CODES, CATALOG, SEVERITY_ORDER, is_known, lookup
from conformance.diagnosis.info import DiagnosisInfo, platform_facts
from conformance.diagnosis.readings import READINGS

# The diagnosis table of SPEC.md; the catalog may add codes, never drop one.
SPEC_CODES = {
    "config-conflict",
    "config-missing",
    "dns-failure",
    "connection-failed",
    "tls-error",
    "timeout",
    "wrong-base-path",
    "api-not-supported",
    "invalid-api-key",
    "api-key-header-rejected",
    "invalid-token",
    "expired-token",
    "wrong-token-audience",
    "missing-rbac-role",
    "key-auth-disabled",
    "network-restricted",
    "deployment-not-found",
    "rate-limited",
    "feature-not-available",
    "rate-limit-headers-present",
    "unsupported-endpoint-served",
    "missing-request-id",
    "missing-apim-request-id",
    "malformed-response",
    "stream-protocol-violation",
    "server-error",
    "overloaded",
}


def test_the_catalog_covers_the_spec_and_nothing_is_left_out() -> None:
    assert set(CATALOG) >= SPEC_CODES
    assert list(CATALOG) == list(ALL_CODES)


@pytest.mark.parametrize("code", ALL_CODES)
def test_each_entry_is_complete_and_readable(code: str) -> None:
    info = filled(code)
    assert info.code == code
    assert info.severity in SEVERITY_ORDER
    # A title names the cause, not the status code.
    assert info.title and not re.search(r"\b[1-5]\d\d\b", info.title)
    assert info.title[0].isupper() and not info.title.endswith(".")
    for text in (info.cause, info.remedy):
        assert len(text) > 60 and text.endswith("."), text
    if code == "check-error":  # the harness's own failures rest on no platform document
        assert info.guide_section is None and info.doc_url is None
    else:
        assert info.guide_section
        assert info.doc_url is not None and info.doc_url.startswith("https://")


def test_lookup_of_an_unknown_code_names_it() -> None:
    with pytest.raises(KeyError, match="no-such-thing"):
        lookup("no-such-thing")
    assert not is_known("no-such-thing") and is_known("timeout")


def test_troubleshooting_entries_cite_the_guide_section() -> None:
    assert lookup("invalid-api-key").guide_section == (
        "Troubleshooting › Authentication errors › 401 Unauthorized / Invalid API key"
    )
    assert (lookup("missing-rbac-role").guide_section or "").endswith("403 Forbidden")
    assert "429" in (lookup("rate-limited").guide_section or "")


def filled(code: str) -> DiagnosisInfo:
    """An entry as a report shows it: its platform facts filled from the built-in profile."""
    return lookup(code).filled(platform_facts(builtin_profile()))


def test_missing_role_names_the_roles_that_work_and_those_that_do_not() -> None:
    info = filled("missing-rbac-role")
    for role in ("Cognitive Services User", "Foundry User", "Azure AI User"):
        assert role in info.cause + info.remedy
    for role in ("Cognitive Services OpenAI User", "Azure AI Developer"):
        assert role in info.cause
    assert "minutes" in info.remedy


def test_key_header_remedy_names_the_header_and_the_fixed_sdk() -> None:
    remedy = lookup("api-key-header-rejected").remedy
    assert "x-api-key" in remedy and "0.107.1" in remedy


def test_base_path_remedy_gives_the_corrected_form() -> None:
    assert "https://{resource}.services.ai.azure.com/anthropic/" in lookup("wrong-base-path").remedy


def test_rate_limit_remedy_says_wait_back_off_and_quota() -> None:
    remedy = lookup("rate-limited").remedy
    assert "advertised" in remedy and "backoff" in remedy and "quota" in remedy


@pytest.mark.parametrize("code", ["rate-limit-headers-present", "unsupported-endpoint-served"])
def test_documentation_drift_says_to_report_it(code: str) -> None:
    assert "Report it" in lookup(code).remedy
    assert lookup(code).severity == "info"


# The placeholders a reading fills from the evidence (``readings``), with values as it gives them.
READING_FACTS = {
    "target": "127.0.0.1:8800",
    "target_port": "8800",
    "exact_names": "claude-sonnet-5-5 (not Claude-Sonnet-5-5)",
}
VARIANTS = [(info.code, v.key) for info in CATALOG.values() for v in info.variants]


@pytest.mark.parametrize(("code", "key"), VARIANTS, ids=[f"{c}:{k}" for c, k in VARIANTS])
def test_each_variant_is_complete_readable_and_says_something_else(code: str, key: str) -> None:
    entry = filled(code)
    info = lookup(code).variant(key).filled({**platform_facts(builtin_profile()), **READING_FACTS})
    assert (info.code, info.guide_section, info.doc_url) == (
        entry.code,
        entry.guide_section,
        entry.doc_url,
    )
    assert info.title != entry.title and info.remedy != entry.remedy
    assert info.title[0].isupper() and not info.title.endswith(".")
    assert not re.search(r"\b[1-5]\d\d\b", info.title)
    for text in (info.cause, info.remedy):
        assert len(text) > 60 and text.endswith(".") and "${" not in text, text


def test_every_variant_has_a_reading_that_chooses_it_and_no_reading_names_a_missing_one() -> None:
    assert {code for code, _ in VARIANTS} == set(READINGS)
    with pytest.raises(KeyError, match="'server-error' has no variant 'loopback'"):
        lookup("server-error").variant("loopback")
    assert lookup("server-error").variant(None) is lookup("server-error")
