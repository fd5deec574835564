"""A small run of literal interactions and case outcomes, and the summary built from it."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import timedelta

from conformance.core.interactions import Interaction
from conformance.core.jwt_claims import TokenClaims
from conformance.core.redaction import Redactor
from conformance.summary.build import CaseOutcome, assemble_summary
from conformance.summary.model import RunSummary, Target
from tests.diagnosis import bodies
from tests.diagnosis.helpers import BASE_URL, NOW, ix
from tests.platform_facts import COGNITIVE_SERVICES_SCOPE

SONNET = "claude-sonnet-4-5"
OPUS = "claude-opus-4-5"
SUITE = "conformance/suite/test_x.py"
STARTED = NOW - timedelta(seconds=42, milliseconds=500)
# Registered with the run's redactor: it must never reach the summary.
CANARY = "canary-secret-5f1e9a3c-must-never-reach-the-summary"
APIM_ONLY = {"apim-request-id": "3f2b1c8e-5d4a-4e6f-9a7b-1c2d3e4f5a6b"}
SSE_WITHOUT_REQUEST_ID = {**APIM_ONLY, "content-type": "text/event-stream"}
JSON_WITHOUT_IDS = {"content-type": "application/json"}
TARGET = Target(
    kind="live",
    base_url=BASE_URL,
    resource="example-resource",
    deployments=[SONNET, OPUS],
    auth_modes=["x-api-key", "api-key"],
)


def case(check_id: str, param: str | None = None) -> str:
    """The pytest node ID of a check's case."""
    return f"{SUITE}::{check_id}" + (f"[{param}]" if param else "")


def exchange(
    status: int | None,
    body: str = "",
    *,
    seq: int,
    check_id: str,
    param: str | None = None,
    deployment: str | None = SONNET,
    elapsed_ms: float | None = None,
    tokens: tuple[int | None, int | None] = (None, None),
    auth: str | None = "x-api-key",
    headers: dict[str, str] | None = None,
    streamed: bool = False,
    ttft_ms: float | None = None,
) -> Interaction:
    """An interaction of ``check_id``'s case, as the seam logs it (see ``tests.diagnosis``)."""
    return replace(
        ix(status, body, seq=seq, check_id=check_id, auth=auth, headers=headers),
        case=case(check_id, param),
        deployment=deployment,
        elapsed_ms=elapsed_ms,
        input_tokens=tokens[0],
        output_tokens=tokens[1],
        streamed=streamed,
        ttft_ms=ttft_ms,
    )


def small_run() -> tuple[list[Interaction], list[CaseOutcome]]:
    """Nine checks, ten cases: passes, a skip, a refused key header, a throttle without
    apim-request-id, a stream without request-id, and the run-wide checks that notice."""
    interactions = [
        exchange(
            200, bodies.MESSAGE_OK, seq=1, check_id="MSG-BASIC", elapsed_ms=100.0, tokens=(8, 2)
        ),
        exchange(
            200,
            bodies.STREAM_OK,
            seq=2,
            check_id="MSG-STREAM",
            elapsed_ms=300.0,
            tokens=(9, 5),
            headers=SSE_WITHOUT_REQUEST_ID,
            streamed=True,
            ttft_ms=120.04,
        ),
        exchange(
            401,
            bodies.INVALID_SUBSCRIPTION_KEY,
            seq=3,
            check_id="AUTH-API-KEY",
            elapsed_ms=20.0,
            auth="api-key",
        ),
        exchange(
            200,
            bodies.MESSAGE_OK,
            seq=4,
            check_id="DEP-SERVES",
            param=OPUS,
            deployment=OPUS,
            elapsed_ms=50.0,
            tokens=(7, 1),
        ),
        exchange(
            429,
            bodies.RATE_LIMIT_REACHED,
            seq=5,
            check_id="MSG-SYSTEM",
            elapsed_ms=5.0,
            headers=JSON_WITHOUT_IDS,
        ),
        exchange(
            200,
            bodies.MESSAGE_OK,
            seq=6,
            check_id="DEP-SERVES",
            param=SONNET,
            elapsed_ms=200.0,
            tokens=(8, 2),
        ),
    ]
    outcomes = [
        CaseOutcome(
            "RID-REQUEST-ID",
            case("RID-REQUEST-ID"),
            status="failed",
            reason="1 of 4 Anthropic-layer answers lack request-id",
            codes=["missing-request-id"],
            evidence_seqs=[2],
        ),
        CaseOutcome(
            "RID-APIM-REQUEST-ID",
            case("RID-APIM-REQUEST-ID"),
            status="failed",
            reason="1 of 6 answers lack apim-request-id",
            codes=["missing-apim-request-id"],
            evidence_seqs=[5],
        ),
        CaseOutcome(
            "AUTH-API-KEY",
            case("AUTH-API-KEY"),
            status="failed",
            reason=f"the key {CANARY} was refused in api-key",
            codes=["api-key-header-rejected"],
            duration_s=0.12345,
        ),
        CaseOutcome(
            "DEP-SERVES", case("DEP-SERVES", SONNET), params={"deployment": SONNET}, status="passed"
        ),
        CaseOutcome(
            "MSG-STREAM",
            case("MSG-STREAM"),
            params={"deployment": SONNET},
            status="passed",
        ),
        CaseOutcome("MSG-BASIC", case("MSG-BASIC"), status="passed"),
        CaseOutcome(
            "DEP-SERVES", case("DEP-SERVES", OPUS), params={"deployment": OPUS}, status="passed"
        ),
        CaseOutcome(
            "MSG-SYSTEM", case("MSG-SYSTEM"), status="error", reason="could not judge: throttled"
        ),
        CaseOutcome("EP-REACH", case("EP-REACH"), status="passed"),
        CaseOutcome("AUTH-ENTRA", case("AUTH-ENTRA"), status="skipped", reason="no Entra ID token"),
    ]
    return interactions, outcomes


def build(
    interactions: Sequence[Interaction],
    outcomes: Sequence[CaseOutcome],
    *,
    redactor: Redactor | None = None,
    stopped: Mapping[str, str] | None = None,
    notes: Sequence[str] = (),
    token_claims: Mapping[str, TokenClaims] | None = None,
    sdk_version: str = "2.14.0",
) -> RunSummary:
    """The summary of a run that started at ``STARTED`` and finished at ``NOW``."""
    return assemble_summary(
        target=TARGET,
        interactions=interactions,
        outcomes=outcomes,
        token_claims=token_claims or {},
        entra_scope=COGNITIVE_SERVICES_SCOPE,
        redactor=redactor or Redactor([CANARY]),
        started_at=STARTED,
        finished_at=NOW,
        stopped=stopped,
        notes=notes,
        sdk_version=sdk_version,
    )


def built_summary() -> RunSummary:
    """The summary of ``small_run``."""
    return build(*small_run(), notes=["the run used --jobs 4"])


SONNET_5_5 = "claude-sonnet-5-5"  # the capability run's deployments (the current line-up)
CUSTOM = "my-custom-deployment"  # a deployment name the profile does not know
CACHED = json.dumps(
    {
        "type": "message",
        "content": [{"type": "text", "text": "ok"}],
        "usage": {
            "input_tokens": 4,
            "output_tokens": 1,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 1414,
        },
    }
)


def _cell(
    status: str, reason: str, drift: str = "", fits: tuple[str, ...] = ()
) -> dict[str, object]:
    """The properties a probe records for its cell (``capability_probe.Probe._cell``)."""
    return {
        "capability": status,
        "capability_cell": {"reason": reason, "drift": drift, "consistent_with": list(fits)},
    }


def capability_run(deployments: tuple[str, ...] = (SONNET_5_5, CUSTOM)) -> RunSummary:
    """On ``SONNET_5_5``: streaming supported, custom tools refused though documented everywhere
    (drift), structured outputs refused in the field's wording (Azure's side of the conflict),
    citations accepted but not honoured, caching read from the cache, web search never started;
    streaming on a deployment the profile does not know; and a check of another area."""
    p = {"deployment": SONNET_5_5}
    interactions = [
        exchange(200, bodies.MESSAGE_OK, seq=1, check_id="MSG-BASIC", tokens=(9, 5)),
        exchange(
            200, bodies.MESSAGE_OK, seq=2, check_id="CAP-STREAMING", param=SONNET_5_5, tokens=(8, 1)
        ),
        exchange(
            400,
            bodies.STRUCTURED_OUTPUTS_UNSUPPORTED,
            seq=3,
            check_id="CAP-STRUCTURED-OUTPUT",
            param=SONNET_5_5,
        ),
        exchange(200, CACHED, seq=4, check_id="CAP-CACHING-5M", param=SONNET_5_5, tokens=(4, 1)),
        exchange(400, bodies.EXTRA_INPUTS, seq=6, check_id="CAP-TOOLS", param=SONNET_5_5),
        exchange(
            200,
            bodies.MESSAGE_OK,
            seq=7,
            check_id="CAP-CITATIONS",
            param=SONNET_5_5,
            tokens=(20, 3),
        ),
        exchange(
            200,
            bodies.MESSAGE_OK,
            seq=5,
            check_id="CAP-STREAMING",
            param=CUSTOM,
            deployment=CUSTOM,
            tokens=(8, 1),
        ),
    ]
    interactions[3] = replace(interactions[3], cache_write_tokens=0, cache_read_tokens=1414)
    outcomes = [
        CaseOutcome("MSG-BASIC", case("MSG-BASIC"), status="passed"),
        CaseOutcome(
            "CAP-STREAMING",
            case("CAP-STREAMING", SONNET_5_5),
            params=p,
            status="passed",
            details=_cell("supported", "supported, as documented for both", fits=("azure",)),
        ),
        CaseOutcome(
            "CAP-TOOLS",
            case("CAP-TOOLS", SONNET_5_5),
            params=p,
            status="failed",
            reason="documented as supported, but refused here",
            codes=["documented-feature-refused"],
            details=_cell(
                "refused",
                "documented as supported, but refused here",
                drift="documented-feature-refused",
            ),
        ),
        CaseOutcome(
            "CAP-CITATIONS",
            case("CAP-CITATIONS", SONNET_5_5),
            params=p,
            status="failed",
            reason="accepted, but not honoured: no char_location citation",
            codes=["feature-not-honoured"],
            details=_cell("not-honoured", "accepted, but not honoured: no char_location citation"),
        ),
        CaseOutcome(
            "CAP-STRUCTURED-OUTPUT",
            case("CAP-STRUCTURED-OUTPUT", SONNET_5_5),
            params=p,
            status="passed",
            details=_cell("refused", "refused: the sources conflict", fits=("Hosted on Azure",)),
        ),
        CaseOutcome(
            "CAP-CACHING-5M",
            case("CAP-CACHING-5M", SONNET_5_5),
            params=p,
            status="passed",
            details=_cell("supported", "1414 input tokens read from the cache"),
        ),
        CaseOutcome(
            "CAP-WEB-SEARCH",
            case("CAP-WEB-SEARCH", SONNET_5_5),
            params=p,
            status="skipped",
            reason="not run: the run's budget of 4 requests is spent",
        ),
        CaseOutcome(
            "CAP-STREAMING",
            case("CAP-STREAMING", CUSTOM),
            params={"deployment": CUSTOM},
            status="passed",
            details=_cell("supported", "supported"),
        ),
    ]
    return assemble_summary(
        target=replace(TARGET, deployments=list(deployments)),
        interactions=interactions,
        outcomes=outcomes,
        token_claims={},
        entra_scope=COGNITIVE_SERVICES_SCOPE,
        redactor=Redactor([]),
        started_at=STARTED,
        finished_at=NOW,
    )
