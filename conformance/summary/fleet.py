"""The fleet index: many targets' runs in one view (pure), as ``fleet.json`` holds it and
``index.html`` shows it.

Built from each target's own ``summary.json`` alone (plus, for a target that has none, why not),
so that a fleet run and a ``merge`` of the same targets' report directories, run apart, give the
same index. Per target: the verdict first, then each check's worst status over its cases, the
capability matrix when its summary has one, the diagnoses, the footprint per quota pool and what
changed since the baseline; per pool shared by several targets, the fleet's own peak.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..core import catalog
from .changes import REGRESSION, Change, Comparison
from .compare import capability_cells
from .footprint import peaks
from .model import CheckResult, RunSummary, SecretScan
from .verdict import VERDICT_EXIT, exit_status

SCHEMA = "foundry-conformance.fleet/1"
EXIT_CONFIG_ERROR = 2
EXIT_INCOMPLETE = 5
EXIT_INTERRUPTED = 130
# Worst last: a leaked secret, then an endpoint down, a failing one, a target whose configuration
# is wrong (nothing was sent), a run cut short, and a conformant one.
EXIT_SEVERITY = (0, EXIT_INCOMPLETE, EXIT_CONFIG_ERROR, 1, 3, 4)
# Verdicts of a target that has no summary.
CONFIGURATION_ERROR = "configuration-error"
NO_REPORT = "no-report"
NOT_RUN = "not-run"
STATUS_RANK = {"passed": 0, "skipped": 1, "failed": 2, "error": 3}


@dataclass
class CheckCell:
    """One check on one target: its worst status over its cases."""

    status: str
    cases: int = 1
    not_passed: int = 0


@dataclass
class DiagnosisBrief:
    """A diagnosis of one target, by code."""

    code: str
    severity: str
    title: str


@dataclass
class PoolBrief:
    """One target's footprint in one pool, beside its ceilings."""

    requests: int = 0
    peak_rpm: int = 0
    peak_itpm: int = 0
    peak_otpm: int = 0
    waited_s: float = 0.0
    ceilings: dict[str, int | None] = field(default_factory=dict)


@dataclass
class FleetTarget:
    """One target of the fleet."""

    name: str
    position: int
    verdict: str
    exit_code: int
    report: str = ""  # its report directory, relative to the index ("" when it has none)
    problem: str = ""  # why it has no report: a configuration error, a crash
    kind: str = ""
    endpoint: str = ""
    resource: str | None = None
    subscription: str = ""
    deployments: list[str] = field(default_factory=list)
    incomplete: bool = False
    started_at: str = ""
    duration_s: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    checks: dict[str, CheckCell] = field(default_factory=dict)
    capabilities: dict[str, dict[str, str]] = field(
        default_factory=dict
    )  # deployment → CAP → status
    diagnoses: list[DiagnosisBrief] = field(default_factory=list)
    pools: dict[str, PoolBrief] = field(default_factory=dict)
    secret_clean: bool = True
    since_baseline: Comparison | None = None


@dataclass
class FleetPool:
    """A pool as the whole fleet drew from it (targets sharing a subscription share its pools)."""

    targets: list[str] = field(default_factory=list)
    requests: int = 0
    peak_rpm: int = 0
    peak_itpm: int = 0
    peak_otpm: int = 0
    ceiling_rpm: int | None = None  # the lowest of its targets' ceilings (None: not paced)


@dataclass
class FleetIndex:
    """The whole fleet."""

    targets: list[FleetTarget]
    checks: list[str] = field(default_factory=list)  # catalog order, those any target ran
    capabilities: list[str] = field(default_factory=list)
    pools: dict[str, FleetPool] = field(default_factory=dict)
    exit_code: int = 0
    verdicts: dict[str, int] = field(default_factory=dict)
    regressions: int = 0
    fail_on: str = "verdict"
    # Targets that came or went since the baseline fleet (their own changes are per target).
    baseline: str = ""
    target_changes: list[Change] = field(default_factory=list)
    # The fleet's own files (the index, each target's run.log) scanned for every target's secrets.
    secret_scan: SecretScan = field(default_factory=SecretScan)
    schema: str = SCHEMA


@dataclass(frozen=True)
class TargetRecord:
    """What the index is built from for one target: its summary, or why there is none."""

    name: str
    position: int
    report: str = ""
    summary: RunSummary | None = None
    verdict: str = NO_REPORT  # for a target without a summary
    problem: str = ""
    exit_code: int = 1  # for a target without a summary


def target_exit(summary: RunSummary) -> int:
    """The exit status a run with this summary had (SPEC), whatever version wrote it."""
    if summary.verdict not in VERDICT_EXIT:
        return 4 if not summary.secret_scan.clean else EXIT_INCOMPLETE
    return exit_status(summary.verdict, summary.secret_scan.clean)


def worst_exit(codes: Sequence[int]) -> int:
    """The worst of several exit statuses (``EXIT_SEVERITY``); 0 for none."""
    known = [c for c in codes if c in EXIT_SEVERITY]
    unknown = [c for c in codes if c not in EXIT_SEVERITY]
    if unknown:
        return max(unknown)  # 130 / 143: the run was stopped
    return max(known, key=EXIT_SEVERITY.index, default=0)


def build_index(
    records: Sequence[TargetRecord],
    *,
    fail_on: str = "verdict",
    baseline: str = "",
    target_changes: Sequence[Change] = (),
) -> FleetIndex:
    """The fleet index of ``records``, in the fleet file's order."""
    ordered = sorted(records, key=lambda r: (r.position, r.name))
    targets = [_target(record) for record in ordered]
    ran = {check for target in targets for check in target.checks}
    caps = {cap for target in targets for column in target.capabilities.values() for cap in column}
    regressions = sum(t.since_baseline.regressions for t in targets if t.since_baseline)
    regressions += sum(1 for c in target_changes if c.direction == REGRESSION)
    verdicts: dict[str, int] = {}
    for target in targets:
        verdicts[target.verdict] = verdicts.get(target.verdict, 0) + 1
    index = FleetIndex(
        targets=targets,
        checks=[c.id for c in catalog.CHECKS if c.id in ran] + sorted(ran - set(catalog.BY_ID)),
        capabilities=sorted(caps),
        pools=_pools(ordered),
        verdicts=verdicts,
        regressions=regressions,
        fail_on=fail_on,
        baseline=baseline,
        target_changes=list(target_changes),
    )
    index.exit_code = fleet_exit(index)
    return index


def fleet_exit(index: FleetIndex) -> int:
    """The fleet's exit status: the worst of its targets' (SPEC). With ``--fail-on regressions``
    a target compared with its baseline counts 1 if anything of it got worse and 0 otherwise; one
    without a baseline (new in the fleet) counts by its verdict. A leaked secret is 4 either way."""
    if not index.secret_scan.clean or any(not t.secret_clean for t in index.targets):
        return 4
    if index.fail_on != "regressions":
        return worst_exit([t.exit_code for t in index.targets])
    codes = [
        (1 if t.since_baseline.regressions else 0) if t.since_baseline else t.exit_code
        for t in index.targets
    ]
    codes.append(1 if any(c.direction == REGRESSION for c in index.target_changes) else 0)
    return worst_exit(codes)


def _target(record: TargetRecord) -> FleetTarget:
    summary = record.summary
    if summary is None:
        return FleetTarget(
            name=record.name,
            position=record.position,
            verdict=record.verdict,
            exit_code=record.exit_code,
            report=record.report,
            problem=record.problem,
        )
    target = summary.target
    return FleetTarget(
        name=record.name,
        position=record.position,
        verdict=summary.verdict,
        exit_code=target_exit(summary),
        report=record.report,
        kind=target.kind,
        endpoint=target.base_url,
        resource=target.resource,
        subscription=summary.pacing.subscription,
        deployments=_deployments(summary),
        incomplete=summary.incomplete,
        started_at=summary.started_at,
        duration_s=summary.duration_s,
        counts=dict(summary.counts),
        checks=check_cells(summary.checks),
        capabilities=_capabilities(summary),
        diagnoses=[DiagnosisBrief(d.code, d.severity, d.title) for d in summary.diagnoses],
        pools={
            name: PoolBrief(
                pool.requests,
                pool.peak_rpm,
                pool.peak_itpm,
                pool.peak_otpm,
                pool.waited_s,
                dict(summary.pacing.ceilings),
            )
            for name, pool in summary.pacing.pools.items()
        },
        secret_clean=summary.secret_scan.clean,
        since_baseline=summary.since_baseline,
    )


def check_cells(checks: Sequence[CheckResult]) -> dict[str, CheckCell]:
    """Each check's worst status over its cases (a case per deployment or auth mode)."""
    cells: dict[str, CheckCell] = {}
    for check in checks:
        cell = cells.get(check.id)
        bad = 0 if check.status == "passed" else 1
        if cell is None:
            cells[check.id] = CheckCell(check.status, 1, bad)
            continue
        cell.cases += 1
        cell.not_passed += bad
        if STATUS_RANK.get(check.status, 3) > STATUS_RANK.get(cell.status, 3):
            cell.status = check.status
    return cells


def _deployments(summary: RunSummary) -> list[str]:
    named = list(summary.target.deployments)
    tested = {str(c.params["deployment"]) for c in summary.checks if "deployment" in c.params}
    return named or sorted(tested)


def _capabilities(summary: RunSummary) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for (deployment, cap), cell in sorted(capability_cells(summary).items()):
        drift = str(cell.get("drift") or "")
        out.setdefault(deployment, {})[cap] = cell["status"] + (f" ({drift})" if drift else "")
    return out


def _pools(records: Sequence[TargetRecord]) -> dict[str, FleetPool]:
    sends: dict[str, list[list[float]]] = {}
    pools: dict[str, FleetPool] = {}
    for record in records:
        if record.summary is None or not record.summary.pacing.paced:
            continue  # an unpaced run (the embedded emulator) draws from no shared pool
        pacing = record.summary.pacing
        for name, pool in pacing.pools.items():
            fleet = pools.setdefault(name, FleetPool())
            fleet.targets.append(record.name)
            fleet.requests += pool.requests
            sends.setdefault(name, []).extend(pool.sends)
            rpm = pacing.ceilings.get("rpm")
            if rpm is not None:
                fleet.ceiling_rpm = (
                    rpm if fleet.ceiling_rpm is None else min(fleet.ceiling_rpm, rpm)
                )
    for name, fleet in pools.items():
        fleet.peak_rpm, fleet.peak_itpm, fleet.peak_otpm = peaks(sends[name], 60.0)
    return dict(sorted(pools.items()))
