"""The run summary: one typed model of a whole run, written as ``summary.json`` (SPEC's schema).

Everything a writer shows comes from here, so the HTML report, the ticket and CI can all be
rebuilt from a saved ``summary.json`` (``summary.load`` reads one back).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..core.interactions import Interaction, run_step_of
from .changes import Comparison
from .footprint import PacingSummary
from .observed import Observed

SCHEMA = "foundry-conformance.summary/1"
# The row of ``usage.by_check`` that holds the run's own requests (the inventory of deployments,
# the choice of the primary auth): no check sent them, but they are requests of the run.
RUN_ROW = "run"

VERDICTS: tuple[str, ...] = (
    "conformant",
    "nonconformant",
    "unreachable",
    "misconfigured",
    "incomplete",
)


@dataclass
class Evidence:
    """One exchange as evidence: what was sent where, and the IDs support will ask for."""

    method: str
    path: str
    status: int | None
    request_id: str | None
    apim_request_id: str | None
    elapsed_ms: float | None
    error_code: str | None = None
    auth: str | None = None
    seq: int = 0
    started_at: float = 0.0
    check: str | None = None
    deployment: str | None = None
    ttfb_ms: float | None = None
    error_class: str | None = None
    error_body: str | None = None
    client_request_id: str | None = None
    # For a request no check sent: the step of the run it was for (``discovery``, ``primary-auth``).
    run_step: str | None = None
    ttft_ms: float | None = None

    @classmethod
    def of(cls, ix: Interaction, error_code: str | None = None) -> Evidence:
        """Evidence from an interaction (``error_code`` is the classified Azure/Anthropic code)."""
        failed = ix.status is None or ix.status >= 400
        return cls(
            method=ix.method,
            path=ix.path,
            status=ix.status,
            request_id=ix.request_id,
            apim_request_id=ix.apim_request_id,
            elapsed_ms=ix.elapsed_ms,
            error_code=error_code,
            auth=ix.auth,
            seq=ix.seq,
            started_at=ix.started_at,
            check=ix.check_id,
            deployment=ix.deployment,
            ttfb_ms=ix.ttfb_ms,
            error_class=ix.error_class,
            error_body=(ix.response_body or ix.error_message) if failed else None,
            client_request_id=ix.request_headers.get("x-ms-client-request-id"),
            run_step=None if ix.check_id else run_step_of(ix.case),
            ttft_ms=ix.ttft_ms,
        )


@dataclass
class CheckResult:
    """The outcome of one check case."""

    id: str
    title: str
    area: str
    severity: str
    status: str
    params: dict[str, str] = field(default_factory=dict)
    reason: str = ""
    diagnoses: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    duration_s: float = 0.0
    case: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    # The requests this case sent itself (its evidence may cite fewer, or others' it judged).
    requests: int = 0
    # Why the case was not judged, if it was cut short: "budget", "interrupted", "unrecorded".
    cut_short: str | None = None
    # A skip's reason without what is particular to the case, shared by the cases skipped for
    # the same reason (the terminal folds skips by it); empty: the reason itself.
    skip_kind: str = ""

    @property
    def label(self) -> str:
        """``AUTH-BAD-KEY[api-key]``: the case's name in the terminal, JUnit and the report."""
        joined = "-".join(self.params.values())
        return f"{self.id}[{joined}]" if joined else self.id


@dataclass
class CutShort:
    """One cause that cut the run short, the check cases it left unjudged, and what explains it
    (for a replay: what the recording lacked, per request)."""

    cause: str
    summary: str
    checks: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    remedy: str = ""


@dataclass
class DiagnosisEntry:
    """One finding: a cause, its remedy, the checks it explains and the requests that show it."""

    code: str
    title: str
    severity: str
    summary: str
    remedy: str
    checks: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    guide_section: str = ""
    doc_url: str = ""
    details: list[str] = field(default_factory=list)


@dataclass
class CapabilityCell:
    """One capability on one deployment: what its probe saw, held against the platform profile."""

    status: str  # supported | refused | not-honoured | not-judged
    expected: str  # supported | unsupported | conflicting | unknown | varies (by hosting option)
    expected_by_option: dict[str, str] = field(default_factory=dict)  # hosting option → status
    documented: str = ""  # the expectation in words: each option, the model's own rule
    conflicts: list[str] = field(default_factory=list)  # both sides, where the sources conflict
    reason: str = ""
    drift: str = ""  # "", documented-feature-refused or unsupported-feature-accepted
    consistent_with: list[str] = field(default_factory=list)  # the options the cell fits
    check_status: str = ""  # the case's status: passed | failed | skipped | error
    case: str = ""
    diagnoses: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class DeploymentCapabilities:
    """The capability matrix's column of one deployment."""

    model: str | None  # the profile's model behind it (None: one the profile does not know)
    profile: dict[str, str]  # the platform profile that set the expectations: version, date, source
    # The matrix's own requests, input_tokens, output_tokens, cache_write_tokens, cache_read_tokens.
    cost: dict[str, int]
    cells: dict[str, CapabilityCell] = field(default_factory=dict)  # by CAP-* check ID


@dataclass
class Target:
    """What the run exercised."""

    kind: str
    base_url: str
    resource: str | None
    deployments: list[str]
    auth_modes: list[str]
    emulator_profile: str | None = None
    recorded_at: str | None = None
    cassettes: str | None = None
    # Whole days from ``recorded_at`` to the run's ``finished_at``: the one age every output shows.
    recording_age_days: int | None = None


@dataclass
class UsageTotals:
    """Requests and tokens, in all and per deployment and per check (the run's own requests in
    the ``RUN_ROW`` row, so that ``by_check`` adds up to ``requests``)."""

    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    by_deployment: dict[str, dict[str, int]] = field(default_factory=dict)
    by_check: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass
class ScanNote:
    """An artifact the scan had to act on, and what became of it (never the secret itself)."""

    file: str
    reason: str


@dataclass
class SecretScan:
    """What the scan of every artifact, before it was published, found and did.

    ``clean``: nothing was withheld, so every artifact of the run is in place and holds no
    secret. ``hits``: every file in which the scan found a secret (or whose name spelled one):
    those ``redacted`` before they were published, and those ``withheld``.
    """

    clean: bool = True
    files_scanned: int = 0
    hits: list[str] = field(default_factory=list)
    redacted: list[ScanNote] = field(default_factory=list)
    withheld: list[ScanNote] = field(default_factory=list)


@dataclass
class RunSummary:
    """The whole run."""

    verdict: str
    target: Target
    started_at: str
    finished_at: str
    duration_s: float
    counts: dict[str, int]
    checks: list[CheckResult]
    diagnoses: list[DiagnosisEntry]
    usage: UsageTotals
    secret_scan: SecretScan = field(default_factory=SecretScan)
    harness: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    incomplete: bool = False
    # Why the run is incomplete (empty when it finished): see ``summary.cut_short``.
    cut_short: list[CutShort] = field(default_factory=list)
    latency: dict[str, dict[str, float | None]] = field(default_factory=dict)
    token_claims: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The platform profile that set the expectations: {version, date, source, api_version}.
    platform_profile: dict[str, str] = field(default_factory=dict)
    # Every request of the run, in the order sent (``seq``): the correlation IDs of all of them.
    requests: list[Evidence] = field(default_factory=list)
    # The capability matrix: per deployment, one cell per CAP-* check (summary.matrix).
    capabilities: dict[str, DeploymentCapabilities] = field(default_factory=dict)
    # The run's own footprint per quota pool, beside the ceilings it was paced under.
    pacing: PacingSummary = field(default_factory=PacingSummary)
    # Response header names and error-body signatures, for telling drift from a baseline.
    observed: Observed = field(default_factory=Observed)
    # What changed since the run given as --baseline (None: no baseline).
    since_baseline: Comparison | None = None
    schema: str = SCHEMA

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form, ``schema`` first."""
        data = asdict(self)
        return {"schema": data.pop("schema"), **data}

    def to_json(self) -> str:
        """``summary.json``'s text."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def write(self, path: Path) -> Path:
        """Write ``summary.json`` (as is: a run's artifacts are published by ``report``)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.to_json(), "utf-8")
        return path
