"""Build ``RunSummary`` values tersely for the report tests (as a run would have written them)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from conformance.core.durations import parse_iso
from conformance.summary.figures import recording_age_days
from conformance.summary.model import (
    CheckResult,
    DiagnosisEntry,
    Evidence,
    RunSummary,
    SecretScan,
    Target,
    UsageTotals,
)

STARTED = datetime(2026, 6, 1, 12, 0, 0, tzinfo=UTC)
BASE_URL = "https://contoso-ai.services.ai.azure.com/anthropic/"
MESSAGES = "/anthropic/v1/messages"
GATEWAY_401 = (
    '{"error":{"code":"401","message":"Access denied due to invalid subscription key or wrong '
    "API endpoint. Make sure to provide a valid key for an active subscription and use a "
    'correct regional API endpoint for your resource."}}'
)


def evidence(
    seq: int,
    status: int | None = 200,
    *,
    check: str | None = "MSG-BASIC",
    method: str = "POST",
    path: str = MESSAGES,
    auth: str | None = "x-api-key",
    request_id: str | None = "auto",
    apim_request_id: str | None = "auto",
    error_body: str | None = None,
    error_code: str | None = None,
    error_class: str | None = None,
    deployment: str | None = "claude-sonnet-4-5",
) -> Evidence:
    """One exchange; IDs derived from ``seq`` unless given (``None``: not returned)."""
    failed = status is None or status >= 400
    return Evidence(
        method=method,
        path=path,
        status=status,
        request_id=f"req_{seq:024d}" if request_id == "auto" else request_id,
        apim_request_id=(
            f"00000000-0000-4000-8000-{seq:012d}" if apim_request_id == "auto" else apim_request_id
        ),
        elapsed_ms=12.5 + seq,
        error_code=error_code,
        auth=auth,
        seq=seq,
        started_at=STARTED.timestamp() + seq,
        check=check,
        deployment=deployment,
        error_class=error_class,
        error_body=error_body if failed else None,
        client_request_id=f"11111111-0000-4000-8000-{seq:012d}",
    )


def check(
    id: str,
    status: str = "passed",
    *,
    area: str | None = None,
    evidence: list[Evidence] | None = None,
    reason: str = "",
    diagnoses: list[str] | None = None,
    params: dict[str, str] | None = None,
    severity: str = "blocker",
) -> CheckResult:
    """One check case."""
    from conformance.core.catalog import BY_ID

    spec = BY_ID.get(id)
    return CheckResult(
        id=id,
        title=spec.title if spec else f"{id} behaves",
        area=area or (spec.area if spec else "endpoint"),
        severity=spec.severity if spec else severity,
        status=status,
        params=params or {},
        reason=reason,
        diagnoses=diagnoses or [],
        evidence=evidence or [],
        case=f"test_x.py::{id}",
    )


def diagnosis(
    code: str,
    severity: str = "blocker",
    *,
    checks: list[str] | None = None,
    evidence: list[Evidence] | None = None,
    details: list[str] | None = None,
) -> DiagnosisEntry:
    """One finding."""
    return DiagnosisEntry(
        code=code,
        title=f"Title of {code}",
        severity=severity,
        summary=f"Why {code} happens, with `a header`.",
        remedy=f"What to do about {code}: send `x-api-key`.",
        checks=checks or [],
        evidence=evidence or [],
        guide_section="Troubleshooting",
        doc_url="https://platform.claude.com/docs/en/build-with-claude/claude-in-microsoft-foundry",
        details=details or [],
    )


def summary(
    checks: list[CheckResult] | None = None,
    diagnoses: list[DiagnosisEntry] | None = None,
    *,
    verdict: str = "conformant",
    kind: str = "live",
    **extra: Any,
) -> RunSummary:
    """A whole run around ``checks`` and ``diagnoses``."""
    checks = checks if checks is not None else [check("MSG-BASIC", evidence=[evidence(1)])]
    counts = {
        "passed": sum(c.status == "passed" for c in checks),
        "failed": sum(c.status == "failed" for c in checks),
        "skipped": sum(c.status == "skipped" for c in checks),
        "errors": sum(c.status == "error" for c in checks),
    }
    finished = STARTED.replace(minute=1)
    recorded_at = extra.pop("recorded_at", None)
    target = Target(
        kind=kind,
        base_url=BASE_URL if kind != "emulator" else "http://127.0.0.1:40123/anthropic/",
        resource="contoso-ai" if kind != "emulator" else None,
        deployments=["claude-sonnet-4-5"],
        auth_modes=["x-api-key", "entra"],
        emulator_profile="api-key-rejected" if kind == "emulator" else None,
        recorded_at=recorded_at,
        cassettes="cassettes/prod" if kind == "replay" else None,
        recording_age_days=recording_age_days(parse_iso(recorded_at), finished),
    )
    fields: dict[str, Any] = {
        "verdict": verdict,
        "target": target,
        "started_at": STARTED.isoformat(timespec="seconds"),
        "finished_at": finished.isoformat(timespec="seconds"),
        "duration_s": 60.0,
        "counts": counts,
        "checks": checks,
        "diagnoses": diagnoses or [],
        "usage": UsageTotals(
            requests=3,
            input_tokens=40,
            output_tokens=5,
            by_deployment={
                "claude-sonnet-4-5": {"requests": 3, "input_tokens": 40, "output_tokens": 5}
            },
            by_check={"MSG-BASIC": {"requests": 1, "input_tokens": 14, "output_tokens": 1}},
        ),
        "secret_scan": SecretScan(clean=True, files_scanned=4),
        "harness": {"foundry_conformance": "0.1.0", "anthropic_sdk": "2.14.0", "python": "3.11.7"},
        "latency": {
            "claude-sonnet-4-5": {
                "requests": 3.0,
                "median_ms": 410.2,
                "max_ms": 655.0,
                "ttft_ms": 301.5,
            }
        },
    }
    fields.update(extra)
    return RunSummary(**fields)


def failing_summary() -> RunSummary:
    """A non-conformant live run: the api-key header refused, a 429 seen, a request-id missing."""
    refused = evidence(
        5,
        401,
        check="AUTH-API-KEY",
        auth="api-key",
        request_id=None,
        error_body=GATEWAY_401,
        error_code="401",
    )
    throttled = evidence(
        9,
        429,
        check="MSG-STREAM",
        error_code="RateLimitReached",
        error_body='{"error":{"code":"RateLimitReached","message":"Try again in 7 seconds."}}',
    )
    no_rid = evidence(3, 200, check="MSG-BASIC", request_id=None)
    checks = [
        check(
            "EP-REACH", evidence=[evidence(1, 401, check="EP-REACH", auth="none", request_id=None)]
        ),
        check(
            "AUTH-API-KEY",
            "failed",
            evidence=[refused],
            reason="the key in api-key was not accepted",
            diagnoses=["api-key-header-rejected"],
        ),
        check(
            "AUTH-MISSING",
            evidence=[
                evidence(
                    7,
                    401,
                    check="AUTH-MISSING",
                    auth="none",
                    request_id=None,
                    error_body=GATEWAY_401,
                )
            ],
        ),
        check(
            "AUTH-ENTRA", "skipped", reason="no Entra ID token: set FOUNDRY_CONFORMANCE_ENTRA_TOKEN"
        ),
        check("MSG-BASIC", evidence=[no_rid]),
        check(
            "MSG-STREAM",
            "error",
            evidence=[throttled],
            reason="could not judge: throttled",
            diagnoses=["rate-limited"],
        ),
        check(
            "RID-REQUEST-ID",
            "failed",
            evidence=[no_rid],
            diagnoses=["missing-request-id"],
            reason="1 of 4 Anthropic-layer answers lack request-id",
        ),
        check(
            "DEP-SERVES",
            params={"deployment": "claude-sonnet-4-5"},
            evidence=[evidence(11, check="DEP-SERVES")],
        ),
        check(
            "DEP-SERVES",
            params={"deployment": "claude-opus-4-5"},
            evidence=[evidence(12, check="DEP-SERVES")],
        ),
    ]
    diagnoses = [
        diagnosis("missing-request-id", "warning", checks=["RID-REQUEST-ID"], evidence=[no_rid]),
        diagnosis("rate-limited", "info", checks=["MSG-STREAM"], evidence=[throttled]),
        diagnosis(
            "api-key-header-rejected",
            "blocker",
            checks=["AUTH-API-KEY"],
            evidence=[refused],
            details=["#5 POST /anthropic/v1/messages [api-key] → 401"],
        ),
    ]
    return summary(checks, diagnoses, verdict="nonconformant")
