"""From what a run did (check outcomes, interactions, token claims) to its ``RunSummary`` (pure).

The diagnosis engine explains the interactions; this module links its findings to the checks they
explain, totals usage and latency, and decides the verdict. Every string of the summary passes
through the redactor once more on the way out.
"""

from __future__ import annotations

import platform
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from .. import __version__
from ..core import catalog
from ..core.durations import parse_iso
from ..core.interactions import Interaction
from ..core.jwt_claims import TokenClaims
from ..core.platform import PlatformProfile
from ..core.platform_load import builtin_profile
from ..core.redaction import Redactor, redact_tree
from ..diagnosis import (
    DeclaredFinding,
    DiagnosisContext,
    Finding,
    classify_error_body,
    diagnose,
    explain_interaction,
    prevailing,
)
from .cut_short import UNRECORDED, cut_short_causes, unrecorded_case
from .figures import latency_by_deployment, recording_age_days, usage_totals
from .footprint import PacingFacts, footprint
from .matrix import build_matrix
from .model import (
    CheckResult,
    CutShort,
    DiagnosisEntry,
    Evidence,
    RunSummary,
    Target,
)
from .observed import observe
from .verdict import count_statuses, decide_verdict

MAX_EVIDENCE_PER_CHECK = 20


@dataclass
class CaseOutcome:
    """What one check case ended as, before it meets the interactions."""

    check_id: str
    case: str
    params: dict[str, str] = field(default_factory=dict)
    status: str = "error"
    reason: str = ""
    codes: list[str] = field(default_factory=list)
    duration_s: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)
    # Interactions of other checks that this check judged (the run-wide checks send nothing).
    evidence_seqs: list[int] = field(default_factory=list)
    # Why the case was not judged, if it was cut short ("budget", "interrupted", "unrecorded").
    cut_short: str | None = None
    # A skip's reason without what is particular to the case (``Unavailable.kind``).
    skip_kind: str = ""


def error_code_of(ix: Interaction) -> str | None:
    """The Azure ``error.code`` or Anthropic ``error.type`` an answer carried."""
    if ix.status is None or ix.status < 400:
        return None
    signature = classify_error_body(ix.status, ix.response_headers, ix.response_body)
    return signature.code or signature.type


def evidence_of(ix: Interaction, redactor: Redactor) -> Evidence:
    """An interaction as evidence (its error body through the redactor once more)."""
    evidence = Evidence.of(ix, error_code_of(ix))
    if evidence.error_body is not None:
        evidence.error_body = redactor.text(evidence.error_body)
    return evidence


def assemble_summary(
    *,
    target: Target,
    interactions: Sequence[Interaction],
    outcomes: Sequence[CaseOutcome],
    token_claims: Mapping[str, TokenClaims],
    entra_scope: str,
    redactor: Redactor,
    started_at: datetime,
    finished_at: datetime,
    stopped: Mapping[str, str] | None = None,
    notes: Sequence[str] = (),
    sdk_version: str = "",
    profile: PlatformProfile | None = None,
    hints: Callable[[str], str] = str,
    pacing: PacingFacts | None = None,
) -> RunSummary:
    """The run summary: checks, diagnoses, usage, latency and the verdict. ``stopped`` says,
    by cause (``cut_short.BUDGET``, ``cut_short.INTERRUPTED``), why the run stopped early;
    ``hints`` spells the flags our own texts name for the interface in use (``core.flags``)."""

    def said(text: str) -> str:
        return hints(redactor.text(text))

    sent = [ix for ix in interactions if ix.unrecorded is None]  # what reached the endpoint
    by_case: dict[str, list[Interaction]] = {}
    for ix in interactions:
        by_case.setdefault(ix.case or "", []).append(ix)
    declared = [
        DeclaredFinding(
            code,
            o.check_id,
            redactor.text(o.reason),
            tuple(by_case.get(o.case, ()))
            or tuple(i for i in interactions if i.seq in o.evidence_seqs),
        )
        for o in outcomes
        if o.status in ("failed", "error")
        for code in o.codes
    ]
    profile = profile or builtin_profile()
    context = DiagnosisContext(
        entra_scope=entra_scope,
        token_claims=token_claims,
        now=finished_at,
        base_url=target.base_url,
        profile=profile,
    )
    # A replay's request that the recording could not answer was never sent: it shows nothing.
    findings = diagnose([ix for ix in interactions if ix.unrecorded is None], context, declared)
    by_seq = {ix.seq: ix for ix in interactions}
    checks = [
        _check_result(
            o,
            [*by_case.get(o.case, []), *(by_seq[s] for s in o.evidence_seqs if s in by_seq)],
            findings,
            redactor,
            said,
            [ix for ix in interactions if ix.case == o.case],
            lambda ix: explain_interaction(ix, context, interactions),
        )
        for o in outcomes
    ]
    checks.sort(key=lambda c: (_catalog_index(c.id), c.case))
    entries = [_diagnosis_entry(f, redactor, said) for f in findings]
    cut_short = cut_short_causes(checks, interactions, stopped or {})
    summary = RunSummary(
        # A run that did not finish (interrupted, budget spent) has not shown conformance.
        verdict=decide_verdict(checks, interactions, cut_short=bool(cut_short)),
        target=replace(
            target,
            recording_age_days=recording_age_days(parse_iso(target.recorded_at), finished_at),
        ),
        started_at=started_at.isoformat(timespec="seconds"),
        finished_at=finished_at.isoformat(timespec="seconds"),
        duration_s=round((finished_at - started_at).total_seconds(), 3),
        counts=count_statuses(checks),
        checks=checks,
        diagnoses=entries,
        usage=usage_totals(interactions),
        harness={
            "foundry_conformance": __version__,
            "anthropic_sdk": sdk_version,
            "python": platform.python_version(),
        },
        notes=[said(n) for n in notes],
        incomplete=bool(cut_short),
        cut_short=[_said(entry, said) for entry in cut_short],
        latency=latency_by_deployment(interactions),
        token_claims={label: claims.public_view() for label, claims in token_claims.items()},
        platform_profile={**profile.summary_view(), "api_version": profile.documented_version},
        requests=[
            evidence_of(ix, redactor)
            for ix in sorted(interactions, key=lambda i: i.seq)
            if ix.unrecorded is None
        ],
        capabilities=build_matrix(checks, interactions, profile, target.deployments, entries, said),
        pacing=footprint(sent, pacing or PacingFacts(None, "default"), profile),
        observed=observe(sent, redactor),
    )
    # Once more over every string of it, whatever its source (a deployment named like the key,
    # a case's node ID, a correlation header a server filled with the credential): at the
    # source, so that the scan before publishing has nothing left to find.
    redacted: RunSummary = redact_tree(summary, redactor.text)
    return redacted


def _said(entry: CutShort, said: Callable[[str], str]) -> CutShort:
    entry.summary = said(entry.summary)
    entry.details = [said(d) for d in entry.details]
    entry.remedy = said(entry.remedy)
    return entry


def _catalog_index(check_id: str) -> int:
    ids = [c.id for c in catalog.CHECKS]
    return ids.index(check_id) if check_id in ids else len(ids)


def _check_result(
    outcome: CaseOutcome,
    interactions: Sequence[Interaction],
    findings: Sequence[Finding],
    redactor: Redactor,
    said: Callable[[str], str],
    own: Sequence[Interaction],
    explain: Callable[[Interaction], list[str]],
) -> CheckResult:
    spec = catalog.BY_ID[outcome.check_id]
    codes = list(outcome.codes)
    cut_short = outcome.cut_short
    if outcome.status in ("failed", "error") and cut_short is None and unrecorded_case(own):
        cut_short = UNRECORDED
    if outcome.status in ("failed", "error") and cut_short is None:
        # The causes of this check's own exchanges first, then findings citing its evidence.
        for ix in own:
            codes.extend(c for c in explain(ix) if c not in codes)
        seqs = {ix.seq for ix in interactions}
        for finding in findings:
            if finding.code not in codes and finding.seqs & seqs:
                codes.append(finding.code)
    codes = prevailing(codes)  # one cause per evidence set, as the diagnoses say
    return CheckResult(
        id=spec.id,
        title=spec.title,
        area=spec.area,
        severity=spec.severity,
        status=outcome.status,
        params=dict(outcome.params),
        reason=said(outcome.reason),
        diagnoses=codes,
        evidence=[evidence_of(ix, redactor) for ix in interactions[:MAX_EVIDENCE_PER_CHECK]],
        duration_s=round(outcome.duration_s, 3),
        case=outcome.case,
        details=outcome.details,
        cut_short=cut_short,
        skip_kind=said(outcome.skip_kind) if outcome.status == "skipped" else "",
        requests=sum(1 for ix in own if ix.unrecorded is None),
    )


def _diagnosis_entry(
    finding: Finding, redactor: Redactor, said: Callable[[str], str]
) -> DiagnosisEntry:
    info = finding.info
    return DiagnosisEntry(
        code=finding.code,
        title=info.title,
        severity=info.severity,
        summary=said(info.cause),
        remedy=said(info.remedy),
        checks=list(finding.checks),
        evidence=[evidence_of(ix, redactor) for ix in finding.evidence],
        guide_section=info.guide_section or "",
        doc_url=info.doc_url or "",
        details=[said(d) for d in finding.details],
    )
