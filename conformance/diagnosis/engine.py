"""Turn a run's interactions, and what checks report themselves, into findings: one per cause.

Data flows one way: the interactions (already redacted) and the checks' own declarations come in,
the rules (``rules``) and the checks' declarations become sightings of codes, the precedence
table (``precedence``) leaves one cause per evidence set, the readings (``readings``) choose what
each finding may say, and ``Finding`` records go out, most severe first. Nothing here does I/O or
knows about pytest.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from conformance.core.interactions import Interaction

from .catalog import is_known, lookup
from .context import DiagnosisContext
from .facts import KEY_LABELS, RunFacts
from .info import SEVERITY_ORDER, DiagnosisInfo, Severity, platform_facts
from .precedence import HEADER_CODES, REREAD_WHEN_DECLARED, gives_way, prevailing
from .readings import Reading, reading_of
from .rules import explain
from .rules_auth import ENTRA_LABELS

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
    # The variant of the catalog entry the evidence supports (None: the entry as it stands).
    reading: str | None = None
    # Every exchange the finding rests on, by seq (``evidence`` shows at most EVIDENCE_LIMIT).
    seqs: frozenset[int] = frozenset()

    @property
    def severity(self) -> Severity:
        """How bad the cause is: blocker, warning or info."""
        return self.info.severity


def explain_interaction(
    ix: Interaction, ctx: DiagnosisContext, run: Sequence[Interaction] = ()
) -> list[str]:
    """The diagnosis codes of one exchange, those overruled by another of them left out; ``run``
    lets the rules compare it with the rest (key variants, deployments that answered)."""
    return prevailing(observation.code for observation in explain(ix, ctx, RunFacts.of(run)))


def diagnose(
    interactions: Sequence[Interaction],
    ctx: DiagnosisContext,
    declared: Sequence[DeclaredFinding] = (),
) -> list[Finding]:
    """Every finding of a run, one per code: blocker → warning → info, then by first sight.

    One cause per evidence set: a sighting of a code gives way (``precedence``) when every
    exchange it rests on carries a code that overrules it; each finding then reads as the
    variant all its evidence supports (``readings``).
    """
    facts = RunFacts.of(interactions)
    sightings = [
        _Sighting(observation.code, ix.check_id, (ix,), observation.detail)
        for ix in interactions
        for observation in explain(ix, ctx, facts)
    ]
    for item in declared:
        if item.code in REREAD_WHEN_DECLARED:
            sightings += _reread(item.evidence, ctx, facts)
        if is_known(item.code):
            sightings.append(_Sighting(item.code, item.check_id, item.evidence, item.detail))
        else:
            # A typo in a check must not lose its finding: report it as the harness fault it is.
            detail = f"{item.check_id} declared the unknown diagnosis {item.code!r}: {item.detail}"
            sightings.append(_Sighting("check-error", item.check_id, item.evidence, detail))
    builders: dict[str, _Builder] = {}
    for sighting in _prevailing_sightings(sightings):
        if sighting.code not in builders:
            builders[sighting.code] = _Builder(sighting.code, arrival=len(builders))
        builders[sighting.code].add(sighting.check_id, sighting.evidence, sighting.detail)
    texts = platform_facts(ctx.profile)
    built = [
        (b.build(texts, reading_of(b.code, b.evidence, ctx, facts)), b) for b in builders.values()
    ]
    built.sort(key=lambda pair: (SEVERITY_ORDER[pair[0].severity], *pair[1].sort_key()))
    return [finding for finding, _ in built]


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

    def sort_key(self) -> tuple[float, int]:
        # Findings without evidence (configuration, harness faults) follow those with, in order.
        return (self.first_seq, self.arrival)

    def build(self, facts: Mapping[str, str], reading: Reading | None) -> Finding:
        details = self.details[:DETAILS_LIMIT]
        if len(self.details) > DETAILS_LIMIT:
            details.append(f"… and {len(self.details) - DETAILS_LIMIT} more like these")
        if reading is not None and reading.detail:
            details.insert(0, reading.detail)
        variant = reading.variant if reading is not None else None
        filled = {**facts, **reading.facts} if reading is not None else facts
        return Finding(
            code=self.code,
            info=lookup(self.code).variant(variant).filled(filled),
            checks=tuple(self.checks),
            evidence=_pick_evidence(self.evidence),
            details=tuple(details),
            reading=variant,
            seqs=frozenset(ix.seq for ix in self.evidence),
        )


@dataclass(frozen=True)
class _Sighting:
    """One code seen on some exchanges: by a rule on one exchange, or declared by a check."""

    code: str
    check_id: str | None
    evidence: tuple[Interaction, ...]
    detail: str


def _reread(
    evidence: Iterable[Interaction], ctx: DiagnosisContext, facts: RunFacts
) -> list[_Sighting]:
    """What the rules say of the refusals a check expected but declares unexplained: the
    refusal it got is not the one it meant to provoke, so it is read as any answer is."""
    return [
        _Sighting(observation.code, ix.check_id, (ix,), observation.detail)
        for ix in evidence
        if ix.expects_error
        for observation in explain(replace(ix, expects_error=False), ctx, facts)
        if observation.code not in HEADER_CODES  # the first reading has judged the headers
    ]


def _prevailing_sightings(sightings: Sequence[_Sighting]) -> list[_Sighting]:
    """The sightings left when each gives way where a code that overrules it explains every
    exchange it rests on (one without evidence, such as a configuration error, always stays)."""
    codes_of: dict[tuple[int, str, str, float], set[str]] = {}
    for sighting in sightings:
        for ix in sighting.evidence:
            codes_of.setdefault(_identity(ix), set()).add(sighting.code)
    return [
        s
        for s in sightings
        if not s.evidence
        or not all(gives_way(s.code, codes_of[_identity(ix)]) for ix in s.evidence)
    ]


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
