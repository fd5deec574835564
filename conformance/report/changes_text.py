"""What changed since a baseline, and a fleet's verdicts, as terminal lines (pure).

For the end of a run with ``--baseline``, for ``foundry-conformance diff``, and for the block a
fleet run prints: each change with its direction first, what it was and what it is, and the
request IDs to quote.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from ..summary.changes import CHANGE, DRIFT, IMPROVEMENT, REGRESSION, Change, Comparison
from ..summary.fleet import FleetIndex, FleetTarget

MARK = {REGRESSION: "✘", IMPROVEMENT: "✔", DRIFT: "~", CHANGE: "·"}
VERDICT_MARK = {"conformant": "✔"}
KIND_WORD = {
    "verdict": "verdict",
    "check": "check",
    "diagnosis": "diagnosis",
    "capability": "capability",
    "latency": "latency",
    "header": "header",
    "error-body": "error body",
    "target": "target",
}
SHOWN_CHANGES = 20


def change_line(change: Change) -> str:
    """``✘ regression  check AUTH-API-KEY[api-key]: passed → failed (request-id …)``."""
    where = f"{change.target}: " if change.target else ""
    ids = f" (request IDs: {', '.join(change.request_ids)})" if change.request_ids else ""
    kind = KIND_WORD.get(change.kind, change.kind)
    return (
        f"{MARK.get(change.direction, '·')} {change.direction:<11} {where}{kind} "
        f"{change.subject}: {change.before} → {change.after}{ids}"
    )


def counts_phrase(changes: Sequence[Change]) -> str:
    """``2 regressions, 1 drift, 0 improvements``."""
    count = {d: sum(1 for c in changes if c.direction == d) for d in MARK}
    parts = [
        f"{count[REGRESSION]} regression{'s' if count[REGRESSION] != 1 else ''}",
        f"{count[IMPROVEMENT]} improvement{'s' if count[IMPROVEMENT] != 1 else ''}",
        f"{count[DRIFT]} drift",
        f"{count[CHANGE]} other change{'s' if count[CHANGE] != 1 else ''}",
    ]
    return ", ".join(parts)


def comparison_lines(comparison: Comparison, *, indent: str = "  ") -> list[str]:
    """The "since the baseline" block of a run."""
    when = f", {comparison.baseline_started_at}" if comparison.baseline_started_at else ""
    lines = [
        f"{indent}since the baseline ({comparison.baseline}{when}): "
        f"{counts_phrase(comparison.changes)}"
    ]
    if not comparison.changes:
        lines.append(f"{indent}  nothing changed")
    lines += [f"{indent}  {change_line(c)}" for c in comparison.changes[:SHOWN_CHANGES]]
    if len(comparison.changes) > SHOWN_CHANGES:
        lines.append(f"{indent}  … and {len(comparison.changes) - SHOWN_CHANGES} more")
    if comparison.known_failures:
        shown = ", ".join(comparison.known_failures[:SHOWN_CHANGES])
        lines.append(f"{indent}  known failures, unchanged: {shown}")
    return lines


def target_line(target: FleetTarget, where: str) -> str:
    """One target's outcome: verdict, counts or the problem, and where its report is."""
    mark = VERDICT_MARK.get(target.verdict, "✘")
    if target.counts:
        counts = target.counts
        what = (
            f"{counts.get('passed', 0)} passed, {counts.get('failed', 0)} failed, "
            f"{counts.get('errors', 0)} errors, {counts.get('skipped', 0)} skipped"
        )
        codes = ", ".join(d.code for d in target.diagnoses[:4])
        what += f"; {codes}" if codes else ""
    else:
        what = target.problem or "no report"
    incomplete = " (incomplete)" if target.incomplete and target.verdict != "incomplete" else ""
    return f"  {mark} {target.name}: {target.verdict}{incomplete} — {what}{where}"


def target_changes(index: FleetIndex) -> list[Change]:
    """Every target's changes since its baseline, each named by its target, then the targets
    that came or went."""
    return [
        *(
            replace(change, target=target.name)
            for target in index.targets
            if target.since_baseline is not None
            for change in target.since_baseline.changes
        ),
        *index.target_changes,
    ]


def fleet_block(index: FleetIndex, index_path: str, *, interrupted: bool = False) -> list[str]:
    """The fleet's verdict block: how many targets ended how, the exit status, the index."""
    tally = ", ".join(f"{n} {verdict}" for verdict, n in sorted(index.verdicts.items()))
    lines = [
        "",
        f"foundry-conformance fleet: {len(index.targets)} target"
        f"{'s' if len(index.targets) != 1 else ''} — {tally}"
        + (" (interrupted)" if interrupted else ""),
    ]
    for target in index.targets:
        lines.append(target_line(target, ""))
    changes = target_changes(index)
    if any(t.since_baseline for t in index.targets):
        lines.append(f"  since the baseline: {counts_phrase(changes)}")
        lines += [f"    {change_line(c)}" for c in changes if c.direction == REGRESSION][
            :SHOWN_CHANGES
        ]
    for name, pool in index.pools.items():
        if len(pool.targets) > 1:
            ceiling = f" of {pool.ceiling_rpm}" if pool.ceiling_rpm is not None else ""
            lines.append(
                f"  pool {name}: {pool.requests} requests from {len(pool.targets)} targets, "
                f"peak {pool.peak_rpm}{ceiling} per minute"
            )
    if not index.secret_scan.clean:
        lines.append("  SECRET FOUND in: " + ", ".join(index.secret_scan.hits))
    policy = "regressions since the baseline" if index.fail_on == "regressions" else "worst verdict"
    lines.append(f"  exit status: {index.exit_code} ({policy})")
    lines.append(f"  index: {index_path}")
    return lines
