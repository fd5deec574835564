"""What changed between two runs of the same target (pure): the verdict, each check case's status,
the diagnoses that appeared or went away, the capability cells, latency beyond a threshold, and
response headers or error bodies seen for the first time (drift), each with its request IDs.

Every change has a direction: a *regression* is what got worse (``--fail-on regressions`` fails
on those alone), an *improvement* what got better, *drift* what the wire shows for the first
time, and a plain *change* the rest (a check no longer run, say). Failures present in both runs
are listed as known, not as changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, is_dataclass
from typing import Any

from .changes import CHANGE, DIRECTIONS, DRIFT, IMPROVEMENT, REGRESSION, Change, Comparison
from .model import CheckResult, Evidence, RunSummary

# Worse to the right. A run cut short ranks below any failure: nothing it judged failed.
VERDICT_RANK = {
    "conformant": 0,
    "incomplete": 1,
    "nonconformant": 2,
    "misconfigured": 3,
    "unreachable": 4,
}
# Latency: a change counts when it is this many times the baseline's figure *and* this many
# milliseconds, so that a loopback run's jitter of a few milliseconds never counts.
DEFAULT_LATENCY_RATIO = 1.5
DEFAULT_LATENCY_FLOOR_MS = 100.0
# The median and the time to first token; the worst request is one request, and too noisy.
LATENCY_FIGURES = (("median_ms", "median"), ("ttft_ms", "time to first token"))
MAX_REQUEST_IDS = 4
# A median of fewer successful requests than this (a deployment the run only probed) is noise.
MIN_SAMPLES = 5


@dataclass(frozen=True)
class Thresholds:
    """When a latency figure counts as changed."""

    ratio: float = DEFAULT_LATENCY_RATIO
    floor_ms: float = DEFAULT_LATENCY_FLOOR_MS


def compare_runs(
    baseline: RunSummary,
    current: RunSummary,
    *,
    source: str,
    thresholds: Thresholds = Thresholds(),
    target: str = "",
) -> Comparison:
    """Everything that changed from ``baseline`` to ``current``, worst first."""
    changes = [
        *_verdict(baseline, current),
        *_checks(baseline.checks, current.checks),
        *_diagnoses(baseline, current),
        *_capabilities(baseline, current),
        *_latency(baseline, current, thresholds),
        *_drift(baseline, current),
    ]
    for change in changes:
        change.target = target
    changes.sort(key=lambda c: DIRECTIONS.index(c.direction))
    known = sorted(
        set(_failing(baseline.checks)) & set(_failing(current.checks)),
    )
    return Comparison(
        baseline=source,
        baseline_started_at=baseline.started_at,
        baseline_verdict=baseline.verdict,
        changes=changes,
        known_failures=known,
        target=target,
    )


def case_label(check: CheckResult) -> str:
    """``AUTH-API-KEY[api-key]``: a check case by its ID and parameters."""
    params = ",".join(str(v) for _, v in sorted(check.params.items()))
    return f"{check.id}[{params}]" if params else check.id


def verdict_direction(before: str, after: str) -> str:
    """Whether a verdict got worse, better, or merely changed (one this version does not know)."""
    if before == after:
        return ""
    if before not in VERDICT_RANK or after not in VERDICT_RANK:
        return CHANGE
    return REGRESSION if VERDICT_RANK[after] > VERDICT_RANK[before] else IMPROVEMENT


def _verdict(baseline: RunSummary, current: RunSummary) -> list[Change]:
    direction = verdict_direction(baseline.verdict, current.verdict)
    if not direction:
        return []
    return [Change("verdict", "verdict", baseline.verdict, current.verdict, direction)]


_BAD = ("failed", "error")


def _counts_against(check: CheckResult) -> bool:
    return check.status == "error" or (check.status == "failed" and check.severity != "info")


def _failing(checks: Iterable[CheckResult]) -> list[str]:
    return [case_label(c) for c in checks if _counts_against(c)]


def _checks(before: Sequence[CheckResult], after: Sequence[CheckResult]) -> list[Change]:
    old = {case_label(c): c for c in before}
    new = {case_label(c): c for c in after}
    changes = []
    for label, check in new.items():
        was = old.get(label)
        if was is not None and was.status == check.status:
            continue
        if was is None:
            direction = REGRESSION if _counts_against(check) else CHANGE
            before_status = "not in the baseline"
        elif _counts_against(check) and not _counts_against(was):
            direction, before_status = REGRESSION, was.status
        elif _counts_against(was) and check.status == "passed":
            direction, before_status = IMPROVEMENT, was.status
        else:
            direction, before_status = CHANGE, was.status
        changes.append(
            Change(
                "check",
                label,
                before_status,
                check.status,
                direction,
                detail=check.reason if check.status != "passed" else "",
                request_ids=_ids(check.evidence, failing_only=check.status in _BAD),
            )
        )
    for label, was in old.items():
        if label not in new:
            changes.append(Change("check", label, was.status, "not run", CHANGE))
    return changes


def _diagnoses(baseline: RunSummary, current: RunSummary) -> list[Change]:
    old = {d.code: d for d in baseline.diagnoses}
    new = {d.code: d for d in current.diagnoses}
    changes = []
    for code, diagnosis in new.items():
        if code in old:
            continue
        direction = CHANGE if diagnosis.severity == "info" else REGRESSION
        changes.append(
            Change(
                "diagnosis",
                code,
                "absent",
                f"present ({diagnosis.severity})",
                direction,
                detail=diagnosis.title,
                request_ids=_ids(diagnosis.evidence),
            )
        )
    for code, diagnosis in old.items():
        if code not in new:
            direction = CHANGE if diagnosis.severity == "info" else IMPROVEMENT
            changes.append(
                Change("diagnosis", code, f"present ({diagnosis.severity})", "gone", direction)
            )
    return changes


def capability_cells(summary: RunSummary) -> dict[tuple[str, str], dict[str, Any]]:
    """``(deployment, CAP-ID) → cell`` of the capability matrix, if the summary has one (a
    summary without it, or from before it existed, has none)."""
    matrix = getattr(summary, "capabilities", None)
    if is_dataclass(matrix) and not isinstance(matrix, type):
        matrix = asdict(matrix)
    if not isinstance(matrix, Mapping):
        return {}
    cells: dict[tuple[str, str], dict[str, Any]] = {}
    for deployment, column in matrix.items():
        if is_dataclass(column) and not isinstance(column, type):
            column = asdict(column)
        if not isinstance(column, Mapping):
            continue
        inner = column.get("cells", column)  # {cells: {…}} or the cells themselves
        if not isinstance(inner, Mapping):
            continue
        for cap, cell in inner.items():
            if is_dataclass(cell) and not isinstance(cell, type):
                cell = asdict(cell)
            if isinstance(cell, Mapping) and isinstance(cell.get("status"), str):
                cells[(str(deployment), str(cap))] = dict(cell)
    return cells


def _capabilities(baseline: RunSummary, current: RunSummary) -> list[Change]:
    old, new = capability_cells(baseline), capability_cells(current)
    changes = []
    for key, cell in new.items():
        was = old.get(key)
        status, drift = cell["status"], str(cell.get("drift") or "")
        if was is None or (was["status"] == status and str(was.get("drift") or "") == drift):
            continue
        before, had_drift = was["status"], str(was.get("drift") or "")
        if (before == "supported" and status in ("refused", "not-honoured")) or (
            drift and not had_drift
        ):
            direction = REGRESSION
        elif (status == "supported" and before in ("refused", "not-honoured")) or (
            had_drift and not drift
        ):
            direction = IMPROVEMENT
        else:
            direction = CHANGE
        evidence = [e for e in cell.get("evidence", []) if isinstance(e, Mapping)]
        changes.append(
            Change(
                "capability",
                f"{key[1]} on {key[0]}",
                before + (f" ({had_drift})" if had_drift else ""),
                status + (f" ({drift})" if drift else ""),
                direction,
                detail=str(cell.get("reason") or ""),
                request_ids=[str(e["request_id"]) for e in evidence if e.get("request_id")][
                    :MAX_REQUEST_IDS
                ],
            )
        )
    return changes


def _latency(baseline: RunSummary, current: RunSummary, thresholds: Thresholds) -> list[Change]:
    changes = []
    for deployment, figures in current.latency.items():
        was = baseline.latency.get(deployment)
        if not was or min(was.get("requests") or 0, figures.get("requests") or 0) < MIN_SAMPLES:
            continue
        for key, name in LATENCY_FIGURES:
            before, after = was.get(key), figures.get(key)
            if before is None or after is None:
                continue
            if abs(after - before) < thresholds.floor_ms:
                continue
            if after >= before * thresholds.ratio:
                direction = REGRESSION
            elif before >= after * thresholds.ratio:
                direction = IMPROVEMENT
            else:
                continue
            changes.append(
                Change(
                    "latency",
                    f"{name} on {deployment}",
                    f"{before:.0f} ms",
                    f"{after:.0f} ms",
                    direction,
                    request_ids=_slowest(current, deployment),
                )
            )
    return changes


def _drift(baseline: RunSummary, current: RunSummary) -> list[Change]:
    old, new = baseline.observed, current.observed
    if not old.recorded or not new.recorded:
        return []  # an older summary kept no headers: nothing can be told first-seen
    changes = []
    for kind, before, after, what in (
        ("header", old.headers, new.headers, "response header"),
        ("error-body", old.error_bodies, new.error_bodies, "error body"),
    ):
        for key, sighting in after.items():
            if key in before:
                continue
            ids = [i for i in (sighting.request_id, sighting.apim_request_id) if i]
            detail = f"first seen in {sighting.check}" if sighting.check else ""
            changes.append(Change(kind, key, "never seen", f"new {what}", DRIFT, detail, ids))
    return changes


def _ids(evidence: Iterable[Evidence], *, failing_only: bool = False) -> list[str]:
    """The request IDs (``request-id``, else ``apim-request-id``) of some evidence."""
    ids = []
    for item in evidence:
        if failing_only and item.status is not None and item.status < 400 and not item.error_class:
            continue
        value = item.request_id or item.apim_request_id
        if value and value not in ids:
            ids.append(value)
    return ids[:MAX_REQUEST_IDS]


def _slowest(summary: RunSummary, deployment: str) -> list[str]:
    timed = [
        e
        for check in summary.checks
        for e in check.evidence
        if e.deployment == deployment
        and e.elapsed_ms is not None
        and (e.request_id or e.apim_request_id)
    ]
    timed.sort(key=lambda e: -(e.elapsed_ms or 0.0))
    return _ids(timed[:1])
