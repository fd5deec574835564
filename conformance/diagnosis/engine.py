"""Turn a run's interactions, and what checks report themselves, into findings: one per cause.

Data flows one way: the interactions (already redacted) and the checks' own declarations come in,
``Finding`` records go out, most severe first. Nothing here does I/O or knows about pytest.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from conformance.core.interactions import Interaction

from .catalog import is_known, lookup
from .context import DiagnosisContext
from .info import SEVERITY_ORDER, DiagnosisInfo, Severity, platform_facts
from .rules import explain
from .rules_auth import ENTRA_LABELS, KEY_LABELS, RunFacts

EVIDENCE_LIMIT = 10
DETAILS_LIMIT = 10


@dataclass(frozen=True)
class DeclaredFinding:
    """A diagnosis a check makes itself (a broken stream grammar, leaked rate-limit headers…)."""

    code: str
    check_id: str
    detail: str
    evidence: tuple[Interaction, ...] = ()


@dataclass(frozen=True)
class Finding:
    """One cause found in the run, with every check and exchange that points to it."""

    code: str
    info: DiagnosisInfo
    checks: tuple[str, ...]
    evidence: tuple[Interaction, ...]
    details: tuple[str, ...]

    @property
    def severity(self) -> Severity:
        """How bad the cause is: blocker, warning or info."""
        return self.info.severity


def explain_interaction(
    ix: Interaction, ctx: DiagnosisContext, run: Sequence[Interaction] = ()
) -> list[str]:
    """The diagnosis codes of one exchange; ``run`` lets key refusals compare header variants."""
    return [observation.code for observation in explain(ix, ctx, RunFacts.of(run))]


def diagnose(
    interactions: Sequence[Interaction],
    ctx: DiagnosisContext,
    declared: Sequence[DeclaredFinding] = (),
) -> list[Finding]:
    """Every finding of a run, one per code: blocker → warning → info, then by first sight."""
    facts = RunFacts.of(interactions)
    builders: dict[str, _Builder] = {}

    def builder(code: str) -> _Builder:
        if code not in builders:
            builders[code] = _Builder(code, arrival=len(builders))
        return builders[code]

    for ix in interactions:
        for observation in explain(ix, ctx, facts):
            builder(observation.code).add(ix.check_id, (ix,), observation.detail)
    for item in declared:
        if is_known(item.code):
            builder(item.code).add(item.check_id, item.evidence, item.detail)
        else:
            # A typo in a check must not lose its finding: report it as the harness fault it is.
            detail = f"{item.check_id} declared the unknown diagnosis {item.code!r}: {item.detail}"
            builder("check-error").add(item.check_id, item.evidence, detail)
    texts = platform_facts(ctx.profile)
    return [b.build(texts) for b in sorted(builders.values(), key=_Builder.sort_key)]


def all_refused(interactions: Iterable[Interaction]) -> bool:
    """Whether every answered request meant to authenticate got 401/403 (a misconfigured run)."""
    statuses = [
        ix.status
        for ix in interactions
        if ix.status is not None
        and not ix.expects_error
        and (ix.auth in KEY_LABELS or ix.auth in ENTRA_LABELS)
    ]
    return bool(statuses) and all(status in (401, 403) for status in statuses)


@dataclass
class _Builder:
    """Accumulates one code's checks, evidence and details in the order they were seen."""

    code: str
    arrival: int
    checks: list[str] = field(default_factory=list)
    evidence: list[Interaction] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    first_seq: float = math.inf

    def add(self, check_id: str | None, evidence: Iterable[Interaction], detail: str) -> None:
        if check_id and check_id not in self.checks:
            self.checks.append(check_id)
        for ix in evidence:
            self.first_seq = min(self.first_seq, ix.seq)
            if not any(_same(ix, kept) for kept in self.evidence):
                self.evidence.append(ix)
        if detail and detail not in self.details:
            self.details.append(detail)

    def sort_key(self) -> tuple[int, float, int]:
        # Findings without evidence (configuration, harness faults) follow those with, in order.
        return (SEVERITY_ORDER[lookup(self.code).severity], self.first_seq, self.arrival)

    def build(self, facts: Mapping[str, str]) -> Finding:
        details = self.details[:DETAILS_LIMIT]
        if len(self.details) > DETAILS_LIMIT:
            details.append(f"… and {len(self.details) - DETAILS_LIMIT} more like these")
        return Finding(
            code=self.code,
            info=lookup(self.code).filled(facts),
            checks=tuple(self.checks),
            evidence=_pick_evidence(self.evidence),
            details=tuple(details),
        )


def _pick_evidence(evidence: Sequence[Interaction]) -> tuple[Interaction, ...]:
    """At most ``EVIDENCE_LIMIT`` exchanges, preferring those support can look up, in run order."""

    def correlation_ids(ix: Interaction) -> int:
        return (ix.request_id is not None) + (ix.apim_request_id is not None)

    ranked = sorted(range(len(evidence)), key=lambda i: (-correlation_ids(evidence[i]), i))
    kept = sorted(ranked[:EVIDENCE_LIMIT])
    return tuple(evidence[i] for i in kept)


def _same(a: Interaction, b: Interaction) -> bool:
    # Declared evidence may be a copy of a logged interaction: compare identity of the exchange.
    return a is b or _identity(a) == _identity(b)


def _identity(ix: Interaction) -> tuple[int, str, str, float]:
    return (ix.seq, ix.method, ix.url, ix.started_at)
