"""``index.html`` of a fleet: the verdict of every target first, then targets × checks, targets ×
deployments × capabilities when the runs have the matrix, the pools the targets shared, and what
changed since the baseline; every cell links to the target's own report (pure).

Laid out by ``templates/fleet.html.j2`` (autoescaped, self-contained, no fetch), from the view
built here, so that unit tests pin what the page says without parsing HTML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

from ..core import catalog
from ..summary.changes import REGRESSION
from ..summary.fleet import FleetIndex, FleetTarget
from .changes_text import change_line, target_changes
from .html import environment

SYMBOL = {"passed": "✔", "failed": "✘", "error": "!", "skipped": "–"}
TONE = {"passed": "good", "failed": "bad", "error": "bad", "skipped": "skip"}
CAP_TONE = {"supported": "good", "refused": "bad", "not-honoured": "bad", "not-judged": "skip"}
VERDICT_TONE = {"conformant": "good", "incomplete": "warn"}
SHOWN_POOLS = 3


@dataclass(frozen=True)
class Cell:
    """One cell of a matrix: what it shows, its tone, where it links, its hover text."""

    text: str
    tone: str
    href: str = ""
    title: str = ""


@dataclass(frozen=True)
class TargetRow:
    """A target's line in the verdict table."""

    name: str
    href: str
    verdict: str
    tone: str
    counts: str
    endpoint: str
    subscription: str
    diagnoses: list[tuple[str, str, str]]  # code, severity, href
    pools: list[str]
    problem: str
    since: str


@dataclass(frozen=True)
class MatrixRow:
    """A check (or capability) across the targets."""

    label: str
    group: str
    cells: list[Cell]


@dataclass(frozen=True)
class FleetView:
    """The whole page."""

    title: str
    tally: list[tuple[str, int, str]]
    exit_line: str
    targets: list[TargetRow]
    columns: list[str]
    checks: list[MatrixRow]
    capability_columns: list[str] = field(default_factory=list)
    capabilities: list[MatrixRow] = field(default_factory=list)
    pools: list[tuple[str, str]] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    scan: str = ""
    scan_clean: bool = True


def report_href(target: FleetTarget, anchor: str = "") -> str:
    """The target's ``diagnosis.html`` (at ``anchor``), relative to the index."""
    if not target.report:
        return ""
    path = "/".join(quote(part) for part in target.report.split("/")) + "/diagnosis.html"
    return path + (f"#{anchor}" if anchor else "")


def build_fleet_view(index: FleetIndex) -> FleetView:
    """The index page's view-model."""
    columns = [t.name for t in index.targets]
    policy = (
        "what got worse since the baseline"
        if index.fail_on == "regressions"
        else "the worst verdict"
    )
    return FleetView(
        title=f"Fleet of {len(index.targets)} target{'s' if len(index.targets) != 1 else ''}",
        tally=[
            (verdict, count, VERDICT_TONE.get(verdict, "bad"))
            for verdict, count in sorted(index.verdicts.items())
        ],
        exit_line=f"Exit status {index.exit_code}: {policy}.",
        targets=[_target_row(t) for t in index.targets],
        columns=columns,
        checks=[_check_row(check, index) for check in index.checks],
        capability_columns=[
            f"{t.name} · {d}" for t in index.targets for d in sorted(t.capabilities)
        ],
        capabilities=[_capability_row(cap, index) for cap in index.capabilities],
        pools=[
            (
                name,
                f"{pool.requests} requests from {', '.join(pool.targets)}; peak {pool.peak_rpm}"
                + (f" of {pool.ceiling_rpm}" if pool.ceiling_rpm is not None else "")
                + f" requests, {pool.peak_itpm} input and {pool.peak_otpm} output tokens in a minute",
            )
            for name, pool in index.pools.items()
            if len(pool.targets) > 1
        ],
        changes=[change_line(c) for c in target_changes(index)],
        scan=_scan_text(index),
        scan_clean=index.secret_scan.clean,
    )


def _target_row(target: FleetTarget) -> TargetRow:
    counts = target.counts
    text = (
        f"{counts.get('passed', 0)} passed · {counts.get('failed', 0)} failed · "
        f"{counts.get('errors', 0)} errors · {counts.get('skipped', 0)} skipped"
        if counts
        else ""
    )
    since = ""
    if target.since_baseline is not None:
        regressions = sum(1 for c in target.since_baseline.changes if c.direction == REGRESSION)
        since = f"{regressions} regression{'s' if regressions != 1 else ''}, " + (
            f"{len(target.since_baseline.changes)} changes"
        )
    pools: list[str] = []
    busiest = sorted(target.pools.items(), key=lambda item: (-item[1].requests, item[0]))
    for name, pool in busiest[:SHOWN_POOLS]:
        if pool.requests < 2 and pools:
            break
        ceiling = pool.ceilings.get("rpm")
        pools.append(
            f"{name.split('/', 1)[-1]}: {pool.requests} requests, peak {pool.peak_rpm}"
            + (f" of {ceiling}" if ceiling is not None else "")
            + " per minute"
            + (f", waited {pool.waited_s:g} s" if pool.waited_s else "")
        )
    if len(busiest) > len(pools):
        pools.append(f"and {len(busiest) - len(pools)} more pools (one request or so each)")
    return TargetRow(
        name=target.name,
        href=report_href(target),
        verdict=target.verdict
        + (" (incomplete)" if target.incomplete and target.verdict != "incomplete" else ""),
        tone=VERDICT_TONE.get(target.verdict, "bad"),
        counts=text,
        endpoint=target.endpoint or target.resource or "",
        subscription=target.subscription,
        diagnoses=[
            (d.code, d.severity, report_href(target, f"diag-{d.code}")) for d in target.diagnoses
        ],
        pools=pools,
        problem=target.problem,
        since=since,
    )


def _check_row(check: str, index: FleetIndex) -> MatrixRow:
    spec = catalog.BY_ID.get(check)
    cells = []
    for target in index.targets:
        cell = target.checks.get(check)
        if cell is None:
            cells.append(Cell("", "none", title="not run"))
            continue
        title = f"{cell.status}: {cell.cases} case{'s' if cell.cases != 1 else ''}"
        if cell.not_passed:
            title += f", {cell.not_passed} not passed"
        cells.append(
            Cell(
                SYMBOL.get(cell.status, "?"),
                TONE.get(cell.status, "bad"),
                report_href(target, f"check-{check}"),
                title,
            )
        )
    group = catalog.AREAS.get(spec.area, spec.area) if spec is not None else "other"
    return MatrixRow(check, group, cells)


def _capability_row(cap: str, index: FleetIndex) -> MatrixRow:
    cells = []
    for target in index.targets:
        for deployment in sorted(target.capabilities):
            status = target.capabilities[deployment].get(cap)
            if status is None:
                cells.append(Cell("", "none", title="not probed"))
                continue
            base = status.split(" ", 1)[0]
            cells.append(
                Cell(status, CAP_TONE.get(base, "bad"), report_href(target, f"check-{cap}"), status)
            )
    return MatrixRow(cap, "capabilities", cells)


def _scan_text(index: FleetIndex) -> str:
    scan = index.secret_scan
    if not scan.clean:
        return "A secret in use was found in: " + ", ".join(scan.hits)
    if scan.files_scanned == 0:
        return "The fleet's own files were not scanned here (no secrets known); each target's run scanned its own."
    return f"No secret in use was found in the {scan.files_scanned} files of this fleet."


def render_fleet_html(index: FleetIndex) -> str:
    """``index.html`` for ``index``."""
    template = environment().get_template("fleet.html.j2")
    return template.render(view=build_fleet_view(index))
