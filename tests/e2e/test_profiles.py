"""Each emulator fault is caught by the check that should catch it, with the right diagnosis.

The real CLI runs the standard suite against the real emulator over loopback; the assertions name
the checks that must fail and the diagnosis codes that must explain them, and check that the
checks with nothing to do with the fault still pass. The profiles here are conformance findings;
the transport and server faults (resets, truncated and slow streams, garbage and huge bodies, 5xx,
529, 429) are in the fault matrix, ``tests/e2e/faults/test_fault_matrix.py``.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from .conftest import CliRun

# profile → (checks that must fail or error, diagnosis codes that must appear, checks that must pass)
FAULTS: dict[str, tuple[set[str], set[str], set[str]]] = {
    "api-key-rejected": (
        {"AUTH-API-KEY"},
        {"api-key-header-rejected"},
        {"AUTH-X-API-KEY", "MSG-BASIC", "MSG-STREAM", "SDK-FOUNDRY", "RID-REQUEST-ID"},
    ),
    "ratelimit-headers": (
        {"RL-HEADERS-ABSENT"},
        {"rate-limit-headers-present"},
        {"MSG-BASIC", "AUTH-X-API-KEY", "UNS-MODELS"},
    ),
    "models-served": (
        {"UNS-MODELS"},
        {"unsupported-endpoint-served"},
        {"UNS-BATCHES", "UNS-ADMIN", "MSG-BASIC"},
    ),
    "no-apim-request-id": (
        {"RID-APIM-REQUEST-ID", "AUTH-BAD-KEY"},
        {"missing-apim-request-id"},
        {"RID-REQUEST-ID", "MSG-BASIC"},
    ),
    "no-request-id": (
        {"RID-REQUEST-ID"},
        {"missing-request-id"},
        {"RID-APIM-REQUEST-ID", "MSG-BASIC", "MSG-STREAM"},
    ),
    "done-sentinel": (
        {"MSG-STREAM"},
        {"stream-protocol-violation"},
        {"MSG-BASIC", "SDK-FOUNDRY"},
    ),
    "key-auth-disabled": (
        {"AUTH-X-API-KEY", "AUTH-API-KEY", "SDK-FOUNDRY"},
        {"key-auth-disabled"},
        {"AUTH-ENTRA", "MSG-BASIC", "MSG-STREAM", "SDK-ENTRA", "SDK-STREAM"},
    ),
    "rbac-missing": (
        {"AUTH-ENTRA", "AUTH-ENTRA-ALT-SCOPE", "SDK-ENTRA"},
        {"missing-rbac-role"},
        {"AUTH-X-API-KEY", "MSG-BASIC", "SDK-FOUNDRY"},
    ),
}


def test_default_profile_is_conformant_with_every_catalog_check_present(
    run_cli: Callable[..., CliRun],
) -> None:
    from conformance.core.catalog import CHECKS

    result = run_cli("--emulator")
    assert result.exit_code == 0, result.output
    summary = result.summary
    assert summary["verdict"] == "conformant"
    assert {c["id"] for c in summary["checks"]} == {c.id for c in CHECKS}
    assert summary["counts"]["failed"] == 0 and summary["counts"]["errors"] == 0
    skipped = {c["id"]: c["reason"] for c in summary["checks"] if c["status"] == "skipped"}
    opt_in = {"RL-429", "AUTH-RBAC"}
    # The default model accepts every rule the profile documents: acceptances cost tokens, so
    # the standard suite leaves them to --suite full, saying so; and so it does with the
    # capabilities the profile documents as supported everywhere, and the costly ones.
    acceptances = {"RULE-THINKING", "RULE-EFFORT", "RULE-SYSTEM-MIDCONV"}
    capabilities = {c.id for c in CHECKS if c.area == "capabilities"}
    assert set(skipped) - capabilities == opt_in | acceptances
    assert all("opt-in" in skipped[check] for check in opt_in)
    assert all("--suite full" in skipped[check] for check in acceptances)
    assert all("--suite full" in skipped[check] for check in set(skipped) & capabilities)
    assert summary["target"]["kind"] == "emulator"
    assert "proves nothing about Azure" in result.output


@pytest.mark.parametrize("profile", sorted(FAULTS))
def test_each_fault_is_caught_by_its_check_with_its_diagnosis(
    run_cli: Callable[..., CliRun], profile: str
) -> None:
    must_fail, codes, must_pass = FAULTS[profile]
    result = run_cli("--emulator", profile)
    assert result.exit_code == 1, result.output
    assert result.summary["verdict"] == "nonconformant"
    assert must_fail <= result.failing(), result.statuses()
    assert codes <= result.codes(), result.codes()
    passed = {c["id"] for c in result.summary["checks"] if c["status"] == "passed"}
    assert must_pass <= passed, result.statuses()
    for check_id in must_fail:
        check = result.check(check_id)
        assert check["reason"], f"{check_id} failed without a reason"
        assert set(check["diagnoses"]) & (codes | {"check-error"}) or check["diagnoses"], check


def test_slow_endpoint_fails_the_latency_threshold_only(run_cli: Callable[..., CliRun]) -> None:
    result = run_cli("--emulator", "slow=0.15", "--max-latency-ms", "100")
    assert result.failing() == {"PERF-LATENCY"}, result.statuses()
    assert "total" in result.check("PERF-LATENCY")["reason"]


def test_echoed_key_never_reaches_an_artifact(
    run_cli: Callable[..., CliRun], clean_env: pytest.MonkeyPatch
) -> None:
    canary = "canary-key-DO-NOT-LEAK-4f1d2c3b5a69788796a5b4c3d2e1f0aa"
    clean_env.setenv("ANTHROPIC_FOUNDRY_API_KEY", canary)
    result = run_cli("--emulator", "echo-key")
    assert result.summary["secret_scan"] == {
        "clean": True,
        "files_scanned": 5,
        "hits": [],  # redacted at the source: the scan before publishing found nothing left
        "redacted": [],
        "withheld": [],
    }
    for path in result.report_dir.rglob("*"):
        if path.is_file():
            assert canary not in path.read_text("utf-8", errors="replace"), path
    assert canary not in result.output
    # Every check passed; the endpoint sending the key back is what makes the run nonconformant.
    assert result.exit_code == 1, result.output
    assert result.summary["counts"]["failed"] == 0
    [echo] = [d for d in result.summary["diagnoses"] if d["code"] == "credential-echoed"]
    assert echo["severity"] == "blocker" and echo["evidence"]
    assert all(e["request_id"] or e["apim_request_id"] for e in echo["evidence"])
    assert any(
        detail.endswith("came back in the x-echoed-credential header, the body")
        for detail in echo["details"]
    ), echo["details"]
